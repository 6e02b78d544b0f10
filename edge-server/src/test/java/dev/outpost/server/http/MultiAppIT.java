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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Several apps on one server: each has its own data directory (auth log and key), tokens of one app are worthless
 * for another, an app without anonymous login refuses it, unknown apps stay 404, and a restart keeps each app's
 * users apart.
 */
@Timeout(60)
class MultiAppIT
{
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

    private void start() throws Exception
    {
        start(false);
    }

    private void start(final boolean listAppIds) throws Exception
    {
        server = OutpostServer.startApps(new ServerConfig(Map.of()).host("127.0.0.1").port(0).dataDir(dir)
            .listAppIds(listAppIds).eventLoops(1).apps(List.of(new AppConfig("shop", null, true), new AppConfig("staff", null, false),
                new AppConfig("blog", dir.resolve("blog-data"), true))),
            appConfig -> SyncEngine.of(PingPongHandler.FACTORY));
    }

    private HttpResponse<String> send(final HttpRequest.Builder request) throws Exception
    {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private String url(final String path)
    {
        return server.baseUrl() + HttpApi.BASE + path;
    }

    private JsonObject login(final String app) throws Exception
    {
        final HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(url("/app/" + app +
            "/auth/providers/anon-user/login"))).POST(HttpRequest.BodyPublishers.ofString("{}")));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return new JsonObject(r.body());
    }

    @Test
    void shouldNotNameTheServedAppsInTheUnknownApp404ByDefault() throws Exception
    {
        start();

        for (final HttpRequest.Builder request : unknownAppRequests())
        {
            final HttpResponse<String> r = send(request);
            assertThat(r.statusCode()).isEqualTo(404);
            final JsonObject body = new JsonObject(r.body());
            assertThat(body.getString("error_code")).isEqualTo("AppNotFound");
            assertThat(body.getString("error")).isEqualTo("cannot find app using Client App ID 'shpo'");
        }
    }

    @Test
    void shouldNameTheServedAppsInTheUnknownApp404WhenTheOperatorAllowsIt() throws Exception
    {
        start(true);

        for (final HttpRequest.Builder request : unknownAppRequests())
        {
            final HttpResponse<String> r = send(request);
            assertThat(r.statusCode()).isEqualTo(404);
            final JsonObject body = new JsonObject(r.body());
            assertThat(body.getString("error_code")).isEqualTo("AppNotFound");
            assertThat(body.getString("error"))
                .isEqualTo("cannot find app using Client App ID 'shpo'; this server serves shop, staff, blog");
        }
    }

    private List<HttpRequest.Builder> unknownAppRequests()
    {
        return List.of(HttpRequest.newBuilder(URI.create(url("/app/shpo/location"))),
            HttpRequest.newBuilder(URI.create(url("/app/shpo/auth/providers/anon-user/login")))
                .POST(HttpRequest.BodyPublishers.ofString("{}")));
    }

    @Test
    void shouldKeepAppsApart() throws Exception
    {
        start();
        final JsonObject shop = login("shop");
        final JsonObject blog = login("blog");

        assertThat(Files.exists(dir.resolve("apps/shop/auth.log"))).isTrue();
        assertThat(Files.exists(dir.resolve("apps/shop/jwt-hs256.key"))).isTrue();
        assertThat(Files.exists(dir.resolve("blog-data/auth.log"))).isTrue();
        assertThat(Files.exists(dir.resolve("auth.log"))).as("nothing in the shared root").isFalse();
        assertThat(Files.readString(dir.resolve("apps/shop/auth.log"))).contains(shop.getString("user_id"))
            .doesNotContain(blog.getString("user_id"));

        final HttpResponse<String> staff = send(HttpRequest.newBuilder(URI.create(url(
            "/app/staff/auth/providers/anon-user/login"))).POST(HttpRequest.BodyPublishers.ofString("{}")));
        assertThat(staff.statusCode()).isEqualTo(404);
        assertThat(staff.body()).contains("AuthProviderNotFound");
        assertThat(send(HttpRequest.newBuilder(URI.create(url("/app/nope/location")))).statusCode()).isEqualTo(404);
        assertThat(send(HttpRequest.newBuilder(URI.create(url("/app/staff/location")))).statusCode()).isEqualTo(200);

        final HttpResponse<String> profile = send(HttpRequest.newBuilder(URI.create(url("/auth/profile")))
            .header("Authorization", "Bearer " + blog.getString("access_token")));
        assertThat(profile.statusCode()).isEqualTo(200);
        assertThat(new JsonObject(profile.body()).getString("user_id")).isEqualTo(blog.getString("user_id"));

        // A shop token on blog's sync endpoint: refused before the upgrade (401, so a client would refresh).
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.port()))
        {
            socket.getOutputStream().write(("GET " + HttpApi.BASE + "/app/blog/realm-sync?baas_at=" +
                shop.getString("access_token") + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n" +
                "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
                "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: com.mongodb.realm-sync#14\r\n\r\n")
                .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            final byte[] head = new byte[12];
            new java.io.DataInputStream(socket.getInputStream()).readFully(head);
            assertThat(new String(head, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 401");
        }
        final HttpResponse<String> crossedRefresh = send(HttpRequest.newBuilder(URI.create(url("/auth/session")))
            .header("Authorization", "Bearer " + forgeApp(shop.getString("refresh_token"), "blog"))
            .POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(crossedRefresh.statusCode()).as("a token re-labelled for another app fails that app's key")
            .isEqualTo(401);

        server.close();
        server = null;
        start();
        final HttpResponse<String> refreshed = send(HttpRequest.newBuilder(URI.create(url("/auth/session")))
            .header("Authorization", "Bearer " + shop.getString("refresh_token"))
            .POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(refreshed.statusCode()).as("shop's user survives a restart").isEqualTo(201);
    }

    /** The same token with its payload's app claim changed (signature unchanged, so it must not verify). */
    private static String forgeApp(final String token, final String app)
    {
        final String[] parts = token.split("\\.");
        final JsonObject payload = new JsonObject(new String(java.util.Base64.getUrlDecoder().decode(parts[1]),
            java.nio.charset.StandardCharsets.UTF_8)).put("app", app);
        return parts[0] + "." + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
            payload.encode().getBytes(java.nio.charset.StandardCharsets.UTF_8)) + "." + parts[2];
    }
}
