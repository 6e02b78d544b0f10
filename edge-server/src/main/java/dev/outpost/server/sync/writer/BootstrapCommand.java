package dev.outpost.server.sync.writer;

import dev.outpost.ot.model.Changeset;
import dev.outpost.ot.model.CreateObject;
import dev.outpost.ot.model.EraseObject;
import dev.outpost.ot.model.Instruction;
import dev.outpost.ot.query.StateObjectView;
import dev.outpost.ot.state.ChangesetBuilder;
import dev.outpost.ot.state.ModelValues;
import dev.outpost.ot.state.ObjectState;
import dev.outpost.ot.state.Snapshot;
import dev.outpost.ot.state.TableData;
import dev.outpost.server.store.EntryView;
import dev.outpost.server.store.RevertEntryMarker;
import dev.outpost.server.sync.flx.CompensatingWrites;
import dev.outpost.server.sync.flx.FlxQuery;
import dev.outpost.server.sync.flx.FlxRoles;
import dev.outpost.server.sync.flx.FlxView;
import dev.outpost.server.sync.wire.RealmTime;
import org.agrona.collections.LongArrayList;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.HashSet;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * FLX QUERY (and the catch-up of a session whose view cannot follow the history it missed): compile the new
 * subscription against the file's schema, then the bootstrap at the head: the schema, every object in the new view
 * (full state), and EraseObject for every object of the previously subscribed classes that is not in it (the client
 * never deletes by itself; erasing an object the client does not hold is a no-op in realm-core's applier), for the
 * objects of revert entries the client will not download, and (catch-up) for objects erased in the skipped history.
 */
public final class BootstrapCommand extends SessionCommand<BootstrapCommand.Result>
{
    /**
     * What the event loop hands over.
     *
     * @param file            the bound server file.
     * @param clientFileIdent the session's client file.
     * @param query           the new subscription set (parsed, not rejected).
     * @param previous        the view in force (the client may hold its objects).
     * @param from            the session's download cursor (server version).
     * @param queryable       the app's queryable fields per class (null: any field).
     * @param catchUp         a catch-up at the same query version: also erase objects erased in {@code (from, head]}.
     * @param roles           the session's roles, or null when the app has none.
     */
    public record Input(FileContext file, long clientFileIdent, FlxQuery query, FlxView previous, long from,
        Function<String, Set<String>> queryable, boolean catchUp, FlxRoles roles)
    {
    }

    /**
     * What the session applies on its event loop.
     *
     * @param refusal      null, or the query_error 226 message (nothing else is set; the previous view stays).
     * @param view         the compiled new view.
     * @param head         the head the snapshot is taken at.
     * @param storedClient the stored upload cursor's client version.
     * @param storedRhBase the stored upload cursor's server version.
     * @param snapshot     the snapshot to send (cut into parts off the loop).
     */
    public record Result(String refusal, FlxView view, long head, long storedClient, long storedRhBase,
        Changeset snapshot)
    {
    }

    private final Input in;

    /**
     * @param in       the input.
     * @param callback where the result goes.
     */
    public BootstrapCommand(final Input in, final ResultCallback<Result> callback)
    {
        super(callback);
        this.in = in;
    }

    @Override
    Result run(final ShardWriter writer)
    {
        final FileContext f = in.file();
        f.ensureLoaded(writer.shard, writer.tools);
        final FlxView.Compiled compiled = f.compile(in.query(), in.queryable(), in.roles());
        if (compiled.refusal() != null)
        {
            return new Result(compiled.refusal(), null, 0, 0, 0, null);
        }
        final FlxView view = compiled.view();
        if (f.file.lastAppended() == 0)
        {
            // a bootstrap entry needs a server version >= 1: start the history with an empty server changeset
            final UnsafeBuffer empty = new UnsafeBuffer(new byte[0]);
            writer.shard.append(f.file, ServerIntegratorIdent.SERVER, 0, RealmTime.of(writer.tools.clock), 0, empty,
                0, 0);
            f.annotateEmpty(f.file.lastAppended());
            writer.touched(f);
        }
        final long head = f.file.lastAppended();
        final var client = writer.shard.clientFile(f.file, in.clientFileIdent());
        final ObjectState state = f.state();
        final StateObjectView object = new StateObjectView();
        final ChangesetBuilder b = new ChangesetBuilder();
        Snapshot.emit(state, view.classes(), view.wholeClasses() ? null :
            (cls, o) -> view.contains(cls, object.wrap(o)), b);
        final Changeset snapshot = b.changeset();
        // objects the client may hold that are not in the new view leave it: erase them there
        final Set<String> held = new TreeSet<>(in.previous().classes());
        for (final String cls : held)
        {
            final TableData table = state.table(cls);
            if (table == null || table.isEmbedded() || (view.classes().contains(cls) && !view.isNarrow(cls)))
            {
                continue;
            }
            for (final var e : table.objects().entrySet())
            {
                if (!view.contains(cls, object.wrap(e.getValue())))
                {
                    b.eraseObject(cls, e.getKey());
                }
            }
        }
        if (in.catchUp())
        {
            addSkippedErasures(writer, f, head, held, b);
        }
        addUnsentReverts(writer, f, head, snapshot);
        return new Result(null, view, head, client.clientVersion(), client.rhBaseVersion(), snapshot);
    }

    /** Catch-up: objects of {@code classes} erased in {@code (from, head]} that the state no longer has. */
    private void addSkippedErasures(final ShardWriter writer, final FileContext f, final long head,
        final Set<String> classes, final ChangesetBuilder b)
    {
        final EntryView view = writer.tools.view;
        final Set<CompensatingWrites.Rejected> seen = new HashSet<>();
        for (long v = in.from() + 1; v <= head; v++)
        {
            if (!writer.shard.readEntry(f.file, v, view) || RevertEntryMarker.targetOf(view) != 0 ||
                view.changesetLength() == 0)
            {
                continue;
            }
            for (final Instruction i : writer.tools.parse(view).instructions())
            {
                if (i instanceof EraseObject e && classes.contains(e.table()) &&
                    f.state().object(e.table(), ModelValues.key(e.object())) == null &&
                    seen.add(new CompensatingWrites.Rejected(e.table(), e.object())))
                {
                    b.changeset().add(new EraseObject(e.table(), e.object()));
                }
            }
        }
    }

    /**
     * Revert entries for this client in {@code (from, head]} were not downloaded (the bootstrap moves the cursor to
     * the head): their objects leave the client's view here, unless the snapshot now carries them.
     */
    private void addUnsentReverts(final ShardWriter writer, final FileContext f, final long head,
        final Changeset snapshot)
    {
        final LongArrayList versions = f.reverts(in.clientFileIdent());
        if (versions == null)
        {
            return;
        }
        final EntryView view = writer.tools.view;
        Set<CompensatingWrites.Rejected> inSnapshot = null;
        for (int k = 0; k < versions.size(); k++)
        {
            final long v = versions.getLong(k);
            if (v <= in.from() || v > head || !writer.shard.readEntry(f.file, v, view))
            {
                continue;
            }
            if (inSnapshot == null)
            {
                inSnapshot = new HashSet<>();
                for (final Instruction i : snapshot.instructions())
                {
                    if (i instanceof CreateObject c)
                    {
                        inSnapshot.add(new CompensatingWrites.Rejected(c.table(), c.object()));
                    }
                }
            }
            for (final var r : CompensatingWrites.objectsOf(writer.tools.parse(view)))
            {
                if (!inSnapshot.contains(r))
                {
                    snapshot.add(new EraseObject(r.table(), r.key()));
                }
            }
        }
    }
}
