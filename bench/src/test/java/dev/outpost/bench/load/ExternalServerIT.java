package dev.outpost.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.outpost.server.config.ServerConfig;
import dev.outpost.server.runtime.SyncServer;
import io.vertx.core.json.JsonObject;

/**
 * The load generator against a server it did not start ({@code --url}), as an operator runs it: the app must be
 * named and served, a run that can compare no states says so instead of FAILED, and the server's figures appear only
 * when they can be read.
 */
@Timeout(180)
class ExternalServerIT
{
    @TempDir
    static Path dir;

    private static SyncServer server;
    private static String url;

    @BeforeAll
    static void start() throws Exception
    {
        // an operator's server: default limits, its own app id
        server = SyncServer.start(new ServerConfig(Map.of()).host("127.0.0.1").port(0).dataDir(dir.resolve("data"))
            .appId("shop").eventLoops(1));
        url = server.baseUrl();
    }

    @AfterAll
    static void stop()
    {
        if (null != server)
        {
            server.close();
        }
    }

    private static JsonObject run(final StringBuilder output, final String... args) throws Exception
    {
        final ByteArrayOutputStream log = new ByteArrayOutputStream();
        try
        {
            return LoadGenerator.run(args, new PrintStream(log, true, StandardCharsets.UTF_8));
        }
        finally
        {
            output.append(log.toString(StandardCharsets.UTF_8));
        }
    }

    @Test
    void shouldSayWhenTheServerDoesNotServeTheApp()
    {
        final Throwable failure = catchThrowable(() -> run(new StringBuilder(), "--url", url, "--app-id", "loadgen",
            "--writers", "1", "--duration", "1", "--warmup", "0", "--no-limits", "--out",
            dir.resolve("none.json").toString()));

        assertThat(failure).isInstanceOf(LoadGenerator.SetupException.class)
            .hasMessage("the server at " + url + " does not serve app 'loadgen' (cannot find app using Client App " +
                "ID 'loadgen'); give --app-id with an app it serves");
    }

    @Test
    void shouldNotFailAnUploadOnlyRunThatCanCompareNothingAndSayWhatItChecked() throws Exception
    {
        // an earlier run left its objects on the server: this run must not write into them
        final StringBuilder earlier = new StringBuilder();
        assertThat(run(earlier, "--url", url, "--app-id", "shop", "--files", "1", "--writers", "2", "--duration", "1",
            "--warmup", "0.5", "--no-limits", "--out", dir.resolve("earlier.json").toString()).getString("verdict"))
            .as(earlier::toString).isEqualTo("OK");
        final StringBuilder output = new StringBuilder();
        final JsonObject r = run(output, "--url", url, "--app-id", "shop", "--files", "1", "--writers", "3",
            "--writer-mode", "upload-only", "--duration", "2", "--warmup", "0.5", "--no-limits",
            "--out", dir.resolve("upload-only.json").toString());

        assertThat(r.getString("verdict")).as(output::toString).isEqualTo("NOT COMPARED");
        assertThat(r.getJsonObject("server").getString("partition_prefix")).startsWith("run-");
        assertThat(r.getBoolean("ok")).isTrue();
        assertThat(r.getJsonObject("convergence").getInteger("comparisons")).isZero();
        assertThat(r.getJsonObject("convergence").getInteger("unsynced_sessions")).isZero();
        assertThat(r.getString("checked")).contains("changesets acknowledged").contains("3 of 3 sessions synced")
            .contains("0 comparisons").contains("1 fresh downloads")
            .contains("upload-only writers hold only their own objects, there are no readers, an external server " +
                "gives no state hash");
        assertThat(output.toString()).contains("NOT COMPARED: ").doesNotContain("FAILED")
            .contains("server figures: not readable");
        final JsonObject resources = r.getJsonObject("server_resources");
        assertThat(resources.getBoolean("readable")).isFalse();
        assertThat(resources.fieldNames()).doesNotContain("cpu_cores_used", "rss_bytes", "heap_used_bytes");
    }

    @Test
    void shouldCompareStatesAgainstAnExternalServerAndReadTheFiguresItCan() throws Exception
    {
        final StringBuilder output = new StringBuilder();
        // the server runs in this JVM: its pid is this process's
        final JsonObject r = run(output, "--url", url, "--app-id", "shop", "--files", "1", "--writers", "2",
            "--readers", "2", "--duration", "2", "--warmup", "0.5", "--no-limits", "--no-run-tag",
            "--server-pid", Long.toString(ProcessHandle.current().pid()), "--out", dir.resolve("apply.json").toString());

        assertThat(r.getString("verdict")).as(output::toString).isEqualTo("OK");
        assertThat(r.getJsonObject("convergence").getInteger("comparisons")).isPositive();
        assertThat(r.getJsonObject("server").getString("partition_prefix")).as("--no-run-tag").isEmpty();
        final JsonObject resources = r.getJsonObject("server_resources");
        assertThat(resources.getBoolean("readable")).isTrue();
        assertThat(resources.getDouble("cpu_cores_used")).isPositive();
        assertThat(resources.getLong("rss_bytes")).isPositive();
        assertThat(resources.fieldNames()).as("an external server's heap cannot be read").doesNotContain(
            "heap_used_bytes");
    }

    @Test
    void shouldDeleteThePartitionsItCreatedThroughTheAdminApi() throws Exception
    {
        final StringBuilder output = new StringBuilder();
        // the server made its admin key in its data directory (none was configured)
        final JsonObject r = run(output, "--url", url, "--app-id", "shop", "--files", "2", "--writers", "2",
            "--readers", "1", "--idle", "1", "--duration", "1", "--warmup", "0.5", "--no-limits",
            "--admin-key-file", dir.resolve("data").resolve("admin.key").toString(),
            "--admin-url", server.http().adminBaseUrl(), "--out", dir.resolve("cleanup.json").toString());

        assertThat(r.getString("verdict")).as(output::toString).isEqualTo("OK");
        final String prefix = r.getJsonObject("server").getString("partition_prefix");
        assertThat(prefix).startsWith("run-");
        final JsonObject cleanup = r.getJsonObject("cleanup");
        assertThat(cleanup.getInteger("partitions")).as("f0, f1 and idle-0").isEqualTo(3);
        assertThat(cleanup.getInteger("deleted")).as(output::toString).isEqualTo(3);
        assertThat(cleanup.getInteger("failed")).isZero();
        assertThat(output.toString()).contains("cleanup: deleted 3 of 3 partitions").doesNotContain("left 3");
        final java.util.List<String> left = new java.util.ArrayList<>();
        server.sync("shop").historyStore().forEachServerFile(f ->
        {
            if (f.name().contains(prefix))
            {
                left.add(f.name());
            }
        });
        assertThat(left).as("nothing of this run is left").isEmpty();

        // a wrong key: nothing deleted, the run says so and what is left
        final StringBuilder denied = new StringBuilder();
        final JsonObject d = run(denied, "--url", url, "--app-id", "shop", "--files", "1", "--writers", "1",
            "--duration", "1", "--warmup", "0.5", "--no-limits", "--admin-key", "not-the-admin-key-0123456789",
            "--admin-url", server.http().adminBaseUrl(), "--out", dir.resolve("denied.json").toString());
        assertThat(d.getJsonObject("cleanup").getInteger("deleted")).isZero();
        assertThat(d.getJsonObject("cleanup").getInteger("failed")).isEqualTo(1);
        assertThat(denied.toString()).contains("cleanup: deleted 0 of 1 partitions").contains("HTTP 401")
            .contains("left 1 partitions");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "b", "c", "d", "e"})
    void shouldRunEveryScenarioAgainstAnExternalServer(final String scenario) throws Exception
    {
        final String scale = switch (scenario)
        {
            case "d" -> "0.1";
            case "e" -> "0.02";
            default -> "0.01";
        };
        final StringBuilder output = new StringBuilder();
        final JsonObject r = run(output, "--scenario", scenario, "--scale", scale, "--url", url, "--app-id", "shop",
            "--duration", "2", "--warmup", "0.5", "--no-limits", "--storm-backoff-ms", "100",
            "--out", dir.resolve(scenario + ".json").toString());

        assertThat(r.getBoolean("ok")).as(output::toString).isTrue();
        assertThat(r.getString("verdict")).as(output::toString).isEqualTo("a".equals(scenario) ? "NOT COMPARED" : "OK");
        assertThat(r.getJsonObject("errors").getLong("count")).as(output::toString).isZero();
        assertThat(r.getJsonObject("server").getString("kind")).isEqualTo("external");
    }
}
