package dev.outpost.server.sync;

/**
 * Reads the SDK and core version out of a sync client's {@code User-Agent}
 * ({@code RealmSync/<core version> (<platform>) <binding info> <application info>}), for the admin API's list of
 * connections. Never trusted for anything else.
 */
final class UserAgents
{
    private static final String PREFIX = "RealmSync/";

    private UserAgents()
    {
    }

    /** @return the core version ({@code 14.10.1}), or null if the agent is not realm-core's. */
    static String coreVersion(final String userAgent)
    {
        if (null == userAgent || !userAgent.startsWith(PREFIX))
        {
            return null;
        }
        final int end = userAgent.indexOf(' ', PREFIX.length());
        return userAgent.substring(PREFIX.length(), end < 0 ? userAgent.length() : end);
    }

    /** @return the binding info ({@code RealmJS/12.6.0}, the first word after the platform), or null. */
    static String sdk(final String userAgent)
    {
        if (null == userAgent || !userAgent.startsWith(PREFIX))
        {
            return null;
        }
        final int close = userAgent.indexOf(')');
        if (close < 0)
        {
            return null;
        }
        final String rest = userAgent.substring(close + 1).trim();
        if (rest.isEmpty())
        {
            return null;
        }
        final int space = rest.indexOf(' ');
        return space < 0 ? rest : rest.substring(0, space);
    }
}
