package dev.outpost.server.ws;

import dev.outpost.server.config.ServerConfig;

/**
 * Opens the sync engine of one app.
 */
@FunctionalInterface
public interface SyncEngineFactory
{
    /**
     * @param appConfig the server's configuration narrowed to one app ({@link ServerConfig#forApp}): its id and
     *                  its own data directory.
     * @return the app's running engine.
     * @throws Exception if it cannot be opened (for example its store is damaged or of another format).
     */
    SyncEngine open(ServerConfig appConfig) throws Exception;
}
