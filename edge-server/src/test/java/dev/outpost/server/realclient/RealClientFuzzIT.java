package dev.outpost.server.realclient;

import dev.outpost.server.config.ServerConfig;
import dev.outpost.server.runtime.SyncServer;
import dev.outpost.server.sync.SyncTestClient;
import dev.outpost.server.sync.WireFuzzer;
import io.vertx.core.json.JsonObject;
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
 * MongoDB's client syncs while the sync WebSocket fuzzer ({@link WireFuzzer}: captured and generated sessions,
 * mutated) runs against the same server (issue 15 item 4): the client writes 200 Items to a partition, a second
 * client downloads all of them, and an FLX client writes and uploads, each without a sync error (the scenario
 * fails on any), while 4 fuzz threads hammer the server; afterwards the fuzzer found nothing, its threads are not
 * stuck, and {@code /health} answers. The run's seed is printed and in every failure ({@code outpost.fuzz.seed}).
 */
@Timeout(600)
class RealClientFuzzIT
{
    private static final String APP = "real-fuzz-app";

    @TempDir
    Path dir;

    @Test
    void shouldSyncMongoDbsClientWhileTheFuzzerRuns() throws Exception
    {
        final long seed = Long.getLong("outpost.fuzz.seed", System.nanoTime());
        System.out.println("RealClientFuzzIT: seed " + seed + " (-Doutpost.fuzz.seed=" + seed + ")");
        try (SyncServer server = SyncServer.start(new ServerConfig(Map.of()).port(0).host("127.0.0.1")
            .dataDir(dir.resolve("server")).appId(APP).eventLoops(2).wsBindTimeout(Duration.ofSeconds(2))))
        {
            final int port = server.port();
            final WireFuzzer fuzzer = new WireFuzzer(port, APP, SyncTestClient.login(port, APP), seed);
            fuzzer.start(4);
            try
            {
                final JsonObject write = run(port, "pbs-write",
                    Map.of("partition", "\"real\"", "count", "200", "prefix", "r"));
                assertThat(write.getInteger("count")).isEqualTo(200);
                final JsonObject read = run(port, "pbs-read", Map.of("partition", "\"real\"", "expect", "200"));
                assertThat(read.getInteger("count")).isEqualTo(200);
                run(port, "flx", Map.of("count", "50", "prefix", "f"));
            }
            finally
            {
                assertThat(fuzzer.stopAndJoin()).as("fuzzer threads stuck (seed %d)", seed).isEmpty();
            }
            System.out.println("RealClientFuzzIT: " + fuzzer.summary());
            assertThat(fuzzer.failures()).as("fuzz failures (seed %d)", seed).isEmpty();
            final HttpResponse<String> health = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/health")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
        }
    }

    private JsonObject run(final int port, final String scenario, final Map<String, String> params) throws Exception
    {
        final RealClientProcess.Result run = RealClientProcess.run(port, APP, dir.resolve(scenario), scenario, params,
            Duration.ofSeconds(180));
        final JsonObject json = run.json();
        assertThat(json).as("result line of %s; log tail:\n%s", scenario, run.logTail()).isNotNull();
        assertThat(run.exitCode()).as("exit of %s; result %s; log tail:\n%s", scenario, json, run.logTail())
            .isZero();
        return json;
    }
}
