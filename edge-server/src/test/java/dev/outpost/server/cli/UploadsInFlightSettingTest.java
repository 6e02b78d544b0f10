package dev.outpost.server.cli;

import dev.outpost.server.config.ServerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static dev.outpost.server.cli.ServeFlags.serve;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code max-uploads-in-flight}: default, file key, environment variable, flag, validation. */
class UploadsInFlightSettingTest
{
    @TempDir
    Path dir;

    @Test
    void shouldDefaultToSixteen()
    {
        assertThat(new ServerConfig(Map.of()).dataDir(dir).conclude().maxUploadsInFlight()).isEqualTo(16);
    }

    @Test
    void shouldApplyFlagOverEnvironmentOverFile() throws Exception
    {
        final Path file = dir.resolve("outpost.yaml");
        Files.writeString(file, """
            data-dir: %s
            max-uploads-in-flight: 4
            """.formatted(dir.resolve("data")));
        assertThat(serve(Map.of(), "--config", file.toString()).conclude().maxUploadsInFlight()).isEqualTo(4);
        assertThat(serve(Map.of("OUTPOST_MAX_UPLOADS_IN_FLIGHT", "8"), "--config", file.toString()).conclude()
            .maxUploadsInFlight()).isEqualTo(8);
        final ServerConfig fromFlag = serve(Map.of("OUTPOST_MAX_UPLOADS_IN_FLIGHT", "8"), "--config", file.toString(),
            "--max-uploads-in-flight", "1").conclude();
        assertThat(fromFlag.maxUploadsInFlight()).isEqualTo(1);
        assertThat(fromFlag.forApp(fromFlag.apps().get(0)).maxUploadsInFlight()).as("an app's sync service")
            .isEqualTo(1);
    }

    @Test
    void shouldNameTheSettingWhenOutOfRange()
    {
        assertThatThrownBy(() -> new ServerConfig(Map.of()).dataDir(dir).maxUploadsInFlight(0).conclude())
            .hasMessageContaining(ServerConfig.MAX_UPLOADS_IN_FLIGHT_PROP).hasMessageContaining("1..1024");
        assertThatThrownBy(() -> new ServerConfig(Map.of()).dataDir(dir).maxUploadsInFlight(1025).conclude())
            .hasMessageContaining(ServerConfig.MAX_UPLOADS_IN_FLIGHT_PROP);
        assertThatThrownBy(() -> serve(Map.of("OUTPOST_MAX_UPLOADS_IN_FLIGHT", "many")).conclude())
            .hasMessageContaining(ServerConfig.MAX_UPLOADS_IN_FLIGHT_PROP);
    }
}
