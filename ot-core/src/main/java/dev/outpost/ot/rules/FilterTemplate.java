package dev.outpost.ot.rules;

/**
 * A filter checked at start (syntax, operators, expansions, queryable fields), its expansions not yet resolved:
 * {@link #bind} resolves them for one session. Immutable and thread-safe.
 */
public final class FilterTemplate
{
    private final Object json;
    private final FilterScope scope;
    private final boolean constant;

    private FilterTemplate(final Object json, final FilterScope scope, final boolean constant)
    {
        this.json = json;
        this.scope = scope;
        this.constant = constant;
    }

    /**
     * @param filter the query document as a JSON-like value, or {@code true}/{@code false}.
     * @param scope  what it may refer to.
     * @return the checked template.
     * @throws RuleRefusal if it cannot be honoured (key relative to the document).
     */
    public static FilterTemplate parse(final Object filter, final FilterScope scope)
    {
        new FilterCompiler(scope, null).document(filter, "", 0);
        return new FilterTemplate(filter, scope, filter instanceof Boolean);
    }

    /**
     * @param context the session's context.
     * @return the filter with every expansion resolved.
     */
    public DocumentFilter bind(final RuleContext context)
    {
        if (constant)
        {
            return Boolean.TRUE.equals(json) ? DocumentFilter.ALL : DocumentFilter.NONE;
        }
        final Node root = new FilterCompiler(scope, context).document(json, "", 0);
        return root == Node.Const.TRUE ? DocumentFilter.ALL : root == Node.Const.FALSE ? DocumentFilter.NONE :
            new DocumentFilter(root);
    }

    /** @return the filter as written (JSON-like value). */
    public Object json()
    {
        return json;
    }
}
