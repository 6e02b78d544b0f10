package dev.outpost.server.realclient;

import dev.outpost.server.auth.Ids;
import dev.outpost.server.config.ServerConfig;
import dev.outpost.server.runtime.OutpostServer;
import dev.outpost.server.ws.PingPongHandler;
import dev.outpost.server.ws.SyncConnection;
import dev.outpost.server.ws.SyncMode;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * MongoDB's own sync client (realm-core 14.12.0) logs in anonymously against Outpost, reads its profile and opens
 * a PBS and an FLX sync WebSocket. The server side asserts the negotiated sub-protocols; what the client does after
 * BIND (sessions are not implemented here) is not part of the test.
 */
@Timeout(90)
class RealClientAuthIT
{
    private static final String APP = "realclient-app";

    @TempDir
    Path dir;

    private OutpostServer server;
    private final Queue<Upgrade> upgrades = new ConcurrentLinkedQueue<>();

    record Upgrade(String token, SyncMode mode, int version, String userId, long tokenIssuedAt)
    {
        Upgrade withoutIat()
        {
            return new Upgrade(token, mode, version, userId, 0);
        }
    }

    @AfterEach
    void stop()
    {
        if (null != server)
        {
            server.close();
        }
    }

    @Test
    void shouldLogInReadTheProfileAndOpenPbsAndFlxWebSockets() throws Exception
    {
        server = OutpostServer.start(new ServerConfig(Map.of()).port(0).dataDir(dir.resolve("server")).appId(APP)
            .eventLoops(2), (SyncConnection connection) ->
            {
                upgrades.add(new Upgrade(connection.subprotocol(), connection.mode(), connection.protocolVersion(),
                    connection.user().userId(), connection.user().issuedAt()));
                return new PingPongHandler(connection);
            });

        final RealClientProcess.Result run = RealClientProcess.run(server.port(), APP, dir.resolve("client-1"),
            "auth", Map.of("modes", "pbs,flx"), Duration.ofSeconds(60));

        final JsonObject json = run.json();
        System.out.println("real client result: " + json);
        assertThat(json).as("driver result line; log tail:\n%s", run.logTail()).isNotNull();
        assertThat(run.exitCode()).as("driver exit; result %s; log tail:\n%s", json, run.logTail()).isZero();
        assertThat(json.getBoolean("ok")).isTrue();
        assertThat(json.getString("core_version")).startsWith("14.");
        final String userId = json.getString("user_id");
        assertThat(Ids.isId(userId)).isTrue();
        assertThat(json.getBoolean("logged_in")).isTrue();
        assertThat(json.getInteger("access_token_parts")).isEqualTo(3);
        assertThat(json.getJsonArray("identities").getJsonObject(0).getString("provider")).contains("ANONYMOUS");
        assertThat(json.getJsonObject("pbs").getBoolean("connected")).isTrue();
        assertThat(json.getJsonObject("flx").getBoolean("connected")).isTrue();

        assertThat(server.auth().user(userId)).isNotNull();
        final List<Upgrade> seen = upgrades.stream().map(Upgrade::withoutIat).toList();
        assertThat(seen).contains(
            new Upgrade("com.mongodb.realm-sync#14", SyncMode.PBS, 14, userId, 0),
            new Upgrade("com.mongodb.realm-query-sync#14", SyncMode.FLX, 14, userId, 0));
    }

    @Test
    void shouldRefreshAnExpiredAccessTokenAfterA401OnTheUpgradeAndConnect() throws Exception
    {
        server = OutpostServer.start(new ServerConfig(Map.of()).port(0).dataDir(dir.resolve("server")).appId(APP)
            .eventLoops(2).accessTokenTtl(Duration.ofSeconds(1)), (SyncConnection connection) ->
            {
                upgrades.add(new Upgrade(connection.subprotocol(), connection.mode(), connection.protocolVersion(),
                    connection.user().userId(), connection.user().issuedAt()));
                return new PingPongHandler(connection);
            });

        final RealClientProcess.Result run = RealClientProcess.run(server.port(), APP, dir.resolve("client-2"),
            "auth", Map.of("modes", "pbs", "sleepBeforeOpenMs", "2500"), Duration.ofSeconds(60));

        final JsonObject json = run.json();
        System.out.println("real client result: " + json);
        assertThat(json).as("driver result line; log tail:\n%s", run.logTail()).isNotNull();
        assertThat(run.exitCode()).as("driver exit; result %s; log tail:\n%s", json, run.logTail()).isZero();
        assertThat(json.getJsonObject("pbs").getBoolean("connected")).isTrue();
        java.nio.file.Files.readAllLines(run.log()).stream()
            .filter(l -> l.contains("401") || l.contains("auth/session")).limit(10).forEach(System.out::println);
        final long loginIat = json.getLong("access_iat_at_login");
        final long nowIat = json.getLong("access_iat_now");
        assertThat(nowIat).as("the client refreshed its access token").isGreaterThan(loginIat);
        assertThat(upgrades).hasSize(1);
        assertThat(upgrades.peek().tokenIssuedAt()).as("upgrade accepted only with the refreshed token")
            .isEqualTo(nowIat);
    }
}
