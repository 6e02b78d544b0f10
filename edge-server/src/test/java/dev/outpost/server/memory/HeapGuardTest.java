package dev.outpost.server.memory;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HeapGuardTest
{
    @Test
    void shouldStartPressureAtTheHighMarkAndEndItUnderTheLowOne()
    {
        try (HeapGuard guard = HeapGuard.detached(1L << 30, 0.85, 0.70, 60_000))
        {
            final long max = guard.maxHeap();
            final List<Boolean> told = new ArrayList<>();
            guard.addListener(told::add);
            guard.collected((long)(max * 0.84));
            assertThat(guard.underPressure()).isFalse();
            guard.collected((long)(max * 0.86));
            assertThat(guard.underPressure()).isTrue();
            guard.collected((long)(max * 0.90));
            guard.collected((long)(max * 0.75)); // between the marks: still under pressure (hysteresis)
            assertThat(guard.underPressure()).isTrue();
            guard.collected((long)(max * 0.69));
            assertThat(guard.underPressure()).isFalse();
            guard.collected((long)(max * 0.80));
            assertThat(guard.underPressure()).isFalse();
            assertThat(told).containsExactly(true, false);
            assertThat(guard.episodes()).isEqualTo(1);
            assertThat(guard.liveAfterGc()).isEqualTo((long)(max * 0.80));
        }
    }

    @Test
    void shouldKeepTellingTheOtherListenersWhenOneFails()
    {
        try (HeapGuard guard = HeapGuard.detached(1L << 30, 0.85, 0.70, 60_000))
        {
            final List<Boolean> told = new ArrayList<>();
            guard.addListener(p ->
            {
                throw new IllegalStateException("boom");
            });
            guard.addListener(told::add);
            guard.collected(guard.maxHeap());
            assertThat(told).containsExactly(true);
        }
    }

    @Test
    void shouldAskForACollectionUnderPressureWhenNoneRan() throws Exception
    {
        try (HeapGuard guard = HeapGuard.detached(1L << 30, 0.85, 0.70, 100))
        {
            guard.collected(guard.maxHeap());
            final long deadline = System.nanoTime() + 10_000_000_000L;
            while (guard.gcNudges() == 0 && System.nanoTime() < deadline)
            {
                Thread.sleep(20);
            }
            assertThat(guard.gcNudges()).as("System.gc() asked for").isPositive();
        }
    }

    @Test
    void shouldReadTheHeapLeftAfterARealCollection() throws Exception
    {
        try (HeapGuard guard = HeapGuard.start(0.99, 0.98, 60_000))
        {
            final long deadline = System.nanoTime() + 10_000_000_000L;
            while (guard.liveAfterGc() == 0 && System.nanoTime() < deadline)
            {
                System.gc();
                Thread.sleep(50);
            }
            assertThat(guard.liveAfterGc()).as("heap used after the collection").isPositive()
                .isLessThanOrEqualTo(Runtime.getRuntime().maxMemory());
            assertThat(guard.underPressure()).isFalse();
        }
    }

    @Test
    void shouldNeverReportPressureWhenOff()
    {
        HeapGuard.NONE.collected(Long.MAX_VALUE);
        assertThat(HeapGuard.NONE.underPressure()).isFalse();
    }

    @Test
    void shouldRefuseMarksOutOfOrder()
    {
        assertThatThrownBy(() -> HeapGuard.start(0.7, 0.8, 1000)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HeapGuard.start(1.5, 0.8, 1000)).isInstanceOf(IllegalArgumentException.class);
    }
}
