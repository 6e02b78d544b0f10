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
}
