package dev.outpost.server.sync;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.outpost.codec.changeset.Instr;
import dev.outpost.codec.message.MessageType;
import dev.outpost.ot.model.ChangesetWriter;
import dev.outpost.ot.state.ChangesetBuilder;
import dev.outpost.ot.state.Value;
import dev.outpost.server.config.AppConfig;
import dev.outpost.server.config.ServerConfig;
import dev.outpost.server.runtime.SyncServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.outpost.server.sync.SyncTestClient.Msg;
import static dev.outpost.server.sync.SyncTestClient.Up;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two apps on one server: every sync series carries {@code app} and traffic to one app moves only its series; the
 * first error of each code per app (query_error 226, compensating write 231) is logged once at WARN with the session
 * context, repeats only counted.
 */
@Timeout(60)
class PerAppObservabilityIT
{
    private static final String ALPHA = "alpha-app";
    private static final String BETA = "beta-app";
    private static final String BIND = "{\"schemaVersion\":0,\"sessionReason\":0}";
    private static final String BAD_QUERY = "{\"Item\":\"(owner == )\"}";

    @TempDir
    Path dir;

    private SyncServer server;
    private final List<SyncTestClient> clients = new ArrayList<>();
    private final Logger peerLog = (Logger)LoggerFactory.getLogger("dev.outpost.server.peer");
    private final ListAppender<ILoggingEvent> peerEvents = new ListAppender<>();

    @BeforeEach
    void start() throws Exception
    {
        peerEvents.start();
        peerLog.addAppender(peerEvents);
        server = SyncServer.start(new ServerConfig(Map.of()).port(0).host("127.0.0.1").dataDir(dir).eventLoops(1)
            .apps(List.of(new AppConfig(ALPHA, null, true), new AppConfig(BETA, null, true))));
    }

    @AfterEach
    void stop()
    {
        peerLog.detachAppender(peerEvents);
        clients.forEach(SyncTestClient::close);
        if (null != server)
        {
            server.close();
        }
    }

    private SyncTestClient connect(final String app, final boolean flx) throws Exception
    {
        final SyncTestClient c = SyncTestClient.connect(server.port(), app, SyncTestClient.login(server.port(), app),
            flx);
        clients.add(c);
        return c;
    }

    private String scrape() throws Exception
    {
        return SyncTestClient.HTTP.send(HttpRequest.newBuilder(URI.create(server.http().adminBaseUrl() + "/metrics")).build(),
            HttpResponse.BodyHandlers.ofString()).body();
    }

    /** @return the value of {@code name{app="app"<more>}} in the scrape. */
    private static double metric(final String scrape, final String name, final String app, final String more)
    {
        final String series = name + "{app=\"" + app + "\"" + more + "}";
        final Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " ([0-9.eE+-]+)$").matcher(scrape);
        assertThat(m.find()).as("series " + series + " in\n" + scrape).isTrue();
        return Double.parseDouble(m.group(1));
    }

    private List<ILoggingEvent> warnings(final String error)
    {
        return peerEvents.list.stream().filter(e -> e.getLevel() == Level.WARN)
            .filter(e -> e.getKeyValuePairs().stream().anyMatch(kv -> "error".equals(kv.key) &&
                String.valueOf(kv.value).startsWith(error))).toList();
    }

    private static List<String> pairs(final ILoggingEvent e)
    {
        return e.getKeyValuePairs().stream().map(kv -> kv.key + "=" + kv.value).toList();
    }

    @Test
    void shouldMoveOnlyTheSeriesOfTheAppThatHadTraffic() throws Exception
    {
        final SyncTestClient a = connect(ALPHA, false);
        a.bind(1, "\"p\"", true);
        final Msg ident = a.next(MessageType.SERVER_IDENT);
        a.ident(1, ident.get(0), ident.get(1), 0, 0, 0, 0);
        a.mark(1, 1);
        a.next(MessageType.SERVER_MARK);
        a.upload(1, 2, 0, 0, false, new Up(2, 0, Changesets.objects("Item", 1, 3, "n")));
        assertThat(a.next(MessageType.DOWNLOAD).entries()).isEmpty(); // the acknowledgement
        SyncTestClient.login(server.port(), BETA); // beta: one login, no sync traffic

        final String scrape = scrape();
        for (final String name : List.of("outpost_uploads_total", "outpost_upload_changesets_total",
            "outpost_sessions", "outpost_sessions_opened_total", "outpost_connections", "outpost_server_files",
            "outpost_history_entries"))
        {
            assertThat(metric(scrape, name, ALPHA, "")).as(name + " of " + ALPHA).isPositive();
            assertThat(metric(scrape, name, BETA, "")).as(name + " of " + BETA).isZero();
        }
        assertThat(metric(scrape, "outpost_connections_opened_total", ALPHA, "")).isEqualTo(1.0);
        assertThat(metric(scrape, "outpost_received_bytes_total", ALPHA, "")).isPositive();
        assertThat(metric(scrape, "outpost_received_bytes_total", BETA, "")).isZero();
        assertThat(metric(scrape, "outpost_sent_bytes_total", ALPHA, "")).isPositive();
        assertThat(metric(scrape, "outpost_sent_bytes_total", BETA, "")).isZero();
        assertThat(metric(scrape, "outpost_downloads_total", BETA, "")).isZero();
        assertThat(metric(scrape, "outpost_append_seconds_count", BETA, "")).isZero();
        assertThat(metric(scrape, "outpost_append_seconds_count", ALPHA, "")).isPositive();
        // one anonymous login each (beta's token above, alpha's for the connection)
        assertThat(metric(scrape, "outpost_auth_logins_total", ALPHA, ",provider=\"anon-user\",result=\"success\""))
            .isEqualTo(1.0);
        assertThat(metric(scrape, "outpost_auth_logins_total", BETA, ",provider=\"anon-user\",result=\"success\""))
            .isEqualTo(1.0);
        assertThat(metric(scrape, "outpost_auth_users", ALPHA, "")).isEqualTo(1.0);
        assertThat(server.http().metrics().uploadsTotal()).as("status totals sum the apps").isEqualTo(1);
    }

    /** An FLX session whose IDENT carries {@code query} as query version 1. */
    private SyncTestClient identFlx(final String app, final long session, final String query) throws Exception
    {
        final SyncTestClient c = connect(app, true);
        c.bind(session, BIND, true);
        final Msg ident = c.next(MessageType.SERVER_IDENT);
        c.identFlx(session, ident.get(0), ident.get(1), 0, 0, 0, 0, 1, query);
        return c;
    }

    private static void table(final ChangesetBuilder b, final String table)
    {
        b.addTable(table, Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_INT, false);
        b.addColumn(table, "name", Instr.TYPE_STRING, false, Instr.COLLECTION_SINGLE, null, 0);
    }

    @Test
    void shouldLogTheFirstQueryErrorAndCompensatingWriteOfEachAppOnceAtWarnWithTheSessionContext() throws Exception
    {
        assertThat(identFlx(ALPHA, 1, BAD_QUERY).next(MessageType.QUERY_ERROR).get(0)).isEqualTo(226);
        assertThat(identFlx(ALPHA, 2, BAD_QUERY).next(MessageType.QUERY_ERROR).get(0)).isEqualTo(226);
        assertThat(identFlx(BETA, 3, BAD_QUERY).next(MessageType.QUERY_ERROR).get(0)).isEqualTo(226);

        final List<ILoggingEvent> queryErrors = warnings("226");
        assertThat(queryErrors).as("once per app").hasSize(2);
        final ILoggingEvent alpha = queryErrors.get(0);
        assertThat(alpha.getThrowableProxy()).isNull();
        assertThat(alpha.getFormattedMessage()).contains("FLX query version 1 refused", "bad syntax",
            "(owner == )");
        assertThat(pairs(alpha)).contains("app=" + ALPHA, "session=1", "server_file=" + SyncService.flxFileName(ALPHA),
            "query_version=1", "error=226 BAD_QUERY");
        assertThat(alpha.getKeyValuePairs()).extracting(kv -> kv.key)
            .contains("user", "conn", "remote", "client_file");
        assertThat(pairs(queryErrors.get(1))).contains("app=" + BETA, "session=3", "error=226 BAD_QUERY");

        // 231: a write outside the writer's subscription
        final SyncTestClient writer = identFlx(ALPHA, 4, "{\"Item\":\"(TRUEPREDICATE)\"}");
        writer.mark(4, 1);
        writer.next(MessageType.SERVER_MARK);
        final ChangesetBuilder b = new ChangesetBuilder();
        table(b, "Item");
        table(b, "Other");
        b.createObject("Other", new Value.Int(7));
        writer.upload(4, 2, 0, 0, false, new Up(2, 0, new ChangesetWriter().toBytes(b.changeset())));
        assertThat(writer.next(MessageType.SERVER_JSON_ERROR).get(0)).isEqualTo(231);

        final List<ILoggingEvent> compensating = warnings("231");
        assertThat(compensating).hasSize(1);
        assertThat(compensating.get(0).getFormattedMessage()).startsWith("compensating write: ").contains("Other");
        assertThat(pairs(compensating.get(0))).contains("app=" + ALPHA, "session=4", "query_version=1",
            "error=231 COMPENSATING_WRITE");
        assertThat(compensating.get(0).getThrowableProxy()).isNull();

        final String scrape = scrape();
        final String queryError = ",code=\"226\",error=\"bad_query\"";
        assertThat(metric(scrape, "outpost_protocol_errors_total", ALPHA, queryError)).isEqualTo(2.0);
        assertThat(metric(scrape, "outpost_protocol_errors_total", BETA, queryError)).isEqualTo(1.0);
        assertThat(metric(scrape, "outpost_flx_compensating_writes_total", ALPHA, "")).isEqualTo(1.0);
        assertThat(metric(scrape, "outpost_flx_compensating_writes_total", BETA, "")).isZero();
    }
}
