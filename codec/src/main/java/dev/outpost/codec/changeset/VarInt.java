package dev.outpost.codec.changeset;

import dev.outpost.codec.CodecException;
import dev.outpost.codec.ProtocolErrorCode;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The changeset's signed variable-length integer (realm-core {@code integer_codec.hpp}); not zig-zag LEB128.
 * <pre>
 *   continuation byte:  1 d d d d d d d    7 value bits, least significant group first
 *   final byte:         0 s d d d d d d    6 value bits; s = 1 means the value is -(v)-1
 * </pre>
 * A negative {@code v} is written as {@code -(v+1)} with the sign bit set in the final byte. Values of unsigned
 * fields never carry the sign bit; an uint64 of 2^63 or more uses the 10th byte's lowest bit as bit 63.
 * <p>
 * <b>Canonical form.</b> realm-core's encoder always writes the shortest form. Readers here reject every other
 * form (a final byte contributing nothing after a continuation byte whose bit 6 is clear, e.g. {@code 80 00} for
 * 0) so a decoded value re-encodes to the same bytes. A consequence callers rely on: the number of bytes a read
 * consumed is {@link #sizeOf(long)} (or {@link #sizeOfUnsigned(long)} for an uint64) of the value returned.
 * <p>
 * Readers take {@code limit}, the first offset they may not read, and fail with
 * {@link ProtocolErrorCode#BAD_CHANGESET} on truncated input, more bytes than the width allows, the sign bit on an
 * unsigned field, a value out of the width's range, or a non-canonical form. Writers check nothing but capacity
 * (through the buffer's own bounds checks) and return the number of bytes written.
 * <p>
 * Stateless; safe from any thread.
 */
public final class VarInt
{
    /** Maximum length of an int64 or uint64: ceil((1 + 64) / 7). */
    public static final int MAX_LENGTH_64 = 10;
    /** Maximum length of an int32 or uint32: ceil((1 + 32) / 7). */
    public static final int MAX_LENGTH_32 = 5;
    /** Maximum length of an int8 or uint8: ceil((1 + 8) / 7). */
    public static final int MAX_LENGTH_8 = 2;

    /** Largest uint32. */
    public static final long UINT32_MAX = 0xFFFF_FFFFL;

    private VarInt()
    {
    }

    /** @return encoded length of the signed value {@code v} (1 to 10). */
    public static int sizeOf(final long v)
    {
        final long m = v < 0 ? ~v : v;
        // m < 2^6 takes 1 byte, each further 7 bits one more.
        final int bits = 64 - Long.numberOfLeadingZeros(m >>> 6);
        return 1 + (bits + 6) / 7;
    }

    /** @return encoded length of {@code v} read as an uint64 (1 to 10). */
    public static int sizeOfUnsigned(final long v)
    {
        final int bits = 64 - Long.numberOfLeadingZeros(v >>> 6);
        return 1 + (bits + 6) / 7;
    }

    /**
     * Write a signed value (int8 .. int64; any non-negative unsigned value below 2^63 encodes the same way).
     *
     * @return bytes written.
     */
    public static int write(final MutableDirectBuffer buffer, final int offset, final long value)
    {
        long v = value;
        int sign = 0;
        if (v < 0)
        {
            v = ~v;
            sign = 0x40;
        }
        int p = offset;
        while ((v >>> 6) != 0)
        {
            buffer.putByte(p++, (byte)(0x80 | (v & 0x7F)));
            v >>>= 7;
        }
        buffer.putByte(p++, (byte)(sign | v));
        return p - offset;
    }

    /**
     * Write {@code value} as an uint64 (two's complement bits read as unsigned).
     *
     * @return bytes written.
     */
    public static int writeUnsigned(final MutableDirectBuffer buffer, final int offset, final long value)
    {
        long v = value;
        int p = offset;
        while ((v >>> 6) != 0)
        {
            buffer.putByte(p++, (byte)(0x80 | (v & 0x7F)));
            v >>>= 7;
        }
        buffer.putByte(p++, (byte)v);
        return p - offset;
    }

    /** @return the int64 at {@code offset}; it took {@link #sizeOf(long)} bytes. */
    public static long readInt64(final DirectBuffer buffer, final int offset, final int limit) throws CodecException
    {
        return decode(buffer, offset, limit, MAX_LENGTH_64, false, 0);
    }

    /** @return the uint64 at {@code offset} as two's complement bits; it took {@link #sizeOfUnsigned(long)} bytes. */
    public static long readUint64(final DirectBuffer buffer, final int offset, final int limit) throws CodecException
    {
        return decode(buffer, offset, limit, MAX_LENGTH_64, true, 0);
    }

    /** @return the int32 at {@code offset}. */
    public static int readInt32(final DirectBuffer buffer, final int offset, final int limit) throws CodecException
    {
        final long v = decode(buffer, offset, limit, MAX_LENGTH_32, false, 0);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE)
        {
            throw error(offset, "int32 out of range");
        }
        return (int)v;
    }

    /** @return the uint32 at {@code offset}, 0 .. 2^32-1. */
    public static long readUint32(final DirectBuffer buffer, final int offset, final int limit) throws CodecException
    {
        final long v = decode(buffer, offset, limit, MAX_LENGTH_32, true, 0);
        if (v > UINT32_MAX)
        {
            throw error(offset, "uint32 out of range");
        }
        return v;
    }

    /** @return the uint8 at {@code offset}, 0 .. 255. */
    public static int readUint8(final DirectBuffer buffer, final int offset, final int limit) throws CodecException
    {
        final long v = decode(buffer, offset, limit, MAX_LENGTH_8, true, 0);
        if (v > 0xFF)
        {
            throw error(offset, "uint8 out of range");
        }
        return (int)v;
    }

    /**
     * Decode one integer of at most {@code maxBytes} bytes. Unsigned: the sign bit is an error and the result is the
     * magnitude (up to 64 bits). Signed: the magnitude must fit 63 bits. Error messages report
     * {@code offset - base}.
     */
    static long decode(
        final DirectBuffer buffer,
        final int offset,
        final int limit,
        final int maxBytes,
        final boolean unsigned,
        final int base)
        throws CodecException
    {
        long m = 0;
        int prev = 0;
        for (int i = 0; ; i++)
        {
            final int p = offset + i;
            if (p >= limit)
            {
                throw error(offset - base, "truncated integer");
            }
            final int c = buffer.getByte(p) & 0xFF;
            if ((c & 0x80) == 0)
            {
                final long bits = c & 0x3F;
                if (i > 0 && bits == 0 && (prev & 0x40) == 0)
                {
                    throw error(offset - base, "non-canonical integer encoding");
                }
                if (i == 9 && bits > 1)
                {
                    throw error(offset - base, "integer overflows 64 bits");
                }
                m |= bits << (7 * i);
                final boolean negative = (c & 0x40) != 0;
                if (unsigned)
                {
                    if (negative)
                    {
                        throw error(offset - base, "negative value in unsigned field");
                    }
                    return m;
                }
                if (m < 0)
                {
                    throw error(offset - base, "int64 out of range");
                }
                return negative ? ~m : m;
            }
            if (i == maxBytes - 1)
            {
                throw error(offset - base, "integer too long");
            }
            m |= (long)(c & 0x7F) << (7 * i);
            prev = c;
        }
    }

    static CodecException error(final int offset, final String reason)
    {
        return new CodecException(ProtocolErrorCode.BAD_CHANGESET, reason + " at offset " + offset);
    }
}
