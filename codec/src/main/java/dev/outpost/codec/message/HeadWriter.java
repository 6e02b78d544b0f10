package dev.outpost.codec.message;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Writes head tokens in canonical form without allocating. Expandable Agrona buffers grow as needed; a fixed buffer
 * that is too small raises Agrona's {@code IndexOutOfBoundsException} (a caller bug, never input-dependent).
 */
final class HeadWriter
{
    private static final int MICROS = 1_000_000;

    private HeadWriter()
    {
    }

    static int word(final MutableDirectBuffer dst, final int index, final MessageType type)
    {
        final byte[] bytes = type.wireBytes();
        dst.putBytes(index, bytes);
        return index + bytes.length;
    }

    /** Writes {@code ' '} then the number; returns the new index. */
    static int field(final MutableDirectBuffer dst, final int index, final long value)
    {
        if (value < 0)
        {
            throw new IllegalArgumentException("head numbers are unsigned: " + value);
        }
        dst.putByte(index, HeadCursor.SP);
        return index + 1 + dst.putNaturalLongAscii(index + 1, value);
    }

    static int field(final MutableDirectBuffer dst, final int index, final boolean value)
    {
        dst.putByte(index, HeadCursor.SP);
        dst.putByte(index + 1, value ? (byte)'1' : (byte)'0');
        return index + 2;
    }

    /**
     * Writes {@code ' '} then a progress estimate in [0, 1] as a decimal with up to six fraction digits and at
     * least one ({@code 0.0}, {@code 0.25}, {@code 1.0}).
     */
    static int decimalField(final MutableDirectBuffer dst, final int index, final double value)
    {
        if (!(value >= 0.0 && value <= 1.0))
        {
            throw new IllegalArgumentException("progress estimate outside [0, 1]: " + value);
        }
        int i = index;
        dst.putByte(i++, HeadCursor.SP);
        long micros = Math.round(value * MICROS);
        if (micros >= MICROS)
        {
            dst.putByte(i++, (byte)'1');
            micros = 0;
        }
        else
        {
            dst.putByte(i++, (byte)'0');
        }
        dst.putByte(i++, (byte)'.');
        if (micros == 0)
        {
            dst.putByte(i++, (byte)'0');
            return i;
        }
        int divisor = MICROS / 10;
        while (micros != 0)
        {
            final long digit = micros / divisor;
            dst.putByte(i++, (byte)('0' + digit));
            micros -= digit * divisor;
            divisor /= 10;
        }
        return i;
    }

    static int endHead(final MutableDirectBuffer dst, final int index)
    {
        dst.putByte(index, HeadCursor.NL);
        return index + 1;
    }

    static int body(final MutableDirectBuffer dst, final int index, final DirectBuffer src, final int offset,
        final int length)
    {
        if (length > 0)
        {
            dst.putBytes(index, src, offset, length);
        }
        return index + length;
    }

    /** Ends the head and appends {@code length} body bytes; returns the frame length counted from {@code frame}. */
    static int endWithBody(
        final MutableDirectBuffer dst, final int index, final int frame, final DirectBuffer src, final int offset,
        final int length)
    {
        return body(dst, endHead(dst, index), src, offset, length) - frame;
    }

    /** {@code word <a>\n}; returns the frame length. */
    static int numbers(final MutableDirectBuffer dst, final int offset, final MessageType type, final long a)
    {
        return endHead(dst, field(dst, word(dst, offset, type), a)) - offset;
    }

    /** {@code word <a> <b>\n}; returns the frame length. */
    static int numbers(
        final MutableDirectBuffer dst, final int offset, final MessageType type, final long a, final long b)
    {
        return endHead(dst, field(dst, field(dst, word(dst, offset, type), a), b)) - offset;
    }

    /** {@code word <a> <size>\n<body>}; returns the frame length. */
    static int numbersAndBody(
        final MutableDirectBuffer dst, final int offset, final MessageType type, final long a,
        final DirectBuffer src, final int srcOffset, final int length)
    {
        final int i = field(dst, field(dst, word(dst, offset, type), a), length);
        return endWithBody(dst, i, offset, src, srcOffset, length);
    }

    /** {@code word <a> <b> <size>\n<body>}; returns the frame length. */
    static int numbersAndBody(
        final MutableDirectBuffer dst, final int offset, final MessageType type, final long a, final long b,
        final DirectBuffer src, final int srcOffset, final int length)
    {
        final int i = field(dst, field(dst, field(dst, word(dst, offset, type), a), b), length);
        return endWithBody(dst, i, offset, src, srcOffset, length);
    }

    /** {@code json_error <code> <size> <sess>\n<json>} (same grammar both ways); returns the frame length. */
    static int jsonError(
        final MutableDirectBuffer dst, final int offset, final MessageType type, final int errorCode,
        final long sessionIdent, final DirectBuffer json, final int jsonOffset, final int jsonLength)
    {
        final int i = field(dst, field(dst, field(dst, word(dst, offset, type), errorCode), jsonLength), sessionIdent);
        return endWithBody(dst, i, offset, json, jsonOffset, jsonLength);
    }

    /**
     * @return whether {@code src[start, end)} is exactly what {@link #decimalField} writes for {@code value}.
     * Diagnostic (tests, fuzzing); allocates a small scratch buffer.
     */
    static boolean isCanonicalDecimal(final DirectBuffer src, final int start, final int end, final double value)
    {
        final byte[] scratch = new byte[16];
        final org.agrona.concurrent.UnsafeBuffer tmp = new org.agrona.concurrent.UnsafeBuffer(scratch);
        final int len = decimalField(tmp, 0, value) - 1;
        if (len != end - start)
        {
            return false;
        }
        for (int k = 0; k < len; k++)
        {
            if (scratch[k + 1] != src.getByte(start + k))
            {
                return false;
            }
        }
        return true;
    }
}
