package dev.outpost.bench.load;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;

import org.agrona.collections.LongArrayList;
import org.agrona.collections.LongHashSet;

import dev.outpost.bench.BenchMain;
import dev.outpost.bench.client.ClientConnection;
import dev.outpost.bench.client.ClientMetrics;
import dev.outpost.bench.client.ClientOptions;
import dev.outpost.bench.client.ClientSession;
import dev.outpost.bench.client.Credentials;
import dev.outpost.bench.client.ItemWorkload;
import dev.outpost.bench.client.SyncClient;
import dev.outpost.server.cli.OutpostMain;
import dev.outpost.server.store.EntryView;
import dev.outpost.server.store.HistoryReader;
import dev.outpost.server.store.HistoryStore;
import dev.outpost.server.store.ServerFile;
import dev.outpost.server.store.StoreConfig;
import dev.outpost.server.store.StoreOpenException;
import dev.outpost.server.store.StoreShard;
import dev.outpost.server.sync.SyncService;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The crash campaign ({@code --scenario crash}, issue 15 item 2): runs the real {@code outpost serve} as a child
 * process on a data directory and port of its own, drives PBS and FLX writers that share their objects (so the
 * server merges), and {@code --kills} times kills the server's JVM with SIGKILL after a random (seeded) stretch of
 * writes, restarts it on the same directory and port, and checks after every restart:
 * <ol>
 * <li>(a) every changeset whose upload the server acknowledged is in the history the crash left: the data directory
 * is opened read-only before the restart and every acknowledged (client file ident, client version) of every writer
 * must be an entry of its server file;</li>
 * <li>(c) the data directory opens without repair: no record skipped by replay (a torn, uncommitted tail is dropped,
 * and counted), {@code outpost inspect} exits 0, the server restarts and answers {@code /ready}, and its log of that
 * start has no WARN/ERROR line;</li>
 * <li>(b) every writer reconnects with its client file ident and cursors, re-uploads what was not acknowledged, and
 * converges: once every writer is synced (upload acknowledged, download complete) each writer's object state equals
 * a fresh client's download of its server file.</li>
 * </ol>
 * Stops at the first failure (exit 1 from the command line, with the reason); the data directory and server log are
 * then kept for diagnosis. Used from the load generator's main thread.
 */
final class CrashCampaign
{
    /** Bytes zeroed at the end of each shard's newest cycle file by the test-only fault {@code drop-tail}. */
    static final int DROP_TAIL_BYTES = 4 << 10;

    private final LoadOptions o;
    private final PrintStream log;
    private final long seed;
    private final SplittableRandom random;
    private final CrashMetrics metrics = new CrashMetrics();
    private final List<Writer> writers = new ArrayList<>();
    private final List<ClientConnection> connections = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private volatile boolean writing;
    private Path work;
    private Path dataDir;
    private Path serverLog;
    private int port;
    private volatile Process process;
    private ProcessHandle jvm;
    private int starts;

    private CrashCampaign(final LoadOptions o, final PrintStream log)
    {
        this.o = o;
        this.log = log;
        this.seed = o.seed != 0 ? o.seed : new SplittableRandom().nextLong();
        this.random = new SplittableRandom(seed);
    }

    static JsonObject run(final LoadOptions o, final PrintStream log) throws Exception
    {
        return new CrashCampaign(o, log).execute();
    }

    /** One writer session on a connection of its own; the write state is touched on its event loop only. */
    private final class Writer
    {
        final int index;
        final String partition;
        final String fileName;
        final ItemWorkload workload;
        final LongArrayList acked = new LongArrayList();
        ClientSession session;
        boolean schemaCommitted;
        long fileIdent;
        long startNanos;
        long issued;

        Writer(final int index, final String partition)
        {
            this.index = index;
            this.partition = partition;
            this.fileName = null == partition ? SyncService.flxFileName(o.app) : SyncService.pbsFileName(o.app, partition);
            // every writer of a file writes the same keys: concurrent changes to the same objects are merged
            this.workload = new ItemWorkload(o.objectIdKeys, o.keySpace, o.stringBytes, seed + index);
        }

        /** Closed loop: keep {@code window} changesets unacknowledged. Event loop. */
        void pump()
        {
            if (!writing || !session.active() || o.rate > 0)
            {
                return;
            }
            while (session.unackedCount() < o.window && writing)
            {
                if (!commitOne())
                {
                    return;
                }
            }
        }

        /** Open loop ({@code --rate}): commit what this cycle's schedule says is due. Event loop. */
        void tick(final double perWriterRate, final long now)
        {
            if (!writing || startNanos == 0 || !session.active())
            {
                return;
            }
            final long due = (long)((now - startNanos) / 1e9 * perWriterRate) - issued;
            for (long i = 0; i < Math.min(due, 100) && session.unackedCount() < 10_000; i++)
            {
                issued++;
                if (!commitOne())
                {
                    return;
                }
            }
        }

        /** Starts a cycle of writes. Event loop. */
        void resume()
        {
            startNanos = System.nanoTime();
            issued = 0;
            pump();
        }

        boolean commitOne()
        {
            if (!schemaCommitted)
            {
                schemaCommitted = true;
                session.commit(workload.schema());
            }
            if (!session.commit(workload.transaction(session.integrator().state(), o.ops)))
            {
                return false;
            }
            metrics.commits.increment();
            return true;
        }

        long[] ackedVersions()
        {
            synchronized (acked)
            {
                return acked.toLongArray();
            }
        }

        String label()
        {
            return (null == partition ? "flx" : partition) + " writer " + index + " (client file " + fileIdent + ")";
        }
    }

    /** Transport errors are expected while the server is down; any other error fails the campaign. */
    static final class CrashMetrics implements ClientMetrics
    {
        final LongAdder acked = new LongAdder();
        final LongAdder commits = new LongAdder();
        final LongAdder transportErrors = new LongAdder();
        final LongAdder reconnects = new LongAdder();
        final List<String> failures = new ArrayList<>();

        public void uploadAcked(final long nanos)
        {
            acked.increment();
        }

        public void error(final String what)
        {
            if (what.startsWith("connect: ") || what.startsWith("socket: "))
            {
                transportErrors.increment();
                return;
            }
            synchronized (failures)
            {
                if (failures.size() < 20)
                {
                    failures.add(what);
                }
            }
        }

        public void reconnected()
        {
            reconnects.increment();
        }

        List<String> failures()
        {
            synchronized (failures)
            {
                return List.copyOf(failures);
            }
        }
    }

    private JsonObject execute() throws Exception
    {
        final JsonObject report = new JsonObject().put("scenario", "crash").put("seed", seed)
            .put("options", o.json().put("kills", o.kills).put("kill_after_s", new JsonArray().add(o.killMin)
                .add(o.killMax)).put("flx_writers", o.flxWriters).put("server_args", new JsonArray(o.serverArgs))
                .put("outpost", o.outpost).put("fault", o.fault));
        final JsonArray kills = new JsonArray();
        final List<String> problems = new ArrayList<>();
        work = Files.createTempDirectory("outpost-crash");
        dataDir = work.resolve("data");
        serverLog = work.resolve("server.log");
        port = freePort();
        log.printf("crash campaign: seed %d, %d kills after %.1f-%.1f s of writes, %d PBS writers on %d files + %d " +
            "FLX writers, server %s on port %d, data %s%n", seed, o.kills, o.killMin, o.killMax, o.writers, o.files,
            o.flxWriters, null == o.outpost ? "OutpostMain (this classpath)" : o.outpost, port, dataDir);
        final long t0 = System.nanoTime();
        // the server child must not outlive the campaign, also when the campaign is stopped (SIGTERM, Ctrl-C)
        final Thread reaper = new Thread(() ->
        {
            final Process p = process;
            if (null != p && p.isAlive())
            {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
        }, "crash-campaign-reaper");
        Runtime.getRuntime().addShutdownHook(reaper);
        SyncClient pbs = null;
        SyncClient flx = null;
        long ackedChecked = 0;
        try
        {
            final double firstReady = start();
            report.put("first_start_ready_s", firstReady);
            final String base = "http://127.0.0.1:" + port;
            pbs = SyncClient.create(options(base, false), o.clientEventLoops);
            flx = o.flxWriters > 0 ? SyncClient.create(options(base, true), 1) : null;
            setup(pbs, flx);
            for (int k = 1; k <= o.kills; k++)
            {
                final JsonObject kill = cycle(k, t0, pbs, flx, problems);
                kills.add(kill);
                ackedChecked = kill.getLong("acked_checked", ackedChecked);
                // the kills so far, in case the campaign itself is stopped (the last write has the summary)
                Files.writeString(Path.of(o.out), report.copy().put("kills", kills).put("kills_done", kills.size())
                    .put("recovery_s", recoveryStats(kills)).put("running", true).encodePrettily(),
                    StandardCharsets.UTF_8);
                if (!problems.isEmpty())
                {
                    break;
                }
            }
        }
        catch (final Exception ex)
        {
            problems.add("campaign stopped: " + ex);
        }
        finally
        {
            writing = false;
            for (final ClientConnection c : connections)
            {
                c.close();
            }
            if (null != pbs)
            {
                pbs.close();
            }
            if (null != flx)
            {
                flx.close();
            }
            stop();
            try
            {
                Runtime.getRuntime().removeShutdownHook(reaper);
            }
            catch (final IllegalStateException shuttingDown)
            {
                // the hook runs anyway
            }
        }
        final boolean ok = problems.isEmpty();
        report.put("kills", kills).put("kills_done", kills.size()).put("acked_total", metrics.acked.sum())
            .put("acked_checked_last", ackedChecked).put("commits_total", metrics.commits.sum())
            .put("reconnects", metrics.reconnects.sum()).put("transport_errors", metrics.transportErrors.sum())
            .put("recovery_s", recoveryStats(kills)).put("elapsed_s", (System.nanoTime() - t0) / 1e9)
            .put("problems", new JsonArray(problems)).put("ok", ok).put("verdict", ok ? "OK" : "FAILED");
        if (ok && !o.keepData)
        {
            Limits.deleteTree(work);
            report.put("data_dir", null);
        }
        else
        {
            report.put("data_dir", dataDir.toString()).put("server_log", serverLog.toString());
        }
        Files.writeString(Path.of(o.out), report.encodePrettily(), StandardCharsets.UTF_8);
        final JsonObject rec = report.getJsonObject("recovery_s");
        log.printf("---- crash campaign (%s): %d of %d kills checked, %d changesets acknowledged (all checked), " +
            "recovery to /ready p50 %.2f s p99 %.2f s max %.2f s, %d reconnects%n", o.out, kills.size(), o.kills,
            metrics.acked.sum(), rec.getDouble("p50", 0.0), rec.getDouble("p99", 0.0), rec.getDouble("max", 0.0),
            metrics.reconnects.sum());
        if (ok)
        {
            log.println("OK: after every kill every acknowledged changeset was in the history, the data directory " +
                "opened without repair and every writer converged to the server's state");
        }
        else
        {
            log.println("FAILED: " + String.join("; ", problems));
            log.println("kept for diagnosis: " + work);
        }
        return report;
    }

    private ClientOptions options(final String base, final boolean flxMode)
    {
        // reconnect quickly: the server is back within seconds
        return new ClientOptions().baseUrl(base).appId(o.app).flx(flxMode).metrics(metrics).backoff(200, 2_000)
            .pingIntervalMs(1_000);
    }

    private void setup(final SyncClient pbs, final SyncClient flx) throws Exception
    {
        for (int i = 0; i < o.writers; i++)
        {
            writers.add(new Writer(i, "\"f" + (i % o.files) + "\""));
        }
        for (int i = 0; i < o.flxWriters; i++)
        {
            writers.add(new Writer(o.writers + i, null));
        }
        final CountDownLatch active = new CountDownLatch(writers.size());
        for (final Writer w : writers)
        {
            final SyncClient client = null == w.partition ? flx : pbs;
            final Credentials user = client.login().toCompletionStage().toCompletableFuture()
                .get((long)o.setupTimeout, TimeUnit.SECONDS);
            final ClientConnection conn = client.connection(user);
            connections.add(conn);
            w.session = conn.addSession(null == w.partition ? "" : w.partition);
            w.session.onAcked(v ->
            {
                synchronized (w.acked)
                {
                    w.acked.addLong(v);
                }
            });
            w.session.afterDownload(w::pump);
            w.session.onActive(active::countDown);
            if (o.rate > 0)
            {
                final double perWriter = o.rate / writers.size();
                conn.context().runOnContext(v -> conn.context().owner().setPeriodic(5,
                    id -> w.tick(perWriter, System.nanoTime())));
            }
            conn.open();
        }
        if (!active.await((long)o.setupTimeout, TimeUnit.SECONDS))
        {
            throw new IllegalStateException(active.getCount() + " writers not active after " + o.setupTimeout + " s" +
                failuresText());
        }
        for (final Writer w : writers)
        {
            w.fileIdent = onLoop(w.session, w.session::fileIdent);
        }
        log.printf("setup: %d writers active (%d connections)%n", writers.size(), connections.size());
    }

    /** One round: writes for a random time, SIGKILL, checks of the directory left, restart, convergence. */
    private JsonObject cycle(final int k, final long t0, final SyncClient pbs, final SyncClient flx,
        final List<String> problems) throws Exception
    {
        final double writeSeconds = o.killMin + random.nextDouble() * (o.killMax - o.killMin);
        final long acked0 = metrics.acked.sum();
        writing = true;
        for (final Writer w : writers)
        {
            w.session.connection().context().runOnContext(v -> w.resume());
        }
        Thread.sleep((long)(writeSeconds * 1000));
        final long killAt = System.nanoTime();
        final int exit = kill();
        writing = false;
        final JsonObject r = new JsonObject().put("kill", k).put("at_s", (killAt - t0) / 1e9)
            .put("writes_s", writeSeconds).put("exit_code", exit);
        if (exit != 137)
        {
            problems.add("kill " + k + ": the server's exit code was " + exit + ", not 137 (SIGKILL)");
        }
        awaitDisconnected();
        r.put("acked_in_cycle", metrics.acked.sum() - acked0);
        if (null != o.fault)
        {
            r.put("fault", dropTail());
        }
        // (a) and (c) on the directory exactly as the crash left it
        final JsonObject store = checkStore(k, problems);
        r.put("store", store).put("acked_checked", store.getLong("acked_checked", 0L));
        final int inspect = inspect(k, problems);
        r.put("inspect_exit", inspect);
        if (!problems.isEmpty())
        {
            logKill(r, problems);
            return r;
        }
        // restart on the same directory and port
        final long logMark = Files.exists(serverLog) ? Files.size(serverLog) : 0;
        final double ready;
        try
        {
            ready = start();
        }
        catch (final IOException | IllegalStateException ex)
        {
            problems.add("kill " + k + ": restart failed: " + ex.getMessage());
            logKill(r, problems);
            return r;
        }
        r.put("ready_s", ready);
        // (b) every writer back, synced, and equal to a fresh download of its file
        final long syncStart = System.nanoTime();
        converge(k, r, pbs, flx, problems);
        r.put("resync_s", (System.nanoTime() - syncStart) / 1e9);
        // the log of the restart and the first writes after it (where a torn record is overwritten)
        final List<String> tornTail = new ArrayList<>();
        final List<String> warnings = warnings(logMark, tornTail);
        r.put("server_warnings", new JsonArray(warnings)).put("torn_tail_lines", tornTail.size());
        if (!warnings.isEmpty())
        {
            problems.add("kill " + k + ": the restarted server logged " + warnings.size() + " WARN/ERROR lines: " +
                warnings.get(0));
        }
        final List<String> clientFailures = metrics.failures();
        if (!clientFailures.isEmpty())
        {
            problems.add("kill " + k + ": client errors: " + String.join("; ", clientFailures));
        }
        r.put("ok", problems.isEmpty());
        logKill(r, problems);
        return r;
    }

    private void logKill(final JsonObject r, final List<String> problems)
    {
        final JsonObject s = r.getJsonObject("store", new JsonObject());
        log.printf(Locale.ROOT, "kill %d/%d at %.1f s (after %.1f s of writes): exit %d; %d acked in the cycle, %d " +
            "acknowledged changesets checked in the history; %d shards, %d records skipped, %d uncommitted units " +
            "dropped; inspect %d; ready in %s s; resynced in %s s; converged %s; torn-tail log lines %d -> %s%n",
            r.getInteger("kill"), o.kills, r.getDouble("at_s"), r.getDouble("writes_s"), r.getInteger("exit_code"),
            r.getLong("acked_in_cycle"), r.getLong("acked_checked", 0L), s.getInteger("shards", 0),
            s.getLong("skipped_records", 0L), s.getLong("dropped_units", 0L), r.getInteger("inspect_exit", -1),
            fmt(r.getDouble("ready_s")), fmt(r.getDouble("resync_s")), r.getValue("converged", "-"),
            r.getInteger("torn_tail_lines", 0), problems.isEmpty() ? "OK" : "FAILED: " + problems.get(problems.size() - 1));
    }

    private static String fmt(final Double d)
    {
        return null == d ? "-" : String.format(Locale.ROOT, "%.2f", d);
    }

    // ---- the server child -----------------------------------------------------------------------------------------

    private List<String> command()
    {
        final List<String> serve = new ArrayList<>(List.of("serve", "--host", "127.0.0.1", "--port",
            Integer.toString(port), "--data-dir", dataDir.toString(), "--app-id", o.app, "--admin-port", "off",
            // tokens must outlive a long campaign: the load generator's client logs in once
            "--access-token-ttl", "24h", "--new-files-per-user", "0", "--new-files-per-app", "0"));
        serve.addAll(o.serverArgs);
        final List<String> cmd = new ArrayList<>();
        if (null != o.outpost)
        {
            cmd.add("sh");
            cmd.add(o.outpost);
        }
        else
        {
            cmd.add(ProcessHandle.current().info().command().orElse("java"));
            cmd.addAll(List.of(BenchMain.jvmFlags()));
            cmd.addAll(List.of(BenchMain.jvmMemoryFlags()));
            cmd.addAll(o.serverJvm);
            cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), OutpostMain.class.getName()));
        }
        cmd.addAll(serve);
        return cmd;
    }

    /** Starts the server and waits for {@code /ready}; @return seconds from the spawn to the first 200. */
    private double start() throws Exception
    {
        final ProcessBuilder b = new ProcessBuilder(command()).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(serverLog.toFile()));
        b.environment().putIfAbsent("MALLOC_ARENA_MAX", "2");
        if (null != o.outpost && !o.serverJvm.isEmpty())
        {
            b.environment().put("JAVA_OPTS", String.join(" ", o.serverJvm));
        }
        Files.writeString(serverLog, "==== start " + ++starts + "\n", StandardCharsets.UTF_8,
            StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        final long spawned = System.nanoTime();
        process = b.start();
        final long deadline = spawned + (long)(o.setupTimeout * 1e9);
        final HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/ready"))
            .timeout(Duration.ofSeconds(2)).build();
        while (true)
        {
            if (!process.isAlive())
            {
                throw new IllegalStateException("the server exited with " + process.exitValue() + " before /ready " +
                    "(log: " + serverLog + "): " + lastLines(3));
            }
            try
            {
                if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200)
                {
                    break;
                }
            }
            catch (final IOException ex)
            {
                // not listening yet
            }
            if (System.nanoTime() > deadline)
            {
                throw new IllegalStateException("no /ready within " + o.setupTimeout + " s (log: " + serverLog + ")");
            }
            Thread.sleep(20);
        }
        final double seconds = (System.nanoTime() - spawned) / 1e9;
        jvm = javaProcess(process.toHandle());
        return seconds;
    }

    /** @return the JVM: the process itself (the launcher execs java) or its java descendant (a wrapper). */
    private static ProcessHandle javaProcess(final ProcessHandle started)
    {
        if (isJava(started))
        {
            return started;
        }
        return started.descendants().filter(CrashCampaign::isJava).findFirst().orElse(started);
    }

    private static boolean isJava(final ProcessHandle p)
    {
        return p.info().command().map(c -> c.endsWith("/java") || c.equals("java")).orElse(false);
    }

    /** SIGKILL of the server's JVM ({@code destroyForcibly} is {@code kill -9} on Unix); @return the exit code. */
    private int kill() throws InterruptedException
    {
        jvm.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            process.waitFor();
        }
        jvm.onExit().join();
        return process.exitValue();
    }

    /** The end of the campaign: a polite stop (SIGTERM), forced after 20 s. */
    private void stop() throws InterruptedException
    {
        if (null != process && process.isAlive())
        {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                process.waitFor();
            }
        }
    }

    /** Waits until every writer's connection noticed the kill, so no acknowledgement is still on its way. */
    private void awaitDisconnected() throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (final Writer w : writers)
        {
            final ClientConnection c = w.session.connection();
            while (onLoop(w.session, c::isOpen) && System.nanoTime() < deadline)
            {
                Thread.sleep(10);
            }
        }
    }

    private static <T> T onLoop(final ClientSession s, final java.util.function.Supplier<T> what) throws Exception
    {
        final CompletableFuture<T> f = new CompletableFuture<>();
        s.connection().context().runOnContext(v -> f.complete(what.get()));
        return f.get(30, TimeUnit.SECONDS);
    }

    /**
     * @return lines of the server log after {@code mark} at level WARN or worse (JUL and SLF4J spellings), but for
     * Chronicle's two lines about a torn tail, which go to {@code tornTail}: the write lock of the killed process
     * released, and the incomplete header of the record it was writing overwritten by the first append.
     */
    private List<String> warnings(final long mark, final List<String> tornTail) throws IOException
    {
        final List<String> found = new ArrayList<>();
        final byte[] all = Files.readAllBytes(serverLog);
        final String text = new String(all, (int)Math.min(mark, all.length), all.length - (int)Math.min(mark,
            all.length), StandardCharsets.UTF_8);
        for (final String line : text.split("\n"))
        {
            if (line.contains(" WARNING ") || line.contains(" SEVERE ") || line.contains(" WARN ") ||
                line.contains(" ERROR ") || line.startsWith("Exception") || line.contains("Exception in thread"))
            {
                if (isTornTail(line))
                {
                    tornTail.add(line);
                    continue;
                }
                found.add(line.length() > 300 ? line.substring(0, 300) + "..." : line);
            }
        }
        return found;
    }

    /** Chronicle's WARN lines about a record torn by the kill (expected after a SIGKILL in the middle of a write). */
    static boolean isTornTail(final String line)
    {
        return line.contains("Forced unlocking `chronicle.write.lock`") && line.contains("which is now dead") ||
            line.contains("Incomplete header found at pos");
    }

    private String lastLines(final int n)
    {
        try
        {
            final List<String> lines = Files.readAllLines(serverLog, StandardCharsets.UTF_8);
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - n), lines.size()));
        }
        catch (final IOException ex)
        {
            return "";
        }
    }

    private static int freePort() throws IOException
    {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            return s.getLocalPort();
        }
    }

    // ---- the checks ------------------------------------------------------------------------------------------------

    private Path storeDir()
    {
        final Path single = dataDir.resolve("sync");
        if (Files.exists(single.resolve(HistoryStore.FORMAT_FILE)))
        {
            return single;
        }
        return dataDir.resolve("apps").resolve(o.app).resolve("sync");
    }

    /**
     * (a) and (c): opens the store read-only as the crash left it; no record may be skipped; every acknowledged
     * changeset of every writer must be an entry (origin = its client file ident, its client version) of its file.
     */
    private JsonObject checkStore(final int k, final List<String> problems)
    {
        final JsonObject r = new JsonObject();
        final Map<String, Map<Long, LongHashSet>> byFile = new HashMap<>();
        try (HistoryStore store = HistoryStore.open(new StoreConfig().dataDir(storeDir()).readOnly(true));
            HistoryReader reader = store.newReader())
        {
            long skipped = 0;
            long dropped = 0;
            for (int i = 0; i < store.shardCount(); i++)
            {
                final StoreShard shard = store.shard(i);
                skipped += shard.skippedRecords();
                dropped += shard.droppedUnits();
            }
            r.put("shards", store.shardCount()).put("skipped_records", skipped).put("dropped_units", dropped);
            if (skipped > 0)
            {
                problems.add("kill " + k + ": replay skipped " + skipped + " malformed or out-of-sequence records");
            }
            final EntryView view = new EntryView();
            long entries = 0;
            for (final Writer w : writers)
            {
                if (byFile.containsKey(w.fileName))
                {
                    continue;
                }
                final Map<Long, LongHashSet> origins = new HashMap<>();
                byFile.put(w.fileName, origins);
                final ServerFile f = store.serverFile(w.fileName);
                if (null == f)
                {
                    continue;
                }
                for (long v = 1; v <= f.head(); v++)
                {
                    if (!reader.read(f, v, view))
                    {
                        problems.add("kill " + k + ": version " + v + " of " + w.fileName + " (head " + f.head() +
                            ") cannot be read");
                        break;
                    }
                    origins.computeIfAbsent(view.originFileIdent(), x -> new LongHashSet()).add(view.clientVersion());
                    entries++;
                }
            }
            long checked = 0;
            long missing = 0;
            final JsonArray examples = new JsonArray();
            for (final Writer w : writers)
            {
                final LongHashSet present = byFile.get(w.fileName).getOrDefault(w.fileIdent, new LongHashSet());
                for (final long version : w.ackedVersions())
                {
                    checked++;
                    if (!present.contains(version))
                    {
                        missing++;
                        if (examples.size() < 5)
                        {
                            examples.add(w.label() + " client version " + version);
                        }
                    }
                }
            }
            r.put("entries_read", entries).put("acked_checked", checked).put("acked_missing", missing)
                .put("missing_examples", examples);
            if (missing > 0)
            {
                problems.add("kill " + k + ": " + missing + " of " + checked + " acknowledged changesets are not in " +
                    "the history, e.g. " + examples.getString(0));
            }
        }
        catch (final StoreOpenException ex)
        {
            problems.add("kill " + k + ": the data directory does not open: " + ex.getMessage());
        }
        catch (final RuntimeException ex)
        {
            problems.add("kill " + k + ": reading the history failed: " + ex);
        }
        return r;
    }

    /** (c): {@code outpost inspect DIR} on the directory the crash left; @return its exit code. */
    private int inspect(final int k, final List<String> problems)
    {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int exit = OutpostMain.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
            .execute("inspect", dataDir.toString());
        if (exit != 0)
        {
            problems.add("kill " + k + ": outpost inspect exited " + exit + ": " + err.toString().trim());
        }
        return exit;
    }

    /** (b): every writer synced; each one's state equals a fresh client's download of its server file. */
    private void converge(final int k, final JsonObject r, final SyncClient pbs, final SyncClient flx,
        final List<String> problems) throws Exception
    {
        final long deadline = System.nanoTime() + (long)(o.setupTimeout * 1e9);
        int unsynced = 0;
        for (final Writer w : writers)
        {
            try
            {
                w.session.sync().get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
            catch (final Exception ex)
            {
                unsynced++;
                if (unsynced == 1)
                {
                    problems.add("kill " + k + ": " + w.label() + " did not sync after the restart within " +
                        o.setupTimeout + " s: " + ex.getMessage() + failuresText());
                }
            }
        }
        if (unsynced > 0)
        {
            r.put("converged", false).put("unsynced_writers", unsynced);
            return;
        }
        final Map<String, String> fresh = new LinkedHashMap<>();
        int mismatches = 0;
        for (final Writer w : writers)
        {
            if (w.fileIdent != onLoop(w.session, w.session::fileIdent))
            {
                problems.add("kill " + k + ": " + w.label() + " has another client file ident after the restart");
            }
            if (!fresh.containsKey(w.fileName))
            {
                fresh.put(w.fileName, freshDownload(null == w.partition ? flx : pbs, w.partition));
            }
            final String mine = ServerHandle.sha256(w.session.stateDump().get(30, TimeUnit.SECONDS));
            if (!mine.equals(fresh.get(w.fileName)))
            {
                mismatches++;
                if (mismatches == 1)
                {
                    problems.add("kill " + k + ": " + w.label() + " differs from a fresh download of " + w.fileName);
                }
            }
        }
        r.put("converged", mismatches == 0).put("files_compared", fresh.size()).put("states_compared", writers.size());
    }

    private String freshDownload(final SyncClient client, final String partition) throws Exception
    {
        final Credentials user = client.login().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        final ClientConnection c = client.connection(user);
        try
        {
            final ClientSession s = c.addSession(null == partition ? "" : partition);
            c.open().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            s.sync().get((long)o.setupTimeout, TimeUnit.SECONDS);
            return ServerHandle.sha256(s.stateDump().get(30, TimeUnit.SECONDS));
        }
        finally
        {
            c.close();
        }
    }

    private String failuresText()
    {
        final List<String> f = metrics.failures();
        return f.isEmpty() ? "" : " (client errors: " + String.join("; ", f) + ")";
    }

    /**
     * Test-only fault {@code drop-tail}: zeroes the newest {@link #DROP_TAIL_BYTES} written bytes of every shard's
     * newest cycle file, as a disk that lost acknowledged writes would leave it. The campaign must then fail.
     */
    private JsonObject dropTail() throws IOException
    {
        long zeroed = 0;
        final Path store = storeDir();
        try (Stream<Path> shards = Files.list(store))
        {
            for (final Path shard : shards.filter(Files::isDirectory).toList())
            {
                final Path newest;
                try (Stream<Path> files = Files.list(shard))
                {
                    newest = files.filter(p -> p.getFileName().toString().endsWith(".cq4")).max(Path::compareTo)
                        .orElse(null);
                }
                if (null != newest)
                {
                    zeroed += zeroTail(newest);
                }
            }
        }
        return new JsonObject().put("kind", "drop-tail").put("bytes_zeroed", zeroed);
    }

    private static long zeroTail(final Path file) throws IOException
    {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            final ByteBuffer buf = ByteBuffer.allocate(1 << 20);
            long end = -1;
            for (long pos = ch.size(); pos > 0 && end < 0; )
            {
                final long from = Math.max(0, pos - buf.capacity());
                buf.clear().limit((int)(pos - from));
                ch.read(buf, from);
                for (int i = buf.position() - 1; i >= 0; i--)
                {
                    if (buf.get(i) != 0)
                    {
                        end = from + i + 1;
                        break;
                    }
                }
                pos = from;
            }
            // keep the file's header page (Chronicle's header and first index)
            final long start = Math.max(64 << 10, end - DROP_TAIL_BYTES);
            if (end <= start)
            {
                return 0;
            }
            final byte[] zeros = new byte[(int)(end - start)];
            Arrays.fill(zeros, (byte)0);
            ch.write(ByteBuffer.wrap(zeros), start);
            return end - start;
        }
    }

    private static JsonObject recoveryStats(final JsonArray kills)
    {
        final List<Double> ready = new ArrayList<>();
        for (int i = 0; i < kills.size(); i++)
        {
            final Double d = kills.getJsonObject(i).getDouble("ready_s");
            if (null != d)
            {
                ready.add(d);
            }
        }
        final JsonObject r = new JsonObject().put("count", ready.size());
        if (!ready.isEmpty())
        {
            ready.sort(Double::compare);
            r.put("p50", percentile(ready, 50)).put("p99", percentile(ready, 99)).put("max", ready.get(ready.size() - 1))
                .put("min", ready.get(0));
        }
        return r;
    }

    /** Nearest-rank percentile of a sorted list. */
    static double percentile(final List<Double> sorted, final double p)
    {
        final int rank = (int)Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }
}
