package dev.outpost.server.mirror;

import dev.outpost.codec.changeset.Instr;
import dev.outpost.ot.model.ChangesetWriter;
import dev.outpost.ot.state.ChangesetBuilder;
import dev.outpost.ot.state.Value;

import java.util.Map;

/** Test support: a class {@code Item} with a property of every Realm type, and one object holding a value of each. */
public final class EveryType
{
    /** The object's key (an ObjectId). */
    public static final Value K1 = new Value.ObjectIdValue(new byte[]{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});

    /** Column types PostgreSQL reports (information_schema data_type) for the properties of {@code Item}. */
    public static final Map<String, String> COLUMN_TYPES = Map.ofEntries(
        Map.entry("_id", "text"), Map.entry("i", "bigint"), Map.entry("b", "boolean"), Map.entry("s", "text"),
        Map.entry("bin", "bytea"), Map.entry("ts", "timestamp with time zone"), Map.entry("f", "real"),
        Map.entry("d", "double precision"), Map.entry("dec", "numeric"), Map.entry("oid", "text"),
        Map.entry("u", "uuid"), Map.entry("any", "jsonb"), Map.entry("other", "bigint"),
        Map.entry("others", "jsonb"), Map.entry("addr", "jsonb"), Map.entry("scores", "jsonb"),
        Map.entry("tags", "jsonb"), Map.entry("attrs", "jsonb"), Map.entry("nested", "jsonb"));

    private EveryType()
    {
    }

    /** AddTable/AddColumn of {@code Other} (int key), embedded {@code Address} and {@code Item}. */
    public static void schema(final ChangesetBuilder b)
    {
        b.addTable("Other", Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_INT, false);
        b.addTable("Address", Instr.TABLE_EMBEDDED, null, 0, false);
        b.addColumn("Address", "city", Instr.TYPE_STRING, true, Instr.COLLECTION_SINGLE, null, 0);
        b.addTable("Item", Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_OBJECT_ID, false);
        b.addColumn("Item", "i", Instr.TYPE_INT, false, Instr.COLLECTION_SINGLE, null, 0);
        b.addColumn("Item", "b", Instr.TYPE_BOOL, false, Instr.COLLECTION_SINGLE, null, 0);
        b.addColumn("Item", "s", Instr.TYPE_STRING, true, Instr.COLLECTION_SINGLE, null, 0);
        b.addColumn("Item", "bin", Instr.TYPE_BINARY, true, Instr.COLLECTION_SINGLE, null, 0);
        b.addColumn("Item", "ts", Instr.TYPE_TIMESTAMP, true, Instr.COLLECTION_SINGLE, null, 0);
        b.addColumn("Item", "f", Instr.TYPE_FLOAT, false, Instr.COLLECTION_SINGLE, null, 0);
        b.addColumn("Item", "d", Instr.TYPE_DOUBLE, false, Instr.COLLECTION_SINGLE, null, 0);
        b.addColumn("Item", "dec", Instr.TYPE_DECIMAL, true, Instr.COLLECTION_SINGLE, null, 0);
        b.addColumn("Item", "oid", Instr.TYPE_OBJECT_ID, true, Instr.COLLECTION_SINGLE, null, 0);
        b.addColumn("Item", "u", Instr.TYPE_UUID, true, Instr.COLLECTION_SINGLE, null, 0);
        b.addColumn("Item", "any", Instr.TYPE_NULL, true, Instr.COLLECTION_SINGLE, null, 0);
        b.addColumn("Item", "other", Instr.TYPE_LINK, true, Instr.COLLECTION_SINGLE, "Other", 0);
        b.addColumn("Item", "others", Instr.TYPE_LINK, false, Instr.COLLECTION_LIST, "Other", 0);
        b.addColumn("Item", "addr", Instr.TYPE_LINK, true, Instr.COLLECTION_SINGLE, "Address", 0);
        b.addColumn("Item", "scores", Instr.TYPE_INT, false, Instr.COLLECTION_LIST, null, 0);
        b.addColumn("Item", "tags", Instr.TYPE_STRING, false, Instr.COLLECTION_SET, null, 0);
        b.addColumn("Item", "attrs", Instr.TYPE_NULL, true, Instr.COLLECTION_DICTIONARY, null, Instr.TYPE_STRING);
        b.addColumn("Item", "nested", Instr.TYPE_NULL, true, Instr.COLLECTION_SINGLE, null, 0);
    }

    /** @return the schema plus object {@link #K1} with a value in each property (see PgMirrorIT for the values). */
    public static byte[] changeset()
    {
        final Object[] none = new Object[0];
        final ChangesetBuilder b = new ChangesetBuilder();
        schema(b);
        b.createObject("Other", new Value.Int(7));
        b.createObject("Item", K1);
        b.update("Item", K1, "i", none, Instr.TYPE_INT, new Value.Int(-42), false, -1);
        b.update("Item", K1, "b", none, Instr.TYPE_BOOL, Value.Bool.TRUE, false, -1);
        b.update("Item", K1, "s", none, Instr.TYPE_STRING, new Value.Str("héllo"), false, -1);
        b.update("Item", K1, "bin", none, Instr.TYPE_BINARY, new Value.Bin(new byte[]{0, 1, (byte)255}), false, -1);
        b.update("Item", K1, "ts", none, Instr.TYPE_TIMESTAMP, new Value.Timestamp(1_700_000_000L, 123_456_000),
            false, -1);
        b.update("Item", K1, "f", none, Instr.TYPE_FLOAT, Value.FloatValue.of(1.5f), false, -1);
        b.update("Item", K1, "d", none, Instr.TYPE_DOUBLE, Value.DoubleValue.of(2.25), false, -1);
        b.update("Item", K1, "dec", none, Instr.TYPE_DECIMAL, new Value.Decimal(12345, 0, -2, true), false, -1);
        b.update("Item", K1, "oid", none, Instr.TYPE_OBJECT_ID, K1, false, -1);
        b.update("Item", K1, "u", none, Instr.TYPE_UUID, new Value.UuidValue(new byte[]{15, -113, -83, 91, -39, -53,
            70, -97, -95, 101, 112, -122, 119, 40, -107, 14}), false, -1);
        b.update("Item", K1, "any", none, Instr.TYPE_OBJECT_ID, K1, false, -1);
        b.update("Item", K1, "other", none, Instr.TYPE_LINK, new Value.Link("Other", new Value.Int(7)), false, -1);
        b.arrayInsert("Item", K1, "others", new Object[]{0L}, Instr.TYPE_LINK, new Value.Link("Other",
            new Value.Int(7)), 0);
        b.update("Item", K1, "addr", none, Instr.TYPE_OBJECT_VALUE, null, false, -1);
        b.update("Item", K1, "addr", new Object[]{"city"}, Instr.TYPE_STRING, new Value.Str("Oslo"), false, -1);
        b.arrayInsert("Item", K1, "scores", new Object[]{0L}, Instr.TYPE_INT, new Value.Int(3), 0);
        b.arrayInsert("Item", K1, "scores", new Object[]{1L}, Instr.TYPE_INT, new Value.Int(4), 1);
        b.setInsert("Item", K1, "tags", none, Instr.TYPE_STRING, new Value.Str("red"));
        b.update("Item", K1, "attrs", new Object[]{"k"}, Instr.TYPE_DOUBLE, Value.DoubleValue.of(Double.NaN), false,
            -1);
        b.update("Item", K1, "nested", none, Instr.TYPE_LIST, null, false, -1);
        b.arrayInsert("Item", K1, "nested", new Object[]{0L}, Instr.TYPE_DICTIONARY, null, 0);
        b.update("Item", K1, "nested", new Object[]{0L, "x"}, Instr.TYPE_BOOL, Value.Bool.FALSE, false, -1);
        return new ChangesetWriter().toBytes(b.changeset());
    }
}
