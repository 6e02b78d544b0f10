package dev.outpost.server.realclient;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The built {@code outpost} executable stopped with SIGTERM ({@link Process#destroy()}): a connected sync client is
 * told to reconnect later ({@code error 100 ... 1 0}, then close 1001), the process logs its shutdown steps and exits
 * with 0, and what a real client wrote before (and the user's refresh token) is there after a restart. Then the
 * same over HTTPS/WSS with a self-signed certificate that the real client (realm-core) is told to trust.
 */
@Timeout(240)
class GracefulShutdownIT
{
    private static final String APP = "shutdown-app";

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
    }

    @Test
    void shouldTellClientsToReconnectExitZeroAndKeepWhatWasAcknowledged() throws Exception
    {
        final int port = freePort();
        server = startServer(port);
        final JsonObject written = run(port, "client-a", "pbs-write", Map.of("partition", "\"keep\"", "count", "50",
            "prefix", "before"));
        assertThat(written.getInteger("count")).isEqualTo(50);

        final HttpClient http = HttpClient.newHttpClient();
        final JsonObject login = new JsonObject(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" +
            port + "/api/client/v2.0/app/" + APP + "/auth/providers/anon-user/login"))
            .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString()).body());

        try (Socket socket = new Socket("127.0.0.1", port))
        {
            socket.setSoTimeout(20_000);
            final OutputStream out = socket.getOutputStream();
            final DataInputStream in = new DataInputStream(socket.getInputStream());
            out.write(("GET /api/client/v2.0/app/" + APP + "/realm-sync?baas_at=" + login.getString("access_token") +
                " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" +
                "Sec-WebSocket-Protocol: com.mongodb.realm-sync#14\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            final StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n"))
            {
                head.append((char)in.read());
            }
            assertThat(head.toString()).startsWith("HTTP/1.1 101");

            server.destroy(); // SIGTERM (the launcher execs java, so this is the JVM)

            final byte[] error = frame(in);
            assertThat(new String(error, StandardCharsets.UTF_8)).startsWith("error 100 ").contains(" 1 0\n");
            final byte[] close = frame(in);
            assertThat(((close[0] & 0xFF) << 8) | (close[1] & 0xFF)).isEqualTo(1001);
        }
        assertThat(server.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(server.exitValue()).as("exit status after SIGTERM; log:\n%s", Files.readString(serverLog))
            .isZero();
        final String log = Files.readString(serverLog);
        assertThat(log).contains("Outpost received SIGTERM: graceful shutdown")
            .contains("Outpost shutting down: refusing new requests")
            .contains("Outpost shutting down: told 1 sync connection(s) to reconnect later")
            .contains("Outpost shutting down: stores of 1 app(s) closed")
            .contains("Outpost stopped");

        server = startServer(port);
        final JsonObject read = run(port, "client-b", "pbs-read", Map.of("partition", "\"keep\"", "expect", "50"));
        assertThat(read.getInteger("count")).isEqualTo(50);
        final HttpResponse<String> refreshed = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" +
            port + "/api/client/v2.0/auth/session")).header("Authorization", "Bearer " +
            login.getString("refresh_token")).POST(HttpRequest.BodyPublishers.noBody()).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(refreshed.statusCode()).as("the user logged in before the restart").isEqualTo(201);
    }

    @Test
    void shouldLoginAndSyncARealClientOverHttpsAndWss() throws Exception
    {
        final int port = freePort();
        server = startServer(port, "--tls-self-signed");
        final Path cert = dir.resolve("server/tls/self-signed-cert.pem");
        assertThat(Files.readString(serverLog)).contains("listening on https://").contains("tls=TLSv1.3")
            .contains("Self-signed certificate (clients must trust it): " + cert);

        final JsonObject written = run(port, "tls-a", "pbs-write", Map.of("partition", "\"secure\"", "count", "20",
            "prefix", "tls", "trustCert", cert.toString()));
        assertThat(written.getInteger("count")).isEqualTo(20);
        final JsonObject read = run(port, "tls-b", "pbs-read", Map.of("partition", "\"secure\"", "expect", "20",
            "trustCert", cert.toString()));
        assertThat(read.getInteger("count")).isEqualTo(20);
        assertThat(Files.readString(dir.resolve("tls-a/driver.log"))).contains("wss://localhost:" + port);
    }

    @Test
    void shouldLetAConnectedRealClientReconnectByItselfAfterARestart() throws Exception
    {
        final int port = freePort();
        server = startServer(port);
        final Path signals = Files.createDirectories(dir.resolve("signals"));
        final java.util.concurrent.CompletableFuture<RealClientProcess.Result> client =
            java.util.concurrent.CompletableFuture.supplyAsync(() ->
            {
                try
                {
                    return RealClientProcess.run(port, APP, dir.resolve("client-r"), "pbs-write-across-restart",
                        Map.of("partition", "\"restart\"", "count", "30", "signalDir", signals.toString()),
                        Duration.ofSeconds(150));
                }
                catch (final Exception ex)
                {
                    throw new IllegalStateException(ex);
                }
            });
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!Files.exists(signals.resolve("phase1.done")))
        {
            assertThat(client.isDone()).as("client ended early: %s", client.isDone() ? client.join().json() : "")
                .isFalse();
            assertThat(System.nanoTime()).isLessThan(deadline);
            Thread.sleep(20);
        }

        server.destroy(); // SIGTERM while the client's realm is open and connected
        assertThat(server.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(server.exitValue()).isZero();
        assertThat(Files.readString(serverLog)).contains("told 1 sync connection(s) to reconnect later");

        server = startServer(port);
        Files.createFile(signals.resolve("go"));
        final RealClientProcess.Result result = client.get(150, TimeUnit.SECONDS);
        assertThat(result.exitCode()).as("%s; log tail:\n%s", result.json(), result.logTail()).isZero();
        assertThat(result.json().getInteger("count")).isEqualTo(60);
        assertThat(Files.readString(result.log())).as("realm-core saw the server's try-again error")
            .contains("Connection closed due to error reported by server")
            .contains("the server is shutting down; reconnect later");
    }

    private static int freePort() throws Exception
    {
        try (ServerSocket s = new ServerSocket(0))
        {
            return s.getLocalPort();
        }
    }

    private static byte[] frame(final DataInputStream in) throws Exception
    {
        in.readUnsignedByte();
        int length = in.readUnsignedByte() & 0x7F;
        if (length == 126)
        {
            length = in.readUnsignedShort();
        }
        final byte[] payload = new byte[length];
        in.readFully(payload);
        return payload;
    }

    private JsonObject run(final int port, final String clientDir, final String scenario,
        final Map<String, String> params) throws Exception
    {
        final RealClientProcess.Result run = RealClientProcess.run(port, APP, dir.resolve(clientDir), scenario, params,
            Duration.ofSeconds(90));
        final JsonObject json = run.json();
        assertThat(json).as("result line of %s; log tail:\n%s", scenario, run.logTail()).isNotNull();
        assertThat(run.exitCode()).as("exit of %s; result %s; log tail:\n%s", scenario, json, run.logTail())
            .isZero();
        return json;
    }

    private Process startServer(final int port, final String... extra) throws Exception
    {
        final Path classes = Path.of(GracefulShutdownIT.class.getProtectionDomain().getCodeSource().getLocation()
            .toURI());
        final Path executable = classes.getParent().resolve("outpost");
        final List<String> command = new ArrayList<>(List.of(executable.toString(), "serve", "--host", "127.0.0.1",
            "--port", String.valueOf(port), "--data-dir", dir.resolve("server").toString(), "--app-id", APP,
            "--event-loops", "2"));
        command.addAll(List.of(extra));
        final Path log = dir.resolve("server-" + System.nanoTime() + ".log");
        serverLog = log;
        final ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
            .redirectOutput(log.toFile());
        builder.environment().put("JAVA_OPTS", "-Xmx256m");
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        final Process p = builder.start();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true)
        {
            final String text = Files.exists(log) ? Files.readString(log) : "";
            final boolean tls = command.contains("--tls-self-signed");
            if (text.contains(tls ? "Self-signed certificate" : "Outpost listening"))
            {
                return p;
            }
            assertThat(p.isAlive()).as("server ended before listening:\n%s", text).isTrue();
            assertThat(System.nanoTime()).as("server start:\n%s", text).isLessThan(deadline);
            Thread.sleep(50);
        }
    }
}
