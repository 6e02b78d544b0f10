package dev.outpost.server.mirror;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The value of a PBS partition for its column, from the BIND path (canonical extended JSON, see
 * shared/docs/realm-protocol.md): {@code "p1"} is {@code p1}, {@code {"$numberLong":"42"}} and
 * {@code {"$numberInt":"42"}} are {@code 42}, {@code {"$oid":"..."}} is the hex text, {@code {"$uuid":"..."}} the
 * UUID text; anything else is kept as sent. Stateless.
 */
final class PartitionValues
{
    private static final Pattern WRAPPED = Pattern.compile(
        "\\{\\s*\"\\$(?:numberLong|numberInt|oid|uuid)\"\\s*:\\s*\"([^\"\\\\]*)\"\\s*}");

    private PartitionValues()
    {
    }

    /**
     * @param path a PBS BIND path.
     * @return the partition value as text.
     */
    static String text(final String path)
    {
        if (path.length() >= 2 && path.charAt(0) == '"' && path.charAt(path.length() - 1) == '"')
        {
            final String s = unescape(path.substring(1, path.length() - 1));
            return null == s ? path : s;
        }
        final Matcher m = WRAPPED.matcher(path);
        return m.matches() ? m.group(1) : path;
    }

    private static String unescape(final String s)
    {
        final StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++)
        {
            final char c = s.charAt(i);
            if (c == '"')
            {
                return null; // not one JSON string
            }
            if (c != '\\')
            {
                sb.append(c);
                continue;
            }
            if (++i >= s.length())
            {
                return null;
            }
            final char e = s.charAt(i);
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
                    if (i + 4 >= s.length())
                    {
                        return null;
                    }
                    try
                    {
                        sb.append((char)Integer.parseInt(s.substring(i + 1, i + 5), 16));
                    }
                    catch (final RuntimeException ex)
                    {
                        return null;
                    }
                    i += 4;
                }
                default ->
                {
                    return null;
                }
            }
        }
        return sb.toString();
    }
}
