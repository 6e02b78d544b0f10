package dev.outpost.server.sync;

import dev.outpost.ot.model.Changeset;
import dev.outpost.server.store.ServerFile;
import dev.outpost.server.sync.wire.LegacyRequests;
import dev.outpost.server.ws.OutboundFrame;
import dev.outpost.server.ws.SyncConnection;

import dev.outpost.server.sync.flx.FlxView;
import dev.outpost.server.sync.flx.ViewLog;

import java.util.List;

/**
 * One outbound message of a session to build off its event loop ({@link DownloadPool}), or inline when it is small:
 * a DOWNLOAD of history entries, one part of an FLX bootstrap, or one STATE message. The session fills the inputs
 * (a snapshot of its cursors) on its event loop, the builder fills the outputs, and the session applies them back on
 * its event loop. At most one job of a session is in flight; the session owns one instance and reuses it.
 * <p>
 * Ownership passes event loop -> pool thread -> event loop through the pool's queue and
 * {@code SyncConnection.execute}, which order the accesses; no field is read by two threads at once.
 */
final class DownloadJob
{
    /** What a job builds. */
    enum Kind
    {
        /** DOWNLOAD of the history entries in {@code (fromServer, head]} (at most {@code maxBytes} of them). */
        HISTORY,
        /** DOWNLOAD of bootstrap part {@code part} (the first job of a bootstrap also cuts the snapshot). */
        BOOTSTRAP,
        /** STATE message of the snapshot bytes from {@code stateOffset}. */
        STATE
    }

    /** Told on the session's event loop when the job is built (or failed). */
    final BuildListener listener;
    /** The session's app (its builders, metrics and pool accounting). */
    final SyncService service;
    /** The session's connection (where the message goes and the listener runs). */
    final SyncConnection connection;

    // inputs (event loop)
    Kind kind;
    int epoch;
    ServerFile file;
    String fileName;
    long sessionIdent;
    boolean flx;
    int protocolVersion;
    int maxBytes;
    int compressionThreshold;
    long clientFileIdent;
    long fromServer;
    long fromClient;
    long uploadClient;
    long uploadServer;
    long head;
    long queryVersion;
    /** FLX: the session's view (whole classes: class-only trim; narrow: per-object with {@link #viewLog}). */
    FlxView view = FlxView.NONE;
    /** FLX: the file's view annotations. */
    ViewLog viewLog;
    /** HISTORY: send a message even if it carries nothing (the session's first DOWNLOAD). */
    boolean mustSend;
    /** BOOTSTRAP: the snapshot to cut (first job of a bootstrap only; null afterwards). */
    Changeset snapshot;
    /** BOOTSTRAP: the parts (set by the first job), and the index of the part to send. */
    List<Changeset> parts;
    int part;
    /** STATE: snapshot bytes, version, salt and the offset to send from. */
    byte[] stateBytes;
    long stateVersion;
    long stateSalt;
    int stateOffset;
    /** About how many bytes the message will take (counted against the connection's budget while it builds). */
    long expected;

    // outputs (builder)
    long toServer;
    long toClient;
    int entries;
    /** HISTORY, FLX: the view cannot follow the next entry (its annotation is not held): the session must catch up. */
    boolean catchUp;
    /** STATE: the offset after this message's segments. */
    int stateEnd;
    /** The built message (null: nothing to send); its length. */
    OutboundFrame frame;
    int frameLength;
    Throwable failure;

    DownloadJob(final BuildListener listener, final SyncService service, final SyncConnection connection)
    {
        this.listener = listener;
        this.service = service;
        this.connection = connection;
    }

    /** @return about the size of the message this job builds (counted against the connection's budget meanwhile). */
    long expectedBytes()
    {
        final long body = switch (kind)
        {
            case HISTORY -> Math.min(maxBytes,
                Math.max(0, file.cumulativeSize(head) - file.cumulativeSize(fromServer)));
            case BOOTSTRAP -> maxBytes / 2;
            case STATE -> Math.min((long)LegacyRequests.SEGMENT_SIZE * LegacyRequests.SEGMENTS_PER_MESSAGE,
                stateBytes.length - stateOffset);
        };
        return body + DownloadBuilder.HEAD_MAX;
    }

    /** Drop the outputs of the previous build (before reuse). */
    void resetOutputs()
    {
        toServer = fromServer;
        toClient = fromClient;
        entries = 0;
        catchUp = false;
        stateEnd = 0;
        frame = null;
        frameLength = 0;
        failure = null;
    }

    /** Give back the built message without sending it. */
    void releaseFrame()
    {
        if (frame != null)
        {
            frame.release();
            frame = null;
        }
    }
}
