package dev.outpost.server.status;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The operational endpoints: the probes on the same port as the App Services API, the rest on the admin listener
 * (and on the public port too with {@code admin.public-status}):
 * <pre>
 * GET /health        200 {"status":"UP"} while the process serves HTTP
 * GET /ready         200 {"status":"READY"} when started and every readiness check passes, else 503
 * GET /metrics       Prometheus text format (version 0.0.4)
 * GET /status.json   live figures of the status page (see {@link ServerStatus#toJson()})
 * GET /              the status page (static HTML polling /status.json)
 * </pre>
 */
public final class StatusRoutes
{
    /** Prometheus text exposition content type. */
    public static final String PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private static final Buffer PAGE = Buffer.buffer(readPage());

    private final ServerStatus status;

    /** @param status the server's status. */
    public StatusRoutes(final ServerStatus status)
    {
        this.status = status;
    }

    /** Adds every route to {@code router}. */
    public void mount(final Router router)
    {
        mountProbes(router);
        mountPages(router);
    }

    /** Adds the probes ({@code /health}, {@code /ready}): on the public port, for load balancers and orchestrators. */
    public void mountProbes(final Router router)
    {
        router.get("/health").handler(this::health);
        router.get("/ready").handler(this::ready);
    }

    /**
     * Adds the status page, {@code /status.json} and {@code /metrics}: on the admin listener (and on the public port
     * only with {@code admin.public-status}).
     */
    public void mountPages(final Router router)
    {
        router.get("/metrics").handler(this::metrics);
        router.get("/status.json").handler(this::statusJson);
        router.get("/").handler(this::page);
    }

    private void health(final RoutingContext ctx)
    {
        json(ctx, 200, new JsonObject().put("status", "UP").put("uptime_seconds",
            Math.round(status.uptimeSeconds() * 10) / 10.0));
    }

    private void ready(final RoutingContext ctx)
    {
        final String reason = status.notReadyReason();
        if (null == reason)
        {
            json(ctx, 200, new JsonObject().put("status", "READY"));
        }
        else
        {
            json(ctx, 503, new JsonObject().put("status", "NOT_READY").put("reason", reason)
                .put("state", status.state().name()));
        }
    }

    private void metrics(final RoutingContext ctx)
    {
        // Scraping walks every meter: do it off the event loop.
        ctx.vertx().executeBlocking(() -> status.metrics().scrape(), false).onComplete(ar ->
        {
            if (ar.failed())
            {
                ctx.fail(ar.cause());
                return;
            }
            ctx.response().setStatusCode(200).putHeader("Content-Type", PROMETHEUS_CONTENT_TYPE)
                .putHeader("Cache-Control", "no-store").end(ar.result());
        });
    }

    private void statusJson(final RoutingContext ctx)
    {
        ctx.vertx().executeBlocking(status::toJson, false).onComplete(ar ->
        {
            if (ar.failed())
            {
                ctx.fail(ar.cause());
                return;
            }
            json(ctx, 200, ar.result());
        });
    }

    private void page(final RoutingContext ctx)
    {
        ctx.response().setStatusCode(200).putHeader("Content-Type", "text/html; charset=utf-8")
            .putHeader("Cache-Control", "no-store").end(PAGE);
    }

    private static void json(final RoutingContext ctx, final int status, final JsonObject body)
    {
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json")
            .putHeader("Cache-Control", "no-store").end(body.toBuffer());
    }

    private static byte[] readPage()
    {
        try (InputStream in = StatusRoutes.class.getResourceAsStream("index.html"))
        {
            if (null == in)
            {
                throw new IllegalStateException("status page resource missing");
            }
            return in.readAllBytes();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
