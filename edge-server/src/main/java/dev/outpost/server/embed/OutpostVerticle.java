package dev.outpost.server.embed;

import dev.outpost.server.admin.AdminApi;
import dev.outpost.server.admin.AdminKey;
import dev.outpost.server.config.ServerConfig;
import dev.outpost.server.http.HttpConnectionGuard;
import dev.outpost.server.metrics.ServerMetrics;
import dev.outpost.server.runtime.OutpostApps;
import dev.outpost.server.runtime.OutpostServer;
import dev.outpost.server.status.ServerStatus;
import dev.outpost.server.status.StatusRoutes;
import dev.outpost.server.sync.SyncService;
import dev.outpost.server.ws.SyncEngineFactory;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;

/**
 * Outpost inside a host Vert.x application. Deploy it, then mount its {@link #router()} in the host's own router
 * (at the root or under a prefix such as {@code /outpost/*}) and create the host's HTTP server with
 * {@link #httpServerOptions} so that sync WebSockets get Outpost's limits, and with {@link #connectionGuard} as its
 * connection handler so that HTTP connections get Outpost's timeouts and connection cap:
 * <pre>{@code
 * OutpostVerticle outpost = new OutpostVerticle(new ServerConfig().dataDir(Path.of("data")).appId("myapp"));
 * vertx.deployVerticle(outpost).await();
 * Router router = Router.router(vertx);
 * router.get("/hello").handler(ctx -> ctx.end("hi"));
 * router.route("/outpost/*").subRouter(outpost.router());
 * vertx.createHttpServer(outpost.httpServerOptions(new HttpServerOptions().setPort(8080)))
 *     .connectionHandler(outpost.connectionGuard())
 *     .requestHandler(router).listen().await();
 * // Realm apps use base URL http://host:8080/outpost and App ID myapp
 * }</pre>
 * The location endpoint answers with the prefix the request came through, so clients stay under it. Undeploying
 * the verticle (or closing Vert.x) shuts Outpost down gracefully: its routes answer 503, sync clients are told to
 * reconnect later, and its stores are closed. The host's own routes are not touched.
 */
public final class OutpostVerticle extends VerticleBase
{
    private final ServerConfig config;
    private final SyncEngineFactory engines;
    private volatile OutpostApps apps;
    private volatile Router router;
    private volatile ServerStatus status;
    private long sampler = -1;
    private HttpConnectionGuard guard;

    /**
     * @param config Outpost's settings (data directory, apps, token lifetimes...); host, port and TLS apply only
     *               through {@link #httpServerOptions}, since the host owns the server.
     */
    public OutpostVerticle(final ServerConfig config)
    {
        this(config, null);
    }

    /**
     * @param config  Outpost's settings.
     * @param engines opens the sync engine of each app; null for Outpost's own ({@link SyncService}, feeding the
     *                verticle's metrics), as {@code outpost serve} runs it.
     */
    public OutpostVerticle(final ServerConfig config, final SyncEngineFactory engines)
    {
        this.config = config;
        this.engines = engines;
    }

    public Future<?> start()
    {
        // Opening replays the stores from disk: a worker, not the event loop.
        return vertx.executeBlocking(() ->
        {
            final ServerMetrics metrics = new ServerMetrics();
            final OutpostApps opened = OutpostApps.open(vertx, config,
                null != engines ? engines : SyncService.engines(metrics), metrics);
            final ServerStatus serverStatus = new ServerStatus(metrics);
            opened.addReadinessChecks(serverStatus);
            final Router r = opened.router(vertx);
            final StatusRoutes statusRoutes = new StatusRoutes(serverStatus);
            statusRoutes.mountProbes(r);
            if (config.adminPublicStatus())
            {
                statusRoutes.mountPages(r);
            }
            serverStatus.markReady();
            status = serverStatus;
            apps = opened;
            router = r;
            return null;
        }).onSuccess(v -> sampler = vertx.setPeriodic(1000, id -> status.sample()));
    }

    public Future<?> stop()
    {
        final OutpostApps opened = apps;
        if (null == opened)
        {
            return Future.succeededFuture();
        }
        vertx.cancelTimer(sampler);
        status.markStopping();
        return vertx.executeBlocking(() ->
        {
            opened.shutdown();
            opened.close();
            return null;
        });
    }

    /**
     * @return Outpost's router (every App Services endpoint and the sync WebSocket) to mount in the host's router;
     * available once the verticle is deployed.
     * @throws IllegalStateException before deployment.
     */
    public Router router()
    {
        final Router r = router;
        if (null == r)
        {
            throw new IllegalStateException("deploy the OutpostVerticle first, then mount its router");
        }
        return r;
    }

    /**
     * The admin API ({@code /api/admin/v3.0/...}) with the status page, {@code /status.json} and {@code /metrics},
     * protected by {@code key}: mount it where only operators reach it (a server of its own on a loopback or
     * internal address, as {@code outpost serve} does, or a path the host protects). The verticle's own
     * {@link #router()} serves only {@code /health} and {@code /ready} of these, unless {@code admin.public-status}.
     *
     * @param key the admin key ({@link AdminKey#of}, or {@link AdminKey#resolve} for the configured one).
     * @return a new admin router; available once deployed.
     * @throws IllegalStateException before deployment.
     */
    public Router adminRouter(final AdminKey key)
    {
        final OutpostApps opened = apps;
        if (null == opened)
        {
            throw new IllegalStateException("deploy the OutpostVerticle first, then mount its admin router");
        }
        return new AdminApi(opened, key, status).router(vertx);
    }

    /**
     * @return the served apps (auth services, sync engines); available once deployed.
     */
    public OutpostApps apps()
    {
        return apps;
    }

    /**
     * @return lifecycle, readiness and live figures ({@code /health}, {@code /ready}, {@code /status.json} under
     * the mount point); available once deployed.
     */
    public ServerStatus status()
    {
        return status;
    }

    /**
     * The host's server options with what Outpost's sync WebSocket needs (frame and message limits, no WebSocket
     * compression) and, if the configuration has TLS, HTTPS/WSS. Host and port come from the configuration
     * ({@code host}, {@code port}); set them on the result to override.
     *
     * @param options the host's options.
     * @return the same options, changed.
     */
    public HttpServerOptions httpServerOptions(final HttpServerOptions options)
    {
        config.conclude();
        final int port = options.getPort();
        final String host = options.getHost();
        OutpostServer.serverOptions(config, options);
        if (port != HttpServerOptions.DEFAULT_PORT)
        {
            options.setPort(port);
        }
        if (!HttpServerOptions.DEFAULT_HOST.equals(host))
        {
            options.setHost(host);
        }
        return options;
    }

    /**
     * The connection handler to install on the host's HTTP server ({@code server.connectionHandler(...)}, one
     * instance for every server of the host): closes HTTP connections idle for {@code http.idle-timeout}, request
     * heads slower than {@code http.header-timeout} and bodies stalled for {@code http.body-timeout}, and caps the
     * open connections at {@code max-connections}; sync WebSockets count towards the cap but are not timed by it. It
     * needs the options from {@link #httpServerOptions} (HTTP/2 clear-text detection off). A host that has a
     * connection handler of its own calls this one from it.
     *
     * @return the same guard on every call.
     */
    public synchronized HttpConnectionGuard connectionGuard()
    {
        if (null == guard)
        {
            config.conclude();
            guard = new HttpConnectionGuard(config);
        }
        return guard;
    }
}
