package dev.outpost.ot.query;

import java.util.Set;

/**
 * Compiles the per-class query strings of a QUERY or IDENT body (realm-core 14's {@code Query::get_description()}
 * forms) into {@link CompiledQuery} instances, or into a {@link QueryRefusal} with the text Atlas Device Sync sent
 * with {@code query_error} (226). Stateless and thread-safe; never throws for any input string.
 */
public final class QueryCompiler
{
    /** Largest query accepted, in UTF-8 bytes (Atlas refused larger ones). */
    public static final int MAX_QUERY_BYTES = 256 * 1024;

    private QueryCompiler()
    {
    }

    /** Outcome of a compilation: exactly one of {@link #query()} and {@link #refusal()} is non-null. */
    public record Result(CompiledQuery query, QueryRefusal refusal)
    {
        public boolean isOk()
        {
            return query != null;
        }
    }

    /**
     * @param className       the class (without {@code class_}) the query selects from.
     * @param query           the query text.
     * @param schema          the class's columns.
     * @param queryableFields the fields the app declared queryable for this class, or null for "all fields".
     * @return the compiled query or the refusal.
     */
    public static Result compile(final String className, final String query, final QuerySchema schema,
        final Set<String> queryableFields)
    {
        if (utf8Length(query) > MAX_QUERY_BYTES)
        {
            return refuse(QueryRefusal.Kind.TOO_LARGE, className, "the query is larger than 256 kB", query);
        }
        try
        {
            final Expr root = new QueryParser(query, schema, queryableFields).parse();
            return new Result(new CompiledQuery(className, root), null);
        }
        catch (final QueryParser.Refused r)
        {
            return refuse(r.kind, className, r.detail, query);
        }
        catch (final StackOverflowError | RuntimeException bug)
        {
            // A parser bug must still give the client a typed answer, never a Java class name.
            return refuse(QueryRefusal.Kind.BAD_SYNTAX, className, "the query could not be parsed", query);
        }
    }

    private static Result refuse(final QueryRefusal.Kind kind, final String className, final String detail,
        final String query)
    {
        final String table = QueryParser.clip(className);
        final String message = switch (kind)
        {
            case NOT_QUERYABLE -> "Invalid query: invalid match expression for table \"" + table + "\": key \""
                + QueryParser.clip(detail) + "\" is not a queryable field";
            case UNSUPPORTED -> "Client provided query with bad syntax: unsupported query for table \"" + table
                + "\": " + detail + ": \"" + QueryRefusal.echo(query) + "\"";
            case INVALID -> "Client provided query with bad syntax: invalid query for table \"" + table + "\": "
                + detail + ": \"" + QueryRefusal.echo(query) + "\"";
            default -> "Client provided query with bad syntax: invalid match expression for table \"" + table
                + "\": " + detail + ": \"" + QueryRefusal.echo(query) + "\"";
        };
        return new Result(null, new QueryRefusal(kind, message));
    }

    private static long utf8Length(final String s)
    {
        if (s.length() <= MAX_QUERY_BYTES / 3)
        {
            return s.length();
        }
        long n = 0;
        for (int i = 0; i < s.length(); i++)
        {
            final char c = s.charAt(i);
            n += c < 0x80 ? 1 : c < 0x800 || Character.isSurrogate(c) ? 2 : 3;
        }
        return n;
    }
}
