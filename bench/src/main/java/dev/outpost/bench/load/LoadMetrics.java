package dev.outpost.bench.load;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import dev.outpost.bench.client.ClientMetrics;
import io.vertx.core.json.JsonObject;

/**
 * The load generator's measurements: HdrHistogram recorders (microseconds) for upload-to-ack and upload-to-fan-out
 * latency and ping RTT, and counters. Thread-safe (every event loop records).
 */
public final class LoadMetrics implements ClientMetrics
{
    private static final long MAX_MICROS = 600_000_000L;

    final Recorder ack = new Recorder(MAX_MICROS, 3);
    final Recorder fanout = new Recorder(MAX_MICROS, 3);
    final Recorder ping = new Recorder(MAX_MICROS, 3);
    final LongAdder commits = new LongAdder();
    final LongAdder acked = new LongAdder();
    final LongAdder fannedOut = new LongAdder();
    final LongAdder integrated = new LongAdder();
    final LongAdder downloads = new LongAdder();
    final LongAdder downloadsReceived = new LongAdder();
    final LongAdder downloadsCompressed = new LongAdder();
    final LongAdder downloadBodyBytes = new LongAdder();
    final LongAdder compressedBodyBytes = new LongAdder();
    final LongAdder sent = new LongAdder();
    final LongAdder received = new LongAdder();
    final LongAdder framesSent = new LongAdder();
    final LongAdder framesReceived = new LongAdder();
    final LongAdder errors = new LongAdder();
    final LongAdder reconnects = new LongAdder();
    final ConcurrentHashMap<String, LongAdder> errorKinds = new ConcurrentHashMap<>();

    public void uploadAcked(final long nanos)
    {
        acked.increment();
        ack.recordValue(Math.min(MAX_MICROS, Math.max(1, nanos / 1000)));
    }

    public void fannedOut(final long nanos)
    {
        fannedOut.increment();
        fanout.recordValue(Math.min(MAX_MICROS, Math.max(1, nanos / 1000)));
    }

    public void downloadReceived(final boolean compressed, final int bodyBytes)
    {
        downloadsReceived.increment();
        downloadBodyBytes.add(bodyBytes);
        if (compressed)
        {
            downloadsCompressed.increment();
            compressedBodyBytes.add(bodyBytes);
        }
    }

    public void integrated(final int changesets)
    {
        downloads.increment();
        integrated.add(changesets);
    }

    public void bytesSent(final int bytes)
    {
        sent.add(bytes);
        framesSent.increment();
    }

    public void bytesReceived(final int bytes)
    {
        received.add(bytes);
        framesReceived.increment();
    }

    public void error(final String what)
    {
        errors.increment();
        if (errorKinds.size() < 50 || errorKinds.containsKey(what))
        {
            errorKinds.computeIfAbsent(what.length() > 200 ? what.substring(0, 200) : what, k -> new LongAdder())
                .increment();
        }
    }

    public void reconnected()
    {
        reconnects.increment();
    }

    public void pingRtt(final long nanos)
    {
        ping.recordValue(Math.min(MAX_MICROS, Math.max(1, nanos / 1000)));
    }

    void commit()
    {
        commits.increment();
    }

    /** @return a histogram as JSON: count, p50, p99, p99.9, max, mean in microseconds. */
    static JsonObject json(final Histogram h)
    {
        return new JsonObject().put("count", h.getTotalCount()).put("p50_us", h.getValueAtPercentile(50))
            .put("p99_us", h.getValueAtPercentile(99)).put("p999_us", h.getValueAtPercentile(99.9))
            .put("max_us", h.getMaxValue()).put("mean_us", Math.round(h.getMean()));
    }

    JsonObject errorsJson()
    {
        final JsonObject o = new JsonObject();
        errorKinds.forEach((k, v) -> o.put(k, v.sum()));
        return o;
    }
}
