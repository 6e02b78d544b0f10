package dev.outpost.server.sync;

import dev.outpost.server.config.ServerConfig;
import dev.outpost.server.http.OutpostServer;

/**
 * The whole running server: the HTTP API and sync WebSocket ({@link OutpostServer}) with the sync engine
 * ({@link SyncService}) behind it. What {@code outpost serve} runs, and what integration tests start in-process.
 * {@link #start} and {@link #close} block; call them from a main or test thread, never an event loop.
 */
public final class SyncServer implements AutoCloseable
{
    private final SyncService sync;
    private final OutpostServer http;

    private SyncServer(final SyncService sync, final OutpostServer http)
    {
        this.sync = sync;
        this.http = http;
    }

    /**
     * @param config the configuration (concluded here).
     * @return the started server.
     * @throws Exception if the configuration is invalid, the data directory unusable or the port taken.
     */
    public static SyncServer start(final ServerConfig config) throws Exception
    {
        config.conclude();
        final SyncService sync = SyncService.open(config);
        try
        {
            return new SyncServer(sync, OutpostServer.start(config, sync));
        }
        catch (final Exception ex)
        {
            sync.close();
            throw ex;
        }
    }

    public OutpostServer http()
    {
        return http;
    }

    public SyncService sync()
    {
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

    public void close()
    {
        try
        {
            http.close();
        }
        finally
        {
            sync.close();
        }
    }
}
