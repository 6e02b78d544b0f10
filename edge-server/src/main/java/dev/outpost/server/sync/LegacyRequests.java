package dev.outpost.server.sync;

/**
 * Constants of the original protocol's requests (TRANSACT, STATE_REQUEST, CLIENT_VERSION_REQUEST; see
 * SYNC.md). Realm's current client never sends them; the session handles them so old tooling and tests can.
 */
final class LegacyRequests
{
    /** TRANSACT status: accepted and applied. */
    static final int TRANSACT_ACCEPTED = 1;
    /** TRANSACT status: not based on the current head; try again. */
    static final int TRANSACT_REJECTED = 2;
    /** Raw snapshot bytes per STATE segment (before deflate; {@link DownloadBuilder} builds the STATE messages). */
    static final int SEGMENT_SIZE = 64 * 4096;
    /** Segments per STATE message. */
    static final int SEGMENTS_PER_MESSAGE = 4;

    private LegacyRequests()
    {
    }
}
