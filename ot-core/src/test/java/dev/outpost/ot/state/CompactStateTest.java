package dev.outpost.ot.state;

import dev.outpost.codec.changeset.Instr;
import dev.outpost.ot.model.Changeset;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The compact representation (objects of primitives and links as records, see {@link CompactRecord}) against the
 * tree-of-values representation ({@code new ObjectState(false)}): the same random changesets (every instruction
 * kind, failing ones rolled back, objects turning from compact to trees and back by undo) give equal results,
 * dumps, checkpoints ({@link StateCodec}), snapshots, copies and field reads.
 */
class CompactStateTest
{
    private static final Object[] NO_PATH = new Object[0];
    private static final int KEYS = 40;

    @Test
    void shouldBehaveAsTheTreeRepresentationUnderRandomChangesetsOfFlatObjects() throws Exception
    {
        int compactObjects = 0;
        int treeObjects = 0;
        for (int seed = 1; seed <= 30; seed++)
        {
            final Random random = new Random(seed);
            final ObjectState compact = new ObjectState();
            final ObjectState tree = new ObjectState(false);
            final ChangesetApplier a = new ChangesetApplier(compact);
            final ChangesetApplier b = new ChangesetApplier(tree);
            assertThat(a.apply(flatSchema()).ok()).isTrue();
            assertThat(b.apply(flatSchema()).ok()).isTrue();
            for (int step = 1; step <= 500; step++)
            {
                final Changeset cs = randomFlatChangeset(random, tree);
                assertThat(a.apply(cs)).as("seed %d step %d", seed, step).isEqualTo(b.apply(cs));
                assertSameReads(random, compact, tree);
                if (step % 50 == 0)
                {
                    assertEquivalent(compact, tree);
                }
            }
            for (final ObjectData o : compact.table("Flat").objects().values())
            {
                if (o.isView())
                {
                    compactObjects++;
                }
                else
                {
                    treeObjects++;
                }
            }
        }
        // both representations took part (a list column or a nested collection makes an object a tree)
        assertThat(compactObjects).isPositive();
        assertThat(treeObjects).isPositive();
    }

    @Test
    void shouldBehaveAsTheTreeRepresentationUnderTheCheckpointTestsWorkload() throws Exception
    {
        for (int seed = 1; seed <= 20; seed++)
        {
            final Random random = new Random(seed);
            final ObjectState compact = new ObjectState();
            final ObjectState tree = new ObjectState(false);
            final ChangesetApplier a = new ChangesetApplier(compact);
            final ChangesetApplier b = new ChangesetApplier(tree);
            assertThat(a.apply(StateCodecTest.schema()).ok()).isTrue();
            assertThat(b.apply(StateCodecTest.schema()).ok()).isTrue();
            for (int step = 1; step <= 300; step++)
            {
                final Changeset cs = StateCodecTest.randomChangeset(random, tree);
                assertThat(a.apply(cs)).as("seed %d step %d", seed, step).isEqualTo(b.apply(cs));
                if (step % 50 == 0)
                {
                    assertEquivalent(compact, tree);
                }
            }
        }
    }

    @Test
    void shouldRoundTripEveryStringThroughARecord()
    {
        final TableData t = new TableData("T", TableType.TOP_LEVEL, "_id", Instr.TYPE_STRING, false);
        final String[] strings = {"", "plain", "caf\u00e9 \u00ff", "\u20ac uro", "\ud83d\ude00 pair", "lone \ud800",
            "lone \udfff end", "nul\u0000"};
        for (final String s : strings)
        {
            final Value key = new Value.Str(s);
            final ObjectData o = new ObjectData("T");
            o.fields().put("_id", key);
            o.fields().put("v", new Value.Str(s + s));
            o.fields().put("l", new Value.Link("T\u00e9\u20ac", key));
            t.putObject(key, o);
        }
        for (final String s : strings)
        {
            final ObjectData o = t.object(new Value.Str(s));
            assertThat(o.isView()).isTrue();
            assertThat(o.get("v")).isEqualTo(new Value.Str(s + s));
            assertThat(o.get("l")).isEqualTo(new Value.Link("T\u00e9\u20ac", new Value.Str(s)));
            assertThat(o.get("_id")).isEqualTo(new Value.Str(s));
        }
        assertThat(t.objects().keySet()).containsExactlyElementsOf(
            Arrays.stream(strings).sorted().map(Value.Str::new).toList());
    }

    @Test
    void shouldKeepAnObjectWhoseKeyFieldDiffersFromItsKeyExactly()
    {
        // only a crafted checkpoint can hold this; the object must read back as stored, not with the key
        final TableData t = new TableData("T", TableType.TOP_LEVEL, "_id", Instr.TYPE_INT, false);
        final ObjectData o = new ObjectData("T");
        o.fields().put("_id", new Value.Int(2));
        o.fields().put("n", new Value.Int(5));
        t.putObject(new Value.Int(1), o);
        assertThat(t.object(new Value.Int(1)).get("_id")).isEqualTo(new Value.Int(2));
        assertThat(t.object(new Value.Int(1)).fields()).isEqualTo(o.fields());
    }

    // ------------------------------------------------------------------------------------------------ checks

    private static void assertEquivalent(final ObjectState compact, final ObjectState tree) throws Exception
    {
        assertThat(compact.dump()).isEqualTo(tree.dump());
        assertThat(compact).isEqualTo(tree);
        assertThat(tree).isEqualTo(compact);
        assertThat(bytes(compact)).isEqualTo(bytes(tree));
        assertThat(Snapshot.of(compact)).isEqualTo(Snapshot.of(tree));
        final ObjectState copy = compact.copy();
        assertThat(copy.dump()).isEqualTo(tree.dump());
        final ObjectState decoded = StateCodec.decode(new StateCodec.Input(bytes(compact), 0, bytes(compact).length));
        assertThat(decoded.dump()).isEqualTo(tree.dump());
        for (final Map.Entry<String, TableData> e : tree.tables().entrySet())
        {
            final TableData c = compact.table(e.getKey());
            assertThat(c.objectCount()).isEqualTo(e.getValue().objects().size());
            for (final Map.Entry<Value, ObjectData> o : e.getValue().objects().entrySet())
            {
                assertThat(c.object(o.getKey())).isEqualTo(o.getValue());
                assertThat(c.objects().get(o.getKey()).fields()).isEqualTo(o.getValue().fields());
            }
        }
    }

    private static void assertSameReads(final Random random, final ObjectState compact, final ObjectState tree)
    {
        final Value key = oid(random.nextInt(KEYS));
        final ObjectData c = compact.object("Flat", key);
        final ObjectData t = tree.object("Flat", key);
        assertThat(c == null).isEqualTo(t == null);
        if (t != null)
        {
            for (final String column : tree.table("Flat").columns().keySet())
            {
                assertThat(c.get(column)).as(column).isEqualTo(t.get(column));
            }
            assertThat(c.get("no such column")).isNull();
            assertThat(c.copy()).isEqualTo(t);
            assertThat(c.hashCode()).isEqualTo(t.hashCode());
        }
    }

    private static byte[] bytes(final ObjectState state)
    {
        final StateCodec.Output out = new StateCodec.Output(64);
        StateCodec.encode(state, out);
        return Arrays.copyOf(out.array(), out.size());
    }

    // ------------------------------------------------------------------------------------------------ workload

    private static Changeset flatSchema()
    {
        final ChangesetBuilder b = new ChangesetBuilder();
        b.addTable("Flat", Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_OBJECT_ID, false);
        b.addTable("ByString", Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_STRING, false);
        b.addTable("ByNullableInt", Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_INT, true);
        b.addTable("Sub", Instr.TABLE_EMBEDDED, null, 0, false);
        b.addColumn("Sub", "x", Instr.TYPE_INT, true, Instr.COLLECTION_SINGLE, null, 0);
        b.addColumn("Flat", "i", Instr.TYPE_INT, false, Instr.COLLECTION_SINGLE, null, 0);
        b.addColumn("Flat", "b", Instr.TYPE_BOOL, false, Instr.COLLECTION_SINGLE, null, 0);
        b.addColumn("Flat", "s", Instr.TYPE_STRING, true, Instr.COLLECTION_SINGLE, null, 0);
        b.addColumn("Flat", "bin", Instr.TYPE_BINARY, false, Instr.COLLECTION_SINGLE, null, 0);
        b.addColumn("Flat", "ts", Instr.TYPE_TIMESTAMP, false, Instr.COLLECTION_SINGLE, null, 0);
        b.addColumn("Flat", "f", Instr.TYPE_FLOAT, false, Instr.COLLECTION_SINGLE, null, 0);
        b.addColumn("Flat", "d", Instr.TYPE_DOUBLE, false, Instr.COLLECTION_SINGLE, null, 0);
        b.addColumn("Flat", "dec", Instr.TYPE_DECIMAL, false, Instr.COLLECTION_SINGLE, null, 0);
        b.addColumn("Flat", "oid", Instr.TYPE_OBJECT_ID, true, Instr.COLLECTION_SINGLE, null, 0);
        b.addColumn("Flat", "uuid", Instr.TYPE_UUID, true, Instr.COLLECTION_SINGLE, null, 0);
        b.addColumn("Flat", "m", Instr.TYPE_NULL, true, Instr.COLLECTION_SINGLE, null, 0);
        b.addColumn("Flat", "emb", Instr.TYPE_LINK, true, Instr.COLLECTION_SINGLE, "Sub", 0);
        b.addColumn("Flat", "link", Instr.TYPE_LINK, true, Instr.COLLECTION_SINGLE, "ByString", 0);
        b.addColumn("ByString", "n", Instr.TYPE_INT, true, Instr.COLLECTION_SINGLE, null, 0);
        b.addColumn("ByNullableInt", "n", Instr.TYPE_INT, true, Instr.COLLECTION_SINGLE, null, 0);
        return b.changeset();
    }

    private static Value oid(final int k)
    {
        final byte[] b = new byte[12];
        b[11] = (byte)k;
        b[3] = (byte)(k * 37);
        b[0] = (byte)0x65;
        return new Value.ObjectIdValue(b);
    }

    private static Changeset randomFlatChangeset(final Random random, final ObjectState s)
    {
        final ChangesetBuilder b = new ChangesetBuilder();
        final int ops = 1 + random.nextInt(4);
        for (int i = 0; i < ops; i++)
        {
            randomFlatOp(random, s, b);
        }
        if (random.nextInt(8) == 0)
        {
            // a failing instruction last: the whole changeset rolls back on both
            b.update("Flat", oid(random.nextInt(KEYS)), "i", NO_PATH, Instr.TYPE_STRING, new Value.Str("x"), false,
                -1);
        }
        return b.changeset();
    }

    private static void randomFlatOp(final Random random, final ObjectState s, final ChangesetBuilder b)
    {
        final Value key = oid(random.nextInt(KEYS));
        if (s.object("Flat", key) == null || random.nextInt(20) == 0)
        {
            b.createObject("Flat", key);
            return;
        }
        switch (random.nextInt(24))
        {
            case 0 -> b.eraseObject("Flat", key);
            case 1 -> b.update("Flat", key, "i", NO_PATH, Instr.TYPE_INT, new Value.Int(random.nextLong() >> random
                .nextInt(64)), false, -1);
            case 2 -> b.addInteger("Flat", key, "i", NO_PATH, random.nextInt(100) - 50);
            case 3 -> b.update("Flat", key, "b", NO_PATH, Instr.TYPE_BOOL, new Value.Bool(random.nextBoolean()),
                false, -1);
            case 4 -> b.update("Flat", key, "s", NO_PATH, random.nextInt(4) == 0 ? Instr.TYPE_NULL : Instr.TYPE_STRING,
                new Value.Str(switch (random.nextInt(4))
                {
                    case 0 -> "";
                    case 1 -> "s\u00e9\"" + random.nextInt(6);
                    case 2 -> "\u20ac" + random.nextInt(6);
                    default -> "x".repeat(random.nextInt(300));
                }), false, -1);
            case 5 ->
            {
                final byte[] bytes = new byte[random.nextInt(200)];
                random.nextBytes(bytes);
                b.update("Flat", key, "bin", NO_PATH, Instr.TYPE_BINARY, new Value.Bin(bytes), false, -1);
            }
            case 6 -> b.update("Flat", key, "ts", NO_PATH, Instr.TYPE_TIMESTAMP,
                new Value.Timestamp(random.nextLong() >> random.nextInt(64), random.nextInt(1_000_000_000)), false,
                -1);
            case 7 -> b.update("Flat", key, "f", NO_PATH, Instr.TYPE_FLOAT,
                Value.FloatValue.of(random.nextInt(3) == 0 ? Float.NaN : random.nextFloat() - 0.5f), false, -1);
            case 8 -> b.update("Flat", key, "d", NO_PATH, Instr.TYPE_DOUBLE,
                Value.DoubleValue.of(random.nextInt(3) == 0 ? -0.0 : random.nextGaussian()), false, -1);
            case 9 -> b.update("Flat", key, "dec", NO_PATH, Instr.TYPE_DECIMAL,
                new Value.Decimal(random.nextLong(), random.nextLong(), random.nextInt(12000) - 6000,
                    random.nextBoolean()), false, -1);
            case 10 -> b.update("Flat", key, "oid", NO_PATH, random.nextInt(5) == 0 ? Instr.TYPE_NULL
                : Instr.TYPE_OBJECT_ID, oid(random.nextInt(200)), false, -1);
            case 11 ->
            {
                final byte[] u = new byte[16];
                random.nextBytes(u);
                b.update("Flat", key, "uuid", NO_PATH, Instr.TYPE_UUID, new Value.UuidValue(u), false, -1);
            }
            case 12 ->
            {
                // Mixed: primitives and typed links stay compact, a nested list or dictionary makes a tree
                switch (random.nextInt(6))
                {
                    case 0 -> b.update("Flat", key, "m", NO_PATH, Instr.TYPE_STRING, new Value.Str("m"), false, -1);
                    case 1 -> b.update("Flat", key, "m", NO_PATH, Instr.TYPE_LINK,
                        new Value.Link("ByNullableInt", random.nextBoolean() ? Value.Null.INSTANCE
                            : new Value.Int(random.nextInt(3))), false, -1);
                    case 2 -> b.update("Flat", key, "m", NO_PATH, Instr.TYPE_LIST, null, false, -1);
                    case 3 -> b.update("Flat", key, "m", NO_PATH, Instr.TYPE_DICTIONARY, null, false, -1);
                    case 4 -> b.update("Flat", key, "m", NO_PATH, Instr.TYPE_INT, new Value.Int(-7), false, -1);
                    default -> b.update("Flat", key, "m", NO_PATH, Instr.TYPE_NULL, null, false, -1);
                }
            }
            case 13 ->
            {
                final Value m = s.object("Flat", key).get("m");
                if (m instanceof Value.ListValue l)
                {
                    b.arrayInsert("Flat", key, "m", new Object[] {(long)random.nextInt(l.items().size() + 1)},
                        Instr.TYPE_INT, new Value.Int(5), l.items().size());
                }
                else
                {
                    b.update("Flat", key, "m", new Object[] {"n" + random.nextInt(3)}, Instr.TYPE_BOOL,
                        Value.Bool.TRUE, false, -1);
                }
            }
            case 14 -> b.update("Flat", key, "emb", NO_PATH, random.nextInt(3) == 0 ? Instr.TYPE_NULL
                : Instr.TYPE_OBJECT_VALUE, null, false, -1);
            case 15 -> b.update("Flat", key, "emb", new Object[] {"x"}, Instr.TYPE_INT,
                new Value.Int(random.nextInt(20)), false, -1);
            case 16 -> b.update("Flat", key, "link", NO_PATH, random.nextInt(4) == 0 ? Instr.TYPE_NULL
                : Instr.TYPE_LINK, new Value.Link("ByString", new Value.Str("k" + random.nextInt(4))), false, -1);
            case 17 ->
            {
                final Value k = new Value.Str("k" + random.nextInt(4));
                b.createObject("ByString", k);
                b.update("ByString", k, "n", NO_PATH, Instr.TYPE_INT, new Value.Int(random.nextInt(9)), false, -1);
            }
            case 18 -> b.eraseObject("ByString", new Value.Str("k" + random.nextInt(4)));
            case 19 -> b.createObject("ByNullableInt", random.nextBoolean() ? Value.Null.INSTANCE
                : new Value.Int(random.nextInt(3) - 1));
            case 20 ->
            {
                // scalar columns keep objects compact; a list column turns every object into a tree
                final String column = "extra" + random.nextInt(3);
                if (s.table("Flat").column(column) != null)
                {
                    b.eraseColumn("Flat", column);
                }
                else
                {
                    b.addColumn("Flat", column, Instr.TYPE_STRING, true, column.equals("extra2")
                        ? Instr.COLLECTION_LIST : Instr.COLLECTION_SINGLE, null, 0);
                }
            }
            case 21 ->
            {
                final String column = "extra" + random.nextInt(2);
                if (s.table("Flat").column(column) != null)
                {
                    b.update("Flat", key, column, NO_PATH, Instr.TYPE_STRING, new Value.Str("e" + random.nextInt(3)),
                        false, -1);
                }
            }
            case 22 -> b.eraseObject("ByNullableInt", random.nextBoolean() ? Value.Null.INSTANCE
                : new Value.Int(random.nextInt(3) - 1));
            default -> b.update("Flat", key, "i", NO_PATH, Instr.TYPE_INT, new Value.Int(random.nextInt(3)),
                random.nextBoolean(), -1);
        }
    }
}
