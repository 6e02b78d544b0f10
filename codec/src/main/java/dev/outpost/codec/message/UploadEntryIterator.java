package dev.outpost.codec.message;

import org.agrona.DirectBuffer;

import dev.outpost.codec.CodecException;
import dev.outpost.codec.ProtocolErrorCode;

import static dev.outpost.codec.message.HeadCursor.SP;

/**
 * Flyweight iterator over the changeset entries of an (uncompressed) UPLOAD body:
 * <pre>
 *   entry = client_version ' ' server_version ' ' origin_timestamp ' ' origin_file_ident ' '
 *           changeset_size ' ' changeset-bytes          (entries follow each other with no separator)
 * </pre>
 * Each field is read in place; the changeset is {@code (buffer(), changesetOffset(), changesetLength())}.
 * Bad entry header syntax fails with {@code BAD_CHANGESET_HEADER_SYNTAX}, a changeset running past the body with
 * {@code BAD_CHANGESET_SIZE}. Nothing is allocated on success. Not thread-safe; one per reading thread.
 */
public final class UploadEntryIterator
{
    private final HeadCursor cursor = new HeadCursor();
    private DirectBuffer buffer;
    private long clientVersion;
    private long serverVersion;
    private long originTimestamp;
    private long originFileIdent;
    private int changesetOffset;
    private int changesetLength;

    /** Starts iterating the entry list in {@code [offset, offset + length)}. */
    public UploadEntryIterator wrap(final DirectBuffer buffer, final int offset, final int length)
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
        clientVersion = c.number(SP);
        serverVersion = c.number(SP);
        originTimestamp = c.number(SP);
        originFileIdent = c.number(SP);
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

    /** @return the client version the changeset produced. */
    public long clientVersion()
    {
        return clientVersion;
    }

    /** @return the last server version the client had integrated before it. */
    public long serverVersion()
    {
        return serverVersion;
    }

    /** @return ms since 2015-01-01T00:00:00Z. */
    public long originTimestamp()
    {
        return originTimestamp;
    }

    /** @return 0 for the connected client's own changes. */
    public long originFileIdent()
    {
        return originFileIdent;
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
