package dev.outpost.bench.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time and resident set size of a Linux process, read from {@code /proc/<pid>/stat} and {@code status}.
 * Returns -1 where {@code /proc} is not available. Stateless.
 */
public final class ProcStats
{
    /** USER_HZ: clock ticks per second of {@code /proc/<pid>/stat} times (100 on Linux x86-64 and aarch64). */
    private static final long TICKS_PER_SECOND = 100;

    private ProcStats()
    {
    }

    /** @return user + system CPU time of {@code pid} in nanoseconds, or -1. */
    public static long cpuNanos(final long pid)
    {
        try
        {
            final String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            final String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            final long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14, 15)
            return ticks * (1_000_000_000L / TICKS_PER_SECOND);
        }
        catch (final IOException | RuntimeException ex)
        {
            return -1;
        }
    }

    /** @return the resident set size of {@code pid} in bytes, or -1. */
    public static long rssBytes(final long pid)
    {
        try
        {
            for (final String line : Files.readAllLines(Path.of("/proc/" + pid + "/status")))
            {
                if (line.startsWith("VmRSS:"))
                {
                    return Long.parseLong(line.substring(6).trim().split("\\s+")[0]) * 1024;
                }
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            return -1;
        }
        return -1;
    }
}
