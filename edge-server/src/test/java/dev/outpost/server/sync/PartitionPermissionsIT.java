package dev.outpost.server.sync;

import dev.outpost.codec.message.MessageType;
import dev.outpost.ot.rules.PartitionRules;
import dev.outpost.ot.rules.RuleJson;
import dev.outpost.ot.rules.RuleValues;
import dev.outpost.ot.rules.Rules;
import dev.outpost.server.config.AppConfig;
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
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static dev.outpost.server.sync.SyncTestClient.Msg;
import static dev.outpost.server.sync.SyncTestClient.Up;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * PBS partition permissions ({@code partition.permissions} read/write) over the raw protocol: a BIND to a partition
 * the user may not read gets {@code json_error 206} (SyncPermissionDenied in realm's client), an UPLOAD with
 * changesets to a partition it may only read gets 206 and stores nothing; the users' own partitions, other sessions
 * and the connection are unaffected.
 */
@Timeout(60)
class PartitionPermissionsIT
{
    private static final String APP = "perm-app";
    private static final String OWN = "{\"%%partition\": \"%%user.id\"}";

    @TempDir
    Path dir;

    private SyncServer server;
    private final List<SyncTestClient> clients = new java.util.ArrayList<>();

    @AfterEach
    void stop()
    {
        clients.forEach(SyncTestClient::close);
        if (server != null)
        {
            server.close();
        }
    }

    private void start(final Object read, final Object write) throws Exception
    {
        final Rules rules = new Rules.Builder(RuleValues.NONE).partition(PartitionRules.parse(read, write,
            RuleValues.NONE)).build();
        server = SyncServer.start(new ServerConfig(Map.of()).port(0).host("127.0.0.1").dataDir(dir).eventLoops(2)
            .apps(List.of(new AppConfig(APP, null, true).withRules(rules))));
    }

    /** A logged-in anonymous user: {token, user id}. */
    private String[] user() throws Exception
    {
        final String token = SyncTestClient.login(server.port(), APP);
        final String payload = new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]), StandardCharsets.UTF_8);
        return new String[] {token, new JsonObject(payload).getString("sub")};
    }

    private SyncTestClient connect(final String token) throws Exception
    {
        final SyncTestClient c = SyncTestClient.connect(server.port(), APP, token, false);
        clients.add(c);
        return c;
    }

    private static String partition(final String value)
    {
        return "\"" + value + "\"";
    }

    /** BIND, IDENT, MARK: the session's client file ident. */
    private static long open(final SyncTestClient c, final long session, final String partition) throws Exception
    {
        c.bind(session, partition, true);
        final Msg ident = c.next();
        assertThat(ident.type()).as("%s %s", ident, ident.text()).isEqualTo(MessageType.SERVER_IDENT);
        c.ident(session, ident.get(0), ident.get(1), 0, 0, 0, 0);
        c.mark(session, 1);
        Msg m = c.next();
        while (m.type() == MessageType.DOWNLOAD)
        {
            m = c.next();
        }
        assertThat(m.type()).isEqualTo(MessageType.SERVER_MARK);
        return ident.get(0);
    }

    private static void assertPermissionDenied(final Msg err, final long session, final String what)
    {
        assertThat(err.type()).as("%s %s", err, err.text()).isEqualTo(MessageType.SERVER_JSON_ERROR);
        assertThat(err.get(0)).isEqualTo(206);
        assertThat(err.session()).isEqualTo(session);
        final JsonObject body = new JsonObject(err.text());
        assertThat(body.getBoolean("tryAgain")).isFalse();
        assertThat(body.getString("action")).isEqualTo(ErrorBodies.APPLICATION_BUG);
        assertThat(body.getString("message")).contains("permission denied").contains(what);
        assertThat(err.text()).doesNotContain("java.").doesNotContain("Exception");
    }

    @Test
    void shouldRefuseToBindAnotherUsersPartitionAndServeOwnPartitions() throws Exception
    {
        start(RuleJson.parse(OWN), RuleJson.parse(OWN));
        final String[] alice = user();
        final String[] bob = user();
        final SyncTestClient a = connect(alice[0]);
        final SyncTestClient b = connect(bob[0]);
        open(a, 1, partition(alice[1]));
        open(b, 1, partition(bob[1]));

        a.bind(2, partition(bob[1]), true);
        assertPermissionDenied(a.next(), 2, "may not read partition");
        a.unbind(2); // the client's answer to a session error: ignored

        // alice's own session goes on, and bob's data is his alone
        a.upload(1, 2, 0, 0, false, new Up(2, 0, Changesets.objects("Item", 1, 2, "alice")));
        assertThat(a.next(MessageType.DOWNLOAD).get(4)).as("acknowledged").isEqualTo(2);
        b.upload(1, 2, 0, 0, false, new Up(2, 0, Changesets.objects("Item", 10, 1, "bob")));
        assertThat(b.next(MessageType.DOWNLOAD).get(4)).isEqualTo(2);
        assertThat(server.sync().head(SyncService.pbsFileName(APP, partition(bob[1])))).isEqualTo(1);
        assertThat(server.sync().objectStateDump(SyncService.pbsFileName(APP, partition(bob[1]))))
            .contains("\"bob10\"").doesNotContain("alice");
        assertThat(server.sync().serverFiles()).as("the refused BIND created nothing").isEqualTo(2);

        // the connection still serves
        a.ping(7);
        assertThat(a.next().type()).isEqualTo(MessageType.PONG);
        open(a, 3, partition(alice[1]));
    }

    @Test
    void shouldRefuseUploadsToAPartitionTheUserMayOnlyRead() throws Exception
    {
        start(true, RuleJson.parse(OWN));
        final String[] alice = user();
        final String[] bob = user();
        final SyncTestClient a = connect(alice[0]);
        final SyncTestClient b = connect(bob[0]);
        open(b, 1, partition(bob[1]));
        b.upload(1, 2, 0, 0, false, new Up(2, 0, Changesets.objects("Item", 1, 1, "bob")));
        assertThat(b.next(MessageType.DOWNLOAD).get(4)).isEqualTo(2);

        // alice may read bob's partition: she binds and downloads it, and may report progress
        open(a, 1, partition(bob[1]));
        a.upload(1, 1, 1, 1, false);
        assertThat(a.poll(300)).as("an empty progress UPLOAD is fine").isNull();
        // but her changesets are refused and nothing is stored
        a.upload(1, 2, 1, 1, false, new Up(2, 1, Changesets.objects("Item", 5, 1, "alice")));
        assertPermissionDenied(a.next(), 1, "may not write partition");
        assertThat(server.sync().head(SyncService.pbsFileName(APP, partition(bob[1])))).isEqualTo(1);
        assertThat(server.sync().objectStateDump(SyncService.pbsFileName(APP, partition(bob[1]))))
            .doesNotContain("alice");
        assertThat(b.poll(300)).as("bob sees nothing of it").isNull();

        // the original protocol's TRANSACT is a write too
        open(a, 3, partition(bob[1]));
        a.transact(3, 2, 1, Changesets.objects("Item", 6, 1, "alice"));
        assertPermissionDenied(a.next(), 3, "may not write partition");
        assertThat(server.sync().head(SyncService.pbsFileName(APP, partition(bob[1])))).isEqualTo(1);

        // bob writes on, unaffected; alice's own partition is hers to write
        b.upload(1, 3, 0, 0, false, new Up(3, 0, Changesets.objects("Item", 2, 1, "bob")));
        assertThat(b.next(MessageType.DOWNLOAD).get(4)).isEqualTo(3);
        open(a, 2, partition(alice[1]));
        a.upload(2, 2, 0, 0, false, new Up(2, 0, Changesets.objects("Item", 1, 1, "alice")));
        assertThat(a.next(MessageType.DOWNLOAD).get(4)).isEqualTo(2);
    }

    /** Register and log in an email/password user: its access token. */
    private String emailUser(final String email) throws Exception
    {
        final String base = "http://127.0.0.1:" + server.port() + "/api/client/v2.0/app/" + APP +
            "/auth/providers/local-userpass/";
        final java.net.http.HttpResponse<String> reg = SyncTestClient.HTTP.send(java.net.http.HttpRequest
            .newBuilder(java.net.URI.create(base + "register")).header("Content-Type", "application/json")
            .POST(java.net.http.HttpRequest.BodyPublishers.ofString(new JsonObject().put("email", email)
                .put("password", "s3cret-pw").encode())).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(reg.statusCode()).as(reg.body()).isEqualTo(201);
        final java.net.http.HttpResponse<String> login = SyncTestClient.HTTP.send(java.net.http.HttpRequest
            .newBuilder(java.net.URI.create(base + "login")).header("Content-Type", "application/json")
            .POST(java.net.http.HttpRequest.BodyPublishers.ofString(new JsonObject().put("username", email)
                .put("password", "s3cret-pw").encode())).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(login.statusCode()).as(login.body()).isEqualTo(200);
        return new JsonObject(login.body()).getString("access_token");
    }

    @Test
    void shouldResolveUserDataFromTheUsersProfile() throws Exception
    {
        final Object byEmail = RuleJson.parse("{\"%%partition\": \"%%user.data.email\"}");
        final Rules rules = new Rules.Builder(RuleValues.NONE).partition(PartitionRules.parse(byEmail, byEmail,
            RuleValues.NONE)).build();
        server = SyncServer.start(new ServerConfig(Map.of()).port(0).host("127.0.0.1").dataDir(dir).eventLoops(2)
            .apps(List.of(new AppConfig(APP, null, false).withUserPass(new AppConfig.UserPass(10_000, 5,
                java.time.Duration.ofMinutes(1))).withRules(rules))));
        final SyncTestClient ann = connect(emailUser("ann@example.com"));
        open(ann, 1, partition("ann@example.com"));
        ann.bind(2, partition("bob@example.com"), true);
        assertPermissionDenied(ann.next(), 2, "may not read partition");
    }

    @Test
    void shouldLetEveryoneReadAndWriteWithoutRules() throws Exception
    {
        server = SyncServer.start(new ServerConfig(Map.of()).port(0).host("127.0.0.1").dataDir(dir).eventLoops(2)
            .apps(List.of(new AppConfig(APP, null, true))));
        final String[] alice = user();
        final String[] bob = user();
        final SyncTestClient a = connect(alice[0]);
        open(a, 1, partition(bob[1]));
        a.upload(1, 2, 0, 0, false, new Up(2, 0, Changesets.objects("Item", 1, 1, "alice")));
        assertThat(a.next(MessageType.DOWNLOAD).get(4)).isEqualTo(2);
    }
}
