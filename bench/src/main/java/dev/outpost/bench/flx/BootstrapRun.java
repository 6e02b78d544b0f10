package dev.outpost.bench.flx;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import dev.outpost.bench.client.ClientOptions;
import dev.outpost.bench.client.Credentials;
import dev.outpost.bench.client.SyncClient;
import dev.outpost.bench.load.ProcStats;
import dev.outpost.codec.CodecException;
import dev.outpost.codec.message.BodyCompression;
import dev.outpost.codec.message.ClientMessageEncoder;
import dev.outpost.codec.message.DownloadEntryIterator;
import dev.outpost.codec.message.MessageType;
import dev.outpost.codec.message.ServerMessageDecoder;
import dev.outpost.ot.model.Changeset;
import dev.outpost.ot.model.ChangesetReader;
import dev.outpost.ot.model.CreateObject;
import dev.outpost.ot.model.Instruction;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;

/**
 * Times one FLX bootstrap as a fresh client sees it (issue 11 item 6): anonymous login, one flexible-sync
 * WebSocket, BIND asking for a file ident, IDENT with no subscription, MARK; once the MARK is answered, QUERY
 * version 1 with the given query, then DOWNLOAD messages until the bootstrap's last part ({@code batch_state} 1 of
 * query version 1). The time runs from sending the QUERY to receiving that last part. The frames are kept as
 * received and decoded only after the clock stopped (inflate, every entry's changeset read, CreateObject
 * instructions counted), so the client's decoding does not slow the server's sending.
 * <p>
 * Usage: {@code BootstrapRun BASE_URL APP_ID QUERY_JSON [SERVER_PID]}, e.g.
 * {@code http://127.0.0.1:9190 boot '{"Item":"owner == \"u3\""}' 12345}. Prints one line of {@code key=value}
 * figures; with a server pid also the server's CPU time over the bootstrap and its RSS after it. Exit 1 on an
 * error message or a timeout (10 minutes).
 */
public final class BootstrapRun
{
    private static final long SESSION = 1;
    private static final long FIRST_MARK = 1;
    private static final long QUERY_VERSION = 1;

    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private final ClientMessageEncoder encoder = new ClientMessageEncoder().flx(true);
    private final ServerMessageDecoder decoder = new ServerMessageDecoder().flx(true).protocolVersion(14);
    private final ExpandableArrayBuffer out = new ExpandableArrayBuffer(4096);
    private final List<byte[]> frames = new ArrayList<>();
    private final String query;
    private final long serverPid;
    private WebSocket socket;
    private long queryAt;
    private long lastAt;
    private long firstAt;
    private long cpuBefore;
    private long cpuAfter;
    private long wireBytes;
    private long uncompressedBytes;
    private int messages;

    private BootstrapRun(final String query, final long serverPid)
    {
        this.query = query;
        this.serverPid = serverPid;
    }

    /**
     * Runs one bootstrap and prints its figures.
     *
     * @param args base URL, app id, FLX query JSON, optionally the server's pid.
     * @throws Exception on a failed login, connection, error message or timeout.
     */
    public static void main(final String[] args) throws Exception
    {
        if (args.length < 3)
        {
            System.err.println("usage: BootstrapRun BASE_URL APP_ID QUERY_JSON [SERVER_PID]");
            System.exit(2);
        }
        final long pid = args.length > 3 ? Long.parseLong(args[3]) : -1;
        final BootstrapRun run = new BootstrapRun(args[2], pid);
        final SyncClient client = SyncClient.create(new ClientOptions().baseUrl(args[0]).appId(args[1]).flx(true));
        int status = 0;
        try
        {
            final Credentials user = client.login().toCompletionStage().toCompletableFuture()
                .get(60, TimeUnit.SECONDS);
            final WebSocketClient ws = client.vertx().createWebSocketClient(new WebSocketClientOptions()
                .setMaxFrameSize(64 * 1024 * 1024).setMaxMessageSize(256 * 1024 * 1024));
            run.connect(ws, args[1], user);
            run.done.get(10, TimeUnit.MINUTES);
            run.report();
            ws.close();
        }
        catch (final Exception ex)
        {
            System.err.println("bootstrap failed: " + ex);
            status = 1;
        }
        finally
        {
            client.close();
        }
        System.exit(status);
    }

    private void connect(final WebSocketClient ws, final String appId, final Credentials user)
    {
        final URI base = URI.create(user.wsHostname());
        final WebSocketConnectOptions o = new WebSocketConnectOptions().setHost(base.getHost())
            .setPort(base.getPort()).setSsl("wss".equals(base.getScheme()))
            .setURI("/api/client/v2.0/app/" + appId + "/realm-sync?baas_at=" + user.accessToken())
            .addSubProtocol("com.mongodb.realm-query-sync#14");
        ws.connect(o).onComplete(ar ->
        {
            if (ar.failed())
            {
                done.completeExceptionally(ar.cause());
                return;
            }
            socket = ar.result();
            socket.binaryMessageHandler(this::onMessage);
            socket.closeHandler(x -> done.completeExceptionally(new IllegalStateException("socket closed")));
            final byte[] path = "{\"schemaVersion\":0,\"sessionReason\":0}".getBytes(StandardCharsets.UTF_8);
            final UnsafeBuffer p = new UnsafeBuffer(path);
            send(encoder.bind(out, 0, SESSION, p, 0, path.length, p, 0, 0, true, false));
        });
    }

    private void send(final int length)
    {
        final byte[] frame = new byte[length];
        out.getBytes(0, frame);
        socket.writeBinaryMessage(Buffer.buffer(frame));
    }

    private void onMessage(final Buffer b)
    {
        final byte[] frame = b.getBytes();
        try
        {
            decoder.wrap(new UnsafeBuffer(frame), 0, frame.length);
        }
        catch (final CodecException ex)
        {
            done.completeExceptionally(ex);
            return;
        }
        final MessageType type = decoder.type();
        switch (type)
        {
            case SERVER_IDENT ->
            {
                final byte[] q = "{}".getBytes(StandardCharsets.UTF_8);
                send(encoder.ident(out, 0, SESSION, decoder.clientFileIdent(), decoder.clientFileIdentSalt(), 0, 0,
                    0, 0, 0, new UnsafeBuffer(q), 0, q.length));
                send(encoder.mark(out, 0, SESSION, FIRST_MARK));
            }
            case SERVER_MARK ->
            {
                if (decoder.requestIdent() == FIRST_MARK && queryAt == 0)
                {
                    final byte[] q = query.getBytes(StandardCharsets.UTF_8);
                    cpuBefore = ProcStats.cpuNanos(serverPid);
                    queryAt = System.nanoTime();
                    send(encoder.query(out, 0, SESSION, QUERY_VERSION, new UnsafeBuffer(q), 0, q.length));
                }
            }
            case DOWNLOAD -> onDownload(frame);
            case ERROR, SERVER_JSON_ERROR, QUERY_ERROR -> done.completeExceptionally(new IllegalStateException(
                type + " " + decoder.errorCode() + ": "
                    + decoder.buffer().getStringWithoutLengthUtf8(decoder.bodyOffset(), decoder.bodyLength())));
            default ->
            {
            }
        }
    }

    private void onDownload(final byte[] frame)
    {
        if (queryAt == 0 || decoder.queryVersion() != QUERY_VERSION || done.isDone())
        {
            return;
        }
        final long now = System.nanoTime();
        if (firstAt == 0)
        {
            firstAt = now;
        }
        messages++;
        wireBytes += frame.length;
        uncompressedBytes += frame.length - decoder.bodyLength()
            + (decoder.bodyCompressed() ? decoder.uncompressedBodySize() : decoder.bodyLength());
        frames.add(frame);
        if (decoder.batchState() == 1)
        {
            lastAt = now;
            cpuAfter = ProcStats.cpuNanos(serverPid);
            done.complete(null);
        }
    }

    private void report() throws CodecException
    {
        final long decodeStart = System.nanoTime();
        final ServerMessageDecoder d = new ServerMessageDecoder().flx(true).protocolVersion(14);
        final BodyCompression zlib = new BodyCompression();
        final ExpandableArrayBuffer inflated = new ExpandableArrayBuffer(1 << 20);
        final DownloadEntryIterator entries = new DownloadEntryIterator();
        final ChangesetReader reader = new ChangesetReader();
        long changesets = 0;
        long objects = 0;
        long instructions = 0;
        for (final byte[] frame : frames)
        {
            d.wrap(new UnsafeBuffer(frame), 0, frame.length);
            int len = d.bodyLength();
            if (d.bodyCompressed())
            {
                len = zlib.inflate(d.buffer(), d.bodyOffset(), len, inflated, 0, d.uncompressedBodySize());
                entries.wrap(inflated, 0, len);
            }
            else
            {
                entries.wrap(d.buffer(), d.bodyOffset(), len);
            }
            while (entries.next())
            {
                changesets++;
                final Changeset c = reader.read(entries.buffer(), entries.changesetOffset(), entries.changesetLength(),
                    new Changeset());
                for (final Instruction i : c.instructions())
                {
                    instructions++;
                    if (i instanceof CreateObject)
                    {
                        objects++;
                    }
                }
            }
        }
        final double decodeS = (System.nanoTime() - decodeStart) / 1e9;
        final double seconds = (lastAt - queryAt) / 1e9;
        final double firstS = (firstAt - queryAt) / 1e9;
        final double cpuS = cpuBefore < 0 || cpuAfter < 0 ? -1 : (cpuAfter - cpuBefore) / 1e9;
        final long rss = ProcStats.rssBytes(serverPid);
        System.out.printf("query=%s objects=%d changesets=%d instructions=%d messages=%d seconds=%.2f first_part_s=%.2f"
            + " objects_per_s=%.0f wire_mb=%.1f wire_mb_per_s=%.1f uncompressed_mb=%.1f uncompressed_mb_per_s=%.1f"
            + " server_cpu_s=%.2f server_rss_mb=%.0f client_decode_s=%.2f%n",
            query, objects, changesets, instructions, messages, seconds, firstS, objects / seconds, wireBytes / 1e6,
            wireBytes / 1e6 / seconds, uncompressedBytes / 1e6, uncompressedBytes / 1e6 / seconds, cpuS,
            rss < 0 ? -1.0 : rss / 1048576.0, decodeS);
    }
}
