package dev.outpost.server.sync;

/** JSON_ERROR bodies (protocol §4.9): every required key, in realm's alphabetical order. Stateless. */
final class ErrorBodies
{
    static final String CLIENT_RESET = "ClientReset";
    static final String PROTOCOL_VIOLATION = "ProtocolViolation";
    static final String TRANSIENT = "Transient";
    static final String APPLICATION_BUG = "ApplicationBug";

    private ErrorBodies()
    {
    }

    static String json(final String action, final String message, final boolean tryAgain)
    {
        final boolean reset = action.startsWith(CLIENT_RESET);
        return "{\"action\":\"" + action + "\",\"isRecoveryModeDisabled\":false,\"logURL\":\"\",\"message\":\"" +
            escape(message) + "\",\"shouldClientReset\":" + reset + ",\"tryAgain\":" + tryAgain + "}";
    }

    static String escape(final String s)
    {
        final StringBuilder sb = new StringBuilder(s.length() + 8);
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
        return sb.toString();
    }
}
