package dev.outpost.server.ws;

import org.agrona.MutableDirectBuffer;

/**
 * One outbound binary message built off the event loop: any thread gets it from
 * {@link SyncConnection#allocateFrame(int)} and fills {@link #buffer()}; the connection's event loop sends it with
 * {@link SyncConnection#sendFrame(OutboundFrame, int)} (no copy), or whoever holds it calls {@link #release()}.
 * Owned by one thread at a time; hand it over through a queue or {@link SyncConnection#execute}.
 */
public interface OutboundFrame
{
    /** @return the frame's memory, {@code capacity} bytes from index 0. */
    MutableDirectBuffer buffer();

    /** Give the memory back without sending it. Idempotent. */
    void release();
}
