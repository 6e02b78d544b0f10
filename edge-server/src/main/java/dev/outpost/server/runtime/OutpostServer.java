package dev.outpost.server.runtime;

import dev.outpost.server.admin.AdminApi;
import dev.outpost.server.admin.AdminKey;
import dev.outpost.server.auth.AuthService;
import dev.outpost.server.config.ServerConfig;
import dev.outpost.server.http.HttpApi;
import dev.outpost.server.http.HttpConnectionGuard;
import dev.outpost.server.metrics.Logging;
import dev.outpost.server.metrics.ServerMetrics;
import dev.outpost.server.status.ServerStatus;
import dev.outpost.server.status.StatusRoutes;
import dev.outpost.server.tls.TlsSetup;
import dev.outpost.server.ws.SyncConnectionHandlerFactory;
import dev.outpost.server.ws.SyncEngine;
import dev.outpost.server.ws.SyncEngineFactory;
import dev.outpost.server.ws.WebSocketEndpoint;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The running edge server: one Vert.x instance, one HTTP server per event loop sharing a single port (HTTP and WS,
 * or HTTPS and WSS) for the App Services endpoints and the sync WebSocket of every configured app
 * ({@link OutpostApps}), and the admin listener (the admin API, the status page, {@code /status.json} and
 * {@code /metrics}) on a port of its own ({@link ServerConfig#adminPort()}), unless it is off.
 * <p>
 * {@link #start} blocks until the port is bound (or fails); {@link #close} blocks until everything is stopped. Both
 * are for the main thread or a test, never an event loop.
 */
public final class OutpostServer implements AutoCloseable
{
    private static final System.Logger LOG = System.getLogger("dev.outpost.server.shutdown");
    private static final System.Logger ADMIN_LOG = System.getLogger("dev.outpost.server.admin");

    private final ServerConfig config;
    private final Vertx vertx;
    private final OutpostApps apps;
    private final ServerStatus status;
    private final int port;
    private final HttpConnectionGuard guard;
    private final int adminPort;
    private final AdminKey adminKey;
    private boolean closed;

    private OutpostServer(
        final ServerConfig config,
        final Vertx vertx,
        final OutpostApps apps,
        final ServerStatus status,
        final int port,
        final HttpConnectionGuard guard,
        final int adminPort,
        final AdminKey adminKey)
    {
        this.config = config;
        this.vertx = vertx;
        this.apps = apps;
        this.status = status;
        this.port = port;
        this.guard = guard;
        this.adminPort = adminPort;
        this.adminKey = adminKey;
    }

    /**
     * {@link #start(ServerConfig, SyncConnectionHandlerFactory, ServerMetrics)} with metrics of its own. For tests
     * of the HTTP and WebSocket layers with a handler factory of their own; the sync server is
     * {@code dev.outpost.server.runtime.SyncServer}, which goes through {@link #startApps}.
     */
    public static OutpostServer start(final ServerConfig config, final SyncConnectionHandlerFactory factory)
        throws Exception
    {
        return start(config, factory, new ServerMetrics());
    }

    /**
     * Validate the configuration, open the data directory and listen; every configured app shares one handler
     * factory (wrapped by {@link SyncEngine#of}: nothing to drain). For tests of the HTTP and WebSocket layers.
     *
     * @param config  the configuration ({@link ServerConfig#conclude()} is called here).
     * @param factory creates the session handler of each sync WebSocket.
     * @param metrics the server's metrics (also fed by the session layer); served at {@code /metrics}.
     * @return the started server.
     * @throws Exception if the configuration is invalid, the data directory unusable or the port taken.
     */
    public static OutpostServer start(
        final ServerConfig config, final SyncConnectionHandlerFactory factory, final ServerMetrics metrics)
        throws Exception
    {
        return startApps(config, appConfig -> SyncEngine.of(factory), metrics);
    }

    /**
     * {@link #startApps(ServerConfig, SyncEngineFactory, ServerMetrics)} with metrics of its own.
     */
    public static OutpostServer startApps(final ServerConfig config, final SyncEngineFactory engines)
        throws Exception
    {
        return startApps(config, engines, new ServerMetrics());
    }

    /**
     * Validate the configuration, open every app (its auth store and its sync engine, in its own data directory)
     * and listen (HTTPS/WSS if TLS is configured).
     *
     * @param config  the configuration ({@link ServerConfig#conclude()} is called here).
     * @param engines opens the sync engine of each app.
     * @param metrics the server's metrics (also fed by the sync engines); served at {@code /metrics}.
     * @return the started server.
     * @throws Exception if the configuration is invalid, a data directory unusable or the port taken.
     */
    public static OutpostServer startApps(
        final ServerConfig config, final SyncEngineFactory engines, final ServerMetrics metrics)
        throws Exception
    {
        config.conclude();
        Logging.install();
        final ServerStatus status = new ServerStatus(metrics);
        final Vertx vertx = Vertx.builder()
            .with(new VertxOptions().setPreferNativeTransport(true).setEventLoopPoolSize(config.eventLoops())
                .setMetricsOptions(metricsOptions()))
            .withMetrics(new MicrometerMetricsFactory(metrics.registry()))
            .build();
        OutpostApps apps = null;
        try
        {
            apps = OutpostApps.open(vertx, config, engines, metrics);
            apps.addReadinessChecks(status);
            final Router router = apps.router(vertx);
            final StatusRoutes statusRoutes = new StatusRoutes(status);
            statusRoutes.mountProbes(router);
            if (config.adminPublicStatus())
            {
                statusRoutes.mountPages(router);
            }
            // Checked (and a self-signed certificate made) once, before the event loops use it.
            final HttpServerOptions options = serverOptions(config, new HttpServerOptions());
            // One server per event loop, all sharing one listening socket. Vert.x shares a random port among
            // servers asking for a negative port, so a configured 0 becomes -1 here.
            options.setPort(0 == config.port() ? -1 : config.port());
            final HttpConnectionGuard guard = new HttpConnectionGuard(config);
            final int port = deploy(vertx, router, options, guard, config.eventLoops());
            AdminKey adminKey = null;
            int adminPort = ServerConfig.ADMIN_PORT_OFF;
            if (config.adminEnabled())
            {
                adminKey = AdminKey.resolve(config);
                // One server, port 0 as it is: a negative port would share the public servers' random port.
                final HttpServerOptions adminOptions = serverOptions(config, new HttpServerOptions())
                    .setHost(config.adminHost()).setPort(config.adminPort());
                adminPort = deploy(vertx, new AdminApi(apps, adminKey, status).router(vertx), adminOptions,
                    new HttpConnectionGuard(config), 1);
                ADMIN_LOG.log(System.Logger.Level.INFO, "admin API on " + (config.tlsEnabled() ? "https://" : "http://") +
                    bracket(config.adminHost()) + ":" + adminPort + AdminApi.BASE + " (admin key: " +
                    adminKey.source() + ")");
            }
            status.markReady();
            vertx.setPeriodic(1000, id -> status.sample());
            return new OutpostServer(config, vertx, apps, status, port, guard, adminPort, adminKey);
        }
        catch (final Exception ex)
        {
            if (null != apps)
            {
                apps.close();
            }
            vertx.close().await(10, TimeUnit.SECONDS);
            throw ex;
        }
    }

    /**
     * The HTTP server options Outpost needs, applied to {@code options}: host and port, WebSocket frame and message
     * limits, no WebSocket compression or write handlers, the HTTP idle backstop, no HTTP/2 clear-text detection (so
     * that {@link HttpConnectionGuard} sees every connection as it is accepted), and TLS if configured. An embedding
     * application passes the options of its own server through this.
     *
     * @param config  concluded configuration.
     * @param options options to change.
     * @return the options.
     */
    public static HttpServerOptions serverOptions(final ServerConfig config, final HttpServerOptions options)
    {
        options
            .setHost(config.host())
            .setPort(config.port())
            .setTcpNoDelay(true)
            .setMaxWebSocketFrameSize(config.maxMessageSize())
            .setMaxWebSocketMessageSize(config.maxMessageSize())
            .setPerMessageWebSocketCompressionSupported(false)
            .setPerFrameWebSocketCompressionSupported(false)
            .setRegisterWebSocketWriteHandlers(false)
            .setMaxInitialLineLength(16 * 1024)
            // HTTP/1.1 only (ALPN is off with TLS too): with h2c detection on, Vert.x sets up the connection only
            // once the first bytes arrive, and a silent connection would never reach HttpConnectionGuard.
            .setHttp2ClearTextEnabled(false)
            // Last-resort backstop for every connection; HTTP ones are closed earlier by HttpConnectionGuard,
            // sync WebSockets by their own inbound-idle check (idleTimeout).
            .setIdleTimeout((int)Math.min(Integer.MAX_VALUE, config.idleTimeout().toSeconds() * 2 + 1))
            .setIdleTimeoutUnit(TimeUnit.SECONDS);
        return TlsSetup.configure(options, config);
    }

    /**
     * @return the port actually bound (resolves a configured 0).
     */
    public int port()
    {
        return port;
    }

    /**
     * @return the admin listener's port (resolves a configured 0), or {@link ServerConfig#ADMIN_PORT_OFF}.
     */
    public int adminPort()
    {
        return adminPort;
    }

    /**
     * @return {@code http://adminHost:adminPort} (or {@code https://}), or null when the admin listener is off.
     */
    public String adminBaseUrl()
    {
        if (ServerConfig.ADMIN_PORT_OFF == adminPort)
        {
            return null;
        }
        return (config.tlsEnabled() ? "https://" : "http://") + bracket(config.adminHost()) + ":" + adminPort;
    }

    /** @return the admin key in force (where it is: {@link AdminKey#source()}), or null when the listener is off. */
    public AdminKey adminKey()
    {
        return adminKey;
    }

    private static String bracket(final String host)
    {
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    }

    /**
     * @return the configured bind host.
     */
    public String host()
    {
        return config.host();
    }

    /**
     * @return {@code http://host:port} (or {@code https://}) as clients should use it.
     */
    public String baseUrl()
    {
        final String host = config.host().contains(":") ? "[" + config.host() + "]" : config.host();
        return (config.tlsEnabled() ? "https://" : "http://") + host + ":" + port;
    }

    /**
     * The URLs clients use to reach this server: the public URL if one is configured, else the bound address, or,
     * when bound to every interface ({@code 0.0.0.0}, {@code ::}), the address of each interface that is up, other
     * machines' first and this machine's (loopback) last.
     *
     * @return base URLs, never the wildcard address.
     */
    public List<String> clientUrls()
    {
        final List<InetAddress> addresses = new ArrayList<>();
        try
        {
            for (final NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces()))
            {
                if (nic.isUp())
                {
                    addresses.addAll(Collections.list(nic.getInetAddresses()));
                }
            }
        }
        catch (final SocketException ex)
        {
            // no interface list: the loopback address only
        }
        return clientUrls(config, port, addresses);
    }

    /**
     * Whether another program already listens on the port, checked before anything is created on disk so that a
     * second server started by mistake leaves no trace. A port that is free now may still be taken before the bind:
     * the bind's own failure is reported the same way.
     *
     * @param host the bind address.
     * @param port the port; 0 (any free port) is never in use.
     * @return true if binding {@code host:port} fails because the address is in use; false otherwise (also when the
     * host does not resolve or the port is out of range: validation reports those).
     */
    public static boolean portInUse(final String host, final int port)
    {
        if (port <= 0 || port > 65535 || null == host)
        {
            return false;
        }
        try (java.net.ServerSocket socket = new java.net.ServerSocket())
        {
            socket.setReuseAddress(true);
            socket.bind(new java.net.InetSocketAddress(host, port));
            return false;
        }
        catch (final java.net.BindException ex)
        {
            return null != ex.getMessage() && ex.getMessage().contains("in use");
        }
        catch (final Exception ex)
        {
            return false;
        }
    }

    /**
     * {@link #clientUrls()} for given interface addresses.
     *
     * @param config    the server's configuration (host, TLS, public URL).
     * @param port      the bound port.
     * @param addresses the addresses of the machine's interfaces that are up.
     * @return base URLs, never the wildcard address.
     */
    public static List<String> clientUrls(final ServerConfig config, final int port, final List<InetAddress> addresses)
    {
        final String scheme = config.tlsEnabled() ? "https://" : "http://";
        final List<String> urls = new ArrayList<>();
        if (null != config.publicUrl())
        {
            urls.add(config.publicUrl());
        }
        final String host = config.host();
        final boolean anyV4 = "0.0.0.0".equals(host);
        final boolean anyV6 = "::".equals(host) || "[::]".equals(host) || "::0".equals(host);
        if (!anyV4 && !anyV6)
        {
            urls.add(scheme + (host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host) + ":" + port);
            return urls;
        }
        final List<String> loopback = new ArrayList<>();
        for (final InetAddress a : addresses)
        {
            if ((a instanceof Inet6Address && (!anyV6 || a.isLinkLocalAddress())) || a.isAnyLocalAddress())
            {
                continue; // 0.0.0.0 binds IPv4 only; link-local IPv6 needs a zone id no SDK takes
            }
            final String text = a instanceof Inet6Address ? "[" + a.getHostAddress() + "]" : a.getHostAddress();
            (a.isLoopbackAddress() ? loopback : urls).add(scheme + text + ":" + port);
        }
        if (loopback.isEmpty())
        {
            loopback.add(scheme + (anyV4 ? "127.0.0.1" : "[::1]") + ":" + port);
        }
        urls.addAll(loopback);
        return urls;
    }

    public ServerConfig config()
    {
        return config;
    }

    public Vertx vertx()
    {
        return vertx;
    }

    /**
     * @return the served apps.
     */
    public OutpostApps apps()
    {
        return apps;
    }

    /**
     * @return the auth service of the first configured app (the only one in the single-app form).
     */
    public AuthService auth()
    {
        return apps.auth(apps.appIds().iterator().next());
    }

    /**
     * @return the connection cap and HTTP timeouts in force, with their counters.
     */
    public HttpConnectionGuard connectionGuard()
    {
        return guard;
    }

    public WebSocketEndpoint webSocket()
    {
        return apps.webSocket();
    }

    /**
     * @return whether Netty's native (epoll) transport is in use.
     */
    public boolean nativeTransport()
    {
        return vertx.isNativeTransportEnabled();
    }

    /** @return lifecycle, readiness checks and live figures ({@code /ready}, {@code /status.json}). */
    public ServerStatus status()
    {
        return status;
    }

    public ServerMetrics metrics()
    {
        return status.metrics();
    }

    /**
     * Graceful shutdown: report {@code STOPPING} on {@code /ready}, refuse new requests (503), tell sync clients to
     * reconnect later and wait for their connections to close (at most {@link ServerConfig#shutdownTimeout()}),
     * close the port and Vert.x, then close every app's stores. Idempotent; blocks.
     */
    public synchronized void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        status.markStopping();
        try
        {
            apps.shutdown();
            vertx.close().await(10, TimeUnit.SECONDS);
            LOG.log(System.Logger.Level.INFO, "Outpost shutting down: port " + port + " closed");
        }
        catch (final Exception ex)
        {
            LOG.log(System.Logger.Level.WARNING, "Vert.x close: " + ex);
        }
        finally
        {
            apps.close();
        }
    }

    /** Vert.x's own meters: only the HTTP server (requests, active connections and WebSockets). */
    private static MicrometerMetricsOptions metricsOptions()
    {
        final MicrometerMetricsOptions options = new MicrometerMetricsOptions().setEnabled(true);
        for (final MetricsDomain d : MetricsDomain.values())
        {
            if (d != MetricsDomain.HTTP_SERVER)
            {
                options.addDisabledMetricsCategory(d);
            }
        }
        return options;
    }

    private static int deploy(
        final Vertx vertx,
        final Router router,
        final HttpServerOptions options,
        final HttpConnectionGuard guard,
        final int instances)
        throws Exception
    {
        final Promise<Integer> bound = Promise.promise();
        vertx.deployVerticle(() -> new HttpVerticle(router, new HttpServerOptions(options), guard, bound),
            new DeploymentOptions().setInstances(instances)).await(30, TimeUnit.SECONDS);
        return bound.future().await(1, TimeUnit.SECONDS);
    }

    private static final class HttpVerticle extends VerticleBase
    {
        private final Router router;
        private final HttpServerOptions options;
        private final HttpConnectionGuard guard;
        private final Promise<Integer> bound;

        HttpVerticle(
            final Router router,
            final HttpServerOptions options,
            final HttpConnectionGuard guard,
            final Promise<Integer> bound)
        {
            this.router = router;
            this.options = options;
            this.guard = guard;
            this.bound = bound;
        }

        public Future<?> start()
        {
            final HttpServer server = vertx.createHttpServer(options).connectionHandler(guard).requestHandler(router)
                .invalidRequestHandler(HttpApi::invalidRequest);
            return server.listen().onSuccess(s -> bound.tryComplete(s.actualPort()));
        }
    }
}
