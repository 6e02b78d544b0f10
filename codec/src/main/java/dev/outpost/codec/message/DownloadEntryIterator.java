package dev.outpost.codec.message;

import org.agrona.DirectBuffer;

import dev.outpost.codec.CodecException;

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
public final class DownloadEntryIterator extends EntryIteratorBase
{
    private long originalChangesetSize;

    /** Starts iterating the entry list in {@code [offset, offset + length)}. */
    public DownloadEntryIterator wrap(final DirectBuffer buffer, final int offset, final int length)
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
        serverVersion = c.number(SP);
        clientVersion = c.number(SP);
        originTimestamp = c.number(SP);
        originFileIdent = c.number(SP);
        originalChangesetSize = c.number(SP);
        return changeset(c.number(SP));
    }

    /** @return size before any compaction. */
    public long originalChangesetSize()
    {
        return originalChangesetSize;
    }
}
