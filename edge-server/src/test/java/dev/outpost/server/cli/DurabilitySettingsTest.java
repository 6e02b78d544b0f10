package dev.outpost.server.cli;

import dev.outpost.server.config.ConfigException;
import dev.outpost.server.config.Durability;
import dev.outpost.server.config.ServerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static dev.outpost.server.cli.ServeFlags.serve;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The durability and state-cache settings: defaults, config file, environment, flags, validation. */
class DurabilitySettingsTest
{
    @TempDir
    Path dir;

    @Test
    void shouldDefaultToOsDurabilityAndBoundedStateCache()
    {
        final ServerConfig config = new ServerConfig(Map.of()).dataDir(dir).conclude();
        assertThat(config.durability()).isEqualTo(Durability.OS);
        assertThat(config.stateCacheFiles()).isEqualTo(20_000);
        assertThat(config.stateCacheSize()).isEqualTo(512 * 1024 * 1024);
    }

    @Test
    void shouldApplyFlagsOverEnvironmentOverFile() throws Exception
    {
        final Path file = dir.resolve("outpost.yaml");
        Files.writeString(file, """
            data-dir: %s
            durability: fsync
            state-cache:
              files: 100
              size: 8MiB
            """.formatted(dir.resolve("data")));
        final ServerConfig fromFile = serve(Map.of(), "--config", file.toString()).conclude();
        assertThat(fromFile.durability()).isEqualTo(Durability.FSYNC);
        assertThat(fromFile.stateCacheFiles()).isEqualTo(100);
        assertThat(fromFile.stateCacheSize()).isEqualTo(8 << 20);

        final ServerConfig fromEnv = serve(Map.of("OUTPOST_DURABILITY", "OS", "OUTPOST_STATE_CACHE_FILES", "200",
            "OUTPOST_STATE_CACHE_SIZE", "16MiB"), "--config", file.toString()).conclude();
        assertThat(fromEnv.durability()).isEqualTo(Durability.OS);
        assertThat(fromEnv.stateCacheFiles()).isEqualTo(200);
        assertThat(fromEnv.stateCacheSize()).isEqualTo(16 << 20);

        final ServerConfig fromFlags = serve(Map.of("OUTPOST_DURABILITY", "os"), "--config", file.toString(),
            "--durability", "fsync", "--state-cache-files", "300", "--state-cache-size", "32MiB").conclude();
        assertThat(fromFlags.durability()).isEqualTo(Durability.FSYNC);
        assertThat(fromFlags.stateCacheFiles()).isEqualTo(300);
        assertThat(fromFlags.stateCacheSize()).isEqualTo(32 << 20);
        assertThat(fromFlags.forApp(fromFlags.apps().get(0)).durability()).isEqualTo(Durability.FSYNC);
    }

    @Test
    void shouldNameTheBadSetting()
    {
        assertThatThrownBy(() -> new ServerConfig(Map.of("OUTPOST_DURABILITY", "sometimes")))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining(ServerConfig.DURABILITY_PROP)
            .hasMessageContaining("os, fsync");
        assertThatThrownBy(() -> serve(Map.of(), "--durability", "never"))
            .hasMessageContaining(ServerConfig.DURABILITY_PROP);
        assertThatThrownBy(() -> new ServerConfig(Map.of()).dataDir(dir).stateCacheFiles(0).conclude())
            .hasMessageContaining(ServerConfig.STATE_CACHE_FILES_PROP);
        assertThatThrownBy(() -> new ServerConfig(Map.of()).dataDir(dir).stateCacheSize(1000).conclude())
            .hasMessageContaining(ServerConfig.STATE_CACHE_SIZE_PROP);
    }
}
