package dev.outpost.server.sync.flx;

import dev.outpost.ot.query.CompiledQuery;
import dev.outpost.ot.query.ObjectView;
import dev.outpost.ot.query.QueryCompiler;
import dev.outpost.ot.query.QuerySchema;
import dev.outpost.ot.query.StateSchema;
import dev.outpost.ot.rules.DocumentFilter;
import dev.outpost.ot.rules.Role;
import dev.outpost.ot.state.ObjectState;
import dev.outpost.ot.state.TableData;

import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * A session's compiled FLX subscription set: the subscribed classes and, for each class whose query is narrower than
 * TRUEPREDICATE, its {@link CompiledQuery}; with permission rules, for each class whose role's read filter is narrower
 * than everything, that filter ({@link FlxRoles}), and classes the role may not read are left out. An object is in
 * the view if its class is in it and it matches that class's query and role filter. A view with no narrow class ({@link #wholeClasses()}) is served exactly as before queries existed
 * (class-only trim, no per-object work). Immutable and thread-safe: event loops, writers and the download pool
 * share instances.
 */
public final class FlxView
{
    /** The empty subscription ({@code {}}). */
    public static final FlxView NONE = new FlxView(Collections.emptySet(), Collections.emptyMap(),
        Collections.emptyMap());

    private static final QuerySchema NO_COLUMNS = field -> null;

    private final Set<String> classes;
    private final Map<String, CompiledQuery> narrow;
    private final Map<String, DocumentFilter> roleFilters;
    private final Set<String> narrowClasses;
    private final Map<String, Role> writeRoles;

    private FlxView(final Set<String> classes, final Map<String, CompiledQuery> narrow,
        final Map<String, DocumentFilter> roleFilters)
    {
        this(classes, narrow, roleFilters, Collections.emptyMap());
    }

    private FlxView(final Set<String> classes, final Map<String, CompiledQuery> narrow,
        final Map<String, DocumentFilter> roleFilters, final Map<String, Role> writeRoles)
    {
        this.classes = classes;
        this.narrow = narrow;
        this.roleFilters = roleFilters;
        this.writeRoles = writeRoles;
        if (roleFilters.isEmpty())
        {
            narrowClasses = narrow.keySet();
        }
        else
        {
            final java.util.TreeSet<String> all = new java.util.TreeSet<>(narrow.keySet());
            all.addAll(roleFilters.keySet());
            narrowClasses = Collections.unmodifiableSet(all);
        }
    }

    /** @return a view of whole classes (every query TRUEPREDICATE). */
    public static FlxView ofClasses(final Set<String> classes)
    {
        return new FlxView(Collections.unmodifiableSet(new java.util.TreeSet<>(classes)), Collections.emptyMap(),
            Collections.emptyMap());
    }

    /** Outcome of {@link #compile}: exactly one of {@code view} and {@code refusal} is non-null. */
    public record Compiled(FlxView view, String refusal)
    {
    }

    /**
     * Writer (the owner of {@code state}): compile every class's query against the file's current schema.
     *
     * @param query     the parsed subscription set (not rejected).
     * @param state     the server file's object state (its schema), or null when every query is TRUEPREDICATE.
     * @param queryable per class, the fields the app lets clients query; a null function or a null result: any.
     * @param cache     compiled queries of this file by class and text (writer-owned; bounded by the caller).
     * @return the view, or the refusal message of the first class whose query is refused (query_error 226).
     */
    public static Compiled compile(final FlxQuery query, final ObjectState state,
        final Function<String, Set<String>> queryable, final Map<String, CompiledQuery> cache)
    {
        return compile(query, state, queryable, cache, null);
    }

    /**
     * Writer: {@link #compile(FlxQuery, ObjectState, Function, Map)} AND the session's roles.
     *
     * @param roles the session's roles, or null when the app has none (nothing enforced).
     * @return the view, or the refusal message of the first class whose query is refused (query_error 226).
     */
    public static Compiled compile(final FlxQuery query, final ObjectState state,
        final Function<String, Set<String>> queryable, final Map<String, CompiledQuery> cache, final FlxRoles roles)
    {
        Set<String> classes = query.classes();
        Map<String, DocumentFilter> roleFilters = Collections.emptyMap();
        Map<String, Role> writeRoles = Collections.emptyMap();
        if (null != roles)
        {
            final java.util.TreeSet<String> readable = new java.util.TreeSet<>();
            final Map<String, DocumentFilter> filters = new TreeMap<>();
            final Map<String, Role> restricted = new TreeMap<>();
            for (final String cls : query.classes())
            {
                final Role role = roles.role(cls);
                if (!mayWriteEverything(role))
                {
                    restricted.put(cls, role);
                }
                final DocumentFilter f = role.view();
                if (f.matchesNothing())
                {
                    continue; // no read access: not in the view (as Atlas, no error)
                }
                readable.add(cls);
                if (!f.matchesEverything())
                {
                    filters.put(cls, f);
                }
            }
            classes = Collections.unmodifiableSet(readable);
            roleFilters = filters.isEmpty() ? Collections.emptyMap() : Collections.unmodifiableMap(filters);
            writeRoles = restricted.isEmpty() ? Collections.emptyMap() : Collections.unmodifiableMap(restricted);
        }
        final Map<String, CompiledQuery> narrow = new TreeMap<>();
        for (final Map.Entry<String, String> e : query.queries().entrySet())
        {
            final String cls = e.getKey();
            final String text = e.getValue();
            if (FlxQuery.isTruePredicate(text) || !classes.contains(cls))
            {
                continue;
            }
            final String cacheKey = cls + '\u0000' + text;
            CompiledQuery q = cache == null ? null : cache.get(cacheKey);
            if (q == null)
            {
                final TableData table = state == null ? null : state.table(cls);
                final QuerySchema schema = table == null ? NO_COLUMNS : new StateSchema(table);
                final QueryCompiler.Result r = QueryCompiler.compile(cls, text, schema,
                    queryable == null ? null : queryable.apply(cls));
                if (!r.isOk())
                {
                    return new Compiled(null, r.refusal().message());
                }
                q = r.query();
                if (cache != null)
                {
                    cache.put(cacheKey, q);
                }
            }
            if (!q.matchesEverything())
            {
                narrow.put(cls, q);
            }
        }
        return new Compiled(new FlxView(classes, narrow.isEmpty() ? Collections.emptyMap() :
            Collections.unmodifiableMap(narrow), roleFilters, writeRoles), null);
    }

    /**
     * The same view (classes, queries, read filters) with the write checks of other roles: after a rule change
     * that left every subscribed class's read filter as it was ({@link FlxRoles#viewsDiffer}).
     *
     * @param roles      the new roles, or null (no rules: nothing restricted).
     * @param subscribed the subscribed classes.
     * @return the view.
     */
    public FlxView withWriteRoles(final FlxRoles roles, final Set<String> subscribed)
    {
        final Map<String, Role> restricted = new TreeMap<>();
        if (null != roles)
        {
            for (final String cls : subscribed)
            {
                final Role role = roles.role(cls);
                if (!mayWriteEverything(role))
                {
                    restricted.put(cls, role);
                }
            }
        }
        return new FlxView(classes, narrow, roleFilters, restricted.isEmpty() ? Collections.emptyMap() :
            Collections.unmodifiableMap(restricted));
    }

    private static boolean mayWriteEverything(final Role role)
    {
        return role.write() && role.writeFilter().matchesEverything() && role.insert().matchesEverything() &&
            role.delete().matchesEverything();
    }

    /** @return whether some class of the view has a role that restricts writes (creates, updates or erases). */
    public boolean checksWrites()
    {
        return !writeRoles.isEmpty();
    }

    /** @return the role of {@code table} if it restricts writes, else null (no rules, or it may write anything). */
    public Role writeRole(final String table)
    {
        return writeRoles.isEmpty() ? null : writeRoles.get(table);
    }

    /** @return the subscribed classes. */
    public Set<String> classes()
    {
        return classes;
    }

    /** @return whether every class of the view is whole (TRUEPREDICATE, no role filter): no per-object work. */
    public boolean wholeClasses()
    {
        return narrowClasses.isEmpty();
    }

    /** @return the classes with a narrow query or a role read filter (objects enter and leave them). */
    public Set<String> narrowClasses()
    {
        return narrowClasses;
    }

    /** @return whether {@code table} has a narrow query or a role read filter. */
    public boolean isNarrow(final String table)
    {
        return !narrowClasses.isEmpty() && narrowClasses.contains(table);
    }

    /** @return the role read filter of {@code table}, or null if its role reads every object (or no rules). */
    public DocumentFilter roleFilter(final String table)
    {
        return roleFilters.isEmpty() ? null : roleFilters.get(table);
    }

    /**
     * @return whether an object of a class in the view matches the class's query and role filter (the class is not
     * checked).
     */
    public boolean matches(final String table, final ObjectView object)
    {
        if (narrowClasses.isEmpty())
        {
            return true;
        }
        final CompiledQuery q = query(table);
        if (q != null && !q.matches(object))
        {
            return false;
        }
        final DocumentFilter f = roleFilter(table);
        return f == null || f.matches(object);
    }

    /** @return the classes with a narrow query and their queries. */
    public Map<String, CompiledQuery> narrowQueries()
    {
        return narrow;
    }

    /** @return the query of {@code table} if it is subscribed with a narrow query, else null. */
    public CompiledQuery query(final String table)
    {
        return narrow.isEmpty() ? null : narrow.get(table);
    }

    /** @return whether an object of {@code table} (positioned in {@code object}) is in the view. */
    public boolean contains(final String table, final ObjectView object)
    {
        if (!classes.contains(table))
        {
            return false;
        }
        return matches(table, object);
    }

    @Override
    public String toString()
    {
        return "FlxView" + classes + narrow.values() + (roleFilters.isEmpty() ? "" : " roles" + roleFilters);
    }
}
