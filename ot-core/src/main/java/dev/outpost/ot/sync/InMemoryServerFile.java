package dev.outpost.ot.sync;

import dev.outpost.ot.model.Changeset;
import dev.outpost.ot.state.ObjectState;

import java.util.ArrayList;
import java.util.Map;
import java.util.TreeMap;

/**
 * A whole server file in memory: history, client files (idents from 2 up), object state and its
 * {@link ServerIntegrator}. The reference implementation of {@link ServerHistory} and {@link ClientFile} and the
 * server used by convergence tests. Not thread-safe: owned by one writer.
 */
public final class InMemoryServerFile implements ServerHistory
{
    private final ArrayList<HistoryEntry> entries = new ArrayList<>();
    private final TreeMap<Long, InMemoryClientFile> clients = new TreeMap<>();
    private final ObjectState state = new ObjectState();
    private final ServerIntegrator integrator;
    private long nextIdent = 2;

    /** With the integrator's fast path. */
    public InMemoryServerFile()
    {
        this(true);
    }

    /** @param fastPath false: every upload group is merged against the concurrent history (reference behaviour). */
    public InMemoryServerFile(final boolean fastPath)
    {
        this(fastPath ? new TouchIndex() : null);
    }

    /** @param index an empty touch index for the integrator's fast path, or null to always merge. */
    public InMemoryServerFile(final TouchIndex index)
    {
        integrator = new ServerIntegrator(this, state, index);
    }

    public long headVersion()
    {
        return entries.size();
    }

    public HistoryEntry entry(final long serverVersion)
    {
        return entries.get((int)(serverVersion - 1));
    }

    public void append(final HistoryEntry entry)
    {
        entries.add(entry);
    }

    public ObjectState state()
    {
        return state;
    }

    public ServerIntegrator integrator()
    {
        return integrator;
    }

    /** Allocate the next client file ident (2, 3, ...). */
    public long newClient()
    {
        final long ident = nextIdent++;
        clients.put(ident, new InMemoryClientFile());
        return ident;
    }

    public InMemoryClientFile client(final long ident)
    {
        return clients.get(ident);
    }

    /** Integrate an upload of {@code clientIdent} (see {@link ServerIntegrator#integrateUpload}). */
    public IntegrationResult upload(final long clientIdent, final long progressClientVersion,
        final long progressServerVersion, final long lockedServerVersion, final java.util.List<UploadEntry> batch)
    {
        return integrator.integrateUpload(clientIdent, clients.get(clientIdent), progressClientVersion,
            progressServerVersion, lockedServerVersion, batch);
    }

    /** The per-client record the server keeps (§4.2). */
    public static final class InMemoryClientFile implements ClientFile
    {
        private final TreeMap<Long, Changeset> reciprocal = new TreeMap<>();
        private long clientVersion;
        private long rhBaseVersion;
        private long lockedServerVersion;

        public long clientVersion()
        {
            return clientVersion;
        }

        public long rhBaseVersion()
        {
            return rhBaseVersion;
        }

        public long lockedServerVersion()
        {
            return lockedServerVersion;
        }

        public Changeset reciprocal(final long serverVersion)
        {
            return reciprocal.get(serverVersion);
        }

        public void putReciprocal(final long serverVersion, final Changeset changeset)
        {
            reciprocal.put(serverVersion, changeset);
        }

        public void setUploadProgress(final long clientVersion, final long rhBaseVersion)
        {
            this.clientVersion = clientVersion;
            if (rhBaseVersion > this.rhBaseVersion)
            {
                this.rhBaseVersion = rhBaseVersion;
                reciprocal.headMap(rhBaseVersion, true).clear();
            }
        }

        public void setLockedServerVersion(final long lockedServerVersion)
        {
            this.lockedServerVersion = lockedServerVersion;
        }

        /** @return the stored reciprocal transforms by server version (read-only by contract). */
        public Map<Long, Changeset> reciprocals()
        {
            return java.util.Collections.unmodifiableMap(reciprocal);
        }
    }
}
