package dev.outpost.bench.load;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The server's stop-the-world pauses, read from its unified GC log ({@code -Xlog:gc,gc+phases:file=...}): every
 * line naming a {@code Pause} with its duration, whatever the collector (G1 {@code Pause Young}/{@code Remark}/
 * {@code Cleanup}/{@code Full}, Serial and Parallel {@code Pause Young}/{@code Full}, Shenandoah {@code Pause Init
 * Mark}/{@code Final Mark}..., ZGC {@code Pause Mark Start}/{@code Mark End}/{@code Relocate Start}). The load
 * generator notes the log's length when the measured window opens and reads the pauses logged after it when it
 * closes. Durations in the log have microsecond resolution (GarbageCollectorMXBean's only milliseconds).
 */
final class GcLog
{
    /** The JVM option that makes a server write the log this class reads. */
    static String option(final Path file)
    {
        return "-Xlog:gc,gc+phases:file=" + file + ":uptime,tags";
    }

    private static final Pattern PAUSE = Pattern.compile("\\sPause .*?([0-9]+(?:\\.[0-9]+)?)ms\\s*$");
    private static final Pattern USING = Pattern.compile("\\bUsing ([A-Za-z0-9 ]+)$");

    private final Path file;

    GcLog(final Path file)
    {
        this.file = file;
    }

    /** @return the log's current length (0 if it does not exist yet): the start of a window. */
    long mark()
    {
        try
        {
            return Files.exists(file) ? Files.size(file) : 0;
        }
        catch (final IOException ex)
        {
            return 0;
        }
    }

    /**
     * @param from a {@link #mark()}.
     * @return count, p50/p99/max/total in ms and pauses over 10 ms of the pauses logged since {@code from}, and the
     * collector; {@code readable: false} with the reason when the log cannot be read.
     */
    JsonObject pausesSince(final long from)
    {
        final JsonObject r = new JsonObject();
        final List<Double> pauses = new ArrayList<>();
        String collector = null;
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r"))
        {
            final byte[] head = new byte[(int)Math.min(f.length(), 4096)];
            f.readFully(head);
            for (final String line : new String(head, StandardCharsets.UTF_8).split("\n"))
            {
                final Matcher m = USING.matcher(line.trim());
                if (m.find())
                {
                    collector = m.group(1).trim();
                    break;
                }
            }
            final long start = Math.min(from, f.length());
            final byte[] body = new byte[(int)(f.length() - start)];
            f.seek(start);
            f.readFully(body);
            for (final String line : new String(body, StandardCharsets.UTF_8).split("\n"))
            {
                final Matcher m = PAUSE.matcher(line);
                if (m.find())
                {
                    pauses.add(Double.parseDouble(m.group(1)));
                }
            }
        }
        catch (final IOException ex)
        {
            return r.put("readable", false).put("why", "no GC log at " + file + ": " + ex.getMessage());
        }
        return summary(pauses, collector).put("readable", true);
    }

    /** Percentiles by nearest rank (the values are few: one per pause). */
    static JsonObject summary(final List<Double> pauses, final String collector)
    {
        final double[] v = pauses.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        final JsonObject r = new JsonObject().put("collector", collector).put("count", v.length);
        if (v.length == 0)
        {
            return r.put("p50_ms", 0.0).put("p99_ms", 0.0).put("max_ms", 0.0).put("total_ms", 0.0).put("over_10ms", 0);
        }
        return r.put("p50_ms", rank(v, 0.50)).put("p99_ms", rank(v, 0.99)).put("max_ms", v[v.length - 1])
            .put("total_ms", Arrays.stream(v).sum()).put("over_10ms", Arrays.stream(v).filter(x -> x > 10).count());
    }

    private static double rank(final double[] sorted, final double q)
    {
        final int i = (int)Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }
}
