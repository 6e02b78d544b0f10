package dev.outpost.server.sync.wire;

/** JSON_ERROR bodies (protocol §4.9): every required key, in realm's alphabetical order. Stateless. */
public final class ErrorBodies
{
    public static final String CLIENT_RESET = "ClientReset";
    public static final String PROTOCOL_VIOLATION = "ProtocolViolation";
    public static final String TRANSIENT = "Transient";
    public static final String APPLICATION_BUG = "ApplicationBug";

    private ErrorBodies()
    {
    }

    public static String json(final String action, final String message, final boolean tryAgain)
    {
        final boolean reset = action.startsWith(CLIENT_RESET);
        return "{\"action\":\"" + action + "\",\"isRecoveryModeDisabled\":false,\"logURL\":\"\",\"message\":\"" +
            escape(message) + "\",\"shouldClientReset\":" + reset + ",\"tryAgain\":" + tryAgain + "}";
    }

    public static String escape(final String s)
    {
        final StringBuilder sb = new StringBuilder(s.length() + 8);
        appendEscaped(sb, s);
        return sb.toString();
    }

    /** Append {@code s} escaped for the inside of a JSON string (as {@link #escape}), without the quotes. */
    public static void appendEscaped(final StringBuilder sb, final String s)
    {
        for (int i = 0; i < s.length(); i++)
        {
            final char c = s.charAt(i);
            switch (c)
            {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default ->
                {
                    if (c < 0x20)
                    {
                        sb.append(String.format("\\u%04x", (int)c));
                    }
                    else
                    {
                        sb.append(c);
                    }
                }
            }
        }
    }

    /** @return {@code text} for an error message or log line: cut to {@code max} characters, noting its length. */
    public static String abbreviate(final String text, final int max)
    {
        return text.length() <= max ? text : text.substring(0, max) + "\u2026 (" + text.length() + " characters)";
    }
}
