package dev.outpost.server.sync.writer;

import dev.outpost.server.config.ServerConfig;
import dev.outpost.server.metrics.AppMetrics;
import dev.outpost.server.store.HistoryStore;
import dev.outpost.server.store.ServerFile;
import dev.outpost.server.store.StoreFailure;
import dev.outpost.server.store.StoreFull;
import dev.outpost.server.store.StoreShard;
import dev.outpost.server.sync.flx.ViewLog;
import dev.outpost.server.sync.wire.SharedEntries;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.SystemEpochClock;

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
public final class ShardWriter implements Runnable
{
    /** Default handoff capacity (commands); the setting {@code ServerConfig.writerQueue()} overrides it. */
    static final int QUEUE_CAPACITY = 4096;
    static final int MAX_BATCH = 256;
    private static final System.Logger LOG = System.getLogger(ShardWriter.class.getName());

    final StoreShard shard;
    /** Writer-owned scratch (parsers, encoder, view) and the tests' fault hook. */
    public final ShardServerHistory.WriterTools tools;
    /** The recycled copies of the UPLOAD bodies handed to this writer. */
    private final UploadBuffers uploadBuffers = new UploadBuffers();
    private final HistoryStore store;
    private final ConcurrentHashMap<String, FileContext> files;
    private final ManyToOneConcurrentArrayQueue<WriterCommand> queue;
    private final ArrayList<WriterCommand> batch = new ArrayList<>(MAX_BATCH);
    private final ArrayList<FileContext> touched = new ArrayList<>();
    /** Contexts whose state the running command loaded or used (unloaded if it fails). */
    private final ArrayList<FileContext> commandUsed = new ArrayList<>();
    /** Contexts used in the running batch (their size estimate is refreshed after it). */
    private final ArrayList<FileContext> batchUsed = new ArrayList<>();
    /** Loaded contexts, least recently used first (an intrusive list through FileContext). */
    private FileContext lruHead;
    private FileContext lruTail;
    private volatile int loadedFiles;
    private long loadedBytes;
    private final int maxLoadedFiles;
    private final long maxLoadedBytes;
    private volatile long evictions;
    /** Memory pressure: keep one object state loaded ({@link #memoryPressure}). */
    private volatile boolean shedding;
    private volatile boolean shedRequested;
    /** Contexts of this writer's server files in the service's map (see {@link #evict}). */
    private volatile int residentFiles;
    private volatile long contextEvictions;
    private long lastSweep = System.nanoTime();
    private volatile long abortedCommands;
    private boolean failureLogged;
    /** A write was refused for want of space and not yet followed by one that found room (logged once each way). */
    private boolean spaceLowLogged;
    private final io.micrometer.core.instrument.Counter writesRefused;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean sleeping;
    final AppMetrics metrics;
    /** FLX: history entries whose view annotations each file holds (set before {@link #start}). */
    int viewLogEntries = ViewLog.CAPACITY;
    /** Parsed history entries each loaded file keeps for merges (set before {@link #start}). */
    int parsedEntries = ServerConfig.WRITER_PARSED_ENTRIES_DEFAULT;
    /** Recent history entries each file keeps encoded for its sessions' DOWNLOADs (0: none; before start). */
    int sharedEntries = ServerConfig.DOWNLOAD_SHARED_ENTRIES_DEFAULT;
    /** The app's bound of those entries' memory (one for all its writers). */
    SharedEntries.Budget sharedBudget = new SharedEntries.Budget();
    /** State checkpoints (null: none; set before {@link #start}). */
    StateCheckpoints checkpoints;

    public ShardWriter(final HistoryStore store, final int shardIndex,
        final ConcurrentHashMap<String, FileContext> files, final int queueCapacity, final AppMetrics metrics)
    {
        this(store, shardIndex, files, queueCapacity, metrics, Integer.MAX_VALUE, Long.MAX_VALUE,
            SystemEpochClock.INSTANCE);
    }

    /**
     * @param maxLoadedFiles at most this many server files keep their object state and integrator in memory.
     * @param maxLoadedBytes ... and their estimated size stays below this (the least recently used are evicted and
     *                       rebuilt from the history when touched again).
     * @param clock          the server's clock (timestamps of server changesets, client files' last-seen times).
     */
    public ShardWriter(final HistoryStore store, final int shardIndex,
        final ConcurrentHashMap<String, FileContext> files, final int queueCapacity, final AppMetrics metrics,
        final int maxLoadedFiles, final long maxLoadedBytes, final EpochClock clock)
    {
        this.tools = new ShardServerHistory.WriterTools(clock);
        this.maxLoadedFiles = maxLoadedFiles;
        this.maxLoadedBytes = maxLoadedBytes;
        this.metrics = metrics;
        this.writesRefused = metrics.counter("outpost.store.writes.refused",
            "writer commands refused because the data directory's filesystem is (nearly) full (clients retry)");
        this.queue = new ManyToOneConcurrentArrayQueue<>(queueCapacity);
        this.store = store;
        this.shard = store.shard(shardIndex);
        this.files = files;
        this.thread = new Thread(this, "outpost-writer-" + shardIndex);
        this.thread.setDaemon(true);
    }

    /** FLX: history entries whose view annotations each server file holds (before {@link #start}). */
    public ShardWriter viewLogEntries(final int entries)
    {
        this.viewLogEntries = entries;
        return this;
    }

    /** Parsed history entries each loaded file keeps for merges (before {@link #start}; 0: none). */
    public ShardWriter parsedEntries(final int entries)
    {
        this.parsedEntries = entries;
        return this;
    }

    /** Recent history entries each server file keeps encoded for its sessions (before {@link #start}; 0: none). */
    public ShardWriter sharedEntries(final int entries, final SharedEntries.Budget budget)
    {
        this.sharedEntries = entries;
        this.sharedBudget = budget;
        return this;
    }

    /** @return the pool of UPLOAD body copies handed to this writer (taken by event loops, released here). */
    public UploadBuffers uploadBuffers()
    {
        return uploadBuffers;
    }

    /** State checkpoints written when a state leaves the cache and read when one is built (before {@link #start}). */
    public ShardWriter checkpoints(final StateCheckpoints checkpoints)
    {
        this.checkpoints = checkpoints;
        return this;
    }

    public void start()
    {
        thread.start();
    }

    /**
     * Any thread: hand a command over.
     *
     * @return false if the handoff is full (retry later) or the writer stopped.
     */
    public boolean offer(final WriterCommand command)
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

    public void stop()
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
                if (shedRequested)
                {
                    shedRequested = false;
                    evictOver(1, 0);
                }
                sweepIdle();
                continue;
            }
            final long batchStarted = System.nanoTime();
            for (int i = 0; i < n; i++)
            {
                final WriterCommand c = batch.get(i);
                shard.beginCommand();
                commandUsed.clear();
                try
                {
                    c.execute(this);
                    tools.fault(FaultPoint.END_OF_COMMAND);
                    c.unpin();
                    if (c.rollback)
                    {
                        abortCommand();
                    }
                    else
                    {
                        shard.endCommand();
                    }
                }
                catch (final Throwable t)
                {
                    c.unpin();
                    abortCommand();
                    if (t instanceof FileContext.Evicted)
                    {
                        c.fail(t); // its session ended: nobody sees the result
                        batch.set(i, null);
                        continue;
                    }
                    if (t instanceof StoreFull)
                    {
                        spaceLow((StoreFull)t);
                    }
                    else if (!(t instanceof StoreFailure) || !failureLogged)
                    {
                        LOG.log(System.Logger.Level.ERROR, "writer command failed (rolled back)", t);
                        failureLogged |= t instanceof StoreFailure;
                    }
                    c.fail(t);
                    batch.set(i, null);
                }
            }
            if (!shard.publish())
            {
                // the batch could not be committed (or synced): acknowledge nothing of it
                final StoreFailure failure = shard.failure();
                if (!failureLogged)
                {
                    LOG.log(System.Logger.Level.ERROR, "shard " + shard.index() + " stopped writing; restart the " +
                        "server to recover what is on disk", failure);
                    failureLogged = true;
                }
                for (int i = 0; i < n; i++)
                {
                    final WriterCommand c = batch.get(i);
                    if (c != null)
                    {
                        c.fail(failure);
                        batch.set(i, null);
                    }
                }
            }
            else if (spaceLowLogged && !shard.spaceLow())
            {
                spaceLowLogged = false;
                LOG.log(System.Logger.Level.INFO, "shard " + shard.index() + ": the data directory's filesystem " +
                    "has room again, writes resume");
            }
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
            evictIdle();
        }
        checkpointAll();
    }

    /**
     * A command was refused for want of space (it was rolled back; its session gets a retryable error): counted,
     * logged once (one line, no stack trace) until the filesystem has room again.
     */
    private void spaceLow(final StoreFull full)
    {
        writesRefused.increment();
        if (!spaceLowLogged)
        {
            spaceLowLogged = true;
            LOG.log(System.Logger.Level.ERROR, "writes refused until space returns (clients retry, nothing " +
                "acknowledged is lost): " + full.getMessage());
        }
    }

    /** The running command failed or asked for a rollback: undo its writes and drop the state it may have changed. */
    private void abortCommand()
    {
        shard.abortCommand();
        for (int i = 0, m = commandUsed.size(); i < m; i++)
        {
            unload(commandUsed.get(i));
        }
        commandUsed.clear();
        abortedCommands++;
    }

    /** Writer: {@code ctx}'s state is (being) used by the running command; it becomes the most recently used. */
    void used(final FileContext ctx)
    {
        commandUsed.add(ctx);
        if (!ctx.inBatch)
        {
            ctx.inBatch = true;
            batchUsed.add(ctx);
        }
        if (ctx.inLru)
        {
            if (ctx == lruTail)
            {
                return;
            }
            lruRemove(ctx);
        }
        else
        {
            loadedFiles++;
        }
        ctx.lruPrev = lruTail;
        ctx.lruNext = null;
        if (lruTail != null)
        {
            lruTail.lruNext = ctx;
        }
        else
        {
            lruHead = ctx;
        }
        lruTail = ctx;
        ctx.inLru = true;
    }

    /** Writer: drop {@code ctx}'s object state, integrator and parsed-entry cache (rebuilt on the next use). */
    void unload(final FileContext ctx)
    {
        if (ctx.inLru)
        {
            lruRemove(ctx);
            ctx.inLru = false;
            loadedFiles--;
            loadedBytes -= ctx.estimatedBytes;
            ctx.estimatedBytes = 0;
        }
        ctx.unload();
    }

    /** After a batch: refresh the size estimates of the files it used, then evict the least recently used. */
    private void evictIdle()
    {
        for (int i = 0, m = batchUsed.size(); i < m; i++)
        {
            final FileContext ctx = batchUsed.get(i);
            ctx.inBatch = false;
            if (ctx.inLru)
            {
                final long estimate = ctx.estimateBytes();
                loadedBytes += estimate - ctx.estimatedBytes;
                ctx.estimatedBytes = estimate;
            }
        }
        batchUsed.clear();
        evictOver(shedding ? 1 : maxLoadedFiles, shedding ? 0 : maxLoadedBytes);
        sweepIdle();
    }

    /**
     * Writer: unload the least recently used object states until at most {@code files} are loaded and their estimate
     * is at most {@code bytes}; the most recently used file always stays, even if it alone is over the byte budget.
     */
    private void evictOver(final int files, final long bytes)
    {
        while (lruHead != null && lruHead != lruTail && (loadedFiles > files || loadedBytes > bytes))
        {
            final FileContext victim = lruHead;
            checkpoint(victim);
            unload(victim);
            evictions++;
            if (!victim.pinned())
            {
                evict(victim);
            }
        }
    }

    /**
     * The process is short of heap (or no longer): while it lasts, this writer keeps only its most recently used
     * object state after each batch (the others are rebuilt from the history when used again), and drops them at once
     * if it is idle. Any thread.
     */
    public void memoryPressure(final boolean pressure)
    {
        shedding = pressure;
        if (pressure)
        {
            shedRequested = true;
            LockSupport.unpark(thread);
        }
    }

    /** Writer, between batches: hand {@code ctx}'s state to the checkpoint writer before it is dropped. */
    void checkpoint(final FileContext ctx)
    {
        if (checkpoints != null && ctx.loaded())
        {
            ctx.checkpointVersion = checkpoints.schedule(shard, ctx.file, ctx.state(), ctx.reverts(),
                ctx.checkpointVersion, tools.view);
        }
    }

    /** Writer, when it stops: checkpoint every state still loaded, most recently used first, for at most 5 s. */
    private void checkpointAll()
    {
        if (checkpoints == null || shard.failure() != null)
        {
            return;
        }
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        for (FileContext ctx = lruTail; ctx != null && System.nanoTime() < deadline; ctx = ctx.lruPrev)
        {
            if (ctx.loaded())
            {
                ctx.checkpointVersion = checkpoints.scheduleWaiting(shard, ctx.file, ctx.state(), ctx.reverts(),
                    ctx.checkpointVersion, tools.view, deadline - System.nanoTime());
            }
        }
    }

    /**
     * Writer: contexts unloaded while a session held them stay until it ends; when there are more contexts than the
     * state cache holds, at most once a second, drop those nobody holds any more.
     */
    private void sweepIdle()
    {
        if (residentFiles <= maxLoadedFiles)
        {
            return;
        }
        final long now = System.nanoTime();
        if (now - lastSweep < TimeUnit.SECONDS.toNanos(1))
        {
            return;
        }
        lastSweep = now;
        for (final FileContext ctx : files.values())
        {
            if (ctx.writer == this && !ctx.inLru && !ctx.inBatch && !ctx.touched && !ctx.pinned())
            {
                evict(ctx);
            }
        }
    }

    /**
     * Writer: forget an idle, unloaded context entirely (its sessions registry is empty, its object state already
     * dropped); the server file stays in the store and the next BIND builds a new context from it.
     */
    private void evict(final FileContext ctx)
    {
        if (files.remove(ctx.name, ctx))
        {
            ctx.evicted = true;
            residentFiles--;
            contextEvictions++;
            // nobody holds the context any more: the store's index of the file goes too (reloaded at the next BIND)
            shard.evict(ctx.file);
        }
    }

    private void lruRemove(final FileContext ctx)
    {
        if (ctx.lruPrev != null)
        {
            ctx.lruPrev.lruNext = ctx.lruNext;
        }
        else
        {
            lruHead = ctx.lruNext;
        }
        if (ctx.lruNext != null)
        {
            ctx.lruNext.lruPrev = ctx.lruPrev;
        }
        else
        {
            lruTail = ctx.lruPrev;
        }
        ctx.lruPrev = null;
        ctx.lruNext = null;
    }

    /** @return server files whose object state is in memory. Writer thread (any thread: approximate). */
    public int loadedFiles()
    {
        return loadedFiles;
    }

    /** @return the estimated bytes of the loaded object states. Writer thread (any thread: approximate). */
    public long loadedBytes()
    {
        return loadedBytes;
    }

    /** @return contexts of this writer's server files in memory. Any thread (approximate). */
    public int residentFiles()
    {
        return residentFiles;
    }

    /** @return idle contexts dropped so far. Any thread. */
    public long contextEvictions()
    {
        return contextEvictions;
    }

    /** @return object states evicted so far. Any thread. */
    public long evictions()
    {
        return evictions;
    }

    /** @return commands rolled back so far (failed, or asked to). Any thread. */
    public long abortedCommands()
    {
        return abortedCommands;
    }

    /** Writer: get or create the server file {@code name} (durable) and its context. */
    public FileContext open(final String name)
    {
        FileContext ctx = files.get(name);
        if (ctx == null)
        {
            final ServerFile f = shard.createServerFile(name);
            ctx = new FileContext(name, f, this);
            files.put(name, ctx);
            residentFiles++;
        }
        ctx.ensureLoaded(shard, tools);
        return ctx;
    }

    /**
     * Writer: the server file {@code name} was deleted in the store ({@link DeleteFileCommand}): its context, if any,
     * leaves the service's map for good (marked deleted and evicted: a late command of one of its sessions fails with
     * {@link FileContext.Evicted}, and the next BIND of the name builds a new context for the new server file), its
     * object state and caches are dropped, and its state checkpoint is deleted.
     *
     * @return the dropped context, or null if none was in memory.
     */
    FileContext deleted(final String name)
    {
        if (checkpoints != null)
        {
            checkpoints.forget(name);
        }
        final FileContext ctx = files.get(name);
        if (ctx == null || ctx.writer != this)
        {
            return null;
        }
        ctx.deleted = true;
        unload(ctx);
        if (files.remove(name, ctx))
        {
            ctx.evicted = true;
            residentFiles--;
        }
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
