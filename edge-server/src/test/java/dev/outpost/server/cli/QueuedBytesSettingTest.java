package dev.outpost.server.cli;

import dev.outpost.server.config.ConfigException;
import dev.outpost.server.config.ServerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static dev.outpost.server.cli.ServeFlags.serve;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code max-queued-bytes-per-connection}: default, config file, environment, flag, validation. */
class QueuedBytesSettingTest
{
    @TempDir
    Path dir;

    @Test
    void shouldDefaultToFourMebibytesAndApplyFlagsOverEnvironmentOverFile() throws Exception
    {
        assertThat(new ServerConfig(Map.of()).dataDir(dir).conclude().maxQueuedBytesPerConnection())
            .isEqualTo(4 << 20);
        final Path file = dir.resolve("outpost.yaml");
        Files.writeString(file, """
            data-dir: %s
            max-queued-bytes-per-connection: 8MiB
            """.formatted(dir.resolve("data")));
        final ServerConfig fromFile = serve(Map.of(), "--config", file.toString()).conclude();
        assertThat(fromFile.maxQueuedBytesPerConnection()).isEqualTo(8 << 20);
        assertThat(fromFile.forApp(fromFile.apps().get(0)).maxQueuedBytesPerConnection()).isEqualTo(8 << 20);

        final ServerConfig fromEnv = serve(Map.of("OUTPOST_MAX_QUEUED_BYTES_PER_CONNECTION", "2MiB"),
            "--config", file.toString()).conclude();
        assertThat(fromEnv.maxQueuedBytesPerConnection()).isEqualTo(2 << 20);

        final ServerConfig fromFlag = serve(Map.of("OUTPOST_MAX_QUEUED_BYTES_PER_CONNECTION", "2MiB"),
            "--config", file.toString(), "--max-queued-bytes-per-connection", "512KiB").conclude();
        assertThat(fromFlag.maxQueuedBytesPerConnection()).isEqualTo(512 << 10);
    }

    @Test
    void shouldNameTheSettingWhenTheBudgetIsTooSmallOrNotASize()
    {
        assertThatThrownBy(() -> new ServerConfig(Map.of()).dataDir(dir).maxQueuedBytesPerConnection(1000).conclude())
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining(ServerConfig.MAX_QUEUED_BYTES_PER_CONNECTION_PROP)
            .hasMessageContaining("256 KiB");
        assertThatThrownBy(() -> new ServerConfig(Map.of("OUTPOST_MAX_QUEUED_BYTES_PER_CONNECTION", "lots")))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining(ServerConfig.MAX_QUEUED_BYTES_PER_CONNECTION_PROP);
        assertThatThrownBy(() -> serve(Map.of(), "--max-queued-bytes-per-connection", "-1"))
            .hasMessageContaining(ServerConfig.MAX_QUEUED_BYTES_PER_CONNECTION_PROP);
    }
}
