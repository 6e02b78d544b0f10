package dev.outpost.ot.rules;

import java.util.Objects;
import java.util.Set;

import dev.outpost.ot.query.QuerySchema;

/**
 * What a filter may refer to: the fields of one class (document filters, insert/delete expressions), only the user
 * (a role's {@code apply_when}, chosen at session start before any document), or the user and the partition (PBS
 * partition permissions). Immutable.
 */
public final class FilterScope
{
    /** What the filter's plain (non-expansion) keys may name. */
    enum Subject
    {
        DOCUMENTS,
        USER,
        PARTITION
    }

    final Subject subject;
    final String className;
    final QuerySchema schema;
    final Set<String> queryable;
    final RuleValues values;

    private FilterScope(final Subject subject, final String className, final QuerySchema schema,
        final Set<String> queryable, final RuleValues values)
    {
        this.subject = subject;
        this.className = className;
        this.schema = schema;
        this.queryable = null == queryable ? null : Set.copyOf(queryable);
        this.values = Objects.requireNonNull(values, "values");
    }

    /**
     * @param className the class the documents are of (for messages).
     * @param schema    its columns, or null when unknown (then any field name is accepted).
     * @param queryable the fields it may be filtered on (besides {@code _id}), or null for any.
     * @param values    the app's values ({@code %%values}, {@code %%environment} are checked against them).
     * @return the scope of a document filter.
     */
    public static FilterScope documents(final String className, final QuerySchema schema,
        final Set<String> queryable, final RuleValues values)
    {
        return new FilterScope(Subject.DOCUMENTS, className, schema, queryable, values);
    }

    /** @return the scope of an {@code apply_when}: expansions only. */
    public static FilterScope applyWhen(final RuleValues values)
    {
        return new FilterScope(Subject.USER, null, null, null, values);
    }

    /** @return the scope of a PBS partition permission: expansions, {@code %%partition} among them. */
    public static FilterScope partition(final RuleValues values)
    {
        return new FilterScope(Subject.PARTITION, null, null, null, values);
    }
}
