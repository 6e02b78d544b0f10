package dev.outpost.server.sync.wire;

import org.agrona.concurrent.EpochClock;

/** Realm timestamps: milliseconds since 2015-01-01 (protocol §3), as changesets and DOWNLOADs carry them. */
public final class RealmTime
{
    /** Milliseconds between the Unix epoch and realm's 2015-01-01 timestamp epoch. */
    public static final long EPOCH_MS = 1420070400000L;

    private RealmTime()
    {
    }

    /**
     * @param clock the server's clock.
     * @return {@code clock}'s time as a realm timestamp (milliseconds since 2015-01-01, never negative).
     */
    public static long of(final EpochClock clock)
    {
        return Math.max(0, clock.time() - EPOCH_MS);
    }
}
