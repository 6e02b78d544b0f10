package dev.outpost.server.metrics;

import dev.outpost.server.auth.AuthMetrics;
import dev.outpost.codec.ProtocolErrorCode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The sync meters of one app, every one tagged {@code app=<app id>}: one instance per app and server, from
 * {@link ServerMetrics#app(String)}, shared by the app's sync service, writers and connections (an app opened
 * again after a close gets the same instance, so its counters go on).
 * <p>
 * Every meter is registered up front, so the hot-path methods ({@link #bytesReceived}, {@link #uploadReceived},
 * {@link #transformNanos}, ...) only add to existing adders: no lookup, no tag array, no allocation. Thread-safe.
 * <p>
 * The first protocol error of each code is logged at WARN with its session context ({@link #logPeerError}), once
 * per app and code for the life of the process; later ones at DEBUG, all counted in
 * {@code outpost_protocol_errors_total{app,code,error}}.
 */
public final class AppMetrics
{
    static final int MAX_CODE = 300;
    private static final Logger PEER_LOG = LoggerFactory.getLogger("dev.outpost.server.peer");

    private final ServerMetrics server;
    private final String appId;
    private final AtomicLong connections = new AtomicLong();
    private final AtomicLong sessions = new AtomicLong();
    private final Counter connectionsOpened;
    private final Counter sessionsOpened;
    private final Counter uploads;
    private final Counter uploadChangesets;
    private final Counter downloads;
    private final Counter downloadChangesets;
    private final Counter received;
    private final Counter sent;
    private final Counter slowConsumers;
    private final Counter handoffRetries;
    private final Counter fastPathGroups;
    private final Counter mergedGroups;
    private final Timer transform;
    private final Timer append;
    private final Counter[] errorsByCode = new Counter[MAX_CODE];
    private final Counter unknownCodeErrors;
    private final AtomicIntegerArray loggedCodes = new AtomicIntegerArray(MAX_CODE + 1);
    private final AuthMetrics auth;
    /** One source per open history store of this app: the gauges show their sum. */
    private final CopyOnWriteArrayList<HistoryStats> historyStats = new CopyOnWriteArrayList<>();

    AppMetrics(final ServerMetrics server, final String appId)
    {
        this.server = server;
        this.appId = appId;
        final var registry = server.registry();
        Gauge.builder("outpost.connections", connections, AtomicLong::get).tag("app", appId)
            .description("Open sync WebSocket connections").register(registry);
        Gauge.builder("outpost.sessions", sessions, AtomicLong::get).tag("app", appId)
            .description("Bound sync sessions").register(registry);
        connectionsOpened = counter("outpost.connections.opened", "Sync WebSocket connections accepted");
        sessionsOpened = counter("outpost.sessions.opened", "Sync sessions bound");
        Gauge.builder("outpost.server.files", this, m -> m.history().serverFiles()).tag("app", appId)
            .description("Server files in the history store").register(registry);
        Gauge.builder("outpost.history.entries", this, m -> m.history().entries()).tag("app", appId)
            .description("History entries over all server files").register(registry);
        Gauge.builder("outpost.history.size", this, m -> m.history().bytes()).baseUnit("bytes").tag("app", appId)
            .description("Changeset bytes in the history over all server files").register(registry);
        uploads = counter("outpost.uploads", "UPLOAD messages integrated");
        fastPathGroups = counter("outpost.upload.groups",
            "Upload groups with concurrent history, integrated without a merge or merged", "path", "fast");
        mergedGroups = counter("outpost.upload.groups",
            "Upload groups with concurrent history, integrated without a merge or merged", "path", "merge");
        uploadChangesets = counter("outpost.upload.changesets", "Changesets integrated from uploads");
        downloads = counter("outpost.downloads", "DOWNLOAD messages sent");
        downloadChangesets = counter("outpost.download.changesets", "Changesets sent in downloads");
        received = Counter.builder("outpost.received").baseUnit("bytes").tag("app", appId)
            .description("Sync WebSocket message bytes received").register(registry);
        sent = Counter.builder("outpost.sent").baseUnit("bytes").tag("app", appId)
            .description("Sync WebSocket message bytes sent").register(registry);
        slowConsumers = counter("outpost.slow.consumers.dropped", "Connections dropped by the slow-consumer policy");
        handoffRetries = counter("outpost.writer.handoff.retries",
            "Commands retried because a writer's handoff queue was full (back-pressure)");
        transform = timer("outpost.transform", "Time to transform (merge) one upload");
        append = timer("outpost.append", "Time to append and publish one batch to the history");
        for (final ProtocolErrorCode c : ProtocolErrorCode.values())
        {
            errorsByCode[c.code()] = errorCounter(String.valueOf(c.code()), c.name().toLowerCase(Locale.ROOT));
        }
        unknownCodeErrors = errorCounter("other", "unknown");
        auth = new AuthMetrics(registry, appId);
    }

    private Counter errorCounter(final String code, final String name)
    {
        return Counter.builder("outpost.protocol.errors").tag("app", appId).tag("code", code).tag("error", name)
            .description("Protocol errors sent to peers, by error code").register(server.registry());
    }

    /** @return the app id every meter of this instance is tagged with. */
    public String appId()
    {
        return appId;
    }

    /** @return the server's metrics this app's meters are registered in. */
    public ServerMetrics server()
    {
        return server;
    }

    /** @return the app's auth meters ({@code outpost_auth_*{app}}). */
    public AuthMetrics auth()
    {
        return auth;
    }

    /**
     * Registers (or finds) a counter of this app for another layer to keep and increment on its hot path: look it up
     * once at setup, then {@code counter.increment()} costs one adder update and allocates nothing.
     *
     * @param name        dotted Micrometer name, e.g. {@code outpost.flx.compensating.writes}.
     * @param description help text.
     * @param tags        further tag keys and values, alternating (every counter of one name uses the same keys).
     * @return the counter, tagged {@code app} and {@code tags}.
     */
    public Counter counter(final String name, final String description, final String... tags)
    {
        return Counter.builder(name).description(description).tag("app", appId).tags(tags)
            .register(server.registry());
    }

    /**
     * Registers (or finds) a latency timer of this app with the server's latency buckets (10 us .. 1 s).
     *
     * @param name        dotted Micrometer name.
     * @param description help text.
     * @param tags        further tag keys and values, alternating.
     * @return the timer, tagged {@code app} and {@code tags}.
     */
    public Timer timer(final String name, final String description, final String... tags)
    {
        return server.timer(name, description, withApp(tags));
    }

    private String[] withApp(final String[] tags)
    {
        final String[] all = new String[tags.length + 2];
        all[0] = "app";
        all[1] = appId;
        System.arraycopy(tags, 0, all, 2, tags.length);
        return all;
    }

    /**
     * Add a source the history gauges of this app read from (one per open history store); remove it with
     * {@link #removeHistory} when its store closes.
     *
     * @param stats the source, e.g. {@link HistoryStats#of(dev.outpost.server.store.HistoryStore)}.
     */
    public void history(final HistoryStats stats)
    {
        if (null != stats)
        {
            historyStats.add(stats);
        }
    }

    /** @param stats a source given to {@link #history(HistoryStats)} whose store is closing. */
    public void removeHistory(final HistoryStats stats)
    {
        historyStats.remove(stats);
    }

    /** @return the app's history figures, summed over its open stores. */
    public HistoryStats.Figures history()
    {
        long files = 0;
        long entries = 0;
        long bytes = 0;
        for (final HistoryStats s : historyStats)
        {
            final HistoryStats.Figures f = s.figures();
            files += f.serverFiles();
            entries += f.entries();
            bytes += f.bytes();
        }
        return new HistoryStats.Figures(files, entries, bytes);
    }

    public void connectionOpened()
    {
        connections.incrementAndGet();
        connectionsOpened.increment();
    }

    public void connectionClosed()
    {
        connections.decrementAndGet();
    }

    public long connections()
    {
        return connections.get();
    }

    /** A session was bound (BIND accepted). */
    public void sessionOpened()
    {
        sessions.incrementAndGet();
        sessionsOpened.increment();
    }

    /** A bound session ended (UNBIND, error or connection close). */
    public void sessionClosed()
    {
        sessions.decrementAndGet();
    }

    public long sessions()
    {
        return sessions.get();
    }

    /** @param bytes length of one inbound sync message. */
    public void bytesReceived(final long bytes)
    {
        received.increment(bytes);
    }

    /** @param bytes length of one outbound sync message. */
    public void bytesSent(final long bytes)
    {
        sent.increment(bytes);
    }

    /** @param changesets changesets of one UPLOAD integrated into the history. */
    public void uploadReceived(final int changesets)
    {
        uploads.increment();
        uploadChangesets.increment(changesets);
    }

    /** @param changesets changesets in one DOWNLOAD sent. */
    public void downloadSent(final int changesets)
    {
        downloads.increment();
        downloadChangesets.increment(changesets);
    }

    /** A connection was dropped because it stayed unwritable with downloads pending. */
    public void slowConsumerDropped()
    {
        slowConsumers.increment();
    }

    /** A command found its writer's handoff queue full and will be retried. */
    public void writerHandoffRetried()
    {
        handoffRetries.increment();
    }

    /**
     * @param fast   upload groups integrated without a merge although other clients had appended after their base.
     * @param merged upload groups merged against concurrent history.
     */
    public void uploadGroups(final long fast, final long merged)
    {
        if (fast != 0)
        {
            fastPathGroups.increment(fast);
        }
        if (merged != 0)
        {
            mergedGroups.increment(merged);
        }
    }

    /** @return upload groups integrated without a merge so far (fast path). */
    public double fastPathGroups()
    {
        return fastPathGroups.count();
    }

    /** @param nanos time spent transforming (merging) one upload. */
    public void transformNanos(final long nanos)
    {
        transform.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** @param nanos time spent appending and publishing one batch. */
    public void appendNanos(final long nanos)
    {
        append.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** @param code a protocol error sent to a peer. */
    public void protocolError(final ProtocolErrorCode code)
    {
        final int c = null == code ? -1 : code.code();
        (c >= 0 && c < MAX_CODE && null != errorsByCode[c] ? errorsByCode[c] : unknownCodeErrors).increment();
    }

    /**
     * A protocol error caused by a peer: counted, and logged at WARN the first time this app sees this code (later
     * ones at DEBUG), with the session context and without a stack trace.
     *
     * @param code    the error sent to the peer.
     * @param context the connection or session.
     * @param message what was wrong.
     */
    public void peerError(final ProtocolErrorCode code, final LogContext context, final String message)
    {
        protocolError(code);
        logPeerError(code, context, message);
    }

    /**
     * The logging half of {@link #peerError}, for callers that count the error elsewhere (through
     * {@link #protocolError}): WARN the first time this app sees this code, DEBUG after, never a stack trace. The
     * line carries {@code app}, the context's key-values (connection, remote address, user, session, server file,
     * client file, FLX query version) and {@code error=<code> <NAME>}.
     *
     * @param code    the error sent to the peer.
     * @param context the connection or session, or null.
     * @param message what was wrong (the caller shortens what came from the peer).
     */
    public void logPeerError(final ProtocolErrorCode code, final LogContext context, final String message)
    {
        final int slot = null == code || code.code() >= MAX_CODE ? MAX_CODE : code.code();
        final boolean first = loggedCodes.get(slot) == 0 && loggedCodes.compareAndSet(slot, 0, 1);
        if (first ? PEER_LOG.isWarnEnabled() : PEER_LOG.isDebugEnabled())
        {
            final var builder = first ? PEER_LOG.atWarn() : PEER_LOG.atDebug();
            if (null == context || !appId.equals(context.app()))
            {
                builder.addKeyValue("app", appId);
            }
            if (null != context)
            {
                context.with(builder);
            }
            builder.addKeyValue("error", null == code ? "unknown" : code.code() + " " + code.name())
                .log(first ? message + " (first of its kind for this app; repeats are logged at DEBUG and counted " +
                    "in outpost_protocol_errors_total)" : message);
        }
    }

    /** @return UPLOAD messages integrated so far. */
    public long uploadsTotal()
    {
        return (long)uploads.count();
    }

    /** @return DOWNLOAD messages sent so far. */
    public long downloadsTotal()
    {
        return (long)downloads.count();
    }

    /** @return protocol errors sent so far, over every code. */
    public long protocolErrorsTotal()
    {
        double total = unknownCodeErrors.count();
        for (final Counter c : errorsByCode)
        {
            if (null != c)
            {
                total += c.count();
            }
        }
        return (long)total;
    }

    public double bytesReceivedTotal()
    {
        return received.count();
    }

    public double bytesSentTotal()
    {
        return sent.count();
    }

    /** @return the count of one error code (tests, status). */
    public double protocolErrors(final ProtocolErrorCode code)
    {
        return errorsByCode[code.code()].count();
    }

    public Timer transformTimer()
    {
        return transform;
    }

    public Timer appendTimer()
    {
        return append;
    }
}
