package dev.outpost.ot.model;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

import dev.outpost.codec.changeset.Instr;

/**
 * A value carried by Update, ArrayInsert, SetInsert and SetErase: a {@code Instr.TYPE_*} tag plus its data. Covers
 * every wire type: Null, Int, Bool, String (raw UTF-8 bytes, kept as received so re-encoding is byte-exact), Binary,
 * Timestamp, Float, Double, Decimal128 (BID coefficient, exponent, sign), Link (target table and key), ObjectId,
 * UUID, and the data-less markers Erased, ObjectValue, List, Dictionary and Set.
 * <p>
 * Immutable value. {@link #equals} is exact structural equality (floats by bits) for model comparisons;
 * {@link #sameValue} is realm-core's "same payload" test used by the merge rules (floats by {@code ==}, Decimal128
 * numerically). Thread-safe (immutable).
 */
public final class Payload
{
    private static final byte[] EMPTY = new byte[0];
    private static final Payload NULL = new Payload(Instr.TYPE_NULL, 0, 0, 0, false, null, null, null);
    private static final Payload ERASED = new Payload(Instr.TYPE_ERASED, 0, 0, 0, false, null, null, null);
    private static final Payload OBJECT_VALUE = new Payload(Instr.TYPE_OBJECT_VALUE, 0, 0, 0, false, null, null, null);
    private static final Payload LIST = new Payload(Instr.TYPE_LIST, 0, 0, 0, false, null, null, null);
    private static final Payload DICTIONARY = new Payload(Instr.TYPE_DICTIONARY, 0, 0, 0, false, null, null, null);
    private static final Payload SET = new Payload(Instr.TYPE_SET, 0, 0, 0, false, null, null, null);

    private final int type;
    private final long a;
    private final long b;
    private final int c;
    private final boolean negative;
    private final byte[] bytes;
    private final String linkTable;
    private final PrimaryKey linkKey;

    private Payload(
        final int type, final long a, final long b, final int c, final boolean negative, final byte[] bytes,
        final String linkTable, final PrimaryKey linkKey)
    {
        this.type = type;
        this.a = a;
        this.b = b;
        this.c = c;
        this.negative = negative;
        this.bytes = bytes;
        this.linkTable = linkTable;
        this.linkKey = linkKey;
    }

    public static Payload ofNull()
    {
        return NULL;
    }

    /** Dictionary erase marker. */
    public static Payload erased()
    {
        return ERASED;
    }

    /** Creates an embedded object in place. */
    public static Payload objectValue()
    {
        return OBJECT_VALUE;
    }

    /** Creates an empty list in place (Mixed). */
    public static Payload list()
    {
        return LIST;
    }

    /** Creates an empty dictionary in place (Mixed). */
    public static Payload dictionary()
    {
        return DICTIONARY;
    }

    /** Creates an empty set in place (Mixed). */
    public static Payload set()
    {
        return SET;
    }

    /**
     * @param type one of the data-less tags (Null, Erased, ObjectValue, List, Dictionary, Set)
     * @return the payload, or null if {@code type} carries data
     */
    public static Payload ofEmpty(final int type)
    {
        switch (type)
        {
            case Instr.TYPE_NULL:
                return NULL;
            case Instr.TYPE_ERASED:
                return ERASED;
            case Instr.TYPE_OBJECT_VALUE:
                return OBJECT_VALUE;
            case Instr.TYPE_LIST:
                return LIST;
            case Instr.TYPE_DICTIONARY:
                return DICTIONARY;
            case Instr.TYPE_SET:
                return SET;
            default:
                return null;
        }
    }

    public static Payload ofInt(final long value)
    {
        return new Payload(Instr.TYPE_INT, value, 0, 0, false, null, null, null);
    }

    public static Payload ofBool(final boolean value)
    {
        return new Payload(Instr.TYPE_BOOL, value ? 1 : 0, 0, 0, false, null, null, null);
    }

    public static Payload ofString(final String value)
    {
        return ofStringUtf8(value.getBytes(StandardCharsets.UTF_8));
    }

    /** @param utf8 the string's bytes as on the wire (copied, not validated). */
    public static Payload ofStringUtf8(final byte[] utf8)
    {
        return new Payload(Instr.TYPE_STRING, 0, 0, 0, false, utf8.length == 0 ? EMPTY : utf8.clone(), null, null);
    }

    public static Payload ofBinary(final byte[] value)
    {
        return new Payload(Instr.TYPE_BINARY, 0, 0, 0, false, value.length == 0 ? EMPTY : value.clone(), null, null);
    }

    public static Payload ofTimestamp(final long seconds, final int nanos)
    {
        return new Payload(Instr.TYPE_TIMESTAMP, seconds, 0, nanos, false, null, null, null);
    }

    public static Payload ofFloat(final float value)
    {
        return ofFloatBits(Float.floatToRawIntBits(value));
    }

    public static Payload ofFloatBits(final int bits)
    {
        return new Payload(Instr.TYPE_FLOAT, 0, 0, bits, false, null, null, null);
    }

    public static Payload ofDouble(final double value)
    {
        return ofDoubleBits(Double.doubleToRawLongBits(value));
    }

    public static Payload ofDoubleBits(final long bits)
    {
        return new Payload(Instr.TYPE_DOUBLE, bits, 0, 0, false, null, null, null);
    }

    /** Decimal128 as on the wire: 113-bit coefficient (low 64 bits, high bits), exponent and sign. */
    public static Payload ofDecimal(final long low, final long high, final int exponent, final boolean negative)
    {
        return new Payload(Instr.TYPE_DECIMAL, low, high, exponent, negative, null, null, null);
    }

    public static Payload ofLink(final String targetTable, final PrimaryKey target)
    {
        return new Payload(
            Instr.TYPE_LINK, 0, 0, 0, false, null, Objects.requireNonNull(targetTable), Objects.requireNonNull(target));
    }

    public static Payload ofObjectId(final byte[] id)
    {
        return new Payload(Instr.TYPE_OBJECT_ID, 0, 0, 0, false, PrimaryKey.copyOf(id, 12), null, null);
    }

    public static Payload ofUuid(final byte[] uuid)
    {
        return new Payload(Instr.TYPE_UUID, 0, 0, 0, false, PrimaryKey.copyOf(uuid, 16), null, null);
    }

    /** @return the {@code Instr.TYPE_*} tag. */
    public int type()
    {
        return type;
    }

    public boolean isNull()
    {
        return type == Instr.TYPE_NULL;
    }

    /** @return Int value, Bool as 0/1, or Timestamp seconds. */
    public long intValue()
    {
        return a;
    }

    public boolean boolValue()
    {
        return a != 0;
    }

    public long timestampSeconds()
    {
        return a;
    }

    public int timestampNanos()
    {
        return c;
    }

    public int floatBits()
    {
        return c;
    }

    public long doubleBits()
    {
        return a;
    }

    public long decimalLow()
    {
        return a;
    }

    public long decimalHigh()
    {
        return b;
    }

    public int decimalExponent()
    {
        return c;
    }

    public boolean decimalNegative()
    {
        return negative;
    }

    /** @return String (UTF-8), Binary, ObjectId or UUID bytes (a copy), or null for other types. */
    public byte[] bytes()
    {
        return bytes == null ? null : bytes.clone();
    }

    /** @return the number of String/Binary/ObjectId/UUID bytes. */
    public int bytesLength()
    {
        return bytes == null ? 0 : bytes.length;
    }

    /** @return byte {@code i} of the String/Binary/ObjectId/UUID data, without copying. */
    public byte byteAt(final int i)
    {
        return bytes[i];
    }

    /** @return the String value decoded from UTF-8 (malformed input replaced), or null for other types. */
    public String stringValue()
    {
        return type == Instr.TYPE_STRING ? new String(bytes, StandardCharsets.UTF_8) : null;
    }

    public String linkTable()
    {
        return linkTable;
    }

    public PrimaryKey linkKey()
    {
        return linkKey;
    }

    /**
     * realm-core's {@code same_payload}: same type and value, strings and binaries by content, links by target
     * table name and key, Float/Double with IEEE {@code ==}, Decimal128 numerically.
     */
    public boolean sameValue(final Payload o)
    {
        if (type != o.type)
        {
            return false;
        }
        switch (type)
        {
            case Instr.TYPE_FLOAT:
                return Float.intBitsToFloat(c) == Float.intBitsToFloat(o.c);
            case Instr.TYPE_DOUBLE:
                return Double.longBitsToDouble(a) == Double.longBitsToDouble(o.a);
            case Instr.TYPE_DECIMAL:
                return decimal().compareTo(o.decimal()) == 0;
            default:
                return equals(o);
        }
    }

    private BigDecimal decimal()
    {
        final BigInteger coefficient = BigInteger.valueOf(b).shiftLeft(64).or(new BigInteger(Long.toUnsignedString(a)));
        final BigDecimal d = new BigDecimal(coefficient, -c);
        return negative ? d.negate() : d;
    }

    @Override
    public boolean equals(final Object o)
    {
        if (this == o)
        {
            return true;
        }
        if (!(o instanceof Payload))
        {
            return false;
        }
        final Payload p = (Payload)o;
        return type == p.type && a == p.a && b == p.b && c == p.c && negative == p.negative &&
            Arrays.equals(bytes, p.bytes) && Objects.equals(linkTable, p.linkTable) && Objects.equals(linkKey, p.linkKey);
    }

    @Override
    public int hashCode()
    {
        int h = type;
        h = 31 * h + Long.hashCode(a);
        h = 31 * h + Long.hashCode(b);
        h = 31 * h + c;
        h = 31 * h + (negative ? 1 : 0);
        h = 31 * h + Arrays.hashCode(bytes);
        h = 31 * h + Objects.hashCode(linkTable);
        return 31 * h + Objects.hashCode(linkKey);
    }

    @Override
    public String toString()
    {
        switch (type)
        {
            case Instr.TYPE_NULL:
                return "null";
            case Instr.TYPE_ERASED:
                return "<erased>";
            case Instr.TYPE_OBJECT_VALUE:
                return "{}";
            case Instr.TYPE_LIST:
                return "[]";
            case Instr.TYPE_DICTIONARY:
                return "{:}";
            case Instr.TYPE_SET:
                return "<set>";
            case Instr.TYPE_INT:
                return Long.toString(a);
            case Instr.TYPE_BOOL:
                return a != 0 ? "true" : "false";
            case Instr.TYPE_STRING:
                return '"' + stringValue() + '"';
            case Instr.TYPE_BINARY:
                return "Binary{" + Hex.of(bytes) + "}";
            case Instr.TYPE_TIMESTAMP:
                return "Timestamp{" + a + "," + c + "}";
            case Instr.TYPE_FLOAT:
                return Float.intBitsToFloat(c) + "f";
            case Instr.TYPE_DOUBLE:
                return Double.toString(Double.longBitsToDouble(a));
            case Instr.TYPE_DECIMAL:
                return "Decimal{" + decimal() + "}";
            case Instr.TYPE_LINK:
                return "Link{" + linkTable + "[" + linkKey + "]}";
            case Instr.TYPE_OBJECT_ID:
                return "ObjectId{" + Hex.of(bytes) + "}";
            case Instr.TYPE_UUID:
                return "UUID{" + Hex.of(bytes) + "}";
            default:
                return "?" + type;
        }
    }
}
