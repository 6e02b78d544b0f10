package dev.outpost.server.http;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The per-address token bucket of {@code login.per-ip}, on a clock the test moves. */
class AddressRateLimiterTest
{
    private static final long MINUTE = TimeUnit.MINUTES.toNanos(1);

    @Test
    void shouldAllowABurstOfTheRateThenOneRequestPerInterval()
    {
        final AddressRateLimiter limiter = new AddressRateLimiter(6);
        final long t0 = 123_456_789L;
        for (int i = 0; i < 6; i++)
        {
            assertThat(limiter.acquire("10.0.0.1", t0)).as("request %d of the burst", i).isZero();
        }
        final long wait = limiter.acquire("10.0.0.1", t0);
        assertThat(wait).as("the 7th waits for one interval (10 s)").isPositive().isLessThanOrEqualTo(MINUTE / 6);
        assertThat(limiter.acquire("10.0.0.1", t0 + wait - 1)).isPositive();
        assertThat(limiter.acquire("10.0.0.1", t0 + wait)).isZero();
        assertThat(limiter.acquire("10.0.0.1", t0 + wait)).as("and no more until the next interval").isPositive();
        // a quiet address gets its full burst back
        for (int i = 0; i < 6; i++)
        {
            assertThat(limiter.acquire("10.0.0.1", t0 + 2 * MINUTE)).isZero();
        }
    }

    @Test
    void shouldKeepAddressesApart()
    {
        final AddressRateLimiter limiter = new AddressRateLimiter(1);
        final long t0 = -5L;
        assertThat(limiter.acquire("10.0.0.1", t0)).isZero();
        assertThat(limiter.acquire("10.0.0.1", t0)).isPositive();
        assertThat(limiter.acquire("10.0.0.2", t0)).isZero();
        assertThat(limiter.acquire("::1", t0)).isZero();
    }
}
