package dev.outpost.server.sync;

import dev.outpost.server.ws.TaskKind;
import io.micrometer.core.instrument.Timer;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A small fixed pool of threads ({@code outpost-download-i}), one per server and shared by every app's
 * {@link SyncService}, that build the large outbound messages of sessions off the event loops: history DOWNLOADs
 * over the inline budget (read, FLX-trim, zlib-compress, encode straight into the connection's outbound frame), FLX
 * bootstrap parts and STATE messages. Each thread reads an app's history with a builder of that app's service
 * ({@link SyncService#poolBuilder()}, one per service and thread). Each finished job goes back to its session's
 * event loop ({@link TaskKind#DOWNLOAD}), which applies the cursors and sends the frame.
 * <p>
 * Bounded: a session has at most one job queued or running, so the queue holds at most one job per session; and a
 * session starts a job only while its connection's queued plus building bytes are under
 * {@code max-queued-bytes-per-connection} ({@link ConnectionHandler#mayBuild()}), so the memory in flight and queued
 * for one connection is at most that budget plus one message, whatever its number of sessions. Thread-safe:
 * {@link #submit} from any event loop; {@link #close} once, after every service using it closed.
 */
final class DownloadPool
{
    private static final System.Logger LOG = System.getLogger(DownloadPool.class.getName());
    private static final DownloadJob STOP = new DownloadJob(null, null, null);

    private final LinkedBlockingQueue<DownloadJob> queue = new LinkedBlockingQueue<>();
    private final Thread[] threads;
    private final Timer buildTimer;
    private final AtomicLong built = new AtomicLong();

    /**
     * @param threads    pool threads ({@link dev.outpost.server.config.ServerConfig#downloadThreads()}).
     * @param buildTimer times each build.
     */
    DownloadPool(final int threads, final Timer buildTimer)
    {
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

    /** @return the pool's threads. */
    int threadCount()
    {
        return threads.length;
    }

    /** @return jobs built so far (all apps). */
    long built()
    {
        return built.get();
    }

    /**
     * Any thread: build {@code job} on a pool thread, then apply it on its session's event loop. The caller counted
     * it in its service ({@link SyncService#submitDownload}); the pool calls {@link SyncService#downloadDone()} once
     * the job is handed back or dropped.
     */
    void submit(final DownloadJob job)
    {
        queue.add(job);
    }

    private void run()
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
            final SyncService service = job.service;
            try
            {
                if (service.isOpen())
                {
                    build(service, job);
                }
                else
                {
                    job.releaseFrame(); // its app is closing: nobody will send it
                }
            }
            finally
            {
                service.downloadDone();
            }
        }
    }

    private void build(final SyncService service, final DownloadJob job)
    {
        final long started = System.nanoTime();
        try
        {
            service.poolBuilder().build(job, job.connection);
        }
        catch (final Throwable t)
        {
            LOG.log(System.Logger.Level.ERROR, "building a " + job.kind + " message failed", t);
            job.releaseFrame();
            job.failure = t;
        }
        buildTimer.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        built.incrementAndGet();
        try
        {
            job.connection.execute(TaskKind.DOWNLOAD, job.listener::built);
        }
        catch (final RuntimeException ex)
        {
            // the event loop is gone (shutdown): nobody will send it
            job.releaseFrame();
        }
    }

    /** Stop the threads (jobs still queued are dropped); waits up to 10 s. */
    void close()
    {
        DownloadJob dropped;
        while ((dropped = queue.poll()) != null)
        {
            if (dropped != STOP)
            {
                dropped.releaseFrame();
                dropped.service.downloadDone();
            }
        }
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

    /**
     * The pool of one server: created when the first app's service opens (with that configuration's thread count,
     * a server-wide setting) and closed when the last one closes. Services open and close on one thread at a time.
     */
    static final class Shared
    {
        private final Timer buildTimer;
        private DownloadPool pool;
        private int users;

        Shared(final Timer buildTimer)
        {
            this.buildTimer = buildTimer;
        }

        synchronized DownloadPool acquire(final int threads)
        {
            if (null == pool)
            {
                pool = new DownloadPool(threads, buildTimer);
                pool.start();
            }
            users++;
            return pool;
        }

        synchronized void release(final DownloadPool released)
        {
            if (released == pool && --users == 0)
            {
                pool.close();
                pool = null;
            }
        }
    }
}
