package dev.outpost.server.sync;

import dev.outpost.codec.ProtocolErrorCode;
import dev.outpost.codec.message.BodyCompression;
import dev.outpost.ot.model.Changeset;
import dev.outpost.server.config.ServerConfig;
import dev.outpost.server.sync.wire.ErrorBodies;
import dev.outpost.server.sync.wire.SharedEntries;
import dev.outpost.server.ws.GatheredMessage;
import dev.outpost.server.ws.OutboundFrame;
import dev.outpost.server.ws.TaskKind;
import org.agrona.MutableDirectBuffer;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The outbound half of a {@link Session} (event loop, except {@link #headAdvanced()}): its download cursors and the
 * messages it sends by itself: DOWNLOADs up to the head, the parts of an FLX bootstrap and the STATE messages of a
 * STATE_REQUEST, built inline when small or by the {@link DownloadPool} (one {@link DownloadJob} in flight, applied
 * by {@link #built()}); then the MARKs that are due.
 */
final class SessionDownloads implements BuildListener
{
    private final Session session;
    private final ConnectionHandler conn;
    private final AtomicBoolean notifyPending = new AtomicBoolean();
    /** The event-loop task of {@link #headAdvanced()} (one per session, not one per head move). */
    private final Runnable fanoutTask = this::fanout;

    // cursors
    private long downloadServer;
    private long downloadClient;
    private long uploadClient;   // stored upload cursor (the server's), sent in every DOWNLOAD
    private long uploadServer;
    private boolean downloadSent;
    private boolean paused;

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

    SessionDownloads(final Session session)
    {
        this.session = session;
        this.conn = session.conn;
    }

    long downloadServer()
    {
        return downloadServer;
    }

    /** A bootstrap or STATE answer is being sent (message by message, built off the loop): hold input back. */
    boolean sending()
    {
        return bootstrapSnapshot != null || bootstrapParts != null || stateBytes != null;
    }

    /** IDENT accepted: the client's download cursor and the stored upload cursor. */
    void identified(final long dlServer, final long dlClient, final long storedClient, final long storedRhBase)
    {
        downloadServer = dlServer;
        downloadClient = dlClient;
        uploadClient = storedClient;
        uploadServer = storedRhBase;
        epoch++;
    }

    /** An UPLOAD was integrated: the stored upload cursor after it. */
    void uploadStored(final long storedClient, final long storedRhBase)
    {
        if (storedClient >= uploadClient)
        {
            uploadClient = storedClient;
            uploadServer = Math.max(uploadServer, storedRhBase);
        }
    }

    /** FLX QUERY: send {@code snapshot} (taken at {@code head}) next, in parts; the cursors move to the head. */
    void bootstrap(final long head, final long storedClient, final long storedRhBase, final Changeset snapshot)
    {
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

    /** STATE_REQUEST: send {@code bytes} (the snapshot at {@code version}) next, from {@code offset}. */
    void state(final byte[] bytes, final long version, final long salt, final int offset)
    {
        stateBytes = bytes;
        stateVersion = version;
        stateSalt = salt;
        stateOffset = offset;
    }


    /** Any thread: the server file's head moved; scan on the event loop (one pending task at most). */
    void headAdvanced()
    {
        if (notifyPending.compareAndSet(false, true))
        {
            conn.connection.execute(TaskKind.FANOUT, fanoutTask);
        }
    }

    private void fanout()
    {
        notifyPending.set(false);
        scan();
    }

    void resume()
    {
        paused = false;
        scan();
    }

    /**
     * One bounded step of outbound work, then the MARKs that are due. In order: the next STATE message of a
     * STATE_REQUEST, the next part of an FLX bootstrap, then DOWNLOADs up to the published head (at least one per
     * session). A DOWNLOAD within the inline budget ({@link ServerConfig#downloadInlineBytes()},
     * {@link Session#INLINE_ENTRIES}) is built and sent here; anything larger is built by the {@link DownloadPool}
     * from a snapshot of the cursors and sent by {@link #built()}, which calls this again. A step never loops to the
     * head: if a size-limited inline DOWNLOAD leaves more, the scan re-schedules itself as a new event-loop task.
     */
    void scan()
    {
        if (building || paused || session.state == Session.State.ENDED || session.state == Session.State.ERRORED ||
            conn.isClosed())
        {
            return;
        }
        if (stateBytes != null)
        {
            if (writableOrPause())
            {
                final DownloadJob j = job(DownloadJob.Kind.STATE, session.ctx.file.head());
                j.stateBytes = stateBytes;
                j.stateVersion = stateVersion;
                j.stateSalt = stateSalt;
                j.stateOffset = stateOffset;
                launch(j);
            }
            return;
        }
        if (session.state != Session.State.ACTIVE || session.busy)
        {
            return;
        }
        if (bootstrapSnapshot != null || bootstrapParts != null)
        {
            if (writableOrPause())
            {
                final DownloadJob j = job(DownloadJob.Kind.BOOTSTRAP, session.ctx.file.head());
                j.snapshot = bootstrapSnapshot;
                j.parts = bootstrapParts;
                j.part = bootstrapPart;
                launch(j);
            }
            return;
        }
        final long head = session.ctx.file.head();
        if (!downloadSent || downloadServer < head)
        {
            if (!writableOrPause())
            {
                return;
            }
            final DownloadJob j = job(DownloadJob.Kind.HISTORY, head);
            final DownloadBuilder b = conn.service.loopResources().downloads;
            final SharedEntries shared = session.ctx.sharedEntries();
            int n = DownloadBuilder.PER_SESSION;
            if (!conn.flx && shared.enabled() && session.ctx.sessionCount() > 1)
            {
                n = b.collectShared(j, shared, conn.service.downloadInlineBytes, Session.INLINE_ENTRIES);
                if (n >= 0)
                {
                    if (n <= j.compressionThreshold || n <= BodyCompression.COMPRESSION_THRESHOLD)
                    {
                        b.encodeGatheredHead(j, n);
                        sendGathered(b, b.gathered, j, head);
                        session.replies.answerMarks(downloadServer);
                        return;
                    }
                    if (b.deflateGathered(j, n))
                    {
                        sendGathered(b, b.deflated, j, head);
                        session.replies.answerMarks(downloadServer);
                        return;
                    }
                    b.takeGatheredBody(); // compressed per session (an entry not shared), or sent as it is
                }
            }
            if (n == DownloadBuilder.PER_SESSION)
            {
                n = b.collect(j, conn.service.downloadInlineBytes, Session.INLINE_ENTRIES);
            }
            if (n == DownloadBuilder.OVER_BUDGET)
            {
                launch(j);
                return;
            }
            if (n == DownloadBuilder.NOTHING && j.catchUp)
            {
                session.viewLost();
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
                if (j.catchUp)
                {
                    session.viewLost();
                    return;
                }
                if (downloadServer < head && downloadServer > before)
                {
                    headAdvanced(); // more than one message's worth: yield, continue in a new task
                }
            }
        }
        session.replies.answerMarks(downloadServer);
    }

    /** Send the DOWNLOAD {@link DownloadBuilder#collectShared} composed ({@code message}, head encoded). */
    private void sendGathered(final DownloadBuilder b, final GatheredMessage message, final DownloadJob j,
        final long head)
    {
        final long before = downloadServer;
        advance(j);
        final boolean sent = conn.connection.sendGathered(message);
        b.gathered.reset();
        b.deflated.reset();
        if (sent)
        {
            conn.service.metrics.downloadSent(j.entries);
        }
        conn.builtInline();
        if (downloadServer < head && downloadServer > before)
        {
            headAdvanced(); // more than one message's worth: yield, continue in a new task
        }
    }

    private boolean writableOrPause()
    {
        if (conn.mayBuild())
        {
            return true;
        }
        paused = true;
        conn.paused(session);
        return false;
    }

    /** The session's job, filled with a snapshot of its cursors for a message up to {@code head}. */
    private DownloadJob job(final DownloadJob.Kind kind, final long head)
    {
        DownloadJob j = job;
        if (j == null)
        {
            j = new DownloadJob(this, conn.service, conn.connection);
            job = j;
        }
        j.kind = kind;
        j.epoch = epoch;
        j.file = session.ctx.file;
        j.fileName = session.ctx.name;
        j.sessionIdent = session.ident;
        j.flx = conn.flx;
        j.protocolVersion = conn.connection.protocolVersion();
        j.maxBytes = conn.service.config.maxDownloadSize();
        j.compressionThreshold = conn.service.config.compressionThreshold();
        j.clientFileIdent = session.clientFileIdent;
        j.fromServer = downloadServer;
        j.fromClient = downloadClient;
        j.uploadClient = uploadClient;
        j.uploadServer = uploadServer;
        j.head = head;
        j.queryVersion = session.queryVersion;
        j.view = session.view;
        j.viewLog = session.ctx.viewLog();
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
        j.expected = j.expectedBytes();
        conn.buildStarted(j.expected);
        conn.service.submitDownload(j);
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
    @Override
    public void built()
    {
        final DownloadJob j = job;
        building = false;
        conn.buildFinished(j.expected);
        if (session.state == Session.State.ENDED || session.state == Session.State.ERRORED || conn.isClosed() ||
            (j.kind == DownloadJob.Kind.HISTORY && j.epoch != epoch))
        {
            j.releaseFrame();
            conn.resumePaused(); // its room is free for the sessions paused for the budget
            scan();
            return;
        }
        if (j.failure != null)
        {
            session.error(ProtocolErrorCode.OTHER_SESSION_ERROR, ErrorBodies.TRANSIENT, true,
                Session.internalError(j.failure));
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
                if (j.catchUp)
                {
                    session.viewLost();
                    conn.resumePaused();
                    return;
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
            conn.runDeferred(session);
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
}
