package dev.outpost.server.cli;

import java.util.concurrent.CountDownLatch;

/**
 * Turns SIGTERM and SIGINT into a graceful shutdown on the main thread, so that {@code outpost serve} can close
 * the server completely and then exit with status 0 (a JVM ended by a signal through its shutdown hooks exits
 * with 143). If the JVM does not offer signal handling, a shutdown hook closes the server instead.
 */
final class Shutdown
{
    private static final System.Logger LOG = System.getLogger("dev.outpost.server.shutdown");

    private final CountDownLatch signalled = new CountDownLatch(1);
    private volatile Runnable action;
    private volatile String signal = "?";
    private volatile boolean hooked;

    private Shutdown()
    {
    }

    /**
     * @param action what to run once a signal arrives (close the server).
     * @return the installed handler.
     */
    static Shutdown install(final Runnable action)
    {
        final Shutdown shutdown = new Shutdown();
        shutdown.action = action;
        try
        {
            // Chronicle installs its own chained HUP/INT/TERM handlers the first time one of its components asks
            // for a signal handler, which can be long after the start (on the first write), and they would
            // replace ours. Make it install them now, through its own API, so that ours below come last.
            net.openhft.chronicle.core.Jvm.addSignalHandler(signal -> {});
            for (final String name : new String[] {"TERM", "INT"})
            {
                sun.misc.Signal.handle(new sun.misc.Signal(name), s ->
                {
                    shutdown.signal = "SIG" + name;
                    shutdown.signalled.countDown();
                });
            }
        }
        catch (final Throwable ex)
        {
            shutdown.hooked = true;
            Runtime.getRuntime().addShutdownHook(new Thread(() ->
            {
                shutdown.signal = "JVM shutdown";
                shutdown.signalled.countDown();
                shutdown.action.run();
            }, "outpost-shutdown"));
        }
        return shutdown;
    }

    /**
     * Block until SIGTERM or SIGINT, then run the action on this thread.
     */
    void await() throws InterruptedException
    {
        signalled.await();
        LOG.log(System.Logger.Level.INFO, "Outpost received " + signal + ": graceful shutdown");
        if (!hooked)
        {
            try
            {
                action.run();
            }
            catch (final Throwable ex)
            {
                // Still exit (non-zero is decided by the caller's status): never leave a half-stopped JVM behind.
                LOG.log(System.Logger.Level.ERROR, "graceful shutdown failed", ex);
                throw new IllegalStateException("graceful shutdown failed: " + ex, ex);
            }
        }
    }
}
