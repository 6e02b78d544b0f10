package dev.outpost.server.metrics;

import dev.outpost.server.auth.AuthMetrics;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.read.ListAppender;
import dev.outpost.codec.ProtocolErrorCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.net.URL;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class ServerMetricsTest
{
    private final ServerMetrics server = new ServerMetrics();
    private final AppMetrics metrics = server.app("app-a");
    private final ch.qos.logback.classic.Logger peerLog =
        (ch.qos.logback.classic.Logger)LoggerFactory.getLogger("dev.outpost.server.peer");
    private final ListAppender<ILoggingEvent> events = new ListAppender<>();

    @BeforeEach
    void capture()
    {
        events.start();
        peerLog.addAppender(events);
    }

    @AfterEach
    void release()
    {
        peerLog.detachAppender(events);
        peerLog.setLevel(null);
    }

    @Test
    void shouldCountAndLogEachPeerErrorCodeOnceWithContextAndNoStackTrace()
    {
        final LogContext session = LogContext.connection("app-a", "user-1", 7, "10.0.0.1:5000")
            .session(2, "pbs/app/p").clientFile(9);

        metrics.peerError(ProtocolErrorCode.BAD_CHANGESET, session, "bad changeset at instruction 3");
        metrics.peerError(ProtocolErrorCode.BAD_CHANGESET, session, "bad changeset at instruction 4");
        metrics.peerError(ProtocolErrorCode.BAD_SERVER_VERSION, LogContext.connection(8, null), "bad cursor");

        assertThat(metrics.protocolErrors(ProtocolErrorCode.BAD_CHANGESET)).isEqualTo(2.0);
        assertThat(metrics.protocolErrors(ProtocolErrorCode.BAD_SERVER_VERSION)).isEqualTo(1.0);
        assertThat(metrics.protocolErrorsTotal()).isEqualTo(3);
        assertThat(events.list).hasSize(2); // the repeat went to DEBUG, which is off
        final ILoggingEvent first = events.list.get(0);
        assertThat(first.getLevel()).isEqualTo(Level.WARN);
        assertThat(first.getFormattedMessage()).startsWith("bad changeset at instruction 3 (first of its kind");
        assertThat(first.getThrowableProxy()).isNull();
        assertThat(first.getKeyValuePairs()).extracting(kv -> kv.key + "=" + kv.value)
            .containsExactly("app=app-a", "user=user-1", "conn=7", "remote=10.0.0.1:5000", "session=2",
                "server_file=pbs/app/p", "client_file=9", "error=212 BAD_CHANGESET");
        assertThat(events.list.get(1).getKeyValuePairs()).extracting(kv -> kv.key + "=" + kv.value)
            .containsExactly("app=app-a", "conn=8", "error=209 BAD_SERVER_VERSION");

        peerLog.setLevel(Level.DEBUG);
        metrics.peerError(ProtocolErrorCode.BAD_CHANGESET, session, "again");
        assertThat(events.list).hasSize(3);
        assertThat(events.list.get(2).getLevel()).isEqualTo(Level.DEBUG);
        assertThat(events.list.get(2).getFormattedMessage()).isEqualTo("again");
    }

    @Test
    void shouldLogTheFirstErrorOfEachCodeOncePerApp()
    {
        final AppMetrics other = server.app("app-b");
        assertThat(server.app("app-a")).isSameAs(metrics);

        metrics.peerError(ProtocolErrorCode.BAD_QUERY, null, "query refused");
        metrics.peerError(ProtocolErrorCode.BAD_QUERY, null, "query refused again");
        other.peerError(ProtocolErrorCode.BAD_QUERY, LogContext.connection("app-b", "u2", 3, "10.0.0.2:1")
            .session(1, "flx/app-b").queryVersion(4), "query refused in b");
        other.peerError(ProtocolErrorCode.BAD_QUERY, null, "query refused in b again");

        assertThat(events.list).extracting(ILoggingEvent::getLevel).containsExactly(Level.WARN, Level.WARN);
        assertThat(events.list.get(0).getKeyValuePairs()).extracting(kv -> kv.key + "=" + kv.value)
            .containsExactly("app=app-a", "error=226 BAD_QUERY");
        assertThat(events.list.get(1).getKeyValuePairs()).extracting(kv -> kv.key + "=" + kv.value)
            .containsExactly("app=app-b", "user=u2", "conn=3", "remote=10.0.0.2:1", "session=1",
                "server_file=flx/app-b", "query_version=4", "error=226 BAD_QUERY");
        assertThat(server.scrape()).contains(
            "outpost_protocol_errors_total{app=\"app-a\",code=\"226\",error=\"bad_query\"} 2.0",
            "outpost_protocol_errors_total{app=\"app-b\",code=\"226\",error=\"bad_query\"} 2.0");
    }

    @Test
    void shouldKeepEachAppsSeriesApart()
    {
        final AppMetrics other = server.app("app-b");
        metrics.uploadReceived(2);
        metrics.sessionOpened();

        assertThat(server.scrape()).contains("outpost_uploads_total{app=\"app-a\"} 1.0",
            "outpost_uploads_total{app=\"app-b\"} 0.0", "outpost_sessions{app=\"app-a\"} 1.0",
            "outpost_sessions{app=\"app-b\"} 0.0", "outpost_upload_changesets_total{app=\"app-a\"} 2.0");
        assertThat(other.uploadsTotal()).isZero();
        assertThat(server.uploadsTotal()).isEqualTo(1);
    }

    @Test
    void shouldCountAuthMetricsPerAppProviderAndResult()
    {
        final AuthMetrics auth = metrics.auth();
        auth.login("local-userpass", AuthMetrics.LoginResult.SUCCESS);
        auth.login("local-userpass", AuthMetrics.LoginResult.LOCKED_OUT);
        auth.login("api-key", AuthMetrics.LoginResult.DISABLED);
        auth.refresh(true);
        auth.lockout();
        auth.logout();
        auth.users(() -> 7);

        assertThat(server.scrape()).contains(
            "outpost_auth_logins_total{app=\"app-a\",provider=\"local-userpass\",result=\"success\"} 1.0",
            "outpost_auth_logins_total{app=\"app-a\",provider=\"local-userpass\",result=\"locked_out\"} 1.0",
            "outpost_auth_logins_total{app=\"app-a\",provider=\"api-key\",result=\"disabled\"} 1.0",
            "outpost_auth_logins_total{app=\"app-a\",provider=\"anon-user\",result=\"error\"} 0.0",
            "outpost_auth_token_refreshes_total{app=\"app-a\",result=\"success\"} 1.0",
            "outpost_auth_lockouts_total{app=\"app-a\"} 1.0", "outpost_auth_logouts_total{app=\"app-a\"} 1.0",
            "outpost_auth_users{app=\"app-a\"} 7.0");
    }

    @Test
    void shouldCountTrafficUploadsDownloadsAndTimers()
    {
        metrics.connectionOpened();
        metrics.connectionOpened();
        metrics.connectionClosed();
        metrics.sessionOpened();
        metrics.bytesReceived(100);
        metrics.bytesSent(40);
        metrics.uploadReceived(3);
        metrics.downloadSent(2);
        metrics.downloadSent(1);
        metrics.transformNanos(1_000_000);

        assertThat(metrics.connections()).isEqualTo(1);
        assertThat(metrics.sessions()).isEqualTo(1);
        assertThat(metrics.bytesReceivedTotal()).isEqualTo(100.0);
        assertThat(metrics.bytesSentTotal()).isEqualTo(40.0);
        assertThat(metrics.uploadsTotal()).isEqualTo(1);
        assertThat(metrics.downloadsTotal()).isEqualTo(2);
        assertThat(metrics.transformTimer().count()).isEqualTo(1);
        assertThat(metrics.transformTimer().totalTime(java.util.concurrent.TimeUnit.MILLISECONDS)).isEqualTo(1.0);
        assertThat(server.scrape()).contains("outpost_download_changesets_total{app=\"app-a\"} 3.0",
            "outpost_sessions{app=\"app-a\"} 1.0", "outpost_connections_opened_total{app=\"app-a\"} 2.0");
        assertThat(server.connections()).isEqualTo(1);
        assertThat(server.uploadsTotal()).isEqualTo(1);
    }

    @Test
    void shouldNotAllocateOnTheHotPath()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)java.lang.management.ManagementFactory.getThreadMXBean();
        final long thread = Thread.currentThread().getId();
        // warm up (the JIT compiles the loop and the meters' adders within the first rounds), then take the least of
        // the later rounds: an allocation per call shows in every round (>= 700 KB), while a time-based rotation of a
        // timer's histogram or a one-off JIT materialisation on a loaded machine lands in one round only
        long least = Long.MAX_VALUE;
        for (int round = 0; round < 6; round++)
        {
            final long before = threads.getThreadAllocatedBytes(thread);
            for (int i = 0; i < 100_000; i++)
            {
                metrics.bytesReceived(100);
                metrics.bytesSent(60);
                metrics.uploadReceived(2);
                metrics.downloadSent(3);
                metrics.transformNanos(20_000 + i);
                metrics.appendNanos(400_000 + i);
                metrics.protocolError(ProtocolErrorCode.BAD_CHANGESET);
            }
            final long allocated = threads.getThreadAllocatedBytes(thread) - before;
            if (round >= 2)
            {
                least = Math.min(least, allocated);
            }
        }
        assertThat(least).as("bytes allocated by 700k hot-path calls (least of rounds 3-6)").isLessThan(4096);
        assertThat(metrics.uploadsTotal()).isEqualTo(600_000);
    }

    @Test
    void shouldSumHistoryFiguresOverEveryOpenStore()
    {
        final HistoryStats appA = () -> new HistoryStats.Figures(2, 10, 1_000);
        final HistoryStats appB = () -> new HistoryStats.Figures(3, 5, 500);
        metrics.history(appA);
        server.app("app-b").history(appB);

        assertThat(server.history()).isEqualTo(new HistoryStats.Figures(5, 15, 1_500));
        assertThat(server.scrape()).contains("outpost_server_files{app=\"app-a\"} 2.0",
            "outpost_server_files{app=\"app-b\"} 3.0");

        metrics.removeHistory(appA);
        assertThat(server.history()).isEqualTo(new HistoryStats.Figures(3, 5, 500));
    }

    @Test
    void shouldRegisterNamedCountersAndTimersOnceForOtherLayers()
    {
        final var queries = metrics.counter("outpost.flx.queries", "FLX queries");
        assertThat(metrics.counter("outpost.flx.queries", "FLX queries")).isSameAs(queries);
        queries.increment();
        queries.increment();
        metrics.timer("outpost.bootstrap", "FLX bootstrap").record(3, java.util.concurrent.TimeUnit.MILLISECONDS);
        server.counter("outpost.rules.reloads", "reloads").increment();

        assertThat(server.scrape()).contains("outpost_flx_queries_total{app=\"app-a\"} 2.0",
            "outpost_bootstrap_seconds_count{app=\"app-a\"} 1",
            "outpost_bootstrap_seconds_bucket{app=\"app-a\",le=\"0.005\"} 1", "outpost_rules_reloads_total 1.0");
    }

    @Test
    void shouldPrintKeyValuesInTextAndJsonLogFormats() throws Exception
    {
        final String text = render("text");
        assertThat(text).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z WARN  peer \\[[^]]+] " +
            "bad input conn=\"7\" session=\"2\" server_file=\"pbs/app/p\" error=\"212 BAD_CHANGESET\"\n");

        final String json = render("json");
        final io.vertx.core.json.JsonObject line = new io.vertx.core.json.JsonObject(json.trim());
        assertThat(line.getString("level")).isEqualTo("WARN");
        assertThat(line.getString("message")).isEqualTo("bad input");
        assertThat(line.getJsonArray("kvpList").encode()).contains("{\"conn\":\"7\"}", "{\"session\":\"2\"}",
            "{\"server_file\":\"pbs/app/p\"}");
    }

    /** One event through the shipped logback.xml with {@code outpost.log.format=format}. */
    private static String render(final String format) throws Exception
    {
        final String old = System.getProperty("outpost.log.format");
        System.setProperty("outpost.log.format", format);
        final LoggerContext context = new LoggerContext();
        context.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
        try
        {
            final URL config = ServerMetrics.class.getResource("/logback.xml");
            final JoranConfigurator configurator = new JoranConfigurator();
            configurator.setContext(context);
            configurator.doConfigure(config);
            final ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
            @SuppressWarnings("unchecked")
            final OutputStreamAppender<ILoggingEvent> appender =
                (OutputStreamAppender<ILoggingEvent>)root.getAppender(format);
            assertThat(appender).as("root appender " + format).isNotNull();
            final ListAppender<ILoggingEvent> list = new ListAppender<>();
            list.start();
            final ch.qos.logback.classic.Logger peer = context.getLogger("dev.outpost.server.peer");
            peer.addAppender(list);
            LogContext.connection(7, null).session(2, "pbs/app/p")
                .with(peer.atWarn()).addKeyValue("error", "212 BAD_CHANGESET").log("bad input");
            return new String(appender.getEncoder().encode(list.list.get(0)), StandardCharsets.UTF_8);
        }
        finally
        {
            context.stop();
            if (null == old)
            {
                System.clearProperty("outpost.log.format");
            }
            else
            {
                System.setProperty("outpost.log.format", old);
            }
        }
    }
}
