package dev.outpost.codec.message;

import org.agrona.DirectBuffer;

import dev.outpost.codec.CodecException;
import dev.outpost.codec.ProtocolErrorCode;

/**
 * Reads ASCII head fields in place: unsigned decimals ended by one expected delimiter, nothing allocated on
 * success. Canonical form only: no sign, no leading zero (except {@code 0} itself), value below 2^63.
 * Not thread-safe; each decoder owns one.
 */
final class HeadCursor
{
    static final byte SP = ' ';
    static final byte NL = '\n';

    private static final long MAX_DIV_10 = Long.MAX_VALUE / 10;

    private DirectBuffer buffer;
    private int position;
    private int limit;
    private ProtocolErrorCode errorCode = ProtocolErrorCode.BAD_SYNTAX;

    void wrap(final DirectBuffer buffer, final int offset, final int limit, final ProtocolErrorCode errorCode)
    {
        this.buffer = buffer;
        this.position = offset;
        this.limit = limit;
        this.errorCode = errorCode;
    }

    int position()
    {
        return position;
    }

    void position(final int position)
    {
        this.position = position;
    }

    int limit()
    {
        return limit;
    }

    int remaining()
    {
        return limit - position;
    }

    boolean atEnd()
    {
        return position >= limit;
    }

    /** Parses a number in [0, 2^63) followed by {@code terminator}, which is consumed. */
    long number(final byte terminator) throws CodecException
    {
        final DirectBuffer buffer = this.buffer;
        final int limit = this.limit;
        int i = position;
        if (i >= limit)
        {
            throw error("head ended where a number was expected");
        }
        final int start = i;
        long value = 0;
        byte b = buffer.getByte(i);
        while (b >= '0' && b <= '9')
        {
            final int digit = b - '0';
            if (value > MAX_DIV_10 || (value == MAX_DIV_10 && digit > 7))
            {
                throw error("number does not fit in 63 bits");
            }
            value = value * 10 + digit;
            if (++i >= limit)
            {
                throw error("head ended without its terminator");
            }
            b = buffer.getByte(i);
        }
        if (i == start)
        {
            throw error("expected a decimal digit");
        }
        if (i - start > 1 && buffer.getByte(start) == '0')
        {
            throw error("leading zero in number");
        }
        if (b != terminator)
        {
            throw error(terminator == NL ? "expected end of head" : "expected a single space");
        }
        position = i + 1;
        return value;
    }

    /** Parses a {@code 0} or {@code 1} followed by {@code terminator}. */
    boolean bool(final byte terminator) throws CodecException
    {
        final long v = number(terminator);
        if (v > 1)
        {
            throw error("boolean must be 0 or 1");
        }
        return v == 1;
    }

    /** Parses a number that must fit in a non-negative int (sizes, error codes, small enums). */
    int intNumber(final byte terminator) throws CodecException
    {
        final long v = number(terminator);
        if (v > Integer.MAX_VALUE)
        {
            throw error("number too large");
        }
        return (int)v;
    }

    /**
     * Parses a decimal the way {@code std::stod} reads realm's progress estimate, restricted to plain notation:
     * {@code digits[.digits][e[+-]digits]} or {@code .digits}, followed by {@code terminator}. Returns NaN-free
     * doubles; records the text span in {@link #tokenStart()}.
     */
    double decimal(final byte terminator) throws CodecException
    {
        final DirectBuffer buffer = this.buffer;
        final int limit = this.limit;
        int i = position;
        tokenStart = i;
        long mantissa = 0;
        int significant = 0;
        int scale = 0;
        int digits = 0;
        boolean seenPoint = false;
        while (i < limit)
        {
            final byte b = buffer.getByte(i);
            if (b >= '0' && b <= '9')
            {
                digits++;
                if (mantissa == 0 && b == '0')
                {
                    if (seenPoint)
                    {
                        scale++;
                    }
                }
                else if (significant < 18)
                {
                    mantissa = mantissa * 10 + (b - '0');
                    significant++;
                    if (seenPoint)
                    {
                        scale++;
                    }
                }
                else if (!seenPoint)
                {
                    scale--;
                }
            }
            else if (b == '.' && !seenPoint)
            {
                seenPoint = true;
            }
            else
            {
                break;
            }
            i++;
        }
        if (digits == 0)
        {
            throw error("expected a decimal number");
        }
        if (i < limit && (buffer.getByte(i) == 'e' || buffer.getByte(i) == 'E'))
        {
            i++;
            boolean negative = false;
            if (i < limit && (buffer.getByte(i) == '+' || buffer.getByte(i) == '-'))
            {
                negative = buffer.getByte(i) == '-';
                i++;
            }
            int exponent = 0;
            int expDigits = 0;
            while (i < limit && buffer.getByte(i) >= '0' && buffer.getByte(i) <= '9')
            {
                if (exponent < 10_000)
                {
                    exponent = exponent * 10 + (buffer.getByte(i) - '0');
                }
                expDigits++;
                i++;
            }
            if (expDigits == 0)
            {
                throw error("exponent without digits");
            }
            scale += negative ? exponent : -exponent;
        }
        if (i >= limit)
        {
            throw error("head ended without its terminator");
        }
        if (buffer.getByte(i) != terminator)
        {
            throw error("expected a single space");
        }
        tokenEnd = i;
        position = i + 1;
        return scaled(mantissa, scale);
    }

    private int tokenStart;
    private int tokenEnd;

    int tokenStart()
    {
        return tokenStart;
    }

    int tokenEnd()
    {
        return tokenEnd;
    }

    private static final double[] POW10 = {
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22 };

    private static double scaled(final long mantissa, final int scale)
    {
        if (mantissa == 0)
        {
            return 0.0;
        }
        if (scale >= 0)
        {
            return scale < POW10.length ? mantissa / POW10[scale] : scale > 400 ? 0.0 : mantissa / Math.pow(10, scale);
        }
        final int up = -scale;
        return up < POW10.length ? mantissa * POW10[up] : Double.POSITIVE_INFINITY;
    }

    CodecException error(final String message)
    {
        return new CodecException(errorCode, message);
    }
}
