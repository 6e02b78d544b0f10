package dev.outpost.server.sync;

import dev.outpost.codec.message.MessageType;
import dev.outpost.server.http.HttpConnectionGuard;
import dev.outpost.server.runtime.SyncServer;
import dev.outpost.server.ws.RawWebSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Connections that never finish a request (issue 17 item 5): silent ones, partial heads, partial bodies and idle
 * keep-alive ones are closed by a real server with 1 s HTTP timeouts, while a sync WebSocket idle for longer stays
 * open; with a cap of 20 connections, 40 idle ones leave {@code /health} answering and the server serves again once
 * they close. Waits are bounded polls (up to 20 s), never timing assertions.
 */
@Timeout(120)
class HttpConnectionGuardIT
{
    private static final String APP = "guard-app";
    private static final long CLOSE_WAIT_MS = 20_000;

    @TempDir
    Path dir;

    private final SyncTestServer fixture = new SyncTestServer(APP);
    private final List<Socket> sockets = new ArrayList<>();

    @AfterEach
    void tearDown()
    {
        for (final Socket s : sockets)
        {
            try
            {
                s.close();
            }
            catch (final IOException ignore)
            {
                // closing anyway
            }
        }
        fixture.close();
    }

    @Test
    void shouldCloseSilentAndIdleKeepAliveConnectionsAfterTheIdleTimeout() throws Exception
    {
        // Only the idle timeout is short: whatever closes these connections is the idle timeout.
        final SyncServer server = fixture.start(dir, c -> c.httpIdleTimeout(Duration.ofSeconds(1))
            .httpHeaderTimeout(Duration.ofSeconds(60)).httpBodyTimeout(Duration.ofSeconds(60)));
        final int port = server.port();

        final Socket silent = open(port);
        final Socket keepAlive = open(port);
        send(keepAlive, "GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(readHead(keepAlive)).startsWith("HTTP/1.1 200");

        assertThat(readUntilClosed(silent)).as("silent connection").isEmpty();
        readUntilClosed(keepAlive);
        assertThat(server.http().connectionGuard().timedOutConnections()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void shouldClosePartialHeadsAndStalledBodiesAfterTheirTimeouts() throws Exception
    {
        // The idle timeout is long: whatever closes these connections is the header or the body timeout.
        final SyncServer server = fixture.start(dir, c -> c.httpIdleTimeout(Duration.ofSeconds(60))
            .httpHeaderTimeout(Duration.ofSeconds(1)).httpBodyTimeout(Duration.ofSeconds(1)));
        final int port = server.port();

        final Socket partialHead = open(port);
        send(partialHead, "GET /health HTTP/1.1\r\nHost: x\r\n");
        final Socket partialBody = open(port);
        send(partialBody, "POST /api/client/v2.0/app/" + APP + "/auth/providers/anon-user/login HTTP/1.1\r\n" +
            "Host: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"");
        // A body to a route that answers at once (404) without reading it: the stalled body still counts.
        final Socket answeredBody = open(port);
        send(answeredBody, "POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nab");
        // A keep-alive connection that starts its second request head and stops.
        final Socket secondHead = open(port);
        send(secondHead, "GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(readHead(secondHead)).startsWith("HTTP/1.1 200");
        send(secondHead, "GET /health HTTP/1.1\r\n");

        assertThat(readUntilClosed(partialHead)).as("partial head").startsWith("HTTP/1.1 408");
        readUntilClosed(partialBody);
        assertThat(readUntilClosed(answeredBody)).as("answered, body stalled").startsWith("HTTP/1.1 404");
        assertThat(readUntilClosed(secondHead)).as("second head").contains("HTTP/1.1 408");
        assertThat(server.http().connectionGuard().timedOutConnections()).isGreaterThanOrEqualTo(4);
    }

    @Test
    void shouldKeepAnIdleSyncWebSocketOpenPastTheHttpTimeouts() throws Exception
    {
        final SyncServer server = fixture.start(dir, c -> c.httpIdleTimeout(Duration.ofSeconds(1))
            .httpHeaderTimeout(Duration.ofSeconds(1)).httpBodyTimeout(Duration.ofSeconds(1)));
        final SyncTestClient client = fixture.connect(false);
        // A connection closed for an HTTP timeout is closed within about a second: give it four.
        Thread.sleep(4_000);
        client.ping(42);
        final SyncTestClient.Msg pong = client.next(MessageType.PONG);
        assertThat(pong.get(0)).isEqualTo(42);
        // Meanwhile a plain HTTP connection on the same server is closed by the idle timeout.
        final Socket silent = open(server.port());
        assertThat(readUntilClosed(silent)).isEmpty();
    }

    @Test
    void shouldKeepHealthAnsweringAtTheConnectionCapAndRecoverWhenConnectionsClose() throws Exception
    {
        final int cap = 20;
        final SyncServer server = fixture.start(dir, c -> c.maxConnections(cap)
            .httpIdleTimeout(Duration.ofSeconds(60)).httpHeaderTimeout(Duration.ofSeconds(60)));
        final int port = server.port();
        final HttpConnectionGuard guard = server.http().connectionGuard();
        assertThat(guard.maxConnections()).isEqualTo(cap);

        final List<Socket> idle = new ArrayList<>();
        for (int i = 0; i < 2 * cap; i++)
        {
            idle.add(open(port));
        }
        awaitOpen(guard, 2 * cap);

        // Beyond the cap: /health answers, anything else (a sync upgrade too) gets a cheap 503 and a close.
        assertThat(request(port, "/health")).startsWith("HTTP/1.1 200");
        assertThat(request(port, "/api/client/v2.0/app/" + APP + "/location")).startsWith("HTTP/1.1 503");
        try (RawWebSocket ws = RawWebSocket.connect(port, "/api/client/v2.0/app/" + APP + "/realm-sync?baas_at=" +
            fixture.token(), "com.mongodb.realm-sync#14"))
        {
            assertThat(ws.status).isEqualTo(503);
        }
        assertThat(guard.refusedConnections()).isGreaterThanOrEqualTo(2);

        // Beyond the cap and the overflow slots, new connections are closed at once: the last one opened here is
        // beyond both, whatever else is open (the cap's worth of idle ones are).
        final long refusedBefore = guard.refusedConnections();
        final List<Socket> more = new ArrayList<>();
        for (int i = 0; i < 2 * HttpConnectionGuard.OVERFLOW_SLOTS; i++)
        {
            more.add(open(port));
        }
        assertThat(readUntilClosed(more.get(more.size() - 1))).isEmpty();
        assertThat(guard.refusedConnections()).isGreaterThan(refusedBefore);

        for (final Socket s : idle)
        {
            s.close();
        }
        for (final Socket s : more)
        {
            s.close();
        }
        // Recovers: once the count drops below the cap, ordinary requests are served again.
        final long deadline = System.currentTimeMillis() + CLOSE_WAIT_MS;
        String answer = "";
        while (System.currentTimeMillis() < deadline)
        {
            answer = request(port, "/api/client/v2.0/app/" + APP + "/location");
            if (answer.startsWith("HTTP/1.1 200"))
            {
                break;
            }
            Thread.sleep(100);
        }
        assertThat(answer).startsWith("HTTP/1.1 200");
        assertThat(guard.openConnections()).isLessThan(cap);
    }

    private Socket open(final int port) throws IOException
    {
        final Socket s = new Socket();
        sockets.add(s);
        s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        return s;
    }

    private static void send(final Socket s, final String text) throws IOException
    {
        s.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
    }

    /** @return what the server sent before closing the connection; fails if it is still open after 20 s. */
    private static String readUntilClosed(final Socket s) throws IOException
    {
        s.setSoTimeout((int)CLOSE_WAIT_MS);
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final InputStream in = s.getInputStream();
        final byte[] buffer = new byte[4096];
        try
        {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer))
            {
                bytes.write(buffer, 0, n);
            }
        }
        catch (final SocketTimeoutException ex)
        {
            throw new AssertionError("connection still open after " + CLOSE_WAIT_MS + " ms; received: " +
                bytes.toString(StandardCharsets.US_ASCII));
        }
        catch (final IOException reset)
        {
            // closed by the server (reset)
        }
        return bytes.toString(StandardCharsets.US_ASCII);
    }

    /** @return the response head of a request already sent (up to the blank line). */
    private static String readHead(final Socket s) throws IOException
    {
        s.setSoTimeout(10_000);
        final StringBuilder head = new StringBuilder();
        final InputStream in = s.getInputStream();
        while (!head.toString().endsWith("\r\n\r\n"))
        {
            final int b = in.read();
            if (b < 0)
            {
                break;
            }
            head.append((char)b);
        }
        return head.toString();
    }

    /** One GET on a new connection; the response head, or "" if the server closed without answering. */
    private String request(final int port, final String target) throws IOException
    {
        try (Socket s = open(port))
        {
            send(s, "GET " + target + " HTTP/1.1\r\nHost: x\r\n\r\n");
            return readHead(s);
        }
        catch (final IOException reset)
        {
            return "";
        }
    }

    /** Wait (bounded) until the server has accepted {@code atLeast} connections; the assertions come after. */
    private static void awaitOpen(final HttpConnectionGuard guard, final int atLeast) throws InterruptedException
    {
        final long deadline = System.currentTimeMillis() + CLOSE_WAIT_MS;
        while (guard.openConnections() < atLeast && System.currentTimeMillis() < deadline)
        {
            Thread.sleep(20);
        }
    }
}
