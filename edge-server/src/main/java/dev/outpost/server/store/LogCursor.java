package dev.outpost.server.store;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Random access to one shard queue's records by log index, through a tailer of its own. The record is exposed as
 * a view of the mapped memory; a record that is not contiguous in the current mapping is copied into a scratch
 * array that is reused. Not thread-safe: one per thread (Chronicle tailers are single-threaded).
 */
final class LogCursor implements AutoCloseable
{
    private final ExcerptTailer tailer;
    private final UnsafeBuffer record = new UnsafeBuffer(new byte[0]);
    private byte[] scratch = new byte[0];

    LogCursor(final ExcerptTailer tailer)
    {
        this.tailer = tailer;
    }

    /** @return the record at {@code logIndex}, valid until the next call; null if it is not there. */
    UnsafeBuffer read(final long logIndex)
    {
        if (tailer.index() != logIndex && !tailer.moveToIndex(logIndex))
        {
            return null;
        }
        try (DocumentContext dc = tailer.readingDocument())
        {
            if (!dc.isPresent())
            {
                return null;
            }
            final Bytes<?> bytes = dc.wire().bytes();
            final long position = bytes.readPosition();
            final int length = (int)bytes.readRemaining();
            if (bytes.isDirectMemory() && bytes.bytesStore().inside(position, length))
            {
                record.wrap(bytes.addressForRead(position), length);
            }
            else
            {
                if (scratch.length < length)
                {
                    scratch = new byte[Math.max(length, scratch.length * 2)];
                }
                bytes.read(scratch, 0, length);
                record.wrap(scratch, 0, length);
            }
            return record;
        }
    }

    void singleThreadedCheckReset()
    {
        tailer.singleThreadedCheckReset();
    }

    @Override
    public void close()
    {
        tailer.close();
    }
}
