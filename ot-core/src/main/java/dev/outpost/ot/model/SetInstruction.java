package dev.outpost.ot.model;

import java.util.Objects;

/**
 * What {@link SetInsert} and {@link SetErase} share: a path instruction carrying one value of a set, which takes
 * part in equality. Not thread-safe; owned by the changeset holding it.
 */
abstract class SetInstruction extends PathInstruction
{
    private Payload value;

    SetInstruction(final String table, final PrimaryKey object, final String field, final Path path, final Payload value)
    {
        super(table, object, field, path);
        this.value = Objects.requireNonNull(value);
    }

    /** @return the value inserted into or erased from the set. */
    public final Payload value()
    {
        return value;
    }

    public final void setValue(final Payload value)
    {
        this.value = value;
    }

    @Override
    public final boolean equals(final Object o)
    {
        return super.equals(o) && value.equals(((SetInstruction)o).value);
    }

    @Override
    public final int hashCode()
    {
        return Objects.hash(super.hashCode(), value);
    }

    /** @return {@code Name(target op value)}, e.g. {@code SetInsert(t[1].f += 2)}. */
    final String describe(final String operator)
    {
        return name() + "(" + target() + " " + operator + " " + value + ")";
    }
}
