package dev.outpost.server.http;

import dev.outpost.server.auth.AuthService;
import dev.outpost.server.auth.AuthStore;
import dev.outpost.server.auth.TokenService;
import dev.outpost.server.config.ServerConfig;
import dev.outpost.server.metrics.Logging;
import dev.outpost.server.metrics.MeteredConnections;
import dev.outpost.server.metrics.ServerMetrics;
import dev.outpost.server.status.ServerStatus;
import dev.outpost.server.status.StatusRoutes;
import dev.outpost.server.ws.SubprotocolNegotiator;
import dev.outpost.server.ws.SyncConnectionHandlerFactory;
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

import java.util.concurrent.TimeUnit;

/**
 * The running edge server: one Vert.x instance, one HTTP server per event loop sharing a single port for the App
 * Services endpoints and the sync WebSocket, the auth store and the token service.
 * <p>
 * {@link #start} blocks until the port is bound (or fails); {@link #close} blocks until everything is stopped. Both
 * are for the main thread or a test, never an event loop.
 */
public final class OutpostServer implements AutoCloseable
{
    private final ServerConfig config;
    private final Vertx vertx;
    private final AuthStore store;
    private final AuthService auth;
    private final WebSocketEndpoint webSocket;
    private final ServerStatus status;
    private final int port;

    private OutpostServer(
        final ServerConfig config,
        final Vertx vertx,
        final AuthStore store,
        final AuthService auth,
        final WebSocketEndpoint webSocket,
        final ServerStatus status,
        final int port)
    {
        this.config = config;
        this.vertx = vertx;
        this.store = store;
        this.auth = auth;
        this.webSocket = webSocket;
        this.status = status;
        this.port = port;
    }

    /**
     * {@link #start(ServerConfig, SyncConnectionHandlerFactory, ServerMetrics)} with metrics of its own.
     */
    public static OutpostServer start(final ServerConfig config, final SyncConnectionHandlerFactory factory)
        throws Exception
    {
        return start(config, factory, new ServerMetrics());
    }

    /**
     * Validate the configuration, open the data directory and listen.
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
        config.conclude();
        Logging.install();
        final ServerStatus status = new ServerStatus(metrics);
        final Vertx vertx = Vertx.builder()
            .with(new VertxOptions().setPreferNativeTransport(true).setEventLoopPoolSize(config.eventLoops())
                .setMetricsOptions(metricsOptions()))
            .withMetrics(new MicrometerMetricsFactory(metrics.registry()))
            .build();
        AuthStore store = null;
        try
        {
            store = AuthStore.open(config.dataDir());
            final TokenService tokens = new TokenService(vertx, config);
            final AuthService auth = new AuthService(config.appId(), tokens, store, config.epochClock());
            final WebSocketEndpoint webSocket = new WebSocketEndpoint(SubprotocolNegotiator.standard(),
                MeteredConnections.instrument(factory, metrics), config.maxMessageSize(), config.idleTimeout());
            final Router router = new HttpApi(auth, webSocket).router(vertx);
            new StatusRoutes(status).mount(router);

            // One server per event loop, all sharing one listening socket. Vert.x shares a random port among
            // servers asking for a negative port, so a configured 0 becomes -1 here.
            final int port = deploy(vertx, router, config, 0 == config.port() ? -1 : config.port(),
                config.eventLoops());
            status.markReady();
            vertx.setPeriodic(1000, id -> status.sample());
            return new OutpostServer(config, vertx, store, auth, webSocket, status, port);
        }
        catch (final Exception ex)
        {
            if (null != store)
            {
                store.close();
            }
            vertx.close().await(10, TimeUnit.SECONDS);
            throw ex;
        }
    }

    /**
     * @return the port actually bound (resolves a configured 0).
     */
    public int port()
    {
        return port;
    }

    /**
     * @return the configured bind host.
     */
    public String host()
    {
        return config.host();
    }

    /**
     * @return {@code http://host:port} as clients should use it.
     */
    public String baseUrl()
    {
        final String host = config.host().contains(":") ? "[" + config.host() + "]" : config.host();
        return "http://" + host + ":" + port;
    }

    public ServerConfig config()
    {
        return config;
    }

    public Vertx vertx()
    {
        return vertx;
    }

    public AuthService auth()
    {
        return auth;
    }

    public WebSocketEndpoint webSocket()
    {
        return webSocket;
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

    public void close()
    {
        status.markStopping();
        try
        {
            vertx.close().await(10, TimeUnit.SECONDS);
        }
        catch (final Exception ex)
        {
            System.getLogger(OutpostServer.class.getName()).log(System.Logger.Level.WARNING, "Vert.x close: " + ex);
        }
        finally
        {
            store.close();
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
        final Vertx vertx, final Router router, final ServerConfig config, final int port, final int instances)
        throws Exception
    {
        final Promise<Integer> bound = Promise.promise();
        vertx.deployVerticle(() -> new HttpVerticle(router, config, port, bound),
            new DeploymentOptions().setInstances(instances)).await(30, TimeUnit.SECONDS);
        return bound.future().await(1, TimeUnit.SECONDS);
    }

    private static final class HttpVerticle extends VerticleBase
    {
        private final Router router;
        private final ServerConfig config;
        private final int port;
        private final Promise<Integer> bound;

        HttpVerticle(final Router router, final ServerConfig config, final int port, final Promise<Integer> bound)
        {
            this.router = router;
            this.config = config;
            this.port = port;
            this.bound = bound;
        }

        public Future<?> start()
        {
            final HttpServerOptions options = new HttpServerOptions()
                .setHost(config.host())
                .setPort(port)
                .setTcpNoDelay(true)
                .setMaxWebSocketFrameSize(config.maxMessageSize())
                .setMaxWebSocketMessageSize(config.maxMessageSize())
                .setPerMessageWebSocketCompressionSupported(false)
                .setPerFrameWebSocketCompressionSupported(false)
                .setRegisterWebSocketWriteHandlers(false)
                .setMaxInitialLineLength(16 * 1024)
                // Backstop for abandoned keep-alive HTTP connections; sync WebSockets are dropped earlier by
                // their own inbound-idle check (idleTimeout).
                .setIdleTimeout((int)Math.min(Integer.MAX_VALUE, config.idleTimeout().toSeconds() * 2 + 1))
                .setIdleTimeoutUnit(TimeUnit.SECONDS);
            final HttpServer server = vertx.createHttpServer(options).requestHandler(router)
                .invalidRequestHandler(HttpApi::invalidRequest);
            return server.listen().onSuccess(s -> bound.tryComplete(s.actualPort()));
        }
    }
}
