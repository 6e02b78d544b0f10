package dev.outpost.ot.sync;

import dev.outpost.codec.changeset.Instr;
import dev.outpost.ot.model.Changeset;
import dev.outpost.ot.model.Instruction;
import dev.outpost.ot.model.ObjectInstruction;
import dev.outpost.ot.model.PathInstruction;
import dev.outpost.ot.model.PrimaryKey;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;

/**
 * Which history versions touched which objects, by whom: the index behind {@link ServerIntegrator}'s fast path.
 * Per (class, primary key) it keeps the latest version that touched the object, that version's origin, and the latest
 * version touched by any other origin, so "touched by someone other than client C after version b" is O(1); the same
 * three values for schema instructions, for non-empty entries, and for instructions the merge would reject
 * (list instructions whose path does not end in an index).
 * <p>
 * {@link #disjoint} is true only when the {@link dev.outpost.ot.transform.Transformer} merge of an upload group
 * (client C, base b) against the history in {@code (b, head]} not from C would pair no instruction at all: no
 * foreign non-empty entry after b; or no foreign schema or rejected instruction after b, no schema or rejected
 * instruction in the group, and no object of the group touched by another origin after b. Then the merge returns
 * the group unchanged and changes no reciprocal, so it can be skipped. It never answers true when the merge would
 * pair or fail (conservative); it may answer false when the merge would in fact change nothing.
 * <p>
 * Memory: one record per object touched and still alive, plus at most {@code erasedKept} erased objects; older
 * erased objects are forgotten and their class's floor version raised (an unknown object of that class counts as
 * touched by someone else at the floor). EraseTable forgets the class's objects the same way.
 * <p>
 * Entries must be recorded in version order, every version once ({@link #record}, {@link #recordUnknown}); the
 * index must be dropped and rebuilt when appended entries are rolled back. Not thread-safe: owned by the server
 * file's writer.
 */
public final class TouchIndex
{
    /** Erased objects remembered by default before their class's floor is raised. */
    public static final int DEFAULT_ERASED_KEPT = 1024;
    /** Origin of entries whose content is unknown (unreadable): foreign to every client. */
    private static final long UNKNOWN_ORIGIN = -1;

    private final int erasedKept;
    private final HashMap<String, TableTouches> tables = new HashMap<>();
    private final Touch schema = new Touch();
    private final Touch rejected = new Touch();
    private final Touch nonEmpty = new Touch();
    private final ArrayDeque<Erased> erased = new ArrayDeque<>();
    private long head;
    private int objects;
    /** Version the index was resumed at ({@link #resumeAt}): what happened up to it is unknown; 0 if none. */
    private long resumedAt;

    public TouchIndex()
    {
        this(DEFAULT_ERASED_KEPT);
    }

    /** @param erasedKept erased objects remembered before their class's floor is raised (&gt;= 0). */
    public TouchIndex(final int erasedKept)
    {
        if (erasedKept < 0)
        {
            throw new IllegalArgumentException("erasedKept < 0");
        }
        this.erasedKept = erasedKept;
    }

    /** @return the last version recorded (0 if none). */
    public long head()
    {
        return head;
    }

    /** @return object records held (alive or remembered as erased). */
    public int objects()
    {
        return objects;
    }

    /**
     * Record history entry {@code version} (must be {@link #head()} + 1).
     *
     * @param origin    the entry's origin file ident (0 = the server itself), as the integrator reads it.
     * @param changeset the entry as integrated (a compensating-write revert entry is passed as empty).
     */
    public void record(final long version, final long origin, final Changeset changeset)
    {
        checkNext(version);
        head = version;
        if (changeset.isEmpty())
        {
            return;
        }
        nonEmpty.touch(version, origin);
        final List<Instruction> list = changeset.instructions();
        for (int i = 0, n = list.size(); i < n; i++)
        {
            final Instruction instruction = list.get(i);
            if (instruction.isSchema())
            {
                schema.touch(version, origin);
                if (instruction.type() == Instr.ERASE_TABLE)
                {
                    final TableTouches t = tables.get(instruction.table());
                    if (t != null)
                    {
                        objects -= t.objects.size();
                        t.objects.clear();
                        t.floor = Math.max(t.floor, version);
                    }
                }
                continue;
            }
            if (rejectedByMerge(instruction))
            {
                rejected.touch(version, origin);
                continue;
            }
            final PrimaryKey key = ((ObjectInstruction)instruction).object();
            final TableTouches t = tables.computeIfAbsent(instruction.table(), k -> new TableTouches(resumedAt));
            Touch o = t.objects.get(key);
            if (o == null)
            {
                o = new Touch();
                if (resumedAt != 0)
                {
                    o.touch(resumedAt, UNKNOWN_ORIGIN); // what happened to it up to the resume point is unknown
                }
                t.objects.put(key, o);
                objects++;
            }
            o.touch(version, origin);
            if (instruction.type() == Instr.ERASE_OBJECT)
            {
                erased.addLast(new Erased(t, key, version));
                forgetOldErased();
            }
        }
    }

    /**
     * Start an empty index at {@code version} without recording the entries up to it (a state rebuilt from a
     * checkpoint): every entry up to {@code version} counts as unknown, by an unknown origin, so an upload based before
     * it takes the full merge, and one based at or after it is judged by the entries recorded from then on.
     *
     * @param version the last version the caller will not record (&gt;= 1); the next {@link #record} is version + 1.
     */
    public void resumeAt(final long version)
    {
        if (head != 0 || version < 1)
        {
            throw new IllegalArgumentException("resume at " + version + " after " + head);
        }
        head = version;
        resumedAt = version;
        nonEmpty.touch(version, UNKNOWN_ORIGIN);
        schema.touch(version, UNKNOWN_ORIGIN);
        rejected.touch(version, UNKNOWN_ORIGIN);
    }

    /**
     * Record entry {@code version} whose content could not be read: it counts as a schema change by an unknown origin,
     * so every upload based before it takes the full merge (which then reports what is wrong with it).
     */
    public void recordUnknown(final long version)
    {
        checkNext(version);
        head = version;
        nonEmpty.touch(version, UNKNOWN_ORIGIN);
        schema.touch(version, UNKNOWN_ORIGIN);
        rejected.touch(version, UNKNOWN_ORIGIN);
    }

    /**
     * @param client the uploading client's file ident.
     * @param base   the group's base server version (&lt;= {@link #head()}).
     * @param group  the group's changesets (instructions are only read).
     * @return true if merging the group against the history in {@code (base, head]} not from {@code client} would
     *         pair no instruction and fail no check, i.e. the group stays as it is and no reciprocal changes.
     */
    public boolean disjoint(final long client, final long base, final List<Changeset> group)
    {
        if (!nonEmpty.touchedByOtherAfter(client, base))
        {
            return true; // nothing to merge against
        }
        if (rejected.touchedByOtherAfter(client, base))
        {
            return false;
        }
        final boolean foreignSchema = schema.touchedByOtherAfter(client, base);
        for (int c = 0, m = group.size(); c < m; c++)
        {
            final List<Instruction> list = group.get(c).instructions();
            for (int i = 0, n = list.size(); i < n; i++)
            {
                final Instruction instruction = list.get(i);
                if (foreignSchema || instruction.isSchema() || rejectedByMerge(instruction))
                {
                    return false;
                }
                final TableTouches t = tables.get(instruction.table());
                if (t == null)
                {
                    if (resumedAt > base)
                    {
                        return false;
                    }
                    continue;
                }
                final Touch o = t.objects.get(((ObjectInstruction)instruction).object());
                if (o == null ? t.floor > base : o.touchedByOtherAfter(client, base))
                {
                    return false;
                }
            }
        }
        return true;
    }

    /** @return true if an origin other than {@code client} appended a non-empty entry after {@code base}. */
    public boolean concurrent(final long client, final long base)
    {
        return nonEmpty.touchedByOtherAfter(client, base);
    }

    /**
     * @return true if some origin other than {@code client} touched object {@code table[key]} after {@code base}
     *         (or the index no longer knows: the object was forgotten after that version).
     */
    public boolean objectTouchedByOtherAfter(final long client, final long base, final String table,
        final PrimaryKey key)
    {
        final TableTouches t = tables.get(table);
        if (t == null)
        {
            return resumedAt > base;
        }
        final Touch o = t.objects.get(key);
        return o == null ? t.floor > base : o.touchedByOtherAfter(client, base);
    }

    /** @return true if some origin other than {@code client} made a schema change after {@code base}. */
    public boolean schemaTouchedByOtherAfter(final long client, final long base)
    {
        return schema.touchedByOtherAfter(client, base);
    }

    private void checkNext(final long version)
    {
        if (version != head + 1)
        {
            throw new IllegalArgumentException("version " + version + " recorded after " + head);
        }
    }

    private void forgetOldErased()
    {
        while (erased.size() > erasedKept)
        {
            final Erased e = erased.removeFirst();
            final Touch o = e.table.objects.get(e.key);
            if (o != null && o.latest == e.version)
            {
                e.table.objects.remove(e.key);
                objects--;
                e.table.floor = Math.max(e.table.floor, e.version);
            }
        }
    }

    /** The merge's own precondition (Transformer): list instructions must address an index. */
    private static boolean rejectedByMerge(final Instruction instruction)
    {
        switch (instruction.type())
        {
            case Instr.ARRAY_INSERT:
            case Instr.ARRAY_MOVE:
            case Instr.ARRAY_ERASE:
                return !((PathInstruction)instruction).path().endsInIndex();
            default:
                return false;
        }
    }

    /** Latest touch, its origin, and the latest touch by any other origin. */
    private static final class Touch
    {
        long latest;
        long latestOrigin = Long.MIN_VALUE;
        long other;

        void touch(final long version, final long origin)
        {
            if (origin != latestOrigin)
            {
                other = latest;
                latestOrigin = origin;
            }
            latest = version;
        }

        boolean touchedByOtherAfter(final long client, final long base)
        {
            return (latestOrigin == client ? other : latest) > base;
        }
    }

    private static final class TableTouches
    {
        final HashMap<PrimaryKey, Touch> objects = new HashMap<>();
        /** Objects of this class forgotten so far were last touched at or before this version. */
        long floor;

        TableTouches(final long floor)
        {
            this.floor = floor;
        }
    }

    private record Erased(TableTouches table, PrimaryKey key, long version)
    {
    }
}
