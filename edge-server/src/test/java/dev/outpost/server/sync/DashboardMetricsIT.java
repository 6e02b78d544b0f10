package dev.outpost.server.sync;

import dev.outpost.codec.message.MessageType;
import dev.outpost.server.mirror.PostgresServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.outpost.server.sync.SyncTestClient.Msg;
import static dev.outpost.server.sync.SyncTestClient.Up;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Grafana dashboard shipped in {@code docker/grafana/outpost-dashboard.json} reads only metrics a real server
 * exports: a server with a PostgreSQL mirror gets sync traffic, a protocol error and a login, and every metric name
 * in the dashboard's PromQL (panels and the {@code app} variable) must be in its {@code /metrics}. A renamed or
 * removed metric fails here instead of leaving an empty panel.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class DashboardMetricsIT
{
    private static final String APP = "dash-app";
    private static final Path DASHBOARD = Path.of("..", "docker", "grafana", "outpost-dashboard.json");
    private static final Pattern METRIC = Pattern.compile("\\b((?:outpost|jvm|process|vertx)_[a-zA-Z0-9_]+)");

    @TempDir
    Path dir;

    private final SyncTestServer fixture = new SyncTestServer(APP);
    private PostgresServer pg;

    @AfterEach
    void close()
    {
        fixture.close();
        if (null != pg)
        {
            pg.close();
        }
    }

    private String scrape() throws Exception
    {
        return SyncTestClient.HTTP.send(HttpRequest.newBuilder(URI.create(fixture.server().http().adminBaseUrl() + "/metrics"))
            .build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    /** @return the metric names the dashboard's queries use (panels and template variables). */
    private static Set<String> dashboardMetrics(final JsonObject dashboard)
    {
        final Set<String> names = new TreeSet<>();
        for (final Object p : dashboard.getJsonArray("panels"))
        {
            final JsonObject panel = (JsonObject)p;
            if ("row".equals(panel.getString("type")))
            {
                continue;
            }
            final JsonArray targets = panel.getJsonArray("targets");
            assertThat(targets).as("queries of panel " + panel.getString("title")).isNotEmpty();
            for (final Object t : targets)
            {
                final String expr = ((JsonObject)t).getString("expr");
                final Matcher m = METRIC.matcher(expr);
                assertThat(m.find()).as("a metric in " + expr).isTrue();
                do
                {
                    names.add(m.group(1));
                }
                while (m.find());
            }
        }
        for (final Object v : dashboard.getJsonObject("templating").getJsonArray("list"))
        {
            final String definition = ((JsonObject)v).getString("definition");
            if (null != definition)
            {
                final Matcher m = METRIC.matcher(definition);
                while (m.find())
                {
                    names.add(m.group(1));
                }
            }
        }
        return names;
    }

    @Test
    void shouldOnlyQueryMetricsARealServerExports() throws Exception
    {
        final JsonObject dashboard = new JsonObject(Files.readString(DASHBOARD));
        assertThat(dashboard.getJsonObject("templating").getJsonArray("list").stream()
            .map(v -> ((JsonObject)v).getString("name"))).contains("app");
        final Set<String> used = dashboardMetrics(dashboard);
        assertThat(used).contains("outpost_sessions", "outpost_upload_changesets_total",
            "outpost_download_changesets_total", "outpost_received_bytes_total", "outpost_protocol_errors_total",
            "outpost_auth_logins_total", "outpost_mirror_lag_seconds", "outpost_append_seconds_bucket",
            "jvm_gc_pause_seconds_sum");

        pg = PostgresServer.start();
        fixture.start(dir, c -> c.mirrorPostgres(pg.url()).mirrorSchema("dash"));
        final SyncTestClient a = fixture.connect(false);
        a.bind(1, "\"p\"", true);
        final Msg ident = a.next(MessageType.SERVER_IDENT);
        a.ident(1, ident.get(0), ident.get(1), 0, 0, 0, 0);
        a.mark(1, 1);
        a.next(MessageType.SERVER_MARK);
        a.upload(1, 2, 0, 0, false, new Up(2, 0, Changesets.objects("Item", 1, 2, "n")));
        a.next(MessageType.DOWNLOAD);
        a.upload(1, 3, 0, 0, false, new Up(3, 0, Changesets.unappliable()));
        assertThat(a.next().get(0)).isEqualTo(212);

        // GC pause timers appear with the first collection the JVM reports
        String scrape = scrape();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!scrape.contains("jvm_gc_pause_seconds_count") && System.nanoTime() < deadline)
        {
            System.gc();
            Thread.sleep(100);
            scrape = scrape();
        }
        final Set<String> exported = new TreeSet<>();
        final Matcher series = Pattern.compile("(?m)^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]").matcher(scrape);
        while (series.find())
        {
            exported.add(series.group(1));
        }
        assertThat(exported).as("metrics of a real server after traffic").containsAll(used);
    }
}
