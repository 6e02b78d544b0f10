package dev.outpost.server.admin;

import dev.outpost.server.config.AppConfig;
import dev.outpost.server.config.ServerConfig;
import dev.outpost.server.runtime.SyncServer;
import dev.outpost.server.sync.Changesets;
import dev.outpost.server.sync.SyncService;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The web console's page and routes over HTTP (no browser: always runs): the static files with their security
 * headers, the metrics history, the data browser's classes, query, paging and typed errors.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ConsoleRoutesIT
{
    private static final String KEY = "console-test-key-0123456789abcdef";
    private static final String APP = "shop";
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;

    private SyncServer server;
    private String file;

    @BeforeEach
    void start() throws Exception
    {
        server = SyncServer.start(new ServerConfig(Map.of()).host("127.0.0.1").port(0).dataDir(dir).eventLoops(1)
            .adminKey(KEY).apps(List.of(new AppConfig(APP, null, true))));
        file = SyncService.pbsFileName(APP, "\"p1\"");
        final SyncService sync = (SyncService)server.http().apps().engine(APP);
        sync.writeServerChangeset(file, Changesets.objects("Item", 1, 120, "n")).get(30, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() throws Exception
    {
        if (null != server)
        {
            server.close();
        }
    }

    @Test
    void shouldServeThePageWithoutExternalResources() throws Exception
    {
        final HttpResponse<String> page = get("/console/", null);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        assertThat(page.headers().firstValue("Content-Security-Policy").orElse("")).contains("default-src 'self'");
        assertThat(page.body()).contains("console.js", "chart.js").doesNotContain("http://", "https://");
        assertThat(get("/console", null).statusCode()).as("redirected to /console/").isEqualTo(302);
        for (final String f : List.of("console.js", "chart.js", "console.css"))
        {
            final HttpResponse<String> r = get("/console/" + f, null);
            assertThat(r.statusCode()).isEqualTo(200);
            // the SVG namespace is a name, not a fetch
            assertThat(r.body().replace("http://www.w3.org/2000/svg", "")).doesNotContain("http://", "https://");
        }
        assertThat(get("/console/nothing.js", null).statusCode()).isEqualTo(404);
    }

    @Test
    void shouldServeTheMetricsHistoryToAnAdminOnly() throws Exception
    {
        assertThat(get(app("/console/metrics"), null).statusCode()).isEqualTo(401);
        final HttpResponse<String> r = get(app("/console/metrics"), KEY);
        assertThat(r.statusCode()).isEqualTo(200);
        final JsonObject json = new JsonObject(r.body());
        assertThat(json.getLong("interval_ms")).isEqualTo(MetricsHistory.INTERVAL_MS);
        assertThat(json.getJsonArray("samples")).isNotNull();
        assertThat(get("/api/admin/v3.0/groups/g/apps/nope/console/metrics", KEY).statusCode()).isEqualTo(404);
    }

    @Test
    void shouldBrowseClassesAndQueryObjectsWithPaging() throws Exception
    {
        final String f = URLEncoder.encode(file, StandardCharsets.UTF_8);
        final JsonObject classes = new JsonObject(get(app("/console/data?file=" + f), KEY).body());
        final JsonObject item = classes.getJsonArray("classes").getJsonObject(0);
        assertThat(item.getString("name")).isEqualTo("Item");
        assertThat(item.getInteger("count")).isEqualTo(120);
        assertThat(item.getJsonObject("primary_key").getString("field")).isEqualTo("_id");

        final JsonObject page = new JsonObject(get(app("/console/data?file=" + f + "&class=Item&offset=100&limit=50"),
            KEY).body());
        assertThat(page.getInteger("total")).isEqualTo(120);
        assertThat(page.getJsonArray("objects")).hasSize(20);

        final JsonObject one = new JsonObject(get(app("/console/data?file=" + f + "&class=Item&query=" +
            URLEncoder.encode("name == \"n7\" OR _id > 118", StandardCharsets.UTF_8)), KEY).body());
        assertThat(one.getInteger("total")).isEqualTo(3);
        final JsonArray objects = one.getJsonArray("objects");
        assertThat(objects.getJsonObject(0).getString("name")).isEqualTo("n7");
        assertThat(objects.getJsonObject(2).getLong("_id")).isEqualTo(120);
    }

    @Test
    void shouldAnswerBadInputWithTypedErrors() throws Exception
    {
        final String f = URLEncoder.encode(file, StandardCharsets.UTF_8);
        assertError(get(app("/console/data"), KEY), 400, "BadRequest");
        assertError(get(app("/console/data?file=pbs%2Fshop%2Fnone"), KEY), 404, "NotFound");
        assertError(get(app("/console/data?file=" + f + "&class=Nope"), KEY), 404, "NotFound");
        assertError(get(app("/console/data?file=" + f + "&class=Item&limit=0"), KEY), 400, "BadRequest");
        final HttpResponse<String> bad = get(app("/console/data?file=" + f + "&class=Item&query=" +
            URLEncoder.encode("name ==", StandardCharsets.UTF_8)), KEY);
        assertError(bad, 400, "BadRequest");
        final HttpResponse<String> unknown = get(app("/console/data?file=" + f + "&class=Item&query=" +
            URLEncoder.encode("colour == 1", StandardCharsets.UTF_8)), KEY);
        assertError(unknown, 400, "BadRequest");
        assertThat(new JsonObject(unknown.body()).getString("error")).contains("colour");
        assertThat(bad.body() + unknown.body()).doesNotContain("Exception", "dev.outpost");
    }

    private static String app(final String rest)
    {
        return "/api/admin/v3.0/groups/g/apps/" + APP + rest;
    }

    private HttpResponse<String> get(final String path, final String bearer) throws Exception
    {
        final HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.http().adminBaseUrl() + path))
            .timeout(Duration.ofSeconds(10)).GET();
        if (null != bearer)
        {
            b.header("Authorization", "Bearer " + bearer);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void assertError(final HttpResponse<String> r, final int status, final String code)
    {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(new JsonObject(r.body()).getString("error_code")).isEqualTo(code);
    }
}
