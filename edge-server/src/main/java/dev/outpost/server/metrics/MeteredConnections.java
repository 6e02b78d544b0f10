package dev.outpost.server.metrics;

import io.micrometer.core.instrument.Timer;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.TimeUnit;

import dev.outpost.server.auth.VerifiedToken;
import dev.outpost.server.ws.OutboundFrame;
import dev.outpost.server.ws.SyncConnection;
import dev.outpost.server.ws.SyncConnectionHandler;
import dev.outpost.server.ws.SyncConnectionHandlerFactory;
import dev.outpost.server.ws.SyncMode;
import dev.outpost.server.ws.TaskKind;
import io.vertx.core.Context;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Wraps the session layer's factory so every sync connection is counted (open connections, bytes in and out)
 * without the session layer knowing: the handler it creates gets a {@link SyncConnection} that counts what it
 * sends, and its own handler is wrapped to count what it receives and when it closes. Each event-loop task is
 * timed into {@code outpost_eventloop_task_seconds{kind=...}} ({@link TaskKind}: inbound messages by type, handed-over
 * tasks by what they do): an inbound message costs one extra virtual call, a look at its first two bytes and two
 * clock reads, no allocation; a task handed over with {@code execute} is wrapped in one small lambda (one allocation
 * per hand-over, which the hand-over itself already pays for its own task object).
 * <p>
 * With {@code -D}{@value #CPU_PROP}{@code =true} each task's thread CPU time is also recorded, into
 * {@code outpost_eventloop_task_cpu_seconds{kind=...}}: wall time includes time the thread was descheduled or stopped
 * for GC, CPU time only the task's own work (two more clock reads per task, a few hundred nanoseconds).
 */
public final class MeteredConnections
{
    /** System property: also record each event-loop task's thread CPU time (diagnostics; default off). */
    public static final String CPU_PROP = "outpost.eventloop.cpu";

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private MeteredConnections()
    {
    }

    /** The wall and (optional) CPU timers of one task kind. */
    private static final class TaskTimer
    {
        private final Timer wall;
        private final Timer cpu;

        TaskTimer(final Timer wall, final Timer cpu)
        {
            this.wall = wall;
            this.cpu = cpu;
        }

        long startCpu()
        {
            return cpu == null ? 0 : THREADS.getCurrentThreadCpuTime();
        }

        void record(final long startNanos, final long startCpu)
        {
            wall.record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
            if (cpu != null)
            {
                cpu.record(THREADS.getCurrentThreadCpuTime() - startCpu, TimeUnit.NANOSECONDS);
            }
        }
    }

    /**
     * @param factory the session layer's factory.
     * @param metrics where to count.
     * @return a factory creating counted connections.
     */
    public static SyncConnectionHandlerFactory instrument(
        final SyncConnectionHandlerFactory factory, final ServerMetrics metrics)
    {
        // Every event-loop task of the sync layer (an inbound message, or work handed over with execute()) is timed:
        // the event loop must never wait, and this histogram shows whether its tasks stay under a millisecond.
        final TaskKind[] kinds = TaskKind.all();
        final boolean cpu = Boolean.getBoolean(CPU_PROP) && THREADS.isCurrentThreadCpuTimeSupported();
        final TaskTimer[] eventLoopTask = new TaskTimer[kinds.length];
        for (final TaskKind k : kinds)
        {
            eventLoopTask[k.ordinal()] = new TaskTimer(metrics.timer("outpost.eventloop.task",
                "Time an event loop spends on one sync task (an inbound message or a handed-over task), by kind",
                "kind", k.tag()), cpu ? metrics.timer("outpost.eventloop.task.cpu",
                "Thread CPU time of one event-loop task of the sync layer, by kind", "kind", k.tag()) : null);
        }
        return connection ->
        {
            final MeteredConnection metered = new MeteredConnection(connection, metrics, eventLoopTask);
            final SyncConnectionHandler handler = factory.newHandler(metered);
            metrics.connectionOpened();
            return new MeteredHandler(handler, metrics, eventLoopTask);
        };
    }

    private static final class MeteredHandler implements SyncConnectionHandler
    {
        private final SyncConnectionHandler delegate;
        private final ServerMetrics metrics;
        private final TaskTimer[] eventLoopTask;
        private boolean closed;

        MeteredHandler(final SyncConnectionHandler delegate, final ServerMetrics metrics,
            final TaskTimer[] eventLoopTask)
        {
            this.delegate = delegate;
            this.metrics = metrics;
            this.eventLoopTask = eventLoopTask;
        }

        public void onMessage(final DirectBuffer buffer, final int offset, final int length)
        {
            metrics.bytesReceived(length);
            final TaskTimer timer = eventLoopTask[TaskKind.ofMessage(buffer, offset, length).ordinal()];
            final long cpu = timer.startCpu();
            final long start = System.nanoTime();
            delegate.onMessage(buffer, offset, length);
            timer.record(start, cpu);
        }

        public void onWritable()
        {
            final TaskTimer timer = eventLoopTask[TaskKind.WRITABLE.ordinal()];
            final long cpu = timer.startCpu();
            final long start = System.nanoTime();
            delegate.onWritable();
            timer.record(start, cpu);
        }

        public void onSendStep(final Runnable step)
        {
            final TaskTimer timer = eventLoopTask[TaskKind.SEND.ordinal()];
            final long cpu = timer.startCpu();
            final long start = System.nanoTime();
            delegate.onSendStep(step);
            timer.record(start, cpu);
        }

        public void onClose(final int code, final String reason)
        {
            if (!closed)
            {
                closed = true;
                metrics.connectionClosed();
            }
            delegate.onClose(code, reason);
        }
    }

    private static final class MeteredConnection implements SyncConnection
    {
        private final SyncConnection delegate;
        private final ServerMetrics metrics;
        private final TaskTimer[] eventLoopTask;

        MeteredConnection(final SyncConnection delegate, final ServerMetrics metrics, final TaskTimer[] eventLoopTask)
        {
            this.delegate = delegate;
            this.metrics = metrics;
            this.eventLoopTask = eventLoopTask;
        }

        public long connectionId()
        {
            return delegate.connectionId();
        }

        public int protocolVersion()
        {
            return delegate.protocolVersion();
        }

        public SyncMode mode()
        {
            return delegate.mode();
        }

        public String subprotocol()
        {
            return delegate.subprotocol();
        }

        public VerifiedToken user()
        {
            return delegate.user();
        }

        public String appId()
        {
            return delegate.appId();
        }

        public String remoteAddress()
        {
            return delegate.remoteAddress();
        }

        public Context context()
        {
            return delegate.context();
        }

        public boolean send(final DirectBuffer buffer, final int offset, final int length)
        {
            return counted(delegate.send(buffer, offset, length), length);
        }

        /** @return {@code sent}, after counting {@code length} bytes out when it is true. */
        private boolean counted(final boolean sent, final int length)
        {
            if (sent)
            {
                metrics.bytesSent(length);
            }
            return sent;
        }

        public MutableDirectBuffer claim(final int capacity)
        {
            return delegate.claim(capacity);
        }

        public boolean commit(final int length)
        {
            return counted(delegate.commit(length), length);
        }

        public OutboundFrame allocateFrame(final int capacity)
        {
            return delegate.allocateFrame(capacity);
        }

        public boolean sendFrame(final OutboundFrame frame, final int length)
        {
            return counted(delegate.sendFrame(frame, length), length);
        }

        public void abort()
        {
            delegate.abort();
        }

        public boolean isWritable()
        {
            return delegate.isWritable();
        }

        public boolean isOpen()
        {
            return delegate.isOpen();
        }

        public void close(final int code, final String reason)
        {
            delegate.close(code, reason);
        }

        public void execute(final Runnable task)
        {
            execute(TaskKind.OTHER, task);
        }

        public void execute(final TaskKind kind, final Runnable task)
        {
            final TaskTimer timer = eventLoopTask[kind.ordinal()];
            delegate.execute(kind, () ->
            {
                final long cpu = timer.startCpu();
                final long start = System.nanoTime();
                task.run();
                timer.record(start, cpu);
            });
        }
    }
}
