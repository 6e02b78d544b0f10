package dev.outpost.server.cli;

import dev.outpost.server.backup.Backup;
import dev.outpost.server.backup.BackupException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code outpost restore}: a new data directory from a backup ({@link Backup#restore}); refuses a target that is
 * not empty (so never one a server runs on). Exit codes: 0 ok, 1 the copy failed, 2 bad usage.
 */
@Command(name = "restore", mixinStandardHelpOptions = true, sortOptions = false,
    versionProvider = OutpostMain.Version.class,
    description = {"Make a new data directory from a backup made by 'outpost backup'.",
        "The target must be new or empty; start the server on it afterwards."})
public final class RestoreCommand implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @Option(names = "--from", paramLabel = "DIR", required = true, description = "The backup.")
    Path from;

    @Option(names = "--data-dir", paramLabel = "DIR", required = true,
        description = "The new data directory (missing or empty).")
    Path dataDir;

    public Integer call()
    {
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        try
        {
            final Backup.Summary summary = Backup.restore(from, dataDir);
            out.println("restored " + from + " into " + dataDir + ": " + summary);
            out.flush();
            return 0;
        }
        catch (final BackupException ex)
        {
            err.println("outpost restore: " + ex.getMessage());
            err.flush();
            return ex.usage() ? 2 : 1;
        }
    }
}
