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
 * {@code outpost backup}: a consistent copy of a data directory, taken while the server runs ({@link Backup}).
 * Exit codes: 0 ok, 1 the copy failed, 2 bad usage (no data directory, target not empty).
 */
@Command(name = "backup", mixinStandardHelpOptions = true, sortOptions = false,
    versionProvider = OutpostMain.Version.class,
    description = {"Copy a data directory (history, auth log, keys) consistently, also while the server runs.",
        "The copy is a data directory: serve it, or 'outpost restore --from' it into a new one."})
public final class BackupCommand implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @Option(names = "--data-dir", paramLabel = "DIR", required = true, description = "The server's data directory.")
    Path dataDir;

    @Option(names = "--to", paramLabel = "DIR", required = true, description = "A new or empty directory.")
    Path to;

    public Integer call()
    {
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        try
        {
            final Backup.Summary summary = Backup.backup(dataDir, to);
            out.println("backed up " + dataDir + " to " + to + ": " + summary);
            out.flush();
            return 0;
        }
        catch (final BackupException ex)
        {
            err.println("outpost backup: " + ex.getMessage());
            err.flush();
            return ex.usage() ? 2 : 1;
        }
    }
}
