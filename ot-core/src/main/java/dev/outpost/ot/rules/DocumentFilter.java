package dev.outpost.ot.rules;

import java.util.Collections;
import java.util.List;
import java.util.TreeSet;

import dev.outpost.ot.query.ObjectView;

/**
 * A compiled MongoDB query document with its expansions resolved (a role's read or write filter for one session,
 * or a partition permission): evaluated per object with MongoDB's semantics. Immutable and thread-safe; evaluation
 * reads only the fields listed by {@link #fields()}, holds no state and allocates nothing except for Decimal128
 * values. Same shape as {@link dev.outpost.ot.query.CompiledQuery} ({@code matches}, {@code fields},
 * {@code reads}), so a session's view can be its subscription AND its role's read filter.
 */
public final class DocumentFilter
{
    /** Matches every object. */
    public static final DocumentFilter ALL = new DocumentFilter(Node.Const.TRUE);
    /** Matches no object. */
    public static final DocumentFilter NONE = new DocumentFilter(Node.Const.FALSE);

    private final Node root;
    private final List<String> fields;
    private final String description;

    DocumentFilter(final Node root)
    {
        this.root = root;
        final TreeSet<String> read = new TreeSet<>();
        root.collectFields(read);
        this.fields = List.copyOf(read);
        this.description = root.toString();
    }

    /**
     * Compile and bind in one step.
     *
     * @param filter  the query document as a JSON-like value (Map, List, String, Long, Double, Boolean, null), or
     *                {@code true}/{@code false}.
     * @param scope   what it may refer to.
     * @param context the session's context.
     * @return the filter.
     * @throws RuleRefusal if it cannot be honoured (key relative to the document).
     */
    public static DocumentFilter compile(final Object filter, final FilterScope scope, final RuleContext context)
    {
        return FilterTemplate.parse(filter, scope).bind(context);
    }

    Node root()
    {
        return root;
    }

    /** @return true if the object (a view positioned on one object) matches. */
    public boolean matches(final ObjectView object)
    {
        return root.evaluate(object);
    }

    /** @return the fields the filter reads, sorted; empty for a constant filter. */
    public List<String> fields()
    {
        return fields;
    }

    /** @return true if a change to {@code field} may change whether an object matches. */
    public boolean reads(final String field)
    {
        return Collections.binarySearch(fields, field) >= 0;
    }

    /** @return true if it matches every object regardless of its fields. */
    public boolean matchesEverything()
    {
        return root == Node.Const.TRUE;
    }

    /** @return true if it matches no object. */
    public boolean matchesNothing()
    {
        return root == Node.Const.FALSE;
    }

    /**
     * @return the canonical text (Extended JSON, operators explicit, expansions resolved): two filters with the
     * same description match the same objects.
     */
    public String description()
    {
        return description;
    }

    @Override
    public boolean equals(final Object o)
    {
        return o instanceof DocumentFilter f && f.description.equals(description);
    }

    @Override
    public int hashCode()
    {
        return description.hashCode();
    }

    @Override
    public String toString()
    {
        return description;
    }
}
