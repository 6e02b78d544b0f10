package dev.outpost.server.sync.writer;

import dev.outpost.codec.CodecException;
import dev.outpost.ot.model.Changeset;
import dev.outpost.ot.state.ApplyResult;
import dev.outpost.ot.state.ChangesetApplier;
import dev.outpost.ot.state.ObjectState;
import dev.outpost.server.sync.wire.RealmTime;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.concurrent.CompletableFuture;

/**
 * A server-origin changeset written by a tool of the server's own (e.g. {@code outpost import}): the server file is
 * created if it does not exist, the changeset is checked as a peer's would be (it must parse with realm's client
 * limits and apply to the file's current state) and appended at the head as an entry of the server
 * ({@link ServerIntegratorIdent#SERVER}), exactly as an accepted TRANSACT is. Completes with the new version, or
 * exceptionally with a {@link Refused} naming why nothing was written.
 * <p>
 * A {@link Builder} may make the changeset on the writer thread from the file's current state (the PostgreSQL
 * inbound path: which fields exist, of which type, whether the object is there), and the entry may carry a timestamp
 * of its own (when the change was made), which is what realm's merge rules compare against concurrent clients'
 * changes.
 */
public final class ServerChangesetCommand extends WriterCommand
{
    /** Why a server changeset was not written (bad input: nothing was appended). */
    public static final class Refused extends Exception
    {
        private static final long serialVersionUID = 1L;

        /**
         * @param message what is wrong.
         */
        public Refused(final String message)
        {
            super(message, null, false, false);
        }
    }

    /** Makes a server changeset from a server file's current state, on the writer thread. */
    @FunctionalInterface
    public interface Builder
    {
        /**
         * @param state the server file's current state; read it only (the command applies what is returned).
         * @return the changeset's bytes, or null when there is nothing to write (the command completes with -1).
         * @throws Refused if no valid changeset can be made: nothing is written.
         */
        byte[] build(ObjectState state) throws Refused;
    }

    /** The timestamp argument meaning "the server's clock when the entry is appended". */
    public static final long NOW = -1;

    private final String fileName;
    private final byte[] changeset;
    private final Builder builder;
    private final long timestamp;
    private final CompletableFuture<Long> result;
    private long version;
    private String refusal;

    /**
     * @param fileName  the server file (created if needed).
     * @param changeset the changeset's bytes.
     * @param result    completed with the new version after the publish.
     */
    public ServerChangesetCommand(final String fileName, final byte[] changeset, final CompletableFuture<Long> result)
    {
        this.fileName = fileName;
        this.changeset = changeset;
        this.builder = null;
        this.timestamp = NOW;
        this.result = result;
    }

    /**
     * @param fileName  the server file (created if needed).
     * @param builder   makes the changeset from the file's state.
     * @param timestamp the entry's realm timestamp (milliseconds since 2015-01-01), or {@link #NOW}.
     * @param result    completed with the new version after the publish, or -1 if the builder had nothing to write.
     */
    public ServerChangesetCommand(final String fileName, final Builder builder, final long timestamp,
        final CompletableFuture<Long> result)
    {
        this.fileName = fileName;
        this.changeset = null;
        this.builder = builder;
        this.timestamp = timestamp;
        this.result = result;
    }

    @Override
    protected void execute(final ShardWriter writer)
    {
        final FileContext f = writer.open(fileName);
        final byte[] changeset;
        if (null == builder)
        {
            changeset = this.changeset;
        }
        else
        {
            try
            {
                changeset = builder.build(f.state());
            }
            catch (final Refused ex)
            {
                refusal = ex.getMessage();
                return;
            }
            catch (final RuntimeException ex)
            {
                refusal = "changeset cannot be built: " + ex;
                return;
            }
            if (null == changeset)
            {
                version = -1;
                return;
            }
        }
        final Changeset cs;
        try
        {
            cs = writer.tools.peerReader.read(new UnsafeBuffer(changeset), 0, changeset.length, new Changeset());
        }
        catch (final CodecException ex)
        {
            refusal = "changeset does not parse: " + ex.getMessage();
            return;
        }
        final var before = f.viewBefore(java.util.List.of(cs)); // FLX: which subscribed views it enters or leaves
        final ApplyResult r = new ChangesetApplier(f.state()).apply(cs);
        if (!r.ok())
        {
            rollback = true; // the state may hold part of it
            refusal = "changeset does not apply: " + r.message();
            return;
        }
        final UnsafeBuffer bytes = new UnsafeBuffer(changeset);
        version = writer.shard.append(f.file, ServerIntegratorIdent.SERVER, 0,
            NOW == timestamp ? RealmTime.of(writer.tools.clock) : timestamp,
            changeset.length, bytes, 0, changeset.length);
        if (version < 0)
        {
            rollback = true;
            refusal = "changeset of " + changeset.length + " bytes is too large for the store";
            return;
        }
        f.viewAfter(before, version, cs);
        writer.touched(f);
    }

    @Override
    protected void complete()
    {
        if (null != refusal)
        {
            result.completeExceptionally(new Refused(refusal));
        }
        else
        {
            result.complete(version);
        }
    }

    @Override
    protected void fail(final Throwable cause)
    {
        result.completeExceptionally(cause);
    }
}
