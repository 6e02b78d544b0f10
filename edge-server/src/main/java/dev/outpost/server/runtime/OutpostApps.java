package dev.outpost.server.runtime;

import dev.outpost.server.admin.AdminApps;

import dev.outpost.server.auth.AuthService;
import dev.outpost.server.auth.AuthStore;
import dev.outpost.server.auth.CustomTokenVerifier;
import dev.outpost.server.auth.TokenService;
import dev.outpost.server.config.AppConfig;
import dev.outpost.server.config.AppServicesExport;
import dev.outpost.server.config.ServerConfig;
import dev.outpost.server.http.ApiResponses;
import dev.outpost.server.http.AppDirectory;
import dev.outpost.server.http.HttpApi;
import dev.outpost.server.metrics.EventLoopMeter;
import dev.outpost.server.config.SyncSettings;
import dev.outpost.server.metrics.ServerMetrics;
import dev.outpost.server.memory.HeapGuard;
import dev.outpost.server.mirror.PgInbound;
import dev.outpost.server.mirror.PgMirror;
import dev.outpost.server.sync.SyncService;
import dev.outpost.server.status.ServerStatus;
import dev.outpost.server.ws.SubprotocolNegotiator;
import dev.outpost.server.ws.SyncConnection;
import dev.outpost.server.ws.SyncConnectionHandler;
import dev.outpost.server.ws.SyncEngine;
import dev.outpost.server.ws.SyncEngineFactory;
import dev.outpost.server.ws.WebSocketEndpoint;
import io.micrometer.core.instrument.Gauge;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything the server serves, without the listening socket: each configured app with its own auth store,
 * token keys and sync engine (all in the app's own data directory), the sync WebSocket endpoint that hands each
 * connection to its app's engine, and the router. {@link OutpostServer} puts it behind its own port; an embedding
 * application mounts {@link #router} in its own router.
 * <p>
 * {@link #open}, {@link #shutdown} and {@link #close} block (main thread, a test, or a worker; never an event loop);
 * everything else is thread-safe.
 */
public final class OutpostApps implements AdminApps, AutoCloseable
{
    private static final System.Logger LOG = System.getLogger("dev.outpost.server.shutdown");
    private static final System.Logger RULES_LOG = System.getLogger("dev.outpost.server.rules");
    private static final System.Logger MEMORY_LOG = System.getLogger("dev.outpost.server.memory");

    private record App(AppConfig app, ServerConfig config, AuthStore store, AuthService auth, SyncEngine engine,
        PgMirror mirror, PgInbound inbound)
    {
    }

    private final ServerConfig config;
    private final Map<String, App> apps;
    private final ServerMetrics metrics;
    private final WebSocketEndpoint webSocket;
    private final HeapGuard heapGuard;
    private volatile boolean draining;
    private boolean shutDown;
    private boolean closed;

    private OutpostApps(final ServerConfig config, final Map<String, App> apps, final ServerMetrics metrics)
    {
        this.config = config;
        this.apps = apps;
        this.metrics = metrics;
        this.webSocket = new WebSocketEndpoint(SubprotocolNegotiator.standard(),
            this::newHandler, config.maxMessageSize(), config.idleTimeout(), config.wsFragmentBytes(),
            new EventLoopMeter(metrics, config.eventLoopCpu()));
        this.heapGuard = 0 == config.memoryPressure() ? HeapGuard.NONE :
            HeapGuard.start(config.memoryPressure() / 100.0, (config.memoryPressure() - 15) / 100.0, 2_000);
        heapGuard.addListener(this::memoryPressure);
        Gauge.builder("outpost.memory.pressure", heapGuard, g -> g.underPressure() ? 1 : 0)
            .description("1 while the heap left after collections is over memory.pressure (input paused)")
            .register(metrics.registry());
        Gauge.builder("outpost.memory.pressure.episodes", heapGuard, HeapGuard::episodes)
            .description("times memory pressure started").register(metrics.registry());
        Gauge.builder("outpost.heap.live", heapGuard, HeapGuard::liveAfterGc).baseUnit("bytes")
            .description("heap left after the last garbage collection").register(metrics.registry());
    }

    /** The heap guard saw pressure start or end: connections pause or resume reading, engines drop cached states. */
    private void memoryPressure(final boolean pressure)
    {
        MEMORY_LOG.log(pressure ? System.Logger.Level.WARNING : System.Logger.Level.INFO, pressure ?
            "memory pressure: " + (heapGuard.liveAfterGc() >> 20) + " MiB of " + (heapGuard.maxHeap() >> 20) +
            " MiB heap left after a collection; input paused, cached object states dropped, new connections refused " +
            "(raise the heap with JAVA_OPTS=-Xmx..., see OPERATING.md 'Memory')" :
            "memory pressure over: " + (heapGuard.liveAfterGc() >> 20) + " MiB live; reading again");
        webSocket.memoryPressure(pressure);
        for (final App app : apps.values())
        {
            app.engine().memoryPressure(pressure);
        }
        if (pressure)
        {
            // a pause that freed nothing (the live data itself is over the mark) must not stall every client: read
            // again after a while, keep refusing new connections and dropping cached states until pressure ends
            final long episode = heapGuard.episodes();
            heapGuard.schedule(() ->
            {
                if (heapGuard.underPressure() && heapGuard.episodes() == episode)
                {
                    MEMORY_LOG.log(System.Logger.Level.WARNING, "memory pressure persists (" +
                        (heapGuard.liveAfterGc() >> 20) + " MiB of " + (heapGuard.maxHeap() >> 20) + " MiB heap live): reading again, new connections " +
                        "still refused; the heap is too small for this load: raise it (JAVA_OPTS=-Xmx...)");
                    webSocket.pauseReading(false);
                }
            }, READ_PAUSE_MAX_MS);
        }
    }

    /** Longest pause of input for memory pressure before reading resumes anyway. */
    static final long READ_PAUSE_MAX_MS = 5_000;

    /** @return the heap guard of these apps ({@link HeapGuard#NONE} when {@code memory.pressure} is 0). */
    public HeapGuard heapGuard()
    {
        return heapGuard;
    }

    /**
     * {@link #open(Vertx, ServerConfig, SyncEngineFactory, ServerMetrics)} with metrics of its own.
     */
    public static OutpostApps open(final Vertx vertx, final ServerConfig config, final SyncEngineFactory engines)
        throws Exception
    {
        return open(vertx, config, engines, new ServerMetrics());
    }

    /**
     * Open every app of the configuration.
     *
     * @param vertx   the Vert.x instance the routes will run on.
     * @param config  the configuration ({@link ServerConfig#conclude()} is called here).
     * @param engines opens the sync engine of each app.
     * @param metrics counts the sync WebSocket connections of every app.
     * @return the apps, ready to serve.
     * @throws Exception if the configuration is invalid or an app's data cannot be opened; apps opened so far are
     *                   closed again.
     */
    public static OutpostApps open(
        final Vertx vertx, final ServerConfig config, final SyncEngineFactory engines, final ServerMetrics metrics)
        throws Exception
    {
        config.conclude();
        // once per start, whoever starts (serve, the embedding verticle, tests): what an export holds that is not served
        AppServicesExport.logWarnings(config.apps());
        final Map<String, App> apps = new LinkedHashMap<>();
        try
        {
            for (final AppConfig app : config.apps())
            {
                final ServerConfig appConfig = config.forApp(app);
                final AuthStore store = AuthStore.open(appConfig.dataDir());
                try
                {
                    final AuthService auth = new AuthService(app, new TokenService(vertx, appConfig), store,
                        config.epochClock(), null == app.customToken() ? null :
                        new CustomTokenVerifier(vertx, app.customToken(), config.epochClock()))
                        .metrics(metrics.app(app.id()).auth());
                    final SyncEngine engine = engines.open(appConfig);
                    engine.profiles(userId -> profileOf(auth, userId));
                    auth.customUserData(engine::customUserData);
                    engine.liveSessions(sessionId -> auth.sessionLive(sessionId));
                    final PgMirror mirror = startMirror(app, engine, metrics, appConfig.mirrorResidentFiles());
                    apps.put(app.id(), new App(app, appConfig, store, auth, engine, mirror,
                        null == mirror ? null : startInbound(app, (SyncService)engine, metrics)));
                }
                catch (final Exception ex)
                {
                    store.close();
                    throw ex;
                }
            }
        }
        catch (final Exception ex)
        {
            for (final App app : apps.values())
            {
                closeQuietly(app);
            }
            throw ex;
        }
        return new OutpostApps(config, apps, metrics);
    }

    /**
     * The app's PostgreSQL mirror, when it has one and its engine keeps a history (Outpost's sync service).
     */
    private static PgMirror startMirror(final AppConfig app, final SyncEngine engine, final ServerMetrics metrics,
        final int residentFiles)
    {
        if (null == app.mirror() || !(engine instanceof SyncService sync))
        {
            return null;
        }
        final SyncSettings settings = app.sync();
        final boolean pbs = null != settings && SyncSettings.Mode.PARTITION == settings.mode();
        return PgMirror.start(app.id(), app.mirror(), pbs ? settings.partitionKey() : null,
            pbs ? settings.partitionKeyType() : null, sync.historyStore(), metrics, residentFiles);
    }

    /**
     * The inbound path of the app's mirror (SQL writes to the clients), when the mirror has it on.
     */
    private static PgInbound startInbound(final AppConfig app, final SyncService sync, final ServerMetrics metrics)
    {
        if (!app.mirror().inbound())
        {
            return null;
        }
        final SyncSettings settings = app.sync();
        final Boolean pbs = null == settings || null == settings.mode() ? null :
            SyncSettings.Mode.PARTITION == settings.mode();
        return PgInbound.start(app.id(), app.mirror(), pbs, null == settings ? null : settings.partitionKey(), sync,
            metrics);
    }

    /**
     * @param appId a served app.
     * @return the inbound path of its PostgreSQL mirror, or null when it has none.
     */
    public PgInbound inbound(final String appId)
    {
        final App app = apps.get(appId);
        return null == app ? null : app.inbound();
    }

    /**
     * @param appId a served app.
     * @return its PostgreSQL mirror, or null when it has none.
     */
    public PgMirror mirror(final String appId)
    {
        final App app = apps.get(appId);
        return null == app ? null : app.mirror();
    }

    /**
     * @param vertx the Vert.x instance.
     * @return a new router serving every endpoint of every app (share it between the servers of all event loops);
     * while shutting down it answers 503 so that clients retry elsewhere or later.
     */
    public Router router(final Vertx vertx)
    {
        final Router router = new HttpApi(this, webSocket, config.publicUrl(), config.listAppIds())
            .loginsPerIp(config.loginsPerIp()).router(vertx);
        router.route().order(-1_000_000).handler(ctx ->
        {
            if (draining)
            {
                ctx.response().putHeader("Connection", "close").putHeader("Retry-After", "1");
                ApiResponses.json(ctx.response(), 503, new JsonObject()
                    .put("error", "the server is shutting down").put("error_code", "ServiceUnavailable"));
            }
            else
            {
                ctx.next();
            }
        });
        return router;
    }

    /**
     * Add two readiness checks per app to {@code status}: its sync engine is open ({@link SyncEngine#isOpen()}),
     * named {@code "history store"} for a single app and {@code "history store of app 'ID'"} for several, and its
     * store has disk space ({@link SyncEngine#hasSpace()}, {@code "disk space"}, {@code "disk space of app 'ID'"}). Called
     * once by whoever serves the apps ({@link OutpostServer}, the embedding verticle).
     *
     * @param status the status behind {@code /ready}.
     */
    public void addReadinessChecks(final ServerStatus status)
    {
        for (final App app : apps.values())
        {
            final SyncEngine engine = app.engine();
            status.readinessCheck(apps.size() == 1 ? "history store" :
                "history store of app '" + app.app().id() + "'", engine::isOpen);
            status.readinessCheck(apps.size() == 1 ? "disk space" :
                "disk space of app '" + app.app().id() + "'", engine::hasSpace);
            if (null != app.mirror())
            {
                final PgInbound inbound = app.inbound();
                status.mirror(app.app().id(), null == inbound ? app.mirror()::statusJson :
                    () -> app.mirror().statusJson().put("inbound", inbound.statusJson()));
            }
        }
    }

    public AuthService auth(final String appId)
    {
        final App app = apps.get(appId);
        return null == app ? null : app.auth();
    }

    public boolean providerEnabled(final String appId, final String provider)
    {
        final App app = apps.get(appId);
        return null != app && app.app().providerEnabled(provider);
    }

    /**
     * @return the served app ids, in configuration order.
     */
    public java.util.Set<String> appIds()
    {
        return apps.keySet();
    }

    /**
     * @param appId a served app.
     * @return its configuration narrowed to it (its own data directory), or null.
     */
    public ServerConfig appConfig(final String appId)
    {
        final App app = apps.get(appId);
        return null == app ? null : app.config();
    }

    /**
     * @param appId a served app.
     * @return its sync engine, or null.
     */
    public SyncEngine engine(final String appId)
    {
        final App app = apps.get(appId);
        return null == app ? null : app.engine();
    }

    /**
     * Outcome of {@link #reloadRules()}.
     *
     * @param failure   null, or why nothing was reloaded (the file and key; the rules in force stay).
     * @param changed   the apps whose rules changed and were applied.
     * @param unchanged the apps whose rules were the same (nothing happened to them).
     */
    public record RulesReload(String failure, java.util.List<String> changed, java.util.List<String> unchanged)
    {
        /** @return whether the rules could be read (changed or not). */
        public boolean ok()
        {
            return null == failure;
        }
    }

    /**
     * Re-read every app's permission rules from where they came from ({@link ServerConfig#rereadRules()}: the
     * config file or the App Services export) and apply them ({@link SyncEngine#reloadRules}). Only rules are
     * reloaded (not auth providers, sync settings or schema). Rules that cannot be honoured: nothing changes for any
     * app, one ERROR line names the file and key. Counted in {@code outpost.rules.reloads} by {@code result}
     * ({@code applied}, {@code unchanged}, {@code failed}). What SIGHUP and {@code outpost reload} run; blocks
     * (never call it on an event loop).
     *
     * @return what happened.
     */
    public synchronized RulesReload reloadRules()
    {
        final Map<String, dev.outpost.ot.rules.Rules> next;
        try
        {
            next = config.rereadRules();
        }
        catch (final dev.outpost.server.config.ConfigException ex)
        {
            RULES_LOG.log(System.Logger.Level.ERROR, "permission rules not reloaded, the rules in force stay: " +
                ex.getMessage());
            reloads("failed");
            return new RulesReload(ex.getMessage(), java.util.List.of(), java.util.List.of());
        }
        final java.util.List<String> changed = new java.util.ArrayList<>();
        final java.util.List<String> unchanged = new java.util.ArrayList<>();
        for (final App app : apps.values())
        {
            final dev.outpost.ot.rules.Rules rules = next.get(app.app().id());
            if (null == rules)
            {
                RULES_LOG.log(System.Logger.Level.WARNING, "app '" + app.app().id() + "' is no longer in the " +
                    "configuration; its rules stay (restart to add or remove apps)");
                unchanged.add(app.app().id());
            }
            else if (app.engine().reloadRules(rules))
            {
                changed.add(app.app().id());
            }
            else
            {
                unchanged.add(app.app().id());
            }
        }
        reloads(changed.isEmpty() ? "unchanged" : "applied");
        return new RulesReload(null, java.util.List.copyOf(changed), java.util.List.copyOf(unchanged));
    }

    private void reloads(final String result)
    {
        metrics.counter("outpost.rules.reloads", "permission rule reloads (SIGHUP, outpost reload) by result",
            "result", result).increment();
    }

    /**
     * @return the metrics the sync WebSocket connections are counted in.
     */
    public ServerMetrics metrics()
    {
        return metrics;
    }

    public WebSocketEndpoint webSocket()
    {
        return webSocket;
    }

    public ServerConfig config()
    {
        return config;
    }

    /**
     * @return whether a shutdown has begun (requests are answered 503).
     */
    public boolean draining()
    {
        return draining;
    }

    /**
     * First half of a graceful shutdown: refuse new requests and upgrades (503), then tell every sync connection
     * of every app to reconnect later and wait, at most {@link ServerConfig#shutdownTimeout()}, for them to close.
     * Idempotent.
     */
    public synchronized void shutdown()
    {
        if (shutDown)
        {
            return;
        }
        shutDown = true;
        draining = true;
        LOG.log(System.Logger.Level.INFO, "Outpost shutting down: refusing new requests");
        final long deadline = System.nanoTime() + config.shutdownTimeout().toNanos();
        int told = 0;
        for (final App app : apps.values())
        {
            final Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
            told += app.engine().drain(left);
        }
        LOG.log(System.Logger.Level.INFO, "Outpost shutting down: told " + told +
            " sync connection(s) to reconnect later");
    }

    /**
     * Second half: close every app's sync engine and auth store, making everything acknowledged durable. Call
     * after {@link #shutdown} and after the listening sockets are closed. Idempotent.
     */
    public synchronized void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        heapGuard.close();
        for (final App app : apps.values())
        {
            closeQuietly(app);
        }
        LOG.log(System.Logger.Level.INFO, "Outpost shutting down: stores of " + apps.size() + " app(s) closed");
    }

    @SuppressWarnings("unchecked")
    private static java.util.Map<String, Object> profileOf(final AuthService auth, final String userId)
    {
        return (java.util.Map<String, Object>)dev.outpost.server.config.RuleSettings.plain(auth.profileData(userId));
    }

    private SyncConnectionHandler newHandler(final SyncConnection connection)
    {
        // The upgrade was only accepted for a served app, so the app is always there.
        return apps.get(connection.appId()).engine().newHandler(connection);
    }

    private static void closeQuietly(final App app)
    {
        if (null != app.inbound())
        {
            app.inbound().close(); // before the sync service it writes to
        }
        if (null != app.mirror())
        {
            app.mirror().close(); // before the store it reads
        }
        try
        {
            app.engine().close();
        }
        catch (final RuntimeException ex)
        {
            LOG.log(System.Logger.Level.WARNING, "closing the sync engine of app '" + app.app().id() + "': " + ex);
        }
        finally
        {
            app.store().close();
        }
    }
}
