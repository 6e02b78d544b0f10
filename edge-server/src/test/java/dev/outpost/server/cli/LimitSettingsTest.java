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

/** The hostile-input limits (partition length, sessions per connection, new server files, FLX query size). */
class LimitSettingsTest
{
    @TempDir
    Path dir;

    @Test
    void shouldDefaultToBoundedLimits()
    {
        final ServerConfig config = new ServerConfig(Map.of()).dataDir(dir).conclude();
        assertThat(config.partitionMaxBytes()).isEqualTo(1024);
        assertThat(config.maxSessionsPerConnection()).isEqualTo(1000);
        assertThat(config.newFilesPerUser()).isEqualTo(100);
        assertThat(config.newFilesPerApp()).isEqualTo(10_000);
        assertThat(config.maxFilesPerApp()).isZero();
        assertThat(config.flxQueryMaxBytes()).isEqualTo(1 << 20);
    }

    @Test
    void shouldApplyFlagsOverEnvironmentOverFile() throws Exception
    {
        final Path file = dir.resolve("outpost.yaml");
        Files.writeString(file, """
            data-dir: %s
            partition:
              max-bytes: 200
            max-sessions-per-connection: 10
            new-files:
              per-user: 5
              per-app: 50
            max-files-per-app: 500
            flx:
              query:
                max-bytes: 64KiB
            """.formatted(dir.resolve("data")));
        final ServerConfig fromFile = serve(Map.of(), "--config", file.toString()).conclude();
        assertThat(fromFile.partitionMaxBytes()).isEqualTo(200);
        assertThat(fromFile.maxSessionsPerConnection()).isEqualTo(10);
        assertThat(fromFile.newFilesPerUser()).isEqualTo(5);
        assertThat(fromFile.newFilesPerApp()).isEqualTo(50);
        assertThat(fromFile.maxFilesPerApp()).isEqualTo(500);
        assertThat(fromFile.flxQueryMaxBytes()).isEqualTo(64 << 10);

        final ServerConfig fromEnv = serve(Map.of("OUTPOST_PARTITION_MAX_BYTES", "300",
            "OUTPOST_MAX_SESSIONS_PER_CONNECTION", "20", "OUTPOST_NEW_FILES_PER_USER", "0",
            "OUTPOST_NEW_FILES_PER_APP", "60", "OUTPOST_MAX_FILES_PER_APP", "600",
            "OUTPOST_FLX_QUERY_MAX_BYTES", "2KiB"), "--config", file.toString()).conclude();
        assertThat(fromEnv.partitionMaxBytes()).isEqualTo(300);
        assertThat(fromEnv.maxSessionsPerConnection()).isEqualTo(20);
        assertThat(fromEnv.newFilesPerUser()).isZero();
        assertThat(fromEnv.newFilesPerApp()).isEqualTo(60);
        assertThat(fromEnv.maxFilesPerApp()).isEqualTo(600);
        assertThat(fromEnv.flxQueryMaxBytes()).isEqualTo(2 << 10);

        final ServerConfig fromFlags = serve(Map.of("OUTPOST_PARTITION_MAX_BYTES", "300"), "--config",
            file.toString(), "--partition-max-bytes", "400", "--max-sessions-per-connection", "30",
            "--new-files-per-user", "7", "--new-files-per-app", "70", "--max-files-per-app", "700",
            "--flx-query-max-bytes", "4KiB").conclude();
        assertThat(fromFlags.partitionMaxBytes()).isEqualTo(400);
        assertThat(fromFlags.maxSessionsPerConnection()).isEqualTo(30);
        assertThat(fromFlags.newFilesPerUser()).isEqualTo(7);
        assertThat(fromFlags.newFilesPerApp()).isEqualTo(70);
        assertThat(fromFlags.maxFilesPerApp()).isEqualTo(700);
        assertThat(fromFlags.flxQueryMaxBytes()).isEqualTo(4 << 10);
        final ServerConfig app = fromFlags.forApp(fromFlags.apps().get(0));
        assertThat(app.partitionMaxBytes()).isEqualTo(400);
        assertThat(app.newFilesPerUser()).isEqualTo(7);
    }

    @Test
    void shouldNameTheBadSetting()
    {
        assertThatThrownBy(() -> new ServerConfig(Map.of()).dataDir(dir).partitionMaxBytes(4000).conclude())
            .hasMessageContaining(ServerConfig.PARTITION_MAX_BYTES_PROP).hasMessageContaining("3900");
        assertThatThrownBy(() -> new ServerConfig(Map.of()).dataDir(dir).maxSessionsPerConnection(0).conclude())
            .hasMessageContaining(ServerConfig.MAX_SESSIONS_PER_CONNECTION_PROP);
        assertThatThrownBy(() -> new ServerConfig(Map.of()).dataDir(dir).newFilesPerUser(-1).conclude())
            .hasMessageContaining(ServerConfig.NEW_FILES_PER_USER_PROP);
        assertThatThrownBy(() -> new ServerConfig(Map.of()).dataDir(dir).newFilesPerApp(-1).conclude())
            .hasMessageContaining(ServerConfig.NEW_FILES_PER_APP_PROP);
        assertThatThrownBy(() -> new ServerConfig(Map.of()).dataDir(dir).maxFilesPerApp(-1).conclude())
            .hasMessageContaining(ServerConfig.MAX_FILES_PER_APP_PROP);
        assertThatThrownBy(() -> new ServerConfig(Map.of()).dataDir(dir).flxQueryMaxBytes(100).conclude())
            .hasMessageContaining(ServerConfig.FLX_QUERY_MAX_BYTES_PROP);
        assertThatThrownBy(() -> serve(Map.of(), "--new-files-per-user", "lots"))
            .isInstanceOf(Exception.class);
    }
}
