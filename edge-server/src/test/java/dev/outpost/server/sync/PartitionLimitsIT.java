package dev.outpost.server.sync;

import dev.outpost.codec.message.MessageType;
import dev.outpost.server.config.ServerConfig;
import dev.outpost.server.runtime.SyncServer;
import dev.outpost.server.sync.wire.ErrorBodies;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

import static dev.outpost.server.sync.SyncTestClient.Msg;
import static dev.outpost.server.sync.SyncTestClient.Up;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hostile input at BIND and in FLX queries, over the raw protocol: long partitions, partitions created without
 * end, sessions without end on one connection, huge queries. Each is refused with a typed, non-retryable session
 * error that names the limit, touches only that session, and leaves no Java name on the wire.
 */
@Timeout(60)
class PartitionLimitsIT
{
    private static final String APP = "limits-app";
    private static final String FLX_BIND = "{\"schemaVersion\":0,\"sessionReason\":0}";

    @TempDir
    Path dir;

    private final SyncTestServer fixture = new SyncTestServer(APP);
    private SyncServer server;

    @AfterEach
    void stop()
    {
        fixture.close();
    }

    private void start(final UnaryOperator<ServerConfig> tweak) throws Exception
    {
        server = fixture.start(dir.resolve("server"), tweak);
    }

    private static String partition(final String name)
    {
        return "\"" + name + "\"";
    }

    /** BIND with a new client file: the server's IDENT, or the error that refused the BIND. */
    private static Msg bind(final SyncTestClient c, final long session, final String partition) throws Exception
    {
        c.bind(session, partition, true);
        return c.next();
    }

    private static void assertRefused(final Msg err, final long session, final int code, final String action)
    {
        assertThat(err.type()).as("%s %s", err, err.text()).isEqualTo(MessageType.SERVER_JSON_ERROR);
        assertThat(err.get(0)).isEqualTo(code);
        assertThat(err.session()).isEqualTo(session);
        final JsonObject body = new JsonObject(err.text());
        assertThat(body.getBoolean("tryAgain")).as("no retry loop").isFalse();
        assertThat(body.getString("action")).isEqualTo(action);
        assertThat(err.text()).doesNotContain("java.").doesNotContain("Exception").doesNotContain("internal error");
        assertThat(err.text().length()).isLessThan(512);
    }

    /** The connection still serves: PING answered, and a new session on a short partition works. */
    private static void assertConnectionServes(final SyncTestClient c, final long session) throws Exception
    {
        c.ping(7);
        assertThat(c.next().type()).isEqualTo(MessageType.PONG);
        final Msg ident = bind(c, session, partition("ok-" + session));
        assertThat(ident.type()).as("%s %s", ident, ident.text()).isEqualTo(MessageType.SERVER_IDENT);
    }

    @Test
    void shouldAnswerALongPartitionWithANonRetryableIllegalRealmPath() throws Exception
    {
        start(c -> c);
        final SyncTestClient c = fixture.connect(false);
        final String longPartition = partition("b".repeat(5000));
        final Msg err = bind(c, 1, longPartition);
        assertRefused(err, 1, 204, ErrorBodies.PROTOCOL_VIOLATION);
        assertThat(err.text()).contains("5002 bytes").contains(ServerConfig.PARTITION_MAX_BYTES_PROP);
        assertThat(server.sync().errorsSent(201)).as("never the retryable internal error").isZero();
        assertThat(server.sync().serverFiles()).isZero();
        c.unbind(1); // the client's answer to a session error: ignored
        assertConnectionServes(c, 2);
    }

    @Test
    void shouldRefuseAPartitionLongerThanTheSetting() throws Exception
    {
        start(c -> c.partitionMaxBytes(16));
        final SyncTestClient c = fixture.connect(false);
        assertThat(bind(c, 1, partition("x".repeat(14))).type()).isEqualTo(MessageType.SERVER_IDENT);
        // 15 characters, 17 bytes (é is two)
        assertRefused(bind(c, 2, partition("é" + "x".repeat(13))), 2, 204, ErrorBodies.PROTOCOL_VIOLATION);
        assertThat(server.sync().serverFiles()).isEqualTo(1);
    }

    @Test
    void shouldRefuseNewPartitionsBeyondTheUserBudgetButNotExistingOnes() throws Exception
    {
        start(c -> c.newFilesPerUser(3));
        final SyncTestClient c = fixture.connect(false);
        for (int i = 1; i <= 3; i++)
        {
            assertThat(bind(c, i, partition("p" + i)).type()).isEqualTo(MessageType.SERVER_IDENT);
        }
        final Msg err = bind(c, 4, partition("p4"));
        assertRefused(err, 4, 201, ErrorBodies.APPLICATION_BUG);
        assertThat(err.text()).contains(ServerConfig.NEW_FILES_PER_USER_PROP);
        assertThat(server.sync().serverFiles()).isEqualTo(3);
        assertThat(server.sync().newFilesRefused()).isEqualTo(1);
        // binding a partition that exists is not creating one
        assertThat(bind(c, 5, partition("p1")).type()).isEqualTo(MessageType.SERVER_IDENT);
        // another user has a budget of its own
        final SyncTestClient other = fixture.track(SyncTestClient.connect(server.port(), APP,
            SyncTestClient.login(server.port(), APP), false));
        assertThat(bind(other, 1, partition("q1")).type()).isEqualTo(MessageType.SERVER_IDENT);
        assertThat(server.sync().serverFiles()).isEqualTo(4);
    }

    @Test
    void shouldRefuseNewPartitionsBeyondTheAppBudgetAndTotal() throws Exception
    {
        start(c -> c.newFilesPerUser(0).newFilesPerApp(2));
        final SyncTestClient a = fixture.connect(false);
        assertThat(bind(a, 1, partition("a1")).type()).isEqualTo(MessageType.SERVER_IDENT);
        final SyncTestClient b = fixture.track(SyncTestClient.connect(server.port(), APP,
            SyncTestClient.login(server.port(), APP), false));
        assertThat(bind(b, 1, partition("b1")).type()).isEqualTo(MessageType.SERVER_IDENT);
        final Msg err = bind(b, 2, partition("b2"));
        assertRefused(err, 2, 201, ErrorBodies.APPLICATION_BUG);
        assertThat(err.text()).contains(ServerConfig.NEW_FILES_PER_APP_PROP);
        assertThat(server.sync().serverFiles()).isEqualTo(2);

        // the total: two files exist, a limit of two admits no third
        server = fixture.restart(dir.resolve("server"), c -> c.newFilesPerUser(0).newFilesPerApp(0)
            .maxFilesPerApp(2));
        final SyncTestClient c = fixture.connect(false);
        assertThat(bind(c, 1, partition("a1")).type()).isEqualTo(MessageType.SERVER_IDENT);
        final Msg full = bind(c, 2, partition("c1"));
        assertRefused(full, 2, 201, ErrorBodies.APPLICATION_BUG);
        assertThat(full.text()).contains(ServerConfig.MAX_FILES_PER_APP_PROP);
        assertThat(server.sync().serverFiles()).isEqualTo(2);
    }

    @Test
    void shouldRefuseSessionsBeyondThePerConnectionLimit() throws Exception
    {
        start(c -> c.maxSessionsPerConnection(2));
        final SyncTestClient c = fixture.connect(false);
        assertThat(bind(c, 1, partition("s")).type()).isEqualTo(MessageType.SERVER_IDENT);
        assertThat(bind(c, 2, partition("s")).type()).isEqualTo(MessageType.SERVER_IDENT);
        for (long s = 3; s <= 50; s++)
        {
            final Msg err = bind(c, s, partition("s"));
            assertRefused(err, s, 201, ErrorBodies.APPLICATION_BUG);
            assertThat(err.text()).contains(ServerConfig.MAX_SESSIONS_PER_CONNECTION_PROP);
            c.unbind(s); // the client's answer to a session error: ignored, not a protocol violation
        }
        c.ping(1);
        assertThat(c.next().type()).isEqualTo(MessageType.PONG);
        // a session that ends frees its place
        c.unbind(1);
        assertThat(c.next().type()).isEqualTo(MessageType.UNBOUND);
        assertThat(bind(c, 51, partition("s")).type()).isEqualTo(MessageType.SERVER_IDENT);
        // the limit is per connection
        final SyncTestClient other = fixture.connect(false);
        assertThat(bind(other, 1, partition("s")).type()).isEqualTo(MessageType.SERVER_IDENT);
    }

    @Test
    void shouldTruncateTheQueryEchoedInQueryErrorAndCapTheQuerySize() throws Exception
    {
        start(c -> c.flxQueryMaxBytes(64 * 1024));
        final SyncTestClient c = fixture.connect(true);
        c.bind(1, FLX_BIND, true);
        final Msg ident = c.next(MessageType.SERVER_IDENT);
        final StringBuilder ors = new StringBuilder("(name == \\\"x0\\\")");
        for (int i = 1; ors.length() < 40_000; i++)
        {
            ors.append(" OR (name == \\\"x").append(i).append("\\\")");
        }
        c.identFlx(1, ident.get(0), ident.get(1), 0, 0, 0, 0, 1, "{\"Item\":\"" + ors + "\"}");
        final Msg qe = c.next(MessageType.QUERY_ERROR);
        assertThat(qe.get(0)).isEqualTo(226);
        assertThat(qe.text()).as("refused: Item has no such property").contains("name == \"x0\"");
        assertThat(qe.text().getBytes(StandardCharsets.UTF_8).length).as("echo cut").isLessThan(1024);

        // above the setting: refused unparsed, with the limit named
        c.query(1, 2, "{\"Item\":\"" + ors + ors + "\"}");
        final Msg big = c.next(MessageType.QUERY_ERROR);
        assertThat(big.get(0)).isEqualTo(226);
        assertThat(big.text()).contains(ServerConfig.FLX_QUERY_MAX_BYTES_PROP);
        assertThat(big.text().length()).isLessThan(256);
        c.query(1, 3, "{\"Item\":\"(TRUEPREDICATE)\"}");
        c.mark(1, 1);
        c.next(MessageType.SERVER_MARK);
    }

    @Test
    void shouldEvictIdleServerFileContextsAndRebuildThemOnTheNextBind() throws Exception
    {
        // one context per writer beyond those in use (4 shards, 4 writers)
        final UnaryOperator<ServerConfig> tweak = c -> c.stateCacheFiles(4).newFilesPerUser(0);
        start(tweak);
        final int files = 40;
        final SyncTestClient c = fixture.connect(false);
        for (int i = 0; i < files; i++)
        {
            final long session = i + 1;
            final Msg ident = bind(c, session, partition("f" + i));
            c.ident(session, ident.get(0), ident.get(1), 0, 0, 0, 0);
            c.upload(session, 2, 0, 0, false, new Up(2, 0, Changesets.objects("Item", 1, 1, "v" + i)));
            Msg m = c.next(MessageType.DOWNLOAD);
            while (m.session() != session || m.get(4) < 2)
            {
                m = c.next(MessageType.DOWNLOAD);
            }
            c.unbind(session);
            c.next(MessageType.UNBOUND);
            assertThat(server.sync().residentFiles()).as("after %d files", i + 1).isLessThanOrEqualTo(4 + 1);
        }
        assertThat(server.sync().serverFiles()).isEqualTo(files);
        assertThat(server.sync().residentFiles()).isLessThanOrEqualTo(4);
        assertThat(server.sync().residentStoreFiles()).as("store indexes evicted with the contexts")
            .isLessThanOrEqualTo(4);

        // an evicted file comes back from its history: a new client downloads it, and a write merges on top
        final String f0 = SyncService.pbsFileName(APP, partition("f0"));
        final Msg ident = bind(c, 100, partition("f0"));
        c.ident(100, ident.get(0), ident.get(1), 0, 0, 0, 0);
        c.mark(100, 1);
        final StringBuilder seen = new StringBuilder();
        Msg m;
        while ((m = c.next()).type() == MessageType.DOWNLOAD)
        {
            m.entries().forEach(e -> seen.append(new String(e.changeset(), StandardCharsets.ISO_8859_1)));
        }
        assertThat(m.type()).isEqualTo(MessageType.SERVER_MARK);
        assertThat(seen.toString()).contains("v0");
        c.upload(100, 2, 1, 0, false, new Up(2, 1, Changesets.objects("Item", 2, 1, "w0")));
        do
        {
            m = c.next(MessageType.DOWNLOAD);
        }
        while (m.session() != 100 || m.get(4) < 2);
        assertThat(server.sync().head(f0)).isEqualTo(2);
        assertThat(server.sync().objectStateDump(f0)).contains("v0").contains("w0");

        // a restart loads no context until a BIND asks for one
        server = fixture.restart(dir.resolve("server"), tweak);
        assertThat(server.sync().serverFiles()).isEqualTo(files);
        assertThat(server.sync().residentFiles()).isZero();
        assertThat(server.sync().residentStoreFiles()).as("no store index loaded at open").isZero();
        assertThat(server.sync().head(f0)).isEqualTo(2);
        assertThat(server.sync().residentStoreFiles()).as("a head lookup loads nothing").isZero();
        assertThat(server.sync().objectStateDump(f0)).contains("v0").contains("w0");
    }
}
