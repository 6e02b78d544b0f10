package dev.outpost.ot.model;

import java.util.Objects;

import dev.outpost.codec.changeset.Instr;

/** ArrayInsert: inserts into a list at the path's last index. Not thread-safe. */
public final class ArrayInsert extends PathInstruction
{
    private Payload value;
    private long priorSize;

    public ArrayInsert(
        final String table, final PrimaryKey object, final String field, final Path path, final Payload value, final long priorSize)
    {
        super(table, object, field, path);
        this.value = Objects.requireNonNull(value);
        this.priorSize = priorSize;
    }

    @Override
    public int type()
    {
        return Instr.ARRAY_INSERT;
    }
    /** @return the inserted value. */
    public Payload value()
    {
        return value;
    }

    public void setValue(final Payload value)
    {
        this.value = value;
    }

    /** @return the list size before the insert. */
    public long priorSize()
    {
        return priorSize;
    }

    public void setPriorSize(final long priorSize)
    {
        this.priorSize = priorSize;
    }

    @Override
    public ArrayInsert copy()
    {
        return copyBase(new ArrayInsert(table(), object(), field(), path().copy(), value, priorSize));
    }

    @Override
    public boolean equals(final Object o)
    {
        if (!super.equals(o))
        {
            return false;
        }
        final ArrayInsert other = (ArrayInsert)o;
        return value.equals(other.value) && priorSize == other.priorSize;
    }

    @Override
    public int hashCode()
    {
        return Objects.hash(super.hashCode(), value, priorSize);
    }

    @Override
    public String toString()
    {
        return "ArrayInsert(" + target() + " <- " + value + ", prior_size=" + priorSize + ")";
    }
}
