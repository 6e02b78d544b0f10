package dev.outpost.ot.state;

import dev.outpost.codec.changeset.Instr;
import dev.outpost.ot.model.Changeset;
import dev.outpost.ot.model.Instruction;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Property test of the checkpoint encoding: after random changesets of every instruction kind over every value type
 * (primitives, links, embedded objects, lists, sets, dictionaries, Mixed with nested collections, every key type),
 * the decoded state equals the original (dump, equals, re-encoded bytes), and both states then take the same
 * further changesets with the same results.
 */
class StateCodecTest
{
    private static final Object[] NO_PATH = new Object[0];
    private static final int KEYS = 12;

    @Test
    void shouldRoundTripRandomStatesAndStayEquivalentUnderFurtherChangesets() throws Exception
    {
        final TreeSet<Integer> kindsApplied = new TreeSet<>();
        for (int seed = 1; seed <= 40; seed++)
        {
            final Random random = new Random(seed);
            final ObjectState state = new ObjectState();
            final ChangesetApplier applier = new ChangesetApplier(state);
            assertThat(applier.apply(schema()).ok()).isTrue();
            for (int step = 1; step <= 400; step++)
            {
                final Changeset cs = randomChangeset(random, state);
                if (applier.apply(cs).ok())
                {
                    for (final Instruction i : cs.instructions())
                    {
                        kindsApplied.add(i.type());
                    }
                }
                if (step % 100 == 0)
                {
                    assertRoundTrip(state);
                }
            }
            // the decoded state is a working state: the same changesets give the same results on both
            final ObjectState decoded = roundTrip(state);
            final ChangesetApplier decodedApplier = new ChangesetApplier(decoded);
            for (int step = 0; step < 200; step++)
            {
                final Changeset cs = randomChangeset(random, state);
                final boolean ok = applier.apply(cs).ok();
                assertThat(decodedApplier.apply(cs).ok()).as("seed %d step %d", seed, step).isEqualTo(ok);
            }
            assertThat(decoded.dump()).isEqualTo(state.dump());
            assertThat(decoded).isEqualTo(state);
        }
        // every instruction kind the state applies took part
        assertThat(kindsApplied).contains(Instr.ADD_TABLE, Instr.ERASE_TABLE, Instr.ADD_COLUMN, Instr.ERASE_COLUMN,
            Instr.CREATE_OBJECT, Instr.ERASE_OBJECT, Instr.UPDATE, Instr.ADD_INTEGER, Instr.ARRAY_INSERT,
            Instr.ARRAY_MOVE, Instr.ARRAY_ERASE, Instr.CLEAR, Instr.SET_INSERT, Instr.SET_ERASE);
    }

    @Test
    void shouldEncodeTheEmptyStateAndShareEqualStringValues() throws Exception
    {
        assertRoundTrip(new ObjectState());
        final ObjectState state = new ObjectState();
        final ChangesetApplier applier = new ChangesetApplier(state);
        final ChangesetBuilder b = new ChangesetBuilder();
        b.addTable("T", Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_INT, false);
        b.addColumn("T", "s", Instr.TYPE_STRING, false, Instr.COLLECTION_SINGLE, null, 0);
        for (int k = 0; k < 3; k++)
        {
            b.createObject("T", new Value.Int(k));
            b.update("T", new Value.Int(k), "s", NO_PATH, Instr.TYPE_STRING, new Value.Str("same"), false, -1);
        }
        assertThat(applier.apply(b.changeset()).ok()).isTrue();
        final ObjectState decoded = roundTrip(state);
        assertThat(decoded.object("T", new Value.Int(0)).get("s"))
            .isEqualTo(decoded.object("T", new Value.Int(2)).get("s"));
        // the checkpoint holds the string once (objects in memory are compact records: values are decoded on access)
        final StateCodec.Output out = new StateCodec.Output(256);
        StateCodec.encode(state, out);
        final String text = new String(out.array(), 0, out.size(), java.nio.charset.StandardCharsets.ISO_8859_1);
        assertThat(text.indexOf("same")).isNotNegative().isEqualTo(text.lastIndexOf("same"));
    }

    @Test
    void shouldRefuseEveryTruncationAndABadTag() throws Exception
    {
        final ObjectState state = new ObjectState();
        final ChangesetApplier applier = new ChangesetApplier(state);
        applier.apply(schema());
        final Random random = new Random(7);
        for (int i = 0; i < 200; i++)
        {
            applier.apply(randomChangeset(random, state));
        }
        final StateCodec.Output out = new StateCodec.Output(1024);
        StateCodec.encode(state, out);
        final byte[] bytes = Arrays.copyOf(out.array(), out.size());
        for (int n = 0; n < bytes.length; n += Math.max(1, bytes.length / 300))
        {
            final int length = n;
            assertThatThrownBy(() -> StateCodec.decode(new StateCodec.Input(bytes, 0, length)))
                .isInstanceOf(StateCodec.Malformed.class);
        }
        final byte[] bad = bytes.clone();
        bad[0] = (byte)0xFF; // a class count far beyond the input
        assertThatThrownBy(() -> StateCodec.decode(new StateCodec.Input(bad, 0, bad.length)))
            .isInstanceOf(StateCodec.Malformed.class);
    }

    private static ObjectState roundTrip(final ObjectState state) throws StateCodec.Malformed
    {
        final StateCodec.Output out = new StateCodec.Output(16);
        StateCodec.encode(state, out);
        final StateCodec.Input in = new StateCodec.Input(out.array(), 0, out.size());
        final ObjectState decoded = StateCodec.decode(in);
        assertThat(in.position()).isEqualTo(out.size());
        return decoded;
    }

    private static void assertRoundTrip(final ObjectState state) throws StateCodec.Malformed
    {
        final ObjectState decoded = roundTrip(state);
        assertThat(decoded.dump()).isEqualTo(state.dump());
        assertThat(decoded).isEqualTo(state);
        final StateCodec.Output a = new StateCodec.Output(16);
        final StateCodec.Output b = new StateCodec.Output(16);
        StateCodec.encode(state, a);
        StateCodec.encode(decoded, b);
        assertThat(Arrays.copyOf(b.array(), b.size())).isEqualTo(Arrays.copyOf(a.array(), a.size()));
    }

    // ------------------------------------------------------------------------------------------------ workload

    static Changeset schema()
    {
        final ChangesetBuilder b = new ChangesetBuilder();
        b.addTable("Item", Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_OBJECT_ID, false);
        b.addTable("ByString", Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_STRING, false);
        b.addTable("ByUuid", Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_UUID, false);
        b.addTable("ByNullableInt", Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_INT, true);
        b.addTable("Events", Instr.TABLE_TOP_LEVEL_ASYMMETRIC, "_id", Instr.TYPE_INT, false);
        b.addTable("Sub", Instr.TABLE_EMBEDDED, null, 0, false);
        b.addColumn("Sub", "x", Instr.TYPE_INT, true, Instr.COLLECTION_SINGLE, null, 0);
        b.addColumn("Sub", "tags", Instr.TYPE_STRING, false, Instr.COLLECTION_SET, null, 0);
        b.addColumn("Item", "i", Instr.TYPE_INT, false, Instr.COLLECTION_SINGLE, null, 0);
        b.addColumn("Item", "b", Instr.TYPE_BOOL, false, Instr.COLLECTION_SINGLE, null, 0);
        b.addColumn("Item", "s", Instr.TYPE_STRING, true, Instr.COLLECTION_SINGLE, null, 0);
        b.addColumn("Item", "bin", Instr.TYPE_BINARY, false, Instr.COLLECTION_SINGLE, null, 0);
        b.addColumn("Item", "ts", Instr.TYPE_TIMESTAMP, false, Instr.COLLECTION_SINGLE, null, 0);
        b.addColumn("Item", "f", Instr.TYPE_FLOAT, false, Instr.COLLECTION_SINGLE, null, 0);
        b.addColumn("Item", "d", Instr.TYPE_DOUBLE, false, Instr.COLLECTION_SINGLE, null, 0);
        b.addColumn("Item", "dec", Instr.TYPE_DECIMAL, false, Instr.COLLECTION_SINGLE, null, 0);
        b.addColumn("Item", "oid", Instr.TYPE_OBJECT_ID, true, Instr.COLLECTION_SINGLE, null, 0);
        b.addColumn("Item", "uuid", Instr.TYPE_UUID, true, Instr.COLLECTION_SINGLE, null, 0);
        b.addColumn("Item", "m", Instr.TYPE_NULL, true, Instr.COLLECTION_SINGLE, null, 0);
        b.addColumn("Item", "list", Instr.TYPE_INT, false, Instr.COLLECTION_LIST, null, 0);
        b.addColumn("Item", "set", Instr.TYPE_STRING, false, Instr.COLLECTION_SET, null, 0);
        b.addColumn("Item", "mset", Instr.TYPE_NULL, true, Instr.COLLECTION_SET, null, 0);
        b.addColumn("Item", "dict", Instr.TYPE_DOUBLE, true, Instr.COLLECTION_DICTIONARY, null, Instr.TYPE_STRING);
        b.addColumn("Item", "emb", Instr.TYPE_LINK, true, Instr.COLLECTION_SINGLE, "Sub", 0);
        b.addColumn("Item", "subs", Instr.TYPE_LINK, false, Instr.COLLECTION_LIST, "Sub", 0);
        b.addColumn("Item", "link", Instr.TYPE_LINK, true, Instr.COLLECTION_SINGLE, "ByString", 0);
        b.addColumn("Item", "links", Instr.TYPE_LINK, false, Instr.COLLECTION_LIST, "ByUuid", 0);
        b.addColumn("ByString", "n", Instr.TYPE_INT, true, Instr.COLLECTION_SINGLE, null, 0);
        b.addColumn("ByUuid", "n", Instr.TYPE_INT, true, Instr.COLLECTION_SINGLE, null, 0);
        b.addColumn("ByNullableInt", "n", Instr.TYPE_INT, true, Instr.COLLECTION_SINGLE, null, 0);
        b.addColumn("Events", "n", Instr.TYPE_INT, true, Instr.COLLECTION_SINGLE, null, 0);
        return b.changeset();
    }

    private static Value oid(final int k)
    {
        final byte[] b = new byte[12];
        b[11] = (byte)k;
        b[0] = (byte)0x65;
        return new Value.ObjectIdValue(b);
    }

    private static Value uuid(final int k)
    {
        final byte[] b = new byte[16];
        b[15] = (byte)k;
        return new Value.UuidValue(b);
    }

    private static int sizeOf(final ObjectData o, final String field)
    {
        final Value v = o == null ? null : o.get(field);
        return v instanceof Value.ListValue l ? l.items().size() : 0;
    }

    /** One to three random operations; some may not apply (then the whole changeset is rolled back). */
    static Changeset randomChangeset(final Random random, final ObjectState s)
    {
        final ChangesetBuilder b = new ChangesetBuilder();
        final int ops = 1 + random.nextInt(3);
        for (int i = 0; i < ops; i++)
        {
            randomOp(random, s, b);
        }
        return b.changeset();
    }

    private static void randomOp(final Random random, final ObjectState s, final ChangesetBuilder b)
    {
        final Value key = oid(random.nextInt(KEYS));
        final ObjectData o = s.object("Item", key);
        if (o == null)
        {
            b.createObject("Item", key);
            return;
        }
        switch (random.nextInt(34))
        {
            case 0 -> b.eraseObject("Item", key);
            case 1 -> b.update("Item", key, "i", NO_PATH, Instr.TYPE_INT, new Value.Int(random.nextLong()), false, -1);
            case 2 -> b.addInteger("Item", key, "i", NO_PATH, random.nextInt(100) - 50);
            case 3 -> b.update("Item", key, "b", NO_PATH, Instr.TYPE_BOOL, new Value.Bool(random.nextBoolean()),
                false, -1);
            case 4 -> b.update("Item", key, "s", NO_PATH, random.nextInt(4) == 0 ? Instr.TYPE_NULL : Instr.TYPE_STRING,
                new Value.Str("s\u00e9\"" + random.nextInt(6)), false, -1);
            case 5 ->
            {
                final byte[] bytes = new byte[random.nextInt(5)];
                random.nextBytes(bytes);
                b.update("Item", key, "bin", NO_PATH, Instr.TYPE_BINARY, new Value.Bin(bytes), false, -1);
            }
            case 6 -> b.update("Item", key, "ts", NO_PATH, Instr.TYPE_TIMESTAMP,
                new Value.Timestamp(random.nextInt() - 1_000_000_000L * 3, random.nextInt(1_000_000_000)), false,
                -1);
            case 7 -> b.update("Item", key, "f", NO_PATH, Instr.TYPE_FLOAT,
                Value.FloatValue.of(random.nextInt(3) == 0 ? Float.NaN : random.nextFloat() - 0.5f), false, -1);
            case 8 -> b.update("Item", key, "d", NO_PATH, Instr.TYPE_DOUBLE,
                Value.DoubleValue.of(random.nextInt(3) == 0 ? -0.0 : random.nextGaussian()), false, -1);
            case 9 -> b.update("Item", key, "dec", NO_PATH, Instr.TYPE_DECIMAL,
                new Value.Decimal(random.nextLong(), random.nextInt(1 << 20), random.nextInt(200) - 100,
                    random.nextBoolean()), false, -1);
            case 10 -> b.update("Item", key, "oid", NO_PATH, Instr.TYPE_OBJECT_ID, oid(random.nextInt(200)), false,
                -1);
            case 11 -> b.update("Item", key, "uuid", NO_PATH, Instr.TYPE_UUID, uuid(random.nextInt(200)), false, -1);
            case 12 ->
            {
                final int size = sizeOf(o, "list");
                b.arrayInsert("Item", key, "list", new Object[] {(long)random.nextInt(size + 1)}, Instr.TYPE_INT,
                    new Value.Int(random.nextInt(1000)), size);
            }
            case 13 ->
            {
                final int size = sizeOf(o, "list");
                b.arrayErase("Item", key, "list", new Object[] {(long)random.nextInt(Math.max(1, size))}, size);
            }
            case 14 ->
            {
                final int size = sizeOf(o, "list");
                b.arrayMove("Item", key, "list", new Object[] {(long)random.nextInt(Math.max(1, size))},
                    random.nextInt(Math.max(1, size)), size);
            }
            case 15 -> b.clear("Item", key, "list", NO_PATH, Instr.COLLECTION_LIST);
            case 16 -> b.setInsert("Item", key, "set", NO_PATH, Instr.TYPE_STRING, new Value.Str("t" + random.nextInt(5)));
            case 17 -> b.setErase("Item", key, "set", NO_PATH, Instr.TYPE_STRING, new Value.Str("t" + random.nextInt(5)));
            case 18 -> b.setInsert("Item", key, "mset", NO_PATH, random.nextBoolean() ? Instr.TYPE_INT : Instr.TYPE_LINK,
                random.nextBoolean() ? new Value.Int(random.nextInt(4))
                    : new Value.Link("ByString", new Value.Str("k" + random.nextInt(3))));
            case 19 -> b.update("Item", key, "dict", new Object[] {"k" + random.nextInt(4)},
                random.nextInt(3) == 0 ? Instr.TYPE_ERASED : Instr.TYPE_DOUBLE,
                Value.DoubleValue.of(random.nextInt(9)), false, -1);
            case 20 -> b.update("Item", key, "emb", NO_PATH, random.nextInt(4) == 0 ? Instr.TYPE_NULL
                : Instr.TYPE_OBJECT_VALUE, null, false, -1);
            case 21 -> b.update("Item", key, "emb", new Object[] {"x"}, Instr.TYPE_INT,
                new Value.Int(random.nextInt(20)), false, -1);
            case 22 -> b.setInsert("Item", key, "emb", new Object[] {"tags"}, Instr.TYPE_STRING,
                new Value.Str("e" + random.nextInt(3)));
            case 23 ->
            {
                final int size = sizeOf(o, "subs");
                if (size > 0 && random.nextBoolean())
                {
                    b.update("Item", key, "subs", new Object[] {(long)random.nextInt(size), "x"}, Instr.TYPE_INT,
                        new Value.Int(random.nextInt(20)), false, -1);
                }
                else
                {
                    b.arrayInsert("Item", key, "subs", new Object[] {(long)random.nextInt(size + 1)},
                        Instr.TYPE_OBJECT_VALUE, null, size);
                }
            }
            case 24 -> b.update("Item", key, "link", NO_PATH, Instr.TYPE_LINK,
                new Value.Link("ByString", new Value.Str("k" + random.nextInt(4))), false, -1);
            case 25 ->
            {
                final int size = sizeOf(o, "links");
                b.arrayInsert("Item", key, "links", new Object[] {(long)random.nextInt(size + 1)}, Instr.TYPE_LINK,
                    new Value.Link("ByUuid", uuid(random.nextInt(4))), size);
            }
            case 26 ->
            {
                // Mixed: a primitive, a typed link, or a nested list / dictionary
                final int what = random.nextInt(5);
                switch (what)
                {
                    case 0 -> b.update("Item", key, "m", NO_PATH, Instr.TYPE_STRING, new Value.Str("m"), false, -1);
                    case 1 -> b.update("Item", key, "m", NO_PATH, Instr.TYPE_LINK,
                        new Value.Link("ByNullableInt", new Value.Int(random.nextInt(3))), false, -1);
                    case 2 -> b.update("Item", key, "m", NO_PATH, Instr.TYPE_LIST, null, false, -1);
                    case 3 -> b.update("Item", key, "m", NO_PATH, Instr.TYPE_DICTIONARY, null, false, -1);
                    default -> b.update("Item", key, "m", NO_PATH, Instr.TYPE_NULL, null, false, -1);
                }
            }
            case 27 ->
            {
                final Value m = o.get("m");
                if (m instanceof Value.ListValue l)
                {
                    final int size = l.items().size();
                    b.arrayInsert("Item", key, "m", new Object[] {(long)random.nextInt(size + 1)},
                        random.nextBoolean() ? Instr.TYPE_DICTIONARY : Instr.TYPE_INT, new Value.Int(5), size);
                }
                else
                {
                    b.update("Item", key, "m", new Object[] {"n" + random.nextInt(3)},
                        random.nextBoolean() ? Instr.TYPE_LIST : Instr.TYPE_BOOL, Value.Bool.TRUE, false, -1);
                }
            }
            case 28 ->
            {
                final Value k = new Value.Str("k" + random.nextInt(4));
                b.createObject("ByString", k);
                b.update("ByString", k, "n", NO_PATH, Instr.TYPE_INT, new Value.Int(random.nextInt(9)), false, -1);
            }
            case 29 ->
            {
                b.createObject("ByUuid", uuid(random.nextInt(4)));
                b.createObject("ByNullableInt", random.nextBoolean() ? Value.Null.INSTANCE
                    : new Value.Int(random.nextInt(3)));
                b.createObject("Events", new Value.Int(random.nextInt(3)));
            }
            case 30 -> b.eraseObject("ByString", new Value.Str("k" + random.nextInt(4)));
            case 31 ->
            {
                final String column = "extra" + random.nextInt(2);
                if (s.table("Item").column(column) != null)
                {
                    b.eraseColumn("Item", column);
                }
                else
                {
                    b.addColumn("Item", column, Instr.TYPE_STRING, true, Instr.COLLECTION_LIST, null, 0);
                }
            }
            case 32 ->
            {
                if (s.table("Extra") != null)
                {
                    b.eraseTable("Extra");
                }
                else
                {
                    b.addTable("Extra", Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_INT, false);
                    b.addColumn("Extra", "v", Instr.TYPE_NULL, true, Instr.COLLECTION_DICTIONARY, null,
                        Instr.TYPE_STRING);
                    b.createObject("Extra", new Value.Int(1));
                    b.update("Extra", new Value.Int(1), "v", new Object[] {"a"}, Instr.TYPE_STRING,
                        new Value.Str("x"), false, -1);
                }
            }
            default -> b.update("Item", key, "i", NO_PATH, Instr.TYPE_INT, new Value.Int(random.nextInt(3)),
                random.nextBoolean(), -1);
        }
    }
}
