package dev.outpost.bench.harness;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

import org.HdrHistogram.Histogram;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.ExpandableDirectByteBuffer;

import dev.outpost.bench.client.ItemWorkload;
import dev.outpost.codec.CodecException;
import dev.outpost.codec.message.ClientMessageDecoder;
import dev.outpost.codec.message.ClientMessageEncoder;
import dev.outpost.codec.message.EntryEncoder;
import dev.outpost.codec.message.ServerMessageEncoder;
import dev.outpost.codec.message.UploadEntryIterator;
import dev.outpost.ot.model.Changeset;
import dev.outpost.ot.model.ChangesetReader;
import dev.outpost.ot.model.ChangesetWriter;
import dev.outpost.ot.state.ObjectState;
import dev.outpost.ot.sync.ClientIntegrator;
import dev.outpost.ot.sync.DownloadBatch;
import dev.outpost.ot.sync.HistoryEntry;
import dev.outpost.ot.sync.InMemoryServerFile;
import dev.outpost.ot.sync.IntegrationResult;
import dev.outpost.ot.sync.ServerHistory;
import dev.outpost.ot.sync.ServerIntegrator;
import dev.outpost.ot.sync.UploadBatch;
import dev.outpost.ot.sync.UploadEntry;
import dev.outpost.server.store.EntryView;
import dev.outpost.server.store.HistoryStore;
import dev.outpost.server.store.ServerFile;
import dev.outpost.server.store.StoreConfig;
import dev.outpost.server.store.StoreShard;
import io.vertx.core.json.JsonObject;

/**
 * The server's internal path without a network, one thread, one server file:
 * <ol>
 * <li>decode an UPLOAD frame ({@code ClientMessageDecoder}, {@code UploadEntryIterator}, {@code ChangesetReader});</li>
 * <li>integrate it with ot-core's {@link ServerIntegrator} (merge against concurrent history, apply to the
 * server's object state);</li>
 * <li>append the result to the Chronicle history store ({@link StoreShard#append}, then publish);</li>
 * <li>fan out: for each of {@code --fanout} receivers read the new entries back from the store and encode a
 * DOWNLOAD message.</li>
 * </ol>
 * Simulated clients (ot-core {@link ClientIntegrator}s, outside the timed region) write from stale server versions
 * and download only every {@code --lag} uploads, so the merge does real work. Reports uploads/s and changesets/s
 * of the timed path alone ({@code path_*}: what one server-file writer thread could sustain) and of the wall clock
 * including the simulated clients ({@code wall_*}), a latency histogram of the whole path per UPLOAD, and the time
 * split by stage.
 * <p>
 * {@code java <flags> -cp bench/target/benchmarks.jar dev.outpost.bench.harness.InternalPathHarness
 * [--clients 8] [--ops 5] [--fanout 4] [--lag 8] [--seconds 10] [--warmup 2] [--out harness.json]}
 */
public final class InternalPathHarness
{
    private final int clients;
    private final int ops;
    private final int fanout;
    private final int lag;

    private InternalPathHarness(final int clients, final int ops, final int fanout, final int lag)
    {
        this.clients = clients;
        this.ops = ops;
        this.fanout = fanout;
        this.lag = lag;
    }

    public static void main(final String[] args) throws Exception
    {
        final Map<String, String> a = new HashMap<>(Map.of("--clients", "8", "--ops", "5", "--fanout", "4",
            "--lag", "8", "--seconds", "10", "--warmup", "2", "--out", "harness-result.json"));
        for (int i = 0; i + 1 < args.length; i += 2)
        {
            if (!a.containsKey(args[i]))
            {
                System.err.println("options: " + a.keySet());
                System.exit(2);
            }
            a.put(args[i], args[i + 1]);
        }
        final JsonObject r = run(Integer.parseInt(a.get("--clients")), Integer.parseInt(a.get("--ops")),
            Integer.parseInt(a.get("--fanout")), Integer.parseInt(a.get("--lag")),
            Double.parseDouble(a.get("--warmup")), Double.parseDouble(a.get("--seconds")), System.out);
        Files.writeString(Path.of(a.get("--out")), r.encodePrettily());
        System.exit(r.getBoolean("ok") ? 0 : 1);
    }

    /** Runs warm-up then measurement; returns the report. */
    public static JsonObject run(final int clients, final int ops, final int fanout, final int lag,
        final double warmup, final double seconds, final PrintStream log) throws Exception
    {
        System.setProperty("chronicle.analytics.disable", "true");
        System.setProperty("chronicle.announcer.disable", "true");
        final Path dir = Files.createTempDirectory("outpost-harness");
        try (HistoryStore store = HistoryStore.open(new StoreConfig().dataDir(dir).shardCount(1)))
        {
            final InternalPathHarness h = new InternalPathHarness(clients, ops, fanout, lag);
            final Run warm = h.new Run(store.shard(0), "harness-warmup");
            warm.loop(warmup);
            final Run run = h.new Run(store.shard(0), "harness");
            final JsonObject r = run.loop(seconds);
            log.println("internal path: " + r.encode());
            return r;
        }
        finally
        {
            deleteTree(dir);
        }
    }

    private final class Run
    {
        final StoreShard shard;
        final ServerFile file;
        final ObjectState state = new ObjectState();
        final StoreBackedHistory history;
        final ServerIntegrator integrator;
        final Sim[] sims;
        final ClientMessageEncoder clientEncoder = new ClientMessageEncoder();
        final ClientMessageDecoder decoder = new ClientMessageDecoder();
        final UploadEntryIterator entries = new UploadEntryIterator();
        final ChangesetReader reader = new ChangesetReader();
        final ChangesetWriter writer = new ChangesetWriter();
        final ServerMessageEncoder serverEncoder = new ServerMessageEncoder();
        final EntryView view = new EntryView();
        final ExpandableArrayBuffer frame = new ExpandableArrayBuffer(64 * 1024);
        final ExpandableArrayBuffer body = new ExpandableArrayBuffer(64 * 1024);
        final ExpandableArrayBuffer scratch = new ExpandableArrayBuffer(64 * 1024);
        final ExpandableDirectByteBuffer downloadBody = new ExpandableDirectByteBuffer(64 * 1024);
        final ExpandableDirectByteBuffer downloadFrame = new ExpandableDirectByteBuffer(64 * 1024);
        final Histogram latency = new Histogram(60_000_000_000L, 3);
        long decodeNs;
        long integrateNs;
        long fanoutNs;
        long uploads;
        long changesets;
        long bytes;
        long downloadBytes;
        int failures;
        String firstFailure;

        Run(final StoreShard shard, final String name)
        {
            this.shard = shard;
            shard.claimWriter();
            this.file = shard.createServerFile(name);
            this.history = new StoreBackedHistory(shard, file);
            this.integrator = new ServerIntegrator(history, state);
            this.sims = new Sim[clients];
            for (int i = 0; i < clients; i++)
            {
                sims[i] = new Sim(i + 2, new ItemWorkload(false, 200, 16, 1000 + i));
            }
        }

        JsonObject loop(final double seconds) throws CodecException
        {
            final long end = System.nanoTime() + (long)(seconds * 1e9);
            final long start = System.nanoTime();
            int next = 0;
            while (System.nanoTime() < end)
            {
                final Sim sim = sims[next];
                next = (next + 1) % sims.length;
                final int length = sim.nextUpload();
                if (length > 0)
                {
                    serve(sim, length);
                }
                if (++sim.sinceDownload >= lag)
                {
                    sim.download();
                }
            }
            final double s = (System.nanoTime() - start) / 1e9;
            final double total = decodeNs + integrateNs + fanoutNs;
            final double pathSeconds = total / 1e9;
            return new JsonObject().put("uploads", uploads).put("changesets", changesets)
                .put("path_uploads_per_s", uploads / pathSeconds).put("path_changesets_per_s", changesets / pathSeconds)
                .put("wall_uploads_per_s", uploads / s).put("wall_changesets_per_s", changesets / s)
                .put("upload_bytes_per_s", bytes / s).put("download_bytes_per_s", downloadBytes / s)
                .put("latency", new JsonObject().put("count", latency.getTotalCount())
                    .put("p50_us", latency.getValueAtPercentile(50) / 1000.0)
                    .put("p99_us", latency.getValueAtPercentile(99) / 1000.0)
                    .put("p999_us", latency.getValueAtPercentile(99.9) / 1000.0)
                    .put("max_us", latency.getMaxValue() / 1000.0))
                .put("stage_share", new JsonObject().put("decode", decodeNs / total)
                    .put("integrate_and_append", integrateNs / total).put("fanout_encode", fanoutNs / total))
                .put("clients", clients).put("ops", ops).put("fanout", fanout).put("lag", lag)
                .put("head", history.headVersion()).put("failures", failures).put("first_failure", firstFailure)
                .put("seconds", s).put("ok", failures == 0 && uploads > 0);
        }

        /** The timed path for one UPLOAD frame of {@code sim}. */
        void serve(final Sim sim, final int length) throws CodecException
        {
            final long t0 = System.nanoTime();
            decoder.wrap(frame, 0, length);
            entries.wrap(frame, decoder.bodyOffset(), decoder.bodyLength());
            final ArrayList<UploadEntry> list = new ArrayList<>();
            while (entries.next())
            {
                final Changeset c = reader.read(entries.buffer(), entries.changesetOffset(), entries.changesetLength(),
                    new Changeset());
                list.add(new UploadEntry(entries.clientVersion(), entries.serverVersion(), entries.originTimestamp(), c));
            }
            final long t1 = System.nanoTime();
            final long before = history.headVersion();
            final IntegrationResult r = integrator.integrateUpload(sim.ident, sim.file, decoder.progressClientVersion(),
                decoder.progressServerVersion(), decoder.lockedServerVersion(), list);
            shard.publish();
            final long t2 = System.nanoTime();
            if (!r.ok())
            {
                failures++;
                if (firstFailure == null)
                {
                    firstFailure = r.errorCode() + " " + r.message();
                }
                sim.resync(history);
                return;
            }
            // fan-out: each receiver gets the new entries read back from the store, as one DOWNLOAD
            final long head = history.headVersion();
            for (int f = 0; f < fanout; f++)
            {
                int n = 0;
                for (long v = before + 1; v <= head; v++)
                {
                    shard.readEntry(file, v, view);
                    n += EntryEncoder.downloadEntry(downloadBody, n, v, 0, view.timestamp(), view.originFileIdent(),
                        view.originalSize(), view.changeset(), 0, view.changesetLength());
                }
                final int len = serverEncoder.download(downloadFrame, 0, 1, head, 0, head, file.salt(head), 0, 0, 0, 0,
                    0, 0, false, n, downloadBody, 0, n);
                downloadBytes += len;
            }
            final long t3 = System.nanoTime();
            decodeNs += t1 - t0;
            integrateNs += t2 - t1;
            fanoutNs += t3 - t2;
            latency.recordValue(t3 - t0);
            uploads++;
            changesets += list.size();
            bytes += length;
        }

        /** A simulated client: its integrator, its client file on the server and its workload. */
        private final class Sim
        {
            final long ident;
            final ItemWorkload workload;
            /** Kept in memory: the harness measures the history append, not client-state records. */
            final InMemoryServerFile.InMemoryClientFile file = new InMemoryServerFile.InMemoryClientFile();
            ClientIntegrator client;
            long sent;
            int sinceDownload;
            boolean schema;

            Sim(final long ident, final ItemWorkload workload)
            {
                this.ident = ident;
                this.workload = workload;
                this.client = new ClientIntegrator(ident);
            }

            /** Commits one transaction and encodes the UPLOAD frame into {@code frame}; returns its length. */
            int nextUpload()
            {
                if (!schema)
                {
                    schema = true;
                    client.commitLocal(workload.schema(), System.currentTimeMillis());
                }
                client.commitLocal(workload.transaction(client.state(), ops), System.currentTimeMillis());
                final UploadBatch batch = client.pendingUpload();
                int n = 0;
                for (final UploadEntry e : batch.entries())
                {
                    if (e.clientVersion() <= sent)
                    {
                        continue;
                    }
                    final int len = writer.encode(e.changeset(), scratch, 0);
                    n += EntryEncoder.uploadEntry(body, n, e.clientVersion(), e.serverVersion(), e.originTimestamp(), 0,
                        scratch, 0, len);
                }
                if (n == 0)
                {
                    return 0;
                }
                sent = batch.progressClientVersion();
                return clientEncoder.upload(frame, 0, 1, false, n, batch.progressClientVersion(),
                    batch.progressServerVersion(), batch.progressServerVersion(), body, 0, n);
            }

            void download()
            {
                sinceDownload = 0;
                final DownloadBatch b = DownloadBatch.scan(history, ident, client.downloadServerVersion(),
                    client.downloadClientVersion(), Integer.MAX_VALUE);
                final IntegrationResult r = client.integrate(b, file);
                if (!r.ok())
                {
                    failures++;
                    if (firstFailure == null)
                    {
                        firstFailure = "client " + ident + ": " + r.message();
                    }
                }
            }

            void resync(final ServerHistory h)
            {
                download();
            }
        }
    }

    /** History in the Chronicle store, with recent entries cached as parsed changesets (as the server does). */
    private static final class StoreBackedHistory implements ServerHistory
    {
        private final StoreShard shard;
        private final ServerFile file;
        private final ChangesetWriter writer = new ChangesetWriter();
        private final ChangesetReader reader = new ChangesetReader();
        private final EntryView view = new EntryView();
        private final ExpandableDirectByteBuffer buf = new ExpandableDirectByteBuffer(64 * 1024);
        private final LinkedHashMap<Long, HistoryEntry> cache = new LinkedHashMap<>(256, 0.75f, true)
        {
            protected boolean removeEldestEntry(final Map.Entry<Long, HistoryEntry> eldest)
            {
                return size() > 4096;
            }
        };

        StoreBackedHistory(final StoreShard shard, final ServerFile file)
        {
            this.shard = shard;
            this.file = file;
        }

        public long headVersion()
        {
            return file.lastAppended();
        }

        public HistoryEntry entry(final long v)
        {
            HistoryEntry e = cache.get(v);
            if (e == null)
            {
                if (!shard.readEntry(file, v, view))
                {
                    throw new IllegalStateException("missing entry " + v);
                }
                try
                {
                    final Changeset c = reader.read(view.changeset(), 0, view.changesetLength(), new Changeset());
                    e = new HistoryEntry(view.originFileIdent() == 1 ? 0 : view.originFileIdent(), view.clientVersion(),
                        view.timestamp(), c);
                }
                catch (final CodecException ex)
                {
                    throw new IllegalStateException(ex);
                }
                cache.put(v, e);
            }
            return e;
        }

        public void append(final HistoryEntry entry)
        {
            final int length = writer.encode(entry.changeset(), buf, 0);
            final long origin = entry.originFileIdent() == 0 ? 1 : entry.originFileIdent();
            final long v = shard.append(file, origin, entry.clientVersion(), entry.originTimestamp(), length, buf, 0,
                length);
            if (v < 0)
            {
                throw new IllegalStateException("append rejected");
            }
            cache.put(v, entry);
        }
    }

    private static void deleteTree(final Path dir) throws java.io.IOException
    {
        try (var s = Files.walk(dir))
        {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
