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
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.outpost.server.sync.SyncTestClient.Msg;
import static dev.outpost.server.sync.SyncTestClient.Up;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Big DOWNLOADs leave the server as fragmented WebSocket messages (at most 256 KiB per frame, one frame per
 * event-loop task), seen frame by frame by a raw client: nothing but control frames between the fragments of a
 * message, while another session of the same connection receives fan-out, sync PINGs are answered and WebSocket
 * pings ponged; every message intact and in order. The client stops reading for a while after the first fragment,
 * so the later ones wait for the socket (the message is larger than the kernel's buffers). Vert.x holds its pongs
 * while the channel is unwritable (the queued fragments count), so in practice they come after the message.
 */
@Timeout(90)
class FragmentedDownloadIT
{
    private static final String APP = "frag-app";
    private static final int FRAGMENT = 256 * 1024;
    private static final int BIG = 48;

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

    @Test
    void shouldSendABigDownloadInFragmentsWithOnlyControlFramesBetweenThemAndEveryMessageIntact() throws Exception
    {
        server = SyncServer.start(new ServerConfig(Map.of()).port(0).host("127.0.0.1").dataDir(dir.resolve("server"))
            .appId(APP).eventLoops(1));
        final String token = SyncTestClient.login(server.port(), APP);
        final SyncTestClient a = SyncTestClient.connect(server.port(), APP, token, false);
        open.add(a::close);
        open(a, 1, "\"big\"");
        open(a, 2, "\"small\"");
        final List<byte[]> written = new ArrayList<>();
        long sv = 0;
        for (int i = 0; i < BIG; i++)
        {
            final byte[] cs = Changesets.randomObjects("Item", i * 1000L, 100, 2000);
            written.add(cs);
            a.upload(1, 2 + i, sv, sv, true, new Up(2 + i, sv, cs));
            sv = awaitAck(a, 1, 2 + i);
        }
        assertThat(sv).isEqualTo(BIG);

        // the raw connection: session 1 catches up on "big" (one ~6 MB DOWNLOAD, more than the kernel buffers hold), session 2 follows "small"
        final RawWebSocket r = RawWebSocket.connect(server.port(), 32 * 1024, "/api/client/v2.0/app/" + APP +
            "/realm-sync?baas_at=" + token, "com.mongodb.realm-sync#14");
        open.add(r);
        assertThat(r.status).isEqualTo(101);
        final ClientMessageEncoder enc = new ClientMessageEncoder();
        final ExpandableArrayBuffer out = new ExpandableArrayBuffer(256);
        final byte[] big = "\"big\"".getBytes(StandardCharsets.UTF_8);
        final byte[] small = "\"small\"".getBytes(StandardCharsets.UTF_8);
        final UnsafeBuffer none = new UnsafeBuffer(new byte[0]);
        send(r, out, enc.bind(out, 0, 1, new UnsafeBuffer(big), 0, big.length, none, 0, 0, true, false));
        send(r, out, enc.bind(out, 0, 2, new UnsafeBuffer(small), 0, small.length, none, 0, 0, true, false));
        final SyncTestClient decoder = SyncTestClient.connect(server.port(), APP, token, false);
        open.add(decoder::close);
        final Reader reader = new Reader(r, decoder);
        final Msg ident1 = reader.nextMessage();
        final Msg ident2 = reader.nextMessage();
        assertThat(ident1.type()).isEqualTo(MessageType.SERVER_IDENT);
        assertThat(ident2.type()).isEqualTo(MessageType.SERVER_IDENT);
        final Msg i1 = ident1.session() == 1 ? ident1 : ident2;
        final Msg i2 = ident1.session() == 1 ? ident2 : ident1;
        // meanwhile: fan-out to session 2, sync PINGs and WebSocket pings on the same connection
        final AtomicBoolean done = new AtomicBoolean();
        final AtomicInteger pings = new AtomicInteger();
        final AtomicInteger smallWrites = new AtomicInteger();
        final Thread noise = new Thread(() ->
        {
            try
            {
                final ClientMessageEncoder e = new ClientMessageEncoder();
                final ExpandableArrayBuffer o = new ExpandableArrayBuffer(64);
                long smallSv = 0;
                for (int k = 0; !done.get(); k++)
                {
                    synchronized (r)
                    {
                        send(r, o, e.ping(o, 0, 1000 + k, 0));
                        r.send(RawWebSocket.PING, true, ("p" + k).getBytes(StandardCharsets.UTF_8));
                    }
                    pings.incrementAndGet();
                    if (k < 10)
                    {
                        final long cv = 2 + k;
                        a.upload(2, cv, smallSv, smallSv, false,
                            new Up(cv, smallSv, Changesets.objects("Small", k, 1, "s" + k)));
                        smallSv = awaitAck(a, 2, cv);
                        smallWrites.incrementAndGet();
                    }
                    Thread.sleep(5);
                }
            }
            catch (final Exception ex)
            {
                throw new IllegalStateException(ex);
            }
        }, "noise");
        noise.start();

        send(r, out, enc.ident(out, 0, 2, i2.get(0), i2.get(1), 0, 0, 0, 0, 0, none, 0, 0));
        send(r, out, enc.ident(out, 0, 1, i1.get(0), i1.get(1), 0, 0, 0, 0, 0, none, 0, 0));
        send(r, out, enc.mark(out, 0, 1, 1));


        // read (slowly) until session 1 holds MARK 1 after all BIG versions and session 2 saw the 10 small writes
        long cursor1 = 0;
        long cursor2 = 0;
        boolean mark1 = false;
        final List<byte[]> received = new ArrayList<>();
        int pongs = 0;
        while (!mark1 || cursor2 < 10)
        {
            final Msg m = reader.nextMessage();
            if (m.type() == MessageType.PONG)
            {
                pongs++;
                continue;
            }
            if (m.session() == 1)
            {
                if (m.type() == MessageType.SERVER_MARK)
                {
                    assertThat(cursor1).as("MARK after the catch-up").isEqualTo(BIG);
                    mark1 = true;
                    continue;
                }
                assertThat(m.type()).isEqualTo(MessageType.DOWNLOAD);
                assertThat(m.get(0)).isGreaterThanOrEqualTo(cursor1);
                for (final var e : m.entries())
                {
                    received.add(e.changeset());
                }
                cursor1 = m.get(0);
            }
            else
            {
                assertThat(m.session()).isEqualTo(2);
                if (m.type() == MessageType.DOWNLOAD)
                {
                    assertThat(m.get(0)).as("session 2 in order").isGreaterThanOrEqualTo(cursor2);
                    cursor2 = m.get(0);
                }
            }
        }
        done.set(true);
        noise.join(10_000);

        System.out.println("fragmented: largest message " + reader.largestFragmented + " B in " +
            reader.mostFragments + " frames; control frames between fragments " + reader.controlBetween +
            "; sync pongs " + pongs + ", ws pongs " + reader.wsPongs + ", pings sent " + pings.get() +
            ", small writes " + smallWrites.get());
        assertThat(received).hasSize(BIG);
        for (int i = 0; i < BIG; i++)
        {
            assertThat(received.get(i)).as("changeset %d byte for byte", i).isEqualTo(written.get(i));
        }
        assertThat(reader.largestFragmented).as("the catch-up came as one fragmented message")
            .isGreaterThan(4_500_000);
        assertThat(reader.maxFrame).as("no frame over the fragment size").isLessThanOrEqualTo(FRAGMENT);
        assertThat(pongs).as("sync PINGs answered").isGreaterThan(0);
        assertThat(reader.wsPongs).as("WebSocket pings answered").isGreaterThan(0);
    }

    @Test
    void shouldFinishAFragmentedMessageThenSendTheErrorBeforeClosing() throws Exception
    {
        server = SyncServer.start(new ServerConfig(Map.of()).port(0).host("127.0.0.1").dataDir(dir.resolve("server"))
            .appId(APP).eventLoops(1));
        final String token = SyncTestClient.login(server.port(), APP);
        final SyncTestClient a = SyncTestClient.connect(server.port(), APP, token, false);
        open.add(a::close);
        open(a, 1, "\"big\"");
        long sv = 0;
        for (int i = 0; i < BIG; i++)
        {
            a.upload(1, 2 + i, sv, sv, true, new Up(2 + i, sv, Changesets.randomObjects("Item", i * 1000L, 100, 2000)));
            sv = awaitAck(a, 1, 2 + i);
        }
        final RawWebSocket r = RawWebSocket.connect(server.port(), 32 * 1024, "/api/client/v2.0/app/" + APP +
            "/realm-sync?baas_at=" + token, "com.mongodb.realm-sync#14");
        open.add(r);
        final ClientMessageEncoder enc = new ClientMessageEncoder();
        final ExpandableArrayBuffer out = new ExpandableArrayBuffer(256);
        final byte[] big = "\"big\"".getBytes(StandardCharsets.UTF_8);
        final UnsafeBuffer none = new UnsafeBuffer(new byte[0]);
        send(r, out, enc.bind(out, 0, 1, new UnsafeBuffer(big), 0, big.length, none, 0, 0, true, false));
        final SyncTestClient decoder = SyncTestClient.connect(server.port(), APP, token, false);
        open.add(decoder::close);
        final Msg ident = decoder.decode(r.read().payload());
        assertThat(ident.type()).isEqualTo(MessageType.SERVER_IDENT);
        send(r, out, enc.ident(out, 0, 1, ident.get(0), ident.get(1), 0, 0, 0, 0, 0, none, 0, 0));

        // the first fragment is here; the rest is queued on the server (the client does not read) when the
        // connection error comes: the server must finish the message, then send the ERROR, then close
        final RawWebSocket.Frame first = r.read();
        assertThat(first.opcode()).isEqualTo(RawWebSocket.BINARY);
        assertThat(first.fin()).as("a fragment").isFalse();
        r.send(RawWebSocket.BINARY, true, "hello 1 2\n".getBytes(StandardCharsets.UTF_8));
        Thread.sleep(300);
        final ByteArrayOutputStream message = new ByteArrayOutputStream();
        message.write(first.payload());
        RawWebSocket.Frame f;
        do
        {
            f = r.read();
            assertThat(f.opcode()).as("only the rest of the message first").isEqualTo(RawWebSocket.CONTINUATION);
            message.write(f.payload());
        }
        while (!f.fin());
        final Msg download = decoder.decode(message.toByteArray());
        assertThat(download.type()).isEqualTo(MessageType.DOWNLOAD);
        assertThat(download.entries()).hasSize(BIG);
        final RawWebSocket.Frame error = r.read();
        assertThat(error.opcode()).isEqualTo(RawWebSocket.BINARY);
        final Msg err = decoder.decode(error.payload());
        assertThat(err.type()).isEqualTo(MessageType.ERROR);
        assertThat(err.get(0)).isEqualTo(102);
        RawWebSocket.Frame close;
        do
        {
            close = r.read();
        }
        while (close.opcode() == RawWebSocket.PONG);
        assertThat(close.opcode()).isEqualTo(RawWebSocket.CLOSE);
    }

    /** Reassembles messages from raw frames, checking RFC 6455's rules for fragments as it goes. */
    private static final class Reader
    {
        private final RawWebSocket ws;
        private final SyncTestClient decoder;
        private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
        private boolean inMessage;
        private int fragments;
        int maxFrame;
        int largestFragmented;
        int mostFragments;
        int controlBetween;
        int wsPongs;

        Reader(final RawWebSocket ws, final SyncTestClient decoder)
        {
            this.ws = ws;
            this.decoder = decoder;
        }

        Msg nextMessage() throws Exception
        {
            while (true)
            {
                final RawWebSocket.Frame f = ws.read();
                if (f.opcode() >= 8)
                {
                    assertThat(f.opcode()).as("no close").isNotEqualTo(RawWebSocket.CLOSE);
                    wsPongs += f.opcode() == RawWebSocket.PONG ? 1 : 0;
                    controlBetween += inMessage ? 1 : 0;
                    continue;
                }
                maxFrame = Math.max(maxFrame, f.payload().length);
                if (f.opcode() == RawWebSocket.CONTINUATION)
                {
                    assertThat(inMessage).as("a continuation frame only inside a fragmented message").isTrue();
                }
                else
                {
                    assertThat(f.opcode()).isEqualTo(RawWebSocket.BINARY);
                    assertThat(inMessage).as("no data frame between the fragments of a message").isFalse();
                    partial.reset();
                    fragments = 0;
                }
                partial.write(f.payload());
                fragments++;
                inMessage = !f.fin();
                if (1 == fragments && inMessage)
                {
                    Thread.sleep(300); // the server's socket fills up: later fragments wait for writability
                }
                if (f.fin())
                {
                    if (fragments > 1)
                    {
                        largestFragmented = Math.max(largestFragmented, partial.size());
                        mostFragments = Math.max(mostFragments, fragments);
                        Thread.sleep(20);
                    }
                    return decoder.decode(partial.toByteArray());
                }
                Thread.sleep(2);
            }
        }
    }

    private static void send(final RawWebSocket r, final ExpandableArrayBuffer out, final int length) throws Exception
    {
        final byte[] frame = new byte[length];
        out.getBytes(0, frame);
        r.send(RawWebSocket.BINARY, true, frame);
    }

    private static void open(final SyncTestClient c, final long session, final String partition) throws Exception
    {
        c.bind(session, partition, true);
        final Msg ident = c.next(MessageType.SERVER_IDENT);
        c.ident(session, ident.get(0), ident.get(1), 0, 0, 0, 0);
        c.mark(session, 1);
        assertThat(c.next(MessageType.SERVER_MARK).get(0)).isEqualTo(1);
    }

    /** @return the download cursor of the session's first DOWNLOAD that acknowledges client version {@code cv}. */
    private static long awaitAck(final SyncTestClient c, final long session, final long cv) throws Exception
    {
        while (true)
        {
            final Msg m = c.next(MessageType.DOWNLOAD);
            if (m.session() == session && m.get(4) >= cv)
            {
                return m.get(0);
            }
        }
    }
}
