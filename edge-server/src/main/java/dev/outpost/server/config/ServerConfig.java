package dev.outpost.server.config;

import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.SystemEpochClock;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Every setting of the edge server in one place (in the manner of Aeron's {@code Context}): its property name,
 * its default, and its validation.
 * <p>
 * A new instance starts from the defaults, overridden by the system property of each setting (for example
 * {@code -Doutpost.port=9090}) and then by the environment variable of the same name in upper case with {@code _}
 * for {@code .} ({@code OUTPOST_PORT}). The CLI and an embedding application then call the fluent setters.
 * {@link #conclude()} validates the whole configuration and throws a {@link ConfigException} naming the first bad
 * setting. Not thread-safe: build it on one thread, then hand it to the server, which does not change it.
 */
public final class ServerConfig
{
    public static final String HOST_PROP = "outpost.host";
    public static final String HOST_DEFAULT = "127.0.0.1";

    public static final String PORT_PROP = "outpost.port";
    public static final int PORT_DEFAULT = 9090;

    public static final String DATA_DIR_PROP = "outpost.data.dir";
    public static final String DATA_DIR_DEFAULT = "data";

    public static final String APP_ID_PROP = "outpost.app.id";
    public static final String APP_ID_DEFAULT = "outpost";

    public static final String IDLE_TIMEOUT_PROP = "outpost.idle.timeout";
    public static final Duration IDLE_TIMEOUT_DEFAULT = Duration.ofMinutes(10);

    public static final String ACCESS_TOKEN_TTL_PROP = "outpost.access.token.ttl";
    public static final Duration ACCESS_TOKEN_TTL_DEFAULT = Duration.ofMinutes(30);

    public static final String REFRESH_TOKEN_TTL_PROP = "outpost.refresh.token.ttl";
    public static final Duration REFRESH_TOKEN_TTL_DEFAULT = Duration.ofDays(60);

    public static final String JWT_ALGORITHM_PROP = "outpost.jwt.algorithm";
    public static final JwtAlgorithm JWT_ALGORITHM_DEFAULT = JwtAlgorithm.HS256;

    public static final String JWT_PRIVATE_KEY_PROP = "outpost.jwt.private.key";
    public static final String JWT_PUBLIC_KEY_PROP = "outpost.jwt.public.key";

    public static final String MAX_DOWNLOAD_SIZE_PROP = "outpost.max.download.size";
    public static final int MAX_DOWNLOAD_SIZE_DEFAULT = 16 * 1024 * 1024;

    public static final String MAX_MESSAGE_SIZE_PROP = "outpost.ws.max.message.size";
    public static final int MAX_MESSAGE_SIZE_DEFAULT = 32 * 1024 * 1024;

    public static final String COMPRESSION_THRESHOLD_PROP = "outpost.compression.threshold";
    public static final int COMPRESSION_THRESHOLD_DEFAULT = 1024;

    public static final String EVENT_LOOPS_PROP = "outpost.event.loops";
    public static final int EVENT_LOOPS_DEFAULT = Math.max(1, Runtime.getRuntime().availableProcessors());

    /** Head room of a WebSocket message over the largest body it carries (message head, compression overhead). */
    public static final int MESSAGE_HEAD_ROOM = 64 * 1024;

    private static final Pattern APP_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9._:%\\[\\]-]{1,253}");
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)?");
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(b|k|kib|m|mib|g|gib)?");

    private String host;
    private int port;
    private Path dataDir;
    private String appId;
    private Duration idleTimeout;
    private Duration accessTokenTtl;
    private Duration refreshTokenTtl;
    private JwtAlgorithm jwtAlgorithm;
    private Path jwtPrivateKeyFile;
    private Path jwtPublicKeyFile;
    private int maxDownloadSize;
    private int maxMessageSize;
    private int compressionThreshold;
    private int eventLoops;
    private EpochClock epochClock = SystemEpochClock.INSTANCE;

    /**
     * Defaults overridden by system properties and environment variables.
     *
     * @throws ConfigException if a property or environment variable does not parse.
     */
    public ServerConfig()
    {
        this(System.getenv());
    }

    /**
     * Defaults overridden by system properties, then by the given environment.
     *
     * @param environment environment variables ({@code OUTPOST_PORT} etc.); an empty map ignores the environment.
     * @throws ConfigException if a property or environment variable does not parse.
     */
    public ServerConfig(final Map<String, String> environment)
    {
        host = raw(HOST_PROP, environment, HOST_DEFAULT);
        port = parseInt(PORT_PROP, raw(PORT_PROP, environment, String.valueOf(PORT_DEFAULT)));
        dataDir = Path.of(raw(DATA_DIR_PROP, environment, DATA_DIR_DEFAULT));
        appId = raw(APP_ID_PROP, environment, APP_ID_DEFAULT);
        idleTimeout = parseDuration(IDLE_TIMEOUT_PROP, raw(IDLE_TIMEOUT_PROP, environment, null), IDLE_TIMEOUT_DEFAULT);
        accessTokenTtl = parseDuration(
            ACCESS_TOKEN_TTL_PROP, raw(ACCESS_TOKEN_TTL_PROP, environment, null), ACCESS_TOKEN_TTL_DEFAULT);
        refreshTokenTtl = parseDuration(
            REFRESH_TOKEN_TTL_PROP, raw(REFRESH_TOKEN_TTL_PROP, environment, null), REFRESH_TOKEN_TTL_DEFAULT);
        jwtAlgorithm = parseAlgorithm(raw(JWT_ALGORITHM_PROP, environment, JWT_ALGORITHM_DEFAULT.name()));
        final String privateKey = raw(JWT_PRIVATE_KEY_PROP, environment, null);
        jwtPrivateKeyFile = null == privateKey ? null : Path.of(privateKey);
        final String publicKey = raw(JWT_PUBLIC_KEY_PROP, environment, null);
        jwtPublicKeyFile = null == publicKey ? null : Path.of(publicKey);
        maxDownloadSize = parseSize(
            MAX_DOWNLOAD_SIZE_PROP, raw(MAX_DOWNLOAD_SIZE_PROP, environment, null), MAX_DOWNLOAD_SIZE_DEFAULT);
        maxMessageSize = parseSize(
            MAX_MESSAGE_SIZE_PROP, raw(MAX_MESSAGE_SIZE_PROP, environment, null), MAX_MESSAGE_SIZE_DEFAULT);
        compressionThreshold = parseSize(
            COMPRESSION_THRESHOLD_PROP, raw(COMPRESSION_THRESHOLD_PROP, environment, null),
            COMPRESSION_THRESHOLD_DEFAULT);
        eventLoops = parseInt(EVENT_LOOPS_PROP, raw(EVENT_LOOPS_PROP, environment, String.valueOf(EVENT_LOOPS_DEFAULT)));
    }

    /**
     * Validate every setting and create the data directory if it does not exist.
     *
     * @return this.
     * @throws ConfigException naming the first setting that is not acceptable.
     */
    public ServerConfig conclude()
    {
        if (null == host || !HOST.matcher(host).matches())
        {
            throw new ConfigException(HOST_PROP, "'" + host + "' is not a host name or IP address");
        }
        if (port < 0 || port > 65535)
        {
            throw new ConfigException(PORT_PROP, port + " is outside 0..65535 (0 picks a free port)");
        }
        if (null == appId || !APP_ID.matcher(appId).matches())
        {
            throw new ConfigException(APP_ID_PROP, "'" + appId + "' must be 1-128 characters of A-Z a-z 0-9 _ . - " +
                "starting with a letter or digit");
        }
        requirePositive(IDLE_TIMEOUT_PROP, idleTimeout);
        requirePositive(ACCESS_TOKEN_TTL_PROP, accessTokenTtl);
        requirePositive(REFRESH_TOKEN_TTL_PROP, refreshTokenTtl);
        if (refreshTokenTtl.compareTo(accessTokenTtl) < 0)
        {
            throw new ConfigException(REFRESH_TOKEN_TTL_PROP, refreshTokenTtl + " is shorter than " +
                ACCESS_TOKEN_TTL_PROP + " " + accessTokenTtl);
        }
        if (null == jwtAlgorithm)
        {
            throw new ConfigException(JWT_ALGORITHM_PROP, "must be HS256 or RS256");
        }
        if (JwtAlgorithm.RS256 == jwtAlgorithm)
        {
            requireReadable(JWT_PRIVATE_KEY_PROP, jwtPrivateKeyFile, "RS256 needs a PKCS#8 PEM private key file");
            requireReadable(JWT_PUBLIC_KEY_PROP, jwtPublicKeyFile, "RS256 needs an X.509 PEM public key file");
        }
        if (maxDownloadSize < 64 * 1024 || maxDownloadSize > 512 * 1024 * 1024)
        {
            throw new ConfigException(MAX_DOWNLOAD_SIZE_PROP, maxDownloadSize + " bytes is outside 64 KiB..512 MiB");
        }
        if (maxMessageSize < (long)maxDownloadSize + MESSAGE_HEAD_ROOM || maxMessageSize > 1024 * 1024 * 1024)
        {
            throw new ConfigException(MAX_MESSAGE_SIZE_PROP, maxMessageSize + " bytes must be at least " +
                MAX_DOWNLOAD_SIZE_PROP + " + 64 KiB (" + ((long)maxDownloadSize + MESSAGE_HEAD_ROOM) +
                ") and at most 1 GiB");
        }
        if (compressionThreshold < 0)
        {
            throw new ConfigException(COMPRESSION_THRESHOLD_PROP, compressionThreshold + " is negative");
        }
        if (eventLoops < 1 || eventLoops > 1024)
        {
            throw new ConfigException(EVENT_LOOPS_PROP, eventLoops + " is outside 1..1024");
        }
        if (null == epochClock)
        {
            throw new ConfigException("epochClock", "must not be null");
        }
        if (null == dataDir)
        {
            throw new ConfigException(DATA_DIR_PROP, "must be set");
        }
        try
        {
            Files.createDirectories(dataDir);
        }
        catch (final Exception ex)
        {
            throw new ConfigException(DATA_DIR_PROP, "cannot create directory '" + dataDir + "': " + ex);
        }
        if (!Files.isDirectory(dataDir) || !Files.isWritable(dataDir))
        {
            throw new ConfigException(DATA_DIR_PROP, "'" + dataDir + "' is not a writable directory");
        }
        return this;
    }

    public String host()
    {
        return host;
    }

    public ServerConfig host(final String host)
    {
        this.host = host;
        return this;
    }

    public int port()
    {
        return port;
    }

    public ServerConfig port(final int port)
    {
        this.port = port;
        return this;
    }

    public Path dataDir()
    {
        return dataDir;
    }

    public ServerConfig dataDir(final Path dataDir)
    {
        this.dataDir = dataDir;
        return this;
    }

    public String appId()
    {
        return appId;
    }

    public ServerConfig appId(final String appId)
    {
        this.appId = appId;
        return this;
    }

    /**
     * @return how long a sync connection may stay silent (no inbound message) before the server drops it.
     */
    public Duration idleTimeout()
    {
        return idleTimeout;
    }

    public ServerConfig idleTimeout(final Duration idleTimeout)
    {
        this.idleTimeout = idleTimeout;
        return this;
    }

    public Duration accessTokenTtl()
    {
        return accessTokenTtl;
    }

    public ServerConfig accessTokenTtl(final Duration accessTokenTtl)
    {
        this.accessTokenTtl = accessTokenTtl;
        return this;
    }

    public Duration refreshTokenTtl()
    {
        return refreshTokenTtl;
    }

    public ServerConfig refreshTokenTtl(final Duration refreshTokenTtl)
    {
        this.refreshTokenTtl = refreshTokenTtl;
        return this;
    }

    public JwtAlgorithm jwtAlgorithm()
    {
        return jwtAlgorithm;
    }

    public ServerConfig jwtAlgorithm(final JwtAlgorithm jwtAlgorithm)
    {
        this.jwtAlgorithm = jwtAlgorithm;
        return this;
    }

    public Path jwtPrivateKeyFile()
    {
        return jwtPrivateKeyFile;
    }

    public ServerConfig jwtPrivateKeyFile(final Path jwtPrivateKeyFile)
    {
        this.jwtPrivateKeyFile = jwtPrivateKeyFile;
        return this;
    }

    public Path jwtPublicKeyFile()
    {
        return jwtPublicKeyFile;
    }

    public ServerConfig jwtPublicKeyFile(final Path jwtPublicKeyFile)
    {
        this.jwtPublicKeyFile = jwtPublicKeyFile;
        return this;
    }

    /**
     * @return the largest DOWNLOAD body (uncompressed changeset bytes) the session layer puts in one message.
     */
    public int maxDownloadSize()
    {
        return maxDownloadSize;
    }

    public ServerConfig maxDownloadSize(final int maxDownloadSize)
    {
        this.maxDownloadSize = maxDownloadSize;
        return this;
    }

    /**
     * @return the largest WebSocket frame and message accepted from a client; larger ones close the connection
     * with 1009.
     */
    public int maxMessageSize()
    {
        return maxMessageSize;
    }

    public ServerConfig maxMessageSize(final int maxMessageSize)
    {
        this.maxMessageSize = maxMessageSize;
        return this;
    }

    /**
     * @return bodies at least this large are zlib-compressed by the session layer.
     */
    public int compressionThreshold()
    {
        return compressionThreshold;
    }

    public ServerConfig compressionThreshold(final int compressionThreshold)
    {
        this.compressionThreshold = compressionThreshold;
        return this;
    }

    public int eventLoops()
    {
        return eventLoops;
    }

    public ServerConfig eventLoops(final int eventLoops)
    {
        this.eventLoops = eventLoops;
        return this;
    }

    /**
     * @return the wall clock used for token issue and expiry (embedding and tests only; no property).
     */
    public EpochClock epochClock()
    {
        return epochClock;
    }

    public ServerConfig epochClock(final EpochClock epochClock)
    {
        this.epochClock = epochClock;
        return this;
    }

    /**
     * Parse a duration as the CLI and properties accept it: {@code 500ms}, {@code 30s}, {@code 10m}, {@code 2h},
     * {@code 60d}, a bare number of seconds, or ISO-8601 ({@code PT10M}).
     *
     * @param setting property name reported on error.
     * @param text    the text to parse.
     * @return the duration.
     * @throws ConfigException if it does not parse.
     */
    public static Duration parseDuration(final String setting, final String text)
    {
        final String value = text.trim().toLowerCase(Locale.ROOT);
        final var m = DURATION.matcher(value);
        try
        {
            if (m.matches())
            {
                final long amount = Long.parseLong(m.group(1));
                final String unit = null == m.group(2) ? "s" : m.group(2);
                switch (unit)
                {
                    case "ms":
                        return Duration.ofMillis(amount);
                    case "m":
                        return Duration.ofMinutes(amount);
                    case "h":
                        return Duration.ofHours(amount);
                    case "d":
                        return Duration.ofDays(amount);
                    default:
                        return Duration.ofSeconds(amount);
                }
            }
            return Duration.parse(text.trim());
        }
        catch (final RuntimeException ex)
        {
            throw new ConfigException(setting, "'" + text + "' is not a duration (examples: 500ms, 30s, 10m, 2h, " +
                "60d, PT10M)");
        }
    }

    /**
     * Parse a byte size: a number of bytes, or with a unit {@code k}/{@code KiB}, {@code m}/{@code MiB},
     * {@code g}/{@code GiB} (all binary).
     *
     * @param setting property name reported on error.
     * @param text    the text to parse.
     * @return the size in bytes.
     * @throws ConfigException if it does not parse or exceeds 2 GiB - 1.
     */
    public static int parseSize(final String setting, final String text)
    {
        final var m = SIZE.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (m.matches())
        {
            try
            {
                final long amount = Long.parseLong(m.group(1));
                final String unit = null == m.group(2) ? "b" : m.group(2);
                final long multiplier = unit.startsWith("k") ? 1024L : unit.startsWith("m") ? 1024L * 1024 :
                    unit.startsWith("g") ? 1024L * 1024 * 1024 : 1L;
                final long bytes = Math.multiplyExact(amount, multiplier);
                if (bytes <= Integer.MAX_VALUE)
                {
                    return (int)bytes;
                }
            }
            catch (final ArithmeticException | NumberFormatException ignore)
            {
                // reported below
            }
        }
        throw new ConfigException(setting, "'" + text + "' is not a size below 2 GiB (examples: 1024, 64KiB, 16MiB)");
    }

    public String toString()
    {
        return "ServerConfig{" +
            "host=" + host +
            ", port=" + port +
            ", dataDir=" + dataDir +
            ", appId=" + appId +
            ", idleTimeout=" + idleTimeout +
            ", accessTokenTtl=" + accessTokenTtl +
            ", refreshTokenTtl=" + refreshTokenTtl +
            ", jwtAlgorithm=" + jwtAlgorithm +
            ", jwtPrivateKeyFile=" + jwtPrivateKeyFile +
            ", jwtPublicKeyFile=" + jwtPublicKeyFile +
            ", maxDownloadSize=" + maxDownloadSize +
            ", maxMessageSize=" + maxMessageSize +
            ", compressionThreshold=" + compressionThreshold +
            ", eventLoops=" + eventLoops +
            '}';
    }

    private static String raw(final String property, final Map<String, String> environment, final String fallback)
    {
        final String env = environment.get(property.toUpperCase(Locale.ROOT).replace('.', '_'));
        if (null != env && !env.isBlank())
        {
            return env.trim();
        }
        final String prop = System.getProperty(property);
        if (null != prop && !prop.isBlank())
        {
            return prop.trim();
        }
        return fallback;
    }

    private static int parseInt(final String setting, final String text)
    {
        try
        {
            return Integer.parseInt(text.trim());
        }
        catch (final NumberFormatException ex)
        {
            throw new ConfigException(setting, "'" + text + "' is not an integer");
        }
    }

    private static Duration parseDuration(final String setting, final String text, final Duration fallback)
    {
        return null == text ? fallback : parseDuration(setting, text);
    }

    private static int parseSize(final String setting, final String text, final int fallback)
    {
        return null == text ? fallback : parseSize(setting, text);
    }

    private static JwtAlgorithm parseAlgorithm(final String text)
    {
        try
        {
            return JwtAlgorithm.valueOf(text.trim().toUpperCase(Locale.ROOT));
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ConfigException(JWT_ALGORITHM_PROP, "'" + text + "' is not one of HS256, RS256");
        }
    }

    private static void requirePositive(final String setting, final Duration value)
    {
        if (null == value || value.isNegative() || value.isZero())
        {
            throw new ConfigException(setting, value + " must be a positive duration");
        }
    }

    private static void requireReadable(final String setting, final Path file, final String why)
    {
        if (null == file)
        {
            throw new ConfigException(setting, why + "; none given");
        }
        if (!Files.isRegularFile(file) || !Files.isReadable(file))
        {
            throw new ConfigException(setting, "'" + file + "' is not a readable file (" + why + ")");
        }
    }
}
