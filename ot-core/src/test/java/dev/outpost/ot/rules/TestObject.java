package dev.outpost.ot.rules;

import java.math.BigDecimal;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.outpost.ot.query.ObjectView;
import dev.outpost.ot.query.ValueKind;

/**
 * A test object: field name to a Java value (Long/Integer INT, Float, Double, BigDecimal DECIMAL, String, Boolean,
 * null, byte[] BINARY, {@link Oid}, {@link Uuid}, {@link Ts}, List of those = a list field); absent keys are absent
 * fields. An {@link ObjectView} of its own, independent of the state adapters.
 */
final class TestObject implements ObjectView
{
    final Map<String, Object> fields;

    TestObject(final Map<String, Object> fields)
    {
        this.fields = fields;
    }

    static TestObject of(final Object... kv)
    {
        final Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2)
        {
            m.put((String)kv[i], kv[i + 1]);
        }
        return new TestObject(m);
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

    record Ts(long seconds, int nanos)
    {
    }

    private Object at(final String field, final int index)
    {
        final Object v = fields.get(field);
        return index < 0 ? v : ((List<?>)v).get(index);
    }

    @Override
    public int elementCount(final String field)
    {
        if (!fields.containsKey(field))
        {
            return ABSENT;
        }
        return fields.get(field) instanceof List<?> l ? l.size() : SCALAR;
    }

    @Override
    public ValueKind kind(final String field, final int index)
    {
        final Object v = at(field, index);
        if (v == null)
        {
            return ValueKind.NULL;
        }
        if (v instanceof Long || v instanceof Integer)
        {
            return ValueKind.INT;
        }
        if (v instanceof Float)
        {
            return ValueKind.FLOAT;
        }
        if (v instanceof Double)
        {
            return ValueKind.DOUBLE;
        }
        if (v instanceof BigDecimal)
        {
            return ValueKind.DECIMAL;
        }
        if (v instanceof String)
        {
            return ValueKind.STRING;
        }
        if (v instanceof Boolean)
        {
            return ValueKind.BOOL;
        }
        if (v instanceof byte[])
        {
            return ValueKind.BINARY;
        }
        if (v instanceof Oid)
        {
            return ValueKind.OBJECT_ID;
        }
        if (v instanceof Uuid)
        {
            return ValueKind.UUID;
        }
        if (v instanceof Ts)
        {
            return ValueKind.TIMESTAMP;
        }
        return ValueKind.OTHER;
    }

    @Override
    public long intValue(final String field, final int index)
    {
        return ((Number)at(field, index)).longValue();
    }

    @Override
    public boolean boolValue(final String field, final int index)
    {
        return (Boolean)at(field, index);
    }

    @Override
    public float floatValue(final String field, final int index)
    {
        return (Float)at(field, index);
    }

    @Override
    public double doubleValue(final String field, final int index)
    {
        return (Double)at(field, index);
    }

    @Override
    public String stringValue(final String field, final int index)
    {
        return (String)at(field, index);
    }

    @Override
    public byte[] bytesValue(final String field, final int index)
    {
        final Object v = at(field, index);
        return v instanceof Oid o ? o.bytes() : v instanceof Uuid u ? u.bytes() : (byte[])v;
    }

    @Override
    public long timestampSeconds(final String field, final int index)
    {
        return ((Ts)at(field, index)).seconds();
    }

    @Override
    public int timestampNanos(final String field, final int index)
    {
        return ((Ts)at(field, index)).nanos();
    }

    @Override
    public BigDecimal decimalValue(final String field, final int index)
    {
        return (BigDecimal)at(field, index);
    }

    @Override
    public String toString()
    {
        final StringBuilder sb = new StringBuilder("{");
        fields.forEach((k, v) -> sb.append(k).append('=').append(v instanceof byte[] b ?
            "bin(" + HexFormat.of().formatHex(b) + ")" : v).append(' '));
        return sb.append('}').toString();
    }
}
