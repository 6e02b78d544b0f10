package dev.outpost.server.sync;

import dev.outpost.codec.ProtocolErrorCode;
import dev.outpost.server.config.ServerConfig;
import dev.outpost.server.metrics.HistoryStats;
import dev.outpost.server.metrics.ServerMetrics;
import dev.outpost.server.store.HistoryStore;
import dev.outpost.server.store.StoreConfig;
import dev.outpost.server.store.StoreException;
import dev.outpost.server.ws.SyncConnection;
import dev.outpost.server.ws.SyncConnectionHandler;
import dev.outpost.server.ws.SyncConnectionHandlerFactory;
import dev.outpost.server.ws.SyncEngine;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The sync engine of one server: the durable history store ({@code <dataDir>/sync}), one {@link ShardWriter} per
 * store shard, the runtime of every open server file, and the {@link SyncConnectionHandlerFactory} that gives each
 * sync WebSocket its {@link ConnectionHandler}. Thread-safe; {@link #open} and {@link #close} from one thread.
 */
public final class SyncService implements SyncEngine
{
    /** System property: how long a connection may stay unwritable with downloads pending before it is dropped. */
    public static final String SLOW_CONSUMER_TIMEOUT_PROP = "outpost.slow.consumer.timeout";
    /** System property: capacity of each writer's handoff queue (commands; rounded up to a power of two). */
    public static final String WRITER_QUEUE_PROP = "outpost.writer.queue";

    final ServerConfig config;
    final Duration slowConsumerTimeout;
    private final HistoryStore store;
    final ServerMetrics metrics;
    private volatile boolean open = true;
    private final ShardWriter[] writers;
    private final ConcurrentHashMap<String, FileContext> files = new ConcurrentHashMap<>();
    private final ThreadLocal<LoopResources> loopResources;
    private final java.util.Set<ConnectionHandler> handlers = ConcurrentHashMap.newKeySet();
    private final Queue<LoopResources> allLoopResources = new ConcurrentLinkedQueue<>();
    private final AtomicLong slowConsumersDropped = new AtomicLong();
    private final AtomicLong handoffRetries = new AtomicLong();
    private final AtomicLong uploadsPipelined = new AtomicLong();
    private final AtomicLongArray errorsSent = new AtomicLongArray(300);
    private final HistoryStats historyStats;

    private SyncService(final ServerConfig config, final HistoryStore store, final ServerMetrics metrics)
    {
        this.metrics = metrics;
        this.historyStats = HistoryStats.of(store);
        metrics.history(historyStats);
        this.config = config;
        this.store = store;
        this.slowConsumerTimeout = ServerConfig.parseDuration(SLOW_CONSUMER_TIMEOUT_PROP,
            System.getProperty(SLOW_CONSUMER_TIMEOUT_PROP, "60s"));
        this.writers = new ShardWriter[store.shardCount()];
        for (int i = 0; i < writers.length; i++)
        {
            writers[i] = new ShardWriter(store, i, files,
                Integer.getInteger(WRITER_QUEUE_PROP, ShardWriter.QUEUE_CAPACITY), metrics);
        }
        this.loopResources = ThreadLocal.withInitial(() ->
        {
            final LoopResources r = new LoopResources(store.newReader());
            allLoopResources.add(r);
            return r;
        });
    }

    /**
     * Open the store under {@code config.dataDir()/sync} and start the writers.
     *
     * @param config a concluded configuration.
     * @return the running service.
     * @throws StoreException if the store cannot be opened.
     */
    public static SyncService open(final ServerConfig config) throws StoreException
    {
        return open(config, new ServerMetrics());
    }

    /**
     * {@link #open(ServerConfig)} feeding {@code metrics} (sessions, uploads, downloads, errors, timings, history).
     */
    public static SyncService open(final ServerConfig config, final ServerMetrics metrics) throws StoreException
    {
        final HistoryStore store = HistoryStore.open(new StoreConfig().dataDir(syncDir(config.dataDir())));
        final SyncService service = new SyncService(config, store, metrics);
        for (final ShardWriter w : service.writers)
        {
            w.start();
        }
        return service;
    }

    static Path syncDir(final Path dataDir)
    {
        return dataDir.resolve("sync");
    }

    public SyncConnectionHandler newHandler(final SyncConnection connection)
    {
        final ConnectionHandler handler = new ConnectionHandler(this, connection);
        handlers.add(handler);
        return handler;
    }

    void handlerClosed(final ConnectionHandler handler)
    {
        handlers.remove(handler);
    }

    /**
     * Graceful shutdown: every connection gets {@code error 100} with try_again (the client reconnects after about
     * a second) and is closed with 1001; waits until all report closed, at most {@code timeout}.
     */
    public int drain(final Duration timeout)
    {
        final ConnectionHandler[] open = handlers.toArray(new ConnectionHandler[0]);
        for (final ConnectionHandler h : open)
        {
            h.connection.execute(h::serverShutdown);
        }
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (!handlers.isEmpty() && System.nanoTime() < deadline)
        {
            try
            {
                Thread.sleep(5);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return open.length;
    }

    /** @return the server file name of a PBS partition (the BIND path as the client sends it). */
    public static String pbsFileName(final String appId, final String partition)
    {
        return "pbs/" + appId + "/" + partition;
    }

    /** @return the server file name of an app's FLX data set. */
    public static String flxFileName(final String appId)
    {
        return "flx/" + appId;
    }

    ShardWriter writerFor(final String name)
    {
        return writers[HistoryStore.shardIndex(name, writers.length)];
    }

    LoopResources loopResources()
    {
        return loopResources.get();
    }

    /**
     * The server's object state of a server file, as {@code ObjectState.dump()} text (canonical: equal states give
     * equal text), built on the file's writer. For tests and diagnostics.
     *
     * @param serverFileName see {@link #pbsFileName} and {@link #flxFileName}.
     * @return the dump, or null if the server file does not exist.
     */
    public String objectStateDump(final String serverFileName)
        throws InterruptedException, ExecutionException, TimeoutException
    {
        if (store.serverFile(serverFileName) == null)
        {
            return null;
        }
        final CompletableFuture<String> result = new CompletableFuture<>();
        final WriterCommand dump = new WriterCommand()
        {
            private String text;

            void execute(final ShardWriter writer)
            {
                text = writer.open(serverFileName).state().dump();
            }

            void complete()
            {
                result.complete(text);
            }

            void fail(final Throwable cause)
            {
                result.completeExceptionally(cause);
            }
        };
        final ShardWriter w = writerFor(serverFileName);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!w.offer(dump))
        {
            if (System.nanoTime() > deadline)
            {
                throw new TimeoutException("writer handoff full");
            }
            Thread.sleep(1);
        }
        return result.get(30, TimeUnit.SECONDS);
    }

    /** @return the published head version of a server file, or -1 if it does not exist. */
    public long head(final String serverFileName)
    {
        final var f = store.serverFile(serverFileName);
        return f == null ? -1 : f.head();
    }

    /** @return connections dropped so far by the slow-consumer policy. */
    public long slowConsumersDropped()
    {
        return slowConsumersDropped.get();
    }

    /**
     * @param code a protocol error code (100..299).
     * @return how many {@code error}/{@code json_error}/{@code query_error} messages with it were sent.
     */
    public long errorsSent(final int code)
    {
        return code >= 0 && code < errorsSent.length() ? errorsSent.get(code) : 0;
    }

    void errorSent(final int code)
    {
        metrics.protocolError(ProtocolErrorCode.of(code));
        if (code >= 0 && code < errorsSent.length())
        {
            errorsSent.incrementAndGet(code);
        }
    }

    /** @return UPLOADs handed to the writer while an earlier UPLOAD of the same session was still in flight. */
    public long uploadsPipelined()
    {
        return uploadsPipelined.get();
    }

    void uploadPipelined()
    {
        uploadsPipelined.incrementAndGet();
    }

    /** @return times a command found its writer's handoff full and was retried later (back-pressure). */
    public long handoffRetries()
    {
        return handoffRetries.get();
    }

    void handoffRetried()
    {
        metrics.writerHandoffRetried();
        handoffRetries.incrementAndGet();
    }

    void slowConsumerDropped()
    {
        metrics.slowConsumerDropped();
        slowConsumersDropped.incrementAndGet();
    }

    /** @return the metrics this service feeds. */
    public ServerMetrics metrics()
    {
        return metrics;
    }

    /** @return true until {@link #close()} begins (readiness). */
    public boolean isOpen()
    {
        return open;
    }

    /** Stop the writers and close the store. Call after the HTTP server (and so every event loop) stopped. */
    public void close()
    {
        open = false;
        metrics.removeHistory(historyStats);
        for (final ShardWriter w : writers)
        {
            w.stop();
        }
        LoopResources r;
        while ((r = allLoopResources.poll()) != null)
        {
            r.reader.close();
            r.zlib.close();
        }
        store.close();
    }
}
