package dev.outpost.codec.message;

import org.agrona.DirectBuffer;

import dev.outpost.codec.CodecException;
import dev.outpost.codec.ProtocolErrorCode;

import static dev.outpost.codec.message.HeadCursor.SP;

/**
 * Flyweight iterator over the changeset entries of an (uncompressed) DOWNLOAD body:
 * <pre>
 *   entry = server_version ' ' client_version ' ' origin_timestamp ' ' origin_file_ident ' '
 *           original_changeset_size ' ' changeset_size ' ' changeset-bytes
 * </pre>
 * Same rules and error codes as {@link UploadEntryIterator}. Semantic checks (server version non-zero, ordering)
 * belong to the caller. Not thread-safe; one per reading thread.
 */
public final class DownloadEntryIterator
{
    private final HeadCursor cursor = new HeadCursor();
    private DirectBuffer buffer;
    private long serverVersion;
    private long clientVersion;
    private long originTimestamp;
    private long originFileIdent;
    private long originalChangesetSize;
    private int changesetOffset;
    private int changesetLength;

    /** Starts iterating the entry list in {@code [offset, offset + length)}. */
    public DownloadEntryIterator wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        this.buffer = buffer;
        cursor.wrap(buffer, offset, offset + length, ProtocolErrorCode.BAD_CHANGESET_HEADER_SYNTAX);
        return this;
    }

    /** @return true if another entry follows. */
    public boolean hasNext()
    {
        return !cursor.atEnd();
    }

    /**
     * Parses the next entry.
     *
     * @return false at the end of the body, true if an entry was read.
     */
    public boolean next() throws CodecException
    {
        final HeadCursor c = cursor;
        if (c.atEnd())
        {
            return false;
        }
        serverVersion = c.number(SP);
        clientVersion = c.number(SP);
        originTimestamp = c.number(SP);
        originFileIdent = c.number(SP);
        originalChangesetSize = c.number(SP);
        final long size = c.number(SP);
        if (size > c.remaining())
        {
            throw new CodecException(ProtocolErrorCode.BAD_CHANGESET_SIZE, "changeset runs past the body");
        }
        changesetOffset = c.position();
        changesetLength = (int)size;
        c.position(changesetOffset + changesetLength);
        return true;
    }

    public DirectBuffer buffer()
    {
        return buffer;
    }

    /** @return the server version this entry produced. */
    public long serverVersion()
    {
        return serverVersion;
    }

    /** @return the receiving client's last integrated version as of this entry. */
    public long clientVersion()
    {
        return clientVersion;
    }

    /** @return ms since 2015-01-01T00:00:00Z. */
    public long originTimestamp()
    {
        return originTimestamp;
    }

    /** @return the author's file ident. */
    public long originFileIdent()
    {
        return originFileIdent;
    }

    /** @return size before any compaction. */
    public long originalChangesetSize()
    {
        return originalChangesetSize;
    }

    public int changesetOffset()
    {
        return changesetOffset;
    }

    public int changesetLength()
    {
        return changesetLength;
    }
}
