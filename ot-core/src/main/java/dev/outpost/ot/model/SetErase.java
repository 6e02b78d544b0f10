package dev.outpost.ot.model;

import java.util.Objects;

import dev.outpost.codec.changeset.Instr;

/** SetErase: removes a value from a set. Not thread-safe. */
public final class SetErase extends PathInstruction
{
    private Payload value;

    public SetErase(
        final String table, final PrimaryKey object, final String field, final Path path, final Payload value)
    {
        super(table, object, field, path);
        this.value = Objects.requireNonNull(value);
    }

    @Override
    public int type()
    {
        return Instr.SET_ERASE;
    }
    /** @return the erased value. */
    public Payload value()
    {
        return value;
    }

    public void setValue(final Payload value)
    {
        this.value = value;
    }

    @Override
    public SetErase copy()
    {
        return copyBase(new SetErase(table(), object(), field(), path().copy(), value));
    }

    @Override
    public boolean equals(final Object o)
    {
        if (!super.equals(o))
        {
            return false;
        }
        final SetErase other = (SetErase)o;
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
        return "SetErase(" + target() + " -= " + value + ")";
    }
}
