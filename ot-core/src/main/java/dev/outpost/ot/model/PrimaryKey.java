package dev.outpost.ot.model;

import java.util.Arrays;

import dev.outpost.codec.changeset.Instr;

/**
 * An object's primary key as carried in a changeset: null, Int, String, ObjectId (12 bytes), UUID (16 bytes) or
 * GlobalKey (hi, lo). Immutable value; equality is type plus value, as in realm-core (an Int key never equals a
 * String key). The total order ({@link #compareTo}) is by type tag, then value, and exists only to make output
 * deterministic. Thread-safe (immutable).
 */
public final class PrimaryKey implements Comparable<PrimaryKey>
{
    private static final PrimaryKey NULL = new PrimaryKey(Instr.TYPE_NULL, 0, 0, null, null);

    private final int type;
    private final long a;
    private final long b;
    private final String string;
    private final byte[] bytes;

    private PrimaryKey(final int type, final long a, final long b, final String string, final byte[] bytes)
    {
        this.type = type;
        this.a = a;
        this.b = b;
        this.string = string;
        this.bytes = bytes;
    }

    public static PrimaryKey ofNull()
    {
        return NULL;
    }

    public static PrimaryKey ofInt(final long value)
    {
        return new PrimaryKey(Instr.TYPE_INT, value, 0, null, null);
    }

    public static PrimaryKey ofString(final String value)
    {
        return new PrimaryKey(Instr.TYPE_STRING, 0, 0, requireNonNull(value), null);
    }

    /** @param id 12 bytes in canonical order (copied). */
    public static PrimaryKey ofObjectId(final byte[] id)
    {
        return new PrimaryKey(Instr.TYPE_OBJECT_ID, 0, 0, null, copyOf(id, 12));
    }

    /** @param uuid 16 bytes in canonical order (copied). */
    public static PrimaryKey ofUuid(final byte[] uuid)
    {
        return new PrimaryKey(Instr.TYPE_UUID, 0, 0, null, copyOf(uuid, 16));
    }

    public static PrimaryKey ofGlobalKey(final long hi, final long lo)
    {
        return new PrimaryKey(Instr.TYPE_GLOBAL_KEY, hi, lo, null, null);
    }

    /** @return {@code Instr.TYPE_NULL, TYPE_INT, TYPE_STRING, TYPE_OBJECT_ID, TYPE_UUID} or {@code TYPE_GLOBAL_KEY}. */
    public int type()
    {
        return type;
    }

    public long intValue()
    {
        return a;
    }

    /** @return the String value, or null for other types. */
    public String stringValue()
    {
        return string;
    }

    /** @return a copy of the ObjectId/UUID bytes, or null for other types. */
    public byte[] bytes()
    {
        return bytes == null ? null : bytes.clone();
    }

    /** @return ObjectId/UUID byte {@code i} without copying. */
    public byte byteAt(final int i)
    {
        return bytes[i];
    }

    public long globalKeyHi()
    {
        return a;
    }

    public long globalKeyLo()
    {
        return b;
    }

    @Override
    public boolean equals(final Object o)
    {
        if (this == o)
        {
            return true;
        }
        if (!(o instanceof PrimaryKey))
        {
            return false;
        }
        final PrimaryKey k = (PrimaryKey)o;
        return type == k.type && a == k.a && b == k.b && java.util.Objects.equals(string, k.string) &&
            Arrays.equals(bytes, k.bytes);
    }

    @Override
    public int hashCode()
    {
        int h = type;
        h = 31 * h + Long.hashCode(a);
        h = 31 * h + Long.hashCode(b);
        h = 31 * h + (string == null ? 0 : string.hashCode());
        return 31 * h + Arrays.hashCode(bytes);
    }

    @Override
    public int compareTo(final PrimaryKey o)
    {
        int c = Integer.compare(type, o.type);
        if (c != 0)
        {
            return c;
        }
        c = Long.compare(a, o.a);
        if (c != 0)
        {
            return c;
        }
        c = Long.compare(b, o.b);
        if (c != 0)
        {
            return c;
        }
        if (string != null)
        {
            return string.compareTo(o.string);
        }
        return bytes == null ? 0 : Arrays.compareUnsigned(bytes, o.bytes);
    }

    @Override
    public String toString()
    {
        switch (type)
        {
            case Instr.TYPE_NULL:
                return "null";
            case Instr.TYPE_INT:
                return Long.toString(a);
            case Instr.TYPE_STRING:
                return '"' + string + '"';
            case Instr.TYPE_GLOBAL_KEY:
                return "GlobalKey{" + a + "," + b + "}";
            case Instr.TYPE_OBJECT_ID:
                return "ObjectId{" + Hex.of(bytes) + "}";
            default:
                return "UUID{" + Hex.of(bytes) + "}";
        }
    }

    private static String requireNonNull(final String s)
    {
        if (s == null)
        {
            throw new IllegalArgumentException("null string key");
        }
        return s;
    }

    static byte[] copyOf(final byte[] src, final int length)
    {
        if (src == null || src.length != length)
        {
            throw new IllegalArgumentException("expected " + length + " bytes");
        }
        return src.clone();
    }
}
