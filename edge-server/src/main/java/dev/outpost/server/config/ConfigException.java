package dev.outpost.server.config;

/**
 * A setting has a value the server cannot run with. The message names the setting (its property name) and says
 * what is wrong and what is accepted; it is meant to be shown to the operator as is.
 */
public final class ConfigException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final String setting;

    public ConfigException(final String setting, final String message)
    {
        super("invalid setting '" + setting + "': " + message);
        this.setting = setting;
    }

    /**
     * @return the property name of the offending setting, e.g. {@code outpost.port}.
     */
    public String setting()
    {
        return setting;
    }
}
