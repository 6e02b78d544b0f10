package dev.outpost.server.sync;

import dev.outpost.codec.CodecException;
import dev.outpost.ot.model.Changeset;
import dev.outpost.ot.state.ApplyResult;
import dev.outpost.ot.state.ChangesetApplier;
import dev.outpost.ot.state.ObjectState;
import dev.outpost.ot.sync.ServerIntegrator;
import dev.outpost.server.store.EntryView;
import dev.outpost.server.store.ServerFile;
import dev.outpost.server.store.StoreShard;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Runtime of one server file: its store record (readable by any thread), the sessions bound to it (any thread), and
 * the writer-owned history view, object state and integrator (built lazily on the writer by replaying the history).
 */
final class FileContext
{
    private static final System.Logger LOG = System.getLogger(FileContext.class.getName());

    final String name;
    final ServerFile file;
    final ShardWriter writer;
    private final Set<Session> sessions = ConcurrentHashMap.newKeySet();

    // writer-owned
    private StoreHistory history;
    private ObjectState state;
    private ServerIntegrator integrator;
    boolean touched;
    // writer-owned bookkeeping of ShardWriter (LRU of loaded states, batch membership)
    FileContext lruPrev;
    FileContext lruNext;
    boolean inLru;
    boolean inBatch;
    long estimatedBytes;

    FileContext(final String name, final ServerFile file, final ShardWriter writer)
    {
        this.name = name;
        this.file = file;
        this.writer = writer;
    }

    void subscribe(final Session session)
    {
        sessions.add(session);
    }

    void unsubscribe(final Session session)
    {
        sessions.remove(session);
    }

    int sessionCount()
    {
        return sessions.size();
    }

    /** Any thread (the writer after a publish): tell every bound session there is more history to read. */
    void notifySessions()
    {
        for (final Session s : sessions)
        {
            s.notifyHeadAdvanced();
        }
    }

    /** Writer: the history view, object state and integrator, built from the store on first use. */
    void ensureLoaded(final StoreShard shard, final StoreHistory.WriterTools tools)
    {
        if (integrator != null)
        {
            writer.used(this);
            return;
        }
        load(shard, tools);
        writer.used(this);
    }

    private void load(final StoreShard shard, final StoreHistory.WriterTools tools)
    {
        history = new StoreHistory(shard, file, tools);
        state = new ObjectState();
        final ChangesetApplier applier = new ChangesetApplier(state);
        final EntryView view = new EntryView();
        final long head = file.lastAppended();
        for (long v = 1; v <= head; v++)
        {
            if (!shard.readEntry(file, v, view))
            {
                LOG.log(System.Logger.Level.WARNING, "server file " + name + ": version " + v + " unreadable");
                continue;
            }
            try
            {
                final Changeset c = tools.reader.read(view.changeset(), 0, view.changesetLength(), new Changeset());
                final ApplyResult r = applier.apply(c);
                if (!r.ok())
                {
                    LOG.log(System.Logger.Level.WARNING, "server file " + name + ": version " + v +
                        " does not apply to the rebuilt state: " + r.message());
                }
            }
            catch (final CodecException ex)
            {
                LOG.log(System.Logger.Level.WARNING, "server file " + name + ": version " + v + " does not parse");
            }
        }
        integrator = new ServerIntegrator(history, state);
    }

    /** Writer: forget the object state, integrator and history cache; the next use rebuilds them by replay. */
    void unload()
    {
        history = null;
        state = null;
        integrator = null;
    }

    boolean loaded()
    {
        return integrator != null;
    }

    /**
     * Writer: a rough estimate of the heap the loaded state holds: a fixed part, per object a header and per
     * column a value, and the parsed history entries cached. Cheap (per table, not per object).
     */
    long estimateBytes()
    {
        if (state == null)
        {
            return 0;
        }
        long bytes = 2048;
        for (final var table : state.tables().values())
        {
            bytes += 256 + (long)table.objects().size() * (96 + 48L * table.columns().size());
        }
        return bytes + history.cachedEntries() * 512L;
    }

    StoreHistory history()
    {
        return history;
    }

    ObjectState state()
    {
        return state;
    }

    ServerIntegrator integrator()
    {
        return integrator;
    }
}
