package dev.outpost.server.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The launcher's memory settings: {@code serve} runs with the measured ones from the parent pom
 * ({@code outpost.jvm.memory}), the one-shot verbs with the JVM's defaults, {@code OUTPOST_JVM_MEMORY} replaces them
 * and {@code JAVA_OPTS} comes after them (so it overrides single flags), and glibc's malloc arenas are capped unless
 * the environment says otherwise. Read through a stand-in {@code java} that prints what it was started with.
 */
@Timeout(60)
class LauncherMemoryIT
{
    @TempDir
    Path dir;

    @Test
    void shouldGiveServeTheMeasuredMemorySettingsAndLetTheEnvironmentChangeThem() throws Exception
    {
        final String shipped = System.getProperty("outpost.jvm.memory", "");
        assertThat(shipped).as("the parent pom's outpost.jvm.memory reaches the test").contains("-Xmx");

        final String serve = run(Map.of(), "serve", "--port", "0");
        assertThat(serve).contains(" " + shipped + " ").contains("MALLOC_ARENA_MAX=2").endsWith("serve --port 0");
        assertThat(run(Map.of(), "--port", "0")).as("no verb is serve").contains(" " + shipped + " ");

        final String inspect = run(Map.of(), "inspect", "/tmp/nothing");
        assertThat(inspect).as("one-shot verbs keep the JVM's defaults").doesNotContain("-Xmx");

        final String replaced = run(Map.of("OUTPOST_JVM_MEMORY", "-Xmx1g -XX:+UseSerialGC"), "serve");
        assertThat(replaced).contains(" -Xmx1g -XX:+UseSerialGC ").doesNotContain(shipped);
        assertThat(run(Map.of("OUTPOST_JVM_MEMORY", ""), "serve")).as("set but empty: none").doesNotContain("-Xmx");

        final String opts = run(Map.of("JAVA_OPTS", "-Xmx512m", "MALLOC_ARENA_MAX", "8"), "serve");
        assertThat(opts.indexOf("-Xmx512m")).as("JAVA_OPTS after the memory settings: the last -Xmx wins")
            .isGreaterThan(opts.indexOf(shipped));
        assertThat(opts).contains("MALLOC_ARENA_MAX=8");
    }

    /** @return what the stand-in java printed: {@code MALLOC_ARENA_MAX=... <its arguments>}. */
    private String run(final Map<String, String> env, final String... args) throws IOException, InterruptedException
    {
        final Path home = dir.resolve("jdk");
        final Path java = home.resolve("bin/java");
        if (!Files.exists(java))
        {
            Files.createDirectories(java.getParent());
            Files.writeString(home.resolve("release"), "JAVA_VERSION=\"17.0.15\"\n");
            Files.writeString(java, "#!/bin/sh\necho \"MALLOC_ARENA_MAX=$MALLOC_ARENA_MAX $*\"\n");
            Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        final String[] command = new String[args.length + 1];
        command[0] = executable().toString();
        System.arraycopy(args, 0, command, 1, args.length);
        final ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().remove("JAVA_OPTS");
        builder.environment().remove("OUTPOST_JVM_MEMORY");
        builder.environment().remove("MALLOC_ARENA_MAX");
        builder.environment().put("JAVA_HOME", home.toString());
        builder.environment().putAll(env);
        final Process p = builder.start();
        final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    private static Path executable()
    {
        final Path classes = Path.of(LauncherMemoryIT.class.getProtectionDomain().getCodeSource().getLocation()
            .getPath());
        return classes.getParent().resolve("outpost");
    }
}
