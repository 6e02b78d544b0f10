package dev.outpost.server.metrics;

import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Routes every logging API of the process to SLF4J (Logback, configured by {@code logback.xml}): SLF4J itself,
 * Vert.x (which picks SLF4J on its own), {@code System.Logger} (through {@code slf4j-jdk-platform-logging}) and
 * {@code java.util.logging} (through the bridge installed here).
 */
public final class Logging
{
    private Logging()
    {
    }

    /** Installs the java.util.logging bridge once; safe to call repeatedly and from several threads. */
    public static synchronized void install()
    {
        if (!SLF4JBridgeHandler.isInstalled())
        {
            SLF4JBridgeHandler.removeHandlersForRootLogger();
            SLF4JBridgeHandler.install();
        }
    }
}
