package dev.outpost.server.sync;

import dev.outpost.codec.CodecException;
import dev.outpost.codec.message.BodyCompression;
import dev.outpost.codec.message.ClientMessageEncoder;
import dev.outpost.codec.message.DownloadEntryIterator;
import dev.outpost.codec.message.EntryEncoder;
import dev.outpost.codec.message.MessageType;
import dev.outpost.codec.message.ServerMessageDecoder;
import io.vertx.core.json.JsonObject;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A raw sync protocol client for tests, built on the codec: it sends exactly the frames a test asks for (also
 * malformed ones) and decodes what the server sends into {@link Msg} records. Thread-safe enough for one test thread.
 */
public final class SyncTestClient implements AutoCloseable
{
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    /** The User-Agent sent, in realm-core's form: the admin API reads the SDK and core version from it. */
    public static final String USER_AGENT = "RealmSync/14.0.0 (Linux x86_64) OutpostTestClient/1.0";

    final boolean flx;
    private final WebSocket ws;
    private final BlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
    final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final ClientMessageEncoder encoder;
    private final ExpandableArrayBuffer out = new ExpandableArrayBuffer(1024);

    /** A decoded server message; entries for DOWNLOAD, body text otherwise. */
    public record Msg(MessageType type, long session, long[] head, List<Entry> entries, String text, boolean compressed,
        int frameLength, double progress)
    {
        public long get(final int i)
        {
            return head[i];
        }
    }

    /** One DOWNLOAD entry. */
    record Entry(long serverVersion, long clientVersion, long timestamp, long originFileIdent, byte[] changeset)
    {
    }

    private final int version;

    private SyncTestClient(final WebSocket ws, final boolean flx, final int version)
    {
        this.ws = ws;
        this.flx = flx;
        this.version = version;
        this.encoder = new ClientMessageEncoder().flx(flx);
    }

    public static String login(final int port, final String app) throws Exception
    {
        final HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port +
                "/api/client/v2.0/app/" + app + "/auth/providers/anon-user/login"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{\"provider\":\"anon-user\",\"options\":{}}")).build(),
            HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200)
        {
            throw new AssertionError("login " + r.statusCode() + " " + r.body());
        }
        return new JsonObject(r.body()).getString("access_token");
    }

    public static SyncTestClient connect(final int port, final String app, final String token, final boolean flx)
        throws Exception
    {
        return connect(port, app, token, flx, new java.util.concurrent.atomic.AtomicBoolean(), 14);
    }

    static SyncTestClient connect(final int port, final String app, final String token, final boolean flx,
        final java.util.concurrent.atomic.AtomicBoolean stall) throws Exception
    {
        return connect(port, app, token, flx, stall, 14);
    }

    /** @param stall once true, the client stops reading (the server's socket fills up). */
    /** @param version the one protocol version offered. */
    static SyncTestClient connect(final int port, final String app, final String token, final boolean flx,
        final java.util.concurrent.atomic.AtomicBoolean stall, final int version) throws Exception
    {
        final CompletableFuture<SyncTestClient> self = new CompletableFuture<>();
        final BlockingQueue<Object> pending = new LinkedBlockingQueue<>();
        final CompletableFuture<Integer> closedCode = new CompletableFuture<>();
        final WebSocket.Listener listener = new WebSocket.Listener()
        {
            private final ByteArrayOutputStream partial = new ByteArrayOutputStream();

            public CompletionStage<?> onBinary(final WebSocket webSocket, final ByteBuffer data, final boolean last)
            {
                final byte[] bytes = new byte[data.remaining()];
                data.get(bytes);
                partial.write(bytes, 0, bytes.length);
                if (last)
                {
                    pending.add(partial.toByteArray());
                    partial.reset();
                }
                if (!stall.get())
                {
                    webSocket.request(1);
                }
                return null;
            }

            public CompletionStage<?> onClose(final WebSocket webSocket, final int statusCode, final String reason)
            {
                closedCode.complete(statusCode);
                pending.add(statusCode);
                return null;
            }

            public void onError(final WebSocket webSocket, final Throwable error)
            {
                closedCode.complete(-1);
                pending.add(-1);
            }
        };
        final String prefix = flx ? "com.mongodb.realm-query-sync#" : "com.mongodb.realm-sync#";
        final WebSocket ws = HTTP.newWebSocketBuilder().subprotocols(prefix + version)
            .header("User-Agent", USER_AGENT)
            .connectTimeout(Duration.ofSeconds(10))
            .buildAsync(URI.create("ws://127.0.0.1:" + port + "/api/client/v2.0/app/" + app + "/realm-sync?baas_at=" +
                token), listener).get(10, TimeUnit.SECONDS);
        final SyncTestClient c = new SyncTestClient(ws, flx, version);
        c.adopt(pending, closedCode);
        return c;
    }

    private void adopt(final BlockingQueue<Object> pending, final CompletableFuture<Integer> closedCode)
    {
        // the listener's queue is the inbox
        final Thread t = new Thread(() ->
        {
            try
            {
                while (true)
                {
                    final Object o = pending.take();
                    inbox.add(o);
                    if (o instanceof Integer)
                    {
                        return;
                    }
                }
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }, "sync-test-client");
        t.setDaemon(true);
        t.start();
        closedCode.whenComplete((code, ex) -> closed.complete(code == null ? -1 : code));
    }

    // ---------------------------------------------------------------------------------------------------------------

    /** Reading again after a stall: the caller clears the stall flag first. */
    void resumeReading()
    {
        ws.request(1);
    }

    void sendRaw(final byte[] frame) throws Exception
    {
        ws.sendBinary(ByteBuffer.wrap(frame), true).get(10, TimeUnit.SECONDS);
    }

    void sendText(final String head) throws Exception
    {
        sendRaw(head.getBytes(StandardCharsets.UTF_8));
    }

    private void flush(final int length) throws Exception
    {
        final byte[] frame = new byte[length];
        out.getBytes(0, frame);
        sendRaw(frame);
    }

    public void bind(final long session, final String path, final boolean needIdent) throws Exception
    {
        final byte[] p = path.getBytes(StandardCharsets.UTF_8);
        flush(encoder.bind(out, 0, session, new UnsafeBuffer(p), 0, p.length, new UnsafeBuffer(new byte[0]), 0, 0,
            needIdent, false));
    }

    public void ident(final long session, final long ident, final long salt, final long dlServer, final long dlClient,
        final long latest, final long latestSalt) throws Exception
    {
        identFlx(session, ident, salt, dlServer, dlClient, latest, latestSalt, 0, "{}");
    }

    void identFlx(final long session, final long ident, final long salt, final long dlServer, final long dlClient,
        final long latest, final long latestSalt, final long queryVersion, final String query) throws Exception
    {
        final byte[] q = query.getBytes(StandardCharsets.UTF_8);
        flush(encoder.ident(out, 0, session, ident, salt, dlServer, dlClient, latest, latestSalt, queryVersion,
            new UnsafeBuffer(q), 0, q.length));
    }

    void query(final long session, final long version, final String query) throws Exception
    {
        final byte[] q = query.getBytes(StandardCharsets.UTF_8);
        flush(encoder.query(out, 0, session, version, new UnsafeBuffer(q), 0, q.length));
    }

    void mark(final long session, final long request) throws Exception
    {
        flush(encoder.mark(out, 0, session, request));
    }

    void unbind(final long session) throws Exception
    {
        flush(encoder.unbind(out, 0, session));
    }

    void ping(final long timestamp) throws Exception
    {
        flush(encoder.ping(out, 0, timestamp, 0));
    }

    /** One upload entry: client version, base server version, changeset. */
    public record Up(long clientVersion, long serverVersion, byte[] changeset)
    {
    }

    public void upload(final long session, final long progressClient, final long progressServer, final long locked,
        final boolean compress, final Up... entries) throws Exception
    {
        final ExpandableArrayBuffer body = new ExpandableArrayBuffer(1024);
        int pos = 0;
        for (final Up e : entries)
        {
            pos += EntryEncoder.uploadEntry(body, pos, e.clientVersion, e.serverVersion, 1000 + e.clientVersion, 0,
                new UnsafeBuffer(e.changeset), 0, e.changeset.length);
        }
        if (compress)
        {
            final ExpandableArrayBuffer z = new ExpandableArrayBuffer(pos + 64);
            try (BodyCompression zlib = new BodyCompression())
            {
                final int n = zlib.deflate(body, 0, pos, z, 0, pos + 64);
                flush(encoder.upload(out, 0, session, true, pos, progressClient, progressServer, locked, z, 0, n));
            }
        }
        else
        {
            flush(encoder.upload(out, 0, session, false, pos, progressClient, progressServer, locked, body, 0, pos));
        }
    }

    /**
     * An uncompressed UPLOAD whose entries carry the given origin timestamps (realm milliseconds since 2015-01-01)
     * instead of {@code 1000 + client version}: for merges decided by time (a Set against a server-origin Set).
     */
    void uploadStamped(final long session, final long progressClient, final long progressServer,
        final long[] timestamps, final Up... entries) throws Exception
    {
        final ExpandableArrayBuffer body = new ExpandableArrayBuffer(1024);
        int pos = 0;
        for (int i = 0; i < entries.length; i++)
        {
            final Up e = entries[i];
            pos += EntryEncoder.uploadEntry(body, pos, e.clientVersion, e.serverVersion, timestamps[i], 0,
                new UnsafeBuffer(e.changeset), 0, e.changeset.length);
        }
        flush(encoder.upload(out, 0, session, false, pos, progressClient, progressServer, 0, body, 0, pos));
    }

    void transact(final long session, final long clientVersion, final long serverVersion, final byte[] changeset)
        throws Exception
    {
        flush(encoder.transact(out, 0, session, clientVersion, serverVersion, new UnsafeBuffer(changeset), 0,
            changeset.length));
    }

    void stateRequest(final long session, final long version, final long salt, final long offset) throws Exception
    {
        flush(encoder.stateRequest(out, 0, session, version, salt, offset, false, 0, 0, 0, 0));
    }

    void clientVersionRequest(final long session, final long ident, final long salt) throws Exception
    {
        flush(encoder.clientVersionRequest(out, 0, session, ident, salt));
    }

    // ---------------------------------------------------------------------------------------------------------------

    /** @return the next message, or null if none arrives in time; fails if the connection closed. */
    Msg poll(final long timeoutMs) throws Exception
    {
        final Object o = inbox.poll(timeoutMs, TimeUnit.MILLISECONDS);
        if (o == null)
        {
            return null;
        }
        if (o instanceof Integer code)
        {
            inbox.add(code);
            throw new AssertionError("connection closed with " + code);
        }
        return decode((byte[])o);
    }

    public Msg next() throws Exception
    {
        final Msg m = poll(10_000);
        if (m == null)
        {
            throw new AssertionError("no message within 10 s");
        }
        return m;
    }

    /** @return the next message of {@code type}, skipping others (e.g. DOWNLOADs while waiting for a MARK). */
    public Msg next(final MessageType type) throws Exception
    {
        while (true)
        {
            final Msg m = next();
            if (m.type == type)
            {
                return m;
            }
        }
    }

    /** @return the close code once the connection closed (skipping messages). */
    public int awaitClose(final long timeoutMs) throws Exception
    {
        return closed.get(timeoutMs, TimeUnit.MILLISECONDS);
    }

    Msg decode(final byte[] frame) throws CodecException
    {
        final ServerMessageDecoder d = new ServerMessageDecoder().flx(flx).protocolVersion(version)
            .maxUncompressedBodySize(64 << 20);
        d.wrap(new UnsafeBuffer(frame), 0, frame.length);
        final MessageType t = d.type();
        final List<Entry> entries = new ArrayList<>();
        String text = null;
        long session = 0;
        long[] head = new long[0];
        boolean compressed = false;
        double progress = 0;
        switch (t)
        {
            case DOWNLOAD ->
            {
                session = d.sessionIdent();
                head = new long[] {d.downloadServerVersion(), d.downloadClientVersion(), d.latestServerVersion(),
                    d.latestServerVersionSalt(), d.uploadClientVersion(), d.uploadServerVersion(),
                    flx ? d.queryVersion() : d.downloadableBytes(), flx ? d.batchState() : 0};
                progress = flx ? (version >= 12 ? d.progressEstimate() : -d.downloadableBytes() - 1) : 0;
                compressed = d.bodyCompressed();
                org.agrona.DirectBuffer body = d.buffer();
                int offset = d.bodyOffset();
                int length = d.bodyLength();
                if (compressed)
                {
                    final ExpandableArrayBuffer inflated = new ExpandableArrayBuffer((int)d.uncompressedBodySize());
                    try (BodyCompression zlib = new BodyCompression())
                    {
                        length = zlib.inflate(body, offset, length, inflated, 0, d.uncompressedBodySize());
                    }
                    body = inflated;
                    offset = 0;
                }
                final DownloadEntryIterator it = new DownloadEntryIterator().wrap(body, offset, length);
                while (it.next())
                {
                    final byte[] cs = new byte[it.changesetLength()];
                    it.buffer().getBytes(it.changesetOffset(), cs);
                    entries.add(new Entry(it.serverVersion(), it.clientVersion(), it.originTimestamp(),
                        it.originFileIdent(), cs));
                }
            }
            case SERVER_IDENT ->
            {
                session = d.sessionIdent();
                head = new long[] {d.clientFileIdent(), d.clientFileIdentSalt()};
            }
            case SERVER_MARK ->
            {
                session = d.sessionIdent();
                head = new long[] {d.requestIdent()};
            }
            case UNBOUND -> session = d.sessionIdent();
            case PONG -> head = new long[] {d.timestamp()};
            case ERROR, SERVER_JSON_ERROR, QUERY_ERROR ->
            {
                session = d.sessionIdent();
                head = new long[] {d.errorCode(), t == MessageType.ERROR && d.tryAgain() ? 1 : 0,
                    t == MessageType.QUERY_ERROR ? d.queryVersion() : 0};
                text = d.buffer().getStringWithoutLengthUtf8(d.bodyOffset(), d.bodyLength());
            }
            case SERVER_TRANSACT ->
            {
                session = d.sessionIdent();
                head = new long[] {d.status(), d.serverVersion(), d.serverVersionSalt(), d.originTimestamp(),
                    d.originFileIdent()};
            }
            case STATE ->
            {
                session = d.sessionIdent();
                head = new long[] {d.serverVersion(), d.serverVersionSalt(), d.beginOffset(), d.endOffset(),
                    d.maxOffset()};
                final byte[] body = new byte[d.bodyLength()];
                d.buffer().getBytes(d.bodyOffset(), body);
                entries.add(new Entry(0, 0, 0, 0, body));
            }
            case CLIENT_VERSION -> head = new long[] {d.clientVersion()};
            default ->
            {
            }
        }
        return new Msg(t, session, head, entries, text, compressed, frame.length, progress);
    }

    public void close()
    {
        ws.abort();
    }
}
