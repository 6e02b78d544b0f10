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

/** The setting {@code flx.view-log-entries}: default, file, environment, flag, validation, per-app copy. */
class FlxViewLogSettingTest
{
    @TempDir
    Path dir;

    @Test
    void shouldDefaultTo4096AndApplyFlagsOverEnvironmentOverFile() throws Exception
    {
        assertThat(new ServerConfig(Map.of()).dataDir(dir).conclude().flxViewLogEntries()).isEqualTo(4096);
        final Path file = dir.resolve("outpost.yaml");
        Files.writeString(file, """
            data-dir: %s
            flx:
              view-log-entries: 100
            """.formatted(dir.resolve("data")));
        final ServerConfig fromFile = serve(Map.of(), "--config", file.toString()).conclude();
        assertThat(fromFile.flxViewLogEntries()).isEqualTo(100);
        final ServerConfig fromEnv = serve(Map.of("OUTPOST_FLX_VIEW_LOG_ENTRIES", "200"), "--config",
            file.toString()).conclude();
        assertThat(fromEnv.flxViewLogEntries()).isEqualTo(200);
        final ServerConfig fromFlag = serve(Map.of("OUTPOST_FLX_VIEW_LOG_ENTRIES", "200"), "--config",
            file.toString(), "--flx-view-log-entries", "300").conclude();
        assertThat(fromFlag.flxViewLogEntries()).isEqualTo(300);
        assertThat(fromFlag.forApp(fromFlag.apps().get(0)).flxViewLogEntries()).isEqualTo(300);
    }

    @Test
    void shouldNameTheSettingWhenOutOfRange()
    {
        assertThatThrownBy(() -> new ServerConfig(Map.of()).dataDir(dir).flxViewLogEntries(0).conclude())
            .hasMessageContaining(ServerConfig.FLX_VIEW_LOG_ENTRIES_PROP);
        assertThatThrownBy(() -> new ServerConfig(Map.of()).dataDir(dir).flxViewLogEntries((1 << 20) + 1).conclude())
            .hasMessageContaining(ServerConfig.FLX_VIEW_LOG_ENTRIES_PROP);
    }
}
