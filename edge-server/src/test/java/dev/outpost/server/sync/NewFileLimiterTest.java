package dev.outpost.server.sync;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The token buckets of new server files: burst, refill, per user and per app, idle buckets dropped. */
class NewFileLimiterTest
{
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    @Test
    void shouldAllowABurstOfTheLimitThenOnePerRefillInterval()
    {
        final NewFileLimiter limiter = new NewFileLimiter(3, 0);
        final long t0 = 1_000 * SECOND;
        assertThat(limiter.acquire("u", t0)).isNull();
        assertThat(limiter.acquire("u", t0)).isNull();
        assertThat(limiter.acquire("u", t0)).isNull();
        assertThat(limiter.acquire("u", t0)).isEqualTo(NewFileLimiter.Refusal.USER);
        assertThat(limiter.acquire("other", t0)).as("per user").isNull();
        // 3 per minute: one token every 20 s
        assertThat(limiter.acquire("u", t0 + 19 * SECOND)).isEqualTo(NewFileLimiter.Refusal.USER);
        assertThat(limiter.acquire("u", t0 + 21 * SECOND)).isNull();
        assertThat(limiter.acquire("u", t0 + 22 * SECOND)).isEqualTo(NewFileLimiter.Refusal.USER);
        // never more than the burst, however long idle
        final long later = t0 + 3600 * SECOND;
        for (int i = 0; i < 3; i++)
        {
            assertThat(limiter.acquire("u", later)).isNull();
        }
        assertThat(limiter.acquire("u", later)).isEqualTo(NewFileLimiter.Refusal.USER);
    }

    @Test
    void shouldLimitTheAppAcrossUsersWithoutChargingARefusedUser()
    {
        final NewFileLimiter limiter = new NewFileLimiter(2, 3);
        final long t0 = 5 * SECOND;
        assertThat(limiter.acquire("a", t0)).isNull();
        assertThat(limiter.acquire("b", t0)).isNull();
        assertThat(limiter.acquire("c", t0)).isNull();
        assertThat(limiter.acquire("d", t0)).isEqualTo(NewFileLimiter.Refusal.APP);
        // 3 per minute: the app gets one back after 20 s
        assertThat(limiter.acquire("d", t0 + 20 * SECOND)).isNull();
        assertThat(limiter.acquire("e", t0 + 20 * SECOND)).isEqualTo(NewFileLimiter.Refusal.APP);
        // e was refused by the app, not charged: its own two remain once the app is full again
        final long t1 = t0 + 80 * SECOND;
        assertThat(limiter.acquire("e", t1)).isNull();
        assertThat(limiter.acquire("e", t1)).isNull();
        assertThat(limiter.acquire("e", t1)).isEqualTo(NewFileLimiter.Refusal.USER);
        assertThat(limiter.acquire("f", t1)).isNull();
        assertThat(limiter.acquire("f", t1)).isEqualTo(NewFileLimiter.Refusal.APP);
    }

    @Test
    void shouldDropIdleUsersSoTheUserMapStaysBounded()
    {
        final NewFileLimiter limiter = new NewFileLimiter(1, 0);
        final long t0 = SECOND;
        for (int i = 0; i < 10_000; i++)
        {
            assertThat(limiter.acquire("user" + i, t0 + i * 10 * SECOND)).isNull();
        }
        // a bucket refills within a minute: only the users of the last minute are tracked
        assertThat(limiter.trackedUsers()).isLessThanOrEqualTo(4096);
    }

    @Test
    void shouldNotLimitWithZero()
    {
        final NewFileLimiter limiter = new NewFileLimiter(0, 0);
        for (int i = 0; i < 100_000; i++)
        {
            assertThat(limiter.acquire("u", 0)).isNull();
        }
        assertThat(limiter.trackedUsers()).isZero();
    }
}
