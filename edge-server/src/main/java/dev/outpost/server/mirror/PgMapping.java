package dev.outpost.server.mirror;

import dev.outpost.codec.changeset.Instr;
import dev.outpost.ot.state.ColumnSpec;
import dev.outpost.ot.state.ObjectData;
import dev.outpost.ot.state.Value;
import dev.outpost.server.sync.wire.ErrorBodies;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;

/**
 * How Realm values become PostgreSQL columns and values (the table is in README.md, "Your data in PostgreSQL").
 * <pre>
 *  Realm                      column                  value
 *  int                        bigint
 *  bool                       boolean
 *  string                     text
 *  data (binary)              bytea
 *  date (timestamp)           timestamptz             microseconds (PostgreSQL's resolution; nanoseconds are cut)
 *  float                      real
 *  double                     double precision
 *  decimal128                 numeric                 exact
 *  objectId                   text                    24 lower-case hex digits
 *  uuid                       uuid
 *  link to a class            the target's key type   the target's primary key (no foreign key: realm keeps
 *                                                     links to objects not there yet)
 *  embedded object            jsonb                   an object of its fields
 *  mixed                      jsonb                   extended JSON (below)
 *  list, set                  jsonb                   array
 *  dictionary                 jsonb                   object
 * </pre>
 * jsonb values are MongoDB relaxed extended JSON: numbers and strings as JSON, {@code {"$oid": hex}},
 * {@code {"$uuid": text}}, {@code {"$numberDecimal": text}}, {@code {"$date": ISO-8601 with nanoseconds}},
 * {@code {"$binary": {"base64": ..., "subType": "00"}}}, non-finite doubles {@code {"$numberDouble": "NaN"}}, a link
 * held by mixed {@code {"$ref": class, "$id": key}}, nested lists and dictionaries as arrays and objects.
 * <p>
 * Stateless; thread-safe.
 */
final class PgMapping
{
    private PgMapping()
    {
    }

    /**
     * @param type an {@code Instr.TYPE_*} of a primary key.
     * @return its column type.
     */
    static String keyType(final int type)
    {
        return switch (type)
        {
            case Instr.TYPE_INT -> "bigint";
            case Instr.TYPE_UUID -> "uuid";
            default -> "text"; // string, objectId
        };
    }

    /**
     * @param targetKeyType the primary key type ({@code Instr.TYPE_*}) of a class by name, -1 when it has none
     *                      (embedded, unknown).
     * @param column        a column of a class.
     * @return its PostgreSQL type.
     */
    static String columnType(final java.util.function.ToIntFunction<String> targetKeyType, final ColumnSpec column)
    {
        if (column.collection() != Instr.COLLECTION_SINGLE)
        {
            return "jsonb";
        }
        return switch (column.type())
        {
            case Instr.TYPE_INT -> "bigint";
            case Instr.TYPE_BOOL -> "boolean";
            case Instr.TYPE_STRING -> "text";
            case Instr.TYPE_BINARY -> "bytea";
            case Instr.TYPE_TIMESTAMP -> "timestamptz";
            case Instr.TYPE_FLOAT -> "real";
            case Instr.TYPE_DOUBLE -> "double precision";
            case Instr.TYPE_DECIMAL -> "numeric";
            case Instr.TYPE_OBJECT_ID -> "text";
            case Instr.TYPE_UUID -> "uuid";
            case Instr.TYPE_LINK ->
            {
                final int target = column.isObjectLink() ? targetKeyType.applyAsInt(column.linkTarget()) : -1;
                yield target < 0 ? "jsonb" : keyType(target);
            }
            default -> "jsonb"; // mixed
        };
    }

    /**
     * @param sqlType a column type from {@link #columnType}.
     * @return the placeholder that binds it ({@code ?} or a cast of text).
     */
    static String placeholder(final String sqlType)
    {
        return switch (sqlType)
        {
            case "jsonb", "uuid", "numeric", "timestamptz" -> "?::" + sqlType;
            default -> "?";
        };
    }

    /**
     * Bind {@code v} to parameter {@code index} as a value of column type {@code sqlType}.
     */
    static void bind(final PreparedStatement st, final int index, final String sqlType, final ColumnSpec column,
        final Value v) throws SQLException
    {
        if (null == v || v instanceof Value.Null)
        {
            st.setNull(index, "bigint".equals(sqlType) ? Types.BIGINT : "boolean".equals(sqlType) ? Types.BOOLEAN :
                "bytea".equals(sqlType) ? Types.BINARY : "real".equals(sqlType) ? Types.REAL :
                "double precision".equals(sqlType) ? Types.DOUBLE : Types.VARCHAR);
            return;
        }
        switch (sqlType)
        {
            case "jsonb" -> st.setString(index, null == column ? json(v) : json(column, v));
            case "bigint" -> st.setLong(index, ((Value.Int)scalar(v)).value());
            case "boolean" -> st.setBoolean(index, ((Value.Bool)v).value());
            case "bytea" -> st.setBytes(index, ((Value.Bin)v).bytes());
            case "real" -> st.setFloat(index, Float.intBitsToFloat(((Value.FloatValue)v).bits()));
            case "double precision" -> st.setDouble(index, Double.longBitsToDouble(((Value.DoubleValue)v).bits()));
            default -> st.setString(index, text(scalar(v))); // text, uuid, numeric, timestamptz
        }
    }

    /**
     * Append {@code v}, as a value of column type {@code sqlType}, to the text form of a PostgreSQL array
     * ({@code {"a","b",NULL}}): the element is the text {@link #bind} would send (PostgreSQL's text input of the
     * type parses it), double-quoted with {@code "} and {@code \} escaped; a null is {@code NULL}.
     *
     * @param array  the array's text so far, from its opening brace.
     * @param first  whether this is the array's first element (no comma before it).
     * @param column the column ({@code null} for a key or a partition value).
     */
    static void arrayElement(final StringBuilder array, final boolean first, final String sqlType,
        final ColumnSpec column, final Value v)
    {
        if (!first)
        {
            array.append(',');
        }
        final String text = elementText(sqlType, column, v);
        if (null == text)
        {
            array.append("NULL");
            return;
        }
        array.append('"');
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            if ('"' == c || '\\' == c)
            {
                array.append('\\');
            }
            array.append(c);
        }
        array.append('"');
    }

    /**
     * A value's text as the input function of {@code sqlType} parses it (what a bind carries), or null for SQL NULL.
     */
    static String elementText(final String sqlType, final ColumnSpec column, final Value v)
    {
        if (null == v || v instanceof Value.Null)
        {
            return null;
        }
        return switch (sqlType)
        {
            case "jsonb" -> null == column ? json(v) : json(column, v);
            case "bigint" -> Long.toString(((Value.Int)scalar(v)).value());
            case "boolean" -> ((Value.Bool)v).value() ? "t" : "f";
            case "bytea" -> "\\x" + HexFormat.of().formatHex(((Value.Bin)v).bytes());
            case "real" -> Float.toString(Float.intBitsToFloat(((Value.FloatValue)v).bits()));
            case "double precision" -> Double.toString(Double.longBitsToDouble(((Value.DoubleValue)v).bits()));
            default -> text(scalar(v)); // text, uuid, numeric, timestamptz
        };
    }

    /**
     * One field of a {@code COPY .. FROM STDIN} text-format row: a tab before it unless {@code first}, then
     * {@code \N} for null ({@code text} null), else {@code text} with backslash, newline, carriage return and tab
     * escaped (every other character stands for itself).
     */
    static void copyField(final StringBuilder row, final boolean first, final String text)
    {
        if (!first)
        {
            row.append('\t');
        }
        if (null == text)
        {
            row.append("\\N");
            return;
        }
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            switch (c)
            {
                case '\\' -> row.append("\\\\");
                case '\n' -> row.append("\\n");
                case '\r' -> row.append("\\r");
                case '\t' -> row.append("\\t");
                default -> row.append(c);
            }
        }
    }

    private static Value scalar(final Value v)
    {
        return v instanceof Value.Link l ? l.key() : v;
    }

    /** @return the text form of a scalar for a text, uuid, numeric or timestamptz column. */
    static String text(final Value v)
    {
        if (v instanceof Value.Str s)
        {
            return s.value();
        }
        if (v instanceof Value.ObjectIdValue o)
        {
            return HexFormat.of().formatHex(o.bytes());
        }
        if (v instanceof Value.UuidValue u)
        {
            return uuid(u).toString();
        }
        if (v instanceof Value.Decimal d)
        {
            return decimal(d).toString();
        }
        if (v instanceof Value.Timestamp t)
        {
            return Instant.ofEpochSecond(t.seconds(), t.nanos()).toString();
        }
        if (v instanceof Value.Int i)
        {
            return Long.toString(i.value());
        }
        return json(v);
    }

    static UUID uuid(final Value.UuidValue u)
    {
        final java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(u.bytes());
        return new UUID(b.getLong(), b.getLong());
    }

    static BigDecimal decimal(final Value.Decimal d)
    {
        final BigInteger coefficient = BigInteger.valueOf(d.high()).shiftLeft(64)
            .or(new BigInteger(Long.toUnsignedString(d.low())));
        final BigDecimal v = new BigDecimal(coefficient, -d.exponent());
        return d.negative() ? v.negate() : v;
    }

    /** @return {@code v} as relaxed extended JSON. */
    static String json(final Value v)
    {
        final StringBuilder sb = new StringBuilder();
        json(sb, v);
        return sb.toString();
    }

    private static void json(final StringBuilder sb, final Value v)
    {
        if (v instanceof Value.Null)
        {
            sb.append("null");
        }
        else if (v instanceof Value.Int i)
        {
            sb.append(i.value());
        }
        else if (v instanceof Value.Bool b)
        {
            sb.append(b.value());
        }
        else if (v instanceof Value.Str s)
        {
            string(sb, s.value());
        }
        else if (v instanceof Value.Bin b)
        {
            sb.append("{\"$binary\":{\"base64\":\"").append(Base64.getEncoder().encodeToString(b.bytes()))
                .append("\",\"subType\":\"00\"}}");
        }
        else if (v instanceof Value.Timestamp t)
        {
            sb.append("{\"$date\":\"").append(Instant.ofEpochSecond(t.seconds(), t.nanos())).append("\"}");
        }
        else if (v instanceof Value.FloatValue f)
        {
            number(sb, Float.intBitsToFloat(f.bits()), Float.toString(Float.intBitsToFloat(f.bits())));
        }
        else if (v instanceof Value.DoubleValue d)
        {
            final double x = Double.longBitsToDouble(d.bits());
            number(sb, x, Double.toString(x));
        }
        else if (v instanceof Value.Decimal d)
        {
            sb.append("{\"$numberDecimal\":\"").append(decimal(d)).append("\"}");
        }
        else if (v instanceof Value.ObjectIdValue o)
        {
            sb.append("{\"$oid\":\"").append(HexFormat.of().formatHex(o.bytes())).append("\"}");
        }
        else if (v instanceof Value.UuidValue u)
        {
            sb.append("{\"$uuid\":\"").append(uuid(u)).append("\"}");
        }
        else if (v instanceof Value.Link l)
        {
            sb.append("{\"$ref\":");
            string(sb, l.table());
            sb.append(",\"$id\":");
            json(sb, l.key());
            sb.append('}');
        }
        else if (v instanceof Value.Embedded e)
        {
            object(sb, e.object().fields());
        }
        else if (v instanceof Value.ListValue l)
        {
            array(sb, l.items());
        }
        else if (v instanceof Value.SetValue s)
        {
            array(sb, s.items());
        }
        else if (v instanceof Value.DictValue d)
        {
            object(sb, d.entries());
        }
    }

    /**
     * @param column the column holding {@code v}.
     * @param v      its value.
     * @return the JSON of a jsonb column: as {@link #json(Value)}, except that the elements of a list, set or
     * dictionary of links are the targets' keys (as Atlas stored them), not {@code $ref} documents.
     */
    static String json(final ColumnSpec column, final Value v)
    {
        if (column.type() != Instr.TYPE_LINK || column.collection() == Instr.COLLECTION_SINGLE)
        {
            return json(v);
        }
        final StringBuilder sb = new StringBuilder();
        if (v instanceof Value.ListValue l)
        {
            array(sb, l.items().stream().map(PgMapping::keyOf).toList());
        }
        else if (v instanceof Value.SetValue s)
        {
            array(sb, s.items().stream().map(PgMapping::keyOf).toList());
        }
        else if (v instanceof Value.DictValue d)
        {
            final java.util.TreeMap<String, Value> keys = new java.util.TreeMap<>();
            d.entries().forEach((k, x) -> keys.put(k, keyOf(x)));
            object(sb, keys);
        }
        else
        {
            json(sb, v);
        }
        return sb.toString();
    }

    private static Value keyOf(final Value v)
    {
        return v instanceof Value.Link l ? l.key() : v;
    }

    private static void array(final StringBuilder sb, final Iterable<Value> items)
    {
        sb.append('[');
        boolean first = true;
        for (final Value x : items)
        {
            if (!first)
            {
                sb.append(',');
            }
            first = false;
            json(sb, x);
        }
        sb.append(']');
    }

    private static void object(final StringBuilder sb, final Map<String, Value> fields)
    {
        sb.append('{');
        boolean first = true;
        for (final Map.Entry<String, Value> e : fields.entrySet())
        {
            if (!first)
            {
                sb.append(',');
            }
            first = false;
            string(sb, e.getKey());
            sb.append(':');
            json(sb, e.getValue());
        }
        sb.append('}');
    }

    private static void number(final StringBuilder sb, final double x, final String text)
    {
        if (Double.isNaN(x) || Double.isInfinite(x))
        {
            sb.append("{\"$numberDouble\":\"").append(Double.isNaN(x) ? "NaN" : x > 0 ? "Infinity" : "-Infinity")
                .append("\"}");
        }
        else
        {
            sb.append(text);
        }
    }

    static void string(final StringBuilder sb, final String s)
    {
        sb.append('"');
        ErrorBodies.appendEscaped(sb, s);
        sb.append('"');
    }

    /** @return the object's value of {@code column} (its default when the field is absent). */
    static Value field(final ObjectData o, final ColumnSpec column)
    {
        final Value v = o.get(column.name());
        return null == v ? column.defaultValue() : v;
    }

    /** @return {@code name} as a quoted identifier. */
    static String quote(final String name)
    {
        return '"' + name.replace("\"", "\"\"") + '"';
    }
}
