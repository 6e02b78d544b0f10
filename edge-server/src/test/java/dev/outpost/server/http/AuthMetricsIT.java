package dev.outpost.server.http;

import dev.outpost.server.config.AppConfig;
import dev.outpost.server.config.ServerConfig;
import dev.outpost.server.runtime.OutpostServer;
import dev.outpost.server.ws.PingPongHandler;
import dev.outpost.server.ws.SyncEngine;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The auth meters of a real server, per app: logins by provider and result (success, bad credentials, disabled
 * provider, locked out), lockouts, token refreshes, logouts and registered users; another app's series stay at 0.
 */
@Timeout(60)
class AuthMetricsIT
{
    private static final String SHOP = "shop";
    private static final String BLOG = "blog";

    @TempDir
    Path dir;

    private OutpostServer server;
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void close()
    {
        if (null != server)
        {
            server.close();
        }
    }

    private HttpResponse<String> post(final String path, final String body, final String bearer) throws Exception
    {
        final HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(server.baseUrl() + HttpApi.BASE + path))
            .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (null != bearer)
        {
            r.header("Authorization", "Bearer " + bearer);
        }
        return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> login(final String app, final String provider, final String body) throws Exception
    {
        return post("/app/" + app + "/auth/providers/" + provider + "/login", body, null);
    }

    private static String userPass(final String password)
    {
        return new JsonObject().put("username", "ann@example.com").put("password", password).encode();
    }

    private static double metric(final String scrape, final String series)
    {
        final Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " ([0-9.eE+-]+)$").matcher(scrape);
        assertThat(m.find()).as("series " + series + " in\n" + scrape).isTrue();
        return Double.parseDouble(m.group(1));
    }

    private static String logins(final String app, final String provider, final String result)
    {
        return "outpost_auth_logins_total{app=\"" + app + "\",provider=\"" + provider + "\",result=\"" + result + "\"}";
    }

    @Test
    void shouldCountLoginsByProviderAndResultLockoutsRefreshesAndLogoutsPerApp() throws Exception
    {
        server = OutpostServer.startApps(new ServerConfig(Map.of()).host("127.0.0.1").port(0).dataDir(dir)
            .eventLoops(1).apps(List.of(new AppConfig(SHOP, null, false)
                .withUserPass(new AppConfig.UserPass(10_000, 2, Duration.ofMinutes(5))).withApiKeys(false),
                new AppConfig(BLOG, null, true))),
            appConfig -> SyncEngine.of(PingPongHandler.FACTORY));

        assertThat(post("/app/" + SHOP + "/auth/providers/local-userpass/register",
            new JsonObject().put("email", "ann@example.com").put("password", "secret1").encode(), null)
            .statusCode()).isIn(200, 201);
        final HttpResponse<String> ok = login(SHOP, "local-userpass", userPass("secret1"));
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        final String refresh = new JsonObject(ok.body()).getString("refresh_token");
        assertThat(login(SHOP, "local-userpass", userPass("wrong-1")).statusCode()).isEqualTo(401);
        assertThat(login(SHOP, "local-userpass", userPass("wrong-2")).statusCode()).isEqualTo(401); // locks out
        assertThat(login(SHOP, "local-userpass", userPass("secret1")).statusCode()).isEqualTo(429);
        assertThat(login(SHOP, "anon-user", "{}").statusCode()).as("anonymous login is off").isEqualTo(404);
        assertThat(login(SHOP, "api-key", "{\"key\":\"k\"}").statusCode()).as("API keys are off").isEqualTo(404);
        assertThat(post("/auth/session", "", refresh).statusCode()).isIn(200, 201);
        final HttpResponse<String> logout = http.send(HttpRequest.newBuilder(URI.create(server.baseUrl() +
            HttpApi.BASE + "/auth/session")).header("Authorization", "Bearer " + refresh).DELETE().build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(logout.statusCode()).isEqualTo(204);

        final String scrape = server.metrics().scrape();
        assertThat(metric(scrape, logins(SHOP, "local-userpass", "success"))).isEqualTo(1.0);
        assertThat(metric(scrape, logins(SHOP, "local-userpass", "bad_credentials"))).isEqualTo(2.0);
        assertThat(metric(scrape, logins(SHOP, "local-userpass", "locked_out"))).isEqualTo(1.0);
        assertThat(metric(scrape, logins(SHOP, "anon-user", "disabled"))).isEqualTo(1.0);
        assertThat(metric(scrape, logins(SHOP, "api-key", "disabled"))).isEqualTo(1.0);
        assertThat(metric(scrape, logins(SHOP, "local-userpass", "error"))).isZero();
        assertThat(metric(scrape, "outpost_auth_lockouts_total{app=\"" + SHOP + "\"}")).isEqualTo(1.0);
        assertThat(metric(scrape, "outpost_auth_token_refreshes_total{app=\"" + SHOP + "\",result=\"success\"}"))
            .isEqualTo(1.0);
        assertThat(metric(scrape, "outpost_auth_logouts_total{app=\"" + SHOP + "\"}")).isEqualTo(1.0);
        assertThat(metric(scrape, "outpost_auth_users{app=\"" + SHOP + "\"}")).isEqualTo(1.0);
        // the other app: nothing moved
        assertThat(metric(scrape, logins(BLOG, "local-userpass", "bad_credentials"))).isZero();
        assertThat(metric(scrape, "outpost_auth_lockouts_total{app=\"" + BLOG + "\"}")).isZero();
        assertThat(metric(scrape, "outpost_auth_users{app=\"" + BLOG + "\"}")).isZero();
    }
}
