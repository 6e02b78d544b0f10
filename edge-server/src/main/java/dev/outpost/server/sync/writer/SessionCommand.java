package dev.outpost.server.sync.writer;

/**
 * The shape of a session's writer round trip: an immutable input built on the event loop, {@link #run} on the writer,
 * and a result object handed to a {@link ResultCallback} (which applies it on the session's event loop). A command
 * sees only its input and the writer's state, never a session.
 *
 * @param <R> the result type.
 */
public abstract class SessionCommand<R> extends WriterCommand
{
    private final ResultCallback<R> callback;
    private R result;

    /**
     * @param callback where the result goes (on the writer thread).
     */
    protected SessionCommand(final ResultCallback<R> callback)
    {
        this.callback = callback;
    }

    /**
     * Writer thread: do the work; never throws for bad input (report it in the result).
     *
     * @param writer the shard writer running the command.
     * @return the result.
     */
    abstract R run(ShardWriter writer);

    @Override
    protected final void execute(final ShardWriter writer)
    {
        result = run(writer);
    }

    @Override
    protected final void complete()
    {
        final R r = result;
        result = null;
        callback.completed(r, null);
    }

    @Override
    protected void fail(final Throwable cause)
    {
        final R r = result; // if the failure came after run(): handed over only to release what it holds
        result = null;
        callback.completed(r, cause);
    }
}
