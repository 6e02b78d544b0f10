package dev.outpost.server.ws;

import org.agrona.DirectBuffer;

/**
 * The session layer's side of one sync WebSocket: receives every binary message and the end of the connection.
 * One instance per connection, created by a {@link SyncConnectionHandlerFactory}; all methods are called on the
 * connection's event loop, never concurrently. Must not block.
 */
public interface SyncConnectionHandler
{
    /**
     * One complete binary WebSocket message. {@code buffer} wraps the frame's own memory (no copy); it is valid only
     * during this call: copy what must outlive it.
     *
     * @param buffer the message bytes.
     * @param offset index of the first byte in {@code buffer}.
     * @param length number of bytes.
     */
    void onMessage(DirectBuffer buffer, int offset, int length);

    /**
     * The outbound buffer drained below its low-water mark after {@link SyncConnection#isWritable()} was false.
     */
    default void onWritable()
    {
    }

    /**
     * The connection has ended (peer close, server close, idle timeout, network error). Called exactly once; no
     * further calls follow.
     *
     * @param code   the close code received or sent; 1006 if the connection dropped without one.
     * @param reason close reason, possibly empty.
     */
    void onClose(int code, String reason);
}
