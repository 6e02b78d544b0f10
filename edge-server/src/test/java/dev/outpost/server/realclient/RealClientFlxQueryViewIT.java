package dev.outpost.server.realclient;

import dev.outpost.server.config.ServerConfig;
import dev.outpost.server.config.SyncSettings;
import dev.outpost.server.runtime.SyncServer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * MongoDB's own FLX client (realm-core 14.12) with narrow subscriptions: a {@code BEGINSWITH} query receives exactly
 * the matching Items; Items enter and leave the view when another client renames them; a subscription change
 * ({@code IN}) re-bootstraps to the new view; a query on a field the app did not declare queryable gets 226 (the
 * set goes to Error) and the previous view stays in force; a range OR an equality serves exactly its objects.
 */
@Timeout(240)
class RealClientFlxQueryViewIT
{
    private static final String APP = "qv-real-app";

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
    void shouldServeNarrowQueriesAndFollowTheData() throws Exception
    {
        final SyncSettings settings = new SyncSettings(SyncSettings.Mode.FLEXIBLE, true, false, List.of("name", "size"),
            Map.of(), List.of(), List.of(), 0, false, null, null, Map.of());
        server = SyncServer.start(new ServerConfig(Map.of()).port(0).host("127.0.0.1")
            .dataDir(dir.resolve("server")).appId(APP).eventLoops(2).syncSettings(settings));
        final RealClientProcess.Result run = RealClientProcess.run(server.port(), APP, dir.resolve("client"),
            "flx-query-view", Map.of(), Duration.ofSeconds(200));
        final JsonObject r = run.json();
        assertThat(r).as("result line; log tail:\n%s", run.logTail()).isNotNull();
        assertThat(run.exitCode()).as("exit; result %s; log tail:\n%s", r, run.logTail()).isZero();

        assertThat(r.getString("r_state_1")).contains("COMPLETE");
        assertThat(r.getString("r_names_1")).isEqualTo("x-0,x-1,x-2");
        assertThat(r.getString("r_names_2")).as("y-0 renamed x-9 enters").isEqualTo("x-0,x-1,x-2,x-9");
        assertThat(r.getString("r_names_3")).as("x-0 renamed z-0 leaves").isEqualTo("x-1,x-2,x-9");
        assertThat(r.getString("r_state_4")).contains("COMPLETE");
        assertThat(r.getString("r_names_4")).as("re-bootstrapped to the new view").isEqualTo("y-1,z-0");
        assertThat(r.getString("r_state_5")).contains("ERROR");
        assertThat(r.getString("r_error_5")).contains("not a queryable field");
        assertThat(r.getString("r_names_5")).as("the previous view stays and follows the data").isEqualTo("z-0");
        assertThat(r.getString("r_state_6")).contains("COMPLETE");
        assertThat(r.getString("r_names_6")).as("range OR equality").isEqualTo("x-1,x-2,z-0");
        assertThat(server.sync().errorsSent(226)).isEqualTo(1);
    }
}
