package dev.outpost.ot.query;

/**
 * The columns of one class, as a query over that class is compiled against them. Implementations are read-only
 * during {@link QueryCompiler#compile}; the compiled query does not keep a reference.
 */
@FunctionalInterface
public interface QuerySchema
{
    /** @return the declared type of {@code field}, or null if the class has no such column. */
    FieldType fieldType(String field);
}
