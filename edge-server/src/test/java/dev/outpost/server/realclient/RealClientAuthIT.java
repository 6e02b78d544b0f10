package dev.outpost.server.realclient;

import dev.outpost.server.auth.Ids;
import dev.outpost.server.config.ServerConfig;
import dev.outpost.server.http.OutpostServer;
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

    record Upgrade(String token, SyncMode mode, int version, String userId)
    {
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
                    connection.user().userId()));
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
        final List<Upgrade> seen = List.copyOf(upgrades);
        assertThat(seen).contains(
            new Upgrade("com.mongodb.realm-sync#14", SyncMode.PBS, 14, userId),
            new Upgrade("com.mongodb.realm-query-sync#14", SyncMode.FLX, 14, userId));
    }
}
