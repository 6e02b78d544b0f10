package dev.outpost.server.store;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Map;
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
 * {@link #serverFile(String)} may be called from any thread. Readers on other threads use a {@link HistoryReader}.
 * <p>
 * Durability: every writer method returns after its record is complete in the memory-mapped queue, so it survives
 * a kill of the process (not a power loss: nothing is fsynced). Appended history becomes visible to readers only at
 * {@link #publish()}, which is the acknowledgement point of a batch.
 */
public final class StoreShard implements AutoCloseable
{
    /** Returned by {@link #append} when the changeset does not fit in one record. */
    public static final long REJECTED_TOO_LARGE = -1;

    private final int index;
    private final int shardCount;
    private final SingleChronicleQueue queue;
    private final RandomGenerator random;
    private final int maxChangesetLength;
    private final Map<String, ServerFile> byName = new ConcurrentHashMap<>();
    private final ArrayList<ServerFile> byId = new ArrayList<>();
    private final ArrayList<ServerFile> dirty = new ArrayList<>();
    private ExcerptAppender appender;
    private LogCursor writerCursor;
    private Thread owner;
    private long skippedRecords;
    private long replayedRecords;

    StoreShard(final int index, final int shardCount, final SingleChronicleQueue queue, final RandomGenerator random,
        final int maxChangesetLength)
    {
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

    /** @return the server file called {@code name} in this shard, or null. Any thread. */
    public ServerFile serverFile(final String name)
    {
        return byName.get(name);
    }

    /** @return the number of server files in this shard. Any thread. */
    public int serverFileCount()
    {
        return byName.size();
    }

    /** Visits every server file of this shard. Any thread (a concurrent map's weakly consistent iteration). */
    public void forEachServerFile(final java.util.function.Consumer<ServerFile> visitor)
    {
        byName.values().forEach(visitor);
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
        final ServerFile existing = byName.get(name);
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
        final int fileId = byId.size();
        try (DocumentContext dc = appender().writingDocument())
        {
            final Bytes<?> b = dc.wire().bytes();
            writeHeader(b, RecordLayout.FILE_CREATED, fileId, salt);
            b.writeInt(nameBytes.length);
            b.write(nameBytes);
        }
        return addServerFile(name, fileId, salt);
    }

    /**
     * Appends a history entry to {@code file} as version {@link ServerFile#lastAppended()} + 1. The record is in the
     * queue when this returns; readers see it after the next {@link #publish()}. If {@code originFileIdent} is a
     * registered client of {@code file}, its {@link ClientFile#clientVersion()} is raised to {@code clientVersion}
     * (the same happens at replay, so the upload progress survives a crash before {@link #updateClientState}).
     * Writer thread.
     *
     * @return the new server version, or {@link #REJECTED_TOO_LARGE}.
     */
    public long append(final ServerFile file, final long originFileIdent, final long clientVersion,
        final long timestamp, final long originalSize, final DirectBuffer changeset, final int offset,
        final int length)
    {
        assert isWriterThread();
        assert byId.get(file.fileId()) == file : "server file of another shard";
        if (originFileIdent < 1)
        {
            throw new IllegalArgumentException("originFileIdent must be >= 1: " + originFileIdent);
        }
        if (length > maxChangesetLength)
        {
            return REJECTED_TOO_LARGE;
        }
        final long version = file.lastAppended + 1;
        final long logIndex;
        try (DocumentContext dc = appender().writingDocument())
        {
            final Bytes<?> b = dc.wire().bytes();
            writeHeader(b, RecordLayout.ENTRY, file.fileId(), version);
            b.writeLong(originFileIdent);
            b.writeLong(clientVersion);
            b.writeLong(timestamp);
            b.writeLong(originalSize);
            b.writeInt(length);
            b.writeInt(0);
            writePayload(b, changeset, offset, length);
        }
        logIndex = appender.lastIndexAppended();
        file.recordAppended(version, logIndex, length);
        raiseUploadProgress(file, originFileIdent, clientVersion);
        if (!file.dirty)
        {
            file.dirty = true;
            dirty.add(file);
        }
        return version;
    }

    /** Publishes the head of every server file appended to since the last publish. Writer thread. */
    public void publish()
    {
        assert isWriterThread();
        final ArrayList<ServerFile> files = dirty;
        for (int i = 0, n = files.size(); i < n; i++)
        {
            files.get(i).publish();
        }
        files.clear();
    }

    /**
     * Allocates the next client file ident of {@code file} (2, 3, ...) with a random salt, durably: the record is in
     * the queue when this returns, so the IDENT may be sent. Writer thread.
     */
    public ClientFile allocateClientFile(final ServerFile file, final int clientType, final long lastSeen)
    {
        assert isWriterThread();
        final long ident = file.nextClientIdent;
        final long salt = randomSalt();
        try (DocumentContext dc = appender().writingDocument())
        {
            final Bytes<?> b = dc.wire().bytes();
            writeHeader(b, RecordLayout.CLIENT_ALLOCATED, file.fileId(), ident);
            b.writeLong(salt);
            b.writeInt(clientType);
            b.writeInt(0);
            b.writeLong(lastSeen);
        }
        return addClient(file, ident, salt, clientType, lastSeen);
    }

    /** @return the client file {@code ident} of {@code file}, or null. Writer thread. */
    public ClientFile clientFile(final ServerFile file, final long ident)
    {
        assert isWriterThread();
        return file.clients.get(ident);
    }

    /**
     * Stores a client's upload state. When {@code rhBaseVersion} grows, the reciprocal transforms at or below it are
     * dropped. None of the three versions may decrease. Writer thread.
     */
    public void updateClientState(final ServerFile file, final ClientFile client, final long clientVersion,
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
        try (DocumentContext dc = appender().writingDocument())
        {
            final Bytes<?> b = dc.wire().bytes();
            writeHeader(b, RecordLayout.CLIENT_STATE, file.fileId(), client.ident());
            b.writeLong(clientVersion);
            b.writeLong(rhBaseVersion);
            b.writeLong(lockedServerVersion);
            b.writeLong(lastSeen);
        }
        client.applyState(clientVersion, rhBaseVersion, lockedServerVersion, lastSeen);
    }

    /**
     * Stores (or replaces) the reciprocal transform of server version {@code serverVersion} for {@code client}.
     * The version must be above the client's rh_base_version and at most the newest appended version. Writer thread.
     *
     * @return false if the changeset does not fit in one record.
     */
    public boolean putReciprocal(final ServerFile file, final ClientFile client, final long serverVersion,
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
        final long logIndex;
        try (DocumentContext dc = appender().writingDocument())
        {
            final Bytes<?> b = dc.wire().bytes();
            writeHeader(b, RecordLayout.RECIPROCAL, file.fileId(), client.ident());
            b.writeLong(serverVersion);
            b.writeInt(length);
            b.writeInt(0);
            writePayload(b, changeset, offset, length);
        }
        logIndex = appender.lastIndexAppended();
        client.reciprocals.put(serverVersion, logIndex);
        return true;
    }

    /**
     * Reads the reciprocal transform of {@code serverVersion} for {@code client} into {@code into} (valid until the
     * next writer read). Writer thread.
     *
     * @return false if none is stored for that version.
     */
    public boolean readReciprocal(final ClientFile client, final long serverVersion, final EntryView into)
    {
        assert isWriterThread();
        final long logIndex = client.reciprocals.get(serverVersion);
        if (logIndex == ClientFile.NO_RECIPROCAL)
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
        if (writerCursor != null)
        {
            writerCursor.close();
        }
        if (appender != null)
        {
            appender.close();
        }
        queue.close();
    }

    /** Rebuilds the index from the queue. Runs once at open, before any writer. */
    void replay()
    {
        final UnsafeBuffer record = new UnsafeBuffer(new byte[0]);
        byte[] copy = new byte[256];
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
                    if (remaining > Integer.MAX_VALUE)
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
                    if (apply(record, dc.index()))
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
        for (int i = 0, n = byId.size(); i < n; i++)
        {
            byId.get(i).publish();
        }
    }

    private boolean apply(final UnsafeBuffer r, final long logIndex)
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
            if (fileId != byId.size() || key <= 0 || length < RecordLayout.FILE_NAME_OFFSET)
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
            if (byName.containsKey(name))
            {
                return false;
            }
            addServerFile(name, fileId, key);
            return true;
        }
        if (fileId < 0 || fileId >= byId.size())
        {
            return false;
        }
        final ServerFile file = byId.get(fileId);
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
                file.recordAppended(key, logIndex, changesetLength);
                raiseUploadProgress(file, r.getLong(RecordLayout.ENTRY_ORIGIN_FILE_OFFSET),
                    r.getLong(RecordLayout.ENTRY_CLIENT_VERSION_OFFSET));
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
                    r.getLong(RecordLayout.CLIENT_ALLOCATED_LAST_SEEN_OFFSET));
                return true;
            }
            case RecordLayout.CLIENT_STATE:
            {
                final ClientFile client = file.clients.get(key);
                if (client == null || length != RecordLayout.CLIENT_STATE_LENGTH)
                {
                    return false;
                }
                client.applyState(r.getLong(RecordLayout.STATE_CLIENT_VERSION_OFFSET),
                    r.getLong(RecordLayout.STATE_RH_BASE_OFFSET), r.getLong(RecordLayout.STATE_LOCKED_OFFSET),
                    r.getLong(RecordLayout.STATE_LAST_SEEN_OFFSET));
                return true;
            }
            case RecordLayout.RECIPROCAL:
            {
                final ClientFile client = file.clients.get(key);
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
                client.reciprocals.put(version, logIndex);
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
        final long clientVersion)
    {
        if (originFileIdent >= 2)
        {
            final ClientFile client = file.clients.get(originFileIdent);
            if (client != null && clientVersion > client.clientVersion)
            {
                client.clientVersion = clientVersion;
            }
        }
    }

    private ServerFile addServerFile(final String name, final int fileId, final long salt)
    {
        final ServerFile file = new ServerFile(name, index, fileId, salt);
        byId.add(file);
        byName.put(name, file);
        return file;
    }

    private static ClientFile addClient(final ServerFile file, final long ident, final long salt,
        final int clientType, final long lastSeen)
    {
        final ClientFile client = new ClientFile(ident, salt, clientType, lastSeen);
        file.clients.put(ident, client);
        file.nextClientIdent = ident + 1;
        return client;
    }

    private static void writeHeader(final Bytes<?> b, final byte type, final int fileId, final long key)
    {
        b.writeByte(type);
        b.writeByte(RecordLayout.LAYOUT_VERSION);
        b.writeShort((short)0);
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
