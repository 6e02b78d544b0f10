package dev.outpost.bench.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import dev.outpost.server.store.HistoryStore;
import dev.outpost.server.store.ServerFile;
import dev.outpost.server.store.StoreConfig;
import dev.outpost.server.store.StoreOpenException;
import dev.outpost.server.store.StoreShard;
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
 * The cost of durability on the writer's path: appends per second when each batch of commands is committed with
 * {@code durability: os} (COMMIT record, write-back left to the OS) and with {@code fsync} (the batch forced to disk
 * before the publish), for batches of 1 and 16 one-changeset commands; the baseline appends outside commands (no
 * COMMIT record, the path before commit units). Scores are appends (changesets) per second.
 * <p>
 * {@code java -jar bench/target/benchmarks.jar DurabilityBenchmark -f 1 -wi 1 -i 3 -w 1s -r 2s}
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(2)
@State(Scope.Thread)
public class DurabilityBenchmark
{
    private static final int BATCH = 16;
    private static final long VERSIONS_PER_FILE = 1 << 20;

    @Param({"os", "fsync"})
    public String durability;

    @Param({"256"})
    public int payloadSize;

    private Path dir;
    private HistoryStore store;
    private StoreShard shard;
    private ServerFile file;
    private UnsafeBuffer payload;
    private int fileGeneration;

    @Setup(Level.Trial)
    public void setUp() throws IOException, StoreOpenException
    {
        // beside the build, on the disk a server would use (not a tmpfs /tmp, where fsync costs nothing)
        dir = Files.createTempDirectory(Path.of(System.getProperty("outpost.bench.dir", ".")), "outpost-durability");
        payload = new UnsafeBuffer(ByteBuffer.allocateDirect(payloadSize));
        store = HistoryStore.open(new StoreConfig().dataDir(dir).shardCount(1).fsync("fsync".equals(durability)));
        shard = store.shard(0);
        file = shard.createServerFile("/bench/durable");
    }

    @Setup(Level.Iteration)
    public void claim()
    {
        shard.claimWriter();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException
    {
        store.close();
        try (Stream<Path> s = Files.walk(dir))
        {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** A batch of one command of one changeset: commit (and sync) per append. */
    @Benchmark
    public long commandBatchOf1()
    {
        return batch(1);
    }

    /** Group commit: {@value #BATCH} commands, one commit (and sync). */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long commandBatchOf16()
    {
        return batch(BATCH);
    }

    /** Baseline: {@value #BATCH} appends outside commands, one publish (no COMMIT record; no sync either way). */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long plainBatchOf16()
    {
        roll();
        long version = 0;
        for (int i = 0; i < BATCH; i++)
        {
            version = shard.append(file, 2, 1, 1, payloadSize, payload, 0, payloadSize);
        }
        shard.publish();
        return version;
    }

    private long batch(final int commands)
    {
        roll();
        long version = 0;
        for (int i = 0; i < commands; i++)
        {
            shard.beginCommand();
            version = shard.append(file, 2, 1, 1, payloadSize, payload, 0, payloadSize);
            shard.endCommand();
        }
        shard.publish();
        return version;
    }

    private void roll()
    {
        if (file.lastAppended() >= VERSIONS_PER_FILE)
        {
            file = shard.createServerFile("/bench/durable/" + ++fileGeneration);
        }
    }
}
