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

/** {@code download.shared-entries}: recent entries each server file keeps encoded once for all its sessions. */
class SharedEntriesSettingTest
{
    @TempDir
    Path dir;

    @Test
    void shouldApplyFlagOverEnvironmentOverFileOverDefault() throws Exception
    {
        assertThat(new ServerConfig(Map.of()).dataDir(dir).conclude().downloadSharedEntries()).isEqualTo(256);
        final Path file = dir.resolve("outpost.yaml");
        Files.writeString(file, """
            data-dir: %s
            download:
              shared-entries: 64
            """.formatted(dir.resolve("data")));
        assertThat(serve(Map.of(), "--config", file.toString()).conclude().downloadSharedEntries()).isEqualTo(64);
        assertThat(serve(Map.of("OUTPOST_DOWNLOAD_SHARED_ENTRIES", "0"), "--config", file.toString()).conclude()
            .downloadSharedEntries()).isZero();
        final ServerConfig flags = serve(Map.of("OUTPOST_DOWNLOAD_SHARED_ENTRIES", "0"), "--config", file.toString(),
            "--download-shared-entries", "1024").conclude();
        assertThat(flags.downloadSharedEntries()).isEqualTo(1024);
        assertThat(flags.forApp(flags.apps().get(0)).downloadSharedEntries()).isEqualTo(1024);
    }

    @Test
    void shouldNameTheSettingWhenOutOfRange()
    {
        assertThatThrownBy(() -> new ServerConfig(Map.of("OUTPOST_DOWNLOAD_SHARED_ENTRIES", "all")))
            .isInstanceOf(ConfigException.class).hasMessageContaining(ServerConfig.DOWNLOAD_SHARED_ENTRIES_PROP);
        assertThatThrownBy(() -> new ServerConfig(Map.of()).dataDir(dir).downloadSharedEntries(-1).conclude())
            .hasMessageContaining(ServerConfig.DOWNLOAD_SHARED_ENTRIES_PROP);
        assertThatThrownBy(() -> new ServerConfig(Map.of()).dataDir(dir).downloadSharedEntries((1 << 16) + 1)
            .conclude()).hasMessageContaining(ServerConfig.DOWNLOAD_SHARED_ENTRIES_PROP);
    }
}
