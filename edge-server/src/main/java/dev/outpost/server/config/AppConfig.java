package dev.outpost.server.config;

import dev.outpost.ot.rules.Rules;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * One app served by the server: its Client App ID, its data directory (its own users, keys and sync history, never
 * shared with another app) and its auth providers. Immutable.
 * <p>
 * In a config file (an entry of {@code apps:}):
 * <pre>
 * - id: myapp
 *   data-dir: /srv/myapp          # optional
 *   auth:
 *     anon-user: true             # default true
 *     local-userpass:             # or just 'local-userpass: true' for the defaults
 *       iterations: 600000        # PBKDF2-HMAC-SHA256 iterations, 10000..10000000
 *       max-failed-logins: 10     # per account within lockout, then 429 LimitExceeded
 *       lockout: 15m
 *     custom-token:
 *       algorithm: HS256          # or RS256
 *       secret: ...               # HS256: at least 32 bytes (or secret-file: path)
 *       public-key: key.pem       # RS256: X.509 PEM public key
 *       audience: my-audience     # optional 'aud' check
 *       metadata-fields: [name]   # optional: claims copied to the profile's data
 *     api-key: true               # user API keys (default false)
 *   app-config: /srv/export       # optional: an App Services export ('appservices pull'); its auth providers and
 *                                 # sync settings are the defaults of this entry's keys (see AppServicesExport)
 *   sync:                         # optional: the sync settings (SyncSettings), also read from an export
 *     type: flexible              # or partition (then partition: {key: _partition, type: string})
 *     queryable-fields: [owner_id]
 *     collection-queryable-fields: {Item: [status]}
 *     indexed-queryable-fields: [owner_id]
 *     asymmetric-tables: [Event]
 *     development-mode: false
 *     client-max-offline-days: 30
 *     recovery-mode-disabled: false
 *   rules:                        # optional: permission rules (RuleSettings); replace an export's rules
 *     partition: {read: true, write: {"%%partition": "%%user.id"}}
 *     default: {roles: [...]}     # as default_rule.json; classes: {Item: {roles: [...]}} as rules.json
 *   mirror:                       # optional: mirror every server file into PostgreSQL (MirrorSettings)
 *     postgres: postgresql://user:password@host:5432/db
 *     schema: outpost             # default outpost
 *   custom-user-data:             # optional: %%user.custom_data and the access token's user_data (CustomUserData)
 *     class: User                 # a synced class; its object whose user-id-field is the user's id
 *     user-id-field: userId
 *     partition: users            # partition-based sync only: the partition holding the class's objects
 * </pre>
 *
 * @param id          the Client App ID clients are configured with.
 * @param dataDir     the app's data directory, or null for the default ({@code <data-dir>/apps/<id>} when the
 *                    configuration lists apps, the data directory itself in the single-app form).
 * @param anonymous   whether the {@code anon-user} provider is enabled.
 * @param userPass    the {@code local-userpass} provider's settings, or null when it is disabled.
 * @param customToken the {@code custom-token} provider's settings, or null when it is disabled.
 * @param apiKeys     whether user API keys ({@code api-key} provider and the {@code auth/api_keys} routes) are on.
 * @param sync        the sync settings (from {@code sync:} or an App Services export), or null when none are
 *                    configured; the sync engine does not enforce them yet (see edge-server/OPERATING.md).
 * @param warnings    what the app's App Services export holds that Outpost does not apply, one line per item;
 *                    logged once at start.
 * @param rules       the permission rules (from {@code rules:} or an App Services export, see {@link RuleSettings});
 *                    {@link Rules#NONE} when none are configured (nothing is enforced). PBS apps: the partition
 *                    permissions, at BIND and UPLOAD; FLX apps: the roles, on views and uploads; replaced while
 *                    serving by a rules reload.
 * @param mirror      where the app's data is mirrored (PostgreSQL), or null for no mirror.
 * @param customUserData where each user's custom user data is read from, or null when the app has none.
 * @param clientMaxOffline the entry's {@code client-max-offline}: how long a client file may stay away before its
 *                    next IDENT gets client_file_expired 222 (a client reset), {@link Duration#ZERO} for never; null
 *                    when the entry does not set it (then the export's {@code client_max_offline_days}, else the
 *                    server's {@code client-max-offline}, see {@link ServerConfig#forApp}).
 */
public record AppConfig(String id, Path dataDir, boolean anonymous, UserPass userPass, CustomToken customToken,
    boolean apiKeys, SyncSettings sync, List<String> warnings, Rules rules, MirrorSettings mirror,
    CustomUserData customUserData, Duration clientMaxOffline)
{
    /** The top-level keys of an app entry, for the suggestion on a mistyped one. */
    private static final List<String> APP_KEYS = List.of("id", "data-dir", "auth", "app-config", "sync", "rules",
        "mirror.postgres", "mirror.schema", "mirror.resident-files", "custom-user-data", "client-max-offline");

    /** App Services name of the anonymous provider. */
    public static final String ANON_PROVIDER = "anon-user";
    /** App Services name of the email/password provider. */
    public static final String USERPASS_PROVIDER = "local-userpass";
    /** App Services name of the custom JWT provider. */
    public static final String CUSTOM_TOKEN_PROVIDER = "custom-token";
    /** App Services name of the API key provider. */
    public static final String API_KEY_PROVIDER = "api-key";

    public AppConfig
    {
        Objects.requireNonNull(id, "id");
        warnings = null == warnings ? List.of() : List.copyOf(warnings);
        rules = null == rules ? Rules.NONE : rules;
    }

    /**
     * An app without its own {@code client-max-offline}.
     *
     * @param id             app id.
     * @param dataDir        data directory or null.
     * @param anonymous      whether {@code anon-user} is enabled.
     * @param userPass       email/password settings or null.
     * @param customToken    custom JWT settings or null.
     * @param apiKeys        whether user API keys are on.
     * @param sync           sync settings or null.
     * @param warnings       what is not applied.
     * @param rules          the permission rules, or null for none.
     * @param mirror         where to mirror the app's data, or null.
     * @param customUserData where custom user data is read from, or null.
     */
    public AppConfig(final String id, final Path dataDir, final boolean anonymous, final UserPass userPass,
        final CustomToken customToken, final boolean apiKeys, final SyncSettings sync, final List<String> warnings,
        final Rules rules, final MirrorSettings mirror, final CustomUserData customUserData)
    {
        this(id, dataDir, anonymous, userPass, customToken, apiKeys, sync, warnings, rules, mirror, customUserData,
            null);
    }

    /**
     * @param clientMaxOffline how long a client file may stay away ({@link Duration#ZERO}: never expires), or null
     *                         for the export's or the server's value.
     * @return a copy with it.
     */
    public AppConfig withClientMaxOffline(final Duration clientMaxOffline)
    {
        return new AppConfig(id, dataDir, anonymous, userPass, customToken, apiKeys, sync, warnings, rules, mirror,
            customUserData, clientMaxOffline);
    }

    /**
     * An app without custom user data.
     *
     * @param id          app id.
     * @param dataDir     data directory or null.
     * @param anonymous   whether {@code anon-user} is enabled.
     * @param userPass    email/password settings or null.
     * @param customToken custom JWT settings or null.
     * @param apiKeys     whether user API keys are on.
     * @param sync        sync settings or null.
     * @param warnings    what is not applied.
     * @param rules       the permission rules, or null for none.
     * @param mirror      where to mirror the app's data, or null.
     */
    public AppConfig(final String id, final Path dataDir, final boolean anonymous, final UserPass userPass,
        final CustomToken customToken, final boolean apiKeys, final SyncSettings sync, final List<String> warnings,
        final Rules rules, final MirrorSettings mirror)
    {
        this(id, dataDir, anonymous, userPass, customToken, apiKeys, sync, warnings, rules, mirror, null);
    }

    /**
     * An app without permission rules.
     *
     * @param id          app id.
     * @param dataDir     data directory or null.
     * @param anonymous   whether {@code anon-user} is enabled.
     * @param userPass    email/password settings or null.
     * @param customToken custom JWT settings or null.
     * @param apiKeys     whether user API keys are on.
     * @param sync        sync settings or null.
     * @param warnings    what is not applied.
     */
    public AppConfig(final String id, final Path dataDir, final boolean anonymous, final UserPass userPass,
        final CustomToken customToken, final boolean apiKeys, final SyncSettings sync, final List<String> warnings)
    {
        this(id, dataDir, anonymous, userPass, customToken, apiKeys, sync, warnings, Rules.NONE);
    }

    /**
     * @param rules the permission rules.
     * @return a copy with them.
     */
    public AppConfig withRules(final Rules rules)
    {
        return new AppConfig(id, dataDir, anonymous, userPass, customToken, apiKeys, sync, warnings, rules, mirror,
            customUserData, clientMaxOffline);
    }

    /**
     * An app without a mirror.
     *
     * @param id          app id.
     * @param dataDir     data directory or null.
     * @param anonymous   whether {@code anon-user} is enabled.
     * @param userPass    email/password settings or null.
     * @param customToken custom JWT settings or null.
     * @param apiKeys     whether user API keys are on.
     * @param sync        sync settings or null.
     * @param warnings    export warnings.
     * @param rules       the permission rules, or null for none.
     */
    public AppConfig(final String id, final Path dataDir, final boolean anonymous, final UserPass userPass,
        final CustomToken customToken, final boolean apiKeys, final SyncSettings sync, final List<String> warnings,
        final Rules rules)
    {
        this(id, dataDir, anonymous, userPass, customToken, apiKeys, sync, warnings, rules, null);
    }

    /**
     * An app without sync settings.
     *
     * @param id          app id.
     * @param dataDir     data directory or null.
     * @param anonymous   whether {@code anon-user} is enabled.
     * @param userPass    email/password settings or null.
     * @param customToken custom JWT settings or null.
     * @param apiKeys     whether user API keys are on.
     */
    public AppConfig(final String id, final Path dataDir, final boolean anonymous, final UserPass userPass,
        final CustomToken customToken, final boolean apiKeys)
    {
        this(id, dataDir, anonymous, userPass, customToken, apiKeys, null, List.of());
    }

    /**
     * An app with only anonymous login (or none).
     *
     * @param id        app id.
     * @param dataDir   data directory or null.
     * @param anonymous whether {@code anon-user} is enabled.
     */
    public AppConfig(final String id, final Path dataDir, final boolean anonymous)
    {
        this(id, dataDir, anonymous, null, null, false);
    }

    /**
     * @param providerName an App Services provider name from a login URL, e.g. {@code anon-user}.
     * @return whether this app accepts logins through it.
     */
    public boolean providerEnabled(final String providerName)
    {
        return switch (providerName)
        {
            case ANON_PROVIDER -> anonymous;
            case USERPASS_PROVIDER -> null != userPass;
            case CUSTOM_TOKEN_PROVIDER -> null != customToken;
            case API_KEY_PROVIDER -> apiKeys;
            default -> false;
        };
    }

    /**
     * @param userPass email/password settings, or null to disable it.
     * @return a copy with it.
     */
    public AppConfig withUserPass(final UserPass userPass)
    {
        return new AppConfig(id, dataDir, anonymous, userPass, customToken, apiKeys, sync, warnings, rules, mirror,
            customUserData, clientMaxOffline);
    }

    /**
     * @param customToken custom JWT settings, or null to disable it.
     * @return a copy with it.
     */
    public AppConfig withCustomToken(final CustomToken customToken)
    {
        return new AppConfig(id, dataDir, anonymous, userPass, customToken, apiKeys, sync, warnings, rules, mirror,
            customUserData, clientMaxOffline);
    }

    /**
     * @param enabled whether user API keys are on.
     * @return a copy with it.
     */
    public AppConfig withApiKeys(final boolean enabled)
    {
        return new AppConfig(id, dataDir, anonymous, userPass, customToken, enabled, sync, warnings, rules, mirror,
            customUserData, clientMaxOffline);
    }

    /**
     * @param mirror where to mirror the app's data, or null for no mirror.
     * @return a copy with it.
     */
    public AppConfig withMirror(final MirrorSettings mirror)
    {
        return new AppConfig(id, dataDir, anonymous, userPass, customToken, apiKeys, sync, warnings, rules, mirror,
            customUserData, clientMaxOffline);
    }

    /**
     * @param customUserData where custom user data is read from, or null for none.
     * @return a copy with it.
     */
    public AppConfig withCustomUserData(final CustomUserData customUserData)
    {
        return new AppConfig(id, dataDir, anonymous, userPass, customToken, apiKeys, sync, warnings, rules, mirror,
            customUserData, clientMaxOffline);
    }

    /**
     * Custom user data (Atlas's {@code auth/custom_user_data.json}): the object of {@code className} whose
     * {@code userIdField} holds a user's id (a string, or an ObjectId of the same 24 hex digits) is that user's custom
     * data. It is read from the server's object state at login and at each access token refresh, carried in the
     * access token's {@code user_data} claim (the SDKs' {@code user.customData}) and seen by rules as
     * {@code %%user.custom_data}. Flexible sync reads the app's FLX data set; partition-based sync reads the
     * partition {@code partition}.
     *
     * @param className   the synced class holding the documents (Atlas's {@code collection_name}).
     * @param userIdField the field holding the user id (Atlas's {@code user_id_field}).
     * @param partition   partition-based sync: the partition value holding the class's objects (its text: a string,
     *                    a number for a long key, 24 hex digits for an ObjectId key, a UUID); null for flexible sync.
     */
    public record CustomUserData(String className, String userIdField, String partition)
    {
        /** Longest custom user data document carried in an access token, as compact Extended JSON. */
        public static final int MAX_BYTES = 4096;

        public CustomUserData
        {
            if (null == className || className.isBlank() || className.length() > 57)
            {
                throw new ConfigException(ServerConfig.APPS_PROP, "custom-user-data needs 'class': the name of a " +
                    "synced class (1-57 characters)");
            }
            if (null == userIdField || userIdField.isBlank() || userIdField.length() > 63)
            {
                throw new ConfigException(ServerConfig.APPS_PROP, "custom-user-data needs 'user-id-field': the " +
                    "field holding the user id (1-63 characters)");
            }
        }

        /**
         * @param sync the app's sync settings, or null.
         * @return the server file holding the documents, as {@code SyncService} names server files:
         *     {@code flx/<app>} or {@code pbs/<app>/<partition as the BIND path>}.
         */
        public String serverFile(final String appId, final SyncSettings sync)
        {
            if (null == sync || SyncSettings.Mode.PARTITION != sync.mode())
            {
                return "flx/" + appId;
            }
            final String type = null == sync.partitionKeyType() ? "string" : sync.partitionKeyType();
            final String path = switch (type)
            {
                case "long" -> "{\"$numberLong\":\"" + partition + "\"}";
                case "objectId" -> "{\"$oid\":\"" + partition + "\"}";
                case "uuid" -> "{\"$uuid\":\"" + partition + "\"}";
                default -> io.vertx.core.json.Json.encode(partition);
            };
            return "pbs/" + appId + "/" + path;
        }

        /**
         * @param sync the app's sync settings, or null.
         * @throws ConfigException if partition-based sync has no {@code partition}, or flexible sync has one.
         */
        void check(final SyncSettings sync)
        {
            final boolean pbs = null != sync && SyncSettings.Mode.PARTITION == sync.mode();
            if (pbs && (null == partition || partition.isEmpty()))
            {
                throw new ConfigException(ServerConfig.APPS_PROP, "custom-user-data of a partition-based app needs " +
                    "'partition': the partition value whose realm holds the " + className + " objects");
            }
            if (!pbs && null != partition)
            {
                throw new ConfigException(ServerConfig.APPS_PROP, "custom-user-data 'partition' is for " +
                    "partition-based sync only (flexible sync reads the app's one data set)");
            }
            if (pbs && "long".equals(sync.partitionKeyType()) && !partition.matches("-?[0-9]{1,19}"))
            {
                throw new ConfigException(ServerConfig.APPS_PROP, "custom-user-data 'partition' must be an " +
                    "integer (the partition key is a long), not '" + partition + "'");
            }
            if (pbs && "objectId".equals(sync.partitionKeyType()) && !partition.matches("[0-9a-f]{24}"))
            {
                throw new ConfigException(ServerConfig.APPS_PROP, "custom-user-data 'partition' must be 24 " +
                    "lower-case hex digits (the partition key is an objectId), not '" + partition + "'");
            }
        }
    }

    /**
     * Settings of the {@code local-userpass} provider. Registration confirms at once (no e-mail is sent).
     *
     * @param iterations      PBKDF2-HMAC-SHA256 iterations of a stored password hash.
     * @param maxFailedLogins failed logins of one account tolerated within {@code lockout}; the next attempts are
     *                        refused (429) until the window ends.
     * @param lockout         the window of failed logins.
     */
    public record UserPass(int iterations, int maxFailedLogins, Duration lockout)
    {
        public static final int DEFAULT_ITERATIONS = 600_000;
        public static final int MIN_ITERATIONS = 10_000;
        public static final int MAX_ITERATIONS = 10_000_000;

        public UserPass
        {
            if (iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS)
            {
                throw new ConfigException(ServerConfig.APPS_PROP, "local-userpass iterations must be " +
                    MIN_ITERATIONS + ".." + MAX_ITERATIONS + ", not " + iterations);
            }
            if (maxFailedLogins < 1 || maxFailedLogins > 1000)
            {
                throw new ConfigException(ServerConfig.APPS_PROP, "local-userpass max-failed-logins must be " +
                    "1..1000, not " + maxFailedLogins);
            }
            if (lockout.isNegative() || lockout.isZero() || lockout.compareTo(Duration.ofDays(1)) > 0)
            {
                throw new ConfigException(ServerConfig.APPS_PROP, "local-userpass lockout must be more than 0 and " +
                    "at most 1d, not " + lockout);
            }
        }

        /**
         * @return 600 000 iterations (OWASP 2023), 10 failed logins per 15 minutes.
         */
        public static UserPass defaults()
        {
            return new UserPass(DEFAULT_ITERATIONS, 10, Duration.ofMinutes(15));
        }
    }

    /**
     * Settings of the {@code custom-token} provider: JWTs signed by the app's own identity service.
     *
     * @param algorithm HS256 or RS256.
     * @param key       the HS256 secret, or the RS256 public key as PEM text.
     * @param audience  required {@code aud} value, or null to accept any.
     * @param metadataFields top-level claims copied into the user's profile {@code data} at each login (at most 20
     *                       names of 1-64 characters); empty for none.
     */
    public record CustomToken(JwtAlgorithm algorithm, String key, String audience, List<String> metadataFields)
    {
        /** Most metadata fields. */
        public static final int MAX_METADATA_FIELDS = 20;

        /**
         * Without metadata fields.
         *
         * @param algorithm HS256 or RS256.
         * @param key       the HS256 secret, or the RS256 public key as PEM text.
         * @param audience  required {@code aud} value, or null.
         */
        public CustomToken(final JwtAlgorithm algorithm, final String key, final String audience)
        {
            this(algorithm, key, audience, List.of());
        }

        public CustomToken
        {
            Objects.requireNonNull(algorithm, "algorithm");
            metadataFields = null == metadataFields ? List.of() : List.copyOf(metadataFields);
            if (metadataFields.size() > MAX_METADATA_FIELDS ||
                metadataFields.stream().anyMatch(f -> f.isEmpty() || f.length() > 64))
            {
                throw new ConfigException(ServerConfig.APPS_PROP, "custom-token metadata-fields must list at most " +
                    MAX_METADATA_FIELDS + " claim names of 1-64 characters");
            }
            if (JwtAlgorithm.HS256 == algorithm && (null == key || key.getBytes(StandardCharsets.UTF_8).length < 32))
            {
                throw new ConfigException(ServerConfig.APPS_PROP, "custom-token HS256 needs a 'secret' (or " +
                    "'secret-file') of at least 32 bytes");
            }
            if (JwtAlgorithm.RS256 == algorithm && (null == key || !key.contains("-----BEGIN PUBLIC KEY-----")))
            {
                throw new ConfigException(ServerConfig.APPS_PROP, "custom-token RS256 needs 'public-key': a PEM " +
                    "file holding '-----BEGIN PUBLIC KEY-----'");
            }
        }

        @Override
        public String toString()
        {
            return "CustomToken[" + algorithm + (null == audience ? "" : ", aud=" + audience) +
                (metadataFields.isEmpty() ? "" : ", metadata=" + metadataFields) + "]";
        }
    }

    /**
     * Build an app from one flattened entry of a config file's {@code apps:} list.
     *
     * @param file  the file (for error origins).
     * @param index position in the list.
     * @param app   the entry, keys dotted ({@code auth.local-userpass.iterations}).
     * @param environment environment variables (signing keys of an export's custom-token provider).
     * @return the app.
     * @throws ConfigException naming the key that is not acceptable.
     */
    static AppConfig fromFile(final ConfigFile file, final int index, final Map<String, Object> app,
        final Map<String, String> environment)
    {
        final String where = "apps[" + index + "]";
        AppServicesConfig export = null;
        if (null != app.get("app-config"))
        {
            try
            {
                export = AppServicesExport.read(Path.of(String.valueOf(app.get("app-config"))),
                    ServerConfig.APPS_PROP, AppServicesExport.environmentSecrets(environment));
            }
            catch (final ConfigException ex)
            {
                throw ex.withOrigin(file.origin(where + ".app-config"));
            }
        }
        final List<String> warnings = new ArrayList<>(null == export ? List.of() : export.warnings());
        Object id = app.get("id");
        if (null == id && null != export)
        {
            id = export.appId();
        }
        else if (null != id && null != export && null != export.appId() && !export.appId().equals(String.valueOf(id)))
        {
            warnings.add(file.origin(where + ".id") + ": '" + id + "' differs from the export's root_config.json " +
                "app_id '" + export.appId() + "'; serving '" + id + "' (clients must use it)");
        }
        if (null == id)
        {
            throw new ConfigException(ServerConfig.APPS_PROP, file.origin(where), "needs an 'id' (the Client App ID)" +
                (null == export ? "" : ", as the export's root_config.json has no app_id or name"));
        }
        Path dir = null;
        boolean anonymous = null == export || export.anonymous();
        boolean apiKeys = null != export && export.apiKeys();
        // on from the export, else (null) on when the entry configures it
        Boolean userPassOn = null != export && null != export.userPass() ? Boolean.TRUE : null;
        int iterations = UserPass.DEFAULT_ITERATIONS;
        int maxFailed = 10;
        Duration lockout = Duration.ofMinutes(15);
        final AppServicesConfig.TokenSpec spec = null == export ? null : export.customToken();
        Boolean tokenOn = null != spec ? Boolean.TRUE : null;
        JwtAlgorithm algorithm = null == spec ? null : spec.algorithm();
        String secret = null != spec && JwtAlgorithm.HS256 == spec.algorithm() ? spec.key() : null;
        String publicKey = null != spec && JwtAlgorithm.RS256 == spec.algorithm() ? spec.key() : null;
        String audience = null == spec ? null : spec.audience();
        List<String> metadataFields = null == spec ? List.of() : spec.metadataFields();
        String lastUserPassKey = where + ".auth." + USERPASS_PROVIDER;
        String lastTokenKey = where + ".auth." + CUSTOM_TOKEN_PROVIDER;
        SyncSettings.Builder sync = null == export || null == export.sync() ? null :
            new SyncSettings.Builder(export.sync());
        String lastSyncKey = where + ".sync";
        String mirrorUrl = null;
        String mirrorSchema = null;
        Boolean mirrorInbound = null;
        String lastMirrorKey = where + ".mirror";
        Object rulesValue = null;
        CustomUserData customData = null == export ? null : export.customUserData();
        Boolean customDataOn = null;
        String customClass = null == customData ? null : customData.className();
        String customField = null == customData ? null : customData.userIdField();
        String customPartition = null;
        String lastCustomDataKey = where + ".custom-user-data";
        Duration clientMaxOffline = null;
        for (final Map.Entry<String, Object> e : app.entrySet())
        {
            final String key = where + "." + e.getKey();
            final String origin = file.origin(key);
            final Object value = e.getValue();
            try
            {
                if (e.getKey().startsWith("sync.") || "sync".equals(e.getKey()))
                {
                    sync = null == sync ? new SyncSettings.Builder() : sync;
                    syncSetting(sync, e.getKey(), value);
                    lastSyncKey = key;
                    continue;
                }
                switch (e.getKey())
                {
                    case "id", "app-config" ->
                    {
                    }
                    case "rules" -> rulesValue = value;
                    case "custom-user-data", "custom-user-data.enabled" ->
                    {
                        customDataOn = bool(value);
                        lastCustomDataKey = key;
                    }
                    case "custom-user-data.class" ->
                    {
                        customClass = null == value ? null : String.valueOf(value);
                        lastCustomDataKey = key;
                    }
                    case "custom-user-data.user-id-field" ->
                    {
                        customField = null == value ? null : String.valueOf(value);
                        lastCustomDataKey = key;
                    }
                    case "custom-user-data.partition" ->
                    {
                        customPartition = null == value ? null : String.valueOf(value);
                        lastCustomDataKey = key;
                    }
                    case "data-dir" -> dir = Path.of(String.valueOf(value));
                    case "client-max-offline" ->
                    {
                        clientMaxOffline = ServerConfig.parseDuration(ServerConfig.CLIENT_MAX_OFFLINE_PROP,
                            String.valueOf(value));
                        if (clientMaxOffline.isNegative())
                        {
                            throw new ConfigException(ServerConfig.APPS_PROP,
                                "client-max-offline " + value + " is negative (0: clients never expire)");
                        }
                    }
                    case "mirror.postgres" ->
                    {
                        mirrorUrl = null == value ? null : String.valueOf(value);
                        lastMirrorKey = key;
                    }
                    case "mirror.schema" ->
                    {
                        mirrorSchema = null == value ? null : String.valueOf(value);
                        lastMirrorKey = key;
                    }
                    case "mirror.inbound" ->
                    {
                        mirrorInbound = null == value ? null : bool(value);
                        lastMirrorKey = key;
                    }
                    case "auth.anon-user", "auth.anon-user.enabled", "auth.anonymous" ->
                        anonymous = bool(value);
                    case "auth.api-key", "auth.api-key.enabled" -> apiKeys = bool(value);
                    case "auth.local-userpass", "auth.local-userpass.enabled" -> userPassOn = bool(value);
                    case "auth.local-userpass.iterations" ->
                    {
                        iterations = integer(value);
                        lastUserPassKey = key;
                    }
                    case "auth.local-userpass.max-failed-logins" ->
                    {
                        maxFailed = integer(value);
                        lastUserPassKey = key;
                    }
                    case "auth.local-userpass.lockout" ->
                    {
                        lockout = ServerConfig.parseDuration(ServerConfig.APPS_PROP, String.valueOf(value));
                        lastUserPassKey = key;
                    }
                    case "auth.custom-token", "auth.custom-token.enabled" -> tokenOn = bool(value);
                    case "auth.custom-token.algorithm" ->
                    {
                        algorithm = algorithm(value);
                        lastTokenKey = key;
                    }
                    case "auth.custom-token.secret" ->
                    {
                        secret = String.valueOf(value);
                        lastTokenKey = key;
                    }
                    case "auth.custom-token.secret-file" ->
                    {
                        secret = readFile(Path.of(String.valueOf(value))).trim();
                        lastTokenKey = key;
                    }
                    case "auth.custom-token.public-key" ->
                    {
                        publicKey = readFile(Path.of(String.valueOf(value)));
                        lastTokenKey = key;
                    }
                    case "auth.custom-token.metadata-fields" ->
                    {
                        metadataFields = value instanceof List ? ((List<?>)value).stream().map(String::valueOf)
                            .toList() : List.of(String.valueOf(value).split(","));
                        lastTokenKey = key;
                    }
                    case "auth.custom-token.audience" ->
                    {
                        audience = String.valueOf(value);
                        lastTokenKey = key;
                    }
                    default ->
                    {
                        if (e.getKey().startsWith("auth."))
                        {
                            throw new ConfigException(ServerConfig.APPS_PROP, "unsupported auth provider or " +
                                "setting; supported: anon-user, local-userpass {iterations, max-failed-logins, " +
                                "lockout}, custom-token {algorithm, secret, secret-file, public-key, audience, metadata-fields}, " +
                                "api-key");
                        }
                        if (e.getKey().startsWith("custom-user-data"))
                        {
                            throw new ConfigException(ServerConfig.APPS_PROP, "unknown custom-user-data setting; " +
                                "supported: custom-user-data {enabled, class, user-id-field, partition}");
                        }
                        if (e.getKey().startsWith("mirror"))
                        {
                            throw new ConfigException(ServerConfig.APPS_PROP, "unknown mirror setting; supported: " +
                                "mirror {postgres, schema, inbound}");
                        }
                        final String nearest = ConfigException.nearest(e.getKey(), APP_KEYS);
                        throw new ConfigException(ServerConfig.APPS_PROP, "unknown key" + (null == nearest ? "" :
                            "; did you mean '" + nearest + "'?") + " An app has id, data-dir, auth, app-config, " +
                            "sync, rules, mirror, custom-user-data, client-max-offline");
                    }
                }
            }
            catch (final ConfigException ex)
            {
                throw new ConfigException(ServerConfig.APPS_PROP, origin, ex.detail());
            }
        }
        UserPass userPass = null;
        if (null == userPassOn ? !lastUserPassKey.equals(where + ".auth." + USERPASS_PROVIDER) : userPassOn)
        {
            try
            {
                userPass = new UserPass(iterations, maxFailed, lockout);
            }
            catch (final ConfigException ex)
            {
                throw new ConfigException(ServerConfig.APPS_PROP, file.origin(lastUserPassKey), ex.detail());
            }
        }
        CustomToken token = null;
        if (null == tokenOn ? !lastTokenKey.equals(where + ".auth." + CUSTOM_TOKEN_PROVIDER) : tokenOn)
        {
            final JwtAlgorithm alg = null != algorithm ? algorithm :
                null != publicKey ? JwtAlgorithm.RS256 : JwtAlgorithm.HS256;
            if (null != spec && null == (JwtAlgorithm.RS256 == alg ? publicKey : secret))
            {
                throw missingKey(ServerConfig.APPS_PROP, spec, "auth.custom-token." +
                    (JwtAlgorithm.RS256 == alg ? "public-key" : "secret or secret-file") + " in " + file.origin(where));
            }
            try
            {
                token = new CustomToken(alg, JwtAlgorithm.RS256 == alg ? publicKey : secret, audience,
                    metadataFields.stream().map(String::trim).toList());
            }
            catch (final ConfigException ex)
            {
                throw new ConfigException(ServerConfig.APPS_PROP, file.origin(lastTokenKey), ex.detail());
            }
        }
        SyncSettings syncSettings = null;
        if (null != sync)
        {
            try
            {
                syncSettings = sync.build();
            }
            catch (final IllegalArgumentException ex)
            {
                throw new ConfigException(ServerConfig.APPS_PROP, file.origin(lastSyncKey), ex.getMessage());
            }
        }
        Rules rules = null == export ? Rules.NONE : export.rules();
        if (null != rulesValue)
        {
            rules = RuleSettings.fromYaml(rulesValue, syncSettings, file.origin(where + ".rules"));
        }

        MirrorSettings mirror = null;
        if (null != mirrorUrl || null != mirrorSchema || null != mirrorInbound)
        {
            try
            {
                mirror = new MirrorSettings(mirrorUrl, mirrorSchema,
                    null == mirrorInbound ? MirrorSettings.INBOUND_DEFAULT : mirrorInbound);
            }
            catch (final ConfigException ex)
            {
                throw new ConfigException(ServerConfig.APPS_PROP, file.origin(lastMirrorKey), ex.detail());
            }
        }
        customData = null;
        final boolean customDataKeys = !lastCustomDataKey.equals(where + ".custom-user-data");
        final boolean exportPbsOnly = !customDataKeys && null != export && null != export.customUserData() &&
            null != syncSettings && SyncSettings.Mode.PARTITION == syncSettings.mode();
        if (null == customDataOn ? customDataKeys || (null != export && null != export.customUserData() &&
            !exportPbsOnly) : customDataOn)
        {
            try
            {
                customData = new CustomUserData(customClass, customField, customPartition);
                customData.check(syncSettings);
            }
            catch (final ConfigException ex)
            {
                throw new ConfigException(ServerConfig.APPS_PROP, file.origin(lastCustomDataKey), ex.detail());
            }
        }
        return new AppConfig(String.valueOf(id), dir, anonymous, userPass, token, apiKeys, syncSettings, warnings,
            rules, mirror, customData, clientMaxOffline);
    }

    /**
     * The single app of an App Services export ({@code app-config} of the single-app form).
     *
     * @param id      the app id to serve.
     * @param export  the export read.
     * @param extra   warnings to add to the export's.
     * @return the app.
     * @throws ConfigException if the custom-token provider's signing key was not given.
     */
    static AppConfig fromExport(final String id, final AppServicesConfig export, final List<String> extra)
    {
        CustomToken token = null;
        final AppServicesConfig.TokenSpec spec = export.customToken();
        if (null != spec)
        {
            if (null == spec.key())
            {
                throw missingKey(ServerConfig.APP_CONFIG_PROP, spec, null);
            }
            try
            {
                token = new CustomToken(spec.algorithm(), spec.key(), spec.audience(), spec.metadataFields());
            }
            catch (final ConfigException ex)
            {
                throw new ConfigException(ServerConfig.APP_CONFIG_PROP, spec.origin(), "the signing key given for " +
                    "secret " + spec.secretNames() + ": " + ex.detail());
            }
        }
        final List<String> warnings = new ArrayList<>(export.warnings());
        warnings.addAll(extra);
        return new AppConfig(id, null, export.anonymous(), export.userPass(), token, export.apiKeys(), export.sync(),
            warnings, export.rules(), null, null != export.sync() && SyncSettings.Mode.PARTITION ==
            export.sync().mode() ? null : export.customUserData());
    }

    private static ConfigException missingKey(final String setting, final AppServicesConfig.TokenSpec spec,
        final String alternative)
    {
        final String how = spec.secretNames().isEmpty() ? "the export names no signing key secret; give the key " +
            "as " + AppServicesExport.SECRET_ENV_PREFIX + "<NAME> after adding the secret name to signingKeys" :
            "the export holds only the name of the App Services secret with the signing key ('" +
            String.join("', '", spec.secretNames()) + "'), not its value; give the value in the environment " +
            "variable " + AppServicesExport.secretVariable(spec.secretNames().get(0)) + " (or " +
            AppServicesExport.secretVariable(spec.secretNames().get(0)) + "_FILE naming a file holding it)";
        return new ConfigException(setting, spec.origin(), "custom-token " + spec.algorithm() + ": " + how +
            (null == alternative ? "" : ", or as " + alternative));
    }

    private static void syncSetting(final SyncSettings.Builder b, final String key, final Object value)
    {
        final String name = key.substring(Math.min(key.length(), "sync.".length()));
        if (name.startsWith("collection-queryable-fields."))
        {
            b.collectionQueryableFields.put(name.substring("collection-queryable-fields.".length()), names(value));
            return;
        }
        switch (name)
        {
            case "type" ->
            {
                final SyncSettings.Mode mode = SyncSettings.Mode.of(String.valueOf(value));
                if (null == mode)
                {
                    throw new ConfigException(ServerConfig.APPS_PROP, "'" + value + "' is not a sync type Outpost " +
                        "serves: flexible or partition");
                }
                b.mode = mode;
            }
            case "enabled" -> b.enabled = bool(value);
            case "development-mode" -> b.developmentMode = bool(value);
            case "recovery-mode-disabled" -> b.recoveryModeDisabled = bool(value);
            case "client-max-offline-days" -> b.clientMaxOfflineDays = integer(value);
            case "queryable-fields" -> b.queryableFields = names(value);
            case "indexed-queryable-fields" -> b.indexedQueryableFields = names(value);
            case "asymmetric-tables" -> b.asymmetricTables = names(value);
            case "partition.key" -> b.partitionKey = String.valueOf(value);
            case "partition.type" -> b.partitionKeyType = String.valueOf(value);
            case "collection-queryable-fields" ->
            {
                if (null != value)
                {
                    throw new ConfigException(ServerConfig.APPS_PROP, "must map class names to field lists");
                }
            }
            default -> throw new ConfigException(ServerConfig.APPS_PROP, "unknown sync setting; supported: type, " +
                "enabled, development-mode, queryable-fields, collection-queryable-fields, indexed-queryable-fields, " +
                "asymmetric-tables, client-max-offline-days, recovery-mode-disabled, partition {key, type}");
        }
    }

    private static List<String> names(final Object value)
    {
        if (null == value)
        {
            return List.of();
        }
        final List<String> list = value instanceof List ? ((List<?>)value).stream().map(String::valueOf).toList() :
            java.util.Arrays.stream(String.valueOf(value).split(",")).map(String::trim).filter(t -> !t.isEmpty())
                .toList();
        if (list.stream().anyMatch(String::isBlank))
        {
            throw new ConfigException(ServerConfig.APPS_PROP, "'" + value + "' has an empty name");
        }
        return List.copyOf(list);
    }

    private static boolean bool(final Object value)
    {
        if (value instanceof Boolean)
        {
            return (Boolean)value;
        }
        final String text = String.valueOf(value).trim().toLowerCase(Locale.ROOT);
        if ("true".equals(text))
        {
            return true;
        }
        if ("false".equals(text))
        {
            return false;
        }
        throw new ConfigException(ServerConfig.APPS_PROP, "'" + value + "' is not true or false");
    }

    private static int integer(final Object value)
    {
        try
        {
            return value instanceof Number ? Math.toIntExact(((Number)value).longValue()) :
                Integer.parseInt(String.valueOf(value).trim());
        }
        catch (final RuntimeException ex)
        {
            throw new ConfigException(ServerConfig.APPS_PROP, "'" + value + "' is not an integer");
        }
    }

    private static JwtAlgorithm algorithm(final Object value)
    {
        final String text = String.valueOf(value).trim().toUpperCase(Locale.ROOT);
        for (final JwtAlgorithm a : JwtAlgorithm.values())
        {
            if (a.name().equals(text))
            {
                return a;
            }
        }
        throw new ConfigException(ServerConfig.APPS_PROP, "'" + value + "' is not HS256 or RS256");
    }

    private static String readFile(final Path path)
    {
        try
        {
            return Files.readString(path, StandardCharsets.UTF_8);
        }
        catch (final Exception ex)
        {
            throw new ConfigException(ServerConfig.APPS_PROP, "cannot read '" + path + "': " +
                ConfigException.reason(ex));
        }
    }
}
