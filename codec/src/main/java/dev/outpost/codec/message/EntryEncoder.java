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

    /** Writes one DOWNLOAD entry: {@link #downloadEntryPrefix} then {@link #downloadEntryTail}. */
    public static int downloadEntry(
        final MutableDirectBuffer dst, final int offset, final long serverVersion, final long clientVersion,
        final long originTimestamp, final long originFileIdent, final long originalChangesetSize,
        final DirectBuffer changeset, final int changesetOffset, final int changesetLength)
    {
        final int i = offset + downloadEntryPrefix(dst, offset, serverVersion, clientVersion);
        return i + downloadEntryTail(dst, i, originTimestamp, originFileIdent, originalChangesetSize, changeset,
            changesetOffset, changesetLength) - offset;
    }

    /**
     * Writes the start of a DOWNLOAD entry that depends on the receiver: {@code <server_version> <client_version> }
     * (the receiver's last integrated client version).
     */
    public static int downloadEntryPrefix(
        final MutableDirectBuffer dst, final int offset, final long serverVersion, final long clientVersion)
    {
        return number(dst, number(dst, offset, serverVersion), clientVersion) - offset;
    }

    /** @return the length {@link #downloadEntryPrefix} writes. */
    public static int downloadEntryPrefixLength(final long serverVersion, final long clientVersion)
    {
        return digits(serverVersion) + digits(clientVersion) + 2;
    }

    /**
     * Writes the rest of a DOWNLOAD entry, the same for every receiver: {@code <origin_timestamp> <origin_file_ident>
     * <original_size> <changeset_size> <changeset>}.
     */
    public static int downloadEntryTail(
        final MutableDirectBuffer dst, final int offset, final long originTimestamp, final long originFileIdent,
        final long originalChangesetSize, final DirectBuffer changeset, final int changesetOffset,
        final int changesetLength)
    {
        int i = number(dst, offset, originTimestamp);
        i = number(dst, i, originFileIdent);
        i = number(dst, i, originalChangesetSize);
        i = number(dst, i, changesetLength);
        return HeadWriter.body(dst, i, changeset, changesetOffset, changesetLength) - offset;
    }

    /** @return the decimal digits of a non-negative number. */
    private static int digits(final long value)
    {
        if (value < 0)
        {
            throw new IllegalArgumentException("entry numbers are unsigned: " + value);
        }
        long limit = 10;
        for (int n = 1; n < 19; n++)
        {
            if (value < limit)
            {
                return n;
            }
            limit *= 10;
        }
        return 19;
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
