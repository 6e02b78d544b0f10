package dev.outpost.server.sync;

import dev.outpost.codec.message.ClientMessageEncoder;
import dev.outpost.codec.message.MessageType;
import dev.outpost.server.config.ServerConfig;
import dev.outpost.server.runtime.SyncServer;
import dev.outpost.server.ws.RawWebSocket;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.outpost.server.sync.SyncTestClient.Msg;
import static dev.outpost.server.sync.SyncTestClient.Up;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Sync tuning settings reach the code that uses them (they were system properties read there): the WebSocket
 * fragment size ({@code ws.fragment-bytes}) cuts a DOWNLOAD far below the 256 KiB default into frames of exactly
 * that size, and {@code eventloop.cpu} adds the event-loop tasks' CPU time to the metrics.
 */
@Timeout(60)
class SyncTuningIT
{
    private static final String APP = "tuning-app";
    private static final int FRAGMENT = 4096;

    @TempDir
    Path dir;

    private SyncServer server;
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void stop() throws Exception
    {
        for (final AutoCloseable c : open)
        {
            c.close();
        }
        if (server != null)
        {
            server.close();
        }
    }

    private static void send(final RawWebSocket r, final ExpandableArrayBuffer out, final int length) throws Exception
    {
        final byte[] frame = new byte[length];
        out.getBytes(0, frame);
        r.send(RawWebSocket.BINARY, true, frame);
    }

    @Test
    void shouldFragmentOutboundMessagesAtTheConfiguredSize() throws Exception
    {
        server = SyncServer.start(new ServerConfig(Map.of()).port(0).host("127.0.0.1").dataDir(dir).appId(APP)
            .eventLoops(1).wsFragmentBytes(FRAGMENT));
        final String token = SyncTestClient.login(server.port(), APP);
        final SyncTestClient a = SyncTestClient.connect(server.port(), APP, token, false);
        open.add(a::close);
        a.bind(1, "\"frag\"", true);
        final Msg aIdent = a.next(MessageType.SERVER_IDENT);
        a.ident(1, aIdent.get(0), aIdent.get(1), 0, 0, 0, 0);
        a.upload(1, 2, 0, 0, true, new Up(2, 0, Changesets.randomObjects("Item", 0, 100, 500)));
        Msg ack = a.next(MessageType.DOWNLOAD);
        while (ack.get(4) < 2)
        {
            ack = a.next(MessageType.DOWNLOAD);
        }

        final RawWebSocket r = RawWebSocket.connect(server.port(), "/api/client/v2.0/app/" + APP +
            "/realm-sync?baas_at=" + token, "com.mongodb.realm-sync#14");
        open.add(r);
        final ClientMessageEncoder enc = new ClientMessageEncoder();
        final ExpandableArrayBuffer out = new ExpandableArrayBuffer(256);
        final byte[] path = "\"frag\"".getBytes(StandardCharsets.UTF_8);
        final UnsafeBuffer none = new UnsafeBuffer(new byte[0]);
        send(r, out, enc.bind(out, 0, 1, new UnsafeBuffer(path), 0, path.length, none, 0, 0, true, false));
        final Msg ident = a.decode(r.read().payload());
        assertThat(ident.type()).isEqualTo(MessageType.SERVER_IDENT);
        send(r, out, enc.ident(out, 0, 1, ident.get(0), ident.get(1), 0, 0, 0, 0, 0, none, 0, 0));

        RawWebSocket.Frame f = r.read();
        while (f.opcode() == RawWebSocket.PING || f.opcode() == RawWebSocket.PONG)
        {
            f = r.read();
        }
        assertThat(f.opcode()).isEqualTo(RawWebSocket.BINARY);
        assertThat(f.fin()).as("the DOWNLOAD (tens of KiB) comes in fragments").isFalse();
        assertThat(f.payload()).as("first fragment").hasSize(FRAGMENT);
        final ByteArrayOutputStream message = new ByteArrayOutputStream();
        message.write(f.payload());
        int frames = 1;
        do
        {
            f = r.read();
            if (f.opcode() == RawWebSocket.PING || f.opcode() == RawWebSocket.PONG)
            {
                continue;
            }
            assertThat(f.opcode()).isEqualTo(RawWebSocket.CONTINUATION);
            assertThat(f.payload().length).as("fragment size").isLessThanOrEqualTo(FRAGMENT);
            message.write(f.payload());
            frames++;
        }
        while (!f.fin());
        assertThat(frames).isGreaterThan(2);
        final Msg download = a.decode(message.toByteArray());
        assertThat(download.type()).isEqualTo(MessageType.DOWNLOAD);
        assertThat(download.entries()).hasSize(1);
    }

    @Test
    void shouldRecordEventLoopCpuTimeWhenConfigured() throws Exception
    {
        server = SyncServer.start(new ServerConfig(Map.of()).port(0).host("127.0.0.1").dataDir(dir).appId(APP)
            .eventLoops(1).eventLoopCpu(true));
        final String token = SyncTestClient.login(server.port(), APP);
        final SyncTestClient a = SyncTestClient.connect(server.port(), APP, token, false);
        open.add(a::close);
        a.bind(1, "\"cpu\"", true);
        assertThat(a.next(MessageType.SERVER_IDENT).type()).isEqualTo(MessageType.SERVER_IDENT);

        final String scrape = SyncTestClient.HTTP.send(HttpRequest.newBuilder(URI.create(server.http().adminBaseUrl() +
            "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        assertThat(scrape).contains("outpost_eventloop_task_cpu_seconds_count{kind=\"bind\"}");
    }
}
