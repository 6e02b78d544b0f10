package dev.outpost.server.mirror;

import dev.outpost.codec.changeset.Instr;
import dev.outpost.ot.model.ChangesetWriter;
import dev.outpost.ot.state.ChangesetBuilder;
import dev.outpost.ot.state.Value;
import dev.outpost.server.config.MirrorSettings;
import dev.outpost.server.metrics.ServerMetrics;
import dev.outpost.server.store.HistoryStore;
import dev.outpost.server.store.ServerFile;
import dev.outpost.server.store.StoreConfig;
import dev.outpost.server.store.StoreShard;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The mirror against a real PostgreSQL ({@link PostgresServer}), fed by changesets appended to a real history
 * store: every Realm type's column and value, list edits and deletes, schema changes (and destructive ones kept and
 * reported), PBS partitions as part of the key, resuming from the committed position after a restart of the mirror
 * and after PostgreSQL was down.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class PgMirrorIT
{
    private static final String FLX = "flx/app";
    private static PostgresServer pg;
    private static int schemas;

    @TempDir
    Path dir;

    private HistoryStore store;
    private String schema;
    private final List<PgMirror> mirrors = new ArrayList<>();

    @BeforeAll
    static void startPostgres() throws Exception
    {
        pg = PostgresServer.start();
    }

    @AfterAll
    static void stopPostgres()
    {
        if (null != pg)
        {
            pg.close();
        }
    }

    @BeforeEach
    void open() throws Exception
    {
        pg.ensureRunning();
        store = HistoryStore.open(new StoreConfig().dataDir(dir.resolve("sync")).shardCount(1));
        schema = "t" + (++schemas);
    }

    @AfterEach
    void close()
    {
        mirrors.forEach(PgMirror::close);
        store.close();
    }

    private PgMirror mirror(final String partitionKey, final String partitionType)
    {
        final PgMirror m = PgMirror.start("app", new MirrorSettings(pg.url(), schema), partitionKey, partitionType,
            store, new ServerMetrics());
        mirrors.add(m);
        return m;
    }

    private PgMirror mirrorInto(final String intoSchema)
    {
        final PgMirror m = PgMirror.start("app", new MirrorSettings(pg.url(), intoSchema), null, null, store,
            new ServerMetrics());
        mirrors.add(m);
        return m;
    }

    private long append(final String file, final Consumer<ChangesetBuilder> build)
    {
        final StoreShard shard = store.shardFor(file);
        final ServerFile f = shard.createServerFile(file);
        final ChangesetBuilder b = new ChangesetBuilder();
        build.accept(b);
        final byte[] bytes = new ChangesetWriter().toBytes(b.changeset());
        final long v = shard.append(f, 1, 0, 0, bytes.length, new UnsafeBuffer(bytes), 0, bytes.length);
        shard.publish();
        return v;
    }

    private static void awaitMirrored(final PgMirror m, final String file, final long version) throws Exception
    {
        while (m.mirroredVersion(file) < version)
        {
            Thread.sleep(10);
        }
    }

    private List<Map<String, Object>> rows(final String sql) throws Exception
    {
        try (Connection c = pg.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
            sql.replace("$s", "\"" + schema + "\"")))
        {
            final List<Map<String, Object>> out = new ArrayList<>();
            while (rs.next())
            {
                final Map<String, Object> row = new HashMap<>();
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++)
                {
                    row.put(rs.getMetaData().getColumnName(i), rs.getObject(i));
                }
                out.add(row);
            }
            return out;
        }
    }

    private Map<String, String> columnTypes(final String table) throws Exception
    {
        final Map<String, String> types = new HashMap<>();
        for (final Map<String, Object> r : rows("SELECT column_name, data_type FROM information_schema.columns " +
            "WHERE table_schema = '" + schema + "' AND table_name = '" + table + "'"))
        {
            types.put((String)r.get("column_name"), (String)r.get("data_type"));
        }
        return types;
    }

    private static final Value K1 = new Value.ObjectIdValue(new byte[]{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
    private static final Object[] NO_PATH = new Object[0];

    private static void schemaOfEveryType(final ChangesetBuilder b)
    {
        EveryType.schema(b);
    }

    @Test
    void shouldMirrorEveryRealmTypeIntoItsColumnType() throws Exception
    {
        final UUID uuid = UUID.fromString("0f8fad5b-d9cb-469f-a165-70867728950e");
        final java.nio.ByteBuffer ub = java.nio.ByteBuffer.allocate(16).putLong(uuid.getMostSignificantBits())
            .putLong(uuid.getLeastSignificantBits());
        final long v = append(FLX, b ->
        {
            schemaOfEveryType(b);
            b.createObject("Other", new Value.Int(7));
            b.createObject("Item", K1);
            b.update("Item", K1, "i", NO_PATH, Instr.TYPE_INT, new Value.Int(-42), false, -1);
            b.update("Item", K1, "b", NO_PATH, Instr.TYPE_BOOL, Value.Bool.TRUE, false, -1);
            b.update("Item", K1, "s", NO_PATH, Instr.TYPE_STRING, new Value.Str("héllo \"q\""), false, -1);
            b.update("Item", K1, "bin", NO_PATH, Instr.TYPE_BINARY, new Value.Bin(new byte[]{0, 1, (byte)255}),
                false, -1);
            b.update("Item", K1, "ts", NO_PATH, Instr.TYPE_TIMESTAMP, new Value.Timestamp(1_700_000_000L, 123_456_000),
                false, -1);
            b.update("Item", K1, "f", NO_PATH, Instr.TYPE_FLOAT, Value.FloatValue.of(1.5f), false, -1);
            b.update("Item", K1, "d", NO_PATH, Instr.TYPE_DOUBLE, Value.DoubleValue.of(2.25), false, -1);
            b.update("Item", K1, "dec", NO_PATH, Instr.TYPE_DECIMAL, new Value.Decimal(12345, 0, -2, true),
                false, -1);
            b.update("Item", K1, "oid", NO_PATH, Instr.TYPE_OBJECT_ID, K1, false, -1);
            b.update("Item", K1, "u", NO_PATH, Instr.TYPE_UUID, new Value.UuidValue(ub.array()), false, -1);
            b.update("Item", K1, "any", NO_PATH, Instr.TYPE_OBJECT_ID, K1, false, -1);
            b.update("Item", K1, "other", NO_PATH, Instr.TYPE_LINK, new Value.Link("Other", new Value.Int(7)),
                false, -1);
            b.arrayInsert("Item", K1, "others", new Object[]{0L}, Instr.TYPE_LINK,
                new Value.Link("Other", new Value.Int(7)), 0);
            b.update("Item", K1, "addr", NO_PATH, Instr.TYPE_OBJECT_VALUE, null, false, -1);
            b.update("Item", K1, "addr", new Object[]{"city"}, Instr.TYPE_STRING, new Value.Str("Oslo"), false, -1);
            b.arrayInsert("Item", K1, "scores", new Object[]{0L}, Instr.TYPE_INT, new Value.Int(3), 0);
            b.arrayInsert("Item", K1, "scores", new Object[]{1L}, Instr.TYPE_INT, new Value.Int(4), 1);
            b.setInsert("Item", K1, "tags", NO_PATH, Instr.TYPE_STRING, new Value.Str("red"));
            b.update("Item", K1, "attrs", new Object[]{"k"}, Instr.TYPE_DOUBLE, Value.DoubleValue.of(Double.NaN),
                false, -1);
            b.update("Item", K1, "nested", NO_PATH, Instr.TYPE_LIST, null, false, -1);
            b.arrayInsert("Item", K1, "nested", new Object[]{0L}, Instr.TYPE_DICTIONARY, null, 0);
            b.update("Item", K1, "nested", new Object[]{0L, "x"}, Instr.TYPE_BOOL, Value.Bool.FALSE, false, -1);
        });
        final PgMirror m = mirror(null, null);
        awaitMirrored(m, FLX, v);

        assertThat(columnTypes("Item")).containsAllEntriesOf(Map.ofEntries(
            Map.entry("_id", "text"), Map.entry("i", "bigint"), Map.entry("b", "boolean"), Map.entry("s", "text"),
            Map.entry("bin", "bytea"), Map.entry("ts", "timestamp with time zone"), Map.entry("f", "real"),
            Map.entry("d", "double precision"), Map.entry("dec", "numeric"), Map.entry("oid", "text"),
            Map.entry("u", "uuid"), Map.entry("any", "jsonb"), Map.entry("other", "bigint"),
            Map.entry("others", "jsonb"), Map.entry("addr", "jsonb"), Map.entry("scores", "jsonb"),
            Map.entry("tags", "jsonb"), Map.entry("attrs", "jsonb"), Map.entry("nested", "jsonb")));
        assertThat(columnTypes("Address")).isEmpty(); // embedded: inside its parent's jsonb
        assertThat(columnTypes("Other")).containsOnlyKeys("_id");

        final Map<String, Object> row = rows("SELECT _id, i, b, s, bin, ts, f, d, dec, oid, u, \"any\"::text AS \"any\", other, " +
            "others::text, addr::text, scores::text, tags::text, attrs::text, nested::text FROM $s.\"Item\"").get(0);
        assertThat(row.get("_id")).isEqualTo("0102030405060708090a0b0c");
        assertThat(row.get("i")).isEqualTo(-42L);
        assertThat(row.get("b")).isEqualTo(true);
        assertThat(row.get("s")).isEqualTo("héllo \"q\"");
        assertThat((byte[])row.get("bin")).containsExactly(0, 1, 255);
        assertThat(((java.sql.Timestamp)row.get("ts")).toInstant()).isEqualTo(Instant.ofEpochSecond(1_700_000_000L,
            123_456_000));
        assertThat(row.get("f")).isEqualTo(1.5f);
        assertThat(row.get("d")).isEqualTo(2.25);
        assertThat(row.get("dec")).isEqualTo(new BigDecimal("-123.45"));
        assertThat(row.get("oid")).isEqualTo("0102030405060708090a0b0c");
        assertThat(row.get("u")).isEqualTo(uuid);
        assertThat(row.get("any")).isEqualTo("{\"$oid\": \"0102030405060708090a0b0c\"}");
        assertThat(row.get("other")).isEqualTo(7L);
        assertThat(row.get("others")).isEqualTo("[7]");
        assertThat(row.get("addr")).isEqualTo("{\"city\": \"Oslo\"}");
        assertThat(row.get("scores")).isEqualTo("[3, 4]");
        assertThat(row.get("tags")).isEqualTo("[\"red\"]");
        assertThat(row.get("attrs")).isEqualTo("{\"k\": {\"$numberDouble\": \"NaN\"}}");
        assertThat(row.get("nested")).isEqualTo("[{\"x\": false}]");
        assertThat(rows("SELECT _id FROM $s.\"Other\"")).containsExactly(Map.of("_id", 7L));
    }

    @Test
    void shouldRewriteListsFromTheObjectStateAndDeleteErasedObjects() throws Exception
    {
        append(FLX, b ->
        {
            schemaOfEveryType(b);
            b.createObject("Item", K1);
            for (long k = 1; k <= 3; k++)
            {
                b.createObject("Other", new Value.Int(k));
                b.arrayInsert("Item", K1, "scores", new Object[]{k - 1}, Instr.TYPE_INT, new Value.Int(k * 10), k - 1);
            }
        });
        final long v = append(FLX, b ->
        {
            b.arrayErase("Item", K1, "scores", new Object[]{0L}, 3);
            b.arrayInsert("Item", K1, "scores", new Object[]{2L}, Instr.TYPE_INT, new Value.Int(99), 2);
            b.arrayMove("Item", K1, "scores", new Object[]{2L}, 0, 3);
            b.eraseObject("Other", new Value.Int(2));
        });
        final PgMirror m = mirror(null, null);
        awaitMirrored(m, FLX, v);
        assertThat(rows("SELECT scores::text FROM $s.\"Item\"").get(0).get("scores")).isEqualTo("[99, 20, 30]");
        assertThat(rows("SELECT _id FROM $s.\"Other\" ORDER BY _id")).containsExactly(Map.of("_id", 1L),
            Map.of("_id", 3L));
        // and live, after the first batch was committed
        final long v2 = append(FLX, b ->
        {
            b.clear("Item", K1, "scores", NO_PATH, Instr.COLLECTION_LIST);
            b.eraseObject("Item", K1);
        });
        awaitMirrored(m, FLX, v2);
        assertThat(rows("SELECT * FROM $s.\"Item\"")).isEmpty();
        assertThat(rows("SELECT server_file, version FROM $s._outpost_mirror_position"))
            .containsExactly(Map.of("server_file", FLX, "version", v2));
    }

    @Test
    void shouldFollowSchemaChangesAndKeepAndReportDestructiveOnes() throws Exception
    {
        append(FLX, b ->
        {
            b.addTable("Item", Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_INT, false);
            b.addColumn("Item", "name", Instr.TYPE_STRING, true, Instr.COLLECTION_SINGLE, null, 0);
            b.createObject("Item", new Value.Int(1));
            b.update("Item", new Value.Int(1), "name", NO_PATH, Instr.TYPE_STRING, new Value.Str("a"), false, -1);
        });
        final PgMirror m = mirror(null, null);
        awaitMirrored(m, FLX, 1);
        append(FLX, b ->
        {
            b.addColumn("Item", "price", Instr.TYPE_DOUBLE, true, Instr.COLLECTION_SINGLE, null, 0);
            b.update("Item", new Value.Int(1), "price", NO_PATH, Instr.TYPE_DOUBLE, Value.DoubleValue.of(9.5), false,
                -1);
            b.addTable("Tag", Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_STRING, false);
        });
        awaitMirrored(m, FLX, 2);
        assertThat(columnTypes("Item")).containsEntry("price", "double precision");
        assertThat(columnTypes("Tag")).containsEntry("_id", "text");
        assertThat(rows("SELECT name, price FROM $s.\"Item\"")).containsExactly(Map.of("name", "a", "price", 9.5));

        final long v = append(FLX, b ->
        {
            b.eraseColumn("Item", "name");
            b.eraseTable("Tag");
        });
        awaitMirrored(m, FLX, v);
        assertThat(columnTypes("Item")).containsKey("name");
        assertThat(columnTypes("Tag")).containsKey("_id");
        assertThat(rows("SELECT name FROM $s.\"Item\"")).containsExactly(Map.of("name", "a"));
        assertThat(rows("SELECT kind, class, version FROM $s._outpost_mirror_errors ORDER BY id")).containsExactly(
            Map.of("kind", "destructive_schema_change", "class", "Item", "version", v),
            Map.of("kind", "destructive_schema_change", "class", "Tag", "version", v));
    }

    @Test
    void shouldKeyPbsRowsByPartitionAndId() throws Exception
    {
        final String p1 = "pbs/app/\"p1\"";
        final String p2 = "pbs/app/\"p\\\"2\"";
        for (final String file : List.of(p1, p2))
        {
            append(file, b ->
            {
                b.addTable("Item", Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_INT, false);
                b.addColumn("Item", "name", Instr.TYPE_STRING, true, Instr.COLLECTION_SINGLE, null, 0);
                b.addColumn("Item", "_partition", Instr.TYPE_STRING, true, Instr.COLLECTION_SINGLE, null, 0);
                b.createObject("Item", new Value.Int(1));
                b.update("Item", new Value.Int(1), "name", NO_PATH, Instr.TYPE_STRING, new Value.Str(file), false, -1);
            });
        }
        final PgMirror m = mirror(null, null);
        awaitMirrored(m, p1, 1);
        awaitMirrored(m, p2, 1);
        assertThat(rows("SELECT _partition, _id, name FROM $s.\"Item\" ORDER BY _partition")).containsExactly(
            Map.of("_partition", "p\"2", "_id", 1L, "name", p2), Map.of("_partition", "p1", "_id", 1L, "name", p1));
        assertThat(rows("SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND " +
            "a.attnum = ANY(i.indkey) WHERE i.indrelid = '$s.\"Item\"'::regclass AND i.indisprimary ORDER BY 1"))
            .containsExactly(Map.of("attname", "_id"), Map.of("attname", "_partition"));
    }

    /**
     * A PBS partition deleted (admin API) and written again under the same name: a new history from version 1. The
     * mirror notices the new salt and mirrors the new history from its first version over the old rows (upserted, never
     * COPYed); rows of the old history's other objects stay.
     */
    @Test
    void shouldMirrorADeletedPartitionCreatedAgainFromItsFirstVersionKeepingTheOldRows() throws Exception
    {
        final String p1 = "pbs/app/\"p1\"";
        final Consumer<ChangesetBuilder> schema = b ->
        {
            b.addTable("Item", Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_INT, false);
            b.addColumn("Item", "name", Instr.TYPE_STRING, true, Instr.COLLECTION_SINGLE, null, 0);
        };
        append(p1, schema);
        long v = 0;
        for (int k = 1; k <= 2; k++)
        {
            final int key = k;
            v = append(p1, b ->
            {
                b.createObject("Item", new Value.Int(key));
                b.update("Item", new Value.Int(key), "name", NO_PATH, Instr.TYPE_STRING, new Value.Str("old" + key),
                    false, -1);
            });
        }
        final PgMirror m = mirror(null, null);
        awaitMirrored(m, p1, v);

        final StoreShard shard = store.shardFor(p1);
        shard.beginCommand();
        shard.deleteServerFile(shard.serverFile(p1));
        shard.endCommand();
        shard.publish();
        append(p1, b ->
        {
            schema.accept(b);
            b.createObject("Item", new Value.Int(1));
            b.update("Item", new Value.Int(1), "name", NO_PATH, Instr.TYPE_STRING, new Value.Str("new1"), false, -1);
        });
        assertThat(store.head(p1)).as("a new history, shorter than the mirrored one").isEqualTo(1);
        while (rows("SELECT name FROM $s.\"Item\" WHERE _id = 1").stream().noneMatch(r -> "new1".equals(r.get("name"))))
        {
            Thread.sleep(20);
        }
        awaitMirrored(m, p1, 1);
        assertThat(rows("SELECT _id, name FROM $s.\"Item\" ORDER BY _id")).containsExactly(
            Map.of("_id", 1L, "name", "new1"), Map.of("_id", 2L, "name", "old2"));
        assertThat(rows("SELECT version FROM $s._outpost_mirror_position")).containsExactly(Map.of("version", 1L));
        assertThat(rows("SELECT * FROM $s._outpost_mirror_errors")).isEmpty();
    }

    @Test
    void shouldResumeAfterARestartOfTheMirrorAndOfPostgresWithoutGapOrDuplicate() throws Exception
    {
        append(FLX, b -> b.addTable("Item", Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_INT, false));
        final PgMirror first = mirror(null, null);
        for (long k = 1; k <= 50; k++)
        {
            final long key = k;
            append(FLX, b -> b.createObject("Item", new Value.Int(key)));
        }
        awaitMirrored(first, FLX, 51);
        first.close();
        // written while no mirror runs: the next one resumes after version 51 with the state rebuilt up to it
        for (long k = 51; k <= 100; k++)
        {
            final long key = k;
            append(FLX, b ->
            {
                b.createObject("Item", new Value.Int(key));
                b.eraseObject("Item", new Value.Int(key - 50));
            });
        }
        final PgMirror second = mirror(null, null);
        awaitMirrored(second, FLX, 101);
        assertThat(rows("SELECT count(*) AS n, min(_id) AS lo, max(_id) AS hi FROM $s.\"Item\""))
            .containsExactly(Map.of("n", 50L, "lo", 51L, "hi", 100L));

        // PostgreSQL down while the history grows: the batch waits and is written after the restart
        pg.stop();
        for (long k = 101; k <= 150; k++)
        {
            final long key = k;
            append(FLX, b -> b.createObject("Item", new Value.Int(key)));
        }
        while (second.lagVersions() != 50 || second.connected())
        {
            Thread.sleep(10);
        }
        pg.startServer();
        awaitMirrored(second, FLX, 151);
        assertThat(rows("SELECT count(*) AS n FROM $s.\"Item\"")).containsExactly(Map.of("n", 100L));
        assertThat(rows("SELECT version FROM $s._outpost_mirror_position")).containsExactly(Map.of("version", 151L));
        assertThat(rows("SELECT * FROM $s._outpost_mirror_errors")).isEmpty();
        assertThat(second.statusJson().getLong("lag_versions")).isZero();
    }

    @Test
    void shouldReportARowPostgresRefusesAndWriteTheOthers() throws Exception
    {
        final long v = append(FLX, b ->
        {
            b.addTable("Item", Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_INT, false);
            b.addColumn("Item", "name", Instr.TYPE_STRING, true, Instr.COLLECTION_SINGLE, null, 0);
            for (long k = 1; k <= 3; k++)
            {
                b.createObject("Item", new Value.Int(k));
                // PostgreSQL text cannot hold NUL
                b.update("Item", new Value.Int(k), "name", NO_PATH, Instr.TYPE_STRING,
                    new Value.Str(k == 2 ? "nul\0" : "ok" + k), false, -1);
            }
        });
        final PgMirror m = mirror(null, null);
        awaitMirrored(m, FLX, v);
        assertThat(rows("SELECT _id FROM $s.\"Item\" ORDER BY _id")).containsExactly(Map.of("_id", 1L),
            Map.of("_id", 3L));
        assertThat(rows("SELECT kind, class, object_key FROM $s._outpost_mirror_errors")).containsExactly(
            Map.of("kind", "row_refused", "class", "Item", "object_key", "2"));
    }

    private static final String[] AWKWARD = {"", "NULL", "a\"b", "back\\slash", "{braces},comma", "tab\tnew\nline",
        "héllo ✓", " spaced ", "'quote'", "\\\"{}", "\\N", "cr\rlf\r\n", "\\x41\\t\\\\n", "\t"};
    private static final float[] FLOATS = {1.5f, 0.1f, Float.NaN, Float.POSITIVE_INFINITY, -0.0f, 3.4028235e38f,
        -7.25e-20f};
    private static final double[] DOUBLES = {0.1, Double.NaN, Double.NEGATIVE_INFINITY, 1e300, -0.0, 2.25,
        -4.9e-300};

    private static Value objectKey(final int k)
    {
        return new Value.ObjectIdValue(new byte[]{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, (byte)k});
    }

    /** Object {@code k} with a value in every property of {@link EveryType} (none in the nullable ones if k % 5 == 4). */
    private static void everyTypeObject(final ChangesetBuilder b, final int k)
    {
        final Value key = objectKey(k);
        b.createObject("Other", new Value.Int(k));
        b.createObject("Item", key);
        final String text = AWKWARD[k % AWKWARD.length];
        b.update("Item", key, "i", NO_PATH, Instr.TYPE_INT, new Value.Int(k % 2 == 0 ? -k * 1_000_003L :
            Long.MAX_VALUE - k), false, -1);
        b.update("Item", key, "b", NO_PATH, Instr.TYPE_BOOL, k % 3 == 0 ? Value.Bool.TRUE : Value.Bool.FALSE, false,
            -1);
        b.update("Item", key, "f", NO_PATH, Instr.TYPE_FLOAT, Value.FloatValue.of(FLOATS[k % FLOATS.length]), false,
            -1);
        b.update("Item", key, "d", NO_PATH, Instr.TYPE_DOUBLE, Value.DoubleValue.of(DOUBLES[k % DOUBLES.length]),
            false, -1);
        for (int i = 0; i < k % 4; i++)
        {
            b.arrayInsert("Item", key, "scores", new Object[]{(long)i}, Instr.TYPE_INT, new Value.Int(i - k), i);
        }
        b.setInsert("Item", key, "tags", NO_PATH, Instr.TYPE_STRING, new Value.Str(text));
        b.update("Item", key, "attrs", new Object[]{text + "\"k"}, Instr.TYPE_STRING, new Value.Str(text), false, -1);
        if (k % 5 == 4)
        {
            return; // the nullable properties stay null
        }
        b.update("Item", key, "s", NO_PATH, Instr.TYPE_STRING, new Value.Str(text), false, -1);
        b.update("Item", key, "bin", NO_PATH, Instr.TYPE_BINARY, new Value.Bin(new byte[]{(byte)k, 0x5c, 0x22, 0x7b,
            0, (byte)255}), false, -1);
        b.update("Item", key, "ts", NO_PATH, Instr.TYPE_TIMESTAMP, k % 2 == 0 ?
            new Value.Timestamp(1_700_000_000L + k, 1_000 * k) : new Value.Timestamp(-31_536_000L * k, -1_000 * k),
            false, -1);
        b.update("Item", key, "dec", NO_PATH, Instr.TYPE_DECIMAL, new Value.Decimal(12345L * k + 1, 0, -k % 7,
            k % 2 == 0), false, -1);
        b.update("Item", key, "oid", NO_PATH, Instr.TYPE_OBJECT_ID, key, false, -1);
        b.update("Item", key, "u", NO_PATH, Instr.TYPE_UUID, new Value.UuidValue(new byte[]{15, -113, -83, 91, -39,
            -53, 70, -97, -95, 101, 112, -122, 119, 40, -107, (byte)k}), false, -1);
        b.update("Item", key, "any", NO_PATH, k % 2 == 0 ? Instr.TYPE_STRING : Instr.TYPE_INT, k % 2 == 0 ?
            new Value.Str(text) : new Value.Int(k), false, -1);
        b.update("Item", key, "other", NO_PATH, Instr.TYPE_LINK, new Value.Link("Other", new Value.Int(k)), false,
            -1);
        b.update("Item", key, "addr", NO_PATH, Instr.TYPE_OBJECT_VALUE, null, false, -1);
        b.update("Item", key, "addr", new Object[]{"city"}, Instr.TYPE_STRING, new Value.Str(text), false, -1);
    }

    private List<String> tableText(final String inSchema, final String table) throws Exception
    {
        final List<String> out = new ArrayList<>();
        for (final Map<String, Object> r : rows("SELECT row_to_json(t)::text AS j FROM \"" + inSchema + "\".\"" +
            table + "\" t ORDER BY row_to_json(t)::text"))
        {
            out.add((String)r.get("j"));
        }
        return out;
    }

    /**
     * A batch's many rows of one class go as one array statement per column set ({@code unnest}); a reference
     * mirror fed one changeset at a time (one row per statement) must hold exactly the same rows: every type, nulls,
     * awkward text, non-finite floats, PBS partitions, upserts and deletes.
     */
    @ParameterizedTest
    @ValueSource(strings = {FLX, "pbs/app/\"p,{1}\""})
    void shouldWriteManyRowsAsArraysExactlyAsOneRowAtATime(final String file) throws Exception
    {
        final int objects = 40;
        final String reference = schema + "ref";
        final PgMirror one = mirrorInto(reference);
        long v = append(file, EveryType::schema);
        awaitMirrored(one, file, v);
        for (int k = 0; k < objects; k++)
        {
            final int key = k;
            v = append(file, b -> everyTypeObject(b, key));
            awaitMirrored(one, file, v);
        }
        final PgMirror many = mirrorInto(schema);
        awaitMirrored(many, file, v);
        assertThat(rows("SELECT * FROM $s._outpost_mirror_errors")).isEmpty();
        assertThat(tableText(schema, "Item")).hasSize(objects).isEqualTo(tableText(reference, "Item"));
        assertThat(tableText(schema, "Other")).hasSize(objects).isEqualTo(tableText(reference, "Other"));
        many.close();

        // half of the objects erased, the others changed: one batch of deletes and upserts for the array mirror
        for (int k = 0; k < objects / 2; k++)
        {
            final int key = k;
            v = append(file, b ->
            {
                b.eraseObject("Item", objectKey(key));
                b.update("Item", objectKey(key + objects / 2), "s", NO_PATH, Instr.TYPE_STRING,
                    new Value.Str(AWKWARD[key % AWKWARD.length] + "2"), false, -1);
                b.eraseObject("Other", new Value.Int(key));
            });
            awaitMirrored(one, file, v);
        }
        final PgMirror again = mirrorInto(schema);
        awaitMirrored(again, file, v);
        assertThat(tableText(schema, "Item")).hasSize(objects / 2).isEqualTo(tableText(reference, "Item"));
        assertThat(tableText(schema, "Other")).hasSize(objects / 2).isEqualTo(tableText(reference, "Other"));
        assertThat(rows("SELECT * FROM $s._outpost_mirror_errors")).isEmpty();
        // written by the array statements themselves, not by the row-by-row fallback after a refusal
        assertThat(many.statusJson().getLong("batches_rewritten")).isZero();
        assertThat(again.statusJson().getLong("batches_rewritten")).isZero();
    }

    /**
     * The reader decodes stored changesets straight into its state ({@code SinkDecoder}, no model objects): a random
     * history of every type (creates, updates, list inserts, erases and moves, set and dictionary edits, additions,
     * clears, object erasures and re-creations, an added and an erased column, changesets that do not apply) mirrored
     * that way with 1, 7 and 5,000 changesets a transaction holds exactly the rows, errors and positions of a
     * reference mirror that reads each changeset through the model ({@code ChangesetReader}, {@code
     * ChangesetApplier}) one transaction at a time.
     */
    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void shouldMirrorARandomHistoryThroughTheStreamingDecoderAsThroughTheModel() throws Exception
    {
        final java.util.Random random = new java.util.Random(20261207L);
        final int objects = 30;
        final int[] scores = new int[objects]; // list sizes as the history has them (-1: no object)
        java.util.Arrays.fill(scores, -1);
        long v = append(FLX, EveryType::schema);
        for (int n = 0; n < 400; n++)
        {
            final int k = random.nextInt(objects);
            final int op = random.nextInt(14);
            final String text = AWKWARD[random.nextInt(AWKWARD.length)];
            final Value key = objectKey(k);
            v = append(FLX, b ->
            {
                if (scores[k] < 0 || 0 == op)
                {
                    if (scores[k] >= 0)
                    {
                        b.eraseObject("Item", key); // erased and created again in one changeset
                    }
                    everyTypeObject(b, k);
                    scores[k] = k % 4;
                    return;
                }
                switch (op)
                {
                    case 1 -> b.update("Item", key, "s", NO_PATH, Instr.TYPE_STRING, new Value.Str(text), false, -1);
                    case 2 ->
                    {
                        b.arrayInsert("Item", key, "scores", new Object[]{(long)random.nextInt(scores[k] + 1)},
                            Instr.TYPE_INT, new Value.Int(random.nextInt(100)), scores[k]);
                        scores[k]++;
                    }
                    case 3 ->
                    {
                        if (scores[k] > 0)
                        {
                            b.arrayErase("Item", key, "scores", new Object[]{(long)random.nextInt(scores[k])},
                                scores[k]);
                            scores[k]--;
                        }
                    }
                    case 4 ->
                    {
                        if (scores[k] > 1)
                        {
                            b.arrayMove("Item", key, "scores", new Object[]{0L}, scores[k] - 1, scores[k]);
                        }
                    }
                    case 5 -> b.setInsert("Item", key, "tags", NO_PATH, Instr.TYPE_STRING, new Value.Str(text));
                    case 6 -> b.setErase("Item", key, "tags", NO_PATH, Instr.TYPE_STRING,
                        new Value.Str(AWKWARD[k % AWKWARD.length]));
                    case 7 -> b.update("Item", key, "attrs", new Object[]{text + "k"}, Instr.TYPE_INT,
                        new Value.Int(random.nextLong()), false, -1);
                    case 8 -> b.addInteger("Item", key, "i", NO_PATH, random.nextInt(1000) - 500);
                    case 9 ->
                    {
                        b.clear("Item", key, "scores", NO_PATH, Instr.COLLECTION_LIST);
                        scores[k] = 0;
                    }
                    case 10 ->
                    {
                        b.eraseObject("Item", key);
                        b.eraseObject("Other", new Value.Int(k));
                        scores[k] = -1;
                    }
                    case 11 -> b.update("Item", key, "addr", new Object[]{"city"}, Instr.TYPE_STRING,
                        new Value.Str(text), false, -1);
                    case 12 -> b.update("Item", objectKey(objects + k), "s", NO_PATH, Instr.TYPE_STRING,
                        new Value.Str(text), false, -1); // no such object: does not apply, reported
                    default -> b.update("Item", key, "other", NO_PATH, Instr.TYPE_LINK,
                        new Value.Link("Other", new Value.Int(random.nextInt(objects))), false, -1);
                }
            });
            if (n == 150)
            {
                v = append(FLX, b -> b.addColumn("Item", "extra", Instr.TYPE_STRING, true, Instr.COLLECTION_SINGLE,
                    null, 0));
            }
            if (n > 150 && scores[k] >= 0 && 0 == n % 3)
            {
                v = append(FLX, b -> b.update("Item", key, "extra", NO_PATH, Instr.TYPE_STRING,
                    new Value.Str("x" + k), false, -1));
            }
            if (n == 300)
            {
                v = append(FLX, b -> b.eraseColumn("Item", "nested"));
            }
        }
        // each instruction kind the last change of one object (rows are written from the whole state, so a later
        // change of the same object would hide a dropped one): with one changeset a transaction, any kind the
        // streaming path lost leaves a stale row
        for (int k = 0; k < 13; k++)
        {
            if (scores[k] < 0)
            {
                final int key = k;
                append(FLX, b -> everyTypeObject(b, key));
                scores[k] = k % 4;
            }
        }
        final Value[] keys = new Value[13];
        for (int k = 0; k < keys.length; k++)
        {
            keys[k] = objectKey(k);
        }
        append(FLX, b -> b.arrayInsert("Item", keys[2], "scores", new Object[]{0L}, Instr.TYPE_INT, new Value.Int(-7),
            scores[2]));
        append(FLX, b -> b.arrayInsert("Item", keys[3], "scores", new Object[]{0L}, Instr.TYPE_INT, new Value.Int(-8),
            scores[3]));
        append(FLX, b -> b.arrayInsert("Item", keys[3], "scores", new Object[]{0L}, Instr.TYPE_INT, new Value.Int(-9),
            scores[3] + 1));
        append(FLX, b -> b.setInsert("Item", keys[5], "tags", NO_PATH, Instr.TYPE_STRING, new Value.Str("fin")));
        append(FLX, b -> b.arrayInsert("Item", keys[8], "scores", new Object[]{0L}, Instr.TYPE_INT, new Value.Int(-10),
            scores[8]));
        append(FLX, b -> b.update("Item", keys[10], "addr", NO_PATH, Instr.TYPE_OBJECT_VALUE, null, false, -1));
        final List<Consumer<ChangesetBuilder>> last = List.of(
            b -> b.update("Item", keys[0], "s", NO_PATH, Instr.TYPE_STRING, new Value.Str("last"), false, -1),
            b -> b.arrayInsert("Item", keys[1], "scores", new Object[]{0L}, Instr.TYPE_INT, new Value.Int(99),
                scores[1]),
            b -> b.arrayErase("Item", keys[2], "scores", new Object[]{0L}, scores[2] + 1),
            b -> b.arrayMove("Item", keys[3], "scores", new Object[]{0L}, scores[3] + 1, scores[3] + 2),
            b -> b.setInsert("Item", keys[4], "tags", NO_PATH, Instr.TYPE_STRING, new Value.Str("last")),
            b -> b.setErase("Item", keys[5], "tags", NO_PATH, Instr.TYPE_STRING, new Value.Str("fin")),
            b -> b.update("Item", keys[6], "attrs", new Object[]{"last"}, Instr.TYPE_INT, new Value.Int(1), false, -1),
            b -> b.addInteger("Item", keys[7], "i", NO_PATH, 1),
            b -> b.clear("Item", keys[8], "scores", NO_PATH, Instr.COLLECTION_LIST),
            b -> b.eraseObject("Item", keys[9]),
            b -> b.update("Item", keys[10], "addr", new Object[]{"city"}, Instr.TYPE_STRING, new Value.Str("last"),
                false, -1),
            b -> b.update("Item", keys[11], "other", NO_PATH, Instr.TYPE_LINK, new Value.Link("Other",
                new Value.Int(0)), false, -1),
            b -> b.createObject("Other", new Value.Int(1_000)));
        for (final Consumer<ChangesetBuilder> step : last)
        {
            v = append(FLX, step);
        }
        final String reference = schema + "model";
        final PgMirror model = PgMirror.start(new MirrorSettings(pg.url(), reference), null, null, store, 1, PgMirror.PATH_MODEL);
        mirrors.add(model);
        // the streaming path on ot-core's state, and the flat path (which hands this history to ot-core's state)
        final List<String> streamed = List.of(schema + "s1", schema + "s7", schema + "s5000", schema + "f1",
            schema + "f5000");
        final int[] sizes = {1, 7, 5_000, 1, 5_000};
        for (int i = 0; i < sizes.length; i++)
        {
            final PgMirror m = PgMirror.start(new MirrorSettings(pg.url(), streamed.get(i)), null, null, store,
                sizes[i], i < 3 ? PgMirror.PATH_STREAMING : PgMirror.PATH_FLAT);
            mirrors.add(m);
        }
        for (final PgMirror m : mirrors)
        {
            awaitMirrored(m, FLX, v);
        }
        // rows as jsonb (keys sorted): a mirror that creates the table after the EraseColumn never has that column
        final List<String> items = rowText(reference, "Item");
        final List<String> others = rowText(reference, "Other");
        final List<String> errors = errorText(reference);
        assertThat(items).hasSizeGreaterThan(objects / 2);
        assertThat(errors).anyMatch(e -> e.contains("bad_changeset")).anyMatch(e -> e.contains("EraseColumn"));
        for (final String s : streamed)
        {
            assertThat(rowText(s, "Item")).as(s).isEqualTo(items);
            assertThat(rowText(s, "Other")).as(s).isEqualTo(others);
            assertThat(errorText(s)).as(s).isEqualTo(errors);
            assertThat(tableText(s, "_outpost_mirror_position")).as(s).hasSize(1);
        }
        assertThat(mirrors.get(3).statusJson().getLong("rows_copied")).isPositive(); // new objects went as COPY
    }

    /**
     * The flat state (the mirror's own, {@link FlatState}) against the model path: a history of scalar classes (every
     * scalar type, nullable and not, ObjectId, string and int keys, objects created, updated, set to null, erased and
     * created again in one changeset, a column and a class added on the way) in one server file that stays flat, and
     * the same kind of history in a second file that later needs ot-core's state (first a changeset ot-core
     * refuses after valid instructions whose effect the flat state must undo, then AddIntegers and refused ones): rows, reports and
     * positions equal to a model-path mirror at 1, 7 and 5,000 changesets a batch, and exactly one file promoted.
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldMirrorARandomScalarHistoryThroughTheFlatStateAsThroughTheModel() throws Exception
    {
        final String flat = "flx/flat";
        final String promoted = "flx/promoted";
        long vFlat = scalarHistory(flat, "Flat", false, new java.util.Random(20261208L));
        long vPromoted = scalarHistory(promoted, "Late", true, new java.util.Random(20261209L));
        final String reference = schema + "model";
        final PgMirror model = PgMirror.start(new MirrorSettings(pg.url(), reference), null, null, store, 1,
            PgMirror.PATH_MODEL);
        mirrors.add(model);
        final List<String> flats = List.of(schema + "f1", schema + "f7", schema + "f5000");
        final int[] sizes = {1, 7, 5_000};
        for (int i = 0; i < sizes.length; i++)
        {
            mirrors.add(PgMirror.start(new MirrorSettings(pg.url(), flats.get(i)), null, null, store, sizes[i],
                PgMirror.PATH_FLAT));
        }
        for (final PgMirror m : mirrors)
        {
            awaitMirrored(m, flat, vFlat);
            awaitMirrored(m, promoted, vPromoted);
        }
        final List<String> errors = errorText(reference);
        assertThat(errors).anyMatch(e -> e.contains("bad_changeset"));
        for (final String table : List.of("Flat", "FlatKeys", "Late", "LateKeys"))
        {
            final List<String> rows = rowText(reference, table);
            assertThat(rows).as(table).hasSizeGreaterThan(5);
            for (final String f : flats)
            {
                assertThat(rowText(f, table)).as(f + " " + table).isEqualTo(rows);
            }
        }
        for (int i = 0; i < flats.size(); i++)
        {
            assertThat(errorText(flats.get(i))).as(flats.get(i)).isEqualTo(errors);
            assertThat(tableText(flats.get(i), "_outpost_mirror_position")).hasSize(2);
            assertThat(mirrors.get(i + 1).statusJson().getLong("files_promoted")).as(flats.get(i)).isEqualTo(1);
        }
        assertThat(mirrors.get(3).statusJson().getLong("rows_copied")).isPositive(); // flat rows went as COPY too
    }

    /**
     * Appends a random history of scalar classes {@code prefix} (ObjectId key) and {@code prefix + "Keys"} (string
     * key, added half way) to {@code file}; with {@code promote}, AddIntegers and changesets ot-core refuses late.
     *
     * @return the last version.
     */
    private long scalarHistory(final String file, final String prefix, final boolean promote,
        final java.util.Random random)
    {
        final String keyed = prefix + "Keys";
        final int objects = 40;
        final boolean[] live = new boolean[objects];
        long v = append(file, b ->
        {
            b.addTable(prefix, Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_OBJECT_ID, false);
            b.addColumn(prefix, "i", Instr.TYPE_INT, false, Instr.COLLECTION_SINGLE, null, 0);
            b.addColumn(prefix, "b", Instr.TYPE_BOOL, false, Instr.COLLECTION_SINGLE, null, 0);
            b.addColumn(prefix, "s", Instr.TYPE_STRING, true, Instr.COLLECTION_SINGLE, null, 0);
            b.addColumn(prefix, "bin", Instr.TYPE_BINARY, true, Instr.COLLECTION_SINGLE, null, 0);
            b.addColumn(prefix, "ts", Instr.TYPE_TIMESTAMP, true, Instr.COLLECTION_SINGLE, null, 0);
            b.addColumn(prefix, "f", Instr.TYPE_FLOAT, false, Instr.COLLECTION_SINGLE, null, 0);
            b.addColumn(prefix, "d", Instr.TYPE_DOUBLE, true, Instr.COLLECTION_SINGLE, null, 0);
            b.addColumn(prefix, "dec", Instr.TYPE_DECIMAL, true, Instr.COLLECTION_SINGLE, null, 0);
            b.addColumn(prefix, "oid", Instr.TYPE_OBJECT_ID, true, Instr.COLLECTION_SINGLE, null, 0);
            b.addColumn(prefix, "u", Instr.TYPE_UUID, false, Instr.COLLECTION_SINGLE, null, 0);
            b.addColumn(prefix, "s", Instr.TYPE_STRING, false, Instr.COLLECTION_SINGLE, null, 0); // again: a no-op
        });
        for (int n = 0; n < 600; n++)
        {
            final int k = random.nextInt(objects);
            final int drawn = random.nextInt(promote && n > 450 ? 12 : 9);
            // changes of an object that is not there: created instead (ot-core would refuse them)
            final int op = !live[k] && drawn >= 2 && drawn <= 7 && 5 != drawn ? 0 : drawn;
            final String text = AWKWARD[random.nextInt(AWKWARD.length)];
            final long number = random.nextLong();
            final Value key = objectKey(k);
            final boolean was = live[k];
            live[k] = 5 != op && (was || 0 == op || 1 == op || 8 == op);
            v = append(file, b ->
            {
                switch (op)
                {
                    case 0, 1 ->
                    {
                        if (was && 1 == op)
                        {
                            b.eraseObject(prefix, key); // erased and created again in one changeset
                        }
                        b.createObject(prefix, key);
                        b.update(prefix, key, "i", NO_PATH, Instr.TYPE_INT, new Value.Int(number), false, -1);
                        b.update(prefix, key, "f", NO_PATH, Instr.TYPE_FLOAT, Value.FloatValue.of(FLOATS[k %
                            FLOATS.length]), false, -1);
                        if (k % 3 != 0)
                        {
                            b.update(prefix, key, "s", NO_PATH, Instr.TYPE_STRING, new Value.Str(text), false, -1);
                            b.update(prefix, key, "bin", NO_PATH, Instr.TYPE_BINARY, new Value.Bin(new byte[]{(byte)k,
                                0x5c, 0, (byte)255}), false, -1);
                            b.update(prefix, key, "ts", NO_PATH, Instr.TYPE_TIMESTAMP, new Value.Timestamp(
                                1_700_000_000L + number % 1000, 1_000 * k), false, -1);
                            b.update(prefix, key, "dec", NO_PATH, Instr.TYPE_DECIMAL, new Value.Decimal(12345L * k + 1,
                                0, -k % 7, k % 2 == 0), false, -1);
                            b.update(prefix, key, "oid", NO_PATH, Instr.TYPE_OBJECT_ID, key, false, -1);
                            b.update(prefix, key, "u", NO_PATH, Instr.TYPE_UUID, new Value.UuidValue(new byte[]{15,
                                -113, -83, 91, -39, -53, 70, -97, -95, 101, 112, -122, 119, 40, -107, (byte)k}), false,
                                -1);
                        }
                    }
                    case 2 -> b.update(prefix, key, "s", NO_PATH, Instr.TYPE_STRING, new Value.Str(text), false, -1);
                    case 3 -> b.update(prefix, key, "s", NO_PATH, Instr.TYPE_NULL, null, false, -1);
                    case 4 ->
                    {
                        b.update(prefix, key, "d", NO_PATH, Instr.TYPE_DOUBLE, Value.DoubleValue.of(DOUBLES[k %
                            DOUBLES.length]), false, -1);
                        b.update(prefix, key, "b", NO_PATH, Instr.TYPE_BOOL, Value.Bool.TRUE, true, -1);
                        b.update(prefix, key, "_id", NO_PATH, Instr.TYPE_OBJECT_ID, key, false, -1); // same key
                    }
                    case 5 -> b.eraseObject(prefix, key);
                    case 6 -> b.update(prefix, key, "i", NO_PATH, Instr.TYPE_INT, new Value.Int(number), false, -1);
                    case 7 ->
                    {
                        b.update(prefix, key, "d", NO_PATH, Instr.TYPE_NULL, null, false, -1);
                        b.update(prefix, key, "i", NO_PATH, Instr.TYPE_INT, new Value.Int(-number), false, -1);
                    }
                    case 8 -> b.createObject(prefix, key); // exists already or new with the defaults
                    case 9 -> b.update(prefix, objectKey(objects + k), "s", NO_PATH, Instr.TYPE_STRING,
                        new Value.Str(text), false, -1); // no such object: refused, reported
                    case 10 ->
                    {
                        b.createObject(prefix, objectKey(2 * objects + k)); // undone: the changeset is refused
                        b.update(prefix, key, "u", NO_PATH, Instr.TYPE_NULL, null, false, -1); // not nullable
                    }
                    default -> b.addInteger(prefix, key, "i", NO_PATH, number % 1000); // refused if not there
                }
            });
            if (promote && (9 == op || 10 == op || 11 == op))
            {
                live[k] = was;
            }
            if (n == 150)
            {
                v = append(file, b -> b.addColumn(prefix, "extra", Instr.TYPE_STRING, true, Instr.COLLECTION_SINGLE,
                    null, 0));
            }
            if (n > 150 && live[k] && 0 == n % 3)
            {
                v = append(file, b -> b.update(prefix, key, "extra", NO_PATH, Instr.TYPE_STRING, new Value.Str("x" +
                    number), false, -1));
            }
            if (n == 250)
            {
                v = append(file, b -> b.addTable(keyed, Instr.TABLE_TOP_LEVEL, "name", Instr.TYPE_STRING, false));
            }
            if (n > 250 && 0 == n % 4)
            {
                final Value name = new Value.Str(text + k);
                final boolean withN = 0 == n % 8;
                v = append(file, b ->
                {
                    if (0 == k % 5)
                    {
                        b.eraseObject(keyed, name);
                        return;
                    }
                    b.createObject(keyed, name);
                    if (withN)
                    {
                        b.addColumn(keyed, "n", Instr.TYPE_INT, true, Instr.COLLECTION_SINGLE, null, 0);
                        b.update(keyed, name, "n", NO_PATH, Instr.TYPE_INT, new Value.Int(number), false, -1);
                    }
                });
            }
            if (promote && n == 450)
            {
                // the first changeset the flat state cannot take: what it did before is undone (ot-core refuses it
                // whole), so the object is not there for the next changeset either
                final Value undone = objectKey(3 * objects);
                append(file, b ->
                {
                    b.createObject(prefix, undone);
                    b.update(prefix, undone, "s", NO_PATH, Instr.TYPE_STRING, new Value.Str("undone"), false, -1);
                    b.update(prefix, undone, "u", NO_PATH, Instr.TYPE_NULL, null, false, -1); // not nullable
                });
                v = append(file, b -> b.update(prefix, undone, "s", NO_PATH, Instr.TYPE_STRING, new Value.Str("after"),
                    false, -1));
            }
        }
        return v;
    }

    /**
     * The inbound capture's trigger carries its condition ({@code WHEN outpost.origin is not 'mirror'}), so the
     * mirror's own rows queue no trigger event and call no function: on the tables the mirror creates and on a table
     * that had the trigger without it (an older version's), which is replaced; SQL from other sessions is still
     * captured.
     */
    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void shouldAttachTheCaptureTriggerWithItsConditionAndReplaceAnOlderOne() throws Exception
    {
        sql("CREATE SCHEMA $s",
            "CREATE TABLE $s.\"Legacy\" (_id bigint PRIMARY KEY, n bigint)",
            "CREATE FUNCTION $s._outpost_capture() RETURNS trigger LANGUAGE plpgsql AS $f$ BEGIN RETURN NULL; END $f$",
            "CREATE TRIGGER _outpost_capture AFTER INSERT OR UPDATE OR DELETE ON $s.\"Legacy\" FOR EACH ROW " +
                "EXECUTE FUNCTION $s._outpost_capture()");
        final PgMirror m = mirror(null, null);
        long v = append(FLX, b ->
        {
            b.addTable("Item", Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_INT, false);
            b.addColumn("Item", "n", Instr.TYPE_INT, false, Instr.COLLECTION_SINGLE, null, 0);
        });
        for (int k = 0; k < 40; k++)
        {
            final int key = k;
            v = append(FLX, b ->
            {
                b.createObject("Item", new Value.Int(key));
                b.update("Item", new Value.Int(key), "n", NO_PATH, Instr.TYPE_INT, new Value.Int(key), false, -1);
            });
        }
        awaitMirrored(m, FLX, v);
        final List<Map<String, Object>> triggers = rows("SELECT c.relname AS t, pg_get_triggerdef(g.oid) AS def " +
            "FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace " +
            "WHERE n.nspname = '" + schema + "' AND g.tgname = '_outpost_capture' ORDER BY 1");
        assertThat(triggers).extracting(r -> r.get("t")).containsExactly("Item", "Legacy");
        assertThat(triggers).allSatisfy(r -> assertThat((String)r.get("def"))
            .contains("WHEN ((current_setting('outpost.origin'::text, true) IS DISTINCT FROM 'mirror'::text))"));
        assertThat(rows("SELECT count(*) AS n FROM $s.\"Item\"")).containsExactly(Map.of("n", 40L));
        assertThat(rows("SELECT * FROM $s._outpost_inbound")).isEmpty(); // the mirror's rows: no echo
        sql("INSERT INTO $s.\"Legacy\" VALUES (1, 2)", "UPDATE $s.\"Item\" SET n = 7 WHERE _id = 3");
        assertThat(rows("SELECT class, op::text AS op FROM $s._outpost_inbound ORDER BY id")).containsExactly(
            Map.of("class", "Legacy", "op", "I"), Map.of("class", "Item", "op", "U"));
    }

    private List<String> rowText(final String inSchema, final String table) throws Exception
    {
        final List<String> out = new ArrayList<>();
        for (final Map<String, Object> r : rows("SELECT (to_jsonb(t) - 'nested')::text AS j FROM \"" + inSchema +
            "\".\"" + table + "\" t ORDER BY 1"))
        {
            out.add((String)r.get("j"));
        }
        return out;
    }

    private List<String> errorText(final String inSchema) throws Exception
    {
        final List<String> out = new ArrayList<>();
        for (final Map<String, Object> r : rows("SELECT concat_ws(' | ', server_file, version, class, object_key, " +
            "kind, message) AS e FROM \"" + inSchema + "\"._outpost_mirror_errors ORDER BY id"))
        {
            out.add((String)r.get("e"));
        }
        return out;
    }

    /** A statement of SQL in the test's schema ({@code $s}). */
    private void sql(final String... statements) throws Exception
    {
        try (Connection c = pg.connect(); Statement st = c.createStatement())
        {
            for (final String s : statements)
            {
                st.execute(s.replace("$s", "\"" + schema + "\""));
            }
        }
    }

    /**
     * Objects a batch creates (no row yet: not in the mirror's state before the batch) are written with
     * {@code COPY}, objects that existed with the upsert; PostgreSQL's own view of each row's statement (a test
     * trigger logging {@code current_query()}) shows it. The rows equal a mirror's fed one changeset at a time
     * (awkward text: backslashes, tabs, newlines, a literal \N), and the COPY does not echo through the inbound
     * capture's triggers ({@code outpost.origin = 'mirror'}).
     */
    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void shouldCopyNewObjectsAndUpsertExistingOnesWithoutEcho() throws Exception
    {
        final int objects = 20;
        final String reference = schema + "ref";
        final PgMirror one = mirrorInto(reference);
        long v = append(FLX, EveryType::schema);
        for (int k = 0; k < objects; k++)
        {
            final int key = k;
            v = append(FLX, b -> everyTypeObject(b, key));
            awaitMirrored(one, FLX, v);
        }
        final PgMirror first = mirror(null, null);
        awaitMirrored(first, FLX, v);
        first.close();
        sql("CREATE TABLE $s.copy_log (k text, op text)",
            "CREATE FUNCTION $s.copy_log() RETURNS trigger LANGUAGE plpgsql AS $f$ BEGIN INSERT INTO $s.copy_log " +
                "VALUES (NEW._id::text, TG_OP || ' ' || upper(split_part(ltrim(current_query()), ' ', 1))); " +
                "RETURN NEW; END $f$",
            "CREATE TRIGGER copy_log BEFORE INSERT OR UPDATE ON $s.\"Item\" FOR EACH ROW EXECUTE FUNCTION " +
                "$s.copy_log()");

        // one batch for the next mirror: the existing objects changed, as many new ones created
        for (int k = 0; k < objects; k++)
        {
            final int key = k;
            v = append(FLX, b ->
            {
                b.update("Item", objectKey(key), "s", NO_PATH, Instr.TYPE_STRING,
                    new Value.Str(AWKWARD[key % AWKWARD.length] + "\\2\t"), false, -1);
                everyTypeObject(b, key + objects);
            });
            awaitMirrored(one, FLX, v);
        }
        final PgMirror second = mirror(null, null);
        awaitMirrored(second, FLX, v);
        assertThat(tableText(schema, "Item")).hasSize(2 * objects).isEqualTo(tableText(reference, "Item"));
        assertThat(tableText(schema, "Other")).hasSize(2 * objects).isEqualTo(tableText(reference, "Other"));
        final Map<String, List<String>> ops = new HashMap<>();
        for (final Map<String, Object> r : rows("SELECT k, op FROM $s.copy_log ORDER BY op"))
        {
            ops.computeIfAbsent((String)r.get("k"), x -> new ArrayList<>()).add((String)r.get("op"));
        }
        assertThat(ops).hasSize(2 * objects);
        int updated = 0;
        for (final Map<String, Object> r : rows("SELECT _id::text AS k, s FROM $s.\"Item\""))
        {
            final String text = (String)r.get("s");
            if (null != text && text.endsWith("\\2\t"))
            {
                updated++;
                assertThat(ops.get((String)r.get("k"))).as("an existing object").contains("UPDATE INSERT")
                    .doesNotContain("INSERT COPY");
            }
        }
        assertThat(updated).isEqualTo(objects);
        assertThat(ops.values().stream().filter(l -> l.equals(List.of("INSERT COPY"))).count()).isEqualTo(objects);
        assertThat(second.statusJson().getLong("rows_copied")).isEqualTo(2L * objects); // Item and Other
        assertThat(rows("SELECT * FROM $s._outpost_inbound")).isEmpty(); // no echo
        assertThat(rows("SELECT * FROM $s._outpost_mirror_errors")).isEmpty();
        assertThat(second.statusJson().getLong("batches_rewritten")).isZero();
    }

    /**
     * A new object whose row is there after all (here: the position reset, so every object is new to a state
     * rebuilt from version 0; in production a row inserted with SQL): the refused COPY is rolled back and the batch
     * written with the upserts, not row by row; the rows equal the first mirror's.
     */
    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void shouldUpsertNewObjectsWhoseRowsExistWhenCopyIsRefused() throws Exception
    {
        final int objects = 20;
        long v = append(FLX, EveryType::schema);
        for (int k = 0; k < objects; k++)
        {
            final int key = k;
            v = append(FLX, b -> everyTypeObject(b, key));
        }
        final PgMirror first = mirror(null, null);
        awaitMirrored(first, FLX, v);
        first.close();
        final List<String> items = tableText(schema, "Item");
        sql("DELETE FROM $s._outpost_mirror_position");
        final PgMirror second = mirror(null, null);
        awaitMirrored(second, FLX, v);
        assertThat(tableText(schema, "Item")).hasSize(objects).isEqualTo(items);
        assertThat(second.statusJson().getLong("rows_copied")).isZero();
        assertThat(second.statusJson().getLong("batches_rewritten")).isZero();
        assertThat(rows("SELECT * FROM $s._outpost_mirror_errors")).isEmpty();
    }

    /**
     * With room for one server file's state, the others' are dropped once their rows are committed and rebuilt from
     * their position when they change again: a list edit that needs the earlier state lands right, nothing is
     * written twice or skipped, nothing reported.
     */
    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void shouldEvictIdleFilesStateAndRebuildItFromItsPosition() throws Exception
    {
        final List<String> files = List.of("pbs/app/\"a\"", "pbs/app/\"b\"", "pbs/app/\"c\"");
        final PgMirror m = PgMirror.start("app", new MirrorSettings(pg.url(), schema), null, null, store,
            new ServerMetrics(), 1);
        mirrors.add(m);
        for (final String file : files)
        {
            append(file, b ->
            {
                b.addTable("Item", Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_INT, false);
                b.addColumn("Item", "scores", Instr.TYPE_INT, false, Instr.COLLECTION_LIST, null, 0);
                b.createObject("Item", new Value.Int(1));
                b.arrayInsert("Item", new Value.Int(1), "scores", new Object[]{0L}, Instr.TYPE_INT, new Value.Int(1), 0);
            });
            final long v = append(file, b -> b.arrayInsert("Item", new Value.Int(1), "scores", new Object[]{1L},
                Instr.TYPE_INT, new Value.Int(2), 1));
            awaitMirrored(m, file, v);
        }
        while (m.statusJson().getInteger("resident_files") > 1)
        {
            Thread.sleep(10);
        }
        // each file again, the least recently changed (evicted) first: its state is rebuilt up to its position
        for (final String file : files)
        {
            final long v = append(file, b -> b.arrayInsert("Item", new Value.Int(1), "scores", new Object[]{2L},
                Instr.TYPE_INT, new Value.Int(3), 2));
            awaitMirrored(m, file, v);
            assertThat(m.statusJson().getInteger("resident_files")).isLessThanOrEqualTo(2);
        }
        assertThat(rows("SELECT _partition, scores::text FROM $s.\"Item\" ORDER BY _partition")).containsExactly(
            Map.of("_partition", "a", "scores", "[1, 2, 3]"), Map.of("_partition", "b", "scores", "[1, 2, 3]"),
            Map.of("_partition", "c", "scores", "[1, 2, 3]"));
        assertThat(rows("SELECT server_file, version FROM $s._outpost_mirror_position ORDER BY server_file"))
            .containsExactly(Map.of("server_file", files.get(0), "version", 3L),
                Map.of("server_file", files.get(1), "version", 3L), Map.of("server_file", files.get(2), "version", 3L));
        assertThat(rows("SELECT * FROM $s._outpost_mirror_errors")).isEmpty();
        while (m.statusJson().getInteger("resident_files") > 1)
        {
            Thread.sleep(10); // the states of the two files changed before the last one go once committed
        }
    }
}
