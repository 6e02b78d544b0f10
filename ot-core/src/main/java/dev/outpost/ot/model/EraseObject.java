package dev.outpost.ot.model;

import dev.outpost.codec.changeset.Instr;

/** EraseObject: erases {@code table[object]}. Not thread-safe. */
public final class EraseObject extends ObjectInstruction
{
    public EraseObject(final String table, final PrimaryKey object)
    {
        super(table, object);
    }

    @Override
    public int type()
    {
        return Instr.ERASE_OBJECT;
    }

    @Override
    public EraseObject copy()
    {
        return copyBase(new EraseObject(table(), object()));
    }

    @Override
    public String toString()
    {
        return "EraseObject(" + target() + ")";
    }
}
