package dev.outpost.server.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ServerConfigTest
{
    @TempDir
    Path dir;

    @Test
    void shouldHaveDocumentedDefaults()
    {
        final ServerConfig config = new ServerConfig(Map.of()).dataDir(dir).conclude();

        assertThat(config.host()).isEqualTo("127.0.0.1");
        assertThat(config.idleTimeout()).isEqualTo(Duration.ofMinutes(10));
        assertThat(config.accessTokenTtl()).isEqualTo(Duration.ofMinutes(30));
        assertThat(config.refreshTokenTtl()).isEqualTo(Duration.ofDays(60));
        assertThat(config.jwtAlgorithm()).isEqualTo(JwtAlgorithm.HS256);
        assertThat(config.maxDownloadSize()).isEqualTo(16 * 1024 * 1024);
        assertThat(config.compressionThreshold()).isEqualTo(1024);
        assertThat(config.maxMessageSize()).isGreaterThan(config.maxDownloadSize());
    }

    @Test
    void shouldTakeSettingsFromTheEnvironment()
    {
        final ServerConfig config = new ServerConfig(Map.of(
            "OUTPOST_PORT", "7000", "OUTPOST_APP_ID", "my-app", "OUTPOST_IDLE_TIMEOUT", "90s",
            "OUTPOST_MAX_DOWNLOAD_SIZE", "8MiB", "OUTPOST_JWT_ALGORITHM", "hs256")).dataDir(dir).conclude();

        assertThat(config.port()).isEqualTo(7000);
        assertThat(config.appId()).isEqualTo("my-app");
        assertThat(config.idleTimeout()).isEqualTo(Duration.ofSeconds(90));
        assertThat(config.maxDownloadSize()).isEqualTo(8 * 1024 * 1024);
    }

    @Test
    void shouldNameTheSettingThatDoesNotParse()
    {
        assertThatThrownBy(() -> new ServerConfig(Map.of("OUTPOST_PORT", "ninety")))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("outpost.port")
            .hasMessageContaining("ninety");
        assertThatThrownBy(() -> new ServerConfig(Map.of("OUTPOST_ACCESS_TOKEN_TTL", "soon")))
            .hasMessageContaining("outpost.access.token.ttl");
        assertThatThrownBy(() -> new ServerConfig(Map.of("OUTPOST_JWT_ALGORITHM", "none")))
            .hasMessageContaining("outpost.jwt.algorithm");
    }

    @Test
    void shouldNameTheSettingThatIsOutOfRange()
    {
        assertThatThrownBy(() -> new ServerConfig(Map.of()).dataDir(dir).port(70000).conclude())
            .isInstanceOf(ConfigException.class)
            .satisfies(ex -> assertThat(((ConfigException)ex).setting()).isEqualTo(ServerConfig.PORT_PROP));
        assertThatThrownBy(() -> new ServerConfig(Map.of()).dataDir(dir).appId("bad app/id").conclude())
            .hasMessageContaining(ServerConfig.APP_ID_PROP);
        assertThatThrownBy(() -> new ServerConfig(Map.of()).dataDir(dir).idleTimeout(Duration.ZERO).conclude())
            .hasMessageContaining(ServerConfig.IDLE_TIMEOUT_PROP);
        assertThatThrownBy(() -> new ServerConfig(Map.of()).dataDir(dir)
            .accessTokenTtl(Duration.ofDays(2)).refreshTokenTtl(Duration.ofDays(1)).conclude())
            .hasMessageContaining(ServerConfig.REFRESH_TOKEN_TTL_PROP);
        assertThatThrownBy(() -> new ServerConfig(Map.of()).dataDir(dir).maxDownloadSize(100).conclude())
            .hasMessageContaining(ServerConfig.MAX_DOWNLOAD_SIZE_PROP);
        assertThatThrownBy(() -> new ServerConfig(Map.of()).dataDir(dir).maxMessageSize(16 * 1024 * 1024).conclude())
            .hasMessageContaining(ServerConfig.MAX_MESSAGE_SIZE_PROP);
        assertThatThrownBy(() -> new ServerConfig(Map.of()).dataDir(dir).host("bad host").conclude())
            .hasMessageContaining(ServerConfig.HOST_PROP);
    }

    @Test
    void shouldRequireKeyFilesForRs256()
    {
        assertThatThrownBy(() -> new ServerConfig(Map.of()).dataDir(dir).jwtAlgorithm(JwtAlgorithm.RS256).conclude())
            .hasMessageContaining(ServerConfig.JWT_PRIVATE_KEY_PROP);
    }

    @Test
    void shouldRefuseADataDirThatIsAFile() throws Exception
    {
        final Path file = java.nio.file.Files.createFile(dir.resolve("file"));

        assertThatThrownBy(() -> new ServerConfig(Map.of()).dataDir(file).conclude())
            .hasMessageContaining(ServerConfig.DATA_DIR_PROP);
    }

    @Test
    void shouldParseDurationsAndSizes()
    {
        assertThat(ServerConfig.parseDuration("x", "500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(ServerConfig.parseDuration("x", "10m")).isEqualTo(Duration.ofMinutes(10));
        assertThat(ServerConfig.parseDuration("x", "60d")).isEqualTo(Duration.ofDays(60));
        assertThat(ServerConfig.parseDuration("x", "45")).isEqualTo(Duration.ofSeconds(45));
        assertThat(ServerConfig.parseDuration("x", "PT2H")).isEqualTo(Duration.ofHours(2));
        assertThat(ServerConfig.parseSize("x", "16MiB")).isEqualTo(16 * 1024 * 1024);
        assertThat(ServerConfig.parseSize("x", "64k")).isEqualTo(64 * 1024);
        assertThat(ServerConfig.parseSize("x", "1024")).isEqualTo(1024);
        assertThatThrownBy(() -> ServerConfig.parseSize("outpost.x", "3GiB")).hasMessageContaining("outpost.x");
        assertThatThrownBy(() -> ServerConfig.parseDuration("outpost.y", "-5s")).hasMessageContaining("outpost.y");
    }

    @Test
    void shouldTakeAPublicUrlFromTheEnvironmentNormaliseItAndRefuseOneThatIsNotAnAbsoluteHttpUrl()
    {
        assertThat(new ServerConfig(Map.of()).dataDir(dir).conclude().publicUrl()).isNull();
        assertThat(new ServerConfig(Map.of("OUTPOST_PUBLIC_URL", "HTTPS://Sync.example.com/")).dataDir(dir)
            .conclude().publicUrl()).isEqualTo("https://Sync.example.com");
        assertThat(new ServerConfig(Map.of()).dataDir(dir).publicUrl("http://[::1]:8080/outpost//").conclude()
            .publicUrl()).isEqualTo("http://[::1]:8080/outpost");
        for (final String bad : new String[]{"sync.example.com", "ftp://sync.example.com", "https://",
            "https://sync.example.com/?a=1", "https://sync.example.com/#x", "https://user@sync.example.com",
            "mailto:ops@example.com", "https://exa mple.com"})
        {
            assertThatThrownBy(() -> new ServerConfig(Map.of("OUTPOST_PUBLIC_URL", bad)).dataDir(dir).conclude())
                .as(bad).isInstanceOf(ConfigException.class)
                .hasMessageContaining("invalid setting '" + ServerConfig.PUBLIC_URL_PROP + "'")
                .hasMessageContaining("environment variable OUTPOST_PUBLIC_URL");
        }
    }
}
