package dev.outpost.server.sync;

import dev.outpost.codec.changeset.Instr;
import dev.outpost.ot.model.ChangesetWriter;
import dev.outpost.ot.state.ChangesetBuilder;
import dev.outpost.ot.state.Value;

/** Changeset bytes for protocol tests, built with ot-core's builder and writer (realm's encoding). */
public final class Changesets
{
    private Changesets()
    {
    }

    /** AddTable {@code table} (int pk {@code _id}) and AddColumn {@code name} (string). */
    static byte[] schema(final String table)
    {
        final ChangesetBuilder b = new ChangesetBuilder();
        b.addTable(table, Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_INT, false);
        b.addColumn(table, "name", Instr.TYPE_STRING, false, Instr.COLLECTION_SINGLE, null, 0);
        return new ChangesetWriter().toBytes(b.changeset());
    }

    /** Schema of {@code table}, then objects {@code first .. first+count-1} with {@code name = prefix + key}. */
    public static byte[] objects(final String table, final long first, final int count, final String prefix)
    {
        {
            final ChangesetBuilder b = new ChangesetBuilder();
            b.addTable(table, Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_INT, false);
            b.addColumn(table, "name", Instr.TYPE_STRING, false, Instr.COLLECTION_SINGLE, null, 0);
            for (long k = first; k < first + count; k++)
            {
                b.createObject(table, new Value.Int(k));
                b.update(table, new Value.Int(k), "name", new Object[0], Instr.TYPE_STRING,
                    new Value.Str(prefix + k), false, -1);
            }
            return new ChangesetWriter().toBytes(b.changeset());
        }
    }

    /** Objects {@code first .. first+count-1} with {@code name = prefix + key}, without schema instructions. */
    static byte[] names(final String table, final long first, final int count, final String prefix)
    {
        final ChangesetBuilder b = new ChangesetBuilder();
        for (long k = first; k < first + count; k++)
        {
            b.createObject(table, new Value.Int(k));
            b.update(table, new Value.Int(k), "name", new Object[0], Instr.TYPE_STRING, new Value.Str(prefix + k),
                false, -1);
        }
        return new ChangesetWriter().toBytes(b.changeset());
    }

    /** {@code count} objects whose names are {@code nameBytes} random letters (incompressible-ish). */
    public static byte[] randomObjects(final String table, final long first, final int count, final int nameBytes)
    {
        final java.util.Random random = new java.util.Random(first);
        final ChangesetBuilder b = new ChangesetBuilder();
        b.addTable(table, Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_INT, false);
        b.addColumn(table, "name", Instr.TYPE_STRING, false, Instr.COLLECTION_SINGLE, null, 0);
        final char[] name = new char[nameBytes];
        for (long k = first; k < first + count; k++)
        {
            for (int i = 0; i < nameBytes; i++)
            {
                name[i] = (char)('a' + random.nextInt(26));
            }
            b.createObject(table, new Value.Int(k));
            b.update(table, new Value.Int(k), "name", new Object[0], Instr.TYPE_STRING,
                new Value.Str(new String(name)), false, -1);
        }
        return new ChangesetWriter().toBytes(b.changeset());
    }

    /** An update of an object of a table that does not exist: valid bytes, but it cannot be applied. */
    static byte[] unappliable()
    {
        {
            final ChangesetBuilder b = new ChangesetBuilder();
            b.update("Missing", new Value.Int(1), "name", new Object[0], Instr.TYPE_STRING, new Value.Str("x"), false,
                -1);
            return new ChangesetWriter().toBytes(b.changeset());
        }
    }
}
