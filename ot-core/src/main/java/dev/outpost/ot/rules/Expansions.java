package dev.outpost.ot.rules;

import java.util.List;
import java.util.Map;

/**
 * The expansions Device Sync rules may use, resolved once per session: {@code %%true}, {@code %%false},
 * {@code %%user.id}, {@code %%user.data[.path]}, {@code %%user.custom_data[.path]}, {@code %%values.<name>[.path]},
 * {@code %%environment.<path>}, and in partition permissions {@code %%partition}. Stateless.
 */
final class Expansions
{
    /** What an expansion naming nothing (a missing custom data field...) resolves to: equals nothing. */
    static final Object MISSING = new Object();

    private Expansions()
    {
    }

    /**
     * @param text  the expansion, e.g. {@code %%user.custom_data.team}.
     * @param scope where it is used.
     * @param ctx   the session's context, or null to check it only.
     * @param key   where it is, for a refusal.
     * @return its value (a JSON-like value, or {@link #MISSING}); null (JSON null) while checking.
     * @throws RuleRefusal if it is not a sync-compatible expansion, or names a value or environment entry the app
     *                     does not define.
     */
    static Object resolve(final String text, final FilterScope scope, final RuleContext ctx, final String key)
    {
        final String body = text.substring(2);
        final int dot = body.indexOf('.');
        final String root = dot < 0 ? body : body.substring(0, dot);
        final String rest = dot < 0 ? "" : body.substring(dot + 1);
        if (!rest.isEmpty() && (rest.startsWith(".") || rest.endsWith(".") || rest.contains("..")))
        {
            throw bad(RuleRefusal.Kind.SYNTAX, key, text, "has an empty path segment");
        }
        switch (root)
        {
            case "true":
            case "false":
                if (!rest.isEmpty())
                {
                    throw bad(RuleRefusal.Kind.SYNTAX, key, text, "takes no path");
                }
                return "true".equals(root);
            case "user":
            {
                final String sub = rest.isEmpty() ? "" : rest.split("\\.", 2)[0];
                final String path = rest.length() > sub.length() ? rest.substring(sub.length() + 1) : "";
                switch (sub)
                {
                    case "id":
                        if (!path.isEmpty())
                        {
                            throw bad(RuleRefusal.Kind.SYNTAX, key, text, "%%user.id takes no path");
                        }
                        return ctx == null ? null : ctx.user().id();
                    case "data":
                        return ctx == null ? null : path(ctx.user().data(), path);
                    case "custom_data":
                        return ctx == null ? null : path(ctx.user().customData(), path);
                    default:
                        throw bad(RuleRefusal.Kind.UNSUPPORTED, key, text, "Outpost resolves %%user.id, " +
                            "%%user.data.<field> and %%user.custom_data.<field>");
                }
            }
            case "values":
            {
                if (rest.isEmpty())
                {
                    throw bad(RuleRefusal.Kind.SYNTAX, key, text, "names no value (%%values.<name>)");
                }
                final Object v = path((ctx == null ? scope.values : ctx.values()).values(), rest);
                if (v == MISSING)
                {
                    throw bad(RuleRefusal.Kind.SYNTAX, key, text, "names a value the app does not define");
                }
                return v;
            }
            case "environment":
            {
                final Object v = path((ctx == null ? scope.values : ctx.values()).environment(), rest);
                if (v == MISSING)
                {
                    throw bad(RuleRefusal.Kind.SYNTAX, key, text, "names an environment entry the app does not " +
                        "define");
                }
                return v;
            }
            case "partition":
                if (scope.subject != FilterScope.Subject.PARTITION)
                {
                    throw bad(RuleRefusal.Kind.NOT_SYNC_COMPATIBLE, key, text, "is only defined in partition " +
                        "permissions (partition-based sync)");
                }
                if (!rest.isEmpty())
                {
                    throw bad(RuleRefusal.Kind.UNSUPPORTED, key, text, "%%partition takes no path");
                }
                return ctx == null ? null : null == ctx.partition() ? MISSING : ctx.partition();
            default:
                throw bad(RuleRefusal.Kind.NOT_SYNC_COMPATIBLE, key, text, "is not a sync-compatible expansion " +
                    "(Device Sync rules may use %%true, %%false, %%user, %%values, %%environment" +
                    (scope.subject == FilterScope.Subject.PARTITION ? ", %%partition" : "") + ")");
        }
    }

    private static RuleRefusal bad(final RuleRefusal.Kind kind, final String key, final String text,
        final String why)
    {
        return new RuleRefusal(kind, key, "expansion " + RuleRefusal.clip(text) + " " + why);
    }

    /** @return the value at a dotted path inside nested maps ("" for the map itself), or {@link #MISSING}. */
    static Object path(final Map<String, Object> root, final String path)
    {
        if (path.isEmpty())
        {
            return root;
        }
        Object at = root;
        int from = 0;
        while (from <= path.length())
        {
            int dot = path.indexOf('.', from);
            if (dot < 0)
            {
                dot = path.length();
            }
            final String name = path.substring(from, dot);
            if (at instanceof Map<?, ?> m && m.containsKey(name))
            {
                at = m.get(name);
            }
            else if (at instanceof List<?> l && isIndex(name) && Integer.parseInt(name) < l.size())
            {
                at = l.get(Integer.parseInt(name));
            }
            else
            {
                return MISSING;
            }
            from = dot + 1;
        }
        return at;
    }

    private static boolean isIndex(final String s)
    {
        if (s.isEmpty() || s.length() > 9)
        {
            return false;
        }
        for (int i = 0; i < s.length(); i++)
        {
            if (s.charAt(i) < '0' || s.charAt(i) > '9')
            {
                return false;
            }
        }
        return true;
    }
}
