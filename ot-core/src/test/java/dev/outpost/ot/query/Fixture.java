package dev.outpost.ot.query;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

import dev.outpost.ot.state.ObjectData;
import dev.outpost.ot.state.Value;

/** A class with one column of every queryable kind, and helpers to build its objects as real {@link ObjectData}. */
final class Fixture
{
    static final Map<String, FieldType> COLUMNS = new TreeMap<>();

    static
    {
        single("i", ValueKind.INT);
        single("b", ValueKind.BOOL);
        single("s", ValueKind.STRING);
        single("bin", ValueKind.BINARY);
        single("ts", ValueKind.TIMESTAMP);
        single("f", ValueKind.FLOAT);
        single("d", ValueKind.DOUBLE);
        single("dec", ValueKind.DECIMAL);
        single("oid", ValueKind.OBJECT_ID);
        single("u", ValueKind.UUID);
        single("m", ValueKind.MIXED);
        COLUMNS.put("tags", new FieldType(ValueKind.STRING, FieldType.Shape.LIST, true));
        COLUMNS.put("nums", new FieldType(ValueKind.INT, FieldType.Shape.SET, true));
        COLUMNS.put("dl", new FieldType(ValueKind.DOUBLE, FieldType.Shape.LIST, true));
        COLUMNS.put("link", new FieldType(ValueKind.OTHER, FieldType.Shape.SINGLE, true));
        COLUMNS.put("links", new FieldType(ValueKind.OTHER, FieldType.Shape.LIST, false));
        COLUMNS.put("dict", new FieldType(ValueKind.STRING, FieldType.Shape.DICTIONARY, true));
    }

    static final QuerySchema SCHEMA = COLUMNS::get;

    private Fixture()
    {
    }

    private static void single(final String name, final ValueKind kind)
    {
        COLUMNS.put(name, new FieldType(kind, FieldType.Shape.SINGLE, true));
    }

    static CompiledQuery compile(final String query)
    {
        final QueryCompiler.Result r = QueryCompiler.compile("Item", query, SCHEMA, null);
        if (!r.isOk())
        {
            throw new AssertionError("refused: " + query + " -> " + r.refusal());
        }
        return r.query();
    }

    /** @return an object holding every column (null or empty), with the given fields overridden. */
    static ObjectData object(final Object... fieldsAndValues)
    {
        final ObjectData o = new ObjectData("Item");
        for (final Map.Entry<String, FieldType> e : COLUMNS.entrySet())
        {
            final Value empty = switch (e.getValue().shape())
            {
                case LIST -> new Value.ListValue();
                case SET -> new Value.SetValue();
                case DICTIONARY -> new Value.DictValue();
                default -> Value.Null.INSTANCE;
            };
            o.fields().put(e.getKey(), empty);
        }
        for (int i = 0; i < fieldsAndValues.length; i += 2)
        {
            o.fields().put((String)fieldsAndValues[i], value(fieldsAndValues[i + 1]));
        }
        return o;
    }

    /** Java value to state value: Long/Integer, Boolean, String, byte[], Float, Double, BigDecimal, ... */
    static Value value(final Object v)
    {
        if (v == null)
        {
            return Value.Null.INSTANCE;
        }
        if (v instanceof Value x)
        {
            return x;
        }
        if (v instanceof Integer x)
        {
            return new Value.Int(x);
        }
        if (v instanceof Long x)
        {
            return new Value.Int(x);
        }
        if (v instanceof Boolean x)
        {
            return x ? Value.Bool.TRUE : Value.Bool.FALSE;
        }
        if (v instanceof String x)
        {
            return new Value.Str(x);
        }
        if (v instanceof byte[] x)
        {
            return new Value.Bin(x);
        }
        if (v instanceof Float x)
        {
            return Value.FloatValue.of(x);
        }
        if (v instanceof Double x)
        {
            return Value.DoubleValue.of(x);
        }
        if (v instanceof BigDecimal x)
        {
            return decimal(x);
        }
        if (v instanceof Ts t)
        {
            return new Value.Timestamp(t.seconds, t.nanos);
        }
        if (v instanceof Oid x)
        {
            return new Value.ObjectIdValue(x.bytes);
        }
        if (v instanceof Uuid x)
        {
            return new Value.UuidValue(x.bytes);
        }
        if (v instanceof List<?> l)
        {
            final ArrayList<Value> items = new ArrayList<>();
            for (final Object item : l)
            {
                items.add(value(item));
            }
            return new Value.ListValue(items);
        }
        if (v instanceof SetOf s)
        {
            final TreeSet<Value> items = new TreeSet<>(Value.ORDER);
            for (final Object item : s.items)
            {
                items.add(value(item));
            }
            return new Value.SetValue(items);
        }
        throw new IllegalArgumentException(v.getClass().getName());
    }

    /** Decimal128 value of a BigDecimal with an unscaled value below 2^63. */
    static Value.Decimal decimal(final BigDecimal d)
    {
        final long unscaled = d.unscaledValue().abs().longValueExact();
        return new Value.Decimal(unscaled, 0, -d.scale(), d.signum() < 0);
    }

    static byte[] utf8(final String s)
    {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    record Ts(long seconds, int nanos)
    {
    }

    record Oid(byte[] bytes)
    {
        static Oid of(final String hex)
        {
            return new Oid(HexFormat.of().parseHex(hex));
        }

        @Override
        public String toString()
        {
            return "oid(" + HexFormat.of().formatHex(bytes) + ")";
        }
    }

    record Uuid(byte[] bytes)
    {
        static Uuid of(final String hex)
        {
            return new Uuid(HexFormat.of().parseHex(hex.replace("-", "")));
        }

        @Override
        public String toString()
        {
            return "uuid(" + HexFormat.of().formatHex(bytes) + ")";
        }
    }

    /** A set column's content. */
    record SetOf(List<Object> items)
    {
        static SetOf of(final Object... items)
        {
            return new SetOf(List.of(items));
        }
    }
}
