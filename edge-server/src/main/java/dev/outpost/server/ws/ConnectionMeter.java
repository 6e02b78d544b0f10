package dev.outpost.server.ws;

/**
 * What the transport reports about its sync connections, called directly by {@link NettySyncConnection} on the
 * connection's event loop: connections opened and closed, bytes in and out, and the time of each event-loop task by
 * {@link TaskKind} (inbound messages, handed-over tasks, writable, send steps). Implementations must not allocate per
 * call. The default methods do nothing ({@link #NONE}).
 * <p>
 * A task is timed by {@link #taskStart(TaskKind)} before it runs and {@link #taskEnd(TaskKind, long, long)} after it,
 * the caller keeping both start values in locals, so a task started inside another does not disturb the outer one.
 */
public interface ConnectionMeter
{
    /** Counts nothing. */
    ConnectionMeter NONE = new ConnectionMeter()
    {
    };

    /**
     * @param appId the app of a connection being upgraded (from its URL).
     * @return the meter of that app's connections (this one if the meter does not tell apps apart); called once per
     *     connection, before {@link #opened()}.
     */
    default ConnectionMeter forApp(final String appId)
    {
        return this;
    }

    /**
     * A connection's session handler was created.
     */
    default void opened()
    {
    }

    /**
     * A connection whose handler was created has ended (once per {@link #opened()}).
     */
    default void closed()
    {
    }

    /**
     * @param bytes length of one inbound message.
     */
    default void bytesIn(final int bytes)
    {
    }

    /**
     * @param bytes length of one outbound message accepted for sending.
     */
    default void bytesOut(final int bytes)
    {
    }

    /**
     * @param kind the task about to run.
     * @return the thread CPU time now if the meter records it for tasks, else 0; pass it to {@link #taskEnd}.
     */
    default long taskStart(final TaskKind kind)
    {
        return 0;
    }

    /**
     * @param kind       the task that ran.
     * @param startNanos {@link System#nanoTime()} before it ran.
     * @param startCpu   what {@link #taskStart(TaskKind)} returned.
     */
    default void taskEnd(final TaskKind kind, final long startNanos, final long startCpu)
    {
    }
}
