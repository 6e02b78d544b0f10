package dev.outpost.server.realclient;

import dev.outpost.server.config.ServerConfig;
import dev.outpost.server.runtime.SyncServer;
import dev.outpost.server.sync.SyncService;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * MongoDB's own FLX client against Outpost's compensating writes (231): a write outside the server's view of the
 * client is reverted on that client, reported to it as {@code SyncCompensatingWrite}, and never reaches others.
 */
@Timeout(180)
class RealClientCompensatingWriteIT
{
    private static final String APP = "cw-real-app";

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
    void shouldRevertAWriteOutsideTheSubscriptionOnTheWriterOnly() throws Exception
    {
        server = SyncServer.start(new ServerConfig(Map.of()).port(0).host("127.0.0.1")
            .dataDir(dir.resolve("server")).appId(APP).eventLoops(2));
        final RealClientProcess.Result run = RealClientProcess.run(server.port(), APP, dir.resolve("client"),
            "flx-compensating-write", Map.of(), Duration.ofSeconds(120));
        final JsonObject r = run.json();
        assertThat(r).as("result line; log tail:\n%s", run.logTail()).isNotNull();
        assertThat(run.exitCode()).as("exit; result %s; log tail:\n%s", r, run.logTail()).isZero();

        assertThat(r.getInteger("w_written")).isEqualTo(1);
        assertThat(r.getString("error_code")).isEqualTo("RLM_ERR_SYNC_COMPENSATING_WRITE");
        assertThat(r.getBoolean("fatal")).as("a warning: the session goes on").isFalse();
        assertThat(r.getBoolean("client_reset_requested")).isFalse();
        assertThat(r.getInteger("compensating_writes")).isEqualTo(1);
        assertThat(r.getString("cw_object")).isEqualTo("Item");
        assertThat(r.getString("cw_reason")).contains("outside of the current query view");
        assertThat(r.getBoolean("cw_pk_matches")).as("the written object's ObjectId, parsed by realm; %s", r).isTrue();
        assertThat(r.getInteger("w_count_after")).as("reverted on the writer").isZero();
        assertThat(r.getInteger("r_count")).as("never seen by another client").isZero();
        assertThat(r.getInteger("more_errors")).isZero();

        assertThat(server.sync().objectStateDump(SyncService.flxFileName(APP))).doesNotContain("cw-0");
        assertThat(server.sync().errorsSent(226)).as("the narrow query is served: the write leaves its view")
            .isZero();
        assertThat(server.sync().compensatingWrites()).isEqualTo(1);
    }
}
