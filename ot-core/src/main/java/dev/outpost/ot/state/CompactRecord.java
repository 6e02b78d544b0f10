package dev.outpost.ot.state;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * The compact form of a top-level object whose fields are all primitives or links: one immutable {@code byte[]}
 * holding the primary key, then one entry per non-key field (a header byte: the value's tag in the low four bits,
 * the field's column id in the high four, {@code 15} meaning "column id - 15 follows as a varint"; then the value).
 * Strings of Latin-1 characters take one byte per character, others two (exact UTF-16, so every Java string round
 * trips); integers are zig-zag varints; doubles and floats their raw bits. The encoding is prefix-free, so a record
 * starts with its key's encoding and two keys are equal iff their encodings are. Stateless.
 */
final class CompactRecord
{
    static final int T_NULL = 0;
    static final int T_INT = 1;
    static final int T_FALSE = 2;
    static final int T_TRUE = 3;
    static final int T_LATIN1 = 4;
    static final int T_UTF16 = 5;
    static final int T_BIN = 6;
    static final int T_TIMESTAMP = 7;
    static final int T_FLOAT = 8;
    static final int T_DOUBLE = 9;
    static final int T_DECIMAL = 10;
    static final int T_OBJECT_ID = 11;
    static final int T_UUID = 12;
    static final int T_LINK = 13;

    private CompactRecord()
    {
    }

    /** @return true if {@code v} can live in a compact record (a primitive, or a link to a primitive key). */
    static boolean encodable(final Value v)
    {
        if (v instanceof Value.Link l)
        {
            return !(l.key() instanceof Value.Link) && encodable(l.key());
        }
        return !(v instanceof Value.Embedded || v instanceof Value.ListValue || v instanceof Value.DictValue ||
            v instanceof Value.SetValue);
    }

    /** @return the encoding of a primary key (the prefix of its object's record). */
    static byte[] key(final Value key)
    {
        final Writer w = new Writer(24);
        w.value(0, key);
        return w.toArray();
    }

    /**
     * @return the record of {@code key} and {@code fields} (the primary-key field, if named, must hold a value equal
     * to {@code key} and is not stored), or null if some field cannot be held compactly.
     */
    static byte[] encode(final byte[] key, final Map<String, Value> fields, final String pkField,
        final ColumnIds ids)
    {
        return encode(key, null, fields, pkField, ids);
    }

    /** As above; {@code keyValue} (if not null) is the key the primary-key field must equal to be left out. */
    static byte[] encode(final byte[] key, final Value keyValue, final Map<String, Value> fields,
        final String pkField, final ColumnIds ids)
    {
        final Writer w = new Writer(key.length + 8 * fields.size() + 8);
        w.bytes(key, 0, key.length);
        boolean pkSeen = pkField == null;
        for (final Map.Entry<String, Value> e : fields.entrySet())
        {
            final Value v = e.getValue();
            if (!pkSeen && e.getKey().equals(pkField))
            {
                if (keyValue != null && !keyValue.equals(v))
                {
                    return null; // a key field that differs from the key: kept as a tree, exactly
                }
                pkSeen = true;
                continue;
            }
            if (!encodable(v))
            {
                return null;
            }
            final int id = ids.id(e.getKey());
            if (id < 15)
            {
                w.value(id << 4, v);
            }
            else
            {
                w.header(0xF0 | tag(v));
                w.varint(id - 15);
                w.payload(v);
            }
        }
        return pkSeen ? w.toArray() : null;
    }

    /** @return the fields of {@code record} (the key under {@code pkField}, if not null), sorted by column name. */
    static TreeMap<String, Value> decode(final byte[] record, final Value key, final String pkField,
        final ColumnIds ids)
    {
        final TreeMap<String, Value> fields = new TreeMap<>();
        if (pkField != null)
        {
            fields.put(pkField, key);
        }
        final Reader r = new Reader(record);
        r.skipValue();
        while (r.pos < record.length)
        {
            final int header = record[r.pos++] & 0xFF;
            final int id = header >>> 4 == 15 ? 15 + (int)r.varint() : header >>> 4;
            fields.put(ids.name(id), r.payload(header & 0xF));
        }
        return fields;
    }

    /** @return the value of column {@code id} in {@code record}, or null if absent. */
    static Value field(final byte[] record, final int id)
    {
        final Reader r = new Reader(record);
        r.skipValue();
        while (r.pos < record.length)
        {
            final int header = record[r.pos++] & 0xFF;
            final int fieldId = header >>> 4 == 15 ? 15 + (int)r.varint() : header >>> 4;
            if (fieldId == id)
            {
                return r.payload(header & 0xF);
            }
            r.skipPayload(header & 0xF);
        }
        return null;
    }

    /**
     * @return {@code record} with column {@code id} set to {@code v} (replaced in place, or appended), or null if
     * {@code v} cannot be held compactly. The record is not changed (copy on write).
     */
    static byte[] withField(final byte[] record, final int id, final Value v)
    {
        if (!encodable(v))
        {
            return null;
        }
        final Writer w = new Writer(16);
        if (id < 15)
        {
            w.value(id << 4, v);
        }
        else
        {
            w.header(0xF0 | tag(v));
            w.varint(id - 15);
            w.payload(v);
        }
        return splice(record, id, w.buf, w.pos);
    }

    /** @return {@code record} without column {@code id} (itself if absent). */
    static byte[] withoutField(final byte[] record, final int id)
    {
        return splice(record, id, null, 0);
    }

    /** Replace (or append, or with {@code field == null} remove) the entry of column {@code id}. */
    private static byte[] splice(final byte[] record, final int id, final byte[] field, final int fieldLength)
    {
        final Reader r = new Reader(record);
        r.skipValue();
        int start = record.length;
        int end = record.length;
        while (r.pos < record.length)
        {
            final int at = r.pos;
            final int header = record[r.pos++] & 0xFF;
            final int fieldId = header >>> 4 == 15 ? 15 + (int)r.varint() : header >>> 4;
            r.skipPayload(header & 0xF);
            if (fieldId == id)
            {
                start = at;
                end = r.pos;
                break;
            }
        }
        if (field == null && start == end)
        {
            return record;
        }
        final byte[] out = new byte[record.length - (end - start) + fieldLength];
        System.arraycopy(record, 0, out, 0, start);
        if (fieldLength > 0)
        {
            System.arraycopy(field, 0, out, start, fieldLength);
        }
        System.arraycopy(record, end, out, start + fieldLength, record.length - end);
        return out;
    }

    /** @return the key a record (or a key encoding) starts with. */
    static Value readKey(final byte[] record)
    {
        final Reader r = new Reader(record);
        return r.payload(record[r.pos++] & 0xF);
    }

    /** @return the length of the key encoding a record starts with. */
    static int keyLength(final byte[] record)
    {
        final Reader r = new Reader(record);
        r.skipValue();
        return r.pos;
    }

    /** @return a well-mixed hash of {@code bytes[0..length)} (FNV-1a, then MurmurHash3's finaliser). */
    static int hash(final byte[] bytes, final int length)
    {
        int h = 0x811C9DC5;
        for (int i = 0; i < length; i++)
        {
            h = (h ^ (bytes[i] & 0xFF)) * 0x01000193;
        }
        h ^= h >>> 16;
        h *= 0x85EBCA6B;
        h ^= h >>> 13;
        h *= 0xC2B2AE35;
        return h ^ (h >>> 16);
    }

    private static int tag(final Value v)
    {
        if (v instanceof Value.Null)
        {
            return T_NULL;
        }
        if (v instanceof Value.Int)
        {
            return T_INT;
        }
        if (v instanceof Value.Bool x)
        {
            return x.value() ? T_TRUE : T_FALSE;
        }
        if (v instanceof Value.Str x)
        {
            return latin1(x.value()) ? T_LATIN1 : T_UTF16;
        }
        if (v instanceof Value.Bin)
        {
            return T_BIN;
        }
        if (v instanceof Value.Timestamp)
        {
            return T_TIMESTAMP;
        }
        if (v instanceof Value.FloatValue)
        {
            return T_FLOAT;
        }
        if (v instanceof Value.DoubleValue)
        {
            return T_DOUBLE;
        }
        if (v instanceof Value.Decimal)
        {
            return T_DECIMAL;
        }
        if (v instanceof Value.ObjectIdValue)
        {
            return T_OBJECT_ID;
        }
        if (v instanceof Value.UuidValue)
        {
            return T_UUID;
        }
        if (v instanceof Value.Link)
        {
            return T_LINK;
        }
        throw new IllegalArgumentException("not a compact value: " + v.type());
    }

    private static boolean latin1(final String s)
    {
        for (int i = 0; i < s.length(); i++)
        {
            if (s.charAt(i) > 0xFF)
            {
                return false;
            }
        }
        return true;
    }

    /** A growable output buffer. */
    private static final class Writer
    {
        private byte[] buf;
        private int pos;

        Writer(final int capacity)
        {
            buf = new byte[capacity];
        }

        byte[] toArray()
        {
            return Arrays.copyOf(buf, pos);
        }

        private void ensure(final int n)
        {
            if (pos + n > buf.length)
            {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + n));
            }
        }

        void header(final int b)
        {
            ensure(1);
            buf[pos++] = (byte)b;
        }

        void bytes(final byte[] b, final int off, final int len)
        {
            ensure(len);
            System.arraycopy(b, off, buf, pos, len);
            pos += len;
        }

        void varint(final long v)
        {
            ensure(10);
            long x = v;
            while ((x & ~0x7FL) != 0)
            {
                buf[pos++] = (byte)((x & 0x7F) | 0x80);
                x >>>= 7;
            }
            buf[pos++] = (byte)x;
        }

        void zigzag(final long v)
        {
            varint((v << 1) ^ (v >> 63));
        }

        void fixed(final long v, final int n)
        {
            ensure(n);
            for (int i = 0; i < n; i++)
            {
                buf[pos++] = (byte)(v >>> (8 * i));
            }
        }

        /** A value with its header: {@code high} holds the header's high four bits. */
        void value(final int high, final Value v)
        {
            header(high | tag(v));
            payload(v);
        }

        void payload(final Value v)
        {
            if (v instanceof Value.Int x)
            {
                zigzag(x.value());
            }
            else if (v instanceof Value.Str x)
            {
                final String s = x.value();
                varint(s.length());
                if (latin1(s))
                {
                    ensure(s.length());
                    for (int i = 0; i < s.length(); i++)
                    {
                        buf[pos++] = (byte)s.charAt(i);
                    }
                }
                else
                {
                    ensure(2 * s.length());
                    for (int i = 0; i < s.length(); i++)
                    {
                        final char c = s.charAt(i);
                        buf[pos++] = (byte)c;
                        buf[pos++] = (byte)(c >>> 8);
                    }
                }
            }
            else if (v instanceof Value.Bin x)
            {
                varint(x.bytes().length);
                bytes(x.bytes(), 0, x.bytes().length);
            }
            else if (v instanceof Value.Timestamp x)
            {
                zigzag(x.seconds());
                zigzag(x.nanos());
            }
            else if (v instanceof Value.FloatValue x)
            {
                fixed(x.bits(), 4);
            }
            else if (v instanceof Value.DoubleValue x)
            {
                fixed(x.bits(), 8);
            }
            else if (v instanceof Value.Decimal x)
            {
                fixed(x.low(), 8);
                fixed(x.high(), 8);
                zigzag(x.exponent());
                header(x.negative() ? 1 : 0);
            }
            else if (v instanceof Value.ObjectIdValue x)
            {
                bytes(x.bytes(), 0, 12);
            }
            else if (v instanceof Value.UuidValue x)
            {
                bytes(x.bytes(), 0, 16);
            }
            else if (v instanceof Value.Link x)
            {
                value(0, new Value.Str(x.table()));
                value(0, x.key());
            }
            // Null and Bool: the tag is the value
        }
    }

    /** A cursor over a record. */
    private static final class Reader
    {
        private final byte[] buf;
        private int pos;

        Reader(final byte[] buf)
        {
            this.buf = buf;
        }

        long varint()
        {
            long v = 0;
            int shift = 0;
            while (true)
            {
                final byte b = buf[pos++];
                v |= (long)(b & 0x7F) << shift;
                if (b >= 0)
                {
                    return v;
                }
                shift += 7;
            }
        }

        long zigzag()
        {
            final long v = varint();
            return (v >>> 1) ^ -(v & 1);
        }

        long fixed(final int n)
        {
            long v = 0;
            for (int i = 0; i < n; i++)
            {
                v |= (long)(buf[pos++] & 0xFF) << (8 * i);
            }
            return v;
        }

        void skipValue()
        {
            skipPayload(buf[pos++] & 0xF);
        }

        Value value()
        {
            return payload(buf[pos++] & 0xF);
        }

        void skipPayload(final int tag)
        {
            switch (tag)
            {
                case T_INT -> varint();
                case T_LATIN1, T_BIN ->
                {
                    final int n = (int)varint(); // read before adding: pos += varint() would add to the old pos
                    pos += n;
                }
                case T_UTF16 ->
                {
                    final int n = (int)varint();
                    pos += 2 * n;
                }
                case T_TIMESTAMP ->
                {
                    varint();
                    varint();
                }
                case T_FLOAT -> pos += 4;
                case T_DOUBLE -> pos += 8;
                case T_DECIMAL ->
                {
                    pos += 16;
                    varint();
                    pos++;
                }
                case T_OBJECT_ID -> pos += 12;
                case T_UUID -> pos += 16;
                case T_LINK ->
                {
                    skipValue();
                    skipValue();
                }
                default ->
                {
                    // Null and Bool: the tag is the value
                }
            }
        }

        Value payload(final int tag)
        {
            switch (tag)
            {
                case T_NULL:
                    return Value.Null.INSTANCE;
                case T_INT:
                    return new Value.Int(zigzag());
                case T_FALSE:
                    return Value.Bool.FALSE;
                case T_TRUE:
                    return Value.Bool.TRUE;
                case T_LATIN1:
                {
                    final int n = (int)varint();
                    final String s = new String(buf, pos, n, StandardCharsets.ISO_8859_1);
                    pos += n;
                    return new Value.Str(s);
                }
                case T_UTF16:
                {
                    final int n = (int)varint();
                    final char[] c = new char[n];
                    for (int i = 0; i < n; i++)
                    {
                        c[i] = (char)((buf[pos] & 0xFF) | (buf[pos + 1] & 0xFF) << 8);
                        pos += 2;
                    }
                    return new Value.Str(new String(c));
                }
                case T_BIN:
                {
                    final int n = (int)varint();
                    final byte[] b = Arrays.copyOfRange(buf, pos, pos + n);
                    pos += n;
                    return new Value.Bin(b);
                }
                case T_TIMESTAMP:
                {
                    final long seconds = zigzag();
                    return new Value.Timestamp(seconds, (int)zigzag());
                }
                case T_FLOAT:
                    return new Value.FloatValue((int)fixed(4));
                case T_DOUBLE:
                    return new Value.DoubleValue(fixed(8));
                case T_DECIMAL:
                {
                    final long low = fixed(8);
                    final long high = fixed(8);
                    final int exponent = (int)zigzag();
                    return new Value.Decimal(low, high, exponent, buf[pos++] != 0);
                }
                case T_OBJECT_ID:
                {
                    final byte[] b = Arrays.copyOfRange(buf, pos, pos + 12);
                    pos += 12;
                    return new Value.ObjectIdValue(b);
                }
                case T_UUID:
                {
                    final byte[] b = Arrays.copyOfRange(buf, pos, pos + 16);
                    pos += 16;
                    return new Value.UuidValue(b);
                }
                case T_LINK:
                {
                    final String table = ((Value.Str)value()).value();
                    return new Value.Link(table, value());
                }
                default:
                    throw new IllegalStateException("corrupt compact record: tag " + tag);
            }
        }
    }

    /**
     * Column names of one class and their ids in its records: ids are handed out on first use and never reused or
     * removed (an erased column's id is simply absent from the records rewritten since). Copy-on-write array.
     */
    static final class ColumnIds
    {
        private final java.util.HashMap<String, Integer> ids;
        private String[] names;

        ColumnIds()
        {
            this(new java.util.HashMap<>(), new String[0]);
        }

        private ColumnIds(final java.util.HashMap<String, Integer> ids, final String[] names)
        {
            this.ids = ids;
            this.names = names;
        }

        /** @return the id of {@code name}, assigning one if new. */
        int id(final String name)
        {
            final Integer id = ids.get(name);
            if (id != null)
            {
                return id;
            }
            final int next = names.length;
            final String[] grown = Arrays.copyOf(names, next + 1);
            grown[next] = name;
            names = grown;
            ids.put(name, next);
            return next;
        }

        /** @return the id of {@code name}, or -1 if no record ever held it. */
        int lookup(final String name)
        {
            final Integer id = ids.get(name);
            return id == null ? -1 : id;
        }

        String name(final int id)
        {
            return names[id];
        }

        ColumnIds copy()
        {
            return new ColumnIds(new java.util.HashMap<>(ids), names);
        }
    }
}
