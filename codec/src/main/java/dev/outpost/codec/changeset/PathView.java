package dev.outpost.codec.changeset;

/**
 * A path relative to {@code table.object.field}: elements are list indices (>= 0) or interned field/dictionary
 * keys. A reusable holder filled by the decoder; the backing arrays grow on demand up to the decoder's limit.
 * Not thread-safe.
 */
public final class PathView
{
    private static final long KEY_FLAG = Long.MIN_VALUE;

    private long[] elements = new long[16];
    private int size;

    public int size()
    {
        return size;
    }

    /** @return true if element {@code i} is a list index. */
    public boolean isIndex(final int i)
    {
        return (elements[i] & KEY_FLAG) == 0;
    }

    /** @return list index at element {@code i} (0 .. 2^32-1). */
    public long index(final int i)
    {
        return elements[i];
    }

    /** @return intern index of the key at element {@code i}. */
    public int key(final int i)
    {
        return (int)(elements[i] & ~KEY_FLAG);
    }

    /** @return true if the last element exists and is a list index. */
    public boolean endsInIndex()
    {
        return size > 0 && isIndex(size - 1);
    }

    public PathView reset()
    {
        size = 0;
        return this;
    }

    public PathView addIndex(final long index)
    {
        ensure();
        elements[size++] = index;
        return this;
    }

    public PathView addKey(final int internIndex)
    {
        ensure();
        elements[size++] = KEY_FLAG | internIndex;
        return this;
    }

    /** Replace the last element (must be an index) with {@code index}. */
    public PathView setLastIndex(final long index)
    {
        elements[size - 1] = index;
        return this;
    }

    private void ensure()
    {
        if (size == elements.length)
        {
            elements = java.util.Arrays.copyOf(elements, size * 2);
        }
    }
}
