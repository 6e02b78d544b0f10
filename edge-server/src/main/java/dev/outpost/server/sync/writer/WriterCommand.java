package dev.outpost.server.sync.writer;

/**
 * One unit of work handed from an event loop to a shard writer. {@link #execute} runs on the writer (it may append);
 * it is all or nothing: if it throws (or sets {@link #rollback}) the store undoes its records and the object states it
 * used are rebuilt from the history.
 * after the writer's batch is published, {@link #complete} runs (on the writer) and typically hands the result back
 * to the originating event loop with {@code SyncConnection.execute}; a session's commands do so through a
 * {@link SessionCommand} and its {@link ResultCallback}.
 */
public abstract class WriterCommand
{
    /**
     * Set by {@link #execute} to have everything it wrote undone (and the object states it used rebuilt) while still
     * delivering its result with {@link #complete} (for example a 212 for a changeset the store cannot hold).
     */
    protected boolean rollback;

    /** The server file context this command uses, pinned (not evictable) from the handoff until it has run. */
    private FileContext pinned;

    /** Event loop, before the handoff: keep {@code ctx} (if any) resident until this command has run. */
    public final void pin(final FileContext ctx)
    {
        if (ctx != null && pinned == null)
        {
            ctx.pin();
            pinned = ctx;
        }
    }

    /** Any thread: release the pin of {@link #pin} (after the command ran, or when the handoff refused it). */
    public final void unpin()
    {
        final FileContext ctx = pinned;
        if (ctx != null)
        {
            pinned = null;
            ctx.unpin();
        }
    }

    /** Writer thread: do the work; never throws for bad input (report through the result). */
    protected abstract void execute(ShardWriter writer);

    /** Writer thread, after the batch's publish: deliver the result. */
    protected abstract void complete();

    /** Writer thread: {@link #execute} threw (a bug or a store failure); deliver a failure. */
    protected abstract void fail(Throwable cause);
}
