package dev.outpost.bench.client;

import java.util.SplittableRandom;

import dev.outpost.codec.changeset.Instr;
import dev.outpost.ot.model.Changeset;
import dev.outpost.ot.state.ChangesetBuilder;
import dev.outpost.ot.state.ObjectData;
import dev.outpost.ot.state.ObjectState;
import dev.outpost.ot.state.Value;

/**
 * The load generator's schema and its random write transactions, built with ot-core against a client's own
 * state so every changeset applies locally: class {@code Item} with an Int or ObjectId primary key {@code _id},
 * {@code name} (String), {@code count} (Int), {@code score} (Double), {@code tags} (List of String).
 * Operations: create (with field values), update of one field, AddInteger, erase, list insert. Keys come from a
 * small key space shared by all writers of a server file, so writers conflict and the merge does real work.
 * Not thread-safe: one per session.
 */
public final class ItemWorkload
{
    public static final String CLASS = "Item";
    private static final Object[] NO_PATH = new Object[0];

    private final boolean objectIdKeys;
    private final int keyBase;
    private final int keySpace;
    private final int stringBytes;
    private final SplittableRandom random;

    /**
     * @param objectIdKeys ObjectId primary keys instead of Int.
     * @param keySpace number of distinct object keys.
     * @param stringBytes length of the string values written.
     * @param seed random seed.
     */
    public ItemWorkload(final boolean objectIdKeys, final int keySpace, final int stringBytes, final long seed)
    {
        this(objectIdKeys, 0, keySpace, stringBytes, seed);
    }

    /**
     * @param objectIdKeys ObjectId primary keys instead of Int.
     * @param keyBase first key: keys are {@code [keyBase, keyBase + keySpace)} (disjoint ranges give each writer its
     *                own objects, e.g. for upload-only writers that do not apply what others write).
     * @param keySpace number of distinct object keys.
     * @param stringBytes length of the string values written.
     * @param seed random seed.
     */
    public ItemWorkload(final boolean objectIdKeys, final int keyBase, final int keySpace, final int stringBytes,
        final long seed)
    {
        this.keyBase = keyBase;
        this.objectIdKeys = objectIdKeys;
        this.keySpace = Math.max(1, keySpace);
        this.stringBytes = Math.max(1, stringBytes);
        this.random = new SplittableRandom(seed);
    }

    /** @return the schema changeset (AddTable and AddColumn; identical on every client, so merges keep one). */
    public Changeset schema()
    {
        final ChangesetBuilder b = new ChangesetBuilder();
        b.addTable(CLASS, Instr.TABLE_TOP_LEVEL, "_id", objectIdKeys ? Instr.TYPE_OBJECT_ID : Instr.TYPE_INT, false);
        b.addColumn(CLASS, "name", Instr.TYPE_STRING, false, Instr.COLLECTION_SINGLE, null, 0);
        b.addColumn(CLASS, "count", Instr.TYPE_INT, false, Instr.COLLECTION_SINGLE, null, 0);
        b.addColumn(CLASS, "score", Instr.TYPE_DOUBLE, false, Instr.COLLECTION_SINGLE, null, 0);
        b.addColumn(CLASS, "tags", Instr.TYPE_STRING, false, Instr.COLLECTION_LIST, null, 0);
        return b.changeset();
    }

    /**
     * @param state the writer's current local state (read only, to pick valid operations).
     * @param ops   operations in the transaction.
     * @return a write transaction of about {@code ops} operations that applies to {@code state}.
     */
    public Changeset transaction(final ObjectState state, final int ops)
    {
        final ChangesetBuilder b = new ChangesetBuilder();
        // The builder does not apply: track objects created or erased within this transaction.
        final java.util.HashMap<Value, Integer> local = new java.util.HashMap<>();
        for (int i = 0; i < ops; i++)
        {
            final Value key = key(keyBase + random.nextInt(keySpace));
            final Integer known = local.get(key);
            final ObjectData existing = state.table(CLASS) == null ? null : state.object(CLASS, key);
            final boolean exists = known != null ? known >= 0 : existing != null;
            int listSize = known != null ? Math.max(0, known) : existing == null ? 0 : listSize(existing);
            final int dice = random.nextInt(100);
            if (!exists)
            {
                b.createObject(CLASS, key);
                b.update(CLASS, key, "name", NO_PATH, Instr.TYPE_STRING, new Value.Str(text()), false, -1);
                b.update(CLASS, key, "count", NO_PATH, Instr.TYPE_INT, new Value.Int(random.nextInt(1000)), false, -1);
                local.put(key, 0);
            }
            else if (dice < 35)
            {
                b.update(CLASS, key, "name", NO_PATH, Instr.TYPE_STRING, new Value.Str(text()), false, -1);
                local.putIfAbsent(key, listSize);
            }
            else if (dice < 55)
            {
                b.addInteger(CLASS, key, "count", NO_PATH, 1 + random.nextInt(10));
                local.putIfAbsent(key, listSize);
            }
            else if (dice < 70)
            {
                b.update(CLASS, key, "score", NO_PATH, Instr.TYPE_DOUBLE, Value.DoubleValue.of(random.nextDouble()),
                    false, -1);
                local.putIfAbsent(key, listSize);
            }
            else if (dice < 92)
            {
                final int at = random.nextInt(listSize + 1);
                b.arrayInsert(CLASS, key, "tags", new Object[] {(long)at}, Instr.TYPE_STRING, new Value.Str(text()),
                    listSize);
                local.put(key, listSize + 1);
            }
            else
            {
                b.eraseObject(CLASS, key);
                local.put(key, -1);
            }
        }
        return b.changeset();
    }

    private static int listSize(final ObjectData object)
    {
        final Value v = object.fields().get("tags");
        return v instanceof Value.ListValue l ? l.items().size() : 0;
    }

    private Value key(final int k)
    {
        if (!objectIdKeys)
        {
            return new Value.Int(k);
        }
        final byte[] id = new byte[12];
        id[0] = 0x65;
        for (int i = 0; i < 4; i++)
        {
            id[11 - i] = (byte)(k >>> (8 * i));
        }
        return new Value.ObjectIdValue(id);
    }

    private String text()
    {
        final char[] c = new char[stringBytes];
        for (int i = 0; i < c.length; i++)
        {
            c[i] = (char)('a' + random.nextInt(26));
        }
        return new String(c);
    }
}
