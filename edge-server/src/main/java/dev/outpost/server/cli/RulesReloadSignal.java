package dev.outpost.server.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * SIGHUP to {@code outpost serve} reloads the permission rules ({@code OutpostApps.reloadRules}), on a thread of its
 * own (a signal handler must not block). Chronicle's chained HUP handler is replaced, as {@link Shutdown} does for
 * TERM and INT, so a HUP never ends the JVM. {@code outpost reload} finds the server through {@link #PID_FILE} in
 * the data directory, written once the server listens and removed when it stops.
 */
final class RulesReloadSignal
{
    /** The pid file in the server's data directory (additive: nothing else reads it; see STORE.md). */
    static final String PID_FILE = "outpost.pid";

    private static final System.Logger LOG = System.getLogger("dev.outpost.server.rules");

    private RulesReloadSignal()
    {
    }

    /**
     * Install the HUP handler (after {@link Shutdown#install}, which makes Chronicle install its handlers first).
     *
     * @param reload what a HUP runs (reload the rules); one at a time, in order.
     * @return whether signals are handled (false: the JVM offers no signal handling, HUP keeps its default).
     */
    static boolean install(final Runnable reload)
    {
        final ExecutorService runner = Executors.newSingleThreadExecutor(r ->
        {
            final Thread t = new Thread(r, "outpost-rules-reload");
            t.setDaemon(true);
            return t;
        });
        try
        {
            sun.misc.Signal.handle(new sun.misc.Signal("HUP"), s -> runner.execute(() ->
            {
                LOG.log(System.Logger.Level.INFO, "Outpost received SIGHUP: reloading the permission rules");
                try
                {
                    reload.run();
                }
                catch (final RuntimeException ex)
                {
                    LOG.log(System.Logger.Level.ERROR, "permission rules not reloaded: " + ex);
                }
            }));
            return true;
        }
        catch (final Throwable ex)
        {
            runner.shutdown();
            return false;
        }
    }

    /**
     * Write this process's pid into {@code dataDir} (atomically).
     *
     * @param dataDir the server's data directory.
     * @return the file, or null if it could not be written (logged; {@code outpost reload} then cannot find it).
     */
    static Path writePid(final Path dataDir)
    {
        final Path file = dataDir.resolve(PID_FILE);
        try
        {
            final Path tmp = dataDir.resolve(PID_FILE + ".tmp");
            Files.writeString(tmp, ProcessHandle.current().pid() + "\n");
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return file;
        }
        catch (final IOException ex)
        {
            LOG.log(System.Logger.Level.WARNING, "cannot write " + file + " (" + ex + "): outpost reload cannot " +
                "find this server; send it SIGHUP instead");
            return null;
        }
    }

    /**
     * Remove the pid file if it still names this process.
     *
     * @param file the file {@link #writePid} wrote, or null.
     */
    static void removePid(final Path file)
    {
        if (null == file)
        {
            return;
        }
        try
        {
            if (Files.isRegularFile(file) &&
                Files.readString(file).trim().equals(Long.toString(ProcessHandle.current().pid())))
            {
                Files.delete(file);
            }
        }
        catch (final IOException ex)
        {
            // a stale pid file is harmless: outpost reload checks that the process lives
        }
    }
}
