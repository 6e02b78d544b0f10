package dev.outpost.server.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs {@code docker/build-and-start-without-docker.sh} (the Dockerfile's runtime steps without a Docker engine:
 * install, non-root user, ENV, ENTRYPOINT + CMD, HEALTHCHECK, SIGTERM and exit 0) with the executable this build
 * made, so CI checks the image's start path. The script's full build stage (./mvnw package in a copy of the tree)
 * is not repeated here: it is the same command this build just ran.
 */
@Timeout(180)
class DockerStepsIT
{
    @Test
    void shouldStartProbeAndStopLikeTheImage() throws Exception
    {
        final Path classes = Path.of(DockerStepsIT.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        final Path executable = classes.getParent().resolve("outpost");
        final Path script = Path.of("..", "docker", "build-and-start-without-docker.sh").toAbsolutePath().normalize();
        assertThat(script).isExecutable();
        assertThat(Path.of("..", "docker", "Dockerfile")).exists();

        final ProcessBuilder builder = new ProcessBuilder("sh", script.toString()).redirectErrorStream(true);
        builder.environment().put("OUTPOST_PREBUILT", executable.toString());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().put("JAVA_OPTS", "-Xmx128m");
        final Process process = builder.start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(150, TimeUnit.SECONDS)).isTrue();

        assertThat(process.exitValue()).as(output).isZero();
        assertThat(output).contains("healthcheck passed: bash -c").contains("Outpost stopped")
            .contains("healthcheck fails once the server is gone")
            .contains("build-and-start-without-docker: OK");
        assertThat(Files.readString(Path.of("..", "docker", "Dockerfile")))
            .contains("USER 10001").contains("HEALTHCHECK").contains("VOLUME").contains("EXPOSE 9090")
            .as("the Temurin JRE images ship neither curl nor wget")
            .doesNotContain("CMD curl").doesNotContain("CMD wget");
    }
}
