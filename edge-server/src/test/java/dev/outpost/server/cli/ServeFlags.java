package dev.outpost.server.cli;

import dev.outpost.server.config.ServerConfig;
import picocli.CommandLine;

import java.util.Arrays;
import java.util.Map;
import java.util.stream.Stream;

/** Test support: the configuration {@code outpost serve ARGS} builds in the given environment (not concluded). */
final class ServeFlags
{
    private ServeFlags()
    {
    }

    static ServerConfig serve(final Map<String, String> env, final String... args)
    {
        final CommandLine.ParseResult parsed = OutpostMain.commandLine().parseArgs(
            Stream.concat(Stream.of("serve"), Arrays.stream(args)).toArray(String[]::new));
        return ((ServeCommand)parsed.subcommand().commandSpec().userObject()).toConfig(env);
    }
}
