package dev.outpost.server.sync.flx;

import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static dev.outpost.server.sync.wire.ErrorBodies.abbreviate;

/**
 * An FLX subscription set as the client sends it in IDENT and QUERY: {@code {"Class":"(rql) OR (rql)", ...}}, parsed
 * but not compiled (compiling needs the server file's schema: {@link FlxView#compile} on its writer). Immutable.
 *
 * @param queries  per subscribed class, its query text (empty for {@code {}}); sorted by class name.
 * @param rejected null if it parsed, else the reason it cannot be served (query_error 226).
 */
public record FlxQuery(Map<String, String> queries, String rejected)
{
    public static final FlxQuery NONE = new FlxQuery(Collections.emptyMap(), null);
    /** Most characters of the client's query (or class name) echoed in a rejection; the rest is cut. */
    static final int ECHO_CHARS = 256;

    /** @return the subscribed classes. */
    public Set<String> classes()
    {
        return queries.keySet();
    }

    /**
     * @param excluded classes that are never part of a view (asymmetric: write-only).
     * @return this set without them (this instance if it names none).
     */
    public FlxQuery without(final Set<String> excluded)
    {
        if (rejected != null || excluded.isEmpty() || Collections.disjoint(queries.keySet(), excluded))
        {
            return this;
        }
        final TreeMap<String, String> kept = new TreeMap<>(queries);
        kept.keySet().removeAll(excluded);
        return new FlxQuery(Collections.unmodifiableMap(kept), null);
    }

    /** @return whether every class's query is TRUEPREDICATE (the set selects whole classes; no schema needed). */
    public boolean wholeClasses()
    {
        for (final String q : queries.values())
        {
            if (!isTruePredicate(q))
            {
                return false;
            }
        }
        return true;
    }

    /**
     * @param bytes    the size of the query JSON.
     * @param maxBytes the largest accepted.
     * @return the rejection of a query too large to parse.
     */
    public static FlxQuery tooLarge(final int bytes, final int maxBytes, final String setting)
    {
        return new FlxQuery(Collections.emptyMap(), "the query of " + bytes + " bytes is larger than the limit of " +
            maxBytes + " bytes (setting " + setting + ")");
    }

    /** Parse the query JSON. Never throws: malformed JSON gives a rejected query. */
    public static FlxQuery parse(final String json)
    {
        final TreeMap<String, String> map;
        try
        {
            map = new MiniJson(json).object();
        }
        catch (final IllegalArgumentException ex)
        {
            return new FlxQuery(Collections.emptyMap(), "malformed query JSON: " +
                abbreviate(String.valueOf(ex.getMessage()), ECHO_CHARS));
        }
        return new FlxQuery(Collections.unmodifiableMap(map), null);
    }

    /** @return {@code text} cut for an error message (as the class names and queries of a rejection are). */
    static String echo(final String text)
    {
        return abbreviate(text, ECHO_CHARS);
    }

    /**
     * @return whether {@code rql} is TRUEPREDICATE, possibly parenthesised and OR-ed with itself, e.g.
     * {@code (TRUEPREDICATE )} or {@code (truepredicate) OR (TRUEPREDICATE)}.
     */
    public static boolean isTruePredicate(final String rql)
    {
        final String[] terms = rql.split("(?i)\\)\\s*OR\\s*\\(");
        for (final String term : terms)
        {
            final String t = term.replace("(", "").replace(")", "").trim();
            if (!t.equalsIgnoreCase("TRUEPREDICATE"))
            {
                return false;
            }
        }
        return terms.length > 0;
    }

    /** The smallest JSON reader for one object of string values. */
    private static final class MiniJson
    {
        private final String s;
        private int i;

        MiniJson(final String s)
        {
            this.s = s;
        }

        TreeMap<String, String> object()
        {
            final TreeMap<String, String> out = new TreeMap<>();
            ws();
            expect('{');
            ws();
            if (peek() == '}')
            {
                i++;
                end();
                return out;
            }
            while (true)
            {
                ws();
                final String key = string();
                ws();
                expect(':');
                ws();
                out.put(key, string());
                ws();
                final char c = next();
                if (c == '}')
                {
                    end();
                    return out;
                }
                if (c != ',')
                {
                    throw new IllegalArgumentException("expected , or } at " + (i - 1));
                }
            }
        }

        private void end()
        {
            ws();
            if (i != s.length())
            {
                throw new IllegalArgumentException("text after the object");
            }
        }

        private String string()
        {
            expect('"');
            final StringBuilder sb = new StringBuilder();
            while (true)
            {
                final char c = next();
                if (c == '"')
                {
                    return sb.toString();
                }
                if (c == '\\')
                {
                    final char e = next();
                    switch (e)
                    {
                        case 'n' -> sb.append('\n');
                        case 't' -> sb.append('\t');
                        case 'r' -> sb.append('\r');
                        case 'b' -> sb.append('\b');
                        case 'f' -> sb.append('\f');
                        case 'u' ->
                        {
                            if (i + 4 > s.length())
                            {
                                throw new IllegalArgumentException("bad \\u escape");
                            }
                            try
                            {
                                sb.append((char)Integer.parseInt(s.substring(i, i + 4), 16));
                            }
                            catch (final NumberFormatException ex)
                            {
                                throw new IllegalArgumentException("bad \\u escape");
                            }
                            i += 4;
                        }
                        default -> sb.append(e);
                    }
                }
                else
                {
                    sb.append(c);
                }
            }
        }

        private void ws()
        {
            while (i < s.length() && Character.isWhitespace(s.charAt(i)))
            {
                i++;
            }
        }

        private char peek()
        {
            if (i >= s.length())
            {
                throw new IllegalArgumentException("unexpected end");
            }
            return s.charAt(i);
        }

        private char next()
        {
            final char c = peek();
            i++;
            return c;
        }

        private void expect(final char c)
        {
            if (next() != c)
            {
                throw new IllegalArgumentException("expected " + c + " at " + (i - 1));
            }
        }
    }
}
