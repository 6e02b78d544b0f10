package dev.outpost.server.cli;

import dev.outpost.server.config.ConfigException;
import dev.outpost.server.config.JwtAlgorithm;
import dev.outpost.server.config.ServerConfig;
import dev.outpost.server.http.HttpApi;
import dev.outpost.server.http.HttpConnectionGuard;
import dev.outpost.server.runtime.OutpostServer;
import dev.outpost.server.runtime.SyncServer;
import dev.outpost.server.tls.TlsSetup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code outpost serve}: run the server until interrupted. Every option maps to one {@link ServerConfig} setting;
 * an option left out keeps the setting's value from its system property, environment variable or default.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
    versionProvider = OutpostMain.Version.class,
    description = "Serve the App Services HTTP API and the sync WebSocket on one port.")
final class ServeCommand implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE",
        description = "YAML or JSON config file (keys: host, port, data-dir, tls.cert, apps, ...; see " +
            "edge-server/OPERATING.md). Precedence: flags > OUTPOST_* environment > file > defaults. " +
            "Also OUTPOST_CONFIG.")
    Path configFile;

    @Option(names = "--host", paramLabel = "HOST",
        description = "Address to bind (default " + ServerConfig.HOST_DEFAULT + "; property " +
            ServerConfig.HOST_PROP + ").")
    String host;

    @Option(names = "--port", paramLabel = "PORT",
        description = "TCP port for HTTP and WebSocket (default " + ServerConfig.PORT_DEFAULT + "; 0 picks a free " +
            "port).")
    Integer port;

    @Option(names = "--data-dir", paramLabel = "DIR",
        description = "Directory for users, keys and sync data (default '" + ServerConfig.DATA_DIR_DEFAULT +
            "' in the working directory).")
    Path dataDir;

    @Option(names = "--app-id", paramLabel = "APP",
        description = "Client App ID to serve (default " + ServerConfig.APP_ID_DEFAULT + ").")
    String appId;

    @Option(names = "--app-config", paramLabel = "DIR",
        description = "Serve the App Services export in DIR (as 'appservices pull' writes it) as the app: its auth " +
            "providers, sync settings and app id (unless an app id is given). Custom-token signing keys: " +
            "environment OUTPOST_SECRET_<NAME>. Also OUTPOST_APP_CONFIG.")
    Path appConfig;

    @Option(names = "--idle-timeout", paramLabel = "DURATION",
        description = "Drop sync connections silent this long (default " +
            ServerConfig.IDLE_TIMEOUT_DEFAULT_TEXT + ").")
    String idleTimeout;

    @Option(names = "--http-idle-timeout", paramLabel = "DURATION",
        description = "Close an HTTP connection waiting this long for its next request (default " +
            ServerConfig.HTTP_IDLE_TIMEOUT_DEFAULT_TEXT + ").")
    String httpIdleTimeout;

    @Option(names = "--http-header-timeout", paramLabel = "DURATION",
        description = "Close a connection whose request head takes longer than this to arrive (default " +
            ServerConfig.HTTP_HEADER_TIMEOUT_DEFAULT_TEXT + ").")
    String httpHeaderTimeout;

    @Option(names = "--http-body-timeout", paramLabel = "DURATION",
        description = "Close a connection whose request body stalls this long (default " +
            ServerConfig.HTTP_BODY_TIMEOUT_DEFAULT_TEXT + ").")
    String httpBodyTimeout;

    @Option(names = "--max-connections", paramLabel = "N",
        description = "Most connections open at once, HTTP and sync (default " +
            ServerConfig.MAX_CONNECTIONS_AUTO + "; 0: the descriptor limit minus a reserve).")
    Integer maxConnections;

    @Option(names = "--max-connections-per-ip", paramLabel = "N",
        description = "Most connections open at once from one remote address, HTTP and sync (default " +
            ServerConfig.MAX_CONNECTIONS_PER_IP_DEFAULT + "; 0: no limit).")
    Integer maxConnectionsPerIp;

    @Option(names = "--bind-timeout", paramLabel = "DURATION",
        description = "Close a sync WebSocket that sends no BIND this long after its upgrade (default " +
            ServerConfig.WS_BIND_TIMEOUT_DEFAULT_TEXT + ").")
    String bindTimeout;

    @Option(names = "--logins-per-ip", paramLabel = "N",
        description = "Most logins and registrations per minute from one remote address (default " +
            ServerConfig.LOGINS_PER_IP_DEFAULT + "; 0: no limit).")
    Integer loginsPerIp;

    @Option(names = "--max-changeset-size", paramLabel = "SIZE",
        description = "Largest changeset one UPLOAD entry may carry (default " +
            ServerConfig.MAX_CHANGESET_SIZE_DEFAULT_TEXT + ").")
    String maxChangesetSize;

    @Option(names = "--access-token-ttl", paramLabel = "DURATION",
        description = "Access token lifetime (default " + ServerConfig.ACCESS_TOKEN_TTL_DEFAULT_TEXT + ").")
    String accessTokenTtl;

    @Option(names = "--refresh-token-ttl", paramLabel = "DURATION",
        description = "Refresh token lifetime (default " + ServerConfig.REFRESH_TOKEN_TTL_DEFAULT_TEXT + ").")
    String refreshTokenTtl;

    @Option(names = "--jwt-algorithm", paramLabel = "ALG",
        description = "HS256 (key generated in the data dir) or RS256 (default " +
            ServerConfig.JWT_ALGORITHM_DEFAULT_TEXT + ").")
    JwtAlgorithm jwtAlgorithm;

    @Option(names = "--jwt-private-key", paramLabel = "PEM", description = "RS256 PKCS#8 private key file.")
    Path jwtPrivateKey;

    @Option(names = "--jwt-public-key", paramLabel = "PEM", description = "RS256 X.509 public key file.")
    Path jwtPublicKey;

    @Option(names = "--max-download-size", paramLabel = "SIZE",
        description = "Largest DOWNLOAD body (default " + ServerConfig.MAX_DOWNLOAD_SIZE_DEFAULT_TEXT + ").")
    String maxDownloadSize;

    @Option(names = "--max-message-size", paramLabel = "SIZE",
        description = "Largest inbound WebSocket message (default " + ServerConfig.MAX_MESSAGE_SIZE_DEFAULT_TEXT + ").")
    String maxMessageSize;

    @Option(names = "--compression-threshold", paramLabel = "SIZE",
        description = "Compress bodies at least this large (default " +
            ServerConfig.COMPRESSION_THRESHOLD_DEFAULT + ").")
    String compressionThreshold;

    @Option(names = "--durability", paramLabel = "os|fsync",
        description = "os: crash-safe, written back by the OS; fsync: each batch forced to disk before it " +
            "is acknowledged (default " + ServerConfig.DURABILITY_DEFAULT_TEXT + ").")
    String durability;

    @Option(names = "--state-cache-files", paramLabel = "N",
        description = "Server files whose object state stays in memory (default " +
            ServerConfig.STATE_CACHE_FILES_DEFAULT + ").")
    Integer stateCacheFiles;

    @Option(names = "--state-cache-size", paramLabel = "SIZE",
        description = "Estimated heap of the object states kept in memory (default " +
            ServerConfig.STATE_CACHE_SIZE_DEFAULT_TEXT + ").")
    String stateCacheSize;

    @Option(names = "--state-checkpoint-min-versions", paramLabel = "N",
        description = "Checkpoint a server file's object state when it leaves the state cache or at shutdown if " +
            "at least N versions are new since its last checkpoint; 0: none (default " +
            ServerConfig.STATE_CHECKPOINT_MIN_VERSIONS_DEFAULT + ").")
    Integer stateCheckpointMinVersions;

    @Option(names = "--partition-max-bytes", paramLabel = "SIZE",
        description = "Longest PBS partition value accepted (default " +
            ServerConfig.PARTITION_MAX_BYTES_DEFAULT + " bytes, at most " + ServerConfig.PARTITION_MAX_BYTES_MAX + ").")
    String partitionMaxBytes;

    @Option(names = "--max-sessions-per-connection", paramLabel = "N",
        description = "Sessions one sync connection may have bound at once (default " +
            ServerConfig.MAX_SESSIONS_PER_CONNECTION_DEFAULT + ").")
    Integer maxSessionsPerConnection;

    @Option(names = "--max-uploads-in-flight", paramLabel = "N",
        description = "UPLOADs of one sync session with the store writer at once; later messages of the session " +
            "wait; at most " + ServerConfig.MAX_UPLOADS_IN_FLIGHT_MAX + " (default " +
            ServerConfig.MAX_UPLOADS_IN_FLIGHT_DEFAULT + ").")
    Integer maxUploadsInFlight;

    @Option(names = "--new-files-per-user", paramLabel = "N",
        description = "New server files (partitions) one user may create per minute (default " +
            ServerConfig.NEW_FILES_PER_USER_DEFAULT + "; 0: no limit).")
    Integer newFilesPerUser;

    @Option(names = "--new-files-per-app", paramLabel = "N",
        description = "New server files one app may create per minute (default " +
            ServerConfig.NEW_FILES_PER_APP_DEFAULT + "; 0: no limit).")
    Integer newFilesPerApp;

    @Option(names = "--max-files-per-app", paramLabel = "N",
        description = "Server files one app may have in total (default " +
            ServerConfig.MAX_FILES_PER_APP_DEFAULT + "; 0: no limit).")
    Integer maxFilesPerApp;

    @Option(names = "--flx-query-max-bytes", paramLabel = "SIZE",
        description = "Largest FLX query accepted (default " +
            ServerConfig.FLX_QUERY_MAX_BYTES_DEFAULT_TEXT + ").")
    String flxQueryMaxBytes;

    @Option(names = "--mirror-postgres", paramLabel = "URL",
        description = "Mirror every server file of the app into this PostgreSQL database, one table per class " +
            "(postgresql://user:password@host:5432/db). Also OUTPOST_MIRROR_POSTGRES; listed apps: 'mirror:' in " +
            "the config file.")
    String mirrorPostgres;

    @Option(names = "--mirror-schema", paramLabel = "NAME",
        description = "Schema of the mirror's tables (default " + dev.outpost.server.config.MirrorSettings.SCHEMA_DEFAULT +
            "). Also OUTPOST_MIRROR_SCHEMA.")
    String mirrorSchema;

    @Option(names = "--mirror-resident-files", paramLabel = "N",
        description = "PostgreSQL mirror: server files per app whose object state it keeps in memory; idle ones " +
            "beyond are rebuilt from their position when they change (default " +
            ServerConfig.MIRROR_RESIDENT_FILES_DEFAULT + ").")
    Integer mirrorResidentFiles;
    @Option(names = "--mirror-inbound", paramLabel = "BOOL", arity = "1",
        description = "Whether INSERT, UPDATE and DELETE made with SQL on the mirror's tables reach the clients " +
            "(default " + dev.outpost.server.config.MirrorSettings.INBOUND_DEFAULT + "). Also OUTPOST_MIRROR_INBOUND.")
    Boolean mirrorInbound;

    @Option(names = "--flx-view-log-entries", paramLabel = "N",
        description = "FLX: recent history entries per server file whose view annotations are kept (default " +
            ServerConfig.FLX_VIEW_LOG_ENTRIES_DEFAULT + ").")
    Integer flxViewLogEntries;

    @Option(names = "--client-max-offline", paramLabel = "DURATION",
        description = "How long a client may stay away before its next connection gets a client reset " +
            "(client_file_expired 222; default " + ServerConfig.CLIENT_MAX_OFFLINE_DEFAULT_TEXT + "; 0: never). " +
            "Per app: 'client-max-offline:', else the export's client_max_offline_days.")
    String clientMaxOffline;

    @Option(names = "--event-loops", paramLabel = "N",
        description = "Event loop threads (default " +
            ServerConfig.CPU_COUNT_DEFAULT_TEXT + ").")
    Integer eventLoops;

    @Option(names = "--tls-cert", paramLabel = "PEM", description = "TLS certificate chain (PEM): serve HTTPS and WSS.")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "PEM", description = "TLS private key (PEM, PKCS#8 or PKCS#1).")
    Path tlsKey;

    @Option(names = "--tls-self-signed",
        description = "Generate a self-signed certificate (kept in DATA_DIR/tls/; development only).")
    Boolean tlsSelfSigned;

    @Option(names = "--tls-protocols", paramLabel = "LIST",
        description = "Enabled TLS versions (default " +
            ServerConfig.TLS_PROTOCOLS_DEFAULT_TEXT + "; TLSv1.3,TLSv1.2 also allows 1.2).")
    String tlsProtocols;

    @Option(names = "--public-url", paramLabel = "URL",
        description = "URL clients reach the server at, e.g. https://sync.example.com behind a proxy (default: " +
            "the request's Host).")
    String publicUrl;

    @Option(names = "--list-app-ids", paramLabel = "true|false", arity = "0..1",
        description = "Name the app ids this server serves in the 404 for an unknown App ID (default " +
            ServerConfig.LIST_APP_IDS_DEFAULT + ").")
    Boolean listAppIds;

    @Option(names = "--admin-host", paramLabel = "HOST",
        description = "Address of the admin listener: admin API, status page, /status.json, /metrics (default " +
            ServerConfig.ADMIN_HOST_DEFAULT + ").")
    String adminHost;

    @Option(names = "--admin-port", paramLabel = "PORT|off",
        description = "Port of the admin listener; 0 picks a free port, off turns it off (default " +
            ServerConfig.ADMIN_PORT_DEFAULT_TEXT + ", a free port when --port is 0).")
    String adminPort;

    @Option(names = "--admin-key-file", paramLabel = "FILE",
        description = "File holding the admin key (first line, 16+ characters). Without it or OUTPOST_ADMIN_KEY a " +
            "key is made in the data directory (admin.key, owner-only).")
    Path adminKeyFile;

    @Option(names = "--admin-public-status", paramLabel = "true|false", arity = "0..1",
        description = "Also serve the status page, /status.json and /metrics on the public port (default " +
            ServerConfig.ADMIN_PUBLIC_STATUS_DEFAULT + ").")
    Boolean adminPublicStatus;

    @Option(names = "--shutdown-timeout", paramLabel = "DURATION",
        description = "On SIGTERM, wait this long for sync clients to disconnect (default " +
            ServerConfig.SHUTDOWN_TIMEOUT_DEFAULT_TEXT + ").")
    String shutdownTimeout;

    @Option(names = "--slow-consumer-timeout", paramLabel = "DURATION",
        description = "Drop a sync connection that stays unwritable this long with downloads waiting (default " +
            ServerConfig.SLOW_CONSUMER_TIMEOUT_DEFAULT_TEXT + ").")
    String slowConsumerTimeout;

    @Option(names = "--max-queued-bytes-per-connection", paramLabel = "SIZE",
        description = "Most bytes of a sync connection's messages queued unsent or being built before its sessions " +
            "wait for it to drain (default " + ServerConfig.MAX_QUEUED_BYTES_PER_CONNECTION_DEFAULT_TEXT + ").")
    String maxQueuedBytesPerConnection;

    @Option(names = "--writer-queue", paramLabel = "N",
        description = "Commands each store writer's handoff queue holds before event loops retry (default " +
            ServerConfig.WRITER_QUEUE_DEFAULT + ").")
    Integer writerQueue;

    @Option(names = "--writer-parsed-entries", paramLabel = "N",
        description = "Parsed history entries each loaded server file keeps for merges (default " +
            ServerConfig.WRITER_PARSED_ENTRIES_DEFAULT + "; 0: none, parse again when needed).")
    Integer writerParsedEntries;

    @Option(names = "--upload-inline-bytes", paramLabel = "SIZE",
        description = "UPLOAD bodies up to this size are inflated and checked on the event loop, larger ones on the " +
            "store writer (default " + ServerConfig.UPLOAD_INLINE_BYTES_DEFAULT_TEXT + ").")
    String uploadInlineBytes;

    @Option(names = "--download-inline-bytes", paramLabel = "SIZE",
        description = "DOWNLOADs carrying up to this many changeset bytes are built on the event loop, larger ones " +
            "by the download pool (default " + ServerConfig.DOWNLOAD_INLINE_BYTES_DEFAULT_TEXT + ").")
    String downloadInlineBytes;

    @Option(names = "--download-threads", paramLabel = "N",
        description = "Threads of each app's download pool (default " + ServerConfig.CPU_COUNT_DEFAULT_TEXT + ").")
    Integer downloadThreads;

    @Option(names = "--download-shared-entries", paramLabel = "N",
        description = "Recent history entries each server file keeps encoded once for all its sessions' DOWNLOADs, " +
            "0 to encode per session (default " + ServerConfig.DOWNLOAD_SHARED_ENTRIES_DEFAULT + ").")
    Integer downloadSharedEntries;

    @Option(names = "--memory-pressure", paramLabel = "PERCENT",
        description = "Percent of the maximum heap left after a garbage collection at which the server stops " +
            "reading input and drops cached object states until back under 15 points less, 0 for off (default " +
            ServerConfig.MEMORY_PRESSURE_DEFAULT + ").")
    Integer memoryPressure;

    @Option(names = "--ws-fragment-bytes", paramLabel = "SIZE",
        description = "Send longer outbound WebSocket messages in fragments of this size, one per event-loop task " +
            "(default " + ServerConfig.WS_FRAGMENT_BYTES_DEFAULT_TEXT + ").")
    String wsFragmentBytes;

    @Option(names = "--eventloop-cpu", paramLabel = "true|false", arity = "0..1",
        description = "Also record each event-loop task's thread CPU time (diagnostics; default " +
            ServerConfig.EVENTLOOP_CPU_DEFAULT + ").")
    Boolean eventLoopCpu;

    @Option(names = "--store-shards", paramLabel = "N",
        description = "Shards (queues and writer threads) of each app's history store, used when its data " +
            "directory is created (default " + ServerConfig.STORE_SHARDS_DEFAULT + ").")
    Integer storeShards;

    @Option(names = "--store-min-free-space", paramLabel = "SIZE",
        description = "Free space the history store leaves on its filesystem; writes that would leave less are " +
            "refused with a retryable error until space returns, 0 turns the check off (default " +
            ServerConfig.STORE_MIN_FREE_SPACE_DEFAULT_TEXT + ").")
    String storeMinFreeSpace;

    public Integer call() throws Exception
    {
        final PrintWriter err = spec.commandLine().getErr();
        final ServerConfig config;
        try
        {
            config = toConfig();
            // Before conclude(), which creates the data directory: a port in use leaves nothing on disk.
            if (OutpostServer.portInUse(config.host(), config.port()))
            {
                err.println(portInUse(config));
                err.flush();
                return 2;
            }
            if (config.adminEnabled() && OutpostServer.portInUse(config.adminHost(), config.adminPort()))
            {
                err.println("outpost: admin port " + config.adminPort() + " on " + config.adminHost() + " is " +
                    "already in use: choose another with --admin-port / OUTPOST_ADMIN_PORT (off turns the admin " +
                    "listener off)");
                err.flush();
                return 2;
            }
            config.conclude();
        }
        catch (final ConfigException ex)
        {
            err.println("outpost: " + ex.getMessage());
            err.flush();
            return 2;
        }
        for (final String typo : ServerConfig.environmentTypos(System.getenv()))
        {
            err.println("outpost: warning: " + typo);
        }
        err.flush();
        final OutpostServer server;
        try
        {
            server = SyncServer.start(config).http();
        }
        catch (final ConfigException ex)
        {
            err.println("outpost: " + ex.getMessage());
            err.flush();
            return 2;
        }
        catch (final Exception ex)
        {
            final boolean inUse = "address already in use".equals(ConfigException.reason(ex));
            err.println(inUse ? portInUse(config) : "outpost: cannot start: " + ConfigException.reason(ex));
            err.flush();
            return inUse ? 2 : 1;
        }
        // After the start: Chronicle installs chained SIGTERM/SIGINT handlers when it loads; ours must be last.
        final Shutdown shutdown = Shutdown.install(server::close);
        RulesReloadSignal.install(() -> server.apps().reloadRules());
        final Path pidFile = RulesReloadSignal.writePid(config.dataDir());
        final List<String> urls = server.clientUrls();
        // the bound address as devices reach it (the public URL, listed first when set, may be a proxy's)
        final String listening = urls.get(null == config.publicUrl() ? 0 : 1);
        final String ws = listening.replaceFirst("^http", "ws") + HttpApi.BASE + "/app/" +
            (server.apps().appIds().size() == 1 ? server.apps().appIds().iterator().next() : "<app>") +
            "/realm-sync";
        final HttpConnectionGuard guard = server.connectionGuard();
        System.out.println("Outpost connections: descriptor limit " + guard.descriptors() + ", at most " +
            guard.maxConnections() + " open (max-connections), HTTP timeouts idle " + text(config.httpIdleTimeout()) +
            " header " + text(config.httpHeaderTimeout()) + " body " + text(config.httpBodyTimeout()));
        System.out.println("Outpost listening on " + listening + " app=" +
            String.join(",", server.apps().appIds()) + " sync=" + ws +
            " data=" + config.dataDir().toAbsolutePath().normalize() + " transport=" +
            (server.nativeTransport() ? "epoll" : "nio") + " tls=" + (config.tlsEnabled() ?
            String.join(",", config.tlsProtocols()) : "off") + " java=" + System.getProperty("java.version"));
        for (final String line : reach(config, urls, server.apps().appIds()))
        {
            System.out.println(line);
        }
        System.out.println(null == server.adminBaseUrl() ? "Outpost admin API: off (admin.port=off)" :
            "Outpost admin API and status page on " + server.adminBaseUrl() + "/ (admin key: " +
            server.adminKey().source() + ")");
        if (config.tlsSelfSigned())
        {
            System.out.println("Self-signed certificate (clients must trust it): " +
                TlsSetup.selfSignedCertificate(config).toAbsolutePath().normalize());
        }
        System.out.flush();
        try
        {
            shutdown.await();
        }
        finally
        {
            RulesReloadSignal.removePid(pidFile);
        }
        System.out.println("Outpost stopped");
        System.out.flush();
        return 0;
    }

    private static String portInUse(final ServerConfig config)
    {
        return "outpost: port " + config.port() + " on " + config.host() + " is already in use (another Outpost or " +
            "program listens there): stop it or choose another port (--port, OUTPOST_PORT or 'port' in the config " +
            "file)";
    }

    /**
     * What the start line adds about reaching the server: which base URL to give the SDKs and, for a loopback bind,
     * that other devices cannot connect; for plain HTTP beyond this machine, that TLS is for anything beyond a LAN.
     *
     * @param config the concluded configuration.
     * @param urls   {@link OutpostServer#clientUrls()}.
     * @param appIds the app ids served.
     * @return lines for the operator.
     */
    static List<String> reach(final ServerConfig config, final List<String> urls, final Collection<String> appIds)
    {
        final List<String> lines = new ArrayList<>();
        final boolean loopbackOnly = urls.stream().allMatch(ServeCommand::isLoopback);
        if (loopbackOnly && null == config.publicUrl())
        {
            lines.add("Clients: base URL " + urls.get(0) + " (this machine only: for phones and other machines, " +
                "serve with --host 0.0.0.0)");
            return lines;
        }
        lines.add("Clients: base URL " + String.join(" or ", urls) + " (the SDK's base URL; App ID " +
            String.join(", ", appIds) + ")");
        if (!config.tlsEnabled() && (null == config.publicUrl() || config.publicUrl().startsWith("http://")))
        {
            lines.add("Plain http: for a trusted LAN only; iOS and Android block it unless the app allows it (see " +
                "docs/SDK.md). Beyond a LAN serve TLS (--tls-cert/--tls-key, or a TLS proxy and --public-url)");
        }
        return lines;
    }

    private static boolean isLoopback(final String url)
    {
        return url.contains("://127.") || url.contains("://localhost") || url.contains("://[::1]");
    }

    private static String text(final java.time.Duration duration)
    {
        return 0 == duration.toMillis() % 1000 ? duration.toSeconds() + "s" : duration.toMillis() + "ms";
    }

    ServerConfig toConfig()
    {
        return toConfig(System.getenv());
    }

    ServerConfig toConfig(final java.util.Map<String, String> env)
    {
        Path file = configFile;
        if (null == file)
        {
            final String fromEnv = env.get("OUTPOST_CONFIG");
            file = null == fromEnv || fromEnv.isBlank() ? null : Path.of(fromEnv.trim());
        }
        final String fileOrigin = null != configFile ? "option --config" : "environment variable OUTPOST_CONFIG";
        final ServerConfig config;
        try
        {
            config = new ServerConfig(file, env);
        }
        catch (final ConfigException ex)
        {
            throw ServerConfig.CONFIG_PROP.equals(ex.setting()) ? ex.withOrigin(fileOrigin) : ex;
        }
        final Map<String, String> flagOrigins = origins(config);
        try
        {
            applyFlags(config);
        }
        catch (final ConfigException ex)
        {
            throw ex.withOrigin(flagOrigins.get(ex.setting()));
        }
        return config;
    }

    private void applyFlags(final ServerConfig config)
    {
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
        if (null != appConfig)
        {
            config.appConfigDir(appConfig);
        }
        if (null != idleTimeout)
        {
            config.idleTimeout(ServerConfig.parseDuration(ServerConfig.IDLE_TIMEOUT_PROP, idleTimeout));
        }
        if (null != httpIdleTimeout)
        {
            config.httpIdleTimeout(ServerConfig.parseDuration(ServerConfig.HTTP_IDLE_TIMEOUT_PROP, httpIdleTimeout));
        }
        if (null != httpHeaderTimeout)
        {
            config.httpHeaderTimeout(
                ServerConfig.parseDuration(ServerConfig.HTTP_HEADER_TIMEOUT_PROP, httpHeaderTimeout));
        }
        if (null != httpBodyTimeout)
        {
            config.httpBodyTimeout(ServerConfig.parseDuration(ServerConfig.HTTP_BODY_TIMEOUT_PROP, httpBodyTimeout));
        }
        if (null != maxConnections)
        {
            config.maxConnections(maxConnections);
        }
        if (null != maxConnectionsPerIp)
        {
            config.maxConnectionsPerIp(maxConnectionsPerIp);
        }
        if (null != bindTimeout)
        {
            config.wsBindTimeout(ServerConfig.parseDuration(ServerConfig.WS_BIND_TIMEOUT_PROP, bindTimeout));
        }
        if (null != loginsPerIp)
        {
            config.loginsPerIp(loginsPerIp);
        }
        if (null != maxChangesetSize)
        {
            config.maxChangesetSize(ServerConfig.parseSize(ServerConfig.MAX_CHANGESET_SIZE_PROP, maxChangesetSize));
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
        if (null != durability)
        {
            config.durability(ServerConfig.durabilityOf(durability));
        }
        if (null != stateCacheFiles)
        {
            config.stateCacheFiles(stateCacheFiles);
        }
        if (null != stateCacheSize)
        {
            config.stateCacheSize(ServerConfig.parseSize(ServerConfig.STATE_CACHE_SIZE_PROP, stateCacheSize));
        }
        if (null != stateCheckpointMinVersions)
        {
            config.stateCheckpointMinVersions(stateCheckpointMinVersions);
        }
        if (null != partitionMaxBytes)
        {
            config.partitionMaxBytes(ServerConfig.parseSize(ServerConfig.PARTITION_MAX_BYTES_PROP,
                partitionMaxBytes));
        }
        if (null != maxSessionsPerConnection)
        {
            config.maxSessionsPerConnection(maxSessionsPerConnection);
        }
        if (null != maxUploadsInFlight)
        {
            config.maxUploadsInFlight(maxUploadsInFlight);
        }
        if (null != newFilesPerUser)
        {
            config.newFilesPerUser(newFilesPerUser);
        }
        if (null != newFilesPerApp)
        {
            config.newFilesPerApp(newFilesPerApp);
        }
        if (null != maxFilesPerApp)
        {
            config.maxFilesPerApp(maxFilesPerApp);
        }
        if (null != flxQueryMaxBytes)
        {
            config.flxQueryMaxBytes(ServerConfig.parseSize(ServerConfig.FLX_QUERY_MAX_BYTES_PROP, flxQueryMaxBytes));
        }
        if (null != mirrorPostgres)
        {
            config.mirrorPostgres(mirrorPostgres);
        }
        if (null != mirrorSchema)
        {
            config.mirrorSchema(mirrorSchema);
        }
        if (null != mirrorResidentFiles)
        {
            config.mirrorResidentFiles(mirrorResidentFiles);
        }
        if (null != mirrorInbound)
        {
            config.mirrorInbound(mirrorInbound);
        }
        if (null != flxViewLogEntries)
        {
            config.flxViewLogEntries(flxViewLogEntries);
        }
        if (null != clientMaxOffline)
        {
            config.clientMaxOffline(ServerConfig.parseDuration(ServerConfig.CLIENT_MAX_OFFLINE_PROP,
                clientMaxOffline));
        }
        if (null != tlsCert)
        {
            config.tlsCertFile(tlsCert);
        }
        if (null != tlsKey)
        {
            config.tlsKeyFile(tlsKey);
        }
        if (null != tlsSelfSigned)
        {
            config.tlsSelfSigned(tlsSelfSigned);
        }
        if (null != tlsProtocols)
        {
            config.tlsProtocols(java.util.Arrays.stream(tlsProtocols.split("[,\\s]+"))
                .filter(p -> !p.isBlank()).toList());
        }
        if (null != publicUrl)
        {
            config.publicUrl(publicUrl);
        }
        if (null != listAppIds)
        {
            config.listAppIds(listAppIds);
        }
        if (null != adminHost)
        {
            config.adminHost(adminHost);
        }
        if (null != adminPort)
        {
            config.adminPort(ServerConfig.parseAdminPort(adminPort));
        }
        if (null != adminKeyFile)
        {
            config.adminKeyFile(adminKeyFile);
        }
        if (null != adminPublicStatus)
        {
            config.adminPublicStatus(adminPublicStatus);
        }
        if (null != shutdownTimeout)
        {
            config.shutdownTimeout(ServerConfig.parseDuration(ServerConfig.SHUTDOWN_TIMEOUT_PROP, shutdownTimeout));
        }
        if (null != slowConsumerTimeout)
        {
            config.slowConsumerTimeout(
                ServerConfig.parseDuration(ServerConfig.SLOW_CONSUMER_TIMEOUT_PROP, slowConsumerTimeout));
        }
        if (null != maxQueuedBytesPerConnection)
        {
            config.maxQueuedBytesPerConnection(ServerConfig.parseSize(
                ServerConfig.MAX_QUEUED_BYTES_PER_CONNECTION_PROP, maxQueuedBytesPerConnection));
        }
        if (null != writerQueue)
        {
            config.writerQueue(writerQueue);
        }
        if (null != writerParsedEntries)
        {
            config.writerParsedEntries(writerParsedEntries);
        }
        if (null != uploadInlineBytes)
        {
            config.uploadInlineBytes(
                ServerConfig.parseSize(ServerConfig.UPLOAD_INLINE_BYTES_PROP, uploadInlineBytes));
        }
        if (null != downloadInlineBytes)
        {
            config.downloadInlineBytes(
                ServerConfig.parseSize(ServerConfig.DOWNLOAD_INLINE_BYTES_PROP, downloadInlineBytes));
        }
        if (null != downloadThreads)
        {
            config.downloadThreads(downloadThreads);
        }
        if (null != downloadSharedEntries)
        {
            config.downloadSharedEntries(downloadSharedEntries);
        }
        if (null != memoryPressure)
        {
            config.memoryPressure(memoryPressure);
        }
        if (null != wsFragmentBytes)
        {
            config.wsFragmentBytes(ServerConfig.parseSize(ServerConfig.WS_FRAGMENT_BYTES_PROP, wsFragmentBytes));
        }
        if (null != eventLoopCpu)
        {
            config.eventLoopCpu(eventLoopCpu);
        }
        if (null != storeShards)
        {
            config.storeShards(storeShards);
        }
        if (null != storeMinFreeSpace)
        {
            config.storeMinFreeSpace(ServerConfig.parseSize(ServerConfig.STORE_MIN_FREE_SPACE_PROP,
                storeMinFreeSpace));
        }
    }

    private Map<String, String> origins(final ServerConfig config)
    {
        final Object[][] flags = {
            {host, ServerConfig.HOST_PROP, "--host"}, {port, ServerConfig.PORT_PROP, "--port"},
            {dataDir, ServerConfig.DATA_DIR_PROP, "--data-dir"}, {appId, ServerConfig.APP_ID_PROP, "--app-id"},
            {appConfig, ServerConfig.APP_CONFIG_PROP, "--app-config"},
            {idleTimeout, ServerConfig.IDLE_TIMEOUT_PROP, "--idle-timeout"},
            {httpIdleTimeout, ServerConfig.HTTP_IDLE_TIMEOUT_PROP, "--http-idle-timeout"},
            {httpHeaderTimeout, ServerConfig.HTTP_HEADER_TIMEOUT_PROP, "--http-header-timeout"},
            {httpBodyTimeout, ServerConfig.HTTP_BODY_TIMEOUT_PROP, "--http-body-timeout"},
            {maxConnections, ServerConfig.MAX_CONNECTIONS_PROP, "--max-connections"},
            {maxConnectionsPerIp, ServerConfig.MAX_CONNECTIONS_PER_IP_PROP, "--max-connections-per-ip"},
            {bindTimeout, ServerConfig.WS_BIND_TIMEOUT_PROP, "--bind-timeout"},
            {loginsPerIp, ServerConfig.LOGINS_PER_IP_PROP, "--logins-per-ip"},
            {maxChangesetSize, ServerConfig.MAX_CHANGESET_SIZE_PROP, "--max-changeset-size"},
            {accessTokenTtl, ServerConfig.ACCESS_TOKEN_TTL_PROP, "--access-token-ttl"},
            {refreshTokenTtl, ServerConfig.REFRESH_TOKEN_TTL_PROP, "--refresh-token-ttl"},
            {jwtAlgorithm, ServerConfig.JWT_ALGORITHM_PROP, "--jwt-algorithm"},
            {jwtPrivateKey, ServerConfig.JWT_PRIVATE_KEY_PROP, "--jwt-private-key"},
            {jwtPublicKey, ServerConfig.JWT_PUBLIC_KEY_PROP, "--jwt-public-key"},
            {maxDownloadSize, ServerConfig.MAX_DOWNLOAD_SIZE_PROP, "--max-download-size"},
            {maxMessageSize, ServerConfig.MAX_MESSAGE_SIZE_PROP, "--max-message-size"},
            {compressionThreshold, ServerConfig.COMPRESSION_THRESHOLD_PROP, "--compression-threshold"},
            {eventLoops, ServerConfig.EVENT_LOOPS_PROP, "--event-loops"},
            {durability, ServerConfig.DURABILITY_PROP, "--durability"},
            {stateCacheFiles, ServerConfig.STATE_CACHE_FILES_PROP, "--state-cache-files"},
            {stateCacheSize, ServerConfig.STATE_CACHE_SIZE_PROP, "--state-cache-size"},
            {stateCheckpointMinVersions, ServerConfig.STATE_CHECKPOINT_MIN_VERSIONS_PROP,
                "--state-checkpoint-min-versions"},
            {partitionMaxBytes, ServerConfig.PARTITION_MAX_BYTES_PROP, "--partition-max-bytes"},
            {maxSessionsPerConnection, ServerConfig.MAX_SESSIONS_PER_CONNECTION_PROP, "--max-sessions-per-connection"},
            {maxUploadsInFlight, ServerConfig.MAX_UPLOADS_IN_FLIGHT_PROP, "--max-uploads-in-flight"},
            {newFilesPerUser, ServerConfig.NEW_FILES_PER_USER_PROP, "--new-files-per-user"},
            {newFilesPerApp, ServerConfig.NEW_FILES_PER_APP_PROP, "--new-files-per-app"},
            {maxFilesPerApp, ServerConfig.MAX_FILES_PER_APP_PROP, "--max-files-per-app"},
            {flxQueryMaxBytes, ServerConfig.FLX_QUERY_MAX_BYTES_PROP, "--flx-query-max-bytes"},
            {mirrorPostgres, ServerConfig.MIRROR_POSTGRES_PROP, "--mirror-postgres"},
            {mirrorSchema, ServerConfig.MIRROR_SCHEMA_PROP, "--mirror-schema"},
            {mirrorResidentFiles, ServerConfig.MIRROR_RESIDENT_FILES_PROP, "--mirror-resident-files"},
            {mirrorInbound, ServerConfig.MIRROR_INBOUND_PROP, "--mirror-inbound"},
            {flxViewLogEntries, ServerConfig.FLX_VIEW_LOG_ENTRIES_PROP, "--flx-view-log-entries"},
            {clientMaxOffline, ServerConfig.CLIENT_MAX_OFFLINE_PROP, "--client-max-offline"},
            {tlsCert, ServerConfig.TLS_CERT_PROP, "--tls-cert"}, {tlsKey, ServerConfig.TLS_KEY_PROP, "--tls-key"},
            {tlsSelfSigned, ServerConfig.TLS_SELF_SIGNED_PROP, "--tls-self-signed"},
            {tlsProtocols, ServerConfig.TLS_PROTOCOLS_PROP, "--tls-protocols"},
            {publicUrl, ServerConfig.PUBLIC_URL_PROP, "--public-url"},
            {listAppIds, ServerConfig.LIST_APP_IDS_PROP, "--list-app-ids"},
            {adminHost, ServerConfig.ADMIN_HOST_PROP, "--admin-host"},
            {adminPort, ServerConfig.ADMIN_PORT_PROP, "--admin-port"},
            {adminKeyFile, ServerConfig.ADMIN_KEY_FILE_PROP, "--admin-key-file"},
            {adminPublicStatus, ServerConfig.ADMIN_PUBLIC_STATUS_PROP, "--admin-public-status"},
            {shutdownTimeout, ServerConfig.SHUTDOWN_TIMEOUT_PROP, "--shutdown-timeout"},
            {slowConsumerTimeout, ServerConfig.SLOW_CONSUMER_TIMEOUT_PROP, "--slow-consumer-timeout"},
            {maxQueuedBytesPerConnection, ServerConfig.MAX_QUEUED_BYTES_PER_CONNECTION_PROP,
                "--max-queued-bytes-per-connection"},
            {writerQueue, ServerConfig.WRITER_QUEUE_PROP, "--writer-queue"},
            {writerParsedEntries, ServerConfig.WRITER_PARSED_ENTRIES_PROP, "--writer-parsed-entries"},
            {uploadInlineBytes, ServerConfig.UPLOAD_INLINE_BYTES_PROP, "--upload-inline-bytes"},
            {downloadInlineBytes, ServerConfig.DOWNLOAD_INLINE_BYTES_PROP, "--download-inline-bytes"},
            {downloadThreads, ServerConfig.DOWNLOAD_THREADS_PROP, "--download-threads"},
            {downloadSharedEntries, ServerConfig.DOWNLOAD_SHARED_ENTRIES_PROP, "--download-shared-entries"},
            {memoryPressure, ServerConfig.MEMORY_PRESSURE_PROP, "--memory-pressure"},
            {wsFragmentBytes, ServerConfig.WS_FRAGMENT_BYTES_PROP, "--ws-fragment-bytes"},
            {eventLoopCpu, ServerConfig.EVENTLOOP_CPU_PROP, "--eventloop-cpu"},
            {storeShards, ServerConfig.STORE_SHARDS_PROP, "--store-shards"},
            {storeMinFreeSpace, ServerConfig.STORE_MIN_FREE_SPACE_PROP, "--store-min-free-space"}};
        final Map<String, String> given = new HashMap<>();
        for (final Object[] flag : flags)
        {
            if (null != flag[0])
            {
                config.origin((String)flag[1], "option " + flag[2]);
                given.put((String)flag[1], "option " + flag[2]);
            }
        }
        return given;
    }
}
