package dev.outpost.server.status;

import dev.outpost.server.metrics.HistoryStats;
import dev.outpost.server.metrics.ServerMetrics;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

/**
 * Lifecycle state (for {@code /ready}), uptime, version and the live figures of the status page. Thread-safe.
 * <p>
 * The server is ready when its state is {@link State#READY} and every readiness check (e.g. "the history store is
 * open") passes; it is {@link State#STARTING} until the port is bound and {@link State#STOPPING} from the moment a
 * shutdown begins.
 */
public final class ServerStatus
{
    /** Lifecycle states. */
    public enum State
    {
        STARTING, READY, STOPPING
    }

    private static final String VERSION = readVersion();
    private static final int RATE_SAMPLES = 6;

    private final ServerMetrics metrics;
    private final long startedNanos = System.nanoTime();
    private final Instant startedAt = Instant.now();
    private final Map<String, BooleanSupplier> checks = new ConcurrentHashMap<>();
    private final Map<String, java.util.function.Supplier<JsonObject>> mirrors = new ConcurrentHashMap<>();
    private volatile State state = State.STARTING;

    // Rate sampling ring, guarded by this (touched once a second and per status request).
    private final long[] sampleNanos = new long[RATE_SAMPLES];
    private final long[] sampleUploads = new long[RATE_SAMPLES];
    private final long[] sampleDownloads = new long[RATE_SAMPLES];
    private int samples;
    private int next;

    /** @param metrics the server's metrics. */
    public ServerStatus(final ServerMetrics metrics)
    {
        this.metrics = metrics;
    }

    /** @return the build's version ({@code dev} when run from classes without a filtered resource). */
    public static String version()
    {
        return VERSION;
    }

    public ServerMetrics metrics()
    {
        return metrics;
    }

    public State state()
    {
        return state;
    }

    /** The port is bound: answer {@code /ready} with 200 (if every check passes). */
    public void markReady()
    {
        if (state == State.STARTING)
        {
            state = State.READY;
        }
    }

    /** A shutdown began: {@code /ready} answers 503 from now on. */
    public void markStopping()
    {
        state = State.STOPPING;
    }

    /**
     * @param name  shown in the {@code /ready} answer when it fails.
     * @param check true while the dependency is usable (e.g. the history store is open); called per request.
     */
    public void readinessCheck(final String name, final BooleanSupplier check)
    {
        checks.put(name, check);
    }

    /**
     * Show an app's PostgreSQL mirror (connection, lag in versions and seconds, per server file) under
     * {@code mirrors} in {@code /status.json} and on the status page.
     *
     * @param appId  the app.
     * @param figures the mirror's current figures; called per request.
     */
    public void mirror(final String appId, final java.util.function.Supplier<JsonObject> figures)
    {
        mirrors.put(appId, figures);
    }

    /**
     * @param appId an app.
     * @return its mirror's current figures, or null when it has no mirror.
     */
    public JsonObject mirrorFigures(final String appId)
    {
        final java.util.function.Supplier<JsonObject> figures = mirrors.get(appId);
        return null == figures ? null : figures.get();
    }

    /** @return the names of the readiness checks, sorted. */
    public java.util.List<String> readinessChecks()
    {
        return checks.keySet().stream().sorted().toList();
    }

    /** @return null if ready, else why not. */
    public String notReadyReason()
    {
        final State s = state;
        if (s != State.READY)
        {
            return s.name().toLowerCase();
        }
        for (final Map.Entry<String, BooleanSupplier> e : checks.entrySet())
        {
            boolean ok;
            try
            {
                ok = e.getValue().getAsBoolean();
            }
            catch (final RuntimeException ex)
            {
                ok = false;
            }
            if (!ok)
            {
                return e.getKey() + " not available";
            }
        }
        return null;
    }

    public double uptimeSeconds()
    {
        return (System.nanoTime() - startedNanos) / 1e9;
    }

    /** Takes one sample of the upload and download counters; call about once a second (a periodic timer). */
    public synchronized void sample()
    {
        sampleAt(System.nanoTime());
    }

    private void sampleAt(final long now)
    {
        sampleNanos[next] = now;
        sampleUploads[next] = metrics.uploadsTotal();
        sampleDownloads[next] = metrics.downloadsTotal();
        next = (next + 1) % RATE_SAMPLES;
        samples = Math.min(samples + 1, RATE_SAMPLES);
    }

    /** @return {uploads/s, downloads/s} over the last few seconds of samples. */
    synchronized double[] rates()
    {
        if (samples == 0)
        {
            return new double[] {0, 0};
        }
        final int oldest = samples < RATE_SAMPLES ? 0 : next;
        final long now = System.nanoTime();
        final double seconds = (now - sampleNanos[oldest]) / 1e9;
        if (seconds < 0.2)
        {
            return new double[] {0, 0};
        }
        return new double[] {
            (metrics.uploadsTotal() - sampleUploads[oldest]) / seconds,
            (metrics.downloadsTotal() - sampleDownloads[oldest]) / seconds};
    }

    /** @return the live figures as served at {@code /status.json}. */
    public JsonObject toJson()
    {
        final HistoryStats.Figures history = metrics.history();
        final double[] rates = rates();
        final String notReady = notReadyReason();
        return new JsonObject()
            .put("version", VERSION)
            .put("state", state.name())
            .put("ready", null == notReady)
            .put("started_at", startedAt.toString())
            .put("uptime_seconds", Math.round(uptimeSeconds() * 10) / 10.0)
            .put("connections", metrics.connections())
            .put("sessions", metrics.sessions())
            .put("server_files", history.serverFiles())
            .put("history_entries", history.entries())
            .put("history_bytes", history.bytes())
            .put("uploads_per_second", Math.round(rates[0] * 100) / 100.0)
            .put("downloads_per_second", Math.round(rates[1] * 100) / 100.0)
            .put("uploads_total", metrics.uploadsTotal())
            .put("downloads_total", metrics.downloadsTotal())
            .put("bytes_received_total", (long)metrics.bytesReceivedTotal())
            .put("bytes_sent_total", (long)metrics.bytesSentTotal())
            .put("protocol_errors_total", metrics.protocolErrorsTotal())
            .put("client_files_expired_total", metrics.clientFilesExpiredTotal())
            .put("mirrors", mirrorsJson());
    }

    private JsonObject mirrorsJson()
    {
        final JsonObject json = new JsonObject();
        mirrors.entrySet().stream().sorted(Map.Entry.comparingByKey())
            .forEach(e -> json.put(e.getKey(), e.getValue().get()));
        return json;
    }

    private static String readVersion()
    {
        try (InputStream in = ServerStatus.class.getResourceAsStream("version.properties"))
        {
            if (null != in)
            {
                final Properties p = new Properties();
                p.load(in);
                final String v = p.getProperty("version");
                if (null != v && !v.isBlank() && !v.startsWith("${"))
                {
                    return v.trim();
                }
            }
        }
        catch (final IOException ignored)
        {
            // fall through
        }
        final String v = ServerStatus.class.getPackage().getImplementationVersion();
        return null == v ? "dev" : v;
    }
}
