package dev.outpost.server.sync;

import dev.outpost.codec.CodecException;
import dev.outpost.codec.ProtocolErrorCode;
import dev.outpost.codec.message.ClientMessageDecoder;
import dev.outpost.codec.message.MessageType;
import dev.outpost.ot.rules.PartitionRules;
import dev.outpost.server.config.ServerConfig;
import dev.outpost.server.metrics.LogContext;
import dev.outpost.server.sync.flx.CompensatingWrites;
import dev.outpost.server.sync.flx.FlxQuery;
import dev.outpost.server.sync.flx.FlxRoles;
import dev.outpost.server.sync.flx.FlxView;
import dev.outpost.server.sync.wire.ErrorBodies;
import dev.outpost.server.sync.wire.LegacyRequests;
import dev.outpost.server.sync.wire.RealmTime;
import dev.outpost.server.sync.writer.BindCommand;
import dev.outpost.server.sync.writer.BootstrapCommand;
import dev.outpost.server.sync.writer.ClientVersionCommand;
import dev.outpost.server.sync.writer.FileContext;
import dev.outpost.server.sync.writer.FileListener;
import dev.outpost.server.sync.writer.IdentCommand;
import dev.outpost.server.sync.writer.ResultCallback;
import dev.outpost.server.sync.writer.SessionCommand;
import dev.outpost.server.sync.writer.ShardWriter;
import dev.outpost.server.sync.writer.StateCommand;
import dev.outpost.server.sync.writer.TransactCommand;
import dev.outpost.server.sync.writer.UploadChangesets;
import dev.outpost.server.sync.writer.UploadCheck;
import dev.outpost.server.sync.writer.UploadCommand;
import dev.outpost.server.sync.writer.UploadFailure;
import dev.outpost.server.sync.writer.UploadSequence;
import dev.outpost.server.ws.TaskKind;
import org.agrona.DirectBuffer;

import java.util.ArrayDeque;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One sync session (protocol §2.4, §7.4): BIND, IDENT both ways, UPLOAD, DOWNLOAD, MARK, QUERY (FLX), UNBIND.
 * Event-loop confined except {@link #headAdvanced()} and {@link #superseded}, which any thread (a writer) may call.
 * Its writer round trips are commands of {@link dev.outpost.server.sync.writer}: each takes an immutable input built
 * here and hands back a result object through a {@link ResultCallback}, applied here on the event loop.
 * <p>
 * While a writer round trip is under way (bind, IDENT check, bootstrap, legacy requests) the session is busy: later
 * messages for it are held back and run in order when the result arrives, so every answer keeps the client's order.
 * UPLOADs are pipelined: up to {@link ServerConfig#maxUploadsInFlight()} are handed to the writer without waiting
 * for the previous one's result (the writer executes and completes them in order), so one session's uploads share
 * writer batches instead of paying a full writer round trip each; any other message waits until all of them
 * completed. At the limit the next UPLOAD is held back like any other message (and over
 * {@link ConnectionHandler#HOLD_INPUT_BYTES} of held-back messages the connection stops reading): back-pressure, not
 * an error, since realm's client sends UPLOADs without waiting for answers and has no error for "too many".
 */
final class Session implements FileListener
{
    /** Most characters of a peer's query or compensating-write body in a log line; the rest is cut. */
    private static final int LOGGED_CHARS = 300;
    /** The message of the client reset a deleted server file gives its sessions. */
    static final String FILE_DELETED_MESSAGE = "the server's administrator deleted this Realm's server file; " +
        "it starts again empty";
    /** Session events with their context as key-values (see {@link LogContext}). */
    private static final org.slf4j.Logger EVENTS = org.slf4j.LoggerFactory.getLogger(Session.class);
    /** Milliseconds between the Unix epoch and realm's 2015-01-01 timestamp epoch. */
    static final long REALM_EPOCH_MS = RealmTime.EPOCH_MS;
    /**
     * Default of the largest (uncompressed) UPLOAD body inflated and checked on the event loop (larger ones on the
     * writer); the setting is {@link ServerConfig#uploadInlineBytes()}.
     */
    static final int INLINE_UPLOAD_BYTES = ServerConfig.UPLOAD_INLINE_BYTES_DEFAULT;
    /** Most history entries one inline build looks at (own and empty ones included). */
    static final int INLINE_ENTRIES = 1024;

    enum State
    {
        BINDING, WAIT_IDENT, ACTIVE, ERRORED, ENDED
    }

    final ConnectionHandler conn;
    final long ident;
    final SessionReplies replies;
    private final SessionDownloads downloads;
    State state = State.BINDING;
    private LogContext log;
    private boolean metered;
    boolean busy;
    private int uploadsInFlight;
    /** Most UPLOADs in flight ({@link ServerConfig#maxUploadsInFlight()}); beyond, messages are held back. */
    private final int maxUploadsInFlight;
    /** An UPLOAD waits for room in the writer's handoff: everything after it waits too. */
    private boolean uploadBlocked;
    /** Writer side of the pipelined uploads: an upload of this session failed; later ones are not integrated. */
    private final UploadSequence uploadSequence = new UploadSequence();
    private final ArrayDeque<byte[]> deferred = new ArrayDeque<>();
    private final ArrayDeque<MessageType> deferredTypes = new ArrayDeque<>();
    /** Where every UPLOAD's result goes: one per session (made at its first UPLOAD), not one per UPLOAD. */
    private ResultCallback<UploadCommand.Result> uploadCallback;

    private String fileName;
    FileContext ctx;
    /** Whether the BIND's pin of {@link #ctx} was released (when the session ended). */
    private boolean unpinned;
    long clientFileIdent;

    // upload cursors (the download cursors and the outbound messages are SessionDownloads')
    private UploadCheck uploadCheck; // from the upload cursor stored at IDENT
    private long progressClient;   // last UPLOAD progress of this session
    private long progressServer;
    private long lockedServer;

    // FLX
    long queryVersion;
    /** The subscription in force (its compiled queries); the previous one stays while a new one is refused. */
    FlxView view = FlxView.NONE;
    /** The session's roles (fixed at the first use, IDENT), or null when the app has none; see {@link #roles()}. */
    private FlxRoles roles;
    private boolean rolesBound;
    /** The subscription the view in force was compiled from ({@link #rulesChanged} recomputes its roles). */
    private FlxQuery subscribed = FlxQuery.NONE;
    /** An IDENT check or a bootstrap is with the writer: its view is compiled with the roles it was given. */
    private boolean viewPending;
    /** FLX: the client file of the IDENT under way (its session is not identified yet), else 0. */
    private long identFileIdent;
    /** PBS: the partition (the BIND path), once the BIND's checks passed. */
    private String partition;

    Session(final ConnectionHandler conn, final long ident)
    {
        this.conn = conn;
        this.ident = ident;
        this.replies = new SessionReplies(conn, ident);
        this.downloads = new SessionDownloads(this);
        this.maxUploadsInFlight = conn.service.config.maxUploadsInFlight();
    }

    /**
     * @return this session's log context (app, user, connection, session ident, server file, client file, FLX query
     *     version in force).
     */
    LogContext logContext()
    {
        if (null == log)
        {
            log = conn.log.session(ident, fileName);
        }
        return log.clientFile(clientFileIdent).queryVersion(conn.flx && clientFileIdent > 0 ? queryVersion : -1);
    }

    /** PBS: the partition when the user may read but not write it (UPLOADs with changesets refused), else null. */
    private String readOnlyPartition;

    /** Counted in the sessions gauge from BIND until the session errs or ends. */
    private void sessionEnded()
    {
        if (metered)
        {
            metered = false;
            conn.service.metrics.sessionClosed();
        }
    }

    /** @return whether a message of {@code type} may run now (else it is held back behind the writer round trip). */
    private boolean mayRun(final MessageType type)
    {
        if (busy || uploadBlocked || downloads.sending())
        {
            return false;
        }
        return uploadsInFlight == 0 || (type == MessageType.UPLOAD && uploadsInFlight < maxUploadsInFlight);
    }

    boolean mustDefer(final MessageType type)
    {
        // after a session error only UNBIND matters, and at once (the client may BIND the ident again right after)
        return state != State.ERRORED && (!deferred.isEmpty() || !mayRun(type));
    }

    void defer(final MessageType type, final byte[] message)
    {
        deferred.add(message);
        deferredTypes.add(type);
    }

    /** @return the next held-back message if it may run now, else null (it stays held back). */
    byte[] pollDeferred()
    {
        final MessageType next = deferredTypes.peek();
        if (next == null || (state != State.ERRORED && !mayRun(next)))
        {
            return null;
        }
        deferredTypes.poll();
        return deferred.poll();
    }

    boolean boundTo(final FileContext file, final long clientFile)
    {
        return state == State.ACTIVE && ctx == file && clientFileIdent == clientFile;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // inbound

    void bind(final String path, final boolean needIdent)
    {
        metered = true;
        conn.service.metrics.sessionOpened();
        final String appId = conn.connection.appId();
        final SyncSettingsRules.Refusal disabled = SyncSettingsRules.enabled(conn.service.syncSettings);
        if (null != disabled)
        {
            error(disabled.code(), ErrorBodies.APPLICATION_BUG, false, disabled.message());
            return;
        }
        if (conn.flx)
        {
            fileName = SyncService.flxFileName(appId);
        }
        else
        {
            if (path.isEmpty())
            {
                error(ProtocolErrorCode.ILLEGAL_REALM_PATH, ErrorBodies.PROTOCOL_VIOLATION, false,
                    "empty partition");
                return;
            }
            final String tooLong = conn.service.partitionTooLong(path);
            if (tooLong != null)
            {
                // realm's client maps 204 to BadSyncPartitionValue and, with ProtocolViolation, stops the session
                error(ProtocolErrorCode.ILLEGAL_REALM_PATH, ErrorBodies.PROTOCOL_VIOLATION, false, tooLong);
                return;
            }
            final SyncSettingsRules.Refusal badValue = SyncSettingsRules.partition(conn.service.syncSettings, path);
            if (null != badValue)
            {
                // as for a value too long: BadSyncPartitionValue, and ProtocolViolation stops the session
                error(badValue.code(), ErrorBodies.PROTOCOL_VIOLATION, false, badValue.message());
                return;
            }
            fileName = SyncService.pbsFileName(appId, path);
            final PartitionRules.Access access = conn.service.partitionAccess(path, conn.connection.user());
            if (!access.mayRead())
            {
                readDenied(path);
                return;
            }
            readOnlyPartition = access.mayWrite() ? null : path;
            partition = path;
            final String refused = conn.service.admitNewFile(fileName, conn.connection.user().userId());
            if (refused != null)
            {
                error(ProtocolErrorCode.OTHER_SESSION_ERROR, ErrorBodies.APPLICATION_BUG, false, refused);
                return;
            }
        }
        submit(new BindCommand(fileName, needIdent, loopback(TaskKind.RESULT, false,
            r -> bound(r, needIdent), this::bindDropped)));
    }

    void handle(final MessageType type, final ClientMessageDecoder d)
    {
        if (state == State.ERRORED)
        {
            if (type == MessageType.UNBIND)
            {
                end(); // never UNBOUND after a session error
            }
            return;
        }
        switch (type)
        {
            case IDENT -> ident(d);
            case UPLOAD -> upload(d);
            case MARK -> mark(d.requestIdent());
            case QUERY -> query(d);
            case UNBIND -> unbind();
            case JSON_ERROR -> clientError(d);
            case TRANSACT -> transact(d);
            case STATE_REQUEST -> stateRequest(d);
            case CLIENT_VERSION_REQUEST -> clientVersionRequest(d);
            default -> conn.connectionError(ProtocolErrorCode.UNKNOWN_MESSAGE, "unexpected " + type.wireName());
        }
    }

    private void ident(final ClientMessageDecoder d)
    {
        if (state != State.WAIT_IDENT)
        {
            conn.connectionError(ProtocolErrorCode.BAD_MESSAGE_ORDER, "IDENT in the wrong state " + state);
            return;
        }
        FlxQuery query = FlxQuery.NONE;
        long qv = 0;
        if (conn.flx)
        {
            qv = d.queryVersion();
            query = conn.service.parseQuery(d).without(conn.service.asymmetricTables());
        }
        if (conn.clientFileBoundElsewhere(this, ctx, d.clientFileIdent()))
        {
            conn.connectionError(ProtocolErrorCode.BOUND_IN_OTHER_SESSION,
                "client file " + d.clientFileIdent() + " is bound in another session");
            return;
        }
        final long fileIdent = d.clientFileIdent();
        if (conn.service.clientResetRequired(fileName, fileIdent))
        {
            sessionReset(ProtocolErrorCode.CLIENT_FILE_EXPIRED,
                "the server's administrator requested a client reset of this Realm");
            return;
        }
        final long dlServer = d.downloadServerVersion();
        final long dlClient = d.downloadClientVersion();
        final long queryVersionAtIdent = qv;
        final FlxQuery queryAtIdent = query;
        final boolean rulesCatchUp = conn.flx && conn.service.rulesCatchUp(fileIdent, dlServer);
        viewPending = conn.flx;
        identFileIdent = fileIdent;
        submit(new IdentCommand(new IdentCommand.Input(ctx, fileIdent, d.clientFileIdentSalt(), dlServer, dlClient,
            d.latestServerVersion(), d.latestServerVersionSalt(),
            conn.flx && query.rejected() == null ? query : null, conn.service.queryableFields(), roles(),
            conn.service.clientMaxOfflineMs),
            loopback(TaskKind.RESULT, false,
            r -> identified(r, fileIdent, dlServer, dlClient, queryVersionAtIdent, queryAtIdent, rulesCatchUp),
            null)));
    }

    /** Event loop: the session's FLX roles, bound once for its user (null: no rules, nothing enforced). */
    private FlxRoles roles()
    {
        if (!rolesBound)
        {
            rolesBound = true;
            roles = conn.flx ? conn.service.flxRoles(conn.connection.user()) : null;
        }
        return roles;
    }

    private boolean requireActive(final String what)
    {
        if (state != State.ACTIVE)
        {
            conn.connectionError(ProtocolErrorCode.BAD_MESSAGE_ORDER, what + " before IDENT");
            return false;
        }
        return true;
    }

    private void upload(final ClientMessageDecoder d)
    {
        if (!requireActive("UPLOAD"))
        {
            return;
        }
        if (readOnlyPartition != null && (d.bodyCompressed() ? d.uncompressedBodySize() : d.bodyLength()) > 0)
        {
            writeDenied(); // changesets to a partition the user may only read: nothing is stored
            return;
        }
        final long pcv = d.progressClientVersion();
        final long psv = d.progressServerVersion();
        final long locked = d.lockedServerVersion();
        final UploadFailure refused = uploadCheck.progress(pcv, psv, locked, downloads.downloadServer(),
            progressClient, progressServer, lockedServer);
        if (refused != null)
        {
            error(refused.code(), refused.action(), false, refused.message());
            return;
        }
        UploadChangesets changesets = null;
        UploadCommand.Body large = null;
        if ((d.bodyCompressed() ? d.uncompressedBodySize() : d.bodyLength()) > conn.service.uploadInlineBytes)
        {
            // large: one copy of the (compressed) body here; inflating and checking the entries run on the writer
            final byte[] bytes = new byte[d.bodyLength()];
            d.buffer().getBytes(d.bodyOffset(), bytes);
            large = new UploadCommand.Body(bytes, d.bodyCompressed(), d.uncompressedBodySize(), progressClient,
                progressServer);
        }
        else
        {
            final LoopResources r = conn.service.loopResources();
            DirectBuffer body = d.buffer();
            int bodyOffset = d.bodyOffset();
            int bodyLength = d.bodyLength();
            changesets = conn.service.writerFor(fileName).uploadBuffers().acquire(); // back to the pool after append
            final UploadFailure failure;
            try
            {
                if (d.bodyCompressed())
                {
                    bodyLength = r.zlib.inflate(body, bodyOffset, bodyLength, r.inflated, 0,
                        d.uncompressedBodySize());
                    body = r.inflated;
                    bodyOffset = 0;
                }
                failure = uploadCheck.entries(conn.uploadEntries.wrap(body, bodyOffset, bodyLength), pcv, psv,
                    progressClient, progressServer, changesets);
            }
            catch (final CodecException ex)
            {
                conn.service.writerFor(fileName).uploadBuffers().release(changesets);
                conn.connectionError(ex.errorCode(), "upload body: " + ex.getMessage());
                return;
            }
            if (failure != null)
            {
                conn.service.writerFor(fileName).uploadBuffers().release(changesets);
                error(failure.code(), failure.action(), false, failure.message());
                return;
            }
        }
        if (null == uploadCallback)
        {
            uploadCallback = loopback(TaskKind.ACK, true, this::uploaded, null);
        }
        final UploadCommand cmd = new UploadCommand(new UploadCommand.Input(ctx, clientFileIdent, pcv, psv, locked,
            conn.flx ? view : null, changesets, large, uploadCheck, uploadSequence), uploadCallback);
        progressClient = pcv;
        progressServer = psv;
        lockedServer = locked;
        if (uploadsInFlight++ > 0)
        {
            conn.service.uploadPipelined();
        }
        submitUpload(cmd);
    }

    /** Hand an UPLOAD to the writer without waiting for earlier ones (they complete in order). */
    private void submitUpload(final UploadCommand cmd)
    {
        cmd.pin(ctx);
        if (conn.service.writerFor(fileName).offer(cmd))
        {
            uploadBlocked = false;
            return;
        }
        cmd.unpin();
        // back-pressure: retry shortly; nothing of this session may overtake it meanwhile
        uploadBlocked = true;
        conn.service.handoffRetried();
        conn.connection.context().owner().setTimer(1, id ->
        {
            if (state != State.ENDED && !conn.isClosed())
            {
                submitUpload(cmd);
                if (!uploadBlocked)
                {
                    conn.runDeferred(this);
                }
            }
            else
            {
                cmd.dropped(conn.service.writerFor(fileName)); // never handed over: its body copy goes back
            }
        });
    }

    /** PBS: the user may not read the partition (at BIND, or after a rule change): 206 for this session alone. */
    private void readDenied(final String path)
    {
        // realm's client reports 206 as SyncPermissionDenied; ApplicationBug: the session stops, no retry
        error(ProtocolErrorCode.PERMISSION_DENIED, ErrorBodies.APPLICATION_BUG, false, "permission " +
            "denied: the user may not read partition " + ErrorBodies.abbreviate(path,
            SyncService.ABBREVIATED_CHARS) + " (partition.permissions.read)");
    }

    /** PBS: a write to a partition the user may only read: 206 for this session alone. */
    private void writeDenied()
    {
        error(ProtocolErrorCode.PERMISSION_DENIED, ErrorBodies.APPLICATION_BUG, false, "permission denied: the " +
            "user may not write partition " + ErrorBodies.abbreviate(readOnlyPartition, SyncService.ABBREVIATED_CHARS) +
            " (partition.permissions.write)");
    }

    private void mark(final long requestIdent)
    {
        if (!requireActive("MARK"))
        {
            return;
        }
        replies.markRequested(requestIdent, ctx.file.head());
        scan();
    }

    private void query(final ClientMessageDecoder d)
    {
        if (!conn.flx)
        {
            conn.connectionError(ProtocolErrorCode.BAD_MESSAGE_ORDER, "QUERY on a partition-based connection");
            return;
        }
        if (!requireActive("QUERY"))
        {
            return;
        }
        final long qv = d.queryVersion();
        final FlxQuery q = conn.service.parseQuery(d).without(conn.service.asymmetricTables());
        if (q.rejected() != null)
        {
            queryError(qv, q, q.rejected());
            return;
        }
        scan(); // downloads up to the head first, so a pending revert entry (231) reaches the client as such
        viewPending = true;
        submit(new BootstrapCommand(new BootstrapCommand.Input(ctx, clientFileIdent, q, view,
            downloads.downloadServer(), conn.service.queryableFields(), false, roles()),
            loopback(TaskKind.BOOTSTRAP, false, r -> bootstrapped(r, qv, q), null)));
    }

    private void unbind()
    {
        if (state == State.BINDING || state == State.WAIT_IDENT || state == State.ACTIVE)
        {
            replies.unbound();
        }
        end();
    }

    private void clientError(final ClientMessageDecoder d)
    {
        final String text = d.buffer().getStringWithoutLengthUtf8(d.bodyOffset(), d.bodyLength());
        logContext().info(EVENTS, "client reported error " + d.errorCode() + ": " + text);
        error(ProtocolErrorCode.BAD_CHANGESET, ErrorBodies.PROTOCOL_VIOLATION, false,
            "client reported error " + d.errorCode());
    }

    // ---------------------------------------------------------------------------------------------------------------
    // the original protocol's requests (see SYNC.md)

    private void transact(final ClientMessageDecoder d)
    {
        if (!requireActive("TRANSACT"))
        {
            return;
        }
        if (readOnlyPartition != null)
        {
            writeDenied();
            return;
        }
        final byte[] changeset = new byte[d.bodyLength()];
        d.buffer().getBytes(d.bodyOffset(), changeset);
        submit(new TransactCommand(new TransactCommand.Input(ctx, d.serverVersion(), changeset),
            loopback(TaskKind.RESULT, false, this::transacted, null)));
    }

    private void stateRequest(final ClientMessageDecoder d)
    {
        if (state != State.WAIT_IDENT && state != State.ACTIVE)
        {
            conn.connectionError(ProtocolErrorCode.BAD_MESSAGE_ORDER, "STATE_REQUEST before BIND completed");
            return;
        }
        final long resumeVersion = d.serverVersion();
        final long resumeSalt = d.serverVersionSalt();
        final long resumeOffset = d.fileOffset();
        submit(new StateCommand(ctx, loopback(TaskKind.STATE, false,
            r -> stateBuilt(r, resumeVersion, resumeSalt, resumeOffset), null)));
    }

    private void clientVersionRequest(final ClientMessageDecoder d)
    {
        if (state != State.WAIT_IDENT && state != State.ACTIVE)
        {
            conn.connectionError(ProtocolErrorCode.BAD_MESSAGE_ORDER, "CLIENT_VERSION_REQUEST before BIND completed");
            return;
        }
        submit(new ClientVersionCommand(ctx, d.clientFileIdent(), d.clientFileIdentSalt(),
            loopback(TaskKind.RESULT, false, this::clientVersionFound, null)));
    }

    // ---------------------------------------------------------------------------------------------------------------
    // downloads (see SessionDownloads)

    /** Any thread: the server file's head moved (see {@link SessionDownloads#headAdvanced()}). */
    @Override
    public void headAdvanced()
    {
        downloads.headAdvanced();
    }

    void resume()
    {
        downloads.resume();
    }

    void scan()
    {
        downloads.scan();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // errors and ending

    /** @return the server file this session is bound to (null before BIND). Event loop. */
    String fileName()
    {
        return fileName;
    }

    /** Event loop: the admin forced a client reset of this session's client file. */
    /** Event loop: whether this session is bound to context {@code file} (in any state but ended or errored). */
    boolean boundTo(final FileContext file)
    {
        return ctx == file && state != State.ERRORED && state != State.ENDED;
    }

    /**
     * Event loop: the server file this session is bound to was deleted (admin API). An identified session (or one
     * whose IDENT is on its way) gets {@code 208 bad_client_file_ident} with action ClientReset, as at its next IDENT
     * (its client file no longer exists): realm's client resets to the new, empty server file of the same name. A
     * session not identified yet gets {@code 200 session_closed} with try-again: the client binds again and gets a
     * client file of the new server file.
     */
    void fileDeleted()
    {
        if (clientFileIdent > 0 || identFileIdent > 0)
        {
            sessionReset(ProtocolErrorCode.BAD_CLIENT_FILE_IDENT, FILE_DELETED_MESSAGE);
        }
        else
        {
            error(ProtocolErrorCode.SESSION_CLOSED, ErrorBodies.TRANSIENT, true, FILE_DELETED_MESSAGE);
        }
    }

    void forcedReset(final String message)
    {
        sessionReset(ProtocolErrorCode.CLIENT_FILE_EXPIRED, message);
    }

    private void sessionReset(final ProtocolErrorCode code, final String message)
    {
        error(code, ErrorBodies.CLIENT_RESET, false, message);
    }

    /** Send a session-level error (json_error from protocol 4 on) and stop the session until the client UNBINDs. */
    void error(final ProtocolErrorCode code, final String action, final boolean tryAgain, final String message)
    {
        if (state == State.ERRORED || state == State.ENDED)
        {
            return;
        }
        final ProtocolErrorCode safe = code.unsafeForClient() || code.isConnectionLevel() ?
            ProtocolErrorCode.OTHER_SESSION_ERROR : code;
        conn.service.metrics.logPeerError(code, logContext(), message);
        replies.error(safe, action, tryAgain, message);
        state = State.ERRORED;
        sessionEnded();
        detach();
        while (!deferred.isEmpty())
        {
            conn.deferredBytes -= deferred.poll().length;
        }
        deferredTypes.clear();
        conn.releaseInput();
    }

    private void end()
    {
        state = State.ENDED;
        sessionEnded();
        detach();
        conn.ended(this);
    }

    void connectionClosed()
    {
        state = State.ENDED;
        sessionEnded();
        detach();
        deferred.clear();
        deferredTypes.clear();
    }

    private void detach()
    {
        if (ctx != null)
        {
            if (!unpinned)
            {
                unpinned = true;
                ctx.unpin(); // the pin of the BIND
            }
            ctx.unsubscribe(this);
            if (clientFileIdent != 0)
            {
                ctx.unidentify(clientFileIdent, this);
            }
        }
        replies.clearMarks();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // writer round trips

    private void submit(final SessionCommand<?> cmd)
    {
        busy = true;
        final ShardWriter w = conn.service.writerFor(fileName);
        cmd.pin(ctx);
        if (!w.offer(cmd))
        {
            cmd.unpin();
            // back-pressure: the writer's handoff is full; retry shortly, keep later messages held back
            conn.service.handoffRetried();
            conn.connection.context().owner().setTimer(1, id ->
            {
                if (state != State.ENDED && !conn.isClosed())
                {
                    submit(cmd);
                }
            });
        }
    }

    /**
     * The callback of a writer round trip: hands the result to this session's event loop (the writer thread runs
     * nothing else of the session), where {@link #onResult} applies it.
     *
     * @param kind    what applying the result does (for the task timer).
     * @param upload  whether it is a (pipelined) UPLOAD, else a round trip the session waits for.
     * @param deliver applies the result (the session is still live and not in error).
     * @param dropped null, or releases what an undelivered result holds.
     */
    private <R> ResultCallback<R> loopback(final TaskKind kind, final boolean upload, final Consumer<R> deliver,
        final Consumer<R> dropped)
    {
        return (result, failure) -> conn.connection.execute(kind,
            () -> onResult(upload, result, failure, deliver, dropped));
    }

    /** Event loop: the result of a writer round trip is back (null and {@code failure} if the command failed). */
    private <R> void onResult(final boolean upload, final R result, final Throwable failure,
        final Consumer<R> deliver, final Consumer<R> dropped)
    {
        if (upload)
        {
            uploadsInFlight--;
        }
        else
        {
            busy = false;
        }
        if (state == State.ENDED || conn.isClosed())
        {
            drop(result, dropped);
            return;
        }
        if (state != State.ERRORED && boundToDeleted(result))
        {
            // the server file was deleted meanwhile (this result raced with the notice, or is the failure of a command
            // that reached the dead context)
            drop(result, dropped);
            fileDeleted();
        }
        else if (failure != null)
        {
            drop(result, dropped);
            error(ProtocolErrorCode.OTHER_SESSION_ERROR, ErrorBodies.TRANSIENT, true, internalError(failure));
        }
        else if (state != State.ERRORED)
        {
            deliver.accept(result);
        }
        else
        {
            drop(result, dropped);
        }
        conn.runDeferred(this);
        scan();
    }

    /** @return whether this session's context, or the one a BIND result hands it, belongs to a deleted file. */
    private boolean boundToDeleted(final Object result)
    {
        final FileContext c = null != ctx ? ctx : result instanceof BindCommand.Result b ? b.file() : null;
        return null != c && c.deleted();
    }

    private static <R> void drop(final R result, final Consumer<R> dropped)
    {
        if (dropped != null && result != null)
        {
            dropped.accept(result);
        }
    }

    /**
     * @return the wire message of a server-side failure: generic, never a Java name or exception text (the writer
     *     and the download pool log the failure itself once, where it happens).
     */
    static String internalError(final Throwable failure)
    {
        return "internal server error (the cause is in the server log)";
    }

    // ---------------------------------------------------------------------------------------------------------------
    // results of the writer round trips (event loop)

    private void bound(final BindCommand.Result r, final boolean needIdent)
    {
        ctx = r.file();
        state = State.WAIT_IDENT;
        if (needIdent)
        {
            replies.ident(r.allocated(), r.salt());
        }
    }

    private void bindDropped(final BindCommand.Result r)
    {
        r.file().unpin(); // the session never took the context: release the pin taken for it
    }

    private void identified(final IdentCommand.Result r, final long fileIdent, final long dlServer,
        final long dlClient, final long qv, final FlxQuery query, final boolean rulesCatchUp)
    {
        viewPending = false;
        identFileIdent = 0;
        if (r.error() != null)
        {
            sessionReset(r.error(), r.message());
            return;
        }
        clientFileIdent = fileIdent;
        final FileListener other = ctx.identify(fileIdent, this);
        if (other != null)
        {
            if (other.connectionId() == conn.connection.connectionId())
            {
                // raced with the check at IDENT: another session of this connection identified it meanwhile
                conn.connectionError(ProtocolErrorCode.BOUND_IN_OTHER_SESSION,
                    "client file " + fileIdent + " is bound in another session");
                return;
            }
            // realm's server: the older connection is taken for a zombie and closed ("superseded session")
            other.superseded(conn.connection.connectionId());
        }
        downloads.identified(dlServer, dlClient, r.storedClient(), r.storedRhBase());
        uploadCheck = new UploadCheck(r.storedClient(), r.storedRhBase(), fileIdent, conn.service.schemaCheck,
            !conn.flx).maxChangesetBytes(conn.service.config.maxChangesetSize());
        progressClient = 0;
        progressServer = 0;
        lockedServer = r.storedLocked();
        queryVersion = qv;
        state = State.ACTIVE;
        if (conn.flx)
        {
            final String refusal = query.rejected() != null ? query.rejected() : r.refusal();
            if (refusal != null)
            {
                view = FlxView.NONE; // the set the client had before is unknown here: nothing until a valid QUERY
                subscribed = FlxQuery.NONE;
                queryError(qv, query, refusal);
            }
            else
            {
                view = r.view();
                subscribed = query;
            }
        }
        if (r.pendingCompensatingWrites() != null)
        {
            // as Atlas: the client dropped 231s it had not reported yet when its last session ended
            for (final String body : r.pendingCompensatingWrites())
            {
                compensatingWrite(body);
            }
        }
        ctx.subscribe(this);
        if (conn.flx && subscribed == query && ((r.catchUp() && !view.wholeClasses()) || rulesCatchUp))
        {
            catchUp(query, rulesCatchUp);
        }
    }

    /**
     * FLX: the view cannot follow the history the client missed (its annotations are no longer held): a bootstrap at
     * the head at the same query version (the view's objects, EraseObject for the rest of its classes and for the
     * objects erased meanwhile), as realm's server-initiated bootstraps.
     */
    private void catchUp(final FlxQuery query, final boolean rulesChanged)
    {
        conn.service.flxCatchUp();
        final long qv = queryVersion;
        // after a rule change the client may hold any object of its subscribed classes (the old rules' view)
        final FlxView held = rulesChanged ? FlxView.ofClasses(query.classes()) : view;
        viewPending = true;
        submit(new BootstrapCommand(new BootstrapCommand.Input(ctx, clientFileIdent, query, held,
            downloads.downloadServer(), conn.service.queryableFields(), true, roles()),
            loopback(TaskKind.BOOTSTRAP, false, r -> bootstrapped(r, qv, query), null)));
    }

    /**
     * FLX, download side: the view cannot follow the next history entry (its annotation is no longer held, e.g. the
     * session fell far behind). As realm's server-initiated bootstraps: {@code error 200} (session closed, try again);
     * the client binds again and its IDENT gets the catch-up bootstrap.
     */
    void viewLost()
    {
        error(ProtocolErrorCode.SESSION_CLOSED, ErrorBodies.TRANSIENT, true,
            "the subscription's view must be rebuilt: bind again");
    }

    /**
     * Event loop: the app's permission rules were replaced ({@link SyncService#reloadRules}). PBS: a user who may no
     * longer read the partition gets 206 as at BIND; write access is taken from the new rules (the next UPLOAD with
     * changesets is refused if it was lost). FLX: the roles are bound again; when the view changes (a subscribed
     * class's read filter differs, or a class gained or lost read) the session gets {@code error 200} (session
     * closed, try again) and the client's next IDENT gets a bootstrap of the new view; when it does not, only the
     * write checks change and the client hears nothing.
     */
    void rulesChanged()
    {
        if (state != State.BINDING && state != State.WAIT_IDENT && state != State.ACTIVE)
        {
            return;
        }
        if (!conn.flx)
        {
            if (null == partition)
            {
                return;
            }
            final PartitionRules.Access access = conn.service.partitionAccess(partition,
                conn.connection.user());
            if (!access.mayRead())
            {
                readDenied(partition);
                return;
            }
            readOnlyPartition = access.mayWrite() ? null : partition;
            return;
        }
        if (!rolesBound)
        {
            return; // not identified yet: its IDENT binds the new roles
        }
        final FlxRoles next = conn.service.flxRoles(conn.connection.user());
        if (viewPending || state != State.ACTIVE || FlxRoles.viewsDiffer(roles, next, subscribed.classes()))
        {
            // a view compiled with the old roles is (or will be) in force: the client binds again
            final long file = clientFileIdent != 0 ? clientFileIdent : identFileIdent;
            if (file != 0)
            {
                conn.service.rulesRebind(file);
            }
            error(ProtocolErrorCode.SESSION_CLOSED, ErrorBodies.TRANSIENT, true,
                "the permission rules changed: bind again");
            return;
        }
        roles = next;
        view = view.withWriteRoles(next, subscribed.classes());
    }

    private void uploaded(final UploadCommand.Result r)
    {
        if (r.connectionLevel())
        {
            conn.connectionError(r.error(), r.message());
            return;
        }
        if (r.error() != null)
        {
            error(r.error(), r.action(), false, r.message());
            return;
        }
        if (r.skipped())
        {
            return; // skipped after an earlier upload's failure (the session is already in error)
        }
        downloads.uploadStored(r.storedClient(), r.storedRhBase());
        // 231 before the DOWNLOAD of the revert entry (the scan after this round trip sends it)
        for (final var rejection : r.rejections())
        {
            compensatingWrite(CompensatingWrites.errorBody(rejection.objects(), rejection.forbidden(),
                rejection.clientVersion(),
                r.revertVersion()));
        }
    }

    private void bootstrapped(final BootstrapCommand.Result r, final long qv, final FlxQuery q)
    {
        viewPending = false;
        if (r.refusal() != null)
        {
            queryError(qv, q, r.refusal()); // the view in force stays, downloads go on as before
            return;
        }
        queryVersion = qv;
        view = r.view();
        subscribed = q;
        downloads.bootstrap(r.head(), r.storedClient(), r.storedRhBase(), r.snapshot());
    }

    private void transacted(final TransactCommand.Result r)
    {
        if (r.error() != null)
        {
            error(ProtocolErrorCode.BAD_CHANGESET, ErrorBodies.PROTOCOL_VIOLATION, false, r.error());
            return;
        }
        final boolean accepted = r.status() == LegacyRequests.TRANSACT_ACCEPTED;
        replies.transact(r.status(), accepted ? r.version() : 0, accepted ? r.salt() : 0, r.timestamp());
    }

    private void stateBuilt(final StateCommand.Result r, final long resumeVersion, final long resumeSalt,
        final long resumeOffset)
    {
        final boolean resume = resumeVersion == r.version() && resumeSalt == r.salt() && resumeOffset > 0 &&
            resumeOffset <= r.snapshot().length;
        downloads.state(r.snapshot(), r.version(), r.salt(), resume ? (int)resumeOffset : 0);
    }

    private void clientVersionFound(final Long clientVersion)
    {
        replies.clientVersion(clientVersion);
    }

    /**
     * FLX compensating write: {@code json_error 231} (action Warning); the session stays active. The first of the app
     * is logged at WARN with the body (class, object, reason; shortened), later ones at DEBUG.
     */
    private void compensatingWrite(final String body)
    {
        conn.service.metrics.logPeerError(ProtocolErrorCode.COMPENSATING_WRITE, logContext(),
            "compensating write: " + ErrorBodies.abbreviate(body, LOGGED_CHARS));
        replies.compensatingWrite(body);
    }

    /**
     * FLX: {@code query_error 226} for query version {@code qv}; the first of the app is logged at WARN with the
     * reason and the query (shortened), later ones at DEBUG.
     */
    private void queryError(final long qv, final FlxQuery q, final String reason)
    {
        conn.service.metrics.logPeerError(ProtocolErrorCode.BAD_QUERY, logContext(), "FLX query version " + qv +
            " refused: " + ErrorBodies.abbreviate(reason, LOGGED_CHARS) + (null == q || q.queries().isEmpty() ? "" :
            "; query " + ErrorBodies.abbreviate(q.queries().toString(), LOGGED_CHARS)));
        replies.queryError(qv, reason);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // FileListener

    @Override
    public long connectionId()
    {
        return conn.connection.connectionId();
    }

    @Override
    public void superseded(final long byConnection)
    {
        conn.supersede(this, byConnection);
    }
}
