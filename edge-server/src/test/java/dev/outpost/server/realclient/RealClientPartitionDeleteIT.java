package dev.outpost.server.realclient;

import dev.outpost.server.config.ServerConfig;
import dev.outpost.server.runtime.SyncServer;
import dev.outpost.server.sync.SyncService;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * MongoDB's own client (realm-core 14) against a PBS partition deleted through the admin API: a client connected at
 * the time, and one offline at the time, both get a client reset (discard mode here) and end with the new, empty
 * partition; a fresh client reads it empty too.
 */
@Timeout(300)
class RealClientPartitionDeleteIT
{
    private static final String APP = "partition-delete-app";
    private static final String KEY = "real-client-admin-key-0123456789";
    private static final int COUNT = 5;

    @TempDir
    Path dir;

    private SyncServer server;

    @BeforeEach
    void start() throws Exception
    {
        server = SyncServer.start(new ServerConfig(Map.of()).port(0).host("127.0.0.1")
            .dataDir(dir.resolve("server")).appId(APP).eventLoops(2).adminKey(KEY));
    }

    @AfterEach
    void stop()
    {
        if (server != null)
        {
            server.close();
        }
    }

    @Test
    void shouldResetAConnectedRealClientToTheNewEmptyPartition() throws Exception
    {
        final String partition = "\"live\"";
        final CompletableFuture<RealClientProcess.Result> live = CompletableFuture.supplyAsync(() ->
        {
            try
            {
                return RealClientProcess.run(server.port(), APP, dir.resolve("client-live"), "reset-live",
                    Map.of("partition", partition, "count", String.valueOf(COUNT)), Duration.ofSeconds(150));
            }
            catch (final Exception ex)
            {
                throw new IllegalStateException(ex);
            }
        });
        final Path ready = dir.resolve("client-live").resolve("client").resolve("ready");
        final long deadline = System.currentTimeMillis() + 120_000;
        while (!Files.exists(ready) && !live.isDone() && System.currentTimeMillis() < deadline)
        {
            Thread.sleep(100);
        }
        assertThat(ready).as("the client synced its Items and waits").exists();
        assertThat(server.sync().head(SyncService.pbsFileName(APP, partition))).isPositive();

        assertThat(delete(partition).statusCode()).isEqualTo(204);

        final RealClientProcess.Result run = live.get(160, TimeUnit.SECONDS);
        final JsonObject json = run.json();
        assertThat(json).as("result line; log tail:\n%s", run.logTail()).isNotNull();
        assertThat(run.exitCode()).as("exit; result %s; log tail:\n%s", json, run.logTail()).isZero();
        assertThat(json.getLong("count_before")).isEqualTo(COUNT);
        assertThat(json.getString("resets")).as("%s", json).startsWith("before").contains("after recovered=false");
        assertThat(json.getString("names")).as("the client holds the new, empty partition").isEmpty();
        assertThat(server.sync().errorsSent(208)).as("bad_client_file_ident sent").isEqualTo(1);
        final String file = SyncService.pbsFileName(APP, partition);
        assertThat(server.sync().head(file)).as("the schema only (version 1)").isEqualTo(1);
        assertThat(server.sync().objectStateDump(file)).as("nothing came back").contains("class Item")
            .doesNotContain("  object ");
        readEmpty(partition);
    }

    @Test
    void shouldResetARealClientThatWasOfflineAtTheDeletion() throws Exception
    {
        final String partition = "\"offline\"";
        final JsonObject written = run("client-a", "pbs-write", Map.of("partition", partition, "count",
            String.valueOf(COUNT), "prefix", "base", "file", "r.realm"));
        assertThat(written.getInteger("count")).isEqualTo(COUNT);

        assertThat(delete(partition).statusCode()).isEqualTo(204);

        final JsonObject back = run("client-a", "reset-reconnect", Map.of("partition", partition, "resync",
            "discard"));
        assertThat(back.getString("resets")).as("%s", back).startsWith("before").contains("after recovered=false");
        assertThat(back.getString("names")).as("the new, empty partition").isEmpty();
        readEmpty(partition);
    }

    private void readEmpty(final String partition) throws Exception
    {
        final JsonObject read = run("client-fresh", "pbs-read", Map.of("partition", partition, "expect", "0",
            "file", "c.realm"));
        assertThat(read.getInteger("count")).isZero();
    }

    private HttpResponse<String> delete(final String partition) throws Exception
    {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(server.http().adminBaseUrl() +
                "/api/admin/v3.0/groups/-/apps/" + APP + "/sync/files?partition=" +
                URLEncoder.encode(partition, StandardCharsets.UTF_8)))
            .header("Authorization", "Bearer " + KEY).DELETE().build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonObject run(final String clientDir, final String scenario, final Map<String, String> params)
        throws Exception
    {
        final RealClientProcess.Result run = RealClientProcess.run(server.port(), APP, dir.resolve(clientDir),
            scenario, params, Duration.ofSeconds(120));
        final JsonObject json = run.json();
        assertThat(json).as("result line of %s; log tail:\n%s", scenario, run.logTail()).isNotNull();
        assertThat(run.exitCode()).as("exit of %s; result %s; log tail:\n%s", scenario, json, run.logTail())
            .isZero();
        return json;
    }
}
