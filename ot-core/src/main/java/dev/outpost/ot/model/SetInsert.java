package dev.outpost.ot.model;

import dev.outpost.codec.changeset.Instr;

/** SetInsert: adds a value to a set. Not thread-safe. */
public final class SetInsert extends SetInstruction
{
    public SetInsert(
        final String table, final PrimaryKey object, final String field, final Path path, final Payload value)
    {
        super(table, object, field, path, value);
    }

    @Override
    public int type()
    {
        return Instr.SET_INSERT;
    }

    @Override
    public SetInsert copy()
    {
        return copyBase(new SetInsert(table(), object(), field(), path().copy(), value()));
    }

    @Override
    public String toString()
    {
        return describe("+=");
    }
}
