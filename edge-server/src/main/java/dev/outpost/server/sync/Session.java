package dev.outpost.server.sync;

import dev.outpost.codec.CodecException;
import dev.outpost.codec.ProtocolErrorCode;
import dev.outpost.codec.message.ClientMessageDecoder;
import dev.outpost.codec.message.EntryEncoder;
import dev.outpost.codec.message.MessageType;
import dev.outpost.codec.message.UploadEntryIterator;
import dev.outpost.ot.model.Changeset;
import dev.outpost.ot.model.Instruction;
import dev.outpost.ot.model.ObjectInstruction;
import dev.outpost.ot.state.ChangesetApplier;
import dev.outpost.ot.state.ChangesetBuilder;
import dev.outpost.ot.state.Snapshot;
import dev.outpost.ot.sync.UploadEntry;
import dev.outpost.server.metrics.LogContext;
import dev.outpost.server.store.EntryView;
import dev.outpost.server.store.ServerFile;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.LongArrayList;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
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
    private static final int ENTRY_HEAD_MAX = 6 * 21;
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

    // FLX
    private long queryVersion;
    private Set<String> classes = Set.of();
    private double progress = 1.0;   // FLX progress estimate of the next DOWNLOAD (bootstrap parts count up to 1)

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
        if (busy || uploadBlocked)
        {
            return false;
        }
        return uploadsInFlight == 0 || (type == MessageType.UPLOAD && uploadsInFlight < MAX_UPLOADS_IN_FLIGHT);
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
            fileName = SyncService.pbsFileName(appId, path);
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
            query = FlxQuery.parse(d.buffer().getStringWithoutLengthUtf8(d.bodyOffset(), d.bodyLength()));
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
        final LoopResources r = conn.service.loopResources();
        DirectBuffer body = d.buffer();
        int bodyOffset = d.bodyOffset();
        int bodyLength = d.bodyLength();
        if (d.bodyCompressed())
        {
            try
            {
                bodyLength = r.zlib.inflate(body, bodyOffset, bodyLength, r.inflated, 0, d.uncompressedBodySize());
            }
            catch (final CodecException ex)
            {
                conn.connectionError(ex.errorCode(), "upload body: " + ex.getMessage());
                return;
            }
            body = r.inflated;
            bodyOffset = 0;
        }
        final UploadEntryIterator it = conn.uploadEntries.wrap(body, bodyOffset, bodyLength);
        final UploadCommand cmd = new UploadCommand(pcv, psv, locked);
        long prevClient = progressClient;
        long prevServer = progressServer;
        try
        {
            while (it.next())
            {
                final long cv = it.clientVersion();
                final long sv = it.serverVersion();
                if (cv <= prevClient)
                {
                    sessionReset(ProtocolErrorCode.BAD_CLIENT_VERSION, "changeset client version " + cv +
                        " not above " + prevClient);
                    return;
                }
                if (!consistent(cv, sv) || !mutuallyConsistent(cv, sv, prevClient, prevServer) ||
                    !mutuallyConsistent(cv, sv, thresholdClient, thresholdServer))
                {
                    sessionReset(ProtocolErrorCode.BAD_SERVER_VERSION, "changeset cursor (" + cv + ", " + sv +
                        ") inconsistent with (" + prevClient + ", " + prevServer + ") or the stored cursor");
                    return;
                }
                if (it.originFileIdent() != 0 && it.originFileIdent() != clientFileIdent)
                {
                    error(ProtocolErrorCode.BAD_ORIGIN_FILE_IDENT, ErrorBodies.PROTOCOL_VIOLATION, false,
                        "origin file ident " + it.originFileIdent() + " not allowed");
                    return;
                }
                prevClient = cv;
                prevServer = sv;
                if (cv <= thresholdClient)
                {
                    continue; // integrated in an earlier connection
                }
                cmd.add(cv, sv, it.originTimestamp(), it.buffer(), it.changesetOffset(), it.changesetLength());
            }
        }
        catch (final CodecException ex)
        {
            conn.connectionError(ex.errorCode(), "upload entries: " + ex.getMessage());
            return;
        }
        if (prevClient > pcv || !mutuallyConsistent(prevClient, prevServer, pcv, psv))
        {
            sessionReset(ProtocolErrorCode.BAD_CLIENT_VERSION, "last changeset cursor (" + prevClient + ", " +
                prevServer + ") beyond the upload progress (" + pcv + ", " + psv + ")");
            return;
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
        if (conn.service.writerFor(fileName).offer(cmd))
        {
            uploadBlocked = false;
            return;
        }
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
        final FlxQuery q = FlxQuery.parse(d.buffer().getStringWithoutLengthUtf8(d.bodyOffset(), d.bodyLength()));
        if (q.rejected() != null)
        {
            queryError(qv, q.rejected());
            return;
        }
        submit(new BootstrapCommand(qv, q, classes));
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
                cs = writer.tools.reader.read(new UnsafeBuffer(changeset), 0, changeset.length, new Changeset());
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

        void deliver()
        {
            final boolean resume = resumeVersion == version && resumeSalt == salt && resumeOffset > 0 &&
                resumeOffset <= snapshot.length;
            LegacyRequests.sendState(conn, ident, version, salt, snapshot, resume ? (int)resumeOffset : 0);
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
            conn.connection.execute(() ->
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

    /** Send DOWNLOADs up to the published head (at least one per session), then the MARKs that are due. */
    void scan()
    {
        if (state != State.ACTIVE || busy || paused || conn.isClosed())
        {
            return;
        }
        final ServerFile file = ctx.file;
        while (true)
        {
            final long head = file.head();
            if (downloadSent && downloadServer >= head)
            {
                break;
            }
            if (!conn.connection.isWritable())
            {
                paused = true;
                conn.paused(this);
                return;
            }
            final long before = downloadServer;
            if (!sendDownload(head) || (downloadServer == before && downloadSent))
            {
                break;
            }
        }
        answerMarks();
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

    /**
     * Build and send one DOWNLOAD of the entries in {@code (downloadServer, head]} (up to the size limit).
     *
     * @return false if nothing could be sent (connection closed).
     */
    private boolean sendDownload(final long head)
    {
        final LoopResources r = conn.service.loopResources();
        final ExpandableDirectByteBuffer body = r.body;
        final EntryView view = r.view;
        final int max = conn.service.config.maxDownloadSize();
        int pos = 0;
        int entries = 0;
        long v = downloadServer;
        long c = downloadClient;
        while (v < head)
        {
            final long next = v + 1;
            if (!r.reader.read(ctx.file, next, view))
            {
                LOG.log(System.Logger.Level.ERROR, "history entry " + next + " of " + ctx.name + " unreadable");
                break;
            }
            if (view.originFileIdent() == clientFileIdent)
            {
                if (view.clientVersion() > uploadClient)
                {
                    break; // its acknowledgement is on its way: never report a client version beyond the upload cursor
                }
                c = view.clientVersion();
                v = next;
                continue;
            }
            DirectBuffer src = view.changeset();
            int len = view.changesetLength();
            if (len == 0)
            {
                v = next;
                continue;
            }
            if (conn.flx)
            {
                len = filter(r, src, len);
                if (len < 0)
                {
                    len = -len - 1;
                }
                else
                {
                    src = r.filtered;
                }
                if (len == 0)
                {
                    v = next;
                    continue;
                }
            }
            if (pos > 0 && pos + len + ENTRY_HEAD_MAX > max)
            {
                break;
            }
            pos += EntryEncoder.downloadEntry(body, pos, next, c, view.timestamp(), view.originFileIdent(), len,
                src, 0, len);
            entries++;
            v = next;
        }
        if (pos == 0 && v == downloadServer && downloadSent)
        {
            return true; // nothing new (waiting for this client's own acknowledgement): send nothing
        }
        downloadServer = v;
        downloadClient = c;
        return send(body, pos, entries, head, 2, queryVersion);
    }

    /**
     * FLX: drop the object instructions of classes outside the subscription (schema instructions stay).
     *
     * @return the filtered length (bytes in {@code r.filtered}), or {@code -(len + 1)} to send the original.
     */
    private int filter(final LoopResources r, final DirectBuffer src, final int len)
    {
        final Changeset cs;
        try
        {
            cs = r.changesetReader.read(src, 0, len, new Changeset());
        }
        catch (final CodecException ex)
        {
            LOG.log(System.Logger.Level.ERROR, "stored changeset of " + ctx.name + " does not parse");
            return 0;
        }
        boolean drop = false;
        for (final Instruction i : cs.instructions())
        {
            if (i instanceof ObjectInstruction && !classes.contains(i.table()))
            {
                drop = true;
                break;
            }
        }
        if (!drop)
        {
            return -(len + 1);
        }
        final Changeset kept = cs.copyHeader();
        for (final Instruction i : cs.instructions())
        {
            if (!(i instanceof ObjectInstruction) || classes.contains(i.table()))
            {
                kept.add(i);
            }
        }
        if (kept.isEmpty())
        {
            return 0;
        }
        return r.changesetWriter.encode(kept, r.filtered, 0);
    }

    /** Send one DOWNLOAD with the session's cursors and {@code body[0, bodyLength)} as its entry list. */
    private boolean send(final DirectBuffer body, final int bodyLength, final int entries, final long latest,
        final int batchState, final long qv)
    {
        final LoopResources r = conn.service.loopResources();
        DirectBuffer payload = body;
        int payloadLength = bodyLength;
        boolean compressed = false;
        if (bodyLength > conn.service.config.compressionThreshold())
        {
            final int n = r.zlib.compressIfWorthwhile(body, 0, bodyLength, r.compressed, 0);
            if (n > 0)
            {
                payload = r.compressed;
                payloadLength = n;
                compressed = true;
            }
        }
        final ServerFile file = ctx.file;
        final long downloadable = Math.max(0, file.cumulativeSize(latest) - file.cumulativeSize(downloadServer));
        final MutableDirectBuffer out = conn.connection.claim(payloadLength + 512);
        if (out == null)
        {
            return false;
        }
        final int n = conn.encoder.download(out, 0, ident, downloadServer, downloadClient, latest, file.salt(latest),
            uploadClient, uploadServer, downloadable, qv, batchState, progress, compressed, bodyLength, payload, 0,
            payloadLength);
        downloadSent = true;
        final boolean sent = conn.connection.commit(n);
        if (sent)
        {
            conn.service.metrics.downloadSent(entries);
        }
        return sent;
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
            ctx.unsubscribe(this);
        }
        pendingMarks.clear();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // writer round trips

    private void submit(final SessionCommand cmd)
    {
        busy = true;
        final ShardWriter w = conn.service.writerFor(fileName);
        if (!w.offer(cmd))
        {
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

    /** The common shape: execute on the writer, then {@link #deliver()} on this session's event loop. */
    abstract class SessionCommand extends WriterCommand
    {
        private Throwable failure;

        void complete()
        {
            conn.connection.execute(this::onLoop);
        }

        void fail(final Throwable cause)
        {
            failure = cause;
            conn.connection.execute(this::onLoop);
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
                return;
            }
            if (failure != null)
            {
                error(ProtocolErrorCode.OTHER_SESSION_ERROR, ErrorBodies.TRANSIENT, true,
                    "internal error: " + failure);
            }
            else if (state != State.ERRORED)
            {
                deliver();
            }
            conn.runDeferred(Session.this);
            scan();
        }

        abstract void deliver();
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
            if (needIdent)
            {
                final var c = writer.shard.allocateClientFile(file.file, 0, System.currentTimeMillis());
                allocated = c.ident();
                salt = c.salt();
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
            ctx.subscribe(Session.this);
        }
    }

    private final class UploadCommand extends SessionCommand
    {
        private final long progressClientVersion;
        private final long progressServerVersion;
        private final long locked;
        private LongArrayList meta = new LongArrayList();   // per entry: cv, sv, ts, offset, length
        private ExpandableDirectByteBuffer data;
        private int dataLength;
        private ProtocolErrorCode error;
        private String message;
        private long storedClient;
        private long storedRhBase;

        UploadCommand(final long progressClientVersion, final long progressServerVersion, final long locked)
        {
            this.progressClientVersion = progressClientVersion;
            this.progressServerVersion = progressServerVersion;
            this.locked = locked;
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
                    cs = writer.tools.reader.read(data, (int)meta.getLong(i * 5 + 3), (int)meta.getLong(i * 5 + 4),
                        new Changeset());
                }
                catch (final CodecException ex)
                {
                    error = ProtocolErrorCode.BAD_CHANGESET;
                    message = "changeset " + meta.getLong(i * 5) + " does not parse: " + ex.getMessage();
                    uploadRejected = true;
                    return;
                }
                entries.add(new UploadEntry(meta.getLong(i * 5), meta.getLong(i * 5 + 1),
                    meta.getLong(i * 5 + 2), cs));
            }
            final long headBefore = f.file.lastAppended();
            final long started = System.nanoTime();
            final var result = f.integrator().integrateUpload(clientFileIdent,
                new StoreHistory.StoreClientFile(writer.shard, f.file, client, writer.tools), progressClientVersion,
                progressServerVersion, locked, entries);
            conn.service.metrics.transformNanos(System.nanoTime() - started);
            if (f.history().takeAppendFailed())
            {
                error = ProtocolErrorCode.BAD_CHANGESET;
                message = "a transformed changeset is too large to store";
            }
            else if (!result.ok())
            {
                error = result.errorCode();
                message = result.message();
            }
            else
            {
                conn.service.metrics.uploadReceived(n);
            }
            if (error != null)
            {
                uploadRejected = true;
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

        void deliver()
        {
            if (error != null)
            {
                error(error, error == ProtocolErrorCode.BAD_CHANGESET ? ErrorBodies.PROTOCOL_VIOLATION :
                    ErrorBodies.CLIENT_RESET, false, message);
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
        }
    }

    private final class BootstrapCommand extends SessionCommand
    {
        private final long qv;
        private final FlxQuery query;
        private final Set<String> previous;
        private long head;
        private long storedClient;
        private long storedRhBase;
        private Changeset snapshot;

        BootstrapCommand(final long qv, final FlxQuery query, final Set<String> previous)
        {
            this.qv = qv;
            this.query = query;
            this.previous = previous;
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
            sendBootstrap(snapshot);
        }
    }

    static long now()
    {
        return Math.max(0, System.currentTimeMillis() - REALM_EPOCH_MS);
    }

    /**
     * Send an FLX bootstrap for {@link #queryVersion}: the snapshot cut at object boundaries into changesets that
     * fit a DOWNLOAD, one per message ({@code MoreToCome} ..., then {@code LastInBatch}); always at least one entry
     * (possibly an empty changeset).
     */
    private void sendBootstrap(final Changeset snapshot)
    {
        final LoopResources r = conn.service.loopResources();
        final int max = conn.service.config.maxDownloadSize();
        final List<Changeset> parts = BootstrapSplitter.split(snapshot, r.changesetWriter, max / 2);
        final ExpandableDirectByteBuffer body = r.body;
        final ExpandableDirectByteBuffer cs = r.filtered;
        for (int i = 0; i < parts.size(); i++)
        {
            final int len = r.changesetWriter.encode(parts.get(i), cs, 0);
            final int pos = EntryEncoder.downloadEntry(body, 0, downloadServer, downloadClient, now(),
                ServerIntegratorIdent.SERVER, len, cs, 0, len);
            progress = (double)(i + 1) / parts.size();
            if (!send(body, pos, 1, ctx.file.head(), i == parts.size() - 1 ? 1 : 0, queryVersion))
            {
                progress = 1.0;
                return;
            }
        }
        progress = 1.0;
    }

}
