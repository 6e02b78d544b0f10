package dev.outpost.ot.model;

import java.util.Objects;

import dev.outpost.codec.changeset.Instr;

/** ArrayMove: moves a list element from the path's last index to {@code ndx2}. Not thread-safe. */
public final class ArrayMove extends PathInstruction
{
    private long ndx2;
    private long priorSize;

    public ArrayMove(
        final String table, final PrimaryKey object, final String field, final Path path, final long ndx2, final long priorSize)
    {
        super(table, object, field, path);
        this.ndx2 = ndx2;
        this.priorSize = priorSize;
    }

    @Override
    public int type()
    {
        return Instr.ARRAY_MOVE;
    }
    /** @return the destination index (the source is the path's last index). */
    public long ndx2()
    {
        return ndx2;
    }

    public void setNdx2(final long ndx2)
    {
        this.ndx2 = ndx2;
    }

    /** @return the list size. */
    public long priorSize()
    {
        return priorSize;
    }

    public void setPriorSize(final long priorSize)
    {
        this.priorSize = priorSize;
    }

    @Override
    public ArrayMove copy()
    {
        return copyBase(new ArrayMove(table(), object(), field(), path().copy(), ndx2, priorSize));
    }

    @Override
    public boolean equals(final Object o)
    {
        if (!super.equals(o))
        {
            return false;
        }
        final ArrayMove other = (ArrayMove)o;
        return ndx2 == other.ndx2 && priorSize == other.priorSize;
    }

    @Override
    public int hashCode()
    {
        return Objects.hash(super.hashCode(), ndx2, priorSize);
    }

    @Override
    public String toString()
    {
        return "ArrayMove(" + target() + " -> " + ndx2 + ", prior_size=" + priorSize + ")";
    }
}
