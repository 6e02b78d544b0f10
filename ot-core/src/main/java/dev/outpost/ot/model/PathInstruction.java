package dev.outpost.ot.model;

import java.util.Objects;

/**
 * An instruction addressing {@code table[object].field} plus a {@link Path} below the field. For list
 * instructions the path ends in the element index ({@link #index()}). Not thread-safe.
 */
public abstract class PathInstruction extends ObjectInstruction
{
    private String field;
    private Path path;

    PathInstruction(final String table, final PrimaryKey object, final String field, final Path path)
    {
        super(table, object);
        this.field = Objects.requireNonNull(field);
        this.path = Objects.requireNonNull(path);
    }

    public final String field()
    {
        return field;
    }

    public final void setField(final String field)
    {
        this.field = Objects.requireNonNull(field);
    }

    /** @return the path, mutable in place. */
    public final Path path()
    {
        return path;
    }

    public final void setPath(final Path path)
    {
        this.path = Objects.requireNonNull(path);
    }

    /** @return the last path element's index; the path must end in an index. */
    public final long index()
    {
        return path.lastIndex();
    }

    public final void setIndex(final long index)
    {
        path.setLastIndex(index);
    }

    @Override
    public final int pathLength()
    {
        return 3 + path.size();
    }

    @Override
    public boolean equals(final Object o)
    {
        if (!super.equals(o))
        {
            return false;
        }
        final PathInstruction p = (PathInstruction)o;
        return field.equals(p.field) && path.equals(p.path);
    }

    @Override
    public int hashCode()
    {
        return (super.hashCode() * 31 + field.hashCode()) * 31 + path.hashCode();
    }

    @Override
    String target()
    {
        return super.target() + "." + field + path;
    }
}
