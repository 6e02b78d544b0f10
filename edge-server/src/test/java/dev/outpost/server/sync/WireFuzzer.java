package dev.outpost.server.sync;

import dev.outpost.codec.message.BodyCompression;
import dev.outpost.codec.message.ClientMessageEncoder;
import dev.outpost.codec.message.EntryEncoder;
import dev.outpost.server.ws.RawWebSocket;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
/**
 * The sync WebSocket fuzzer of {@link WireFuzzIT} (and {@code realclient.RealClientFuzzIT}): worker threads open raw
 * WebSocket connections to a live server and send sessions replayed from the captured corpus of MongoDB's client
 * ({@code src/test/resources/fuzz-corpus}) or generated, mutated (see {@link WireFuzzIT}). Every answer is checked
 * for Java names, stack traces and the bug path's "internal error"; findings go to {@link #failures()} with the run
 * seed and the connection's seed. Start with {@link #start(int)}, stop with {@link #stopAndJoin()}.
 */
public final class WireFuzzer
{
    private static final String FLX_BIND = "{\"schemaVersion\":0,\"sessionReason\":0}";
    private static final String[] FIELD_VALUES = {
        "0", "-1", "1", "2", "9223372036854775807", "9223372036854775808", "18446744073709551616", "4294967296",
        "", "x", "1e3", "00000000000000000000001", "+1", "0x10", "2147483647", "65536",
    };

    private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    private final AtomicLong connections = new AtomicLong();
    private final AtomicLong messages = new AtomicLong();
    private final AtomicLong framesReceived = new AtomicLong();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final List<Thread> threads = new ArrayList<>();
    private final long seed;
    private final int port;
    private final String app;
    private final String token;
    /** Captured sessions of MongoDB's client ({@code realclient.FuzzCorpusCapture}): name and client messages. */
    private final List<Captured> corpus = new ArrayList<>();

    /** One captured sync session: FLX or PBS, the client's messages in order. */
    private record Captured(String name, boolean flx, List<byte[]> messages)
    {
    }

    private void loadCorpus() throws Exception
    {
        final java.net.URL url = WireFuzzer.class.getResource("/fuzz-corpus");
        assertThat(url).as("the captured corpus (src/test/resources/fuzz-corpus)").isNotNull();
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(Path.of(url.toURI())))
        {
            for (final Path file : files.sorted().toList())
            {
                final List<byte[]> messages = new ArrayList<>();
                try (java.io.DataInputStream in = new java.io.DataInputStream(new java.io.ByteArrayInputStream(
                    java.nio.file.Files.readAllBytes(file))))
                {
                    while (in.available() > 0)
                    {
                        final byte[] m = new byte[in.readInt()];
                        in.readFully(m);
                        messages.add(m);
                    }
                }
                if (!messages.isEmpty())
                {
                    final String name = file.getFileName().toString();
                    corpus.add(new Captured(name, name.startsWith("flx"), messages));
                }
            }
        }
        assertThat(corpus).as("captured sessions").isNotEmpty();
    }

    /**
     * @param port  the server's port.
     * @param app   the app id.
     * @param token an access token of the app (most connections use it; some a garbage one).
     * @param seed  the run's seed (printed by the caller; replay with it).
     * @throws Exception if the corpus cannot be read.
     */
    public WireFuzzer(final int port, final String app, final String token, final long seed) throws Exception
    {
        this.port = port;
        this.app = app;
        this.token = token;
        this.seed = seed;
        loadCorpus();
    }

    /** Start {@code workers} fuzzing threads, each with a seed drawn from the run's seed. */
    public void start(final int workers)
    {
        final Random master = new Random(seed);
        for (int i = 0; i < workers; i++)
        {
            final long workerSeed = master.nextLong();
            final Thread t = new Thread(() -> fuzzLoop(workerSeed), "fuzz-" + i);
            threads.add(t);
            t.start();
        }
    }

    /** Stop the workers; @return the names of those still running 30 s later (stuck). */
    public List<String> stopAndJoin() throws InterruptedException
    {
        stop.set(true);
        final List<String> stuck = new ArrayList<>();
        for (final Thread t : threads)
        {
            t.join(30_000);
            if (t.isAlive())
            {
                stuck.add(t.getName());
            }
        }
        return stuck;
    }

    /** @return what went wrong so far (empty: nothing). */
    public ConcurrentLinkedQueue<String> failures()
    {
        return failures;
    }

    /** @return a one-line summary of the work done. */
    public String summary()
    {
        return connections.get() + " connections, " + messages.get() + " messages, " + framesReceived.get() +
            " frames received";
    }

    private void fuzzLoop(final long workerSeed)
    {
        final Random r = new Random(workerSeed);
        while (!stop.get())
        {
            final long connectionSeed = r.nextLong();
            try
            {
                oneConnection(new Random(connectionSeed), connectionSeed);
            }
            catch (final IOException expected)
            {
                // the server closed the connection, or a read timed out: both fine
            }
            catch (final Throwable ex)
            {
                failures.add("connection seed " + connectionSeed + ": " + ex);
            }
            connections.incrementAndGet();
        }
    }

    private void oneConnection(final Random r, final long connectionSeed) throws Exception
    {
        final Captured captured = r.nextBoolean() ? corpus.get(r.nextInt(corpus.size())) : null;
        final boolean flx = null != captured ? captured.flx() : r.nextInt(3) == 0;
        final String auth = r.nextInt(25) == 0 ? "garbage." + r.nextInt() : token;
        final int version = r.nextInt(15) == 0 ? r.nextInt(20) : 14;
        final String protocol = (flx ? "com.mongodb.realm-query-sync#" : "com.mongodb.realm-sync#") + version;
        try (RawWebSocket ws = RawWebSocket.connect(port, "/api/client/v2.0/app/" + app + "/realm-sync?baas_at=" +
            auth, protocol))
        {
            if (ws.status != 101)
            {
                return;
            }
            ws.readTimeout(200);
            final ClientMessageEncoder encoder = new ClientMessageEncoder().flx(flx);
            if (null != captured)
            {
                replay(ws, r, encoder, captured, connectionSeed);
                return;
            }
            final long session = 1 + r.nextInt(3);
            final byte[] bind = flx ? bindFlx(encoder, session, r.nextInt(6) != 0) :
                bindPbs(encoder, session, "\"fz" + r.nextInt(8) + "\"", r.nextInt(6) != 0);
            send(ws, r, r.nextInt(5) == 0 ? mutate(r, bind, encoder) : bind);
            long fileIdent = 2 + r.nextInt(100);
            long salt = r.nextLong() & Long.MAX_VALUE;
            final long[] server = awaitIdent(ws, connectionSeed);
            if (null != server && r.nextInt(8) != 0)
            {
                fileIdent = server[0];
                salt = server[1];
            }
            final List<byte[]> script = script(r, encoder, flx, session, fileIdent, salt);
            reshuffle(r, script);
            for (final byte[] message : script)
            {
                if (r.nextInt(40) == 0)
                {
                    return; // abrupt close mid-session
                }
                if (!send(ws, r, r.nextInt(3) == 0 ? mutate(r, message, encoder) : message))
                {
                    return;
                }
                if (r.nextInt(4) == 0)
                {
                    drain(ws, connectionSeed, 50);
                }
            }
            if (r.nextBoolean())
            {
                ws.send(RawWebSocket.CLOSE, true, new byte[] {0x03, (byte)0xE8});
            }
            drain(ws, connectionSeed, 300);
        }
    }

    /**
     * Replay a captured session, mutated: its BIND, then (with the live server's client file ident and salt put into
     * its IDENT, mostly) the rest, reshuffled, each message mutated at times.
     */
    private void replay(final RawWebSocket ws, final Random r, final ClientMessageEncoder encoder,
        final Captured captured, final long connectionSeed) throws Exception
    {
        final List<byte[]> script = new ArrayList<>(captured.messages());
        final byte[] first = script.remove(0);
        if (!send(ws, r, r.nextInt(5) == 0 ? mutate(r, first, encoder) : first))
        {
            return;
        }
        final long[] server = awaitIdent(ws, connectionSeed);
        if (null != server && r.nextInt(8) != 0)
        {
            for (int i = 0; i < script.size(); i++)
            {
                script.set(i, withIdent(script.get(i), server));
            }
        }
        reshuffle(r, script);
        for (final byte[] message : script)
        {
            if (r.nextInt(60) == 0)
            {
                return;
            }
            if (!send(ws, r, r.nextInt(4) == 0 ? mutate(r, message, encoder) : message))
            {
                return;
            }
            if (r.nextInt(4) == 0)
            {
                drain(ws, connectionSeed, 50);
            }
        }
        drain(ws, connectionSeed, 300);
    }

    /** @return {@code message} with the client file ident and salt of an {@code ident} head replaced. */
    private static byte[] withIdent(final byte[] message, final long[] server)
    {
        final int head = headLength(message);
        final String text = new String(message, 0, head, StandardCharsets.ISO_8859_1);
        final String[] fields = text.split(" ", -1);
        if (!"ident".equals(fields[0]) || fields.length < 4)
        {
            return message;
        }
        fields[2] = Long.toString(server[0]);
        fields[3] = Long.toString(server[1]);
        final byte[] newHead = String.join(" ", fields).getBytes(StandardCharsets.ISO_8859_1);
        final byte[] m = new byte[newHead.length + message.length - head];
        System.arraycopy(newHead, 0, m, 0, newHead.length);
        System.arraycopy(message, head, m, newHead.length, message.length - head);
        return m;
    }

    private static byte[] bindPbs(final ClientMessageEncoder e, final long session, final String path,
        final boolean needIdent)
    {
        final byte[] p = path.getBytes(StandardCharsets.UTF_8);
        final ExpandableArrayBuffer out = new ExpandableArrayBuffer(256);
        return copy(out, e.bind(out, 0, session, new UnsafeBuffer(p), 0, p.length, new UnsafeBuffer(new byte[0]), 0,
            0, needIdent, false));
    }

    private static byte[] bindFlx(final ClientMessageEncoder e, final long session, final boolean needIdent)
    {
        return bindPbs(e, session, FLX_BIND, needIdent);
    }

    /** The rest of a session after BIND: IDENT, uploads, MARKs, pings, a query (FLX), UNBIND, maybe a second BIND. */
    private static List<byte[]> script(final Random r, final ClientMessageEncoder e, final boolean flx,
        final long session, final long fileIdent, final long salt)
    {
        final List<byte[]> script = new ArrayList<>();
        final ExpandableArrayBuffer out = new ExpandableArrayBuffer(1024);
        final byte[] query = ("{\"Fz\":\"(name != \\\"" + r.nextInt(100) + "\\\")\"}").getBytes(StandardCharsets.UTF_8);
        script.add(copy(out, e.ident(out, 0, session, fileIdent, salt, 0, 0, 0, 0, flx ? 1 : 0,
            new UnsafeBuffer(query), 0, flx ? query.length : 0)));
        final int uploads = r.nextInt(4);
        for (int i = 0; i < uploads; i++)
        {
            final long clientVersion = 2 + i;
            final byte[] cs = r.nextBoolean() ? Changesets.objects("Fz", r.nextInt(1000), 1 + r.nextInt(5), "f") :
                Changesets.randomObjects("Fz", r.nextInt(1000), 1 + r.nextInt(5), 1 + r.nextInt(200));
            script.add(upload(e, session, clientVersion, r.nextBoolean(), cs));
        }
        script.add(copy(out, e.mark(out, 0, session, 1 + r.nextInt(10))));
        script.add(copy(out, e.ping(out, 0, r.nextInt(1_000_000), r.nextInt(1000))));
        if (flx)
        {
            script.add(copy(out, e.query(out, 0, session, 2, new UnsafeBuffer(query), 0, query.length)));
        }
        if (r.nextBoolean())
        {
            script.add(copy(out, e.unbind(out, 0, session)));
        }
        if (r.nextInt(4) == 0)
        {
            script.add(flx ? bindFlx(e, session + 1, true) : bindPbs(e, session + 1, "\"fz" + r.nextInt(8) + "\"",
                true));
        }
        return script;
    }

    private static byte[] upload(final ClientMessageEncoder e, final long session, final long clientVersion,
        final boolean compress, final byte[] changeset)
    {
        final ExpandableArrayBuffer body = new ExpandableArrayBuffer(changeset.length + 64);
        final int n = EntryEncoder.uploadEntry(body, 0, clientVersion, 0, 1000 + clientVersion, 0,
            new UnsafeBuffer(changeset), 0, changeset.length);
        return uploadBody(e, session, clientVersion, compress, n, body, n);
    }

    /** An UPLOAD whose body is {@code body[0, length)}, compressed here if asked, claiming {@code size} inflated. */
    private static byte[] uploadBody(final ClientMessageEncoder e, final long session, final long clientVersion,
        final boolean compress, final long size, final ExpandableArrayBuffer body, final int length)
    {
        final ExpandableArrayBuffer out = new ExpandableArrayBuffer(length + 256);
        if (compress)
        {
            final ExpandableArrayBuffer z = new ExpandableArrayBuffer(length + 64);
            try (BodyCompression zlib = new BodyCompression())
            {
                final int zn = zlib.deflate(body, 0, length, z, 0, length + 64);
                return copy(out, e.upload(out, 0, session, true, size, clientVersion, 0, 0, z, 0, zn));
            }
        }
        return copy(out, e.upload(out, 0, session, false, size, clientVersion, 0, 0, body, 0, length));
    }

    private static byte[] copy(final ExpandableArrayBuffer out, final int length)
    {
        final byte[] bytes = new byte[length];
        out.getBytes(0, bytes);
        return bytes;
    }

    /** Reorder, duplicate or drop messages of the script. */
    private static void reshuffle(final Random r, final List<byte[]> script)
    {
        final int edits = r.nextInt(3) == 0 ? 1 + r.nextInt(3) : 0;
        for (int i = 0; i < edits && !script.isEmpty(); i++)
        {
            final int a = r.nextInt(script.size());
            switch (r.nextInt(4))
            {
                case 0 -> Collections.swap(script, a, r.nextInt(script.size()));
                case 1 -> script.add(a, script.get(a).clone());
                case 2 -> script.remove(a);
                default -> Collections.shuffle(script, r);
            }
        }
    }

    /** One mutation of one message. */
    private static byte[] mutate(final Random r, final byte[] message, final ClientMessageEncoder e)
    {
        final int head = headLength(message);
        switch (r.nextInt(8))
        {
            case 0 ->
            {
                final byte[] m = message.clone();
                for (int i = 1 + r.nextInt(8); i > 0 && m.length > 0; i--)
                {
                    m[r.nextInt(m.length)] ^= (byte)(1 << r.nextInt(8));
                }
                return m;
            }
            case 1 ->
            {
                return java.util.Arrays.copyOf(message, message.length == 0 ? 0 : r.nextInt(message.length));
            }
            case 2, 3 ->
            {
                final String[] fields = new String(message, 0, head, StandardCharsets.ISO_8859_1).split(" ", -1);
                final int f = fields.length > 1 ? 1 + r.nextInt(fields.length - 1) : 0;
                fields[f] = r.nextBoolean() ? FIELD_VALUES[r.nextInt(FIELD_VALUES.length)] :
                    Long.toString(r.nextLong() >> r.nextInt(64));
                final byte[] newHead = String.join(" ", fields).getBytes(StandardCharsets.ISO_8859_1);
                final byte[] m = new byte[newHead.length + message.length - head];
                System.arraycopy(newHead, 0, m, 0, newHead.length);
                System.arraycopy(message, head, m, newHead.length, message.length - head);
                return m;
            }
            case 4 ->
            {
                // garbage body of the same length (the head's sizes stay right)
                final byte[] m = message.clone();
                for (int i = head + 1; i < m.length; i++)
                {
                    m[i] = (byte)r.nextInt(256);
                }
                return m;
            }
            case 5 ->
            {
                // valid zlib of garbage, claiming its true or a wrong inflated size
                final byte[] garbage = new byte[1 + r.nextInt(4096)];
                r.nextBytes(garbage);
                final ExpandableArrayBuffer body = new ExpandableArrayBuffer(garbage.length);
                body.putBytes(0, garbage);
                final long size = r.nextBoolean() ? garbage.length : r.nextInt(1 << 20);
                return uploadBody(e, 1 + r.nextInt(3), 2, true, size, body, garbage.length);
            }
            case 6 ->
            {
                // garbage claiming to be compressed
                final byte[] garbage = new byte[1 + r.nextInt(512)];
                r.nextBytes(garbage);
                final ExpandableArrayBuffer body = new ExpandableArrayBuffer(garbage.length);
                body.putBytes(0, garbage);
                final ExpandableArrayBuffer out = new ExpandableArrayBuffer(garbage.length + 256);
                return copy(out, e.upload(out, 0, 1 + r.nextInt(3), true, 1 + r.nextInt(1 << 16), 2, 0, 0, body, 0,
                    garbage.length));
            }
            default ->
            {
                // a body longer or shorter than the head says
                final byte[] m = java.util.Arrays.copyOf(message, message.length + r.nextInt(64));
                for (int i = message.length; i < m.length; i++)
                {
                    m[i] = (byte)r.nextInt(256);
                }
                return m;
            }
        }
    }

    private static int headLength(final byte[] message)
    {
        for (int i = 0; i < message.length; i++)
        {
            if (message[i] == '\n')
            {
                return i;
            }
        }
        return message.length;
    }

    /**
     * Send one message in some framing; @return false once the stream is broken on purpose (stop sending).
     */
    private boolean send(final RawWebSocket ws, final Random r, final byte[] message) throws IOException
    {
        messages.incrementAndGet();
        final int how = r.nextInt(100);
        if (how < 70)
        {
            ws.send(RawWebSocket.BINARY, true, message);
        }
        else if (how < 82)
        {
            // fragments, with control frames between them
            final int parts = 2 + r.nextInt(4);
            int at = 0;
            for (int i = 0; i < parts; i++)
            {
                final int end = i == parts - 1 ? message.length : Math.min(message.length,
                    at + r.nextInt(message.length / parts + 2));
                final byte[] part = java.util.Arrays.copyOfRange(message, at, end);
                ws.send(0 == i ? RawWebSocket.BINARY : RawWebSocket.CONTINUATION, i == parts - 1, part);
                at = end;
                if (r.nextInt(3) == 0)
                {
                    ws.send(r.nextBoolean() ? RawWebSocket.PING : RawWebSocket.PONG, true, new byte[r.nextInt(10)]);
                }
            }
        }
        else if (how < 86)
        {
            ws.send(RawWebSocket.TEXT, true, message);
        }
        else if (how < 89)
        {
            ws.send(RawWebSocket.CONTINUATION, true, message);
        }
        else if (how < 91)
        {
            // a control frame too long for one (RFC 6455: at most 125 bytes)
            ws.send(RawWebSocket.PING, true, new byte[126 + r.nextInt(200)]);
        }
        else if (how < 93)
        {
            ws.send(RawWebSocket.CLOSE, true, new byte[] {0x03, (byte)0xE8, 'x'});
            ws.send(RawWebSocket.BINARY, true, message);
        }
        else if (how < 96)
        {
            // unmasked (a client must mask)
            final ByteArrayOutputStream frame = new ByteArrayOutputStream();
            frame.write(0x82);
            final int length = Math.min(message.length, 125);
            frame.write(length);
            frame.write(message, 0, length);
            ws.sendUnframed(frame.toByteArray());
            return false;
        }
        else if (how < 98)
        {
            // a reserved opcode, or a length claiming 2^62 bytes
            ws.sendUnframed(r.nextBoolean() ? new byte[] {(byte)0x83, (byte)0x80, 0, 0, 0, 0} :
                new byte[] {(byte)0x82, (byte)0xFF, 0x40, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4});
            return false;
        }
        else
        {
            final byte[] garbage = new byte[1 + r.nextInt(64)];
            r.nextBytes(garbage);
            ws.sendUnframed(garbage);
            return false;
        }
        return true;
    }

    /** @return the server's IDENT (file ident, salt) if one arrives soon, else null. */
    private long[] awaitIdent(final RawWebSocket ws, final long connectionSeed) throws IOException
    {
        for (int i = 0; i < 5; i++)
        {
            final RawWebSocket.Frame frame;
            try
            {
                frame = ws.read();
            }
            catch (final SocketTimeoutException none)
            {
                return null;
            }
            check(frame, connectionSeed);
            if (frame.opcode() == RawWebSocket.BINARY)
            {
                final String text = new String(frame.payload(), StandardCharsets.ISO_8859_1);
                if (text.startsWith("ident "))
                {
                    final String[] f = text.substring(0, headLength(frame.payload())).split(" ");
                    return new long[] {Long.parseLong(f[2]), Long.parseLong(f[3])};
                }
            }
            else if (frame.opcode() == RawWebSocket.CLOSE)
            {
                return null;
            }
        }
        return null;
    }

    /** Read what the server sends for up to {@code ms} of silence, checking each frame. */
    private void drain(final RawWebSocket ws, final long connectionSeed, final int ms) throws IOException
    {
        ws.readTimeout(ms);
        for (int i = 0; i < 200; i++)
        {
            final RawWebSocket.Frame frame;
            try
            {
                frame = ws.read();
            }
            catch (final SocketTimeoutException quiet)
            {
                return;
            }
            check(frame, connectionSeed);
            if (frame.opcode() == RawWebSocket.CLOSE)
            {
                return;
            }
        }
    }

    /** Errors and close reasons carry no Java names, no stack traces, and never the bug path's "internal error". */
    private void check(final RawWebSocket.Frame frame, final long connectionSeed)
    {
        framesReceived.incrementAndGet();
        final String text = new String(frame.payload(), StandardCharsets.UTF_8);
        final boolean error = frame.opcode() == RawWebSocket.CLOSE ||
            text.startsWith("error ") || text.startsWith("json_error ") || text.startsWith("query_error ");
        if (error && (text.contains("java.") || text.contains("Exception") || text.contains("\tat ") ||
            text.contains("internal error")))
        {
            failures.add("connection seed " + connectionSeed + " (run seed " + seed + "): server sent " +
                text.substring(0, Math.min(300, text.length())));
        }
    }
}
