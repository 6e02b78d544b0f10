package dev.outpost.bench.load;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.HdrHistogram.Histogram;

import dev.outpost.bench.client.ClientConnection;
import dev.outpost.bench.client.ClientOptions;
import dev.outpost.bench.client.ClientSession;
import dev.outpost.bench.client.Credentials;
import dev.outpost.bench.client.FanoutClock;
import dev.outpost.bench.client.ItemWorkload;
import dev.outpost.bench.client.SyncClient;
import dev.outpost.ot.model.ChangesetWriter;
import dev.outpost.ot.sync.ClientIntegrator;
import dev.outpost.ot.model.Changeset;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The Outpost load generator: starts (or targets) a server, opens connections and sessions (writers, readers, idle),
 * drives writes open- or closed-loop, prints a progress line every second, and ends with a convergence check and a
 * JSON report (see bench/LOAD.md). {@link #run(LoadOptions, PrintStream)} is the programmatic entry point.
 */
public final class LoadGenerator
{
    private final LoadOptions o;
    private final PrintStream log;
    private final LoadMetrics metrics = new LoadMetrics();
    private final List<Role> roles = new ArrayList<>();
    private final List<ClientConnection> connections = new ArrayList<>();
    private final List<ClientConnection> readerConnections = new ArrayList<>();
    private final Histogram ackTotal = new Histogram(600_000_000L, 3);
    private final Histogram fanoutTotal = new Histogram(600_000_000L, 3);
    private final Histogram pingTotal = new Histogram(600_000_000L, 3);
    /**
     * Prefix of this run's partitions: none on the server the load generator starts (a fresh data directory), a run
     * tag on an external server, whose partitions outlive the run: a second run must not write into the first one's
     * objects (an upload-only writer would not know them).
     */
    private final String partitionPrefix;
    private volatile boolean writing;
    private volatile boolean recording;

    private LoadGenerator(final LoadOptions o, final PrintStream log)
    {
        this.o = o;
        this.log = log;
        this.partitionPrefix = o.url == null || o.noRunTag ? "" :
            "run-" + Long.toString(System.currentTimeMillis(), 36) + "-";
    }

    public static void main(final String[] args) throws Exception
    {
        final LoadOptions o;
        try
        {
            o = LoadOptions.parse(args);
        }
        catch (final IllegalArgumentException ex)
        {
            if (!ex.getMessage().isEmpty())
            {
                System.err.println(ex.getMessage());
            }
            System.err.println(LoadOptions.USAGE);
            System.exit(2);
            return;
        }
        final JsonObject report;
        try
        {
            report = run(o, System.out);
        }
        catch (final SetupException ex)
        {
            System.err.println("loadgen: " + ex.getMessage());
            System.exit(2);
            return;
        }
        catch (final Exception ex)
        {
            final java.net.ConnectException refused = connectFailure(ex);
            if (refused == null)
            {
                throw ex;
            }
            // a server that is not (or no longer) there: one clear line, not a Netty stack trace
            System.err.println("loadgen: cannot reach the server" + (o.url != null ? " at " + o.url : "") + ": " +
                refused.getMessage());
            System.exit(3);
            return;
        }
        System.exit(report.getBoolean("ok") ? 0 : 1);
    }

    /** The run cannot start as asked (for example the external server does not serve the app): one line, exit 2. */
    static final class SetupException extends Exception
    {
        private static final long serialVersionUID = 1L;

        SetupException(final String message)
        {
            super(message);
        }
    }

    /**
     * Before anything runs against an external server: does it serve the app? Asks its location endpoint, as an SDK
     * does first.
     *
     * @throws SetupException if it answers 404 (its message, which may name the apps it serves) or another error.
     * @throws java.net.ConnectException if nothing listens there (main prints one line for it).
     */
    static void checkApp(final String url, final String app) throws Exception
    {
        final java.net.http.HttpResponse<String> r;
        try
        {
            r = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(url.replaceAll("/+$", "") + "/api/client/v2.0/app/" +
                java.net.URLEncoder.encode(app, StandardCharsets.UTF_8) + "/location"))
                .timeout(java.time.Duration.ofSeconds(30)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        }
        catch (final javax.net.ssl.SSLException ex)
        {
            return; // a certificate this JDK does not trust: the sync client reports what it finds
        }
        catch (final IllegalArgumentException ex)
        {
            throw new SetupException("--url " + url + " is not an http:// or https:// URL");
        }
        if (r.statusCode() == 404)
        {
            String why = r.body();
            try
            {
                why = new JsonObject(r.body()).getString("error", r.body());
            }
            catch (final RuntimeException notJson)
            {
                // not an App Services error body: show it as it is
            }
            throw new SetupException("the server at " + url + " does not serve app '" + app + "' (" + why +
                "); give --app-id with an app it serves");
        }
        if (r.statusCode() != 200)
        {
            throw new SetupException("the server at " + url + " answered HTTP " + r.statusCode() + " to the location " +
                "request of app '" + app + "'");
        }
    }

    /** @return the connection failure behind {@code ex} (itself or a cause), or null. */
    static java.net.ConnectException connectFailure(final Throwable ex)
    {
        for (Throwable t = ex; t != null; t = t.getCause() == t ? null : t.getCause())
        {
            if (t instanceof java.net.ConnectException)
            {
                return (java.net.ConnectException)t;
            }
        }
        return null;
    }

    /** Runs the load described by {@code args} (the command line); returns the report (also written to --out). */
    public static JsonObject run(final String[] args, final PrintStream log) throws Exception
    {
        return run(LoadOptions.parse(args), log);
    }

    static JsonObject run(final LoadOptions o, final PrintStream log) throws Exception
    {
        if ("crash".equals(o.scenario))
        {
            return CrashCampaign.run(o, log);
        }
        return new LoadGenerator(o, log).execute();
    }

    private enum Kind
    {
        WRITER, READER, IDLE
    }

    /** A session with its role; the writer state is touched on the session's event loop only. */
    private final class Role
    {
        final Kind kind;
        final String partition;
        final int fileIndex;
        final int index;
        ClientSession session;
        ItemWorkload workload;
        long issued;
        long startNanos;
        boolean schemaCommitted;

        Role(final Kind kind, final String partition, final int fileIndex, final int index)
        {
            this.index = index;
            this.kind = kind;
            this.partition = partition;
            this.fileIndex = fileIndex;
        }

        /** @return whether this session applies its DOWNLOADs (and so is compared with the server's state). */
        boolean applies()
        {
            return switch (kind)
            {
                case WRITER -> !o.uploadOnly;
                case READER -> o.applyReaders < 0 || index / o.files < o.applyReaders;
                case IDLE -> true;
            };
        }

        /** Closed loop: keep {@code window} changesets unacknowledged. Event loop. */
        void pump()
        {
            if (!writing || !session.active())
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

        /** Open loop: commit what the schedule says is due. Event loop. */
        void tick(final double perWriterRate, final long now)
        {
            if (!writing || startNanos == 0 || !session.active())
            {
                return;
            }
            final long due = (long)((now - startNanos) / 1e9 * perWriterRate) - issued;
            for (long i = 0; i < Math.min(due, 1000) && session.unackedCount() < 100_000; i++)
            {
                issued++;
                if (!commitOne())
                {
                    return;
                }
            }
        }

        void commitSchema()
        {
            if (!schemaCommitted)
            {
                schemaCommitted = true;
                session.commit(workload.schema());
            }
        }

        boolean commitOne()
        {
            commitSchema();
            final boolean ok = session.commit(workload.transaction(session.integrator().state(), o.ops));
            if (ok && recording)
            {
                metrics.commit();
            }
            return ok;
        }
    }

    private JsonObject execute() throws Exception
    {
        final JsonObject report = new JsonObject().put("scenario", o.scenario).put("options", o.json());
        final long t0 = System.nanoTime();
        if (o.url != null)
        {
            checkApp(o.url, o.app);
        }
        FanoutClock.clear();
        if (o.limits)
        {
            report.put("limits", limits());
        }
        final Path dataDir = o.url == null ? Files.createTempDirectory("outpost-loadgen") : null;
        final ServerHandle server = o.url != null ? new ServerHandle.External(o.url, o.serverPid, o.serverGcLog)
            : o.inProcess ? new ServerHandle.InProcess(dataDir, o.app, o.serverEventLoops)
            : new ServerHandle.Child(dataDir, o.app, o.serverEventLoops, o.serverJvm);
        report.put("server", new JsonObject().put("kind", server.kind()).put("url", server.baseUrl())
            .put("data_dir", dataDir == null ? null : dataDir.toString()).put("partition_prefix", partitionPrefix));
        log.println("server " + server.kind() + " at " + server.baseUrl());
        final ClientOptions copts = new ClientOptions().baseUrl(server.baseUrl()).appId(o.app).flx(o.flx)
            .metrics(metrics).backoff(o.storm ? o.stormBackoffMs : 500, o.storm ? 30_000 : 10_000)
            .pingIntervalMs(1_000);
        final SyncClient client = SyncClient.create(copts, o.clientEventLoops);
        // writers on event loops of their own when there are readers: an acknowledgement must not wait behind the
        // readers' DOWNLOAD integration (else upload->ack measures the load generator's backlog, not the server)
        final SyncClient writerClient = o.writerEventLoops > 0 && o.readers > 0
            ? SyncClient.create(copts, o.writerEventLoops) : client;
        try
        {
            layout();
            final JsonObject base = server.stats(true);
            final JsonObject setup = new JsonObject();
            final long setupStart = System.nanoTime();
            // idle sessions first, so the memory they cost is measured alone
            connect(client, Kind.IDLE);
            final JsonObject afterIdle = server.stats(true);
            if (o.idle > 0)
            {
                report.put("memory", memory(base, afterIdle, o.idle, server.kind()));
            }
            connect(writerClient, Kind.WRITER);
            connect(client, Kind.READER);
            setup.put("sessions", roles.size()).put("connections", connections.size())
                .put("seconds", (System.nanoTime() - setupStart) / 1e9);
            report.put("setup", setup);
            log.printf("setup: %d sessions on %d connections in %.1f s%n", roles.size(), connections.size(),
                setup.getDouble("seconds"));
            final JsonObject storm = new JsonObject();
            measure(report, server, storm);
            if (o.storm)
            {
                report.put("storm", storm);
            }
            drainAndCheck(report, server, client);
        }
        finally
        {
            writing = false;
            for (final ClientConnection c : connections)
            {
                c.close();
            }
            if (writerClient != client)
            {
                writerClient.close();
            }
            client.close();
            server.close();
            if (dataDir != null)
            {
                Limits.deleteTree(dataDir);
            }
        }
        report.put("errors", new JsonObject().put("count", metrics.errors.sum()).put("kinds", metrics.errorsJson()));
        report.put("reconnects", metrics.reconnects.sum());
        report.put("elapsed_s", (System.nanoTime() - t0) / 1e9);
        verdict(report, server.kind());
        if (o.url != null && o.adminKey != null && !o.flx)
        {
            report.put("cleanup", cleanUp());
        }
        Files.writeString(Path.of(o.out), report.encodePrettily(), StandardCharsets.UTF_8);
        summary(report);
        return report;
    }

    /**
     * The run's verdict: FAILED when something went wrong (nothing acknowledged, a session that did not sync, a state
     * that differs, a storm that did not catch up), NOT COMPARED when nothing failed but no two states could be
     * compared (upload-only writers against an external server, which gives no state hash), else OK; with what was
     * checked, in words. {@code ok} is false only for FAILED.
     */
    private void verdict(final JsonObject report, final String serverKind)
    {
        final JsonObject conv = report.getJsonObject("convergence", new JsonObject());
        final JsonObject tp = report.getJsonObject("throughput", new JsonObject());
        final long acked = tp.getLong("acked", 0L);
        final int unsynced = conv.getInteger("unsynced_sessions", 0);
        final int comparisons = conv.getInteger("comparisons", 0);
        final boolean stormOk = report.getJsonObject("storm", new JsonObject()).getBoolean("completed", true);
        final boolean failed = acked <= 0 || unsynced > 0 || conv.getInteger("mismatches", 0) > 0 || !stormOk
            || !conv.containsKey("comparisons");
        final String verdict = failed ? "FAILED" : comparisons == 0 ? "NOT COMPARED" : "OK";
        final int active = o.writers + o.readers;
        final StringBuilder checked = new StringBuilder().append(acked).append(" changesets acknowledged in the " +
            "measured window; ").append(active - unsynced).append(" of ").append(active)
            .append(" sessions synced after the writes (upload acknowledged, download complete); ")
            .append(comparisons).append(" comparisons (").append(conv.getInteger("sessions_checked", 0))
            .append(" session states, ").append(conv.getInteger("server_states_compared", 0))
            .append(" server states, ").append(conv.getInteger("fresh_downloads", 0)).append(" fresh downloads, ")
            .append(conv.getInteger("receive_only_sessions_checked", 0)).append(" receive-only counts)");
        if ("NOT COMPARED".equals(verdict))
        {
            final List<String> why = new ArrayList<>();
            if (o.uploadOnly)
            {
                why.add("upload-only writers hold only their own objects");
            }
            if (o.readers == 0)
            {
                why.add("there are no readers");
            }
            if ("external".equals(serverKind))
            {
                why.add("an external server gives no state hash");
            }
            checked.append("; nothing to compare the state with: ").append(String.join(", ", why))
                .append(" (add --readers N or --writer-mode apply to compare states)");
        }
        report.put("verdict", verdict).put("checked", checked.toString()).put("ok", !failed);
    }

    private void layout()
    {
        for (int i = 0; i < o.writers; i++)
        {
            roles.add(new Role(Kind.WRITER, partition(i % o.files), i % o.files, i));
        }
        for (int i = 0; i < o.readers; i++)
        {
            roles.add(new Role(Kind.READER, partition(i % o.files), i % o.files, i));
        }
        final int idleFiles = Math.max(1, o.idle / 10);
        for (int i = 0; i < o.idle; i++)
        {
            roles.add(new Role(Kind.IDLE, "\"" + partitionPrefix + "idle-" + (i % idleFiles) + "\"", -1, i));
        }
    }

    private String partition(final int file)
    {
        return "\"" + partitionPrefix + "f" + file + "\"";
    }

    private int sessionsPerConnection()
    {
        if (o.connections > 0)
        {
            return Math.max(1, (o.sessions() + o.connections - 1) / o.connections);
        }
        return o.sessionsPerConnection;
    }

    /** Opens the sessions of one kind, {@code sessionsPerConnection} per connection, and waits until all are active. */
    private void connect(final SyncClient client, final Kind kind) throws Exception
    {
        final List<Role> mine = new ArrayList<>();
        for (final Role r : roles)
        {
            if (r.kind == kind)
            {
                mine.add(r);
            }
        }
        if (mine.isEmpty())
        {
            return;
        }
        final int spc = kind == Kind.WRITER && o.writerSessionsPerConnection > 0 ? o.writerSessionsPerConnection
            : sessionsPerConnection();
        final int nconn = (mine.size() + spc - 1) / spc;
        final List<Credentials> users = login(client, nconn);
        final CountDownLatch active = new CountDownLatch(mine.size());
        final List<Future<Void>> opens = new ArrayList<>();
        for (int c = 0; c < nconn; c++)
        {
            final ClientConnection conn = client.connection(users.get(c));
            connections.add(conn);
            if (kind == Kind.READER)
            {
                readerConnections.add(conn);
            }
            final List<Role> group = mine.subList(c * spc, Math.min(mine.size(), (c + 1) * spc));
            final double perWriterRate = o.rate / Math.max(1, o.writers);
            for (final Role r : group)
            {
                r.session = conn.addSession(o.flx ? "" : r.partition);
                if (kind == Kind.WRITER)
                {
                    // upload-only writers do not apply others' changes: each writes objects of its own
                    r.workload = new ItemWorkload(o.objectIdKeys, o.uploadOnly ? r.index * o.keySpace : 0, o.keySpace,
                        o.stringBytes, ThreadLocalRandom.current().nextLong());
                    if (o.uploadOnly)
                    {
                        r.session.applyDownloads(false);
                    }
                    // the schema is written during setup, so the measurement sees data changesets only
                    r.session.onActive(() ->
                    {
                        r.commitSchema();
                        active.countDown();
                    });
                    if (o.rate <= 0)
                    {
                        r.session.afterDownload(r::pump);
                    }
                }
                else
                {
                    if (kind == Kind.READER && !r.applies())
                    {
                        r.session.applyDownloads(false);
                    }
                    r.session.onActive(active::countDown);
                }
            }
            if (kind == Kind.WRITER && o.rate > 0)
            {
                final List<Role> writers = List.copyOf(group);
                conn.context().runOnContext(v -> conn.context().owner().setPeriodic(5, id ->
                {
                    final long now = System.nanoTime();
                    for (final Role r : writers)
                    {
                        r.tick(perWriterRate, now);
                    }
                }));
            }
            opens.add(conn.open());
            if (opens.size() >= 200)
            {
                awaitOpen(opens);
                opens.clear();
            }
        }
        awaitOpen(opens);
        final long timeoutMs = (long)(o.setupTimeout * 1000);
        final long start = System.nanoTime();
        while (!active.await(1, TimeUnit.SECONDS))
        {
            log.printf("  %s: %d of %d sessions active%n", kind, mine.size() - active.getCount(), mine.size());
            if (System.nanoTime() - start > TimeUnit.MILLISECONDS.toNanos(timeoutMs))
            {
                metrics.error("setup: " + active.getCount() + " " + kind + " sessions not active after " +
                    o.setupTimeout + " s");
                break;
            }
        }
    }

    /** Waits for connections to open (they retry with backoff while the server refuses), at most the setup timeout. */
    private void awaitOpen(final List<Future<Void>> opens) throws InterruptedException
    {
        try
        {
            Future.all(opens).toCompletionStage().toCompletableFuture().get((long)o.setupTimeout, TimeUnit.SECONDS);
        }
        catch (final java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException ex)
        {
            metrics.error("setup: connections not open after " + o.setupTimeout + " s: " + ex);
        }
    }

    private List<Credentials> login(final SyncClient client, final int n)
    {
        final List<Credentials> users = new ArrayList<>(n);
        for (int done = 0; done < n; )
        {
            final List<Future<Credentials>> batch = new ArrayList<>();
            for (int i = 0; i < 64 && done + i < n; i++)
            {
                batch.add(client.login());
            }
            Future.all(batch).await();
            for (final Future<Credentials> f : batch)
            {
                users.add(f.result());
            }
            done += batch.size();
        }
        return users;
    }

    private void measure(final JsonObject report, final ServerHandle server, final JsonObject storm) throws Exception
    {
        writing = true;
        for (final Role r : roles)
        {
            if (r.kind == Kind.WRITER)
            {
                final Role w = r;
                w.session.connection().context().runOnContext(v ->
                {
                    // open loop: a random phase, so writers' first commits spread over one period
                    w.startNanos = System.nanoTime() - (long)(ThreadLocalRandom.current().nextDouble() * 1e9 /
                        Math.max(1e-3, o.rate / Math.max(1, o.writers)));
                    if (o.rate <= 0)
                    {
                        w.pump();
                    }
                });
            }
        }
        // warm-up: run, then throw the histograms away
        recording = false;
        progress("warmup", o.warmup, null);
        recording = true;
        metrics.ack.reset();
        metrics.fanout.reset();
        metrics.ping.reset();
        final long[] before = counters();
        final long self = ProcessHandle.current().pid();
        final long selfCpu0 = ProcStats.cpuNanos(self);
        final JsonObject s0 = server.stats(false);
        final GcLog gcLog = server.gcLog();
        final long gcMark = null == gcLog ? 0 : gcLog.mark();
        final long m0 = System.nanoTime();
        CompletableFuture<JsonObject> stormDone = null;
        if (o.storm)
        {
            stormDone = storm();
        }
        final JsonObject peak = new JsonObject().put("rss", s0.getLong("rss")).put("heap_used", s0.getLong("heap_used"));
        progress("measure", o.duration, () ->
        {
            final JsonObject s = server.stats(false);
            peak.put("rss", Math.max(peak.getLong("rss"), s.getLong("rss")));
            peak.put("heap_used", Math.max(peak.getLong("heap_used"), s.getLong("heap_used")));
        });
        final double seconds = (System.nanoTime() - m0) / 1e9;
        final long[] after = counters();
        final long selfCpu1 = ProcStats.cpuNanos(self);
        final JsonObject s1 = server.stats(false);
        writing = false;
        if (stormDone != null)
        {
            try
            {
                storm.mergeIn(stormDone.get((long)o.setupTimeout, TimeUnit.SECONDS));
            }
            catch (final Exception ex)
            {
                storm.put("completed", false).put("error", ex.toString());
            }
        }
        final double acked = after[1] - before[1];
        report.put("measure_seconds", seconds);
        report.put("throughput", new JsonObject()
            .put("commits", after[0] - before[0]).put("acked", after[1] - before[1])
            .put("commits_per_s", (after[0] - before[0]) / seconds)
            .put("integrated_per_s", acked / seconds)
            .put("client_integrated_per_s", (after[2] - before[2]) / seconds)
            .put("fanout_deliveries_per_s", (after[3] - before[3]) / seconds)
            .put("bytes_sent_per_s", (after[4] - before[4]) / seconds)
            .put("bytes_received_per_s", (after[5] - before[5]) / seconds)
            .put("frames_sent_per_s", (after[6] - before[6]) / seconds)
            .put("frames_received_per_s", (after[7] - before[7]) / seconds)
            .put("downloads_received_per_s", (after[8] - before[8]) / seconds)
            .put("downloads_compressed_share", after[8] == before[8] ? 0 :
                (double)(after[9] - before[9]) / (after[8] - before[8]))
            .put("download_body_bytes_compressed_share", after[10] == before[10] ? 0 :
                (double)(after[11] - before[11]) / (after[10] - before[10])));
        report.put("latency", new JsonObject().put("upload_to_ack", LoadMetrics.json(ackTotal))
            .put("upload_to_fanout", LoadMetrics.json(fanoutTotal)).put("ping_rtt", LoadMetrics.json(pingTotal)));
        report.put("server_resources", serverResources(s0, s1, peak, seconds, server.kind())
            .put("gc_pauses", null == gcLog ? new JsonObject().put("readable", false).put("why",
                "external".equals(server.kind()) ? "no GC log of the server: give --server-gc-log FILE with --url" :
                "the in-process server shares this JVM and its collector: run it as a child (the default)") :
                gcLog.pausesSince(gcMark)));
        report.put("load_generator_cpu_cores", selfCpu0 < 0 ? -1 : (selfCpu1 - selfCpu0) / 1e9 / seconds);
        final JsonObject limits = report.getJsonObject("limits");
        if (limits != null)
        {
            final double append = limits.getJsonObject("chronicle_append").getLong("appends_per_s");
            final double echo = limits.getJsonObject("websocket_echo").getLong("messages_per_s");
            final double frames = (after[6] - before[6] + after[7] - before[7]) / seconds;
            report.put("fraction_of_limits", new JsonObject()
                .put("store_append", acked / seconds / append)
                .put("websocket_messages", frames / echo));
        }
    }

    /** Drops every reader connection at once; completes when all readers caught up again. */
    private CompletableFuture<JsonObject> storm()
    {
        final long start = System.nanoTime();
        final long reconnectsBefore = metrics.reconnects.sum();
        log.printf("storm: dropping %d reader connections%n", readerConnections.size());
        for (final ClientConnection c : readerConnections)
        {
            c.drop();
        }
        final List<CompletableFuture<Void>> synced = new ArrayList<>();
        for (final Role r : roles)
        {
            if (r.kind == Kind.READER)
            {
                synced.add(r.session.sync());
            }
        }
        return CompletableFuture.allOf(synced.toArray(new CompletableFuture[0])).thenApply(v ->
        {
            final double s = (System.nanoTime() - start) / 1e9;
            log.printf("storm: %d sessions caught up in %.2f s%n", synced.size(), s);
            return new JsonObject().put("completed", true).put("sessions", synced.size())
                .put("connections", readerConnections.size()).put("caught_up_seconds", s)
                .put("reconnects", metrics.reconnects.sum() - reconnectsBefore)
                .put("sessions_per_s", synced.size() / s);
        });
    }

    private long[] counters()
    {
        return new long[] {metrics.commits.sum(), metrics.acked.sum(), metrics.integrated.sum(),
            metrics.fannedOut.sum(), metrics.sent.sum(), metrics.received.sum(), metrics.framesSent.sum(),
            metrics.framesReceived.sum(), metrics.downloadsReceived.sum(), metrics.downloadsCompressed.sum(),
            metrics.downloadBodyBytes.sum(), metrics.compressedBodyBytes.sum()};
    }

    private void progress(final String phase, final double seconds, final Runnable everySecond)
        throws InterruptedException
    {
        final long start = System.nanoTime();
        final long end = start + (long)(seconds * 1e9);
        long[] last = counters();
        long lastT = start;
        while (System.nanoTime() < end)
        {
            Thread.sleep(Math.max(1, Math.min(1000, (end - System.nanoTime()) / 1_000_000)));
            final long now = System.nanoTime();
            final long[] c = counters();
            final double dt = (now - lastT) / 1e9;
            final Histogram ack = metrics.ack.getIntervalHistogram();
            final Histogram fan = metrics.fanout.getIntervalHistogram();
            final Histogram ping = metrics.ping.getIntervalHistogram();
            if (recording)
            {
                ackTotal.add(ack);
                fanoutTotal.add(fan);
                pingTotal.add(ping);
            }
            if (everySecond != null)
            {
                everySecond.run();
            }
            log.printf("[%s %5.1fs] acked %8.0f/s  integrated(clients) %8.0f/s  fan-out %8.0f/s  ack p50 %6.2f p99 %7.2f ms"
                + "  fan-out p99 %7.2f ms  in %6.2f MB/s out %6.2f MB/s  errors %d  reconnects %d%n",
                phase, (now - start) / 1e9, (c[1] - last[1]) / dt, (c[2] - last[2]) / dt, (c[3] - last[3]) / dt,
                ack.getValueAtPercentile(50) / 1000.0, ack.getValueAtPercentile(99) / 1000.0,
                fan.getValueAtPercentile(99) / 1000.0, (c[5] - last[5]) / dt / 1e6, (c[4] - last[4]) / dt / 1e6,
                metrics.errors.sum(), metrics.reconnects.sum());
            last = c;
            lastT = now;
        }
    }

    /** Why an external server's figures are missing from the report. */
    static final String UNREADABLE = "an external server's figures cannot be read from here; give --server-pid PID " +
        "when it runs on this machine (CPU and RSS; its heap stays unknown)";

    /**
     * The server's CPU, RSS and heap in the measured window: only the figures that could be read (an external
     * server's heap never, its CPU and RSS with {@code --server-pid}); none at all says so ({@code readable: false}).
     */
    static JsonObject serverResources(final JsonObject s0, final JsonObject s1, final JsonObject peak,
        final double seconds, final String kind)
    {
        final int cores = Runtime.getRuntime().availableProcessors();
        final JsonObject r = new JsonObject().put("machine_cores", cores);
        final boolean cpu = s0.getLong("cpu_ns") >= 0 && s1.getLong("cpu_ns") >= 0;
        final boolean rss = s1.getLong("rss") >= 0;
        final boolean heap = s1.getLong("heap_used") >= 0;
        if (cpu)
        {
            final long ns = s1.getLong("cpu_ns") - s0.getLong("cpu_ns");
            r.put("cpu_cores_used", ns / 1e9 / seconds).put("cpu_percent_of_machine", 100.0 * ns / 1e9 / seconds / cores);
        }
        if (rss)
        {
            r.put("rss_bytes", s1.getLong("rss")).put("rss_peak_bytes", peak.getLong("rss"));
        }
        if (heap)
        {
            r.put("heap_used_bytes", s1.getLong("heap_used")).put("heap_peak_bytes", peak.getLong("heap_used"))
                .put("heap_committed_bytes", s1.getLong("heap_committed"));
        }
        r.put("includes_load_generator", "in-process".equals(kind)).put("readable", cpu || rss || heap);
        if (!cpu || !rss || !heap)
        {
            r.put("unreadable_why", UNREADABLE);
        }
        return r;
    }

    private static JsonObject memory(final JsonObject base, final JsonObject after, final int sessions,
        final String kind)
    {
        final JsonObject m = new JsonObject().put("idle_sessions", sessions);
        final boolean heap = base.getLong("heap_used") >= 0 && after.getLong("heap_used") >= 0;
        final boolean rss = base.getLong("rss") >= 0 && after.getLong("rss") >= 0;
        if (heap)
        {
            final long delta = after.getLong("heap_used") - base.getLong("heap_used");
            m.put("heap_delta_bytes", delta).put("heap_per_session_bytes", delta / sessions);
        }
        if (rss)
        {
            final long delta = after.getLong("rss") - base.getLong("rss");
            m.put("rss_delta_bytes", delta).put("rss_per_session_bytes", delta / sessions);
        }
        m.put("includes_load_generator", "in-process".equals(kind)).put("readable", heap || rss);
        if (!heap || !rss)
        {
            m.put("unreadable_why", UNREADABLE);
        }
        return m;
    }

    /** Waits for writers, then readers, to be fully synced; compares object states. */
    private void drainAndCheck(final JsonObject report, final ServerHandle server, final SyncClient client)
        throws Exception
    {
        final long drainStart = System.nanoTime();
        final long deadline = drainStart + (long)(o.setupTimeout * 1e9);
        int unsynced = 0;
        final JsonObject drain = new JsonObject();
        for (final Kind kind : new Kind[] {Kind.WRITER, Kind.READER})
        {
            final List<CompletableFuture<Void>> fs = new ArrayList<>();
            for (final Role r : roles)
            {
                if (r.kind == kind)
                {
                    fs.add(r.session.sync());
                }
            }
            for (final CompletableFuture<Void> f : fs)
            {
                try
                {
                    f.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                }
                catch (final Exception ex)
                {
                    unsynced++;
                }
            }
            if (!fs.isEmpty())
            {
                // seconds from the end of the writes until every session of this kind was synced (upload acked and
                // a MARK round trip): for readers, how far behind the fan-out they were
                final double secs = (System.nanoTime() - drainStart) / 1e9;
                drain.put(kind.name().toLowerCase(java.util.Locale.ROOT) + "s_synced_after_s", secs);
                log.printf("drain: %d %s sessions synced %.2f s after the writes stopped%n", fs.size(), kind, secs);
            }
        }
        // group sessions by server file; check up to checkFiles files that have writers or readers
        final Map<String, List<Role>> byFile = new LinkedHashMap<>();
        for (final Role r : roles)
        {
            if (r.kind != Kind.IDLE)
            {
                byFile.computeIfAbsent(o.flx ? null : r.partition, k -> new ArrayList<>()).add(r);
            }
        }
        int files = 0;
        int sessions = 0;
        int mismatches = 0;
        int fresh = 0;
        int serverHashes = 0;
        int receiveChecked = 0;
        int comparisons = 0;
        final JsonArray examples = new JsonArray();
        for (final Map.Entry<String, List<Role>> e : byFile.entrySet())
        {
            if (files >= o.checkFiles)
            {
                break;
            }
            files++;
            String reference = server.stateHash(e.getKey());
            if (reference != null)
            {
                serverHashes++;
            }
            long referenceCount = -1;
            if (fresh < o.freshChecks)
            {
                fresh++;
                final long[] count = new long[1];
                final String f = freshDownload(client, e.getKey(), count);
                referenceCount = count[0];
                if (reference == null)
                {
                    reference = f;
                }
                else
                {
                    comparisons++;
                    if (!reference.equals(f))
                    {
                        mismatches++;
                        examples.add("fresh download of " + e.getKey() + " differs from the server");
                    }
                }
            }
            for (final Role r : e.getValue())
            {
                if (r.kind == Kind.READER && !r.applies())
                {
                    // received everything without applying: same cursor progress and count as a full client
                    final long[] p = r.session.progress().get(30, TimeUnit.SECONDS);
                    if (referenceCount < 0)
                    {
                        referenceCount = referenceFromAppliers(e.getValue());
                    }
                    receiveChecked++;
                    comparisons += referenceCount >= 0 ? 1 : 0;
                    if (referenceCount >= 0 && p[1] != referenceCount)
                    {
                        mismatches++;
                        if (examples.size() < 10)
                        {
                            examples.add("receive-only reader " + r.session.ident() + " of " + e.getKey() +
                                " received " + p[1] + " changesets, a full download has " + referenceCount);
                        }
                    }
                    continue;
                }
                if (!r.applies())
                {
                    continue; // an upload-only writer does not apply what others write: its state is its own objects
                }
                final String h = ServerHandle.sha256(r.session.stateDump().get(30, TimeUnit.SECONDS));
                sessions++;
                if (reference == null)
                {
                    reference = h;
                }
                else
                {
                    comparisons++;
                    if (!reference.equals(h))
                    {
                        mismatches++;
                        if (examples.size() < 10)
                        {
                            examples.add(r.kind + " session " + r.session.ident() + " of " + e.getKey() + " differs");
                        }
                    }
                }
            }
        }
        report.put("convergence", new JsonObject().put("files_checked", files).put("sessions_checked", sessions)
            .put("receive_only_sessions_checked", receiveChecked)
            .put("server_states_compared", serverHashes).put("fresh_downloads", fresh)
            .put("unsynced_sessions", unsynced).put("mismatches", mismatches).put("examples", examples)
            .put("comparisons", comparisons)
            .mergeIn(drain)
            .put("ok", mismatches == 0 && unsynced == 0 && comparisons > 0));
    }

    /** @return changesets integrated by an applying reader of the group (all equal when converged), or -1. */
    private long referenceFromAppliers(final List<Role> group) throws Exception
    {
        for (final Role r : group)
        {
            if (r.kind == Kind.READER && r.applies())
            {
                return r.session.progress().get(30, TimeUnit.SECONDS)[2];
            }
        }
        return -1;
    }

    private String freshDownload(final SyncClient client, final String partition, final long[] count)
        throws Exception
    {
        final Credentials user = client.login().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        final ClientConnection c = client.connection(user);
        try
        {
            final ClientSession s = c.addSession(partition == null ? "" : partition);
            c.open().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            s.sync().get(60, TimeUnit.SECONDS);
            count[0] = s.progress().get(30, TimeUnit.SECONDS)[2];
            return ServerHandle.sha256(s.stateDump().get(30, TimeUnit.SECONDS));
        }
        finally
        {
            c.close();
        }
    }

    private JsonObject limits() throws Exception
    {
        // payloads: the changesets this workload produces, encoded
        final ItemWorkload w = new ItemWorkload(o.objectIdKeys, o.keySpace, o.stringBytes, 42);
        final ClientIntegrator local = new ClientIntegrator(2);
        local.commitLocal(w.schema(), 1);
        final ChangesetWriter writer = new ChangesetWriter();
        final List<byte[]> payloads = new ArrayList<>();
        long total = 0;
        for (int i = 0; i < 1000; i++)
        {
            final Changeset c = w.transaction(local.state(), o.ops);
            local.commitLocal(c, 2 + i);
            final byte[] b = writer.toBytes(c);
            payloads.add(b);
            total += b.length;
        }
        final int frame = (int)(total / payloads.size()) + 64; // upload head and entry header
        log.printf("limits: Chronicle append of %d-byte changesets, WebSocket echo of %d-byte messages (%.0f s each)%n",
            total / payloads.size(), frame, o.limitSeconds);
        final JsonObject append = Limits.chronicleAppend(payloads, o.limitSeconds);
        final JsonObject echo = Limits.webSocketEcho(frame, 4, 32, o.limitSeconds);
        log.printf("limits: %d appends/s, %d echo messages/s (p99 %.2f ms)%n", append.getLong("appends_per_s"),
            echo.getLong("messages_per_s"), echo.getJsonObject("latency").getLong("p99_us") / 1000.0);
        return new JsonObject().put("chronicle_append", append).put("websocket_echo", echo);
    }

    private void summary(final JsonObject r)
    {
        final JsonObject t = r.getJsonObject("throughput");
        final JsonObject l = r.getJsonObject("latency");
        log.println("---- result (" + o.out + ")");
        if (t != null)
        {
            log.printf("integrated %.0f changesets/s (server), %.0f/s integrated by clients, fan-out %.0f/s%n",
                t.getDouble("integrated_per_s"), t.getDouble("client_integrated_per_s"),
                t.getDouble("fanout_deliveries_per_s"));
            log.printf("upload->ack %s%nupload->fan-out %s%n", l.getJsonObject("upload_to_ack").encode(),
                l.getJsonObject("upload_to_fanout").encode());
            final JsonObject res = r.getJsonObject("server_resources");
            log.println(res.getBoolean("readable") ? "server " + res.encode() : "server figures: not readable (" +
                UNREADABLE + ")");
        }
        if (r.containsKey("memory"))
        {
            log.println("memory " + r.getJsonObject("memory").encode());
        }
        if (r.containsKey("fraction_of_limits"))
        {
            log.println("fraction of limits " + r.getJsonObject("fraction_of_limits").encode());
        }
        if (r.containsKey("storm"))
        {
            log.println("storm " + r.getJsonObject("storm").encode());
        }
        log.println("convergence " + r.getJsonObject("convergence").encode());
        log.println("errors " + r.getJsonObject("errors").encode() + " reconnects " + r.getLong("reconnects"));
        log.println(r.getString("verdict") + ": " + r.getString("checked"));
        if (o.url != null)
        {
            final JsonObject cleanup = r.getJsonObject("cleanup");
            if (cleanup != null)
            {
                log.println("cleanup: deleted " + cleanup.getInteger("deleted") + " of " +
                    cleanup.getInteger("partitions") + " partitions this run created on " + o.url +
                    (cleanup.containsKey("skipped") ? " (" + cleanup.getString("skipped") + ")" : "") +
                    (cleanup.getInteger("failed") > 0 ? "; " + cleanup.getInteger("failed") + " failed: " +
                    cleanup.getString("first_error") : ""));
            }
            if (cleanup == null || cleanup.getInteger("deleted") + cleanup.getInteger("not_found") <
                cleanup.getInteger("partitions"))
            {
                leftBehind();
            }
        }
    }

    /**
     * On an external server with an admin key: delete every partition this run created (its own run-tagged ones;
     * with --no-run-tag the partitions are shared with other runs and stay) through the admin API, schema and all.
     *
     * @return {"partitions", "deleted", "not_found", "failed", "first_error"?, "skipped"?}.
     */
    private JsonObject cleanUp()
    {
        final java.util.Set<String> partitions = new java.util.TreeSet<>();
        for (final Role role : roles)
        {
            partitions.add(role.partition);
        }
        final JsonObject out = new JsonObject().put("partitions", partitions.size()).put("deleted", 0)
            .put("not_found", 0).put("failed", 0);
        if (partitionPrefix.isEmpty())
        {
            return out.put("skipped", "--no-run-tag: the partitions are shared with other runs");
        }
        final String base = o.adminBaseUrl() + "/api/admin/v3.0/groups/-/apps/" +
            java.net.URLEncoder.encode(o.app, StandardCharsets.UTF_8) + "/sync/files?schema=drop&partition=";
        final java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder()
            .connectTimeout(java.time.Duration.ofSeconds(5)).build();
        int deleted = 0;
        int notFound = 0;
        int failed = 0;
        String firstError = null;
        for (final String partition : partitions)
        {
            String error;
            try
            {
                final java.net.http.HttpResponse<String> r = http.send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(base + java.net.URLEncoder.encode(partition, StandardCharsets.UTF_8)))
                    .timeout(java.time.Duration.ofSeconds(60)).header("Authorization", "Bearer " + o.adminKey)
                    .DELETE().build(), java.net.http.HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 204)
                {
                    deleted++;
                    continue;
                }
                if (r.statusCode() == 404 && r.body().contains("no server file"))
                {
                    notFound++; // never bound (nothing to delete)
                    continue;
                }
                error = "HTTP " + r.statusCode() + " " + r.body();
            }
            catch (final java.io.IOException ex)
            {
                error = "admin API at " + o.adminBaseUrl() + " unreachable: " + ex.getMessage();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                error = "interrupted";
            }
            failed++;
            if (firstError == null)
            {
                firstError = error.length() > 300 ? error.substring(0, 300) : error;
            }
            if (error.startsWith("HTTP 401") || error.startsWith("admin API") || error.equals("interrupted"))
            {
                failed += partitions.size() - deleted - notFound - failed; // the rest would fail the same way
                break;
            }
        }
        out.put("deleted", deleted).put("not_found", notFound).put("failed", failed);
        if (firstError != null)
        {
            out.put("first_error", firstError);
        }
        return out;
    }

    /**
     * On an external server without an admin key (or with --no-run-tag, or FLX) the run's data stays: say where it
     * is, how to see it and how to have it deleted.
     */
    private void leftBehind()
    {
        final String files = "/api/admin/v3.0/groups/-/apps/" + o.app + "/sync/files";
        if (o.flx)
        {
            log.println("left this run's objects in the app's FLX server file flx/" + o.app + " on " + o.url +
                "; see it with the admin API (admin listener: the server's port + 1 by default): curl -H " +
                "\"Authorization: Bearer $(cat DATA_DIR/admin.key)\" 'ADMIN_URL" + files + "?prefix=flx/'");
            return;
        }
        final java.util.Set<String> partitions = new java.util.TreeSet<>();
        for (final Role role : roles)
        {
            partitions.add(role.partition);
        }
        log.println("left " + partitions.size() + " partitions on " + o.url + " (BIND paths starting with \"" +
            partitionPrefix + "); give --admin-key-file DATA_DIR/admin.key to have them deleted at the end, or list " +
            "them with the admin API (admin listener: the server's port + 1 by default): curl -H \"Authorization: " +
            "Bearer $(cat DATA_DIR/admin.key)\" 'ADMIN_URL" + files + "?prefix=pbs/" + o.app + "/%22" +
            partitionPrefix + "&limit=1000'");
    }
}
