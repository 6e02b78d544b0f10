package dev.outpost.server.sync.wire;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * The zlib framing of a DOWNLOAD body assembled from pieces deflated separately (RFC 1950/1951): the stream header,
 * stored blocks, the final empty block and the Adler-32 trailer, with Adler-32 of a concatenation combined from the
 * checksums of its parts. Stateless.
 */
public final class Zlib
{
    /** Adler-32 of no bytes. */
    public static final int ADLER_EMPTY = 1;
    /** Bytes of {@link #header}. */
    public static final int HEADER_LENGTH = 2;
    /** Bytes a stored block adds in front of its data. */
    public static final int STORED_BLOCK_HEAD = 5;
    /** Bytes of {@link #trailer}: an empty final stored block and Adler-32. */
    public static final int TRAILER_LENGTH = 9;
    /** Most data bytes of one stored block. */
    public static final int STORED_BLOCK_MAX = 0xFFFF;

    private static final int BASE = 65521;

    private Zlib()
    {
    }

    /** Writes the zlib stream header (deflate, 32 KiB window, fastest level, no dictionary); @return its length. */
    public static int header(final MutableDirectBuffer dst, final int offset)
    {
        dst.putByte(offset, (byte)0x78);
        dst.putByte(offset + 1, (byte)0x01);
        return HEADER_LENGTH;
    }

    /**
     * Writes a non-final stored block of {@code src[from, from + length)}; the stream must be at a byte boundary.
     *
     * @return the bytes written.
     */
    public static int storedBlock(final MutableDirectBuffer dst, final int offset, final DirectBuffer src,
        final int from, final int length)
    {
        if (length < 0 || length > STORED_BLOCK_MAX)
        {
            throw new IllegalArgumentException("stored block of " + length + " bytes");
        }
        dst.putByte(offset, (byte)0);
        dst.putShort(offset + 1, (short)length, ByteOrder.LITTLE_ENDIAN);
        dst.putShort(offset + 3, (short)~length, ByteOrder.LITTLE_ENDIAN);
        dst.putBytes(offset + STORED_BLOCK_HEAD, src, from, length);
        return STORED_BLOCK_HEAD + length;
    }

    /** Writes an empty final stored block and the Adler-32 of the uncompressed data; @return its length. */
    public static int trailer(final MutableDirectBuffer dst, final int offset, final int adler)
    {
        dst.putByte(offset, (byte)1);
        dst.putShort(offset + 1, (short)0, ByteOrder.LITTLE_ENDIAN);
        dst.putShort(offset + 3, (short)0xFFFF, ByteOrder.LITTLE_ENDIAN);
        dst.putInt(offset + 5, adler, ByteOrder.BIG_ENDIAN);
        return TRAILER_LENGTH;
    }

    /** @return Adler-32 {@code adler} continued over {@code src[from, from + length)}. */
    public static int update(final int adler, final DirectBuffer src, final int from, final int length)
    {
        long a = adler & 0xFFFF;
        long b = (adler >>> 16) & 0xFFFF;
        for (int i = 0; i < length; i++)
        {
            a += src.getByte(from + i) & 0xFF;
            b += a;
            if ((i & 0xFFF) == 0xFFF)
            {
                a %= BASE;
                b %= BASE;
            }
        }
        a %= BASE;
        b %= BASE;
        return (int)(b << 16 | a);
    }

    /**
     * Adler-32 of a concatenation {@code X Y} from the parts': with {@code A} the byte sum plus one and {@code B} the
     * sum of the running {@code A}s, {@code A(XY) = A(X) + A(Y) - 1} and {@code B(XY) = B(X) + B(Y) + |Y| (A(X) - 1)},
     * modulo 65521.
     *
     * @param first      Adler-32 of {@code X}.
     * @param second     Adler-32 of {@code Y}.
     * @param secondSize {@code |Y|}.
     */
    public static int combine(final int first, final int second, final long secondSize)
    {
        final long a1 = first & 0xFFFF;
        final long b1 = (first >>> 16) & 0xFFFF;
        final long a2 = second & 0xFFFF;
        final long b2 = (second >>> 16) & 0xFFFF;
        final long a = (a1 + a2 + BASE - 1) % BASE;
        final long b = (b1 + b2 + (secondSize % BASE) * ((a1 + BASE - 1) % BASE)) % BASE;
        return (int)(b << 16 | a);
    }
}
