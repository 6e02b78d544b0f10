package dev.outpost.ot.rules;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import dev.outpost.ot.state.Value;

/**
 * A value a filter compares fields with: a literal of the rules document (JSON or Extended JSON), or the result of
 * an expansion. Immutable. MongoDB's type brackets decide what compares with what: numbers with numbers (int, long,
 * double, decimal alike), strings, binary data (Realm binary = subtype 0, UUID = subtype 4), ObjectIds, booleans,
 * dates; {@link Kind#MISSING} (an expansion naming nothing) equals nothing.
 */
final class Operand
{
    enum Kind
    {
        MISSING,
        NULL,
        NUMBER,
        STRING,
        BINDATA,
        OBJECT_ID,
        BOOL,
        DATE,
        ARRAY,
        /** An embedded document (only from an expansion): equals nothing. */
        DOCUMENT,
        /** Not known yet: an expansion while rules are validated (never evaluated). */
        UNKNOWN
    }

    /** Number representations of a NUMBER. */
    static final int LONG = 0;
    static final int DOUBLE = 1;
    static final int DECIMAL = 2;

    static final Operand MISSING = new Operand(Kind.MISSING);
    static final Operand NULL = new Operand(Kind.NULL);
    static final Operand UNKNOWN = new Operand(Kind.UNKNOWN);
    static final Operand DOCUMENT = new Operand(Kind.DOCUMENT);
    static final Operand TRUE = bool(true);
    static final Operand FALSE = bool(false);

    final Kind kind;
    int numberKind;
    long longValue;
    double doubleValue;
    BigDecimal decimalValue;
    String stringValue;
    byte[] bytes;
    int subtype;
    boolean boolValue;
    long seconds;
    int nanos;
    Operand[] items;

    private Operand(final Kind kind)
    {
        this.kind = kind;
    }

    static Operand of(final long v)
    {
        final Operand o = new Operand(Kind.NUMBER);
        o.numberKind = LONG;
        o.longValue = v;
        return o;
    }

    static Operand of(final double v)
    {
        final Operand o = new Operand(Kind.NUMBER);
        o.numberKind = DOUBLE;
        o.doubleValue = v;
        return o;
    }

    static Operand of(final BigDecimal v)
    {
        final Operand o = new Operand(Kind.NUMBER);
        o.numberKind = DECIMAL;
        o.decimalValue = v;
        return o;
    }

    static Operand of(final String v)
    {
        final Operand o = new Operand(Kind.STRING);
        o.stringValue = v;
        return o;
    }

    static Operand bool(final boolean v)
    {
        final Operand o = new Operand(Kind.BOOL);
        o.boolValue = v;
        return o;
    }

    static Operand objectId(final byte[] twelve)
    {
        final Operand o = new Operand(Kind.OBJECT_ID);
        o.bytes = twelve;
        return o;
    }

    /** @param subtype 0 for Realm binary, 4 for a UUID. */
    static Operand binData(final byte[] bytes, final int subtype)
    {
        final Operand o = new Operand(Kind.BINDATA);
        o.bytes = bytes;
        o.subtype = subtype;
        return o;
    }

    /** A date as Realm keeps it: seconds and nanoseconds of the same sign. */
    static Operand date(final long seconds, final int nanos)
    {
        final Operand o = new Operand(Kind.DATE);
        o.seconds = seconds;
        o.nanos = nanos;
        return o;
    }

    static Operand millis(final long ms)
    {
        return date(ms / 1000, (int)(ms % 1000) * 1_000_000);
    }

    static Operand array(final Operand[] items)
    {
        final Operand o = new Operand(Kind.ARRAY);
        o.items = items;
        return o;
    }

    /** Names of the Extended JSON wrappers read as typed literals. */
    static boolean isExtendedJson(final Map<?, ?> map)
    {
        if (map.size() != 1)
        {
            return false;
        }
        final Object k = map.keySet().iterator().next();
        return "$oid".equals(k) || "$uuid".equals(k) || "$binary".equals(k) || "$date".equals(k) ||
            "$numberInt".equals(k) || "$numberLong".equals(k) || "$numberDouble".equals(k) ||
            "$numberDecimal".equals(k);
    }

    /**
     * A scalar JSON value (no expansion): string, number, boolean, null or Extended JSON.
     *
     * @param v   the JSON value.
     * @param key where it is, for a refusal.
     * @return the operand, or null if {@code v} is not a scalar (an array or a plain object).
     */
    static Operand scalar(final Object v, final String key)
    {
        if (v == null)
        {
            return NULL;
        }
        if (v instanceof String s)
        {
            return of(s);
        }
        if (v instanceof Boolean b)
        {
            return bool(b);
        }
        if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte)
        {
            return of(((Number)v).longValue());
        }
        if (v instanceof Double || v instanceof Float)
        {
            return of(((Number)v).doubleValue());
        }
        if (v instanceof BigDecimal d)
        {
            return of(d);
        }
        if (v instanceof java.math.BigInteger i)
        {
            return of(new BigDecimal(i));
        }
        if (v instanceof Map<?, ?> m && isExtendedJson(m))
        {
            return extendedJson(m, key);
        }
        return null;
    }

    private static Operand extendedJson(final Map<?, ?> m, final String key)
    {
        final Map.Entry<?, ?> e = m.entrySet().iterator().next();
        final String type = (String)e.getKey();
        final Object v = e.getValue();
        final String k = key + "." + type;
        try
        {
            switch (type)
            {
                case "$oid":
                {
                    final String hex = text(v, k);
                    if (hex.length() != 24)
                    {
                        throw bad(k, "an ObjectId is 24 hex digits");
                    }
                    return objectId(HexFormat.of().parseHex(hex));
                }
                case "$uuid":
                {
                    final String u = text(v, k).replace("-", "");
                    if (u.length() != 32)
                    {
                        throw bad(k, "a UUID is 32 hex digits");
                    }
                    return binData(HexFormat.of().parseHex(u), 4);
                }
                case "$binary":
                {
                    if (!(v instanceof Map<?, ?> b) || !(b.get("base64") instanceof String) ||
                        !(b.get("subType") instanceof String))
                    {
                        throw bad(k, "must be {\"base64\": ..., \"subType\": ...}");
                    }
                    final byte[] bytes = Base64.getDecoder().decode((String)b.get("base64"));
                    final int sub = Integer.parseInt((String)b.get("subType"), 16);
                    if (sub != 0 && sub != 4)
                    {
                        throw bad(k, "binary subtype " + b.get("subType") + " is not a Realm type (00 or 04)");
                    }
                    if (sub == 4 && bytes.length != 16)
                    {
                        throw bad(k, "a UUID (subtype 04) is 16 bytes");
                    }
                    return binData(bytes, sub);
                }
                case "$date":
                {
                    if (v instanceof String s)
                    {
                        final Instant t = Instant.parse(s);
                        final long sec = t.getEpochSecond();
                        final int ns = t.getNano();
                        // Realm's invariant: seconds and nanoseconds share their sign
                        return sec < 0 && ns > 0 ? date(sec + 1, ns - 1_000_000_000) : date(sec, ns);
                    }
                    if (v instanceof Map<?, ?> n && n.size() == 1 && n.get("$numberLong") instanceof String s)
                    {
                        return millis(Long.parseLong(s));
                    }
                    if (v instanceof Long || v instanceof Integer)
                    {
                        return millis(((Number)v).longValue());
                    }
                    throw bad(k, "must be an ISO-8601 string or {\"$numberLong\": \"<ms>\"}");
                }
                case "$numberInt":
                    return of((long)Integer.parseInt(text(v, k)));
                case "$numberLong":
                    return of(Long.parseLong(text(v, k)));
                case "$numberDouble":
                {
                    final String s = text(v, k);
                    return of("Infinity".equals(s) ? Double.POSITIVE_INFINITY : "-Infinity".equals(s) ?
                        Double.NEGATIVE_INFINITY : "NaN".equals(s) ? Double.NaN : Double.parseDouble(s));
                }
                case "$numberDecimal":
                {
                    final String s = text(v, k);
                    if (s.length() > 64)
                    {
                        throw bad(k, "a Decimal128 has at most 34 digits");
                    }
                    return of(new BigDecimal(s));
                }
                default:
                    throw bad(k, "unknown Extended JSON type");
            }
        }
        catch (final NumberFormatException | DateTimeParseException | ArithmeticException ex)
        {
            throw bad(k, "'" + RuleRefusal.clip(String.valueOf(v)) + "' is not a valid " + type.substring(1));
        }
        catch (final IllegalArgumentException ex)
        {
            throw bad(k, "'" + RuleRefusal.clip(String.valueOf(v)) + "' is not a valid " + type.substring(1));
        }
    }

    private static String text(final Object v, final String key)
    {
        if (!(v instanceof String s))
        {
            throw bad(key, "must be a string");
        }
        return s;
    }

    private static RuleRefusal bad(final String key, final String why)
    {
        return new RuleRefusal(RuleRefusal.Kind.SYNTAX, key, why);
    }

    /**
     * A value an expansion gave (user data, custom data, values, the partition): never refused; an object that is
     * not Extended JSON becomes a {@link Kind#DOCUMENT}, which equals nothing.
     */
    static Operand fromValue(final Object v)
    {
        if (v instanceof List<?> list)
        {
            final Operand[] items = new Operand[list.size()];
            for (int i = 0; i < items.length; i++)
            {
                final Object item = list.get(i);
                items[i] = item instanceof List ? DOCUMENT : fromValue(item);
            }
            return array(items);
        }
        try
        {
            final Operand o = scalar(v, "");
            return o == null ? DOCUMENT : o;
        }
        catch (final RuleRefusal bad)
        {
            return DOCUMENT;
        }
    }

    /** Canonical text (Extended JSON forms), for descriptions. */
    void appendTo(final StringBuilder sb)
    {
        switch (kind)
        {
            case MISSING -> sb.append("\"$$MISSING\"");
            case UNKNOWN -> sb.append("\"$$UNKNOWN\"");
            case DOCUMENT -> sb.append("{\"$$DOCUMENT\":1}");
            case NULL -> sb.append("null");
            case BOOL -> sb.append(boolValue);
            case STRING -> appendString(sb, stringValue);
            case NUMBER ->
            {
                switch (numberKind)
                {
                    case LONG -> sb.append("{\"$numberLong\":\"").append(longValue).append("\"}");
                    case DOUBLE -> sb.append("{\"$numberDouble\":\"").append(Double.isNaN(doubleValue) ? "NaN" :
                        Double.isInfinite(doubleValue) ? (doubleValue > 0 ? "Infinity" : "-Infinity") :
                        Double.toString(doubleValue)).append("\"}");
                    default -> sb.append("{\"$numberDecimal\":\"").append(decimalValue.toString()).append("\"}");
                }
            }
            case OBJECT_ID -> sb.append("{\"$oid\":\"").append(HexFormat.of().formatHex(bytes)).append("\"}");
            case BINDATA -> sb.append("{\"$binary\":{\"base64\":\"").append(Base64.getEncoder().encodeToString(bytes))
                .append("\",\"subType\":\"0").append(subtype).append("\"}}");
            case DATE -> sb.append("{\"$date\":{\"seconds\":").append(seconds).append(",\"nanos\":").append(nanos)
                .append("}}");
            case ARRAY ->
            {
                sb.append('[');
                for (int i = 0; i < items.length; i++)
                {
                    if (i > 0)
                    {
                        sb.append(',');
                    }
                    items[i].appendTo(sb);
                }
                sb.append(']');
            }
            default -> throw new IllegalStateException();
        }
    }

    static void appendString(final StringBuilder sb, final String s)
    {
        Value.appendJsonString(sb, s);
    }
}
