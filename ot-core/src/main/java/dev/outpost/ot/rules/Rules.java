package dev.outpost.ot.rules;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An app's permission rules: per class an ordered list of roles ({@code rules.json} of its collection), the default
 * roles for classes without their own ({@code default_rule.json}), and the PBS partition permissions. Checked at
 * start; {@link #roleFor} and {@link #partitionAccess} run once per session. Immutable and thread-safe.
 * <p>
 * A class with no roles of its own and no default roles: no access once any rules are configured
 * ({@link #isEmpty()} rules mean "not enforced", Outpost's behaviour without rules).
 */
public final class Rules
{
    /** No rules configured: nothing is enforced. */
    public static final Rules NONE = new Rules(RuleValues.NONE, Map.of(), null, null);

    private static final Set<String> DOCUMENT_KEYS = Set.of("roles", "filters", "collection", "database");

    private final RuleValues values;
    private final Map<String, List<RoleTemplate>> classes;
    private final List<RoleTemplate> defaultRoles;
    private final PartitionRules partition;

    private Rules(final RuleValues values, final Map<String, List<RoleTemplate>> classes,
        final List<RoleTemplate> defaultRoles, final PartitionRules partition)
    {
        this.values = values;
        this.classes = Collections.unmodifiableMap(new LinkedHashMap<>(classes));
        this.defaultRoles = defaultRoles;
        this.partition = partition;
    }

    /**
     * Parse one rules document ({@code rules.json} or {@code default_rule.json}: {@code {"roles": [...]}}).
     *
     * @param document  the document (JSON-like map).
     * @param documents the scope of its document filters.
     * @return its roles, in order.
     * @throws RuleRefusal naming the key inside the document.
     */
    public static List<RoleTemplate> parseDocument(final Object document, final FilterScope documents)
    {
        if (!(document instanceof Map<?, ?> map))
        {
            throw new RuleRefusal(RuleRefusal.Kind.SYNTAX, "", "a rules document must be an object " +
                "{\"roles\": [...]}");
        }
        for (final Object k : map.keySet())
        {
            if (!DOCUMENT_KEYS.contains(String.valueOf(k)))
            {
                throw new RuleRefusal(RuleRefusal.Kind.SYNTAX, RuleRefusal.clip(String.valueOf(k)), "not a key of " +
                    "a rules document (roles, filters, collection, database)");
            }
        }
        final Object filters = map.get("filters");
        if (filters instanceof List<?> l && !l.isEmpty())
        {
            throw new RuleRefusal(RuleRefusal.Kind.NOT_SYNC_COMPATIBLE, "filters", "query filters are not " +
                "sync-compatible; express them as document_filters of the roles");
        }
        return RoleTemplate.parseAll(null == map.get("roles") ? List.of() : map.get("roles"), "roles", documents);
    }

    /** Collects the parts; {@link #build()} gives the immutable rules. Not thread-safe. */
    public static final class Builder
    {
        private final RuleValues values;
        private final Map<String, List<RoleTemplate>> classes = new LinkedHashMap<>();
        private List<RoleTemplate> defaultRoles;
        private PartitionRules partition;

        /** @param values the app's values and environment. */
        public Builder(final RuleValues values)
        {
            this.values = values;
        }

        public RuleValues values()
        {
            return values;
        }

        /**
         * @param className a class.
         * @param roles     its roles, in order.
         * @return this.
         */
        public Builder roles(final String className, final List<RoleTemplate> roles)
        {
            classes.put(className, List.copyOf(roles));
            return this;
        }

        /** @return this, with the roles of every class without roles of its own. */
        public Builder defaultRoles(final List<RoleTemplate> roles)
        {
            defaultRoles = List.copyOf(roles);
            return this;
        }

        /** @return this, with PBS partition permissions. */
        public Builder partition(final PartitionRules rules)
        {
            partition = rules;
            return this;
        }

        /** @return whether the class already has roles. */
        public boolean hasRoles(final String className)
        {
            return classes.containsKey(className);
        }

        public Rules build()
        {
            return new Rules(values, classes, defaultRoles, partition);
        }
    }

    /** @return true if no roles and no partition permissions are configured (nothing is enforced). */
    public boolean isEmpty()
    {
        return classes.isEmpty() && null == defaultRoles && null == partition;
    }

    /** @return true if roles (per class or default) are configured. */
    public boolean hasRoles()
    {
        return !classes.isEmpty() || null != defaultRoles;
    }

    /** @return the app's values and environment. */
    public RuleValues values()
    {
        return values;
    }

    /** @return the classes with roles of their own, in configuration order. */
    public Set<String> classes()
    {
        return classes.keySet();
    }

    /** @return the PBS partition permissions, or null when none are configured. */
    public PartitionRules partition()
    {
        return partition;
    }

    /**
     * @param user a user.
     * @return the context of a flexible-sync session of that user.
     */
    public RuleContext context(final UserContext user)
    {
        return new RuleContext(values, user, null);
    }

    /**
     * The role of a session for one class: the first role of the class's own roles (else the default roles) whose
     * {@code apply_when} holds; {@link Role#NO_ACCESS} when none does. With no roles configured at all
     * ({@link #hasRoles()} false) every class is fully readable and writable.
     *
     * @param className the class.
     * @param context   the session's context.
     * @return the bound role.
     */
    public Role roleFor(final String className, final RuleContext context)
    {
        if (!hasRoles())
        {
            return FULL_ACCESS;
        }
        final List<RoleTemplate> roles = classes.getOrDefault(className, defaultRoles);
        if (null == roles)
        {
            return Role.NO_ACCESS;
        }
        for (final RoleTemplate r : roles)
        {
            if (r.appliesTo(context))
            {
                return r.bind(context);
            }
        }
        return Role.NO_ACCESS;
    }

    /**
     * @param partitionValue the partition value (see {@link RuleContext#partitionOf}).
     * @param user           the session's user.
     * @return what the user may do in the partition; {@link PartitionRules.Access#READ_WRITE} when no partition
     * permissions are configured.
     */
    public PartitionRules.Access partitionAccess(final Object partitionValue, final UserContext user)
    {
        return null == partition ? PartitionRules.Access.READ_WRITE :
            partition.access(new RuleContext(values, user, partitionValue));
    }

    /** Everything allowed: the role when no roles are configured. */
    public static final Role FULL_ACCESS = new Role("(no rules)", DocumentFilter.ALL, DocumentFilter.ALL, true, true,
        DocumentFilter.ALL, DocumentFilter.ALL, true, Map.of(), new Role.FieldPermission(true, true));

    /**
     * A fingerprint of the rules as configured (values, environment, every class's roles in order, the default
     * roles, the partition permissions; map keys sorted, so the order of keys in the files does not matter): equal
     * fingerprints mean rules that decide alike. What a reload compares, and what a data directory remembers.
     *
     * @return the SHA-256 of the canonical text, in lowercase hex.
     */
    public String fingerprint()
    {
        final StringBuilder sb = new StringBuilder(256);
        sb.append("values:");
        appendCanonical(sb, values.values());
        sb.append(";environment:");
        appendCanonical(sb, values.environment());
        sb.append(";classes:{");
        for (final Map.Entry<String, List<RoleTemplate>> e : new java.util.TreeMap<>(classes).entrySet())
        {
            appendCanonical(sb, e.getKey());
            sb.append(':');
            appendRoles(sb, e.getValue());
            sb.append(',');
        }
        sb.append("};default:");
        if (null == defaultRoles)
        {
            sb.append("none");
        }
        else
        {
            appendRoles(sb, defaultRoles);
        }
        sb.append(";partition:");
        if (null == partition)
        {
            sb.append("none");
        }
        else
        {
            partition.appendCanonical(sb);
        }
        try
        {
            final byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
                .digest(sb.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(digest);
        }
        catch (final java.security.NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("SHA-256 is required of every Java platform", ex);
        }
    }

    private static void appendRoles(final StringBuilder sb, final List<RoleTemplate> roles)
    {
        sb.append('[');
        for (final RoleTemplate r : roles)
        {
            r.appendCanonical(sb);
            sb.append(',');
        }
        sb.append(']');
    }

    /** Appends a JSON-like value (Map, List, String, Number, Boolean, null) as canonical text, map keys sorted. */
    static void appendCanonical(final StringBuilder sb, final Object value)
    {
        if (value instanceof Map<?, ?> m)
        {
            final java.util.TreeMap<String, Object> sorted = new java.util.TreeMap<>();
            m.forEach((k, v) -> sorted.put(String.valueOf(k), v));
            sb.append('{');
            for (final Map.Entry<String, Object> e : sorted.entrySet())
            {
                Operand.appendString(sb, e.getKey());
                sb.append(':');
                appendCanonical(sb, e.getValue());
                sb.append(',');
            }
            sb.append('}');
        }
        else if (value instanceof List<?> l)
        {
            sb.append('[');
            for (final Object v : l)
            {
                appendCanonical(sb, v);
                sb.append(',');
            }
            sb.append(']');
        }
        else if (value instanceof String s)
        {
            Operand.appendString(sb, s);
        }
        else if (null == value)
        {
            sb.append("null");
        }
        else
        {
            // numbers and booleans: the type matters (1 and 1.0 and "1" are different values in a filter)
            sb.append(value.getClass().getSimpleName()).append('(').append(value).append(')');
        }
    }
}
