package dev.outpost.server.sync.writer;

import dev.outpost.ot.state.ObjectState;
import dev.outpost.ot.state.StateCodec;
import dev.outpost.server.store.EntryView;
import dev.outpost.server.store.ServerFile;
import dev.outpost.server.store.StoreShard;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.collections.LongArrayList;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;

/**
 * State checkpoints: the object state of a server file at some version, written in the background to
 * {@code <dataDir>/state-checkpoints/} when the writer drops the state (state-cache eviction) or stops, so the next
 * load decodes it and replays only the versions after it instead of the whole history (see STORE.md).
 * <p>
 * A checkpoint names the server file (name and salt), its version and a fingerprint of the history entry at that
 * version, the revert entries up to it, and the state ({@link StateCodec}); a CRC32C covers it all. One that does not
 * match (checksum, format, another file of the same name, a version the history no longer has or has with other
 * content) is ignored with one WARN line, deleted, and the history replayed. Writes are crash-safe: a temporary file,
 * fsync, then an atomic rename.
 * <p>
 * {@link #schedule} and {@link #load} are called by writer threads; one daemon thread writes (a bounded queue:
 * when it is full, a checkpoint is skipped, never waited for). Thread-safe.
 */
public final class StateCheckpoints implements AutoCloseable
{
    /** The directory, inside the app's data directory. */
    public static final String DIRECTORY = "state-checkpoints";
    /** File magic "OPCK". */
    static final int MAGIC = 0x4B43504F;
    /** Version of the checkpoint file layout (the state's own encoding is versioned by {@link StateCodec#VERSION}). */
    static final int FORMAT = 1;
    private static final int HEADER = 4 + 4 + 4 + 8 + 8 + 8;
    private static final int QUEUE = 4;
    private static final System.Logger LOG = System.getLogger(StateCheckpoints.class.getName());

    private final Path dir;
    private final long minVersions;
    private final ThreadPoolExecutor executor;
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    private final AtomicLong loaded = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private volatile boolean writeFailureLogged;

    /**
     * @param dataDir     the store's data directory.
     * @param minVersions a state is checkpointed only if at least this many versions were appended since its last
     *                    checkpoint (&gt;= 1).
     */
    public StateCheckpoints(final Path dataDir, final long minVersions)
    {
        this.dir = dataDir.resolve(DIRECTORY);
        this.minVersions = minVersions;
        this.executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(QUEUE),
            r ->
            {
                final Thread t = new Thread(r, "outpost-state-checkpoint");
                t.setDaemon(true);
                return t;
            }, new ThreadPoolExecutor.AbortPolicy());
        this.executor.prestartCoreThread(); // so that a task put straight into its queue runs (writeNow)
    }

    /** The result of {@link #load}: a state at {@code version} and the revert entries up to it. */
    record Loaded(ObjectState state, long version, Long2ObjectHashMap<LongArrayList> reverts)
    {
    }

    /** @return the minimum versions between two checkpoints of a file. */
    public long minVersions()
    {
        return minVersions;
    }

    /** @return checkpoints written so far. */
    public long written()
    {
        return written.get();
    }

    /** @return checkpoints skipped because the writing thread was busy. */
    public long skipped()
    {
        return skipped.get();
    }

    /** @return checkpoints a load started from. */
    public long loaded()
    {
        return loaded.get();
    }

    /** @return checkpoints found but ignored (corrupt, stale or of another file). */
    public long rejected()
    {
        return rejected.get();
    }

    /** @return the checkpoint file of server file {@code name}. */
    Path pathOf(final String name)
    {
        try
        {
            final byte[] h = MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
            return dir.resolve(HexFormat.of().formatHex(h, 0, 20) + ".ckpt");
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("SHA-256 is missing", ex);
        }
    }

    /**
     * Writer thread: the server file {@code name} was deleted: delete its checkpoint, after any write of it already
     * queued (the one writing thread runs them in order); at once if the queue is full (a write still queued would
     * then leave a checkpoint that its salt no longer matches, ignored and deleted at the next load).
     */
    void forget(final String name)
    {
        final Runnable task = () ->
        {
            try
            {
                java.nio.file.Files.deleteIfExists(pathOf(name));
            }
            catch (final java.io.IOException ex)
            {
                LOG.log(System.Logger.Level.WARNING, "cannot delete the state checkpoint of a deleted server file: " +
                    ex);
            }
        };
        try
        {
            executor.execute(task);
        }
        catch (final RejectedExecutionException ex)
        {
            task.run();
        }
    }

    /**
     * Writer thread: hand the state of {@code file} at its published head over for a background write, if it is at
     * least {@link #minVersions} versions newer than {@code lastCheckpoint}. The caller must never change
     * {@code state} again (it was just dropped from the cache).
     *
     * @return the version checkpointed (being written), or {@code lastCheckpoint} if none.
     */
    long schedule(final StoreShard shard, final ServerFile file, final ObjectState state,
        final Long2ObjectHashMap<LongArrayList> reverts, final long lastCheckpoint, final EntryView view)
    {
        return checkpoint(shard, file, state, reverts, lastCheckpoint, view, 0);
    }

    /**
     * Writer thread, when it stops (it never changes {@code state} again): as {@link #schedule}, but waits up to
     * {@code waitNanos} for room in the queue. Every write goes through the one writing thread, so two writes of the
     * same file never race.
     */
    long scheduleWaiting(final StoreShard shard, final ServerFile file, final ObjectState state,
        final Long2ObjectHashMap<LongArrayList> reverts, final long lastCheckpoint, final EntryView view,
        final long waitNanos)
    {
        return checkpoint(shard, file, state, reverts, lastCheckpoint, view, Math.max(1, waitNanos));
    }

    /** Tests and benches: write the checkpoint on the calling thread now (nothing else may write it meanwhile). */
    long writeNow(final StoreShard shard, final ServerFile file, final ObjectState state,
        final Long2ObjectHashMap<LongArrayList> reverts, final long lastCheckpoint, final EntryView view)
    {
        return checkpoint(shard, file, state, reverts, lastCheckpoint, view, -1);
    }

    private long checkpoint(final StoreShard shard, final ServerFile file, final ObjectState state,
        final Long2ObjectHashMap<LongArrayList> reverts, final long lastCheckpoint, final EntryView view,
        final long waitNanos)
    {
        final long version = file.head();
        if (version != file.lastAppended() || version - lastCheckpoint < minVersions || version < 1
            || shard.failure() != null || !shard.readEntry(file, version, view))
        {
            return lastCheckpoint;
        }
        final long fingerprint = fingerprint(view);
        final long[][] revertCopy = copy(reverts);
        final Runnable task = () -> write(file.name(), file.salt(), version, fingerprint, revertCopy, state);
        if (waitNanos < 0)
        {
            task.run();
            return version;
        }
        try
        {
            if (waitNanos == 0)
            {
                executor.execute(task);
                return version;
            }
            if (!executor.isShutdown() && executor.getQueue().offer(task, waitNanos, TimeUnit.NANOSECONDS))
            {
                return version;
            }
        }
        catch (final RejectedExecutionException ex)
        {
            // the queue is full: skipped, never waited for
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        skipped.incrementAndGet();
        return lastCheckpoint;
    }

    /**
     * Writer thread: the newest valid checkpoint of {@code file}, or null (none, or ignored: then with one WARN line
     * and the file deleted).
     */
    Loaded load(final StoreShard shard, final ServerFile file, final EntryView view)
    {
        final Path path = pathOf(file.name());
        final byte[] bytes;
        try
        {
            bytes = Files.readAllBytes(path);
        }
        catch (final NoSuchFileException ex)
        {
            return null;
        }
        catch (final IOException ex)
        {
            return reject(path, file, "unreadable (" + ex.getClass().getSimpleName() + ")");
        }
        if (bytes.length < HEADER + 4)
        {
            return reject(path, file, "truncated");
        }
        final CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - 4);
        final ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if ((int)crc.getValue() != b.getInt(bytes.length - 4))
        {
            return reject(path, file, "checksum mismatch");
        }
        if (b.getInt(0) != MAGIC || b.getInt(4) != FORMAT || b.getInt(8) != StateCodec.VERSION)
        {
            return reject(path, file, "unknown format");
        }
        final long salt = b.getLong(12);
        final long version = b.getLong(20);
        final long fingerprint = b.getLong(28);
        if (salt != file.salt())
        {
            return reject(path, file, "of an earlier server file of the same name");
        }
        if (version < 1 || version > file.lastAppended() || !shard.readEntry(file, version, view)
            || fingerprint(view) != fingerprint)
        {
            return reject(path, file, "version " + version + " does not match the history");
        }
        try
        {
            final StateCodec.Input in = new StateCodec.Input(bytes, HEADER, bytes.length - 4 - HEADER);
            final byte[] name = in.bytes(in.count());
            if (!file.name().equals(new String(name, StandardCharsets.UTF_8)))
            {
                return reject(path, file, "of another server file");
            }
            final Long2ObjectHashMap<LongArrayList> reverts = new Long2ObjectHashMap<>();
            final int clients = in.count();
            for (int i = 0; i < clients; i++)
            {
                final long client = in.varint();
                final int n = in.count();
                final LongArrayList versions = new LongArrayList(Math.max(n, 1), Long.MIN_VALUE);
                for (int j = 0; j < n; j++)
                {
                    versions.addLong(in.varint());
                }
                reverts.put(client, versions);
            }
            final ObjectState state = StateCodec.decode(in);
            if (in.position() != bytes.length - 4)
            {
                return reject(path, file, "trailing bytes");
            }
            loaded.incrementAndGet();
            return new Loaded(state, version, reverts);
        }
        catch (final StateCodec.Malformed ex)
        {
            return reject(path, file, "malformed: " + ex.getMessage());
        }
    }

    private Loaded reject(final Path path, final ServerFile file, final String why)
    {
        rejected.incrementAndGet();
        LOG.log(System.Logger.Level.WARNING, "server file " + file.name() + ": state checkpoint ignored (" + why +
            "), replaying its history");
        try
        {
            Files.deleteIfExists(path);
        }
        catch (final IOException ex)
        {
            // left as it is: ignored again at the next load
        }
        return null;
    }

    /** Background thread: encode and write one checkpoint (temporary file, fsync, atomic rename). */
    private void write(final String name, final long salt, final long version, final long fingerprint,
        final long[][] reverts, final ObjectState state)
    {
        final StateCodec.Output out = new StateCodec.Output(64 * 1024);
        for (int i = 0; i < HEADER; i++)
        {
            out.bytes(new byte[1]);
        }
        final byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        out.varint(nameBytes.length);
        out.bytes(nameBytes);
        out.varint(reverts.length);
        for (final long[] r : reverts)
        {
            out.varint(r[0]);
            out.varint(r.length - 1);
            for (int i = 1; i < r.length; i++)
            {
                out.varint(r[i]);
            }
        }
        StateCodec.encode(state, out);
        out.bytes(new byte[4]);
        final byte[] bytes = out.array();
        final int length = out.size();
        final ByteBuffer b = ByteBuffer.wrap(bytes, 0, length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, MAGIC).putInt(4, FORMAT).putInt(8, StateCodec.VERSION);
        b.putLong(12, salt).putLong(20, version).putLong(28, fingerprint);
        final CRC32C crc = new CRC32C();
        crc.update(bytes, 0, length - 4);
        b.putInt(length - 4, (int)crc.getValue());
        final Path path = pathOf(name);
        final Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
        try
        {
            Files.createDirectories(dir);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING))
            {
                final ByteBuffer src = ByteBuffer.wrap(bytes, 0, length);
                while (src.hasRemaining())
                {
                    ch.write(src);
                }
                ch.force(true);
            }
            Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            written.incrementAndGet();
        }
        catch (final IOException | RuntimeException ex)
        {
            if (!writeFailureLogged)
            {
                writeFailureLogged = true;
                LOG.log(System.Logger.Level.WARNING, "state checkpoints cannot be written to " + dir + ": " + ex);
            }
            try
            {
                Files.deleteIfExists(tmp);
            }
            catch (final IOException ignored)
            {
                // nothing more to do: the next write replaces it
            }
        }
    }

    /** @return a fingerprint of a history entry: its origin, client version, timestamp and changeset bytes. */
    static long fingerprint(final EntryView view)
    {
        final CRC32C crc = new CRC32C();
        final int length = view.changesetLength();
        final byte[] bytes = new byte[length];
        view.changeset().getBytes(0, bytes);
        crc.update(bytes);
        return (crc.getValue() << 32) ^ view.originFileIdent() * 31 ^ view.clientVersion() * 17 ^ view.timestamp();
    }

    private static long[][] copy(final Long2ObjectHashMap<LongArrayList> reverts)
    {
        final long[][] out = new long[reverts.size()][];
        int i = 0;
        for (final Long2ObjectHashMap<LongArrayList>.EntryIterator it = reverts.entrySet().iterator(); it.hasNext(); )
        {
            it.next();
            final LongArrayList versions = it.getValue();
            final long[] r = new long[versions.size() + 1];
            r[0] = it.getLongKey();
            for (int j = 0; j < versions.size(); j++)
            {
                r[j + 1] = versions.getLong(j);
            }
            out[i++] = r;
        }
        return out;
    }

    /** Finish the checkpoints queued (at most {@code millis}), then stop the writing thread. */
    public void close(final long millis)
    {
        executor.shutdown();
        try
        {
            executor.awaitTermination(millis, TimeUnit.MILLISECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close()
    {
        close(TimeUnit.SECONDS.toMillis(10));
    }
}
