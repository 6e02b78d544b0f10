package dev.outpost.ot.query;

import java.util.Collections;
import java.util.List;
import java.util.TreeSet;

/**
 * A subscription query of one class, compiled once and evaluated per object. Immutable and thread-safe: sessions on
 * different event loops share one instance. Evaluation reads only the fields listed by {@link #fields()}, holds no
 * state, and allocates nothing except for Decimal128 values.
 */
public final class CompiledQuery
{
    private final String className;
    private final Expr root;
    private final List<String> fields;
    private final String description;

    CompiledQuery(final String className, final Expr root)
    {
        this.className = className;
        this.root = root;
        final TreeSet<String> read = new TreeSet<>();
        root.collectFields(read);
        this.fields = List.copyOf(read);
        this.description = root.toString();
    }

    /** @return the class the query selects from. */
    public String className()
    {
        return className;
    }

    /** @return true if the object (a view positioned on one object of {@link #className()}) matches. */
    public boolean matches(final ObjectView object)
    {
        return root.evaluate(object);
    }

    /** @return the fields the query reads, sorted; empty for TRUEPREDICATE/FALSEPREDICATE. */
    public List<String> fields()
    {
        return fields;
    }

    /**
     * @return true if a change to {@code field} may move an object into or out of the result (a changeset touching
     * no such field leaves membership as it was).
     */
    public boolean reads(final String field)
    {
        return Collections.binarySearch(fields, field) >= 0;
    }

    /** @return true for a query that matches every object regardless of its fields (TRUEPREDICATE). */
    public boolean matchesEverything()
    {
        return root == Expr.Const.TRUE;
    }

    /** @return the canonical text: realm-core's description forms; reparses to an equivalent query. */
    public String description()
    {
        return description;
    }

    @Override
    public String toString()
    {
        return className + ": " + description;
    }
}
