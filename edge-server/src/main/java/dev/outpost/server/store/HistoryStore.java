package dev.outpost.server.store;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.util.Properties;
import java.util.stream.Stream;

import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;

/**
 * The durable server history of one node: a data directory holding a format file and a fixed number of shard
 * queues ({@code shard-0}, {@code shard-1}, ...), each shared by every server file whose name hashes to it.
 * Opening replays every queue to rebuild the in-memory index (server files, versions, clients, reciprocals).
 * <p>
 * Threads: open and close on one thread. {@link #shardFor(String)}, {@link #serverFile(String)} and
 * {@link #newReader()} from any thread; each {@link StoreShard}'s writer methods from that shard's writer thread.
 */
public final class HistoryStore implements AutoCloseable
{
    /**
     * The data-directory format this build writes. 2 added commit units (record flags, COMMIT and ABORT records);
     * a format-1 directory is read as is (its records are all committed on their own) and its format file is
     * rewritten when it is opened for writing, after which older builds refuse it instead of replaying aborted
     * records as valid. 3 added history compaction and deleted server files: the format file may name a compaction
     * {@code generation} G &gt; 0, and then shard i lives in {@code shard-i.cG} instead of {@code shard-i} (see
     * {@link StoreCompaction}), and a FILE_DELETED tombstone marks a deleted server file (see
     * {@link StoreShard#deleteServerFile}). An older directory is read as it is and rewritten as 3 when opened for
     * writing, after which older builds refuse it ({@link StoreOpenError#UNSUPPORTED_FORMAT_VERSION}) instead of
     * reading a compacted directory's old shards or replaying a deleted server file as live.
     */
    public static final int FORMAT_VERSION = 3;
    /** Format-file key of the compaction generation (format 3; absent: 0). */
    static final String GENERATION_KEY = "generation";
    /** Older formats this build opens (and upgrades when writing). */
    static final int OLDEST_READABLE_FORMAT = 1;
    public static final String FORMAT_FILE = "outpost-store.format";
    static final String SHARD_DIR_PREFIX = "shard-";

    static
    {
        ChronicleDefaults.apply();
    }

    private final Path dataDir;
    private final StoreShard[] shards;

    private HistoryStore(final Path dataDir, final StoreShard[] shards)
    {
        this.dataDir = dataDir;
        this.shards = shards;
    }

    /**
     * Opens (or initialises, if missing or empty) the data directory and replays its queues. Records torn by a
     * crash or malformed are skipped; this never fails because of queue contents.
     *
     * @throws StoreOpenException if the directory has an unknown or unreadable format, or cannot be accessed.
     */
    public static HistoryStore open(final StoreConfig config) throws StoreOpenException
    {
        config.validate();
        final Path dir = config.dataDir();
        final int[] format = initOrCheckFormat(dir, config.shardCount(), config.readOnly());
        final int shardCount = format[0];
        final int generation = format[1];
        if (!config.readOnly())
        {
            removeStrayShardDirectories(dir, shardCount, generation);
        }
        final StoreShard[] shards = new StoreShard[shardCount];
        try
        {
            for (int i = 0; i < shardCount; i++)
            {
                final SingleChronicleQueue queue = SingleChronicleQueueBuilder
                    .binary(dir.resolve(shardDirectoryName(i, generation)))
                    .rollCycle(config.rollCycle())
                    .blockSize(config.blockSize())
                    .timeoutMS(config.timeoutMs())
                    .indexSpacing(config.indexSpacing())
                    .indexCount(config.indexCount())
                    .readOnly(config.readOnly())
                    .build();
                final RecordChain chain;
                try
                {
                    chain = config.readOnly() ? tempChain(i) : RecordChain.create(dir, SHARD_DIR_PREFIX + i + ".chain");
                }
                catch (final RuntimeException ex)
                {
                    queue.close();
                    throw ex;
                }
                shards[i] = new StoreShard(i, shardCount, queue, chain, new SecureRandom(),
                    config.maxChangesetLength(), config.fsync());
                if (!config.readOnly() && config.minFreeBytes() > 0)
                {
                    shards[i].spaceCheck(spaceProbe(config, dir), config.minFreeBytes());
                }
            }
            replayAll(shards);
            if (!config.readOnly())
            {
                for (final StoreShard shard : shards)
                {
                    shard.repairWritePosition();
                }
            }
        }
        catch (final RuntimeException ex)
        {
            for (final StoreShard s : shards)
            {
                if (s != null)
                {
                    s.close();
                }
            }
            throw new StoreOpenException(StoreOpenError.IO_FAILURE, "cannot open queues in " + dir + ": " + ex, ex);
        }
        return new HistoryStore(dir, shards);
    }

    /** The configured probe, or one asking the data directory's filesystem (looked up once, asked per check). */
    private static SpaceProbe spaceProbe(final StoreConfig config, final Path dir)
    {
        if (config.spaceProbe() != null)
        {
            return config.spaceProbe();
        }
        try
        {
            final java.nio.file.FileStore fs = Files.getFileStore(dir);
            return fs::getUsableSpace;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * @return whether a shard refused a write for want of space ({@link StoreFull}) and its filesystem still has less
     *     than the reserve free (asked again, so this turns false as soon as space returns, before the next write).
     *     Any thread.
     */
    public boolean spaceLow()
    {
        for (final StoreShard s : shards)
        {
            if (s.spaceLow() && !s.hasRoom())
            {
                return true;
            }
        }
        return false;
    }

    /** @return writes refused for want of space ({@link StoreFull}), all shards, since open. Any thread. */
    public long spaceRefusals()
    {
        long n = 0;
        for (final StoreShard s : shards)
        {
            n += s.spaceRefusals();
        }
        return n;
    }

    /** Replays the shards in parallel, one thread each; the joins publish the rebuilt indexes to the caller. */
    /**
     * A read-only open changes nothing in the data directory: its record chain lives in the system's temporary
     * directory (a unique file, unlinked as soon as it is mapped).
     */
    private static RecordChain tempChain(final int shard)
    {
        try
        {
            final Path tmp = Files.createTempFile("outpost-" + shard + "-", ".chain");
            return RecordChain.create(tmp.getParent(), tmp.getFileName().toString());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static void replayAll(final StoreShard[] shards)
    {
        if (shards.length == 1)
        {
            shards[0].replay();
            return;
        }
        final Thread[] threads = new Thread[shards.length];
        final RuntimeException[] failures = new RuntimeException[shards.length];
        for (int i = 0; i < shards.length; i++)
        {
            final int shard = i;
            threads[i] = new Thread(() ->
            {
                try
                {
                    shards[shard].replay();
                }
                catch (final RuntimeException ex)
                {
                    failures[shard] = ex;
                }
            }, "outpost-store-replay-" + i);
            threads[i].start();
        }
        boolean interrupted = false;
        for (final Thread t : threads)
        {
            while (true)
            {
                try
                {
                    t.join();
                    break;
                }
                catch (final InterruptedException ex)
                {
                    interrupted = true;
                }
            }
        }
        if (interrupted)
        {
            Thread.currentThread().interrupt();
        }
        for (final RuntimeException ex : failures)
        {
            if (ex != null)
            {
                throw ex;
            }
        }
    }

    public Path dataDir()
    {
        return dataDir;
    }

    /** @return the number of shards, which is also the number of open queues. */
    public int shardCount()
    {
        return shards.length;
    }

    public StoreShard shard(final int index)
    {
        return shards[index];
    }

    /** @return the shard that owns (or will own) the server file called {@code name}. Any thread. */
    public StoreShard shardFor(final String name)
    {
        return shards[shardIndex(name, shards.length)];
    }

    /**
     * @return the server file called {@code name}, or null if it was never created; loads its index if it is not
     *     resident (see {@link StoreShard#serverFile(String)}). Any thread.
     */
    public ServerFile serverFile(final String name)
    {
        return shardFor(name).serverFile(name);
    }

    /**
     * Deletes the server file {@code name} (see {@link StoreShard#deleteServerFile}); writer thread of its shard.
     *
     * @return false if there is no such server file.
     */
    public boolean deleteServerFile(final String name)
    {
        final StoreShard shard = shardFor(name);
        final ServerFile file = shard.serverFile(name);
        if (file == null)
        {
            return false;
        }
        shard.deleteServerFile(file);
        return true;
    }

    /** @return the salt of server file {@code name} (0: none), without loading it. Any thread. */
    public long salt(final String name)
    {
        return shardFor(name).salt(name);
    }

    /** @return server files deleted in every shard so far (grows with each deletion). Any thread. */
    public long deletions()
    {
        long n = 0;
        for (final StoreShard s : shards)
        {
            n += s.deletedFileCount();
        }
        return n;
    }

    /** @return whether the server file {@code name} exists, without loading it. Any thread. */
    public boolean contains(final String name)
    {
        return shardFor(name).contains(name);
    }

    /** @return the published head of server file {@code name} (-1 if none), without loading it. Any thread. */
    public long head(final String name)
    {
        return shardFor(name).head(name);
    }

    /** Visits the head and history size of every server file without loading any. Any thread. */
    public void forEachHead(final StoreShard.HeadVisitor visitor)
    {
        for (final StoreShard s : shards)
        {
            s.forEachHead(visitor);
        }
    }

    /**
     * Visits every server file of every shard (shard by shard, in creation order within a shard), one loaded at a
     * time (see {@link StoreShard#forEachServerFile}). Any thread; files created concurrently may or may not be
     * visited.
     */
    public void forEachServerFile(final java.util.function.Consumer<ServerFile> visitor)
    {
        for (final StoreShard s : shards)
        {
            s.forEachServerFile(visitor);
        }
    }

    /** @return a reader for the calling thread. */
    public HistoryReader newReader()
    {
        return new HistoryReader(this);
    }

    /** @return the shard of {@code name}: a function of the name alone ({@link String#hashCode()} is specified). */
    public static int shardIndex(final String name, final int shardCount)
    {
        final int h = name.hashCode();
        return ((h ^ (h >>> 16)) & Integer.MAX_VALUE) % shardCount;
    }

    @Override
    public void close()
    {
        for (final StoreShard s : shards)
        {
            s.close();
        }
    }

    /**
     * @param shard      a shard index.
     * @param generation the compaction generation of the directory's format file (0: never compacted).
     * @return the name of the shard's queue directory.
     */
    public static String shardDirectoryName(final int shard, final int generation)
    {
        return generation == 0 ? SHARD_DIR_PREFIX + shard : SHARD_DIR_PREFIX + shard + ".c" + generation;
    }

    /**
     * Deletes shard queue directories the format file does not name: a compaction's copy that a crash cut before
     * its switch, or the directories a switched compaction had not deleted yet. Never a file (the record chains).
     */
    static void removeStrayShardDirectories(final Path dir, final int shards, final int generation)
        throws StoreOpenException
    {
        try (Stream<Path> entries = Files.list(dir))
        {
            final java.util.List<Path> stray = entries.filter(Files::isDirectory)
                .filter(p -> p.getFileName().toString().matches("shard-[0-9]+(\\.c[0-9]+)?"))
                .filter(p ->
                {
                    for (int i = 0; i < shards; i++)
                    {
                        if (p.getFileName().toString().equals(shardDirectoryName(i, generation)))
                        {
                            return false;
                        }
                    }
                    return true;
                })
                .toList();
            for (final Path p : stray)
            {
                deleteTree(p);
            }
        }
        catch (final IOException ex)
        {
            throw new StoreOpenException(StoreOpenError.IO_FAILURE, "cannot clean up " + dir + ": " + ex, ex);
        }
    }

    static void deleteTree(final Path root) throws IOException
    {
        if (!Files.exists(root))
        {
            return;
        }
        try (Stream<Path> all = Files.walk(root))
        {
            for (final Path p : all.sorted(java.util.Comparator.reverseOrder()).toList())
            {
                Files.deleteIfExists(p);
            }
        }
    }

    /** @return {shards, generation}. */
    private static int[] initOrCheckFormat(final Path dir, final int configuredShards, final boolean readOnly)
        throws StoreOpenException
    {
        final Path formatFile = dir.resolve(FORMAT_FILE);
        try
        {
            if (readOnly && !Files.exists(formatFile))
            {
                throw new StoreOpenException(StoreOpenError.NOT_A_STORE, dir + " has no " + FORMAT_FILE +
                    ": not an Outpost store");
            }
            Files.createDirectories(dir);
            if (!Files.exists(formatFile))
            {
                try (Stream<Path> entries = Files.list(dir))
                {
                    if (entries.anyMatch(p -> !p.getFileName().toString().startsWith(FORMAT_FILE)))
                    {
                        throw new StoreOpenException(StoreOpenError.NOT_A_STORE, dir + " is not empty and has no " +
                            FORMAT_FILE + ": not an Outpost data directory");
                    }
                }
                writeFormatFile(dir, FORMAT_VERSION, configuredShards, 0);
                return new int[] {configuredShards, 0};
            }
            final Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(formatFile, StandardCharsets.UTF_8))
            {
                p.load(r);
            }
            final int format = parse(p, "format", formatFile);
            if (format < OLDEST_READABLE_FORMAT || format > FORMAT_VERSION)
            {
                throw new StoreOpenException(StoreOpenError.UNSUPPORTED_FORMAT_VERSION, formatFile + " has format " +
                    format + "; this build reads formats " + OLDEST_READABLE_FORMAT + ".." + FORMAT_VERSION +
                    (format > FORMAT_VERSION ? " (written by a newer build)" : ""));
            }
            final int shards = parse(p, "shards", formatFile);
            if (shards < 1 || shards > StoreConfig.MAX_SHARD_COUNT)
            {
                throw new StoreOpenException(StoreOpenError.CORRUPT_FORMAT_FILE,
                    formatFile + ": bad shard count " + shards);
            }
            final int generation = p.getProperty(GENERATION_KEY) == null ? 0 : parse(p, GENERATION_KEY, formatFile);
            if (generation < 0)
            {
                throw new StoreOpenException(StoreOpenError.CORRUPT_FORMAT_FILE,
                    formatFile + ": bad generation " + generation);
            }
            if (format < FORMAT_VERSION && !readOnly)
            {
                writeFormatFile(dir, FORMAT_VERSION, shards, generation);
            }
            return new int[] {shards, generation};
        }
        catch (final IOException | IllegalArgumentException ex)
        {
            throw new StoreOpenException(StoreOpenError.IO_FAILURE, "cannot read or initialise " + dir + ": " + ex, ex);
        }
    }

    /** Writes the format file atomically (temporary file, forced, then renamed). */
    static void writeFormatFile(final Path dir, final int format, final int shards, final int generation)
        throws IOException
    {
        final Properties p = new Properties();
        p.setProperty("format", Integer.toString(format));
        p.setProperty("shards", Integer.toString(shards));
        if (generation > 0)
        {
            p.setProperty(GENERATION_KEY, Integer.toString(generation));
        }
        final Path tmp = dir.resolve(FORMAT_FILE + ".tmp");
        try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8))
        {
            p.store(w, "Outpost data directory; do not edit");
        }
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(tmp,
            java.nio.file.StandardOpenOption.WRITE))
        {
            ch.force(true);
        }
        Files.move(tmp, dir.resolve(FORMAT_FILE), StandardCopyOption.ATOMIC_MOVE,
            StandardCopyOption.REPLACE_EXISTING);
    }

    private static int parse(final Properties p, final String key, final Path file) throws StoreOpenException
    {
        final String value = p.getProperty(key);
        if (value == null)
        {
            throw new StoreOpenException(StoreOpenError.CORRUPT_FORMAT_FILE, file + ": missing '" + key + "'");
        }
        try
        {
            return Integer.parseInt(value.trim());
        }
        catch (final NumberFormatException ex)
        {
            throw new StoreOpenException(StoreOpenError.CORRUPT_FORMAT_FILE,
                file + ": bad '" + key + "': " + value, ex);
        }
    }
}
