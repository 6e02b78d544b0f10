package dev.outpost.ot.rules;

import java.math.BigDecimal;

import dev.outpost.ot.query.Compare;
import dev.outpost.ot.query.ObjectView;
import dev.outpost.ot.query.ValueKind;

/**
 * MongoDB's comparison of a field value (read through an {@link ObjectView}) with an {@link Operand}: values compare
 * only within their type bracket (numbers of any representation together, strings in code point order = UTF-8 byte
 * order, binary data by length then subtype then bytes, ObjectIds by bytes, false before true, dates by time).
 * NaN equals NaN and compares with nothing else. Allocation-free except for Decimal128 values.
 */
final class Mongo
{
    /** Values of different brackets (or a kind with no bracket): equal to nothing, ordered with nothing. */
    static final int INCOMPARABLE = Integer.MIN_VALUE;


    private Mongo()
    {
    }

    /** @return the operand's bracket (-1: none). */
    static int bracket(final Operand.Kind k)
    {
        return switch (k)
        {
            case NULL -> 1;
            case NUMBER -> 2;
            case STRING -> 3;
            case BINDATA -> 5;
            case OBJECT_ID -> 6;
            case BOOL -> 7;
            case DATE -> 8;
            default -> -1;
        };
    }

    /** @return the field value's bracket (-1: none). */
    static int bracket(final ValueKind k)
    {
        return switch (k)
        {
            case NULL -> 1;
            case INT, FLOAT, DOUBLE, DECIMAL -> 2;
            case STRING -> 3;
            case BINARY, UUID -> 5;
            case OBJECT_ID -> 6;
            case BOOL -> 7;
            case TIMESTAMP -> 8;
            default -> -1;
        };
    }

    /**
     * @return the sign of (field value - operand), 0 if equal, or {@link #INCOMPARABLE}.
     */
    static int compare(final ObjectView o, final String field, final int index, final ValueKind k, final Operand lit)
    {
        final int b = bracket(k);
        if (b < 0 || b != bracket(lit.kind))
        {
            return INCOMPARABLE;
        }
        switch (k)
        {
            case NULL:
                return 0;
            case INT:
                return litNaN(lit) ? INCOMPARABLE : compareLong(o.intValue(field, index), lit);
            case FLOAT:
                return compareDouble(o.floatValue(field, index), lit);
            case DOUBLE:
                return compareDouble(o.doubleValue(field, index), lit);
            case DECIMAL:
                return litNaN(lit) ? INCOMPARABLE : compareDecimal(o.decimalValue(field, index), lit);
            case STRING:
                return strings(o.stringValue(field, index), lit.stringValue);
            case BINARY:
            case UUID:
            {
                final byte[] v = o.bytesValue(field, index);
                if (v.length != lit.bytes.length)
                {
                    return v.length < lit.bytes.length ? -1 : 1;
                }
                final int sub = k == ValueKind.UUID ? 4 : 0;
                if (sub != lit.subtype)
                {
                    return sub < lit.subtype ? -1 : 1;
                }
                return bytes(v, lit.bytes);
            }
            case OBJECT_ID:
                return bytes(o.bytesValue(field, index), lit.bytes);
            case BOOL:
                return Boolean.compare(o.boolValue(field, index), lit.boolValue);
            case TIMESTAMP:
                return times(o.timestampSeconds(field, index), o.timestampNanos(field, index), lit.seconds,
                    lit.nanos);
            default:
                return INCOMPARABLE;
        }
    }

    private static boolean litNaN(final Operand lit)
    {
        return lit.numberKind == Operand.DOUBLE && Double.isNaN(lit.doubleValue);
    }

    private static int compareLong(final long v, final Operand lit)
    {
        return switch (lit.numberKind)
        {
            case Operand.LONG -> Long.compare(v, lit.longValue) < 0 ? -1 : v == lit.longValue ? 0 : 1;
            case Operand.DOUBLE -> longDouble(v, lit.doubleValue);
            default -> BigDecimal.valueOf(v).compareTo(lit.decimalValue);
        };
    }

    private static int compareDouble(final double v, final Operand lit)
    {
        // MongoDB: NaN equals NaN (so $eq, $gte, $lte match it) and is otherwise neither above nor below anything
        final boolean litNaN = litNaN(lit);
        if (Double.isNaN(v) || litNaN)
        {
            return Double.isNaN(v) && litNaN ? 0 : INCOMPARABLE;
        }
        return switch (lit.numberKind)
        {
            case Operand.LONG -> -longDouble(lit.longValue, v);
            case Operand.DOUBLE -> doubles(v, lit.doubleValue);
            default -> -decimalDouble(lit.decimalValue, v);
        };
    }

    private static int compareDecimal(final BigDecimal v, final Operand lit)
    {
        return switch (lit.numberKind)
        {
            case Operand.LONG -> Integer.signum(v.compareTo(BigDecimal.valueOf(lit.longValue)));
            case Operand.DOUBLE -> decimalDouble(v, lit.doubleValue);
            default -> Integer.signum(v.compareTo(lit.decimalValue));
        };
    }

    /**
     * Points in time as seconds and nanoseconds, compared by their total (Realm keeps both of one sign, but a value
     * from a peer may not: each is moved to a floor second and a nanosecond 0..999,999,999 first).
     */
    static int times(final long s1, final int n1, final long s2, final int n2)
    {
        final long a = n1 < 0 ? s1 - 1 : s1;
        final long b = n2 < 0 ? s2 - 1 : s2;
        if (a != b)
        {
            // s - 1 cannot wrap for any second a 64-bit Realm timestamp holds in practice; compare the originals then
            return (s1 == Long.MIN_VALUE || s2 == Long.MIN_VALUE) ? Long.compare(s1, s2) : a < b ? -1 : 1;
        }
        final int x = n1 < 0 ? n1 + 1_000_000_000 : n1;
        final int y = n2 < 0 ? n2 + 1_000_000_000 : n2;
        return x < y ? -1 : x == y ? 0 : 1;
    }

    /** Doubles (NaN handled by the caller): -0 equals 0; the query package's order. */
    static int doubles(final double a, final double b)
    {
        return Compare.doubles(a, b);
    }

    /** Exact comparison of a long with a non-NaN double. */
    static int longDouble(final long a, final double b)
    {
        return Compare.longDouble(a, b);
    }

    /** Exact comparison of a decimal with a non-NaN double. */
    static int decimalDouble(final BigDecimal a, final double b)
    {
        return Compare.decimalDouble(a, b);
    }

    /** Strings in code point order (= UTF-8 byte order, MongoDB's simple collation). */
    static int strings(final String a, final String b)
    {
        return Compare.strings(a, b);
    }

    /** Unsigned lexicographic byte order. */
    static int bytes(final byte[] a, final byte[] b)
    {
        final int n = Math.min(a.length, b.length);
        for (int i = 0; i < n; i++)
        {
            if (a[i] != b[i])
            {
                return (a[i] & 0xff) < (b[i] & 0xff) ? -1 : 1;
            }
        }
        return a.length < b.length ? -1 : a.length == b.length ? 0 : 1;
    }
}
