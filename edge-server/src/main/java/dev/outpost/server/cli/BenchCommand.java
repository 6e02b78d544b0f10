package dev.outpost.server.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code outpost bench}: runs the load generator of the bench module ({@code bench/target/benchmarks.jar}, built
 * separately: the server does not contain it) with the same JVM flags, or says how to build and run it.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
    versionProvider = OutpostMain.Version.class,
    description = {"Run the load generator (dev.outpost.bench.load.LoadGenerator in bench/target/benchmarks.jar) " +
        "against a server; its options pass through (outpost bench --url URL --app-id ID --scenario a; " +
            "its help: outpost bench -- --help).",
        "The jar is looked up at --jar, $OUTPOST_BENCH_JAR, ./bench/target/benchmarks.jar and next to this " +
            "executable (../../bench/target/benchmarks.jar). If none exists, prints how to build it."})
final class BenchCommand implements Callable<Integer>
{
    static final String LOAD_GENERATOR = "dev.outpost.bench.load.LoadGenerator";

    @Option(names = "--jar", paramLabel = "JAR", description = "Path of benchmarks.jar.")
    Path jar;

    @Parameters(paramLabel = "ARGS", description = "Arguments for the load generator.")
    List<String> args = new ArrayList<>();

    public Integer call() throws Exception
    {
        final Path found = find();
        if (null == found)
        {
            if (null != jar)
            {
                System.err.println("outpost bench: --jar " + jar + ": no such file");
            }
            System.out.println("The load generator lives in the bench module and is not part of this executable.");
            System.out.println("Build it from the source tree, then run it:");
            System.out.println("  ./mvnw -B -q -pl bench -am package -DskipTests");
            System.out.println("  java <outpost JVM flags> -cp bench/target/benchmarks.jar " + LOAD_GENERATOR +
                " --help");
            System.out.println("or let this command run it:  outpost bench --jar bench/target/benchmarks.jar -- " +
                "--help");
            return jar != null ? 2 : 0;
        }
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // The same flags this JVM got from the launcher (Chronicle, Agrona, native access).
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.add("-cp");
        command.add(found.toString());
        command.add(LOAD_GENERATOR);
        command.addAll(args);
        return new ProcessBuilder(command).inheritIO().start().waitFor();
    }

    Path find()
    {
        final List<Path> candidates = new ArrayList<>();
        if (null != jar)
        {
            return Files.isRegularFile(jar) ? jar : null;
        }
        final String env = System.getenv("OUTPOST_BENCH_JAR");
        if (null != env && !env.isBlank())
        {
            candidates.add(Path.of(env.trim()));
        }
        candidates.add(Path.of("bench", "target", "benchmarks.jar"));
        try
        {
            final Path self = Path.of(BenchCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            final Path parent = self.toAbsolutePath().getParent();
            if (null != parent && null != parent.getParent() && null != parent.getParent().getParent())
            {
                candidates.add(parent.getParent().getParent().resolve("bench/target/benchmarks.jar"));
            }
        }
        catch (final Exception ignore)
        {
            // no code source: only the other candidates
        }
        for (final Path p : candidates)
        {
            if (Files.isRegularFile(p))
            {
                return p;
            }
        }
        return null;
    }
}
