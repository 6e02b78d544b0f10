package dev.outpost.server.sync;

import dev.outpost.server.metrics.ServerMetrics;
import dev.outpost.server.store.HistoryStore;
import dev.outpost.server.store.ServerFile;
import dev.outpost.server.store.StoreShard;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;

import java.util.ArrayList;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The single writer of one store shard (and so of every server file in it): a plain thread draining a bounded
 * lock-free handoff ({@link ManyToOneConcurrentArrayQueue}). Smart batching: it drains up to {@link #MAX_BATCH}
 * commands, executes them (appending to the shard), publishes once, completes them (acknowledgements go back to the
 * event loops), then notifies the sessions of every server file that grew. When the queue is empty it parks; a
 * producer unparks it after an offer. A full queue is back-pressure: {@link #offer} returns false and the event loop
 * retries later; nothing ever blocks an event loop.
 */
final class ShardWriter implements Runnable
{
    /** Default handoff capacity (commands); the setting {@code ServerConfig.writerQueue()} overrides it. */
    static final int QUEUE_CAPACITY = 4096;
    static final int MAX_BATCH = 256;
    private static final System.Logger LOG = System.getLogger(ShardWriter.class.getName());

    final StoreShard shard;
    final StoreHistory.WriterTools tools = new StoreHistory.WriterTools();
    private final HistoryStore store;
    private final ConcurrentHashMap<String, FileContext> files;
    private final ManyToOneConcurrentArrayQueue<WriterCommand> queue;
    private final ArrayList<WriterCommand> batch = new ArrayList<>(MAX_BATCH);
    private final ArrayList<FileContext> touched = new ArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean sleeping;
    private final ServerMetrics metrics;

    ShardWriter(final HistoryStore store, final int shardIndex, final ConcurrentHashMap<String, FileContext> files,
        final int queueCapacity, final ServerMetrics metrics)
    {
        this.metrics = metrics;
        this.queue = new ManyToOneConcurrentArrayQueue<>(queueCapacity);
        this.store = store;
        this.shard = store.shard(shardIndex);
        this.files = files;
        this.thread = new Thread(this, "outpost-writer-" + shardIndex);
        this.thread.setDaemon(true);
    }

    void start()
    {
        thread.start();
    }

    /**
     * Any thread: hand a command over.
     *
     * @return false if the handoff is full (retry later) or the writer stopped.
     */
    boolean offer(final WriterCommand command)
    {
        if (!running || !queue.offer(command))
        {
            return false;
        }
        if (sleeping)
        {
            LockSupport.unpark(thread);
        }
        return true;
    }

    void stop()
    {
        running = false;
        LockSupport.unpark(thread);
        try
        {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    public void run()
    {
        shard.claimWriter();
        while (running)
        {
            final int n = queue.drain(batch::add, MAX_BATCH);
            if (n == 0)
            {
                sleeping = true;
                if (queue.isEmpty() && running)
                {
                    LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(50));
                }
                sleeping = false;
                continue;
            }
            final long batchStarted = System.nanoTime();
            for (int i = 0; i < n; i++)
            {
                final WriterCommand c = batch.get(i);
                try
                {
                    c.execute(this);
                }
                catch (final Throwable t)
                {
                    LOG.log(System.Logger.Level.ERROR, "writer command failed", t);
                    c.fail(t);
                    batch.set(i, null);
                }
            }
            shard.publish();
            if (!touched.isEmpty())
            {
                metrics.appendNanos(System.nanoTime() - batchStarted);
            }
            for (int i = 0; i < n; i++)
            {
                final WriterCommand c = batch.get(i);
                if (c != null)
                {
                    try
                    {
                        c.complete();
                    }
                    catch (final Throwable t)
                    {
                        LOG.log(System.Logger.Level.ERROR, "writer completion failed", t);
                    }
                }
            }
            for (int i = 0, m = touched.size(); i < m; i++)
            {
                final FileContext f = touched.get(i);
                f.touched = false;
                f.notifySessions();
            }
            touched.clear();
            batch.clear();
        }
    }

    /** Writer: get or create the server file {@code name} (durable) and its context. */
    FileContext open(final String name)
    {
        FileContext ctx = files.get(name);
        if (ctx == null)
        {
            final ServerFile f = shard.createServerFile(name);
            ctx = new FileContext(name, f, this);
            files.put(name, ctx);
        }
        ctx.ensureLoaded(shard, tools);
        return ctx;
    }

    /** Writer: remember that {@code ctx} grew in this batch (its sessions are notified after the publish). */
    void touched(final FileContext ctx)
    {
        if (!ctx.touched)
        {
            ctx.touched = true;
            touched.add(ctx);
        }
    }

    HistoryStore store()
    {
        return store;
    }
}
