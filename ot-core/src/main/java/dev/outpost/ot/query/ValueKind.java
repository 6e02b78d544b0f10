package dev.outpost.ot.query;

/**
 * Type of a column's elements (in a {@link FieldType}) and of a value read through an {@link ObjectView}.
 * {@link #MIXED} appears only as a column type; {@link #OTHER} (links, embedded objects, nested collections) only as
 * a value kind or a column type the query language cannot compare.
 */
public enum ValueKind
{
    NULL,
    INT,
    BOOL,
    STRING,
    BINARY,
    TIMESTAMP,
    FLOAT,
    DOUBLE,
    DECIMAL,
    OBJECT_ID,
    UUID,
    MIXED,
    OTHER;

    /** @return true for the numeric kinds, which compare with each other. */
    public boolean isNumeric()
    {
        return this == INT || this == FLOAT || this == DOUBLE || this == DECIMAL;
    }
}
