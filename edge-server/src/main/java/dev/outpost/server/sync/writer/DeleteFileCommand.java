package dev.outpost.server.sync.writer;

import dev.outpost.ot.model.Changeset;
import dev.outpost.ot.state.ApplyResult;
import dev.outpost.ot.state.ChangesetApplier;
import dev.outpost.ot.state.Snapshot;
import dev.outpost.server.store.ServerFile;
import dev.outpost.server.sync.wire.RealmTime;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Deletes a server file on its writer (the single-writer rule): the store's FILE_DELETED tombstone joins the batch's
 * commit unit, the file's context (object state, integrator, parsed and encoded entries) is dropped and marked
 * {@link FileContext#deleted()}, and its state checkpoint is deleted.
 * <p>
 * If clients had synced the file and it had a schema, and {@code keepSchema} is set, a new server file of the same
 * name (new salt) is created in the same command holding only that schema, as a server changeset at version 1: the
 * clients' resets download it into their fresh Realm, and MongoDB's client refuses a reset whose fresh Realm lacks
 * classes the local one has ("Client reset cannot recover when classes have been removed").
 */
public final class DeleteFileCommand extends WriterCommand
{
    /** What the deletion did. */
    public enum Outcome
    {
        /** There was no such server file. */
        NOT_FOUND,
        /** Deleted; nothing of that name exists now. */
        DELETED,
        /** Deleted, and a new server file of the same name holds the old schema (version 1). */
        DELETED_SCHEMA_KEPT
    }

    /** The result: what happened, and the dropped context (null if none was in memory). */
    public record Result(Outcome outcome, FileContext dropped)
    {
    }

    private final String fileName;
    private final boolean keepSchema;
    private final CompletableFuture<Result> result;
    private Result outcome;

    /**
     * @param fileName   the server file.
     * @param keepSchema create the new server file with the old schema if clients had synced the old one.
     * @param result     completes once the deletion is committed, or exceptionally if the store failed.
     */
    public DeleteFileCommand(final String fileName, final boolean keepSchema, final CompletableFuture<Result> result)
    {
        this.fileName = fileName;
        this.keepSchema = keepSchema;
        this.result = result;
    }

    @Override
    protected void execute(final ShardWriter writer)
    {
        final ServerFile file = writer.shard.serverFile(fileName);
        if (file == null)
        {
            outcome = new Result(Outcome.NOT_FOUND, null);
            return;
        }
        byte[] schema = null;
        if (keepSchema && file.clientCount() > 0)
        {
            final FileContext old = writer.open(fileName);
            if (!old.state().tables().isEmpty())
            {
                schema = writer.tools.writer.toBytes(Snapshot.of(old.state(), Set.of()));
            }
        }
        writer.shard.deleteServerFile(file);
        final FileContext dropped = writer.deleted(fileName);
        if (schema == null)
        {
            outcome = new Result(Outcome.DELETED, dropped);
            return;
        }
        final FileContext fresh = writer.open(fileName);
        final Changeset cs;
        try
        {
            cs = writer.tools.reader.read(new UnsafeBuffer(schema), 0, schema.length, new Changeset());
        }
        catch (final dev.outpost.codec.CodecException ex)
        {
            throw new IllegalStateException("the schema snapshot does not parse: " + ex.getMessage(), ex);
        }
        final ApplyResult applied = new ChangesetApplier(fresh.state()).apply(cs);
        if (!applied.ok())
        {
            throw new IllegalStateException("the schema snapshot does not apply: " + applied.message());
        }
        final long version = writer.shard.append(fresh.file, ServerIntegratorIdent.SERVER, 0,
            RealmTime.of(writer.tools.clock), schema.length, new UnsafeBuffer(schema), 0, schema.length);
        if (version < 0)
        {
            throw new IllegalStateException("the schema snapshot of " + schema.length + " bytes is too large");
        }
        writer.touched(fresh);
        outcome = new Result(Outcome.DELETED_SCHEMA_KEPT, dropped);
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
