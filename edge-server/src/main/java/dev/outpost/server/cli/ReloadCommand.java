package dev.outpost.server.cli;

import dev.outpost.server.config.ConfigException;
import dev.outpost.server.config.ServerConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code outpost reload}: tell the running {@code outpost serve} of a data directory to reload its permission rules
 * (it sends the server SIGHUP, found through the pid file the server keeps in its data directory). The outcome is
 * in the server's log. Exit codes: 0 signalled, 1 no running server found or it could not be signalled, 2 bad usage.
 */
@Command(name = "reload", mixinStandardHelpOptions = true, sortOptions = false,
    versionProvider = OutpostMain.Version.class,
    description = {"Reload the permission rules of a running server (the same as sending it SIGHUP).",
        "Only rules are reloaded (not auth providers, sync settings or schema); the server logs the outcome.",
        "Live sessions whose view changed bind again and get a bootstrap of their new view."})
public final class ReloadCommand implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "The running server's data directory.")
    Path dataDir;

    @Option(names = "--config", paramLabel = "FILE",
        description = "The running server's config file (its data-dir is used).")
    Path configFile;

    public Integer call()
    {
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        Path dir = dataDir;
        if (null == dir)
        {
            try
            {
                dir = new ServerConfig(configFile, System.getenv()).dataDir();
            }
            catch (final ConfigException ex)
            {
                err.println("outpost reload: " + ex.getMessage());
                return 2;
            }
        }
        final Path file = dir.resolve(RulesReloadSignal.PID_FILE);
        final long pid;
        try
        {
            pid = Long.parseLong(Files.readString(file).trim());
        }
        catch (final IOException | NumberFormatException ex)
        {
            err.println("outpost reload: no running server found: cannot read " + file + " (written by outpost " +
                "serve while it runs)");
            return 1;
        }
        final Optional<ProcessHandle> process = ProcessHandle.of(pid);
        if (process.isEmpty() || !process.get().isAlive())
        {
            err.println("outpost reload: no running server: process " + pid + " of " + file + " is not running");
            return 1;
        }
        try
        {
            final Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(pid)).redirectErrorStream(true)
                .start();
            final String output = new String(kill.getInputStream().readAllBytes()).trim();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || 0 != kill.exitValue())
            {
                err.println("outpost reload: cannot signal process " + pid + ": " + output);
                return 1;
            }
        }
        catch (final IOException ex)
        {
            err.println("outpost reload: cannot signal process " + pid + ": " + ex.getMessage());
            return 1;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return 1;
        }
        out.println("outpost reload: asked the server (pid " + pid + ") to reload its permission rules; its log " +
            "tells the outcome");
        return 0;
    }
}
