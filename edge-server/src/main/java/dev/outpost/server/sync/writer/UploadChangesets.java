package dev.outpost.server.sync.writer;

import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.collections.LongArrayList;

/**
 * The changesets of one UPLOAD above the stored cursor, copied out of the frame (the one copy between the frame and
 * the writer). Filled by {@link UploadCheck#entries} (on the event loop for small bodies, on the writer for large
 * ones) and not changed after it was handed to the writer.
 */
public final class UploadChangesets
{
    private static final int FIELDS = 5; // per entry: cv, sv, ts, offset, length

    private final LongArrayList meta = new LongArrayList();
    private ExpandableDirectByteBuffer data;
    private int dataLength;

    void add(final long cv, final long sv, final long ts, final DirectBuffer src, final int offset, final int length)
    {
        if (data == null)
        {
            data = new ExpandableDirectByteBuffer(Math.max(256, length));
        }
        data.putBytes(dataLength, src, offset, length);
        meta.addLong(cv);
        meta.addLong(sv);
        meta.addLong(ts);
        meta.addLong(dataLength);
        meta.addLong(length);
        dataLength += length;
    }

    int count()
    {
        return meta.size() / FIELDS;
    }

    long clientVersion(final int i)
    {
        return meta.getLong(i * FIELDS);
    }

    long serverVersion(final int i)
    {
        return meta.getLong(i * FIELDS + 1);
    }

    long timestamp(final int i)
    {
        return meta.getLong(i * FIELDS + 2);
    }

    int offset(final int i)
    {
        return (int)meta.getLong(i * FIELDS + 3);
    }

    int length(final int i)
    {
        return (int)meta.getLong(i * FIELDS + 4);
    }

    DirectBuffer buffer()
    {
        return data;
    }
}
