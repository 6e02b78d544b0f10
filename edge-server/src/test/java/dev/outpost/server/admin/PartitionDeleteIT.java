package dev.outpost.server.admin;

import dev.outpost.codec.message.MessageType;
import dev.outpost.server.config.AppConfig;
import dev.outpost.server.config.ServerConfig;
import dev.outpost.server.runtime.SyncServer;
import dev.outpost.server.sync.Changesets;
import dev.outpost.server.sync.SyncService;
import dev.outpost.server.sync.SyncTestClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Deleting a PBS partition through the admin API ({@code DELETE .../sync/files?partition=|file=}) against a real
 * server with real sync WebSockets: a connected client of the partition gets a client reset (208, ClientReset), a
 * new client binding it starts empty on a new server file (new salt), an offline client of the old file is reset at
 * its IDENT, other partitions are untouched, and all of it survives a restart.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PartitionDeleteIT
{
    private static final String KEY = "admin-test-key-0123456789abcdef";
    private static final String APP = "shop";
    private static final String P1 = "\"p1\"";
    private static final String P2 = "\"p2\"";
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;

    private SyncServer server;
    private final List<AutoCloseable> open = new ArrayList<>();

    @BeforeEach
    void start() throws Exception
    {
        server = SyncServer.start(config());
    }

    @AfterEach
    void stop() throws Exception
    {
        for (final AutoCloseable c : open)
        {
            c.close();
        }
        if (null != server)
        {
            server.close();
        }
    }

    private ServerConfig config()
    {
        return new ServerConfig(Map.of()).host("127.0.0.1").port(0).dataDir(dir).eventLoops(1).adminKey(KEY)
            .apps(List.of(new AppConfig(APP, null, true)));
    }

    @Test
    void shouldDeleteAPartitionResetItsClientsAndLeaveTheOthersAlone() throws Exception
    {
        final SyncService sync = server.sync(APP);
        final String p1 = SyncService.pbsFileName(APP, P1);
        final String p2 = SyncService.pbsFileName(APP, P2);
        sync.writeServerChangeset(p1, Changesets.randomObjects("Item", 0, 3, 10)).get(10, TimeUnit.SECONDS);
        sync.writeServerChangeset(p2, Changesets.randomObjects("Item", 0, 1, 10)).get(10, TimeUnit.SECONDS);
        final long oldSalt = sync.historyStore().serverFile(p1).salt();

        final SyncTestClient a = syncClient();
        final long[] aIdent = bindAndIdent(a, P1);
        final SyncTestClient c = syncClient();
        bindAndIdent(c, P2);

        assertError(admin("DELETE", appPath("/sync/files")), 400, "BadRequest");
        assertError(admin("DELETE", appPath("/sync/files?file=x&partition=y")), 400, "BadRequest");
        assertError(admin("DELETE", appPath("/sync/files?file=" + enc(SyncService.flxFileName(APP)))), 400,
            "BadRequest");
        assertError(admin("DELETE", appPath("/sync/files?partition=" + enc("\"nope\""))), 404, "NotFound");
        assertThat(admin("DELETE", appPath("/sync/files?partition=" + enc(P1)), null).statusCode())
            .as("the admin key is required").isEqualTo(401);
        assertError(admin("DELETE", appPath("/sync/files?schema=bogus&partition=" + enc(P1))), 400, "BadRequest");
        final List<String> schemaBefore = schemaOf(sync.objectStateDump(p1));
        assertThat(sync.objectStateDump(p1)).contains("Item");

        final HttpResponse<String> deleted = admin("DELETE", appPath("/sync/files?partition=" + enc(P1)));
        assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(204);

        // the connected client of the partition gets a client reset
        final SyncTestClient.Msg reset = a.next(MessageType.SERVER_JSON_ERROR);
        assertThat(reset.get(0)).as("bad_client_file_ident").isEqualTo(208);
        assertThat(reset.text()).contains("ClientReset").doesNotContain("Exception");

        // a new server file of the name holds the old schema only (a client had synced it); p2 is untouched
        final JsonArray files = new JsonArray(admin("GET", appPath("/sync/files")).body());
        assertThat(files).hasSize(2);
        assertThat(files.getJsonObject(0).getString("name")).isEqualTo(p1);
        assertThat(files.getJsonObject(0).getLong("version")).as("the schema").isEqualTo(1);
        assertThat(files.getJsonObject(0).getInteger("clients")).isZero();
        assertThat(files.getJsonObject(1).getString("name")).isEqualTo(p2);
        assertThat(files.getJsonObject(1).getLong("version")).isEqualTo(1);
        assertThat(sync.historyStore().serverFile(p1).salt()).as("a new salt").isNotEqualTo(oldSalt);
        final String dumpAfter = sync.objectStateDump(p1);
        assertThat(schemaOf(dumpAfter)).as("same schema").isEqualTo(schemaBefore);
        assertThat(objectsOf(dumpAfter)).as("no objects").isEmpty();
        assertThat(objectsOf(sync.objectStateDump(p2))).hasSize(1);

        // a new client of the partition starts empty, on a new server file
        final SyncTestClient b = syncClient();
        b.bind(1, P1, true);
        final SyncTestClient.Msg bIdent = b.next(MessageType.SERVER_IDENT);
        b.ident(1, bIdent.get(0), bIdent.get(1), 0, 0, 0, 0);
        final SyncTestClient.Msg empty = b.next(MessageType.DOWNLOAD);
        assertThat(empty.entries()).as("the schema only").hasSize(1);

        // the client of the other partition still syncs
        sync.writeServerChangeset(p2, Changesets.randomObjects("Item", 10, 1, 10)).get(10, TimeUnit.SECONDS);
        assertThat(c.next(MessageType.DOWNLOAD).entries()).hasSize(1);

        // an offline client of the deleted file is reset at its next IDENT
        final SyncTestClient offline = syncClient();
        offline.bind(1, P1, false);
        offline.ident(1, aIdent[0], aIdent[1], 1, 0, 1, oldSalt);
        final SyncTestClient.Msg offlineReset = offline.next(MessageType.SERVER_JSON_ERROR);
        assertThat(offlineReset.get(0)).as("unknown ident or salt mismatch").isIn(208L, 211L);
        assertThat(offlineReset.text()).contains("ClientReset");

        assertThat(get(server.http().adminBaseUrl() + "/metrics").body())
            .contains("outpost_files_deleted_total{app=\"" + APP + "\"} 1.0");
        final JsonObject errors = new JsonObject(admin("GET", appPath("/sync/errors?code=208")).body());
        assertThat(errors.getJsonObject("by_code").getLong("208")).isGreaterThanOrEqualTo(1);

        // after a restart: still deleted, the new file and the other partition as they were
        final long newSalt = sync.historyStore().serverFile(p1).salt();
        for (final AutoCloseable x : open)
        {
            x.close();
        }
        open.clear();
        server.close();
        server = SyncServer.start(config());
        final SyncService again = server.sync(APP);
        assertThat(again.historyStore().serverFile(p1).salt()).isEqualTo(newSalt);
        assertThat(again.head(p1)).isEqualTo(1);
        assertThat(again.head(p2)).isEqualTo(2);
        final SyncTestClient back = syncClient();
        back.bind(1, P1, false);
        back.ident(1, bIdent.get(0), bIdent.get(1), 0, 0, 0, 0);
        assertThat(back.next().type()).as("the new file's client syncs on").isEqualTo(MessageType.DOWNLOAD);

        // schema=drop: nothing of the name is left
        assertThat(admin("DELETE", appPath("/sync/files?schema=drop&file=" + enc(p1))).statusCode()).isEqualTo(204);
        assertThat(back.next(MessageType.SERVER_JSON_ERROR).get(0)).isEqualTo(208);
        assertThat(again.historyStore().contains(p1)).isFalse();
        assertThat(new JsonArray(admin("GET", appPath("/sync/files")).body())).hasSize(1);
        assertError(admin("DELETE", appPath("/sync/files?file=" + enc(p1))), 404, "NotFound");
    }

    @Test
    void shouldResetASessionWaitingForItsIdentAndForgetTheOldFilesForcedResets() throws Exception
    {
        final String p1 = SyncService.pbsFileName(APP, P1);
        final SyncTestClient a = syncClient();
        bindAndIdent(a, P1);
        final SyncTestClient waiting = syncClient();
        waiting.bind(1, P1, true);
        waiting.next(MessageType.SERVER_IDENT); // allocated, IDENT not sent yet
        // every client file of the old file is marked for a forced reset
        assertThat(admin("POST", appPath("/sync/client_reset"), KEY, new JsonObject().put("file", p1).encode())
            .statusCode()).isEqualTo(200);
        assertThat(a.next(MessageType.SERVER_JSON_ERROR).get(0)).isEqualTo(222);

        assertThat(admin("DELETE", appPath("/sync/files?file=" + enc(p1))).statusCode()).isEqualTo(204);
        final SyncTestClient.Msg closed = waiting.next(MessageType.SERVER_JSON_ERROR);
        assertThat(closed.get(0)).as("session_closed: bind again").isEqualTo(200);
        assertThat(closed.text()).contains("Transient");

        // the new file's client files are not covered by the old file's forced resets
        final SyncTestClient b = syncClient();
        bindAndIdent(b, P1);
    }

    // -------------------------------------------------------------------------------------------------------------

    /** @return the schema lines of an object state dump (tables and columns). */
    private static List<String> schemaOf(final String dump)
    {
        return dump.lines().filter(l -> l.startsWith("class ") || l.startsWith("  column ")).toList();
    }

    /** @return the object lines of an object state dump. */
    private static List<String> objectsOf(final String dump)
    {
        return dump.lines().filter(l -> l.startsWith("  object ")).toList();
    }

    private long[] bindAndIdent(final SyncTestClient client, final String partition) throws Exception
    {
        client.bind(1, partition, true);
        final SyncTestClient.Msg ident = client.next(MessageType.SERVER_IDENT);
        client.ident(1, ident.get(0), ident.get(1), 0, 0, 0, 0);
        assertThat(client.next().type()).isEqualTo(MessageType.DOWNLOAD);
        return new long[] {ident.get(0), ident.get(1)};
    }

    private SyncTestClient syncClient() throws Exception
    {
        final String token = new JsonObject(send("POST", server.baseUrl() + "/api/client/v2.0/app/" + APP +
            "/auth/providers/anon-user/login", null, "{}").body()).getString("access_token");
        final SyncTestClient client = SyncTestClient.connect(server.port(), APP, token, false);
        open.add(client);
        return client;
    }

    private static String enc(final String s)
    {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String appPath(final String rest)
    {
        return "/api/admin/v3.0/groups/any-group/apps/" + APP + rest;
    }

    private HttpResponse<String> admin(final String method, final String path) throws Exception
    {
        return admin(method, path, KEY);
    }

    private HttpResponse<String> admin(final String method, final String path, final String bearer) throws Exception
    {
        return send(method, server.http().adminBaseUrl() + path, bearer, null);
    }

    private HttpResponse<String> admin(final String method, final String path, final String bearer,
        final String body) throws Exception
    {
        return send(method, server.http().adminBaseUrl() + path, bearer, body);
    }

    private static HttpResponse<String> get(final String url) throws Exception
    {
        return send("GET", url, null, null);
    }

    private static HttpResponse<String> send(final String method, final String url, final String bearer,
        final String body) throws Exception
    {
        final HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/json")
            .method(method, null == body ? HttpRequest.BodyPublishers.noBody() :
                HttpRequest.BodyPublishers.ofString(body));
        if (null != bearer)
        {
            b.header("Authorization", "Bearer " + bearer);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void assertError(final HttpResponse<String> r, final int status, final String code)
    {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        final JsonObject body = new JsonObject(r.body());
        assertThat(body.getString("error_code")).isEqualTo(code);
        assertThat(body.getString("error")).isNotBlank();
    }
}
