package dev.outpost.server.sync;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.outpost.codec.message.MessageType;
import dev.outpost.server.cli.OutpostMain;
import dev.outpost.server.config.ServerConfig;
import dev.outpost.server.runtime.SyncServer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.outpost.server.sync.SyncTestClient.Msg;
import static dev.outpost.server.sync.SyncTestClient.Up;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The session engine feeds the metrics and the status page, logs peer errors once with their session context, and
 * {@code outpost inspect} reads the data directory of the running server.
 */
@Timeout(60)
class SyncMetricsIT
{
    private static final String APP = "metrics-app";
    private static final String TAG = "app=\"" + APP + "\"";

    @TempDir
    Path dir;

    private SyncServer server;

    @AfterEach
    void stop()
    {
        if (server != null)
        {
            server.close();
        }
    }

    private JsonObject status() throws Exception
    {
        return new JsonObject(get("/status.json").body());
    }

    private HttpResponse<String> get(final String path) throws Exception
    {
        return SyncTestClient.HTTP.send(HttpRequest.newBuilder(URI.create((path.equals("/ready") ? server.baseUrl() :
            server.http().adminBaseUrl()) + path)).build(),
            HttpResponse.BodyHandlers.ofString());
    }

    private static double metric(final String scrape, final String series)
    {
        final Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " ([0-9.eE+-]+)$").matcher(scrape);
        assertThat(m.find()).as("series " + series + " in\n" + scrape).isTrue();
        return Double.parseDouble(m.group(1));
    }

    private JsonObject awaitStatus(final Predicate<JsonObject> condition) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        JsonObject s = status();
        while (!condition.test(s) && System.nanoTime() < deadline)
        {
            Thread.sleep(20);
            s = status();
        }
        return s;
    }

    /** Bound and identified session on a fresh client file, caught up; returns the client file ident. */
    private static long open(final SyncTestClient c, final long session, final String partition) throws Exception
    {
        c.bind(session, partition, true);
        final Msg ident = c.next();
        assertThat(ident.type()).isEqualTo(MessageType.SERVER_IDENT);
        c.ident(session, ident.get(0), ident.get(1), 0, 0, 0, 0);
        c.mark(session, 1);
        assertThat(c.next(MessageType.SERVER_MARK).get(0)).isEqualTo(1);
        return ident.get(0);
    }

    @Test
    void shouldCountUploadGroupsIntegratedWithoutAMergeAndMergedOnes() throws Exception
    {
        server = SyncServer.start(new ServerConfig(Map.of()).port(0).host("127.0.0.1").dataDir(dir.resolve("data"))
            .appId(APP).eventLoops(2));
        final String token = SyncTestClient.login(server.port(), APP);
        try (SyncTestClient a = SyncTestClient.connect(server.port(), APP, token, false);
             SyncTestClient b = SyncTestClient.connect(server.port(), APP, token, false))
        {
            open(a, 1, "\"p\"");
            open(b, 7, "\"p\"");
            a.upload(1, 2, 0, 0, false, new Up(2, 0, Changesets.objects("Item", 1, 2, "a")));
            awaitStatus(j -> j.getLong("history_entries") >= 1);
            b.upload(7, 2, 1, 1, false, new Up(2, 1, Changesets.names("Item", 10, 1, "b")));
            awaitStatus(j -> j.getLong("history_entries") >= 2);
            // a, based on 1, writes object 20: b's entry 2 (object 10) is concurrent but meets nothing
            a.upload(1, 3, 1, 1, false, new Up(3, 1, Changesets.names("Item", 20, 1, "a")));
            awaitStatus(j -> j.getLong("history_entries") >= 3);
            String scrape = get("/metrics").body();
            assertThat(metric(scrape, "outpost_upload_groups_total{" + TAG + ",path=\"fast\"}")).isEqualTo(1.0);
            assertThat(metric(scrape, "outpost_upload_groups_total{" + TAG + ",path=\"merge\"}")).isZero();
            // a, still based on 1, writes object 10: merged with b's write
            a.upload(1, 4, 1, 1, false, new Up(4, 1, Changesets.names("Item", 10, 1, "a")));
            awaitStatus(j -> j.getLong("history_entries") >= 4);
            scrape = get("/metrics").body();
            assertThat(metric(scrape, "outpost_upload_groups_total{" + TAG + ",path=\"fast\"}")).isEqualTo(1.0);
            assertThat(metric(scrape, "outpost_upload_groups_total{" + TAG + ",path=\"merge\"}")).isEqualTo(1.0);
        }
    }

    @Test
    void shouldCountSessionsUploadsDownloadsAndErrorsAndLogPeerErrorsOnce() throws Exception
    {
        server = SyncServer.start(new ServerConfig(Map.of()).port(0).host("127.0.0.1").dataDir(dir.resolve("data"))
            .appId(APP).eventLoops(2));
        assertThat(get("/ready").statusCode()).isEqualTo(200);
        final String token = SyncTestClient.login(server.port(), APP);
        final Logger peerLog = (Logger)LoggerFactory.getLogger("dev.outpost.server.peer");
        final ListAppender<ILoggingEvent> peerEvents = new ListAppender<>();
        peerEvents.start();
        peerLog.addAppender(peerEvents);
        try (SyncTestClient a = SyncTestClient.connect(server.port(), APP, token, false);
             SyncTestClient b = SyncTestClient.connect(server.port(), APP, token, false))
        {
            final long identA = open(a, 1, "\"p\"");
            final long identB = open(b, 7, "\"p\"");
            a.upload(1, 2, 0, 0, false, new Up(2, 0, Changesets.objects("Item", 1, 3, "n")));
            assertThat(a.next().type()).isEqualTo(MessageType.DOWNLOAD);
            final Msg fan = b.next();
            assertThat(fan.entries()).hasSize(1);

            final JsonObject s = awaitStatus(j -> j.getLong("downloads_total") >= 4);
            assertThat(s.getLong("connections")).isEqualTo(2);
            assertThat(s.getLong("sessions")).isEqualTo(2);
            assertThat(s.getLong("server_files")).isEqualTo(1);
            assertThat(s.getLong("history_entries")).isEqualTo(1);
            assertThat(s.getLong("history_bytes")).isEqualTo(fan.entries().get(0).changeset().length);
            assertThat(s.getLong("uploads_total")).isEqualTo(1);
            // each session's catch-up download, the uploader's acknowledgement and the fan-out
            assertThat(s.getLong("downloads_total")).isEqualTo(4);
            final String scrape = get("/metrics").body();
            assertThat(metric(scrape, "outpost_upload_changesets_total{" + TAG + "}")).isEqualTo(1.0);
            assertThat(metric(scrape, "outpost_download_changesets_total{" + TAG + "}")).isEqualTo(1.0);
            assertThat(metric(scrape, "outpost_transform_seconds_count{" + TAG + "}")).isEqualTo(1.0);
            assertThat(metric(scrape, "outpost_append_seconds_count{" + TAG + "}")).isGreaterThanOrEqualTo(1.0);
            assertThat(metric(scrape, "outpost_eventloop_task_seconds_count{kind=\"upload\"}")).isEqualTo(1.0);
            assertThat(metric(scrape, "outpost_eventloop_task_seconds_count{kind=\"ack\"}")).isEqualTo(1.0);
            assertThat(metric(scrape, "outpost_eventloop_task_seconds_count{kind=\"bind\"}")).isEqualTo(2.0);
            assertThat(metric(scrape, "outpost_eventloop_task_seconds_count{kind=\"ident\"}")).isEqualTo(2.0);
            assertThat(metric(scrape, "outpost_received_bytes_total{" + TAG + "}")).isPositive();
            assertThat(metric(scrape, "outpost_sent_bytes_total{" + TAG + "}")).isPositive();

            // inspect reads the running server's data directory
            final StringWriter out = new StringWriter();
            final CommandLine cli = OutpostMain.commandLine();
            cli.setOut(new PrintWriter(out));
            assertThat(cli.execute("inspect", "--data-dir", dir.resolve("data").toString())).isZero();
            assertThat(out.toString()).containsPattern("(?m)^pbs/metrics-app/\"p\" +\\d+ +1 +\\d+ +2$")
                .contains("client " + identA + ": upload cursor client_version=2", "client " + identB + ":");
            final StringWriter objects = new StringWriter();
            cli.setOut(new PrintWriter(objects));
            assertThat(cli.execute("inspect", "--data-dir", dir.resolve("data").toString(), "--file",
                "pbs/metrics-app/\"p\"", "--objects")).isZero();
            assertThat(objects.toString()).contains("class Item", "\"n1\"", "\"n3\"");

            // two bad changesets: counted twice, logged once at WARN with the session context
            open(a, 2, "\"q\"");
            open(a, 3, "\"q\"");
            a.upload(2, 2, 0, 0, false, new Up(2, 0, Changesets.unappliable()));
            assertThat(a.next().get(0)).isEqualTo(212);
            a.upload(3, 2, 0, 0, false, new Up(2, 0, Changesets.unappliable()));
            assertThat(a.next().get(0)).isEqualTo(212);
            assertThat(metric(get("/metrics").body(),
                "outpost_protocol_errors_total{" + TAG + ",code=\"212\",error=\"bad_changeset\"}")).isEqualTo(2.0);
            assertThat(peerEvents.list).hasSize(1);
            final ILoggingEvent logged = peerEvents.list.get(0);
            assertThat(logged.getThrowableProxy()).isNull();
            assertThat(logged.getKeyValuePairs()).extracting(kv -> kv.key)
                .contains("conn", "remote", "session", "server_file", "client_file", "error");
            assertThat(logged.getKeyValuePairs()).extracting(kv -> kv.key + "=" + kv.value)
                .contains("session=2", "server_file=pbs/metrics-app/\"q\"", "error=212 BAD_CHANGESET");
            assertThat(awaitStatus(j -> j.getLong("sessions") == 2).getLong("sessions"))
                .as("the two errored sessions left the gauge").isEqualTo(2);
            a.unbind(1);
            assertThat(a.next(MessageType.UNBOUND).session()).isEqualTo(1);
            assertThat(awaitStatus(j -> j.getLong("sessions") == 1).getLong("sessions")).isEqualTo(1);
        }
        finally
        {
            peerLog.detachAppender(peerEvents);
        }
        final JsonObject after = awaitStatus(j -> j.getLong("connections") == 0 && j.getLong("sessions") == 0);
        assertThat(after.getLong("connections")).isZero();
        assertThat(after.getLong("sessions")).isZero();
    }
}
