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

/** The state-checkpoint.min-versions setting: default, config file, environment, flag, validation. */
class StateCheckpointSettingTest
{
    @TempDir
    Path dir;

    @Test
    void shouldDefaultToAThousandVersions()
    {
        assertThat(new ServerConfig(Map.of()).dataDir(dir).conclude().stateCheckpointMinVersions()).isEqualTo(1000);
    }

    @Test
    void shouldApplyFlagOverEnvironmentOverFile() throws Exception
    {
        final Path file = dir.resolve("outpost.yaml");
        Files.writeString(file, """
            data-dir: %s
            state-checkpoint:
              min-versions: 50
            """.formatted(dir.resolve("data")));
        final ServerConfig fromFile = serve(Map.of(), "--config", file.toString()).conclude();
        assertThat(fromFile.stateCheckpointMinVersions()).isEqualTo(50);
        final ServerConfig fromEnv = serve(Map.of("OUTPOST_STATE_CHECKPOINT_MIN_VERSIONS", "0"), "--config",
            file.toString()).conclude();
        assertThat(fromEnv.stateCheckpointMinVersions()).isZero();
        final ServerConfig fromFlag = serve(Map.of("OUTPOST_STATE_CHECKPOINT_MIN_VERSIONS", "0"), "--config",
            file.toString(), "--state-checkpoint-min-versions", "7").conclude();
        assertThat(fromFlag.stateCheckpointMinVersions()).isEqualTo(7);
        assertThat(fromFlag.forApp(fromFlag.apps().get(0)).stateCheckpointMinVersions()).isEqualTo(7);
    }

    @Test
    void shouldNameTheBadSetting()
    {
        assertThatThrownBy(() -> new ServerConfig(Map.of()).dataDir(dir).stateCheckpointMinVersions(-1).conclude())
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining(ServerConfig.STATE_CHECKPOINT_MIN_VERSIONS_PROP);
        assertThatThrownBy(() -> new ServerConfig(Map.of("OUTPOST_STATE_CHECKPOINT_MIN_VERSIONS", "many")))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining(ServerConfig.STATE_CHECKPOINT_MIN_VERSIONS_PROP);
    }
}
