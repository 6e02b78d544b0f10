package dev.outpost.server.ws;

import dev.outpost.server.auth.VerifiedToken;
import io.vertx.core.Context;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One accepted sync WebSocket, as the session layer sees it: who is connected, with which protocol, and how to send
 * binary messages and close.
 * <p>
 * Threading: every method except the two {@code execute} methods and the getters must be called on the connection's
 * event loop (the thread that calls the {@link SyncConnectionHandler}). Other threads (server-file writers) hand work
 * to it with {@link #execute(Runnable)}.
 */
public interface SyncConnection
{
    /**
     * @return server-unique id of this connection (for logs and metrics).
     */
    long connectionId();

    /**
     * @return negotiated sync protocol version (2..14).
     */
    int protocolVersion();

    /**
     * @return PBS or FLX, from the negotiated sub-protocol prefix.
     */
    SyncMode mode();

    /**
     * @return the sub-protocol token the 101 answer named, e.g. {@code com.mongodb.realm-sync#14}.
     */
    String subprotocol();

    /**
     * @return the access token presented in {@code baas_at}, verified before the upgrade.
     */
    VerifiedToken user();

    /**
     * @return the app id from the URL (equal to {@code user().appId()}).
     */
    String appId();

    /**
     * @return the peer's address as text.
     */
    String remoteAddress();

    /**
     * @return the {@code User-Agent} of the upgrade request (at most 256 characters), or null; for the admin API.
     */
    default String userAgent()
    {
        return null;
    }

    /**
     * @return the Vert.x context of the connection's event loop (timers, {@code runOnContext}).
     */
    Context context();

    /**
     * Send one binary message: the bytes are copied once into a pooled direct buffer, so {@code buffer} may be
     * reused as soon as this returns. Writes made while a message is being delivered are flushed together when the
     * read completes; other writes are flushed at once.
     *
     * @param buffer source.
     * @param offset first byte.
     * @param length number of bytes.
     * @return false if the connection is closed (nothing was sent).
     */
    boolean send(DirectBuffer buffer, int offset, int length);

    /**
     * Claim a direct buffer to encode one outbound message into without an extra copy. Exactly one of
     * {@link #commit(int)} or {@link #abort()} must follow before the next claim or send.
     *
     * @param capacity the most bytes the message will take.
     * @return a buffer of {@code capacity} bytes starting at index 0, valid until commit or abort; null if closed.
     */
    MutableDirectBuffer claim(int capacity);

    /**
     * Send the first {@code length} bytes of the claimed buffer as one binary message.
     *
     * @param length message length, at most the claimed capacity.
     * @return false if the connection closed meanwhile.
     */
    boolean commit(int length);

    /**
     * Release a claimed buffer without sending it.
     */
    void abort();

    /**
     * @return false while the outbound buffer is above its high-water mark; wait for
     * {@link SyncConnectionHandler#onWritable()} before sending more bulk data.
     */
    boolean isWritable();

    /**
     * @return bytes of messages sent on this connection that the socket has not taken yet (queued in the channel,
     * fragments of a big message included); the per-connection budget compares against it.
     */
    long queuedBytes();

    /**
     * Stop (or resume) reading from the socket for this connection's own reason: its sessions hold back more input
     * than they may (the peer then waits in TCP, nothing more is buffered here). The connection keeps sending. It
     * reads again only when no reason to pause is left (the process's memory pressure is another, see
     * {@link WebSocketEndpoint}). Call on the connection's event loop.
     *
     * @param paused true to stop reading, false to allow it again.
     */
    default void holdInput(final boolean paused)
    {
    }

    /**
     * @return false once closing or closed.
     */
    boolean isOpen();

    /**
     * Close with a WebSocket close code (see {@link CloseCodes}); the handler's {@code onClose} follows once the
     * connection is gone. Idempotent.
     *
     * @param code   close code.
     * @param reason short reason (at most 123 bytes of UTF-8; longer is cut).
     */
    void close(int code, String reason);

    /**
     * Run a task on this connection's event loop. Thread-safe.
     *
     * @param task the task.
     */
    void execute(Runnable task);

    /**
     * Any thread: memory for one outbound message to be filled off the event loop and sent with
     * {@link #sendFrame(OutboundFrame, int)}. The default is a heap buffer, copied once when sent.
     *
     * @param capacity the most bytes the message will take.
     * @return the frame; the caller owns it until it is sent or released.
     */
    default OutboundFrame allocateFrame(final int capacity)
    {
        return new HeapFrame(capacity);
    }

    /**
     * Event loop: send the first {@code length} bytes of a frame from {@link #allocateFrame(int)} as one binary
     * message. The frame is given up (sent, or released if the connection is closed).
     *
     * @param frame  the filled frame.
     * @param length message length.
     * @return false if the connection is closed (nothing was sent).
     */
    default boolean sendFrame(final OutboundFrame frame, final int length)
    {
        try
        {
            return send(frame.buffer(), 0, length);
        }
        finally
        {
            frame.release();
        }
    }

    /**
     * Event loop: send one binary message made of own bytes and shared read-only slices (see
     * {@link GatheredMessage}); the message may be reset as soon as this returns. The default copies it once into a
     * claimed buffer; a connection that can write the slices without copying them (gathered write) does so.
     *
     * @param message the message.
     * @return false if the connection is closed (nothing was sent).
     */
    default boolean sendGathered(final GatheredMessage message)
    {
        final int length = (int)message.length();
        final MutableDirectBuffer dst = claim(length);
        if (null == dst)
        {
            return false;
        }
        message.copyTo(dst, 0);
        return commit(length);
    }

    /**
     * {@link #execute(Runnable)}, saying what the task does (the event-loop task timer is kept per kind). Thread-safe.
     *
     * @param kind what the task does.
     * @param task the task.
     */
    default void execute(final TaskKind kind, final Runnable task)
    {
        execute(task);
    }

    /** The default {@link OutboundFrame}: a heap buffer. */
    final class HeapFrame implements OutboundFrame
    {
        private final UnsafeBuffer buffer;

        HeapFrame(final int capacity)
        {
            buffer = new UnsafeBuffer(new byte[capacity]);
        }

        public MutableDirectBuffer buffer()
        {
            return buffer;
        }

        public void release()
        {
        }
    }
}
