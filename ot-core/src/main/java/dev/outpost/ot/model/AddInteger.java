package dev.outpost.ot.model;

import java.util.Objects;

import dev.outpost.codec.changeset.Instr;

/** AddInteger: adds to an Int field. Not thread-safe. */
public final class AddInteger extends PathInstruction
{
    private long value;

    public AddInteger(
        final String table, final PrimaryKey object, final String field, final Path path, final long value)
    {
        super(table, object, field, path);
        this.value = value;
    }

    @Override
    public int type()
    {
        return Instr.ADD_INTEGER;
    }
    /** @return the addend (wrapping). */
    public long value()
    {
        return value;
    }

    public void setValue(final long value)
    {
        this.value = value;
    }

    @Override
    public AddInteger copy()
    {
        return copyBase(new AddInteger(table(), object(), field(), path().copy(), value));
    }

    @Override
    public boolean equals(final Object o)
    {
        if (!super.equals(o))
        {
            return false;
        }
        final AddInteger other = (AddInteger)o;
        return value == other.value;
    }

    @Override
    public int hashCode()
    {
        return Objects.hash(super.hashCode(), value);
    }

    @Override
    public String toString()
    {
        return "AddInteger(" + target() + " += " + value + ")";
    }
}
