package dev.outpost.server.cli;

import dev.outpost.server.http.HttpConnectionGuard;
import picocli.CommandLine.Command;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import java.util.concurrent.Callable;

/**
 * {@code outpost version}: the project version, the git commit it was built from (when the build saw a git
 * checkout), the Java running it and the process's descriptor limit (which bounds the open connections).
 */
@Command(name = "version", mixinStandardHelpOptions = true, versionProvider = OutpostMain.Version.class,
    description = "Print the Outpost version, its git commit and the Java version.")
final class VersionCommand implements Callable<Integer>
{
    public Integer call()
    {
        for (final String line : lines())
        {
            System.out.println(line);
        }
        return 0;
    }

    static String[] lines()
    {
        final Properties build = new Properties();
        try (InputStream in = VersionCommand.class.getResourceAsStream("outpost-build.properties"))
        {
            if (null != in)
            {
                build.load(in);
            }
        }
        catch (final IOException ignore)
        {
            // reported as unknown below
        }
        final String version = build.getProperty("version", "dev");
        final String commit = build.getProperty("commit", "").trim();
        return new String[] {
            "outpost " + version,
            "commit " + (commit.isEmpty() || commit.startsWith("$") ? "unknown" : commit),
            "java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ", " +
                System.getProperty("java.home") + ")",
            "descriptor limit " + HttpConnectionGuard.descriptorLimit()};
    }
}
