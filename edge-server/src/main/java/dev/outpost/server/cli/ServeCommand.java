package dev.outpost.server.cli;

import dev.outpost.server.config.ConfigException;
import dev.outpost.server.config.JwtAlgorithm;
import dev.outpost.server.config.ServerConfig;
import dev.outpost.server.http.HttpApi;
import dev.outpost.server.sync.SyncServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code outpost serve}: run the server until interrupted. Every option maps to one {@link ServerConfig} setting;
 * an option left out keeps the setting's value from its system property, environment variable or default.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Serve the App Services HTTP API and the sync WebSocket on one port.")
final class ServeCommand implements Callable<Integer>
{
    @Option(names = "--host", paramLabel = "HOST",
        description = "Address to bind (default " + ServerConfig.HOST_DEFAULT + "; property " +
            ServerConfig.HOST_PROP + ").")
    String host;

    @Option(names = "--port", paramLabel = "PORT",
        description = "TCP port for HTTP and WebSocket (default " + ServerConfig.PORT_DEFAULT + "; 0 picks a free " +
            "port).")
    Integer port;

    @Option(names = "--data-dir", paramLabel = "DIR",
        description = "Directory for users, keys and sync data (default ./" + ServerConfig.DATA_DIR_DEFAULT + ").")
    Path dataDir;

    @Option(names = "--app-id", paramLabel = "APP",
        description = "Client App ID to serve (default " + ServerConfig.APP_ID_DEFAULT + ").")
    String appId;

    @Option(names = "--idle-timeout", paramLabel = "DURATION",
        description = "Drop sync connections silent this long (default 10m).")
    String idleTimeout;

    @Option(names = "--access-token-ttl", paramLabel = "DURATION", description = "Access token lifetime (default 30m).")
    String accessTokenTtl;

    @Option(names = "--refresh-token-ttl", paramLabel = "DURATION",
        description = "Refresh token lifetime (default 60d).")
    String refreshTokenTtl;

    @Option(names = "--jwt-algorithm", paramLabel = "ALG",
        description = "HS256 (key generated in the data dir) or RS256 (default HS256).")
    JwtAlgorithm jwtAlgorithm;

    @Option(names = "--jwt-private-key", paramLabel = "PEM", description = "RS256 PKCS#8 private key file.")
    Path jwtPrivateKey;

    @Option(names = "--jwt-public-key", paramLabel = "PEM", description = "RS256 X.509 public key file.")
    Path jwtPublicKey;

    @Option(names = "--max-download-size", paramLabel = "SIZE",
        description = "Largest DOWNLOAD body (default 16MiB).")
    String maxDownloadSize;

    @Option(names = "--max-message-size", paramLabel = "SIZE",
        description = "Largest inbound WebSocket message (default 32MiB).")
    String maxMessageSize;

    @Option(names = "--compression-threshold", paramLabel = "SIZE",
        description = "Compress bodies at least this large (default 1024).")
    String compressionThreshold;

    @Option(names = "--event-loops", paramLabel = "N", description = "Event loop threads (default: CPU count).")
    Integer eventLoops;

    public Integer call() throws Exception
    {
        final ServerConfig config;
        try
        {
            config = toConfig();
            config.conclude();
        }
        catch (final ConfigException ex)
        {
            System.err.println("outpost: " + ex.getMessage());
            return 2;
        }
        final SyncServer server;
        try
        {
            server = SyncServer.start(config);
        }
        catch (final ConfigException ex)
        {
            System.err.println("outpost: " + ex.getMessage());
            return 2;
        }
        final CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
        {
            server.close();
            stopped.countDown();
        }, "outpost-shutdown"));
        final String ws = server.baseUrl().replaceFirst("^http", "ws") + HttpApi.BASE + "/app/" + config.appId() +
            "/realm-sync";
        System.out.println("Outpost listening on " + server.baseUrl() + " app=" + config.appId() + " sync=" + ws +
            " data=" + config.dataDir().toAbsolutePath().normalize() + " transport=" +
            (server.http().nativeTransport() ? "epoll" : "nio") + " java=" + System.getProperty("java.version"));
        System.out.flush();
        stopped.await();
        return 0;
    }

    ServerConfig toConfig()
    {
        final ServerConfig config = new ServerConfig();
        if (null != host)
        {
            config.host(host);
        }
        if (null != port)
        {
            config.port(port);
        }
        if (null != dataDir)
        {
            config.dataDir(dataDir);
        }
        if (null != appId)
        {
            config.appId(appId);
        }
        if (null != idleTimeout)
        {
            config.idleTimeout(ServerConfig.parseDuration(ServerConfig.IDLE_TIMEOUT_PROP, idleTimeout));
        }
        if (null != accessTokenTtl)
        {
            config.accessTokenTtl(ServerConfig.parseDuration(ServerConfig.ACCESS_TOKEN_TTL_PROP, accessTokenTtl));
        }
        if (null != refreshTokenTtl)
        {
            config.refreshTokenTtl(ServerConfig.parseDuration(ServerConfig.REFRESH_TOKEN_TTL_PROP, refreshTokenTtl));
        }
        if (null != jwtAlgorithm)
        {
            config.jwtAlgorithm(jwtAlgorithm);
        }
        if (null != jwtPrivateKey)
        {
            config.jwtPrivateKeyFile(jwtPrivateKey);
        }
        if (null != jwtPublicKey)
        {
            config.jwtPublicKeyFile(jwtPublicKey);
        }
        if (null != maxDownloadSize)
        {
            config.maxDownloadSize(ServerConfig.parseSize(ServerConfig.MAX_DOWNLOAD_SIZE_PROP, maxDownloadSize));
        }
        if (null != maxMessageSize)
        {
            config.maxMessageSize(ServerConfig.parseSize(ServerConfig.MAX_MESSAGE_SIZE_PROP, maxMessageSize));
        }
        if (null != compressionThreshold)
        {
            config.compressionThreshold(
                ServerConfig.parseSize(ServerConfig.COMPRESSION_THRESHOLD_PROP, compressionThreshold));
        }
        if (null != eventLoops)
        {
            config.eventLoops(eventLoops);
        }
        return config;
    }
}
