package dev.outpost.ot.rules;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict JSON reader for rules text (App Services {@code rules.json}, {@code default_rule.json}, filter documents):
 * objects become {@link LinkedHashMap} in document order (a duplicate key is refused), arrays {@link List}, numbers
 * {@link Long} when integral and within range else {@link Double}, plus {@link String}, {@link Boolean} and null.
 * Bounded: at most {@link #MAX_DEPTH} levels of nesting. Stateless and thread-safe.
 */
public final class RuleJson
{
    /** Deepest nesting of arrays and objects accepted. */
    public static final int MAX_DEPTH = 64;

    private final String text;
    private int pos;

    private RuleJson(final String text)
    {
        this.text = text;
    }

    /**
     * @param text JSON text.
     * @return the value.
     * @throws RuleRefusal (kind SYNTAX) if it is not one JSON value.
     */
    public static Object parse(final String text)
    {
        final RuleJson p = new RuleJson(text);
        p.skipSpace();
        final Object value = p.value(0);
        p.skipSpace();
        if (p.pos != text.length())
        {
            throw p.fail("unexpected text after the value");
        }
        return value;
    }

    private RuleRefusal fail(final String why)
    {
        return new RuleRefusal(RuleRefusal.Kind.SYNTAX, "", "not valid JSON at offset " + pos + ": " + why);
    }

    private void skipSpace()
    {
        while (pos < text.length())
        {
            final char c = text.charAt(pos);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            {
                return;
            }
            pos++;
        }
    }

    private Object value(final int depth)
    {
        if (depth > MAX_DEPTH)
        {
            throw fail("nested deeper than " + MAX_DEPTH + " levels");
        }
        if (pos >= text.length())
        {
            throw fail("unexpected end");
        }
        final char c = text.charAt(pos);
        switch (c)
        {
            case '{':
                return object(depth);
            case '[':
                return array(depth);
            case '"':
                return string();
            case 't':
                return literal("true", Boolean.TRUE);
            case 'f':
                return literal("false", Boolean.FALSE);
            case 'n':
                return literal("null", null);
            default:
                if (c == '-' || (c >= '0' && c <= '9'))
                {
                    return number();
                }
                throw fail("unexpected character");
        }
    }

    private Object literal(final String word, final Object value)
    {
        if (!text.startsWith(word, pos))
        {
            throw fail("unexpected character");
        }
        pos += word.length();
        return value;
    }

    private Map<String, Object> object(final int depth)
    {
        pos++;
        final Map<String, Object> map = new LinkedHashMap<>();
        skipSpace();
        if (pos < text.length() && text.charAt(pos) == '}')
        {
            pos++;
            return Collections.unmodifiableMap(map);
        }
        while (true)
        {
            skipSpace();
            if (pos >= text.length() || text.charAt(pos) != '"')
            {
                throw fail("expected a key");
            }
            final String key = string();
            skipSpace();
            expect(':');
            skipSpace();
            final Object v = value(depth + 1);
            if (map.containsKey(key))
            {
                throw fail("duplicate key \"" + RuleRefusal.clip(key) + "\"");
            }
            map.put(key, v);
            skipSpace();
            if (pos < text.length() && text.charAt(pos) == ',')
            {
                pos++;
                continue;
            }
            expect('}');
            return Collections.unmodifiableMap(map);
        }
    }

    private List<Object> array(final int depth)
    {
        pos++;
        final List<Object> list = new ArrayList<>();
        skipSpace();
        if (pos < text.length() && text.charAt(pos) == ']')
        {
            pos++;
            return Collections.unmodifiableList(list);
        }
        while (true)
        {
            skipSpace();
            list.add(value(depth + 1));
            skipSpace();
            if (pos < text.length() && text.charAt(pos) == ',')
            {
                pos++;
                continue;
            }
            expect(']');
            return Collections.unmodifiableList(list);
        }
    }

    private void expect(final char c)
    {
        if (pos >= text.length() || text.charAt(pos) != c)
        {
            throw fail("expected '" + c + "'");
        }
        pos++;
    }

    private String string()
    {
        pos++;
        final StringBuilder sb = new StringBuilder();
        while (true)
        {
            if (pos >= text.length())
            {
                throw fail("unterminated string");
            }
            final char c = text.charAt(pos++);
            if (c == '"')
            {
                return sb.toString();
            }
            if (c < 0x20)
            {
                throw fail("control character in a string");
            }
            if (c != '\\')
            {
                sb.append(c);
                continue;
            }
            if (pos >= text.length())
            {
                throw fail("unterminated string");
            }
            final char e = text.charAt(pos++);
            switch (e)
            {
                case '"', '\\', '/' -> sb.append(e);
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'u' ->
                {
                    if (pos + 4 > text.length())
                    {
                        throw fail("bad \\u escape");
                    }
                    int v = 0;
                    for (int i = 0; i < 4; i++)
                    {
                        final int d = Character.digit(text.charAt(pos++), 16);
                        if (d < 0)
                        {
                            throw fail("bad \\u escape");
                        }
                        v = v * 16 + d;
                    }
                    sb.append((char)v);
                }
                default -> throw fail("bad escape");
            }
        }
    }

    private Object number()
    {
        final int start = pos;
        if (text.charAt(pos) == '-')
        {
            pos++;
        }
        final int intStart = pos;
        while (pos < text.length() && text.charAt(pos) >= '0' && text.charAt(pos) <= '9')
        {
            pos++;
        }
        if (pos == intStart || (text.charAt(intStart) == '0' && pos - intStart > 1))
        {
            throw fail("bad number");
        }
        boolean integral = true;
        if (pos < text.length() && text.charAt(pos) == '.')
        {
            integral = false;
            pos++;
            final int fracStart = pos;
            while (pos < text.length() && text.charAt(pos) >= '0' && text.charAt(pos) <= '9')
            {
                pos++;
            }
            if (pos == fracStart)
            {
                throw fail("bad number");
            }
        }
        if (pos < text.length() && (text.charAt(pos) == 'e' || text.charAt(pos) == 'E'))
        {
            integral = false;
            pos++;
            if (pos < text.length() && (text.charAt(pos) == '+' || text.charAt(pos) == '-'))
            {
                pos++;
            }
            final int expStart = pos;
            while (pos < text.length() && text.charAt(pos) >= '0' && text.charAt(pos) <= '9')
            {
                pos++;
            }
            if (pos == expStart)
            {
                throw fail("bad number");
            }
        }
        final String s = text.substring(start, pos);
        if (integral && s.length() <= 20)
        {
            try
            {
                return Long.parseLong(s);
            }
            catch (final NumberFormatException ignored)
            {
                // beyond a long: a double, as JavaScript and App Services read it
            }
        }
        if (s.length() > 400)
        {
            throw fail("number too long");
        }
        return Double.parseDouble(s);
    }
}
