package dev.outpost.server.config;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * An App Services export (the realistic one under src/test/resources/appservices-export/tasktracker, written from
 * the documented formats) read as Outpost's app configuration: every provider and sync setting, the schemas, the
 * warnings (each once), every refusal naming file and key, the app id precedence, and the YAML equivalent.
 */
class AppServicesExportTest
{
    static final String SECRET = "the-hs256-signing-key-of-tasktracker-0123";
    static final Map<String, String> ENV = Map.of("OUTPOST_SECRET_JWT_SIGNING_KEY", SECRET);

    @TempDir
    Path dir;

    /**
     * @param target where to copy it.
     * @return a copy of the test export, to change.
     */
    static Path copyExport(final Path target) throws Exception
    {
        final Path source = Path.of(AppServicesExportTest.class.getResource("/appservices-export/tasktracker").toURI());
        try (Stream<Path> files = Files.walk(source))
        {
            for (final Path f : files.toList())
            {
                final Path to = target.resolve(source.relativize(f).toString());
                if (Files.isDirectory(f))
                {
                    Files.createDirectories(to);
                }
                else
                {
                    Files.copy(f, to);
                }
            }
        }
        return target;
    }

    private ServerConfig single(final Path export, final Map<String, String> env)
    {
        return new ServerConfig(null, env).dataDir(dir.resolve("data")).appConfigDir(export).conclude();
    }

    private static SyncSettings expectedSync()
    {
        final Map<String, SyncSettings.ClassSchema> schemas = new LinkedHashMap<>();
        final Map<String, String> event = new LinkedHashMap<>();
        event.put("_id", "objectId");
        event.put("kind", "string");
        event.put("at", "date");
        schemas.put("Event", new SyncSettings.ClassSchema("Event", "todo", "Event", event, List.of("_id")));
        final Map<String, String> item = new LinkedHashMap<>();
        item.put("_id", "objectId");
        item.put("owner_id", "string");
        item.put("summary", "string");
        item.put("isComplete", "bool");
        item.put("priority", "int");
        item.put("tags", "array<string>");
        item.put("project", "objectId");
        schemas.put("Item", new SyncSettings.ClassSchema("Item", "todo", "Item", item,
            List.of("_id", "owner_id", "summary")));
        final Map<String, String> project = new LinkedHashMap<>();
        project.put("_id", "objectId");
        project.put("owner_id", "string");
        project.put("name", "string");
        project.put("budget", "decimal");
        project.put("createdAt", "date");
        schemas.put("Project", new SyncSettings.ClassSchema("Project", "todo", "Project", project,
            List.of("_id", "name")));
        return new SyncSettings(SyncSettings.Mode.FLEXIBLE, true, false, List.of("owner_id"),
            Map.of("Item", List.of("isComplete", "priority")), List.of("owner_id"), List.of("Event"), 30, false,
            null, null, schemas);
    }

    @Test
    void shouldReadEveryProviderSyncSettingAndSchemaOfTheExport() throws Exception
    {
        final Path export = copyExport(dir.resolve("export"));
        final ServerConfig config = single(export, ENV);
        assertThat(config.apps()).hasSize(1);
        final AppConfig app = config.apps().get(0);
        assertThat(app.id()).as("root_config.json app_id").isEqualTo("tasktracker-abcde");
        assertThat(config.appId()).isEqualTo("tasktracker-abcde");
        assertThat(app.anonymous()).isTrue();
        assertThat(app.userPass()).isEqualTo(AppConfig.UserPass.defaults());
        assertThat(app.customToken()).isEqualTo(new AppConfig.CustomToken(JwtAlgorithm.HS256, SECRET,
            "tasktracker-api", List.of("name", "email")));
        assertThat(app.apiKeys()).isTrue();
        assertThat(app.sync()).isEqualTo(expectedSync());
        assertThat(app.sync().queryableFieldsOf("Item")).containsExactly("owner_id", "isComplete", "priority");
        assertThat(app.sync().queryableFieldsOf("Project")).containsExactly("owner_id");
        assertThat(config.forApp(app).appId()).isEqualTo("tasktracker-abcde");
    }

    @Test
    void shouldListEveryUnsupportedItemOnceNamingItsFile() throws Exception
    {
        final Path export = copyExport(dir.resolve("export"));
        final AppConfig app = single(export, ENV).apps().get(0);
        final String p = "App Services export " + export + ", ";
        assertThat(app.warnings()).containsExactlyInAnyOrder(
            p + "auth/providers.json: auth provider 'oauth2-google' (type oauth2-google) is not supported by " +
                "Outpost: its users cannot log in",
            p + "auth/providers.json: local-userpass.config.resetPasswordUrl: Outpost sends no password reset " +
                "e-mail; password reset is not available",
            p + "auth/providers.json: local-userpass.config.runResetFunction: the password reset function is not " +
                "run (functions are not supported); password reset is not available",
            p + "data_sources/mongodb-atlas/config.json: the linked Atlas cluster is not used: Outpost keeps the " +
                "data itself",
            p + "functions/config.json: functions are not supported by Outpost, ignored",
            p + "functions/onNewItem/source.js: functions are not supported by Outpost, ignored",
            p + "graphql/config.json: GraphQL is not supported by Outpost, ignored",
            p + "http_endpoints/config.json: HTTPS endpoints are not supported by Outpost, ignored",
            p + "triggers/itemInserted.json: triggers are not supported by Outpost, ignored");
        final ch.qos.logback.classic.Logger logger =
            (ch.qos.logback.classic.Logger)LoggerFactory.getLogger(AppServicesExport.class);
        final ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        try
        {
            assertThat(AppServicesExport.logWarnings(List.of(app))).isEqualTo(9);
        }
        finally
        {
            logger.detachAppender(appender);
        }
        assertThat(appender.list).allMatch(e -> Level.WARN == e.getLevel() && null == e.getThrowableProxy());
        assertThat(appender.list.stream().map(ILoggingEvent::getFormattedMessage).toList())
            .as("one WARN line per item, each once")
            .containsExactlyElementsOf(app.warnings().stream().map(w -> "app tasktracker-abcde: " + w).toList());
    }

    @Test
    void shouldHonourDisabledProvidersAndNeedNoKeyForADisabledCustomToken() throws Exception
    {
        final Path export = copyExport(dir.resolve("export"));
        final Path providers = export.resolve("auth/providers.json");
        Files.writeString(providers, Files.readString(providers).replace("\"disabled\": false", "\"disabled\": true"));
        final AppConfig app = single(export, Map.of()).apps().get(0);
        assertThat(app.anonymous() || app.apiKeys() || null != app.userPass() || null != app.customToken()).isFalse();
        assertThat(app.providerEnabled("anon-user")).isFalse();
        assertThat(app.warnings()).anyMatch(w -> w.contains("'oauth2-google' (type oauth2-google), disabled there,"));
    }

    @Test
    void shouldPreferTheConfiguredAppIdAndWarn() throws Exception
    {
        final Path export = copyExport(dir.resolve("export"));
        final ServerConfig config = new ServerConfig(null, ENV).dataDir(dir.resolve("data")).appConfigDir(export)
            .appId("tasks").origin(ServerConfig.APP_ID_PROP, "option --app-id").conclude();
        final AppConfig app = config.apps().get(0);
        assertThat(app.id()).isEqualTo("tasks");
        assertThat(app.warnings()).contains("option --app-id: app id 'tasks' differs from the export's " +
            "root_config.json app_id 'tasktracker-abcde'; serving 'tasks' (clients must use it)");
        Files.writeString(export.resolve("root_config.json"), "{\"config_version\": 20210101, \"name\": \"tt\"}");
        assertThat(single(export, ENV).apps().get(0).id()).as("name when there is no app_id").isEqualTo("tt");
    }

    @Test
    void shouldReadRealmCliTwosRealmConfigJson() throws Exception
    {
        final Path export = copyExport(dir.resolve("export"));
        Files.move(export.resolve("root_config.json"), export.resolve("realm_config.json"));
        Files.createDirectories(export.resolve(".mdb"));
        Files.writeString(export.resolve(".mdb/meta.json"), "{}");
        final AppConfig app = single(export, ENV).apps().get(0);
        assertThat(app.id()).isEqualTo("tasktracker-abcde");
        assertThat(app.warnings()).hasSize(9).noneMatch(w -> w.contains(".mdb") || w.contains("realm_config"));
    }

    @Test
    void shouldReadTheSecretFromAFileNamedInTheEnvironment() throws Exception
    {
        final Path export = copyExport(dir.resolve("export"));
        final Path secret = dir.resolve("jwt.key");
        Files.writeString(secret, SECRET + "\n");
        final AppConfig app = single(export, Map.of("OUTPOST_SECRET_JWT_SIGNING_KEY_FILE", secret.toString()))
            .apps().get(0);
        assertThat(app.customToken().key()).isEqualTo(SECRET);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '~', value = {
        "sync/config.json|\"type\": \"flexible\"|\"type\": \"global\"|sync/config.json, key type|'global' is not a sync type",
        "sync/config.json|\"state\": \"enabled\",|\"state\": \"enabled\"|sync/config.json|is not a JSON object (line: 4",
        "sync/config.json|\"client_max_offline_days\": 30|\"client_max_offline_days\": \"30\"|sync/config.json, key client_max_offline_days|is not a number of days",
        "sync/config.json|\"queryable_fields_names\": [\"owner_id\"]|\"queryable_fields_names\": \"owner_id\"|sync/config.json, key queryable_fields_names|must be a list",
        "sync/config.json|\"type\": \"flexible\"|\"type\": \"partition\", \"partition\": {\"key\": \"_partition\", \"type\": \"date\"}|sync/config.json, key partition.type|'date' is not one of",
        "sync/config.json|\"type\": \"flexible\"|\"type\": \"partition\"|sync/config.json, key partition.key|is missing",
        "auth/providers.json|\"autoConfirm\": true|\"autoConfirm\": false|auth/providers.json, key local-userpass.config.autoConfirm|Outpost sends no e-mail",
        "auth/providers.json|\"useJWKURI\": false|\"useJWKURI\": true|auth/providers.json, key custom-token.config.useJWKURI|JWK URI",
        "auth/providers.json|\"signingAlgorithm\": \"HS256\"|\"signingAlgorithm\": \"ES256\"|auth/providers.json, key custom-token.config.signingAlgorithm|'ES256' is not HS256 or RS256",
        "auth/providers.json|\"type\": \"anon-user\", \"disabled\": false|\"type\": \"anon-user\", \"disabled\": \"no\"|auth/providers.json, key anon-user.disabled|'no' is not true or false",
        "auth/providers.json|{\"required\": false, \"name\": \"email\"}|{\"name\": \"email\", \"field_name\": \"mail\"}|auth/providers.json, key custom-token.metadata_fields[1].field_name|renames the claim",
        "data_sources/mongodb-atlas/todo/Item/schema.json|\"title\": \"Item\",||data_sources/mongodb-atlas/todo/Item/schema.json, key title|is missing",
        "data_sources/mongodb-atlas/todo/Project/schema.json|\"title\": \"Project\"|\"title\": \"Item\"|data_sources/mongodb-atlas/todo/Project/schema.json, key title|defined by two collections",
        "data_sources/mongodb-atlas/todo/Item/schema.json|{\"bsonType\": \"bool\"}|{\"type\": \"boolean\"}|data_sources/mongodb-atlas/todo/Item/schema.json, key properties.isComplete.bsonType|is missing",
    })
    void shouldRefuseWhatItCannotHonourNamingFileAndKey(final String file, final String from, final String to,
        final String origin, final String message) throws Exception
    {
        final Path export = copyExport(dir.resolve("export"));
        final Path path = export.resolve(file);
        final String text = Files.readString(path);
        assertThat(text).contains(from);
        Files.writeString(path, text.replace(from, null == to ? "" : to));
        assertThatThrownBy(() -> single(export, ENV))
            .isInstanceOf(ConfigException.class)
            .satisfies(ex -> assertThat(((ConfigException)ex).setting()).isEqualTo(ServerConfig.APP_CONFIG_PROP))
            .hasMessageContaining("App Services export " + export + ", " + origin)
            .hasMessageContaining(message);
    }

    @Test
    void shouldSayWhereToGiveTheMissingSigningKey() throws Exception
    {
        final Path export = copyExport(dir.resolve("export"));
        assertThatThrownBy(() -> single(export, Map.of()))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("auth/providers.json, key custom-token.secret_config.signingKeys")
            .hasMessageContaining("'jwt_signing_key'")
            .hasMessageContaining("OUTPOST_SECRET_JWT_SIGNING_KEY (or OUTPOST_SECRET_JWT_SIGNING_KEY_FILE");
        assertThatThrownBy(() -> single(export, Map.of("OUTPOST_SECRET_JWT_SIGNING_KEY", "short")))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("at least 32 bytes");
        assertThatThrownBy(() -> single(dir.resolve("none"), ENV))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("is not a directory");
        Files.createDirectories(dir.resolve("empty"));
        assertThatThrownBy(() -> single(dir.resolve("empty"), ENV))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("has no root_config.json");
    }

    @Test
    void shouldGiveTheSameRecordFromOutpostYaml() throws Exception
    {
        final Path export = copyExport(dir.resolve("export"));
        final AppConfig fromExport = single(export, ENV).apps().get(0);
        final Path yaml = dir.resolve("outpost.yaml");
        Files.writeString(yaml, """
            apps:
              - id: tasktracker-abcde
                auth:
                  anon-user: true
                  local-userpass: true
                  custom-token:
                    algorithm: HS256
                    secret: %s
                    audience: tasktracker-api
                    metadata-fields: [name, email]
                  api-key: true
                sync:
                  type: flexible
                  queryable-fields: [owner_id]
                  collection-queryable-fields: {Item: [isComplete, priority]}
                  indexed-queryable-fields: [owner_id]
                  asymmetric-tables: [Event]
                  development-mode: false
                  client-max-offline-days: 30
                  recovery-mode-disabled: false
              - id: listed
                app-config: %s
            """.formatted(SECRET, export));
        final ServerConfig config = new ServerConfig(yaml, ENV).dataDir(dir.resolve("data2")).conclude();
        final AppConfig fromYaml = config.apps().get(0);
        assertThat(fromYaml).isEqualTo(new AppConfig(fromExport.id(), null, fromExport.anonymous(),
            fromExport.userPass(), fromExport.customToken(), fromExport.apiKeys(),
            fromExport.sync().withSchemas(Map.of()), List.of()));
        final AppConfig listed = config.apps().get(1);
        assertThat(listed.id()).as("the entry's id wins").isEqualTo("listed");
        assertThat(new AppConfig("tasktracker-abcde", null, listed.anonymous(), listed.userPass(),
            listed.customToken(), listed.apiKeys(), listed.sync(), List.of()))
            .isEqualTo(new AppConfig(fromExport.id(), null, fromExport.anonymous(), fromExport.userPass(),
                fromExport.customToken(), fromExport.apiKeys(), fromExport.sync(), List.of()));
        assertThat(listed.warnings()).hasSize(fromExport.warnings().size() + 1);
    }

    @Test
    void shouldLetAnAppEntryOverrideTheExport() throws Exception
    {
        final Path export = copyExport(dir.resolve("export"));
        final Path yaml = dir.resolve("outpost.yaml");
        Files.writeString(yaml, """
            apps:
              - app-config: %s
                auth:
                  anon-user: false
                  custom-token:
                    secret: %s
                sync:
                  development-mode: true
            """.formatted(export, SECRET));
        final AppConfig app = new ServerConfig(yaml, Map.of()).dataDir(dir.resolve("data")).conclude().apps().get(0);
        assertThat(app.id()).isEqualTo("tasktracker-abcde");
        assertThat(app.anonymous()).isFalse();
        assertThat(app.customToken().key()).isEqualTo(SECRET);
        assertThat(app.sync().developmentMode()).isTrue();
        assertThat(app.sync().schemas()).hasSize(3);

        final Path providers = export.resolve("auth/providers.json");
        final String text = Files.readString(providers);
        Files.writeString(providers, text.replace("\"disabled\": false", "\"disabled\": true"));
        Files.writeString(yaml, """
            apps:
              - app-config: %s
                auth:
                  custom-token:
                    secret: %s
            """.formatted(export, SECRET));
        final AppConfig added = new ServerConfig(yaml, Map.of()).dataDir(dir.resolve("data")).conclude().apps()
            .get(0);
        assertThat(added.customToken()).as("the entry enables what the export disables").isNotNull();
        assertThat(added.userPass()).isNull();
        Files.writeString(providers, text);

        Files.writeString(yaml, "apps:\n  - app-config: " + export + "\n");
        assertThatThrownBy(() -> new ServerConfig(yaml, Map.of()))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("key custom-token.secret_config.signingKeys")
            .hasMessageContaining("auth.custom-token.secret or secret-file in config file " + yaml + ", key apps[0]");
        Files.writeString(yaml, "apps:\n  - id: a\n    sync:\n      type: global\n");
        assertThatThrownBy(() -> new ServerConfig(yaml, Map.of()))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("key apps[0].sync.type")
            .hasMessageContaining("'global' is not a sync type");
        Files.writeString(yaml, "apps:\n  - id: a\n    sync:\n      type: partition\n");
        assertThatThrownBy(() -> new ServerConfig(yaml, Map.of()))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("key apps[0].sync.type")
            .hasMessageContaining("partition key's name");
        Files.writeString(yaml, "apps:\n  - id: a\n");
        assertThat(new ServerConfig(yaml, Map.of()).dataDir(dir.resolve("d3")).conclude().apps().get(0).sync())
            .as("no sync settings configured").isNull();
    }

    @Test
    void shouldRefuseAppConfigBesideTheAppsList() throws Exception
    {
        final Path export = copyExport(dir.resolve("export"));
        final Path yaml = dir.resolve("outpost.yaml");
        Files.writeString(yaml, "app-config: " + export + "\napps:\n  - id: a\n");
        assertThatThrownBy(() -> new ServerConfig(yaml, ENV).dataDir(dir.resolve("data")).conclude())
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("'outpost.app.config'")
            .hasMessageContaining("cannot be combined with the apps list");
    }
}
