package dev.outpost.ot.model;

import dev.outpost.codec.changeset.Instr;

/** CreateObject: creates {@code table[object]} (idempotent). Not thread-safe. */
public final class CreateObject extends ObjectInstruction
{
    public CreateObject(final String table, final PrimaryKey object)
    {
        super(table, object);
    }

    @Override
    public int type()
    {
        return Instr.CREATE_OBJECT;
    }

    @Override
    public CreateObject copy()
    {
        return copyBase(new CreateObject(table(), object()));
    }

    @Override
    public String toString()
    {
        return "CreateObject(" + target() + ")";
    }
}
