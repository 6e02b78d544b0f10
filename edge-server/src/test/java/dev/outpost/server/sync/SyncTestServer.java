package dev.outpost.server.sync;

import dev.outpost.server.config.ServerConfig;
import dev.outpost.server.runtime.SyncServer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The fixture of the sync ITs: a {@link SyncServer} of one app on 127.0.0.1 (an ephemeral port, two event loops
 * unless the tweak says otherwise), an anonymous user's access token, and the raw clients opened through it, all
 * closed by {@link #close()}. Test thread only.
 */
final class SyncTestServer implements AutoCloseable
{
    private final String app;
    private final List<SyncTestClient> clients = new ArrayList<>();
    private SyncServer server;
    private String token;

    SyncTestServer(final String app)
    {
        this.app = app;
    }

    /** Start the server on {@code dataDir} ({@code tweak} adjusts the config) and log a user in. */
    SyncServer start(final Path dataDir, final UnaryOperator<ServerConfig> tweak) throws Exception
    {
        server = SyncServer.start(tweak.apply(new ServerConfig(Map.of()).port(0).host("127.0.0.1").dataDir(dataDir)
            .appId(app).eventLoops(2)));
        token = SyncTestClient.login(server.port(), app);
        return server;
    }

    /** Close every client and the server, then start again on {@code dataDir} (a restart). */
    SyncServer restart(final Path dataDir, final UnaryOperator<ServerConfig> tweak) throws Exception
    {
        close();
        return start(dataDir, tweak);
    }

    SyncServer server()
    {
        return server;
    }

    String token()
    {
        return token;
    }

    /** A raw client on a new connection (PBS or FLX sub-protocol), closed with the fixture. */
    SyncTestClient connect(final boolean flx) throws Exception
    {
        final SyncTestClient c = SyncTestClient.connect(server.port(), app, token, flx);
        clients.add(c);
        return c;
    }

    /** Close {@code c} (a client connected some other way) with the fixture. */
    SyncTestClient track(final SyncTestClient c)
    {
        clients.add(c);
        return c;
    }

    public void close()
    {
        clients.forEach(SyncTestClient::close);
        clients.clear();
        if (server != null)
        {
            server.close();
            server = null;
        }
    }
}
