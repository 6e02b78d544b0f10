package dev.outpost.server.sync;

import dev.outpost.codec.message.BodyCompression;
import dev.outpost.server.store.HistoryReader;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.concurrent.EpochClock;

/**
 * Scratch owned by one event-loop thread and shared by every connection on it: a lock-free history reader, the
 * builder of small inline downloads, and zlib with a buffer to inflate small compressed uploads. Used only inside one
 * handler call, never kept across calls.
 */
final class LoopResources
{
    final HistoryReader reader;
    final DownloadBuilder downloads;
    final ExpandableDirectByteBuffer inflated = new ExpandableDirectByteBuffer(64 * 1024);
    final BodyCompression zlib = new BodyCompression();

    LoopResources(final HistoryReader reader, final EpochClock clock)
    {
        this.reader = reader;
        this.downloads = new DownloadBuilder(reader, clock);
    }
}
