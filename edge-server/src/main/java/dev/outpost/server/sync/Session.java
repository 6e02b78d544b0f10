package dev.outpost.server.sync;

import dev.outpost.codec.CodecException;
import dev.outpost.codec.ProtocolErrorCode;
import dev.outpost.codec.message.BodyCompression;
import dev.outpost.codec.message.ClientMessageDecoder;
import dev.outpost.codec.message.MessageType;
import dev.outpost.codec.message.UploadEntryIterator;
import dev.outpost.ot.model.Changeset;
import dev.outpost.ot.model.CreateObject;
import dev.outpost.ot.model.EraseObject;
import dev.outpost.ot.model.Instruction;
import dev.outpost.ot.state.ChangesetApplier;
import dev.outpost.ot.state.ChangesetBuilder;
import dev.outpost.ot.state.Snapshot;
import dev.outpost.ot.sync.UploadEntry;
import dev.outpost.server.config.ServerConfig;
import dev.outpost.server.metrics.LogContext;
import dev.outpost.server.store.EntryView;
import dev.outpost.server.store.ServerFile;
import dev.outpost.server.sync.flx.CompensatingWrites;
import dev.outpost.server.sync.flx.FlxQuery;
import dev.outpost.server.sync.wire.ErrorBodies;
import dev.outpost.server.sync.wire.LegacyRequests;
import dev.outpost.server.sync.writer.ServerIntegratorIdent;
import dev.outpost.server.ws.OutboundFrame;
import dev.outpost.server.ws.TaskKind;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.LongArrayList;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One sync session (protocol §2.4, §7.4): BIND, IDENT both ways, UPLOAD, DOWNLOAD, MARK, QUERY (FLX), UNBIND.
 * Event-loop confined except {@link #notifyHeadAdvanced()}, which any thread (a writer) may call.
 * <p>
 * While a writer round trip is under way (bind, IDENT check, bootstrap, legacy requests) the session is busy: later
 * messages for it are held back and run in order when the result arrives, so every answer keeps the client's order.
 * UPLOADs are pipelined: up to {@link #MAX_UPLOADS_IN_FLIGHT} are handed to the writer without waiting for the
 * previous one's result (the writer executes and completes them in order), so one session's uploads share writer
 * batches instead of paying a full writer round trip each; any other message waits until all of them completed.
 */
final class Session
{
    private static final System.Logger LOG = System.getLogger(Session.class.getName());
    /** Session events with their context as key-values (see {@link LogContext}). */
    private static final org.slf4j.Logger EVENTS = org.slf4j.LoggerFactory.getLogger(Session.class);
    /** Milliseconds between the Unix epoch and realm's 2015-01-01 timestamp epoch. */
    static final long REALM_EPOCH_MS = 1420070400000L;
    /**
     * Default of the largest (uncompressed) UPLOAD body inflated and checked on the event loop (larger ones on the
     * writer); the setting is {@link ServerConfig#uploadInlineBytes()}.
     */
    static final int INLINE_UPLOAD_BYTES = ServerConfig.UPLOAD_INLINE_BYTES_DEFAULT;
    /** Most history entries one inline build looks at (own and empty ones included). */
    static final int INLINE_ENTRIES = 1024;
    /** UPLOADs of one session handed to the writer and not yet completed, at most. */
    static final int MAX_UPLOADS_IN_FLIGHT = 16;

    enum State
    {
        BINDING, WAIT_IDENT, ACTIVE, ERRORED, ENDED
    }

    final ConnectionHandler conn;
    final long ident;
    private State state = State.BINDING;
    private LogContext log;
    private boolean metered;
    private boolean busy;
    private int uploadsInFlight;
    /** An UPLOAD waits for room in the writer's handoff: everything after it waits too. */
    private boolean uploadBlocked;
    /** Writer thread only: an upload of this session failed; later pipelined ones are not integrated. */
    private boolean uploadRejected;
    private final ArrayDeque<byte[]> deferred = new ArrayDeque<>();
    private final ArrayDeque<MessageType> deferredTypes = new ArrayDeque<>();
    private final AtomicBoolean notifyPending = new AtomicBoolean();

    private String fileName;
    FileContext ctx;
    /** Whether the BIND's pin of {@link #ctx} was released (when the session ended). */
    private boolean unpinned;
    private long clientFileIdent;

    // cursors
    private long downloadServer;
    private long downloadClient;
    private long uploadClient;   // stored upload cursor (the server's), sent in every DOWNLOAD
    private long uploadServer;
    private long thresholdClient;  // upload progress stored at IDENT
    private long thresholdServer;
    private long progressClient;   // last UPLOAD progress of this session
    private long progressServer;
    private long lockedServer;
    private boolean downloadSent;
    private boolean paused;
    private final LongArrayList pendingMarks = new LongArrayList(); // pairs: request ident, target version

    // outbound messages built off the loop (DownloadPool): at most one in flight, applied in order by built()
    private DownloadJob job;
    private boolean building;
    private int epoch;                 // bumped when the cursors are set other than by a DOWNLOAD; stale builds drop
    private Changeset bootstrapSnapshot; // FLX bootstrap to cut and send (first part)
    private List<Changeset> bootstrapParts; // its parts once cut; the next one to send
    private int bootstrapPart;
    private byte[] stateBytes;         // STATE_REQUEST answer still being sent, from stateOffset
    private long stateVersion;
    private long stateSalt;
    private int stateOffset;

    // FLX
    private long queryVersion;
    private Set<String> classes = Set.of();

    Session(final ConnectionHandler conn, final long ident)
    {
        this.conn = conn;
        this.ident = ident;
    }

    /** @return this session's log context (connection, session ident, server file, client file). */
    LogContext logContext()
    {
        if (null == log)
        {
            log = conn.log.session(ident, fileName);
        }
        return log.clientFile(clientFileIdent);
    }

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
        if (busy || uploadBlocked || sending())
        {
            return false;
        }
        return uploadsInFlight == 0 || (type == MessageType.UPLOAD && uploadsInFlight < MAX_UPLOADS_IN_FLIGHT);
    }

    /** A bootstrap or STATE answer is being sent (message by message, built off the loop): hold input back. */
    private boolean sending()
    {
        return bootstrapSnapshot != null || bootstrapParts != null || stateBytes != null;
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
            fileName = SyncService.pbsFileName(appId, path);
            final String refused = conn.service.admitNewFile(fileName, conn.connection.user().userId());
            if (refused != null)
            {
                error(ProtocolErrorCode.OTHER_SESSION_ERROR, ErrorBodies.APPLICATION_BUG, false, refused);
                return;
            }
        }
        submit(new BindCommand(needIdent));
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
            query = conn.service.parseQuery(d);
        }
        if (conn.clientFileBoundElsewhere(this, ctx, d.clientFileIdent()))
        {
            conn.connectionError(ProtocolErrorCode.BOUND_IN_OTHER_SESSION,
                "client file " + d.clientFileIdent() + " is bound in another session");
            return;
        }
        submit(new IdentCommand(d.clientFileIdent(), d.clientFileIdentSalt(), d.downloadServerVersion(),
            d.downloadClientVersion(), d.latestServerVersion(), d.latestServerVersionSalt(), qv, query));
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
        final long pcv = d.progressClientVersion();
        final long psv = d.progressServerVersion();
        final long locked = d.lockedServerVersion();
        // §4.5 cursor checks (the session's progress starts at 0; the threshold is the stored cursor at IDENT)
        if (pcv < progressClient)
        {
            sessionReset(ProtocolErrorCode.BAD_CLIENT_VERSION, "upload progress client version decreased");
            return;
        }
        if (psv > downloadServer || !consistent(pcv, psv) || !mutuallyConsistent(pcv, psv, thresholdClient,
            thresholdServer) || !mutuallyConsistent(pcv, psv, progressClient, progressServer))
        {
            sessionReset(ProtocolErrorCode.BAD_SERVER_VERSION, "upload progress (" + pcv + ", " + psv +
                ") inconsistent with the download cursor " + downloadServer + ", the stored upload cursor (" +
                thresholdClient + ", " + thresholdServer + ") or the previous progress (" + progressClient + ", " +
                progressServer + ")");
            return;
        }
        if (locked < lockedServer || locked > downloadServer)
        {
            sessionReset(ProtocolErrorCode.BAD_SERVER_VERSION, "locked server version " + locked + " out of range");
            return;
        }
        final UploadCommand cmd = new UploadCommand(pcv, psv, locked, conn.flx ? classes : null);
        if ((d.bodyCompressed() ? d.uncompressedBodySize() : d.bodyLength()) > conn.service.uploadInlineBytes)
        {
            // large: one copy of the (compressed) body here; inflating and checking the entries run on the writer
            cmd.body(d.buffer(), d.bodyOffset(), d.bodyLength(), d.bodyCompressed(), d.uncompressedBodySize(),
                progressClient, progressServer);
        }
        else
        {
            final LoopResources r = conn.service.loopResources();
            DirectBuffer body = d.buffer();
            int bodyOffset = d.bodyOffset();
            int bodyLength = d.bodyLength();
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
                failure = collectEntries(conn.uploadEntries.wrap(body, bodyOffset, bodyLength), cmd, progressClient,
                    progressServer);
            }
            catch (final CodecException ex)
            {
                conn.connectionError(ex.errorCode(), "upload body: " + ex.getMessage());
                return;
            }
            if (failure != null)
            {
                error(failure.code(), failure.action(), false, failure.message());
                return;
            }
        }
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
        });
    }

    /** A cursor (c, s) is consistent if c = 0 implies s = 0. */
    private static boolean consistent(final long c, final long s)
    {
        return c != 0 || s == 0;
    }

    /** Two cursors are mutually consistent if the second component never goes backwards as the first grows. */
    private static boolean mutuallyConsistent(final long c1, final long s1, final long c2, final long s2)
    {
        if (c1 < c2)
        {
            return s1 <= s2;
        }
        if (c1 > c2)
        {
            return s1 >= s2;
        }
        return s1 == s2;
    }

    /** Why an UPLOAD's entries were refused: the session error to send. */
    record UploadFailure(ProtocolErrorCode code, String action, String message)
    {
    }

    /**
     * The per-changeset checks of an UPLOAD body (changeset client versions strictly increase, each cursor consistent
     * with the previous one and the stored cursor, the last within the progress of {@code cmd}, origin file ident);
     * changesets above the stored cursor are copied into {@code cmd}. Runs on the event loop for small bodies and on
     * the writer for large ones (the thresholds and client file are fixed while the session is ACTIVE).
     *
     * @return null if all is well, else the failure (nothing of the upload may be integrated).
     */
    private UploadFailure collectEntries(final UploadEntryIterator it, final UploadCommand cmd, final long fromClient,
        final long fromServer) throws CodecException
    {
        final long pcv = cmd.progressClientVersion;
        final long psv = cmd.progressServerVersion;
        long prevClient = fromClient;
        long prevServer = fromServer;
        while (it.next())
        {
            final long cv = it.clientVersion();
            final long sv = it.serverVersion();
            if (cv <= prevClient)
            {
                return new UploadFailure(ProtocolErrorCode.BAD_CLIENT_VERSION, ErrorBodies.CLIENT_RESET,
                    "changeset client version " + cv + " not above " + prevClient);
            }
            if (!consistent(cv, sv) || !mutuallyConsistent(cv, sv, prevClient, prevServer) ||
                !mutuallyConsistent(cv, sv, thresholdClient, thresholdServer))
            {
                return new UploadFailure(ProtocolErrorCode.BAD_SERVER_VERSION, ErrorBodies.CLIENT_RESET,
                    "changeset cursor (" + cv + ", " + sv + ") inconsistent with (" + prevClient + ", " + prevServer +
                    ") or the stored cursor");
            }
            if (it.originFileIdent() != 0 && it.originFileIdent() != clientFileIdent)
            {
                return new UploadFailure(ProtocolErrorCode.BAD_ORIGIN_FILE_IDENT, ErrorBodies.PROTOCOL_VIOLATION,
                    "origin file ident " + it.originFileIdent() + " not allowed");
            }
            prevClient = cv;
            prevServer = sv;
            if (cv <= thresholdClient)
            {
                continue; // integrated in an earlier connection
            }
            cmd.add(cv, sv, it.originTimestamp(), it.buffer(), it.changesetOffset(), it.changesetLength());
        }
        if (prevClient > pcv || !mutuallyConsistent(prevClient, prevServer, pcv, psv))
        {
            return new UploadFailure(ProtocolErrorCode.BAD_CLIENT_VERSION, ErrorBodies.CLIENT_RESET,
                "last changeset cursor (" + prevClient + ", " + prevServer + ") beyond the upload progress (" + pcv +
                ", " + psv + ")");
        }
        return null;
    }

    private void mark(final long requestIdent)
    {
        if (!requireActive("MARK"))
        {
            return;
        }
        pendingMarks.addLong(requestIdent);
        pendingMarks.addLong(ctx.file.head());
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
        final FlxQuery q = conn.service.parseQuery(d);
        if (q.rejected() != null)
        {
            queryError(qv, q.rejected());
            return;
        }
        scan(); // downloads up to the head first, so a pending revert entry (231) reaches the client as such
        submit(new BootstrapCommand(qv, q, classes, downloadServer));
    }

    private void unbind()
    {
        if (state == State.BINDING || state == State.WAIT_IDENT || state == State.ACTIVE)
        {
            final MutableDirectBuffer out = conn.connection.claim(64);
            if (out != null)
            {
                conn.connection.commit(conn.encoder.unbound(out, 0, ident));
            }
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
        final byte[] changeset = new byte[d.bodyLength()];
        d.buffer().getBytes(d.bodyOffset(), changeset);
        submit(new TransactCommand(d.clientVersion(), d.serverVersion(), changeset));
    }

    private void stateRequest(final ClientMessageDecoder d)
    {
        if (state != State.WAIT_IDENT && state != State.ACTIVE)
        {
            conn.connectionError(ProtocolErrorCode.BAD_MESSAGE_ORDER, "STATE_REQUEST before BIND completed");
            return;
        }
        submit(new StateCommand(d.serverVersion(), d.serverVersionSalt(), d.fileOffset()));
    }

    private void clientVersionRequest(final ClientMessageDecoder d)
    {
        if (state != State.WAIT_IDENT && state != State.ACTIVE)
        {
            conn.connectionError(ProtocolErrorCode.BAD_MESSAGE_ORDER, "CLIENT_VERSION_REQUEST before BIND completed");
            return;
        }
        submit(new ClientVersionCommand(d.clientFileIdent(), d.clientFileIdentSalt()));
    }

    /** TRANSACT: applied as a server-origin history entry only if based on the current head (status 1), else 2. */
    private final class TransactCommand extends SessionCommand
    {
        private final long clientVersion;
        private final long serverVersion;
        private final byte[] changeset;
        private int status;
        private long version;
        private long salt;
        private long timestamp;
        private String error;

        TransactCommand(final long clientVersion, final long serverVersion, final byte[] changeset)
        {
            this.clientVersion = clientVersion;
            this.serverVersion = serverVersion;
            this.changeset = changeset;
        }

        void execute(final ShardWriter writer)
        {
            final FileContext f = ctx;
            f.ensureLoaded(writer.shard, writer.tools);
            if (serverVersion != f.file.lastAppended())
            {
                status = LegacyRequests.TRANSACT_REJECTED;
                return;
            }
            final Changeset cs;
            try
            {
                cs = writer.tools.peerReader.read(new UnsafeBuffer(changeset), 0, changeset.length, new Changeset());
            }
            catch (final CodecException ex)
            {
                error = "transact changeset does not parse: " + ex.getMessage();
                return;
            }
            final var r = new ChangesetApplier(f.state()).apply(cs);
            if (!r.ok())
            {
                error = "transact changeset does not apply: " + r.message();
                return;
            }
            timestamp = now();
            final UnsafeBuffer bytes = new UnsafeBuffer(changeset);
            version = writer.shard.append(f.file, ServerIntegratorIdent.SERVER, 0, timestamp, changeset.length, bytes,
                0, changeset.length);
            if (version < 0)
            {
                rollback = true; // the object state already holds it
                error = "transact changeset too large";
                return;
            }
            salt = f.file.salt();
            status = LegacyRequests.TRANSACT_ACCEPTED;
            writer.touched(f);
        }

        void deliver()
        {
            if (error != null)
            {
                error(ProtocolErrorCode.BAD_CHANGESET, ErrorBodies.PROTOCOL_VIOLATION, false, error);
                return;
            }
            final MutableDirectBuffer out = conn.connection.claim(192);
            if (out != null)
            {
                conn.connection.commit(conn.encoder.transact(out, 0, ident, status,
                    status == LegacyRequests.TRANSACT_ACCEPTED ? version : 0,
                    status == LegacyRequests.TRANSACT_ACCEPTED ? salt : 0, timestamp, ServerIntegratorIdent.SERVER,
                    new UnsafeBuffer(new byte[0]), 0, 0));
            }
        }
    }

    /** STATE_REQUEST: the object state's snapshot changeset, zlib segments, in STATE messages. */
    private final class StateCommand extends SessionCommand
    {
        private final long resumeVersion;
        private final long resumeSalt;
        private final long resumeOffset;
        private long version;
        private long salt;
        private byte[] snapshot;

        StateCommand(final long resumeVersion, final long resumeSalt, final long resumeOffset)
        {
            this.resumeVersion = resumeVersion;
            this.resumeSalt = resumeSalt;
            this.resumeOffset = resumeOffset;
        }

        void execute(final ShardWriter writer)
        {
            final FileContext f = ctx;
            f.ensureLoaded(writer.shard, writer.tools);
            version = f.file.lastAppended();
            salt = f.file.salt(version);
            snapshot = writer.tools.writer.toBytes(Snapshot.of(f.state()));
        }

        TaskKind kind()
        {
            return TaskKind.STATE;
        }

        void deliver()
        {
            final boolean resume = resumeVersion == version && resumeSalt == salt && resumeOffset > 0 &&
                resumeOffset <= snapshot.length;
            stateBytes = snapshot;
            stateVersion = version;
            stateSalt = salt;
            stateOffset = resume ? (int)resumeOffset : 0;
        }
    }

    /** CLIENT_VERSION_REQUEST: the last integrated client version of that client file (0 if unknown). */
    private final class ClientVersionCommand extends SessionCommand
    {
        private final long fileIdent;
        private final long salt;
        private long clientVersion;

        ClientVersionCommand(final long fileIdent, final long salt)
        {
            this.fileIdent = fileIdent;
            this.salt = salt;
        }

        void execute(final ShardWriter writer)
        {
            final var c = fileIdent == 0 ? null : writer.shard.clientFile(ctx.file, fileIdent);
            clientVersion = c != null && c.salt() == salt ? c.clientVersion() : 0;
        }

        void deliver()
        {
            final MutableDirectBuffer out = conn.connection.claim(64);
            if (out != null)
            {
                conn.connection.commit(conn.encoder.clientVersion(out, 0, clientVersion));
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // downloads

    /** Any thread: the server file's head moved; scan on the event loop (one pending task at most). */
    void notifyHeadAdvanced()
    {
        if (notifyPending.compareAndSet(false, true))
        {
            conn.connection.execute(TaskKind.FANOUT, () ->
            {
                notifyPending.set(false);
                scan();
            });
        }
    }

    void resume()
    {
        paused = false;
        scan();
    }

    /**
     * One bounded step of outbound work, then the MARKs that are due. In order: the next STATE message of a
     * STATE_REQUEST, the next part of an FLX bootstrap, then DOWNLOADs up to the published head (at least one per
     * session). A DOWNLOAD within the inline budget ({@link ServerConfig#downloadInlineBytes()}, {@link #INLINE_ENTRIES}) is built and
     * sent here; anything larger is built by the {@link DownloadPool} from a snapshot of the cursors and sent by
     * {@link #built()}, which calls this again. A step never loops to the head: if a size-limited inline DOWNLOAD
     * leaves more, the scan re-schedules itself as a new event-loop task.
     */
    void scan()
    {
        if (building || paused || state == State.ENDED || state == State.ERRORED || conn.isClosed())
        {
            return;
        }
        if (stateBytes != null)
        {
            if (writableOrPause())
            {
                final DownloadJob j = job(DownloadJob.Kind.STATE, ctx.file.head());
                j.stateBytes = stateBytes;
                j.stateVersion = stateVersion;
                j.stateSalt = stateSalt;
                j.stateOffset = stateOffset;
                launch(j);
            }
            return;
        }
        if (state != State.ACTIVE || busy)
        {
            return;
        }
        if (bootstrapSnapshot != null || bootstrapParts != null)
        {
            if (writableOrPause())
            {
                final DownloadJob j = job(DownloadJob.Kind.BOOTSTRAP, ctx.file.head());
                j.snapshot = bootstrapSnapshot;
                j.parts = bootstrapParts;
                j.part = bootstrapPart;
                launch(j);
            }
            return;
        }
        final long head = ctx.file.head();
        if (!downloadSent || downloadServer < head)
        {
            if (!writableOrPause())
            {
                return;
            }
            final DownloadJob j = job(DownloadJob.Kind.HISTORY, head);
            final DownloadBuilder b = conn.service.loopResources().downloads;
            final int n = b.collect(j, conn.service.downloadInlineBytes, INLINE_ENTRIES);
            if (n == DownloadBuilder.OVER_BUDGET)
            {
                launch(j);
                return;
            }
            if (n != DownloadBuilder.NOTHING)
            {
                b.prepare(j, n);
                final MutableDirectBuffer out = conn.connection.claim(b.capacity());
                if (out == null)
                {
                    return;
                }
                final int len = b.encodeDownload(j, out, n, 2, 1.0);
                final long before = downloadServer;
                advance(j);
                if (conn.connection.commit(len))
                {
                    conn.service.metrics.downloadSent(j.entries);
                }
                conn.builtInline();
                if (downloadServer < head && downloadServer > before)
                {
                    notifyHeadAdvanced(); // more than one message's worth: yield, continue in a new task
                }
            }
        }
        answerMarks();
    }

    private boolean writableOrPause()
    {
        if (conn.mayBuild())
        {
            return true;
        }
        paused = true;
        conn.paused(this);
        return false;
    }

    /** The session's job, filled with a snapshot of its cursors for a message up to {@code head}. */
    private DownloadJob job(final DownloadJob.Kind kind, final long head)
    {
        DownloadJob j = job;
        if (j == null)
        {
            j = new DownloadJob(this);
            job = j;
        }
        j.kind = kind;
        j.epoch = epoch;
        j.file = ctx.file;
        j.fileName = ctx.name;
        j.sessionIdent = ident;
        j.flx = conn.flx;
        j.protocolVersion = conn.connection.protocolVersion();
        j.maxBytes = conn.service.config.maxDownloadSize();
        j.compressionThreshold = conn.service.config.compressionThreshold();
        j.clientFileIdent = clientFileIdent;
        j.fromServer = downloadServer;
        j.fromClient = downloadClient;
        j.uploadClient = uploadClient;
        j.uploadServer = uploadServer;
        j.head = head;
        j.queryVersion = queryVersion;
        j.classes = classes;
        j.mustSend = !downloadSent;
        j.snapshot = null;
        j.parts = null;
        j.part = 0;
        j.stateBytes = null;
        j.resetOutputs();
        return j;
    }

    private void launch(final DownloadJob j)
    {
        building = true;
        j.expected = expectedBytes(j);
        conn.buildStarted(j.expected);
        conn.service.submitDownload(j);
    }

    /** About the size of the message {@code j} builds: what it counts against the connection's budget meanwhile. */
    private static long expectedBytes(final DownloadJob j)
    {
        final long body = switch (j.kind)
        {
            case HISTORY -> Math.min(j.maxBytes,
                Math.max(0, j.file.cumulativeSize(j.head) - j.file.cumulativeSize(j.fromServer)));
            case BOOTSTRAP -> j.maxBytes / 2;
            case STATE -> Math.min((long)LegacyRequests.SEGMENT_SIZE * LegacyRequests.SEGMENTS_PER_MESSAGE,
                j.stateBytes.length - j.stateOffset);
        };
        return body + DownloadBuilder.HEAD_MAX;
    }

    private void advance(final DownloadJob j)
    {
        downloadServer = j.toServer;
        downloadClient = j.toClient;
        downloadSent = true;
    }

    /**
     * Event loop: the job built by the pool is back. Its message is sent (and its cursors applied) unless the session
     * ended, erred, or had its cursors set meanwhile (a bootstrap): then it is dropped and the scan starts again from
     * the current cursors. Then the next step.
     */
    void built()
    {
        final DownloadJob j = job;
        building = false;
        conn.buildFinished(j.expected);
        if (state == State.ENDED || state == State.ERRORED || conn.isClosed() ||
            (j.kind == DownloadJob.Kind.HISTORY && j.epoch != epoch))
        {
            j.releaseFrame();
            conn.resumePaused(); // its room is free for the sessions paused for the budget
            scan();
            return;
        }
        if (j.failure != null)
        {
            error(ProtocolErrorCode.OTHER_SESSION_ERROR, ErrorBodies.TRANSIENT, true, internalError(j.failure));
            conn.resumePaused();
            return;
        }
        final OutboundFrame frame = j.frame;
        j.frame = null;
        switch (j.kind)
        {
            case HISTORY ->
            {
                if (frame != null)
                {
                    advance(j);
                    sendFrame(frame, j.frameLength, j.entries);
                }
            }
            case BOOTSTRAP ->
            {
                bootstrapSnapshot = null;
                downloadSent = true;
                sendFrame(frame, j.frameLength, 1);
                if (j.part + 1 >= j.parts.size())
                {
                    bootstrapParts = null;
                }
                else
                {
                    bootstrapParts = j.parts;
                    bootstrapPart = j.part + 1;
                }
                j.parts = null;
            }
            case STATE ->
            {
                conn.connection.sendFrame(frame, j.frameLength);
                if (j.stateEnd >= stateBytes.length)
                {
                    stateBytes = null;
                }
                else
                {
                    stateOffset = j.stateEnd;
                }
                j.stateBytes = null;
            }
            default -> throw new IllegalStateException(String.valueOf(j.kind));
        }
        conn.notePeak();
        if (!sending())
        {
            conn.runDeferred(this);
        }
        conn.resumePaused(); // the build's room is free: sessions paused for the budget go first
        scan();
    }

    private void sendFrame(final OutboundFrame frame, final int length, final int entries)
    {
        if (conn.connection.sendFrame(frame, length))
        {
            conn.service.metrics.downloadSent(entries);
        }
    }

    private void answerMarks()
    {
        int i = 0;
        while (i < pendingMarks.size() && pendingMarks.getLong(i + 1) <= downloadServer)
        {
            final MutableDirectBuffer out = conn.connection.claim(64);
            if (out != null)
            {
                conn.connection.commit(conn.encoder.mark(out, 0, ident, pendingMarks.getLong(i)));
            }
            i += 2;
        }
        if (i > 0)
        {
            final int rest = pendingMarks.size() - i;
            for (int j = 0; j < rest; j++)
            {
                pendingMarks.setLong(j, pendingMarks.getLong(i + j));
            }
            while (pendingMarks.size() > rest)
            {
                pendingMarks.removeAt(pendingMarks.size() - 1);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // errors and ending

    private void sessionReset(final ProtocolErrorCode code, final String message)
    {
        error(code, ErrorBodies.CLIENT_RESET, false, message);
    }

    private void queryError(final long qv, final String message)
    {
        conn.service.errorSent(ProtocolErrorCode.BAD_QUERY.code());
        final byte[] text = message.getBytes(StandardCharsets.UTF_8);
        final MutableDirectBuffer out = conn.connection.claim(text.length + 96);
        if (out != null)
        {
            conn.connection.commit(conn.encoder.queryError(out, 0, ProtocolErrorCode.BAD_QUERY.code(), ident, qv,
                new UnsafeBuffer(text), 0, text.length));
        }
    }

    /** FLX compensating write: {@code json_error 231} (action Warning); the session stays active. */
    private void compensatingWrite(final String body)
    {
        logContext().info(EVENTS, "compensating write: " + body);
        conn.service.compensatingWrite();
        conn.service.errorSent(ProtocolErrorCode.COMPENSATING_WRITE.code());
        final byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        final MutableDirectBuffer out = conn.connection.claim(bytes.length + 96);
        if (out != null)
        {
            conn.connection.commit(conn.encoder.jsonError(out, 0, ProtocolErrorCode.COMPENSATING_WRITE.code(), ident,
                new UnsafeBuffer(bytes), 0, bytes.length));
        }
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
        conn.service.errorSent(safe.code());
        final byte[] bytes;
        final MutableDirectBuffer out;
        if (conn.connection.protocolVersion() >= 4)
        {
            bytes = ErrorBodies.json(action, message, tryAgain).getBytes(StandardCharsets.UTF_8);
            out = conn.connection.claim(bytes.length + 96);
            if (out != null)
            {
                conn.connection.commit(conn.encoder.jsonError(out, 0, safe.code(), ident, new UnsafeBuffer(bytes), 0,
                    bytes.length));
            }
        }
        else
        {
            bytes = message.getBytes(StandardCharsets.UTF_8);
            out = conn.connection.claim(bytes.length + 96);
            if (out != null)
            {
                conn.connection.commit(conn.encoder.error(out, 0, safe.code(), tryAgain, ident,
                    new UnsafeBuffer(bytes), 0, bytes.length));
            }
        }
        state = State.ERRORED;
        sessionEnded();
        detach();
        while (!deferred.isEmpty())
        {
            conn.deferredBytes -= deferred.poll().length;
        }
        deferredTypes.clear();
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
        pendingMarks.clear();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // writer round trips

    private void submit(final SessionCommand cmd)
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
     * @return the wire message of a server-side failure: generic, never a Java name or exception text (the writer
     *     and the download pool log the failure itself once, where it happens).
     */
    static String internalError(final Throwable failure)
    {
        return "internal server error (the cause is in the server log)";
    }

    /** The common shape: execute on the writer, then {@link #deliver()} on this session's event loop. */
    abstract class SessionCommand extends WriterCommand
    {
        private Throwable failure;

        void complete()
        {
            conn.connection.execute(kind(), this::onLoop);
        }

        void fail(final Throwable cause)
        {
            if (this instanceof UploadCommand)
            {
                uploadRejected = true; // writer thread: later pipelined uploads must not skip over this one
            }
            failure = cause;
            conn.connection.execute(kind(), this::onLoop);
        }

        /** @return what delivering this result does on the event loop (for the task timer). */
        TaskKind kind()
        {
            return TaskKind.RESULT;
        }

        private void onLoop()
        {
            if (this instanceof UploadCommand)
            {
                uploadsInFlight--;
            }
            else
            {
                busy = false;
            }
            if (state == State.ENDED || conn.isClosed())
            {
                dropped();
                return;
            }
            if (failure != null)
            {
                dropped();
                error(ProtocolErrorCode.OTHER_SESSION_ERROR, ErrorBodies.TRANSIENT, true,
                    internalError(failure));
            }
            else if (state != State.ERRORED)
            {
                deliver();
            }
            else
            {
                dropped();
            }
            conn.runDeferred(Session.this);
            scan();
        }

        abstract void deliver();

        /** Event loop: the result is not delivered (the session ended or erred, or the command failed). */
        void dropped()
        {
        }
    }

    private final class BindCommand extends SessionCommand
    {
        private final boolean needIdent;
        private FileContext file;
        private long allocated;
        private long salt;

        BindCommand(final boolean needIdent)
        {
            this.needIdent = needIdent;
        }

        void execute(final ShardWriter writer)
        {
            file = writer.open(fileName);
            file.pin(); // the session's pin, released when it ends (or below if it never gets the context)
            if (needIdent)
            {
                final var c = writer.shard.allocateClientFile(file.file, 0, writer.tools.clock.time());
                allocated = c.ident();
                salt = c.salt();
            }
        }

        void dropped()
        {
            if (file != null)
            {
                file.unpin();
                file = null;
            }
        }

        void deliver()
        {
            ctx = file;
            state = State.WAIT_IDENT;
            if (needIdent)
            {
                final MutableDirectBuffer out = conn.connection.claim(96);
                if (out != null)
                {
                    conn.connection.commit(conn.encoder.ident(out, 0, ident, allocated, salt));
                }
            }
        }
    }

    private final class IdentCommand extends SessionCommand
    {
        private final long fileIdent;
        private final long salt;
        private final long dlServer;
        private final long dlClient;
        private final long latest;
        private final long latestSalt;
        private final long qv;
        private final FlxQuery query;
        private ProtocolErrorCode error;
        private String message;
        private long storedClient;
        private long storedRhBase;
        private long storedLocked;
        private List<String> pendingCompensatingWrites;

        IdentCommand(final long fileIdent, final long salt, final long dlServer, final long dlClient,
            final long latest, final long latestSalt, final long qv, final FlxQuery query)
        {
            this.fileIdent = fileIdent;
            this.salt = salt;
            this.dlServer = dlServer;
            this.dlClient = dlClient;
            this.latest = latest;
            this.latestSalt = latestSalt;
            this.qv = qv;
            this.query = query;
        }

        void execute(final ShardWriter writer)
        {
            final ServerFile f = ctx.file;
            final long head = f.lastAppended();
            final var c = fileIdent == 0 ? null : writer.shard.clientFile(f, fileIdent);
            if (c == null)
            {
                fail(ProtocolErrorCode.BAD_CLIENT_FILE_IDENT, "unknown client file ident " + fileIdent);
            }
            else if (c.salt() != salt)
            {
                fail(ProtocolErrorCode.DIVERGING_HISTORIES, "client file ident salt mismatch");
            }
            else if (dlServer < c.rhBaseVersion() || dlServer > head)
            {
                fail(ProtocolErrorCode.BAD_SERVER_VERSION, "download server version " + dlServer + " outside [" +
                    c.rhBaseVersion() + ", " + head + "]");
            }
            else if (dlClient > c.clientVersion() || (dlServer == 0 && dlClient != 0))
            {
                fail(ProtocolErrorCode.BAD_CLIENT_VERSION, "download client version " + dlClient +
                    " beyond the integrated " + c.clientVersion());
            }
            else if (latest < dlServer || latest > head)
            {
                fail(ProtocolErrorCode.BAD_SERVER_VERSION, "latest server version " + latest + " outside [" +
                    dlServer + ", " + head + "]");
            }
            else if (latestSalt != f.salt(latest))
            {
                fail(ProtocolErrorCode.DIVERGING_HISTORIES, "latest server version salt mismatch");
            }
            else
            {
                storedClient = c.clientVersion();
                storedRhBase = c.rhBaseVersion();
                storedLocked = c.lockedServerVersion();
                pendingCompensatingWrites = compensatingWritesAfter(writer, ctx, fileIdent, dlServer);
            }
        }

        private void fail(final ProtocolErrorCode code, final String text)
        {
            error = code;
            message = text;
        }

        void deliver()
        {
            if (error != null)
            {
                sessionReset(error, message);
                return;
            }
            clientFileIdent = fileIdent;
            final Session other = ctx.identify(fileIdent, Session.this);
            if (other != null)
            {
                if (other.conn == conn)
                {
                    // raced with the check at IDENT: another session of this connection identified it meanwhile
                    conn.connectionError(ProtocolErrorCode.BOUND_IN_OTHER_SESSION,
                        "client file " + fileIdent + " is bound in another session");
                    return;
                }
                // realm's server: the older connection is taken for a zombie and closed ("superseded session")
                other.conn.supersede(other, conn.connection.connectionId());
            }
            downloadServer = dlServer;
            downloadClient = dlClient;
            uploadClient = storedClient;
            uploadServer = storedRhBase;
            thresholdClient = storedClient;
            thresholdServer = storedRhBase;
            progressClient = 0;
            progressServer = 0;
            lockedServer = storedLocked;
            queryVersion = qv;
            state = State.ACTIVE;
            if (conn.flx)
            {
                if (query.rejected() != null)
                {
                    classes = Set.of();
                    queryError(qv, query.rejected());
                }
                else
                {
                    classes = query.classes();
                }
            }
            if (pendingCompensatingWrites != null)
            {
                // as Atlas: the client dropped 231s it had not reported yet when its last session ended
                for (final String body : pendingCompensatingWrites)
                {
                    compensatingWrite(body);
                }
            }
            epoch++;
            ctx.subscribe(Session.this);
        }
    }

    /**
     * Writer: the 231 bodies of the revert entries for {@code clientFile} the client has not downloaded yet
     * (above {@code downloaded}); realm's client forgets pending compensating writes when its session ends, so they
     * are sent again at IDENT. The rejected client version is that of the client's entry just before the revert.
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
            bodies.add(CompensatingWrites.errorBody(objects, rejectedClientVersion, v));
        }
        return bodies;
    }

    private final class UploadCommand extends SessionCommand
    {
        final long progressClientVersion;
        final long progressServerVersion;
        private final long locked;
        private final Set<String> subscribed;   // FLX: the subscription the changesets are checked against
        private final ArrayList<CompensatingWrites.Rejection> rejections = new ArrayList<>();   // FLX
        private long revertVersion;
        private LongArrayList meta = new LongArrayList();   // per entry: cv, sv, ts, offset, length
        private ExpandableDirectByteBuffer data;
        private int dataLength;
        private ProtocolErrorCode error;
        private String errorAction;
        private String message;
        private boolean connectionLevel;
        // a large body still to inflate and check on the writer
        private byte[] body;
        private boolean bodyCompressed;
        private long uncompressedSize;
        private long fromClient;
        private long fromServer;
        private long storedClient;
        private long storedRhBase;

        UploadCommand(final long progressClientVersion, final long progressServerVersion, final long locked,
            final Set<String> subscribed)
        {
            this.progressClientVersion = progressClientVersion;
            this.progressServerVersion = progressServerVersion;
            this.locked = locked;
            this.subscribed = subscribed;
        }

        /** Carry a large (compressed) body to the writer, which inflates it and checks its entries. */
        void body(final DirectBuffer src, final int offset, final int length, final boolean compressed,
            final long uncompressed, final long previousClient, final long previousServer)
        {
            body = new byte[length];
            src.getBytes(offset, body);
            bodyCompressed = compressed;
            uncompressedSize = uncompressed;
            fromClient = previousClient;
            fromServer = previousServer;
        }

        /** Writer: inflate and check the carried body. @return false if it was refused (error set). */
        private boolean unpackBody()
        {
            final byte[] raw = body;
            body = null;
            DirectBuffer src = new UnsafeBuffer(raw);
            int length = raw.length;
            try
            {
                if (bodyCompressed)
                {
                    // grows to the declared size only after BodyCompression checked it against its limit
                    final ExpandableDirectByteBuffer inflated = new ExpandableDirectByteBuffer(64 * 1024);
                    try (BodyCompression zlib = new BodyCompression())
                    {
                        length = zlib.inflate(src, 0, raw.length, inflated, 0, uncompressedSize);
                    }
                    src = inflated;
                }
                final UploadFailure failure = collectEntries(new UploadEntryIterator().wrap(src, 0, length), this,
                    fromClient, fromServer);
                if (failure != null)
                {
                    error = failure.code();
                    errorAction = failure.action();
                    message = failure.message();
                    return false;
                }
                return true;
            }
            catch (final CodecException ex)
            {
                error = ex.errorCode();
                message = "upload body: " + ex.getMessage();
                connectionLevel = true;
                return false;
            }
        }

        /** Copy one changeset into the command (the one copy between the frame and the writer). */
        void add(final long cv, final long sv, final long ts, final DirectBuffer src, final int offset,
            final int length)
        {
            if (data == null)
            {
                data = new ExpandableDirectByteBuffer(Math.max(256, length));
            }
            data.putBytes(dataLength, src, offset, length);
            meta.addLong(cv);
            meta.addLong(sv);
            meta.addLong(ts);
            meta.addLong(dataLength);
            meta.addLong(length);
            dataLength += length;
        }

        void execute(final ShardWriter writer)
        {
            if (uploadRejected)
            {
                return; // an earlier pipelined upload of this session failed: its error ends the session
            }
            integrate(writer);
            if (error != null)
            {
                uploadRejected = true; // every refusal sets error: later pipelined uploads must not skip over it
            }
        }

        private void integrate(final ShardWriter writer)
        {
            if (body != null && !unpackBody())
            {
                return;
            }
            final FileContext f = ctx;
            f.ensureLoaded(writer.shard, writer.tools);
            final var client = writer.shard.clientFile(f.file, clientFileIdent);
            final int n = meta.size() / 5;
            final ArrayList<UploadEntry> entries = new ArrayList<>(n);
            for (int i = 0; i < n; i++)
            {
                final Changeset cs;
                try
                {
                    cs = writer.tools.peerReader.read(data, (int)meta.getLong(i * 5 + 3), (int)meta.getLong(i * 5 + 4),
                        new Changeset());
                }
                catch (final CodecException ex)
                {
                    error = ProtocolErrorCode.BAD_CHANGESET;
                    message = "changeset " + meta.getLong(i * 5) + " does not parse: " + ex.getMessage();
                    return;
                }
                entries.add(new UploadEntry(meta.getLong(i * 5), meta.getLong(i * 5 + 1),
                    meta.getLong(i * 5 + 2), trim(cs, meta.getLong(i * 5), client.clientVersion(), f)));
            }
            final long headBefore = f.file.lastAppended();
            final long started = System.nanoTime();
            final long fastBefore = f.integrator().fastPathGroups();
            final long mergedBefore = f.integrator().mergedGroups();
            final dev.outpost.ot.sync.IntegrationResult result;
            try
            {
                result = f.integrator().integrateUpload(clientFileIdent,
                    new StoreHistory.StoreClientFile(writer.shard, f.file, client, writer.tools), progressClientVersion,
                    progressServerVersion, locked, entries);
            }
            catch (final StoreHistory.ChangesetTooLarge ex)
            {
                // the object state already holds the whole upload and part of it may be appended: undo all of it
                rollback = true;
                error = ProtocolErrorCode.BAD_CHANGESET;
                message = ex.getMessage();
                return;
            }
            conn.service.metrics.transformNanos(System.nanoTime() - started);
            conn.service.metrics.uploadGroups(f.integrator().fastPathGroups() - fastBefore,
                f.integrator().mergedGroups() - mergedBefore);
            if (!result.ok())
            {
                error = result.errorCode();
                message = result.message();
            }
            else
            {
                conn.service.metrics.uploadReceived(n);
                appendRevert(writer, f);
            }
            if (f.file.lastAppended() != headBefore)
            {
                writer.touched(f);
            }
            storedClient = client.clientVersion();
            storedRhBase = client.rhBaseVersion();
            data = null;
            meta = null;
        }

        /** FLX: drop (and remember) the instructions outside the subscription of a changeset not integrated yet. */
        private Changeset trim(final Changeset cs, final long clientVersion, final long integrated,
            final FileContext f)
        {
            if (subscribed == null || clientVersion <= integrated)
            {
                return cs;
            }
            final List<CompensatingWrites.Rejected> rejected = new ArrayList<>();
            final Changeset kept = CompensatingWrites.trim(cs, subscribed, f.state(), rejected);
            if (!rejected.isEmpty())
            {
                rejections.add(new CompensatingWrites.Rejection(clientVersion, rejected));
            }
            return kept;
        }

        /** FLX: after a successful integration, the revert entry for this client of everything rejected. */
        private void appendRevert(final ShardWriter writer, final FileContext f)
        {
            if (rejections.isEmpty())
            {
                return;
            }
            final ArrayList<CompensatingWrites.Rejected> all = new ArrayList<>();
            for (final CompensatingWrites.Rejection r : rejections)
            {
                all.addAll(r.objects());
            }
            final ExpandableDirectByteBuffer buf = writer.tools.encodeBuffer;
            final int length = writer.tools.writer.encode(CompensatingWrites.revert(all), buf, 0);
            revertVersion = writer.shard.append(f.file, ServerIntegratorIdent.SERVER,
                CompensatingWrites.marker(clientFileIdent), now(), length, buf, 0, length);
            if (revertVersion < 0)
            {
                LOG.log(System.Logger.Level.ERROR, "revert entry of " + f.name + " too large to store");
                rejections.clear();
                return;
            }
            f.revertAppended(clientFileIdent, revertVersion);
        }

        TaskKind kind()
        {
            return TaskKind.ACK;
        }

        void deliver()
        {
            if (connectionLevel)
            {
                conn.connectionError(error, message);
                return;
            }
            if (error != null)
            {
                error(error, errorAction != null ? errorAction : error == ProtocolErrorCode.BAD_CHANGESET ?
                    ErrorBodies.PROTOCOL_VIOLATION : ErrorBodies.CLIENT_RESET, false, message);
                return;
            }
            if (meta != null)
            {
                return; // skipped after an earlier upload's failure (the session is already in error)
            }
            if (storedClient >= uploadClient)
            {
                uploadClient = storedClient;
                uploadServer = Math.max(uploadServer, storedRhBase);
            }
            // 231 before the DOWNLOAD of the revert entry (the scan after this round trip sends it)
            for (final CompensatingWrites.Rejection r : rejections)
            {
                compensatingWrite(CompensatingWrites.errorBody(r.objects(), r.clientVersion(), revertVersion));
            }
        }
    }

    private final class BootstrapCommand extends SessionCommand
    {
        private final long qv;
        private final FlxQuery query;
        private final Set<String> previous;
        private final long from;
        private long head;
        private long storedClient;
        private long storedRhBase;
        private Changeset snapshot;

        BootstrapCommand(final long qv, final FlxQuery query, final Set<String> previous, final long from)
        {
            this.qv = qv;
            this.query = query;
            this.previous = previous;
            this.from = from;
        }

        void execute(final ShardWriter writer)
        {
            final FileContext f = ctx;
            f.ensureLoaded(writer.shard, writer.tools);
            if (f.file.lastAppended() == 0)
            {
                // a bootstrap entry needs a server version >= 1: start the history with an empty server changeset
                final UnsafeBuffer empty = new UnsafeBuffer(new byte[0]);
                writer.shard.append(f.file, ServerIntegratorIdent.SERVER, 0, now(), 0, empty, 0, 0);
                writer.touched(f);
            }
            head = f.file.lastAppended();
            final var client = writer.shard.clientFile(f.file, clientFileIdent);
            storedClient = client.clientVersion();
            storedRhBase = client.rhBaseVersion();
            snapshot = Snapshot.of(f.state(), query.classes());
            // objects of classes that left the subscription leave the client's view: erase them there
            final ChangesetBuilder leave = new ChangesetBuilder(snapshot);
            for (final String cls : previous)
            {
                final var table = f.state().table(cls);
                if (!query.classes().contains(cls) && table != null && !table.isEmbedded())
                {
                    for (final var key : table.objects().keySet())
                    {
                        leave.eraseObject(cls, key);
                    }
                }
            }
            addUnsentReverts(writer, f);
        }

        /**
         * Revert entries for this client in {@code (from, head]} were not downloaded (the bootstrap moves the cursor
         * to the head): their objects leave the client's view here, unless the snapshot now carries them.
         */
        private void addUnsentReverts(final ShardWriter writer, final FileContext f)
        {
            final LongArrayList versions = f.reverts(clientFileIdent);
            if (versions == null)
            {
                return;
            }
            final EntryView view = writer.tools.view;
            Set<CompensatingWrites.Rejected> inSnapshot = null;
            for (int k = 0; k < versions.size(); k++)
            {
                final long v = versions.getLong(k);
                if (v <= from || v > head || !writer.shard.readEntry(f.file, v, view))
                {
                    continue;
                }
                if (inSnapshot == null)
                {
                    inSnapshot = new HashSet<>();
                    for (final Instruction i : snapshot.instructions())
                    {
                        if (i instanceof CreateObject c)
                        {
                            inSnapshot.add(new CompensatingWrites.Rejected(c.table(), c.object()));
                        }
                    }
                }
                for (final var r : CompensatingWrites.objectsOf(writer.tools.parse(view)))
                {
                    if (!inSnapshot.contains(r))
                    {
                        snapshot.add(new EraseObject(r.table(), r.key()));
                    }
                }
            }
        }

        TaskKind kind()
        {
            return TaskKind.BOOTSTRAP;
        }

        void deliver()
        {
            queryVersion = qv;
            classes = query.classes();
            if (storedClient > uploadClient)
            {
                uploadClient = storedClient;
                uploadServer = Math.max(uploadServer, storedRhBase);
            }
            if (head > downloadServer)
            {
                downloadServer = head;
                downloadClient = Math.max(downloadClient, Math.min(storedClient, uploadClient));
            }
            epoch++; // a DOWNLOAD built from the old cursors must not be sent after this
            bootstrapSnapshot = snapshot;
            bootstrapParts = null;
            bootstrapPart = 0;
        }
    }

    /** @return the service clock's time as a realm timestamp (milliseconds since 2015-01-01). */
    long now()
    {
        return realmTime(conn.service.clock);
    }

    /** @return {@code clock}'s time as a realm timestamp (milliseconds since 2015-01-01, never negative). */
    static long realmTime(final EpochClock clock)
    {
        return Math.max(0, clock.time() - REALM_EPOCH_MS);
    }
}
