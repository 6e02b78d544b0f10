package dev.outpost.bench.load;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import org.HdrHistogram.Histogram;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonObject;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * The ceilings Outpost is compared with, measured on the same machine with the same payloads:
 * <ul>
 * <li>{@link #chronicleAppend}: one thread appending the payloads to a Chronicle Queue (what the store's append
 * costs with no sync logic at all);</li>
 * <li>{@link #webSocketEcho}: a Vert.x WebSocket server echoing binary messages to Vert.x clients over loopback,
 * a fixed window of messages in flight per connection (what the transport alone carries).</li>
 * </ul>
 * Call from a plain thread (blocks).
 */
public final class Limits
{
    private Limits()
    {
    }

    /** @return {@code appends_per_s}, {@code bytes_per_s}, {@code payload_bytes}, {@code seconds}. */
    public static JsonObject chronicleAppend(final List<byte[]> payloads, final double seconds) throws Exception
    {
        System.setProperty("chronicle.analytics.disable", "true");
        System.setProperty("chronicle.announcer.disable", "true");
        final Path dir = Files.createTempDirectory("outpost-limit-cq");
        long count = 0;
        long bytes = 0;
        final long start;
        final long end;
        try (ChronicleQueue q = ChronicleQueue.singleBuilder(dir).rollCycle(RollCycles.FAST_DAILY).build();
            ExcerptAppender appender = q.createAppender())
        {
            final long deadline = System.nanoTime() + (long)(seconds * 1e9);
            start = System.nanoTime();
            long now = start;
            while (now < deadline)
            {
                for (int i = 0; i < 256; i++)
                {
                    final byte[] p = payloads.get((int)(count % payloads.size()));
                    try (DocumentContext dc = appender.writingDocument())
                    {
                        final Bytes<?> b = dc.wire().bytes();
                        b.writeLong(count);
                        b.write(p);
                    }
                    count++;
                    bytes += p.length;
                }
                now = System.nanoTime();
            }
            end = now;
        }
        finally
        {
            deleteTree(dir);
        }
        final double s = (end - start) / 1e9;
        return new JsonObject().put("appends_per_s", Math.round(count / s)).put("bytes_per_s", Math.round(bytes / s))
            .put("payload_bytes", payloads.isEmpty() ? 0 : bytes / Math.max(1, count)).put("seconds", s);
    }

    /**
     * @param payloadBytes message size.
     * @param connections client connections.
     * @param window messages in flight per connection.
     * @return {@code messages_per_s}, {@code bytes_per_s} (one direction) and {@code latency} (round trip).
     */
    public static JsonObject webSocketEcho(final int payloadBytes, final int connections, final int window,
        final double seconds) throws Exception
    {
        final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2).setPreferNativeTransport(true));
        try
        {
            final HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0)
                .setTcpNoDelay(true).setMaxWebSocketMessageSize(64 << 20).setMaxWebSocketFrameSize(64 << 20))
                .webSocketHandler(ws -> ws.binaryMessageHandler(ws::writeBinaryMessage));
            server.listen().await();
            final WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions()
                .setMaxConnections(connections + 1).setTcpNoDelay(true).setMaxMessageSize(64 << 20)
                .setMaxFrameSize(64 << 20));
            final Histogram latency = new Histogram(600_000_000L, 3);
            final AtomicLong messages = new AtomicLong();
            final byte[] payload = new byte[Math.max(8, payloadBytes)];
            // [0] end of warm-up, [1] deadline: set once every connection is up
            final java.util.concurrent.atomic.AtomicLongArray timing = new java.util.concurrent.atomic.AtomicLongArray(
                new long[] {Long.MAX_VALUE, Long.MAX_VALUE});
            final List<WebSocket> sockets = new java.util.ArrayList<>();
            final CountDownLatch done = new CountDownLatch(connections);
            for (int c = 0; c < connections; c++)
            {
                final WebSocket ws = client.connect(server.actualPort(), "127.0.0.1", "/").await();
                final boolean[] finished = new boolean[1];
                ws.binaryMessageHandler(b ->
                {
                    final long now = System.nanoTime();
                    final long sent = b.getLong(0);
                    final long warmupEnd = timing.get(0);
                    if (now >= timing.get(1))
                    {
                        if (!finished[0])
                        {
                            finished[0] = true;
                            done.countDown();
                        }
                        return;
                    }
                    if (now >= warmupEnd && sent >= warmupEnd)
                    {
                        synchronized (latency)
                        {
                            latency.recordValue(Math.max(1, (now - sent) / 1000));
                        }
                        messages.incrementAndGet();
                    }
                    final Buffer next = Buffer.buffer(payload);
                    next.setLong(0, now);
                    ws.writeBinaryMessage(next);
                });
                sockets.add(ws);
            }
            timing.set(0, System.nanoTime() + 500_000_000L);
            timing.set(1, timing.get(0) + (long)(seconds * 1e9));
            for (final WebSocket ws : sockets)
            {
                for (int i = 0; i < window; i++)
                {
                    final Buffer first = Buffer.buffer(payload);
                    first.setLong(0, System.nanoTime());
                    ws.writeBinaryMessage(first);
                }
            }
            done.await((long)(seconds + 30), TimeUnit.SECONDS);
            final double s = seconds;
            final long n = messages.get();
            client.close().await();
            server.close().await();
            synchronized (latency)
            {
                return new JsonObject().put("messages_per_s", Math.round(n / s))
                    .put("bytes_per_s", Math.round(n * (double)payload.length / s)).put("payload_bytes", payload.length)
                    .put("connections", connections).put("window", window).put("seconds", s)
                    .put("latency", LoadMetrics.json(latency));
            }
        }
        finally
        {
            vertx.close().await();
        }
    }

    static void deleteTree(final Path dir)
    {
        try (Stream<Path> s = Files.walk(dir))
        {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        catch (final Exception ignored)
        {
            // best effort
        }
    }
}
