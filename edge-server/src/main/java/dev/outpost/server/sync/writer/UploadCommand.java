package dev.outpost.server.sync.writer;

import dev.outpost.codec.CodecException;
import dev.outpost.codec.ProtocolErrorCode;
import dev.outpost.codec.message.BodyCompression;
import dev.outpost.codec.message.UploadEntryIterator;
import dev.outpost.ot.model.Changeset;
import dev.outpost.ot.sync.IntegrationResult;
import dev.outpost.ot.sync.UploadEntry;
import dev.outpost.server.sync.flx.CompensatingWrites;
import dev.outpost.server.sync.flx.FlxView;
import dev.outpost.server.sync.wire.ErrorBodies;
import dev.outpost.server.sync.wire.RealmTime;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * UPLOAD: integrate the changesets of one UPLOAD (transformed against the history) and store the client's upload
 * cursor; FLX: writes outside the subscription are dropped and reverted for this client (compensating writes).
 * A large body is inflated and checked here (with {@link UploadCheck}) instead of on the event loop.
 */
public final class UploadCommand extends SessionCommand<UploadCommand.Result>
{
    private static final System.Logger LOG = System.getLogger(UploadCommand.class.getName());

    /**
     * A large (compressed) UPLOAD body carried to the writer, which inflates it and checks its entries.
     *
     * @param bytes            the body as received (one copy of the frame's bytes).
     * @param compressed       whether it is zlib-compressed.
     * @param uncompressedSize its declared uncompressed size.
     * @param fromClient       the previous UPLOAD's progress client version (where the entries' checks start).
     * @param fromServer       the previous UPLOAD's progress server version.
     */
    public record Body(byte[] bytes, boolean compressed, long uncompressedSize, long fromClient, long fromServer)
    {
    }

    /**
     * What the event loop hands over.
     *
     * @param file            the bound server file.
     * @param clientFileIdent the session's client file.
     * @param progressClient  the UPLOAD's progress client version.
     * @param progressServer  the UPLOAD's progress server version.
     * @param locked          the UPLOAD's locked server version.
     * @param subscribed      FLX: the session's view the changesets are checked against; null for PBS.
     * @param changesets      the checked changesets (small bodies), or null if {@code body} carries them.
     * @param body            a large body still to inflate and check, or null.
     * @param check           the session's upload checks.
     * @param sequence        the session's pipelined uploads (writer side).
     */
    public record Input(FileContext file, long clientFileIdent, long progressClient, long progressServer, long locked,
        FlxView subscribed, UploadChangesets changesets, Body body, UploadCheck check, UploadSequence sequence)
    {
    }

    /**
     * What the session applies on its event loop.
     *
     * @param error           null, or the error to send (session-level unless {@code connectionLevel}).
     * @param action          the JSON_ERROR action of {@code error}.
     * @param message         the error message.
     * @param connectionLevel whether {@code error} ends the connection (the body does not parse).
     * @param skipped         not integrated: an earlier pipelined upload of the session was refused.
     * @param storedClient    the client's stored upload cursor after the integration (client version).
     * @param storedRhBase    the client's stored upload cursor after the integration (server version).
     * @param rejections      FLX: the rejected writes, one 231 each.
     * @param revertVersion   FLX: the server version of the revert entry of {@code rejections}.
     */
    public record Result(ProtocolErrorCode error, String action, String message, boolean connectionLevel,
        boolean skipped, long storedClient, long storedRhBase, List<CompensatingWrites.Rejection> rejections,
        long revertVersion)
    {
        static Result failed(final ProtocolErrorCode error, final String action, final String message)
        {
            return new Result(error, action, message, false, false, 0, 0, List.of(), 0);
        }
    }

    private final Input in;

    /**
     * @param in       the input.
     * @param callback where the result goes.
     */
    public UploadCommand(final Input in, final ResultCallback<Result> callback)
    {
        super(callback);
        this.in = in;
    }

    @Override
    Result run(final ShardWriter writer)
    {
        try
        {
            if (in.sequence().rejected)
            {
                // an earlier pipelined upload of this session failed: its error ends the session
                return new Result(null, null, null, false, true, 0, 0, List.of(), 0);
            }
            final Result r = integrate(writer);
            if (r.error() != null)
            {
                in.sequence().rejected = true; // every refusal sets error: later pipelined uploads must not skip it
            }
            return r;
        }
        finally
        {
            // appended (the store copied the bytes), refused or failed: the body's copy goes back to the pool
            writer.uploadBuffers().release(in.changesets());
        }
    }

    /**
     * Event loop: the command will not reach the writer (its session ended while the handoff was full): give the
     * body's copy back.
     */
    public void dropped(final ShardWriter writer)
    {
        writer.uploadBuffers().release(in.changesets());
    }

    @Override
    protected void fail(final Throwable cause)
    {
        in.sequence().rejected = true; // writer thread: later pipelined uploads must not skip over this one
        super.fail(cause);
    }

    private Result integrate(final ShardWriter writer)
    {
        UploadChangesets changesets = in.changesets();
        UploadChangesets unpacked = null;
        try
        {
            if (in.body() != null)
            {
                unpacked = writer.uploadBuffers().acquire();
                changesets = unpacked;
                final Result refused = unpackBody(in.body(), changesets);
                if (refused != null)
                {
                    return refused;
                }
            }
            return integrate(writer, changesets);
        }
        finally
        {
            writer.uploadBuffers().release(unpacked);
        }
    }

    private Result integrate(final ShardWriter writer, final UploadChangesets changesets)
    {
        final FileContext f = in.file();
        f.ensureLoaded(writer.shard, writer.tools);
        final var client = writer.shard.clientFile(f.file, in.clientFileIdent());
        final int n = changesets.count();
        final ArrayList<CompensatingWrites.Rejection> rejections = new ArrayList<>();
        final ArrayList<UploadEntry> entries = new ArrayList<>(n);
        for (int i = 0; i < n; i++)
        {
            final Changeset cs;
            try
            {
                cs = writer.tools.peerReader.read(changesets.buffer(), changesets.offset(i), changesets.length(i),
                    new Changeset());
            }
            catch (final CodecException ex)
            {
                return Result.failed(ProtocolErrorCode.BAD_CHANGESET, ErrorBodies.PROTOCOL_VIOLATION,
                    "changeset " + changesets.clientVersion(i) + " does not parse: " + ex.getMessage());
            }
            if (changesets.clientVersion(i) > client.clientVersion())
            {
                final UploadFailure schema = in.check().schema(cs, f.state());
                if (schema != null)
                {
                    return Result.failed(schema.code(), schema.action(), schema.message());
                }
            }
            final Changeset kept = trim(cs, changesets.clientVersion(i), client.clientVersion(), f, rejections);
            // untrimmed, the changeset is exactly its bytes: if nothing transforms it, they are appended as they came
            entries.add(kept == cs
                ? new UploadEntry(changesets.clientVersion(i), changesets.serverVersion(i), changesets.timestamp(i),
                    kept, changesets.buffer(), changesets.offset(i), changesets.length(i))
                : new UploadEntry(changesets.clientVersion(i), changesets.serverVersion(i), changesets.timestamp(i),
                    kept));
        }
        final long headBefore = f.file.lastAppended();
        final long started = System.nanoTime();
        final long fastBefore = f.integrator().fastPathGroups();
        final long mergedBefore = f.integrator().mergedGroups();
        final List<Changeset> uploaded = new ArrayList<>(entries.size());
        for (final UploadEntry e : entries)
        {
            uploaded.add(e.changeset());
        }
        final var before = f.viewBefore(uploaded);
        final IntegrationResult result;
        try
        {
            result = f.integrator().integrateUpload(in.clientFileIdent(),
                new ShardServerHistory.ShardClientFile(writer.shard, f.file, client, writer.tools), in.progressClient(),
                in.progressServer(), in.locked(), entries);
        }
        catch (final ShardServerHistory.ChangesetTooLarge ex)
        {
            // the object state already holds the whole upload and part of it may be appended: undo all of it
            rollback = true;
            return Result.failed(ProtocolErrorCode.BAD_CHANGESET, ErrorBodies.PROTOCOL_VIOLATION, ex.getMessage());
        }
        writer.metrics.transformNanos(System.nanoTime() - started);
        writer.metrics.uploadGroups(f.integrator().fastPathGroups() - fastBefore,
            f.integrator().mergedGroups() - mergedBefore);
        ProtocolErrorCode error = null;
        String message = null;
        long revertVersion = 0;
        if (!result.ok())
        {
            error = result.errorCode();
            message = result.message();
        }
        else
        {
            writer.metrics.uploadReceived(n);
            f.viewAfter(before);
            revertVersion = appendRevert(writer, f, rejections);
        }
        if (f.file.lastAppended() != headBefore)
        {
            writer.touched(f);
        }
        final String action = error == ProtocolErrorCode.BAD_CHANGESET ? ErrorBodies.PROTOCOL_VIOLATION :
            ErrorBodies.CLIENT_RESET;
        return new Result(error, error != null ? action : null, message, false, false, client.clientVersion(),
            client.rhBaseVersion(), rejections, revertVersion);
    }

    /** Inflate and check a carried body into {@code out}. @return null if all is well, else the refusal. */
    private Result unpackBody(final Body body, final UploadChangesets out)
    {
        final byte[] raw = body.bytes();
        DirectBuffer src = new UnsafeBuffer(raw);
        int length = raw.length;
        try
        {
            if (body.compressed())
            {
                // grows to the declared size only after BodyCompression checked it against its limit
                final ExpandableDirectByteBuffer inflated = new ExpandableDirectByteBuffer(64 * 1024);
                try (BodyCompression zlib = new BodyCompression())
                {
                    length = zlib.inflate(src, 0, raw.length, inflated, 0, body.uncompressedSize());
                }
                src = inflated;
            }
            final UploadFailure failure = in.check().entries(new UploadEntryIterator().wrap(src, 0, length),
                in.progressClient(), in.progressServer(), body.fromClient(), body.fromServer(), out);
            return failure == null ? null : Result.failed(failure.code(), failure.action(), failure.message());
        }
        catch (final CodecException ex)
        {
            return new Result(ex.errorCode(), null, "upload body: " + ex.getMessage(), true, false, 0, 0, List.of(),
                0);
        }
    }

    /** FLX: drop (and remember) the instructions outside the subscription of a changeset not integrated yet. */
    private Changeset trim(final Changeset cs, final long clientVersion, final long integrated, final FileContext f,
        final List<CompensatingWrites.Rejection> rejections)
    {
        final FlxView subscribed = in.subscribed();
        if (subscribed == null || clientVersion <= integrated)
        {
            return cs;
        }
        final List<CompensatingWrites.Rejected> rejected = new ArrayList<>();
        final Set<CompensatingWrites.Rejected> forbidden = new HashSet<>();
        final Changeset kept = CompensatingWrites.trim(cs, subscribed, f.state(), rejected, forbidden);
        if (!rejected.isEmpty())
        {
            rejections.add(new CompensatingWrites.Rejection(clientVersion, rejected, forbidden));
        }
        return kept;
    }

    /**
     * FLX: after a successful integration, the revert entry for this client of everything rejected.
     *
     * @return its server version (0 if none; {@code rejections} is cleared if it could not be stored).
     */
    private long appendRevert(final ShardWriter writer, final FileContext f,
        final List<CompensatingWrites.Rejection> rejections)
    {
        if (rejections.isEmpty())
        {
            return 0;
        }
        final ArrayList<CompensatingWrites.Rejected> all = new ArrayList<>();
        final Set<CompensatingWrites.Rejected> forbidden = new HashSet<>();
        for (final CompensatingWrites.Rejection r : rejections)
        {
            all.addAll(r.objects());
            forbidden.addAll(r.forbidden());
        }
        final ExpandableDirectByteBuffer buf = writer.tools.encodeBuffer;
        final int length = writer.tools.writer.encode(CompensatingWrites.revert(all, in.subscribed(), f.state()), buf, 0);
        final long revertVersion = writer.shard.append(f.file, ServerIntegratorIdent.SERVER,
            CompensatingWrites.marker(in.clientFileIdent()), RealmTime.of(writer.tools.clock), length, buf, 0, length);
        if (revertVersion < 0)
        {
            LOG.log(System.Logger.Level.ERROR, "revert entry of " + f.name + " too large to store");
            rejections.clear();
            return revertVersion;
        }
        f.revertAppended(in.clientFileIdent(), revertVersion);
        f.revertForbidden(revertVersion, forbidden);
        return revertVersion;
    }
}
