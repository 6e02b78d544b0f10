package dev.outpost.server.realclient;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The built {@code outpost} executable as a separate process, killed with SIGKILL and stopped with SIGTERM between
 * real-client writes: nothing acknowledged is lost, and a client that synced before the crash resumes with its
 * stored client file ident and cursors.
 */
@Timeout(240)
class RealClientRestartIT
{
    private static final String APP = "restart-app";

    @TempDir
    Path dir;

    private Process server;
    private Path serverLog;

    @AfterEach
    void stop() throws Exception
    {
        if (server != null && server.isAlive())
        {
            server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        if (serverLog != null && Files.exists(serverLog))
        {
            System.out.println("last server log:\n" + Files.readString(serverLog));
        }
    }

    @Test
    void shouldLoseNothingAcrossKillMinusNineAndRestart() throws Exception
    {
        final int port;
        try (ServerSocket s = new ServerSocket(0))
        {
            port = s.getLocalPort();
        }
        server = startServer(port);
        final JsonObject first = run(port, "client-a", "pbs-write", Map.of("partition", "\"durable\"", "count", "200",
            "prefix", "w1"));
        assertThat(first.getInteger("count")).isEqualTo(200);

        server.destroyForcibly(); // SIGKILL: the launcher execs java, so this is the JVM itself
        assertThat(server.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(server.exitValue()).isEqualTo(137);

        server = startServer(port);
        final JsonObject second = run(port, "client-a", "pbs-write", Map.of("partition", "\"durable\"", "count",
            "200", "prefix", "w2"));
        assertThat(second.getInteger("count")).as("client A's realm after the crash").isEqualTo(400);

        server.destroy(); // SIGTERM: orderly shutdown
        assertThat(server.waitFor(20, TimeUnit.SECONDS)).isTrue();

        server = startServer(port);
        final JsonObject read = run(port, "client-b", "pbs-read", Map.of("partition", "\"durable\"", "expect", "400"));
        assertThat(read.getInteger("count")).isEqualTo(400);
        final Set<String> expected = new HashSet<>();
        for (int i = 0; i < 200; i++)
        {
            expected.add("w1-" + i);
            expected.add("w2-" + i);
        }
        assertThat(new HashSet<>(read.getJsonArray("names").getList())).isEqualTo(expected);
    }

    @Test
    void shouldAskAClientToResetWhenTheServerLostItsClientFile() throws Exception
    {
        final int port;
        try (ServerSocket s = new ServerSocket(0))
        {
            port = s.getLocalPort();
        }
        server = startServer(port);
        run(port, "client-r", "pbs-write", Map.of("partition", "\"reset\"", "count", "10", "prefix", "r"));
        server.destroy();
        assertThat(server.waitFor(20, TimeUnit.SECONDS)).isTrue();
        // the sync history is lost (users and keys stay): the client's file ident is unknown now
        try (var files = Files.walk(dir.resolve("server").resolve("sync")))
        {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        server = startServer(port);
        final JsonObject reset = run(port, "client-r", "await-sync-error", Map.of("partition", "\"reset\""));
        System.out.println("client reset: " + reset);
        assertThat(reset.getBoolean("client_reset_requested")).as("%s", reset).isTrue();
        assertThat(reset.getString("error_code")).isEqualTo("RLM_ERR_SYNC_CLIENT_RESET_REQUIRED");
        assertThat(reset.getString("error_message")).contains("unknown client file ident");
    }

    private JsonObject run(final int port, final String clientDir, final String scenario,
        final Map<String, String> params) throws Exception
    {
        final RealClientProcess.Result run = RealClientProcess.run(port, APP, dir.resolve(clientDir), scenario, params,
            Duration.ofSeconds(120));
        final JsonObject json = run.json();
        assertThat(json).as("result line of %s; log tail:\n%s", scenario, run.logTail()).isNotNull();
        assertThat(run.exitCode()).as("exit of %s; result %s; log tail:\n%s", scenario, json, run.logTail())
            .isZero();
        return json;
    }

    private Process startServer(final int port) throws Exception
    {
        final Path classes = Path.of(RealClientRestartIT.class.getProtectionDomain().getCodeSource().getLocation()
            .toURI());
        final Path executable = classes.getParent().resolve("outpost");
        assertThat(Files.isExecutable(executable)).as("%s is built (package phase)", executable).isTrue();
        final ProcessBuilder builder = new ProcessBuilder(List.of(executable.toString(), "serve", "--host",
            "127.0.0.1", "--port", String.valueOf(port), "--data-dir", dir.resolve("server").toString(), "--app-id",
            APP, "--event-loops", "2"));
        builder.environment().put("JAVA_OPTS", "-Xmx256m");
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.redirectErrorStream(true);
        final Process p = builder.start();
        final CompletableFuture<String> ready = new CompletableFuture<>();
        final Path log = dir.resolve("server-" + System.nanoTime() + ".log");
        serverLog = log;
        final Thread pump = new Thread(() ->
        {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                StandardCharsets.UTF_8)))
            {
                String line;
                while ((line = r.readLine()) != null)
                {
                    Files.writeString(log, line + "\n", StandardCharsets.UTF_8,
                        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
                    if (line.startsWith("Outpost listening"))
                    {
                        ready.complete(line);
                    }
                }
            }
            catch (final Exception ex)
            {
                ready.completeExceptionally(ex);
            }
            ready.completeExceptionally(new IllegalStateException("server ended before listening"));
        }, "server-output");
        pump.setDaemon(true);
        pump.start();
        ready.get(60, TimeUnit.SECONDS);
        return p;
    }
}
