package dev.outpost.server.store;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

import org.agrona.collections.Long2ObjectHashMap;

/**
 * One server file (a PBS partition or an FLX dataset): its identity, the in-memory index of its history and its
 * client registry. The history records themselves live in the shard's queue.
 * <p>
 * Threads: {@link #name()}, {@link #salt()}, {@link #head()}, {@link #salt(long)} and {@link #cumulativeSize(long)}
 * may be called from any thread without locks (the head is published with release semantics after the records
 * it covers are in the queue, and read with acquire semantics). Everything else, including the client registry,
 * belongs to the writer thread of its shard.
 * <p>
 * Residency: an object is the server file's index while the file is resident in its shard
 * ({@link StoreShard#serverFile(String)}, {@link StoreShard#createServerFile(String)}); the writer may evict it
 * when nothing uses it ({@link StoreShard#evict(ServerFile)}). An evicted object stays readable (its versions up to
 * its head are valid for ever) but never grows; the next lookup builds a new one from the queue.
 */
public final class ServerFile
{
    private static final VarHandle HEAD;
    private static final int SEGMENT_SHIFT = 12;
    private static final int SEGMENT_VERSIONS = 1 << SEGMENT_SHIFT;
    private static final int SEGMENT_MASK = SEGMENT_VERSIONS - 1;
    private static final int FIRST_SEGMENT_VERSIONS = 8;

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

    /**
     * Version v lives in segment {@code v >>> SEGMENT_SHIFT} at {@code 2 * (v & SEGMENT_MASK)}: the log index of its
     * ENTRY record, then the cumulative changeset bytes of versions 1..v. Segments have a fixed size (except the
     * first, which grows from small so that 100k tiny server files stay cheap), so a long history never causes a
     * big array copy on the writer thread. Replaced (never mutated in place) when the outer array or the first
     * segment grows; the volatile write publishes the new arrays to readers.
     */
    private volatile long[][] segments;
    @SuppressWarnings("unused") // accessed through HEAD
    private long head;

    // writer-owned
    long lastAppended;
    private long cumulativeBytes;
    boolean dirty;
    long nextClientIdent = 2;
    final Long2ObjectHashMap<ClientFileRecord> clients = new Long2ObjectHashMap<>();
    /** The {@link RecordChain} entry of this file's newest committed (or pending) record, or NONE. */
    long chainTail = RecordChain.NONE;

    ServerFile(final String name, final int shardIndex, final int fileId, final long salt)
    {
        this(name, shardIndex, fileId, salt, new long[][] {new long[2 * FIRST_SEGMENT_VERSIONS]});
    }

    private ServerFile(final String name, final int shardIndex, final int fileId, final long salt,
        final long[][] segments)
    {
        this.name = name;
        this.shardIndex = shardIndex;
        this.fileId = fileId;
        this.salt = salt;
        this.segments = segments;
    }

    /**
     * The transient object replay validates a server file's records with: no name and no version positions (only
     * the counters), dropped at the end of replay; never readable.
     */
    static ServerFile forReplay(final int shardIndex, final int fileId, final long salt)
    {
        return new ServerFile(null, shardIndex, fileId, salt, null);
    }

    /**
     * @return the server file's name (PBS partition path, or FLX dataset name). Null only in the transient objects
     *     replay validates with, which never leave the store.
     */
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
        return version == 0 ? 0 : segments[(int)(version >>> SEGMENT_SHIFT)][2 * (int)(version & SEGMENT_MASK) + 1];
    }

    /** @return the number of registered client files. Writer thread only. */
    public int clientCount()
    {
        return clients.size();
    }

    /** Visits the registered client files in ident order. Writer thread only (or after open, before any writer). */
    public void forEachClient(final java.util.function.Consumer<ClientFileRecord> visitor)
    {
        final long[] idents = new long[clients.size()];
        int n = 0;
        for (final Long2ObjectHashMap<ClientFileRecord>.KeyIterator it = clients.keySet().iterator(); it.hasNext(); )
        {
            idents[n++] = it.nextLong();
        }
        java.util.Arrays.sort(idents, 0, n);
        for (int i = 0; i < n; i++)
        {
            visitor.accept(clients.get(idents[i]));
        }
    }

    /**
     * @return the number of registered client files, read without the writer's ordering: may lag a client file
     *     being allocated. Any thread (the admin API's listing).
     */
    public int clientCountAnyThread()
    {
        return clients.size();
    }

    /**
     * @return the ident the next client file will get, read without the writer's ordering (may lag an allocation in
     *     progress). Any thread (the admin API's forced client reset).
     */
    public long nextClientIdentAnyThread()
    {
        return nextClientIdent;
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
        return segments[(int)(version >>> SEGMENT_SHIFT)][2 * (int)(version & SEGMENT_MASK)];
    }

    /** Writer: the total changeset bytes of versions 1..{@link #lastAppended()}. */
    long cumulativeBytes()
    {
        return cumulativeBytes;
    }

    /** Writer: records the position of a new version (not yet published). */
    void recordAppended(final long version, final long logIndex, final int changesetLength)
    {
        long[][] segs = segments;
        if (segs == null) // a replay-only object
        {
            cumulativeBytes += changesetLength;
            lastAppended = version;
            return;
        }
        final int k = (int)(version >>> SEGMENT_SHIFT);
        final int at = 2 * (int)(version & SEGMENT_MASK);
        boolean replaced = false;
        if (k >= segs.length)
        {
            segs = Arrays.copyOf(segs, Math.max(segs.length * 2, k + 1));
            replaced = true;
        }
        long[] seg = segs[k];
        if (seg == null)
        {
            seg = new long[2 * SEGMENT_VERSIONS];
            segs[k] = seg;
            replaced = true;
        }
        else if (at + 1 >= seg.length)
        {
            seg = Arrays.copyOf(seg, Math.min(seg.length * 2, 2 * SEGMENT_VERSIONS));
            segs = segs.clone(); // never mutate an array a reader may hold
            segs[k] = seg;
            replaced = true;
        }
        cumulativeBytes += changesetLength;
        seg[at] = logIndex;
        seg[at + 1] = cumulativeBytes;
        if (replaced)
        {
            segments = segs; // volatile write: readers that load the new arrays see their contents
        }
        lastAppended = version;
    }

    /**
     * Writer: forgets the versions above {@code version} (never published: a command that failed, or a commit unit
     * dropped at replay). Their index slots are overwritten by the next appends, before any publish.
     */
    void truncate(final long version, final long cumulativeBytesAtVersion)
    {
        assert version <= lastAppended && version >= (long)HEAD.getOpaque(this);
        assert segments == null || cumulativeBytesAtVersion == cumulativeSize(version);
        lastAppended = version;
        cumulativeBytes = cumulativeBytesAtVersion;
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
