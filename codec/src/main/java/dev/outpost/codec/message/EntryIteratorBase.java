package dev.outpost.codec.message;

import org.agrona.DirectBuffer;

import dev.outpost.codec.CodecException;
import dev.outpost.codec.ProtocolErrorCode;

/**
 * What {@link UploadEntryIterator} and {@link DownloadEntryIterator} share: the cursor over the entry list, the
 * fields both entry forms carry and the bounds of the current changeset. Each iterator's {@code next} reads its
 * own header fields and ends with {@link #changeset}. Not thread-safe: owned with the iterator that extends it.
 */
abstract class EntryIteratorBase
{
    final HeadCursor cursor = new HeadCursor();
    DirectBuffer buffer;
    long clientVersion;
    long serverVersion;
    long originTimestamp;
    long originFileIdent;
    int changesetOffset;
    int changesetLength;

    final void reset(final DirectBuffer buffer, final int offset, final int length)
    {
        this.buffer = buffer;
        cursor.wrap(buffer, offset, offset + length, ProtocolErrorCode.BAD_CHANGESET_HEADER_SYNTAX);
    }

    /** Takes the next {@code size} bytes as the current changeset; fails if they run past the body. */
    final boolean changeset(final long size) throws CodecException
    {
        final HeadCursor c = cursor;
        if (size > c.remaining())
        {
            throw new CodecException(ProtocolErrorCode.BAD_CHANGESET_SIZE, "changeset runs past the body");
        }
        changesetOffset = c.position();
        changesetLength = (int)size;
        c.position(changesetOffset + changesetLength);
        return true;
    }

    /** @return true if another entry follows. */
    public final boolean hasNext()
    {
        return !cursor.atEnd();
    }

    /** @return the buffer holding the changesets (the one last wrapped). */
    public final DirectBuffer buffer()
    {
        return buffer;
    }

    /**
     * @return UPLOAD: the client version the changeset produced; DOWNLOAD: the receiving client's last integrated
     *         version as of this entry.
     */
    public final long clientVersion()
    {
        return clientVersion;
    }

    /**
     * @return UPLOAD: the last server version the client had integrated before it; DOWNLOAD: the server version
     *         this entry produced.
     */
    public final long serverVersion()
    {
        return serverVersion;
    }

    /** @return ms since 2015-01-01T00:00:00Z. */
    public final long originTimestamp()
    {
        return originTimestamp;
    }

    /** @return the author's file ident; 0 in an UPLOAD for the connected client's own changes. */
    public final long originFileIdent()
    {
        return originFileIdent;
    }

    /** @return offset of the current changeset in {@link #buffer()}. */
    public final int changesetOffset()
    {
        return changesetOffset;
    }

    /** @return length of the current changeset. */
    public final int changesetLength()
    {
        return changesetLength;
    }
}
