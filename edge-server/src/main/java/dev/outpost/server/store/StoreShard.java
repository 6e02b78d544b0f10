package dev.outpost.server.store;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.concurrent.ConcurrentHashMap;
import java.util.random.RandomGenerator;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One writer shard: a Chronicle queue shared by all server files whose name hashes here, and the in-memory index of
 * those server files, rebuilt from the queue at open.
 * <p>
 * Threads: the writer methods (create, append, publish, client and reciprocal updates, writer reads) belong to one
 * thread, the shard's writer; the first caller becomes it, {@link #claimWriter()} hands it over, and it is asserted.
 * The lookups {@link #serverFile(String)}, {@link #contains}, {@link #head}, {@link #serverFileCount()},
 * {@link #forEachHead} and {@link #forEachServerFile} may be called from any thread (a resident file is found without
 * a lock; anything else takes the shard's index lock, never taken on a writer hot path). Readers on other threads
 * use a {@link HistoryReader}.
 * <p>
 * Index: every server file keeps a compact entry (about 50 bytes, no name); its full index (a {@link ServerFile})
 * is resident only from a lookup until the writer evicts it ({@link #evict}), and is loaded from the file's own
 * records through the {@link RecordChain}, never by scanning the shard.
 * <p>
 * Durability: every writer method returns after its record is complete in the memory-mapped queue, so it survives
 * a kill of the process; with {@link StoreConfig#fsync} each {@link #publish()} also forces the batch to disk (power
 * loss). Appended history becomes visible to readers only at {@link #publish()}, which is the acknowledgement point
 * of a batch.
 * <p>
 * Atomicity: records written by a command ({@link #beginCommand()} .. {@link #endCommand()}) belong to the open
 * commit unit, which {@link #publish()} commits with one COMMIT record; {@link #abortCommand()} undoes a failed
 * command's effects on the index and voids its records with an ABORT record. Replay applies only committed units
 * (see {@link RecordLayout}).
 */
public final class StoreShard implements AutoCloseable
{
    /** Returned by {@link #append} when the changeset does not fit in one record. */
    public static final long REJECTED_TOO_LARGE = -1;

    private static final System.Logger LOG = System.getLogger("dev.outpost.server.store");
    /** Chronicle's document header: 4 bytes (length and flags) before every document. */
    private static final int DOCUMENT_HEADER_LENGTH = 4;

    private final int index;
    private final int shardCount;
    private final SingleChronicleQueue queue;
    private final RandomGenerator random;
    private final int maxChangesetLength;

    // The index (see STORE.md, "In-memory index"). Every server file has a compact entry in the arrays below, by
    // fileId; only resident files also have a ServerFile (name, versions, client registry, reciprocals).
    /** Guards the compact arrays, the name table, residency changes and the loader. Never taken on a hot path. */
    private final Object indexLock = new Object();
    /** Resident server files by name: read by any thread without a lock; changed under indexLock. */
    private final ConcurrentHashMap<String, ServerFile> resident = new ConcurrentHashMap<>();
    /** Resident server files by fileId, null if not resident (writer, and loaders under indexLock). */
    private ServerFile[] byId = new ServerFile[16];
    private volatile int fileCount;
    /** Per fileId: log index of its FILE_CREATED, newest RecordChain entry, head, cumulative bytes at head. */
    private long[] createdAt = new long[16];
    private long[] chainTails = new long[16];
    private long[] heads = new long[16];
    private long[] sizes = new long[16];
    /** Per fileId: the mixed hash of its name; table: open addressing (linear probe) by that hash, fileId + 1. */
    private int[] hashes = new int[16];
    private int[] table = new int[32];
    /** Per fileId: deleted (FILE_DELETED committed or pending in the open unit); a deleted fileId is never reused. */
    private boolean[] deleted = new boolean[16];
    private volatile int deletedCount;
    private final RecordChain chain;
    private LogCursor loadCursor;
    private long[] loadScratch = new long[64];
    private long chainCommandMark;
    private volatile long loads;
    /** Records read by loads (tests: a load reads one file's records, not its shard's). */
    private volatile long loadReads;
    private volatile long evictions;
    private final ArrayList<ServerFile> dirty = new ArrayList<>();
    private ExcerptAppender appender;
    private LogCursor writerCursor;
    private Thread owner;
    private long skippedRecords;
    private long replayedRecords;

    // commit units (see RecordLayout); writer-owned
    private final UndoLog undo = new UndoLog(this::undelete);
    private final RecordWrite recordWrite = new RecordWrite();
    private final boolean fsync;
    private boolean unitOpen;
    private boolean inCommand;
    private boolean commandWrote;
    private int commandMark;
    private boolean unsynced;
    private volatile StoreFailure failure;
    private FileChannel syncChannel;
    private File syncFile;
    private volatile long syncCount;
    private volatile long commitCount;
    private long abortedCommands;
    private long droppedUnits;
    /** Replay: Chronicle index and header position of the last document read (-1: none). */
    private long lastReadIndex = -1;
    private long lastReadHeader = -1;
    /** Set at open when the queue header's write position was past the last readable record and was reset. */
    private long writePositionRepaired = -1;
    /** Tests: runs before every record is written (with its type); throwing simulates a store failure. */
    java.util.function.IntConsumer faultHook;

    // free-space check (see StoreConfig.minFreeBytes); writer-owned but for the two volatile figures
    private static final int RECORD_OVERHEAD = 8 + 24;
    private static final long SPACE_RECHECK_BYTES = 1L << 20;
    private SpaceProbe spaceProbe;
    private long minFreeBytes;
    /** Bytes that may still be written before the filesystem is asked again. */
    private long spaceBudget;
    private volatile boolean spaceLow;
    private volatile long spaceRefusals;

    StoreShard(final int index, final int shardCount, final SingleChronicleQueue queue, final RecordChain chain,
        final RandomGenerator random, final int maxChangesetLength, final boolean fsync)
    {
        this.chain = chain;
        this.fsync = fsync;
        this.index = index;
        this.shardCount = shardCount;
        this.queue = queue;
        this.random = random;
        this.maxChangesetLength = maxChangesetLength;
    }

    public int index()
    {
        return index;
    }

    /**
     * Returns the server file called {@code name}, loading its index from the queue if it is not resident (it then
     * stays resident until the writer evicts it, {@link #evict(ServerFile)}). Any thread; a resident file is found
     * without a lock, a load reads only that file's records (through the {@link RecordChain}) under the index lock.
     * To ask whether a file exists, or for its head, without loading it use {@link #contains} and {@link #head}.
     *
     * @return the server file, or null if it was never created.
     */
    public ServerFile serverFile(final String name)
    {
        final ServerFile f = resident.get(name);
        if (f != null)
        {
            return f;
        }
        synchronized (indexLock)
        {
            final ServerFile again = resident.get(name);
            if (again != null)
            {
                return again;
            }
            final int id = find(name);
            return id < 0 ? null : makeResident(load(id));
        }
    }

    /** @return whether the server file {@code name} exists (never loads it). Any thread. */
    public boolean contains(final String name)
    {
        if (resident.containsKey(name))
        {
            return true;
        }
        synchronized (indexLock)
        {
            return resident.containsKey(name) || find(name) >= 0;
        }
    }

    /** @return the published head of server file {@code name}, or -1 if it does not exist (never loads it). Any thread. */
    public long head(final String name)
    {
        final ServerFile f = resident.get(name);
        if (f != null)
        {
            return f.head();
        }
        synchronized (indexLock)
        {
            final ServerFile again = resident.get(name);
            if (again != null)
            {
                return again.head();
            }
            final int id = find(name);
            return id < 0 ? -1 : heads[id];
        }
    }

    /**
     * @return the salt of server file {@code name}, or 0 if it does not exist (never loads it: one read of its creation
     *     record when it is not resident). A deleted file created again has another salt. Any thread.
     */
    public long salt(final String name)
    {
        final ServerFile f = resident.get(name);
        if (f != null)
        {
            return f.salt();
        }
        synchronized (indexLock)
        {
            final int id = find(name);
            if (id < 0)
            {
                return 0;
            }
            final ServerFile again = byId[id];
            if (again != null)
            {
                return again.salt();
            }
            final UnsafeBuffer created = loadCursor().read(createdAt[id]);
            return created == null ? 0 : created.getLong(RecordLayout.KEY_OFFSET);
        }
    }

    /** @return the number of (not deleted) server files in this shard. Any thread. */
    public int serverFileCount()
    {
        return fileCount - deletedCount;
    }

    /** @return server files deleted in this shard (since it was created: tombstones replayed). Any thread. */
    public int deletedFileCount()
    {
        return deletedCount;
    }

    /** @return the number of server files whose index is resident. Any thread (approximate). */
    public int residentFileCount()
    {
        return resident.size();
    }

    /** @return server file indexes loaded from the queue since open. Any thread. */
    public long indexLoads()
    {
        return loads;
    }

    /** @return records read by index loads since open (creation records included). Any thread. */
    long loadReads()
    {
        return loadReads;
    }

    /** @return server file indexes evicted since open. Any thread. */
    public long indexEvictions()
    {
        return evictions;
    }

    /**
     * Visits every server file of this shard, in creation order. A resident file is visited as itself; any other
     * is loaded into a temporary object for the visit (read-only: never pass it to a writer method) and dropped
     * after it, so the visit holds one file's index at a time. Any thread; files created concurrently may or may not
     * be visited. Costs a read of every record of the shard: for figures use {@link #forEachHead}.
     */
    public void forEachServerFile(final java.util.function.Consumer<ServerFile> visitor)
    {
        for (int id = 0; id < fileCount; id++)
        {
            final ServerFile f;
            synchronized (indexLock)
            {
                if (deleted[id])
                {
                    continue;
                }
                f = byId[id] != null ? byId[id] : load(id);
            }
            visitor.accept(f);
        }
    }

    /** Receives the head and history size of a server file ({@link #forEachHead}). */
    @FunctionalInterface
    public interface HeadVisitor
    {
        void visit(long head, long cumulativeSize);
    }

    /** Visits the published head and its cumulative size of every server file, without loading any. Any thread. */
    public void forEachHead(final HeadVisitor visitor)
    {
        synchronized (indexLock)
        {
            for (int id = 0, n = fileCount; id < n; id++)
            {
                if (deleted[id])
                {
                    continue;
                }
                final ServerFile f = byId[id];
                if (f != null)
                {
                    final long head = f.head();
                    visitor.visit(head, f.cumulativeSize(head));
                }
                else
                {
                    visitor.visit(heads[id], sizes[id]);
                }
            }
        }
    }

    /**
     * Drops the index of {@code file} from memory (name, versions, client registry, reciprocals); it stays in the
     * store and is loaded again, from its own records only, by the next lookup. Writer thread, between batches:
     * refused (false) inside a command, while a commit unit is open (also after a failed publish) or when the file
     * has unpublished versions. The caller must know that nobody will write through {@code file} again (the sync
     * writer evicts a file with its idle context); readers holding it still read its versions up to its head.
     *
     * @return whether the file was evicted.
     */
    public boolean evict(final ServerFile file)
    {
        assert isWriterThread();
        final int id = file.fileId();
        if (inCommand || unitOpen || file.dirty || file.lastAppended != file.head() || byId[id] != file)
        {
            return false;
        }
        synchronized (indexLock)
        {
            final long head = file.lastAppended;
            heads[id] = head;
            sizes[id] = file.cumulativeSize(head);
            chainTails[id] = file.chainTail;
            byId[id] = null;
            resident.remove(file.name(), file);
        }
        evictions++;
        return true;
    }

    /** @return records skipped at replay because they were malformed or out of sequence. */
    public long skippedRecords()
    {
        return skippedRecords;
    }

    /** @return records applied at replay. */
    public long replayedRecords()
    {
        return replayedRecords;
    }

    /** Makes the calling thread this shard's writer (a handoff; the previous writer must have stopped). */
    public void claimWriter()
    {
        owner = Thread.currentThread();
        if (appender != null)
        {
            appender.singleThreadedCheckReset();
        }
        if (writerCursor != null)
        {
            writerCursor.singleThreadedCheckReset();
        }
    }

    /**
     * Returns the server file called {@code name}, creating it (with a fresh random salt, durably) if it does not
     * exist. Writer thread.
     */
    public ServerFile createServerFile(final String name)
    {
        assert isWriterThread();
        final ServerFile existing = serverFile(name);
        if (existing != null)
        {
            return existing;
        }
        if (HistoryStore.shardIndex(name, shardCount) != index)
        {
            throw new IllegalArgumentException("'" + name + "' belongs to shard " +
                HistoryStore.shardIndex(name, shardCount) + ", not " + index + " (use HistoryStore.shardFor)");
        }
        final byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        if (nameBytes.length > RecordLayout.MAX_NAME_BYTES)
        {
            throw new IllegalArgumentException("server file name longer than " + RecordLayout.MAX_NAME_BYTES +
                " bytes");
        }
        final long salt = randomSalt();
        final int fileId = fileCount;
        checkUsable(RecordLayout.FILE_CREATED, RecordLayout.COMMON_HEADER_LENGTH + 4 + nameBytes.length);
        try (RecordWrite r = openRecord(RecordLayout.FILE_CREATED, (byte)0, fileId, salt))
        {
            final Bytes<?> b = r.bytes();
            b.writeInt(nameBytes.length);
            b.write(nameBytes);
            r.complete();
        }
        unsynced = true;
        final long logIndex = appender.lastIndexAppended();
        synchronized (indexLock)
        {
            addServerFile(name, fileId, logIndex);
            return makeResident(new ServerFile(name, index, fileId, salt));
        }
    }

    /**
     * Deletes server file {@code file}: writes its FILE_DELETED tombstone (in the open commit unit when called inside
     * a command, so it takes effect with the unit's COMMIT at {@link #publish()}, and is undone with the command by
     * {@link #abortCommand()}), and drops it from the index at once: lookups, {@link #contains}, {@link #head},
     * listings and {@link #serverFileCount()} no longer see it, and {@link #createServerFile} of the same name creates
     * a new server file (new fileId, new salt). Its records stay in the queue (skipped at replay) until history
     * compaction rewrites the shard. Readers that still hold {@code file} may read its versions up to its head;
     * nobody may write through it again. Writer thread; never refused for space (16 bytes from the reserve, like
     * COMMIT).
     *
     * @param file the resident server file ({@link #serverFile(String)} or {@link #createServerFile(String)}).
     */
    public void deleteServerFile(final ServerFile file)
    {
        assert isWriterThread();
        final int id = file.fileId();
        if (byId[id] != file || deleted[id])
        {
            throw new IllegalArgumentException("'" + file.name() + "' is not a live resident server file of shard " +
                index);
        }
        final byte flags = flagsFor(RecordLayout.FILE_DELETED, 0);
        try (RecordWrite r = openRecord(RecordLayout.FILE_DELETED, flags, id, file.salt()))
        {
            r.complete();
        }
        final UndoLog u = written(flags);
        if (u != null)
        {
            u.fileDeleted(file);
        }
        synchronized (indexLock)
        {
            markDeleted(id);
            byId[id] = null; // a late write through the deleted file trips the writer methods' assertions
            resident.remove(file.name(), file);
        }
    }

    /**
     * Under indexLock (or at replay): {@code fileId} leaves the index; its compact entry keeps what it had (replay
     * keeps its transient object until its end, for undo).
     */
    private void markDeleted(final int fileId)
    {
        final ServerFile f = byId[fileId];
        if (f != null)
        {
            heads[fileId] = f.lastAppended;
            sizes[fileId] = f.cumulativeBytes();
            chainTails[fileId] = f.chainTail;
        }
        deleted[fileId] = true;
        deletedCount++;
    }

    /**
     * Undo of a deletion (an aborted command, or a unit dropped at replay): the file is back as it was. A file of the
     * same name created after the deletion in the same unit is deleted instead (nothing of it can have been
     * acknowledged: its deletion's unit never committed), so that a name never has two live files.
     */
    private void undelete(final ServerFile file)
    {
        synchronized (indexLock)
        {
            final int id = file.fileId();
            final String name = file.name() != null ? file.name() : nameOf(id);
            final int newer = name == null ? -1 : find(name);
            if (newer >= 0)
            {
                final ServerFile n = byId[newer];
                markDeleted(newer);
                if (n != null && n.name() != null)
                {
                    resident.remove(n.name(), n);
                }
            }
            deleted[id] = false;
            deletedCount--;
            byId[id] = file;
            if (file.name() != null)
            {
                resident.put(file.name(), file);
            }
        }
    }

    /**
     * Appends a history entry to {@code file} as version {@link ServerFile#lastAppended()} + 1. The record is in the
     * queue when this returns; readers see it after the next {@link #publish()}. If {@code originFileIdent} is a
     * registered client of {@code file}, its {@link ClientFileRecord#clientVersion()} is raised to
     * {@code clientVersion} (the same happens at replay, so the upload progress survives a crash before
     * {@link #updateClientState}).
     * Writer thread.
     *
     * @return the new server version, or {@link #REJECTED_TOO_LARGE}.
     */
    public long append(final ServerFile file, final long originFileIdent, final long clientVersion,
        final long timestamp, final long originalSize, final DirectBuffer changeset, final int offset,
        final int length)
    {
        assert isWriterThread();
        assert byId[file.fileId()] == file : "server file of another shard, or evicted";
        if (originFileIdent < 1)
        {
            throw new IllegalArgumentException("originFileIdent must be >= 1: " + originFileIdent);
        }
        if (length > maxChangesetLength)
        {
            return REJECTED_TOO_LARGE;
        }
        chain.reserve();
        final long version = file.lastAppended + 1;
        final byte flags = flagsFor(RecordLayout.ENTRY, RecordLayout.ENTRY_HEADER_LENGTH + length);
        try (RecordWrite r = openRecord(RecordLayout.ENTRY, flags, file.fileId(), version))
        {
            final Bytes<?> b = r.bytes();
            b.writeLong(originFileIdent);
            b.writeLong(clientVersion);
            b.writeLong(timestamp);
            b.writeLong(originalSize);
            b.writeInt(length);
            b.writeInt(0);
            writePayload(b, changeset, offset, length);
            r.complete();
        }
        final long logIndex = appender.lastIndexAppended();
        final UndoLog u = written(flags);
        if (u != null)
        {
            u.appended(file, file.lastAppended, file.cumulativeBytes());
        }
        file.recordAppended(version, logIndex, length);
        file.chainTail = chain.append(file.fileId(), logIndex, file.chainTail);
        raiseUploadProgress(file, originFileIdent, clientVersion, u);
        if (!file.dirty)
        {
            file.dirty = true;
            dirty.add(file);
        }
        return version;
    }

    /**
     * Commits the open commit unit (writes its COMMIT record), forces everything written to disk if the shard syncs
     * ({@link StoreConfig#fsync}), then publishes the head of every server file appended to since the last publish.
     * Writer thread, outside a command.
     *
     * @return false if the unit could not be committed or synced: the shard has failed ({@link #failure()}), and
     *     nothing appended since the last successful publish is published (or will survive a restart).
     */
    public boolean publish()
    {
        assert isWriterThread();
        assert !inCommand : "publish inside a command";
        if (failure != null)
        {
            return false;
        }
        try
        {
            if (unitOpen)
            {
                writeMarker(RecordLayout.COMMIT);
                unitOpen = false;
                commitCount++;
            }
            if (fsync && unsynced)
            {
                sync();
            }
        }
        catch (final RuntimeException | Error ex)
        {
            fail("cannot commit a batch", ex);
            return false;
        }
        undo.clear();
        final ArrayList<ServerFile> files = dirty;
        for (int i = 0, n = files.size(); i < n; i++)
        {
            files.get(i).publish();
        }
        files.clear();
        return true;
    }

    /**
     * Starts a command: everything written until {@link #endCommand()} or {@link #abortCommand()} belongs to the
     * open commit unit and can be undone. Writer thread.
     */
    public void beginCommand()
    {
        assert isWriterThread();
        assert !inCommand : "nested command";
        inCommand = true;
        commandWrote = false;
        commandMark = undo.mark();
        chainCommandMark = chain.size();
    }

    /** Ends a command that succeeded: its records wait for the unit's commit at the next {@link #publish()}. */
    public void endCommand()
    {
        assert isWriterThread();
        inCommand = false;
    }

    /**
     * Ends a command that failed: undoes its effects on the index (versions, cumulative sizes, client registry,
     * upload state, reciprocals) and writes an ABORT record so that replay ignores its records. A server file created
     * by the command stays (creation is idempotent). If the ABORT cannot be written the shard fails (see
     * {@link #publish()}). Writer thread.
     *
     * @return whether the command had written anything.
     */
    public boolean abortCommand()
    {
        assert isWriterThread();
        assert inCommand : "abort outside a command";
        inCommand = false;
        undo.rollbackTo(commandMark);
        truncateChain(chainCommandMark);
        if (!commandWrote)
        {
            return false;
        }
        abortedCommands++;
        if (failure == null)
        {
            try
            {
                writeMarker(RecordLayout.ABORT);
            }
            catch (final RuntimeException | Error ex)
            {
                fail("cannot write an abort record", ex);
            }
        }
        return true;
    }

    /**
     * Turns the free-space check on (before the first write; see {@link StoreConfig#minFreeBytes}).
     *
     * @param probe        asked how much space is left whenever the bytes written since its last answer exceed it.
     * @param minFreeBytes the space no data record may take.
     */
    void spaceCheck(final SpaceProbe probe, final long minFreeBytes)
    {
        this.spaceProbe = probe;
        this.minFreeBytes = minFreeBytes;
        this.spaceBudget = 0;
    }

    /**
     * @return true from a write refused for want of space ({@link StoreFull}) until the filesystem has room again
     *     (found by the next write that asks). Any thread.
     */
    public boolean spaceLow()
    {
        return spaceLow;
    }

    /**
     * @return whether the filesystem has the reserve free and room for writing on (half the reserve, at most 1 MiB)
     *     now (asks it; true without a check). Any thread.
     */
    boolean hasRoom()
    {
        final SpaceProbe probe = spaceProbe;
        if (probe == null)
        {
            return true;
        }
        try
        {
            return probe.usableBytes() - minFreeBytes >= Math.min(SPACE_RECHECK_BYTES, minFreeBytes / 2);
        }
        catch (final IOException | RuntimeException ex)
        {
            return false;
        }
    }

    /** @return the writes refused for want of space since open. Any thread. */
    public long spaceRefusals()
    {
        return spaceRefusals;
    }

    /** @return why the shard stopped writing (a commit, abort or sync failed), or null while it works. Any thread. */
    public StoreFailure failure()
    {
        return failure;
    }

    /** @return the number of disk syncs so far (fsync mode: at most one per publish). */
    public long syncCount()
    {
        return syncCount;
    }

    /** @return the number of commit units committed by {@link #publish()} since open. */
    public long commitCount()
    {
        return commitCount;
    }

    /** @return commands aborted since open, plus aborted commands found at replay. */
    public long abortedCommands()
    {
        return abortedCommands;
    }

    /**
     * @return the write position found in the newest cycle file's header at open when it was past the last record
     * replay could read and was brought back to that record ({@link #repairWritePosition()}); -1 if it was not.
     */
    public long writePositionRepaired()
    {
        return writePositionRepaired;
    }

    /** @return commit units found uncommitted at replay (cut off by a crash) and dropped. */
    public long droppedUnits()
    {
        return droppedUnits;
    }

    /**
     * Allocates the next client file ident of {@code file} (2, 3, ...) with a random salt. Outside a command the record
     * is committed when this returns; inside one it is committed by the next {@link #publish()}, after which the
     * IDENT may be sent. Writer thread.
     */
    public ClientFileRecord allocateClientFile(final ServerFile file, final int clientType, final long lastSeen)
    {
        assert isWriterThread();
        assert byId[file.fileId()] == file : "server file of another shard, or evicted";
        chain.reserve();
        final long ident = file.nextClientIdent;
        final long salt = randomSalt();
        final byte flags = flagsFor(RecordLayout.CLIENT_ALLOCATED, RecordLayout.CLIENT_ALLOCATED_LENGTH);
        try (RecordWrite r = openRecord(RecordLayout.CLIENT_ALLOCATED, flags, file.fileId(), ident))
        {
            final Bytes<?> b = r.bytes();
            b.writeLong(salt);
            b.writeInt(clientType);
            b.writeInt(0);
            b.writeLong(lastSeen);
            r.complete();
        }
        file.chainTail = chain.append(file.fileId(), appender.lastIndexAppended(), file.chainTail);
        return addClient(file, ident, salt, clientType, lastSeen, written(flags));
    }

    /** @return the client file {@code ident} of {@code file}, or null. Writer thread. */
    public ClientFileRecord clientFile(final ServerFile file, final long ident)
    {
        assert isWriterThread();
        return file.clients.get(ident);
    }

    /**
     * Stores a client's upload state. When {@code rhBaseVersion} grows, the reciprocal transforms at or below it are
     * dropped. None of the three versions may decrease. Writer thread.
     */
    public void updateClientState(final ServerFile file, final ClientFileRecord client, final long clientVersion,
        final long rhBaseVersion, final long lockedServerVersion, final long lastSeen)
    {
        assert isWriterThread();
        assert file.clients.get(client.ident()) == client : "client of another server file";
        if (clientVersion < client.clientVersion || rhBaseVersion < client.rhBaseVersion ||
            lockedServerVersion < client.lockedServerVersion)
        {
            throw new IllegalArgumentException("client state must not go back: " + client + " -> (" +
                clientVersion + ", " + rhBaseVersion + ", " + lockedServerVersion + ")");
        }
        chain.reserve();
        final byte flags = flagsFor(RecordLayout.CLIENT_STATE, RecordLayout.CLIENT_STATE_LENGTH);
        try (RecordWrite r = openRecord(RecordLayout.CLIENT_STATE, flags, file.fileId(), client.ident()))
        {
            final Bytes<?> b = r.bytes();
            b.writeLong(clientVersion);
            b.writeLong(rhBaseVersion);
            b.writeLong(lockedServerVersion);
            b.writeLong(lastSeen);
            r.complete();
        }
        file.chainTail = chain.append(file.fileId(), appender.lastIndexAppended(), file.chainTail);
        client.applyState(clientVersion, rhBaseVersion, lockedServerVersion, lastSeen, written(flags));
    }

    /**
     * Stores (or replaces) the reciprocal transform of server version {@code serverVersion} for {@code client}.
     * The version must be above the client's rh_base_version and at most the newest appended version. Writer thread.
     *
     * @return false if the changeset does not fit in one record.
     */
    public boolean putReciprocal(final ServerFile file, final ClientFileRecord client, final long serverVersion,
        final DirectBuffer changeset, final int offset, final int length)
    {
        assert isWriterThread();
        assert file.clients.get(client.ident()) == client : "client of another server file";
        if (serverVersion <= client.rhBaseVersion || serverVersion > file.lastAppended)
        {
            throw new IllegalArgumentException("reciprocal version " + serverVersion + " outside (" +
                client.rhBaseVersion + ", " + file.lastAppended + "]");
        }
        if (length > maxChangesetLength)
        {
            return false;
        }
        chain.reserve();
        final byte flags = flagsFor(RecordLayout.RECIPROCAL, RecordLayout.RECIPROCAL_HEADER_LENGTH + length);
        try (RecordWrite r = openRecord(RecordLayout.RECIPROCAL, flags, file.fileId(), client.ident()))
        {
            final Bytes<?> b = r.bytes();
            b.writeLong(serverVersion);
            b.writeInt(length);
            b.writeInt(0);
            writePayload(b, changeset, offset, length);
            r.complete();
        }
        final long logIndex = appender.lastIndexAppended();
        file.chainTail = chain.append(file.fileId(), logIndex, file.chainTail);
        final UndoLog u = written(flags);
        final long previous = client.putReciprocal(serverVersion, logIndex);
        if (u != null)
        {
            u.reciprocal(client, serverVersion, previous);
        }
        return true;
    }

    /**
     * Reads the reciprocal transform of {@code serverVersion} for {@code client} into {@code into} (valid until the
     * next writer read). Writer thread.
     *
     * @return false if none is stored for that version.
     */
    public boolean readReciprocal(final ClientFileRecord client, final long serverVersion, final EntryView into)
    {
        assert isWriterThread();
        final long logIndex = client.reciprocal(serverVersion);
        if (logIndex == ClientFileRecord.NO_RECIPROCAL)
        {
            return false;
        }
        final UnsafeBuffer record = writerCursor().read(logIndex);
        if (record == null)
        {
            return false;
        }
        into.wrapReciprocal(record);
        return true;
    }

    /**
     * Reads version {@code version} (1 .. {@link ServerFile#lastAppended()}, published or not) of {@code file}.
     * Writer thread.
     *
     * @return false if there is no such version.
     */
    public boolean readEntry(final ServerFile file, final long version, final EntryView into)
    {
        assert isWriterThread();
        if (version < 1 || version > file.lastAppended)
        {
            return false;
        }
        final UnsafeBuffer record = writerCursor().read(file.logIndex(version));
        if (record == null)
        {
            return false;
        }
        into.wrapEntry(record, file.salt());
        return true;
    }

    SingleChronicleQueue queue()
    {
        return queue;
    }

    /** Test hook: the writer's appender. */
    ExcerptAppender appenderForTest()
    {
        return appender();
    }

    @Override
    public void close()
    {
        closeSyncChannel();
        if (writerCursor != null)
        {
            writerCursor.close();
        }
        if (loadCursor != null)
        {
            loadCursor.close();
        }
        if (appender != null)
        {
            appender.close();
        }
        queue.close();
        chain.close();
    }

    /**
     * Rebuilds the index from the queue. Runs once at open, before any writer. Records of a commit unit take effect
     * tentatively (with undo) and become final at its COMMIT; an ABORT undoes the unit's last command; a unit that
     * never committed (the next unit starts, an unflagged record follows, or the queue ends) is undone whole.
     */
    void replay()
    {
        final UnsafeBuffer record = new UnsafeBuffer(new byte[0]);
        byte[] copy = new byte[256];
        boolean pending = false;
        int commandMark = 0;
        long unitChainMark = 0;
        long commandChainMark = 0;
        try (ExcerptTailer tailer = queue.createTailer())
        {
            tailer.toStart();
            while (true)
            {
                try (DocumentContext dc = tailer.readingDocument())
                {
                    if (!dc.isPresent())
                    {
                        break;
                    }
                    final Bytes<?> bytes = dc.wire().bytes();
                    final long position = bytes.readPosition();
                    final long remaining = bytes.readRemaining();
                    lastReadIndex = dc.index();
                    lastReadHeader = position - DOCUMENT_HEADER_LENGTH;
                    if (remaining > Integer.MAX_VALUE || remaining < RecordLayout.COMMON_HEADER_LENGTH)
                    {
                        skippedRecords++;
                        continue;
                    }
                    final int length = (int)remaining;
                    if (bytes.isDirectMemory() && bytes.bytesStore().inside(position, length))
                    {
                        record.wrap(bytes.addressForRead(position), length);
                    }
                    else
                    {
                        if (copy.length < length)
                        {
                            copy = new byte[length];
                        }
                        bytes.read(copy, 0, length);
                        record.wrap(copy, 0, length);
                    }
                    final byte type = record.getByte(RecordLayout.TYPE_OFFSET);
                    final byte flags = record.getByte(RecordLayout.FLAGS_OFFSET);
                    if (type == RecordLayout.COMMIT || type == RecordLayout.ABORT)
                    {
                        if (pending && type == RecordLayout.COMMIT)
                        {
                            undo.clear();
                            pending = false;
                        }
                        else if (pending)
                        {
                            undo.rollbackTo(commandMark);
                            truncateChain(commandChainMark);
                            abortedCommands++;
                        }
                        continue;
                    }
                    UndoLog u = null;
                    if (type != RecordLayout.FILE_CREATED)
                    {
                        if ((flags & RecordLayout.FLAG_TXN) == 0 || (flags & RecordLayout.FLAG_UNIT_START) != 0)
                        {
                            if (pending)
                            {
                                dropUnit(unitChainMark);
                                pending = false;
                            }
                            pending = (flags & RecordLayout.FLAG_TXN) != 0;
                            unitChainMark = chain.size();
                        }
                        else if (!pending)
                        {
                            skippedRecords++; // a later record of a unit that was already dropped
                            continue;
                        }
                        if (pending)
                        {
                            u = undo;
                            if ((flags & RecordLayout.FLAG_CMD_START) != 0)
                            {
                                commandMark = undo.mark();
                                commandChainMark = chain.size();
                            }
                        }
                    }
                    if (apply(record, dc.index(), u))
                    {
                        replayedRecords++;
                    }
                    else
                    {
                        skippedRecords++;
                    }
                }
                catch (final RuntimeException ex)
                {
                    // A queue damaged beyond a torn tail (which Chronicle hides from tailers): keep what was read.
                    skippedRecords++;
                    break;
                }
            }
        }
        if (pending)
        {
            dropUnit(unitChainMark);
        }
        // Keep the compact entry of every file, drop the rest: every file is loaded again on demand.
        for (int id = 0, n = fileCount; id < n; id++)
        {
            final ServerFile f = byId[id];
            heads[id] = f.lastAppended;
            sizes[id] = f.cumulativeBytes();
            chainTails[id] = f.chainTail;
            byId[id] = null;
        }
        if (loadCursor != null)
        {
            loadCursor.close(); // the next load may run on another thread
            loadCursor = null;
        }
    }

    /**
     * At open, after replay, before the first append: a power loss can keep the newest cycle file's header page, whose
     * write position names the last document written, but not the data pages it points to. Replay then ends at the
     * first empty header, before that position, and Chronicle's appender would start from the header's position,
     * after the empty header, where every later tailer stops: new records would be written but never replayed. So if
     * the header's position is past the last document replay read, it is brought back to that document (position
     * and sequence, as a stopped process leaves them); the first append then overwrites the empty or torn header
     * after it, as after any crash. Chronicle only lets the position grow ({@code writePosition(long)} keeps the
     * maximum), so its two header values are set directly, before the first append, by the directory's only writer.
     *
     * @return whether the position was reset (one WARN line says so).
     * @throws IllegalStateException if the position is past the records and cannot be reset (the store must not open:
     *                               writes would be lost).
     */
    boolean repairWritePosition()
    {
        if (lastReadIndex < 0)
        {
            return false; // nothing readable: an empty queue (a newest cycle without any record is not handled)
        }
        final int cycle = queue.rollCycle().toCycle(lastReadIndex);
        if (cycle != queue.lastCycle())
        {
            return false;
        }
        final net.openhft.chronicle.queue.impl.single.SingleChronicleQueueStore store =
            queue.storeForCycle(cycle, queue.epoch(), false, null);
        if (store == null)
        {
            return false;
        }
        try
        {
            final long found = store.writePosition();
            if (found <= lastReadHeader)
            {
                return false;
            }
            final long sequence = queue.rollCycle().toSequenceNumber(lastReadIndex);
            try
            {
                final java.lang.reflect.Field position = store.getClass().getDeclaredField("writePosition");
                position.setAccessible(true);
                final java.lang.reflect.Field sequences = store.getClass().getDeclaredField("sequence");
                sequences.setAccessible(true);
                ((net.openhft.chronicle.core.values.LongValue)position.get(store)).setOrderedValue(lastReadHeader);
                ((net.openhft.chronicle.wire.Sequence)sequences.get(store)).setSequence(sequence, lastReadHeader);
            }
            catch (final ReflectiveOperationException | RuntimeException ex)
            {
                throw new IllegalStateException("shard " + index + ": the queue's write position " + found +
                    " is past its last readable record at " + lastReadHeader + " and cannot be reset: " + ex, ex);
            }
            if (store.writePosition() != lastReadHeader)
            {
                throw new IllegalStateException("shard " + index + ": the queue's write position " + found +
                    " is past its last readable record at " + lastReadHeader + " and did not reset");
            }
            writePositionRepaired = found;
            LOG.log(System.Logger.Level.WARNING, "store shard " + index + ": the write position in the header of " +
                store.file().getName() + " (" + found + ") was past the last readable record (" + lastReadHeader +
                "), as a power loss that kept the header but not the data leaves it; reset to that record");
            return true;
        }
        finally
        {
            queue.closeStore(store);
        }
    }

    private void dropUnit(final long chainMark)
    {
        undo.rollbackTo(0);
        truncateChain(chainMark);
        droppedUnits++;
    }

    /**
     * Voids the chain entries from {@code mark} on (their records were aborted or dropped): each one's server file
     * gets back the chain tail it had before. The files are resident (a file is never evicted inside a unit).
     */
    private void truncateChain(final long mark)
    {
        for (long e = chain.size() - 1; e >= mark; e--)
        {
            byId[chain.fileId(e)].chainTail = chain.previous(e);
        }
        chain.truncate(mark);
    }

    /** Replay: validates and applies one record; a valid record of a server file joins that file's chain. */
    private boolean apply(final UnsafeBuffer r, final long logIndex, final UndoLog u)
    {
        final int length = r.capacity();
        if (length < RecordLayout.COMMON_HEADER_LENGTH ||
            r.getByte(RecordLayout.LAYOUT_OFFSET) != RecordLayout.LAYOUT_VERSION)
        {
            return false;
        }
        final byte type = r.getByte(RecordLayout.TYPE_OFFSET);
        final int fileId = r.getInt(RecordLayout.FILE_ID_OFFSET);
        final long key = r.getLong(RecordLayout.KEY_OFFSET);
        if (type == RecordLayout.FILE_CREATED)
        {
            if (fileId != fileCount || key <= 0 || length < RecordLayout.FILE_NAME_OFFSET)
            {
                return false;
            }
            final int nameLength = r.getInt(RecordLayout.FILE_NAME_LENGTH_OFFSET);
            if (nameLength < 0 || nameLength > RecordLayout.MAX_NAME_BYTES ||
                nameLength != length - RecordLayout.FILE_NAME_OFFSET)
            {
                return false;
            }
            final String name = r.getStringWithoutLengthUtf8(RecordLayout.FILE_NAME_OFFSET, nameLength);
            if (find(name) >= 0)
            {
                return false;
            }
            addServerFile(name, fileId, logIndex);
            byId[fileId] = ServerFile.forReplay(index, fileId, key); // no name, no version positions
            return true;
        }
        if (fileId < 0 || fileId >= fileCount || deleted[fileId])
        {
            return false; // unknown, or a record after its file's deletion (skipped)
        }
        final ServerFile file = byId[fileId];
        if (type == RecordLayout.FILE_DELETED)
        {
            if (key != file.salt() || length != RecordLayout.FILE_DELETED_LENGTH)
            {
                return false;
            }
            if (u != null)
            {
                u.fileDeleted(file);
            }
            markDeleted(fileId);
            return true;
        }
        if (!applyTo(file, r, type, key, length, logIndex, u))
        {
            return false;
        }
        file.chainTail = chain.append(fileId, logIndex, file.chainTail);
        return true;
    }

    /** Validates and applies one record of {@code file} (replay, and loading a file from its chain). */
    private static boolean applyTo(final ServerFile file, final UnsafeBuffer r, final byte type, final long key,
        final int length, final long logIndex, final UndoLog u)
    {
        switch (type)
        {
            case RecordLayout.ENTRY:
            {
                if (key != file.lastAppended + 1 || length < RecordLayout.ENTRY_HEADER_LENGTH)
                {
                    return false;
                }
                final int changesetLength = r.getInt(RecordLayout.ENTRY_LENGTH_OFFSET);
                if (changesetLength != length - RecordLayout.ENTRY_HEADER_LENGTH)
                {
                    return false;
                }
                if (u != null)
                {
                    u.appended(file, file.lastAppended, file.cumulativeBytes());
                }
                file.recordAppended(key, logIndex, changesetLength);
                raiseUploadProgress(file, r.getLong(RecordLayout.ENTRY_ORIGIN_FILE_OFFSET),
                    r.getLong(RecordLayout.ENTRY_CLIENT_VERSION_OFFSET), u);
                return true;
            }
            case RecordLayout.CLIENT_ALLOCATED:
            {
                final long salt = r.getLong(RecordLayout.CLIENT_SALT_OFFSET);
                if (key != file.nextClientIdent || length != RecordLayout.CLIENT_ALLOCATED_LENGTH || salt <= 0)
                {
                    return false;
                }
                addClient(file, key, salt, r.getInt(RecordLayout.CLIENT_TYPE_OFFSET),
                    r.getLong(RecordLayout.CLIENT_ALLOCATED_LAST_SEEN_OFFSET), u);
                return true;
            }
            case RecordLayout.CLIENT_STATE:
            {
                final ClientFileRecord client = file.clients.get(key);
                if (client == null || length != RecordLayout.CLIENT_STATE_LENGTH)
                {
                    return false;
                }
                client.applyState(r.getLong(RecordLayout.STATE_CLIENT_VERSION_OFFSET),
                    r.getLong(RecordLayout.STATE_RH_BASE_OFFSET), r.getLong(RecordLayout.STATE_LOCKED_OFFSET),
                    r.getLong(RecordLayout.STATE_LAST_SEEN_OFFSET), u);
                return true;
            }
            case RecordLayout.RECIPROCAL:
            {
                final ClientFileRecord client = file.clients.get(key);
                if (client == null || length < RecordLayout.RECIPROCAL_HEADER_LENGTH)
                {
                    return false;
                }
                final long version = r.getLong(RecordLayout.RECIPROCAL_VERSION_OFFSET);
                final int changesetLength = r.getInt(RecordLayout.RECIPROCAL_LENGTH_OFFSET);
                if (changesetLength != length - RecordLayout.RECIPROCAL_HEADER_LENGTH ||
                    version <= client.rhBaseVersion || version > file.lastAppended)
                {
                    return false;
                }
                final long previous = client.putReciprocal(version, logIndex);
                if (u != null)
                {
                    u.reciprocal(client, version, previous);
                }
                return true;
            }
            default:
                return false;
        }
    }

    /**
     * An entry authored by a registered client proves that the server integrated that client version, even if the
     * process died before the client's upload state was stored: raising {@code clientVersion} here (live and at
     * replay alike) makes a re-upload of it after a crash be skipped instead of integrated twice.
     */
    private static void raiseUploadProgress(final ServerFile file, final long originFileIdent,
        final long clientVersion, final UndoLog u)
    {
        if (originFileIdent >= 2)
        {
            final ClientFileRecord client = file.clients.get(originFileIdent);
            if (client != null && clientVersion > client.clientVersion)
            {
                if (u != null)
                {
                    u.uploadProgress(client, client.clientVersion);
                }
                client.clientVersion = clientVersion;
            }
        }
    }

    /** Under indexLock (or at replay): the compact entry of a new server file. */
    private void addServerFile(final String name, final int fileId, final long createdLogIndex)
    {
        assert fileId == fileCount;
        if (fileId == createdAt.length)
        {
            final int n = fileId * 2;
            byId = java.util.Arrays.copyOf(byId, n);
            createdAt = java.util.Arrays.copyOf(createdAt, n);
            chainTails = java.util.Arrays.copyOf(chainTails, n);
            heads = java.util.Arrays.copyOf(heads, n);
            sizes = java.util.Arrays.copyOf(sizes, n);
            hashes = java.util.Arrays.copyOf(hashes, n);
            deleted = java.util.Arrays.copyOf(deleted, n);
        }
        final int hash = nameHash(name);
        createdAt[fileId] = createdLogIndex;
        chainTails[fileId] = RecordChain.NONE;
        heads[fileId] = 0;
        sizes[fileId] = 0;
        hashes[fileId] = hash;
        if (2 * (fileId + 1) > table.length)
        {
            final int[] t = new int[table.length * 2];
            for (int id = 0; id < fileId; id++)
            {
                insert(t, hashes[id], id);
            }
            table = t;
        }
        insert(table, hash, fileId);
        fileCount = fileId + 1;
    }

    private static void insert(final int[] t, final int hash, final int fileId)
    {
        final int mask = t.length - 1;
        int slot = hash & mask;
        while (t[slot] != 0)
        {
            slot = (slot + 1) & mask;
        }
        t[slot] = fileId + 1;
    }

    /** A hash of the name independent of the one that places it in a shard (all names of a shard share that). */
    private static int nameHash(final String name)
    {
        final int h = name.hashCode() * 0x9E3779B9;
        return h ^ (h >>> 15);
    }

    /** Under indexLock (or at replay): the fileId of {@code name}, or -1; names are compared on a hash hit only. */
    private int find(final String name)
    {
        final int hash = nameHash(name);
        final int[] t = table;
        final int mask = t.length - 1;
        for (int slot = hash & mask; t[slot] != 0; slot = (slot + 1) & mask)
        {
            final int id = t[slot] - 1;
            if (hashes[id] == hash && !deleted[id] && name.equals(nameOf(id)))
            {
                return id;
            }
        }
        return -1;
    }

    /** Under indexLock: the name of {@code fileId}, from its resident object or its FILE_CREATED record. */
    private String nameOf(final int fileId)
    {
        final ServerFile f = byId[fileId];
        if (f != null && f.name() != null)
        {
            return f.name();
        }
        final UnsafeBuffer r = loadCursor().read(createdAt[fileId]);
        if (r == null || r.capacity() < RecordLayout.FILE_NAME_OFFSET)
        {
            return null;
        }
        return r.getStringWithoutLengthUtf8(RecordLayout.FILE_NAME_OFFSET,
            r.getInt(RecordLayout.FILE_NAME_LENGTH_OFFSET));
    }

    /**
     * Under indexLock: builds the index of {@code fileId} from its FILE_CREATED record and the records of its
     * chain (newest first to oldest, then applied oldest first), reading nothing else of the shard. The file
     * was evicted (or never loaded since open), so all its records are committed.
     */
    private ServerFile load(final int fileId)
    {
        final LogCursor cursor = loadCursor();
        final UnsafeBuffer created = cursor.read(createdAt[fileId]);
        if (created == null)
        {
            throw new IllegalStateException("shard " + index + ": creation record of file " + fileId + " unreadable");
        }
        final String name = created.getStringWithoutLengthUtf8(RecordLayout.FILE_NAME_OFFSET,
            created.getInt(RecordLayout.FILE_NAME_LENGTH_OFFSET));
        final ServerFile file = new ServerFile(name, index, fileId, created.getLong(RecordLayout.KEY_OFFSET));
        long[] positions = loadScratch;
        int n = 0;
        for (long e = chainTails[fileId]; e != RecordChain.NONE; e = chain.previous(e))
        {
            if (n == positions.length)
            {
                positions = java.util.Arrays.copyOf(positions, n * 2);
            }
            positions[n++] = chain.logIndex(e);
        }
        for (int i = n - 1; i >= 0; i--)
        {
            final UnsafeBuffer r = cursor.read(positions[i]);
            if (r == null || !applyTo(file, r, r.getByte(RecordLayout.TYPE_OFFSET),
                r.getLong(RecordLayout.KEY_OFFSET), r.capacity(), positions[i], null))
            {
                throw new IllegalStateException("shard " + index + ": record " + positions[i] + " of '" + name +
                    "' no longer applies");
            }
        }
        if (positions.length <= 4096)
        {
            loadScratch = positions; // keep a small scratch, not the largest history ever loaded
        }
        file.chainTail = chainTails[fileId];
        file.publish();
        loads++;
        loadReads += n + 1;
        return file;
    }

    /** Under indexLock: {@code file} (just loaded or created) becomes the resident index of its server file. */
    private ServerFile makeResident(final ServerFile file)
    {
        byId[file.fileId()] = file;
        resident.put(file.name(), file);
        return file;
    }

    /** Under indexLock: the loader's own tailer (used by whichever thread holds the lock). */
    private LogCursor loadCursor()
    {
        if (loadCursor == null)
        {
            loadCursor = new LogCursor(queue.createTailer());
        }
        loadCursor.singleThreadedCheckReset();
        return loadCursor;
    }

    private static ClientFileRecord addClient(final ServerFile file, final long ident, final long salt,
        final int clientType, final long lastSeen, final UndoLog u)
    {
        if (u != null)
        {
            u.clientAdded(file, ident);
        }
        final ClientFileRecord client = new ClientFileRecord(ident, salt, clientType, lastSeen);
        file.clients.put(ident, client);
        file.nextClientIdent = ident + 1;
        return client;
    }

    /**
     * The flags of the next record of {@code type} ({@code bytes} long), after the usual checks (shard not failed,
     * fault hook, free space). Inside a command, or while a unit is open, a record belongs to the unit.
     */
    private byte flagsFor(final int type, final int bytes)
    {
        checkUsable(type, bytes);
        if (!inCommand && !unitOpen)
        {
            return 0;
        }
        byte flags = RecordLayout.FLAG_TXN;
        if (!unitOpen)
        {
            flags |= RecordLayout.FLAG_UNIT_START;
        }
        if (inCommand && !commandWrote)
        {
            flags |= RecordLayout.FLAG_CMD_START;
        }
        return flags;
    }

    /** A record with {@code flags} is in the queue: track the unit. @return the undo log to record effects in. */
    private UndoLog written(final byte flags)
    {
        unsynced = true;
        if ((flags & RecordLayout.FLAG_TXN) == 0)
        {
            return null;
        }
        unitOpen = true;
        if (inCommand)
        {
            commandWrote = true;
        }
        return undo;
    }

    /** @param bytes the record's length; 0 for the markers, which are never refused for space. */
    private void checkUsable(final int type, final int bytes)
    {
        if (failure != null)
        {
            throw new StoreFailure("shard " + index + " stopped writing: " + failure.getMessage(), failure);
        }
        final java.util.function.IntConsumer hook = faultHook;
        if (hook != null)
        {
            hook.accept(type);
        }
        if (bytes > 0 && spaceProbe != null)
        {
            // + Chronicle's document header and alignment, + the record's RecordChain entry (mapped from the same
            // directory); partly filled pages and Chronicle's index arrays come out of the reserve
            spaceBudget -= bytes + RECORD_OVERHEAD;
            if (spaceBudget < 0)
            {
                askForSpace(bytes);
            }
        }
    }

    /** The bytes written since the filesystem's last answer exceed it: ask again, refuse the record if full. */
    private void askForSpace(final int bytes)
    {
        long usable;
        try
        {
            usable = spaceProbe.usableBytes();
        }
        catch (final IOException | RuntimeException ex)
        {
            usable = -1;
        }
        final long budget = usable - minFreeBytes - bytes - RECORD_OVERHEAD;
        if (budget < 0)
        {
            spaceBudget = 0; // the next record asks again
            spaceRefusals++;
            spaceLow = true;
            throw new StoreFull("shard " + index + ": " + (usable < 0 ? "cannot read the free space" :
                usable + " bytes free") + " on the data directory's filesystem, " + minFreeBytes +
                " bytes are kept free (min-free-space)");
        }
        // ask again at least every half reserve written, so that what others write to the filesystem is seen in time
        spaceBudget = Math.min(budget, Math.min(SPACE_RECHECK_BYTES, minFreeBytes / 2));
        if (spaceLow)
        {
            spaceLow = false;
        }
    }

    private void writeMarker(final byte type)
    {
        checkUsable(type, 0);
        try (RecordWrite r = openRecord(type, RecordLayout.FLAG_TXN, 0, 0))
        {
            r.complete();
        }
        unsynced = true;
    }

    private void fail(final String what, final Throwable cause)
    {
        failure = new StoreFailure("shard " + index + ": " + what + ": " + cause, cause);
    }

    /**
     * Forces the queue's current cycle file to disk (fdatasync covers the pages written through the mapping). When
     * the queue moved to a new cycle file, the previous one is forced once more, and so are the directory entry of
     * the new file and Chronicle's metadata file, so that a power loss cannot lose the new file itself.
     */
    private void sync()
    {
        final File current = appender.currentFile();
        try
        {
            if (current != null && !current.equals(syncFile))
            {
                if (syncChannel != null)
                {
                    syncChannel.force(false);
                }
                closeSyncChannel();
                syncChannel = FileChannel.open(current.toPath(), StandardOpenOption.READ);
                syncFile = current;
                final java.nio.file.Path dir = current.toPath().getParent();
                try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.list(dir))
                {
                    for (final java.nio.file.Path p : (Iterable<java.nio.file.Path>)files::iterator)
                    {
                        if (p.getFileName().toString().endsWith(".cq4t"))
                        {
                            force(p);
                        }
                    }
                }
                force(dir);
            }
            if (syncChannel != null)
            {
                syncChannel.force(false);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        unsynced = false;
        syncCount++;
    }

    private static void force(final java.nio.file.Path path) throws IOException
    {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ))
        {
            ch.force(true);
        }
    }

    private void closeSyncChannel()
    {
        if (syncChannel != null)
        {
            try
            {
                syncChannel.close();
            }
            catch (final IOException ignore)
            {
                // nothing was written through it
            }
            syncChannel = null;
            syncFile = null;
        }
    }

    /**
     * Opens the one reused {@link RecordWrite} on a new queue document with the record header written (writer
     * thread; allocates nothing).
     */
    private RecordWrite openRecord(final byte type, final byte flags, final int fileId, final long key)
    {
        recordWrite.open(appender().writingDocument(), type, flags, fileId, key);
        return recordWrite;
    }

    /**
     * The envelope of every record the writer appends: one open queue document, its header written. Closing it
     * completes the record when {@link #complete()} was called, else rolls it back (the body threw). Writer thread.
     */
    private static final class RecordWrite implements AutoCloseable
    {
        private DocumentContext dc;
        private boolean complete;

        void open(final DocumentContext dc, final byte type, final byte flags, final int fileId, final long key)
        {
            this.dc = dc;
            complete = false;
            try
            {
                writeHeader(dc.wire().bytes(), type, flags, fileId, key);
            }
            catch (final RuntimeException | Error ex)
            {
                close();
                throw ex;
            }
        }

        Bytes<?> bytes()
        {
            return dc.wire().bytes();
        }

        void complete()
        {
            complete = true;
        }

        public void close()
        {
            final DocumentContext open = dc;
            dc = null;
            if (!complete)
            {
                open.rollbackOnClose();
            }
            open.close();
        }
    }

    private static void writeHeader(final Bytes<?> b, final byte type, final byte flags, final int fileId,
        final long key)
    {
        b.writeByte(type);
        b.writeByte(RecordLayout.LAYOUT_VERSION);
        b.writeByte(flags);
        b.writeByte((byte)0);
        b.writeInt(fileId);
        b.writeLong(key);
    }

    private void writePayload(final Bytes<?> b, final DirectBuffer src, final int offset, final int length)
    {
        if (length == 0)
        {
            return;
        }
        final byte[] array = src.byteArray();
        if (array != null)
        {
            b.write(array, (int)(src.addressOffset() - BufferUtil.ARRAY_BASE_OFFSET) + offset, length);
            return;
        }
        // Off-heap source: one copy, straight from the caller's memory into the mapped page.
        b.unsafeWrite(src.addressOffset() + offset, length);
    }

    private long randomSalt()
    {
        long salt;
        do
        {
            salt = random.nextLong() & Long.MAX_VALUE;
        }
        while (salt == 0);
        return salt;
    }

    private ExcerptAppender appender()
    {
        if (appender == null)
        {
            appender = queue.createAppender();
        }
        return appender;
    }

    private LogCursor writerCursor()
    {
        if (writerCursor == null)
        {
            writerCursor = new LogCursor(queue.createTailer());
        }
        return writerCursor;
    }

    private boolean isWriterThread()
    {
        final Thread current = Thread.currentThread();
        if (owner == null)
        {
            owner = current;
        }
        return owner == current;
    }
}
