package dev.outpost.server.config;

import dev.outpost.ot.rules.PartitionRules;
import dev.outpost.ot.rules.Role;
import dev.outpost.ot.rules.RuleContext;
import dev.outpost.ot.rules.Rules;
import dev.outpost.ot.rules.UserContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Permission rules from an App Services export (rules.json, default_rule.json, partition.permissions, values) and
 * from Outpost's YAML: read, checked at start, and what cannot be honoured stops the start naming file and key.
 */
class RuleSettingsTest
{
    @TempDir
    Path dir;

    private ServerConfig single(final Path export)
    {
        return new ServerConfig(null, AppServicesExportTest.ENV).dataDir(dir.resolve("data")).appConfigDir(export)
            .conclude();
    }

    private static void replace(final Path file, final String from, final String to) throws Exception
    {
        final String text = Files.readString(file);
        assertThat(text).contains(from);
        Files.writeString(file, text.replace(from, to));
    }

    @Test
    void shouldReadTheRolesOfTheExport() throws Exception
    {
        final Path export = AppServicesExportTest.copyExport(dir.resolve("export"));
        final Rules rules = single(export).apps().get(0).rules();
        assertThat(rules.classes()).containsExactly("Item");
        assertThat(rules.values().values()).containsEntry("supportEmail", "support@example.com");
        assertThat(rules.values().environment()).containsEntry("tag", "production");
        final RuleContext u1 = rules.context(UserContext.of("u1"));
        final Role owner = rules.roleFor("Item", u1);
        assertThat(owner.name()).isEqualTo("owner");
        assertThat(owner.view().description()).isEqualTo("{\"owner_id\":{\"$eq\":\"u1\"}}");
        assertThat(rules.roleFor("Project", u1).name()).as("default_rule.json").isEqualTo("readAndWriteAll");
        assertThat(rules.partition()).as("a flexible app").isNull();
    }

    @Test
    void shouldReadPartitionPermissionsOfAPartitionApp() throws Exception
    {
        final Path export = AppServicesExportTest.copyExport(dir.resolve("export"));
        final Path sync = export.resolve("sync/config.json");
        replace(sync, "\"type\": \"flexible\"", "\"type\": \"partition\", \"partition\": {\"key\": \"_partition\", " +
            "\"type\": \"string\", \"permissions\": {\"read\": {\"%%partition\": \"%%user.id\"}, " +
            "\"write\": {\"%%partition\": \"%%user.id\"}}}");
        replace(sync, "\"asymmetric_tables\": [\"Event\"]", "\"asymmetric_tables\": []");
        final AppConfig app = single(export).apps().get(0);
        final Rules rules = app.rules();
        assertThat(rules.partitionAccess("u1", UserContext.of("u1"))).isEqualTo(PartitionRules.Access.READ_WRITE);
        assertThat(rules.partitionAccess("u2", UserContext.of("u1"))).isEqualTo(PartitionRules.Access.NONE);
        assertThat(rules.hasRoles()).as("roles are for flexible sync").isFalse();
        assertThat(app.warnings()).anyMatch(w -> w.endsWith("data_sources/mongodb-atlas/todo/Item/rules.json: " +
            "roles are not used by partition-based sync (sync/config.json partition.permissions are)"));
    }

    @ParameterizedTest(name = "{0}: {3}")
    @CsvSource(delimiter = '|', textBlock = """
        data_sources/mongodb-atlas/todo/Item/rules.json | "read": {"owner_id": "%%user.id"} | "read": {"summary": "%%user.id"} | roles[0].document_filters.read.summary | is not a queryable field of Item
        data_sources/mongodb-atlas/todo/Item/rules.json | "read": {"owner_id": "%%user.id"} | "read": {"owner_id": "%%root.owner_id"} | roles[0].document_filters.read.owner_id | is not a sync-compatible expansion
        data_sources/mongodb-atlas/todo/Item/rules.json | "read": {"owner_id": "%%user.id"} | "read": {"%%true": {"%function": {"name": "isOwner"}}} | roles[0].document_filters.read.%%true.%function | not sync-compatible
        data_sources/mongodb-atlas/todo/Item/rules.json | "apply_when": {} | "apply_when": {"owner_id": "%%user.id"} | roles[0].apply_when.owner_id | apply_when reads the document field 'owner_id'
        data_sources/mongodb-atlas/todo/Item/rules.json | "search": true | "search": true, "fields": {"_id": {"read": true}} | roles[0].fields._id | on _id is not sync-compatible
        data_sources/mongodb-atlas/todo/Item/rules.json | "read": true, | "read": {"%%user.id": "x"}, | roles[0].read | must be the literal true or false
        data_sources/mongodb-atlas/default_rule.json | "document_filters": {"write": true, "read": true}, | | roles[0].document_filters | needs both 'read' and 'write'
        data_sources/mongodb-atlas/todo/Item/rules.json | "read": {"owner_id": "%%user.id"} | "read": {"owner_id": "%%values.nope"} | roles[0].document_filters.read.owner_id | names a value the app does not define
        """)
    void shouldRefuseRulesSyncCannotHonourNamingFileAndKey(final String file, final String from, final String to,
        final String key, final String message) throws Exception
    {
        final Path export = AppServicesExportTest.copyExport(dir.resolve("export"));
        replace(export.resolve(file), from, null == to ? "" : to);
        assertThatThrownBy(() -> single(export))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("App Services export " + export + ", " + file + ", key " + key)
            .hasMessageContaining(message);
    }

    @Test
    void shouldRefuseAPartitionPermissionOnADocumentField() throws Exception
    {
        final Path export = AppServicesExportTest.copyExport(dir.resolve("export"));
        final Path sync = export.resolve("sync/config.json");
        replace(sync, "\"type\": \"flexible\"", "\"type\": \"partition\", \"partition\": {\"key\": \"_partition\", " +
            "\"type\": \"string\", \"permissions\": {\"read\": true, \"write\": {\"owner_id\": \"%%user.id\"}}}");
        replace(sync, "\"asymmetric_tables\": [\"Event\"]", "\"asymmetric_tables\": []");
        assertThatThrownBy(() -> single(export))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("sync/config.json, key partition.permissions.write.owner_id")
            .hasMessageContaining("may use %%partition, %%user");
    }

    @Test
    void shouldReadRulesFromOutpostYamlAndRefuseNamingTheKey() throws Exception
    {
        final Path yaml = dir.resolve("outpost.yaml");
        Files.writeString(yaml, """
            apps:
              - id: pbs
                sync: {type: partition, partition: {key: _partition, type: string}}
                rules:
                  values: {admin: boss}
                  partition:
                    read: true
                    write: {"$or": [{"%%partition": "%%user.id"}, {"%%user.id": "%%values.admin"}]}
              - id: flx
                sync: {type: flexible, queryable-fields: [owner_id]}
                rules:
                  classes:
                    Item:
                      roles:
                        - name: owner
                          document_filters: {read: {owner_id: "%%user.id"}, write: {owner_id: "%%user.id"}}
                          read: true
                          write: true
            """);
        final ServerConfig config = new ServerConfig(yaml, Map.of()).dataDir(dir.resolve("data")).conclude();
        final Rules pbs = config.apps().get(0).rules();
        assertThat(pbs.partitionAccess("\"u1\"", UserContext.of("u1"))).isEqualTo(PartitionRules.Access.READ);
        assertThat(pbs.partitionAccess(RuleContext.partitionOf("\"u1\""), UserContext.of("u1")))
            .isEqualTo(PartitionRules.Access.READ_WRITE);
        assertThat(pbs.partitionAccess("x", UserContext.of("boss"))).isEqualTo(PartitionRules.Access.READ_WRITE);
        final Rules flx = config.apps().get(1).rules();
        assertThat(flx.roleFor("Item", flx.context(UserContext.of("u7"))).view().description())
            .isEqualTo("{\"owner_id\":{\"$eq\":\"u7\"}}");
        assertThat(config.forApp(config.apps().get(1)).app().rules()).isSameAs(flx);

        Files.writeString(yaml, Files.readString(yaml).replace("read: {owner_id:", "read: {summary:"));
        assertThatThrownBy(() -> new ServerConfig(yaml, Map.of()).dataDir(dir.resolve("data")).conclude())
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("config file " + yaml + ", key apps[1].rules.classes.Item.roles[0]" +
                ".document_filters.read.summary")
            .hasMessageContaining("is not a queryable field of Item");
    }
}
