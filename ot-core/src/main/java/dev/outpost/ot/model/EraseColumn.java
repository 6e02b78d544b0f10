package dev.outpost.ot.model;

import java.util.Objects;

import dev.outpost.codec.changeset.Instr;

/** EraseColumn: removes a property from a class. Not thread-safe. */
public final class EraseColumn extends ColumnInstruction
{
    public EraseColumn(final String table, final String field)
    {
        super(table, field);
    }

    @Override
    public int type()
    {
        return Instr.ERASE_COLUMN;
    }

    @Override
    public EraseColumn copy()
    {
        return copyBase(new EraseColumn(table(), field()));
    }

    @Override
    public boolean equals(final Object o)
    {
        return super.equals(o) && field().equals(((EraseColumn)o).field());
    }

    @Override
    public int hashCode()
    {
        return Objects.hash(super.hashCode(), field());
    }

    @Override
    public String toString()
    {
        return "EraseColumn(" + table() + "." + field() + ")";
    }
}
