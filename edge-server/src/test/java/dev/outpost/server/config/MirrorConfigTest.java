package dev.outpost.server.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The PostgreSQL mirror's settings: per app in a config file ({@code mirror: {postgres, schema}}), for the single
 * app from {@code mirror.postgres} / {@code mirror.schema}, {@code OUTPOST_MIRROR_POSTGRES} /
 * {@code OUTPOST_MIRROR_SCHEMA}; URL forms, validation naming the setting, and a password never shown.
 */
class MirrorConfigTest
{
    @TempDir
    Path dir;

    private ServerConfig load(final String text) throws Exception
    {
        final Path file = dir.resolve("outpost.yaml");
        Files.writeString(file, text);
        return new ServerConfig(file, Map.of()).dataDir(dir.resolve("data")).conclude();
    }

    @Test
    void shouldHaveNoMirrorByDefault()
    {
        assertThat(new ServerConfig(Map.of()).dataDir(dir).conclude().apps().get(0).mirror()).isNull();
    }

    @Test
    void shouldReadAMirrorPerAppFromTheConfigFile() throws Exception
    {
        final ServerConfig config = load("""
            apps:
              - id: shop
                mirror:
                  postgres: postgresql://shop:s3cr%40t@db.example:5433/shopdb?sslmode=require
                  schema: shop_data
              - id: blog
                mirror:
                  postgres: jdbc:postgresql://db.example/blog
              - id: plain
            """);
        final MirrorSettings shop = config.apps().get(0).mirror();
        assertThat(shop.schema()).isEqualTo("shop_data");
        assertThat(shop.jdbcUrl()).isEqualTo("jdbc:postgresql://db.example:5433/shopdb?sslmode=require");
        assertThat(shop.properties()).containsEntry("user", "shop").containsEntry("password", "s3cr@t");
        assertThat(config.apps().get(1).mirror().schema()).isEqualTo(MirrorSettings.SCHEMA_DEFAULT);
        assertThat(config.apps().get(1).mirror().properties()).isEmpty();
        assertThat(config.apps().get(2).mirror()).isNull();
    }

    @Test
    void shouldTakeTheSingleAppsMirrorFromTheEnvironmentAndTheTopLevelKeys() throws Exception
    {
        final ServerConfig env = new ServerConfig(Map.of("OUTPOST_MIRROR_POSTGRES", "postgres://u:pw@h/d",
            "OUTPOST_MIRROR_SCHEMA", "mirror1")).dataDir(dir).conclude();
        assertThat(env.apps().get(0).mirror()).isEqualTo(new MirrorSettings("postgres://u:pw@h/d", "mirror1"));
        final ServerConfig file = load("mirror:\n  postgres: postgresql://h/d\n");
        assertThat(file.apps().get(0).mirror().jdbcUrl()).isEqualTo("jdbc:postgresql://h/d");
        assertThat(file.apps().get(0).mirror().schema()).isEqualTo("outpost");
    }

    @Test
    void shouldNameTheSettingThatIsWrong() throws Exception
    {
        assertThatThrownBy(() -> new ServerConfig(Map.of("OUTPOST_MIRROR_POSTGRES", "mysql://h/d")).dataDir(dir)
            .conclude()).isInstanceOf(ConfigException.class).hasMessageContaining(ServerConfig.MIRROR_POSTGRES_PROP)
            .hasMessageContaining("not a PostgreSQL URL");
        assertThatThrownBy(() -> new ServerConfig(Map.of("OUTPOST_MIRROR_POSTGRES", "postgresql://h/d",
            "OUTPOST_MIRROR_SCHEMA", "bad-name")).dataDir(dir).conclude())
            .isInstanceOf(ConfigException.class).hasMessageContaining(ServerConfig.MIRROR_SCHEMA_PROP);
        assertThatThrownBy(() -> new ServerConfig(Map.of("OUTPOST_MIRROR_SCHEMA", "s")).dataDir(dir).conclude())
            .isInstanceOf(ConfigException.class).hasMessageContaining("needs " + ServerConfig.MIRROR_POSTGRES_PROP);
        assertThatThrownBy(() -> load("apps:\n  - id: a\n    mirror:\n      postgre: postgresql://h/d\n"))
            .isInstanceOf(ConfigException.class).hasMessageContaining("apps[0].mirror.postgre")
            .hasMessageContaining("mirror {postgres, schema, inbound}");
        final Path file = dir.resolve("both.yaml");
        Files.writeString(file, "mirror:\n  postgres: postgresql://h/d\napps:\n  - id: a\n");
        assertThatThrownBy(() -> new ServerConfig(file, Map.of()).dataDir(dir).conclude())
            .isInstanceOf(ConfigException.class).hasMessageContaining("give each app its own");
    }

    @Test
    void shouldReadTheResidentFilesOfEveryAppsMirrorAndRefuseLessThanOne() throws Exception
    {
        assertThat(new ServerConfig(Map.of()).dataDir(dir).conclude().mirrorResidentFiles())
            .isEqualTo(ServerConfig.MIRROR_RESIDENT_FILES_DEFAULT);
        final ServerConfig file = load("mirror:\n  resident-files: 50\napps:\n  - id: a\n    mirror:\n" +
            "      postgres: postgresql://h/d\n");
        assertThat(file.mirrorResidentFiles()).isEqualTo(50);
        assertThat(file.forApp(file.apps().get(0)).mirrorResidentFiles()).isEqualTo(50);
        assertThat(new ServerConfig(Map.of("OUTPOST_MIRROR_RESIDENT_FILES", "7")).dataDir(dir).conclude()
            .mirrorResidentFiles()).isEqualTo(7);
        assertThatThrownBy(() -> new ServerConfig(Map.of("OUTPOST_MIRROR_RESIDENT_FILES", "0")).dataDir(dir)
            .conclude()).isInstanceOf(ConfigException.class)
            .hasMessageContaining(ServerConfig.MIRROR_RESIDENT_FILES_PROP).hasMessageContaining("at least 1");
    }

    @Test
    void shouldTurnTheInboundPathOnByDefaultAndOffWhenSaid() throws Exception
    {
        final ServerConfig config = load("""
            apps:
              - id: on
                mirror:
                  postgres: postgresql://h/d
              - id: off
                mirror:
                  postgres: postgresql://h/d
                  inbound: false
            """);
        assertThat(config.apps().get(0).mirror().inbound()).isTrue();
        assertThat(config.apps().get(1).mirror().inbound()).isFalse();
        final ServerConfig env = new ServerConfig(Map.of("OUTPOST_MIRROR_POSTGRES", "postgresql://h/d",
            "OUTPOST_MIRROR_INBOUND", "off")).dataDir(dir).conclude();
        assertThat(env.apps().get(0).mirror()).isEqualTo(new MirrorSettings("postgresql://h/d", null, false));
        assertThat(load("mirror:\n  postgres: postgresql://h/d\n  inbound: false\n").apps().get(0).mirror().inbound())
            .isFalse();
        assertThatThrownBy(() -> new ServerConfig(Map.of("OUTPOST_MIRROR_POSTGRES", "postgresql://h/d",
            "OUTPOST_MIRROR_INBOUND", "sometimes")).dataDir(dir).conclude()).isInstanceOf(ConfigException.class)
            .hasMessageContaining(ServerConfig.MIRROR_INBOUND_PROP);
        assertThatThrownBy(() -> new ServerConfig(Map.of("OUTPOST_MIRROR_INBOUND", "true")).dataDir(dir).conclude())
            .isInstanceOf(ConfigException.class).hasMessageContaining(ServerConfig.MIRROR_INBOUND_PROP)
            .hasMessageContaining("needs " + ServerConfig.MIRROR_POSTGRES_PROP);
    }

    @Test
    void shouldNeverShowThePassword() throws Exception
    {
        final MirrorSettings uri = new MirrorSettings("postgresql://u:topsecret@h:5432/d", null);
        final MirrorSettings jdbc = new MirrorSettings("jdbc:postgresql://h/d?user=u&password=topsecret&ssl=true",
            null);
        assertThat(uri.toString()).doesNotContain("topsecret").contains("u:***@h");
        assertThat(jdbc.redactedUrl()).isEqualTo("jdbc:postgresql://h/d?user=u&password=***&ssl=true");
        final ServerConfig config = new ServerConfig(Map.of("OUTPOST_MIRROR_POSTGRES",
            "postgresql://u:topsecret@h/d")).dataDir(dir).conclude();
        assertThat(config.toString()).doesNotContain("topsecret");
        assertThatThrownBy(() -> new MirrorSettings("postgresql://u:topsecret@/d", null))
            .hasMessageNotContaining("topsecret");
    }
}
