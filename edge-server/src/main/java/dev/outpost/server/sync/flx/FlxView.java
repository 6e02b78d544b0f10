package dev.outpost.server.sync.flx;

import dev.outpost.ot.query.CompiledQuery;
import dev.outpost.ot.query.ObjectView;
import dev.outpost.ot.query.QueryCompiler;
import dev.outpost.ot.query.QuerySchema;
import dev.outpost.ot.query.StateSchema;
import dev.outpost.ot.state.ObjectState;
import dev.outpost.ot.state.TableData;

import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * A session's compiled FLX subscription set: the subscribed classes and, for each class whose query is narrower than
 * TRUEPREDICATE, its {@link CompiledQuery}. An object is in the view if its class is subscribed and it matches that
 * class's query. A view with no narrow class ({@link #wholeClasses()}) is served exactly as before queries existed
 * (class-only trim, no per-object work). Immutable and thread-safe: event loops, writers and the download pool
 * share instances.
 */
public final class FlxView
{
    /** The empty subscription ({@code {}}). */
    public static final FlxView NONE = new FlxView(Collections.emptySet(), Collections.emptyMap());

    private static final QuerySchema NO_COLUMNS = field -> null;

    private final Set<String> classes;
    private final Map<String, CompiledQuery> narrow;

    private FlxView(final Set<String> classes, final Map<String, CompiledQuery> narrow)
    {
        this.classes = classes;
        this.narrow = narrow;
    }

    /** @return a view of whole classes (every query TRUEPREDICATE). */
    public static FlxView ofClasses(final Set<String> classes)
    {
        return new FlxView(Collections.unmodifiableSet(new java.util.TreeSet<>(classes)), Collections.emptyMap());
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
        final Map<String, CompiledQuery> narrow = new TreeMap<>();
        for (final Map.Entry<String, String> e : query.queries().entrySet())
        {
            final String cls = e.getKey();
            final String text = e.getValue();
            if (FlxQuery.isTruePredicate(text))
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
        return new Compiled(new FlxView(query.classes(), narrow.isEmpty() ? Collections.emptyMap() :
            Collections.unmodifiableMap(narrow)), null);
    }

    /** @return the subscribed classes. */
    public Set<String> classes()
    {
        return classes;
    }

    /** @return whether every subscribed class is whole (TRUEPREDICATE): no per-object work. */
    public boolean wholeClasses()
    {
        return narrow.isEmpty();
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
        final CompiledQuery q = query(table);
        return q == null || q.matches(object);
    }

    @Override
    public String toString()
    {
        return "FlxView" + classes + narrow.values();
    }
}
