package dev.outpost.ot.model;

import java.util.Objects;

/**
 * One element of a {@link Path}: a list index (uint32, 0 .. 2^32-1) or a key (a field name of an embedded object
 * or a dictionary key). Immutable value; indices order before keys. Thread-safe (immutable).
 */
public final class PathElement implements Comparable<PathElement>
{
    private static final PathElement[] SMALL = new PathElement[64];

    static
    {
        for (int i = 0; i < SMALL.length; i++)
        {
            SMALL[i] = new PathElement(i, null);
        }
    }

    private final long index;
    private final String key;

    private PathElement(final long index, final String key)
    {
        this.index = index;
        this.key = key;
    }

    /** @param index 0 .. 2^32-1 */
    public static PathElement index(final long index)
    {
        if (index < 0 || index > 0xFFFF_FFFFL)
        {
            throw new IllegalArgumentException("path index out of uint32 range: " + index);
        }
        return index < SMALL.length ? SMALL[(int)index] : new PathElement(index, null);
    }

    public static PathElement key(final String key)
    {
        return new PathElement(-1, Objects.requireNonNull(key));
    }

    public boolean isIndex()
    {
        return key == null;
    }

    /** @return the index, or -1 for a key. */
    public long index()
    {
        return index;
    }

    /** @return the key, or null for an index. */
    public String key()
    {
        return key;
    }

    @Override
    public boolean equals(final Object o)
    {
        if (this == o)
        {
            return true;
        }
        if (!(o instanceof PathElement))
        {
            return false;
        }
        final PathElement e = (PathElement)o;
        return index == e.index && Objects.equals(key, e.key);
    }

    @Override
    public int hashCode()
    {
        return key == null ? Long.hashCode(index) : key.hashCode();
    }

    @Override
    public int compareTo(final PathElement o)
    {
        if (key == null)
        {
            return o.key == null ? Long.compare(index, o.index) : -1;
        }
        return o.key == null ? 1 : key.compareTo(o.key);
    }

    @Override
    public String toString()
    {
        return key == null ? Long.toString(index) : key;
    }
}
