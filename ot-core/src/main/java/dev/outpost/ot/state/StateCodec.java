package dev.outpost.ot.state;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * A compact binary form of a whole {@link ObjectState}, for state checkpoints: classes, their columns and every object
 * with every field, in the state's own (sorted) order, so encoding the same state twice gives the same bytes.
 * <p>
 * Every string (class, column and field names, string values, dictionary keys, link targets) is written once and then
 * referred to by its dictionary id; decoding interns them per state, and string values that are equal share one
 * immutable {@link Value.Str}, so a decoded state holds each distinct string once.
 * <p>
 * The form carries no checksum and no version of its own: the caller frames it (see the edge server's state
 * checkpoints). A malformed input fails with {@link Malformed}, never with an unchecked exception of the JDK.
 * Stateless; thread-safe.
 */
public final class StateCodec
{
    /** Version of this encoding; a caller stores it and refuses other numbers. */
    public static final int VERSION = 1;

    private static final int V_NULL = 0;
    private static final int V_INT = 1;
    private static final int V_BOOL_FALSE = 2;
    private static final int V_BOOL_TRUE = 3;
    private static final int V_STR = 4;
    private static final int V_BIN = 5;
    private static final int V_TIMESTAMP = 6;
    private static final int V_FLOAT = 7;
    private static final int V_DOUBLE = 8;
    private static final int V_DECIMAL = 9;
    private static final int V_OBJECT_ID = 10;
    private static final int V_UUID = 11;
    private static final int V_LINK = 12;
    private static final int V_EMBEDDED = 13;
    private static final int V_LIST = 14;
    private static final int V_DICT = 15;
    private static final int V_SET = 16;
    /** Nesting deeper than this is refused when decoding (embedded objects and Mixed collections). */
    private static final int MAX_DEPTH = 256;

    private StateCodec()
    {
    }

    /** The input is not a state this codec wrote (truncated, corrupt or of another version). */
    public static final class Malformed extends Exception
    {
        private static final long serialVersionUID = 1L;

        public Malformed(final String message)
        {
            super(message, null, false, false);
        }
    }

    // -------------------------------------------------------------------------------------------------- encode

    /** Append the encoding of {@code state} to {@code out}. Reads the state only. */
    public static void encode(final ObjectState state, final Output out)
    {
        final HashMap<String, Integer> strings = new HashMap<>();
        out.varint(state.tables.size());
        for (final TableData t : state.tables.values())
        {
            string(out, strings, t.name());
            out.varint(t.type().ordinal());
            out.varint(t.pkField() == null ? 0 : 1);
            if (t.pkField() != null)
            {
                string(out, strings, t.pkField());
            }
            out.varint(t.pkType() + 16);
            out.varint(t.pkNullable() ? 1 : 0);
            out.varint(t.columns.size());
            for (final ColumnSpec c : t.columns.values())
            {
                string(out, strings, c.name());
                out.varint(c.type() + 16);
                out.varint(c.nullable() ? 1 : 0);
                out.varint(c.collection() + 16);
                out.varint(c.linkTarget() == null ? 0 : 1);
                if (c.linkTarget() != null)
                {
                    string(out, strings, c.linkTarget());
                }
                out.varint(c.keyType() + 16);
            }
            out.varint(t.objectCount());
            for (final Map.Entry<Value, ObjectData> e : t.objects().entrySet())
            {
                value(out, strings, e.getKey());
                object(out, strings, e.getValue());
            }
        }
    }

    private static void object(final Output out, final HashMap<String, Integer> strings, final ObjectData o)
    {
        string(out, strings, o.table());
        final Map<String, Value> fields = o.fields();
        out.varint(fields.size());
        for (final Map.Entry<String, Value> f : fields.entrySet())
        {
            string(out, strings, f.getKey());
            value(out, strings, f.getValue());
        }
    }

    private static void value(final Output out, final HashMap<String, Integer> strings, final Value v)
    {
        if (v instanceof Value.Null)
        {
            out.varint(V_NULL);
        }
        else if (v instanceof Value.Int x)
        {
            out.varint(V_INT);
            out.zigzag(x.value());
        }
        else if (v instanceof Value.Bool x)
        {
            out.varint(x.value() ? V_BOOL_TRUE : V_BOOL_FALSE);
        }
        else if (v instanceof Value.Str x)
        {
            out.varint(V_STR);
            string(out, strings, x.value());
        }
        else if (v instanceof Value.Bin x)
        {
            out.varint(V_BIN);
            out.varint(x.bytes().length);
            out.bytes(x.bytes());
        }
        else if (v instanceof Value.Timestamp x)
        {
            out.varint(V_TIMESTAMP);
            out.zigzag(x.seconds());
            out.zigzag(x.nanos());
        }
        else if (v instanceof Value.FloatValue x)
        {
            out.varint(V_FLOAT);
            out.fixed64(x.bits());
        }
        else if (v instanceof Value.DoubleValue x)
        {
            out.varint(V_DOUBLE);
            out.fixed64(x.bits());
        }
        else if (v instanceof Value.Decimal x)
        {
            out.varint(V_DECIMAL);
            out.fixed64(x.low());
            out.fixed64(x.high());
            out.zigzag(x.exponent());
            out.varint(x.negative() ? 1 : 0);
        }
        else if (v instanceof Value.ObjectIdValue x)
        {
            out.varint(V_OBJECT_ID);
            out.bytes(x.bytes());
        }
        else if (v instanceof Value.UuidValue x)
        {
            out.varint(V_UUID);
            out.bytes(x.bytes());
        }
        else if (v instanceof Value.Link x)
        {
            out.varint(V_LINK);
            string(out, strings, x.table());
            value(out, strings, x.key());
        }
        else if (v instanceof Value.Embedded x)
        {
            out.varint(V_EMBEDDED);
            object(out, strings, x.object());
        }
        else if (v instanceof Value.ListValue x)
        {
            out.varint(V_LIST);
            out.varint(x.items().size());
            for (final Value item : x.items())
            {
                value(out, strings, item);
            }
        }
        else if (v instanceof Value.DictValue x)
        {
            out.varint(V_DICT);
            out.varint(x.entries().size());
            for (final Map.Entry<String, Value> e : x.entries().entrySet())
            {
                string(out, strings, e.getKey());
                value(out, strings, e.getValue());
            }
        }
        else if (v instanceof Value.SetValue x)
        {
            out.varint(V_SET);
            out.varint(x.items().size());
            for (final Value item : x.items())
            {
                value(out, strings, item);
            }
        }
        else
        {
            throw new IllegalStateException("unknown value kind " + v.getClass().getSimpleName());
        }
    }

    /** A string: its dictionary id + 1, or 0 followed by its UTF-8 bytes the first time (it gets the next id). */
    private static void string(final Output out, final HashMap<String, Integer> strings, final String s)
    {
        final Integer id = strings.get(s);
        if (id != null)
        {
            out.varint(id + 1L);
            return;
        }
        strings.put(s, strings.size());
        out.varint(0);
        final byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        out.varint(utf8.length);
        out.bytes(utf8);
    }

    // -------------------------------------------------------------------------------------------------- decode

    /**
     * Decode a state that {@link #encode} wrote, from {@code in}'s position.
     *
     * @throws Malformed if the bytes are not such a state (the input's position is then undefined).
     */
    public static ObjectState decode(final Input in) throws Malformed
    {
        final Strings strings = new Strings();
        final ObjectState state = new ObjectState();
        final int tables = in.count();
        for (int i = 0; i < tables; i++)
        {
            final String name = strings.read(in);
            final int typeOrdinal = in.small();
            if (typeOrdinal >= TableType.values().length)
            {
                throw new Malformed("bad class type " + typeOrdinal);
            }
            final String pkField = in.small() == 0 ? null : strings.read(in);
            final int pkType = in.small() - 16;
            final boolean pkNullable = in.small() != 0;
            final TableData t = new TableData(name, TableType.values()[typeOrdinal], pkField, pkType, pkNullable);
            t.columns.clear();
            final int columns = in.count();
            for (int c = 0; c < columns; c++)
            {
                final String column = strings.read(in);
                final int type = in.small() - 16;
                final boolean nullable = in.small() != 0;
                final int collection = in.small() - 16;
                final String linkTarget = in.small() == 0 ? null : strings.read(in);
                final int keyType = in.small() - 16;
                t.columns.put(column, new ColumnSpec(column, type, nullable, collection, linkTarget, keyType));
            }
            final int objects = in.count();
            for (int o = 0; o < objects; o++)
            {
                final Value key = value(in, strings, 0);
                t.putObject(key, object(in, strings, 0, pkField, key));
            }
            state.tables.put(name, t);
        }
        return state;
    }

    /** @param pkField the primary-key column of a top-level object (its value then shares {@code key}), or null. */
    private static ObjectData object(final Input in, final Strings strings, final int depth, final String pkField,
        final Value key) throws Malformed
    {
        final ObjectData o = new ObjectData(strings.read(in));
        final TreeMap<String, Value> fields = o.tree();
        final int n = in.count();
        for (int i = 0; i < n; i++)
        {
            final String field = strings.read(in);
            final Value v = value(in, strings, depth);
            fields.put(field, field.equals(pkField) && v.equals(key) ? key : v); // one key object, as when applied
        }
        return o;
    }

    private static Value value(final Input in, final Strings strings, final int depth) throws Malformed
    {
        if (depth > MAX_DEPTH)
        {
            throw new Malformed("values nested deeper than " + MAX_DEPTH);
        }
        final int tag = (int)in.varint();
        switch (tag)
        {
            case V_NULL:
                return Value.Null.INSTANCE;
            case V_INT:
                return new Value.Int(in.zigzag());
            case V_BOOL_FALSE:
                return Value.Bool.FALSE;
            case V_BOOL_TRUE:
                return Value.Bool.TRUE;
            case V_STR:
                return strings.readValue(in);
            case V_BIN:
                return new Value.Bin(in.bytes(in.count()));
            case V_TIMESTAMP:
                return new Value.Timestamp(in.zigzag(), (int)in.zigzag());
            case V_FLOAT:
                return new Value.FloatValue((int)in.fixed64());
            case V_DOUBLE:
                return new Value.DoubleValue(in.fixed64());
            case V_DECIMAL:
                return new Value.Decimal(in.fixed64(), in.fixed64(), (int)in.zigzag(), in.small() != 0);
            case V_OBJECT_ID:
                return new Value.ObjectIdValue(in.bytes(12));
            case V_UUID:
                return new Value.UuidValue(in.bytes(16));
            case V_LINK:
                return new Value.Link(strings.read(in), value(in, strings, depth + 1));
            case V_EMBEDDED:
                return new Value.Embedded(object(in, strings, depth + 1, null, null));
            case V_LIST:
            {
                final int n = in.count();
                final ArrayList<Value> items = new ArrayList<>(n);
                for (int i = 0; i < n; i++)
                {
                    items.add(value(in, strings, depth + 1));
                }
                return new Value.ListValue(items);
            }
            case V_DICT:
            {
                final int n = in.count();
                final Value.DictValue d = new Value.DictValue();
                for (int i = 0; i < n; i++)
                {
                    final String key = strings.read(in);
                    d.entries().put(key, value(in, strings, depth + 1));
                }
                return d;
            }
            case V_SET:
            {
                final int n = in.count();
                final Value.SetValue s = new Value.SetValue();
                for (int i = 0; i < n; i++)
                {
                    s.items().add(value(in, strings, depth + 1));
                }
                return s;
            }
            default:
                throw new Malformed("bad value tag " + tag);
        }
    }

    /** The decoder's string dictionary: each distinct string once, and one shared {@link Value.Str} per string. */
    private static final class Strings
    {
        private String[] strings = new String[64];
        private Value.Str[] values = new Value.Str[64];
        private int size;

        String read(final Input in) throws Malformed
        {
            return strings[id(in)];
        }

        Value.Str readValue(final Input in) throws Malformed
        {
            final int id = id(in);
            Value.Str v = values[id];
            if (v == null)
            {
                v = new Value.Str(strings[id]);
                values[id] = v;
            }
            return v;
        }

        private int id(final Input in) throws Malformed
        {
            final long ref = in.varint();
            if (ref == 0)
            {
                final int length = in.count();
                final String s = new String(in.array(), in.take(length), length, StandardCharsets.UTF_8);
                if (size == strings.length)
                {
                    strings = Arrays.copyOf(strings, size * 2);
                    values = Arrays.copyOf(values, size * 2);
                }
                strings[size] = s;
                return size++;
            }
            if (ref > size)
            {
                throw new Malformed("string reference " + ref + " beyond " + size);
            }
            return (int)(ref - 1);
        }
    }

    // ------------------------------------------------------------------------------------------------- buffers

    /** A growable byte buffer the encoder appends to. Not thread-safe. */
    public static final class Output
    {
        private byte[] buf;
        private int size;

        public Output(final int initialCapacity)
        {
            buf = new byte[Math.max(16, initialCapacity)];
        }

        /** @return the backing array (valid up to {@link #size()}). */
        public byte[] array()
        {
            return buf;
        }

        public int size()
        {
            return size;
        }

        private void ensure(final int more)
        {
            if (size + more > buf.length)
            {
                buf = Arrays.copyOf(buf, Math.max(size + more, buf.length * 2));
            }
        }

        public void varint(final long value)
        {
            ensure(10);
            long v = value;
            while ((v & ~0x7FL) != 0)
            {
                buf[size++] = (byte)((v & 0x7F) | 0x80);
                v >>>= 7;
            }
            buf[size++] = (byte)v;
        }

        public void zigzag(final long value)
        {
            varint((value << 1) ^ (value >> 63));
        }

        public void fixed64(final long value)
        {
            ensure(8);
            for (int i = 0; i < 8; i++)
            {
                buf[size++] = (byte)(value >>> (8 * i));
            }
        }

        public void bytes(final byte[] bytes)
        {
            ensure(bytes.length);
            System.arraycopy(bytes, 0, buf, size, bytes.length);
            size += bytes.length;
        }
    }

    /** A reader over a byte range; every read past its end fails with {@link Malformed}. Not thread-safe. */
    public static final class Input
    {
        private final byte[] buf;
        private final int limit;
        private int pos;

        public Input(final byte[] buf, final int offset, final int length)
        {
            this.buf = buf;
            this.pos = offset;
            this.limit = offset + length;
        }

        public int position()
        {
            return pos;
        }

        byte[] array()
        {
            return buf;
        }

        /** @return the position of the next {@code length} bytes, which are then skipped. */
        int take(final int length) throws Malformed
        {
            if (length < 0 || length > limit - pos)
            {
                throw new Malformed("truncated");
            }
            final int at = pos;
            pos += length;
            return at;
        }

        public long varint() throws Malformed
        {
            long v = 0;
            for (int shift = 0; shift < 64; shift += 7)
            {
                if (pos >= limit)
                {
                    throw new Malformed("truncated");
                }
                final byte b = buf[pos++];
                v |= (long)(b & 0x7F) << shift;
                if (b >= 0)
                {
                    return v;
                }
            }
            throw new Malformed("varint too long");
        }

        /** @return a non-negative count or length that fits an int (and the bytes left). */
        public int count() throws Malformed
        {
            final long v = varint();
            if (v < 0 || v > limit - pos)
            {
                throw new Malformed("count " + v + " beyond the input");
            }
            return (int)v;
        }

        /** @return a small non-negative number (a tag, a flag, a type): at most 255. */
        public int small() throws Malformed
        {
            final long v = varint();
            if (v < 0 || v > 255)
            {
                throw new Malformed("bad tag " + v);
            }
            return (int)v;
        }

        public long zigzag() throws Malformed
        {
            final long v = varint();
            return (v >>> 1) ^ -(v & 1);
        }

        public long fixed64() throws Malformed
        {
            final int at = take(8);
            long v = 0;
            for (int i = 7; i >= 0; i--)
            {
                v = (v << 8) | (buf[at + i] & 0xFF);
            }
            return v;
        }

        public byte[] bytes(final int length) throws Malformed
        {
            final int at = take(length);
            return Arrays.copyOfRange(buf, at, at + length);
        }
    }
}
