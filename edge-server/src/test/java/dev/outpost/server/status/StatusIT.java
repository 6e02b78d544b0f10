package dev.outpost.server.status;

import dev.outpost.codec.ProtocolErrorCode;
import dev.outpost.server.config.ServerConfig;
import dev.outpost.server.metrics.HistoryStats;
import dev.outpost.server.runtime.OutpostServer;
import dev.outpost.server.store.HistoryStore;
import dev.outpost.server.store.ServerFile;
import dev.outpost.server.store.StoreConfig;
import dev.outpost.server.store.StoreShard;
import dev.outpost.server.ws.PingPongHandler;
import io.vertx.core.json.JsonObject;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real server: {@code /health}, {@code /ready} through the lifecycle and a readiness check, {@code /metrics}
 * and {@code /status.json} counting a real sync WebSocket (connection, bytes in and out), the history of a real
 * store, protocol errors and upload rates, and the status page's HTML.
 */
@Timeout(60)
class StatusIT
{
    private static final String APP = "status-app";
    private static final String TAG = "app=\"" + APP + "\"";
    private static final String ERRORS = "outpost_protocol_errors_total{" + TAG + ",";

    @TempDir
    Path dataDir;

    private OutpostServer server;
    private HistoryStore store;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception
    {
        store = HistoryStore.open(new StoreConfig().dataDir(dataDir.resolve("sync")).shardCount(2));
        final StoreShard shard = store.shardFor("pbs/a");
        final ServerFile a = shard.createServerFile("pbs/a");
        final byte[] bytes = new byte[100]; // empty instructions are not needed for the totals
        shard.append(a, 1, 0, 0, 0, new UnsafeBuffer(bytes), 0, 0);
        shard.append(a, 1, 0, 0, 0, new UnsafeBuffer(bytes), 0, 0);
        shard.publish();
        store.shardFor("pbs/b").createServerFile("pbs/b");
        server = OutpostServer.start(new ServerConfig(Map.of()).port(0).dataDir(dataDir).appId(APP).eventLoops(2),
            PingPongHandler.FACTORY);
        server.metrics().app(APP).history(HistoryStats.of(store));
    }

    @AfterEach
    void stop()
    {
        if (null != server)
        {
            server.close();
        }
        store.close();
    }

    private HttpResponse<String> get(final String path) throws Exception
    {
        return http.send(HttpRequest.newBuilder(URI.create((path.equals("/ready") || path.equals("/health") ?
            server.baseUrl() : server.adminBaseUrl()) + path)).build(),
            HttpResponse.BodyHandlers.ofString());
    }

    private JsonObject status() throws Exception
    {
        final HttpResponse<String> r = get("/status.json");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        return new JsonObject(r.body());
    }

    private static double metric(final String scrape, final String series)
    {
        final Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " ([0-9.eE+-]+)$").matcher(scrape);
        assertThat(m.find()).as("series " + series + " in\n" + scrape).isTrue();
        return Double.parseDouble(m.group(1));
    }

    @Test
    void shouldAnswerHealthAndReadinessThroughTheLifecycle() throws Exception
    {
        final HttpResponse<String> health = get("/health");
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(new JsonObject(health.body()).getString("status")).isEqualTo("UP");

        assertThat(get("/ready").statusCode()).isEqualTo(200);

        final AtomicBoolean storeOpen = new AtomicBoolean(false);
        server.status().readinessCheck("store", storeOpen::get);
        final HttpResponse<String> notReady = get("/ready");
        assertThat(notReady.statusCode()).isEqualTo(503);
        assertThat(new JsonObject(notReady.body()).getString("reason")).isEqualTo("store not available");
        storeOpen.set(true);
        assertThat(get("/ready").statusCode()).isEqualTo(200);

        server.status().markStopping();
        final HttpResponse<String> stopping = get("/ready");
        assertThat(stopping.statusCode()).isEqualTo(503);
        assertThat(new JsonObject(stopping.body()).getString("state")).isEqualTo("STOPPING");
        assertThat(get("/health").statusCode()).isEqualTo(200);
    }

    @Test
    void shouldCountASyncConnectionAndItsBytes() throws Exception
    {
        final JsonObject before = status();
        assertThat(before.getLong("connections")).isZero();
        assertThat(before.getLong("server_files")).isEqualTo(2);
        assertThat(before.getLong("history_entries")).isEqualTo(2);
        assertThat(before.getString("state")).isEqualTo("READY");
        assertThat(before.getString("version")).isNotBlank();

        final LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
        final WebSocket ws = http.newWebSocketBuilder().subprotocols("com.mongodb.realm-sync#14")
            .buildAsync(URI.create(server.baseUrl().replace("http:", "ws:") + "/api/client/v2.0/app/" + APP +
                "/realm-sync?baas_at=" + login()), new WebSocket.Listener()
                {
                    public CompletionStage<?> onBinary(final WebSocket webSocket, final ByteBuffer data,
                        final boolean last)
                    {
                        received.add(StandardCharsets.US_ASCII.decode(data).toString());
                        webSocket.request(1);
                        return null;
                    }
                }).get(10, TimeUnit.SECONDS);
        final byte[] ping = "ping 1234 5\n".getBytes(StandardCharsets.US_ASCII);
        ws.sendBinary(ByteBuffer.wrap(ping), true).get(10, TimeUnit.SECONDS);
        assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo("pong 1234\n");

        final JsonObject during = status();
        assertThat(during.getLong("connections")).isEqualTo(1);
        assertThat(during.getLong("bytes_received_total")).isEqualTo(ping.length);
        assertThat(during.getLong("bytes_sent_total")).isEqualTo("pong 1234\n".length());

        final String scrape = get("/metrics").body();
        assertThat(metric(scrape, "outpost_connections{" + TAG + "}")).isEqualTo(1.0);
        assertThat(metric(scrape, "outpost_connections_opened_total{" + TAG + "}")).isEqualTo(1.0);
        assertThat(metric(scrape, "outpost_received_bytes_total{" + TAG + "}")).isEqualTo(ping.length);
        assertThat(metric(scrape, "outpost_sent_bytes_total{" + TAG + "}")).isEqualTo(10.0);
        assertThat(metric(scrape, "outpost_server_files{" + TAG + "}")).isEqualTo(2.0);
        assertThat(metric(scrape, "outpost_history_entries{" + TAG + "}")).isEqualTo(2.0);

        ws.sendClose(1000, "bye").get(10, TimeUnit.SECONDS);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (status().getLong("connections") != 0 && System.nanoTime() < deadline)
        {
            Thread.sleep(20);
        }
        assertThat(status().getLong("connections")).isZero();
    }

    @Test
    void shouldExportPrometheusTextWithErrorsByCodeTimersAndVertxMeters() throws Exception
    {
        server.metrics().app(APP).protocolError(ProtocolErrorCode.BAD_CHANGESET);
        server.metrics().app(APP).protocolError(ProtocolErrorCode.BAD_CHANGESET);
        server.metrics().app(APP).protocolError(ProtocolErrorCode.BAD_SERVER_VERSION);
        server.metrics().app(APP).transformNanos(300_000);
        server.metrics().app(APP).appendNanos(2_000_000);

        final HttpResponse<String> r = get("/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/plain; version=0.0.4");
        final String scrape = r.body();
        assertThat(metric(scrape, ERRORS + "code=\"212\",error=\"bad_changeset\"}"))
            .isEqualTo(2.0);
        assertThat(metric(scrape, ERRORS + "code=\"209\",error=\"bad_server_version\"}"))
            .isEqualTo(1.0);
        assertThat(metric(scrape, ERRORS + "code=\"210\",error=\"bad_client_version\"}"))
            .isZero();
        assertThat(metric(scrape, "outpost_transform_seconds_count{" + TAG + "}")).isEqualTo(1.0);
        assertThat(metric(scrape, "outpost_transform_seconds_bucket{" + TAG + ",le=\"2.5E-4\"}")).isZero();
        assertThat(metric(scrape, "outpost_transform_seconds_bucket{" + TAG + ",le=\"5.0E-4\"}")).isEqualTo(1.0);
        assertThat(metric(scrape, "outpost_append_seconds_count{" + TAG + "}")).isEqualTo(1.0);
        assertThat(scrape).contains("# TYPE outpost_uploads_total counter", "# TYPE outpost_sessions gauge",
            "vertx_http_server_", "jvm_memory_used_bytes");
        assertThat(status().getLong("protocol_errors_total")).isEqualTo(3);
    }

    @Test
    void shouldReportUploadAndDownloadRates() throws Exception
    {
        server.status().sample();
        for (int i = 0; i < 10; i++)
        {
            server.metrics().app(APP).uploadReceived(2);
        }
        server.metrics().app(APP).downloadSent(5);
        Thread.sleep(500);
        final JsonObject s = status();
        assertThat(s.getLong("uploads_total")).isEqualTo(10);
        assertThat(s.getLong("downloads_total")).isEqualTo(1);
        // 10 uploads since the sample at most ~1.5 s ago (the periodic sampler may have run in between).
        assertThat(s.getDouble("uploads_per_second")).isGreaterThan(0.0).isLessThanOrEqualTo(20.0 + 1e-9);
        assertThat(s.getDouble("downloads_per_second")).isGreaterThan(0.0);
        assertThat(metric(get("/metrics").body(), "outpost_upload_changesets_total{" + TAG + "}")).isEqualTo(20.0);
    }

    @Test
    void shouldServeTheStatusPage() throws Exception
    {
        final HttpResponse<String> page = get("/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        assertThat(page.body()).contains("<title>Outpost status</title>", "id=\"connections\"",
            "id=\"server_files\"", "fetch(\"status.json\"");
        // Unknown paths keep the API's JSON 404.
        final HttpResponse<String> missing = get("/nope");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.headers().firstValue("Content-Type")).hasValue("application/json");
    }

    private String login() throws Exception
    {
        final HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(
            server.baseUrl() + "/api/client/v2.0/app/" + APP + "/auth/providers/anon-user/login"))
            .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        return new JsonObject(response.body()).getString("access_token");
    }
}
