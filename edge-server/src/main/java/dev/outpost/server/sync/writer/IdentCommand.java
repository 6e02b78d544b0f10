package dev.outpost.server.sync.writer;

import dev.outpost.codec.ProtocolErrorCode;
import dev.outpost.server.store.EntryView;
import dev.outpost.server.store.RevertEntryMarker;
import dev.outpost.server.store.StoreCompaction;
import dev.outpost.server.sync.flx.FlxQuery;
import dev.outpost.server.sync.flx.FlxRoles;
import dev.outpost.server.sync.flx.FlxView;
import dev.outpost.server.sync.flx.ViewLog;
import dev.outpost.server.sync.flx.CompensatingWrites;
import dev.outpost.server.store.ServerFile;
import org.agrona.collections.LongArrayList;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * IDENT: check the client's cursors against its stored client file and the history, and read its stored upload
 * cursor and the compensating writes it has not downloaded yet.
 */
public final class IdentCommand extends SessionCommand<IdentCommand.Result>
{
    /**
     * What the event loop hands over: the bound file and the IDENT's fields.
     *
     * @param file       the bound server file.
     * @param fileIdent  the client file ident.
     * @param salt       its salt.
     * @param dlServer   the download cursor's server version.
     * @param dlClient   the download cursor's client version.
     * @param latest     the latest server version the client knows.
     * @param latestSalt its salt.
     * @param query      FLX: the subscription set of the IDENT (parsed, not rejected), else null.
     * @param queryable  FLX: the app's queryable fields per class (null: any field).
     * @param roles      FLX: the session's roles, or null when the app has none.
     * @param maxOfflineMs a client file last seen longer ago gets client_file_expired 222 (0: never expires).
     */
    public record Input(FileContext file, long fileIdent, long salt, long dlServer, long dlClient, long latest,
        long latestSalt, FlxQuery query, Function<String, Set<String>> queryable, FlxRoles roles, long maxOfflineMs)
    {
    }

    /**
     * What the session applies on its event loop.
     *
     * @param error                     null, or the session error (a client reset) to send.
     * @param message                   the error message.
     * @param storedClient              the stored upload cursor's client version.
     * @param storedRhBase              the stored upload cursor's server version.
     * @param storedLocked              the stored locked server version.
     * @param pendingCompensatingWrites the 231 bodies to send again, or null if none.
     * @param view                      FLX: the compiled view of the IDENT's query (null if refused or PBS).
     * @param refusal                   FLX: the query_error 226 message of a refused query, else null.
     * @param catchUp                   FLX: the view cannot follow the history the client missed (annotations not
     *                                  held): the session starts with a catch-up bootstrap.
     */
    public record Result(ProtocolErrorCode error, String message, long storedClient, long storedRhBase,
        long storedLocked, List<String> pendingCompensatingWrites, FlxView view, String refusal, boolean catchUp)
    {
        static Result failed(final ProtocolErrorCode error, final String message)
        {
            return new Result(error, message, 0, 0, 0, null, null, null, false);
        }
    }

    private final Input in;

    /**
     * @param in       the input.
     * @param callback where the result goes.
     */
    public IdentCommand(final Input in, final ResultCallback<Result> callback)
    {
        super(callback);
        this.in = in;
    }

    @Override
    Result run(final ShardWriter writer)
    {
        in.file().checkLive();
        final ServerFile f = in.file().file;
        final long head = f.lastAppended();
        final long fileIdent = in.fileIdent();
        final long dlServer = in.dlServer();
        final long dlClient = in.dlClient();
        final long latest = in.latest();
        final var c = fileIdent == 0 ? null : writer.shard.clientFile(f, fileIdent);
        if (c == null)
        {
            return Result.failed(ProtocolErrorCode.BAD_CLIENT_FILE_IDENT, "unknown client file ident " + fileIdent);
        }
        if (c.salt() != in.salt())
        {
            return Result.failed(ProtocolErrorCode.DIVERGING_HISTORIES, "client file ident salt mismatch");
        }
        final long now = writer.tools.clock.time();
        if (c.lastSeen() == StoreCompaction.COMPACTED_AWAY)
        {
            return Result.failed(ProtocolErrorCode.CLIENT_FILE_EXPIRED, "client file " + fileIdent + " expired: " +
                "the history it was based on has been compacted");
        }
        if (expired(c.lastSeen(), now, in.maxOfflineMs()))
        {
            return Result.failed(ProtocolErrorCode.CLIENT_FILE_EXPIRED, "client file " + fileIdent + " expired: " +
                "last synced " + (now - c.lastSeen()) / 1000 + " s ago, more than the client max offline time of " +
                in.maxOfflineMs() / 1000 + " s");
        }
        if (dlServer < c.rhBaseVersion() || dlServer > head)
        {
            return Result.failed(ProtocolErrorCode.BAD_SERVER_VERSION, "download server version " + dlServer +
                " outside [" + c.rhBaseVersion() + ", " + head + "]");
        }
        if (dlClient > c.clientVersion() || (dlServer == 0 && dlClient != 0))
        {
            return Result.failed(ProtocolErrorCode.BAD_CLIENT_VERSION, "download client version " + dlClient +
                " beyond the integrated " + c.clientVersion());
        }
        if (latest < dlServer || latest > head)
        {
            return Result.failed(ProtocolErrorCode.BAD_SERVER_VERSION, "latest server version " + latest +
                " outside [" + dlServer + ", " + head + "]");
        }
        if (in.latestSalt() != f.salt(latest))
        {
            return Result.failed(ProtocolErrorCode.DIVERGING_HISTORIES, "latest server version salt mismatch");
        }
        FlxView view = null;
        String refusal = null;
        boolean catchUp = false;
        if (in.query() != null)
        {
            if (!in.query().wholeClasses() || in.roles() != null)
            {
                in.file().ensureLoaded(writer.shard, writer.tools);
            }
            final FlxView.Compiled compiled = in.file().compile(in.query(), in.queryable(), in.roles());
            view = compiled.view();
            refusal = compiled.refusal();
            catchUp = view != null && !view.wholeClasses() && !annotated(writer, in.file(), view, fileIdent, dlServer,
                head);
        }
        // the client file is seen now (durable with the batch): its offline time counts from here
        writer.shard.updateClientState(f, c, c.clientVersion(), c.rhBaseVersion(), c.lockedServerVersion(), now);
        return new Result(null, null, c.clientVersion(), c.rhBaseVersion(), c.lockedServerVersion(),
            compensatingWritesAfter(writer, in.file(), fileIdent, dlServer), view, refusal, catchUp);
    }

    /**
     * @param lastSeen     when the client file last synced (epoch ms).
     * @param now          now (epoch ms).
     * @param maxOfflineMs the app's client max offline time (0: never expires).
     * @return whether the client file has been away longer than the app allows (App Services'
     * {@code client_max_offline_days}): the history it would need may be compacted, so it must reset.
     */
    static boolean expired(final long lastSeen, final long now, final long maxOfflineMs)
    {
        return lastSeen == StoreCompaction.COMPACTED_AWAY || (maxOfflineMs > 0 && now - lastSeen > maxOfflineMs);
    }

    /** @return whether every entry in {@code (from, head]} the session will filter has the annotations it needs. */
    private static boolean annotated(final ShardWriter writer, final FileContext f, final FlxView view,
        final long clientFile, final long from, final long head)
    {
        if (head - from > f.viewLog().capacity())
        {
            return false;
        }
        final EntryView entry = writer.tools.view;
        for (long v = from + 1; v <= head; v++)
        {
            if (!writer.shard.readEntry(f.file, v, entry))
            {
                return false;
            }
            if (entry.changesetLength() == 0 || entry.originFileIdent() == clientFile ||
                RevertEntryMarker.targetOf(entry) != 0)
            {
                continue;
            }
            final ViewLog.Entry a = f.viewLog().get(v);
            if (a == null || !a.watched().containsAll(view.narrowQueries().keySet()))
            {
                return false;
            }
        }
        return true;
    }

    /**
     * The 231 bodies of the revert entries for {@code clientFile} the client has not downloaded yet (above
     * {@code downloaded}); realm's client forgets pending compensating writes when its session ends, so they are sent
     * again at IDENT. The rejected client version is that of the client's entry just before the revert.
     *
     * @return the bodies, or null if none.
     */
    private static List<String> compensatingWritesAfter(final ShardWriter writer, final FileContext f,
        final long clientFile, final long downloaded)
    {
        final LongArrayList versions = f.reverts(clientFile);
        if (versions == null || versions.getLong(versions.size() - 1) <= downloaded)
        {
            return null;
        }
        final List<String> bodies = new ArrayList<>();
        final EntryView view = writer.tools.view;
        for (int i = 0; i < versions.size(); i++)
        {
            final long v = versions.getLong(i);
            if (v <= downloaded || !writer.shard.readEntry(f.file, v, view))
            {
                continue;
            }
            final List<CompensatingWrites.Rejected> objects = CompensatingWrites.objectsOf(writer.tools.parse(view));
            final long rejectedClientVersion = writer.shard.readEntry(f.file, v - 1, view) &&
                view.originFileIdent() == clientFile ? view.clientVersion() : 0;
            bodies.add(CompensatingWrites.errorBody(objects, f.revertForbidden(v), rejectedClientVersion, v));
        }
        return bodies;
    }
}
