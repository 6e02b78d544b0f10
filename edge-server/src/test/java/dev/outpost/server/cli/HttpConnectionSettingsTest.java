package dev.outpost.server.cli;

import dev.outpost.server.config.ConfigException;
import dev.outpost.server.config.ServerConfig;
import dev.outpost.server.http.HttpConnectionGuard;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static dev.outpost.server.cli.ServeFlags.serve;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The HTTP connection timeouts and the connection cap: defaults, config file, environment, flags, validation. */
class HttpConnectionSettingsTest
{
    @TempDir
    Path dir;

    @Test
    void shouldDefaultToSaneTimeoutsAndADerivedCap()
    {
        final ServerConfig config = new ServerConfig(Map.of()).dataDir(dir).conclude();
        assertThat(config.httpIdleTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(config.httpHeaderTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.httpBodyTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.maxConnections()).isEqualTo(ServerConfig.MAX_CONNECTIONS_AUTO);
    }

    @Test
    void shouldDeriveTheCapFromTheDescriptorLimit()
    {
        assertThat(HttpConnectionGuard.maxConnections(0, 20_000)).isEqualTo(18_000);
        assertThat(HttpConnectionGuard.maxConnections(0, 1024)).isEqualTo(768);
        assertThat(HttpConnectionGuard.maxConnections(0, 100)).isEqualTo(HttpConnectionGuard.DERIVED_MIN);
        assertThat(HttpConnectionGuard.maxConnections(500, 20_000)).isEqualTo(500);
        assertThat(HttpConnectionGuard.maxConnections(0, -1)).isGreaterThan(1_000_000);
        // The configured cap plus the overflow slots stay below the limit with the default reserve.
        assertThat(HttpConnectionGuard.maxConnections(0, 4096) + HttpConnectionGuard.OVERFLOW_SLOTS)
            .isLessThan(4096 - 200);
    }

    @Test
    void shouldApplyFlagsOverEnvironmentOverFile() throws Exception
    {
        final Path file = dir.resolve("outpost.yaml");
        Files.writeString(file, """
            data-dir: %s
            max-connections: 100
            http:
              idle-timeout: 5s
              header-timeout: 2s
              body-timeout: 3s
            """.formatted(dir.resolve("data")));
        final ServerConfig fromFile = serve(Map.of(), "--config", file.toString()).conclude();
        assertThat(fromFile.httpIdleTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(fromFile.httpHeaderTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(fromFile.httpBodyTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(fromFile.maxConnections()).isEqualTo(100);

        final ServerConfig fromEnv = serve(Map.of("OUTPOST_HTTP_IDLE_TIMEOUT", "6s", "OUTPOST_HTTP_HEADER_TIMEOUT",
            "7s", "OUTPOST_HTTP_BODY_TIMEOUT", "8s", "OUTPOST_MAX_CONNECTIONS", "200"), "--config", file.toString())
            .conclude();
        assertThat(fromEnv.httpIdleTimeout()).isEqualTo(Duration.ofSeconds(6));
        assertThat(fromEnv.httpHeaderTimeout()).isEqualTo(Duration.ofSeconds(7));
        assertThat(fromEnv.httpBodyTimeout()).isEqualTo(Duration.ofSeconds(8));
        assertThat(fromEnv.maxConnections()).isEqualTo(200);

        final ServerConfig fromFlags = serve(Map.of("OUTPOST_MAX_CONNECTIONS", "200"), "--config", file.toString(),
            "--http-idle-timeout", "9s", "--http-header-timeout", "500ms", "--http-body-timeout", "1m",
            "--max-connections", "300").conclude();
        assertThat(fromFlags.httpIdleTimeout()).isEqualTo(Duration.ofSeconds(9));
        assertThat(fromFlags.httpHeaderTimeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(fromFlags.httpBodyTimeout()).isEqualTo(Duration.ofMinutes(1));
        assertThat(fromFlags.maxConnections()).isEqualTo(300);
        final ServerConfig app = fromFlags.forApp(fromFlags.apps().get(0));
        assertThat(app.httpIdleTimeout()).isEqualTo(Duration.ofSeconds(9));
        assertThat(app.maxConnections()).isEqualTo(300);
    }

    @Test
    void shouldNameTheBadSetting()
    {
        assertThatThrownBy(() -> new ServerConfig(Map.of("OUTPOST_HTTP_IDLE_TIMEOUT", "soon")))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining(ServerConfig.HTTP_IDLE_TIMEOUT_PROP);
        assertThatThrownBy(() -> serve(Map.of(), "--http-header-timeout", "0s").conclude())
            .hasMessageContaining(ServerConfig.HTTP_HEADER_TIMEOUT_PROP)
            .hasMessageContaining("--http-header-timeout");
        assertThatThrownBy(() -> new ServerConfig(Map.of()).dataDir(dir).httpBodyTimeout(Duration.ZERO).conclude())
            .hasMessageContaining(ServerConfig.HTTP_BODY_TIMEOUT_PROP);
        assertThatThrownBy(() -> new ServerConfig(Map.of()).dataDir(dir).maxConnections(-1).conclude())
            .hasMessageContaining(ServerConfig.MAX_CONNECTIONS_PROP);
    }
}
