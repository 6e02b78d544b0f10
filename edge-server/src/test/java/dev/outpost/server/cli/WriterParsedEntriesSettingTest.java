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

/** {@code writer.parsed-entries}: parsed history entries each loaded server file keeps for merges. */
class WriterParsedEntriesSettingTest
{
    @TempDir
    Path dir;

    @Test
    void shouldApplyFlagOverEnvironmentOverFileOverDefault() throws Exception
    {
        assertThat(new ServerConfig(Map.of()).dataDir(dir).conclude().writerParsedEntries()).isEqualTo(256);
        final Path file = dir.resolve("outpost.yaml");
        Files.writeString(file, """
            data-dir: %s
            writer:
              parsed-entries: 64
            """.formatted(dir.resolve("data")));
        assertThat(serve(Map.of(), "--config", file.toString()).conclude().writerParsedEntries()).isEqualTo(64);
        assertThat(serve(Map.of("OUTPOST_WRITER_PARSED_ENTRIES", "0"), "--config", file.toString()).conclude()
            .writerParsedEntries()).isZero();
        final ServerConfig flags = serve(Map.of("OUTPOST_WRITER_PARSED_ENTRIES", "0"), "--config", file.toString(),
            "--writer-parsed-entries", "1024").conclude();
        assertThat(flags.writerParsedEntries()).isEqualTo(1024);
        assertThat(flags.forApp(flags.apps().get(0)).writerParsedEntries()).isEqualTo(1024);
    }

    @Test
    void shouldNameTheSettingWhenOutOfRange()
    {
        assertThatThrownBy(() -> new ServerConfig(Map.of("OUTPOST_WRITER_PARSED_ENTRIES", "all")))
            .isInstanceOf(ConfigException.class).hasMessageContaining(ServerConfig.WRITER_PARSED_ENTRIES_PROP);
        assertThatThrownBy(() -> new ServerConfig(Map.of()).dataDir(dir).writerParsedEntries(-1).conclude())
            .hasMessageContaining(ServerConfig.WRITER_PARSED_ENTRIES_PROP);
        assertThatThrownBy(() -> new ServerConfig(Map.of()).dataDir(dir).writerParsedEntries((1 << 16) + 1)
            .conclude()).hasMessageContaining(ServerConfig.WRITER_PARSED_ENTRIES_PROP);
    }
}
