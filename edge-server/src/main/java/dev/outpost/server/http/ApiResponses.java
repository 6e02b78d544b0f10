package dev.outpost.server.http;

import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * JSON answers in the shape realm-core parses. Errors are {@code {"error":...,"error_code":...}} with a
 * {@code Content-Type} of exactly {@code application/json}: core ignores error bodies with any other value (even
 * with a charset parameter).
 */
public final class ApiResponses
{
    public static final String CONTENT_TYPE = "application/json";

    public static final String BAD_REQUEST = "BadRequest";
    public static final String APP_NOT_FOUND = "AppNotFound";
    public static final String NOT_FOUND = "NotFound";
    public static final String METHOD_NOT_ALLOWED = "MethodNotAllowed";
    public static final String PROVIDER_NOT_FOUND = "AuthProviderNotFound";
    public static final String INTERNAL = "InternalServerError";

    private ApiResponses()
    {
    }

    /**
     * @param response where to write.
     * @param status   HTTP status.
     * @param body     JSON body.
     */
    public static void json(final HttpServerResponse response, final int status, final JsonObject body)
    {
        if (response.ended() || response.closed())
        {
            return;
        }
        response.setStatusCode(status).putHeader("Content-Type", CONTENT_TYPE).end(body.encode());
    }

    /**
     * @param response  where to write.
     * @param status    HTTP status.
     * @param errorCode App Services error code, e.g. {@code InvalidSession}.
     * @param message   human-readable message (never a stack trace).
     */
    public static void error(final HttpServerResponse response, final int status, final String errorCode,
        final String message)
    {
        json(response, status, new JsonObject().put("error", message).put("error_code", errorCode));
    }

    /**
     * The answer to a route that failed: {@code -1} when the peer went away mid-request (or was closed for a stalled
     * body: nobody to answer, nothing to log), 400 for a body that is not JSON, the route's status when it is an
     * HTTP error, else 500.
     *
     * @param ctx the failed route's context.
     * @return the status to answer with, or -1 for none.
     */
    public static int failureStatus(final RoutingContext ctx)
    {
        final Throwable failure = ctx.failure();
        if (failure instanceof HttpClosedException)
        {
            return -1;
        }
        final int status = failure instanceof DecodeException ? 400 : ctx.statusCode();
        return status < 400 || status > 599 ? 500 : status;
    }

    /**
     * Answer a failed route whose status is below 500: {@code RequestTooLarge} for 413, else {@code BadRequest}.
     *
     * @param ctx    the failed route's context.
     * @param status its {@link #failureStatus}.
     */
    public static void rejected(final RoutingContext ctx, final int status)
    {
        error(ctx.response(), status, status == 413 ? "RequestTooLarge" : BAD_REQUEST,
            "request rejected (HTTP " + status + ")");
    }
}
