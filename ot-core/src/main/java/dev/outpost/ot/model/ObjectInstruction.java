package dev.outpost.ot.model;

import java.util.Objects;

/** An instruction addressing one object, {@code table[object]}. Not thread-safe. */
public abstract class ObjectInstruction extends Instruction
{
    private PrimaryKey object;

    ObjectInstruction(final String table, final PrimaryKey object)
    {
        super(table);
        this.object = Objects.requireNonNull(object);
    }

    public final PrimaryKey object()
    {
        return object;
    }

    public final void setObject(final PrimaryKey object)
    {
        this.object = Objects.requireNonNull(object);
    }

    @Override
    public int pathLength()
    {
        return 2;
    }

    @Override
    public boolean equals(final Object o)
    {
        return super.equals(o) && object.equals(((ObjectInstruction)o).object);
    }

    @Override
    public int hashCode()
    {
        return super.hashCode() * 31 + object.hashCode();
    }

    String target()
    {
        return table() + "[" + object + "]";
    }
}
