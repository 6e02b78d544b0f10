package dev.outpost.server.store;

/**
 * A record was refused before anything of it was written: its shard's filesystem has less free space than
 * {@link StoreConfig#minFreeBytes()} would leave (or cannot say how much it has). Unlike {@link StoreFailure} the
 * shard goes on: the command that wrote it is aborted as usual ({@link StoreShard#abortCommand()}; the COMMIT and
 * ABORT markers are never refused, the reserve is theirs), the rest of the batch commits, and the next write asks the
 * filesystem again, so writing resumes by itself when space returns. Thrown without a stack trace (it is expected,
 * and one is thrown per refused command).
 */
public final class StoreFull extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    public StoreFull(final String message)
    {
        super(message, null, false, false);
    }
}
