package dev.outpost.ot.model;

/**
 * What {@link AddColumn} and {@link EraseColumn} share: a schema instruction naming the property {@code field} of
 * its class. Equality stays with each subclass. Not thread-safe; owned by the changeset holding it.
 */
abstract class ColumnInstruction extends SchemaInstruction
{
    private String field;

    ColumnInstruction(final String table, final String field)
    {
        super(table, 2);
        this.field = field;
    }

    /** @return the property's name. */
    public final String field()
    {
        return field;
    }

    public final void setField(final String field)
    {
        this.field = field;
    }
}
