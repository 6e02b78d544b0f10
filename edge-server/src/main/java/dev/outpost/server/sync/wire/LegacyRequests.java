package dev.outpost.server.sync.wire;

/**
 * Constants of the original protocol's requests (TRANSACT, STATE_REQUEST, CLIENT_VERSION_REQUEST; see
 * SYNC.md). Realm's current client never sends them; the session handles them so old tooling and tests can.
 */
public final class LegacyRequests
{
    /** TRANSACT status: accepted and applied. */
    public static final int TRANSACT_ACCEPTED = 1;
    /** TRANSACT status: not based on the current head; try again. */
    public static final int TRANSACT_REJECTED = 2;
    /** Raw snapshot bytes per STATE segment (before deflate; {@code DownloadBuilder} builds the STATE messages). */
    public static final int SEGMENT_SIZE = 64 * 4096;
    /** Segments per STATE message. */
    public static final int SEGMENTS_PER_MESSAGE = 4;

    private LegacyRequests()
    {
    }
}
