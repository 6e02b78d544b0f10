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
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * MongoDB's own client (realm-core through Realm Kotlin's JNI) against the built {@code outpost} executable started
 * with {@code --mirror-postgres}: INSERT, UPDATE and DELETE made with SQL on the mirrored table reach a new client of
 * the partition; the same field changed with SQL and by an offline client (paused sync) converges on the client,
 * the table and a fresh client, whichever is later winning (both orders).
 */
@Timeout(400)
class RealClientMirrorInboundIT
{
    private static final String APP = "inbound-app";
    private static final String PARTITION = "\"inbound\"";

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
    void shouldDeliverSqlWritesToMongoDbsClientAndConvergeWithItsOfflineEdits() throws Exception
    {
        pg = PostgresServer.start();
        final int port;
        try (ServerSocket s = new ServerSocket(0))
        {
            port = s.getLocalPort();
        }
        server = startServer(port);
        assertThat(run(port, "w", "pbs-write", Map.of("partition", PARTITION, "count", "3", "prefix", "w"))
            .getInteger("count")).isEqualTo(3);
        awaitRows(3);
        final Map<String, String> ids = new HashMap<>();
        query("SELECT _id, name FROM rc.\"Item\"").forEach(r -> ids.put((String)r.get("name"), (String)r.get("_id")));

        sql("UPDATE rc.\"Item\" SET name = 'w-1-from-SQL', size = 11 WHERE _id = '" + ids.get("w-1") + "'");
        sql("DELETE FROM rc.\"Item\" WHERE _id = '" + ids.get("w-2") + "'");
        sql("INSERT INTO rc.\"Item\" (_partition, _id, name, color, size, tags) VALUES ('inbound', " +
            "'65a1b2c3d4e5f60718293a4b', 'inserted-with-SQL', 'blue', 5, '[\"x\", \"y\"]')");
        awaitInbound(port, 3);
        final JsonObject read = run(port, "r", "pbs-read", Map.of("partition", PARTITION, "expect", "3"));
        assertThat(read.getJsonArray("names").getList()).containsExactlyInAnyOrder("w-0", "w-1-from-SQL",
            "inserted-with-SQL");

        // offline edit earlier than the SQL change of the same field: the SQL's wins everywhere
        final String w0 = ids.get("w-0");
        final CompletableFuture<JsonObject> first = offlineEdit(port, "e1", w0, "client-earlier", false);
        awaitFile("e1");
        Thread.sleep(20);
        sql("UPDATE rc.\"Item\" SET name = 'sql-later' WHERE _id = '" + w0 + "'");
        awaitInbound(port, 4);
        Files.createFile(dir.resolve("e1.gate"));
        assertThat(first.get(120, TimeUnit.SECONDS).getString("name")).isEqualTo("sql-later");
        awaitName(w0, "sql-later");

        // offline edit later than the SQL change (which reached the server while the client was paused): the client's
        final CompletableFuture<JsonObject> second = offlineEdit(port, "e2", w0, "client-later", true);
        awaitFile("e2");
        sql("UPDATE rc.\"Item\" SET name = 'sql-earlier' WHERE _id = '" + w0 + "'");
        awaitInbound(port, 5);
        Thread.sleep(20);
        Files.createFile(dir.resolve("e2.gate"));
        assertThat(second.get(120, TimeUnit.SECONDS).getString("name")).isEqualTo("client-later");
        awaitName(w0, "client-later");
        final JsonObject fresh = run(port, "r2", "pbs-read", Map.of("partition", PARTITION, "expect", "3"));
        assertThat(fresh.getJsonArray("names").getList()).containsExactlyInAnyOrder("client-later", "w-1-from-SQL",
            "inserted-with-SQL");
        assertThat(query("SELECT * FROM rc._outpost_inbound_errors")).isEmpty();
        assertThat(query("SELECT count(*) AS n FROM rc._outpost_inbound").get(0).get("n")).isEqualTo(0L);
    }

    private CompletableFuture<JsonObject> offlineEdit(final int port, final String name, final String id,
        final String value, final boolean editAfterGate)
    {
        return CompletableFuture.supplyAsync(() ->
        {
            try
            {
                return run(port, name, "pbs-offline-edit", Map.of("partition", PARTITION, "id", id, "value", value,
                    "editAfterGate", String.valueOf(editAfterGate), "ready", dir.resolve(name + ".ready").toString(),
                    "gate", dir.resolve(name + ".gate").toString()));
            }
            catch (final Exception ex)
            {
                throw new IllegalStateException(ex);
            }
        });
    }

    private void awaitFile(final String name) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!Files.exists(dir.resolve(name + ".ready")))
        {
            assertThat(System.nanoTime()).as("client %s ready", name).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    private void awaitInbound(final int port, final long changes) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true)
        {
            final JsonObject inbound = statusJson(port).getJsonObject("mirrors").getJsonObject(APP)
                .getJsonObject("inbound");
            if (null != inbound && inbound.getLong("changes") >= changes)
            {
                return;
            }
            assertThat(System.nanoTime()).as("inbound %s", inbound).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    private void awaitName(final String id, final String name) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        List<Map<String, Object>> rows = List.of();
        while (System.nanoTime() < deadline)
        {
            rows = query("SELECT name FROM rc.\"Item\" WHERE _id = '" + id + "'");
            if (rows.size() == 1 && name.equals(rows.get(0).get("name")))
            {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("table row " + id + ": " + rows + ", expected name " + name);
    }

    private JsonObject run(final int port, final String name, final String scenario, final Map<String, String> params)
        throws Exception
    {
        final RealClientProcess.Result run = RealClientProcess.run(port, APP, dir.resolve("client-" + name),
            scenario, params, Duration.ofSeconds(180));
        final JsonObject json = run.json();
        assertThat(json).as("result; log tail:\n%s", run.logTail()).isNotNull();
        assertThat(run.exitCode()).as("exit; %s; log tail:\n%s", json, run.logTail()).isZero();
        return json;
    }

    private void awaitRows(final long expected) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        long n = -1;
        while (System.nanoTime() < deadline)
        {
            try
            {
                n = (Long)query("SELECT count(*) AS n FROM rc.\"Item\"").get(0).get("n");
                if (n == expected)
                {
                    return;
                }
            }
            catch (final java.sql.SQLException ex)
            {
                // the table is not there yet
            }
            Thread.sleep(50);
        }
        throw new AssertionError("rows: " + n + ", expected " + expected);
    }

    private void sql(final String statement) throws Exception
    {
        try (Connection c = pg.connect(); Statement st = c.createStatement())
        {
            st.execute(statement);
        }
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
        final Path classes = Path.of(RealClientMirrorInboundIT.class.getProtectionDomain().getCodeSource().getLocation()
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
