package dev.outpost.server.sync.writer;

import dev.outpost.codec.CodecException;
import dev.outpost.ot.model.Changeset;
import dev.outpost.ot.state.ChangesetApplier;
import dev.outpost.server.sync.wire.LegacyRequests;
import dev.outpost.server.sync.wire.RealmTime;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * TRANSACT (the original protocol's request): applied as a server-origin history entry only if based on the current
 * head (status {@link LegacyRequests#TRANSACT_ACCEPTED}), else {@link LegacyRequests#TRANSACT_REJECTED}.
 */
public final class TransactCommand extends SessionCommand<TransactCommand.Result>
{
    /**
     * What the event loop hands over.
     *
     * @param file          the bound server file.
     * @param serverVersion the server version the changeset is based on.
     * @param changeset     the changeset's bytes (a copy).
     */
    public record Input(FileContext file, long serverVersion, byte[] changeset)
    {
    }

    /**
     * What the session sends.
     *
     * @param status    the TRANSACT status.
     * @param version   the new server version (if accepted).
     * @param salt      its salt.
     * @param timestamp the entry's realm timestamp.
     * @param error     null, or why the changeset is refused (a session error).
     */
    public record Result(int status, long version, long salt, long timestamp, String error)
    {
        static Result failed(final String error)
        {
            return new Result(0, 0, 0, 0, error);
        }
    }

    private final Input in;

    /**
     * @param in       the input.
     * @param callback where the result goes.
     */
    public TransactCommand(final Input in, final ResultCallback<Result> callback)
    {
        super(callback);
        this.in = in;
    }

    @Override
    Result run(final ShardWriter writer)
    {
        final FileContext f = in.file();
        final byte[] changeset = in.changeset();
        f.ensureLoaded(writer.shard, writer.tools);
        if (in.serverVersion() != f.file.lastAppended())
        {
            return new Result(LegacyRequests.TRANSACT_REJECTED, 0, 0, 0, null);
        }
        final Changeset cs;
        try
        {
            cs = writer.tools.peerReader.read(new UnsafeBuffer(changeset), 0, changeset.length, new Changeset());
        }
        catch (final CodecException ex)
        {
            return Result.failed("transact changeset does not parse: " + ex.getMessage());
        }
        final var before = f.viewBefore(java.util.List.of(cs));
        final var r = new ChangesetApplier(f.state()).apply(cs);
        if (!r.ok())
        {
            return Result.failed("transact changeset does not apply: " + r.message());
        }
        final long timestamp = RealmTime.of(writer.tools.clock);
        final UnsafeBuffer bytes = new UnsafeBuffer(changeset);
        final long version = writer.shard.append(f.file, ServerIntegratorIdent.SERVER, 0, timestamp, changeset.length,
            bytes, 0, changeset.length);
        if (version < 0)
        {
            rollback = true; // the object state already holds it
            return Result.failed("transact changeset too large");
        }
        f.viewAfter(before, version, cs);
        writer.touched(f);
        return new Result(LegacyRequests.TRANSACT_ACCEPTED, version, f.file.salt(), timestamp, null);
    }
}
