package dev.outpost.ot.sync;

import dev.outpost.codec.changeset.Instr;
import dev.outpost.ot.model.AddInteger;
import dev.outpost.ot.model.Changeset;
import dev.outpost.ot.model.Instruction;
import dev.outpost.ot.model.ObjectInstruction;
import dev.outpost.ot.model.PathInstruction;
import dev.outpost.ot.model.PrimaryKey;
import dev.outpost.ot.model.Update;

import java.util.HashMap;
import java.util.List;

/**
 * Drops the instructions of a server history that later instructions make redundant, so that a new client's first
 * download from version 0 is about the size of the live data instead of every change ever made.
 * <p>
 * Fed the history <em>backwards</em>, from the compaction horizon {@code h} down to version 1
 * ({@link #compactPreceding}), it removes from each changeset, in place:
 * <ul>
 * <li>an {@code Update} of a top-level scalar field (empty path, any payload but an embedded object, list,
 * dictionary, set or erased marker) and an {@code AddInteger} on such a field, when a later version at or below
 * {@code h} (or a later instruction of the same changeset) sets the same field with a non-default scalar
 * {@code Update} whose merge discriminant (origin timestamp, then origin file ident, unsigned) is not lower.</li>
 * </ul>
 * Everything else stays, including every {@code CreateObject} and {@code EraseObject} (all synced objects have
 * primary keys, so, as realm-core's server compaction does with its "ghost" objects, a create and an erase keep
 * their effect in merges with concurrent creates of the same key). A {@code CreateObject}/{@code EraseObject} of
 * the object, any other instruction on the field (list, set, dictionary, embedded path, an {@code AddInteger} that
 * stays) and any schema instruction end the reach of the later updates (nothing before them is dropped because of
 * updates after them), so every instruction that stays applies to exactly the value it did before.
 * <p>
 * Why it is safe: the state after version {@code h} (and so after every later version) is unchanged, because only
 * values overwritten before {@code h} are dropped. A client whose download cursor and reciprocal-history base are at
 * or above {@code h} never sees a compacted version. A client that merges an upload based below {@code h} (a new
 * client's offline changes, based at 0) merges against the compacted versions instead: its update of the field wins
 * against the history's updates iff it wins against the one with the highest discriminant (last writer wins, a
 * default update loses to a non-default one), and that one is never dropped; an add loses against a later update
 * the same way. So the merge gives the same result. {@code HistoryCompactionTest} checks both properties on random
 * histories.
 * <p>
 * Memory: one small entry per (object, field) that is set in the compacted range and not yet overwritten, i.e. of
 * the order of the live data. Deterministic (no clock, no hash-order output). Not thread-safe; one instance per
 * compaction run of one server file.
 */
public final class HistoryCompactor
{
    private record ObjectKey(String table, PrimaryKey object)
    {
    }

    /** Per object: field -> the highest discriminant {timestamp, fileIdent} of a later non-default scalar update. */
    private final HashMap<ObjectKey, HashMap<String, long[]>> later = new HashMap<>();
    private long droppedInstructions;

    /**
     * Compacts {@code changeset}, the history entry just before the ones already fed (start at the horizon and go
     * down to version 1).
     *
     * @param changeset       the entry's changeset, edited in place.
     * @param originTimestamp the entry's origin timestamp (merge discriminant).
     * @param originFileIdent the entry's origin file ident (merge discriminant tie-break).
     * @return the number of instructions removed from it.
     */
    public int compactPreceding(final Changeset changeset, final long originTimestamp, final long originFileIdent)
    {
        final List<Instruction> instructions = changeset.instructions();
        int removed = 0;
        for (int i = instructions.size() - 1; i >= 0; i--)
        {
            if (!keep(instructions.get(i), originTimestamp, originFileIdent))
            {
                instructions.remove(i);
                removed++;
            }
        }
        droppedInstructions += removed;
        return removed;
    }

    /** @return instructions removed so far. */
    public long droppedInstructions()
    {
        return droppedInstructions;
    }

    /** @return (object, field) pairs currently tracked (memory of the run). */
    public int trackedFields()
    {
        int n = 0;
        for (final HashMap<String, long[]> fields : later.values())
        {
            n += fields.size();
        }
        return n;
    }

    /** Forgets everything fed so far (for a next server file). */
    public void reset()
    {
        later.clear();
    }

    private boolean keep(final Instruction instruction, final long timestamp, final long fileIdent)
    {
        final int type = instruction.type();
        if (type == Instr.ADD_TABLE || type == Instr.ERASE_TABLE || type == Instr.ADD_COLUMN || type == Instr.ERASE_COLUMN)
        {
            later.clear(); // schema changes: nothing before them is dropped because of what follows
            return true;
        }
        if (!(instruction instanceof ObjectInstruction))
        {
            return true;
        }
        final ObjectInstruction oi = (ObjectInstruction)instruction;
        final ObjectKey key = new ObjectKey(oi.table(), oi.object());
        if (!(instruction instanceof PathInstruction))
        {
            return true; // CreateObject / EraseObject: an update before an erase is as moot as one overwritten
        }
        final PathInstruction pi = (PathInstruction)instruction;
        final HashMap<String, long[]> fields = later.get(key);
        final long[] overwrittenBy = fields == null ? null : fields.get(pi.field());
        if (type == Instr.UPDATE && isScalarFieldUpdate((Update)pi))
        {
            if (overwrittenBy != null && notBefore(overwrittenBy, timestamp, fileIdent))
            {
                return false;
            }
            if (!((Update)pi).isDefault())
            {
                if (overwrittenBy == null)
                {
                    later.computeIfAbsent(key, k -> new HashMap<>()).put(pi.field(), new long[] {timestamp, fileIdent});
                }
                else if (!notBefore(overwrittenBy, timestamp, fileIdent))
                {
                    overwrittenBy[0] = timestamp;
                    overwrittenBy[1] = fileIdent;
                }
            }
            return true;
        }
        if (type == Instr.ADD_INTEGER && ((AddInteger)pi).path().isEmpty() && overwrittenBy != null &&
            notBefore(overwrittenBy, timestamp, fileIdent))
        {
            return false;
        }
        if (fields != null)
        {
            fields.remove(pi.field()); // anything else on the field: a barrier
            if (fields.isEmpty())
            {
                later.remove(key);
            }
        }
        return true;
    }

    private static boolean isScalarFieldUpdate(final Update u)
    {
        if (!u.path().isEmpty())
        {
            return false;
        }
        final int t = u.value().type();
        return t != Instr.TYPE_OBJECT_VALUE && t != Instr.TYPE_LIST && t != Instr.TYPE_DICTIONARY &&
            t != Instr.TYPE_SET && t != Instr.TYPE_ERASED;
    }

    /** realm-core's discriminant order: {@code d} is not before (timestamp, fileIdent). */
    private static boolean notBefore(final long[] d, final long timestamp, final long fileIdent)
    {
        final int c = Long.compareUnsigned(d[0], timestamp);
        return c == 0 ? Long.compareUnsigned(d[1], fileIdent) >= 0 : c > 0;
    }

    /**
     * Compacts versions {@code 1..horizon} of an in-memory history (tests, tools): the entries are replaced by
     * entries with compacted copies of their changesets.
     *
     * @return the number of instructions removed.
     */
    public static long compact(final List<HistoryEntry> history, final int horizon)
    {
        final HistoryCompactor compactor = new HistoryCompactor();
        for (int v = horizon; v >= 1; v--)
        {
            final HistoryEntry e = history.get(v - 1);
            final Changeset copy = copyOf(e.changeset());
            compactor.compactPreceding(copy, e.originTimestamp(), e.originFileIdent());
            history.set(v - 1, new HistoryEntry(e.originFileIdent(), e.clientVersion(), e.originTimestamp(), copy));
        }
        return compactor.droppedInstructions();
    }

    private static Changeset copyOf(final Changeset c)
    {
        final Changeset copy = new Changeset(c.version(), c.lastIntegratedRemoteVersion(), c.originTimestamp(),
            c.originFileIdent());
        for (final Instruction i : c.instructions())
        {
            copy.add(i.copy());
        }
        return copy;
    }
}
