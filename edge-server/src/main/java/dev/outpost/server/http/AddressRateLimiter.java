package dev.outpost.server.http;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A rate per remote address in bounded memory ({@code login.per-ip}): a token bucket of {@code perMinute} requests
 * (a burst of that many, then one every {@code 60 s / perMinute}) kept as one theoretical arrival time per slot of a
 * fixed table indexed by a hash of the address (the generic cell rate algorithm). Addresses sharing a slot share a
 * bucket, which can only make the limit stricter for them; the table never grows, whatever is sent. Thread-safe
 * (lock-free).
 */
public final class AddressRateLimiter
{
    private static final int SLOTS = 1 << 14;

    private final AtomicLongArray arrival = new AtomicLongArray(SLOTS);
    private final long intervalNs;
    private final long burstNs;

    /**
     * @param perMinute requests per minute and address (> 0).
     */
    public AddressRateLimiter(final int perMinute)
    {
        this.intervalNs = TimeUnit.MINUTES.toNanos(1) / perMinute;
        this.burstNs = intervalNs * (perMinute - 1);
    }

    /**
     * Take one request from the address's bucket if it has one.
     *
     * @param address the remote address (its IP literal).
     * @param nowNs   {@link System#nanoTime()}.
     * @return 0 if the request may go ahead (and is counted), else the nanoseconds until it may.
     */
    public long acquire(final String address, final long nowNs)
    {
        final int slot = slot(address);
        while (true)
        {
            final long previous = arrival.get(slot);
            final long tat = 0 == previous || previous - nowNs < 0 ? nowNs : previous;
            final long early = tat - nowNs - burstNs;
            if (early > 0)
            {
                return early;
            }
            if (arrival.compareAndSet(slot, previous, tat + intervalNs))
            {
                return 0;
            }
        }
    }

    private static int slot(final String address)
    {
        int h = address.hashCode();
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        return h & (SLOTS - 1);
    }
}
