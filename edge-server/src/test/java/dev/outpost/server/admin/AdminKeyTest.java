package dev.outpost.server.admin;

import dev.outpost.server.config.ConfigException;
import dev.outpost.server.config.ServerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AdminKeyTest
{
    @TempDir
    Path dir;

    @Test
    void shouldMakeAnOwnerOnlyKeyInTheDataDirectoryOnceAndKeepIt() throws Exception
    {
        final ServerConfig config = new ServerConfig(Map.of()).dataDir(dir).conclude();
        final AdminKey made = AdminKey.resolve(config);
        final Path file = dir.resolve(AdminKey.FILE_NAME);
        final String key = Files.readString(file).trim();
        assertThat(key).hasSizeGreaterThanOrEqualTo(ServerConfig.ADMIN_KEY_MIN_LENGTH);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(made.matches(key)).isTrue();
        assertThat(made.source()).contains(file.toString()).doesNotContain(key);
        assertThat(made.toString()).doesNotContain(key);
        assertThat(AdminKey.resolve(config).matches(key)).as("the same key at the next start").isTrue();
        assertThat(made.matches(key + "x")).isFalse();
        assertThat(made.matches(null)).isFalse();
    }

    @Test
    void shouldTakeTheConfiguredKeyOrKeyFile() throws Exception
    {
        final AdminKey given = AdminKey.resolve(new ServerConfig(Map.of("OUTPOST_ADMIN_KEY",
            "0123456789abcdef-key")).dataDir(dir).conclude());
        assertThat(given.matches("0123456789abcdef-key")).isTrue();
        assertThat(Files.exists(dir.resolve(AdminKey.FILE_NAME))).isFalse();

        final Path file = dir.resolve("key.txt");
        Files.writeString(file, "from-a-file-0123456789\n");
        assertThat(AdminKey.resolve(new ServerConfig(Map.of()).dataDir(dir).adminKeyFile(file).conclude())
            .matches("from-a-file-0123456789")).isTrue();
        Files.writeString(file, "short\n");
        assertThatThrownBy(() -> AdminKey.resolve(new ServerConfig(Map.of()).dataDir(dir).adminKeyFile(file)
            .conclude())).isInstanceOf(ConfigException.class).hasMessageContaining(ServerConfig.ADMIN_KEY_FILE_PROP)
            .hasMessageNotContaining("short");
    }

    @Test
    void shouldValidateTheAdminSettings()
    {
        assertThat(new ServerConfig(Map.of()).port(8000).adminPort()).isEqualTo(8001);
        assertThat(new ServerConfig(Map.of()).port(0).adminPort()).as("a free port with a free public port")
            .isZero();
        assertThat(new ServerConfig(Map.of("OUTPOST_ADMIN_PORT", "off")).dataDir(dir).conclude().adminEnabled())
            .isFalse();
        assertThatThrownBy(() -> new ServerConfig(Map.of("OUTPOST_ADMIN_KEY", "too short")).dataDir(dir).conclude())
            .isInstanceOf(ConfigException.class).hasMessageContaining(ServerConfig.ADMIN_KEY_PROP)
            .hasMessageNotContaining("too short");
        assertThatThrownBy(() -> new ServerConfig(Map.of()).dataDir(dir).port(9000).adminPort(9000).conclude())
            .isInstanceOf(ConfigException.class).hasMessageContaining(ServerConfig.ADMIN_PORT_PROP);
        assertThatThrownBy(() -> new ServerConfig(Map.of("OUTPOST_ADMIN_PORT", "70000")).dataDir(dir).conclude())
            .isInstanceOf(ConfigException.class).hasMessageContaining(ServerConfig.ADMIN_PORT_PROP);
        assertThatThrownBy(() -> new ServerConfig(Map.of()).dataDir(dir).port(65535).conclude())
            .isInstanceOf(ConfigException.class).hasMessageContaining(ServerConfig.ADMIN_PORT_PROP);
        assertThatThrownBy(() -> new ServerConfig(Map.of("OUTPOST_ADMIN_HOST", "bad host")).dataDir(dir).conclude())
            .isInstanceOf(ConfigException.class).hasMessageContaining(ServerConfig.ADMIN_HOST_PROP);
        assertThat(new ServerConfig(Map.of()).toString()).contains("admin=127.0.0.1:9091");
        assertThat(new ServerConfig(Map.of("OUTPOST_ADMIN_KEY", "0123456789abcdef-key")).toString())
            .doesNotContain("0123456789abcdef-key");
    }

    @Test
    void shouldMaskPasswordsInUrls()
    {
        assertThat(AdminApi.maskUrl("postgresql://user:secret@host:5432/db")).isEqualTo(
            "postgresql://user:********@host:5432/db");
        assertThat(AdminApi.maskUrl("jdbc:postgresql://host/db?user=u&password=secret&ssl=true"))
            .isEqualTo("jdbc:postgresql://host/db?user=u&password=********&ssl=true");
        assertThat(AdminApi.maskUrl("postgresql://host/db")).isEqualTo("postgresql://host/db");
    }
}
