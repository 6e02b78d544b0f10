package dev.outpost.bench.client;

import java.net.URI;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonObject;

/**
 * The entry point of the Java sync client: the App Services HTTP calls (location, anonymous login) and the factory
 * of {@link ClientConnection}s, on one Vert.x instance (its own, or one passed in). Thread-safe.
 *
 * <pre>{@code
 * SyncClient client = SyncClient.create(new ClientOptions().baseUrl("http://127.0.0.1:9090").appId("outpost"));
 * Credentials user = client.login().await();
 * ClientConnection conn = client.connection(user);
 * ClientSession s = conn.addSession("\"p1\"");
 * conn.open();
 * }</pre>
 */
public final class SyncClient implements AutoCloseable
{
    /** DOWNLOAD messages are at most 16 MiB of body; allow the server's 32 MiB message limit. */
    static final int MAX_MESSAGE = 32 << 20;

    private final Vertx vertx;
    private final boolean ownsVertx;
    private final ClientOptions options;
    private final HttpClientAgent http;
    private final WebSocketClient ws;

    private SyncClient(final Vertx vertx, final boolean ownsVertx, final ClientOptions options)
    {
        this.vertx = vertx;
        this.ownsVertx = ownsVertx;
        this.options = options;
        this.http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
            new PoolOptions().setHttp1MaxSize(8));
        this.ws = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(1_000_000)
            .setMaxMessageSize(MAX_MESSAGE).setMaxFrameSize(MAX_MESSAGE).setConnectTimeout(30_000)
            .setTcpNoDelay(true));
    }

    /** A client on its own Vert.x instance with {@code eventLoops} event loops (closed with the client). */
    public static SyncClient create(final ClientOptions options, final int eventLoops)
    {
        return new SyncClient(Vertx.vertx(new VertxOptions().setEventLoopPoolSize(eventLoops)
            .setPreferNativeTransport(true)), true, options);
    }

    /** A client on its own Vert.x instance with two event loops. */
    public static SyncClient create(final ClientOptions options)
    {
        return create(options, 2);
    }

    /** A client on a caller's Vert.x instance (not closed with the client). */
    public static SyncClient on(final Vertx vertx, final ClientOptions options)
    {
        return new SyncClient(vertx, false, options);
    }

    public Vertx vertx()
    {
        return vertx;
    }

    public ClientOptions options()
    {
        return options;
    }

    WebSocketClient webSocketClient()
    {
        return ws;
    }

    /** {@code GET /location}, then {@code POST .../anon-user/login}: a new anonymous user. */
    public Future<Credentials> login()
    {
        final String app = "/api/client/v2.0/app/" + options.appId;
        return call(HttpMethod.GET, options.baseUrl + app + "/location", null).compose(location ->
        {
            final String wsHost = location.getString("ws_hostname");
            final String httpHost = location.getString("hostname", options.baseUrl);
            return call(HttpMethod.POST, httpHost + app + "/auth/providers/anon-user/login", new JsonObject())
                .map(login -> new Credentials(login.getString("access_token"), login.getString("refresh_token"),
                    login.getString("user_id"), wsHost));
        });
    }

    private Future<JsonObject> call(final HttpMethod method, final String url, final JsonObject body)
    {
        final RequestOptions request = new RequestOptions().setMethod(method).setAbsoluteURI(url);
        if (body != null)
        {
            request.putHeader("Content-Type", "application/json");
        }
        // body() must be called in the same callback that receives the response, or the body may be gone
        return http.request(request).compose(req -> (body == null ? req.send() : req.send(Buffer.buffer(body.encode())))
            .compose(resp -> resp.body().compose(b ->
            {
                if (resp.statusCode() / 100 != 2)
                {
                    return Future.failedFuture(method + " " + URI.create(url).getPath() + ": HTTP " +
                        resp.statusCode() + " " + b);
                }
                try
                {
                    return Future.succeededFuture(new JsonObject(b));
                }
                catch (final RuntimeException ex)
                {
                    return Future.failedFuture(method + " " + URI.create(url).getPath() + ": bad JSON (HTTP " +
                        resp.statusCode() + ") '" + (b.length() > 300 ? b.getString(0, 300) : b.toString()) + "'");
                }
            })));
    }

    /** A new (not yet opened) WebSocket connection for {@code user}; add sessions, then {@link ClientConnection#open}. */
    public ClientConnection connection(final Credentials user)
    {
        return new ClientConnection(this, user);
    }

    public void close()
    {
        ws.close().await();
        http.close().await();
        if (ownsVertx)
        {
            vertx.close().await();
        }
    }
}
