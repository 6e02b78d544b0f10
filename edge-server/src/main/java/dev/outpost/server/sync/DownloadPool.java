package dev.outpost.server.sync;

import dev.outpost.server.store.HistoryStore;
import dev.outpost.server.ws.TaskKind;
import io.micrometer.core.instrument.Timer;
import org.agrona.concurrent.EpochClock;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A small fixed pool of threads ({@code outpost-download-i}) that build the large outbound messages of sessions off
 * the event loops: history DOWNLOADs over the inline budget (read, FLX-trim, zlib-compress, encode straight into the
 * connection's outbound frame), FLX bootstrap parts and STATE messages. Each finished job goes back to its session's
 * event loop ({@link TaskKind#DOWNLOAD}), which applies the cursors and sends the frame.
 * <p>
 * Bounded: a session has at most one job queued or running, so the queue holds at most one job per session and the
 * memory in flight is one message per pool thread plus one per session whose result is on its way to the loop.
 * Thread-safe: {@link #submit} from any event loop; {@link #close} once, after the event loops stopped.
 */
final class DownloadPool
{
    private static final System.Logger LOG = System.getLogger(DownloadPool.class.getName());
    private static final DownloadJob STOP = new DownloadJob(null);

    private final LinkedBlockingQueue<DownloadJob> queue = new LinkedBlockingQueue<>();
    private final Thread[] threads;
    private final HistoryStore store;
    private final Timer buildTimer;
    private final EpochClock clock;

    /**
     * @param store      the history store the jobs read.
     * @param threads    pool threads ({@link dev.outpost.server.config.ServerConfig#downloadThreads()}).
     * @param buildTimer times each build.
     * @param clock      the server's clock (timestamps of bootstrap entries).
     */
    DownloadPool(final HistoryStore store, final int threads, final Timer buildTimer, final EpochClock clock)
    {
        this.store = store;
        this.clock = clock;
        this.buildTimer = buildTimer;
        this.threads = new Thread[Math.max(1, threads)];
        for (int i = 0; i < this.threads.length; i++)
        {
            final Thread t = new Thread(this::run, "outpost-download-" + i);
            t.setDaemon(true);
            this.threads[i] = t;
        }
    }

    void start()
    {
        for (final Thread t : threads)
        {
            t.start();
        }
    }

    /** Any thread: build {@code job} on a pool thread, then apply it on its session's event loop. */
    void submit(final DownloadJob job)
    {
        queue.add(job);
    }

    private void run()
    {
        final var reader = store.newReader();
        final DownloadBuilder builder = new DownloadBuilder(reader, clock);
        try
        {
            while (true)
            {
                final DownloadJob job;
                try
                {
                    job = queue.take();
                }
                catch (final InterruptedException ex)
                {
                    return;
                }
                if (job == STOP)
                {
                    return;
                }
                final long started = System.nanoTime();
                try
                {
                    builder.build(job, job.session.conn.connection);
                }
                catch (final Throwable t)
                {
                    LOG.log(System.Logger.Level.ERROR, "building a " + job.kind + " message failed", t);
                    job.releaseFrame();
                    job.failure = t;
                }
                buildTimer.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
                try
                {
                    job.session.conn.connection.execute(TaskKind.DOWNLOAD, job.session::built);
                }
                catch (final RuntimeException ex)
                {
                    // the event loop is gone (shutdown): nobody will send it
                    job.releaseFrame();
                }
            }
        }
        finally
        {
            builder.close();
            reader.close();
        }
    }

    /** Stop the threads (jobs still queued are dropped); waits up to 10 s. */
    void close()
    {
        queue.clear();
        for (int i = 0; i < threads.length; i++)
        {
            queue.add(STOP);
        }
        for (final Thread t : threads)
        {
            try
            {
                t.join(TimeUnit.SECONDS.toMillis(10));
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
