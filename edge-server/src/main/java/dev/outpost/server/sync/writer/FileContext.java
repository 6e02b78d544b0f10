package dev.outpost.server.sync.writer;

import dev.outpost.codec.CodecException;
import dev.outpost.ot.model.Changeset;
import dev.outpost.ot.state.ApplyResult;
import dev.outpost.ot.state.ChangesetApplier;
import dev.outpost.ot.state.ObjectState;
import dev.outpost.ot.sync.ServerIntegrator;
import dev.outpost.ot.sync.TouchIndex;
import dev.outpost.server.store.EntryView;
import dev.outpost.server.store.RevertEntryMarker;
import dev.outpost.server.store.ServerFile;
import dev.outpost.server.store.StoreShard;

import dev.outpost.ot.query.CompiledQuery;
import dev.outpost.ot.state.ObjectData;
import dev.outpost.server.sync.flx.CompensatingWrites;
import dev.outpost.server.sync.flx.FlxQuery;
import dev.outpost.server.sync.flx.FlxRoles;
import dev.outpost.server.sync.flx.FlxView;
import dev.outpost.server.sync.flx.ViewLog;
import dev.outpost.server.sync.wire.SharedEntries;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.collections.LongArrayList;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runtime of one server file: its store record (readable by any thread), the sessions bound to it (any thread), and
 * the writer-owned history view, object state and integrator (built lazily on the writer by replaying the history).
 */
public final class FileContext
{
    private static final System.Logger LOG = System.getLogger(FileContext.class.getName());
    private static final Changeset EMPTY = new Changeset();

    /** The server file's name (the store's copy). */
    public final String name;
    /** The server file's store record (readable by any thread). */
    public final ServerFile file;
    final ShardWriter writer;
    private final Set<FileListener> sessions = ConcurrentHashMap.newKeySet();
    /** Client file ident -> the live session identified with it (at most one per client file, any thread). */
    private final ConcurrentHashMap<Long, FileListener> identified = new ConcurrentHashMap<>();
    /**
     * Holders that keep this context resident: each session from its BIND until it ends, each writer command from
     * its handoff until it ran. Only a holder of a pin pins again, and only the writer evicts (when there is none).
     */
    private final AtomicInteger pins = new AtomicInteger();

    // writer-owned
    private ShardServerHistory history;
    private ObjectState state;
    /** Writer: the version of this file's newest state checkpoint (loaded or being written; 0: none). */
    long checkpointVersion;
    /** Writer: history versions replayed by the last load (after its checkpoint, if it started from one). */
    long replayedAtLoad;
    private ServerIntegrator integrator;
    /** Client file ident -> server versions of its revert entries (compensating writes), ascending. */
    private final Long2ObjectHashMap<LongArrayList> reverts = new Long2ObjectHashMap<>();
    /**
     * Revert entry version -> its objects the writer's role forbade (Atlas's role reason when the 231 is re-sent at
     * IDENT); held while the file is loaded (a revert entry stores no reasons: after a reload its objects get the
     * query-view reason).
     */
    private final Long2ObjectHashMap<Set<CompensatingWrites.Rejected>> revertForbidden = new Long2ObjectHashMap<>();
    boolean touched;
    /** FLX: compiled queries by class and text (shared by the sessions of this file; bounded). */
    private final HashMap<String, CompiledQuery> queryCache = new HashMap<>();
    /** FLX views: annotations of recent entries (written here, read by download builders). */
    private final ViewLog viewLog;
    /** Recent entries in their DOWNLOAD form, encoded once for every session of this file (any thread). */
    private final SharedEntries sharedEntries;
    // writer-owned bookkeeping of ShardWriter (LRU of loaded states, batch membership)
    FileContext lruPrev;
    FileContext lruNext;
    boolean inLru;
    boolean inBatch;
    long estimatedBytes;
    /** Writer-owned: removed from the service's contexts; a later BIND gets a new context rebuilt from the store. */
    boolean evicted;
    /** Set by the writer when the server file was deleted (then also {@link #evicted}); read by any thread. */
    volatile boolean deleted;

    FileContext(final String name, final ServerFile file, final ShardWriter writer)
    {
        this.name = file.name(); // the store's copy: a BIND's own string (up to the partition limit) is not kept
        this.file = file;
        this.writer = writer;
        this.viewLog = new ViewLog(writer.viewLogEntries);
        this.sharedEntries = new SharedEntries(writer.sharedEntries, writer.sharedBudget);
    }

    public void subscribe(final FileListener session)
    {
        sessions.add(session);
    }

    public void unsubscribe(final FileListener session)
    {
        sessions.remove(session);
    }

    /**
     * Any thread (the new session's event loop): record {@code session} as the one live session of client file
     * {@code clientFile}.
     *
     * @return the session it replaces (still live, possibly on another connection and event loop), or null.
     */
    public FileListener identify(final long clientFile, final FileListener session)
    {
        final FileListener previous = identified.put(clientFile, session);
        return previous == session ? null : previous;
    }

    /** Any thread: forget {@code session} as the live session of {@code clientFile} (no-op if it was replaced). */
    public void unidentify(final long clientFile, final FileListener session)
    {
        identified.remove(clientFile, session);
    }

    /** @return client files with a live identified session (registry size). */
    public int identifiedCount()
    {
        return identified.size();
    }

    public int sessionCount()
    {
        return sessions.size();
    }

    /** Any thread (the writer after a publish): tell every bound session there is more history to read. */
    void notifySessions()
    {
        for (final FileListener s : sessions)
        {
            s.headAdvanced();
        }
    }

    /** Any thread: a session or command holds this context (see {@link #pins}). */
    public void pin()
    {
        pins.incrementAndGet();
    }

    /** Any thread: a holder of {@link #pin()} is done with this context. */
    public void unpin()
    {
        pins.decrementAndGet();
    }

    /**
     * @return whether the server file was deleted (admin API): the context is dead, its sessions get a client reset.
     *     Any thread.
     */
    public boolean deleted()
    {
        return deleted;
    }

    /** @return whether a session or command holds this context (then it is never evicted). */
    public boolean pinned()
    {
        return pins.get() > 0 || !sessions.isEmpty() || !identified.isEmpty();
    }

    /** Writer: the history view, object state and integrator, built from the store on first use. */
    void ensureLoaded(final StoreShard shard, final ShardServerHistory.WriterTools tools)
    {
        if (evicted)
        {
            // a late command of a session that ended: the server file lives on in a new context
            throw Evicted.INSTANCE;
        }
        if (integrator != null)
        {
            writer.used(this);
            return;
        }
        load(shard, tools);
        writer.used(this);
    }

    /**
     * Writer: for a command that uses the store record but not the object state; an evicted context's record may
     * no longer be the store's index of the file (it was evicted with the context).
     */
    void checkLive()
    {
        if (evicted)
        {
            throw Evicted.INSTANCE;
        }
    }

    private void load(final StoreShard shard, final ShardServerHistory.WriterTools tools)
    {
        history = new ShardServerHistory(shard, file, tools, writer.parsedEntries);
        reverts.clear(); // rebuilt below (a reload after an eviction or an aborted command must not repeat them)
        revertForbidden.clear();
        final TouchIndex index = new TouchIndex(); // the integrator's fast path, rebuilt with the state
        final EntryView view = new EntryView();
        // start from the newest valid state checkpoint, if any, and replay only the versions after it
        final StateCheckpoints checkpoints = writer.checkpoints;
        final StateCheckpoints.Loaded from = checkpoints == null ? null : checkpoints.load(shard, file, view);
        long first = 1;
        if (from != null)
        {
            state = from.state();
            reverts.putAll(from.reverts());
            index.resumeAt(from.version());
            checkpointVersion = from.version();
            first = from.version() + 1;
        }
        else
        {
            state = new ObjectState();
            checkpointVersion = 0; // none usable (one handed over earlier may have been skipped or failed)
        }
        final ChangesetApplier applier = new ChangesetApplier(state);
        final long head = file.lastAppended();
        replayedAtLoad = Math.max(0, head - first + 1);
        for (long v = first; v <= head; v++)
        {
            if (!shard.readEntry(file, v, view))
            {
                LOG.log(System.Logger.Level.WARNING, "server file " + name + ": version " + v + " unreadable");
                index.recordUnknown(v);
                continue;
            }
            final long target = RevertEntryMarker.targetOf(view);
            if (target != 0)
            {
                revertAppended(target, v);
                index.record(v, 0, EMPTY); // merges see revert entries as empty
                continue; // a revert entry for one client: never part of the server's state
            }
            try
            {
                final Changeset c = tools.reader.read(view.changeset(), 0, view.changesetLength(), new Changeset());
                final long origin = view.originFileIdent();
                index.record(v, origin == ServerIntegratorIdent.SERVER ? 0 : origin, c);
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
                index.recordUnknown(v);
            }
        }
        integrator = new ServerIntegrator(history, state, index);
    }

    /** Writer: the revert entries by client file (see {@link #reverts(long)}). */
    Long2ObjectHashMap<LongArrayList> reverts()
    {
        return reverts;
    }

    /** Writer: a revert entry for {@code clientFile} was appended (or replayed) at {@code version}. */
    void revertAppended(final long clientFile, final long version)
    {
        reverts.computeIfAbsent(clientFile, k -> new LongArrayList()).addLong(version);
    }

    /** Writer: the objects of the revert entry at {@code version} that the writer's role forbade. */
    void revertForbidden(final long version, final Set<CompensatingWrites.Rejected> forbidden)
    {
        if (!forbidden.isEmpty())
        {
            revertForbidden.put(version, Set.copyOf(forbidden));
        }
    }

    /** Writer: @return the objects of the revert entry at {@code version} that the writer's role forbade. */
    Set<CompensatingWrites.Rejected> revertForbidden(final long version)
    {
        final Set<CompensatingWrites.Rejected> forbidden = revertForbidden.get(version);
        return forbidden == null ? Set.of() : forbidden;
    }

    /** Writer: @return the versions of the revert entries for {@code clientFile}, ascending (null if none). */
    LongArrayList reverts(final long clientFile)
    {
        return reverts.get(clientFile);
    }

    /** Most compiled queries kept per file (the cache is dropped when it is full). */
    static final int QUERY_CACHE_SIZE = 4096;

    /** @return the FLX view annotations of this file (any thread reads them). */
    public ViewLog viewLog()
    {
        return viewLog;
    }

    /** @return the recent entries encoded once for every session's DOWNLOADs (any thread). */
    public SharedEntries sharedEntries()
    {
        return sharedEntries;
    }

    /**
     * Writer (state loaded unless every query is TRUEPREDICATE): compile a subscription set against the current
     * schema; a compiled view's narrow classes are watched from now on.
     */
    FlxView.Compiled compile(final FlxQuery subscribed, final Function<String, Set<String>> queryable,
        final FlxRoles roles)
    {
        final FlxQuery query = state == null ? subscribed : subscribed.without(asymmetricClasses());
        if (query.wholeClasses() && roles == null)
        {
            return new FlxView.Compiled(FlxView.ofClasses(query.classes()), null);
        }
        if (queryCache.size() >= QUERY_CACHE_SIZE)
        {
            queryCache.clear();
        }
        final FlxView.Compiled c = FlxView.compile(query, state, queryable, queryCache, roles);
        if (c.view() != null)
        {
            viewLog.watch(c.view());
        }
        return c;
    }

    /** Writer (state loaded): the asymmetric classes of the schema (never part of any view). */
    private Set<String> asymmetricClasses()
    {
        Set<String> out = Set.of();
        for (final var t : state.tables().values())
        {
            if (t.type() == dev.outpost.ot.state.TableType.TOP_LEVEL_ASYMMETRIC)
            {
                out = out.isEmpty() ? new java.util.HashSet<>() : out;
                out.add(t.name());
            }
        }
        return out;
    }

    /** Writer: an empty entry was appended at {@code version}. */
    void annotateEmpty(final long version)
    {
        viewLog.recordEmpty(version);
    }

    /** Writer: copies of the watched objects {@code changesets} touch, before they are applied (null: none). */
    Map<CompensatingWrites.Rejected, ObjectData> viewBefore(final List<Changeset> changesets)
    {
        history.appended = null;
        history.appendedChangesets = null;
        if (viewLog.watched().isEmpty())
        {
            return null;
        }
        final Map<CompensatingWrites.Rejected, ObjectData> before = viewLog.before(state, changesets);
        if (before != null)
        {
            history.appended = new LongArrayList();
            history.appendedChangesets = new ArrayList<>();
        }
        return before;
    }

    /** Writer: after the integration that followed {@link #viewBefore}: annotate the entries it appended. */
    void viewAfter(final Map<CompensatingWrites.Rejected, ObjectData> before)
    {
        if (before == null || history == null || history.appended == null)
        {
            return;
        }
        final long[] versions = history.appended.toLongArray();
        final List<Changeset> changesets = history.appendedChangesets;
        history.appended = null;
        history.appendedChangesets = null;
        viewLog.record(state, before, versions, changesets);
    }

    /** Writer: annotate one entry appended outside the integrator (a transact) at {@code version}. */
    void viewAfter(final Map<CompensatingWrites.Rejected, ObjectData> before, final long version,
        final Changeset changeset)
    {
        if (before != null)
        {
            viewLog.record(state, before, new long[] {version}, List.of(changeset));
        }
    }

    /** Writer: forget the object state, integrator and history cache; the next use rebuilds them by replay. */
    void unload()
    {
        // after a rollback the versions above the head are appended again by other commands: forget their notes
        viewLog.forgetAbove(file.lastAppended());
        history = null;
        state = null;
        integrator = null;
        sharedEntries.clear();
    }

    public boolean loaded()
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
        return bytes + history.cachedEntries() * 512L + integrator.index().objects() * 96L;
    }

    /** Thrown (no stack trace) at a command that reached a context after its eviction; it is rolled back. */
    static final class Evicted extends RuntimeException
    {
        private static final long serialVersionUID = 1L;
        static final Evicted INSTANCE = new Evicted();

        private Evicted()
        {
            super("server file context evicted", null, false, false);
        }
    }

    ShardServerHistory history()
    {
        return history;
    }

    public ObjectState state()
    {
        return state;
    }

    ServerIntegrator integrator()
    {
        return integrator;
    }
}
