package dev.outpost.ot.state;

import dev.outpost.codec.changeset.Instr;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A value stored in an {@link ObjectState}: a primitive of every payload type, a link (also typed links held by
 * Mixed), an embedded object, or a collection (list, set, dictionary; lists and dictionaries may nest inside Mixed).
 * Primary keys are values too ({@link Null}, {@link Int}, {@link Str}, {@link ObjectIdValue}, {@link UuidValue}).
 * <p>
 * Primitives are immutable; containers ({@link ListValue}, {@link DictValue}, {@link SetValue}, {@link Embedded}) are
 * mutable and owned by the state that holds them. Equality is structural and {@link #ORDER} is a total,
 * deterministic order (type tag first, then value), used for sets and primary keys. Not thread-safe.
 */
public sealed interface Value
    permits Value.Null, Value.Int, Value.Bool, Value.Str, Value.Bin, Value.Timestamp, Value.FloatValue,
    Value.DoubleValue, Value.Decimal, Value.ObjectIdValue, Value.UuidValue, Value.Link, Value.Embedded,
    Value.ListValue, Value.DictValue, Value.SetValue
{
    /** @return the {@code Instr.TYPE_*} payload tag of this value (ObjectValue for embedded objects). */
    int type();

    /** @return a deep copy (primitives return themselves). */
    default Value copy()
    {
        return this;
    }

    /** Canonical text, used by dumps and error messages. */
    void appendTo(StringBuilder sb, String indent);

    /** Total deterministic order over values: type tag first, then the value. */
    Comparator<Value> ORDER = Value::compare;

    static int compare(final Value a, final Value b)
    {
        if (a.type() != b.type())
        {
            return Integer.compare(a.type(), b.type());
        }
        if (a instanceof Int x)
        {
            return Long.compare(x.value, ((Int)b).value);
        }
        if (a instanceof Bool x)
        {
            return Boolean.compare(x.value, ((Bool)b).value);
        }
        if (a instanceof Str x)
        {
            return x.value.compareTo(((Str)b).value);
        }
        if (a instanceof Bin x)
        {
            return Arrays.compareUnsigned(x.bytes, ((Bin)b).bytes);
        }
        if (a instanceof Timestamp x)
        {
            final Timestamp y = (Timestamp)b;
            final int c = Long.compare(x.seconds, y.seconds);
            return c != 0 ? c : Integer.compare(x.nanos, y.nanos);
        }
        if (a instanceof FloatValue x)
        {
            return Integer.compare(x.bits, ((FloatValue)b).bits);
        }
        if (a instanceof DoubleValue x)
        {
            return Long.compare(x.bits, ((DoubleValue)b).bits);
        }
        if (a instanceof Decimal x)
        {
            final Decimal y = (Decimal)b;
            int c = Long.compare(x.high, y.high);
            c = c != 0 ? c : Long.compareUnsigned(x.low, y.low);
            c = c != 0 ? c : Integer.compare(x.exponent, y.exponent);
            return c != 0 ? c : Boolean.compare(x.negative, y.negative);
        }
        if (a instanceof ObjectIdValue x)
        {
            return Arrays.compareUnsigned(x.bytes, ((ObjectIdValue)b).bytes);
        }
        if (a instanceof UuidValue x)
        {
            return Arrays.compareUnsigned(x.bytes, ((UuidValue)b).bytes);
        }
        if (a instanceof Link x)
        {
            final Link y = (Link)b;
            final int c = x.table.compareTo(y.table);
            return c != 0 ? c : compare(x.key, y.key);
        }
        if (a instanceof Null)
        {
            return 0;
        }
        // Containers never live in sets or keys; fall back to their canonical text.
        return text(a).compareTo(text(b));
    }

    static String text(final Value v)
    {
        final StringBuilder sb = new StringBuilder();
        v.appendTo(sb, "");
        return sb.toString();
    }

    // ---------------------------------------------------------------------------------------------- primitives

    /** Null (also the null primary key). */
    enum Null implements Value
    {
        INSTANCE;

        public int type()
        {
            return Instr.TYPE_NULL;
        }

        public void appendTo(final StringBuilder sb, final String indent)
        {
            sb.append("null");
        }
    }

    record Int(long value) implements Value
    {
        public int type()
        {
            return Instr.TYPE_INT;
        }

        public void appendTo(final StringBuilder sb, final String indent)
        {
            sb.append(value);
        }
    }

    record Bool(boolean value) implements Value
    {
        public static final Bool TRUE = new Bool(true);
        public static final Bool FALSE = new Bool(false);

        public int type()
        {
            return Instr.TYPE_BOOL;
        }

        public void appendTo(final StringBuilder sb, final String indent)
        {
            sb.append(value);
        }
    }

    record Str(String value) implements Value
    {
        public int type()
        {
            return Instr.TYPE_STRING;
        }

        public void appendTo(final StringBuilder sb, final String indent)
        {
            appendJsonString(sb, value);
        }
    }

    /**
     * Append {@code s} as a JSON string: quotes, {@code \"} and {@code \\} escaped, other control characters as
     * {@code \}{@code u00XX}. The form of every printed string value (inspect, rule descriptions).
     */
    static void appendJsonString(final StringBuilder sb, final String s)
    {
        sb.append('"');
        for (int i = 0; i < s.length(); i++)
        {
            final char c = s.charAt(i);
            if (c == '"' || c == '\\')
            {
                sb.append('\\').append(c);
            }
            else if (c < 0x20)
            {
                sb.append(String.format("\\u%04x", (int)c));
            }
            else
            {
                sb.append(c);
            }
        }
        sb.append('"');
    }

    /** Binary; the array is owned by the value and never mutated. */
    record Bin(byte[] bytes) implements Value
    {
        public int type()
        {
            return Instr.TYPE_BINARY;
        }

        public boolean equals(final Object o)
        {
            return o instanceof Bin b && Arrays.equals(bytes, b.bytes);
        }

        public int hashCode()
        {
            return Arrays.hashCode(bytes);
        }

        public String toString()
        {
            return text(this);
        }

        public void appendTo(final StringBuilder sb, final String indent)
        {
            sb.append("Binary(").append(HexFormat.of().formatHex(bytes)).append(')');
        }
    }

    record Timestamp(long seconds, int nanos) implements Value
    {
        public int type()
        {
            return Instr.TYPE_TIMESTAMP;
        }

        public void appendTo(final StringBuilder sb, final String indent)
        {
            sb.append("Timestamp(").append(seconds).append(',').append(nanos).append(')');
        }
    }

    /** Float, held as its IEEE-754 bits so NaNs and -0 compare deterministically. */
    record FloatValue(int bits) implements Value
    {
        public static FloatValue of(final float f)
        {
            return new FloatValue(Float.floatToRawIntBits(f));
        }

        public int type()
        {
            return Instr.TYPE_FLOAT;
        }

        public void appendTo(final StringBuilder sb, final String indent)
        {
            sb.append("Float(").append(Float.intBitsToFloat(bits)).append(')');
        }
    }

    /** Double, held as its IEEE-754 bits. */
    record DoubleValue(long bits) implements Value
    {
        public static DoubleValue of(final double d)
        {
            return new DoubleValue(Double.doubleToRawLongBits(d));
        }

        public int type()
        {
            return Instr.TYPE_DOUBLE;
        }

        public void appendTo(final StringBuilder sb, final String indent)
        {
            sb.append("Double(").append(Double.longBitsToDouble(bits)).append(')');
        }
    }

    /** Decimal128 as on the wire: 113-bit coefficient (low 64 bits, high bits), exponent and sign. */
    record Decimal(long low, long high, int exponent, boolean negative) implements Value
    {
        public static final Decimal ZERO = new Decimal(0, 0, 0, false);

        public int type()
        {
            return Instr.TYPE_DECIMAL;
        }

        public void appendTo(final StringBuilder sb, final String indent)
        {
            sb.append("Decimal(").append(negative ? "-" : "").append(Long.toHexString(high)).append(':')
                .append(Long.toHexString(low)).append('E').append(exponent).append(')');
        }
    }

    record ObjectIdValue(byte[] bytes) implements Value
    {
        public ObjectIdValue
        {
            if (bytes.length != 12)
            {
                throw new IllegalArgumentException("ObjectId needs 12 bytes");
            }
        }

        public int type()
        {
            return Instr.TYPE_OBJECT_ID;
        }

        public boolean equals(final Object o)
        {
            return o instanceof ObjectIdValue b && Arrays.equals(bytes, b.bytes);
        }

        public int hashCode()
        {
            return Arrays.hashCode(bytes);
        }

        public String toString()
        {
            return text(this);
        }

        public void appendTo(final StringBuilder sb, final String indent)
        {
            sb.append("ObjectId(").append(HexFormat.of().formatHex(bytes)).append(')');
        }
    }

    record UuidValue(byte[] bytes) implements Value
    {
        public UuidValue
        {
            if (bytes.length != 16)
            {
                throw new IllegalArgumentException("UUID needs 16 bytes");
            }
        }

        public int type()
        {
            return Instr.TYPE_UUID;
        }

        public boolean equals(final Object o)
        {
            return o instanceof UuidValue b && Arrays.equals(bytes, b.bytes);
        }

        public int hashCode()
        {
            return Arrays.hashCode(bytes);
        }

        public String toString()
        {
            return text(this);
        }

        public void appendTo(final StringBuilder sb, final String indent)
        {
            sb.append("UUID(").append(HexFormat.of().formatHex(bytes)).append(')');
        }
    }

    /**
     * A link to {@code table[key]}. As in realm's sync applier, a link may name an object that does not exist (yet,
     * or any more): realm keeps such links as unresolved (tombstone) links that resolve again if the object is
     * (re)created, so the state keeps the key rather than nulling the link.
     */
    record Link(String table, Value key) implements Value
    {
        public int type()
        {
            return Instr.TYPE_LINK;
        }

        public void appendTo(final StringBuilder sb, final String indent)
        {
            sb.append("Link(").append(table).append(", ");
            key.appendTo(sb, indent);
            sb.append(')');
        }
    }

    // ---------------------------------------------------------------------------------------------- containers

    /** An embedded object held in place by its parent. */
    record Embedded(ObjectData object) implements Value
    {
        public int type()
        {
            return Instr.TYPE_OBJECT_VALUE;
        }

        public Value copy()
        {
            return new Embedded(object.copy());
        }

        public void appendTo(final StringBuilder sb, final String indent)
        {
            object.appendTo(sb, indent);
        }
    }

    /** A list (a list column, or a list nested in Mixed). */
    record ListValue(ArrayList<Value> items) implements Value
    {
        public ListValue()
        {
            this(new ArrayList<>());
        }

        public int type()
        {
            return Instr.TYPE_LIST;
        }

        public Value copy()
        {
            final ArrayList<Value> c = new ArrayList<>(items.size());
            for (final Value v : items)
            {
                c.add(v.copy());
            }
            return new ListValue(c);
        }

        public void appendTo(final StringBuilder sb, final String indent)
        {
            if (items.isEmpty())
            {
                sb.append("[]");
                return;
            }
            sb.append("[\n");
            final String inner = indent + "  ";
            for (int i = 0; i < items.size(); i++)
            {
                sb.append(inner).append(i).append(": ");
                items.get(i).appendTo(sb, inner);
                sb.append('\n');
            }
            sb.append(indent).append(']');
        }
    }

    /** A dictionary with string keys, kept sorted by key. */
    record DictValue(TreeMap<String, Value> entries) implements Value
    {
        public DictValue()
        {
            this(new TreeMap<>());
        }

        public int type()
        {
            return Instr.TYPE_DICTIONARY;
        }

        public Value copy()
        {
            final TreeMap<String, Value> c = new TreeMap<>(entries); // built from the sorted map: no comparisons
            for (final Map.Entry<String, Value> e : c.entrySet())
            {
                final Value v = e.getValue();
                final Value copy = v.copy();
                if (copy != v)
                {
                    e.setValue(copy);
                }
            }
            return new DictValue(c);
        }

        public void appendTo(final StringBuilder sb, final String indent)
        {
            if (entries.isEmpty())
            {
                sb.append("{}");
                return;
            }
            sb.append("{\n");
            final String inner = indent + "  ";
            for (final Map.Entry<String, Value> e : entries.entrySet())
            {
                new Str(e.getKey()).appendTo(sb.append(inner), inner);
                sb.append(": ");
                e.getValue().appendTo(sb, inner);
                sb.append('\n');
            }
            sb.append(indent).append('}');
        }
    }

    /** A set of primitives or links, kept in {@link #ORDER}. */
    record SetValue(TreeSet<Value> items) implements Value
    {
        public SetValue()
        {
            this(new TreeSet<>(ORDER));
        }

        public int type()
        {
            return Instr.TYPE_SET;
        }

        public Value copy()
        {
            return new SetValue(new TreeSet<>(items));
        }

        public void appendTo(final StringBuilder sb, final String indent)
        {
            sb.append("Set(");
            boolean first = true;
            for (final Value v : items)
            {
                if (!first)
                {
                    sb.append(", ");
                }
                first = false;
                v.appendTo(sb, indent);
            }
            sb.append(')');
        }
    }

    /** @return a String value (helper for tests and adapters). */
    static Str str(final String s)
    {
        return new Str(s);
    }

    /** @return UTF-8 bytes of a string value. */
    static byte[] utf8(final String s)
    {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
