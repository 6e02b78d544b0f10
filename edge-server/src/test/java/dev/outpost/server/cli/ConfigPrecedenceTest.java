package dev.outpost.server.cli;

import dev.outpost.server.config.AppConfig;
import dev.outpost.server.config.ConfigException;
import dev.outpost.server.config.ServerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigPrecedenceTest
{
    @TempDir
    Path dir;

    private ServerConfig serve(final Map<String, String> env, final String... args)
    {
        final String[] all = new String[args.length + 1];
        all[0] = "serve";
        System.arraycopy(args, 0, all, 1, args.length);
        final CommandLine.ParseResult parsed = OutpostMain.commandLine().parseArgs(all);
        return ((ServeCommand)parsed.subcommand().commandSpec().userObject()).toConfig(env);
    }

    private Path yaml(final String text) throws Exception
    {
        final Path file = dir.resolve("outpost.yaml");
        Files.writeString(file, text);
        return file;
    }

    @Test
    void shouldApplyFlagsOverEnvironmentOverFileOverDefaults() throws Exception
    {
        final Path file = yaml("""
            port: 7001
            idle-timeout: 2m
            access-token-ttl: 5m
            data-dir: %s
            """.formatted(dir.resolve("data")));

        final ServerConfig config = serve(Map.of("OUTPOST_PORT", "7002", "OUTPOST_IDLE_TIMEOUT", "3m"),
            "--config", file.toString(), "--port", "7003").conclude();

        assertThat(config.port()).as("flag beats env and file").isEqualTo(7003);
        assertThat(config.idleTimeout()).as("env beats file").isEqualTo(Duration.ofMinutes(3));
        assertThat(config.accessTokenTtl()).as("file beats default").isEqualTo(Duration.ofMinutes(5));
        assertThat(config.refreshTokenTtl()).as("default").isEqualTo(ServerConfig.REFRESH_TOKEN_TTL_DEFAULT);
        assertThat(config.dataDir()).isEqualTo(dir.resolve("data"));
    }

    @Test
    void shouldReadTheConfigFileNamedByTheEnvironment() throws Exception
    {
        final Path file = dir.resolve("outpost.json");
        Files.writeString(file, "{\"port\": 7010, \"tls\": {\"protocols\": [\"TLSv1.3\", \"TLSv1.2\"]}, " +
            "\"data-dir\": \"" + dir.resolve("d") + "\"}");

        final ServerConfig config = serve(Map.of("OUTPOST_CONFIG", file.toString())).conclude();

        assertThat(config.port()).isEqualTo(7010);
        assertThat(config.tlsProtocols()).containsExactly("TLSv1.3", "TLSv1.2");
        assertThat(config.configFile()).isEqualTo(file);
    }

    @Test
    void shouldNameFileAndKeyOfABadValue() throws Exception
    {
        final Path file = yaml("port: ninety\n");

        assertThatThrownBy(() -> serve(Map.of(), "--config", file.toString()))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("outpost.port")
            .hasMessageContaining(file.toString())
            .hasMessageContaining("key port")
            .hasMessageContaining("ninety");
    }

    @Test
    void shouldNameFileAndKeyOfAValueThatFailsValidation() throws Exception
    {
        final Path file = yaml("port: 70000\ndata-dir: " + dir.resolve("d") + "\n");

        assertThatThrownBy(() -> serve(Map.of(), "--config", file.toString()).conclude())
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining(file + ", key port")
            .hasMessageContaining("outside 0..65535");
    }

    @Test
    void shouldRefuseAnUnknownKeyNamingIt() throws Exception
    {
        final Path file = yaml("tls:\n  certificate: x.pem\n");

        assertThatThrownBy(() -> serve(Map.of(), "--config", file.toString()))
            .hasMessageContaining("key tls.certificate")
            .hasMessageContaining("unknown key")
            .hasMessageContaining("tls.cert");
    }

    @Test
    void shouldSuggestTheNearestKeyForAMistypedOne() throws Exception
    {
        final String[][] typos = {
            {"data-dri: ./data\n", "key data-dri", "did you mean 'data-dir'?"},
            {"prot: 9090\n", "key prot", "did you mean 'port'?"},
            {"http:\n  idle-timout: 5s\n", "key http.idle-timeout".replace("timeout", "timout"),
                "did you mean 'http.idle-timeout'?"},
            {"cert: server.pem\n", "key cert", "did you mean 'tls.cert'?"},
            {"apps:\n  - id: shop\n    data-dri: ./shop\n", "key apps[0].data-dri", "did you mean 'data-dir'?"}};
        for (final String[] typo : typos)
        {
            final Path file = yaml(typo[0]);

            assertThatThrownBy(() -> serve(Map.of(), "--config", file.toString())).as(typo[0])
                .hasMessageContaining(typo[1]).hasMessageContaining("unknown key; " + typo[2]);
        }
        final Path unrelated = yaml("colour: blue\n");
        assertThatThrownBy(() -> serve(Map.of(), "--config", unrelated.toString()))
            .hasMessageContaining("unknown key").hasMessageNotContaining("did you mean");
    }

    @Test
    void shouldSuggestTheSettingOfAMistypedEnvironmentVariable()
    {
        assertThat(ServerConfig.environmentTypos(Map.of("OUTPOST_PROT", "80", "OUTPOST_DATADIR", "/srv",
            "OUTPOST_PORT", "9090", "OUTPOST_PREBUILT", "1", "OUTPOST_SECRET_SIGNING", "x", "OUTPOST_CONFIG", "f",
            "PATH", "/bin")))
            .containsExactly(
                "environment variable OUTPOST_DATADIR is not a setting and is ignored; did you mean OUTPOST_DATA_DIR?",
                "environment variable OUTPOST_PROT is not a setting and is ignored; did you mean OUTPOST_PORT?");
    }

    @Test
    void shouldNameTheEnvironmentVariableOrFlagOfABadValue()
    {
        assertThatThrownBy(() -> serve(Map.of("OUTPOST_SHUTDOWN_TIMEOUT", "later")))
            .hasMessageContaining("environment variable OUTPOST_SHUTDOWN_TIMEOUT");
        assertThatThrownBy(() -> serve(Map.of(), "--port", "-5", "--data-dir", dir.toString()).conclude())
            .hasMessageContaining("option --port");
    }

    @Test
    void shouldRefuseAMissingTlsKeyNamingIt()
    {
        assertThatThrownBy(() -> serve(Map.of(), "--tls-cert", dir.resolve("none.pem").toString(), "--data-dir",
            dir.toString()).conclude())
            .hasMessageContaining("outpost.tls.cert")
            .hasMessageContaining("option --tls-cert");
        assertThatThrownBy(() -> serve(Map.of(), "--tls-protocols", "TLSv1.1", "--data-dir", dir.toString())
            .conclude())
            .hasMessageContaining("outpost.tls.protocols")
            .hasMessageContaining("TLSv1.1");
    }

    @Test
    void shouldGiveEachListedAppItsOwnDataDirectory() throws Exception
    {
        final Path file = yaml("""
            data-dir: %s
            apps:
              - id: shop
              - id: staff
                auth:
                  anon-user: false
              - id: legacy
                data-dir: %s
            """.formatted(dir.resolve("data"), dir.resolve("old")));

        final ServerConfig config = serve(Map.of(), "--config", file.toString()).conclude();

        assertThat(config.apps()).extracting(AppConfig::id).containsExactly("shop", "staff", "legacy");
        assertThat(config.appDataDir(config.apps().get(0))).isEqualTo(dir.resolve("data/apps/shop"));
        assertThat(config.appDataDir(config.apps().get(2))).isEqualTo(dir.resolve("old"));
        assertThat(config.apps().get(0).providerEnabled("anon-user")).isTrue();
        assertThat(config.apps().get(1).providerEnabled("anon-user")).isFalse();
        assertThat(config.forApp(config.apps().get(1)).dataDir()).isEqualTo(dir.resolve("data/apps/staff"));
        assertThat(config.forApp(config.apps().get(1)).appId()).isEqualTo("staff");
        assertThat(Files.isDirectory(dir.resolve("data/apps/shop"))).isTrue();
    }

    @Test
    void shouldKeepTheSingleAppLayoutWithoutAnAppsList()
    {
        final ServerConfig config = serve(Map.of(), "--app-id", "one", "--data-dir", dir.toString()).conclude();

        assertThat(config.apps()).containsExactly(new AppConfig("one", dir, true));
        assertThat(config.appDataDir(config.apps().get(0))).isEqualTo(dir);
    }

    @Test
    void shouldRefuseBadAppLists() throws Exception
    {
        assertThatThrownBy(() -> serve(Map.of(), "--config", yaml("apps:\n  - id: a\n  - id: a\n").toString(),
            "--data-dir", dir.toString()).conclude())
            .hasMessageContaining("key apps").hasMessageContaining("'a' is listed twice");
        assertThatThrownBy(() -> serve(Map.of(), "--config", yaml("apps:\n  - name: a\n").toString()))
            .hasMessageContaining("key apps[0]").hasMessageContaining("needs an 'id'");
        assertThatThrownBy(() -> serve(Map.of(), "--config",
            yaml("apps:\n  - id: a\n    auth:\n      google: true\n").toString()))
            .hasMessageContaining("key apps[0].auth.google").hasMessageContaining("unsupported auth provider");
        assertThatThrownBy(() -> serve(Map.of(), "--config", yaml("apps:\n  - id: a\n").toString(), "--app-id",
            "b", "--data-dir", dir.toString()).conclude())
            .hasMessageContaining("option --app-id").hasMessageContaining("cannot be combined");
    }

    @Test
    void shouldRefuseAppsOverSingleAppDataNoAppOwns() throws Exception
    {
        Files.writeString(dir.resolve("auth.log"), "OUTPOST-AUTH 1\n");
        final Path file = yaml("data-dir: " + dir + "\napps:\n  - id: a\n  - id: b\n");

        assertThatThrownBy(() -> serve(Map.of(), "--config", file.toString()).conclude())
            .hasMessageContaining("holds the data of a single-app server")
            .hasMessageContaining("data-dir: " + dir);

        final Path owned = yaml("data-dir: " + dir + "\napps:\n  - id: a\n    data-dir: " + dir + "\n  - id: b\n");
        final ServerConfig config = serve(Map.of(), "--config", owned.toString()).conclude();
        assertThat(config.appDataDir(config.apps().get(0))).isEqualTo(dir);
        assertThat(config.appDataDir(config.apps().get(1))).isEqualTo(dir.resolve("apps/b"));
    }

    @Test
    void shouldPrintVersionCommitAndJava()
    {
        final String[] lines = VersionCommand.lines();

        assertThat(lines[0]).startsWith("outpost ");
        assertThat(lines[1]).startsWith("commit ");
        assertThat(lines[2]).contains(System.getProperty("java.version"));
    }

    @Test
    void shouldSayHowToRunTheLoadGeneratorWhenItsJarIsNotThere()
    {
        final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        final java.io.PrintStream original = System.out;
        final int missing;
        try
        {
            System.setOut(new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8));
            missing = OutpostMain.commandLine().execute("bench", "--jar", dir.resolve("none.jar").toString());
        }
        finally
        {
            System.setOut(original);
        }

        assertThat(missing).as("a --jar that does not exist is a usage error").isEqualTo(2);
        assertThat(out.toString(java.nio.charset.StandardCharsets.UTF_8))
            .contains("./mvnw -B -q -pl bench -am package -DskipTests")
            .contains(BenchCommand.LOAD_GENERATOR);
    }

    @Test
    void shouldRegisterEveryCommandWithHelp()
    {
        final CommandLine cli = OutpostMain.commandLine();

        assertThat(cli.getSubcommands().keySet()).contains("serve", "bench", "inspect", "version");
        for (final String name : List.of("serve", "bench", "inspect", "version"))
        {
            assertThat(cli.getSubcommands().get(name).getUsageMessage()).contains("--help");
        }
    }

    @Test
    void shouldNameTheFlagOrVariableThatNamedAMissingConfigFile()
    {
        final String missing = dir.resolve("missing.yaml").toString();

        assertThatThrownBy(() -> serve(Map.of(), "--config", missing))
            .hasMessageStartingWith("invalid setting 'outpost.config' (option --config): cannot read config file");
        assertThatThrownBy(() -> serve(Map.of("OUTPOST_CONFIG", missing)))
            .hasMessageStartingWith("invalid setting 'outpost.config' (environment variable OUTPOST_CONFIG): " +
                "cannot read config file");
    }

    @Test
    void shouldTakeTheSyncEngineSettingsFromFileEnvironmentAndFlags() throws Exception
    {
        final Path file = yaml("""
            slow-consumer-timeout: 2m
            writer-queue: 128
            data-dir: %s
            """.formatted(dir.resolve("data")));

        final ServerConfig fromFile = serve(Map.of(), "--config", file.toString()).conclude();
        assertThat(fromFile.slowConsumerTimeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(fromFile.writerQueue()).isEqualTo(128);
        assertThat(fromFile.forApp(fromFile.apps().get(0)).writerQueue()).as("per-app copy").isEqualTo(128);
        assertThat(fromFile.forApp(fromFile.apps().get(0)).slowConsumerTimeout()).isEqualTo(Duration.ofMinutes(2));

        final ServerConfig fromEnv = serve(Map.of("OUTPOST_SLOW_CONSUMER_TIMEOUT", "3s", "OUTPOST_WRITER_QUEUE", "8"),
            "--config", file.toString(), "--writer-queue", "16").conclude();
        assertThat(fromEnv.slowConsumerTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(fromEnv.writerQueue()).as("flag beats env").isEqualTo(16);

        assertThatThrownBy(() -> serve(Map.of("OUTPOST_WRITER_QUEUE", "many")))
            .hasMessage("invalid setting 'outpost.writer.queue' (environment variable OUTPOST_WRITER_QUEUE): " +
                "'many' is not an integer");
        final Path zero = yaml("slow-consumer-timeout: 0s\ndata-dir: " + dir.resolve("data") + "\n");
        assertThatThrownBy(() -> serve(Map.of(), "--config", zero.toString()).conclude())
            .hasMessageContaining("invalid setting 'outpost.slow.consumer.timeout' (config file " + zero +
                ", key slow-consumer-timeout)");
    }

    @Test
    void shouldSayOnStderrThatAGivenLoadGeneratorJarDoesNotExist()
    {
        final java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        final java.io.PrintStream original = System.err;
        final java.io.PrintStream originalOut = System.out;
        final Path none = dir.resolve("none.jar");
        try
        {
            System.setErr(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
            System.setOut(new java.io.PrintStream(new java.io.ByteArrayOutputStream()));
            assertThat(OutpostMain.commandLine().execute("bench", "--jar", none.toString())).isEqualTo(2);
        }
        finally
        {
            System.setErr(original);
            System.setOut(originalOut);
        }

        assertThat(err.toString(java.nio.charset.StandardCharsets.UTF_8))
            .contains("outpost bench: --jar " + none + ": no such file");
    }
}
