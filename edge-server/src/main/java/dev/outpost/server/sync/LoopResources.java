package dev.outpost.server.sync;

import dev.outpost.codec.message.BodyCompression;
import dev.outpost.ot.model.ChangesetReader;
import dev.outpost.ot.model.ChangesetWriter;
import dev.outpost.server.store.EntryView;
import dev.outpost.server.store.HistoryReader;
import org.agrona.ExpandableDirectByteBuffer;

/**
 * Scratch owned by one event-loop thread and shared by every connection on it: a lock-free history reader, body and
 * compression buffers, zlib, and the changeset parser/encoder used to filter FLX downloads. Used only inside one
 * handler call, never kept across calls.
 */
final class LoopResources
{
    final HistoryReader reader;
    final EntryView view = new EntryView();
    final ExpandableDirectByteBuffer body = new ExpandableDirectByteBuffer(64 * 1024);
    final ExpandableDirectByteBuffer compressed = new ExpandableDirectByteBuffer(64 * 1024);
    final ExpandableDirectByteBuffer inflated = new ExpandableDirectByteBuffer(64 * 1024);
    final ExpandableDirectByteBuffer filtered = new ExpandableDirectByteBuffer(16 * 1024);
    final ExpandableDirectByteBuffer message = new ExpandableDirectByteBuffer(4 * 1024);
    final BodyCompression zlib = new BodyCompression();
    final ChangesetReader changesetReader = new ChangesetReader();
    final ChangesetWriter changesetWriter = new ChangesetWriter();

    LoopResources(final HistoryReader reader)
    {
        this.reader = reader;
    }
}
