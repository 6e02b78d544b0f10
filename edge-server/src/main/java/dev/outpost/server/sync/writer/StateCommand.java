package dev.outpost.server.sync.writer;

import dev.outpost.ot.state.Snapshot;

/** STATE_REQUEST (the original protocol's request): the object state's snapshot changeset at the head. */
public final class StateCommand extends SessionCommand<StateCommand.Result>
{
    /**
     * @param version  the head the snapshot is taken at.
     * @param salt     its salt.
     * @param snapshot the snapshot changeset's bytes.
     */
    public record Result(long version, long salt, byte[] snapshot)
    {
    }

    private final FileContext file;

    /**
     * @param file     the bound server file.
     * @param callback where the result goes.
     */
    public StateCommand(final FileContext file, final ResultCallback<Result> callback)
    {
        super(callback);
        this.file = file;
    }

    @Override
    Result run(final ShardWriter writer)
    {
        file.ensureLoaded(writer.shard, writer.tools);
        final long version = file.file.lastAppended();
        return new Result(version, file.file.salt(version), writer.tools.writer.toBytes(Snapshot.of(file.state())));
    }
}
