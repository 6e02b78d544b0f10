package dev.outpost.server.store;

/**
 * A shard could not commit, abort or sync (the disk or the queue failed): from then on every write of that shard
 * throws this, and nothing more is published, until the process restarts and replays what is on disk (where the
 * uncommitted unit is dropped). Fail-stop on purpose: after a failed write or sync the state of the file on disk is
 * unknown, so acknowledging anything more would risk acknowledging what a restart loses.
 */
public final class StoreFailure extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    public StoreFailure(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
