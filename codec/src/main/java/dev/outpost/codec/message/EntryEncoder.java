package dev.outpost.codec.message;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Appends UPLOAD and DOWNLOAD changeset entries (see {@link UploadEntryIterator} and {@link DownloadEntryIterator}
 * for the layout). Each method writes at {@code offset} and returns the bytes written. Numbers must be
 * non-negative; nothing is allocated. Stateless; safe to share.
 */
public final class EntryEncoder
{
    private EntryEncoder()
    {
    }

    /** Writes one UPLOAD entry. */
    public static int uploadEntry(
        final MutableDirectBuffer dst, final int offset, final long clientVersion, final long serverVersion,
        final long originTimestamp, final long originFileIdent,
        final DirectBuffer changeset, final int changesetOffset, final int changesetLength)
    {
        int i = number(dst, offset, clientVersion);
        i = number(dst, i, serverVersion);
        i = number(dst, i, originTimestamp);
        i = number(dst, i, originFileIdent);
        i = number(dst, i, changesetLength);
        return HeadWriter.body(dst, i, changeset, changesetOffset, changesetLength) - offset;
    }

    /** Writes one DOWNLOAD entry. */
    public static int downloadEntry(
        final MutableDirectBuffer dst, final int offset, final long serverVersion, final long clientVersion,
        final long originTimestamp, final long originFileIdent, final long originalChangesetSize,
        final DirectBuffer changeset, final int changesetOffset, final int changesetLength)
    {
        int i = number(dst, offset, serverVersion);
        i = number(dst, i, clientVersion);
        i = number(dst, i, originTimestamp);
        i = number(dst, i, originFileIdent);
        i = number(dst, i, originalChangesetSize);
        i = number(dst, i, changesetLength);
        return HeadWriter.body(dst, i, changeset, changesetOffset, changesetLength) - offset;
    }

    private static int number(final MutableDirectBuffer dst, final int index, final long value)
    {
        if (value < 0)
        {
            throw new IllegalArgumentException("entry numbers are unsigned: " + value);
        }
        final int n = dst.putNaturalLongAscii(index, value);
        dst.putByte(index + n, HeadCursor.SP);
        return index + n + 1;
    }
}
