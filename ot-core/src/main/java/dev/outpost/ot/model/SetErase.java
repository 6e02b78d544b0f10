package dev.outpost.ot.model;

import dev.outpost.codec.changeset.Instr;

/** SetErase: removes a value from a set. Not thread-safe. */
public final class SetErase extends SetInstruction
{
    public SetErase(
        final String table, final PrimaryKey object, final String field, final Path path, final Payload value)
    {
        super(table, object, field, path, value);
    }

    @Override
    public int type()
    {
        return Instr.SET_ERASE;
    }

    @Override
    public SetErase copy()
    {
        return copyBase(new SetErase(table(), object(), field(), path().copy(), value()));
    }

    @Override
    public String toString()
    {
        return describe("-=");
    }
}
