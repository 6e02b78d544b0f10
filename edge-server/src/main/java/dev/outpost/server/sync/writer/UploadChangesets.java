package dev.outpost.server.sync.writer;

import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.collections.LongArrayList;

/**
 * The changesets of one UPLOAD above the stored cursor, copied out of the frame (the one copy between the frame and
 * the writer). Filled by {@link UploadCheck#entries} (on the event loop for small bodies, on the writer for large
 * ones) and not changed after it was handed to the writer. Recycled: taken from an {@link UploadBuffers} pool and
 * given back (emptied) when the writer has appended them or the upload was refused or dropped.
 */
public final class UploadChangesets
{
    private static final int FIELDS = 5; // per entry: cv, sv, ts, offset, length

    private final LongArrayList meta = new LongArrayList();
    private final ExpandableArrayBuffer data = new ExpandableArrayBuffer(256);
    private int dataLength;
    /** Whether it is (back) in its pool; see {@link UploadBuffers#release}. */
    boolean free;

    void add(final long cv, final long sv, final long ts, final DirectBuffer src, final int offset, final int length)
    {
        data.putBytes(dataLength, src, offset, length);
        meta.addLong(cv);
        meta.addLong(sv);
        meta.addLong(ts);
        meta.addLong(dataLength);
        meta.addLong(length);
        dataLength += length;
    }

    /** Forget the changesets (keeps the capacity). */
    void clear()
    {
        meta.clear();
        dataLength = 0;
    }

    /** @return the bytes of the buffer's capacity (what a pooled instance keeps). */
    int capacity()
    {
        return data.capacity();
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
