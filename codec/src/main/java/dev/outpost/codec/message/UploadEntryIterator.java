package dev.outpost.codec.message;

import org.agrona.DirectBuffer;

import dev.outpost.codec.CodecException;

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
public final class UploadEntryIterator extends EntryIteratorBase
{
    /** Starts iterating the entry list in {@code [offset, offset + length)}. */
    public UploadEntryIterator wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        reset(buffer, offset, length);
        return this;
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
        return changeset(c.number(SP));
    }
}
