package dev.outpost.server.ws;

import dev.outpost.server.config.ServerConfig;
import dev.outpost.server.auth.VerifiedToken;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.http.HttpServerRequestInternal;
import io.vertx.core.internal.http.WebSocketInternal;
import io.vertx.core.net.impl.ConnectionBase;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Upgrades an authenticated {@code .../realm-sync} request to a sync WebSocket: negotiates the sub-protocol, answers
 * 101 with exactly one {@code Sec-WebSocket-Protocol} token, then hands the connection to the session layer through
 * a {@link SyncConnectionHandlerFactory}. Thread-safe (used by every event loop).
 */
public final class WebSocketEndpoint
{
    /** Request and response header carrying the sub-protocol offer and answer. */
    public static final String SEC_WEBSOCKET_PROTOCOL = "Sec-WebSocket-Protocol";

    private static final String VERTX_HANDLER_NAME = "handler";
    private static final System.Logger LOG = System.getLogger(WebSocketEndpoint.class.getName());

    private final SubprotocolNegotiator negotiator;
    private final SyncConnectionHandlerFactory factory;
    private final int maxMessageSize;
    private final long idleTimeoutNs;
    private final int fragmentBytes;
    private final ConnectionMeter meter;
    private final AtomicLong accepted = new AtomicLong();

    /** Connections open now (added at upgrade, removed when gone). */
    private final Set<NettySyncConnection> live = ConcurrentHashMap.newKeySet();
    private volatile boolean memoryPressure;
    private volatile boolean readingPaused;

    /**
     * @param negotiator     sub-protocol negotiation.
     * @param factory        creates the session handler of each connection.
     * @param maxMessageSize largest inbound message (bytes).
     * @param idleTimeout    connections silent for longer are closed with 1001.
     */
    public WebSocketEndpoint(
        final SubprotocolNegotiator negotiator,
        final SyncConnectionHandlerFactory factory,
        final int maxMessageSize,
        final Duration idleTimeout)
    {
        this(negotiator, factory, maxMessageSize, idleTimeout, ServerConfig.WS_FRAGMENT_BYTES_DEFAULT,
            ConnectionMeter.NONE);
    }

    /**
     * @param negotiator     sub-protocol negotiation.
     * @param factory        creates the session handler of each connection.
     * @param maxMessageSize largest inbound message (bytes).
     * @param idleTimeout    connections silent for longer are closed with 1001.
     * @param fragmentBytes  longer outbound messages are sent in fragments of this size
     *                       ({@link ServerConfig#wsFragmentBytes()}).
     * @param meter          counts connections, bytes and event-loop tasks ({@link ConnectionMeter#NONE}: nothing).
     */
    public WebSocketEndpoint(
        final SubprotocolNegotiator negotiator,
        final SyncConnectionHandlerFactory factory,
        final int maxMessageSize,
        final Duration idleTimeout,
        final int fragmentBytes,
        final ConnectionMeter meter)
    {
        this.negotiator = negotiator;
        this.factory = factory;
        this.maxMessageSize = maxMessageSize;
        this.idleTimeoutNs = idleTimeout.toNanos();
        this.fragmentBytes = Math.max(ServerConfig.WS_FRAGMENT_BYTES_MIN, fragmentBytes);
        this.meter = meter;
    }

    /**
     * @param request a GET with {@code Upgrade: websocket}, already authenticated; called on its event loop.
     * @param user    the verified access token.
     * @param appId   app id from the URL.
     * @return null if the upgrade was started, else why the sub-protocol negotiation failed (answer 400).
     */
    public String upgrade(final HttpServerRequest request, final VerifiedToken user, final String appId)
    {
        final List<String> offered = request.headers().getAll(SEC_WEBSOCKET_PROTOCOL);
        final SubprotocolNegotiator.Result result = negotiator.negotiate(offered);
        if (!result.succeeded())
        {
            return result.error();
        }
        final NegotiatedProtocol protocol = result.protocol();
        // Netty copies these headers into the 101; with no server-side sub-protocol list it adds none of its own.
        request.response().putHeader(SEC_WEBSOCKET_PROTOCOL, protocol.responseToken());
        // vertx-web hands out a wrapper without the Netty context, so find the channel through the connection now;
        // after the upgrade Vert.x's WebSocket handler sits in the pipeline under the name "handler".
        final Channel channel = request.connection() instanceof ConnectionBase ?
            ((ConnectionBase)request.connection()).channel() : null;
        final ContextInternal context = request instanceof HttpServerRequestInternal ?
            ((HttpServerRequestInternal)request).context() : (ContextInternal)Vertx.currentContext();
        request.toWebSocket().onComplete(ar ->
        {
            if (ar.failed())
            {
                LOG.log(System.Logger.Level.DEBUG, () -> "WebSocket upgrade failed: " + ar.cause());
                return;
            }
            final ChannelHandlerContext vertxCtx = ar.result() instanceof WebSocketInternal ?
                ((WebSocketInternal)ar.result()).channelHandlerContext() :
                null == channel ? null : channel.pipeline().context(VERTX_HANDLER_NAME);
            if (null == vertxCtx)
            {
                LOG.log(System.Logger.Level.ERROR, "cannot reach the Netty pipeline of an upgraded WebSocket");
                ar.result().close((short)CloseCodes.INTERNAL_ERROR, "internal error");
                return;
            }
            final NettySyncConnection connection = new NettySyncConnection(
                ar.result(), context, protocol, user, appId, maxMessageSize, idleTimeoutNs,
                fragmentBytes, meter.forApp(appId));
            accepted.incrementAndGet();
            live.add(connection);
            connection.onGone(() -> live.remove(connection));
            connection.attach(vertxCtx, factory);
            if (readingPaused)
            {
                connection.pauseReading(NettySyncConnection.PAUSE_MEMORY, true);
            }
            LOG.log(System.Logger.Level.DEBUG, () -> "accepted " + connection);
        });
        return null;
    }

    /**
     * The process is short of heap ({@link dev.outpost.server.memory.HeapGuard}) or no longer: every connection stops
     * (or resumes) reading from its socket, so clients wait in TCP instead of filling the heap, and new upgrades are
     * refused ({@link #refusingUpgrades()}) while it lasts. Sending goes on, which is what frees memory. Any thread.
     *
     * @param pressure true when pressure starts, false when it ends.
     */
    public void memoryPressure(final boolean pressure)
    {
        memoryPressure = pressure;
        pauseReading(pressure);
    }

    /**
     * Stop or resume reading on every connection for memory's sake only (upgrades stay refused while
     * {@link #memoryPressure} lasts): a pause that freed nothing ends so that the server keeps serving what it holds.
     * Any thread.
     *
     * @param paused true to stop reading.
     */
    public void pauseReading(final boolean paused)
    {
        readingPaused = paused;
        for (final NettySyncConnection c : live)
        {
            c.execute(() -> c.pauseReading(NettySyncConnection.PAUSE_MEMORY, paused));
        }
    }

    /** @return true while new WebSocket upgrades should be answered 503 (memory pressure). Any thread. */
    public boolean refusingUpgrades()
    {
        return memoryPressure;
    }

    /** @return connections open now. */
    public int liveConnections()
    {
        return live.size();
    }

    /**
     * @return number of WebSocket upgrades completed.
     */
    public long acceptedCount()
    {
        return accepted.get();
    }
}
