package dev.outpost.ot.model;

/**
 * What {@link AddTable}, {@link EraseTable}, {@link AddColumn} and {@link EraseColumn} share: they are schema
 * instructions, which conflict with everything, at a fixed depth (1 for a table, 2 for a column). Not thread-safe;
 * owned by the changeset holding it.
 */
abstract class SchemaInstruction extends Instruction
{
    private final int pathLength;

    SchemaInstruction(final String table, final int pathLength)
    {
        super(table);
        this.pathLength = pathLength;
    }

    @Override
    public final boolean isSchema()
    {
        return true;
    }

    @Override
    public final int pathLength()
    {
        return pathLength;
    }
}
