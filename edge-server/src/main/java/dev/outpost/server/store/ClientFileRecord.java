package dev.outpost.server.store;

import org.agrona.collections.Long2LongHashMap;

/**
 * The store's record of one client file registered with a server file: its ident and salt (fixed at allocation)
 * and its upload state and reciprocal history (changed through {@link StoreShard}). The sync integrator sees it
 * through ot-core's {@code dev.outpost.ot.sync.ClientFile}.
 * <p>
 * Not thread-safe: owned by the writer thread of the server file's shard. Other threads must not read it.
 */
public final class ClientFileRecord
{
    static final long NO_RECIPROCAL = -1;

    private final long ident;
    private final long salt;
    private final int clientType;
    long clientVersion;
    long rhBaseVersion;
    long lockedServerVersion;
    long lastSeen;
    /**
     * server version -> log index of its RECIPROCAL record; only versions above rhBaseVersion. Allocated on the first
     * reciprocal: most client files of an idle server file have none (replay builds one record per client file).
     */
    private Long2LongHashMap reciprocals;

    ClientFileRecord(final long ident, final long salt, final int clientType, final long lastSeen)
    {
        this.ident = ident;
        this.salt = salt;
        this.clientType = clientType;
        this.lastSeen = lastSeen;
    }

    /** @return the client file ident (2, 3, ... unique within its server file). */
    public long ident()
    {
        return ident;
    }

    /** @return the ident salt in [1, 2^63-1] the client must present in IDENT. */
    public long salt()
    {
        return salt;
    }

    /** @return the client type given at allocation (opaque to the store). */
    public int clientType()
    {
        return clientType;
    }

    /** @return the last client version integrated (upload progress). */
    public long clientVersion()
    {
        return clientVersion;
    }

    /** @return the server version the client had integrated at {@link #clientVersion()}; base of its reciprocals. */
    public long rhBaseVersion()
    {
        return rhBaseVersion;
    }

    /** @return the oldest server version the client may still need. */
    public long lockedServerVersion()
    {
        return lockedServerVersion;
    }

    /** @return the last-seen stamp (0 means expired). */
    public long lastSeen()
    {
        return lastSeen;
    }

    /** @return how many server versions currently have a stored reciprocal transform. */
    public int reciprocalCount()
    {
        return reciprocals == null ? 0 : reciprocals.size();
    }

    /** @return true if a reciprocal transform is stored for {@code serverVersion}. */
    public boolean hasReciprocal(final long serverVersion)
    {
        return reciprocal(serverVersion) != NO_RECIPROCAL;
    }

    /** @return the log index of the reciprocal of {@code serverVersion}, or {@link #NO_RECIPROCAL}. */
    long reciprocal(final long serverVersion)
    {
        return reciprocals == null ? NO_RECIPROCAL : reciprocals.get(serverVersion);
    }

    /** Sets the reciprocal of {@code serverVersion}. @return the log index it replaces, or {@link #NO_RECIPROCAL}. */
    long putReciprocal(final long serverVersion, final long logIndex)
    {
        Long2LongHashMap m = reciprocals;
        if (m == null)
        {
            m = new Long2LongHashMap(NO_RECIPROCAL);
            reciprocals = m;
        }
        return m.put(serverVersion, logIndex);
    }

    void removeReciprocal(final long serverVersion)
    {
        if (reciprocals != null)
        {
            reciprocals.remove(serverVersion);
        }
    }

    /** Sets the upload state; with {@code undo}, records the previous state and every trimmed reciprocal. */
    void applyState(final long clientVersion, final long rhBaseVersion, final long lockedServerVersion,
        final long lastSeen, final UndoLog undo)
    {
        if (undo != null)
        {
            undo.clientState(this);
        }
        this.clientVersion = clientVersion;
        this.lockedServerVersion = lockedServerVersion;
        this.lastSeen = lastSeen;
        if (rhBaseVersion > this.rhBaseVersion && reciprocals != null && !reciprocals.isEmpty())
        {
            final Long2LongHashMap.KeyIterator it = reciprocals.keySet().iterator();
            while (it.hasNext())
            {
                final long version = it.nextValue();
                if (version <= rhBaseVersion)
                {
                    if (undo != null)
                    {
                        undo.reciprocal(this, version, reciprocals.get(version));
                    }
                    it.remove();
                }
            }
        }
        this.rhBaseVersion = rhBaseVersion;
    }

    @Override
    public String toString()
    {
        return "ClientFileRecord{ident=" + ident + ", clientVersion=" + clientVersion + ", rhBaseVersion=" +
            rhBaseVersion + ", lockedServerVersion=" + lockedServerVersion + ", reciprocals=" +
            reciprocalCount() + '}';
    }
}
