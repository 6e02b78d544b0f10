package dev.outpost.ot.rules;

/**
 * PBS partition permissions ({@code partition.permissions.read} / {@code .write} of {@code sync/config.json}):
 * each a boolean or an expression over {@code %%partition} and {@code %%user} (e.g.
 * {@code {"%%partition": "%%user.id"}}); write implies read. Evaluated once per session, at BIND. Immutable and
 * thread-safe.
 */
public final class PartitionRules
{
    /** What a user may do in a partition. */
    public enum Access
    {
        NONE,
        READ,
        READ_WRITE;

        /** @return whether it may read (download). */
        public boolean mayRead()
        {
            return this != NONE;
        }

        /** @return whether it may write (upload). */
        public boolean mayWrite()
        {
            return this == READ_WRITE;
        }
    }

    private final FilterTemplate read;
    private final FilterTemplate write;

    private PartitionRules(final FilterTemplate read, final FilterTemplate write)
    {
        this.read = read;
        this.write = write;
    }

    /**
     * @param read   {@code permissions.read} (true, false, or a query document over expansions); null: false.
     * @param write  {@code permissions.write}; null: false.
     * @param values the app's values and environment.
     * @return the checked permissions.
     * @throws RuleRefusal naming {@code read} or {@code write} and the key inside.
     */
    public static PartitionRules parse(final Object read, final Object write, final RuleValues values)
    {
        return new PartitionRules(template(read, "read", values), template(write, "write", values));
    }

    private static FilterTemplate template(final Object json, final String key, final RuleValues values)
    {
        try
        {
            return FilterTemplate.parse(null == json ? Boolean.FALSE : json, FilterScope.partition(values));
        }
        catch (final RuleRefusal r)
        {
            throw r.under(key);
        }
    }

    /**
     * @param context the session's context, its partition set.
     * @return what the session's user may do in the partition.
     */
    public Access access(final RuleContext context)
    {
        if (write.bind(context).matchesEverything())
        {
            return Access.READ_WRITE;
        }
        return read.bind(context).matchesEverything() ? Access.READ : Access.NONE;
    }

    /**
     * Appends the permissions as canonical text, for {@link Rules#fingerprint()}.
     *
     * @param sb where to append.
     */
    void appendCanonical(final StringBuilder sb)
    {
        sb.append("{read:");
        Rules.appendCanonical(sb, read.json());
        sb.append(",write:");
        Rules.appendCanonical(sb, write.json());
        sb.append('}');
    }
}
