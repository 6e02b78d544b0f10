package dev.outpost.server.sync;

import dev.outpost.server.auth.TokenAttacks;
import dev.outpost.server.auth.TokenAttacks.Attack;
import dev.outpost.server.config.AppConfig;
import dev.outpost.server.config.JwtAlgorithm;
import dev.outpost.server.config.ServerConfig;
import dev.outpost.server.runtime.SyncServer;
import dev.outpost.server.ws.RawWebSocket;
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
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 15 item 5, sync WebSocket surface: every attack token of {@link TokenAttacks}, a genuine refresh token, a
 * genuine token of another app, a revoked and a clock-expired access token are refused at the upgrade with HTTP 401
 * (realm-core then refreshes the access token, or logs the user out when that fails), with HS256 and RS256 server
 * keys; no WebSocket is opened, no session bound, no server file created and nothing written to the auth logs.
 * BIND carries no token in current clients (the connection's identity is the upgrade's), but a connection whose
 * user logged out after the upgrade is closed with 4001 at its next BIND instead of binding a new session.
 */
@Timeout(180)
class SyncTokenAttackIT
{
    private static final String BASE = "/api/client/v2.0";
    private static final String PBS = "com.mongodb.realm-sync#14";
    private static final String FLX = "com.mongodb.realm-query-sync#14";

    private final AtomicLong nowMs = new AtomicLong(System.currentTimeMillis());
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    Path dir;

    private SyncServer server;
    private KeyPair serverPair;

    @AfterEach
    void stop()
    {
        if (null != server)
        {
            server.close();
        }
    }

    private void start(final JwtAlgorithm algorithm) throws Exception
    {
        final ServerConfig config = new ServerConfig(Map.of()).host("127.0.0.1").port(0).dataDir(dir)
            .eventLoops(1).epochClock(nowMs::get)
            .apps(List.of(new AppConfig("shop", null, true), new AppConfig("other", null, true)));
        if (JwtAlgorithm.RS256 == algorithm)
        {
            serverPair = TokenAttacks.rsaPair();
            config.jwtAlgorithm(JwtAlgorithm.RS256)
                .jwtPrivateKeyFile(Files.writeString(dir.resolve("private.pem"),
                    TokenAttacks.pem("PRIVATE KEY", serverPair.getPrivate().getEncoded())))
                .jwtPublicKeyFile(Files.writeString(dir.resolve("public.pem"),
                    TokenAttacks.pem("PUBLIC KEY", serverPair.getPublic().getEncoded())));
        }
        server = SyncServer.start(config);
    }

    private JsonObject login(final String app) throws Exception
    {
        final HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + BASE +
                "/app/" + app + "/auth/providers/anon-user/login")).header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{\"options\":{}}")).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return new JsonObject(r.body());
    }

    private int logout(final String refresh) throws Exception
    {
        return http.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + BASE + "/auth/session"))
            .header("Authorization", "Bearer " + refresh).DELETE().build(), HttpResponse.BodyHandlers.ofString())
            .statusCode();
    }

    /** Upgrade with {@code token} in {@code baas_at} (as realm-core sends it), PBS and FLX; note wrong statuses. */
    private void upgrade(final List<String> failures, final String name, final String app, final String token,
        final int expected) throws Exception
    {
        for (final String protocol : new String[]{PBS, FLX})
        {
            try (RawWebSocket ws = RawWebSocket.connect(server.port(), BASE + "/app/" + app + "/realm-sync?baas_at=" +
                token, protocol))
            {
                if (ws.status != expected)
                {
                    failures.add(name + " (" + protocol + ") -> " + ws.status);
                }
            }
        }
    }

    private List<Long> authLogs() throws Exception
    {
        return List.of(Files.size(dir.resolve("apps/shop/auth.log")), Files.size(dir.resolve("apps/other/auth.log")));
    }

    private double connectionsOpened()
    {
        return server.http().metrics().registry().get("outpost.connections.opened").counters().stream()
            .mapToDouble(io.micrometer.core.instrument.Counter::count).sum();
    }

    private double sessionsOpened()
    {
        return server.http().metrics().registry().get("outpost.sessions.opened").counters().stream()
            .mapToDouble(io.micrometer.core.instrument.Counter::count).sum();
    }

    private void shouldRefuseEveryAttackAtTheUpgrade(final JwtAlgorithm algorithm) throws Exception
    {
        start(algorithm);
        final JsonObject victim = login("shop");
        final JsonObject bystander = login("shop");
        final JsonObject foreign = login("other");
        final JsonObject revoked = login("shop");
        assertThat(logout(revoked.getString("refresh_token"))).isEqualTo(204);
        final TokenAttacks.Key key = null != serverPair ? TokenAttacks.Key.ofRs256(serverPair) :
            TokenAttacks.Key.ofHs256(dir.resolve("apps/shop/jwt-hs256.key"));
        final TokenAttacks.Key otherKey = null != serverPair ? TokenAttacks.Key.ofRs256(TokenAttacks.rsaPair()) :
            TokenAttacks.Key.ofHs256(dir.resolve("apps/other/jwt-hs256.key"));
        final List<Attack> attacks = new ArrayList<>(TokenAttacks.forged(victim.getString("access_token"),
            victim.getString("refresh_token"), bystander.getString("user_id"), otherKey, key, nowMs.get() / 1000));
        attacks.add(new Attack("a genuine refresh token", victim.getString("refresh_token")));
        attacks.add(new Attack("a genuine access token of another app", foreign.getString("access_token")));
        attacks.add(new Attack("a revoked (logged out) access token", revoked.getString("access_token")));
        final List<Long> logsBefore = authLogs();
        final List<String> failures = new ArrayList<>();

        for (final Attack attack : attacks)
        {
            upgrade(failures, attack.name(), "shop", attack.token(), 401);
        }
        nowMs.addAndGet(Duration.ofMinutes(31).toMillis());
        upgrade(failures, "an access token expired by the clock", "shop", victim.getString("access_token"), 401);
        upgrade(failures, "a genuine token for an app that is not served", "no-such-app",
            victim.getString("access_token"), 404);

        assertThat(failures).isEmpty();
        assertThat(connectionsOpened()).as("a sync connection was opened").isZero();
        assertThat(sessionsOpened()).as("a session was bound").isZero();
        assertThat(server.sync("shop").serverFiles()).isZero();
        assertThat(server.sync("other").serverFiles()).isZero();
        assertThat(authLogs()).as("an attack wrote to an auth log").isEqualTo(logsBefore);
        // The clock moved on: a refreshed token of the victim still connects, binds and gets its ident.
        final HttpResponse<String> refreshed = http.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + BASE +
                "/auth/session")).header("Authorization", "Bearer " + victim.getString("refresh_token"))
            .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(refreshed.statusCode()).isEqualTo(201);
        try (SyncTestClient client = SyncTestClient.connect(server.port(), "shop",
            new JsonObject(refreshed.body()).getString("access_token"), false))
        {
            client.bind(1, "\"p\"", true);
            assertThat(client.next().type())
                .isEqualTo(dev.outpost.codec.message.MessageType.SERVER_IDENT);
        }
        assertThat(connectionsOpened()).isEqualTo(1.0);
    }

    @Test
    void shouldCloseAConnectionWith4001WhenItBindsAfterItsUserLoggedOut() throws Exception
    {
        start(JwtAlgorithm.HS256);
        final JsonObject user = login("shop");
        final JsonObject other = login("shop");
        try (SyncTestClient client = SyncTestClient.connect(server.port(), "shop", user.getString("access_token"),
            false);
            SyncTestClient bystander = SyncTestClient.connect(server.port(), "shop", other.getString("access_token"),
                false))
        {
            client.bind(1, "\"p\"", true);
            assertThat(client.next().type()).isEqualTo(dev.outpost.codec.message.MessageType.SERVER_IDENT);
            assertThat(logout(user.getString("refresh_token"))).isEqualTo(204);

            client.bind(2, "\"q\"", true);

            assertThat(client.awaitClose(10_000)).isEqualTo(4001);
            assertThat(sessionsOpened()).isEqualTo(1.0);
            assertThat(server.sync("shop").serverFiles()).isEqualTo(1);
            // Another user's connection is not affected.
            bystander.bind(1, "\"q\"", true);
            assertThat(bystander.next().type()).isEqualTo(dev.outpost.codec.message.MessageType.SERVER_IDENT);
        }
    }

    @Test
    void shouldRefuseEveryForgedOrMisusedTokenAtTheUpgradeWithHs256Keys() throws Exception
    {
        shouldRefuseEveryAttackAtTheUpgrade(JwtAlgorithm.HS256);
    }

    @Test
    void shouldRefuseEveryForgedOrMisusedTokenAtTheUpgradeWithRs256Keys() throws Exception
    {
        shouldRefuseEveryAttackAtTheUpgrade(JwtAlgorithm.RS256);
    }
}
