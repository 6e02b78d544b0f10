package dev.outpost.server.cli;

import dev.outpost.server.config.ConfigException;
import dev.outpost.server.config.ServerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The {@code app-config} setting (an App Services export as the single app): flag {@code --app-config}, environment
 * {@code OUTPOST_APP_CONFIG}, file key {@code app-config}, precedence, and errors naming where the value came from.
 */
class AppConfigSettingTest
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

    private Path export(final String name, final String appId) throws Exception
    {
        final Path export = dir.resolve(name);
        Files.createDirectories(export.resolve("auth"));
        Files.writeString(export.resolve("root_config.json"), "{\"config_version\": 20210101, \"app_id\": \"" +
            appId + "\", \"name\": \"x\"}");
        Files.writeString(export.resolve("auth/providers.json"), "{\"anon-user\": {\"name\": \"anon-user\", " +
            "\"type\": \"anon-user\", \"disabled\": false}}");
        return export;
    }

    @Test
    void shouldTakeTheExportFromFlagOverEnvironmentOverFile() throws Exception
    {
        final Path file = dir.resolve("outpost.yaml");
        Files.writeString(file, "app-config: " + export("fromFile", "file-app") + "\n");
        final Path data = dir.resolve("data");
        assertThat(serve(Map.of(), "--config", file.toString(), "--data-dir", data.toString()).conclude()
            .apps().get(0).id()).isEqualTo("file-app");
        assertThat(serve(Map.of("OUTPOST_APP_CONFIG", export("fromEnv", "env-app").toString()), "--config",
            file.toString(), "--data-dir", data.toString()).conclude().apps().get(0).id()).isEqualTo("env-app");
        final ServerConfig flag = serve(Map.of("OUTPOST_APP_CONFIG", dir.resolve("fromEnv").toString()),
            "--app-config", export("fromFlag", "flag-app").toString(), "--data-dir", data.toString()).conclude();
        assertThat(flag.apps().get(0).id()).isEqualTo("flag-app");
        assertThat(flag.apps().get(0).anonymous()).isTrue();
        assertThat(flag.apps().get(0).userPass()).isNull();
        final ServerConfig named = serve(Map.of(), "--app-config", dir.resolve("fromFlag").toString(),
            "--app-id", "mine", "--data-dir", data.toString()).conclude();
        assertThat(named.apps().get(0).id()).isEqualTo("mine");
        assertThat(named.apps().get(0).warnings()).containsExactly("option --app-id: app id 'mine' differs from " +
            "the export's root_config.json app_id 'flag-app'; serving 'mine' (clients must use it)");
    }

    @Test
    void shouldNameTheFlagWhenTheExportIsMissing()
    {
        assertThatThrownBy(() -> serve(Map.of(), "--app-config", dir.resolve("nope").toString(), "--data-dir",
            dir.resolve("data").toString()).conclude())
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("'outpost.app.config' (option --app-config)")
            .hasMessageContaining("is not a directory");
    }

    @Test
    void shouldKeepTheExportFileAndKeyInTheError() throws Exception
    {
        final Path export = export("bad", "bad-app");
        Files.createDirectories(export.resolve("sync"));
        Files.writeString(export.resolve("sync/config.json"), "{\"type\": \"global\"}");
        assertThatThrownBy(() -> serve(Map.of(), "--app-config", export.toString(), "--data-dir",
            dir.resolve("data").toString()).conclude())
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("'outpost.app.config' (App Services export " + export + ", sync/config.json, key " +
                "type): 'global' is not a sync type");
    }
}
