package dev.outpost.server.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Custom user data settings: an export's enabled {@code auth/custom_user_data.json} (no "not supported" warning any
 * more; a partition-based export warns that it needs the partition), the {@code custom-user-data} key of an
 * {@code apps:} entry, validation naming the key, and the server file each sync mode reads.
 */
class CustomUserDataConfigTest
{
    private static final String PBS = "\"type\": \"partition\", \"partition\": {\"key\": \"_partition\", " +
        "\"type\": \"string\", \"permissions\": {\"read\": true, \"write\": true}}";
    private static final String ENABLED = "{\"enabled\": true, \"mongo_service_name\": \"mongodb-atlas\", " +
        "\"database_name\": \"todo\", \"collection_name\": \"User\", \"user_id_field\": \"userId\"}";

    @TempDir
    Path dir;

    private Path export(final boolean pbs) throws Exception
    {
        final Path export = AppServicesExportTest.copyExport(dir.resolve("export"));
        Files.writeString(export.resolve("auth/custom_user_data.json"), ENABLED);
        if (pbs)
        {
            final Path sync = export.resolve("sync/config.json");
            Files.writeString(sync, Files.readString(sync).replace("\"type\": \"flexible\"", PBS)
                .replace("\"asymmetric_tables\": [\"Event\"]", "\"asymmetric_tables\": []"));
        }
        return export;
    }

    private ServerConfig yaml(final String text) throws Exception
    {
        final Path file = dir.resolve("outpost.yaml");
        Files.writeString(file, text);
        return new ServerConfig(file, AppServicesExportTest.ENV).dataDir(dir.resolve("data")).conclude();
    }

    @Test
    void shouldTakeAnExportsEnabledCustomUserDataWithoutWarning() throws Exception
    {
        final AppConfig app = new ServerConfig(null, AppServicesExportTest.ENV).dataDir(dir.resolve("data"))
            .appConfigDir(export(false)).conclude().apps().get(0);
        assertThat(app.customUserData()).isEqualTo(new AppConfig.CustomUserData("User", "userId", null));
        assertThat(app.warnings()).noneMatch(w -> w.contains("custom_user_data"));
        assertThat(app.customUserData().serverFile(app.id(), app.sync())).isEqualTo("flx/tasktracker-abcde");
    }

    @Test
    void shouldWarnThatAPartitionBasedExportNeedsThePartitionAndTakeItFromTheAppEntry() throws Exception
    {
        final Path export = export(true);
        final AppConfig single = new ServerConfig(null, AppServicesExportTest.ENV).dataDir(dir.resolve("data"))
            .appConfigDir(export).conclude().apps().get(0);
        assertThat(single.customUserData()).as("no partition: not applied").isNull();
        assertThat(single.warnings()).anyMatch(w -> w.contains("auth/custom_user_data.json") &&
            w.contains("set custom-user-data.partition"));
        final AppConfig entry = yaml("apps:\n  - app-config: " + export + "\n    custom-user-data:\n" +
            "      partition: users\n").apps().get(0);
        assertThat(entry.customUserData()).isEqualTo(new AppConfig.CustomUserData("User", "userId", "users"));
        assertThat(entry.customUserData().serverFile(entry.id(), entry.sync()))
            .isEqualTo("pbs/tasktracker-abcde/\"users\"");
        assertThat(yaml("apps:\n  - app-config: " + export + "\n").apps().get(0).customUserData())
            .as("an entry naming no partition: as the single form").isNull();
    }

    @Test
    void shouldReadTheAppEntryAndLetItDisableTheExports() throws Exception
    {
        final ServerConfig config = yaml("""
            apps:
              - id: a
                custom-user-data:
                  class: Profile
                  user-id-field: owner
              - id: b
                sync: {type: partition, partition: {key: _partition, type: long}}
                custom-user-data: {class: Profile, user-id-field: owner, partition: 42}
              - id: c
                app-config: %s
                custom-user-data: false
              - id: d
            """.formatted(export(false)));
        assertThat(config.apps().get(0).customUserData())
            .isEqualTo(new AppConfig.CustomUserData("Profile", "owner", null));
        final AppConfig b = config.apps().get(1);
        assertThat(b.customUserData().serverFile("b", b.sync())).isEqualTo("pbs/b/{\"$numberLong\":\"42\"}");
        assertThat(config.apps().get(2).customUserData()).isNull();
        assertThat(config.apps().get(3).customUserData()).isNull();
    }

    @Test
    void shouldNameTheKeyThatIsWrong()
    {
        assertThatThrownBy(() -> yaml("apps:\n  - id: a\n    custom-user-data: {class: User}\n"))
            .isInstanceOf(ConfigException.class).hasMessageContaining("apps[0].custom-user-data.class")
            .hasMessageContaining("needs 'user-id-field'");
        assertThatThrownBy(() -> yaml("apps:\n  - id: a\n    custom-user-data: {class: User, user-id-field: u, " +
            "partition: p}\n"))
            .isInstanceOf(ConfigException.class).hasMessageContaining("apps[0].custom-user-data.partition")
            .hasMessageContaining("partition-based sync only");
        assertThatThrownBy(() -> yaml("apps:\n  - id: a\n    sync: {type: partition, partition: {key: _p, type: " +
            "string}}\n    custom-user-data: {class: User, user-id-field: u}\n"))
            .isInstanceOf(ConfigException.class).hasMessageContaining("apps[0].custom-user-data")
            .hasMessageContaining("needs 'partition'");
        assertThatThrownBy(() -> yaml("apps:\n  - id: a\n    sync: {type: partition, partition: {key: _p, type: " +
            "objectId}}\n    custom-user-data: {class: User, user-id-field: u, partition: nothex}\n"))
            .isInstanceOf(ConfigException.class).hasMessageContaining("24 lower-case hex digits");
        assertThatThrownBy(() -> yaml("apps:\n  - id: a\n    custom-user-data: {collection: User}\n"))
            .isInstanceOf(ConfigException.class).hasMessageContaining("apps[0].custom-user-data.collection")
            .hasMessageContaining("supported: custom-user-data {enabled, class, user-id-field, partition}");
    }
}
