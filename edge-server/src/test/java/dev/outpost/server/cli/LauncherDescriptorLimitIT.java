package dev.outpost.server.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The launcher of {@code target/outpost} raises the descriptor soft limit to the hard limit (every connection takes
 * a descriptor): started under a lowered soft limit, the JVM reports the hard limit. HotSpot's own raise is switched
 * off ({@code -XX:-MaxFDLimit}) so that only the launcher can have done it.
 */
@Timeout(60)
class LauncherDescriptorLimitIT
{
    private static final Pattern LIMIT = Pattern.compile("descriptor limit (-?\\d+)");
    private static final int LOWERED = 256;

    @Test
    void shouldRaiseTheSoftDescriptorLimitToTheHardLimit() throws Exception
    {
        final Path executable = executable();
        assertThat(Files.isExecutable(executable)).as("%s is executable", executable).isTrue();
        final String hardText = run("ulimit -H -n", null).trim();
        assumeTrue(hardText.matches("\\d+") && Long.parseLong(hardText) > LOWERED,
            "hard descriptor limit " + hardText + " cannot show a raise");

        final String output = run("ulimit -S -n " + LOWERED + " && exec \"$0\" version", executable.toString());
        final Matcher m = LIMIT.matcher(output);
        assertThat(m.find()).as("descriptor limit line in: %s", output).isTrue();
        assertThat(Long.parseLong(m.group(1))).as(output).isEqualTo(Long.parseLong(hardText));
    }

    private static String run(final String script, final String arg0) throws IOException, InterruptedException
    {
        final ProcessBuilder builder = null == arg0 ?
            new ProcessBuilder("/bin/sh", "-c", script) : new ProcessBuilder("/bin/sh", "-c", script, arg0);
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().put("JAVA_OPTS", "-Xmx64m -XX:-MaxFDLimit");
        builder.redirectErrorStream(true);
        final Process process = builder.start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        return output;
    }

    private static Path executable()
    {
        final Path classes = Path.of(LauncherDescriptorLimitIT.class.getProtectionDomain().getCodeSource()
            .getLocation().getPath());
        return classes.getParent().resolve("outpost");
    }
}
