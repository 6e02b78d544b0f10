package dev.outpost.server.config;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
 * </pre>
 *
 * @param id          the Client App ID clients are configured with.
 * @param dataDir     the app's data directory, or null for the default ({@code <data-dir>/apps/<id>} when the
 *                    configuration lists apps, the data directory itself in the single-app form).
 * @param anonymous   whether the {@code anon-user} provider is enabled.
 * @param userPass    the {@code local-userpass} provider's settings, or null when it is disabled.
 * @param customToken the {@code custom-token} provider's settings, or null when it is disabled.
 * @param apiKeys     whether user API keys ({@code api-key} provider and the {@code auth/api_keys} routes) are on.
 */
public record AppConfig(String id, Path dataDir, boolean anonymous, UserPass userPass, CustomToken customToken,
    boolean apiKeys)
{
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
        return new AppConfig(id, dataDir, anonymous, userPass, customToken, apiKeys);
    }

    /**
     * @param customToken custom JWT settings, or null to disable it.
     * @return a copy with it.
     */
    public AppConfig withCustomToken(final CustomToken customToken)
    {
        return new AppConfig(id, dataDir, anonymous, userPass, customToken, apiKeys);
    }

    /**
     * @param enabled whether user API keys are on.
     * @return a copy with it.
     */
    public AppConfig withApiKeys(final boolean enabled)
    {
        return new AppConfig(id, dataDir, anonymous, userPass, customToken, enabled);
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
     * @return the app.
     * @throws ConfigException naming the key that is not acceptable.
     */
    static AppConfig fromFile(final ConfigFile file, final int index, final Map<String, Object> app)
    {
        final String where = "apps[" + index + "]";
        final Object id = app.get("id");
        if (null == id)
        {
            throw new ConfigException(ServerConfig.APPS_PROP, file.origin(where), "needs an 'id' (the Client App ID)");
        }
        Path dir = null;
        boolean anonymous = true;
        boolean apiKeys = false;
        Boolean userPassOn = null;
        int iterations = UserPass.DEFAULT_ITERATIONS;
        int maxFailed = 10;
        Duration lockout = Duration.ofMinutes(15);
        Boolean tokenOn = null;
        JwtAlgorithm algorithm = null;
        String secret = null;
        String publicKey = null;
        String audience = null;
        List<String> metadataFields = List.of();
        String lastUserPassKey = where + ".auth." + USERPASS_PROVIDER;
        String lastTokenKey = where + ".auth." + CUSTOM_TOKEN_PROVIDER;
        for (final Map.Entry<String, Object> e : app.entrySet())
        {
            final String key = where + "." + e.getKey();
            final String origin = file.origin(key);
            final Object value = e.getValue();
            try
            {
                switch (e.getKey())
                {
                    case "id" ->
                    {
                    }
                    case "data-dir" -> dir = Path.of(String.valueOf(value));
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
                        throw new ConfigException(ServerConfig.APPS_PROP, "unknown key; an app has id, data-dir, " +
                            "auth");
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
        return new AppConfig(String.valueOf(id), dir, anonymous, userPass, token, apiKeys);
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
            throw new ConfigException(ServerConfig.APPS_PROP, "cannot read '" + path + "': " + ex);
        }
    }
}
