package dev.outpost.codec.changeset;

import org.agrona.DirectBuffer;

/**
 * Well-formed UTF-8 (Unicode 15, table 3-7), checked in place over bytes without decoding: what Java's strict
 * {@code CharsetDecoder} accepts. Rejected: stray continuation bytes, C0/C1 and other overlong forms, UTF-16
 * surrogates encoded as UTF-8 (ED A0..BF), code points above U+10FFFF (F4 90.., F5..FF) and truncated sequences.
 * <pre>
 *   00..7F
 *   C2..DF 80..BF
 *   E0     A0..BF 80..BF      E1..EC 80..BF 80..BF      ED 80..9F 80..BF      EE..EF 80..BF 80..BF
 *   F0     90..BF 80..BF 80..BF      F1..F3 80..BF 80..BF 80..BF      F4 80..8F 80..BF 80..BF
 * </pre>
 * Stateless and thread-safe; allocates nothing.
 */
public final class Utf8
{
    private static final long HIGH_BITS = 0x8080808080808080L;

    private Utf8()
    {
    }

    /**
     * @return -1 if {@code [offset, offset+length)} of {@code buffer} is well-formed UTF-8, else the index (relative
     * to {@code offset}) of the first byte of the first ill-formed sequence.
     */
    public static int firstInvalid(final DirectBuffer buffer, final int offset, final int length)
    {
        final int end = offset + length;
        int i = offset;
        while (i < end)
        {
            // ASCII runs eight bytes at a time
            while (i <= end - 8 && (buffer.getLong(i) & HIGH_BITS) == 0)
            {
                i += 8;
            }
            if (i >= end)
            {
                break;
            }
            final int b0 = buffer.getByte(i) & 0xFF;
            if (b0 < 0x80)
            {
                i++;
                continue;
            }
            final int n;
            int lo = 0x80;
            int hi = 0xBF;
            if (b0 >= 0xC2 && b0 <= 0xDF)
            {
                n = 2;
            }
            else if (b0 >= 0xE0 && b0 <= 0xEF)
            {
                n = 3;
                if (b0 == 0xE0)
                {
                    lo = 0xA0;
                }
                else if (b0 == 0xED)
                {
                    hi = 0x9F;
                }
            }
            else if (b0 >= 0xF0 && b0 <= 0xF4)
            {
                n = 4;
                if (b0 == 0xF0)
                {
                    lo = 0x90;
                }
                else if (b0 == 0xF4)
                {
                    hi = 0x8F;
                }
            }
            else
            {
                return i - offset;
            }
            if (n > end - i)
            {
                return i - offset;
            }
            final int b1 = buffer.getByte(i + 1) & 0xFF;
            if (b1 < lo || b1 > hi)
            {
                return i - offset;
            }
            for (int k = 2; k < n; k++)
            {
                if ((buffer.getByte(i + k) & 0xC0) != 0x80)
                {
                    return i - offset;
                }
            }
            i += n;
        }
        return -1;
    }
}
