package dev.outpost.server.inspect;

import dev.outpost.ot.state.ObjectData;
import dev.outpost.ot.state.Value;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * MongoDB Extended JSON v2 (relaxed and canonical, as {@code mongoexport} writes it) to realm values and back.
 * <p>
 * In: {@code $oid}, {@code $date} (ISO-8601, {@code $numberLong} milliseconds, or a plain number), {@code $numberInt},
 * {@code $numberLong}, {@code $numberDouble} (also {@code Infinity}, {@code -Infinity}, {@code NaN}),
 * {@code $numberDecimal}, {@code $binary} (subtype 04 is a UUID; the legacy {@code $binary}/{@code $type} form too),
 * {@code $uuid}, JSON numbers (integers as int, others as double), strings, booleans, null, nested documents
 * (embedded objects of the class {@code <parent class>_<field>}) and arrays (lists). Anything realm cannot hold
 * ({@code $regularExpression}, {@code $timestamp}, {@code $minKey}, a Decimal128 NaN, an array in an array, a
 * 64-bit overflow ...) is a {@link Unsupported} naming the field. Out: the same forms (canonical or relaxed).
 * Stateless.
 */
public final class ExtendedJson
{
    /** A value realm cannot hold, or malformed Extended JSON; the message names the field. */
    public static final class Unsupported extends Exception
    {
        private static final long serialVersionUID = 1L;

        Unsupported(final String message)
        {
            super(message, null, false, false);
        }
    }

    private static final long MAX_DECIMAL_COEFFICIENT_BITS = 113;

    private ExtendedJson()
    {
    }

    /**
     * @param table the class the document's fields belong to (embedded documents get {@code table_field}).
     * @param doc   one parsed document.
     * @return its fields as an object of {@code table}.
     */
    public static ObjectData document(final String table, final JsonObject doc) throws Unsupported
    {
        final ObjectData o = new ObjectData(table);
        for (final Map.Entry<String, Object> e : doc)
        {
            final String field = e.getKey();
            if (field.isEmpty() || field.startsWith("$") || field.length() > 63)
            {
                throw new Unsupported("field name '" + abbreviate(field) + "' cannot be a realm property name " +
                    "(empty, starting with '$' or longer than 63 characters)");
            }
            o.fields().put(field, value(table, field, e.getValue(), false));
        }
        return o;
    }

    /** @return the realm value of one JSON value of {@code field} (a field of {@code table}). */
    public static Value value(final String table, final String field, final Object v, final boolean inList)
        throws Unsupported
    {
        if (null == v)
        {
            return Value.Null.INSTANCE;
        }
        if (v instanceof String s)
        {
            return new Value.Str(s);
        }
        if (v instanceof Boolean b)
        {
            return b ? Value.Bool.TRUE : Value.Bool.FALSE;
        }
        if (v instanceof Integer || v instanceof Long || v instanceof Short)
        {
            return new Value.Int(((Number)v).longValue());
        }
        if (v instanceof BigInteger)
        {
            throw new Unsupported("field '" + field + "': integer " + v + " does not fit in 64 bits");
        }
        if (v instanceof Number n)
        {
            return Value.DoubleValue.of(n.doubleValue());
        }
        if (v instanceof JsonArray a)
        {
            return list(table, field, a, inList);
        }
        if (v instanceof List<?> l)
        {
            return list(table, field, new JsonArray(l), inList);
        }
        if (v instanceof Map<?, ?> m)
        {
            @SuppressWarnings("unchecked") final Map<String, Object> map = (Map<String, Object>)m;
            return object(table, field, new JsonObject(map));
        }
        if (v instanceof JsonObject o)
        {
            return object(table, field, o);
        }
        throw new Unsupported("field '" + field + "': unsupported JSON value");
    }

    private static Value list(final String table, final String field, final JsonArray a, final boolean inList)
        throws Unsupported
    {
        if (inList)
        {
            throw new Unsupported("field '" + field + "': an array in an array (realm lists hold no lists)");
        }
        final Value.ListValue l = new Value.ListValue();
        for (final Object item : a)
        {
            l.items().add(value(table, field, item, true));
        }
        return l;
    }

    private static Value object(final String table, final String field, final JsonObject o) throws Unsupported
    {
        final String first = o.isEmpty() ? "" : o.fieldNames().iterator().next();
        if (!first.startsWith("$"))
        {
            final ObjectData embedded = document(table + "_" + field, o);
            return new Value.Embedded(embedded);
        }
        try
        {
            switch (first)
            {
                case "$oid":
                    return new Value.ObjectIdValue(hex(o.getString("$oid"), 12));
                case "$numberInt":
                    return new Value.Int(Integer.parseInt(o.getString("$numberInt")));
                case "$numberLong":
                    return new Value.Int(Long.parseLong(o.getString("$numberLong")));
                case "$numberDouble":
                    return Value.DoubleValue.of(parseDouble(o.getString("$numberDouble")));
                case "$numberDecimal":
                    return decimal(field, o.getString("$numberDecimal"));
                case "$date":
                    return date(field, o.getValue("$date"));
                case "$uuid":
                    return new Value.UuidValue(hex(o.getString("$uuid").replace("-", ""), 16));
                case "$binary":
                    return binary(field, o);
                default:
                    throw new Unsupported("field '" + field + "': Extended JSON type " + first +
                        " has no realm type");
            }
        }
        catch (final ClassCastException | IllegalArgumentException | NullPointerException |
            DateTimeParseException ex)
        {
            throw new Unsupported("field '" + field + "': malformed " + first + ": " + abbreviate(o.encode()));
        }
    }

    private static double parseDouble(final String s)
    {
        return switch (s)
        {
            case "Infinity" -> Double.POSITIVE_INFINITY;
            case "-Infinity" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> Double.parseDouble(s);
        };
    }

    private static Value date(final String field, final Object d) throws Unsupported
    {
        final long millis;
        if (d instanceof String iso)
        {
            final Instant i = Instant.parse(iso);
            return new Value.Timestamp(i.getEpochSecond(), i.getNano());
        }
        else if (d instanceof Number n)
        {
            millis = n.longValue();
        }
        else if (d instanceof JsonObject o && o.containsKey("$numberLong"))
        {
            millis = Long.parseLong(o.getString("$numberLong"));
        }
        else if (d instanceof Map<?, ?> m && m.containsKey("$numberLong"))
        {
            millis = Long.parseLong((String)m.get("$numberLong"));
        }
        else
        {
            throw new Unsupported("field '" + field + "': malformed $date");
        }
        return new Value.Timestamp(Math.floorDiv(millis, 1000L), (int)Math.floorMod(millis, 1000L) * 1_000_000);
    }

    private static Value binary(final String field, final JsonObject o) throws Unsupported
    {
        final Object b = o.getValue("$binary");
        final String base64;
        final String subType;
        if (b instanceof JsonObject c)
        {
            base64 = c.getString("base64");
            subType = c.getString("subType");
        }
        else
        {
            base64 = (String)b;
            subType = o.getString("$type");
        }
        final byte[] bytes = Base64.getDecoder().decode(base64);
        final int sub = Integer.parseInt(subType, 16);
        if (sub == 4)
        {
            if (bytes.length != 16)
            {
                throw new Unsupported("field '" + field + "': a UUID (binary subtype 04) of " + bytes.length +
                    " bytes");
            }
            return new Value.UuidValue(bytes);
        }
        if (sub != 0)
        {
            throw new Unsupported("field '" + field + "': binary subtype " + subType + " has no realm type " +
                "(realm binary data is subtype 00, UUIDs are 04)");
        }
        return new Value.Bin(bytes);
    }

    private static Value decimal(final String field, final String text) throws Unsupported
    {
        final BigDecimal d;
        try
        {
            d = new BigDecimal(text);
        }
        catch (final NumberFormatException ex)
        {
            throw new Unsupported("field '" + field + "': Decimal128 '" + abbreviate(text) + "' (NaN and Infinity " +
                "decimals are not imported)");
        }
        final BigInteger coefficient = d.unscaledValue().abs();
        final long exponent = -(long)d.scale();
        if (coefficient.bitLength() > MAX_DECIMAL_COEFFICIENT_BITS || d.precision() > 34 || exponent < -6176 ||
            exponent > 6111)
        {
            throw new Unsupported("field '" + field + "': " + abbreviate(text) + " does not fit in a Decimal128");
        }
        return new Value.Decimal(coefficient.longValue(), coefficient.shiftRight(64).longValue(), (int)exponent,
            d.signum() < 0);
    }

    private static byte[] hex(final String s, final int bytes)
    {
        if (s.length() != bytes * 2)
        {
            throw new IllegalArgumentException("need " + bytes * 2 + " hex digits");
        }
        return HexFormat.of().parseHex(s);
    }

    /**
     * @param s a value as text.
     * @return {@code s}, cut to 80 characters for messages.
     */
    public static String abbreviate(final String s)
    {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }

    // ---------------------------------------------------------------------------------------------------- out

    /**
     * Append one object as an Extended JSON document.
     *
     * @param relaxed relaxed (plain JSON numbers, ISO dates) instead of canonical.
     */
    public static void write(final ObjectData o, final boolean relaxed, final StringBuilder out)
    {
        out.append('{');
        boolean first = true;
        // _id first, as mongoexport writes it
        final Value id = o.fields().get("_id");
        if (null != id)
        {
            out.append("\"_id\":");
            write(id, relaxed, out);
            first = false;
        }
        for (final Map.Entry<String, Value> e : o.fields().entrySet())
        {
            if ("_id".equals(e.getKey()))
            {
                continue;
            }
            if (!first)
            {
                out.append(',');
            }
            first = false;
            out.append(Json.encode(e.getKey())).append(':');
            write(e.getValue(), relaxed, out);
        }
        out.append('}');
    }

    /** Append one value as Extended JSON. */
    public static void write(final Value v, final boolean relaxed, final StringBuilder out)
    {
        if (v instanceof Value.Int i)
        {
            final long n = i.value();
            if (relaxed)
            {
                out.append(n);
            }
            else if (n >= Integer.MIN_VALUE && n <= Integer.MAX_VALUE)
            {
                out.append("{\"$numberInt\":\"").append(n).append("\"}");
            }
            else
            {
                out.append("{\"$numberLong\":\"").append(n).append("\"}");
            }
        }
        else if (v instanceof Value.Str s)
        {
            out.append(Json.encode(s.value()));
        }
        else if (v instanceof Value.Bool b)
        {
            out.append(b.value());
        }
        else if (v instanceof Value.DoubleValue d)
        {
            writeDouble(Double.longBitsToDouble(d.bits()), relaxed, out);
        }
        else if (v instanceof Value.FloatValue f)
        {
            writeDouble(Float.intBitsToFloat(f.bits()), relaxed, out);
        }
        else if (v instanceof Value.ObjectIdValue id)
        {
            out.append("{\"$oid\":\"").append(HexFormat.of().formatHex(id.bytes())).append("\"}");
        }
        else if (v instanceof Value.UuidValue u)
        {
            out.append("{\"$binary\":{\"base64\":\"").append(Base64.getEncoder().encodeToString(u.bytes()))
                .append("\",\"subType\":\"04\"}}");
        }
        else if (v instanceof Value.Bin b)
        {
            out.append("{\"$binary\":{\"base64\":\"").append(Base64.getEncoder().encodeToString(b.bytes()))
                .append("\",\"subType\":\"00\"}}");
        }
        else if (v instanceof Value.Timestamp t)
        {
            final long millis = Math.addExact(Math.multiplyExact(t.seconds(), 1000L), t.nanos() / 1_000_000);
            if (relaxed && millis >= 0 && millis <= 253_402_300_799_999L)
            {
                out.append("{\"$date\":\"").append(Instant.ofEpochMilli(millis)).append("\"}");
            }
            else
            {
                out.append("{\"$date\":{\"$numberLong\":\"").append(millis).append("\"}}");
            }
        }
        else if (v instanceof Value.Decimal d)
        {
            final BigInteger coefficient = BigInteger.valueOf(d.high()).shiftLeft(64)
                .or(new BigInteger(Long.toUnsignedString(d.low())));
            final BigDecimal dec = new BigDecimal(coefficient, -d.exponent());
            out.append("{\"$numberDecimal\":\"").append((d.negative() ? dec.negate() : dec).toString()).append("\"}");
        }
        else if (v instanceof Value.Embedded e)
        {
            write(e.object(), relaxed, out);
        }
        else if (v instanceof Value.ListValue l)
        {
            writeItems(l.items(), relaxed, out);
        }
        else if (v instanceof Value.SetValue s)
        {
            writeItems(s.items(), relaxed, out);
        }
        else if (v instanceof Value.DictValue d)
        {
            out.append('{');
            boolean first = true;
            for (final Map.Entry<String, Value> e : d.entries().entrySet())
            {
                out.append(first ? "" : ",").append(Json.encode(e.getKey())).append(':');
                write(e.getValue(), relaxed, out);
                first = false;
            }
            out.append('}');
        }
        else if (v instanceof Value.Link l)
        {
            write(l.key(), relaxed, out); // a link is exported as the target's primary key, as Atlas stored it
        }
        else
        {
            out.append("null");
        }
    }

    private static void writeItems(final Iterable<Value> items, final boolean relaxed, final StringBuilder out)
    {
        out.append('[');
        boolean first = true;
        for (final Value i : items)
        {
            if (!first)
            {
                out.append(',');
            }
            first = false;
            write(i, relaxed, out);
        }
        out.append(']');
    }

    private static void writeDouble(final double d, final boolean relaxed, final StringBuilder out)
    {
        if (Double.isNaN(d) || Double.isInfinite(d))
        {
            out.append("{\"$numberDouble\":\"").append(Double.isNaN(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity")
                .append("\"}");
        }
        else if (relaxed)
        {
            final String s = Double.toString(d);
            out.append(s); // always has '.' or 'E': read back as a double
        }
        else
        {
            out.append("{\"$numberDouble\":\"").append(Double.toString(d)).append("\"}");
        }
    }
}
