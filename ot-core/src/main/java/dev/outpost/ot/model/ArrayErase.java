package dev.outpost.ot.model;

import java.util.Objects;

import dev.outpost.codec.changeset.Instr;

/** ArrayErase: removes the list element at the path's last index. Not thread-safe. */
public final class ArrayErase extends PathInstruction
{
    private long priorSize;

    public ArrayErase(
        final String table, final PrimaryKey object, final String field, final Path path, final long priorSize)
    {
        super(table, object, field, path);
        this.priorSize = priorSize;
    }

    @Override
    public int type()
    {
        return Instr.ARRAY_ERASE;
    }
    /** @return the list size before the erase. */
    public long priorSize()
    {
        return priorSize;
    }

    public void setPriorSize(final long priorSize)
    {
        this.priorSize = priorSize;
    }

    @Override
    public ArrayErase copy()
    {
        return copyBase(new ArrayErase(table(), object(), field(), path().copy(), priorSize));
    }

    @Override
    public boolean equals(final Object o)
    {
        if (!super.equals(o))
        {
            return false;
        }
        final ArrayErase other = (ArrayErase)o;
        return priorSize == other.priorSize;
    }

    @Override
    public int hashCode()
    {
        return Objects.hash(super.hashCode(), priorSize);
    }

    @Override
    public String toString()
    {
        return "ArrayErase(" + target() + ", prior_size=" + priorSize + ")";
    }
}
