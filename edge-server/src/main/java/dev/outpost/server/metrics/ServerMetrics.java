package dev.outpost.server.metrics;

import dev.outpost.codec.ProtocolErrorCode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The server's metrics, one instance per server, exported in the Prometheus text format at {@code /metrics}.
 * <p>
 * Every meter is registered up front, so the hot-path methods ({@link #bytesReceived}, {@link #uploadReceived},
 * {@link #transformNanos}, ...) only add to existing adders: no lookup, no tag array, no allocation. All methods
 * are thread-safe and may be called from event loops and writer threads alike.
 * <pre>
 * outpost_connections                      gauge    open sync WebSockets
 * outpost_sessions                         gauge    bound sync sessions
 * outpost_connections_opened_total         counter
 * outpost_sessions_opened_total            counter
 * outpost_server_files                     gauge    server files in the history store
 * outpost_history_entries                  gauge    history entries (sum of heads)
 * outpost_history_size_bytes               gauge    changeset bytes in the history
 * outpost_uploads_total                    counter  UPLOAD messages integrated
 * outpost_upload_changesets_total          counter  changesets integrated from uploads
 * outpost_downloads_total                  counter  DOWNLOAD messages sent
 * outpost_download_changesets_total        counter  changesets sent in downloads
 * outpost_received_bytes_total             counter  sync WebSocket message bytes in
 * outpost_sent_bytes_total                 counter  sync WebSocket message bytes out
 * outpost_slow_consumers_dropped_total    counter  connections dropped by the slow-consumer policy
 * outpost_writer_handoff_retries_total    counter  commands retried because a writer's handoff queue was full
 * outpost_transform_seconds                histogram time to merge (transform) one upload
 * outpost_upload_groups_total{path}        counter  upload groups (changesets sharing a base) with concurrent
 *                                                    history of other clients: path="fast" integrated without a
 *                                                    merge (they met none of it), path="merge" merged
 * outpost_append_seconds                   histogram time to append and publish one batch to the history
 * outpost_eventloop_task_seconds{kind}    histogram time of one event-loop task of the sync layer, by kind
 * outpost_download_build_seconds           histogram time to build (read, filter, compress) one DOWNLOAD off the loop
 * outpost_protocol_errors_total{code,error} counter  errors sent to peers, by protocol error code
 * vertx_http_server_*, jvm_*, process_*    Vert.x HTTP server, JVM and process meters
 * </pre>
 */
public final class ServerMetrics
{
    /** Histogram buckets of the latency timers: 10 us .. 1 s. */
    private static final Duration[] LATENCY_BUCKETS = {
        Duration.ofNanos(10_000), Duration.ofNanos(50_000), Duration.ofNanos(100_000), Duration.ofNanos(250_000),
        Duration.ofNanos(500_000), Duration.ofMillis(1), Duration.ofNanos(2_500_000), Duration.ofMillis(5),
        Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100),
        Duration.ofMillis(250), Duration.ofSeconds(1)};

    private static final int MAX_CODE = 300;
    private static final Logger PEER_LOG = LoggerFactory.getLogger("dev.outpost.server.peer");

    private final PrometheusMeterRegistry registry;
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
    /** One source per open history store (one per app): the gauges show their sum. */
    private final java.util.concurrent.CopyOnWriteArrayList<HistoryStats> historyStats =
        new java.util.concurrent.CopyOnWriteArrayList<>();

    /** A registry of its own with the JVM and process meters bound. */
    public ServerMetrics()
    {
        this(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    /** @param registry the registry to register the server's meters in (nothing else is bound). */
    public ServerMetrics(final PrometheusMeterRegistry registry)
    {
        this.registry = registry;
        Gauge.builder("outpost.connections", connections, AtomicLong::get)
            .description("Open sync WebSocket connections").register(registry);
        Gauge.builder("outpost.sessions", sessions, AtomicLong::get)
            .description("Bound sync sessions").register(registry);
        connectionsOpened = Counter.builder("outpost.connections.opened")
            .description("Sync WebSocket connections accepted").register(registry);
        sessionsOpened = Counter.builder("outpost.sessions.opened")
            .description("Sync sessions bound").register(registry);
        Gauge.builder("outpost.server.files", this, m -> m.history().serverFiles())
            .description("Server files in the history store").register(registry);
        Gauge.builder("outpost.history.entries", this, m -> m.history().entries())
            .description("History entries over all server files").register(registry);
        Gauge.builder("outpost.history.size", this, m -> m.history().bytes()).baseUnit("bytes")
            .description("Changeset bytes in the history over all server files").register(registry);
        uploads = Counter.builder("outpost.uploads").description("UPLOAD messages integrated").register(registry);
        fastPathGroups = Counter.builder("outpost.upload.groups").tag("path", "fast")
            .description("Upload groups with concurrent history, integrated without a merge or merged")
            .register(registry);
        mergedGroups = Counter.builder("outpost.upload.groups").tag("path", "merge")
            .description("Upload groups with concurrent history, integrated without a merge or merged")
            .register(registry);
        uploadChangesets = Counter.builder("outpost.upload.changesets")
            .description("Changesets integrated from uploads").register(registry);
        downloads = Counter.builder("outpost.downloads").description("DOWNLOAD messages sent").register(registry);
        downloadChangesets = Counter.builder("outpost.download.changesets")
            .description("Changesets sent in downloads").register(registry);
        received = Counter.builder("outpost.received").baseUnit("bytes")
            .description("Sync WebSocket message bytes received").register(registry);
        sent = Counter.builder("outpost.sent").baseUnit("bytes")
            .description("Sync WebSocket message bytes sent").register(registry);
        slowConsumers = Counter.builder("outpost.slow.consumers.dropped")
            .description("Connections dropped by the slow-consumer policy").register(registry);
        handoffRetries = Counter.builder("outpost.writer.handoff.retries")
            .description("Commands retried because a writer's handoff queue was full (back-pressure)")
            .register(registry);
        transform = Timer.builder("outpost.transform").description("Time to transform (merge) one upload")
            .serviceLevelObjectives(LATENCY_BUCKETS).register(registry);
        append = Timer.builder("outpost.append")
            .description("Time to append and publish one batch to the history")
            .serviceLevelObjectives(LATENCY_BUCKETS).register(registry);
        for (final ProtocolErrorCode c : ProtocolErrorCode.values())
        {
            errorsByCode[c.code()] = errorCounter(String.valueOf(c.code()), c.name().toLowerCase(Locale.ROOT));
        }
        unknownCodeErrors = errorCounter("other", "unknown");
    }

    private Counter errorCounter(final String code, final String name)
    {
        return Counter.builder("outpost.protocol.errors").tag("code", code).tag("error", name)
            .description("Protocol errors sent to peers, by error code").register(registry);
    }

    /**
     * Registers (or finds) a counter for another layer to keep and increment on its hot path: look it up once at
     * setup, then {@code counter.increment()} costs one adder update and allocates nothing.
     *
     * @param name        dotted Micrometer name, e.g. {@code outpost.flx.queries} (exported as
     *                    {@code outpost_flx_queries_total}).
     * @param description help text.
     * @return the counter.
     */
    public Counter counter(final String name, final String description)
    {
        return Counter.builder(name).description(description).register(registry);
    }

    /**
     * {@link #counter(String, String)} with one tag, e.g. {@code outpost.rules.reloads} with {@code result}.
     *
     * @param name        dotted Micrometer name.
     * @param description help text.
     * @param tag         the tag's key.
     * @param value       the tag's value.
     * @return the counter.
     */
    public Counter counter(final String name, final String description, final String tag, final String value)
    {
        return Counter.builder(name).description(description).tag(tag, value).register(registry);
    }

    /**
     * Registers (or finds) a latency timer with the same buckets as the built-in ones (10 us .. 1 s); keep it and
     * call {@code timer.record(nanos, TimeUnit.NANOSECONDS)}.
     *
     * @param name        dotted Micrometer name, e.g. {@code outpost.bootstrap} (exported as
     *                    {@code outpost_bootstrap_seconds}).
     * @param description help text.
     * @return the timer.
     */
    public Timer timer(final String name, final String description)
    {
        return Timer.builder(name).description(description).serviceLevelObjectives(LATENCY_BUCKETS).register(registry);
    }

    /**
     * {@link #timer(String, String)} with tags (key, value pairs); every timer of one name must use the same tag keys.
     *
     * @param name        dotted Micrometer name.
     * @param description help text.
     * @param tags        tag keys and values, alternating.
     * @return the timer.
     */
    public Timer timer(final String name, final String description, final String... tags)
    {
        return Timer.builder(name).description(description).tags(tags).serviceLevelObjectives(LATENCY_BUCKETS)
            .register(registry);
    }

    /** @return the registry (for Vert.x's own meters and the scrape endpoint). */
    public PrometheusMeterRegistry registry()
    {
        return registry;
    }

    /** @return every meter in the Prometheus text format. */
    public String scrape()
    {
        return registry.scrape();
    }

    /**
     * Add a source the history gauges read from (one per open history store, e.g. one per app); the gauges and the
     * status page show the sum over all sources. Remove it with {@link #removeHistory} when its store closes.
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

    /** @return the current history figures, summed over every open store. */
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
     * A protocol error caused by a peer: counted, and logged at WARN the first time this code is seen (later ones
     * at DEBUG), with the session context and without a stack trace. The peer gets the error message; the log
     * never gets the peer's bytes.
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
     * {@link #protocolError}): WARN the first time this code is seen, DEBUG after, never a stack trace.
     */
    public void logPeerError(final ProtocolErrorCode code, final LogContext context, final String message)
    {
        final int slot = null == code || code.code() >= MAX_CODE ? MAX_CODE : code.code();
        final boolean first = loggedCodes.get(slot) == 0 && loggedCodes.compareAndSet(slot, 0, 1);
        if (first ? PEER_LOG.isWarnEnabled() : PEER_LOG.isDebugEnabled())
        {
            final var builder = first ? PEER_LOG.atWarn() : PEER_LOG.atDebug();
            if (null != context)
            {
                context.with(builder);
            }
            builder.addKeyValue("error", null == code ? "unknown" : code.code() + " " + code.name())
                .log(first ? message + " (first of its kind; repeats are logged at DEBUG and counted in " +
                    "outpost_protocol_errors_total)" : message);
        }
    }

    /** @return UPLOAD messages integrated so far (read from {@code outpost_uploads_total}, the one count kept). */
    public long uploadsTotal()
    {
        return (long)uploads.count();
    }

    /** @return DOWNLOAD messages sent so far (read from {@code outpost_downloads_total}). */
    public long downloadsTotal()
    {
        return (long)downloads.count();
    }

    /**
     * @return IDENTs refused because the client file was offline longer than its app's {@code client-max-offline}
     * ({@code outpost_protocol_errors_total{code="222"}}).
     */
    public long clientFilesExpiredTotal()
    {
        return (long)errorsByCode[ProtocolErrorCode.CLIENT_FILE_EXPIRED.code()].count();
    }

    /** @return protocol errors sent so far: the sum of {@code outpost_protocol_errors_total} over its codes. */
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
