package dev.outpost.server.config;

/**
 * A setting has a value the server cannot run with. The message names the setting (its property name) and says
 * what is wrong and what is accepted; it is meant to be shown to the operator as is.
 */
public final class ConfigException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final String setting;

    private final String detail;

    private final String origin;

    public ConfigException(final String setting, final String message)
    {
        super("invalid setting '" + setting + "': " + message);
        this.setting = setting;
        this.detail = message;
        this.origin = null;
    }

    /**
     * @param setting property name of the setting.
     * @param origin  where the value came from, e.g. {@code /etc/outpost.yaml, key tls.cert} or
     *                {@code environment variable OUTPOST_PORT}.
     * @param message what is wrong.
     */
    public ConfigException(final String setting, final String origin, final String message)
    {
        super("invalid setting '" + setting + "' (" + origin + "): " + message);
        this.setting = setting;
        this.detail = message;
        this.origin = origin;
    }

    /**
     * @param origin where the value came from; null for unknown.
     * @return this if it already names an origin (or {@code origin} is null), else the same error naming it.
     */
    public ConfigException withOrigin(final String origin)
    {
        return null != this.origin || null == origin ? this : new ConfigException(setting, origin, detail);
    }

    /**
     * @return where the bad value came from, or null if not known.
     */
    public String origin()
    {
        return origin;
    }

    /**
     * @return what is wrong, without the setting's name.
     */
    public String detail()
    {
        return detail;
    }

    /**
     * @return the property name of the offending setting, e.g. {@code outpost.port}.
     */
    public String setting()
    {
        return setting;
    }
}
