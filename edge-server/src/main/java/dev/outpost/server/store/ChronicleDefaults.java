package dev.outpost.server.store;

/**
 * Switches off Chronicle's usage analytics and banner before any Chronicle class initialises, even when an
 * embedding application forgot the JVM flags: an edge server must never phone a third party.
 */
final class ChronicleDefaults
{
    static
    {
        System.setProperty("chronicle.analytics.disable", "true");
        System.setProperty("chronicle.announcer.disable", "true");
    }

    private ChronicleDefaults()
    {
    }

    /** Runs the static initialiser (idempotent). */
    static void apply()
    {
        // the work is in the static initialiser
    }
}
