package dev.outpost.server.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of the {@code outpost} executable.
 */
@Command(
    name = "outpost",
    mixinStandardHelpOptions = true,
    versionProvider = OutpostMain.Version.class,
    description = "Outpost: a self-hosted Realm sync server.",
    subcommands = {ServeCommand.class, BenchCommand.class, InspectCommand.class, ImportCommand.class,
        ExportCommand.class, ReloadCommand.class, BackupCommand.class, RestoreCommand.class, CompactCommand.class,
        VersionCommand.class,
        CommandLine.HelpCommand.class})
public final class OutpostMain implements Runnable
{
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(final String[] args)
    {
        if (null == System.getProperty("java.util.logging.SimpleFormatter.format"))
        {
            System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT.%1$tLZ %4$s %3$s - %5$s%6$s%n");
        }
        int status;
        try
        {
            status = commandLine().execute(args);
        }
        catch (final Throwable ex)
        {
            ex.printStackTrace();
            status = 1;
        }
        System.exit(status);
    }

    /**
     * @return the configured command line (also used by tests).
     */
    public static CommandLine commandLine()
    {
        final CommandLine cli = new CommandLine(new OutpostMain()).setCaseInsensitiveEnumValuesAllowed(true)
            .setParameterExceptionHandler(OutpostMain::usageError);
        // outpost bench --url URL --app-id ID ...: the load generator's options pass through as they are
        cli.getSubcommands().get("bench").setUnmatchedOptionsArePositionalParams(true);
        return cli;
    }

    /**
     * A usage error: one line naming the option and what is wrong, picocli's suggestions for a mistyped option,
     * and where the help is; not the whole usage text, which would bury the message.
     */
    private static int usageError(final CommandLine.ParameterException ex, final String[] args)
    {
        final CommandLine cli = ex.getCommandLine();
        final java.io.PrintWriter err = cli.getErr();
        err.println("outpost: " + ex.getMessage());
        CommandLine.UnmatchedArgumentException.printSuggestions(ex, err);
        err.println("Try '" + cli.getCommandSpec().qualifiedName() + " --help'.");
        err.flush();
        return cli.getCommandSpec().exitCodeOnInvalidInput();
    }

    public void run()
    {
        throw new CommandLine.ParameterException(spec.commandLine(),
            "missing command: serve, bench, inspect, import, export, reload, backup, restore, compact or version");
    }

    static final class Version implements CommandLine.IVersionProvider
    {
        public String[] getVersion()
        {
            return VersionCommand.lines();
        }
    }
}
