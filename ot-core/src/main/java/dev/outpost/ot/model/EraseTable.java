package dev.outpost.ot.model;

import dev.outpost.codec.changeset.Instr;

/** EraseTable: removes a class and everything in it. Not thread-safe. */
public final class EraseTable extends SchemaInstruction
{
    public EraseTable(final String table)
    {
        super(table, 1);
    }

    @Override
    public int type()
    {
        return Instr.ERASE_TABLE;
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
