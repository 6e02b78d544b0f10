package dev.outpost.server.http;

import dev.outpost.server.auth.ApiKey;
import dev.outpost.server.auth.AuthException;
import dev.outpost.server.auth.AuthService;
import dev.outpost.server.auth.TokenType;
import dev.outpost.server.auth.UserRecord;
import dev.outpost.server.auth.VerifiedToken;
import dev.outpost.server.config.AppConfig;
import dev.outpost.server.auth.AuthMetrics;
import dev.outpost.server.config.ServerConfig;
import dev.outpost.server.ws.WebSocketEndpoint;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.HostAndPort;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * The App Services endpoints realm-core calls, on one port with the sync WebSocket:
 * <pre>
 * GET    /api/client/v2.0/app/{app}/location
 * POST   /api/client/v2.0/app/{app}/auth/providers/{anon-user|local-userpass|custom-token|api-key}/login
 * POST   /api/client/v2.0/app/{app}/auth/providers/local-userpass/register   {email, password}: 201
 * POST   /api/client/v2.0/app/{app}/auth/providers/local-userpass/{confirm,reset,...}: 400, no e-mail is sent
 * GET    /api/client/v2.0/auth/profile          Bearer access token
 * POST   /api/client/v2.0/auth/api_keys         Bearer refresh token: 201 {"_id","key","name","disabled"}
 * GET    /api/client/v2.0/auth/api_keys[/{id}]  Bearer refresh token
 * DELETE /api/client/v2.0/auth/api_keys/{id}    Bearer refresh token: 204
 * PUT    /api/client/v2.0/auth/api_keys/{id}/{enable|disable}  Bearer refresh token: 204
 * POST   /api/client/v2.0/auth/session          Bearer refresh token: 201 {"access_token"}
 * DELETE /api/client/v2.0/auth/session          Bearer refresh token: revoke the session, 204
 * GET    /api/client/v2.0/app/{app}/realm-sync?baas_at=ACCESS  WebSocket upgrade
 * </pre>
 * Every error is JSON ({@link ApiResponses}): unknown app 404, bad token 401, bad input 4xx, never a stack trace.
 */
public final class HttpApi
{
    public static final String BASE = "/api/client/v2.0";
    static final int MAX_BODY = 64 * 1024;

    private static final System.Logger LOG = System.getLogger(HttpApi.class.getName());
    private static final Pattern SAFE_AUTHORITY = Pattern.compile("[A-Za-z0-9._\\-\\[\\]:%]{1,260}");

    private final AppDirectory apps;
    private final WebSocketEndpoint webSocket;
    private final String publicUrl;
    private final boolean listAppIds;
    private final ConcurrentHashMap<String, String> stableIds = new ConcurrentHashMap<>();
    private final Set<String> loggedFailures = ConcurrentHashMap.newKeySet();
    /** Logins and registrations per remote address ({@code login.per-ip}); null: no limit. */
    private AddressRateLimiter loginsPerAddress;

    /**
     * @param auth      users and tokens.
     * @param webSocket the sync endpoint.
     */
    public HttpApi(final AuthService auth, final WebSocketEndpoint webSocket)
    {
        this(AppDirectory.single(auth), webSocket);
    }

    /**
     * @param apps      the apps served, each with its own users and tokens.
     * @param webSocket the sync endpoint.
     */
    public HttpApi(final AppDirectory apps, final WebSocketEndpoint webSocket)
    {
        this(apps, webSocket, null);
    }

    /**
     * @param apps      the apps served, each with its own users and tokens.
     * @param webSocket the sync endpoint.
     * @param publicUrl the URL clients reach the server at ({@link dev.outpost.server.config.ServerConfig#publicUrl()},
     *                  normalised), or null to answer the location with the request's {@code Host}.
     */
    public HttpApi(final AppDirectory apps, final WebSocketEndpoint webSocket, final String publicUrl)
    {
        this(apps, webSocket, publicUrl, false);
    }

    /**
     * @param apps       the apps served, each with its own users and tokens.
     * @param webSocket  the sync endpoint.
     * @param publicUrl  the URL clients reach the server at, or null to answer the location with the request's
     *                   {@code Host}.
     * @param listAppIds whether the 404 for an unknown app names the app ids served
     *                   ({@link dev.outpost.server.config.ServerConfig#listAppIds()}).
     */
    public HttpApi(
        final AppDirectory apps, final WebSocketEndpoint webSocket, final String publicUrl, final boolean listAppIds)
    {
        this.apps = apps;
        this.webSocket = webSocket;
        this.publicUrl = publicUrl;
        this.listAppIds = listAppIds;
    }

    /**
     * Limit logins (every provider) and registrations per remote address; call before {@link #router(Vertx)}.
     *
     * @param perMinute requests per minute and address ({@link ServerConfig#loginsPerIp()}), 0 for no limit.
     * @return this.
     */
    public HttpApi loginsPerIp(final int perMinute)
    {
        this.loginsPerAddress = perMinute > 0 ? new AddressRateLimiter(perMinute) : null;
        return this;
    }

    /**
     * @param vertx the Vert.x instance.
     * @return a router serving every endpoint; share it between the servers of all event loops.
     */
    public Router router(final Vertx vertx)
    {
        final Router router = Router.router(vertx);
        router.get(BASE + "/app/:app/location").handler(this::location);
        router.post(BASE + "/app/:app/auth/providers/:provider/login")
            .handler(BodyHandler.create(false).setBodyLimit(MAX_BODY))
            .handler(this::login);
        router.post(BASE + "/app/:app/auth/providers/local-userpass/register")
            .handler(BodyHandler.create(false).setBodyLimit(MAX_BODY))
            .handler(this::register);
        router.postWithRegex(BASE + "/app/(?<app>[^/]+)/auth/providers/local-userpass/(confirm|reset)(/send|/call)?")
            .handler(this::noEmail);
        router.post(BASE + "/auth/api_keys").handler(BodyHandler.create(false).setBodyLimit(MAX_BODY))
            .handler(withToken(TokenType.REFRESH, this::createApiKey));
        router.get(BASE + "/auth/api_keys").handler(withToken(TokenType.REFRESH, this::listApiKeys));
        router.get(BASE + "/auth/api_keys/:key").handler(withToken(TokenType.REFRESH, this::getApiKey));
        router.delete(BASE + "/auth/api_keys/:key").handler(withToken(TokenType.REFRESH, this::deleteApiKey));
        router.put(BASE + "/auth/api_keys/:key/enable")
            .handler(withToken(TokenType.REFRESH, (ctx, token) -> setApiKeyDisabled(ctx, token, false)));
        router.put(BASE + "/auth/api_keys/:key/disable")
            .handler(withToken(TokenType.REFRESH, (ctx, token) -> setApiKeyDisabled(ctx, token, true)));
        router.get(BASE + "/auth/profile").handler(withToken(TokenType.ACCESS, this::profile));
        router.post(BASE + "/auth/session").handler(withToken(TokenType.REFRESH, this::refresh));
        router.delete(BASE + "/auth/session").handler(withToken(TokenType.REFRESH, this::logout));
        router.get(BASE + "/app/:app/realm-sync").handler(this::sync);
        router.route().failureHandler(this::failure);
        router.errorHandler(404, ctx -> ApiResponses.error(ctx.response(), 404, ApiResponses.NOT_FOUND,
            "no such endpoint: " + ctx.request().method() + " " + ctx.request().path()));
        router.errorHandler(405, ctx -> ApiResponses.error(ctx.response(), 405, ApiResponses.METHOD_NOT_ALLOWED,
            "method " + ctx.request().method() + " not allowed on " + ctx.request().path()));
        router.errorHandler(500, this::failure);
        return router;
    }

    /**
     * Answers requests the HTTP decoder refused (line or headers too long, malformed) with a JSON error and
     * {@code Connection: close}, then the server closes the connection.
     *
     * @param request the refused request.
     */
    public static void invalidRequest(final HttpServerRequest request)
    {
        final Throwable cause = request.decoderResult().cause();
        final int status = cause instanceof TooLongHttpLineException ? 414 :
            cause instanceof TooLongHttpHeaderException ? 431 : 400;
        // Say that the connection closes: without it an HTTP/1.1 client keeps the connection in its pool and its
        // next request on it fails with a reset instead of being sent on a new connection.
        request.response().putHeader(HttpHeaders.CONNECTION, "close");
        ApiResponses.error(request.response(), status, ApiResponses.BAD_REQUEST,
            "malformed HTTP request (HTTP " + status + ")");
        request.connection().close();
    }

    private void location(final RoutingContext ctx)
    {
        if (null == requireApp(ctx))
        {
            return;
        }
        // Mounted under a prefix by a host application: the client must keep using that prefix.
        final String mount = ctx.mountPoint();
        final String prefix = null == mount || "/".equals(mount) ? "" :
            mount.endsWith("/") ? mount.substring(0, mount.length() - 1) : mount;
        final String authority;
        final boolean tls;
        if (null != publicUrl)
        {
            // Configured: what clients must use, whatever Host and X-Forwarded-Proto this request carries.
            tls = publicUrl.startsWith("https://");
            authority = publicUrl.substring(tls ? 8 : 7) + prefix;
        }
        else
        {
            authority = authority(ctx.request()) + prefix;
            // Behind a TLS-terminating proxy the client must use https/wss.
            tls = ctx.request().isSSL() || "https".equalsIgnoreCase(ctx.request().getHeader("X-Forwarded-Proto"));
        }
        ApiResponses.json(ctx.response(), 200, new JsonObject()
            .put("deployment_model", "GLOBAL")
            .put("location", "local")
            .put("hostname", (tls ? "https://" : "http://") + authority)
            .put("ws_hostname", (tls ? "wss://" : "ws://") + authority));
    }

    /** @return whether the request's address is over {@code login.per-ip} (and it was answered 429). */
    private boolean overLoginRate(final RoutingContext ctx)
    {
        final AddressRateLimiter limiter = loginsPerAddress;
        if (null == limiter || null == ctx.request().remoteAddress())
        {
            return false;
        }
        final String address = ctx.request().remoteAddress().hostAddress();
        if (null == address)
        {
            return false;
        }
        final long waitNs = limiter.acquire(address, System.nanoTime());
        if (0 == waitNs)
        {
            return false;
        }
        final long seconds = Math.max(1, java.util.concurrent.TimeUnit.NANOSECONDS.toSeconds(waitNs + 999_999_999));
        ctx.response().putHeader("Retry-After", Long.toString(seconds));
        ApiResponses.error(ctx.response(), 429, "LimitExceeded", "too many logins from this address (setting " +
            ServerConfig.LOGINS_PER_IP_PROP + "); try again in " + seconds + " s");
        return true;
    }

    private void login(final RoutingContext ctx)
    {
        if (overLoginRate(ctx))
        {
            return;
        }
        final String provider = ctx.pathParam("provider");
        final AuthService auth = requireProvider(ctx, provider);
        if (null == auth)
        {
            final AuthService app = null == ctx.pathParam("app") ? null : apps.auth(ctx.pathParam("app"));
            if (null != app)
            {
                app.metrics().login(provider, AuthMetrics.LoginResult.DISABLED); // a provider the app has not enabled
            }
            return;
        }
        final JsonObject body = jsonBody(ctx, provider, !AuthService.ANON_PROVIDER.equals(provider));
        if (null == body)
        {
            return;
        }
        final CompletableFuture<AuthService.LoginResult> login;
        switch (provider)
        {
            case AppConfig.USERPASS_PROVIDER ->
                login = auth.loginUserPass(string(body, "username"), string(body, "password"));
            case AppConfig.CUSTOM_TOKEN_PROVIDER -> login = auth.loginCustomToken(string(body, "token"));
            case AppConfig.API_KEY_PROVIDER -> login = auth.loginApiKey(string(body, "key"));
            default -> login = auth.loginAnonymous();
        }
        whenStored(ctx, login, "login", "could not store the login", r ->
            ApiResponses.json(ctx.response(), 200, new JsonObject()
                .put("access_token", r.accessToken())
                .put("refresh_token", r.refreshToken())
                .put("user_id", r.userId())
                .put("device_id", r.deviceId())));
    }

    private void register(final RoutingContext ctx)
    {
        if (overLoginRate(ctx))
        {
            return;
        }
        final AuthService auth = requireProvider(ctx, AppConfig.USERPASS_PROVIDER);
        if (null == auth)
        {
            return;
        }
        final JsonObject body = jsonBody(ctx, null, true);
        if (null == body)
        {
            return;
        }
        whenStored(ctx, auth.register(string(body, "email"), string(body, "password")), "register",
            "could not store the new user", r -> ApiResponses.json(ctx.response(), 201, new JsonObject()));
    }

    private void noEmail(final RoutingContext ctx)
    {
        final AuthService auth = requireProvider(ctx, AppConfig.USERPASS_PROVIDER);
        if (null == auth)
        {
            return;
        }
        ApiResponses.error(ctx.response(), 400, ApiResponses.BAD_REQUEST, "Outpost sends no e-mail and runs no " +
            "functions: accounts are confirmed at registration, and confirmation and password reset (" +
            ctx.request().path().substring(ctx.request().path().indexOf("local-userpass/") + 15) +
            ") are not supported");
    }

    private void createApiKey(final RoutingContext ctx, final VerifiedToken token)
    {
        final JsonObject body = jsonBody(ctx, null, true);
        if (null == body)
        {
            return;
        }
        whenStored(ctx, apps.auth(token.appId()).createApiKey(token.userId(), string(body, "name")), "api_keys",
            "could not store the API key",
            r -> ApiResponses.json(ctx.response(), 201, apiKeyJson(r.record()).put("key", r.key())));
    }

    private void listApiKeys(final RoutingContext ctx, final VerifiedToken token)
    {
        final AuthService auth = requireApiKeys(ctx, token);
        if (null == auth)
        {
            return;
        }
        final JsonArray keys = new JsonArray();
        for (final ApiKey key : auth.apiKeys(token.userId()))
        {
            keys.add(apiKeyJson(key));
        }
        if (!ctx.response().ended() && !ctx.response().closed())
        {
            ctx.response().setStatusCode(200).putHeader("Content-Type", ApiResponses.CONTENT_TYPE).end(keys.encode());
        }
    }

    private void getApiKey(final RoutingContext ctx, final VerifiedToken token)
    {
        final AuthService auth = requireApiKeys(ctx, token);
        if (null == auth)
        {
            return;
        }
        final ApiKey key = auth.apiKey(token.userId(), ctx.pathParam("key"));
        if (null == key)
        {
            ApiResponses.error(ctx.response(), 404, "APIKeyNotFound", "API key not found");
            return;
        }
        ApiResponses.json(ctx.response(), 200, apiKeyJson(key));
    }

    private void deleteApiKey(final RoutingContext ctx, final VerifiedToken token)
    {
        noContent(ctx, apps.auth(token.appId()).deleteApiKey(token.userId(), ctx.pathParam("key")), "api_keys",
            "could not store the change");
    }

    private void setApiKeyDisabled(final RoutingContext ctx, final VerifiedToken token, final boolean disabled)
    {
        noContent(ctx, apps.auth(token.appId()).setApiKeyDisabled(token.userId(), ctx.pathParam("key"), disabled),
            "api_keys", "could not store the change");
    }

    /** {@link #whenStored}, answering 204 once stored. */
    private void noContent(final RoutingContext ctx, final CompletableFuture<Void> change, final String where,
        final String message)
    {
        whenStored(ctx, change, where, message, r ->
        {
            if (!ctx.response().ended() && !ctx.response().closed())
            {
                ctx.response().setStatusCode(204).end();
            }
        });
    }

    /**
     * Answers once {@code work} completes, on the request's context: {@code success} with its result, or
     * {@link #fail} with its failure.
     */
    private <T> void whenStored(final RoutingContext ctx, final CompletableFuture<T> work, final String where,
        final String message, final Consumer<T> success)
    {
        Future.fromCompletionStage(work, ctx.vertx().getOrCreateContext()).onComplete(ar ->
        {
            if (ar.failed())
            {
                fail(ctx, where, ar.cause(), message);
                return;
            }
            success.accept(ar.result());
        });
    }

    private static JsonObject apiKeyJson(final ApiKey key)
    {
        return new JsonObject().put("_id", key.id()).put("name", key.name()).put("disabled", key.disabled());
    }

    private void providerNotFound(final RoutingContext ctx, final AuthService auth, final String provider)
    {
        ApiResponses.error(ctx.response(), 404, ApiResponses.PROVIDER_NOT_FOUND,
            "auth provider '" + provider + "' is not enabled for app '" + auth.appId() + "'");
    }

    /** A failed future: its {@link AuthException} as the answer, anything else a logged 500. */
    private void fail(final RoutingContext ctx, final String where, final Throwable cause, final String message)
    {
        final AuthException refused = AuthService.authFailure(cause);
        if (null != refused)
        {
            ApiResponses.error(ctx.response(), refused.httpStatus(), refused.errorCode(), refused.getMessage());
            return;
        }
        logOnce(where, cause);
        ApiResponses.error(ctx.response(), 500, ApiResponses.INTERNAL, message);
    }

    /**
     * @param ctx      the request.
     * @param provider the URL's provider the body's {@code provider} must match, or null.
     * @param required whether an empty body is an error.
     * @return the body as an object (empty when absent and not required), or null after answering 400.
     */
    private static JsonObject jsonBody(final RoutingContext ctx, final String provider, final boolean required)
    {
        final Buffer body = null == ctx.body() ? null : ctx.body().buffer();
        if (null == body || body.length() == 0)
        {
            if (required)
            {
                ApiResponses.error(ctx.response(), 400, ApiResponses.BAD_REQUEST, "a JSON body is required");
                return null;
            }
            return new JsonObject();
        }
        final Object parsed;
        try
        {
            parsed = Json.decodeValue(body);
        }
        catch (final DecodeException ex)
        {
            ApiResponses.error(ctx.response(), 400, ApiResponses.BAD_REQUEST, "body is not valid JSON");
            return null;
        }
        if (!(parsed instanceof JsonObject))
        {
            ApiResponses.error(ctx.response(), 400, ApiResponses.BAD_REQUEST, "body must be a JSON object");
            return null;
        }
        final Object bodyProvider = ((JsonObject)parsed).getValue("provider");
        if (null != provider && null != bodyProvider && !provider.equals(bodyProvider))
        {
            ApiResponses.error(ctx.response(), 400, ApiResponses.BAD_REQUEST,
                "body provider '" + bodyProvider + "' does not match the URL's '" + provider + "'");
            return null;
        }
        return (JsonObject)parsed;
    }

    private static String string(final JsonObject body, final String field)
    {
        final Object value = body.getValue(field);
        return value instanceof String ? (String)value : null;
    }

    private void profile(final RoutingContext ctx, final VerifiedToken token)
    {
        final AuthService auth = apps.auth(token.appId());
        final UserRecord user = auth.user(token.userId());
        final JsonObject data = auth.profileData(user.id());
        ApiResponses.json(ctx.response(), 200, new JsonObject()
            .put("user_id", user.id())
            .put("domain_id", stableIds.computeIfAbsent("domain:" + token.appId(), HttpApi::stableId))
            .put("identities", new JsonArray().add(new JsonObject()
                .put("id", user.identityId())
                .put("provider_type", user.provider())
                .put("provider_id", stableIds.computeIfAbsent("provider:" + user.provider() + ":" + token.appId(),
                    HttpApi::stableId))))
            .put("data", data)
            .put("type", "normal"));
    }

    private void refresh(final RoutingContext ctx, final VerifiedToken token)
    {
        whenStored(ctx, apps.auth(token.appId()).refresh(token), "session", "could not issue the access token",
            accessToken -> ApiResponses.json(ctx.response(), 201, new JsonObject().put("access_token", accessToken)));
    }

    private void logout(final RoutingContext ctx, final VerifiedToken token)
    {
        noContent(ctx, apps.auth(token.appId()).logout(token), "logout", "could not store the logout");
    }

    private void sync(final RoutingContext ctx)
    {
        final AuthService auth = requireApp(ctx);
        if (null == auth)
        {
            return;
        }
        final HttpServerRequest request = ctx.request();
        final String upgrade = request.getHeader(HttpHeaders.UPGRADE);
        if (null == upgrade || !"websocket".equalsIgnoreCase(upgrade.trim()))
        {
            ApiResponses.error(ctx.response(), 400, ApiResponses.BAD_REQUEST,
                "the sync endpoint needs a WebSocket upgrade request");
            return;
        }
        final String connection = request.getHeader(HttpHeaders.CONNECTION);
        if (null == connection || !connection.toLowerCase(java.util.Locale.ROOT).contains("upgrade"))
        {
            // Vert.x would answer this with a plain-text 400; the API answers JSON
            ApiResponses.error(ctx.response(), 400, ApiResponses.BAD_REQUEST,
                "the sync endpoint needs a WebSocket upgrade request (Connection: Upgrade)");
            return;
        }
        if (webSocket.refusingUpgrades())
        {
            // memory pressure (HeapGuard): realm's client retries a failed connection with back-off
            ctx.response().putHeader("Retry-After", "5");
            ApiResponses.json(ctx.response(), 503, new JsonObject().put("error", "the server is short of memory; " +
                "try again later").put("error_code", "ServiceUnavailable"));
            return;
        }
        String token = request.getParam("baas_at");
        if (null == token)
        {
            token = bearer(request);
        }
        final VerifiedToken user;
        try
        {
            user = auth.authenticate(token, TokenType.ACCESS);
        }
        catch (final AuthException ex)
        {
            ApiResponses.error(ctx.response(), ex.httpStatus(), ex.errorCode(), ex.getMessage());
            return;
        }
        final String app = ctx.pathParam("app");
        if (!app.equals(user.appId()))
        {
            ApiResponses.error(ctx.response(), 401, AuthException.INVALID_SESSION, "token was issued for another app");
            return;
        }
        final String error = webSocket.upgrade(request, user, app);
        if (null != error)
        {
            ApiResponses.error(ctx.response(), 400, ApiResponses.BAD_REQUEST, error);
        }
    }

    private void failure(final RoutingContext ctx)
    {
        final int status = ApiResponses.failureStatus(ctx);
        if (status >= 500)
        {
            logOnce(ctx.request().path(), ctx.failure());
            ApiResponses.error(ctx.response(), status, ApiResponses.INTERNAL, "internal server error");
        }
        else if (status > 0)
        {
            ApiResponses.rejected(ctx, status);
        }
    }

    private AuthService requireApp(final RoutingContext ctx)
    {
        final String app = ctx.pathParam("app");
        final AuthService auth = null == app ? null : apps.auth(app);
        if (null != auth)
        {
            return auth;
        }
        ApiResponses.error(ctx.response(), 404, ApiResponses.APP_NOT_FOUND,
            "cannot find app using Client App ID '" + app + "'" + (listAppIds ? "; this server serves " +
            String.join(", ", apps.appIds()) : ""));
        return null;
    }

    /** A route's work once its bearer token is verified. */
    @FunctionalInterface
    private interface TokenRoute
    {
        void handle(RoutingContext ctx, VerifiedToken token);
    }

    /**
     * @param type  the token type the route needs.
     * @param route the route's work.
     * @return a handler that verifies the bearer token first and answers 401 (through {@link #authenticate}) when
     * it does not verify, else runs {@code route}.
     */
    private Handler<RoutingContext> withToken(final TokenType type, final TokenRoute route)
    {
        return ctx ->
        {
            final VerifiedToken token = authenticate(ctx, type);
            if (null != token)
            {
                route.handle(ctx, token);
            }
        };
    }

    /**
     * @param ctx      a request whose path names the app.
     * @param provider the auth provider the route needs.
     * @return the app's auth service, or null after answering 404 (no such app, or the provider is not enabled).
     */
    private AuthService requireProvider(final RoutingContext ctx, final String provider)
    {
        final AuthService auth = requireApp(ctx);
        if (null != auth && !apps.providerEnabled(auth.appId(), provider))
        {
            providerNotFound(ctx, auth, provider);
            return null;
        }
        return auth;
    }

    /**
     * @param ctx   a request of a user whose token verified.
     * @param token the token.
     * @return the user's app's auth service, or null after answering 404 when the app has API keys disabled.
     */
    private AuthService requireApiKeys(final RoutingContext ctx, final VerifiedToken token)
    {
        final AuthService auth = apps.auth(token.appId());
        if (!auth.app().apiKeys())
        {
            providerNotFound(ctx, auth, AppConfig.API_KEY_PROVIDER);
            return null;
        }
        return auth;
    }

    /** Routes without an app id: the token names its app; that app's keys then verify the whole token. */
    private VerifiedToken authenticate(final RoutingContext ctx, final TokenType type)
    {
        try
        {
            final String token = bearer(ctx.request());
            final AuthService auth = apps.auth(unverifiedApp(token));
            if (null == auth)
            {
                throw AuthException.invalidSession("invalid token");
            }
            return auth.authenticate(token, type);
        }
        catch (final AuthException ex)
        {
            ApiResponses.error(ctx.response(), ex.httpStatus(), ex.errorCode(), ex.getMessage());
            return null;
        }
    }

    /**
     * @param token a compact JWT.
     * @return its {@code app} claim, read without verifying the signature (only to choose the app whose keys then
     * verify it), or null.
     */
    static String unverifiedApp(final String token)
    {
        if (null == token || token.length() > 8192)
        {
            return null;
        }
        final int first = token.indexOf('.');
        final int second = first < 0 ? -1 : token.indexOf('.', first + 1);
        if (second < 0)
        {
            return null;
        }
        try
        {
            final byte[] payload = java.util.Base64.getUrlDecoder().decode(token.substring(first + 1, second));
            final Object app = new JsonObject(Buffer.buffer(payload)).getValue("app");
            return app instanceof String ? (String)app : null;
        }
        catch (final RuntimeException ex)
        {
            return null;
        }
    }

    private static String bearer(final HttpServerRequest request)
    {
        final String header = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (null == header || header.length() < 8 || !header.regionMatches(true, 0, "Bearer ", 0, 7))
        {
            return null;
        }
        return header.substring(7).trim();
    }

    /**
     * The authority clients used to reach us, so the location answer works behind any bind address; falls back to
     * the local address when the Host header is missing or odd.
     */
    static String authority(final HttpServerRequest request)
    {
        final String host = request.getHeader(HttpHeaders.HOST);
        if (null != host && SAFE_AUTHORITY.matcher(host).matches())
        {
            return host;
        }
        final HostAndPort authority = request.authority();
        if (null != authority && SAFE_AUTHORITY.matcher(authority.host()).matches())
        {
            return authority.port() > 0 ? authority.host() + ":" + authority.port() : authority.host();
        }
        final String local = request.localAddress().hostAddress();
        final String hostPart = local.contains(":") ? "[" + local + "]" : local;
        return hostPart + ":" + request.localAddress().port();
    }

    private void logOnce(final String where, final Throwable failure)
    {
        final String key = where + ":" + (null == failure ? "?" : failure.getClass().getName());
        if (loggedFailures.add(key))
        {
            LOG.log(System.Logger.Level.ERROR, "request failed at " + where + " (logged once per kind)", failure);
        }
    }

    private static String stableId(final String seed)
    {
        try
        {
            final byte[] digest = MessageDigest.getInstance("SHA-256").digest(seed.getBytes(StandardCharsets.UTF_8));
            final StringBuilder hex = new StringBuilder(24);
            for (int i = 0; i < 12; i++)
            {
                hex.append(Character.forDigit((digest[i] >>> 4) & 0xF, 16)).append(Character.forDigit(digest[i] & 0xF, 16));
            }
            return hex.toString();
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException(ex);
        }
    }
}
