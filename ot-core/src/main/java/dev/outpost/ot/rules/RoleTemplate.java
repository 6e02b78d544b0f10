package dev.outpost.ot.rules;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One role as written in {@code rules.json} / {@code default_rule.json}, checked for Device Sync compatibility;
 * {@link #appliesTo} and {@link #bind} run at session start. Immutable and thread-safe.
 */
public final class RoleTemplate
{
    private static final Set<String> KEYS = Set.of("name", "apply_when", "document_filters", "read", "write",
        "insert", "delete", "search", "fields", "additional_fields");

    private final String name;
    private final FilterTemplate applyWhen;
    private final FilterTemplate readFilter;
    private final FilterTemplate writeFilter;
    private final boolean read;
    private final boolean write;
    private final FilterTemplate insert;
    private final FilterTemplate delete;
    private final boolean search;
    private final Map<String, Role.FieldPermission> fields;
    private final Role.FieldPermission additionalFields;

    private RoleTemplate(final String name, final FilterTemplate applyWhen, final FilterTemplate readFilter,
        final FilterTemplate writeFilter, final boolean read, final boolean write, final FilterTemplate insert,
        final FilterTemplate delete, final boolean search, final Map<String, Role.FieldPermission> fields,
        final Role.FieldPermission additionalFields)
    {
        this.name = name;
        this.applyWhen = applyWhen;
        this.readFilter = readFilter;
        this.writeFilter = writeFilter;
        this.read = read;
        this.write = write;
        this.insert = insert;
        this.delete = delete;
        this.search = search;
        this.fields = fields;
        this.additionalFields = additionalFields;
    }

    /**
     * @param json      one role (a JSON-like map).
     * @param key       where it is, e.g. {@code roles[0]}.
     * @param documents the scope of its document filters (the class's queryable fields).
     * @return the checked role.
     * @throws RuleRefusal naming the key of what is not sync-compatible.
     */
    public static RoleTemplate parse(final Object json, final String key, final FilterScope documents)
    {
        if (!(json instanceof Map<?, ?> role))
        {
            throw new RuleRefusal(RuleRefusal.Kind.SYNTAX, key, "a role must be an object");
        }
        for (final Object k : role.keySet())
        {
            if (!KEYS.contains(String.valueOf(k)))
            {
                throw new RuleRefusal(RuleRefusal.Kind.SYNTAX, key + "." + RuleRefusal.clip(String.valueOf(k)),
                    "not a role key (" + String.join(", ", new java.util.TreeSet<>(KEYS)) + ")");
            }
        }
        final Object n = role.get("name");
        if (n != null && !(n instanceof String))
        {
            throw new RuleRefusal(RuleRefusal.Kind.SYNTAX, key + ".name", "must be a string");
        }
        final String name = n == null ? key : (String)n;
        final Object aw = role.get("apply_when");
        final FilterTemplate applyWhen = filter(null == aw ? Map.of() : aw, key + ".apply_when",
            FilterScope.applyWhen(documents.values));
        final Object df = role.get("document_filters");
        if (!(df instanceof Map<?, ?> filters) || filters.get("read") == null || filters.get("write") == null)
        {
            throw new RuleRefusal(RuleRefusal.Kind.NOT_SYNC_COMPATIBLE, key + ".document_filters", "needs both " +
                "'read' and 'write' (a query document or true/false) for Device Sync");
        }
        for (final Object k : filters.keySet())
        {
            if (!"read".equals(k) && !"write".equals(k))
            {
                throw new RuleRefusal(RuleRefusal.Kind.SYNTAX, key + ".document_filters." +
                    RuleRefusal.clip(String.valueOf(k)), "not a document filter (read, write)");
            }
        }
        final FilterTemplate readFilter = filter(filters.get("read"), key + ".document_filters.read", documents);
        final FilterTemplate writeFilter = filter(filters.get("write"), key + ".document_filters.write", documents);
        final boolean read = literal(role.get("read"), key + ".read");
        final boolean write = literal(role.get("write"), key + ".write");
        final FilterTemplate insert = filter(null == role.get("insert") ? Boolean.FALSE : role.get("insert"),
            key + ".insert", documents);
        final FilterTemplate delete = filter(null == role.get("delete") ? Boolean.FALSE : role.get("delete"),
            key + ".delete", documents);
        final boolean search = literal(role.get("search"), key + ".search");
        final Map<String, Role.FieldPermission> fields = new LinkedHashMap<>();
        final Object f = role.get("fields");
        if (f != null)
        {
            if (!(f instanceof Map<?, ?> fm))
            {
                throw new RuleRefusal(RuleRefusal.Kind.SYNTAX, key + ".fields", "must be an object");
            }
            for (final Map.Entry<?, ?> e : fm.entrySet())
            {
                final String field = String.valueOf(e.getKey());
                final String fk = key + ".fields." + RuleRefusal.clip(field);
                if ("_id".equals(field))
                {
                    throw new RuleRefusal(RuleRefusal.Kind.NOT_SYNC_COMPATIBLE, fk, "a field-level permission on " +
                        "_id is not sync-compatible");
                }
                fields.put(field, permission(e.getValue(), fk));
            }
        }
        final Object af = role.get("additional_fields");
        final Role.FieldPermission additional = null == af ? Role.FieldPermission.NONE :
            permission(af, key + ".additional_fields");
        return new RoleTemplate(name, applyWhen, readFilter, writeFilter, read, write, insert, delete, search,
            Map.copyOf(fields), additional);
    }

    private static FilterTemplate filter(final Object json, final String key, final FilterScope scope)
    {
        try
        {
            return FilterTemplate.parse(json, scope);
        }
        catch (final RuleRefusal r)
        {
            throw r.under(key);
        }
    }

    private static boolean literal(final Object v, final String key)
    {
        if (v == null)
        {
            return false;
        }
        if (v instanceof Boolean b)
        {
            return b;
        }
        throw new RuleRefusal(RuleRefusal.Kind.NOT_SYNC_COMPATIBLE, key, "must be the literal true or false for " +
            "Device Sync (an expression is evaluated per document, which sync does not do)");
    }

    private static Role.FieldPermission permission(final Object v, final String key)
    {
        if (!(v instanceof Map<?, ?> m))
        {
            throw new RuleRefusal(RuleRefusal.Kind.SYNTAX, key, "must be {\"read\": true|false, \"write\": " +
                "true|false}");
        }
        for (final Object k : m.keySet())
        {
            if (!"read".equals(k) && !"write".equals(k))
            {
                throw new RuleRefusal(RuleRefusal.Kind.UNSUPPORTED, key + "." + RuleRefusal.clip(String.valueOf(k)),
                    "field-level permissions of embedded fields are not supported; use read and write");
            }
        }
        return new Role.FieldPermission(literal(m.get("read"), key + ".read"),
            literal(m.get("write"), key + ".write"));
    }

    /** @return the role's name. */
    public String name()
    {
        return name;
    }

    /**
     * @param context the session's context.
     * @return whether {@code apply_when} holds for the session's user.
     */
    public boolean appliesTo(final RuleContext context)
    {
        return applyWhen.bind(context).matchesEverything();
    }

    /**
     * @param context the session's context.
     * @return the role with its expansions resolved.
     */
    public Role bind(final RuleContext context)
    {
        return new Role(name, readFilter.bind(context), writeFilter.bind(context), read, write,
            insert.bind(context), delete.bind(context), search, fields, additionalFields);
    }

    /**
     * @param roles   the {@code roles} array of a rules document.
     * @param key     its key, e.g. {@code roles}.
     * @param documents the scope of the document filters.
     * @return the checked roles, in order.
     */
    public static List<RoleTemplate> parseAll(final Object roles, final String key, final FilterScope documents)
    {
        if (!(roles instanceof List<?> list))
        {
            throw new RuleRefusal(RuleRefusal.Kind.SYNTAX, key, "must be an array of roles");
        }
        final java.util.ArrayList<RoleTemplate> out = new java.util.ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++)
        {
            out.add(parse(list.get(i), key + "[" + i + "]", documents));
        }
        return List.copyOf(out);
    }

    /**
     * Appends the role as canonical text (every part as written; map keys sorted), for {@link Rules#fingerprint()}.
     *
     * @param sb where to append.
     */
    void appendCanonical(final StringBuilder sb)
    {
        sb.append("{name:");
        Rules.appendCanonical(sb, name);
        sb.append(",apply_when:");
        Rules.appendCanonical(sb, applyWhen.json());
        sb.append(",read_filter:");
        Rules.appendCanonical(sb, readFilter.json());
        sb.append(",write_filter:");
        Rules.appendCanonical(sb, writeFilter.json());
        sb.append(",read:").append(read).append(",write:").append(write).append(",insert:");
        Rules.appendCanonical(sb, insert.json());
        sb.append(",delete:");
        Rules.appendCanonical(sb, delete.json());
        sb.append(",search:").append(search).append(",fields:{");
        for (final Map.Entry<String, Role.FieldPermission> e : new java.util.TreeMap<>(fields).entrySet())
        {
            Rules.appendCanonical(sb, e.getKey());
            sb.append(':').append(e.getValue().read()).append('/').append(e.getValue().write()).append(',');
        }
        sb.append("},additional_fields:").append(additionalFields.read()).append('/')
            .append(additionalFields.write()).append('}');
    }
}
