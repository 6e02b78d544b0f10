package dev.outpost.server.metrics;

import dev.outpost.server.auth.AuthMetrics;
import dev.outpost.codec.ProtocolErrorCode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The server's metrics, one instance per server, exported in the Prometheus text format at {@code /metrics}.
 * <p>
 * Sync and auth meters belong to an app: {@link #app(String)} gives the app's {@link AppMetrics}, whose meters all
 * carry the tag {@code app}; the totals here ({@link #sessions()}, {@link #uploadsTotal()}, ...) sum over the apps
 * (status page). What cannot be told apart by app (event-loop tasks, the shared download pool, the JVM) is
 * registered here without the tag. All methods are thread-safe.
 * <pre>
 * outpost_connections{app}                 gauge    open sync WebSockets
 * outpost_sessions{app}                    gauge    bound sync sessions
 * outpost_connections_opened_total{app}    counter
 * outpost_sessions_opened_total{app}       counter
 * outpost_server_files{app}                gauge    server files in the history store
 * outpost_history_entries{app}             gauge    history entries (sum of heads)
 * outpost_history_size_bytes{app}          gauge    changeset bytes in the history
 * outpost_uploads_total{app}               counter  UPLOAD messages integrated
 * outpost_upload_changesets_total{app}     counter  changesets integrated from uploads
 * outpost_downloads_total{app}             counter  DOWNLOAD messages sent
 * outpost_download_changesets_total{app}   counter  changesets sent in downloads
 * outpost_received_bytes_total{app}        counter  sync WebSocket message bytes in
 * outpost_sent_bytes_total{app}            counter  sync WebSocket message bytes out
 * outpost_slow_consumers_dropped_total{app} counter connections dropped by the slow-consumer policy
 * outpost_writer_handoff_retries_total{app} counter commands retried because a writer's handoff queue was full
 * outpost_store_writes_refused_total     counter  writer commands refused for want of disk space (ShardWriter)
 * outpost_transform_seconds{app}           histogram time to merge (transform) one upload
 * outpost_upload_groups_total{app,path}    counter  upload groups (changesets sharing a base) with concurrent
 *                                                    history of other clients: path="fast" integrated without a
 *                                                    merge (they met none of it), path="merge" merged
 * outpost_append_seconds{app}              histogram time to append and publish one batch to the history
 * outpost_protocol_errors_total{app,code,error} counter errors sent to peers, by protocol error code
 * outpost_auth_*{app,...}                  see {@link AuthMetrics}
 * outpost_eventloop_task_seconds{kind}     histogram time of one event-loop task of the sync layer, by kind (no app)
 * outpost_download_build_seconds           histogram time to build (read, filter, compress) one DOWNLOAD off the loop
 *                                                    (the pool is shared by the apps: no app)
 * vertx_http_server_*, jvm_*, process_*    Vert.x HTTP server, JVM and process meters (no app)
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

    private final PrometheusMeterRegistry registry;
    private final ConcurrentHashMap<String, AppMetrics> apps = new ConcurrentHashMap<>();

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
    }

    /**
     * The meters of one app, registered on first use (every meter at once); the same instance for the life of this
     * object, so an app closed and opened again counts on.
     *
     * @param appId the app id, the value of every meter's {@code app} tag.
     * @return the app's meters.
     */
    public AppMetrics app(final String appId)
    {
        final AppMetrics m = apps.get(appId);
        return null != m ? m : apps.computeIfAbsent(appId, id -> new AppMetrics(this, id));
    }

    /** @return the apps with meters so far. */
    public Collection<AppMetrics> apps()
    {
        return apps.values();
    }

    /**
     * Registers (or finds) a process-wide counter (no {@code app} tag; per-app ones come from
     * {@link AppMetrics#counter}): look it up once at setup, then {@code counter.increment()} costs one adder update.
     *
     * @param name        dotted Micrometer name, e.g. {@code outpost.rules.reloads} (exported as
     *                    {@code outpost_rules_reloads_total}).
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

    /** @return the current history figures, summed over every app's open stores. */
    public HistoryStats.Figures history()
    {
        long files = 0;
        long entries = 0;
        long bytes = 0;
        for (final AppMetrics a : apps.values())
        {
            final HistoryStats.Figures f = a.history();
            files += f.serverFiles();
            entries += f.entries();
            bytes += f.bytes();
        }
        return new HistoryStats.Figures(files, entries, bytes);
    }

    /** @return open sync connections over every app. */
    public long connections()
    {
        long n = 0;
        for (final AppMetrics a : apps.values())
        {
            n += a.connections();
        }
        return n;
    }

    /** @return bound sessions over every app. */
    public long sessions()
    {
        long n = 0;
        for (final AppMetrics a : apps.values())
        {
            n += a.sessions();
        }
        return n;
    }

    /** @return UPLOAD messages integrated so far over every app (read from {@code outpost_uploads_total}). */
    public long uploadsTotal()
    {
        long n = 0;
        for (final AppMetrics a : apps.values())
        {
            n += a.uploadsTotal();
        }
        return n;
    }

    /** @return DOWNLOAD messages sent so far over every app (read from {@code outpost_downloads_total}). */
    public long downloadsTotal()
    {
        long n = 0;
        for (final AppMetrics a : apps.values())
        {
            n += a.downloadsTotal();
        }
        return n;
    }

    /**
     * @return IDENTs refused because the client file was offline longer than its app's {@code client-max-offline}
     * ({@code outpost_protocol_errors_total{code="222"}}, over every app).
     */
    public long clientFilesExpiredTotal()
    {
        return (long)protocolErrors(ProtocolErrorCode.CLIENT_FILE_EXPIRED);
    }

    /** @return protocol errors sent so far: the sum of {@code outpost_protocol_errors_total} over apps and codes. */
    public long protocolErrorsTotal()
    {
        long n = 0;
        for (final AppMetrics a : apps.values())
        {
            n += a.protocolErrorsTotal();
        }
        return n;
    }

    /** @return the count of one error code over every app (tests, status). */
    public double protocolErrors(final ProtocolErrorCode code)
    {
        double n = 0;
        for (final AppMetrics a : apps.values())
        {
            n += a.protocolErrors(code);
        }
        return n;
    }

    public double bytesReceivedTotal()
    {
        double n = 0;
        for (final AppMetrics a : apps.values())
        {
            n += a.bytesReceivedTotal();
        }
        return n;
    }

    public double bytesSentTotal()
    {
        double n = 0;
        for (final AppMetrics a : apps.values())
        {
            n += a.bytesSentTotal();
        }
        return n;
    }
}
