package dev.outpost.server.auth;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Per-account limit of failed logins in bounded memory: a fixed table of slots indexed by a hash of the account
 * name, each holding the start of its window (seconds) and the failures counted in it. Two accounts sharing a slot
 * share their count, which can only make the limit stricter for them; the table never grows, whatever an attacker
 * sends. Thread-safe (lock-free; a lost update under a race only miscounts by one).
 */
public final class LoginLimiter
{
    private static final int SLOTS = 1 << 16;

    private final AtomicLongArray windowStart = new AtomicLongArray(SLOTS);
    private final AtomicLongArray failures = new AtomicLongArray(SLOTS);
    private final int maxFailures;
    private final long windowSeconds;

    /**
     * @param maxFailures   failures tolerated per window.
     * @param windowSeconds window length.
     */
    public LoginLimiter(final int maxFailures, final long windowSeconds)
    {
        this.maxFailures = maxFailures;
        this.windowSeconds = windowSeconds;
    }

    /**
     * @param account account name.
     * @param now     seconds since the epoch.
     * @return seconds until attempts are accepted again, or 0 if an attempt may be made now.
     */
    public long blockedFor(final String account, final long now)
    {
        final int slot = slot(account);
        final long start = windowStart.get(slot);
        if (now - start >= windowSeconds)
        {
            return 0;
        }
        return failures.get(slot) >= maxFailures ? start + windowSeconds - now : 0;
    }

    /**
     * Count a failed attempt.
     *
     * @param account account name.
     * @param now     seconds since the epoch.
     * @return true if this failure reached the limit: the account is locked out from now on (a lockout).
     */
    public boolean failed(final String account, final long now)
    {
        final int slot = slot(account);
        final long start = windowStart.get(slot);
        if (now - start >= windowSeconds && windowStart.compareAndSet(slot, start, now))
        {
            failures.set(slot, 1);
            return 1 == maxFailures;
        }
        return failures.incrementAndGet(slot) == maxFailures;
    }

    /**
     * Forget the failures of an account after a successful login.
     *
     * @param account account name.
     */
    public void succeeded(final String account)
    {
        failures.set(slot(account), 0);
    }

    private static int slot(final String account)
    {
        int h = account.hashCode();
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        return h & (SLOTS - 1);
    }
}
