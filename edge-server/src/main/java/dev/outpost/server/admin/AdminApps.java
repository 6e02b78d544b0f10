package dev.outpost.server.admin;

import dev.outpost.server.config.ServerConfig;
import dev.outpost.server.http.AppDirectory;
import dev.outpost.server.ws.SyncEngine;

/**
 * What the admin API needs of the served apps (implemented by {@code runtime.OutpostApps}; an interface here so that
 * the admin package does not point back up at the runtime that mounts it).
 */
public interface AdminApps extends AppDirectory
{
    /**
     * @param appId a served app.
     * @return its sync engine, or null.
     */
    SyncEngine engine(String appId);

    /** @return the server's configuration. */
    ServerConfig config();
}
