package dev.outpost.server.cli;

import dev.outpost.server.config.ConfigException;
import dev.outpost.server.config.MirrorSettings;
import dev.outpost.server.config.ServerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code serve --mirror-postgres URL --mirror-schema NAME}: the flags win over the environment and are named in errors. */
class MirrorFlagsTest
{
    @TempDir
    Path dir;

    @Test
    void shouldTakeTheMirrorFlagsOverTheEnvironment()
    {
        final ServerConfig config = ServeFlags.serve(Map.of("OUTPOST_MIRROR_POSTGRES", "postgresql://env/d",
            "OUTPOST_MIRROR_SCHEMA", "from_env"), "--data-dir", dir.toString(), "--mirror-postgres",
            "postgresql://flag/d", "--mirror-schema", "flagged").conclude();
        assertThat(config.apps().get(0).mirror()).isEqualTo(new MirrorSettings("postgresql://flag/d", "flagged"));
    }

    @Test
    void shouldTakeTheResidentFilesFlagOverTheEnvironmentAndNameItInErrors()
    {
        assertThat(ServeFlags.serve(Map.of("OUTPOST_MIRROR_RESIDENT_FILES", "5"), "--data-dir", dir.toString(),
            "--mirror-resident-files", "9").conclude().mirrorResidentFiles()).isEqualTo(9);
        assertThatThrownBy(() -> ServeFlags.serve(Map.of(), "--data-dir", dir.toString(), "--mirror-resident-files",
            "0").conclude()).isInstanceOf(ConfigException.class).hasMessageContaining("--mirror-resident-files");
    }

    @Test
    void shouldTakeTheInboundFlagOverTheEnvironment()
    {
        final ServerConfig config = ServeFlags.serve(Map.of("OUTPOST_MIRROR_INBOUND", "true"), "--data-dir",
            dir.toString(), "--mirror-postgres", "postgresql://flag/d", "--mirror-inbound", "false").conclude();
        assertThat(config.apps().get(0).mirror().inbound()).isFalse();
        assertThat(ServeFlags.serve(Map.of(), "--data-dir", dir.toString(), "--mirror-postgres",
            "postgresql://flag/d").conclude().apps().get(0).mirror().inbound()).isTrue();
    }

    @Test
    void shouldNameTheFlagOfABadValue()
    {
        assertThatThrownBy(() -> ServeFlags.serve(Map.of(), "--data-dir", dir.toString(), "--mirror-postgres",
            "http://h/d").conclude()).isInstanceOf(ConfigException.class).hasMessageContaining("--mirror-postgres");
    }
}
