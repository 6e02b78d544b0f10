package dev.outpost.server.realclient;

import dev.outpost.server.config.ServerConfig;
import dev.outpost.server.runtime.SyncServer;
import dev.outpost.server.sync.SyncService;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * MongoDB's own sync client (realm-core 14.12.0) receiving DOWNLOADs composed from a server file's shared entries
 * (encode once, deliver to many): gathered WebSocket frames, and a compressed body assembled from an entry deflated
 * once for all sessions (stored blocks, sync-flushed deflate data, combined Adler-32), which realm-core inflates
 * with zlib as one stream.
 */
@Timeout(240)
class RealClientSharedDownloadIT
{
    private static final String APP = "shared-it-app";

    @TempDir
    static Path dir;

    private static SyncServer server;

    @BeforeAll
    static void start() throws Exception
    {
        server = SyncServer.start(new ServerConfig(Map.of()).port(0).host("127.0.0.1")
            .dataDir(dir.resolve("server")).appId(APP).eventLoops(2));
    }

    @AfterAll
    static void stop()
    {
        if (server != null)
        {
            server.close();
        }
    }

    private static JsonObject run(final String clientDir, final String scenario, final Map<String, String> params)
        throws Exception
    {
        final RealClientProcess.Result run = RealClientProcess.run(server.port(), APP, dir.resolve(clientDir),
            scenario, params, Duration.ofSeconds(150));
        final JsonObject json = run.json();
        assertThat(json).as("result line of %s; log tail:\n%s", scenario, run.logTail()).isNotNull();
        assertThat(run.exitCode()).as("exit of %s; result %s; log tail:\n%s", scenario, json, run.logTail())
            .isZero();
        return json;
    }

    @Test
    void shouldDeliverOneCompressedSharedEntryToTwoLiveRealClients() throws Exception
    {
        final String partition = "\"fan\"";
        final String file = SyncService.pbsFileName(APP, partition);
        final Map<String, String> read = Map.of("partition", partition, "expect", "300", "timeoutMs", "120000");
        final CompletableFuture<JsonObject> r1 = CompletableFuture.supplyAsync(() -> runUnchecked("reader-1", read));
        final CompletableFuture<JsonObject> r2 = CompletableFuture.supplyAsync(() -> runUnchecked("reader-2", read));
        final long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (server.sync().identifiedClientFiles(file) < 2 && System.nanoTime() < deadline)
        {
            Thread.sleep(50);
        }
        assertThat(server.sync().identifiedClientFiles(file)).as("both readers bound and identified").isEqualTo(2);

        // one transaction of 300 objects: one entry of several KiB, sent compressed to both readers
        final JsonObject w = run("writer", "pbs-write", Map.of("partition", partition, "count", "300",
            "prefix", "shared-object-with-a-compressible-name"));
        assertThat(w.getInteger("count")).isEqualTo(300);
        final Set<String> expected = new HashSet<>();
        for (int i = 0; i < 300; i++)
        {
            expected.add("shared-object-with-a-compressible-name-" + i);
        }
        for (final JsonObject r : new JsonObject[] {r1.get(), r2.get()})
        {
            assertThat(r.getInteger("count")).isEqualTo(300);
            assertThat(new HashSet<>(r.getJsonArray("names").getList())).isEqualTo(expected);
        }
        assertThat(server.sync().sharedEntriesKept(file)).as("the entry was encoded once for the sessions")
            .isGreaterThanOrEqualTo(1);
    }

    private static JsonObject runUnchecked(final String clientDir, final Map<String, String> params)
    {
        try
        {
            return run(clientDir, "pbs-read", params);
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException(ex);
        }
    }
}
