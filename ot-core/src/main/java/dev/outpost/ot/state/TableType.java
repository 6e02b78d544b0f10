package dev.outpost.ot.state;

import dev.outpost.codec.changeset.Instr;

/** Kind of a class, as AddTable's table_type. */
public enum TableType
{
    TOP_LEVEL(Instr.TABLE_TOP_LEVEL),
    EMBEDDED(Instr.TABLE_EMBEDDED),
    TOP_LEVEL_ASYMMETRIC(Instr.TABLE_TOP_LEVEL_ASYMMETRIC);

    private final int wire;

    TableType(final int wire)
    {
        this.wire = wire;
    }

    /** @return the AddTable table_type on the wire. */
    public int wire()
    {
        return wire;
    }

    /** @return the type for a wire value, or null if unknown. */
    public static TableType of(final int wire)
    {
        return switch (wire)
        {
            case Instr.TABLE_TOP_LEVEL -> TOP_LEVEL;
            case Instr.TABLE_EMBEDDED -> EMBEDDED;
            case Instr.TABLE_TOP_LEVEL_ASYMMETRIC -> TOP_LEVEL_ASYMMETRIC;
            default -> null;
        };
    }
}
