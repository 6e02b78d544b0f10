package dev.outpost.server.http;

import dev.outpost.server.config.ServerConfig;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.core.spi.metrics.TCPMetrics;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.lang.management.OperatingSystemMXBean;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a TCP connection may hold on the HTTP port before it becomes a sync WebSocket, and how many connections may
 * be open at once. Install it as the HTTP server's connection handler ({@code server.connectionHandler(guard)}); one
 * instance serves every event loop's server.
 * <p>
 * <b>Timeouts</b> (HTTP/1.x, until the connection is upgraded): a connection waiting for a request (a new one that
 * sends nothing, or a keep-alive one between requests) is closed after {@link ServerConfig#httpIdleTimeout()}; a
 * request head must be complete within {@link ServerConfig#httpHeaderTimeout()} of its first byte (else 408 and
 * close); a request body that receives nothing for {@link ServerConfig#httpBodyTimeout()} gets the connection
 * closed. While a request is being answered nothing is timed, so long requests and long responses are not cut. One
 * timer per connection at most, re-armed only when it fires or a deadline moves earlier; nothing per message but a
 * field update. On the {@code 101} of a WebSocket upgrade the handler leaves the pipeline: a sync WebSocket has its own
 * idle policy ({@link ServerConfig#idleTimeout()}).
 * <p>
 * <b>Connection cap</b>: every connection counts (plain HTTP and sync WebSocket alike) until it closes. Beyond the cap
 * ({@link ServerConfig#maxConnections()}, by default the descriptor limit minus a reserve) a connection is still
 * read, for one request whose head must arrive within {@link #OVERFLOW_HEAD_TIMEOUT_MS}: {@code /health} and
 * {@code /ready} (under any prefix) are answered and the connection closed, anything else (a sync upgrade included)
 * gets {@code 503} with {@code Connection: close}. Beyond the cap plus
 * {@link #OVERFLOW_SLOTS} such connections, new ones are closed at once. The first refusal in a minute logs one WARN.
 * <p>
 * Requires the HTTP/1.x pipeline to be set up when the connection is accepted, so HTTP/2 clear-text detection must be
 * off ({@code runtime.OutpostServer.serverOptions} does that); an HTTP/2 connection (never offered by Outpost) is
 * counted but not timed.
 * <p>
 * <b>Per-address cap</b> ({@link ServerConfig#maxConnectionsPerIp()}, off by default): connections from one remote
 * address beyond it are treated like those beyond the cap, but a request other than a probe gets {@code 429}
 * {@code LimitExceeded} with {@code Connection: close}. One map entry per address with connections open, removed as
 * its last one closes; nothing per request.
 */
public final class HttpConnectionGuard implements Handler<HttpConnection>
{
    /** Name of the per-connection handler in the Netty pipeline. */
    public static final String HANDLER_NAME = "outpostHttpGuard";
    /** Connections beyond the cap that are still read for one request ({@code /health}, or a 503). */
    public static final int OVERFLOW_SLOTS = 32;
    /** How long a connection beyond the cap may take to send its request head (at most the header timeout). */
    public static final long OVERFLOW_HEAD_TIMEOUT_MS = 1000;
    /** Descriptors kept for everything else (stores, logs, jars, event loops) when the cap is derived. */
    public static final int RESERVE_MIN = 256;
    /** The smallest derived cap. */
    public static final int DERIVED_MIN = 16;

    private static final System.Logger LOG = System.getLogger(HttpConnectionGuard.class.getName());
    private static final long WARN_INTERVAL_NS = TimeUnit.MINUTES.toNanos(1);
    private static final String DECODER_NAME = "httpDecoder";
    private static final String VERTX_HANDLER_NAME = "handler";
    private static final byte[] BUSY_BODY =
        "{\"error\":\"too many connections\",\"error_code\":\"ServiceUnavailable\"}".getBytes(StandardCharsets.UTF_8);
    private static final byte[] PER_IP_BODY = ("{\"error\":\"too many connections from this address (setting " +
        ServerConfig.MAX_CONNECTIONS_PER_IP_PROP + ")\",\"error_code\":\"LimitExceeded\"}")
        .getBytes(StandardCharsets.UTF_8);

    private final long idleTimeoutNs;
    private final long headerTimeoutNs;
    private final long bodyTimeoutNs;
    private final long overflowHeadTimeoutNs;
    private final int maxConnections;
    private final int maxPerAddress;
    private final ConcurrentHashMap<InetAddress, AtomicInteger> perAddress = new ConcurrentHashMap<>();
    private final AtomicLong refusedPerAddress = new AtomicLong();
    private final AtomicLong lastPerAddressWarnNs = new AtomicLong(System.nanoTime() - WARN_INTERVAL_NS);
    private final long descriptorLimit;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong timedOut = new AtomicLong();
    private final AtomicLong repairedAtStartup = new AtomicLong();
    private final AtomicLong lastWarnNs = new AtomicLong(System.nanoTime() - WARN_INTERVAL_NS);
    private final ChannelFutureListener onClose = future -> open.decrementAndGet();

    /**
     * @param config concluded configuration (the HTTP timeouts and the connection cap).
     */
    public HttpConnectionGuard(final ServerConfig config)
    {
        this.idleTimeoutNs = config.httpIdleTimeout().toNanos();
        this.headerTimeoutNs = config.httpHeaderTimeout().toNanos();
        this.bodyTimeoutNs = config.httpBodyTimeout().toNanos();
        this.overflowHeadTimeoutNs = Math.min(headerTimeoutNs, TimeUnit.MILLISECONDS.toNanos(OVERFLOW_HEAD_TIMEOUT_MS));
        this.descriptorLimit = descriptorLimit();
        this.maxConnections = maxConnections(config.maxConnections(), descriptorLimit);
        this.maxPerAddress = config.maxConnectionsPerIp();
    }

    /**
     * @return the process's descriptor limit (the soft {@code RLIMIT_NOFILE} in effect), or -1 if the JVM cannot
     * tell.
     */
    public static long descriptorLimit()
    {
        final OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.UnixOperatingSystemMXBean)
        {
            return ((com.sun.management.UnixOperatingSystemMXBean)os).getMaxFileDescriptorCount();
        }
        return -1;
    }

    /**
     * @param configured      the setting ({@link ServerConfig#MAX_CONNECTIONS_AUTO} to derive it).
     * @param descriptorLimit the descriptor limit, or -1 if unknown.
     * @return the configured cap, else the limit minus a reserve of {@code max(256, limit / 10)} (at least 16), or
     * {@link Integer#MAX_VALUE} when the limit is unknown.
     */
    public static int maxConnections(final int configured, final long descriptorLimit)
    {
        if (configured > 0)
        {
            return configured;
        }
        if (descriptorLimit <= 0)
        {
            return Integer.MAX_VALUE - OVERFLOW_SLOTS;
        }
        final long reserve = Math.max(RESERVE_MIN, descriptorLimit / 10);
        return (int)Math.min(Integer.MAX_VALUE - OVERFLOW_SLOTS, Math.max(DERIVED_MIN, descriptorLimit - reserve));
    }

    /**
     * @return the connection cap in effect.
     */
    public int maxConnections()
    {
        return maxConnections;
    }

    /**
     * @return the descriptor limit seen at construction, or -1 if unknown.
     */
    public long descriptors()
    {
        return descriptorLimit;
    }

    /**
     * @return connections open now (HTTP and WebSocket).
     */
    public int openConnections()
    {
        return open.get();
    }

    /**
     * @return connections refused because of the cap (closed at once or answered 503).
     */
    public long refusedConnections()
    {
        return refused.get();
    }

    /**
     * @return connections refused because their address had {@link ServerConfig#maxConnectionsPerIp()} open.
     */
    public long refusedPerAddress()
    {
        return refusedPerAddress.get();
    }

    /**
     * @return connections accepted while the server was starting, before its HTTP metrics existed, that were given
     * their missing socket metric.
     */
    public long repairedAtStartup()
    {
        return repairedAtStartup.get();
    }

    /**
     * @return connections closed by the idle, header or body timeout.
     */
    public long timedOutConnections()
    {
        return timedOut.get();
    }

    /**
     * Count the new connection and guard it; called by Vert.x on the connection's event loop as it is accepted.
     *
     * @param connection the new connection.
     */
    public void handle(final HttpConnection connection)
    {
        if (!(connection instanceof ConnectionBase))
        {
            return;
        }
        final ConnectionBase base = (ConnectionBase)connection;
        final Channel channel = base.channel();
        final int count = open.incrementAndGet();
        channel.closeFuture().addListener(onClose);
        if (null == base.metric() && base.metrics() instanceof TCPMetrics<?> tcp && null != base.remoteAddress())
        {
            // Accepted in the instant between the server's bind and the creation of its metrics (start-up): the
            // connection has no socket metric, and Vert.x's Micrometer metrics fail on its first request and at its
            // close (NullPointerException, no answer, Netty WARN lines with stack traces). Give it the metric Vert.x
            // would have made.
            base.metric(tcp.connected(base.remoteAddress(), base.remoteAddress().hostAddress()));
            repairedAtStartup.incrementAndGet();
        }
        final boolean overAddress = maxPerAddress > 0 && countAddress(channel) > maxPerAddress;
        if (count > maxConnections + OVERFLOW_SLOTS)
        {
            refuse();
            channel.close();
            return;
        }
        final ChannelPipeline pipeline = channel.pipeline();
        if (null == pipeline.get(DECODER_NAME) || null == pipeline.context(VERTX_HANDLER_NAME))
        {
            return;
        }
        pipeline.addBefore(VERTX_HANDLER_NAME, HANDLER_NAME,
            overAddress ? new Guard(true, true) : newConnectionHandler(count > maxConnections));
    }

    /** Count the channel against its remote address until it closes; @return the address's count with it. */
    private int countAddress(final Channel channel)
    {
        if (!(channel.remoteAddress() instanceof InetSocketAddress))
        {
            return 0;
        }
        final InetAddress address = ((InetSocketAddress)channel.remoteAddress()).getAddress();
        final int[] count = new int[1];
        perAddress.compute(address, (k, v) ->
        {
            final AtomicInteger n = null == v ? new AtomicInteger() : v;
            count[0] = n.incrementAndGet();
            return n;
        });
        channel.closeFuture().addListener(future ->
            perAddress.computeIfPresent(address, (k, v) -> 0 == v.decrementAndGet() ? null : v));
        return count[0];
    }

    /**
     * @param overflow whether the connection is beyond the cap.
     * @return the handler of one connection, to sit between the HTTP codec and Vert.x's handler.
     */
    ChannelHandler newConnectionHandler(final boolean overflow)
    {
        return new Guard(overflow, false);
    }

    public String toString()
    {
        return "HttpConnectionGuard{maxConnections=" + maxConnections + ", descriptorLimit=" + descriptorLimit +
            ", idle=" + TimeUnit.NANOSECONDS.toMillis(idleTimeoutNs) + "ms, header=" +
            TimeUnit.NANOSECONDS.toMillis(headerTimeoutNs) + "ms, body=" + TimeUnit.NANOSECONDS.toMillis(bodyTimeoutNs) +
            "ms}";
    }

    private void refuse()
    {
        refused.incrementAndGet();
        final long now = System.nanoTime();
        final long last = lastWarnNs.get();
        if (now - last >= WARN_INTERVAL_NS && lastWarnNs.compareAndSet(last, now))
        {
            LOG.log(System.Logger.Level.WARNING, "connection limit " + maxConnections + " reached (" + open.get() +
                " open, " + refused.get() + " refused so far): new connections get 503, /health still answers");
        }
    }

    private void refusePerAddress(final Channel channel)
    {
        refusedPerAddress.incrementAndGet();
        final long now = System.nanoTime();
        final long last = lastPerAddressWarnNs.get();
        if (now - last >= WARN_INTERVAL_NS && lastPerAddressWarnNs.compareAndSet(last, now))
        {
            LOG.log(System.Logger.Level.WARNING, "connection limit per address " + maxPerAddress + " (" +
                ServerConfig.MAX_CONNECTIONS_PER_IP_PROP + ") reached by " + channel.remoteAddress() + " (" +
                refusedPerAddress.get() + " refused so far): its new connections get 429, /health still answers");
        }
    }

    private static boolean isProbe(final String uri)
    {
        final int query = uri.indexOf('?');
        final String path = query < 0 ? uri : uri.substring(0, query);
        return path.endsWith("/health") || path.endsWith("/ready");
    }

    /** The state of one connection; owned by its event loop. */
    private final class Guard extends ChannelDuplexHandler
    {
        private static final long NONE = Long.MAX_VALUE;

        private final boolean overflow;
        private final boolean overAddress;
        private final long headTimeoutNs;
        private final Runnable onTimer = this::onTimer;
        private ChannelHandlerContext ctx;
        private ScheduledFuture<?> timer;
        private long timerAtNs;
        /** Since when the connection waits for a request. */
        private long idleSinceNs;
        /** When the first byte of a request head arrived; 0 while none is known. */
        private long headStartNs;
        /** When the current request body last received something. */
        private long bodyActivityNs;
        /** Responses owed. */
        private int pending;
        private boolean inRequest;
        private boolean decodedThisRead;
        private boolean rejecting;
        private boolean closeAfterResponse;
        private boolean finished;

        Guard(final boolean overflow, final boolean overAddress)
        {
            this.overflow = overflow;
            this.overAddress = overAddress;
            this.headTimeoutNs = overflow ? overflowHeadTimeoutNs : headerTimeoutNs;
        }

        public void handlerAdded(final ChannelHandlerContext ctx)
        {
            this.ctx = ctx;
            final long now = System.nanoTime();
            idleSinceNs = now;
            if (overflow)
            {
                // Beyond the cap: no idle grace, the one request's head must come at once (a health probe does).
                headStartNs = now;
            }
            arm();
        }

        public void handlerRemoved(final ChannelHandlerContext ctx)
        {
            finish();
        }

        public void channelInactive(final ChannelHandlerContext ctx)
        {
            finish();
            ctx.fireChannelInactive();
        }

        public void channelRead(final ChannelHandlerContext ctx, final Object msg)
        {
            decodedThisRead = true;
            if (msg instanceof HttpRequest)
            {
                headStartNs = 0;
                inRequest = true;
                pending++;
                bodyActivityNs = System.nanoTime();
                if (overflow)
                {
                    if (!isProbe(((HttpRequest)msg).uri()))
                    {
                        rejecting = true;
                        ReferenceCountUtil.release(msg);
                        if (overAddress)
                        {
                            refusePerAddress(ctx.channel());
                            answerAndClose(HttpResponseStatus.TOO_MANY_REQUESTS, PER_IP_BODY);
                        }
                        else
                        {
                            refuse();
                            answerAndClose(HttpResponseStatus.SERVICE_UNAVAILABLE, BUSY_BODY);
                        }
                        return;
                    }
                    closeAfterResponse = true;
                }
            }
            else if (msg instanceof HttpContent)
            {
                bodyActivityNs = System.nanoTime();
            }
            if (rejecting)
            {
                ReferenceCountUtil.release(msg);
                return;
            }
            if (msg instanceof LastHttpContent)
            {
                inRequest = false;
            }
            ctx.fireChannelRead(msg);
        }

        public void channelReadComplete(final ChannelHandlerContext ctx)
        {
            // Bytes arrived but decoded into nothing: a request head has started.
            if (!decodedThisRead && !inRequest && 0 == headStartNs)
            {
                headStartNs = System.nanoTime();
            }
            decodedThisRead = false;
            // The deadline may have moved earlier (a head started, or a body began): no timer work unless it did.
            arm();
            ctx.fireChannelReadComplete();
        }

        public void write(final ChannelHandlerContext ctx, final Object msg, final ChannelPromise promise)
        {
            if (msg instanceof HttpResponse)
            {
                final int code = ((HttpResponse)msg).status().code();
                if (HttpResponseStatus.SWITCHING_PROTOCOLS.code() == code)
                {
                    // A WebSocket from now on: its own idle policy applies; leave the pipeline.
                    finish();
                    ctx.write(msg, promise);
                    ctx.pipeline().remove(this);
                    return;
                }
                if (code < 200)
                {
                    ctx.write(msg, promise);
                    return;
                }
            }
            if (msg instanceof LastHttpContent)
            {
                pending = Math.max(0, pending - 1);
                if (0 == pending && !inRequest)
                {
                    idleSinceNs = System.nanoTime();
                }
                arm();
                if (closeAfterResponse && 0 == pending)
                {
                    final ChannelPromise closing = promise.unvoid();
                    closing.addListener(ChannelFutureListener.CLOSE);
                    ctx.write(msg, closing);
                    return;
                }
            }
            ctx.write(msg, promise);
        }

        private long deadline()
        {
            if (inRequest)
            {
                return bodyActivityNs + bodyTimeoutNs;
            }
            if (pending > 0)
            {
                return NONE;
            }
            if (0 != headStartNs)
            {
                return headStartNs + headTimeoutNs;
            }
            return idleSinceNs + idleTimeoutNs;
        }

        private void arm()
        {
            if (finished)
            {
                return;
            }
            final long deadline = deadline();
            if (NONE == deadline)
            {
                return;
            }
            if (null != timer)
            {
                if (timerAtNs - deadline <= 0)
                {
                    return;
                }
                timer.cancel(false);
            }
            schedule(deadline);
        }

        private void schedule(final long deadline)
        {
            timerAtNs = deadline;
            timer = ctx.executor().schedule(onTimer, Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        }

        private void onTimer()
        {
            timer = null;
            if (finished)
            {
                return;
            }
            final long deadline = deadline();
            if (NONE == deadline)
            {
                return;
            }
            if (System.nanoTime() - deadline < 0)
            {
                schedule(deadline);
                return;
            }
            timedOut.incrementAndGet();
            finish();
            if (!inRequest && 0 != headStartNs)
            {
                LOG.log(System.Logger.Level.DEBUG, () -> ctx.channel().remoteAddress() + ": request head timeout");
                answerAndClose(HttpResponseStatus.REQUEST_TIMEOUT, new byte[0]);
            }
            else
            {
                LOG.log(System.Logger.Level.DEBUG, () -> ctx.channel().remoteAddress() + ": " +
                    (inRequest ? "request body" : "idle") + " timeout");
                ctx.close();
            }
        }

        private void answerAndClose(final HttpResponseStatus status, final byte[] body)
        {
            final FullHttpResponse response = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
            response.headers()
                .set(HttpHeaderNames.CONTENT_LENGTH, body.length)
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            if (body.length > 0)
            {
                response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
            }
            if (HttpResponseStatus.SERVICE_UNAVAILABLE == status || HttpResponseStatus.TOO_MANY_REQUESTS == status)
            {
                response.headers().set(HttpHeaderNames.RETRY_AFTER, 1);
            }
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }

        private void finish()
        {
            finished = true;
            if (null != timer)
            {
                timer.cancel(false);
                timer = null;
            }
        }
    }
}
