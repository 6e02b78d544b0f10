package dev.outpost.ot.query;

/**
 * Why a subscription query was refused: the text the client receives with {@code query_error} (226), worded as
 * Atlas Device Sync worded it. Immutable.
 */
public final class QueryRefusal
{
    /** The protocol error code a refused query turns into (query_error, not fatal to the session). */
    public static final int ERROR_CODE = 226;

    /** Longest part of the query echoed in a message. */
    static final int ECHO_LIMIT = 200;

    /** Category of the refusal, for counters and tests; the message is what the peer sees. */
    public enum Kind
    {
        /** The text does not parse. */
        BAD_SYNTAX,
        /** It parses but uses a form Atlas refused (aggregates, SORT/LIMIT, links, SUBQUERY, ...). */
        UNSUPPORTED,
        /** A property the class does not have, or a literal of the wrong type for its property. */
        INVALID,
        /** A property not declared queryable. */
        NOT_QUERYABLE,
        /** Longer than {@link QueryCompiler#MAX_QUERY_BYTES}. */
        TOO_LARGE
    }

    private final Kind kind;
    private final String message;

    QueryRefusal(final Kind kind, final String message)
    {
        this.kind = kind;
        this.message = message;
    }

    public Kind kind()
    {
        return kind;
    }

    /** @return the message for the client (never a Java class name; at most ~200 characters of the query). */
    public String message()
    {
        return message;
    }

    @Override
    public String toString()
    {
        return kind + ": " + message;
    }

    static String echo(final String query)
    {
        final StringBuilder sb = new StringBuilder(Math.min(query.length(), ECHO_LIMIT) + 8);
        final int n = Math.min(query.length(), ECHO_LIMIT);
        for (int i = 0; i < n; i++)
        {
            final char c = query.charAt(i);
            sb.append(c < 0x20 || c == 0x7f || Character.isSurrogate(c) ? '?' : c);
        }
        if (query.length() > ECHO_LIMIT)
        {
            sb.append("...");
        }
        return sb.toString();
    }
}
