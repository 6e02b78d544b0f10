package dev.outpost.server.realclient;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The driver's one-line JSON result: an ordered object of strings, numbers, booleans, nested objects, lists and raw
 * JSON fragments. No dependency beyond the JDK so the client JVM stays lean.
 */
final class JsonLine
{
    private final Map<String, Object> fields = new LinkedHashMap<>();

    /** A JSON text inserted as is (e.g. the profile the client stored). */
    record Raw(String json)
    {
    }

    JsonLine put(final String key, final Object value)
    {
        fields.put(key, value);
        return this;
    }

    JsonLine object(final String key)
    {
        final JsonLine child = new JsonLine();
        fields.put(key, child);
        return child;
    }

    @SuppressWarnings("unchecked")
    JsonLine add(final String key, final Object value)
    {
        ((List<Object>)fields.computeIfAbsent(key, k -> new ArrayList<>())).add(value);
        return this;
    }

    public String toString()
    {
        final StringBuilder out = new StringBuilder();
        write(out, this);
        return out.toString();
    }

    private static void write(final StringBuilder out, final Object value)
    {
        if (null == value)
        {
            out.append("null");
        }
        else if (value instanceof JsonLine)
        {
            out.append('{');
            boolean first = true;
            for (final Map.Entry<String, Object> e : ((JsonLine)value).fields.entrySet())
            {
                if (!first)
                {
                    out.append(',');
                }
                first = false;
                string(out, e.getKey());
                out.append(':');
                write(out, e.getValue());
            }
            out.append('}');
        }
        else if (value instanceof List)
        {
            out.append('[');
            boolean first = true;
            for (final Object item : (List<?>)value)
            {
                if (!first)
                {
                    out.append(',');
                }
                first = false;
                write(out, item);
            }
            out.append(']');
        }
        else if (value instanceof Raw)
        {
            out.append(((Raw)value).json());
        }
        else if (value instanceof Number || value instanceof Boolean)
        {
            out.append(value);
        }
        else
        {
            string(out, value.toString());
        }
    }

    private static void string(final StringBuilder out, final String s)
    {
        out.append('"');
        for (int i = 0; i < s.length(); i++)
        {
            final char c = s.charAt(i);
            switch (c)
            {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default ->
                {
                    if (c < 0x20)
                    {
                        out.append(String.format("\\u%04x", (int)c));
                    }
                    else
                    {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
