package dev.outpost.server.sync;

import dev.outpost.codec.changeset.Instr;
import dev.outpost.codec.message.MessageType;
import dev.outpost.ot.model.Changeset;
import dev.outpost.ot.model.ChangesetReader;
import dev.outpost.ot.model.ChangesetWriter;
import dev.outpost.ot.state.ChangesetBuilder;
import dev.outpost.ot.state.ObjectData;
import dev.outpost.ot.state.Value;
import dev.outpost.ot.sync.ClientIntegrator;
import dev.outpost.ot.sync.DownloadEntry;
import dev.outpost.ot.sync.UploadBatch;
import dev.outpost.ot.sync.UploadEntry;
import dev.outpost.server.config.ServerConfig;
import dev.outpost.server.mirror.EveryType;
import dev.outpost.server.mirror.PgInbound;
import dev.outpost.server.mirror.PgMirror;
import dev.outpost.server.mirror.PostgresServer;
import dev.outpost.server.sync.SyncTestClient.Msg;
import dev.outpost.server.sync.SyncTestClient.Up;
import dev.outpost.server.sync.wire.RealmTime;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The mirror's inbound path against a real PostgreSQL: INSERT, UPDATE and DELETE made with SQL on the mirrored
 * tables reach a client (ot-core's {@link ClientIntegrator}, realm's client-side integration, over a real
 * connection) with every Realm type mapped back; the mirror's own writes are not captured (no echo); a row that is
 * no valid changeset goes to the error table and the metric and blocks nothing; changes made while Outpost is
 * stopped arrive when it starts, stamped with the time they were made, so that the same field set with SQL and by
 * an offline client resolves by realm's rule (the later Set wins) and the client, the server and the table agree.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class MirrorInboundIT
{
    private static final String APP = "mirror-inbound";
    private static final String PARTITION = "\"p1\"";
    private static final String FILE = SyncService.pbsFileName(APP, PARTITION);
    private static final String K1 = "0102030405060708090a0b0c";
    private static final String K2 = "0d0e0f101112131415161718";
    private static PostgresServer pg;
    private static int schemas;

    @TempDir
    Path dir;

    private final SyncTestServer fixture = new SyncTestServer(APP);
    private String schema;
    private UnaryOperator<ServerConfig> tweak;

    /** One simulated client: realm's client-side integration + a connection + what it uploaded already. */
    private static final class Sim
    {
        SyncTestClient ws;
        final ClientIntegrator client;
        final long salt;
        long sentUpTo;
        long latest;
        long latestSalt;

        Sim(final SyncTestClient ws, final long ident, final long salt)
        {
            this.ws = ws;
            this.client = new ClientIntegrator(ident);
            this.salt = salt;
        }
    }

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
    void start() throws Exception
    {
        pg.ensureRunning();
        schema = "inb" + (++schemas);
        tweak = c -> c.mirrorPostgres(pg.url()).mirrorSchema(schema);
        fixture.start(dir, tweak);
    }

    @AfterEach
    void close()
    {
        fixture.close();
    }

    @Test
    void shouldSyncSqlInsertUpdateAndDeleteOfEveryTypeToAClientWithoutEcho() throws Exception
    {
        final Sim sim = open();
        commit(sim, new ChangesetReader().read(EveryType.changeset()), now());
        settle(sim);
        awaitMirrored();
        final long before = head();

        sql("INSERT INTO $s.\"Item\" (_partition, _id, i, b, s, bin, ts, f, d, dec, oid, u, \"any\", other, others, " +
            "scores, tags, attrs) SELECT _partition, '" + K2 + "', i, b, s, bin, ts, f, d, dec, oid, u, \"any\", " +
            "other, others, scores, tags, attrs FROM $s.\"Item\" WHERE _id = '" + K1 + "'");
        awaitHead(before + 1);
        settle(sim);
        final ObjectData original = sim.client.state().object("Item", key(K1)).copy();
        final ObjectData copy = sim.client.state().object("Item", key(K2)).copy();
        assertThat(copy).as("the row inserted with SQL reached the client").isNotNull();
        // embedded objects and nested collections are not written back from SQL: left out of the INSERT
        for (final String notCopied : List.of("_id", "addr", "nested"))
        {
            original.fields().remove(notCopied);
            copy.fields().remove(notCopied);
        }
        assertThat(copy.toString()).isEqualTo(original.toString());

        sql("UPDATE $s.\"Item\" SET s = 'changed with SQL', i = 7 WHERE _id = '" + K1 + "'");
        awaitHead(before + 2);
        settle(sim);
        final ObjectData updated = sim.client.state().object("Item", key(K1));
        assertThat(updated.get("s")).isEqualTo(new Value.Str("changed with SQL"));
        assertThat(updated.get("i")).isEqualTo(new Value.Int(7));
        assertThat(updated.get("b")).as("a column the UPDATE did not change is not set").isEqualTo(Value.Bool.TRUE);

        sql("DELETE FROM $s.\"Item\" WHERE _id = '" + K2 + "'");
        awaitHead(before + 3);
        settle(sim);
        assertThat(sim.client.state().object("Item", key(K2))).isNull();
        assertThat(sim.client.state().dump()).isEqualTo(fixture.server().sync().objectStateDump(FILE));

        // no echo: the mirror writes the three changes back to the table, which captures nothing and adds no version
        awaitMirrored();
        Thread.sleep(500);
        assertThat(head()).isEqualTo(before + 3);
        assertThat(count("SELECT count(*) FROM $s._outpost_inbound")).isZero();
        assertThat(inbound().integrated()).isEqualTo(3);
        assertThat(rows("SELECT s, i FROM $s.\"Item\" WHERE _id = '" + K1 + "'"))
            .containsExactly(Map.of("s", "changed with SQL", "i", 7L));
        assertThat(count("SELECT count(*) FROM $s.\"Item\"")).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM $s._outpost_inbound_errors")).isZero();
    }

    @Test
    void shouldReportRowsThatAreNoValidChangesetAndSyncTheNextOne() throws Exception
    {
        final Sim sim = open();
        commit(sim, new ChangesetReader().read(EveryType.changeset()), now());
        settle(sim);
        awaitMirrored();
        final long before = head();

        sql("UPDATE $s.\"Item\" SET i = NULL WHERE _id = '" + K1 + "'"); // a required int
        sql("UPDATE $s.\"Item\" SET oid = 'not an ObjectId' WHERE _id = '" + K1 + "'");
        sql("UPDATE $s.\"Item\" SET s = 'after the bad ones' WHERE _id = '" + K1 + "'");
        awaitHead(before + 1);
        settle(sim);
        assertThat(sim.client.state().object("Item", key(K1)).get("s")).isEqualTo(new Value.Str("after the bad ones"));
        assertThat(sim.client.state().object("Item", key(K1)).get("i")).isEqualTo(new Value.Int(-42));

        final List<Map<String, Object>> errors = rows("SELECT class, object_key, op, reason FROM " +
            "$s._outpost_inbound_errors ORDER BY id");
        assertThat(errors).hasSize(2);
        assertThat(errors.get(0)).containsEntry("class", "Item").containsEntry("object_key", K1)
            .containsEntry("op", "UPDATE");
        assertThat((String)errors.get(0).get("reason")).contains("'i'").contains("required");
        assertThat((String)errors.get(1).get("reason")).contains("'oid'").contains("ObjectId");
        assertThat(inbound().errors()).isEqualTo(2);
        final String metrics = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
            java.net.URI.create(fixture.server().http().adminBaseUrl() + "/metrics")).build(),
            java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        assertThat(metrics).contains("outpost_mirror_inbound_errors_total{app=\"" + APP + "\"} 2.0");
        assertThat(count("SELECT count(*) FROM $s._outpost_inbound")).isZero();
        // the mirror rewrote the row from the server's state: the refused values are gone from the table too
        awaitMirrored();
        assertThat(rows("SELECT i, oid, s FROM $s.\"Item\" WHERE _id = '" + K1 + "'"))
            .containsExactly(Map.of("i", -42L, "oid", K1, "s", "after the bad ones"));
        assertThat(head()).isEqualTo(before + 1);
    }

    @Test
    void shouldIntegrateChangesMadeWhileOutpostWasStoppedAndResolveTheSameFieldByTime() throws Exception
    {
        Sim sim = open();
        final ChangesetBuilder schemaAndOne = new ChangesetBuilder();
        schemaAndOne.addTable("Task", Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_INT, false);
        schemaAndOne.addColumn("Task", "title", Instr.TYPE_STRING, false, Instr.COLLECTION_SINGLE, null, 0);
        schemaAndOne.addColumn("Task", "done", Instr.TYPE_BOOL, false, Instr.COLLECTION_SINGLE, null, 0);
        schemaAndOne.createObject("Task", new Value.Int(1));
        schemaAndOne.update("Task", new Value.Int(1), "title", new Object[0], Instr.TYPE_STRING,
            new Value.Str("original"), false, -1);
        commit(sim, schemaAndOne.changeset(), now());
        settle(sim);
        awaitMirrored();

        // Outpost stopped: SQL writes (captured in the outbox), then the offline client edits the same field later
        fixture.close();
        sql("UPDATE $s.\"Task\" SET title = 'sql while down', done = true WHERE _id = 1");
        sql("INSERT INTO $s.\"Task\" (_partition, _id, title, done) VALUES ('p1', 2, 'inserted while down', false)");
        Thread.sleep(20);
        commit(sim, title(1, "client, later"), now());

        fixture.restart(dir, tweak);
        awaitOutboxEmpty();
        assertThat(inbound().integrated()).isEqualTo(2);
        sim = reconnect(sim);
        settle(sim);
        final String state = fixture.server().sync().objectStateDump(FILE);
        assertThat(sim.client.state().dump()).isEqualTo(state);
        final ObjectData one = sim.client.state().object("Task", new Value.Int(1));
        assertThat(one.get("title")).as("the client's Set is later than the SQL's (made while Outpost was down)")
            .isEqualTo(new Value.Str("client, later"));
        assertThat(one.get("done")).as("the SQL's other field").isEqualTo(Value.Bool.TRUE);
        assertThat(sim.client.state().object("Task", new Value.Int(2)).get("title"))
            .isEqualTo(new Value.Str("inserted while down"));

        // the other order: the offline client's Set is earlier than the SQL's, so the SQL's wins
        final long settled = head();
        commit(sim, title(1, "client, earlier"), now());
        Thread.sleep(20);
        sql("UPDATE $s.\"Task\" SET title = 'sql, later' WHERE _id = 1");
        awaitHead(settled + 1);
        settle(sim);
        assertThat(sim.client.state().object("Task", new Value.Int(1)).get("title"))
            .isEqualTo(new Value.Str("sql, later"));
        assertThat(sim.client.state().dump()).isEqualTo(fixture.server().sync().objectStateDump(FILE));
        awaitMirrored();
        assertThat(rows("SELECT _id, title, done FROM $s.\"Task\" ORDER BY _id")).containsExactly(
            Map.of("_id", 1L, "title", "sql, later", "done", true),
            Map.of("_id", 2L, "title", "inserted while down", "done", false));
        assertThat(count("SELECT count(*) FROM $s._outpost_inbound_errors")).isZero();
    }

    @Test
    void shouldSyncAnFlxRowChangeToTheClientsWhoseViewHoldsTheObjectOnly() throws Exception
    {
        final String flx = SyncService.flxFileName(APP);
        final String bind = "{\"schemaVersion\":0,\"sessionReason\":0}";
        final SyncTestClient w = fixture.connect(true);
        w.bind(1, bind, true);
        final Msg wIdent = w.next();
        w.identFlx(1, wIdent.get(0), wIdent.get(1), 0, 0, 0, 0, 1, "{\"Item\":\"(TRUEPREDICATE)\"}");
        w.mark(1, 1);
        w.next(MessageType.SERVER_MARK);
        final ChangesetBuilder b = new ChangesetBuilder();
        b.addTable("Item", Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_INT, false);
        b.addColumn("Item", "owner", Instr.TYPE_INT, false, Instr.COLLECTION_SINGLE, null, 0);
        b.addColumn("Item", "status", Instr.TYPE_STRING, true, Instr.COLLECTION_SINGLE, null, 0);
        for (final long id : new long[]{1, 2})
        {
            b.createObject("Item", new Value.Int(id));
            b.update("Item", new Value.Int(id), "owner", new Object[0], Instr.TYPE_INT, new Value.Int(id), false, -1);
        }
        w.upload(1, 2, 0, 0, false, new Up(2, 0, new ChangesetWriter().toBytes(b.changeset())));
        final PgMirror mirror = fixture.server().http().apps().mirror(APP);
        while (mirror.mirroredVersion(flx) < 1)
        {
            Thread.sleep(10);
        }
        final SyncTestClient r = fixture.connect(true);
        r.bind(1, bind, true);
        final Msg rIdent = r.next();
        r.identFlx(1, rIdent.get(0), rIdent.get(1), 0, 0, 0, 0, 1, "{\"Item\":\"(owner == 1)\"}");
        r.mark(1, 1);
        final List<String> seen = new ArrayList<>();
        Msg m;
        while ((m = r.next()).type() != MessageType.SERVER_MARK)
        {
            seen.addAll(updates(m));
        }
        assertThat(seen).as("the view holds Item 1 only").noneMatch(u -> u.startsWith("Item[2]"));

        sql("UPDATE $s.\"Item\" SET status = 'not in the view' WHERE _id = 2");
        sql("UPDATE $s.\"Item\" SET status = 'in the view' WHERE _id = 1");
        final List<String> after = new ArrayList<>();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!after.contains("Item[1].status"))
        {
            assertThat(System.nanoTime()).as("received %s; inbound %s", after, inbound().statusJson())
                .isLessThan(deadline);
            final Msg d = r.poll(100);
            if (null != d && d.type() == MessageType.DOWNLOAD)
            {
                after.addAll(updates(d));
            }
        }
        assertThat(after).as("the SQL change of an object outside the view is not sent").containsExactly(
            "Item[1].status");
        assertThat(fixture.server().sync().objectStateDump(flx)).contains("not in the view").contains("in the view");
    }

    /** @return the Updates of a DOWNLOAD as "Class[key].field". */
    private static List<String> updates(final Msg m) throws Exception
    {
        final List<String> out = new ArrayList<>();
        for (final SyncTestClient.Entry e : m.entries())
        {
            for (final dev.outpost.ot.model.Instruction i : new ChangesetReader().read(e.changeset()).instructions())
            {
                if (i instanceof dev.outpost.ot.model.Update u)
                {
                    out.add(u.table() + "[" + ((Value.Int)dev.outpost.ot.state.ModelValues.key(u.object())).value() +
                        "]." + u.field());
                }
            }
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------- helpers

    private static Changeset title(final long id, final String title)
    {
        final ChangesetBuilder b = new ChangesetBuilder();
        b.update("Task", new Value.Int(id), "title", new Object[0], Instr.TYPE_STRING, new Value.Str(title), false,
            -1);
        return b.changeset();
    }

    private static long now()
    {
        return System.currentTimeMillis() - RealmTime.EPOCH_MS;
    }

    private static Value key(final String hex)
    {
        return new Value.ObjectIdValue(java.util.HexFormat.of().parseHex(hex));
    }

    private PgInbound inbound()
    {
        return fixture.server().http().apps().inbound(APP);
    }

    private long head()
    {
        return fixture.server().sync().head(FILE);
    }

    private void awaitHead(final long version) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (head() < version)
        {
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("head " + head() + " < " + version + "; inbound " +
                    inbound().statusJson() + "; errors " + rows("SELECT * FROM $s._outpost_inbound_errors"));
            }
            Thread.sleep(10);
        }
    }

    private void awaitMirrored() throws Exception
    {
        final PgMirror mirror = fixture.server().http().apps().mirror(APP);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (mirror.mirroredVersion(FILE) < head())
        {
            assertThat(System.nanoTime()).as("mirrored %d of %d", mirror.mirroredVersion(FILE), head())
                .isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    /** @return the head once the outbox is empty (everything captured is integrated or reported). */
    private long awaitOutboxEmpty() throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (count("SELECT count(*) FROM $s._outpost_inbound") > 0)
        {
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("outbox not consumed; inbound " + inbound().statusJson());
            }
            Thread.sleep(10);
        }
        return head();
    }

    private Sim open() throws Exception
    {
        final SyncTestClient ws = fixture.connect(false);
        ws.bind(1, PARTITION, true);
        final Msg ident = ws.next();
        assertThat(ident.type()).isEqualTo(MessageType.SERVER_IDENT);
        ws.ident(1, ident.get(0), ident.get(1), 0, 0, 0, 0);
        ws.mark(1, 1);
        final Sim sim = new Sim(ws, ident.get(0), ident.get(1));
        drainUntilMark(sim);
        return sim;
    }

    private Sim reconnect(final Sim s) throws Exception
    {
        s.ws = fixture.connect(false);
        s.ws.bind(1, PARTITION, false);
        s.ws.ident(1, s.client.fileIdent(), s.salt, s.client.downloadServerVersion(),
            s.client.downloadClientVersion(), s.latest, s.latestSalt);
        s.sentUpTo = s.client.uploadClientVersion();
        s.ws.mark(1, 1);
        drainUntilMark(s);
        return s;
    }

    private static void commit(final Sim s, final Changeset c, final long timestamp)
    {
        assertThat(s.client.commitLocal(c, timestamp).ok()).isTrue();
    }

    /** Upload everything, then read until the client is at the head with its uploads acknowledged. */
    private void settle(final Sim s) throws Exception
    {
        for (int round = 0; round < 500; round++)
        {
            upload(s);
            receive(s, 20);
            if (s.client.downloadServerVersion() == head() && s.client.pendingUpload().entries().isEmpty())
            {
                return;
            }
        }
        throw new AssertionError("client not settled: at " + s.client.downloadServerVersion() + ", head " + head());
    }

    private static void upload(final Sim s) throws Exception
    {
        final UploadBatch batch = s.client.pendingUpload();
        final List<Up> fresh = new ArrayList<>();
        final List<Long> stamps = new ArrayList<>();
        for (final UploadEntry e : batch.entries())
        {
            if (e.clientVersion() > s.sentUpTo)
            {
                fresh.add(new Up(e.clientVersion(), e.serverVersion(), new ChangesetWriter().toBytes(e.changeset())));
                stamps.add(e.originTimestamp());
            }
        }
        if (fresh.isEmpty())
        {
            return;
        }
        s.ws.uploadStamped(1, batch.progressClientVersion(), batch.progressServerVersion(),
            stamps.stream().mapToLong(Long::longValue).toArray(), fresh.toArray(new Up[0]));
        s.sentUpTo = fresh.get(fresh.size() - 1).clientVersion();
    }

    private static void receive(final Sim s, final long waitMs) throws Exception
    {
        Msg m;
        while ((m = s.ws.poll(waitMs)) != null)
        {
            assertThat(m.type()).as("%s %s", m, m.text()).isIn(MessageType.DOWNLOAD, MessageType.SERVER_MARK);
            if (m.type() == MessageType.DOWNLOAD)
            {
                integrate(s, m);
            }
        }
    }

    private static void drainUntilMark(final Sim s) throws Exception
    {
        Msg m;
        while ((m = s.ws.next()).type() != MessageType.SERVER_MARK)
        {
            integrate(s, m);
        }
    }

    private static void integrate(final Sim s, final Msg m) throws Exception
    {
        final List<DownloadEntry> entries = new ArrayList<>();
        for (final SyncTestClient.Entry e : m.entries())
        {
            entries.add(new DownloadEntry(e.serverVersion(), e.clientVersion(), e.timestamp(), e.originFileIdent(),
                new ChangesetReader().read(e.changeset())));
        }
        final var r = s.client.integrateDownload(entries, m.get(0), m.get(1), m.get(4), m.get(5));
        s.latest = m.get(2);
        s.latestSalt = m.get(3);
        assertThat(r.ok()).as("client integration: %s", r.message()).isTrue();
    }

    private void sql(final String statement) throws Exception
    {
        try (Connection c = pg.connect(); Statement st = c.createStatement())
        {
            st.execute(statement.replace("$s", "\"" + schema + "\""));
        }
    }

    private long count(final String sql) throws Exception
    {
        return (Long)rows(sql).get(0).get("count");
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
                    row.put(rs.getMetaData().getColumnLabel(i), rs.getObject(i));
                }
                out.add(row);
            }
            return out;
        }
    }
}
