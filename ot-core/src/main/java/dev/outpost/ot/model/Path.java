package dev.outpost.ot.model;

import java.util.ArrayList;
import java.util.List;

/**
 * The path of a path instruction below {@code table[object].field}: list indices and keys, e.g.
 * {@code items[3].address.city} is field {@code items} with path {@code [3, "address", "city"]}. Mutable (the merge
 * shifts indices in place). Equality and order are element-wise. Not thread-safe; owned by the changeset holding it.
 */
public final class Path implements Comparable<Path>
{
    private final ArrayList<PathElement> elements;

    public Path()
    {
        elements = new ArrayList<>(4);
    }

    private Path(final ArrayList<PathElement> elements)
    {
        this.elements = elements;
    }

    /** @param elements {@link Long}/{@link Integer} for indices, {@link String} for keys */
    public static Path of(final Object... elements)
    {
        final Path p = new Path();
        for (final Object e : elements)
        {
            if (e instanceof String)
            {
                p.addKey((String)e);
            }
            else if (e instanceof Number)
            {
                p.addIndex(((Number)e).longValue());
            }
            else if (e instanceof PathElement)
            {
                p.add((PathElement)e);
            }
            else
            {
                throw new IllegalArgumentException("path element must be a number or a string: " + e);
            }
        }
        return p;
    }

    public int size()
    {
        return elements.size();
    }

    public boolean isEmpty()
    {
        return elements.isEmpty();
    }

    public PathElement get(final int i)
    {
        return elements.get(i);
    }

    public boolean isIndex(final int i)
    {
        return elements.get(i).isIndex();
    }

    public long index(final int i)
    {
        return elements.get(i).index();
    }

    public String key(final int i)
    {
        return elements.get(i).key();
    }

    /** @return true if the last element exists and is an index (realm-core's {@code is_array_index}). */
    public boolean endsInIndex()
    {
        return !elements.isEmpty() && elements.get(elements.size() - 1).isIndex();
    }

    /** @return the last element's index; the path must end in an index. */
    public long lastIndex()
    {
        return elements.get(elements.size() - 1).index();
    }

    public Path setIndex(final int i, final long index)
    {
        elements.set(i, PathElement.index(index));
        return this;
    }

    /** Replaces the last element (which must be an index) with {@code index}. */
    public Path setLastIndex(final long index)
    {
        return setIndex(elements.size() - 1, index);
    }

    public Path add(final PathElement element)
    {
        elements.add(element);
        return this;
    }

    public Path addIndex(final long index)
    {
        return add(PathElement.index(index));
    }

    public Path addKey(final String key)
    {
        return add(PathElement.key(key));
    }

    /** @return the elements, read-only. */
    public List<PathElement> elements()
    {
        return java.util.Collections.unmodifiableList(elements);
    }

    public Path copy()
    {
        return new Path(new ArrayList<>(elements));
    }

    @Override
    public boolean equals(final Object o)
    {
        return this == o || (o instanceof Path && elements.equals(((Path)o).elements));
    }

    @Override
    public int hashCode()
    {
        return elements.hashCode();
    }

    @Override
    public int compareTo(final Path o)
    {
        final int n = Math.min(elements.size(), o.elements.size());
        for (int i = 0; i < n; i++)
        {
            final int c = elements.get(i).compareTo(o.elements.get(i));
            if (c != 0)
            {
                return c;
            }
        }
        return Integer.compare(elements.size(), o.elements.size());
    }

    @Override
    public String toString()
    {
        final StringBuilder sb = new StringBuilder();
        for (final PathElement e : elements)
        {
            if (e.isIndex())
            {
                sb.append('[').append(e.index()).append(']');
            }
            else
            {
                sb.append('.').append(e.key());
            }
        }
        return sb.toString();
    }
}
