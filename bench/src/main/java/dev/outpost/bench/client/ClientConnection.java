package dev.outpost.bench.client;

import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;

import org.agrona.ExpandableArrayBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.UnsafeBuffer;

import dev.outpost.codec.CodecException;
import dev.outpost.codec.message.ClientMessageEncoder;
import dev.outpost.codec.message.MessageType;
import dev.outpost.codec.message.ServerMessageDecoder;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.internal.VertxInternal;

/**
 * One sync WebSocket of one user, carrying any number of {@link ClientSession}s (one per server file), as a realm
 * client shares one connection per user, server and mode. Sends PINGs, and when the socket drops reconnects with
 * exponential backoff and jitter and re-binds every session with its persisted file ident and cursors.
 * <p>
 * Everything runs on this connection's own event-loop context; public methods may be called from any thread.
 */
public final class ClientConnection
{
    private final SyncClient client;
    private final Credentials user;
    private final ClientOptions options;
    private final Context context;
    private final Long2ObjectHashMap<ClientSession> sessions = new Long2ObjectHashMap<>();
    private final ClientMessageEncoder encoder;
    private final ServerMessageDecoder decoder;
    private final ExpandableArrayBuffer out = new ExpandableArrayBuffer(4096);
    private final UnsafeBuffer in = new UnsafeBuffer(new byte[0]);
    private byte[] inBytes = new byte[64 * 1024];
    private WebSocket socket;
    private boolean closed;
    private int attempt;
    private int reconnects;
    private long pingTimer = -1;
    private long pingSentAt;
    private long pingTimestamp;
    private long lastRttMs;
    private long nextSessionIdent = 1;
    private Promise<Void> opened;
    private final Tools tools = new Tools();

    /** Codec tools shared by the sessions of this connection (all on its event loop). */
    static final class Tools
    {
        final dev.outpost.ot.model.ChangesetWriter writer = new dev.outpost.ot.model.ChangesetWriter();
        final dev.outpost.ot.model.ChangesetReader reader = new dev.outpost.ot.model.ChangesetReader();
        final dev.outpost.codec.message.DownloadEntryIterator entries =
            new dev.outpost.codec.message.DownloadEntryIterator();
        final dev.outpost.codec.message.BodyCompression zlib = new dev.outpost.codec.message.BodyCompression();
        final ExpandableArrayBuffer body = new ExpandableArrayBuffer(4096);
        final ExpandableArrayBuffer scratch = new ExpandableArrayBuffer(4096);
        final ExpandableArrayBuffer inflated = new ExpandableArrayBuffer(4096);
    }

    Tools tools()
    {
        return tools;
    }

    ClientConnection(final SyncClient client, final Credentials user)
    {
        this.client = client;
        this.user = user;
        this.options = client.options();
        this.context = ((VertxInternal)client.vertx()).createEventLoopContext();
        this.encoder = new ClientMessageEncoder().flx(options.flx);
        this.decoder = new ServerMessageDecoder().flx(options.flx).protocolVersion(options.protocolVersion);
    }

    public Context context()
    {
        return context;
    }

    public Credentials user()
    {
        return user;
    }

    /** @return how many times this connection reconnected after a drop. */
    public int reconnects()
    {
        return reconnects;
    }

    /**
     * Adds a session for a server file: a PBS partition as the client sends it (canonical extended JSON, e.g.
     * {@code "\"p1\""}), ignored for FLX. It binds as soon as the connection is (or becomes) open. Blocks until
     * the event loop registered it: call from a plain thread, never from an event loop.
     */
    public ClientSession addSession(final String partition)
    {
        final CompletableFuture<ClientSession> f = new CompletableFuture<>();
        runOnContext(() ->
        {
            final ClientSession s = new ClientSession(this, nextSessionIdent++, partition, options.flx);
            sessions.put(s.ident(), s);
            if (socket != null)
            {
                s.connected();
            }
            f.complete(s);
        });
        return f.join();
    }

    /** Connects; the future completes when the first WebSocket is up (sessions then bind). */
    public Future<Void> open()
    {
        final Promise<Void> p = Promise.promise();
        runOnContext(() ->
        {
            opened = p;
            connect();
        });
        return p.future();
    }

    /** Closes for good (no reconnect). */
    public Future<Void> close()
    {
        final Promise<Void> p = Promise.promise();
        runOnContext(() ->
        {
            closed = true;
            cancelPing();
            if (socket != null)
            {
                socket.close((short)1000).onComplete(x -> p.tryComplete());
                socket = null;
            }
            else
            {
                p.tryComplete();
            }
        });
        return p.future();
    }

    /** Drops the TCP connection without a close handshake, as a network failure would (reconnect follows). */
    public void drop()
    {
        runOnContext(() ->
        {
            if (socket != null)
            {
                final WebSocket s = socket;
                lost();
                s.close((short)1001, "drop");
            }
        });
    }

    void runOnContext(final Runnable r)
    {
        context.runOnContext(v -> r.run());
    }

    private void connect()
    {
        if (closed)
        {
            return;
        }
        final URI base = URI.create(user.wsHostname());
        final int port = base.getPort() > 0 ? base.getPort() : "wss".equals(base.getScheme()) ? 443 : 80;
        final String prefix = options.flx ? "com.mongodb.realm-query-sync#" : "com.mongodb.realm-sync#";
        final WebSocketConnectOptions o = new WebSocketConnectOptions().setHost(base.getHost()).setPort(port)
            .setSsl("wss".equals(base.getScheme()))
            .setURI("/api/client/v2.0/app/" + options.appId + "/realm-sync?baas_at=" + user.accessToken());
        for (int v = options.protocolVersion; v >= 2; v--)
        {
            o.addSubProtocol(prefix + v);
        }
        client.webSocketClient().connect(o).onComplete(ar ->
        {
            if (closed)
            {
                if (ar.succeeded())
                {
                    ar.result().close();
                }
                return;
            }
            if (ar.failed())
            {
                options.metrics.error("connect: " + ar.cause().getMessage());
                scheduleReconnect();
                return;
            }
            final WebSocket ws = ar.result();
            if (!(prefix + options.protocolVersion).equals(ws.subProtocol()))
            {
                options.metrics.error("unexpected sub-protocol " + ws.subProtocol());
            }
            socket = ws;
            attempt = 0;
            ws.binaryMessageHandler(b -> onMessage(ws, b));
            ws.textMessageHandler(t -> options.metrics.error("text frame"));
            ws.closeHandler(x ->
            {
                if (socket == ws)
                {
                    lost();
                }
            });
            ws.exceptionHandler(t -> options.metrics.error("socket: " + t.getMessage()));
            pingTimer = context.owner().setPeriodic(options.pingIntervalMs, id -> ping());
            for (final ClientSession s : sessions.values())
            {
                s.connected();
            }
            if (opened != null)
            {
                opened.tryComplete();
                opened = null;
            }
        });
    }

    private void lost()
    {
        socket = null;
        cancelPing();
        pingSentAt = 0;
        for (final ClientSession s : sessions.values())
        {
            s.disconnected();
        }
        if (!closed)
        {
            reconnects++;
            options.metrics.reconnected();
            scheduleReconnect();
        }
    }

    private void scheduleReconnect()
    {
        final long cap = Math.min(options.backoffMaxMs, options.backoffBaseMs << Math.min(attempt, 20));
        attempt++;
        // Jitter: a random delay in [cap/2, cap], so a storm of clients spreads out.
        final long delay = Math.max(1, cap / 2 + ThreadLocalRandom.current().nextLong(cap / 2 + 1));
        context.owner().setTimer(delay, id -> connect());
    }

    private void cancelPing()
    {
        if (pingTimer != -1)
        {
            context.owner().cancelTimer(pingTimer);
            pingTimer = -1;
        }
    }

    private void ping()
    {
        if (socket == null || pingSentAt != 0)
        {
            return;
        }
        pingSentAt = System.nanoTime();
        pingTimestamp = System.currentTimeMillis();
        send(encoder.ping(out, 0, pingTimestamp, lastRttMs));
    }

    ClientMessageEncoder encoder()
    {
        return encoder;
    }

    ExpandableArrayBuffer out()
    {
        return out;
    }

    ClientMetrics metrics()
    {
        return options.metrics;
    }

    /** @return whether the WebSocket is up (event loop; from another thread a snapshot that may be stale). */
    public boolean isOpen()
    {
        return socket != null;
    }

    boolean writable()
    {
        return socket != null && !socket.writeQueueFull();
    }

    /** Sends {@code length} bytes from the start of {@link #out()}. */
    void send(final int length)
    {
        if (socket == null)
        {
            return;
        }
        final byte[] frame = new byte[length];
        out.getBytes(0, frame);
        options.metrics.bytesSent(length);
        socket.writeBinaryMessage(Buffer.buffer(frame));
    }

    private void onMessage(final WebSocket ws, final Buffer b)
    {
        if (ws != socket)
        {
            return;
        }
        final int n = b.length();
        options.metrics.bytesReceived(n);
        if (inBytes.length < n)
        {
            inBytes = new byte[Math.max(n, inBytes.length * 2)];
        }
        b.getBytes(0, n, inBytes, 0);
        in.wrap(inBytes, 0, n);
        try
        {
            decoder.wrap(in, 0, n);
        }
        catch (final CodecException ex)
        {
            options.metrics.error("decode: " + ex.getMessage());
            ws.close((short)1002);
            return;
        }
        final MessageType type = decoder.type();
        if (type == MessageType.PONG)
        {
            if (decoder.timestamp() != pingTimestamp || pingSentAt == 0)
            {
                options.metrics.error("pong without ping");
            }
            else
            {
                final long rtt = System.nanoTime() - pingSentAt;
                lastRttMs = rtt / 1_000_000;
                options.metrics.pingRtt(rtt);
                pingSentAt = 0;
            }
            return;
        }
        if (type == MessageType.LOG_MESSAGE && decoder.sessionIdent() == 0)
        {
            return;
        }
        if ((type == MessageType.ERROR || type == MessageType.SERVER_JSON_ERROR) && decoder.sessionIdent() == 0)
        {
            options.metrics.error("connection error " + decoder.errorCode() + ": " + body());
            return;
        }
        final ClientSession s = sessions.get(decoder.sessionIdent());
        if (s == null)
        {
            options.metrics.error("message for unknown session " + decoder.sessionIdent());
            return;
        }
        s.onMessage(type, decoder);
    }

    private String body()
    {
        return decoder.buffer().getStringWithoutLengthUtf8(decoder.bodyOffset(), decoder.bodyLength());
    }

    /** @return the sessions (a copy; blocks: a plain thread, never an event loop). */
    public Collection<ClientSession> sessions()
    {
        final CompletableFuture<Collection<ClientSession>> f = new CompletableFuture<>();
        runOnContext(() -> f.complete(new ArrayList<>(sessions.values())));
        return f.join();
    }
}
