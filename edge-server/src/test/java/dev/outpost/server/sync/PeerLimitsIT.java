package dev.outpost.server.sync;

import dev.outpost.codec.message.MessageType;
import dev.outpost.server.config.ServerConfig;
import dev.outpost.server.runtime.SyncServer;
import dev.outpost.server.ws.RawWebSocket;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The limits of issue 15 item 4 that a peer hits before it syncs anything: a sync WebSocket that sends no BIND within
 * {@code ws.bind-timeout} of its upgrade gets connection-level error 100 and is closed, while one that binds stays;
 * connections from one address beyond {@code max-connections-per-ip} get 429 {@code LimitExceeded} (probes still
 * answered), and the address is served again once its connections close; logins and registrations from one address
 * beyond {@code login.per-ip} a minute get 429 {@code LimitExceeded}. Waits are bounded polls, never timings.
 */
@Timeout(90)
class PeerLimitsIT
{
    private static final String APP = "peer-limits-app";
    private static final String LOCATION = "/api/client/v2.0/app/" + APP + "/location";

    @TempDir
    Path dir;

    private final SyncTestServer fixture = new SyncTestServer(APP);
    private final List<Socket> sockets = new ArrayList<>();

    @AfterEach
    void tearDown()
    {
        for (final Socket s : sockets)
        {
            try
            {
                s.close();
            }
            catch (final IOException ignore)
            {
                // closing anyway
            }
        }
        fixture.close();
    }

    @Test
    void shouldCloseAConnectionThatSendsNoBindWithinTheBindTimeout() throws Exception
    {
        fixture.start(dir, c -> c.wsBindTimeout(Duration.ofSeconds(2)));
        final SyncTestClient silent = fixture.connect(false);
        final SyncTestClient pinging = fixture.connect(true);
        final SyncTestClient honest = fixture.connect(false);
        honest.bind(1, "\"p\"", true);
        assertThat(honest.next().type()).isEqualTo(MessageType.SERVER_IDENT);
        // pings are no BIND: they do not keep a connection without sessions open
        pinging.ping(1);
        assertThat(pinging.next().type()).isEqualTo(MessageType.PONG);

        for (final SyncTestClient c : List.of(silent, pinging))
        {
            final SyncTestClient.Msg err = c.next();
            assertThat(err.type()).as("%s %s", err, err.text()).isEqualTo(MessageType.ERROR);
            assertThat(err.get(0)).as("connection_closed, try again").isEqualTo(100);
            assertThat(err.session()).isZero();
            assertThat(err.text()).contains(ServerConfig.WS_BIND_TIMEOUT_PROP).doesNotContain("java.")
                .doesNotContain("Exception");
            assertThat(c.awaitClose(10_000)).isNotNull();
        }

        // the connection that bound is untouched, well past the timeout
        honest.ping(77);
        assertThat(honest.next(MessageType.PONG).get(0)).isEqualTo(77);
        honest.bind(2, "\"q\"", true);
        assertThat(honest.next().type()).isEqualTo(MessageType.SERVER_IDENT);
    }

    @Test
    void shouldRefuseConnectionsBeyondTheLimitPerAddressWith429() throws Exception
    {
        final int limit = 4;
        final SyncServer server = fixture.start(dir, c -> c.maxConnectionsPerIp(limit));
        final int port = server.port();
        // Keep-alive connections, each answered once and kept open. The fixture's HTTP client may hold a pooled
        // connection or two from this address as well, so the first refusal may come before the limit-th socket.
        final List<String> answers = new ArrayList<>();
        for (int i = 0; i < limit + 2; i++)
        {
            final Socket s = open(port);
            send(s, "GET " + LOCATION + " HTTP/1.1\r\nHost: x\r\n\r\n");
            answers.add(readHead(s));
        }
        final int served = (int)answers.stream().takeWhile(a -> a.startsWith("HTTP/1.1 200")).count();
        assertThat(served).as("answers %s", answers).isBetween(1, limit);
        assertThat(answers.subList(served, answers.size())).as("answers %s", answers)
            .allMatch(a -> a.startsWith("HTTP/1.1 429"));

        // the refusal: JSON naming the limit, then close
        final Socket over = open(port);
        send(over, "GET " + LOCATION + " HTTP/1.1\r\nHost: x\r\n\r\n");
        final String refused = readUntilClosed(over);
        assertThat(refused).startsWith("HTTP/1.1 429").containsIgnoringCase("connection: close");
        final JsonObject body = new JsonObject(refused.substring(refused.indexOf("\r\n\r\n") + 4));
        assertThat(body.getString("error_code")).isEqualTo("LimitExceeded");
        assertThat(body.getString("error")).contains(ServerConfig.MAX_CONNECTIONS_PER_IP_PROP);
        // a sync upgrade beyond the limit gets the same
        try (RawWebSocket ws = RawWebSocket.connect(port, "/api/client/v2.0/app/" + APP + "/realm-sync",
            "com.mongodb.realm-sync#14"))
        {
            assertThat(ws.status).isEqualTo(429);
        }
        // probes still answer
        final Socket probe = open(port);
        send(probe, "GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(readHead(probe)).startsWith("HTTP/1.1 200");
        assertThat(server.http().connectionGuard().refusedPerAddress()).isGreaterThanOrEqualTo(3);

        // once the address's connections close it is served again (the close is seen asynchronously: poll)
        for (final Socket s : sockets)
        {
            s.close();
        }
        sockets.clear();
        String again = "";
        for (int i = 0; i < 100 && !again.startsWith("HTTP/1.1 200"); i++)
        {
            Thread.sleep(100);
            try (Socket s = new Socket())
            {
                s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
                send(s, "GET " + LOCATION + " HTTP/1.1\r\nHost: x\r\n\r\n");
                again = readHead(s);
            }
        }
        assertThat(again).startsWith("HTTP/1.1 200");
        // and an honest client under the limit syncs
        final SyncTestClient honest = fixture.connect(false);
        honest.bind(1, "\"p\"", true);
        assertThat(honest.next().type()).isEqualTo(MessageType.SERVER_IDENT);
    }

    @Test
    void shouldNotLimitConnectionsPerAddressByDefault() throws Exception
    {
        final SyncServer server = fixture.start(dir, c -> c);
        assertThat(server.http().config().maxConnectionsPerIp()).isZero();
        for (int i = 0; i < 20; i++)
        {
            final Socket s = open(server.port());
            send(s, "GET " + LOCATION + " HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(readHead(s)).startsWith("HTTP/1.1 200");
        }
        assertThat(server.http().connectionGuard().refusedPerAddress()).isZero();
    }

    @Test
    void shouldRefuseLoginsBeyondTheRatePerAddressWith429() throws Exception
    {
        // 3 a minute: a burst of 3 (the fixture's own login is one), then one every 20 s
        final SyncServer server = fixture.start(dir, c -> c.loginsPerIp(3));
        final HttpClient http = HttpClient.newHttpClient();
        final List<Integer> statuses = new ArrayList<>();
        HttpResponse<String> refused = null;
        for (int i = 0; i < 4 && null == refused; i++)
        {
            final HttpResponse<String> r = anonLogin(http, server.port());
            statuses.add(r.statusCode());
            if (429 == r.statusCode())
            {
                refused = r;
            }
        }
        assertThat(refused).as("statuses %s", statuses).isNotNull();
        assertThat(statuses.subList(0, statuses.size() - 1)).as("statuses %s", statuses).allMatch(s -> 200 == s);
        final JsonObject body = new JsonObject(refused.body());
        assertThat(body.getString("error_code")).isEqualTo("LimitExceeded");
        assertThat(body.getString("error")).contains(ServerConfig.LOGINS_PER_IP_PROP);
        assertThat(refused.headers().firstValue("Retry-After")).isPresent();
        // registrations count too
        final HttpResponse<String> register = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" +
                server.port() + "/api/client/v2.0/app/" + APP + "/auth/providers/local-userpass/register"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{\"email\":\"a@b.c\",\"password\":\"secret-1\"}")).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(register.statusCode()).isEqualTo(429);
        // a user logged in before syncs on (the sync WebSocket and token refresh are not logins)
        final SyncTestClient honest = fixture.connect(false);
        honest.bind(1, "\"p\"", true);
        assertThat(honest.next().type()).isEqualTo(MessageType.SERVER_IDENT);
    }

    @Test
    void shouldRefuseAChangesetOverTheSizeLimitWith212ForThatSessionOnly() throws Exception
    {
        final SyncServer server = fixture.start(dir, c -> c.maxChangesetSize(4096));
        final SyncTestClient c = fixture.connect(false);
        final long[] big = open(c, 1, "\"big\"");
        final long[] small = open(c, 2, "\"small\"");
        assertThat(big[0]).isNotZero();
        assertThat(small[0]).isNotZero();
        final byte[] over = Changesets.randomObjects("T", 1, 40, 200);
        assertThat(over.length).isGreaterThan(4096);
        c.upload(1, 2, 0, 0, false, new SyncTestClient.Up(2, 0, over));
        final SyncTestClient.Msg err = c.next();
        assertThat(err.type()).as("%s %s", err, err.text()).isEqualTo(MessageType.SERVER_JSON_ERROR);
        assertThat(err.get(0)).isEqualTo(212);
        assertThat(err.session()).isEqualTo(1);
        assertThat(err.text()).contains(ServerConfig.MAX_CHANGESET_SIZE_PROP).contains(over.length + " bytes")
            .doesNotContain("java.").doesNotContain("Exception");
        assertThat(server.sync().head(SyncService.pbsFileName(APP, "\"big\""))).as("nothing stored").isZero();
        // the same connection's other session, under the limit, is unaffected (compressed: the limit is on the
        // changeset, not on the bytes on the wire)
        final byte[] under = Changesets.objects("T", 1, 3, "n");
        c.upload(2, 2, 0, 0, true, new SyncTestClient.Up(2, 0, under));
        c.mark(2, 9);
        assertThat(c.next(MessageType.SERVER_MARK).get(0)).isEqualTo(9);
        assertThat(server.sync().head(SyncService.pbsFileName(APP, "\"small\""))).isEqualTo(1);
    }

    /** BIND with a new client file, IDENT, MARK; @return the client file ident and salt. */
    private static long[] open(final SyncTestClient c, final long session, final String partition) throws Exception
    {
        c.bind(session, partition, true);
        final SyncTestClient.Msg ident = c.next();
        assertThat(ident.type()).as("%s %s", ident, ident.text()).isEqualTo(MessageType.SERVER_IDENT);
        c.ident(session, ident.get(0), ident.get(1), 0, 0, 0, 0);
        c.mark(session, 1);
        c.next(MessageType.SERVER_MARK);
        return new long[] {ident.get(0), ident.get(1)};
    }

    private static HttpResponse<String> anonLogin(final HttpClient http, final int port) throws Exception
    {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/client/v2.0/app/" +
                APP + "/auth/providers/anon-user/login"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{\"provider\":\"anon-user\",\"options\":{}}")).build(),
            HttpResponse.BodyHandlers.ofString());
    }

    private Socket open(final int port) throws IOException
    {
        final Socket s = new Socket();
        sockets.add(s);
        s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        return s;
    }

    private static void send(final Socket s, final String text) throws IOException
    {
        s.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
    }

    /** @return the response head of a request already sent (up to the blank line). */
    private static String readHead(final Socket s) throws IOException
    {
        s.setSoTimeout(10_000);
        final StringBuilder head = new StringBuilder();
        final InputStream in = s.getInputStream();
        while (!head.toString().endsWith("\r\n\r\n"))
        {
            final int b = in.read();
            if (b < 0)
            {
                break;
            }
            head.append((char)b);
        }
        return head.toString();
    }

    /** @return what the server sent before closing the connection. */
    private static String readUntilClosed(final Socket s) throws IOException
    {
        s.setSoTimeout(10_000);
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final InputStream in = s.getInputStream();
        final byte[] buffer = new byte[4096];
        try
        {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer))
            {
                bytes.write(buffer, 0, n);
            }
        }
        catch (final IOException reset)
        {
            // closed by the server (reset)
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
