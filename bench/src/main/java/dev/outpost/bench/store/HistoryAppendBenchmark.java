package dev.outpost.bench.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import dev.outpost.server.store.EntryView;
import dev.outpost.server.store.HistoryReader;
import dev.outpost.server.store.HistoryStore;
import dev.outpost.server.store.ServerFile;
import dev.outpost.server.store.StoreConfig;
import dev.outpost.server.store.StoreOpenException;
import dev.outpost.server.store.StoreShard;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Appending small, changeset-sized payloads: raw Chronicle Queue (baseline) against the store's append path (typed
 * record header, per-file index, publish), and reading an entry back by version.
 * <p>
 * Run through {@code BenchMain} so forks get the JVM flags Chronicle needs:
 * {@code java -jar bench/target/benchmarks.jar HistoryAppendBenchmark -f 1 -wi 1 -i 1 -w 1s -r 1s}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(2)
@State(Scope.Thread)
public class HistoryAppendBenchmark
{
    private static final int BATCH = 16;
    private static final int READ_VERSIONS = 100_000;
    /** Move on to a fresh server file now and then so the per-file index array stays small. */
    private static final long VERSIONS_PER_FILE = 1 << 20;

    @Param({"64", "512"})
    public int payloadSize;

    @Param({"16"})
    public int indexSpacing;

    private Path dir;
    private SingleChronicleQueue rawQueue;
    private ExcerptAppender rawAppender;
    private HistoryStore store;
    private StoreShard shard;
    private ServerFile file;
    private ServerFile readFile;
    private HistoryReader reader;
    private final EntryView view = new EntryView();
    private UnsafeBuffer payload;
    private long[] randomVersions;
    private int readCursor;
    private long sequentialVersion;
    private int fileGeneration;

    @Setup(Level.Trial)
    public void setUp() throws IOException, StoreOpenException
    {
        dir = Files.createTempDirectory("outpost-bench-store");
        payload = new UnsafeBuffer(ByteBuffer.allocateDirect(payloadSize));
        final SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < payloadSize; i++)
        {
            payload.putByte(i, (byte)r.nextInt());
        }
        rawQueue = SingleChronicleQueueBuilder.binary(dir.resolve("raw")).rollCycle(RollCycles.FAST_DAILY).build();
        store = HistoryStore.open(new StoreConfig().dataDir(dir.resolve("store")).shardCount(1)
            .indexSpacing(indexSpacing));
        shard = store.shard(0);
        file = shard.createServerFile("/bench/append");
        readFile = shard.createServerFile("/bench/read");
        for (int v = 0; v < READ_VERSIONS; v++)
        {
            payload.putInt(0, v + 1);
            shard.append(readFile, 2, v, v, payloadSize, payload, 0, payloadSize);
        }
        shard.publish();
        randomVersions = new long[1 << 16];
        for (int i = 0; i < randomVersions.length; i++)
        {
            randomVersions[i] = 1 + r.nextInt(READ_VERSIONS);
        }
    }

    @Setup(Level.Iteration)
    public void claimThreads()
    {
        // JMH may run iterations on another worker thread: hand the single-writer objects over explicitly.
        shard.claimWriter();
        rawAppender = rawAppender == null ? rawQueue.createAppender() : rawAppender;
        rawAppender.singleThreadedCheckReset();
        if (reader == null)
        {
            reader = store.newReader();
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException
    {
        reader.close();
        rawAppender.close();
        rawQueue.close();
        store.close();
        try (Stream<Path> s = Files.walk(dir))
        {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** Baseline: one Chronicle document holding the payload only. */
    @Benchmark
    public long rawChronicleAppend()
    {
        try (DocumentContext dc = rawAppender.writingDocument())
        {
            dc.wire().bytes().unsafeWrite(payload.addressOffset(), payloadSize);
        }
        return rawAppender.lastIndexAppended();
    }

    /** The store's path for one upload of one changeset: append, then publish (batch of one). */
    @Benchmark
    public long storeAppendAndPublish()
    {
        rollFileIfLong();
        final long version = shard.append(file, 2, 1, 1, payloadSize, payload, 0, payloadSize);
        shard.publish();
        return version;
    }

    /** Smart batching: {@value #BATCH} appends, one publish. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long storeAppendBatchOf16()
    {
        rollFileIfLong();
        long version = 0;
        for (int i = 0; i < BATCH; i++)
        {
            version = shard.append(file, 2, 1, 1, payloadSize, payload, 0, payloadSize);
        }
        shard.publish();
        return version;
    }

    private void rollFileIfLong()
    {
        if (file.lastAppended() >= VERSIONS_PER_FILE)
        {
            file = shard.createServerFile("/bench/append/" + ++fileGeneration);
        }
    }

    /** Random access by version (index lookup in Chronicle) through a reader's own tailer. */
    @Benchmark
    public int readRandomVersion()
    {
        final long version = randomVersions[readCursor++ & (randomVersions.length - 1)];
        reader.read(readFile, version, view);
        return view.changeset().getInt(0);
    }

    /** Sequential scan, as a DOWNLOAD builder does: no index lookup between neighbours. */
    @Benchmark
    public int readSequentialVersion()
    {
        long version = ++sequentialVersion;
        if (version > READ_VERSIONS)
        {
            sequentialVersion = 1;
            version = 1;
        }
        reader.read(readFile, version, view);
        return view.changeset().getInt(0);
    }
}
