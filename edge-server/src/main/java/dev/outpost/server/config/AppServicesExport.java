package dev.outpost.server.config;

import dev.outpost.ot.rules.RuleRefusal;
import dev.outpost.ot.rules.RuleValues;
import dev.outpost.ot.rules.Rules;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Reads an App Services app export as {@code appservices pull} / {@code realm-cli pull} writes it (config version
 * 20210101): {@code root_config.json}, {@code auth/providers.json}, {@code sync/config.json} and the collections'
 * {@code data_sources/mongodb-atlas/<db>/<collection>/schema.json}, and the permission rules: the collections'
 * {@code rules.json}, {@code default_rule.json}, {@code sync/config.json}'s {@code partition.permissions},
 * {@code values/} and the active {@code environments/} file (see {@link RuleSettings}).
 * <p>
 * What Outpost cannot honour (malformed JSON, an unknown sync type, a provider setting it cannot apply) is a
 * {@link ConfigException} naming the file and the key; what it does not support yet (functions, triggers, GraphQL,
 * HTTPS endpoints, other auth providers...) becomes one warning line per item, naming
 * its file, in {@link AppServicesConfig#warnings()}: the server logs them once at start.
 */
public final class AppServicesExport
{
    /** Prefix of the environment variables holding signing keys by their App Services secret name. */
    public static final String SECRET_ENV_PREFIX = "OUTPOST_SECRET_";

    private static final Logger LOG = LoggerFactory.getLogger(AppServicesExport.class);

    /** Top-level directories read (the others are reported). */
    private static final Set<String> READ_DIRS = Set.of("auth", "sync", "data_sources");
    /** Top-level files read or harmless metadata. */
    private static final Set<String> READ_FILES = Set.of("root_config.json", "realm_config.json", "README.md");
    private static final Set<String> USERPASS_IGNORED = Set.of("emailConfirmationUrl", "confirmEmailSubject",
        "confirmationFunctionName", "confirmationFunctionId");

    private final Path dir;
    private final String setting;
    private final Function<String, String> secrets;
    private final List<String> warnings = new ArrayList<>();
    /** {@code partition.permissions} of sync/config.json, read with the sync settings, compiled with the rules. */
    private Object partitionPermissions;

    private AppServicesExport(final Path dir, final String setting, final Function<String, String> secrets)
    {
        this.dir = dir;
        this.setting = setting;
        this.secrets = secrets;
    }

    /**
     * @param dir     the export directory (holding {@code root_config.json}).
     * @param setting the setting that named it (for errors), e.g. {@link ServerConfig#APP_CONFIG_PROP}.
     * @param secrets App Services secret name to its value (the custom-token signing key), or null if not given.
     * @return what Outpost takes from it.
     * @throws ConfigException naming the file and key Outpost cannot honour.
     */
    public static AppServicesConfig read(final Path dir, final String setting, final Function<String, String> secrets)
    {
        return new AppServicesExport(dir, setting, secrets).read();
    }

    /**
     * Log each app's warnings ({@link AppConfig#warnings()}) as one WARN line each; the server calls it once at start.
     *
     * @param apps the apps served.
     * @return how many lines were logged.
     */
    public static int logWarnings(final List<AppConfig> apps)
    {
        int n = 0;
        for (final AppConfig app : apps)
        {
            for (final String line : app.warnings())
            {
                LOG.warn("app {}: {}", app.id(), line);
                n++;
            }
        }
        return n;
    }

    /**
     * @param environment environment variables.
     * @return a secret lookup: the value of {@code OUTPOST_SECRET_<NAME>}, else the content (trimmed) of the file
     * {@code OUTPOST_SECRET_<NAME>_FILE} names; NAME is the secret's name in upper case, other characters than
     * A-Z 0-9 as {@code _}.
     */
    public static Function<String, String> environmentSecrets(final Map<String, String> environment)
    {
        return name ->
        {
            final String variable = secretVariable(name);
            final String value = environment.get(variable);
            if (null != value && !value.isBlank())
            {
                return value.trim();
            }
            final String file = environment.get(variable + "_FILE");
            if (null != file && !file.isBlank())
            {
                try
                {
                    return Files.readString(Path.of(file.trim()), StandardCharsets.UTF_8).trim();
                }
                catch (final IOException | RuntimeException ex)
                {
                    throw new ConfigException(ServerConfig.APP_CONFIG_PROP, "environment variable " + variable +
                        "_FILE", "cannot read '" + file.trim() + "': " + ConfigException.reason(ex));
                }
            }
            return null;
        };
    }

    /**
     * @param secretName an App Services secret name.
     * @return the environment variable holding it.
     */
    public static String secretVariable(final String secretName)
    {
        return SECRET_ENV_PREFIX + secretName.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
    }

    private AppServicesConfig read()
    {
        if (!Files.isDirectory(dir))
        {
            throw new ConfigException(setting, "'" + dir + "' is not a directory (an App Services export, as " +
                "'appservices pull' writes it)");
        }
        // realm-cli 2.x named it realm_config.json, the appservices CLI root_config.json (same content)
        final JsonObject root = Files.isRegularFile(dir.resolve("realm_config.json")) &&
            !Files.isRegularFile(dir.resolve("root_config.json")) ? json("realm_config.json", true) :
            json("root_config.json", true);
        String appId = root.getValue("app_id") instanceof String ? root.getString("app_id") : null;
        if (null == appId || appId.isBlank())
        {
            appId = root.getValue("name") instanceof String ? root.getString("name") : null;
        }
        final JsonObject providers = json("auth/providers.json", false);
        boolean anonymous = false;
        boolean apiKeys = false;
        AppConfig.UserPass userPass = null;
        AppServicesConfig.TokenSpec token = null;
        if (null != providers)
        {
            for (final String name : providers.fieldNames())
            {
                final Object value = providers.getValue(name);
                if (!(value instanceof JsonObject))
                {
                    throw error("auth/providers.json", name, "must be a provider object {name, type, disabled, " +
                        "config}");
                }
                final JsonObject provider = (JsonObject)value;
                final String type = provider.getValue("type") instanceof String ? provider.getString("type") : name;
                final boolean disabled = bool("auth/providers.json", name + ".disabled",
                    provider.getValue("disabled"), false);
                switch (type)
                {
                    case AppConfig.ANON_PROVIDER -> anonymous = !disabled;
                    case AppConfig.API_KEY_PROVIDER -> apiKeys = !disabled;
                    case AppConfig.USERPASS_PROVIDER ->
                    {
                        if (!disabled)
                        {
                            userPass = userPass(name, provider);
                        }
                    }
                    case AppConfig.CUSTOM_TOKEN_PROVIDER ->
                    {
                        if (!disabled)
                        {
                            token = customToken(name, provider);
                        }
                    }
                    default -> warn("auth/providers.json", "auth provider '" + name + "' (type " + type + ")" +
                        (disabled ? ", disabled there," : "") + " is not supported by Outpost: its users cannot " +
                        "log in");
                }
            }
        }
        final SyncSettings sync = sync();
        final AppConfig.CustomUserData customData = customUserData(sync);
        final String environment = root.getValue("environment") instanceof String &&
            !root.getString("environment").isBlank() ? root.getString("environment") : "no-environment";
        final Rules rules = rules(sync, environment);
        reportUnsupported(environment);
        return new AppServicesConfig(dir, appId, anonymous, userPass, token, apiKeys, sync, warnings, rules,
            customData);
    }

    /**
     * {@code auth/custom_user_data.json}: when enabled, its {@code collection_name} is the synced class holding the
     * documents and {@code user_id_field} the field naming the user (the service and database names do not matter:
     * an Outpost app has one data set). Partition-based sync also needs the partition holding them, which the
     * export does not say: then a warning, and it applies once Outpost's config gives
     * {@code custom-user-data.partition}.
     *
     * @return the custom user data, or null when the export has none enabled.
     */
    private AppConfig.CustomUserData customUserData(final SyncSettings sync)
    {
        final String file = "auth/custom_user_data.json";
        final JsonObject json = json(file, false);
        if (null == json || !Boolean.TRUE.equals(json.getValue("enabled")))
        {
            return null;
        }
        final Object collection = json.getValue("collection_name");
        final Object field = json.getValue("user_id_field");
        if (!(collection instanceof String) || !(field instanceof String))
        {
            throw error(file, "collection_name", "and user_id_field must be strings when custom user data is " +
                "enabled");
        }
        final AppConfig.CustomUserData data;
        try
        {
            data = new AppConfig.CustomUserData((String)collection, (String)field, null);
        }
        catch (final ConfigException ex)
        {
            throw error(file, "collection_name", ex.detail());
        }
        if (null != sync && SyncSettings.Mode.PARTITION == sync.mode())
        {
            warn(file, "custom user data of a partition-based app is read from one partition, which the export " +
                "does not name: set custom-user-data.partition (apps: entry of Outpost's config) to apply it; " +
                "until then users have none");
        }
        return data;
    }

    private AppConfig.UserPass userPass(final String name, final JsonObject provider)
    {
        final String file = "auth/providers.json";
        final JsonObject config = object(file, name + ".config", provider.getValue("config"));
        final boolean autoConfirm = bool(file, name + ".config.autoConfirm", config.getValue("autoConfirm"), false);
        if (!autoConfirm)
        {
            throw error(file, name + ".config.autoConfirm", "is false (or missing): App Services kept new accounts " +
                "unconfirmed, unable to log in, until an e-mail link or the confirmation function confirmed them. " +
                "Outpost sends no e-mail and runs no functions, so such accounts could never log in. Set " +
                "\"autoConfirm\": true to have accounts confirmed at registration, or disable the provider");
        }
        for (final String key : config.fieldNames())
        {
            final Object value = config.getValue(key);
            switch (key)
            {
                case "autoConfirm" ->
                {
                }
                case "runResetFunction" ->
                {
                    if (Boolean.TRUE.equals(value))
                    {
                        warn(file, name + ".config.runResetFunction: the password reset function is not run " +
                            "(functions are not supported); password reset is not available");
                    }
                }
                case "resetPasswordUrl", "resetPasswordSubject", "resetFunctionName", "resetFunctionId" ->
                {
                    if (null != value && !"".equals(value) && !"resetFunctionId".equals(key) &&
                        !"resetFunctionName".equals(key))
                    {
                        warn(file, name + ".config." + key + ": Outpost sends no password reset e-mail; " +
                            "password reset is not available");
                    }
                }
                case "runConfirmationFunction" ->
                {
                    if (Boolean.TRUE.equals(value))
                    {
                        warn(file, name + ".config.runConfirmationFunction: the confirmation function is not " +
                            "run (autoConfirm is true: accounts are confirmed at registration)");
                    }
                }
                default ->
                {
                    if (!USERPASS_IGNORED.contains(key))
                    {
                        warn(file, name + ".config." + key + ": not supported, ignored");
                    }
                }
            }
        }
        return AppConfig.UserPass.defaults();
    }

    private AppServicesConfig.TokenSpec customToken(final String name, final JsonObject provider)
    {
        final String file = "auth/providers.json";
        final JsonObject config = object(file, name + ".config", provider.getValue("config"));
        if (bool(file, name + ".config.useJWKURI", config.getValue("useJWKURI"), false))
        {
            throw error(file, name + ".config.useJWKURI", "is true: Outpost does not fetch keys from a JWK URI; " +
                "export the signing key (HS256 secret or RS256 public key) and set \"useJWKURI\": false");
        }
        final Object alg = config.getValue("signingAlgorithm");
        final String algText = null == alg ? "HS256" : String.valueOf(alg).trim().toUpperCase(Locale.ROOT);
        final JwtAlgorithm algorithm;
        if ("HS256".equals(algText))
        {
            algorithm = JwtAlgorithm.HS256;
        }
        else if ("RS256".equals(algText))
        {
            algorithm = JwtAlgorithm.RS256;
        }
        else
        {
            throw error(file, name + ".config.signingAlgorithm", "'" + alg + "' is not HS256 or RS256");
        }
        String audience = null;
        final Object aud = config.getValue("audience");
        if (aud instanceof String && !((String)aud).isBlank())
        {
            audience = (String)aud;
        }
        else if (aud instanceof JsonArray && !((JsonArray)aud).isEmpty())
        {
            if (((JsonArray)aud).size() > 1)
            {
                throw error(file, name + ".config.audience", "lists " + ((JsonArray)aud).size() + " audiences; " +
                    "Outpost checks one");
            }
            audience = String.valueOf(((JsonArray)aud).getValue(0));
        }
        else if (null != aud && !(aud instanceof String) && !(aud instanceof JsonArray))
        {
            throw error(file, name + ".config.audience", "must be a string or a list of strings");
        }
        for (final String key : config.fieldNames())
        {
            if (!Set.of("useJWKURI", "signingAlgorithm", "audience", "jwkURI", "requireAnyAudience")
                .contains(key))
            {
                warn(file, name + ".config." + key + ": not supported, ignored");
            }
        }
        final List<String> metadata = new ArrayList<>();
        final Object fields = provider.getValue("metadata_fields");
        if (null != fields)
        {
            if (!(fields instanceof JsonArray))
            {
                throw error(file, name + ".metadata_fields", "must be a list of {name, field_name, required}");
            }
            int i = 0;
            for (final Object f : (JsonArray)fields)
            {
                final String key = name + ".metadata_fields[" + i++ + "]";
                final JsonObject field = object(file, key, f);
                final Object fieldName = field.getValue("name");
                if (!(fieldName instanceof String) || ((String)fieldName).isBlank())
                {
                    throw error(file, key + ".name", "must name a claim");
                }
                if (((String)fieldName).contains("."))
                {
                    throw error(file, key + ".name", "'" + fieldName + "' is a nested claim path; Outpost copies " +
                        "top-level claims only");
                }
                final Object as = field.getValue("field_name");
                if (null != as && !as.equals(fieldName))
                {
                    throw error(file, key + ".field_name", "'" + as + "' renames the claim '" + fieldName + "'; " +
                        "Outpost keeps claim names");
                }
                if (Boolean.TRUE.equals(field.getValue("required")))
                {
                    warn(file, key + ".required: not enforced; a token without claim '" + fieldName +
                        "' is accepted");
                }
                metadata.add((String)fieldName);
            }
        }
        final String keysKey = name + ".secret_config.signingKeys";
        final List<String> names = new ArrayList<>();
        final Object secretConfig = provider.getValue("secret_config");
        if (secretConfig instanceof JsonObject)
        {
            final Object keys = ((JsonObject)secretConfig).getValue("signingKeys");
            if (keys instanceof JsonArray)
            {
                ((JsonArray)keys).forEach(k -> names.add(String.valueOf(k)));
            }
            else if (keys instanceof String)
            {
                names.add((String)keys);
            }
            else if (null != keys)
            {
                throw error(file, keysKey, "must be a list of secret names");
            }
        }
        String key = null;
        for (final String secretName : names)
        {
            final String value = null == secrets ? null : secrets.apply(secretName);
            if (null != value)
            {
                key = value;
                break;
            }
        }
        if (names.size() > 1)
        {
            warn(file, keysKey + ": lists " + names.size() + " signing keys; Outpost verifies with one, the first " +
                "it is given a value for");
        }
        return new AppServicesConfig.TokenSpec(algorithm, names, key, audience, metadata, origin(file, keysKey));
    }

    private SyncSettings sync()
    {
        final String file = "sync/config.json";
        final JsonObject config = json(file, false);
        if (null == config)
        {
            return null;
        }
        final SyncSettings.Builder b = new SyncSettings.Builder();
        final Object type = config.getValue("type");
        if (!(type instanceof String) || null == SyncSettings.Mode.of((String)type))
        {
            throw error(file, "type", "'" + type + "' is not a sync type Outpost serves: flexible or partition");
        }
        b.mode = SyncSettings.Mode.of((String)type);
        for (final String key : config.fieldNames())
        {
            final Object value = config.getValue(key);
            switch (key)
            {
                case "type", "service_name", "database_name", "last_disabled" ->
                {
                }
                case "state" ->
                {
                    final String state = String.valueOf(value);
                    if (!"enabled".equals(state) && !"disabled".equals(state) && !"".equals(state))
                    {
                        throw error(file, key, "'" + value + "' is not enabled or disabled");
                    }
                    b.enabled = !"disabled".equals(state);
                    if (!b.enabled)
                    {
                        warn(file, "state is '" + state + "': Outpost serves sync anyway (it has no switch for it)");
                    }
                }
                case "development_mode_enabled" -> b.developmentMode = bool(file, key, value, false);
                case "is_recovery_mode_disabled" -> b.recoveryModeDisabled = bool(file, key, value, false);
                case "client_max_offline_days" ->
                {
                    if (!(value instanceof Number) || ((Number)value).longValue() < 0 ||
                        ((Number)value).longValue() > 100_000)
                    {
                        throw error(file, key, "'" + value + "' is not a number of days (0..100000)");
                    }
                    b.clientMaxOfflineDays = ((Number)value).intValue();
                }
                case "queryable_fields_names" -> b.queryableFields = strings(file, key, value);
                case "indexed_queryable_fields_names" -> b.indexedQueryableFields = strings(file, key, value);
                case "asymmetric_tables" -> b.asymmetricTables = strings(file, key, value);
                case "collection_queryable_fields_names" ->
                {
                    final JsonObject perClass = object(file, key, value);
                    for (final String cls : perClass.fieldNames())
                    {
                        b.collectionQueryableFields.put(cls, strings(file, key + "." + cls, perClass.getValue(cls)));
                    }
                }
                case "partition" ->
                {
                    final JsonObject partition = object(file, key, value);
                    final Object pk = partition.getValue("key");
                    final Object pt = partition.getValue("type");
                    b.partitionKey = pk instanceof String ? (String)pk : null;
                    b.partitionKeyType = pt instanceof String ? (String)pt : null;
                    partitionPermissions = partition.getValue("permissions");
                }
                case "permissions" -> warn(file, "permissions: not enforced yet");
                default -> warn(file, key + ": not supported, ignored");
            }
        }
        if (SyncSettings.Mode.PARTITION == b.mode && null == b.partitionKey)
        {
            throw error(file, "partition.key", "is missing: partition-based sync needs the partition key's name");
        }
        if (SyncSettings.Mode.PARTITION == b.mode && !SyncSettings.PARTITION_KEY_TYPES.contains(b.partitionKeyType))
        {
            throw error(file, "partition.type", "'" + b.partitionKeyType + "' is not one of " +
                SyncSettings.PARTITION_KEY_TYPES);
        }
        readSchemas(b);
        try
        {
            return b.build();
        }
        catch (final IllegalArgumentException ex)
        {
            throw error(file, "type", ex.getMessage());
        }
    }

    /**
     * The permission rules: values, the active environment, {@code default_rule.json}, each collection's
     * {@code rules.json} (the class is its schema's title, else the collection's name) and the partition
     * permissions. Roles are for flexible sync: in a partition-based app they are reported and not used.
     */
    private Rules rules(final SyncSettings sync, final String environment)
    {
        final Map<String, Object> values = new LinkedHashMap<>();
        final Path valuesDir = dir.resolve("values");
        if (Files.isDirectory(valuesDir))
        {
            for (final Path f : list(valuesDir))
            {
                final String file = "values/" + f.getFileName();
                if (!f.getFileName().toString().endsWith(".json") || !Files.isRegularFile(f))
                {
                    continue;
                }
                final JsonObject v = json(file, true);
                final Object name = v.getValue("name");
                if (!(name instanceof String) || ((String)name).isBlank())
                {
                    throw error(file, "name", "is missing: it names the value (%%values.<name>)");
                }
                if (Boolean.TRUE.equals(v.getValue("from_secret")))
                {
                    final String secret = null == secrets ? null : secrets.apply(String.valueOf(v.getValue("value")));
                    if (null == secret)
                    {
                        warn(file, "value '" + name + "' comes from the secret '" + v.getValue("value") + "', not " +
                            "given (" + secretVariable(String.valueOf(v.getValue("value"))) + "): rules using " +
                            "%%values." + name + " cannot start");
                        continue;
                    }
                    values.put((String)name, secret);
                }
                else
                {
                    values.put((String)name, RuleSettings.plain(v.getValue("value")));
                }
            }
        }
        final Map<String, Object> env = new LinkedHashMap<>();
        env.put("tag", "no-environment".equals(environment) ? "" : environment);
        final String envFile = "environments/" + environment + ".json";
        if (Files.isRegularFile(dir.resolve(envFile)))
        {
            final Object envValues = json(envFile, true).getValue("values");
            env.put("values", null == envValues ? Map.of() : RuleSettings.plain(envValues));
        }
        else
        {
            env.put("values", Map.of());
        }
        final RuleValues ruleValues = new RuleValues(values, env);
        final Rules.Builder b = new Rules.Builder(ruleValues);
        final boolean pbs = null != sync && SyncSettings.Mode.PARTITION == sync.mode();
        final Path atlas = dir.resolve("data_sources").resolve("mongodb-atlas");
        if (Files.isDirectory(atlas))
        {
            final String defaultFile = "data_sources/mongodb-atlas/default_rule.json";
            if (Files.isRegularFile(dir.resolve(defaultFile)))
            {
                final JsonObject doc = json(defaultFile, true);
                if (pbs)
                {
                    warnRolesUnused(defaultFile, doc);
                }
                else
                {
                    b.defaultRoles(parseRules(defaultFile, doc, null, sync, ruleValues));
                }
            }
            for (final Path db : list(atlas))
            {
                if (!Files.isDirectory(db))
                {
                    continue;
                }
                for (final Path coll : list(db))
                {
                    final String base = "data_sources/mongodb-atlas/" + db.getFileName() + "/" + coll.getFileName();
                    if (!Files.isRegularFile(coll.resolve("rules.json")))
                    {
                        continue;
                    }
                    final String file = base + "/rules.json";
                    final JsonObject doc = json(file, true);
                    if (pbs)
                    {
                        warnRolesUnused(file, doc);
                        continue;
                    }
                    String cls = coll.getFileName().toString();
                    if (null != sync)
                    {
                        for (final SyncSettings.ClassSchema s : sync.schemas().values())
                        {
                            if (s.database().equals(db.getFileName().toString()) &&
                                s.collection().equals(coll.getFileName().toString()))
                            {
                                cls = s.name();
                            }
                        }
                    }
                    if (b.hasRoles(cls))
                    {
                        throw error(file, "collection", "class '" + cls + "' has rules in two collections");
                    }
                    b.roles(cls, parseRules(file, doc, cls, sync, ruleValues));
                }
            }
        }
        if (null != partitionPermissions)
        {
            final String file = "sync/config.json";
            if (!pbs)
            {
                warn(file, "partition.permissions: not used by flexible sync (roles are), ignored");
            }
            else
            {
                if (!(partitionPermissions instanceof JsonObject))
                {
                    throw error(file, "partition.permissions", "must be an object {read, write}");
                }
                final JsonObject p = (JsonObject)partitionPermissions;
                for (final String k : p.fieldNames())
                {
                    if (!"read".equals(k) && !"write".equals(k))
                    {
                        throw error(file, "partition.permissions." + k, "not a permission (read, write)");
                    }
                }
                try
                {
                    b.partition(dev.outpost.ot.rules.PartitionRules.parse(RuleSettings.plain(p.getValue("read")),
                        RuleSettings.plain(p.getValue("write")), ruleValues));
                }
                catch (final RuleRefusal r)
                {
                    throw error(file, "partition.permissions." + r.key(), r.detail());
                }
            }
        }
        return b.build();
    }

    private java.util.List<dev.outpost.ot.rules.RoleTemplate> parseRules(final String file, final JsonObject doc,
        final String className, final SyncSettings sync, final RuleValues values)
    {
        try
        {
            return Rules.parseDocument(RuleSettings.plain(doc), RuleSettings.documents(className, sync, values));
        }
        catch (final RuleRefusal r)
        {
            throw error(file, r.key().isEmpty() ? "roles" : r.key(), r.detail());
        }
    }

    private void warnRolesUnused(final String file, final JsonObject doc)
    {
        final Object roles = doc.getValue("roles");
        if (roles instanceof JsonArray && !((JsonArray)roles).isEmpty())
        {
            warn(file, "roles are not used by partition-based sync (sync/config.json partition.permissions are)");
        }
    }

    private void readSchemas(final SyncSettings.Builder b)
    {
        final Path atlas = dir.resolve("data_sources").resolve("mongodb-atlas");
        if (!Files.isDirectory(atlas))
        {
            return;
        }
        for (final Path db : list(atlas))
        {
            if (!Files.isDirectory(db))
            {
                continue;
            }
            for (final Path coll : list(db))
            {
                final String base = "data_sources/mongodb-atlas/" + db.getFileName() + "/" + coll.getFileName();
                if (!Files.isDirectory(coll) || !Files.isRegularFile(coll.resolve("schema.json")))
                {
                    continue;
                }
                final String file = base + "/schema.json";
                final JsonObject schema = json(file, true);
                if (schema.isEmpty())
                {
                    continue;
                }
                final Object title = schema.getValue("title");
                if (!(title instanceof String) || ((String)title).isBlank())
                {
                    throw error(file, "title", "is missing: it names the Realm class of the collection");
                }
                final Map<String, String> props = new LinkedHashMap<>();
                final Object properties = schema.getValue("properties");
                if (null != properties)
                {
                    final JsonObject p = object(file, "properties", properties);
                    for (final String prop : p.fieldNames())
                    {
                        props.put(prop, bsonType(file, "properties." + prop, p.getValue(prop)));
                    }
                }
                final Object required = schema.getValue("required");
                final SyncSettings.ClassSchema cls = new SyncSettings.ClassSchema((String)title,
                    db.getFileName().toString(), coll.getFileName().toString(), props,
                    null == required ? List.of() : strings(file, "required", required));
                if (null != b.schemas.put(cls.name(), cls))
                {
                    throw error(file, "title", "class '" + title + "' is defined by two collections");
                }
            }
        }
    }

    private String bsonType(final String file, final String key, final Object value)
    {
        final JsonObject prop = object(file, key, value);
        final Object type = prop.getValue("bsonType");
        final String t = type instanceof JsonArray ? String.valueOf(((JsonArray)type).getValue(0)) :
            type instanceof String ? (String)type : null;
        if (null == t)
        {
            throw error(file, key + ".bsonType", "is missing");
        }
        if ("array".equals(t) && prop.getValue("items") instanceof JsonObject)
        {
            return "array<" + bsonType(file, key + ".items", prop.getValue("items")) + ">";
        }
        return t;
    }

    private void reportUnsupported(final String environment)
    {
        for (final Path top : list(dir))
        {
            final String name = top.getFileName().toString();
            if (name.startsWith("."))
            {
                continue; // the CLI's own metadata (.mdb), version control
            }
            if (Files.isDirectory(top))
            {
                if ("data_sources".equals(name))
                {
                    for (final Path f : files(top))
                    {
                        final String rel = dir.relativize(f).toString().replace('\\', '/');
                        final String file = f.getFileName().toString();
                        if ("rules.json".equals(file) || "default_rule.json".equals(file))
                        {
                            continue; // read by rules()
                        }
                        if (rel.equals("data_sources/mongodb-atlas/config.json"))
                        {
                            warn(rel, "the linked Atlas cluster is not used: Outpost keeps the data itself");
                        }
                        else if (!"schema.json".equals(file) && !"relationships.json".equals(file))
                        {
                            warn(rel, "not supported, ignored");
                        }
                    }
                }
                else if ("values".equals(name) || "environments".equals(name))
                {
                    for (final Path f : files(top))
                    {
                        final String rel = dir.relativize(f).toString().replace('\\', '/');
                        if ("values".equals(name) ? !rel.endsWith(".json") :
                            !rel.equals("environments/" + environment + ".json"))
                        {
                            warn(rel, "values".equals(name) ? "not a value file, ignored" : "not the active " +
                                "environment ('" + environment + "' in root_config.json), ignored");
                        }
                    }
                }
                else if (!READ_DIRS.contains(name))
                {
                    for (final Path f : files(top))
                    {
                        warn(dir.relativize(f).toString().replace('\\', '/'), what(name) + " not supported " +
                            "by Outpost, ignored");
                    }
                }
                else
                {
                    for (final Path f : files(top))
                    {
                        final String rel = dir.relativize(f).toString().replace('\\', '/');
                        if (!Set.of("auth/providers.json", "auth/custom_user_data.json", "sync/config.json")
                            .contains(rel))
                        {
                            warn(rel, "not supported, ignored");
                        }
                    }
                }
            }
            else if (!READ_FILES.contains(name))
            {
                warn(name, "not supported, ignored");
            }
        }
    }

    private static String what(final String dirName)
    {
        return switch (dirName)
        {
            case "functions" -> "functions are";
            case "triggers" -> "triggers are";
            case "graphql" -> "GraphQL is";
            case "http_endpoints", "https_endpoints" -> "HTTPS endpoints are";
            case "values" -> "values are";
            case "environments" -> "environments are";
            case "hosting" -> "hosting is";
            case "services" -> "third-party services are";
            case "log_forwarders" -> "log forwarders are";
            default -> "'" + dirName + "/' is";
        };
    }

    private void warn(final String file, final String message)
    {
        warnings.add("App Services export " + dir + ", " + file + ": " + message);
    }

    private List<Path> list(final Path directory)
    {
        try (Stream<Path> s = Files.list(directory))
        {
            return s.sorted().toList();
        }
        catch (final IOException ex)
        {
            throw new ConfigException(setting, "cannot list '" + directory + "': " + ConfigException.reason(ex));
        }
    }

    private List<Path> files(final Path directory)
    {
        try (Stream<Path> s = Files.walk(directory))
        {
            return s.filter(Files::isRegularFile).sorted().toList();
        }
        catch (final IOException ex)
        {
            throw new ConfigException(setting, "cannot list '" + directory + "': " + ConfigException.reason(ex));
        }
    }

    private JsonObject json(final String file, final boolean required)
    {
        final Path path = dir.resolve(file);
        if (!Files.isRegularFile(path))
        {
            if (required)
            {
                throw new ConfigException(setting, "App Services export " + dir, "has no " + file + " (is it the " +
                    "directory 'appservices pull' wrote?)");
            }
            return null;
        }
        final String text;
        try
        {
            text = Files.readString(path, StandardCharsets.UTF_8);
        }
        catch (final IOException | RuntimeException ex)
        {
            throw new ConfigException(setting, "App Services export " + dir + ", " + file, "cannot read: " +
                ConfigException.reason(ex));
        }
        try
        {
            return new JsonObject(text);
        }
        catch (final DecodeException | ClassCastException ex)
        {
            final String why = null == ex.getMessage() ? "" : ex.getMessage().replaceAll("\\s+", " ");
            final int at = why.indexOf("line:");
            throw new ConfigException(setting, "App Services export " + dir + ", " + file, "is not a JSON object" +
                (at >= 0 ? " (" + why.substring(at).replaceAll("[\\]].*", "") + ")" : ""));
        }
    }

    private ConfigException error(final String file, final String key, final String message)
    {
        return new ConfigException(setting, origin(file, key), message);
    }

    private String origin(final String file, final String key)
    {
        return "App Services export " + dir + ", " + file + ", key " + key;
    }

    private boolean bool(final String file, final String key, final Object value, final boolean absent)
    {
        if (null == value)
        {
            return absent;
        }
        if (value instanceof Boolean)
        {
            return (Boolean)value;
        }
        throw error(file, key, "'" + value + "' is not true or false");
    }

    private JsonObject object(final String file, final String key, final Object value)
    {
        if (value instanceof JsonObject)
        {
            return (JsonObject)value;
        }
        if (null == value)
        {
            return new JsonObject();
        }
        throw error(file, key, "must be an object");
    }

    private List<String> strings(final String file, final String key, final Object value)
    {
        if (null == value)
        {
            return List.of();
        }
        if (!(value instanceof JsonArray))
        {
            throw error(file, key, "must be a list of names");
        }
        final List<String> list = new ArrayList<>();
        for (final Object o : (JsonArray)value)
        {
            if (!(o instanceof String) || ((String)o).isBlank())
            {
                throw error(file, key, "'" + o + "' is not a name");
            }
            list.add((String)o);
        }
        return List.copyOf(list);
    }
}
