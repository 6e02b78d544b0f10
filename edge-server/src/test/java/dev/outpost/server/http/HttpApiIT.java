package dev.outpost.server.http;

import dev.outpost.server.auth.Ids;
import dev.outpost.server.auth.TokenService;
import dev.outpost.server.config.ServerConfig;
import dev.outpost.server.runtime.OutpostServer;
import dev.outpost.server.ws.PingPongHandler;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
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
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(60)
class HttpApiIT
{
    private static final String APP = "test-app";

    private final AtomicLong nowMs = new AtomicLong(System.currentTimeMillis());

    @TempDir
    Path dataDir;

    private OutpostServer server;
    private ApiClient api;

    @AfterEach
    void stop()
    {
        if (null != server)
        {
            server.close();
        }
    }

    private void start() throws Exception
    {
        server = OutpostServer.start(new ServerConfig(Map.of()).host("127.0.0.1").port(0).dataDir(dataDir)
            .appId(APP).eventLoops(2).epochClock(nowMs::get), PingPongHandler.FACTORY);
        api = new ApiClient(server.baseUrl());
    }

    @Test
    void shouldAnswerLocationWithTheHostTheClientUsed() throws Exception
    {
        start();

        final HttpResponse<String> response = api.send("GET", "/api/client/v2.0/app/" + APP + "/location", null, null);

        assertThat(response.statusCode()).isEqualTo(200);
        assertJson(response);
        final JsonObject body = new JsonObject(response.body());
        assertThat(body.getString("hostname")).isEqualTo("http://127.0.0.1:" + server.port());
        assertThat(body.getString("ws_hostname")).isEqualTo("ws://127.0.0.1:" + server.port());
        final HttpResponse<String> proxied = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
            server.baseUrl() + "/api/client/v2.0/app/" + APP + "/location")).header("X-Forwarded-Proto", "https")
            .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(new JsonObject(proxied.body()).getString("ws_hostname")).isEqualTo("wss://127.0.0.1:" + server.port());
        final ApiClient viaLocalhost = new ApiClient("http://localhost:" + server.port());
        assertThat(new JsonObject(viaLocalhost.send("GET", "/api/client/v2.0/app/" + APP + "/location", null, null)
            .body()).getString("ws_hostname")).isEqualTo("ws://localhost:" + server.port());
    }

    @Test
    void shouldLogInAnonymouslyAndServeTheProfile() throws Exception
    {
        start();

        final JsonObject login = api.login(APP);

        assertThat(Ids.isId(login.getString("user_id"))).isTrue();
        assertThat(Ids.isId(login.getString("device_id"))).isTrue();
        assertThat(login.getString("access_token").split("\\.")).hasSize(3);
        final HttpResponse<String> profile = api.send("GET", "/api/client/v2.0/auth/profile",
            login.getString("access_token"), null);
        assertThat(profile.statusCode()).isEqualTo(200);
        assertJson(profile);
        final JsonObject body = new JsonObject(profile.body());
        assertThat(body.getString("user_id")).isEqualTo(login.getString("user_id"));
        assertThat(body.getJsonArray("identities")).hasSize(1);
        assertThat(body.getJsonArray("identities").getJsonObject(0).getString("provider_type")).isEqualTo("anon-user");
        assertThat(body.getJsonObject("data")).isNotNull();
        assertThat(api.login(APP).getString("user_id")).isNotEqualTo(login.getString("user_id"));
    }

    @Test
    void shouldRefreshAndThenRefuseAfterLogout() throws Exception
    {
        start();
        final JsonObject login = api.login(APP);
        final String refresh = login.getString("refresh_token");

        final HttpResponse<String> refreshed = api.send("POST", "/api/client/v2.0/auth/session", refresh, null);
        assertThat(refreshed.statusCode()).isEqualTo(201);
        final String newAccess = new JsonObject(refreshed.body()).getString("access_token");
        assertThat(api.send("GET", "/api/client/v2.0/auth/profile", newAccess, null).statusCode()).isEqualTo(200);

        assertThat(api.send("DELETE", "/api/client/v2.0/auth/session", refresh, null).statusCode()).isEqualTo(204);

        final HttpResponse<String> afterLogout = api.send("POST", "/api/client/v2.0/auth/session", refresh, null);
        assertThat(afterLogout.statusCode()).isEqualTo(401);
        assertInvalidSession(afterLogout);
        assertThat(api.send("GET", "/api/client/v2.0/auth/profile", newAccess, null).statusCode()).isEqualTo(401);
    }

    @Test
    void shouldRefuseExpiredTokens() throws Exception
    {
        start();
        final JsonObject login = api.login(APP);

        nowMs.addAndGet(Duration.ofMinutes(31).toMillis());

        final HttpResponse<String> profile = api.send("GET", "/api/client/v2.0/auth/profile",
            login.getString("access_token"), null);
        assertThat(profile.statusCode()).isEqualTo(401);
        assertInvalidSession(profile);
        assertThat(api.send("POST", "/api/client/v2.0/auth/session", login.getString("refresh_token"), null)
            .statusCode()).isEqualTo(201);

        nowMs.addAndGet(Duration.ofDays(60).toMillis());

        assertThat(api.send("POST", "/api/client/v2.0/auth/session", login.getString("refresh_token"), null)
            .statusCode()).isEqualTo(401);
    }

    @Test
    void shouldRefuseTheWrongTokenType() throws Exception
    {
        start();
        final JsonObject login = api.login(APP);

        final HttpResponse<String> profileWithRefresh = api.send("GET", "/api/client/v2.0/auth/profile",
            login.getString("refresh_token"), null);
        final HttpResponse<String> refreshWithAccess = api.send("POST", "/api/client/v2.0/auth/session",
            login.getString("access_token"), null);
        final HttpResponse<String> logoutWithAccess = api.send("DELETE", "/api/client/v2.0/auth/session",
            login.getString("access_token"), null);

        assertThat(profileWithRefresh.statusCode()).isEqualTo(401);
        assertInvalidSession(profileWithRefresh);
        assertThat(refreshWithAccess.statusCode()).isEqualTo(401);
        assertInvalidSession(refreshWithAccess);
        assertThat(logoutWithAccess.statusCode()).isEqualTo(401);
        assertThat(api.send("GET", "/api/client/v2.0/auth/profile", null, null).statusCode()).isEqualTo(401);
        assertThat(api.send("GET", "/api/client/v2.0/auth/profile", "not.a.jwt", null).statusCode()).isEqualTo(401);
    }

    @Test
    void shouldAnswer404ForAnUnknownApp() throws Exception
    {
        start();

        for (final HttpResponse<String> response : new HttpResponse[] {
            api.send("GET", "/api/client/v2.0/app/other-app/location", null, null),
            api.send("POST", "/api/client/v2.0/app/other-app/auth/providers/anon-user/login", null, "{}"),
            api.send("GET", "/api/client/v2.0/app/other-app/realm-sync", null, null)})
        {
            assertThat(response.statusCode()).isEqualTo(404);
            assertJson(response);
            assertThat(new JsonObject(response.body()).getString("error_code")).isEqualTo("AppNotFound");
        }
    }

    @Test
    void shouldAnswerBadInputWithJson4xx() throws Exception
    {
        start();

        final HttpResponse<String> malformed = api.send("POST",
            "/api/client/v2.0/app/" + APP + "/auth/providers/anon-user/login", null, "{not json");
        final HttpResponse<String> wrongMethod = api.send("PUT", "/api/client/v2.0/auth/session", null, "");
        final HttpResponse<String> noSuchPath = api.send("GET", "/api/client/v2.0/nothing", null, null);
        final HttpResponse<String> otherProvider = api.send("POST",
            "/api/client/v2.0/app/" + APP + "/auth/providers/local-userpass/login", null, "{}");
        final HttpResponse<String> tooLarge = api.send("POST",
            "/api/client/v2.0/app/" + APP + "/auth/providers/anon-user/login", null,
            "{\"x\":\"" + "a".repeat(HttpApi.MAX_BODY) + "\"}");
        final HttpResponse<String> hugeUrl = api.send("GET", "/api/client/v2.0/app/" + "x".repeat(20_000) +
            "/location", null, null);
        final HttpResponse<String> notUpgrade = api.send("GET", "/api/client/v2.0/app/" + APP + "/realm-sync",
            null, null);

        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(wrongMethod.statusCode()).isEqualTo(405);
        assertThat(noSuchPath.statusCode()).isEqualTo(404);
        assertThat(otherProvider.statusCode()).isEqualTo(404);
        assertThat(tooLarge.statusCode()).isEqualTo(413);
        assertThat(notUpgrade.statusCode()).isEqualTo(400);
        assertThat(hugeUrl.statusCode()).isEqualTo(414);
        for (final HttpResponse<String> response : new HttpResponse[] {
            malformed, wrongMethod, noSuchPath, otherProvider, tooLarge, notUpgrade, hugeUrl})
        {
            assertJson(response);
            final JsonObject body = new JsonObject(response.body());
            assertThat(body.getString("error")).isNotBlank().doesNotContain("Exception").doesNotContain("\tat ");
            assertThat(body.getString("error_code")).isNotBlank();
        }
    }

    @Test
    void shouldKeepUsersSessionsAndTheKeyAcrossARestart() throws Exception
    {
        start();
        final JsonObject kept = api.login(APP);
        final JsonObject loggedOut = api.login(APP);
        assertThat(api.send("DELETE", "/api/client/v2.0/auth/session", loggedOut.getString("refresh_token"), null)
            .statusCode()).isEqualTo(204);
        final String key = Files.readString(dataDir.resolve(TokenService.HS256_KEY_FILE));
        server.close();
        server = null;

        start();

        assertThat(Files.readString(dataDir.resolve(TokenService.HS256_KEY_FILE))).isEqualTo(key);
        assertThat(api.send("GET", "/api/client/v2.0/auth/profile", kept.getString("access_token"), null)
            .statusCode()).isEqualTo(200);
        assertThat(api.send("POST", "/api/client/v2.0/auth/session", kept.getString("refresh_token"), null)
            .statusCode()).isEqualTo(201);
        assertThat(api.send("POST", "/api/client/v2.0/auth/session", loggedOut.getString("refresh_token"), null)
            .statusCode()).isEqualTo(401);
    }

    private static void assertJson(final HttpResponse<String> response)
    {
        assertThat(response.headers().allValues("content-type")).containsExactly("application/json");
    }

    private static void assertInvalidSession(final HttpResponse<String> response)
    {
        assertJson(response);
        assertThat(new JsonObject(response.body()).getString("error_code")).isEqualTo("InvalidSession");
    }
}
