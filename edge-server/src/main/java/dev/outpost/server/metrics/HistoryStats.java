package dev.outpost.server.metrics;

import dev.outpost.server.store.HistoryStore;

/**
 * Totals over a history store for the gauges and the status page. Computing them walks every server file (a few
 * milliseconds for 100k files), so {@link #of} caches the result for {@link #MAX_AGE_NANOS}.
 */
@FunctionalInterface
public interface HistoryStats
{
    /** How long computed figures are reused. */
    long MAX_AGE_NANOS = 500_000_000L;

    /** No store (yet): zeros. */
    HistoryStats NONE = () -> Figures.ZERO;

    /** @return current (or recently computed) figures; any thread. */
    Figures figures();

    /**
     * @param serverFiles server files in the store.
     * @param entries     history entries over all server files (sum of the published heads).
     * @param bytes       changeset bytes over all server files.
     */
    record Figures(long serverFiles, long entries, long bytes)
    {
        public static final Figures ZERO = new Figures(0, 0, 0);
    }

    /** @return figures of {@code store}, recomputed at most every {@link #MAX_AGE_NANOS}. */
    static HistoryStats of(final HistoryStore store)
    {
        return new HistoryStats()
        {
            private volatile Figures cached;
            private volatile long computedAt;

            public Figures figures()
            {
                final long now = System.nanoTime();
                Figures f = cached;
                if (null == f || now - computedAt > MAX_AGE_NANOS)
                {
                    f = compute(store);
                    cached = f;
                    computedAt = now;
                }
                return f;
            }
        };
    }

    /** @return figures of {@code store} computed now. */
    static Figures compute(final HistoryStore store)
    {
        final long[] totals = new long[3];
        store.forEachHead((head, size) ->
        {
            totals[0]++;
            totals[1] += head;
            totals[2] += size;
        });
        return new Figures(totals[0], totals[1], totals[2]);
    }
}
