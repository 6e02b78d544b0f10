package dev.outpost.server.cli;

import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

/**
 * {@code outpost inspect}: placeholder registered by the CLI; the real command (data directory and live server
 * inspection) replaces this file.
 */
@Command(name = "inspect", mixinStandardHelpOptions = true,
    description = "Inspect a data directory or a running server (not available in this build).")
final class InspectCommand implements Callable<Integer>
{
    public Integer call()
    {
        System.err.println("outpost: inspect is not available in this build");
        return 1;
    }
}
