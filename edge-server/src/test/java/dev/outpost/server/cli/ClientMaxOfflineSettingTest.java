package dev.outpost.server.cli;

import dev.outpost.server.config.ServerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static dev.outpost.server.cli.ServeFlags.serve;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The setting {@code client-max-offline}: default, file, environment, flag, validation, and per app: the entry's own
 * key over its sync settings' {@code client-max-offline-days} (an export's {@code client_max_offline_days}) over the
 * server's value.
 */
class ClientMaxOfflineSettingTest
{
    @TempDir
    Path dir;

    @Test
    void shouldDefaultTo30DaysAndApplyFlagsOverEnvironmentOverFile() throws Exception
    {
        final ServerConfig defaults = new ServerConfig(Map.of()).dataDir(dir).conclude();
        assertThat(defaults.clientMaxOffline()).isEqualTo(Duration.ofDays(30));
        assertThat(defaults.forApp(defaults.apps().get(0)).clientMaxOffline()).isEqualTo(Duration.ofDays(30));
        final Path file = dir.resolve("outpost.yaml");
        Files.writeString(file, """
            data-dir: %s
            client-max-offline: 12h
            """.formatted(dir.resolve("data")));
        assertThat(serve(Map.of(), "--config", file.toString()).conclude().clientMaxOffline())
            .isEqualTo(Duration.ofHours(12));
        assertThat(serve(Map.of("OUTPOST_CLIENT_MAX_OFFLINE", "2s"), "--config", file.toString()).conclude()
            .clientMaxOffline()).isEqualTo(Duration.ofSeconds(2));
        final ServerConfig fromFlag = serve(Map.of("OUTPOST_CLIENT_MAX_OFFLINE", "2s"), "--config", file.toString(),
            "--client-max-offline", "0").conclude();
        assertThat(fromFlag.clientMaxOffline()).isEqualTo(Duration.ZERO);
        assertThat(fromFlag.forApp(fromFlag.apps().get(0)).clientMaxOffline()).isEqualTo(Duration.ZERO);
    }

    @Test
    void shouldTakeAnAppsOwnValueThenItsSyncSettingsDaysThenTheServers() throws Exception
    {
        final Path file = dir.resolve("outpost.yaml");
        Files.writeString(file, """
            data-dir: %s
            client-max-offline: 3d
            apps:
              - id: own
                client-max-offline: 90m
                sync:
                  type: flexible
                  client-max-offline-days: 7
              - id: days
                sync:
                  type: flexible
                  client-max-offline-days: 7
              - id: plain
            """.formatted(dir.resolve("data")));
        final ServerConfig config = serve(Map.of(), "--config", file.toString()).conclude();
        assertThat(config.forApp(config.apps().get(0)).clientMaxOffline()).isEqualTo(Duration.ofMinutes(90));
        assertThat(config.forApp(config.apps().get(1)).clientMaxOffline()).isEqualTo(Duration.ofDays(7));
        assertThat(config.forApp(config.apps().get(2)).clientMaxOffline()).isEqualTo(Duration.ofDays(3));
    }

    @Test
    void shouldNameTheSettingWhenInvalid() throws Exception
    {
        assertThatThrownBy(() -> new ServerConfig(Map.of()).dataDir(dir).clientMaxOffline(Duration.ofSeconds(-1))
            .conclude()).hasMessageContaining(ServerConfig.CLIENT_MAX_OFFLINE_PROP);
        assertThatThrownBy(() -> serve(Map.of(), "--data-dir", dir.toString(), "--client-max-offline", "soon")
            .conclude()).hasMessageContaining(ServerConfig.CLIENT_MAX_OFFLINE_PROP);
        final Path file = dir.resolve("bad.yaml");
        Files.writeString(file, """
            data-dir: %s
            apps:
              - id: a
                client-max-offline: -5m
            """.formatted(dir.resolve("data")));
        assertThatThrownBy(() -> serve(Map.of(), "--config", file.toString()).conclude())
            .hasMessageContaining("client-max-offline");
    }
}
