package dev.outpost.bench;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs JMH with the parent pom's JVM flags appended to every fork, so benchmarks run under exactly the flags the
 * server ships with. Accepts JMH's own command line.
 */
public final class BenchMain
{
    private BenchMain()
    {
    }

    /** @return the JVM flags defined in the parent pom, split into arguments. */
    public static String[] jvmFlags()
    {
        return flags("jvm.flags");
    }

    /**
     * @return the memory flags the {@code outpost} launcher ships (parent pom {@code outpost.jvm.memory}): the load
     * generator's server child runs with them, so that its figures are those of the shipped server.
     */
    public static String[] jvmMemoryFlags()
    {
        return flags("jvm.memory");
    }

    private static String[] flags(final String key)
    {
        final Properties p = new Properties();
        try (InputStream in = BenchMain.class.getResourceAsStream("/outpost-jvm.properties"))
        {
            if (in != null)
            {
                p.load(in);
            }
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot read outpost-jvm.properties", ex);
        }
        final List<String> flags = new ArrayList<>();
        for (final String s : p.getProperty(key, "").trim().split("\\s+"))
        {
            if (!s.isEmpty())
            {
                flags.add(s);
            }
        }
        return flags.toArray(new String[0]);
    }

    public static void main(final String[] args) throws RunnerException, CommandLineOptionException, IOException
    {
        final CommandLineOptions cli = new CommandLineOptions(args);
        if (cli.shouldHelp() || cli.shouldList() || cli.shouldListWithParams() || cli.shouldListProfilers()
            || cli.shouldListResultFormats())
        {
            org.openjdk.jmh.Main.main(args);
            return;
        }
        final OptionsBuilder builder = new OptionsBuilder();
        builder.parent(cli).jvmArgsAppend(jvmFlags());
        new Runner(builder.build()).run();
    }

}
