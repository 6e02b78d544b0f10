package dev.outpost.server.store;

import java.nio.file.Path;
import java.util.Objects;

import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.RollCycles;

/**
 * Settings of a {@link HistoryStore}, each with its default and validation in one place.
 * <ul>
 *   <li>{@code dataDir}: required; created if missing.</li>
 *   <li>{@code shardCount} (default {@value #DEFAULT_SHARD_COUNT}, 1..{@value #MAX_SHARD_COUNT}): number of shared
 *       queues and writer shards. Only used when a data directory is initialised; an existing directory keeps the
 *       count in its format file, because server files are placed by {@code hash(name) % shardCount}.</li>
 *   <li>{@code blockSize} (default {@value #DEFAULT_BLOCK_SIZE} bytes, at least {@value #MIN_BLOCK_SIZE}): Chronicle
 *       memory-mapped chunk size. A single record (changeset plus header) must fit in a quarter of it.</li>
 *   <li>{@code timeoutMs} (default {@value #DEFAULT_TIMEOUT_MS}): how long Chronicle waits for its write lock
 *       before giving up (a lock left by a dead process is released at open).</li>
 *   <li>{@code indexSpacing} (default {@value #DEFAULT_INDEX_SPACING}, power of two) and {@code indexCount} (default
 *       {@value #DEFAULT_INDEX_COUNT}, power of two): Chronicle's sparse index. A read by version scans at most
 *       {@code indexSpacing - 1} records past an indexed one; a daily cycle file of one shard holds at most
 *       {@code indexCount^2 * indexSpacing} records (2^30 with the defaults, about 12k per second all day).
 *       Fixed when a cycle file is created.</li>
 *   <li>{@code fsync} (default false): force what a batch wrote to disk at every {@code publish()} before the
 *       heads are published (group commit; survives a power loss), instead of leaving write-back to the OS
 *       (survives a crash of the process, not of the machine).</li>
 * </ul>
 * Mutable until passed to {@link HistoryStore#open(StoreConfig)}; not thread-safe.
 */
public final class StoreConfig
{
    static
    {
        ChronicleDefaults.apply();
    }

    public static final int DEFAULT_SHARD_COUNT = 4;
    public static final int MAX_SHARD_COUNT = 256;
    public static final long DEFAULT_BLOCK_SIZE = 64L << 20;
    public static final long MIN_BLOCK_SIZE = 1L << 20;
    public static final long DEFAULT_TIMEOUT_MS = 2_000;
    public static final int DEFAULT_INDEX_SPACING = 16;
    public static final int DEFAULT_INDEX_COUNT = 8192;
    /** Default of {@link #minFreeBytes(long)}: one default block. */
    public static final long DEFAULT_MIN_FREE_BYTES = 64L << 20;

    private Path dataDir;
    private int shardCount = DEFAULT_SHARD_COUNT;
    private long blockSize = DEFAULT_BLOCK_SIZE;
    private long timeoutMs = DEFAULT_TIMEOUT_MS;
    private int indexSpacing = DEFAULT_INDEX_SPACING;
    private int indexCount = DEFAULT_INDEX_COUNT;
    private RollCycle rollCycle = RollCycles.FAST_DAILY;
    private boolean readOnly;
    private boolean fsync;
    private long minFreeBytes = DEFAULT_MIN_FREE_BYTES;
    private SpaceProbe spaceProbe;

    public StoreConfig dataDir(final Path dataDir)
    {
        this.dataDir = Objects.requireNonNull(dataDir, "dataDir");
        return this;
    }

    public Path dataDir()
    {
        return dataDir;
    }

    public StoreConfig shardCount(final int shardCount)
    {
        if (shardCount < 1 || shardCount > MAX_SHARD_COUNT)
        {
            throw new IllegalArgumentException("shardCount must be in 1.." + MAX_SHARD_COUNT + ": " + shardCount);
        }
        this.shardCount = shardCount;
        return this;
    }

    public int shardCount()
    {
        return shardCount;
    }

    public StoreConfig blockSize(final long blockSize)
    {
        if (blockSize < MIN_BLOCK_SIZE || Long.bitCount(blockSize) != 1)
        {
            throw new IllegalArgumentException("blockSize must be a power of two >= " + MIN_BLOCK_SIZE + ": " +
                blockSize);
        }
        this.blockSize = blockSize;
        return this;
    }

    public long blockSize()
    {
        return blockSize;
    }

    public StoreConfig indexSpacing(final int indexSpacing)
    {
        if (indexSpacing < 1 || indexSpacing > 4096 || Integer.bitCount(indexSpacing) != 1)
        {
            throw new IllegalArgumentException("indexSpacing must be a power of two in 1..4096: " + indexSpacing);
        }
        this.indexSpacing = indexSpacing;
        return this;
    }

    public int indexSpacing()
    {
        return indexSpacing;
    }

    public StoreConfig indexCount(final int indexCount)
    {
        if (indexCount < 256 || indexCount > 65536 || Integer.bitCount(indexCount) != 1)
        {
            throw new IllegalArgumentException("indexCount must be a power of two in 256..65536: " + indexCount);
        }
        this.indexCount = indexCount;
        return this;
    }

    public int indexCount()
    {
        return indexCount;
    }

    public StoreConfig timeoutMs(final long timeoutMs)
    {
        if (timeoutMs < 100)
        {
            throw new IllegalArgumentException("timeoutMs must be >= 100: " + timeoutMs);
        }
        this.timeoutMs = timeoutMs;
        return this;
    }

    public long timeoutMs()
    {
        return timeoutMs;
    }

    /**
     * Open the queues read-only (inspection tools): nothing is created or written, the data directory must already
     * be a store, and writer methods must not be called. Safe beside a running server: Chronicle queues are
     * multi-process, and a reader sees every record that was complete when it read it.
     */
    public StoreConfig readOnly(final boolean readOnly)
    {
        this.readOnly = readOnly;
        return this;
    }

    public boolean readOnly()
    {
        return readOnly;
    }

    /** Force each published batch to disk (see the class comment). */
    public StoreConfig fsync(final boolean fsync)
    {
        this.fsync = fsync;
        return this;
    }

    public boolean fsync()
    {
        return fsync;
    }

    /**
     * Free space the store leaves on its filesystem: a record that would leave less is refused with {@link StoreFull}
     * before anything of it is written (its command aborts, the client tries again later), instead of running the
     * memory-mapped queue into a full disk, where the JVM only learns of it through a SIGBUS. The COMMIT and ABORT
     * markers and Chronicle's index pages live in this reserve. 0 turns the check off.
     */
    public StoreConfig minFreeBytes(final long minFreeBytes)
    {
        if (minFreeBytes < 0)
        {
            throw new IllegalArgumentException("minFreeBytes must be >= 0: " + minFreeBytes);
        }
        this.minFreeBytes = minFreeBytes;
        return this;
    }

    public long minFreeBytes()
    {
        return minFreeBytes;
    }

    /**
     * Where the free space comes from (default: the data directory's {@link java.nio.file.FileStore}); tests inject a
     * full disk with it.
     */
    public StoreConfig spaceProbe(final SpaceProbe spaceProbe)
    {
        this.spaceProbe = spaceProbe;
        return this;
    }

    public SpaceProbe spaceProbe()
    {
        return spaceProbe;
    }

    /** @return the largest changeset one record can carry with this block size. */
    public int maxChangesetLength()
    {
        return (int)Math.min(Integer.MAX_VALUE, blockSize / 4 - RecordLayout.ENTRY_HEADER_LENGTH - 64);
    }

    /** Tests only: a fast roll cycle exercises reads and replay across cycle files. */
    StoreConfig rollCycle(final RollCycle rollCycle)
    {
        this.rollCycle = Objects.requireNonNull(rollCycle);
        return this;
    }

    RollCycle rollCycle()
    {
        return rollCycle;
    }

    void validate()
    {
        if (dataDir == null)
        {
            throw new IllegalArgumentException("dataDir is required");
        }
    }
}
