package dev.outpost.server.sync;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * How many new server files (partitions) may be created: a token bucket per user and one for the app, each holding
 * at most its per-minute limit and refilled at that rate, so a burst of the limit is allowed and then one file every
 * {@code 60 s / limit}. A limit of 0 means no limit. Only BINDs that would create a server file take a token.
 * Thread-safe (one lock: it is taken only when a server file is about to be created, never per message).
 */
final class NewFileLimiter
{
    /** Buckets kept before the full (idle) ones are dropped: a full bucket is the same as no bucket. */
    private static final int SWEEP_AT = 4096;
    private static final long MINUTE_NANOS = TimeUnit.MINUTES.toNanos(1);

    /** Why a creation was refused. */
    enum Refusal
    {
        /** The user's per-minute limit. */
        USER,
        /** The app's per-minute limit. */
        APP
    }

    private final int perUser;
    private final int perApp;
    private final Map<String, Bucket> users = new HashMap<>();
    private Bucket app;

    /**
     * @param perUser new server files one user may create per minute (0: no limit).
     * @param perApp  new server files the app may create per minute (0: no limit).
     */
    NewFileLimiter(final int perUser, final int perApp)
    {
        this.perUser = perUser;
        this.perApp = perApp;
    }

    /**
     * Take a token for {@code userId} and one for the app, or none if either has none left.
     *
     * @return null if the server file may be created, else which limit refused it.
     */
    synchronized Refusal acquire(final String userId, final long nowNanos)
    {
        Bucket user = null;
        if (perUser > 0)
        {
            user = users.get(userId);
            if (user == null)
            {
                if (users.size() >= SWEEP_AT)
                {
                    sweep(nowNanos);
                }
                user = new Bucket(perUser, nowNanos);
                users.put(userId, user);
            }
            if (!user.available(perUser, nowNanos))
            {
                return Refusal.USER;
            }
        }
        if (perApp > 0 && app == null)
        {
            app = new Bucket(perApp, nowNanos);
        }
        if (perApp > 0 && !app.available(perApp, nowNanos))
        {
            return Refusal.APP;
        }
        if (user != null)
        {
            user.tokens -= 1;
        }
        if (perApp > 0)
        {
            app.tokens -= 1;
        }
        return null;
    }

    /** @return users with a bucket that is not full (tests, diagnostics). */
    synchronized int trackedUsers()
    {
        return users.size();
    }

    private void sweep(final long nowNanos)
    {
        for (final Iterator<Bucket> it = users.values().iterator(); it.hasNext(); )
        {
            final Bucket b = it.next();
            b.refill(perUser, nowNanos);
            if (b.tokens >= perUser)
            {
                it.remove();
            }
        }
    }

    /** Tokens (fractional while refilling) and when they were last refilled. */
    private static final class Bucket
    {
        double tokens;
        long refilledAt;

        Bucket(final int limit, final long nowNanos)
        {
            this.tokens = limit;
            this.refilledAt = nowNanos;
        }

        void refill(final int limit, final long nowNanos)
        {
            final long elapsed = nowNanos - refilledAt;
            if (elapsed > 0)
            {
                tokens = Math.min(limit, tokens + (double)elapsed * limit / MINUTE_NANOS);
                refilledAt = nowNanos;
            }
        }

        boolean available(final int limit, final long nowNanos)
        {
            refill(limit, nowNanos);
            return tokens >= 1;
        }
    }
}
