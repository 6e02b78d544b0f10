package dev.outpost.server.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Per-app auth providers from a config file (YAML and JSON): defaults, every setting, and errors naming the file,
 * the key and what is wrong.
 */
class AppAuthConfigTest
{
    private static final String SECRET = "0123456789abcdef0123456789abcdef";

    @TempDir
    Path dir;

    private ServerConfig load(final String name, final String text) throws Exception
    {
        final Path file = dir.resolve(name);
        Files.writeString(file, text);
        return new ServerConfig(file, Map.of()).dataDir(dir.resolve("data")).conclude();
    }

    @Test
    void shouldReadEveryProviderFromYaml() throws Exception
    {
        final Path pem = dir.resolve("pub.pem");
        Files.writeString(pem, "-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----\n");
        final ServerConfig config = load("a.yaml", """
            apps:
              - id: shop
                auth:
                  anon-user: false
                  local-userpass:
                    iterations: 20000
                    max-failed-logins: 3
                    lockout: 2m
                  custom-token:
                    secret: %s
                    audience: shop-api
                    metadata-fields: [name, email]
                  api-key: true
              - id: blog
                auth:
                  local-userpass: true
                  custom-token:
                    public-key: %s
              - id: plain
            """.formatted(SECRET, pem));
        final AppConfig shop = config.apps().get(0);
        assertThat(shop.providerEnabled("anon-user")).isFalse();
        assertThat(shop.userPass()).isEqualTo(new AppConfig.UserPass(20_000, 3, Duration.ofMinutes(2)));
        assertThat(shop.customToken().algorithm()).isEqualTo(JwtAlgorithm.HS256);
        assertThat(shop.customToken().key()).isEqualTo(SECRET);
        assertThat(shop.customToken().audience()).isEqualTo("shop-api");
        assertThat(shop.customToken().metadataFields()).containsExactly("name", "email");
        assertThat(shop.customToken().toString()).doesNotContain(SECRET);
        assertThat(shop.apiKeys()).isTrue();
        assertThat(shop.providerEnabled("local-userpass") && shop.providerEnabled("custom-token") &&
            shop.providerEnabled("api-key")).isTrue();

        final AppConfig blog = config.apps().get(1);
        assertThat(blog.userPass()).isEqualTo(AppConfig.UserPass.defaults());
        assertThat(blog.customToken().algorithm()).isEqualTo(JwtAlgorithm.RS256);
        assertThat(blog.providerEnabled("anon-user")).isTrue();
        assertThat(blog.providerEnabled("api-key")).isFalse();

        final AppConfig plain = config.apps().get(2);
        assertThat(plain.providerEnabled("local-userpass") || plain.providerEnabled("custom-token") ||
            plain.providerEnabled("api-key") || plain.providerEnabled("oauth2-google")).isFalse();
    }

    @Test
    void shouldReadJsonAndASecretFile() throws Exception
    {
        final Path secret = dir.resolve("secret.txt");
        Files.writeString(secret, SECRET + "\n");
        final ServerConfig config = load("a.json", "{\"apps\":[{\"id\":\"j\",\"auth\":{\"local-userpass\":" +
            "{\"enabled\":true},\"custom-token\":{\"algorithm\":\"hs256\",\"secret-file\":\"" + secret +
            "\"},\"api-key\":{\"enabled\":true}}}]}");
        final AppConfig app = config.apps().get(0);
        assertThat(app.userPass()).isNotNull();
        assertThat(app.customToken().key()).isEqualTo(SECRET);
        assertThat(app.apiKeys()).isTrue();
    }

    @Test
    void shouldNameTheKeyOfABadSetting()
    {
        assertThatThrownBy(() -> load("b1.yaml",
            "apps:\n  - id: a\n    auth:\n      local-userpass:\n        iterations: 5\n"))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("b1.yaml").hasMessageContaining("key apps[0].auth.local-userpass.iterations")
            .hasMessageContaining("10000..10000000");
        assertThatThrownBy(() -> load("b2.yaml",
            "apps:\n  - id: a\n    auth:\n      local-userpass:\n        lockout: forever\n"))
            .hasMessageContaining("key apps[0].auth.local-userpass.lockout").hasMessageContaining("not a duration");
        assertThatThrownBy(() -> load("b3.yaml",
            "apps:\n  - id: a\n    auth:\n      custom-token:\n        secret: short\n"))
            .hasMessageContaining("key apps[0].auth.custom-token.secret").hasMessageContaining("at least 32 bytes");
        assertThatThrownBy(() -> load("b4.yaml",
            "apps:\n  - id: a\n    auth:\n      custom-token:\n        algorithm: ES256\n        secret: " + SECRET +
                "\n"))
            .hasMessageContaining("key apps[0].auth.custom-token.algorithm").hasMessageContaining("HS256 or RS256");
        assertThatThrownBy(() -> load("b5.yaml",
            "apps:\n  - id: a\n    auth:\n      custom-token:\n        public-key: " + dir.resolve("missing.pem") +
                "\n"))
            .hasMessageContaining("key apps[0].auth.custom-token.public-key").hasMessageContaining("cannot read");
        assertThatThrownBy(() -> load("b6.yaml",
            "apps:\n  - id: a\n    auth:\n      custom-token:\n        algorithm: RS256\n"))
            .hasMessageContaining("key apps[0].auth.custom-token.algorithm").hasMessageContaining("public-key");
        assertThatThrownBy(() -> load("b7.yaml", "apps:\n  - id: a\n    auth:\n      api-key: maybe\n"))
            .hasMessageContaining("key apps[0].auth.api-key").hasMessageContaining("not true or false");
        assertThatThrownBy(() -> load("b8.yaml",
            "apps:\n  - id: a\n    auth:\n      local-userpass:\n        confirm-email: true\n"))
            .hasMessageContaining("key apps[0].auth.local-userpass.confirm-email")
            .hasMessageContaining("unsupported auth provider or setting");
        assertThatThrownBy(() -> load("b9.yaml",
            "apps:\n  - id: a\n    auth:\n      local-userpass:\n        max-failed-logins: 0\n"))
            .hasMessageContaining("key apps[0].auth.local-userpass.max-failed-logins").hasMessageContaining("1..1000");
    }
}
