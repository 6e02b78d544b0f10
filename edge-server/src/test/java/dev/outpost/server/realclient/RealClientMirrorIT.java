package dev.outpost.server.realclient;

import dev.outpost.server.mirror.PostgresServer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * MongoDB's own client (realm-core through Realm Kotlin's JNI) writes to the built {@code outpost} executable
 * started with {@code --mirror-postgres}; a real PostgreSQL started by the test receives the rows. The executable is
 * killed with SIGKILL right after a large upload (the mirror is behind or inside its transaction), and PostgreSQL
 * is stopped while clients keep writing: every acknowledged object ends up in the table exactly once.
 */
@Timeout(400)
class RealClientMirrorIT
{
    private static final String APP = "mirror-app";
    private static final String FILE = "pbs/" + APP + "/\"mirrored\"";

    @TempDir
    Path dir;

    private Process server;
    private Path serverLog;
    private PostgresServer pg;

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
        if (null != pg)
        {
            pg.close();
        }
    }

    @Test
    void shouldMirrorRealClientWritesAcrossKillMinusNineAndAPostgresOutage() throws Exception
    {
        pg = PostgresServer.start();
        final int port;
        try (ServerSocket s = new ServerSocket(0))
        {
            port = s.getLocalPort();
        }
        server = startServer(port);
        write(port, "w1", 200);
        awaitRows(200);
        final Map<String, String> types = new HashMap<>();
        for (final Map<String, Object> r : query("SELECT column_name, data_type FROM information_schema.columns " +
            "WHERE table_schema = 'rc' AND table_name = 'Item'"))
        {
            types.put((String)r.get("column_name"), (String)r.get("data_type"));
        }
        assertThat(types).containsAllEntriesOf(Map.of("_partition", "text", "_id", "text", "name", "text",
            "color", "text", "size", "bigint", "tags", "jsonb"));
        final Map<String, Object> one = query("SELECT _partition, _id, name, size, tags::text AS tags FROM rc.\"Item\" " +
            "WHERE name = 'w1-7'").get(0);
        assertThat(one.get("_partition")).isEqualTo("mirrored");
        assertThat((String)one.get("_id")).matches("[0-9a-f]{24}");

        // a large upload, then SIGKILL at once: the mirror has not finished (or not started) its batch
        write(port, "w2", 3000);
        server.destroyForcibly();
        assertThat(server.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(server.exitValue()).isEqualTo(137);
        server = startServer(port);
        awaitRows(3200);

        // PostgreSQL down: sync goes on (the upload is acknowledged), the mirror waits and catches up
        pg.stop();
        write(port, "w3", 100);
        final JsonObject status = statusJson(port).getJsonObject("mirrors").getJsonObject(APP);
        assertThat(status.getLong("lag_versions")).as("%s", status).isPositive();
        pg.startServer();
        awaitRows(3300);

        final Set<String> expected = new HashSet<>();
        for (int i = 0; i < 200; i++)
        {
            expected.add("w1-" + i);
        }
        for (int i = 0; i < 3000; i++)
        {
            expected.add("w2-" + i);
        }
        for (int i = 0; i < 100; i++)
        {
            expected.add("w3-" + i);
        }
        final List<Map<String, Object>> names = query("SELECT name FROM rc.\"Item\"");
        assertThat(names).hasSize(3300);
        final Set<String> got = new HashSet<>();
        names.forEach(r -> got.add((String)r.get("name")));
        assertThat(got).isEqualTo(expected);
        assertThat(query("SELECT * FROM rc._outpost_mirror_errors")).isEmpty();
        final long head = statusJson(port).getJsonObject("mirrors").getJsonObject(APP).getJsonArray("files")
            .getJsonObject(0).getLong("head");
        assertThat(query("SELECT server_file, version FROM rc._outpost_mirror_position"))
            .containsExactly(Map.of("server_file", FILE, "version", head));
    }

    private void write(final int port, final String prefix, final int count) throws Exception
    {
        final RealClientProcess.Result run = RealClientProcess.run(port, APP, dir.resolve("client-" + prefix),
            "pbs-write", Map.of("partition", "\"mirrored\"", "count", String.valueOf(count), "prefix", prefix),
            Duration.ofSeconds(120));
        final JsonObject json = run.json();
        assertThat(json).as("result; log tail:\n%s", run.logTail()).isNotNull();
        assertThat(run.exitCode()).as("exit; %s; log tail:\n%s", json, run.logTail()).isZero();
    }

    private void awaitRows(final long expected) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        long n = -1;
        while (System.nanoTime() < deadline)
        {
            try
            {
                final List<Map<String, Object>> r = query("SELECT count(*) AS n FROM rc.\"Item\"");
                n = (Long)r.get(0).get("n");
                if (n == expected)
                {
                    return;
                }
                assertThat(n).as("never more rows than objects").isLessThanOrEqualTo(expected);
            }
            catch (final java.sql.SQLException ex)
            {
                // the table is not there yet
            }
            Thread.sleep(50);
        }
        throw new AssertionError("rows: " + n + ", expected " + expected);
    }

    private List<Map<String, Object>> query(final String sql) throws Exception
    {
        try (Connection c = pg.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql))
        {
            final List<Map<String, Object>> out = new ArrayList<>();
            while (rs.next())
            {
                final Map<String, Object> row = new HashMap<>();
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++)
                {
                    row.put(rs.getMetaData().getColumnLabel(i), rs.getObject(i));
                }
                out.add(row);
            }
            return out;
        }
    }

    private static JsonObject statusJson(final int port) throws Exception
    {
        final HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + (port + 1) + "/status.json")).build(), HttpResponse.BodyHandlers.ofString());
        return new JsonObject(r.body());
    }

    private Process startServer(final int port) throws Exception
    {
        final Path classes = Path.of(RealClientMirrorIT.class.getProtectionDomain().getCodeSource().getLocation()
            .toURI());
        final Path executable = classes.getParent().resolve("outpost");
        assertThat(Files.isExecutable(executable)).as("%s is built (package phase)", executable).isTrue();
        final ProcessBuilder builder = new ProcessBuilder(List.of(executable.toString(), "serve", "--host",
            "127.0.0.1", "--port", String.valueOf(port), "--data-dir", dir.resolve("server").toString(), "--app-id",
            APP, "--event-loops", "2", "--mirror-postgres", pg.url(), "--mirror-schema", "rc"));
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
