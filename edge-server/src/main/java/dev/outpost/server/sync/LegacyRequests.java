package dev.outpost.server.sync;

import dev.outpost.codec.message.BodyCompression;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;

/**
 * Encoding helpers of the original protocol's requests (TRANSACT, STATE_REQUEST, CLIENT_VERSION_REQUEST; see
 * SYNC.md). Realm's current client never sends them; the session handles them so old tooling and tests can.
 */
final class LegacyRequests
{
    /** TRANSACT status: accepted and applied. */
    static final int TRANSACT_ACCEPTED = 1;
    /** TRANSACT status: not based on the current head; try again. */
    static final int TRANSACT_REJECTED = 2;
    /** Raw snapshot bytes per STATE segment (before deflate). */
    static final int SEGMENT_SIZE = 64 * 4096;
    /** Segments per STATE message. */
    static final int SEGMENTS_PER_MESSAGE = 4;

    private LegacyRequests()
    {
    }

    /**
     * Send {@code snapshot[from..]} as STATE messages: each body is segments of {@code <4-byte big-endian size>
     * <zlib data>}, each inflating to at most {@link #SEGMENT_SIZE} bytes of the snapshot changeset; offsets are byte
     * offsets into the uncompressed snapshot; the last message has {@code end_offset == max_offset}. An empty
     * snapshot is one message with no segments.
     */
    static void sendState(final ConnectionHandler conn, final long session, final long version, final long salt,
        final byte[] snapshot, final int from)
    {
        final LoopResources r = conn.service.loopResources();
        final BodyCompression zlib = r.zlib;
        final ExpandableDirectByteBuffer body = r.body;
        final UnsafeBuffer src = new UnsafeBuffer(snapshot);
        int offset = from;
        do
        {
            final int begin = offset;
            int pos = 0;
            for (int s = 0; s < SEGMENTS_PER_MESSAGE && offset < snapshot.length; s++)
            {
                final int n = Math.min(SEGMENT_SIZE, snapshot.length - offset);
                body.checkLimit(pos + 4 + n + 1024);
                final int z = zlib.deflate(src, offset, n, body, pos + 4, n + 1024);
                body.putInt(pos, z, ByteOrder.BIG_ENDIAN);
                pos += 4 + z;
                offset += n;
            }
            final MutableDirectBuffer out = conn.connection.claim(pos + 256);
            if (out == null)
            {
                return;
            }
            conn.connection.commit(conn.encoder.state(out, 0, session, version, salt, begin, offset, snapshot.length,
                body, 0, pos));
        }
        while (offset < snapshot.length);
    }
}
