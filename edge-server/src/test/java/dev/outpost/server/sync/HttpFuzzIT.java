package dev.outpost.server.sync;

import dev.outpost.codec.message.MessageType;
import dev.outpost.server.runtime.SyncServer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static dev.outpost.server.sync.SyncTestClient.Msg;
import static dev.outpost.server.sync.SyncTestClient.Up;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * HTTP fuzzer (issue 15 item 4): for a bounded time, threads send seeded random requests over raw sockets to every
 * route (all login providers, register, the e-mail routes, API keys, profile, session, location, the sync upgrade,
 * the status routes): malformed JSON (truncated, wrong types, deep nesting, invalid UTF-8, NUL, huge numbers),
 * bodies over the 64 KiB limit, header blocks and request lines over Netty's limits, wrong and missing
 * Content-Length, garbage bearer tokens, garbage request lines; while slowloris connections dribble their heads and
 * bodies, and an honest sync client uploads and round-trips MARKs beside them.
 * <p>
 * Every answer is a documented status (never 500), a JSON body with {@code error_code} for every 4xx other than 408,
 * and no Java class name or stack trace; the slow connections are closed by the header/body timeouts; the honest
 * client sees no error; {@code /health} answers at the end. Settings: {@code outpost.fuzz.http.seconds} (default
 * 20), {@code outpost.fuzz.seed} (printed; replay with it).
 */
@Timeout(240)
class HttpFuzzIT
{
    private static final String APP = "http-fuzz-app";
    private static final String BASE = "/api/client/v2.0";
    private static final Set<Integer> DOCUMENTED = Set.of(101, 200, 201, 204, 400, 401, 404, 405, 408, 413, 414, 415,
        429, 431, 503);
    private static final String[] ROUTES = {
        "POST " + BASE + "/app/" + APP + "/auth/providers/anon-user/login",
        "POST " + BASE + "/app/" + APP + "/auth/providers/local-userpass/login",
        "POST " + BASE + "/app/" + APP + "/auth/providers/custom-token/login",
        "POST " + BASE + "/app/" + APP + "/auth/providers/api-key/login",
        "POST " + BASE + "/app/" + APP + "/auth/providers/no-such/login",
        "POST " + BASE + "/app/" + APP + "/auth/providers/local-userpass/register",
        "POST " + BASE + "/app/" + APP + "/auth/providers/local-userpass/confirm",
        "POST " + BASE + "/app/" + APP + "/auth/providers/local-userpass/reset/send",
        "POST " + BASE + "/app/no-such-app/auth/providers/anon-user/login",
        "POST " + BASE + "/auth/api_keys",
        "GET " + BASE + "/auth/api_keys",
        "GET " + BASE + "/auth/api_keys/0123456789abcdef01234567",
        "DELETE " + BASE + "/auth/api_keys/x",
        "PUT " + BASE + "/auth/api_keys/x/enable",
        "GET " + BASE + "/auth/profile",
        "POST " + BASE + "/auth/session",
        "DELETE " + BASE + "/auth/session",
        "GET " + BASE + "/app/" + APP + "/location",
        "GET " + BASE + "/app/" + APP + "/realm-sync",
        "GET /health", "GET /ready", "GET /metrics", "GET /status.json", "GET /",
        "PATCH " + BASE + "/auth/profile", "GET /no/such/route",
    };
    private static final String[] BODIES = {
        "", "{", "}", "[]", "null", "true", "\"x\"", "{\"provider\":", "{\"username\":1,\"password\":[]}",
        "{\"username\":\"a@b.c\",\"password\":\"x\"}", "{\"email\":null,\"password\":{}}", "{\"token\":\"a.b.c\"}",
        "{\"key\":123}", "{\"name\":\"k\"}", "{\"options\":{\"device\":{\"appId\":" + "9".repeat(400) + "}}}",
        "{\"a\":\"\\ud800\"}", "{\"a\":\"\u0000\"}", "{'single':'quotes'}", "{\"a\":1,}", "{\"a\":1}{\"b\":2}",
    };

    @TempDir
    Path dir;

    private final SyncTestServer fixture = new SyncTestServer(APP);
    private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong slowClosed = new AtomicLong();
    private final AtomicBoolean stop = new AtomicBoolean();
    private int port;
    private String token;
    private long seed;

    @AfterEach
    void tearDown()
    {
        stop.set(true);
        fixture.close();
    }

    @Test
    void shouldAnswerEveryMalformedOrOversizedRequestWithItsDocumentedStatusWhileAClientSyncs() throws Exception
    {
        final long seconds = Long.getLong("outpost.fuzz.http.seconds", 20);
        seed = Long.getLong("outpost.fuzz.seed", System.nanoTime());
        System.out.println("HttpFuzzIT: seed " + seed + " (-Doutpost.fuzz.seed=" + seed + "), " + seconds + " s");
        final SyncServer server = fixture.start(dir, c -> c.httpHeaderTimeout(Duration.ofSeconds(2))
            .httpBodyTimeout(Duration.ofSeconds(2)).httpIdleTimeout(Duration.ofSeconds(5)));
        port = server.port();
        token = fixture.token();
        final SyncTestClient honest = fixture.connect(false);
        honest.bind(1, "\"honest\"", true);
        final Msg ident = honest.next();
        assertThat(ident.type()).isEqualTo(MessageType.SERVER_IDENT);
        honest.ident(1, ident.get(0), ident.get(1), 0, 0, 0, 0);

        final AtomicLong acked = new AtomicLong();
        final List<Thread> threads = new ArrayList<>();
        threads.add(new Thread(() -> honestLoop(honest, acked), "http-fuzz-honest"));
        final Random master = new Random(seed);
        for (int i = 0; i < 4; i++)
        {
            final long s = master.nextLong();
            threads.add(new Thread(() -> requestLoop(s), "http-fuzz-" + i));
        }
        for (int i = 0; i < 2; i++)
        {
            final long s = master.nextLong();
            threads.add(new Thread(() -> slowLoop(s), "http-fuzz-slow-" + i));
        }
        threads.forEach(Thread::start);
        final long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() - end < 0 && failures.isEmpty())
        {
            Thread.sleep(200);
        }
        stop.set(true);
        for (final Thread t : threads)
        {
            t.join(30_000);
            assertThat(t.isAlive()).as("thread %s stuck (seed %d)", t.getName(), seed).isFalse();
        }
        System.out.println("HttpFuzzIT: " + requests.get() + " requests, " + slowClosed.get() +
            " slow connections closed by the server, " + acked.get() + " honest round trips");
        assertThat(failures).as("failures (seed %d)", seed).isEmpty();
        assertThat(acked.get()).as("seed %d", seed).isPositive();
        assertThat(slowClosed.get()).as("slowloris connections closed (seed %d)", seed).isPositive();
        assertThat(server.sync().head(SyncService.pbsFileName(APP, "\"honest\""))).isEqualTo(acked.get());
        assertThat(request(new Random(0), "GET /health HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.UTF_8)))
            .startsWith("HTTP/1.1 200");
    }

    private void honestLoop(final SyncTestClient c, final AtomicLong acked)
    {
        long version = 2;
        try
        {
            while (!stop.get())
            {
                c.upload(1, version, 0, 0, false, new Up(version, 0, Changesets.objects("H", version, 1, "h")));
                c.mark(1, version);
                for (Msg m = c.next(); m.type() != MessageType.SERVER_MARK; m = c.next())
                {
                    if (m.type() != MessageType.DOWNLOAD)
                    {
                        failures.add("honest client got " + m.type() + " " + m.text());
                        return;
                    }
                }
                acked.incrementAndGet();
                version++;
                Thread.sleep(20);
            }
        }
        catch (final Throwable ex)
        {
            failures.add("honest client after " + acked.get() + " round trips: " + ex);
        }
    }

    private void requestLoop(final long threadSeed)
    {
        final Random r = new Random(threadSeed);
        while (!stop.get())
        {
            final long requestSeed = r.nextLong();
            final Random q = new Random(requestSeed);
            final byte[] request = randomRequest(q);
            try
            {
                final String answer = request(q, request);
                requests.incrementAndGet();
                check(answer, requestSeed, new String(request, 0, Math.min(200, request.length),
                    StandardCharsets.ISO_8859_1));
            }
            catch (final IOException closed)
            {
                // closed without an answer (a broken request line, a reset): fine
            }
        }
    }

    private byte[] randomRequest(final Random r)
    {
        final String route = ROUTES[r.nextInt(ROUTES.length)];
        final int space = route.indexOf(' ');
        String method = route.substring(0, space);
        String target = route.substring(space + 1);
        final int kind = r.nextInt(20);
        if (kind == 0)
        {
            target = target + "?" + "q=".repeat(20_000);
        }
        if (kind == 1)
        {
            method = r.nextBoolean() ? "BREW" : "G\u0001T";
        }
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final StringBuilder head = new StringBuilder(method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
            "Connection: close\r\n");
        switch (r.nextInt(4))
        {
            case 0 -> head.append("Authorization: Bearer ").append(token).append("\r\n");
            case 1 -> head.append("Authorization: Bearer ").append(garbage(r, 40)).append("\r\n");
            case 2 -> head.append("Authorization: ").append(garbage(r, 10)).append("\r\n");
            default ->
            {
                // none
            }
        }
        if (kind == 2)
        {
            head.append("X-Big: ").append("b".repeat(70_000)).append("\r\n");
        }
        if (kind == 3)
        {
            for (int i = 0; i < 2000; i++)
            {
                head.append("X-H").append(i).append(": v\r\n");
            }
        }
        if (target.endsWith("/realm-sync") && r.nextBoolean())
        {
            head.append("Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n")
                .append("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: ")
                .append(r.nextBoolean() ? "com.mongodb.realm-sync#14" : garbage(r, 12)).append("\r\n");
        }
        byte[] body = BODIES[r.nextInt(BODIES.length)].getBytes(StandardCharsets.UTF_8);
        if (kind == 4)
        {
            body = new byte[65 * 1024 + r.nextInt(200_000)];
            r.nextBytes(body);
        }
        else if (kind == 5)
        {
            body = ("[".repeat(5000) + "]".repeat(5000)).getBytes(StandardCharsets.UTF_8);
        }
        else if (kind == 6)
        {
            body = new byte[1 + r.nextInt(300)];
            r.nextBytes(body);
        }
        if (r.nextBoolean())
        {
            head.append("Content-Type: ").append(r.nextInt(5) == 0 ? "text/plain" : "application/json")
                .append("\r\n");
        }
        final int lengthKind = r.nextInt(10);
        if (lengthKind == 0)
        {
            head.append("Content-Length: ").append(body.length + 1 + r.nextInt(100)).append("\r\n");
        }
        else if (lengthKind == 1)
        {
            head.append("Content-Length: -").append(r.nextInt(10)).append("\r\n");
        }
        else if (lengthKind == 2)
        {
            head.append("Transfer-Encoding: chunked\r\n");
            body = ("zz\r\n" + new String(body, StandardCharsets.ISO_8859_1)).getBytes(StandardCharsets.ISO_8859_1);
        }
        else if (lengthKind != 3 || body.length > 0)
        {
            head.append("Content-Length: ").append(body.length).append("\r\n");
        }
        head.append("\r\n");
        out.writeBytes(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.writeBytes(body);
        if (kind == 7)
        {
            final byte[] garbage = new byte[1 + r.nextInt(200)];
            r.nextBytes(garbage);
            return garbage;
        }
        return out.toByteArray();
    }

    private static String garbage(final Random r, final int length)
    {
        final StringBuilder s = new StringBuilder();
        for (int i = 0; i < length; i++)
        {
            s.append((char)(0x21 + r.nextInt(0x5D)));
        }
        return s.toString();
    }

    /** @return the response (head and what body arrived), read until the server closes or 10 s pass. */
    private String request(final Random r, final byte[] request) throws IOException
    {
        try (Socket s = new Socket())
        {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            s.setSoTimeout(10_000);
            final OutputStream out = s.getOutputStream();
            try
            {
                out.write(request);
                out.flush();
                if (r.nextInt(10) == 0)
                {
                    s.shutdownOutput();
                }
            }
            catch (final IOException refusedMidBody)
            {
                // the server answered (413, 431) and closed before taking it all: read the answer
            }
            final ByteArrayOutputStream answer = new ByteArrayOutputStream();
            final InputStream in = s.getInputStream();
            final byte[] buffer = new byte[8192];
            try
            {
                for (int n = in.read(buffer); n >= 0 && answer.size() < 1 << 20; n = in.read(buffer))
                {
                    answer.write(buffer, 0, n);
                    if (answer.toString(StandardCharsets.ISO_8859_1).startsWith("HTTP/1.1 101"))
                    {
                        break;
                    }
                }
            }
            catch (final SocketTimeoutException open)
            {
                // a request the server still waits on (a Content-Length longer than the body): the body timeout
                // closes it; what arrived so far is checked
            }
            catch (final IOException reset)
            {
                // closed with a reset after the answer
            }
            return answer.toString(StandardCharsets.UTF_8);
        }
    }

    private void check(final String answer, final long requestSeed, final String request)
    {
        if (answer.isEmpty())
        {
            return;
        }
        final String where = "request seed " + requestSeed + " (run seed " + seed + "), request " +
            request.replace("\r\n", "\\r\\n") + ": ";
        // a request line that does not parse is answered in HTTP/1.0 (Netty's decoder could not tell the version)
        if (!answer.startsWith("HTTP/1.1 ") && !answer.startsWith("HTTP/1.0 "))
        {
            failures.add(where + "not an HTTP answer: " + answer.substring(0, Math.min(100, answer.length())));
            return;
        }
        final int status = Integer.parseInt(answer.substring(9, 12));
        if (!DOCUMENTED.contains(status))
        {
            failures.add(where + "status " + status + ": " + answer.substring(0, Math.min(400, answer.length())));
            return;
        }
        if (answer.contains("Exception") || answer.contains("java.") || answer.contains("\tat "))
        {
            failures.add(where + "a Java name in " + answer.substring(0, Math.min(400, answer.length())));
            return;
        }
        final int bodyAt = answer.indexOf("\r\n\r\n");
        if (status >= 400 && status != 408 && status != 405 && bodyAt > 0 &&
            answer.toLowerCase(java.util.Locale.ROOT).contains("content-length") &&
            !answer.toLowerCase(java.util.Locale.ROOT).contains("content-length: 0\r\n"))
        {
            final String body = answer.substring(bodyAt + 4);
            try
            {
                if (!body.isEmpty() && !new JsonObject(body).containsKey("error_code"))
                {
                    failures.add(where + "no error_code in " + body);
                }
            }
            catch (final RuntimeException notJson)
            {
                failures.add(where + "status " + status + " with a body that is not JSON: " +
                    body.substring(0, Math.min(200, body.length())));
            }
        }
    }

    /** Slowloris: heads and bodies dribbled a byte at a time; the server must close them (408 or a close). */
    private void slowLoop(final long threadSeed)
    {
        final Random r = new Random(threadSeed);
        while (!stop.get())
        {
            final boolean slowBody = r.nextBoolean();
            final String head = "POST " + BASE + "/app/" + APP + "/auth/providers/anon-user/login HTTP/1.1\r\n" +
                "Host: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n";
            try (Socket s = new Socket())
            {
                s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
                s.setSoTimeout(100);
                final OutputStream out = s.getOutputStream();
                final byte[] bytes = (slowBody ? head + "{\"x\":\"" + "y".repeat(900) : head)
                    .getBytes(StandardCharsets.US_ASCII);
                int i = 0;
                if (slowBody)
                {
                    out.write(bytes, 0, head.length());
                    i = head.length();
                }
                boolean closed = false;
                for (; i < bytes.length && !stop.get() && !closed; i++)
                {
                    // a byte every 2.5 s: slower than the 2 s body timeout; the head's deadline is 2 s in all
                    out.write(bytes[i]);
                    out.flush();
                    final long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2_500);
                    while (!closed && System.nanoTime() - until < 0 && !stop.get())
                    {
                        try
                        {
                            s.getInputStream().read(); // a 408, or the end: the server gave up on it
                            closed = true;
                        }
                        catch (final SocketTimeoutException nothing)
                        {
                            // still open
                        }
                    }
                }
                if (closed)
                {
                    slowClosed.incrementAndGet();
                }
            }
            catch (final IOException closedByServer)
            {
                slowClosed.incrementAndGet();
            }
        }
    }
}
