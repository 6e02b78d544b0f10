package dev.outpost.server.runtime;

import dev.outpost.server.config.ServerConfig;
import dev.outpost.server.metrics.ServerMetrics;
import dev.outpost.server.sync.SyncService;

/**
 * The whole running server: the HTTP API and sync WebSocket ({@link OutpostServer}) with a {@link SyncService} as
 * the sync engine of every configured app. The one way Outpost is started: by {@code outpost serve}, by
 * integration tests and by the load generator's in-process server ({@code OutpostVerticle} serves the same apps
 * inside a host application). {@link #start} and {@link #close} block; call them from a main or test thread,
 * never an event loop.
 */
public final class SyncServer implements AutoCloseable
{
    private final OutpostServer http;

    private SyncServer(final OutpostServer http)
    {
        this.http = http;
    }

    /**
     * Open every app of the configuration (auth store, sync store and writers, in the app's data directory) and
     * listen. The readiness check of each app's history store is registered once, by {@link OutpostServer}.
     *
     * @param config the configuration (concluded here).
     * @return the started server.
     * @throws Exception if the configuration is invalid, a data directory unusable or the port taken.
     */
    public static SyncServer start(final ServerConfig config) throws Exception
    {
        final ServerMetrics metrics = new ServerMetrics();
        return new SyncServer(OutpostServer.startApps(config, SyncService.engines(metrics), metrics));
    }

    public OutpostServer http()
    {
        return http;
    }

    /**
     * @return the sync engine of the first configured app (the only one in the single-app form).
     */
    public SyncService sync()
    {
        return sync(http.apps().appIds().iterator().next());
    }

    /**
     * @param appId a served app.
     * @return its sync engine.
     * @throws IllegalArgumentException if the app is not served.
     */
    public SyncService sync(final String appId)
    {
        if (!(http.apps().engine(appId) instanceof SyncService sync))
        {
            throw new IllegalArgumentException("no app '" + appId + "' (apps: " + http.apps().appIds() + ")");
        }
        return sync;
    }

    public int port()
    {
        return http.port();
    }

    public String baseUrl()
    {
        return http.baseUrl();
    }

    /**
     * Graceful shutdown ({@link OutpostServer#close()}): {@code /ready} says STOPPING, new requests get 503, every
     * sync connection gets {@code error 100} (try again) and is closed, waiting at most
     * {@link ServerConfig#shutdownTimeout()}, then the port, the writers and the stores are closed. Idempotent.
     */
    public void close()
    {
        http.close();
    }
}
