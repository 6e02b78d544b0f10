package dev.outpost.server.sync.writer;

import dev.outpost.server.store.ServerFile;

import java.util.concurrent.CompletableFuture;

/**
 * Deletes a server file on its writer (the single-writer rule): the store's FILE_DELETED tombstone joins the batch's
 * commit unit, the file's context (object state, integrator, parsed and encoded entries) is dropped and marked
 * {@link FileContext#deleted()}, and its state checkpoint is deleted. Completes after the batch's publish with the
 * context that was dropped (null if none was in memory), or {@link #NOT_FOUND} if there is no such server file.
 */
public final class DeleteFileCommand extends WriterCommand
{
    /** The result when the server file does not exist. */
    public static final Object NOT_FOUND = new Object();

    private final String fileName;
    private final CompletableFuture<Object> result;
    private Object outcome;

    /**
     * @param fileName the server file.
     * @param result   completes with the dropped {@link FileContext} (or null: none was in memory) once the deletion
     *                 is committed, with {@link #NOT_FOUND}, or exceptionally if the store failed.
     */
    public DeleteFileCommand(final String fileName, final CompletableFuture<Object> result)
    {
        this.fileName = fileName;
        this.result = result;
    }

    @Override
    protected void execute(final ShardWriter writer)
    {
        final ServerFile file = writer.shard.serverFile(fileName);
        if (file == null)
        {
            outcome = NOT_FOUND;
            return;
        }
        writer.shard.deleteServerFile(file);
        outcome = writer.deleted(fileName);
    }

    @Override
    protected void complete()
    {
        result.complete(outcome);
    }

    @Override
    protected void fail(final Throwable cause)
    {
        result.completeExceptionally(cause);
    }
}
