package dev.outpost.server.sync.writer;

import dev.outpost.ot.model.Changeset;
import dev.outpost.ot.model.CreateObject;
import dev.outpost.ot.model.EraseObject;
import dev.outpost.ot.model.Instruction;
import dev.outpost.ot.state.ChangesetBuilder;
import dev.outpost.ot.state.Snapshot;
import dev.outpost.server.store.EntryView;
import dev.outpost.server.sync.flx.CompensatingWrites;
import dev.outpost.server.sync.wire.RealmTime;
import org.agrona.collections.LongArrayList;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.HashSet;
import java.util.Set;

/**
 * FLX QUERY: the bootstrap snapshot of the new subscription at the head (objects of classes that left it are erased,
 * as are the objects of revert entries the client will not download), and the client's stored upload cursor.
 */
public final class BootstrapCommand extends SessionCommand<BootstrapCommand.Result>
{
    /**
     * What the event loop hands over.
     *
     * @param file            the bound server file.
     * @param clientFileIdent the session's client file.
     * @param classes         the new subscription's classes.
     * @param previous        the previous subscription's classes.
     * @param from            the session's download cursor (server version).
     */
    public record Input(FileContext file, long clientFileIdent, Set<String> classes, Set<String> previous, long from)
    {
    }

    /**
     * What the session applies on its event loop.
     *
     * @param head         the head the snapshot is taken at.
     * @param storedClient the stored upload cursor's client version.
     * @param storedRhBase the stored upload cursor's server version.
     * @param snapshot     the snapshot to send (cut into parts off the loop).
     */
    public record Result(long head, long storedClient, long storedRhBase, Changeset snapshot)
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
        if (f.file.lastAppended() == 0)
        {
            // a bootstrap entry needs a server version >= 1: start the history with an empty server changeset
            final UnsafeBuffer empty = new UnsafeBuffer(new byte[0]);
            writer.shard.append(f.file, ServerIntegratorIdent.SERVER, 0, RealmTime.of(writer.tools.clock), 0, empty,
                0, 0);
            writer.touched(f);
        }
        final long head = f.file.lastAppended();
        final var client = writer.shard.clientFile(f.file, in.clientFileIdent());
        final Changeset snapshot = Snapshot.download(f.state(), in.classes());
        // objects of classes that left the subscription leave the client's view: erase them there
        final ChangesetBuilder leave = new ChangesetBuilder(snapshot);
        for (final String cls : in.previous())
        {
            final var table = f.state().table(cls);
            if (!in.classes().contains(cls) && table != null && !table.isEmbedded())
            {
                for (final var key : table.objects().keySet())
                {
                    leave.eraseObject(cls, key);
                }
            }
        }
        addUnsentReverts(writer, f, head, snapshot);
        return new Result(head, client.clientVersion(), client.rhBaseVersion(), snapshot);
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
