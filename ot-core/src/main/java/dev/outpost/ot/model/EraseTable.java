package dev.outpost.ot.model;

import dev.outpost.codec.changeset.Instr;

/** EraseTable: removes a class and everything in it. Not thread-safe. */
public final class EraseTable extends Instruction
{
    public EraseTable(final String table)
    {
        super(table);
    }

    @Override
    public int type()
    {
        return Instr.ERASE_TABLE;
    }

    @Override
    public boolean isSchema()
    {
        return true;
    }

    @Override
    public int pathLength()
    {
        return 1;
    }

    @Override
    public EraseTable copy()
    {
        return copyBase(new EraseTable(table()));
    }

    @Override
    public String toString()
    {
        return "EraseTable(" + table() + ")";
    }
}
