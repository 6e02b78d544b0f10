package dev.outpost.bench.client;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Commit times of changesets authored in this JVM, so a reader can measure upload-to-fan-out latency: an author
 * records {@code (server file, its file ident, origin timestamp) -> System.nanoTime()} in a ring per author; a
 * reader looks the DOWNLOAD entry's origin up. Origin timestamps are unique per author (the session makes them
 * strictly increasing). Entries older than the ring (4096 changesets per author) are forgotten. Thread-safe.
 */
public final class FanoutClock
{
    private static final int RING = 4096;
    private static final ConcurrentHashMap<String, AtomicLongArray> RINGS = new ConcurrentHashMap<>();

    private FanoutClock()
    {
    }

    static AtomicLongArray ring(final String serverFile, final long fileIdent)
    {
        return RINGS.computeIfAbsent(serverFile + '#' + fileIdent, k -> new AtomicLongArray(2 * RING));
    }

    static void record(final AtomicLongArray ring, final long originTimestamp, final long nanos)
    {
        final int slot = (int)(originTimestamp & (RING - 1)) * 2;
        ring.set(slot + 1, nanos);
        ring.set(slot, originTimestamp);
    }

    /** @return the commit {@code System.nanoTime()} of that changeset, or 0 if unknown. */
    static long lookup(final String serverFile, final long fileIdent, final long originTimestamp)
    {
        final AtomicLongArray ring = RINGS.get(serverFile + '#' + fileIdent);
        if (ring == null)
        {
            return 0;
        }
        final int slot = (int)(originTimestamp & (RING - 1)) * 2;
        final long nanos = ring.get(slot + 1);
        return ring.get(slot) == originTimestamp ? nanos : 0;
    }

    /** Forget everything (between runs). */
    public static void clear()
    {
        RINGS.clear();
    }
}
