package dev.outpost.server.memory;

import com.sun.management.GarbageCollectionNotificationInfo;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * Heap back-pressure for the whole process. After every garbage collection the JVM reports each pool's usage after
 * the collection; their sum over the heap pools is what the collector could not free (live data plus old garbage not
 * collected yet, so an upper bound of the live set). When it crosses {@code high} of the maximum heap the guard
 * enters <em>pressure</em> and tells its listeners (connections stop reading, writers drop cached object states, new
 * WebSocket upgrades are answered 503); when a later collection leaves less than {@code low}, pressure ends and they
 * resume. The server so slows its intake instead of failing with an {@link OutOfMemoryError} when a cap is reached.
 *
 * <p>While under pressure, input stops and with it most allocation, so collections may stop too: the guard's own
 * thread asks for one ({@link System#gc()}) when none ran for {@code gcNudgeMs}, so that pressure can end. The
 * listeners run on the thread that saw the change (a collector notification thread or the guard's thread): they must
 * only hand work to their own threads.
 *
 * <p>Thread-safe. One per process is enough ({@link #start}); {@link #NONE} never reports pressure.
 */
public final class HeapGuard implements AutoCloseable
{
    /** Default fraction of the maximum heap at which pressure starts. */
    public static final double HIGH_DEFAULT = 0.85;
    /** Default fraction of the maximum heap under which pressure ends. */
    public static final double LOW_DEFAULT = 0.70;
    /** A guard that never reports pressure (tests, embedders who manage memory themselves). */
    public static final HeapGuard NONE = new HeapGuard();

    /** Told when pressure starts ({@code true}) and ends ({@code false}). */
    @FunctionalInterface
    public interface Listener
    {
        void pressure(boolean underPressure);
    }

    private final CopyOnWriteArrayList<Listener> listeners = new CopyOnWriteArrayList<>();
    private final Set<String> heapPools = new HashSet<>();
    private final List<NotificationEmitter> emitters = new CopyOnWriteArrayList<>();
    private final NotificationListener onGc = this::onGc;
    private final AtomicLong episodes = new AtomicLong();
    private final AtomicLong nudges = new AtomicLong();
    private final long maxHeap;
    private final long highBytes;
    private final long lowBytes;
    private final long gcNudgeNs;
    private final LongSupplier nanoClock;
    private final ScheduledExecutorService timer;
    private volatile boolean underPressure;
    private volatile long liveAfterGc;
    private volatile long lastGcNs;
    private volatile long pressureSinceNs;

    private HeapGuard()
    {
        maxHeap = Long.MAX_VALUE;
        highBytes = Long.MAX_VALUE;
        lowBytes = Long.MAX_VALUE;
        gcNudgeNs = Long.MAX_VALUE;
        nanoClock = System::nanoTime;
        timer = null;
    }

    private HeapGuard(final long maxHeap, final double high, final double low, final long gcNudgeMs)
    {
        this.maxHeap = maxHeap;
        this.highBytes = (long)(maxHeap * high);
        this.lowBytes = (long)(maxHeap * low);
        this.gcNudgeNs = TimeUnit.MILLISECONDS.toNanos(gcNudgeMs);
        this.nanoClock = System::nanoTime;
        this.lastGcNs = nanoClock.getAsLong();
        this.timer = Executors.newSingleThreadScheduledExecutor(r ->
        {
            final Thread t = new Thread(r, "outpost-heap-guard");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Start watching the heap of this JVM.
     *
     * @param high      fraction of the maximum heap left after a collection at which pressure starts (0 < high <= 1).
     * @param low       fraction under which it ends (0 < low < high).
     * @param gcNudgeMs under pressure, ask for a collection when none ran for this long.
     * @return the running guard, or {@link #NONE} when the heap has no maximum.
     */
    public static HeapGuard start(final double high, final double low, final long gcNudgeMs)
    {
        if (!(high > 0 && high <= 1) || !(low > 0 && low < high))
        {
            throw new IllegalArgumentException("need 0 < low < high <= 1, got low " + low + ", high " + high);
        }
        final long max = Runtime.getRuntime().maxMemory();
        if (max <= 0 || max == Long.MAX_VALUE)
        {
            return NONE;
        }
        final HeapGuard guard = new HeapGuard(max, high, low, gcNudgeMs);
        for (final MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans())
        {
            if (pool.getType() == MemoryType.HEAP)
            {
                guard.heapPools.add(pool.getName());
            }
        }
        for (final GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans())
        {
            if (gc instanceof NotificationEmitter)
            {
                final NotificationEmitter emitter = (NotificationEmitter)gc;
                emitter.addNotificationListener(guard.onGc, null, null);
                guard.emitters.add(emitter);
            }
        }
        return guard.startTimer();
    }

    /**
     * A guard fed only through {@link #collected} (no collector notifications): tests of the thresholds, which a real
     * collection running meanwhile would disturb.
     */
    static HeapGuard detached(final long maxHeap, final double high, final double low, final long gcNudgeMs)
    {
        return new HeapGuard(maxHeap, high, low, gcNudgeMs).startTimer();
    }

    private HeapGuard startTimer()
    {
        final long period = Math.max(50, TimeUnit.NANOSECONDS.toMillis(gcNudgeNs) / 4);
        timer.scheduleWithFixedDelay(this::tick, period, period, TimeUnit.MILLISECONDS);
        return this;
    }

    /** @param listener told of every change of pressure from now on (not of the current state: read it). */
    public void addListener(final Listener listener)
    {
        listeners.add(listener);
    }

    public void removeListener(final Listener listener)
    {
        listeners.remove(listener);
    }

    /**
     * Run a task on the guard's thread after a delay (e.g. to end a pause of input that freed nothing). Does nothing
     * for {@link #NONE} or a closed guard.
     *
     * @param task    short, hands work to other threads only.
     * @param delayMs milliseconds from now.
     */
    public void schedule(final Runnable task, final long delayMs)
    {
        if (null != timer && !timer.isShutdown())
        {
            timer.schedule(task, delayMs, TimeUnit.MILLISECONDS);
        }
    }

    /** @return true while the heap left after collections is over the high mark (until it is under the low one). */
    public boolean underPressure()
    {
        return underPressure;
    }

    /** @return bytes left in the heap after the last collection (0 before the first). */
    public long liveAfterGc()
    {
        return liveAfterGc;
    }

    /** @return the maximum heap (Long.MAX_VALUE for {@link #NONE}). */
    public long maxHeap()
    {
        return maxHeap;
    }

    /** @return how many times pressure started. */
    public long episodes()
    {
        return episodes.get();
    }

    /** @return collections the guard asked for under pressure. */
    public long gcNudges()
    {
        return nudges.get();
    }

    /** @return nanoseconds spent under pressure so far in the current episode (0 when not under pressure). */
    public long pressureNanos()
    {
        return underPressure ? nanoClock.getAsLong() - pressureSinceNs : 0;
    }

    /**
     * Feed one collection's outcome (what a collector notification carries); public for tests, which cannot make the
     * JVM report a chosen heap size.
     *
     * @param usedAfter bytes left in the heap after the collection.
     */
    public void collected(final long usedAfter)
    {
        if (this == NONE)
        {
            return;
        }
        liveAfterGc = usedAfter;
        lastGcNs = nanoClock.getAsLong();
        final boolean was = underPressure;
        if (!was && usedAfter >= highBytes)
        {
            change(true);
        }
        else if (was && usedAfter < lowBytes)
        {
            change(false);
        }
    }

    private synchronized void change(final boolean pressure)
    {
        if (underPressure == pressure)
        {
            return;
        }
        underPressure = pressure;
        if (pressure)
        {
            episodes.incrementAndGet();
            pressureSinceNs = nanoClock.getAsLong();
        }
        for (final Listener l : listeners)
        {
            try
            {
                l.pressure(pressure);
            }
            catch (final RuntimeException ex)
            {
                System.getLogger(HeapGuard.class.getName()).log(System.Logger.Level.ERROR,
                    "heap guard listener failed: " + ex);
            }
        }
    }

    private void onGc(final Notification n, final Object handback)
    {
        if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType()))
        {
            return;
        }
        final GarbageCollectionNotificationInfo info =
            GarbageCollectionNotificationInfo.from((CompositeData)n.getUserData());
        if (info.getGcName().endsWith("Pauses"))
        {
            return; // a concurrent collector's pause (Shenandoah, ZGC): its cycle's notification carries the outcome
        }
        long used = 0;
        for (final Map.Entry<String, MemoryUsage> e : info.getGcInfo().getMemoryUsageAfterGc().entrySet())
        {
            if (heapPools.contains(e.getKey()))
            {
                used += e.getValue().getUsed();
            }
        }
        collected(used);
    }

    /** The guard's thread: under pressure with no collection for a while, ask for one so that pressure can end. */
    private void tick()
    {
        if (underPressure && nanoClock.getAsLong() - lastGcNs >= gcNudgeNs)
        {
            lastGcNs = nanoClock.getAsLong();
            nudges.incrementAndGet();
            System.gc();
        }
    }

    public void close()
    {
        if (this == NONE)
        {
            return;
        }
        for (final NotificationEmitter e : emitters)
        {
            try
            {
                e.removeNotificationListener(onGc);
            }
            catch (final Exception ignore)
            {
                // already removed
            }
        }
        timer.shutdownNow();
        listeners.clear();
    }
}
