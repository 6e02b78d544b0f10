package dev.outpost.server.cli;

import dev.outpost.server.config.AppConfig;
import dev.outpost.server.config.ConfigException;
import dev.outpost.server.config.ServerConfig;
import dev.outpost.server.transfer.TransferException;

import java.nio.file.Path;

/** The app an {@code import} or {@code export} works on: the same settings {@code serve} would use for it. */
final class TransferApp
{
    private TransferApp()
    {
    }

    /**
     * @param configFile the server's config file, or null.
     * @param dataDir    {@code --data-dir}, or null (config file, environment or default).
     * @param appId      {@code --app-id}, or null (the single app).
     * @param appConfig  {@code --app-config} (an App Services export), or null.
     * @return the app's own configuration ({@link ServerConfig#forApp}).
     */
    static ServerConfig resolve(final Path configFile, final Path dataDir, final String appId, final Path appConfig)
        throws TransferException
    {
        try
        {
            final ServerConfig config = new ServerConfig(configFile, System.getenv());
            if (null != dataDir)
            {
                config.dataDir(dataDir);
            }
            if (null != appConfig)
            {
                config.appConfigDir(appConfig);
            }
            if (null != appId && (null == configFile || null != appConfig))
            {
                config.appId(appId);
            }
            config.conclude();
            final java.util.List<AppConfig> apps = config.apps();
            for (final AppConfig app : apps)
            {
                if (null == appId ? apps.size() == 1 : app.id().equals(appId))
                {
                    return config.forApp(app);
                }
            }
            throw new TransferException(null == appId ? "several apps are configured: name one with --app-id" :
                "no app '" + appId + "' in the configuration (apps: " +
                String.join(", ", apps.stream().map(AppConfig::id).toList()) + ")");
        }
        catch (final ConfigException ex)
        {
            throw new TransferException(ex.getMessage());
        }
    }
}
