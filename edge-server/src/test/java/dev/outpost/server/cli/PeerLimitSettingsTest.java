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

/** The per-peer limits: {@code max-connections-per-ip}, {@code ws.bind-timeout}, {@code login.per-ip}. */
class PeerLimitSettingsTest
{
    @TempDir
    Path dir;

    @Test
    void shouldDefaultToNoPerAddressLimitsAndA30SecondBindDeadline()
    {
        final ServerConfig config = new ServerConfig(Map.of()).dataDir(dir).conclude();
        assertThat(config.maxConnectionsPerIp()).isZero();
        assertThat(config.loginsPerIp()).isZero();
        assertThat(config.wsBindTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.maxChangesetSize()).isEqualTo(16 << 20);
    }

    @Test
    void shouldApplyFlagsOverEnvironmentOverFile() throws Exception
    {
        final Path file = dir.resolve("outpost.yaml");
        Files.writeString(file, """
            data-dir: %s
            max-connections-per-ip: 100
            ws:
              bind-timeout: 10s
            login:
              per-ip: 60
            max-changeset-size: 1MiB
            """.formatted(dir.resolve("data")));
        final ServerConfig fromFile = serve(Map.of(), "--config", file.toString()).conclude();
        assertThat(fromFile.maxConnectionsPerIp()).isEqualTo(100);
        assertThat(fromFile.wsBindTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(fromFile.loginsPerIp()).isEqualTo(60);
        assertThat(fromFile.maxChangesetSize()).isEqualTo(1 << 20);

        final ServerConfig fromEnv = serve(Map.of("OUTPOST_MAX_CONNECTIONS_PER_IP", "200",
            "OUTPOST_WS_BIND_TIMEOUT", "20s", "OUTPOST_LOGIN_PER_IP", "120",
            "OUTPOST_MAX_CHANGESET_SIZE", "2MiB"), "--config", file.toString()).conclude();
        assertThat(fromEnv.maxConnectionsPerIp()).isEqualTo(200);
        assertThat(fromEnv.wsBindTimeout()).isEqualTo(Duration.ofSeconds(20));
        assertThat(fromEnv.loginsPerIp()).isEqualTo(120);
        assertThat(fromEnv.maxChangesetSize()).isEqualTo(2 << 20);

        final ServerConfig fromFlags = serve(Map.of("OUTPOST_MAX_CONNECTIONS_PER_IP", "200"), "--config",
            file.toString(), "--max-connections-per-ip", "300", "--bind-timeout", "5s", "--logins-per-ip", "30",
            "--max-changeset-size", "64KiB")
            .conclude();
        assertThat(fromFlags.maxConnectionsPerIp()).isEqualTo(300);
        assertThat(fromFlags.wsBindTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(fromFlags.loginsPerIp()).isEqualTo(30);
        assertThat(fromFlags.maxChangesetSize()).isEqualTo(64 << 10);
        final ServerConfig app = fromFlags.forApp(fromFlags.apps().get(0));
        assertThat(app.wsBindTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(app.maxConnectionsPerIp()).isEqualTo(300);
    }

    @Test
    void shouldNameTheBadSetting()
    {
        assertThatThrownBy(() -> new ServerConfig(Map.of()).dataDir(dir).maxConnectionsPerIp(-1).conclude())
            .hasMessageContaining(ServerConfig.MAX_CONNECTIONS_PER_IP_PROP);
        assertThatThrownBy(() -> new ServerConfig(Map.of()).dataDir(dir).loginsPerIp(-1).conclude())
            .hasMessageContaining(ServerConfig.LOGINS_PER_IP_PROP);
        assertThatThrownBy(() -> new ServerConfig(Map.of()).dataDir(dir).wsBindTimeout(Duration.ZERO).conclude())
            .hasMessageContaining(ServerConfig.WS_BIND_TIMEOUT_PROP);
        assertThatThrownBy(() -> new ServerConfig(Map.of()).dataDir(dir).maxChangesetSize(100).conclude())
            .hasMessageContaining(ServerConfig.MAX_CHANGESET_SIZE_PROP);
        assertThatThrownBy(() -> serve(Map.of(), "--bind-timeout", "soon").conclude())
            .hasMessageContaining(ServerConfig.WS_BIND_TIMEOUT_PROP);
    }
}
