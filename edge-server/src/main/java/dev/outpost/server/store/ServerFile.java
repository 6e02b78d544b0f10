package dev.outpost.server.store;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import org.agrona.collections.Long2ObjectHashMap;

/**
 * One server file (a PBS partition or an FLX dataset): its identity, the in-memory index of its history and its
 * client registry. The history records themselves live in the shard's queue.
 * <p>
 * Threads: {@link #name()}, {@link #salt()}, {@link #head()}, {@link #salt(long)} and {@link #cumulativeSize(long)}
 * may be called from any thread without locks (the head is published with release semantics after the records
 * it covers are in the queue, and read with acquire semantics). Everything else, including the client registry,
 * belongs to the writer thread of its shard.
 */
public final class ServerFile
{
    private static final VarHandle HEAD;
    private static final int SLOTS_PER_VERSION = 2;

    static
    {
        try
        {
            HEAD = MethodHandles.lookup().findVarHandle(ServerFile.class, "head", long.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final String name;
    private final int shardIndex;
    private final int fileId;
    private final long salt;

    /** [2v] = log index of version v's ENTRY record, [2v+1] = cumulative changeset bytes of versions 1..v. */
    private volatile long[] slots;
    @SuppressWarnings("unused") // accessed through HEAD
    private long head;

    // writer-owned
    long lastAppended;
    boolean dirty;
    long nextClientIdent = 2;
    final Long2ObjectHashMap<ClientFile> clients = new Long2ObjectHashMap<>();

    ServerFile(final String name, final int shardIndex, final int fileId, final long salt)
    {
        this.name = name;
        this.shardIndex = shardIndex;
        this.fileId = fileId;
        this.salt = salt;
        this.slots = new long[8 * SLOTS_PER_VERSION];
    }

    /** @return the server file's name (PBS partition path, or FLX dataset name). */
    public String name()
    {
        return name;
    }

    /** @return the shard (and writer) this server file belongs to. */
    public int shardIndex()
    {
        return shardIndex;
    }

    /** @return the random non-zero 63-bit salt of every version above 0. */
    public long salt()
    {
        return salt;
    }

    /** @return the salt of {@code version}: 0 for version 0, else {@link #salt()}. */
    public long salt(final long version)
    {
        return version == 0 ? 0 : salt;
    }

    /** @return the published head: the newest server version that is durable and readable. Any thread. */
    public long head()
    {
        return (long)HEAD.getAcquire(this);
    }

    /**
     * @return the total changeset bytes of versions 1..{@code version} (0 for version 0), for
     *     {@code downloadable_bytes}; {@code version} must be at most {@link #head()}. Any thread.
     */
    public long cumulativeSize(final long version)
    {
        return version == 0 ? 0 : slots[(int)(version * SLOTS_PER_VERSION + 1)];
    }

    /** @return the number of registered client files. Writer thread only. */
    public int clientCount()
    {
        return clients.size();
    }

    /** @return the newest appended version, published or not. Writer thread only. */
    public long lastAppended()
    {
        return lastAppended;
    }

    int fileId()
    {
        return fileId;
    }

    long logIndex(final long version)
    {
        return slots[(int)(version * SLOTS_PER_VERSION)];
    }

    /** Writer: records the position of a new version (not yet published). */
    void recordAppended(final long version, final long logIndex, final int changesetLength)
    {
        long[] s = slots;
        final int at = (int)(version * SLOTS_PER_VERSION);
        if (at + 1 >= s.length)
        {
            final long[] grown = new long[Math.max(s.length * 2, at + 2 * SLOTS_PER_VERSION)];
            System.arraycopy(s, 0, grown, 0, s.length);
            slots = grown; // volatile write: readers that load the new array see its copied contents
            s = grown;
        }
        s[at] = logIndex;
        s[at + 1] = s[at - 1] + changesetLength;
        lastAppended = version;
    }

    /** Writer: makes everything appended so far visible to readers. */
    void publish()
    {
        HEAD.setRelease(this, lastAppended);
        dirty = false;
    }

    @Override
    public String toString()
    {
        return "ServerFile{name='" + name + "', shard=" + shardIndex + ", head=" + head() + '}';
    }
}
