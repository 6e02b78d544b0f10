package dev.outpost.server.config;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * Where an app's data is mirrored: a PostgreSQL database and the schema holding one table per class. Immutable.
 * {@link #toString()} never shows the password.
 * <p>
 * The URL is a libpq URI ({@code postgresql://user:password@host:5432/db?sslmode=require}, also {@code postgres://})
 * or a pgjdbc URL ({@code jdbc:postgresql://host:5432/db?user=u&password=p}).
 *
 * @param url     the database URL as given.
 * @param schema  the schema of the tables (created if missing).
 * @param inbound whether SQL writes to the mirror's tables reach the clients (the inbound path, PgInbound);
 *                default {@link #INBOUND_DEFAULT}.
 */
public record MirrorSettings(String url, String schema, boolean inbound)
{
    /** Whether the inbound path is on when not said. */
    public static final boolean INBOUND_DEFAULT = true;

    /** The schema when none is given. */
    public static final String SCHEMA_DEFAULT = "outpost";

    private static final Pattern SCHEMA = Pattern.compile("[A-Za-z_][A-Za-z0-9_$]{0,62}");
    private static final Pattern PASSWORD_PARAM = Pattern.compile("(?i)(password=)[^&]*");
    private static final Pattern USER_INFO_PASSWORD = Pattern.compile("(//[^:/@]*:)[^@/]*@");

    /**
     * @throws ConfigException naming {@link ServerConfig#MIRROR_POSTGRES_PROP} or {@link ServerConfig#MIRROR_SCHEMA_PROP}.
     */
    public MirrorSettings
    {
        schema = null == schema || schema.isBlank() ? SCHEMA_DEFAULT : schema.trim();
        if (null == url || url.isBlank())
        {
            throw new ConfigException(ServerConfig.MIRROR_POSTGRES_PROP, "needs a PostgreSQL URL " +
                "(postgresql://user:password@host:5432/database)");
        }
        url = url.trim();
        if (!url.startsWith("postgresql://") && !url.startsWith("postgres://") && !url.startsWith("jdbc:postgresql://"))
        {
            throw new ConfigException(ServerConfig.MIRROR_POSTGRES_PROP, "'" + redact(url) + "' is not a PostgreSQL " +
                "URL: postgresql://user:password@host:5432/database or jdbc:postgresql://host:5432/database");
        }
        if (!SCHEMA.matcher(schema).matches())
        {
            throw new ConfigException(ServerConfig.MIRROR_SCHEMA_PROP, "'" + schema + "' must be 1-63 characters " +
                "of A-Z a-z 0-9 _ $ starting with a letter or _");
        }
        jdbc(url);
    }

    /**
     * Settings with the inbound path at its default ({@link #INBOUND_DEFAULT}).
     *
     * @param url    the database URL as given.
     * @param schema the schema of the tables, or null for {@link #SCHEMA_DEFAULT}.
     */
    public MirrorSettings(final String url, final String schema)
    {
        this(url, schema, INBOUND_DEFAULT);
    }

    /** @return the pgjdbc URL (without the user name and password of a libpq URI: see {@link #properties()}). */
    public String jdbcUrl()
    {
        return jdbc(url).url;
    }

    /** @return connection properties: user and password of a libpq URI, if any. */
    public Properties properties()
    {
        final Properties p = new Properties();
        final Jdbc j = jdbc(url);
        if (null != j.user)
        {
            p.setProperty("user", j.user);
        }
        if (null != j.password)
        {
            p.setProperty("password", j.password);
        }
        return p;
    }

    /** @return the URL with any password replaced by {@code ***} (for logs, errors and the status page). */
    public String redactedUrl()
    {
        return redact(url);
    }

    @Override
    public String toString()
    {
        return "MirrorSettings[url=" + redactedUrl() + ", schema=" + schema + ", inbound=" + inbound + "]";
    }

    static String redact(final String url)
    {
        return PASSWORD_PARAM.matcher(USER_INFO_PASSWORD.matcher(url).replaceFirst("$1***@")).replaceAll("$1***");
    }

    private record Jdbc(String url, String user, String password)
    {
    }

    private static Jdbc jdbc(final String url)
    {
        if (url.startsWith("jdbc:"))
        {
            return new Jdbc(url, null, null);
        }
        try
        {
            final URI uri = URI.create(url.replaceFirst("^postgres(ql)?://", "http://"));
            if (null == uri.getHost())
            {
                throw new IllegalArgumentException("no host");
            }
            String user = null;
            String password = null;
            if (null != uri.getRawUserInfo())
            {
                final String info = uri.getRawUserInfo();
                final int colon = info.indexOf(':');
                user = decode(colon < 0 ? info : info.substring(0, colon));
                password = colon < 0 ? null : decode(info.substring(colon + 1));
            }
            final String path = null == uri.getRawPath() || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
            final String jdbc = "jdbc:postgresql://" + uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "") +
                path + (null == uri.getRawQuery() ? "" : "?" + uri.getRawQuery());
            return new Jdbc(jdbc, user, password);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ConfigException(ServerConfig.MIRROR_POSTGRES_PROP, "'" + redact(url) + "' is not a valid URL " +
                "(postgresql://user:password@host:5432/database)");
        }
    }

    private static String decode(final String s)
    {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }
}
