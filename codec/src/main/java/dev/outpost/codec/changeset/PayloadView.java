package dev.outpost.codec.changeset;

import org.agrona.DirectBuffer;

/**
 * A payload: type tag plus value. Strings, binaries, ObjectIds and UUIDs are left in the source buffer
 * ({@link #bytesBuffer()}, {@link #bytesOffset()}, {@link #bytesLength()}); nothing is copied. A reusable holder.
 * Not thread-safe.
 */
public final class PayloadView
{
    private int type;
    private long longValue;
    private long longValue2;
    private int intValue;
    private int intValue2;
    private DirectBuffer buffer;
    private int offset;
    private int length;
    private final PrimaryKeyView linkKey = new PrimaryKeyView();

    /** @return a {@code Instr.TYPE_*} tag (never GlobalKey). */
    public int type()
    {
        return type;
    }

    /** @return Int value, Bool (0/1), or Timestamp seconds. */
    public long longValue()
    {
        return longValue;
    }

    public boolean boolValue()
    {
        return longValue != 0;
    }

    /** @return Timestamp nanoseconds. */
    public int nanos()
    {
        return intValue;
    }

    public float floatValue()
    {
        return Float.intBitsToFloat(intValue);
    }

    public double doubleValue()
    {
        return Double.longBitsToDouble(longValue);
    }

    /** @return low 64 bits of a Decimal128 coefficient. */
    public long decimalLow()
    {
        return longValue;
    }

    /** @return high bits (up to 49) of a Decimal128 coefficient. */
    public long decimalHigh()
    {
        return longValue2;
    }

    public int decimalExponent()
    {
        return intValue;
    }

    public boolean decimalNegative()
    {
        return intValue2 != 0;
    }

    /** @return intern index of the link target table. */
    public int linkTable()
    {
        return (int)longValue2;
    }

    /** @return the link target's primary key. */
    public PrimaryKeyView linkKey()
    {
        return linkKey;
    }

    public DirectBuffer bytesBuffer()
    {
        return buffer;
    }

    public int bytesOffset()
    {
        return offset;
    }

    public int bytesLength()
    {
        return length;
    }

    /** Payloads that carry no data: Null, Erased, ObjectValue, List, Dictionary, Set. */
    public PayloadView setEmpty(final int type)
    {
        this.type = type;
        return this;
    }

    public PayloadView setInt(final long value)
    {
        type = Instr.TYPE_INT;
        longValue = value;
        return this;
    }

    public PayloadView setBool(final boolean value)
    {
        type = Instr.TYPE_BOOL;
        longValue = value ? 1 : 0;
        return this;
    }

    public PayloadView setTimestamp(final long seconds, final int nanos)
    {
        type = Instr.TYPE_TIMESTAMP;
        longValue = seconds;
        intValue = nanos;
        return this;
    }

    public PayloadView setFloatBits(final int bits)
    {
        type = Instr.TYPE_FLOAT;
        intValue = bits;
        return this;
    }

    public PayloadView setDoubleBits(final long bits)
    {
        type = Instr.TYPE_DOUBLE;
        longValue = bits;
        return this;
    }

    public PayloadView setDecimal(final long low, final long high, final int exponent, final boolean negative)
    {
        type = Instr.TYPE_DECIMAL;
        longValue = low;
        longValue2 = high;
        intValue = exponent;
        intValue2 = negative ? 1 : 0;
        return this;
    }

    /** String, Binary (any length), ObjectId (12 bytes) or UUID (16 bytes). */
    public PayloadView setBytes(final int type, final DirectBuffer buffer, final int offset, final int length)
    {
        this.type = type;
        this.buffer = buffer;
        this.offset = offset;
        this.length = length;
        return this;
    }

    /** Link to {@code table}; fill {@link #linkKey()} with the target's key. */
    public PayloadView setLink(final int table)
    {
        type = Instr.TYPE_LINK;
        longValue2 = table;
        return this;
    }
}
