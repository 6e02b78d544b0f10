package dev.outpost.ot.transform;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;

import dev.outpost.codec.changeset.Instr;
import dev.outpost.ot.model.Changeset;
import dev.outpost.ot.model.Instruction;
import dev.outpost.ot.model.ObjectInstruction;
import dev.outpost.ot.model.PathInstruction;
import dev.outpost.ot.model.PrimaryKey;

/**
 * Merges a peer's changesets with ours, realm-core style ({@code Transformer::merge_changesets}); the same code
 * serves both ends of a connection:
 * <ul>
 * <li><b>server</b>: {@code theirs} = one upload group of client X (all based on the same server version S, origin
 *     file ident set to X), {@code ours} = the history entries in {@code (S, head]} not from X, each as its stored
 *     reciprocal transform for X if there is one, else as integrated;</li>
 * <li><b>client</b>: {@code theirs} = downloaded changesets sharing one {@code last_integrated_client_version},
 *     {@code ours} = the local changesets after it (reciprocal if stored, else original).</li>
 * </ul>
 * The result holds the transformed incoming changesets (to apply; the server appends them to its history) and our
 * transformed changesets (the new reciprocal transforms for that peer). Inputs are never modified.
 * <p>
 * Structure: our changesets are the outer (major) loop in order; each of our instructions meets, in order, the
 * incoming instructions of its conflict group: schema instructions (AddTable, EraseTable, AddColumn, EraseColumn)
 * meet everything, others only instructions on the same object. If either side erases a table or a column, every
 * pair meets (as in realm-core). For each pair: if path lengths differ the shorter instruction's nested rule runs
 * first (see {@code MergeRules}); then, unless one was discarded, the pair rule. Rules may discard either side,
 * shift indices and {@code prior_size}, fold values, or prepend instructions (an EraseColumn before an EraseTable
 * that removes a link column's target); a prepended instruction on our side is merged with the rest of the group.
 * <p>
 * Ties are broken by (origin timestamp, origin file ident), unsigned; an origin file ident of 0 on our side means
 * "local" and is replaced by {@code localFileIdent} (1 on the server, the client's ident on a client). Their
 * changesets must carry their real (non-zero) origin file ident.
 * <p>
 * A violated merge precondition (schema mismatch, {@code prior_size} disagreement, index out of range,
 * inconsistent paths, list instruction without an index) yields a failed {@link MergeResult}
 * ({@code BAD_CHANGESET}), never a partial result. Deterministic: output depends only on the inputs (no clocks,
 * randomness, or hash iteration order). Not thread-safe; owned by the server file's writer (or the client's sync
 * thread). Reusable.
 */
public final class Transformer
{
    private final long localFileIdent;
    private final boolean indexed;

    /** Their changesets, copied; null entries are discarded instructions. */
    private final ArrayList<ArrayList<Instruction>> theirs = new ArrayList<>();
    private final ArrayList<Changeset> theirHeaders = new ArrayList<>();
    /** Object conflict groups: their instruction positions, packed (changeset << 32 | index), in order. */
    private final HashMap<ObjectKey, LongList> groups = new HashMap<>();
    private boolean everything;

    private final MajorSide major = new MajorSide();
    private final MinorSide minor = new MinorSide();

    /** @param localFileIdent this peer's file ident, used for our changesets of local origin (ident 0) */
    public Transformer(final long localFileIdent)
    {
        this(localFileIdent, true);
    }

    /** @param indexed false makes every pair meet (realm's "everything" group); for equivalence tests only */
    Transformer(final long localFileIdent, final boolean indexed)
    {
        this.indexed = indexed;
        if (localFileIdent == 0)
        {
            throw new IllegalArgumentException("local file ident must not be 0");
        }
        this.localFileIdent = localFileIdent;
    }

    public long localFileIdent()
    {
        return localFileIdent;
    }

    /**
     * @param theirChangesets incoming changesets, all based on the same version (not modified)
     * @param ourChangesets   our changesets since that version, in order (not modified)
     * @return the transformed changesets, or a failure ({@code BAD_CHANGESET})
     */
    public MergeResult merge(final List<Changeset> theirChangesets, final List<Changeset> ourChangesets)
    {
        try
        {
            return doMerge(theirChangesets, ourChangesets);
        }
        catch (final MergeFailure e)
        {
            return MergeResult.failure(e.getMessage());
        }
        finally
        {
            theirs.clear();
            theirHeaders.clear();
            groups.clear();
            major.reset();
            minor.reset();
        }
    }

    private MergeResult doMerge(final List<Changeset> theirChangesets, final List<Changeset> ourChangesets)
    {
        for (final Changeset c : theirChangesets)
        {
            if (c.originFileIdent() == 0)
            {
                throw new IllegalArgumentException("incoming changeset without origin file ident: " + c.version());
            }
            theirHeaders.add(c);
            theirs.add(copyValidated(c));
        }
        final ArrayList<ArrayList<Instruction>> ours = new ArrayList<>(ourChangesets.size());
        for (final Changeset c : ourChangesets)
        {
            ours.add(copyValidated(c));
        }

        if (!theirChangesets.isEmpty() && !ourChangesets.isEmpty())
        {
            buildIndex(ours);
            for (int c = 0; c < ours.size(); c++)
            {
                final Changeset header = ourChangesets.get(c);
                major.changeset = ours.get(c);
                major.timestamp = header.originTimestamp();
                major.fileIdent = header.originFileIdent() == 0 ? localFileIdent : header.originFileIdent();
                transformChangeset();
            }
        }

        final ArrayList<Changeset> theirOut = new ArrayList<>(theirs.size());
        for (int c = 0; c < theirs.size(); c++)
        {
            theirOut.add(build(theirHeaders.get(c), theirs.get(c)));
        }
        final ArrayList<Changeset> ourOut = new ArrayList<>(ours.size());
        final boolean[] changed = new boolean[ours.size()];
        for (int c = 0; c < ours.size(); c++)
        {
            final Changeset out = build(ourChangesets.get(c), ours.get(c));
            changed[c] = !out.instructions().equals(ourChangesets.get(c).instructions());
            ourOut.add(out);
        }
        return MergeResult.success(theirOut, ourOut, changed);
    }

    private static ArrayList<Instruction> copyValidated(final Changeset c)
    {
        final ArrayList<Instruction> list = new ArrayList<>(c.size());
        for (final Instruction i : c.instructions())
        {
            switch (i.type())
            {
                case Instr.ARRAY_INSERT:
                case Instr.ARRAY_MOVE:
                case Instr.ARRAY_ERASE:
                    if (!((PathInstruction)i).path().endsInIndex())
                    {
                        throw new MergeFailure("Merge error: " + i.name() + " path does not end in an index");
                    }
                    break;
                default:
            }
            list.add(i.copy());
        }
        return list;
    }

    private static Changeset build(final Changeset header, final ArrayList<Instruction> instructions)
    {
        final Changeset out = header.copyHeader().ensureCapacity(instructions.size());
        for (final Instruction i : instructions)
        {
            if (i != null)
            {
                out.add(i);
            }
        }
        if (!out.isEmpty() && instructions.size() == header.size() && out.size() == header.size())
        {
            out.setTrailingStrings(header.trailingStrings());
        }
        return out;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Conflict groups.

    private void buildIndex(final List<ArrayList<Instruction>> ours)
    {
        everything = !indexed || destructive(theirs) || destructive(ours);
        if (everything)
        {
            return;
        }
        for (int c = 0; c < theirs.size(); c++)
        {
            final ArrayList<Instruction> list = theirs.get(c);
            for (int i = 0; i < list.size(); i++)
            {
                final Instruction instruction = list.get(i);
                if (!instruction.isSchema())
                {
                    groups.computeIfAbsent(ObjectKey.of(instruction), k -> new LongList()).add((long)c << 32 | i);
                }
            }
        }
    }

    private static boolean destructive(final List<ArrayList<Instruction>> changesets)
    {
        for (final ArrayList<Instruction> list : changesets)
        {
            for (final Instruction i : list)
            {
                if (i.type() == Instr.ERASE_TABLE || i.type() == Instr.ERASE_COLUMN)
                {
                    return true;
                }
            }
        }
        return false;
    }

    /** Positions the minor iterator at the start of the conflict group of the current major instruction. */
    private void selectGroup(final Instruction majorInstruction)
    {
        if (everything || majorInstruction.isSchema())
        {
            minor.group = null;
        }
        else
        {
            minor.group = groups.get(ObjectKey.of(majorInstruction));
            if (minor.group == null)
            {
                minor.group = LongList.EMPTY;
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // The merge loops.

    private void transformChangeset()
    {
        final ArrayList<Instruction> list = major.changeset;
        major.position = 0;
        while (major.position < list.size())
        {
            final Instruction instruction = list.get(major.position);
            if (instruction != null)
            {
                major.discarded = false;
                selectGroup(instruction);
                minor.start();
                transformMajor();
            }
            major.position++;
        }
    }

    /** Merges the current major instruction with the minor group from the minor iterator's position on. */
    private void transformMajor()
    {
        while (minor.skipTombstones())
        {
            minor.discarded = false;
            mergeInstructions();
            if (major.discarded)
            {
                return;
            }
            minor.advance();
        }
    }

    private void mergeInstructions()
    {
        final Instruction ours = major.get();
        final Instruction their = minor.get();
        final int ourLength = ours.pathLength();
        final int theirLength = their.pathLength();
        if (theirLength < ourLength)
        {
            MergeRules.nested(their, minor, ours, major);
            if (major.discarded)
            {
                return;
            }
        }
        else if (theirLength > ourLength)
        {
            MergeRules.nested(ours, major, their, minor);
            if (minor.discarded)
            {
                return;
            }
        }
        if (!major.discarded && !minor.discarded)
        {
            MergeRules.pair(ours, major, their, minor);
        }
    }

    /** realm-core's transform_prepended_major: the instruction just inserted before the major meets the rest. */
    private void transformPrependedMajor()
    {
        final boolean majorWasDiscarded = major.discarded;
        final int savedMinorChangeset = minor.changesetIndex;
        final int savedMinorPosition = minor.position;
        final int savedMinorGroupIndex = minor.groupIndex;
        final boolean minorWasDiscarded = minor.discarded;

        if (!minor.discarded)
        {
            minor.advance(); // skip the instruction that caused the prepend
        }
        major.discarded = false;
        transformMajor(); // major.position points at the prepended instruction
        major.position++; // back to the instruction that caused the prepend

        minor.changesetIndex = savedMinorChangeset;
        minor.position = savedMinorPosition;
        minor.groupIndex = savedMinorGroupIndex;
        minor.discarded = minorWasDiscarded;
        major.discarded = majorWasDiscarded;
        minor.loadDiscriminant();
    }

    /** Our side: the outer loop. */
    private final class MajorSide extends Side
    {
        ArrayList<Instruction> changeset;
        int position;

        Instruction get()
        {
            return changeset.get(position);
        }

        @Override
        void discard()
        {
            changeset.set(position, null);
            discarded = true;
        }

        @Override
        void prepend(final Instruction instruction)
        {
            changeset.add(position, instruction);
            transformPrependedMajor();
        }

        void reset()
        {
            changeset = null;
            position = 0;
            discarded = false;
        }
    }

    /** Their side: iterates a conflict group (or everything) in changeset order. */
    private final class MinorSide extends Side
    {
        /** null: everything. */
        LongList group;
        int groupIndex;
        int changesetIndex;
        int position;

        void start()
        {
            groupIndex = 0;
            changesetIndex = 0;
            position = 0;
            discarded = false;
        }

        /** Moves to the next live instruction at or after the current position; false at the end. */
        boolean skipTombstones()
        {
            if (group == null)
            {
                while (changesetIndex < theirs.size())
                {
                    final ArrayList<Instruction> list = theirs.get(changesetIndex);
                    while (position < list.size())
                    {
                        if (list.get(position) != null)
                        {
                            loadDiscriminant();
                            return true;
                        }
                        position++;
                    }
                    changesetIndex++;
                    position = 0;
                }
                return false;
            }
            while (groupIndex < group.size())
            {
                final long packed = group.get(groupIndex);
                changesetIndex = (int)(packed >>> 32);
                position = (int)packed;
                if (theirs.get(changesetIndex).get(position) != null)
                {
                    loadDiscriminant();
                    return true;
                }
                groupIndex++;
            }
            return false;
        }

        void advance()
        {
            if (group == null)
            {
                position++;
            }
            else
            {
                groupIndex++;
            }
        }

        void loadDiscriminant()
        {
            if (changesetIndex < theirHeaders.size())
            {
                final Changeset header = theirHeaders.get(changesetIndex);
                timestamp = header.originTimestamp();
                fileIdent = header.originFileIdent();
            }
        }

        Instruction get()
        {
            return theirs.get(changesetIndex).get(position);
        }

        @Override
        void discard()
        {
            theirs.get(changesetIndex).set(position, null);
            discarded = true;
        }

        @Override
        void prepend(final Instruction instruction)
        {
            // Only reached with everything in one group (EraseTable present), where positions are not indexed.
            theirs.get(changesetIndex).add(position, instruction);
            position++;
        }

        void reset()
        {
            group = null;
            start();
        }
    }

    /** (table, primary key) of an object or path instruction. */
    private static final class ObjectKey
    {
        final String table;
        final PrimaryKey key;

        ObjectKey(final String table, final PrimaryKey key)
        {
            this.table = table;
            this.key = key;
        }

        static ObjectKey of(final Instruction i)
        {
            return new ObjectKey(i.table(), ((ObjectInstruction)i).object());
        }

        @Override
        public boolean equals(final Object o)
        {
            return o instanceof ObjectKey && table.equals(((ObjectKey)o).table) && key.equals(((ObjectKey)o).key);
        }

        @Override
        public int hashCode()
        {
            return table.hashCode() * 31 + key.hashCode();
        }
    }

    /** Growable list of packed positions. */
    private static final class LongList
    {
        static final LongList EMPTY = new LongList();

        private long[] values = new long[4];
        private int size;

        void add(final long v)
        {
            if (size == values.length)
            {
                values = java.util.Arrays.copyOf(values, size * 2);
            }
            values[size++] = v;
        }

        long get(final int i)
        {
            return values[i];
        }

        int size()
        {
            return size;
        }
    }
}
