package dev.outpost.server.realclient;

import io.vertx.core.json.JsonObject;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Starts {@link RealmClientDriver} in its own JVM (one per client: the native client is process-global and may
 * crash), with the test's classpath and the JVM flags from the parent pom ({@code outpost.jvm.flags}, passed by
 * failsafe), and collects its exit code and JSON result line. The client's log goes to {@code driver.log} in its
 * directory.
 */
final class RealClientProcess
{
    /**
     * @param exitCode process exit code (-1 if it was killed after the timeout).
     * @param json     the result line, or null if none was printed.
     * @param log      the client's stderr (core log).
     */
    record Result(int exitCode, JsonObject json, Path log)
    {
        String logTail() throws Exception
        {
            final List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        }
    }

    private RealClientProcess()
    {
    }

    static Result run(
        final int port,
        final String appId,
        final Path dir,
        final String scenario,
        final Map<String, String> params,
        final Duration timeout)
        throws Exception
    {
        Files.createDirectories(dir);
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmFlags());
        command.add("-Xmx256m");
        command.add("-cp");
        command.add(classpath());
        command.add(RealmClientDriver.class.getName());
        command.addAll(List.of("--port", String.valueOf(port), "--dir", dir.resolve("client").toString(),
            "--scenario", scenario, "--app", appId));
        params.forEach((k, v) -> command.addAll(List.of("--param", k + "=" + v)));

        final Path out = dir.resolve("driver.out");
        final Path log = dir.resolve("driver.log");
        final Process process = new ProcessBuilder(command)
            .redirectOutput(out.toFile())
            .redirectError(log.toFile())
            .start();
        int exit;
        if (process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS))
        {
            exit = process.exitValue();
        }
        else
        {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            exit = -1;
        }
        JsonObject json = null;
        for (final String line : Files.readAllLines(out, StandardCharsets.UTF_8))
        {
            if (line.startsWith("{"))
            {
                json = new JsonObject(line);
            }
        }
        return new Result(exit, json, log);
    }

    static List<String> jvmFlags()
    {
        final String flags = System.getProperty("outpost.jvm.flags");
        if (null != flags && !flags.isBlank())
        {
            return List.of(flags.trim().split("\\s+"));
        }
        // Outside Maven (e.g. an IDE): the flags the native client needs.
        return Runtime.version().feature() >= 24 ? List.of("--enable-native-access=ALL-UNNAMED") : List.of();
    }

    static String classpath()
    {
        final String surefire = System.getProperty("surefire.test.class.path");
        final String cp = null != surefire && !surefire.isBlank() ? surefire : System.getProperty("java.class.path");
        if (!cp.contains("cinterop-jvm"))
        {
            throw new IllegalStateException("test classpath lacks io.realm.kotlin:cinterop-jvm: " + cp);
        }
        return String.join(File.pathSeparator, List.of(cp.split(File.pathSeparator)));
    }
}
