package dev.outpost.server.sync;

import dev.outpost.codec.message.MessageType;
import dev.outpost.server.runtime.SyncServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static dev.outpost.server.sync.SyncTestClient.Msg;
import static dev.outpost.server.sync.SyncTestClient.Up;
import static org.assertj.core.api.Assertions.assertThat;
/**
 * Network fuzzer of the sync WebSocket (issue 15 item 4): for a bounded time, {@value #DEFAULT_WORKERS} threads open
 * raw WebSocket connections to a live server and send protocol sessions: half replayed from sessions of MongoDB's
 * client captured in {@code src/test/resources/fuzz-corpus} ({@code realclient.FuzzCorpusCapture} regenerates it;
 * the live server's client file ident is put into their IDENT), half built by a seeded generator (BIND, IDENT,
 * UPLOAD plain and compressed, MARK, QUERY, PING, UNBIND; PBS and FLX); both mutated: bit flips, truncation, edits of
 * head fields (session idents, file idents, versions, cursors, sizes), garbage bodies, valid zlib of garbage and
 * garbage claiming to be compressed, reordered, duplicated and dropped messages, fragmentation with control frames
 * between fragments, text frames, stray continuations, unmasked frames, unframed garbage, close frames mid-session
 * and abrupt closes. Beside them an honest client uploads and round-trips MARKs on its own partition the whole time.
 * <p>
 * Afterwards: every honest upload was acknowledged with no error and is in the server file (a fresh client downloads
 * all of it); no answer to a fuzzer held a Java class name, a stack trace or "internal error" (a bug path); the
 * server answers {@code /health}; the heap after a GC is bounded. Liveness is the honest client's: each of its round
 * trips must complete (within the client's 10 s bound) while the fuzzers run.
 * <p>
 * Settings (system properties, passed through by failsafe): {@code outpost.fuzz.seconds} (default 60),
 * {@code outpost.fuzz.seed} (default: the clock; printed at the start and in every failure, replay with it),
 * {@code outpost.fuzz.workers}. The long run (1 h): {@code -Doutpost.fuzz.seconds=3600
 * -Djunit.jupiter.execution.timeout.mode=disabled} (see edge-server/README.md, "Fuzzing").
 */
@Timeout(300)
class WireFuzzIT
{
    static final int DEFAULT_WORKERS = 6;
    private static final String APP = "fuzz-app";
    private static final String HONEST = "\"honest\"";

    @TempDir
    Path dir;

    private final SyncTestServer fixture = new SyncTestServer(APP);
    private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean stop = new AtomicBoolean();
    private long seed;

    @AfterEach
    void tearDown()
    {
        stop.set(true);
        fixture.close();
    }

    @Test
    void shouldSurviveMutatedSessionsWhileAnHonestClientSyncs() throws Exception
    {
        final long seconds = Long.getLong("outpost.fuzz.seconds", 60);
        seed = Long.getLong("outpost.fuzz.seed", System.nanoTime());
        final int workers = Integer.getInteger("outpost.fuzz.workers", DEFAULT_WORKERS);
        System.out.println("WireFuzzIT: seed " + seed + " (-Doutpost.fuzz.seed=" + seed + "), " + seconds + " s, " +
            workers + " workers");
        final SyncServer server = fixture.start(dir, c -> c.wsBindTimeout(Duration.ofSeconds(2)));
        final int port = server.port();
        final WireFuzzer fuzzer = new WireFuzzer(port, APP, fixture.token(), seed);

        final SyncTestClient honest = fixture.connect(false);
        final long[] honestFile = open(honest, 1, HONEST);
        final AtomicLong acked = new AtomicLong();
        final Thread honestThread = new Thread(() -> honestLoop(honest, acked), "fuzz-honest");
        honestThread.start();
        fuzzer.start(workers);

        final long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() - end < 0 && failures.isEmpty() && fuzzer.failures().isEmpty())
        {
            Thread.sleep(200);
        }
        stop.set(true);
        assertThat(fuzzer.stopAndJoin()).as("fuzzer threads stuck (seed %d)", seed).isEmpty();
        honestThread.join(30_000);
        assertThat(honestThread.isAlive()).as("honest client stuck (seed %d)", seed).isFalse();
        System.out.println("WireFuzzIT: " + fuzzer.summary() + ", " + acked.get() + " honest round trips");
        assertThat(fuzzer.failures()).as("fuzz failures (seed %d)", seed).isEmpty();
        assertThat(failures).as("failures (seed %d)", seed).isEmpty();
        assertThat(acked.get()).as("honest round trips completed (seed %d)", seed).isPositive();

        // every acknowledged honest upload is in its server file, and a fresh client downloads all of it
        assertThat(server.sync().head(SyncService.pbsFileName(APP, HONEST))).as("seed %d", seed)
            .isEqualTo(acked.get());
        final SyncTestClient reader = fixture.connect(false);
        reader.bind(1, HONEST, true);
        final Msg ident = reader.next();
        assertThat(ident.type()).isEqualTo(MessageType.SERVER_IDENT);
        reader.ident(1, ident.get(0), ident.get(1), 0, 0, 0, 0);
        reader.mark(1, 1);
        int entries = 0;
        for (Msg m = reader.next(); m.type() != MessageType.SERVER_MARK; m = reader.next())
        {
            assertThat(m.type()).as("%s %s", m, m.text()).isEqualTo(MessageType.DOWNLOAD);
            entries += m.entries().size();
        }
        assertThat(entries).as("seed %d", seed).isEqualTo(acked.get());
        assertThat(honestFile[0]).isNotZero();

        // alive and healthy
        final HttpResponse<String> health = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + port + "/health")).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
        System.gc();
        final Runtime rt = Runtime.getRuntime();
        final long used = rt.totalMemory() - rt.freeMemory();
        System.out.println("WireFuzzIT: heap used after GC " + (used >> 20) + " MiB of " + (rt.maxMemory() >> 20));
        assertThat(used).as("heap after GC (seed %d)", seed).isLessThan(Math.min(rt.maxMemory() / 2, 768L << 20));
    }

    /** BIND with a new client file, IDENT, MARK 1; @return the client file ident and salt. */
    private static long[] open(final SyncTestClient c, final long session, final String partition) throws Exception
    {
        c.bind(session, partition, true);
        final Msg ident = c.next();
        assertThat(ident.type()).as("%s %s", ident, ident.text()).isEqualTo(MessageType.SERVER_IDENT);
        c.ident(session, ident.get(0), ident.get(1), 0, 0, 0, 0);
        c.mark(session, 1);
        c.next(MessageType.SERVER_MARK);
        return new long[] {ident.get(0), ident.get(1)};
    }

    /** Upload one changeset, then a MARK; each round trip must complete without an error until told to stop. */
    private void honestLoop(final SyncTestClient c, final AtomicLong acked)
    {
        long version = 2;
        try
        {
            while (!stop.get())
            {
                final byte[] cs = Changesets.objects("Honest", version * 2, 2, "h");
                c.upload(1, version, 0, 0, 0 == (version & 1), new Up(version, 0, cs));
                c.mark(1, version);
                Msg m = c.next();
                while (m.type() != MessageType.SERVER_MARK)
                {
                    if (m.type() != MessageType.DOWNLOAD)
                    {
                        failures.add("honest client got " + m.type() + " " + m.text());
                        return;
                    }
                    m = c.next();
                }
                if (m.get(0) != version)
                {
                    failures.add("honest client: MARK " + m.get(0) + " for request " + version);
                    return;
                }
                acked.incrementAndGet();
                version++;
            }
        }
        catch (final Throwable ex)
        {
            failures.add("honest client after " + acked.get() + " round trips: " + ex);
        }
    }
}
