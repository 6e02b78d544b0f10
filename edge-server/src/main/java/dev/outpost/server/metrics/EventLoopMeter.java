package dev.outpost.server.metrics;

import io.micrometer.core.instrument.Timer;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.TimeUnit;

import dev.outpost.server.ws.ConnectionMeter;
import dev.outpost.server.ws.TaskKind;

/**
 * The {@link ConnectionMeter} of the sync transport, into {@link ServerMetrics}: open connections, bytes in and out,
 * and each event-loop task timed into {@code outpost_eventloop_task_seconds{kind=...}} ({@link TaskKind}: inbound
 * messages by type, handed-over tasks by what they do): two clock reads per task, no allocation.
 * <p>
 * With the setting {@code outpost.eventloop.cpu} ({@code --eventloop-cpu}, {@code -Doutpost.eventloop.cpu=true}) each
 * task's thread CPU time is also recorded, into
 * {@code outpost_eventloop_task_cpu_seconds{kind=...}}: wall time includes time the thread was descheduled or stopped
 * for GC, CPU time only the task's own work (two more clock reads per task, a few hundred nanoseconds).
 * Connections and bytes are counted per app ({@link #forApp}: {@code outpost_connections{app}},
 * {@code outpost_received_bytes_total{app}}, ...); the event-loop task timers are shared by every app (a loop serves
 * connections of every app). Thread-safe (shared by every event loop).
 */
public final class EventLoopMeter implements ConnectionMeter
{
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final ServerMetrics metrics;
    /** Null for the server-wide meter (counts no connections: {@link #forApp} gives the counting ones). */
    private final AppMetrics app;
    private final java.util.concurrent.ConcurrentHashMap<String, EventLoopMeter> apps;
    private final Timer[] wall;
    /** Null unless CPU time is recorded. */
    private final Timer[] cpu;

    /**
     * @param metrics      where to count.
     * @param eventLoopCpu also record each task's thread CPU time ({@code ServerConfig.eventLoopCpu()}).
     */
    public EventLoopMeter(final ServerMetrics metrics, final boolean eventLoopCpu)
    {
        // Every event-loop task of the sync layer (an inbound message, or work handed over with execute()) is timed:
        // the event loop must never wait, and this histogram shows whether its tasks stay under a millisecond.
        this.metrics = metrics;
        this.app = null;
        this.apps = new java.util.concurrent.ConcurrentHashMap<>();
        final TaskKind[] kinds = TaskKind.all();
        final boolean withCpu = eventLoopCpu && THREADS.isCurrentThreadCpuTimeSupported();
        wall = new Timer[kinds.length];
        cpu = withCpu ? new Timer[kinds.length] : null;
        for (final TaskKind k : kinds)
        {
            wall[k.ordinal()] = metrics.timer("outpost.eventloop.task",
                "Time an event loop spends on one sync task (an inbound message or a handed-over task), by kind",
                "kind", k.tag());
            if (withCpu)
            {
                cpu[k.ordinal()] = metrics.timer("outpost.eventloop.task.cpu",
                    "Thread CPU time of one event-loop task of the sync layer, by kind", "kind", k.tag());
            }
        }
    }

    private EventLoopMeter(final EventLoopMeter server, final AppMetrics app)
    {
        this.metrics = server.metrics;
        this.app = app;
        this.apps = server.apps;
        this.wall = server.wall;
        this.cpu = server.cpu;
    }

    public ConnectionMeter forApp(final String appId)
    {
        final EventLoopMeter m = apps.get(appId);
        return null != m ? m : apps.computeIfAbsent(appId, id -> new EventLoopMeter(this, metrics.app(id)));
    }

    public void opened()
    {
        if (null != app)
        {
            app.connectionOpened();
        }
    }

    public void closed()
    {
        if (null != app)
        {
            app.connectionClosed();
        }
    }

    public void bytesIn(final int bytes)
    {
        if (null != app)
        {
            app.bytesReceived(bytes);
        }
    }

    public void bytesOut(final int bytes)
    {
        if (null != app)
        {
            app.bytesSent(bytes);
        }
    }

    public long taskStart(final TaskKind kind)
    {
        return null == cpu ? 0 : THREADS.getCurrentThreadCpuTime();
    }

    public void taskEnd(final TaskKind kind, final long startNanos, final long startCpu)
    {
        wall[kind.ordinal()].record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
        if (null != cpu)
        {
            cpu[kind.ordinal()].record(THREADS.getCurrentThreadCpuTime() - startCpu, TimeUnit.NANOSECONDS);
        }
    }
}
