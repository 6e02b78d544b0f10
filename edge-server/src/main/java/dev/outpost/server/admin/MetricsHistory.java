package dev.outpost.server.admin;

import dev.outpost.server.metrics.AppMetrics;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The last hour of one app's figures for the web console's charts: a bounded ring of samples taken every
 * {@link #INTERVAL_MS} ms from counters the server keeps anyway (no work on the data path). Sessions, connections,
 * changesets and bytes are the server's (the metrics are not split per app); errors are the app's own; the mirror lag
 * is the app's mirror's, when it has one. Thread-safe: sampled by a timer, read by the admin routes.
 */
public final class MetricsHistory
{
    /** Milliseconds between samples. */
    public static final long INTERVAL_MS = 5_000;
    /** Samples kept: one hour. */
    public static final int CAPACITY = (int)(3_600_000 / INTERVAL_MS);

    private final AppMetrics metrics;
    private final LongSupplier errors;
    private final Supplier<JsonObject> mirror;
    private final long[] at = new long[CAPACITY];
    private final long[] sessions = new long[CAPACITY];
    private final long[] connections = new long[CAPACITY];
    private final double[] changesetsIn = new double[CAPACITY];
    private final double[] changesetsOut = new double[CAPACITY];
    private final double[] bytesIn = new double[CAPACITY];
    private final double[] bytesOut = new double[CAPACITY];
    private final long[] errorCount = new long[CAPACITY];
    private final double[] mirrorLag = new double[CAPACITY];
    private int next;
    private int size;
    private long lastNanos;
    private long lastUploads;
    private long lastDownloads;
    private double lastBytesIn;
    private double lastBytesOut;
    private long lastErrors;

    /**
     * @param metrics the server's metrics.
     * @param errors  the app's total of errors sent.
     * @param mirror  the app's mirror figures ({@code lag_seconds}; null from it when the app has no mirror), or null.
     */
    public MetricsHistory(final AppMetrics metrics, final LongSupplier errors, final Supplier<JsonObject> mirror)
    {
        this.metrics = metrics;
        this.errors = errors;
        this.mirror = mirror;
        lastNanos = System.nanoTime();
        lastUploads = metrics.uploadsTotal();
        lastDownloads = metrics.downloadsTotal();
        lastBytesIn = metrics.bytesReceivedTotal();
        lastBytesOut = metrics.bytesSentTotal();
        lastErrors = errors.getAsLong();
    }

    /** Takes one sample (rates over the time since the previous one). */
    public synchronized void sample()
    {
        final long now = System.nanoTime();
        final double seconds = Math.max(1e-3, (now - lastNanos) / 1e9);
        final long uploads = metrics.uploadsTotal();
        final long downloads = metrics.downloadsTotal();
        final double in = metrics.bytesReceivedTotal();
        final double out = metrics.bytesSentTotal();
        final long errorsNow = errors.getAsLong();
        at[next] = System.currentTimeMillis();
        sessions[next] = metrics.sessions();
        connections[next] = metrics.connections();
        changesetsIn[next] = (uploads - lastUploads) / seconds;
        changesetsOut[next] = (downloads - lastDownloads) / seconds;
        bytesIn[next] = (in - lastBytesIn) / seconds;
        bytesOut[next] = (out - lastBytesOut) / seconds;
        errorCount[next] = Math.max(0, errorsNow - lastErrors);
        mirrorLag[next] = mirrorLag();
        lastNanos = now;
        lastUploads = uploads;
        lastDownloads = downloads;
        lastBytesIn = in;
        lastBytesOut = out;
        lastErrors = errorsNow;
        next = (next + 1) % CAPACITY;
        size = Math.min(size + 1, CAPACITY);
    }

    private double mirrorLag()
    {
        if (null == mirror)
        {
            return Double.NaN;
        }
        try
        {
            final JsonObject figures = mirror.get();
            final Object lag = null == figures ? null : figures.getValue("lag_seconds");
            return lag instanceof Number n ? n.doubleValue() : Double.NaN;
        }
        catch (final RuntimeException ex)
        {
            return Double.NaN;
        }
    }

    /** @return the number of samples held. */
    public synchronized int size()
    {
        return size;
    }

    /**
     * @return {@code {"interval_ms","scope","samples":[{"t","sessions","connections","changesets_in",
     *     "changesets_out","bytes_in","bytes_out","errors","mirror_lag_seconds"?}]}}, oldest first.
     */
    public synchronized JsonObject toJson()
    {
        final JsonArray samples = new JsonArray();
        final int first = size < CAPACITY ? 0 : next;
        boolean hasMirror = false;
        for (int n = 0; n < size; n++)
        {
            final int i = (first + n) % CAPACITY;
            final JsonObject s = new JsonObject().put("t", at[i]).put("sessions", sessions[i])
                .put("connections", connections[i]).put("changesets_in", round(changesetsIn[i]))
                .put("changesets_out", round(changesetsOut[i])).put("bytes_in", round(bytesIn[i]))
                .put("bytes_out", round(bytesOut[i])).put("errors", errorCount[i]);
            if (!Double.isNaN(mirrorLag[i]))
            {
                s.put("mirror_lag_seconds", mirrorLag[i]);
                hasMirror = true;
            }
            samples.add(s);
        }
        return new JsonObject().put("interval_ms", INTERVAL_MS).put("scope", "app")
            .put("mirror", hasMirror).put("samples", samples);
    }

    private static double round(final double v)
    {
        return Math.round(v * 100) / 100.0;
    }
}
