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
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The admin API against a real server ({@link SyncServer}) with real sync WebSockets: authentication and its errors,
 * users (paging, search, disable, logout, delete, password reset), connections (list, disconnect), server files,
 * forced client resets, sync errors and the masked configuration.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AdminApiIT
{
    private static final String KEY = "admin-test-key-0123456789abcdef";
    private static final String APP = "shop";
    private static final String PARTITION = "\"p1\"";
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
            .apps(List.of(new AppConfig(APP, null, true)
                .withUserPass(new AppConfig.UserPass(10_000, 100, Duration.ofMinutes(1)))));
    }

    // -------------------------------------------------------------------------------------------------------------
    // the listener and its authentication

    @Test
    void shouldServeTheApiAndStatusPagesOnTheAdminListenerOnly() throws Exception
    {
        assertThat(server.http().adminPort()).isPositive().isNotEqualTo(server.port());
        assertThat(admin("GET", "/api/admin/v3.0/groups/g/apps", KEY, null).statusCode()).isEqualTo(200);
        assertThat(get(server.http().adminBaseUrl() + "/status.json").statusCode()).isEqualTo(200);
        assertThat(get(server.http().adminBaseUrl() + "/metrics").statusCode()).isEqualTo(200);
        assertThat(get(server.http().adminBaseUrl() + "/").statusCode()).isEqualTo(200);

        // the public port keeps the probes and the App Services API, not the admin API or the status pages
        assertThat(get(server.baseUrl() + "/health").statusCode()).isEqualTo(200);
        assertThat(get(server.baseUrl() + "/ready").statusCode()).isEqualTo(200);
        for (final String path : List.of("/status.json", "/metrics", "/", "/api/admin/v3.0/groups/g/apps"))
        {
            final HttpResponse<String> r = send("GET", server.baseUrl() + path, KEY, null, null);
            assertThat(r.statusCode()).as(path).isEqualTo(404);
            assertThat(r.headers().firstValue("Content-Type")).as(path).hasValue("application/json");
        }
    }

    @Test
    void shouldRefuseMissingOrWrongCredentialsAndOtherOrigins() throws Exception
    {
        final String apps = "/api/admin/v3.0/groups/g/apps";
        assertError(admin("GET", apps, null, null), 401, "Unauthorized");
        assertError(admin("GET", apps, "not-the-key-0123456789", null), 401, "InvalidSession");
        assertError(send("GET", server.http().adminBaseUrl() + apps, KEY, null, "https://evil.example"), 403,
            "Forbidden");
        // the listener's own pages (same origin) may call it
        assertThat(send("GET", server.http().adminBaseUrl() + apps, KEY, null, server.http().adminBaseUrl())
            .statusCode()).isEqualTo(200);
        assertError(admin("GET", "/api/admin/v3.0/groups/g/apps/nope", KEY, null), 404, "AppNotFound");
        assertError(admin("GET", appPath("/users/0123456789abcdef01234567"), KEY, null), 404, "UserNotFound");
        assertError(admin("GET", appPath("/users?limit=0"), KEY, null), 400, "BadRequest");
        assertError(admin("GET", appPath("/users?limit=x"), KEY, null), 400, "BadRequest");
        assertError(admin("GET", "/api/admin/v3.0/nothing", KEY, null), 404, "NotFound");
        final HttpResponse<String> badJson = admin("POST", "/api/admin/v3.0/auth/providers/mongodb-cloud/login",
            null, "{not json");
        assertError(badJson, 400, "BadRequest");
        assertThat(badJson.body()).doesNotContain("Exception").doesNotContain("at dev.");
    }

    @Test
    void shouldLogInWithTheAdminKeyAndUseTheTokens() throws Exception
    {
        final String login = "/api/admin/v3.0/auth/providers/mongodb-cloud/login";
        assertError(admin("POST", login, null, "{\"username\":\"x\",\"apiKey\":\"wrong-key-0123456789\"}"), 401,
            "InvalidPassword");
        assertError(admin("POST", login, null, "{\"username\":\"x\"}"), 400, "BadRequest");
        final HttpResponse<String> ok = admin("POST", login, null, "{\"username\":\"x\",\"apiKey\":\"" + KEY + "\"}");
        assertThat(ok.statusCode()).isEqualTo(200);
        final JsonObject tokens = new JsonObject(ok.body());
        final String access = tokens.getString("access_token");
        assertThat(access).isNotBlank().isNotEqualTo(KEY);

        final JsonArray apps = new JsonArray(admin("GET", "/api/admin/v3.0/groups/g1/apps", access, null).body());
        assertThat(apps).hasSize(1);
        assertThat(apps.getJsonObject(0).getString("client_app_id")).isEqualTo(APP);
        assertThat(apps.getJsonObject(0).getString("group_id")).isEqualTo("g1");
        assertThat(admin("GET", "/api/admin/v3.0/auth/profile", access, null).statusCode()).isEqualTo(200);

        // a refresh token is no access token; it gets a new one
        assertError(admin("GET", "/api/admin/v3.0/groups/g1/apps", tokens.getString("refresh_token"), null), 401,
            "InvalidSession");
        final HttpResponse<String> refreshed = admin("POST", "/api/admin/v3.0/auth/session",
            tokens.getString("refresh_token"), null);
        assertThat(refreshed.statusCode()).isEqualTo(201);
        final String again = new JsonObject(refreshed.body()).getString("access_token");
        assertThat(admin("GET", "/api/admin/v3.0/groups/g1/apps", again, null).statusCode()).isEqualTo(200);

        // the login form of a console page posts the key as a form
        final HttpResponse<String> form = HTTP.send(HttpRequest.newBuilder(URI.create(server.http().adminBaseUrl() +
                login)).header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString("apiKey=" + KEY)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(form.statusCode()).isEqualTo(200);
        assertThat(new JsonObject(form.body()).getString("access_token")).isNotBlank();
    }

    @Test
    void shouldThrottleAnAddressThatKeepsGuessingTheKey() throws Exception
    {
        final String apps = "/api/admin/v3.0/groups/g/apps";
        for (int i = 0; i < AdminApi.MAX_FAILURES; i++)
        {
            assertError(admin("GET", apps, "guess-" + i + "-0123456789abcdef", null), 401, "InvalidSession");
        }
        final HttpResponse<String> throttled = admin("GET", apps, KEY, null);
        assertError(throttled, 429, "LimitExceeded");
        assertThat(throttled.headers().firstValue("Retry-After")).isPresent();
        assertError(admin("POST", "/api/admin/v3.0/auth/providers/mongodb-cloud/login", null,
            "{\"apiKey\":\"" + KEY + "\"}"), 429, "LimitExceeded");
        assertThat(get(server.http().adminBaseUrl() + "/status.json").statusCode()).as("status pages stay open")
            .isEqualTo(200);
    }

    // -------------------------------------------------------------------------------------------------------------
    // users

    @Test
    void shouldListUsersWithPagingAndSearch() throws Exception
    {
        final List<String> ids = new ArrayList<>();
        for (final String email : List.of("ann@example.com", "bob@example.com", "cy@example.com"))
        {
            ids.add(registerAndLogin(email, "password1").getString("user_id"));
        }
        ids.add(new JsonObject(publicPost("/api/client/v2.0/app/" + APP + "/auth/providers/anon-user/login",
            "{}").body()).getString("user_id"));
        ids.sort(null);

        final JsonArray first = new JsonArray(admin("GET", appPath("/users?limit=3"), KEY, null).body());
        assertThat(first).hasSize(3);
        assertThat(first.getJsonObject(0).getString("_id")).isEqualTo(ids.get(0));
        final String last = first.getJsonObject(2).getString("_id");
        final JsonArray second = new JsonArray(admin("GET", appPath("/users?limit=3&after=" + last), KEY, null)
            .body());
        assertThat(second).hasSize(1);
        assertThat(second.getJsonObject(0).getString("_id")).isEqualTo(ids.get(3));

        final JsonArray found = new JsonArray(admin("GET", appPath("/users?search=BOB"), KEY, null).body());
        assertThat(found).hasSize(1);
        final JsonObject bob = found.getJsonObject(0);
        assertThat(bob.getJsonObject("data").getString("email")).isEqualTo("bob@example.com");
        assertThat(bob.getJsonArray("identities").getJsonObject(0).getString("provider_type"))
            .isEqualTo("local-userpass");
        assertThat(bob.getBoolean("disabled")).isFalse();
        assertThat(bob.getLong("last_authentication_date")).isPositive();
        assertThat(bob.getInteger("sessions")).isEqualTo(1);
    }

    @Test
    void shouldDisableAUserRefusingItsLoginsAndTokensAndClosingItsSyncConnections() throws Exception
    {
        final JsonObject tokens = registerAndLogin("dan@example.com", "password1");
        final String userId = tokens.getString("user_id");
        final SyncTestClient client = syncClient(tokens.getString("access_token"));
        client.bind(1, PARTITION, true);
        client.next(MessageType.SERVER_IDENT);

        assertThat(admin("PUT", appPath("/users/" + userId + "/disable"), KEY, null).statusCode()).isEqualTo(204);
        assertThat(client.awaitClose(10_000)).as("4002: the client logs the user out").isEqualTo(4002);
        assertError(login("dan@example.com", "password1"), 401, "UserDisabled");
        assertThat(publicPost("/api/client/v2.0/auth/session", null, tokens.getString("refresh_token"))
            .statusCode()).isEqualTo(401);
        assertThat(new JsonObject(admin("GET", appPath("/users/" + userId), KEY, null).body())
            .getBoolean("disabled")).isTrue();

        assertThat(admin("PUT", appPath("/users/" + userId + "/enable"), KEY, null).statusCode()).isEqualTo(204);
        assertThat(login("dan@example.com", "password1").statusCode()).isEqualTo(200);
    }

    @Test
    void shouldRevokeAUsersSessionsSoThatItsRefreshTokenIsRefused() throws Exception
    {
        final JsonObject tokens = registerAndLogin("eve@example.com", "password1");
        final String userId = tokens.getString("user_id");
        final SyncTestClient client = syncClient(tokens.getString("access_token"));
        client.bind(1, PARTITION, true);
        client.next(MessageType.SERVER_IDENT);
        assertThat(publicPost("/api/client/v2.0/auth/session", null, tokens.getString("refresh_token"))
            .statusCode()).isEqualTo(201);

        assertThat(admin("PUT", appPath("/users/" + userId + "/logout"), KEY, null).statusCode()).isEqualTo(204);
        assertThat(client.awaitClose(10_000)).as("4001: the client refreshes its token, which fails")
            .isEqualTo(4001);
        assertThat(publicPost("/api/client/v2.0/auth/session", null, tokens.getString("refresh_token"))
            .statusCode()).isEqualTo(401);
        assertThat(new JsonObject(admin("GET", appPath("/users/" + userId), KEY, null).body())
            .getInteger("sessions")).isZero();
        // the user may log in again
        assertThat(login("eve@example.com", "password1").statusCode()).isEqualTo(200);
    }

    @Test
    void shouldDeleteAUserDurably() throws Exception
    {
        final JsonObject tokens = registerAndLogin("fay@example.com", "password1");
        final String userId = tokens.getString("user_id");
        assertThat(admin("DELETE", appPath("/users/" + userId), KEY, null).statusCode()).isEqualTo(204);
        assertError(admin("GET", appPath("/users/" + userId), KEY, null), 404, "UserNotFound");
        assertError(admin("DELETE", appPath("/users/" + userId), KEY, null), 404, "UserNotFound");
        assertThat(login("fay@example.com", "password1").statusCode()).isEqualTo(401);
        assertThat(publicPost("/api/client/v2.0/auth/session", null, tokens.getString("refresh_token"))
            .statusCode()).isEqualTo(401);

        // replayed after a restart: still gone, and the address may sign up again as a new user
        server.close();
        server = SyncServer.start(config());
        assertError(admin("GET", appPath("/users/" + userId), KEY, null), 404, "UserNotFound");
        assertThat(Files.readString(dir.resolve(ServerConfig.APPS_DIR).resolve(APP).resolve("auth.log"))).startsWith("OUTPOST-AUTH 3\n");
        final JsonObject again = registerAndLogin("fay@example.com", "password2");
        assertThat(again.getString("user_id")).isNotEqualTo(userId);
    }

    @Test
    void shouldResetALocalUserpassPassword() throws Exception
    {
        final String userId = registerAndLogin("gus@example.com", "password1").getString("user_id");
        assertError(admin("PUT", appPath("/users/" + userId + "/password"), KEY, "{\"password\":\"123\"}"), 400,
            "BadRequest");
        assertError(admin("PUT", appPath("/users/" + userId + "/password"), KEY, "[]"), 400, "BadRequest");
        assertThat(admin("PUT", appPath("/users/" + userId + "/password"), KEY, "{\"password\":\"new-secret\"}")
            .statusCode()).isEqualTo(204);
        assertThat(login("gus@example.com", "password1").statusCode()).isEqualTo(401);
        assertThat(login("gus@example.com", "new-secret").statusCode()).isEqualTo(200);

        final String anon = new JsonObject(publicPost("/api/client/v2.0/app/" + APP +
            "/auth/providers/anon-user/login", "{}").body()).getString("user_id");
        assertError(admin("PUT", appPath("/users/" + anon + "/password"), KEY, "{\"password\":\"new-secret\"}"), 404,
            "UserNotFound");

        server.close();
        server = SyncServer.start(config());
        assertThat(login("gus@example.com", "new-secret").statusCode()).as("durable").isEqualTo(200);
    }

    // -------------------------------------------------------------------------------------------------------------
    // sync

    @Test
    void shouldListAndDisconnectConnections() throws Exception
    {
        final JsonObject tokens = registerAndLogin("hal@example.com", "password1");
        final SyncTestClient client = syncClient(tokens.getString("access_token"));
        client.bind(1, PARTITION, true);
        client.next(MessageType.SERVER_IDENT);

        final JsonArray all = new JsonArray(admin("GET", appPath("/sync/connections"), KEY, null).body());
        assertThat(all).hasSize(1);
        final JsonObject c = all.getJsonObject(0);
        assertThat(c.getString("user_id")).isEqualTo(tokens.getString("user_id"));
        assertThat(c.getString("sdk")).isEqualTo("OutpostTestClient/1.0");
        assertThat(c.getString("core_version")).isEqualTo("14.0.0");
        assertThat(c.getString("user_agent")).isEqualTo(SyncTestClient.USER_AGENT);
        assertThat(c.getString("remote_address")).contains("127.0.0.1");
        assertThat(c.getString("since")).isNotBlank();
        assertThat(c.getJsonArray("sessions").getJsonObject(0).getString("file")).isEqualTo(file());
        assertThat(new JsonArray(admin("GET", appPath("/sync/connections?file=" +
            java.net.URLEncoder.encode(file(), java.nio.charset.StandardCharsets.UTF_8)), KEY, null).body()))
            .hasSize(1);
        assertThat(new JsonArray(admin("GET", appPath("/sync/connections?file=other"), KEY, null).body())).isEmpty();

        final long id = c.getLong("id");
        assertError(admin("DELETE", appPath("/sync/connections/abc"), KEY, null), 400, "BadRequest");
        assertThat(admin("DELETE", appPath("/sync/connections/" + id), KEY, null).statusCode()).isEqualTo(204);
        final SyncTestClient.Msg error = client.next(MessageType.ERROR);
        assertThat(error.get(0)).as("connection_closed").isEqualTo(100);
        assertThat(error.get(1)).as("try again").isEqualTo(1);
        assertThat(client.awaitClose(10_000)).isEqualTo(1001);
        // the client sees the close before the server has finished it: wait until the list drops the connection
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!new JsonArray(admin("GET", appPath("/sync/connections"), KEY, null).body()).isEmpty() &&
            System.nanoTime() < deadline)
        {
            Thread.sleep(20);
        }
        assertThat(new JsonArray(admin("GET", appPath("/sync/connections"), KEY, null).body())).isEmpty();
        assertError(admin("DELETE", appPath("/sync/connections/" + id), KEY, null), 404, "NotFound");
    }

    @Test
    void shouldListServerFilesWithVersionSizeClientsAndLastWrite() throws Exception
    {
        final SyncService sync = server.sync(APP);
        sync.writeServerChangeset(file(), Changesets.randomObjects("Item", 0, 3, 10)).get(10, TimeUnit.SECONDS);
        final String other = SyncService.pbsFileName(APP, "\"p2\"");
        sync.writeServerChangeset(other, Changesets.randomObjects("Item", 0, 1, 10)).get(10, TimeUnit.SECONDS);
        final SyncTestClient client = syncClient(anonToken());
        client.bind(1, PARTITION, true);
        final SyncTestClient.Msg ident = client.next(MessageType.SERVER_IDENT);
        client.ident(1, ident.get(0), ident.get(1), 0, 0, 0, 0);
        client.next(MessageType.DOWNLOAD);

        final JsonArray files = new JsonArray(admin("GET", appPath("/sync/files"), KEY, null).body());
        assertThat(files).hasSize(2);
        final JsonObject p1 = files.getJsonObject(0);
        assertThat(p1.getString("name")).isEqualTo(file());
        assertThat(p1.getString("partition")).isEqualTo(PARTITION);
        assertThat(p1.getString("mode")).isEqualTo("pbs");
        assertThat(p1.getLong("version")).isEqualTo(1);
        assertThat(p1.getLong("size")).isPositive();
        assertThat(p1.getInteger("clients")).isEqualTo(1);
        assertThat(p1.getInteger("connected")).isEqualTo(1);
        assertThat(p1.getString("last_write")).isNotBlank();

        final JsonArray page = new JsonArray(admin("GET", appPath("/sync/files?limit=1&after=" +
            java.net.URLEncoder.encode(file(), java.nio.charset.StandardCharsets.UTF_8)), KEY, null).body());
        assertThat(page).hasSize(1);
        assertThat(page.getJsonObject(0).getString("name")).isEqualTo(other);
    }

    @Test
    void shouldForceAClientResetOfOneClientFileThenOfAllDurably() throws Exception
    {
        final SyncTestClient a = syncClient(anonToken());
        final long aIdent = bindAndIdent(a);
        final SyncTestClient b = syncClient(anonToken());
        final long bIdent = bindAndIdent(b);

        assertError(admin("POST", appPath("/sync/client_reset"), KEY, "{\"partition\":\"\\\"nope\\\"\"}"), 404,
            "NotFound");
        assertError(admin("POST", appPath("/sync/client_reset"), KEY, "{}"), 400, "BadRequest");
        assertError(admin("POST", appPath("/sync/client_reset"), KEY, "{\"file\":\"" + "x" + "\",\"partition\":\"y\"}"),
            400, "BadRequest");
        assertThat(admin("POST", appPath("/sync/client_reset"), KEY, new JsonObject().put("partition", PARTITION)
            .put("client_file_ident", aIdent).encode()).statusCode()).isEqualTo(200);
        final SyncTestClient.Msg reset = a.next(MessageType.SERVER_JSON_ERROR);
        assertThat(reset.get(0)).as("client_file_expired: a client reset").isEqualTo(222);
        assertThat(reset.text()).contains("ClientReset");

        // the reset of all reaches b at once; a client file allocated afterwards is not reset
        assertThat(admin("POST", appPath("/sync/client_reset"), KEY, new JsonObject().put("file", file()).encode())
            .statusCode()).isEqualTo(200);
        assertThat(b.next(MessageType.SERVER_JSON_ERROR).get(0)).isEqualTo(222);
        final SyncTestClient fresh = syncClient(anonToken());
        fresh.bind(1, PARTITION, true);
        final SyncTestClient.Msg freshIdent = fresh.next(MessageType.SERVER_IDENT);
        fresh.ident(1, freshIdent.get(0), freshIdent.get(1), 0, 0, 0, 0);
        assertThat(fresh.next().type()).as("a new client file syncs").isEqualTo(MessageType.DOWNLOAD);

        // an offline client gets it at its next IDENT, after a restart too
        a.close();
        b.close();
        server.close();
        server = SyncServer.start(config());
        final SyncTestClient back = syncClient(anonToken());
        back.bind(1, PARTITION, false);
        back.ident(1, aIdent, 0, 0, 0, 0, 0);
        assertThat(back.next(MessageType.SERVER_JSON_ERROR).get(0)).isEqualTo(222);

        final JsonObject errors = new JsonObject(admin("GET", appPath("/sync/errors?code=222"), KEY, null).body());
        assertThat(errors.getJsonObject("by_code").getLong("222")).isEqualTo(1);
        assertThat(errors.getJsonArray("recent").getJsonObject(0).getString("file")).isEqualTo(file());
        assertThat(bIdent).isNotEqualTo(aIdent);
    }

    @Test
    void shouldCountSyncErrorsByCodeAndKeepTheRecentOnes() throws Exception
    {
        final JsonObject tokens = registerAndLogin("ida@example.com", "password1");
        final SyncTestClient client = syncClient(tokens.getString("access_token"));
        client.ident(7, 2, 1, 0, 0, 0, 0); // no session 7: bad_session_ident, a connection-level error
        assertThat(client.next(MessageType.ERROR).get(0)).isEqualTo(106);

        final JsonObject errors = new JsonObject(admin("GET", appPath("/sync/errors"), KEY, null).body());
        assertThat(errors.getLong("total")).isEqualTo(1);
        assertThat(errors.getJsonObject("by_code").getLong("106")).isEqualTo(1);
        final JsonObject recent = errors.getJsonArray("recent").getJsonObject(0);
        assertThat(recent.getInteger("code")).isEqualTo(106);
        assertThat(recent.getString("name")).isEqualTo("bad_session_ident");
        assertThat(recent.getString("app_id")).isEqualTo(APP);
        assertThat(recent.getString("user_id")).isEqualTo(tokens.getString("user_id"));
        assertThat(recent.getString("message")).contains("no session 7");
        assertThat(recent.getString("time")).isNotBlank();
        assertThat(new JsonObject(admin("GET", appPath("/sync/errors?code=222"), KEY, null).body())
            .getJsonArray("recent")).isEmpty();
        assertError(admin("GET", appPath("/sync/errors?code=7"), KEY, null), 400, "BadRequest");
    }

    @Test
    void shouldShowTheRunningConfigurationWithSecretsMasked() throws Exception
    {
        final HttpResponse<String> r = admin("GET", "/api/admin/v3.0/config", KEY, null);
        assertThat(r.statusCode()).isEqualTo(200);
        final JsonObject config = new JsonObject(r.body());
        assertThat(config.getString("admin.key")).isEqualTo("********");
        assertThat(config.getString("host")).isEqualTo("127.0.0.1");
        assertThat(config.getJsonObject("apps").containsKey(APP)).isTrue();
        assertThat(r.body()).doesNotContain(KEY);
    }

    // -------------------------------------------------------------------------------------------------------------

    private String file()
    {
        return SyncService.pbsFileName(APP, PARTITION);
    }

    private long bindAndIdent(final SyncTestClient client) throws Exception
    {
        client.bind(1, PARTITION, true);
        final SyncTestClient.Msg ident = client.next(MessageType.SERVER_IDENT);
        client.ident(1, ident.get(0), ident.get(1), 0, 0, 0, 0);
        assertThat(client.next().type()).isEqualTo(MessageType.DOWNLOAD);
        return ident.get(0);
    }

    private SyncTestClient syncClient(final String accessToken) throws Exception
    {
        final SyncTestClient client = SyncTestClient.connect(server.port(), APP, accessToken, false);
        open.add(client);
        return client;
    }

    private String anonToken() throws Exception
    {
        return new JsonObject(publicPost("/api/client/v2.0/app/" + APP + "/auth/providers/anon-user/login", "{}")
            .body()).getString("access_token");
    }

    private JsonObject registerAndLogin(final String email, final String password) throws Exception
    {
        final HttpResponse<String> registered = publicPost("/api/client/v2.0/app/" + APP +
            "/auth/providers/local-userpass/register", new JsonObject().put("email", email).put("password", password)
            .encode());
        assertThat(registered.statusCode()).as(registered.body()).isEqualTo(201);
        final HttpResponse<String> login = login(email, password);
        assertThat(login.statusCode()).as(login.body()).isEqualTo(200);
        return new JsonObject(login.body());
    }

    private HttpResponse<String> login(final String email, final String password) throws Exception
    {
        return publicPost("/api/client/v2.0/app/" + APP + "/auth/providers/local-userpass/login",
            new JsonObject().put("username", email).put("password", password).encode());
    }

    private HttpResponse<String> publicPost(final String path, final String body) throws Exception
    {
        return publicPost(path, body, null);
    }

    private HttpResponse<String> publicPost(final String path, final String body, final String bearer)
        throws Exception
    {
        return send("POST", server.baseUrl() + path, bearer, body, null);
    }

    private static String appPath(final String rest)
    {
        return "/api/admin/v3.0/groups/any-group/apps/" + APP + rest;
    }

    private HttpResponse<String> admin(final String method, final String path, final String bearer,
        final String body) throws Exception
    {
        return send(method, server.http().adminBaseUrl() + path, bearer, body, null);
    }

    private static HttpResponse<String> get(final String url) throws Exception
    {
        return send("GET", url, null, null, null);
    }

    private static HttpResponse<String> send(final String method, final String url, final String bearer,
        final String body, final String origin) throws Exception
    {
        final HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/json")
            .method(method, null == body ? HttpRequest.BodyPublishers.noBody() :
                HttpRequest.BodyPublishers.ofString(body));
        if (null != bearer)
        {
            b.header("Authorization", "Bearer " + bearer);
        }
        if (null != origin)
        {
            b.header("Origin", origin);
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
