package dev.outpost.server.store;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A reusable view of one stored history entry or reciprocal transform, filled by {@link HistoryReader#read} or
 * {@link StoreShard#readEntry}/{@link StoreShard#readReciprocal}. {@link #changeset()} points straight into the
 * memory-mapped queue (no copy), and stays valid until the next read through the same reader or shard, or until
 * it is closed. Copy with {@link #copyChangeset} to keep the bytes longer.
 * <p>
 * Not thread-safe: one instance per thread.
 */
public final class EntryView
{
    private final UnsafeBuffer changeset = new UnsafeBuffer(new byte[0]);
    long version;
    long originFileIdent;
    long clientVersion;
    long timestamp;
    long originalSize;
    long salt;

    /** @return the server version this entry produced (for a reciprocal: the version it replaces). */
    public long version()
    {
        return version;
    }

    /** @return the ident of the client file that authored the change (>= 1); 0 for a reciprocal. */
    public long originFileIdent()
    {
        return originFileIdent;
    }

    /** @return the author's client version that produced the change; 0 for a reciprocal. */
    public long clientVersion()
    {
        return clientVersion;
    }

    /** @return the origin timestamp; 0 for a reciprocal. */
    public long timestamp()
    {
        return timestamp;
    }

    /** @return the size before any compaction; 0 for a reciprocal. */
    public long originalSize()
    {
        return originalSize;
    }

    /** @return the version's salt (the server file's salt); 0 for a reciprocal. */
    public long salt()
    {
        return salt;
    }

    /** @return the changeset bytes, at index 0 .. {@link #changesetLength()}-1. */
    public DirectBuffer changeset()
    {
        return changeset;
    }

    public int changesetLength()
    {
        return changeset.capacity();
    }

    /** Copies the changeset into {@code dst} at {@code offset}; @return the number of bytes copied. */
    public int copyChangeset(final MutableDirectBuffer dst, final int offset)
    {
        final int length = changeset.capacity();
        dst.putBytes(offset, changeset, 0, length);
        return length;
    }

    void wrapEntry(final UnsafeBuffer record, final long salt)
    {
        version = record.getLong(RecordLayout.KEY_OFFSET);
        originFileIdent = record.getLong(RecordLayout.ENTRY_ORIGIN_FILE_OFFSET);
        clientVersion = record.getLong(RecordLayout.ENTRY_CLIENT_VERSION_OFFSET);
        timestamp = record.getLong(RecordLayout.ENTRY_TIMESTAMP_OFFSET);
        originalSize = record.getLong(RecordLayout.ENTRY_ORIGINAL_SIZE_OFFSET);
        this.salt = salt;
        final int length = record.getInt(RecordLayout.ENTRY_LENGTH_OFFSET);
        changeset.wrap(record, RecordLayout.ENTRY_HEADER_LENGTH, length);
    }

    void wrapReciprocal(final UnsafeBuffer record)
    {
        version = record.getLong(RecordLayout.RECIPROCAL_VERSION_OFFSET);
        originFileIdent = 0;
        clientVersion = 0;
        timestamp = 0;
        originalSize = 0;
        salt = 0;
        final int length = record.getInt(RecordLayout.RECIPROCAL_LENGTH_OFFSET);
        changeset.wrap(record, RecordLayout.RECIPROCAL_HEADER_LENGTH, length);
    }

    @Override
    public String toString()
    {
        return "EntryView{version=" + version + ", originFileIdent=" + originFileIdent + ", clientVersion=" +
            clientVersion + ", length=" + changeset.capacity() + '}';
    }
}
