package dev.outpost.ot.query;

import java.math.BigDecimal;

/**
 * Read access to the fields of one object, the only way the evaluator sees object state. A field is named by its
 * column name; {@code index} is {@link #SCALAR} for the field's own value or {@code 0..elementCount-1} for an element
 * of a list or set (sets in their stored order). Implementations are flyweights: wrap an object, evaluate, re-wrap;
 * not thread-safe. The accessors for a kind are only called after {@link #kind} returned that kind.
 */
public interface ObjectView
{
    /** Index meaning "the field itself, not an element". */
    int SCALAR = -1;
    /** {@link #elementCount} of a field the object does not have. */
    int ABSENT = -2;

    /** @return the number of elements of a list or set field, {@link #SCALAR} for a single value, or {@link #ABSENT}. */
    int elementCount(String field);

    /** @return the kind of the value (NULL for null and for an absent field; never MIXED). */
    ValueKind kind(String field, int index);

    long intValue(String field, int index);

    boolean boolValue(String field, int index);

    float floatValue(String field, int index);

    double doubleValue(String field, int index);

    /** @return the value of a STRING. */
    String stringValue(String field, int index);

    /** @return the bytes of a BINARY (any length), OBJECT_ID (12) or UUID (16); callers never modify them. */
    byte[] bytesValue(String field, int index);

    long timestampSeconds(String field, int index);

    int timestampNanos(String field, int index);

    /** @return a DECIMAL value (may allocate: Decimal128 is rare in queries). */
    BigDecimal decimalValue(String field, int index);
}
