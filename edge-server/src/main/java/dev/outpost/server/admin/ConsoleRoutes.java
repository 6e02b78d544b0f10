package dev.outpost.server.admin;

import dev.outpost.ot.query.CompiledQuery;
import dev.outpost.ot.query.QueryCompiler;
import dev.outpost.ot.query.StateObjectView;
import dev.outpost.ot.query.StateSchema;
import dev.outpost.ot.state.ObjectData;
import dev.outpost.ot.state.ObjectState;
import dev.outpost.ot.state.TableData;
import dev.outpost.server.http.ApiResponses;
import dev.outpost.server.inspect.ObjectsJson;
import dev.outpost.server.status.ServerStatus;
import dev.outpost.server.sync.SyncService;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The web console on the admin listener: its static page ({@code /console}, files from this package's
 * {@code console/} resources, no external network) and the two routes it adds to the admin API:
 * <pre>
 * GET G/{appId}/console/metrics                     the last hour of the app's figures (see {@link MetricsHistory})
 * GET G/{appId}/console/data?file=&amp;class=&amp;query=&amp;offset=&amp;limit=
 *                                                    a server file's classes with their schema and object counts;
 *                                                    with class: one page of its objects matching the RQL query
 * </pre>
 * The data route copies the file's state on its writer and filters it on a worker with the FLX query engine; a bad
 * query is a 400 with the parser's message.
 */
final class ConsoleRoutes
{
    private static final String[][] FILES = {
        {"index.html", "text/html; charset=utf-8"},
        {"console.css", "text/css; charset=utf-8"},
        {"console.js", "text/javascript; charset=utf-8"},
        {"chart.js", "text/javascript; charset=utf-8"}};
    /** The page loads nothing from elsewhere: scripts, styles, images and fetches only from this listener. */
    private static final String CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; " +
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
    private static final int MAX_PAGE = 500;

    private final AdminApps apps;
    private final ServerStatus status;
    private final Map<String, MetricsHistory> histories = new ConcurrentHashMap<>();
    private final Map<String, Buffer> files = new ConcurrentHashMap<>();

    ConsoleRoutes(final AdminApps apps, final ServerStatus status)
    {
        this.apps = apps;
        this.status = status;
    }

    /** Serves the page (no key needed: it holds no data; it asks for the key). */
    void mountPage(final Router router)
    {
        // Vert.x matches "/console" with and without the trailing slash: relative links need the slash
        router.get("/console").handler(ctx ->
        {
            if (ctx.request().path().endsWith("/"))
            {
                serve(ctx, "index.html", "text/html; charset=utf-8");
            }
            else
            {
                ctx.redirect("/console/");
            }
        });
        for (final String[] f : FILES)
        {
            router.get("/console/" + f[0]).handler(ctx -> serve(ctx, f[0], f[1]));
        }
    }

    /** The API routes, mounted after the admin API's authorization; starts sampling every app's figures. */
    void mountApi(final Router router, final String appPath, final Vertx vertx)
    {
        for (final String appId : apps.appIds())
        {
            histories.put(appId, new MetricsHistory(metricsOf(appId), () -> errorsOf(appId),
                null == status ? () -> null : () -> status.mirrorFigures(appId)));
        }
        vertx.setPeriodic(MetricsHistory.INTERVAL_MS, id -> histories.values().forEach(MetricsHistory::sample));
        router.get(appPath + "/console/metrics").handler(this::metrics);
        router.get(appPath + "/console/data").handler(this::data);
    }

    /** The app's own meters (tagged {@code app}), from the server's metrics. */
    private dev.outpost.server.metrics.AppMetrics metricsOf(final String appId)
    {
        if (null != status)
        {
            return status.metrics().app(appId);
        }
        return apps.engine(appId) instanceof SyncService sync ? sync.metrics().app(appId) :
            new dev.outpost.server.metrics.ServerMetrics().app(appId);
    }

    private long errorsOf(final String appId)
    {
        return apps.engine(appId) instanceof SyncService sync ? sync.errorLog().total() : 0;
    }

    private void serve(final RoutingContext ctx, final String name, final String type)
    {
        final Buffer body = files.computeIfAbsent(name, ConsoleRoutes::load);
        ctx.response().putHeader("Content-Type", type).putHeader("Content-Security-Policy", CSP)
            .putHeader("Referrer-Policy", "no-referrer").end(body);
    }

    private static Buffer load(final String name)
    {
        try (InputStream in = ConsoleRoutes.class.getResourceAsStream("console/" + name))
        {
            if (null == in)
            {
                throw new IllegalStateException("console resource missing from the build: " + name);
            }
            return Buffer.buffer(in.readAllBytes());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private void metrics(final RoutingContext ctx)
    {
        final String appId = ctx.pathParam("appId");
        final MetricsHistory history = histories.get(appId);
        if (null == history)
        {
            ApiResponses.error(ctx.response(), 404, ApiResponses.APP_NOT_FOUND, "no app '" + AdminApi.clip(appId) +
                "'");
            return;
        }
        ApiResponses.json(ctx.response(), 200, history.toJson().put("app", appId));
    }

    private void data(final RoutingContext ctx)
    {
        final String appId = ctx.pathParam("appId");
        if (!apps.appIds().contains(appId))
        {
            ApiResponses.error(ctx.response(), 404, ApiResponses.APP_NOT_FOUND, "no app '" + AdminApi.clip(appId) +
                "'");
            return;
        }
        if (!(apps.engine(appId) instanceof SyncService sync))
        {
            ApiResponses.error(ctx.response(), 404, ApiResponses.NOT_FOUND, "app " + appId + " has no sync service " +
                "of Outpost's own");
            return;
        }
        final String file = ctx.request().getParam("file");
        final String className = ctx.request().getParam("class");
        final String query = ctx.request().getParam("query");
        final int offset = intParam(ctx, "offset", 0, 0, Integer.MAX_VALUE);
        final int limit = intParam(ctx, "limit", 50, 1, MAX_PAGE);
        if (null == file || file.isEmpty())
        {
            ApiResponses.error(ctx.response(), 400, ApiResponses.BAD_REQUEST, "file (a server file name from " +
                "sync/files) is required");
            return;
        }
        if (offset < 0 || limit < 0)
        {
            ApiResponses.error(ctx.response(), 400, ApiResponses.BAD_REQUEST, "offset must be >= 0 and limit in 1.." +
                MAX_PAGE);
            return;
        }
        final CompletableFuture<ObjectState> copy = sync.stateCopy(file);
        copy.whenComplete((state, failure) -> ctx.vertx().<JsonObject>executeBlocking(() ->
        {
            if (null != failure)
            {
                throw new Answer(503, "ServiceUnavailable", "the server file could not be read now: " +
                    AdminApi.clip(String.valueOf(failure.getMessage())));
            }
            if (null == state)
            {
                throw new Answer(404, ApiResponses.NOT_FOUND, "no server file '" + AdminApi.clip(file) + "' in app " +
                    appId);
            }
            return null == className ? classes(file, state) : objects(file, state, className, query, offset, limit);
        }, false).onComplete(ar ->
        {
            if (ar.succeeded())
            {
                ApiResponses.json(ctx.response(), 200, ar.result());
            }
            else if (ar.cause() instanceof Answer a)
            {
                ApiResponses.error(ctx.response(), a.status, a.code, a.getMessage());
            }
            else
            {
                ApiResponses.error(ctx.response(), 500, ApiResponses.INTERNAL, "internal server error");
            }
        }));
    }

    private static JsonObject classes(final String file, final ObjectState state)
    {
        final JsonArray classes = new JsonArray();
        for (final TableData t : state.tables().values())
        {
            classes.add(ObjectsJson.schema(t).put("count", t.objects().size()));
        }
        return new JsonObject().put("file", file).put("classes", classes);
    }

    private static JsonObject objects(final String file, final ObjectState state, final String className,
        final String query, final int offset, final int limit)
    {
        final TableData table = state.table(className);
        if (null == table)
        {
            throw new Answer(404, ApiResponses.NOT_FOUND, "no class '" + AdminApi.clip(className) + "' in '" +
                AdminApi.clip(file) + "'");
        }
        final String text = null == query || query.isBlank() ? "TRUEPREDICATE" : query;
        final QueryCompiler.Result compiled = QueryCompiler.compile(className, text, new StateSchema(table), null);
        if (!compiled.isOk())
        {
            throw new Answer(400, ApiResponses.BAD_REQUEST, compiled.refusal().message());
        }
        final CompiledQuery q = compiled.query();
        final StateObjectView view = new StateObjectView();
        final JsonArray page = new JsonArray();
        int matched = 0;
        for (final ObjectData o : table.objects().values())
        {
            if (q.matches(view.wrap(o)))
            {
                if (matched >= offset && page.size() < limit)
                {
                    page.add(ObjectsJson.object(o));
                }
                matched++;
            }
        }
        return new JsonObject().put("file", file).put("class", ObjectsJson.schema(table)).put("query", text)
            .put("total", matched).put("offset", offset).put("objects", page);
    }

    /** @return the parameter, its default when absent, or -1 when it is no integer in range. */
    private static int intParam(final RoutingContext ctx, final String name, final int absent, final int min,
        final int max)
    {
        final String text = ctx.request().getParam(name);
        if (null == text)
        {
            return absent;
        }
        try
        {
            final int v = Integer.parseInt(text);
            return v >= min && v <= max ? v : -1;
        }
        catch (final NumberFormatException ex)
        {
            return -1;
        }
    }

    /** A typed answer from the worker. */
    private static final class Answer extends RuntimeException
    {
        private static final long serialVersionUID = 1L;
        private final int status;
        private final String code;

        Answer(final int status, final String code, final String message)
        {
            super(message, null, false, false);
            this.status = status;
            this.code = code;
        }
    }
}
