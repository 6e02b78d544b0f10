package dev.outpost.server.cli;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Runs the built single executable ({@code target/outpost}: launcher script + shaded jar) on the JDK running the
 * tests and, when installed, on the Temurin 25 JDK (which needs the extra Java 24+ flags the launcher adds).
 */
@Timeout(120)
class OutpostExecutableIT
{
    private static final Pattern LISTENING = Pattern.compile("Outpost listening on (http://\\S+) ");
    private static final Path TEMURIN_25 = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64");

    @TempDir
    Path dir;

    @Test
    void shouldServeFromTheExecutableOnTheTestJdk() throws Exception
    {
        runAndProbe(Path.of(System.getProperty("java.home")), "current");
    }

    @Test
    void shouldServeFromTheExecutableOnJava25() throws Exception
    {
        assumeTrue(Files.isExecutable(TEMURIN_25.resolve("bin/java")), "Temurin 25 not installed");
        runAndProbe(TEMURIN_25, "jdk25");
    }

    private void runAndProbe(final Path javaHome, final String name) throws Exception
    {
        final Path executable = executable();
        assertThat(Files.isExecutable(executable)).as("%s is executable", executable).isTrue();
        final ProcessBuilder builder = new ProcessBuilder(executable.toString(), "serve", "--port", "0",
            "--data-dir", dir.resolve(name).toString(), "--app-id", "exe-app", "--event-loops", "1")
            .redirectErrorStream(true);
        builder.environment().put("JAVA_HOME", javaHome.toString());
        builder.environment().put("JAVA_OPTS", "-Xmx128m -Doutpost.test.marker=1");
        final Process process = builder.start();
        final List<String> output = new ArrayList<>();
        try
        {
            final BufferedReader reader = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            String baseUrl = null;
            for (String line = reader.readLine(); null != line; line = reader.readLine())
            {
                output.add(line);
                final Matcher m = LISTENING.matcher(line);
                if (m.find())
                {
                    baseUrl = m.group(1);
                    break;
                }
            }
            assertThat(baseUrl).as("startup line; output: %s", output).isNotNull();
            assertThat(output.get(output.size() - 1)).contains("java=").contains("app=exe-app");

            final HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(baseUrl + "/api/client/v2.0/app/exe-app/location")).build(),
                HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(new JsonObject(response.body()).getString("ws_hostname")).startsWith("ws://127.0.0.1:");
        }
        finally
        {
            process.destroy();
            if (!process.waitFor(15, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
            }
        }
        assertThat(process.exitValue()).as("exit after SIGTERM (graceful shutdown); output %s", output).isZero();
    }

    private static Path executable()
    {
        // Failsafe runs from the module directory; the build folder may be renamed with -Doutpost.target.
        final Path classes = Path.of(OutpostExecutableIT.class.getProtectionDomain().getCodeSource().getLocation()
            .getPath());
        return classes.getParent().resolve("outpost");
    }
}
