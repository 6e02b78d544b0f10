package dev.outpost.ot.query;

/**
 * Declared type of one column of a class, as the query compiler needs it.
 *
 * @param element  type of the value, or of each element of a collection.
 * @param shape    single value or collection.
 * @param nullable whether the value (or each element) may be null.
 */
public record FieldType(ValueKind element, Shape shape, boolean nullable)
{
    /** How a column holds its values. */
    public enum Shape
    {
        SINGLE,
        LIST,
        SET,
        DICTIONARY
    }

    /** @return true for a list or a set (the collections queries may quantify over). */
    public boolean isListOrSet()
    {
        return shape == Shape.LIST || shape == Shape.SET;
    }
}
