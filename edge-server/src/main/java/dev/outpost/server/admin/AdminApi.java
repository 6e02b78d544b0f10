package dev.outpost.server.admin;

import dev.outpost.server.auth.AuthException;
import dev.outpost.server.auth.AuthService;
import dev.outpost.server.auth.AuthStore;
import dev.outpost.server.auth.Ids;
import dev.outpost.server.auth.RefreshSession;
import dev.outpost.server.auth.UserPassRecord;
import dev.outpost.server.auth.UserRecord;
import dev.outpost.server.config.ServerConfig;
import dev.outpost.server.http.ApiResponses;
import dev.outpost.server.status.ServerStatus;
import dev.outpost.server.status.StatusRoutes;
import dev.outpost.server.sync.SyncService;
import dev.outpost.server.ws.CloseCodes;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletionStage;

/**
 * The admin API, JSON over HTTP on the admin listener ({@code admin.host}:{@code admin.port}), in the paths and
 * shapes of App Services' Admin API v3 where the operation exists there ({@code G} is
 * {@code /api/admin/v3.0/groups/{groupId}/apps}; any group id is accepted):
 * <pre>
 * POST   /api/admin/v3.0/auth/providers/mongodb-cloud/login  {"username","apiKey"} (or a form): access/refresh token
 * POST   /api/admin/v3.0/auth/session                    Bearer refresh token: a new access token
 * DELETE /api/admin/v3.0/auth/session                    Bearer refresh token: log out
 * GET    /api/admin/v3.0/auth/profile
 * GET    /api/admin/v3.0/config                          the running configuration, secrets masked
 * GET    G, G/{appId}                                    apps
 * GET    G/{appId}/users?after=&amp;limit=&amp;search=         users, by id; paging with after
 * GET    G/{appId}/users/{userId}
 * DELETE G/{appId}/users/{userId}
 * PUT    G/{appId}/users/{userId}/enable|disable|logout
 * PUT    G/{appId}/users/{userId}/password               {"password"}: reset a local-userpass password
 * GET    G/{appId}/sync/connections?file=                connected clients
 * DELETE G/{appId}/sync/connections/{id}                 disconnect one
 * GET    G/{appId}/sync/files?after=&amp;limit=&amp;prefix=     server files
 * DELETE G/{appId}/sync/files?file= or ?partition=[&amp;schema=drop]  delete a PBS server file: 204, 404; FLX: 400
 * POST   G/{appId}/sync/client_reset                     {"file" or "partition", "client_file_ident"?}
 * GET    G/{appId}/sync/errors?code=&amp;limit=              errors sent, by code and the most recent
 * GET    G/{appId}/console/metrics, G/{appId}/console/data   the web console's charts and data browser
 * GET    /console/                                       the web console (see {@link ConsoleRoutes})
 * </pre>
 * Every route but the login needs {@code Authorization: Bearer <access token or admin key>}. A request carrying an
 * {@code Origin} of another site is refused (403), so that a page elsewhere cannot drive the API through an
 * operator's browser; the status page, {@code /status.json} and {@code /metrics} are open on this listener. After
 * {@value #MAX_FAILURES} failed key or token checks in a minute, an address gets 429 until the minute is over. Errors
 * are {@code {"error","error_code"}} with 400, 401, 403, 404, 429.
 */
public final class AdminApi
{
    /** The API's root path. */
    public static final String BASE = "/api/admin/v3.0";
    private static final String APPS = BASE + "/groups/:groupId/apps";
    private static final String APP = APPS + "/:appId";
    private static final int MAX_BODY = 16 * 1024;
    private static final int DEFAULT_LIMIT = 50;
    private static final int MAX_LIMIT = 1000;
    private static final long ACCESS_TTL_MS = 30 * 60 * 1000L;
    private static final long REFRESH_TTL_MS = 24 * 60 * 60 * 1000L;
    private static final int MAX_TOKENS = 10_000;
    /** Failed key or token checks one remote address may make per {@link #FAILURE_WINDOW_MS} before 429. */
    static final int MAX_FAILURES = 20;
    private static final long FAILURE_WINDOW_MS = 60_000;
    private static final System.Logger LOG = System.getLogger(AdminApi.class.getName());

    private final AdminApps apps;
    private final AdminKey key;
    private final ServerStatus status;
    private final SecureRandom random = new SecureRandom();
    /** Token to (kind, expiry): admin sessions of the login route, in memory (a restart logs every admin out). */
    private final Map<String, Token> tokens = new ConcurrentHashMap<>();
    private final Set<String> loggedFailures = ConcurrentHashMap.newKeySet();
    /** Remote address to its failed checks in the current window (guessing the key is throttled per address). */
    private final Map<String, long[]> failures = new ConcurrentHashMap<>();

    private record Token(boolean refresh, long expiresAtMs)
    {
    }

    /**
     * @param apps   the served apps.
     * @param key    the admin key.
     * @param status the server's status (its page, {@code /status.json} and {@code /metrics} are served here too);
     *               null for none.
     */
    public AdminApi(final AdminApps apps, final AdminKey key, final ServerStatus status)
    {
        this.apps = apps;
        this.key = key;
        this.status = status;
    }

    /**
     * @param vertx the Vert.x instance.
     * @return the admin router: the API, and the status routes if a status was given.
     */
    public Router router(final Vertx vertx)
    {
        final Router router = Router.router(vertx);
        router.route().handler(ctx ->
        {
            ctx.response().putHeader("Cache-Control", "no-store").putHeader("X-Content-Type-Options", "nosniff")
                .putHeader("X-Frame-Options", "SAMEORIGIN");
            ctx.next();
        });
        final ConsoleRoutes console = new ConsoleRoutes(apps, status);
        console.mountPage(router);
        router.route(BASE + "/*").handler(this::sameOrigin);
        router.post(BASE + "/auth/providers/mongodb-cloud/login")
            .handler(BodyHandler.create(false).setBodyLimit(MAX_BODY)).handler(this::login);
        router.post(BASE + "/auth/session").handler(this::refresh);
        router.delete(BASE + "/auth/session").handler(this::logout);
        router.route(BASE + "/*").handler(this::authorize);
        router.get(BASE + "/auth/profile").handler(this::profile);
        router.get(BASE + "/config").handler(ctx -> ok(ctx, 200, configJson(apps.config())));
        router.get(APPS).handler(this::listApps);
        router.get(APP).handler(ctx -> withApp(ctx, (app, auth) -> ok(ctx, 200, appJson(ctx, app))));
        router.get(APP + "/users").handler(this::listUsers);
        router.get(APP + "/users/:userId").handler(ctx -> withUser(ctx, (auth, user) ->
            ok(ctx, 200, userJson(auth.store(), user, lastLogin(auth.store().sessionsOf(user.id()))))));
        router.delete(APP + "/users/:userId").handler(ctx -> withUser(ctx, (auth, user) ->
            done(ctx, auth.store().deleteUser(user.id()).thenRun(() ->
                closeUser(ctx, user, CloseCodes.FORBIDDEN, "the user was deleted")))));
        router.put(APP + "/users/:userId/disable").handler(ctx -> withUser(ctx, (auth, user) ->
            done(ctx, auth.store().setUserDisabled(user.id(), true).thenRun(() ->
                closeUser(ctx, user, CloseCodes.FORBIDDEN, "the user was disabled")))));
        router.put(APP + "/users/:userId/enable").handler(ctx -> withUser(ctx, (auth, user) ->
            done(ctx, auth.store().setUserDisabled(user.id(), false))));
        router.put(APP + "/users/:userId/logout").handler(ctx -> withUser(ctx, (auth, user) ->
            done(ctx, auth.revokeSessions(user.id()).thenRun(() ->
                closeUser(ctx, user, CloseCodes.UNAUTHORIZED, "the user's sessions were revoked")))));
        router.put(APP + "/users/:userId/password").handler(BodyHandler.create(false).setBodyLimit(MAX_BODY))
            .handler(ctx -> withUser(ctx, (auth, user) ->
            {
                final JsonObject body = body(ctx);
                if (null != body)
                {
                    final Object password = body.getValue("password");
                    done(ctx, auth.resetPassword(user.id(), password instanceof String p ? p : null));
                }
            }));
        router.get(APP + "/sync/connections").handler(this::listConnections);
        router.delete(APP + "/sync/connections/:connectionId").handler(this::disconnect);
        router.get(APP + "/sync/files").handler(this::listFiles);
        router.delete(APP + "/sync/files").handler(this::deleteFile);
        router.post(APP + "/sync/client_reset").handler(BodyHandler.create(false).setBodyLimit(MAX_BODY))
            .handler(this::clientReset);
        router.get(APP + "/sync/errors").handler(this::syncErrors);
        console.mountApi(router, APP, vertx);
        if (null != status)
        {
            new StatusRoutes(status).mount(router);
        }
        router.route().failureHandler(this::failure);
        router.errorHandler(404, ctx -> ApiResponses.error(ctx.response(), 404, ApiResponses.NOT_FOUND,
            "no such endpoint: " + ctx.request().method() + " " + ctx.request().path()));
        router.errorHandler(405, ctx -> ApiResponses.error(ctx.response(), 405, ApiResponses.METHOD_NOT_ALLOWED,
            "method " + ctx.request().method() + " not allowed on " + ctx.request().path()));
        router.errorHandler(500, this::failure);
        return router;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // authentication

    /** A browser sends Origin with cross-site requests: only this listener's own pages may call the API. */
    private void sameOrigin(final RoutingContext ctx)
    {
        final String origin = ctx.request().getHeader("Origin");
        final String host = ctx.request().getHeader("Host");
        if (null != origin && (null == host || !(origin.equalsIgnoreCase("http://" + host) ||
            origin.equalsIgnoreCase("https://" + host))))
        {
            ApiResponses.error(ctx.response(), 403, "Forbidden", "cross-origin requests to the admin API are " +
                "refused (Origin " + clip(origin) + " is not this listener)");
            return;
        }
        ctx.next();
    }

    private void login(final RoutingContext ctx)
    {
        final String presented;
        final String type = ctx.request().getHeader("Content-Type");
        if (null != type && type.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded"))
        {
            presented = ctx.request().getFormAttribute("apiKey");
        }
        else
        {
            final JsonObject body = body(ctx);
            if (null == body)
            {
                return;
            }
            presented = body.getValue("apiKey") instanceof String k ? k : null;
        }
        if (null == presented)
        {
            ApiResponses.error(ctx.response(), 400, ApiResponses.BAD_REQUEST, "apiKey (the admin key) is required");
            return;
        }
        if (throttled(ctx))
        {
            return;
        }
        if (!key.matches(presented))
        {
            countFailure(ctx);
            ApiResponses.error(ctx.response(), 401, "InvalidPassword", "invalid admin key");
            return;
        }
        ok(ctx, 200, new JsonObject()
            .put("access_token", newToken(false))
            .put("refresh_token", newToken(true))
            .put("user_id", "admin")
            .put("device_id", "000000000000000000000000"));
    }

    private void refresh(final RoutingContext ctx)
    {
        final String token = bearer(ctx);
        final Token t = null == token ? null : tokens.get(token);
        if (null == t || !t.refresh() || t.expiresAtMs() < System.currentTimeMillis())
        {
            ApiResponses.error(ctx.response(), 401, "InvalidSession", "invalid or expired admin refresh token");
            return;
        }
        ok(ctx, 201, new JsonObject().put("access_token", newToken(false)));
    }

    private void logout(final RoutingContext ctx)
    {
        final String token = bearer(ctx);
        if (null != token)
        {
            tokens.remove(token);
        }
        ctx.response().setStatusCode(204).end();
    }

    private void authorize(final RoutingContext ctx)
    {
        final String token = bearer(ctx);
        if (null == token)
        {
            ApiResponses.error(ctx.response(), 401, "Unauthorized", "the admin API needs 'Authorization: Bearer " +
                "<access token or admin key>' (log in at POST " + BASE + "/auth/providers/mongodb-cloud/login)");
            return;
        }
        if (throttled(ctx))
        {
            return;
        }
        final Token t = tokens.get(token);
        if ((null != t && !t.refresh() && t.expiresAtMs() >= System.currentTimeMillis()) || key.matches(token))
        {
            ctx.next();
            return;
        }
        countFailure(ctx);
        ApiResponses.error(ctx.response(), 401, "InvalidSession", "invalid or expired admin credentials");
    }

    /** @return true (after answering 429) if this remote address failed too often in the current window. */
    private boolean throttled(final RoutingContext ctx)
    {
        final long[] window = failures.get(remote(ctx));
        final long now = System.currentTimeMillis();
        if (null != window && window[0] > now - FAILURE_WINDOW_MS && window[1] >= MAX_FAILURES)
        {
            final long retry = Math.max(1, (window[0] + FAILURE_WINDOW_MS - now + 999) / 1000);
            ctx.response().putHeader("Retry-After", String.valueOf(retry));
            ApiResponses.error(ctx.response(), 429, "LimitExceeded", "too many failed admin logins from this " +
                "address; try again in " + retry + " s");
            return true;
        }
        return false;
    }

    private void countFailure(final RoutingContext ctx)
    {
        final long now = System.currentTimeMillis();
        if (failures.size() > MAX_TOKENS)
        {
            failures.clear(); // many addresses guessing at once: start over rather than grow
        }
        failures.compute(remote(ctx), (k, w) ->
            null == w || w[0] <= now - FAILURE_WINDOW_MS ? new long[] {now, 1} : new long[] {w[0], w[1] + 1});
    }

    private static String remote(final RoutingContext ctx)
    {
        final io.vertx.core.net.SocketAddress address = ctx.request().remoteAddress();
        return null == address || null == address.hostAddress() ? "?" : address.hostAddress();
    }

    private String newToken(final boolean refresh)
    {
        final long now = System.currentTimeMillis();
        if (tokens.size() >= MAX_TOKENS)
        {
            tokens.values().removeIf(t -> t.expiresAtMs() < now);
            if (tokens.size() >= MAX_TOKENS)
            {
                tokens.clear(); // thousands of live logins: start over rather than grow
            }
        }
        final byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        final String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        tokens.put(token, new Token(refresh, now + (refresh ? REFRESH_TTL_MS : ACCESS_TTL_MS)));
        return token;
    }

    private static String bearer(final RoutingContext ctx)
    {
        final String header = ctx.request().getHeader("Authorization");
        if (null == header || !header.regionMatches(true, 0, "Bearer ", 0, 7))
        {
            return null;
        }
        final String token = header.substring(7).trim();
        return token.isEmpty() ? null : token;
    }

    private void profile(final RoutingContext ctx)
    {
        final String group = "outpost";
        ok(ctx, 200, new JsonObject().put("user_id", "admin").put("first_name", "Outpost").put("last_name", "admin")
            .put("roles", new JsonArray().add(new JsonObject().put("role_name", "GROUP_OWNER")
                .put("group_id", group))));
    }

    // ---------------------------------------------------------------------------------------------------------------
    // apps and users

    private void listApps(final RoutingContext ctx)
    {
        final JsonArray list = new JsonArray();
        for (final String appId : new java.util.TreeSet<>(apps.appIds()))
        {
            list.add(appJson(ctx, appId));
        }
        ok(ctx, 200, list);
    }

    private JsonObject appJson(final RoutingContext ctx, final String appId)
    {
        final AuthService auth = apps.auth(appId);
        final JsonArray providers = new JsonArray();
        for (final String provider : List.of("anon-user", "local-userpass", "custom-token", "api-key"))
        {
            if (apps.providerEnabled(appId, provider))
            {
                providers.add(provider);
            }
        }
        final JsonObject app = new JsonObject()
            .put("_id", appId)
            .put("client_app_id", appId)
            .put("name", appId)
            .put("group_id", ctx.pathParam("groupId"))
            .put("location", "local")
            .put("deployment_model", "GLOBAL")
            .put("product", "standard")
            .put("users", auth.store().userCount())
            .put("auth_providers", providers);
        if (apps.engine(appId) instanceof SyncService sync)
        {
            app.put("sync", new JsonObject().put("server_files", sync.serverFiles())
                .put("errors", sync.errorLog().total()));
        }
        return app;
    }

    private void listUsers(final RoutingContext ctx)
    {
        withApp(ctx, (appId, auth) ->
        {
            final Integer limit = limit(ctx);
            if (null == limit)
            {
                return;
            }
            final String after = ctx.request().getParam("after");
            final String search = ctx.request().getParam("search");
            final String needle = null == search || search.isBlank() ? null : search.toLowerCase(Locale.ROOT);
            // sorting every user and scanning sessions: a worker, not the event loop the sync sessions share
            reply(ctx, ctx.vertx().executeBlocking(() -> usersPage(auth.store(), after, needle, limit), false)
                .toCompletionStage(), 200);
        });
    }

    private static JsonArray usersPage(final AuthStore store, final String after, final String needle,
        final int limit)
    {
        final List<UserRecord> users = store.users();
        users.sort(Comparator.comparing(UserRecord::id));
        final JsonArray page = new JsonArray();
        for (final UserRecord u : users)
        {
            if ((null != after && u.id().compareTo(after) <= 0) || (null != needle && !matches(store, u, needle)))
            {
                continue;
            }
            page.add(userJson(store, u, lastLogin(store.sessionsOf(u.id()))));
            if (page.size() == limit)
            {
                break;
            }
        }
        return page;
    }

    private static boolean matches(final AuthStore store, final UserRecord u, final String needle)
    {
        if (u.id().contains(needle) || u.identityId().toLowerCase(Locale.ROOT).contains(needle) ||
            u.provider().contains(needle))
        {
            return true;
        }
        final UserPassRecord credentials = store.userPassOf(u.id());
        return null != credentials && credentials.email().toLowerCase(Locale.ROOT).contains(needle);
    }

    private static long lastLogin(final List<RefreshSession> sessions)
    {
        long last = 0;
        for (final RefreshSession s : sessions)
        {
            last = Math.max(last, s.createdAt());
        }
        return last;
    }

    /** A user in App Services' admin shape, with Outpost's session count. */
    static JsonObject userJson(final AuthStore store, final UserRecord u, final long lastLogin)
    {
        final JsonObject data = new JsonObject();
        final UserPassRecord credentials = store.userPassOf(u.id());
        if (null != credentials)
        {
            data.put("email", credentials.email());
        }
        int live = 0;
        for (final RefreshSession s : store.sessionsOf(u.id()))
        {
            live += s.revoked() ? 0 : 1;
        }
        return new JsonObject()
            .put("_id", u.id())
            .put("identities", new JsonArray().add(new JsonObject().put("id", u.identityId())
                .put("provider_type", u.provider()).put("provider_id", u.provider())))
            .put("type", "normal")
            .put("creation_date", u.createdAt())
            .put("last_authentication_date", lastLogin)
            .put("disabled", store.userDisabled(u.id()))
            .put("data", data)
            .put("sessions", live);
    }

    private void closeUser(final RoutingContext ctx, final UserRecord user, final int code, final String reason)
    {
        if (apps.engine(ctx.pathParam("appId")) instanceof SyncService sync)
        {
            sync.closeUserConnections(user.id(), code, reason);
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // sync: connections, server files, client resets, errors

    private void listConnections(final RoutingContext ctx)
    {
        withSync(ctx, sync ->
        {
            final String file = ctx.request().getParam("file");
            reply(ctx, sync.connections().thenApply(list ->
            {
                final JsonArray out = new JsonArray();
                for (final JsonObject c : list)
                {
                    if (null == file || c.getJsonArray("sessions").stream()
                        .anyMatch(s -> file.equals(((JsonObject)s).getString("file"))))
                    {
                        out.add(c);
                    }
                }
                return out;
            }), 200);
        });
    }

    private void disconnect(final RoutingContext ctx)
    {
        withSync(ctx, sync ->
        {
            final long id;
            try
            {
                id = Long.parseLong(ctx.pathParam("connectionId"));
            }
            catch (final NumberFormatException ex)
            {
                ApiResponses.error(ctx.response(), 400, ApiResponses.BAD_REQUEST, "connection id must be a number");
                return;
            }
            if (sync.disconnect(id))
            {
                ctx.response().setStatusCode(204).end();
            }
            else
            {
                ApiResponses.error(ctx.response(), 404, ApiResponses.NOT_FOUND, "no open connection " + id +
                    " of app " + ctx.pathParam("appId"));
            }
        });
    }

    private void listFiles(final RoutingContext ctx)
    {
        withSync(ctx, sync ->
        {
            final Integer limit = limit(ctx);
            if (null == limit)
            {
                return;
            }
            final String after = ctx.request().getParam("after");
            final String prefix = ctx.request().getParam("prefix");
            // forEachServerFile reads from disk: a worker, not the event loop
            reply(ctx, ctx.vertx().executeBlocking(() -> new JsonArray(new ArrayList<>(
                sync.serverFilesJson(after, limit, prefix))), false).toCompletionStage(), 200);
        });
    }

    /**
     * Delete a PBS server file, named by {@code file} (a name from sync/files) or {@code partition} (the value as the
     * client sends it): 204 when the deletion is durable, 404 if there is no such file, 400 for an FLX file (an FLX
     * app has one server file; deleting its data is not this operation).
     */
    private void deleteFile(final RoutingContext ctx)
    {
        withSync(ctx, sync ->
        {
            final String appId = ctx.pathParam("appId");
            final String file = ctx.request().getParam("file");
            final String partition = ctx.request().getParam("partition");
            if ((null == file) == (null == partition) || (null != file && file.isEmpty()) ||
                (null != partition && partition.isEmpty()))
            {
                ApiResponses.error(ctx.response(), 400, ApiResponses.BAD_REQUEST, "give either ?file= (a server " +
                    "file name from sync/files) or ?partition= (a PBS partition value as the client sends it)");
                return;
            }
            final String name = null != file ? file : SyncService.pbsFileName(appId, partition);
            if (name.startsWith("flx/"))
            {
                ApiResponses.error(ctx.response(), 400, ApiResponses.BAD_REQUEST, "'" + clip(name) + "' is the " +
                    "flexible sync server file of app " + appId + "; only partition-based (pbs/) server files can be " +
                    "deleted (an FLX app has one server file: remove objects through sync, or force client resets)");
                return;
            }
            final String schema = ctx.request().getParam("schema", "keep");
            if (!"keep".equals(schema) && !"drop".equals(schema))
            {
                ApiResponses.error(ctx.response(), 400, ApiResponses.BAD_REQUEST, "schema must be keep (default: a " +
                    "partition its clients synced is created again holding its schema only) or drop");
                return;
            }
            done(ctx, ctx.vertx().executeBlocking(() -> sync.deleteServerFile(name, "keep".equals(schema)), false)
                .toCompletionStage().thenApply(deleted ->
                {
                    if (deleted == dev.outpost.server.sync.writer.DeleteFileCommand.Outcome.NOT_FOUND)
                    {
                        throw new java.util.concurrent.CompletionException(new AuthException(404, "NotFound",
                            "no server file '" + clip(name) + "' in app " + appId));
                    }
                    return deleted;
                }).toCompletableFuture());
        });
    }

    private void clientReset(final RoutingContext ctx)
    {
        withSync(ctx, sync ->
        {
            final JsonObject body = body(ctx);
            if (null == body)
            {
                return;
            }
            final String appId = ctx.pathParam("appId");
            final Object file = body.getValue("file");
            final Object partition = body.getValue("partition");
            final Object ident = body.getValue("client_file_ident", 0L);
            if ((null == file) == (null == partition) || (null != file && !(file instanceof String)) ||
                (null != partition && !(partition instanceof String)) || !(ident instanceof Number n) ||
                n.longValue() < 0 || n.doubleValue() != n.longValue())
            {
                ApiResponses.error(ctx.response(), 400, ApiResponses.BAD_REQUEST, "give either \"file\" (a server " +
                    "file name from sync/files) or \"partition\" (a PBS partition value as the client sends it), " +
                    "and optionally \"client_file_ident\" (a positive integer; none: every client file)");
                return;
            }
            final String name = null != file ? (String)file : SyncService.pbsFileName(appId, (String)partition);
            final long clientFileIdent = n.longValue();
            reply(ctx, ctx.vertx().executeBlocking(() -> sync.forceClientReset(name, clientFileIdent), false)
                .toCompletionStage().thenApply(found ->
                {
                    if (!found)
                    {
                        throw new java.util.concurrent.CompletionException(new AuthException(404, "NotFound",
                            "no server file '" + clip(name) + "' in app " + appId));
                    }
                    return new JsonObject().put("file", name).put("client_file_ident", clientFileIdent);
                }), 200);
        });
    }

    private void syncErrors(final RoutingContext ctx)
    {
        withSync(ctx, sync ->
        {
            final Integer limit = limit(ctx);
            if (null == limit)
            {
                return;
            }
            int code = 0;
            final String codeText = ctx.request().getParam("code");
            if (null != codeText)
            {
                try
                {
                    code = Integer.parseInt(codeText);
                }
                catch (final NumberFormatException ex)
                {
                    code = -1;
                }
                if (code < 100 || code > 299)
                {
                    ApiResponses.error(ctx.response(), 400, ApiResponses.BAD_REQUEST, "code must be a protocol " +
                        "error code (100..299)");
                    return;
                }
            }
            final JsonObject byCode = new JsonObject();
            for (int c = 100; c < 300; c++)
            {
                final long n = sync.errorsSent(c);
                if (n > 0)
                {
                    byCode.put(String.valueOf(c), n);
                }
            }
            ok(ctx, 200, new JsonObject().put("total", sync.errorLog().total()).put("by_code", byCode)
                .put("recent", sync.errorLog().recent(limit, code)));
        });
    }

    // ---------------------------------------------------------------------------------------------------------------
    // configuration

    /**
     * @param config the running configuration.
     * @return it as JSON under the configuration file's keys; secrets (the admin key, the mirror's password) are
     *     masked, key files are named, not read.
     */
    public static JsonObject configJson(final ServerConfig config)
    {
        final JsonObject apps = new JsonObject();
        for (final dev.outpost.server.config.AppConfig app : config.apps())
        {
            apps.put(app.id(), new JsonObject()
                .put("data-dir", String.valueOf(config.appDataDir(app)))
                .put("rules", null != app.rules() && app.rules() != dev.outpost.ot.rules.Rules.NONE));
        }
        return new JsonObject()
            .put("host", config.host())
            .put("port", config.port())
            .put("data-dir", String.valueOf(config.dataDir()))
            .put("app-config", null == config.appConfigDir() ? null : config.appConfigDir().toString())
            .put("public-url", config.publicUrl())
            .put("idle-timeout", String.valueOf(config.idleTimeout()))
            .put("http.idle-timeout", String.valueOf(config.httpIdleTimeout()))
            .put("http.header-timeout", String.valueOf(config.httpHeaderTimeout()))
            .put("http.body-timeout", String.valueOf(config.httpBodyTimeout()))
            .put("http.list-app-ids", config.listAppIds())
            .put("max-connections", config.maxConnections())
            .put("access-token-ttl", String.valueOf(config.accessTokenTtl()))
            .put("refresh-token-ttl", String.valueOf(config.refreshTokenTtl()))
            .put("jwt.algorithm", String.valueOf(config.jwtAlgorithm()))
            .put("jwt.private-key", null == config.jwtPrivateKeyFile() ? null : config.jwtPrivateKeyFile().toString())
            .put("jwt.public-key", null == config.jwtPublicKeyFile() ? null : config.jwtPublicKeyFile().toString())
            .put("tls.cert", null == config.tlsCertFile() ? null : config.tlsCertFile().toString())
            .put("tls.key", null == config.tlsKeyFile() ? null : config.tlsKeyFile().toString())
            .put("tls.self-signed", config.tlsSelfSigned())
            .put("tls.protocols", new JsonArray(new ArrayList<>(config.tlsProtocols())))
            .put("admin.host", config.adminHost())
            .put("admin.port", config.adminEnabled() ? (Object)config.adminPort() : "off")
            .put("admin.key", null == config.adminKey() ? null : "********")
            .put("admin.key-file", null == config.adminKeyFile() ? null : config.adminKeyFile().toString())
            .put("admin.public-status", config.adminPublicStatus())
            .put("max-download-size", config.maxDownloadSize())
            .put("max-message-size", config.maxMessageSize())
            .put("compression-threshold", config.compressionThreshold())
            .put("event-loops", config.eventLoops())
            .put("durability", String.valueOf(config.durability()))
            .put("state-cache.files", config.stateCacheFiles())
            .put("state-cache.size", config.stateCacheSize())
            .put("shutdown-timeout", String.valueOf(config.shutdownTimeout()))
            .put("slow-consumer-timeout", String.valueOf(config.slowConsumerTimeout()))
            .put("max-queued-bytes-per-connection", config.maxQueuedBytesPerConnection())
            .put("writer-queue", config.writerQueue())
            .put("store-shards", config.storeShards())
            .put("partition-max-bytes", config.partitionMaxBytes())
            .put("max-sessions-per-connection", config.maxSessionsPerConnection())
            .put("max-uploads-in-flight", config.maxUploadsInFlight())
            .put("new-files-per-user", config.newFilesPerUser())
            .put("new-files-per-app", config.newFilesPerApp())
            .put("max-files-per-app", config.maxFilesPerApp())
            .put("flx-query-max-bytes", config.flxQueryMaxBytes())
            .put("flx-view-log-entries", config.flxViewLogEntries())
            .put("mirror.postgres", null == config.mirrorPostgres() ? null : maskUrl(config.mirrorPostgres()))
            .put("mirror.schema", config.mirrorSchema())
            .put("apps", apps);
    }

    /** @return the URL with any password (user info, {@code password=} parameter) replaced by asterisks. */
    static String maskUrl(final String url)
    {
        String masked = url.replaceAll("(?i)(password=)[^&]*", "$1********");
        final int scheme = masked.indexOf("://");
        final int at = masked.indexOf('@', Math.max(0, scheme));
        if (scheme >= 0 && at > scheme)
        {
            final String userInfo = masked.substring(scheme + 3, at);
            final int colon = userInfo.indexOf(':');
            if (colon >= 0)
            {
                masked = masked.substring(0, scheme + 3) + userInfo.substring(0, colon) + ":********" +
                    masked.substring(at);
            }
        }
        return masked;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // plumbing

    private interface AppHandler
    {
        void handle(String appId, AuthService auth);
    }

    private interface UserHandler
    {
        void handle(AuthService auth, UserRecord user);
    }

    private void withApp(final RoutingContext ctx, final AppHandler handler)
    {
        final String appId = ctx.pathParam("appId");
        if (!apps.appIds().contains(appId))
        {
            ApiResponses.error(ctx.response(), 404, ApiResponses.APP_NOT_FOUND, "no app '" + clip(appId) + "'");
            return;
        }
        handler.handle(appId, apps.auth(appId));
    }

    private void withUser(final RoutingContext ctx, final UserHandler handler)
    {
        withApp(ctx, (appId, auth) ->
        {
            final String userId = ctx.pathParam("userId");
            final UserRecord user = Ids.isId(userId) ? auth.user(userId) : null;
            if (null == user)
            {
                ApiResponses.error(ctx.response(), 404, "UserNotFound", "no user '" + clip(userId) + "' in app " +
                    appId);
                return;
            }
            handler.handle(auth, user);
        });
    }

    private void withSync(final RoutingContext ctx, final java.util.function.Consumer<SyncService> handler)
    {
        withApp(ctx, (appId, auth) ->
        {
            if (!(apps.engine(appId) instanceof SyncService sync))
            {
                ApiResponses.error(ctx.response(), 404, ApiResponses.NOT_FOUND, "app " + appId + " has no sync " +
                    "service of Outpost's own");
                return;
            }
            handler.accept(sync);
        });
    }

    private static Integer limit(final RoutingContext ctx)
    {
        final String text = ctx.request().getParam("limit");
        if (null == text)
        {
            return DEFAULT_LIMIT;
        }
        try
        {
            final int limit = Integer.parseInt(text);
            if (limit >= 1 && limit <= MAX_LIMIT)
            {
                return limit;
            }
        }
        catch (final NumberFormatException ex)
        {
            // answered below
        }
        ApiResponses.error(ctx.response(), 400, ApiResponses.BAD_REQUEST, "limit must be an integer in 1.." +
            MAX_LIMIT);
        return null;
    }

    /** @return the JSON body, or null after answering 400. */
    private static JsonObject body(final RoutingContext ctx)
    {
        try
        {
            final JsonObject body = null == ctx.body() || null == ctx.body().buffer() ? null : ctx.body().asJsonObject();
            if (null == body)
            {
                ApiResponses.error(ctx.response(), 400, ApiResponses.BAD_REQUEST, "a JSON object body is required");
            }
            return body;
        }
        catch (final DecodeException | ClassCastException ex)
        {
            ApiResponses.error(ctx.response(), 400, ApiResponses.BAD_REQUEST, "the body is not a JSON object");
            return null;
        }
    }

    private static void ok(final RoutingContext ctx, final int status, final Object body)
    {
        if (ctx.response().ended() || ctx.response().closed())
        {
            return;
        }
        ctx.response().setStatusCode(status).putHeader("Content-Type", ApiResponses.CONTENT_TYPE)
            .end(body instanceof JsonArray a ? a.encode() : ((JsonObject)body).encode());
    }

    private <T> void reply(final RoutingContext ctx, final CompletionStage<T> work, final int status)
    {
        Future.fromCompletionStage(work, ctx.vertx().getOrCreateContext()).onComplete(ar ->
        {
            if (ar.failed())
            {
                failed(ctx, ar.cause());
            }
            else
            {
                ok(ctx, status, ar.result());
            }
        });
    }

    private void done(final RoutingContext ctx, final CompletableFuture<?> work)
    {
        Future.fromCompletionStage(work, ctx.vertx().getOrCreateContext()).onComplete(ar ->
        {
            if (ar.failed())
            {
                failed(ctx, ar.cause());
            }
            else if (!ctx.response().ended())
            {
                ctx.response().setStatusCode(204).end();
            }
        });
    }

    private void failed(final RoutingContext ctx, final Throwable cause)
    {
        final AuthException typed = AuthService.authFailure(cause);
        if (null != typed)
        {
            ApiResponses.error(ctx.response(), typed.httpStatus(), typed.errorCode(), typed.getMessage());
            return;
        }
        logOnce(ctx.request().path(), cause);
        ApiResponses.error(ctx.response(), 500, ApiResponses.INTERNAL, "internal server error");
    }

    private void failure(final RoutingContext ctx)
    {
        final int code = ApiResponses.failureStatus(ctx);
        if (code >= 500)
        {
            failed(ctx, ctx.failure());
        }
        else if (code > 0)
        {
            ApiResponses.rejected(ctx, code);
        }
    }

    private void logOnce(final String path, final Throwable failure)
    {
        final String route = path.replaceAll("/[0-9a-f]{24}", "/{id}");
        if (loggedFailures.size() < 100 && loggedFailures.add(route + (null == failure ? "" :
            failure.getClass().getName())))
        {
            LOG.log(System.Logger.Level.ERROR, "admin API " + route + " failed", failure);
        }
    }

    static String clip(final String text)
    {
        if (null == text)
        {
            return "";
        }
        final String printable = text.replaceAll("[^\\x20-\\x7e]", "?");
        return printable.length() <= 80 ? printable : printable.substring(0, 80) + "...";
    }
}
