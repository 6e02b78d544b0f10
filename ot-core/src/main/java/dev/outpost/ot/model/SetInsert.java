package dev.outpost.ot.model;

import java.util.Objects;

import dev.outpost.codec.changeset.Instr;

/** SetInsert: adds a value to a set. Not thread-safe. */
public final class SetInsert extends PathInstruction
{
    private Payload value;

    public SetInsert(
        final String table, final PrimaryKey object, final String field, final Path path, final Payload value)
    {
        super(table, object, field, path);
        this.value = Objects.requireNonNull(value);
    }

    @Override
    public int type()
    {
        return Instr.SET_INSERT;
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

    @Override
    public SetInsert copy()
    {
        return copyBase(new SetInsert(table(), object(), field(), path().copy(), value));
    }

    @Override
    public boolean equals(final Object o)
    {
        if (!super.equals(o))
        {
            return false;
        }
        final SetInsert other = (SetInsert)o;
        return value.equals(other.value);
    }

    @Override
    public int hashCode()
    {
        return Objects.hash(super.hashCode(), value);
    }

    @Override
    public String toString()
    {
        return "SetInsert(" + target() + " += " + value + ")";
    }
}
