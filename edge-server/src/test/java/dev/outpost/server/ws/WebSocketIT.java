package dev.outpost.server.ws;

import dev.outpost.server.config.ServerConfig;
import dev.outpost.server.runtime.OutpostServer;
import io.vertx.core.json.JsonObject;
import org.agrona.DirectBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(60)
class WebSocketIT
{
    private static final String APP = "ws-app";
    private static final String SYNC = "/api/client/v2.0/app/" + APP + "/realm-sync";

    private final AtomicLong nowMs = new AtomicLong(System.currentTimeMillis());
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();

    @TempDir
    Path dataDir;

    private OutpostServer server;

    @AfterEach
    void stop()
    {
        if (null != server)
        {
            server.close();
        }
    }

    /** What the server side saw: a real PingPongHandler plus a record of each connection and message. */
    record Event(String kind, SyncConnection connection, int length, long crc, boolean offHeap, int code)
    {
    }

    private void start(final Duration idleTimeout) throws Exception
    {
        server = OutpostServer.start(new ServerConfig(Map.of()).port(0).dataDir(dataDir).appId(APP).eventLoops(2)
            .idleTimeout(idleTimeout).epochClock(nowMs::get), connection ->
            {
                events.add(new Event("open", connection, 0, 0, false, 0));
                final PingPongHandler pingPong = new PingPongHandler(connection);
                return new SyncConnectionHandler()
                {
                    public void onMessage(final DirectBuffer buffer, final int offset, final int length)
                    {
                        final CRC32 crc = new CRC32();
                        final byte[] copy = new byte[length];
                        buffer.getBytes(offset, copy);
                        crc.update(copy);
                        events.add(new Event("message", connection, length, crc.getValue(),
                            null == buffer.byteArray() && null == buffer.byteBuffer(), 0));
                        pingPong.onMessage(buffer, offset, length);
                    }

                    public void onClose(final int code, final String reason)
                    {
                        events.add(new Event("close", connection, 0, 0, false, code));
                    }
                };
            });
    }

    private String login() throws Exception
    {
        final HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
            server.baseUrl() + "/api/client/v2.0/app/" + APP + "/auth/providers/anon-user/login"))
            .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        return new JsonObject(response.body()).getString("access_token");
    }

    private Event next(final String kind) throws InterruptedException
    {
        while (true)
        {
            final Event event = events.poll(10, TimeUnit.SECONDS);
            assertThat(event).as("server event '" + kind + "'").isNotNull();
            if (event.kind.equals(kind))
            {
                return event;
            }
        }
    }

    private static String[] offer(final String prefix)
    {
        final List<String> tokens = new ArrayList<>();
        for (int v = 14; v >= 2; v--)
        {
            tokens.add(prefix + "#" + v);
        }
        return tokens.toArray(new String[0]);
    }

    @Test
    void shouldNegotiateTheHighestCommonVersionAndEchoExactlyOneToken() throws Exception
    {
        start(Duration.ofMinutes(10));
        final String token = login();

        try (RawWebSocket ws = RawWebSocket.connect(server.port(), SYNC + "?baas_at=" + token,
            offer("com.mongodb.realm-sync")))
        {
            assertThat(ws.status).isEqualTo(101);
            assertThat(ws.header("Sec-WebSocket-Protocol")).containsExactly("com.mongodb.realm-sync#14");
            final SyncConnection connection = next("open").connection;
            assertThat(connection.protocolVersion()).isEqualTo(14);
            assertThat(connection.subprotocol()).isEqualTo("com.mongodb.realm-sync#14");
            assertThat(connection.mode()).isEqualTo(SyncMode.PBS);
            assertThat(connection.appId()).isEqualTo(APP);
            assertThat(connection.user().userId()).hasSize(24);
        }
        assertThat(next("close").code).isEqualTo(1006);
    }

    @Test
    void shouldKeepTheFlxPrefix() throws Exception
    {
        start(Duration.ofMinutes(10));

        try (RawWebSocket ws = RawWebSocket.connect(server.port(), SYNC + "?baas_at=" + login(),
            offer("com.mongodb.realm-query-sync")))
        {
            assertThat(ws.status).isEqualTo(101);
            assertThat(ws.header("Sec-WebSocket-Protocol")).containsExactly("com.mongodb.realm-query-sync#14");
            assertThat(next("open").connection.mode()).isEqualTo(SyncMode.FLX);
        }
    }

    @Test
    void shouldAcceptRangeAndLegacyTokens() throws Exception
    {
        start(Duration.ofMinutes(10));
        final String token = login();

        try (RawWebSocket range = RawWebSocket.connect(server.port(), SYNC + "?baas_at=" + token,
            "com.mongodb.realm-sync#2-20");
            RawWebSocket legacy = RawWebSocket.connect(server.port(), SYNC + "?baas_at=" + token,
                "com.mongodb.realm-sync/7, com.mongodb.realm-sync/6"))
        {
            assertThat(range.header("Sec-WebSocket-Protocol")).containsExactly("com.mongodb.realm-sync#14");
            assertThat(legacy.header("Sec-WebSocket-Protocol")).containsExactly("com.mongodb.realm-sync/7");
        }
    }

    @Test
    void shouldRefuseBadTokensAndUnknownAppsBeforeTheUpgrade() throws Exception
    {
        start(Duration.ofMinutes(10));
        final String token = login();
        final String[] pbs = offer("com.mongodb.realm-sync");

        try (RawWebSocket garbage = RawWebSocket.connect(server.port(), SYNC + "?baas_at=abc.def.ghi", pbs);
            RawWebSocket missing = RawWebSocket.connect(server.port(), SYNC, pbs);
            RawWebSocket otherApp = RawWebSocket.connect(server.port(),
                "/api/client/v2.0/app/nope/realm-sync?baas_at=" + token, pbs);
            RawWebSocket noCommonVersion = RawWebSocket.connect(server.port(), SYNC + "?baas_at=" + token,
                "com.mongodb.realm-sync#1", "com.mongodb.realm-sync#15");
            RawWebSocket noOffer = RawWebSocket.connect(server.port(), SYNC + "?baas_at=" + token))
        {
            assertThat(garbage.status).isEqualTo(401);
            assertThat(garbage.header("Content-Type")).containsExactly("application/json");
            assertThat(new JsonObject(garbage.body).getString("error_code")).isEqualTo("InvalidSession");
            assertThat(missing.status).isEqualTo(401);
            assertThat(otherApp.status).isEqualTo(404);
            assertThat(noCommonVersion.status).isEqualTo(400);
            assertThat(noCommonVersion.header("Sec-WebSocket-Protocol")).isEmpty();
            assertThat(new JsonObject(noCommonVersion.body).getString("error")).contains("Server supports: 2-14");
            assertThat(noOffer.status).isEqualTo(400);
        }

        nowMs.addAndGet(Duration.ofMinutes(31).toMillis());

        try (RawWebSocket expired = RawWebSocket.connect(server.port(), SYNC + "?baas_at=" + token, pbs))
        {
            assertThat(expired.status).isEqualTo(401);
        }
        assertThat(server.webSocket().acceptedCount()).isZero();
        assertThat(events).isEmpty();
    }

    @Test
    void shouldAnswerPingWithPongAndDeliverFrameMemoryWithoutCopy() throws Exception
    {
        start(Duration.ofMinutes(10));

        try (RawWebSocket ws = RawWebSocket.connect(server.port(), SYNC + "?baas_at=" + login(),
            offer("com.mongodb.realm-sync")))
        {
            ws.sendBinary("ping 1700000000123 0\n");
            final RawWebSocket.Frame pong = ws.read();
            ws.sendBinary("bind 1 17 0 1 0\n\"probe-partition\"");
            ws.sendBinary("ping 42 17\n");
            final RawWebSocket.Frame pong2 = ws.read();

            assertThat(pong.opcode()).isEqualTo(RawWebSocket.BINARY);
            assertThat(pong.text()).isEqualTo("pong 1700000000123\n");
            assertThat(pong2.text()).isEqualTo("pong 42\n");
            final Event first = next("message");
            assertThat(first.length).isEqualTo("ping 1700000000123 0\n".length());
            assertThat(first.offHeap).as("message wraps the frame's direct memory").isTrue();
        }
    }

    @Test
    void shouldReassembleLargeAndFragmentedMessages() throws Exception
    {
        start(Duration.ofMinutes(10));
        final byte[] big = new byte[17 * 1024 * 1024];
        for (int i = 0; i < big.length; i++)
        {
            big[i] = (byte)(i * 31 + (i >>> 9));
        }
        final CRC32 crc = new CRC32();
        crc.update(big);

        try (RawWebSocket ws = RawWebSocket.connect(server.port(), SYNC + "?baas_at=" + login(),
            offer("com.mongodb.realm-sync")))
        {
            ws.send(RawWebSocket.BINARY, true, big);
            ws.send(RawWebSocket.BINARY, false, "ping 9".getBytes(StandardCharsets.US_ASCII));
            ws.send(RawWebSocket.CONTINUATION, false, "9 ".getBytes(StandardCharsets.US_ASCII));
            ws.send(RawWebSocket.CONTINUATION, true, "0\n".getBytes(StandardCharsets.US_ASCII));

            final Event large = next("message");
            assertThat(large.length).isEqualTo(big.length);
            assertThat(large.crc).isEqualTo(crc.getValue());
            assertThat(ws.read().text()).isEqualTo("pong 99\n");
        }
    }

    @Test
    void shouldCloseOnTextFramesMalformedPingsAndOversizeMessages() throws Exception
    {
        start(Duration.ofMinutes(10));
        final String token = login();
        final String[] pbs = offer("com.mongodb.realm-sync");

        try (RawWebSocket text = RawWebSocket.connect(server.port(), SYNC + "?baas_at=" + token, pbs);
            RawWebSocket badPing = RawWebSocket.connect(server.port(), SYNC + "?baas_at=" + token, pbs);
            RawWebSocket oversize = RawWebSocket.connect(server.port(), SYNC + "?baas_at=" + token, pbs))
        {
            text.send(RawWebSocket.TEXT, true, "ping 1 0\n".getBytes(StandardCharsets.US_ASCII));
            badPing.sendBinary("ping x 0\n");
            final byte[] half = new byte[server.config().maxMessageSize() / 2 + 1];
            oversize.send(RawWebSocket.BINARY, false, half);
            oversize.send(RawWebSocket.CONTINUATION, true, half);

            assertThat(text.readCloseCode()).isEqualTo(CloseCodes.UNSUPPORTED_DATA);
            assertThat(badPing.readCloseCode()).isEqualTo(CloseCodes.PROTOCOL_ERROR);
            assertThat(oversize.readCloseCode()).isEqualTo(CloseCodes.MESSAGE_TOO_BIG);
        }
    }

    @Test
    void shouldDropIdleConnectionsButKeepPingingOnes() throws Exception
    {
        start(Duration.ofMillis(600));
        final String token = login();
        final String[] pbs = offer("com.mongodb.realm-sync");

        final long start = System.nanoTime(); // before the connect: the server's idle clock starts after it
        try (RawWebSocket idle = RawWebSocket.connect(server.port(), SYNC + "?baas_at=" + token, pbs);
            RawWebSocket busy = RawWebSocket.connect(server.port(), SYNC + "?baas_at=" + token, pbs))
        {
            final java.util.concurrent.CompletableFuture<Void> pinging = java.util.concurrent.CompletableFuture
                .runAsync(() ->
                {
                    try
                    {
                        for (int i = 0; i < 10; i++)
                        {
                            busy.sendBinary("ping " + i + " 0\n");
                            assertThat(busy.read().text()).isEqualTo("pong " + i + "\n");
                            Thread.sleep(150);
                        }
                    }
                    catch (final Exception ex)
                    {
                        throw new IllegalStateException(ex);
                    }
                });
            assertThat(idle.readCloseCode()).isEqualTo(CloseCodes.GOING_AWAY);
            final long closedAfterMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(closedAfterMs).as("closed no earlier than the 600 ms idle timeout").isBetween(600L, 10_000L);
            pinging.get(20, TimeUnit.SECONDS);

            busy.sendBinary("ping 100 0\n");
            assertThat(busy.read().text()).as("busy connection survived past the idle timeout")
                .isEqualTo("pong 100\n");
        }
    }
}
