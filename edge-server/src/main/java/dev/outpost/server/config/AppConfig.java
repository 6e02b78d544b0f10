package dev.outpost.server.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One app served by the server: its Client App ID, its data directory (its own users, keys and sync history, never
 * shared with another app) and its auth providers. Immutable.
 *
 * @param id        the Client App ID clients are configured with.
 * @param dataDir   the app's data directory, or null for the default ({@code <data-dir>/apps/<id>} when the
 *                  configuration lists apps, the data directory itself in the single-app form).
 * @param anonymous whether the {@code anon-user} provider is enabled.
 */
public record AppConfig(String id, Path dataDir, boolean anonymous)
{
    /** App Services name of the anonymous provider. */
    public static final String ANON_PROVIDER = "anon-user";

    public AppConfig
    {
        Objects.requireNonNull(id, "id");
    }

    /**
     * @param providerName an App Services provider name from a login URL, e.g. {@code anon-user}.
     * @return whether this app accepts logins through it.
     */
    public boolean providerEnabled(final String providerName)
    {
        return anonymous && ANON_PROVIDER.equals(providerName);
    }
}
