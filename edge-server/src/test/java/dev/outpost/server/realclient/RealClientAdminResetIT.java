package dev.outpost.server.realclient;

import dev.outpost.server.config.ServerConfig;
import dev.outpost.server.runtime.SyncServer;
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
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * MongoDB's own client against a client reset forced through the admin API: a client that synced a partition
 * before is told to reset at its next connection (realm-core reports {@code SyncClientResetRequired}).
 */
@Timeout(240)
class RealClientAdminResetIT
{
    private static final String APP = "admin-reset-app";
    private static final String KEY = "real-client-admin-key-0123456789";

    @TempDir
    Path dir;

    private SyncServer server;

    @AfterEach
    void stop()
    {
        if (server != null)
        {
            server.close();
        }
    }

    @Test
    void shouldMakeARealClientResetWhenTheAdminForcesIt() throws Exception
    {
        server = SyncServer.start(new ServerConfig(Map.of()).port(0).host("127.0.0.1")
            .dataDir(dir.resolve("server")).appId(APP).eventLoops(2).adminKey(KEY));
        run("pbs-write", Map.of("partition", "\"reset\"", "count", "10", "prefix", "r"));

        final HttpResponse<String> forced = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                server.http().adminBaseUrl() + "/api/admin/v3.0/groups/-/apps/" + APP + "/sync/client_reset"))
                .header("Authorization", "Bearer " + KEY).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("partition", "\"reset\"").encode()))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(forced.statusCode()).as(forced.body()).isEqualTo(200);

        final JsonObject reset = run("await-sync-error", Map.of("partition", "\"reset\""));
        assertThat(reset.getBoolean("client_reset_requested")).as("%s", reset).isTrue();
        assertThat(reset.getString("error_code")).isEqualTo("RLM_ERR_SYNC_CLIENT_RESET_REQUIRED");
        assertThat(reset.getString("error_message")).contains("administrator");
        assertThat(server.sync().errorsSent(222)).isEqualTo(1);
    }

    private JsonObject run(final String scenario, final Map<String, String> params) throws Exception
    {
        final RealClientProcess.Result run = RealClientProcess.run(server.port(), APP, dir.resolve("client"),
            scenario, params, Duration.ofSeconds(120));
        final JsonObject json = run.json();
        assertThat(json).as("result line of %s; log tail:\n%s", scenario, run.logTail()).isNotNull();
        assertThat(run.exitCode()).as("exit of %s; result %s; log tail:\n%s", scenario, json, run.logTail())
            .isZero();
        return json;
    }
}
