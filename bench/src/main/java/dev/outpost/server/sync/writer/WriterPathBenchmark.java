package dev.outpost.server.sync.writer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import dev.outpost.codec.CodecException;
import dev.outpost.codec.changeset.Instr;
import dev.outpost.codec.message.EntryEncoder;
import dev.outpost.codec.message.UploadEntryIterator;
import dev.outpost.ot.model.ChangesetWriter;
import dev.outpost.ot.state.ChangesetBuilder;
import dev.outpost.ot.state.Value;
import dev.outpost.server.metrics.ServerMetrics;
import dev.outpost.server.store.ClientFileRecord;
import dev.outpost.server.store.HistoryStore;
import dev.outpost.server.store.StoreConfig;
import dev.outpost.server.store.StoreOpenException;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The writer path of one non-conflicting UPLOAD of {@code changesets} small changesets (each updates one object's
 * string field): the handoff copy the session makes ({@link UploadCheck#entries} into {@link UploadChangesets}), an
 * {@link UploadCommand} run as the shard writer runs it (parse, checks, integration with nothing concurrent, apply,
 * append, client cursor) and its completion, with one publish per {@value #BATCH} uploads (a writer batch under load).
 * One client, based on the head: nothing to transform.
 * <p>
 * It lives in the writer's package to run commands without the writer thread (the same calls, one command per
 * batch). Run with {@code java -jar bench/target/benchmarks.jar WriterPathBenchmark -prof gc}; B/op
 * ({@code gc.alloc.rate.norm}) is per UPLOAD.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class WriterPathBenchmark
{
    private static final int OBJECTS = 1024;
    private static final int VARIANTS = 64;
    private static final int BATCH = 16;

    @Param({"1", "10"})
    public int changesets;

    private Path dir;
    private HistoryStore store;
    private ShardWriter writer;
    private FileContext ctx;
    private long clientIdent;
    private UploadCheck check;
    private final UploadSequence sequence = new UploadSequence();
    private final UploadEntryIterator entries = new UploadEntryIterator();
    private final ExpandableArrayBuffer body = new ExpandableArrayBuffer(4096);
    private UnsafeBuffer[] payloads;
    private long clientVersion;
    private long acked;
    private final UploadCommand[] batch = new UploadCommand[BATCH];
    private int batched;
    private final ResultCallback<UploadCommand.Result> callback = (r, failure) ->
    {
        if (failure != null || r.error() != null)
        {
            throw new IllegalStateException("upload failed: " + (failure != null ? failure : r.message()));
        }
        acked = r.storedClient();
    };

    @Setup(Level.Trial)
    public void setUp() throws IOException, StoreOpenException
    {
        dir = Files.createTempDirectory("outpost-bench-writer");
        store = HistoryStore.open(new StoreConfig().dataDir(dir).shardCount(1).fsync(false));
        store.shard(0).claimWriter();
        writer = new ShardWriter(store, 0, new java.util.concurrent.ConcurrentHashMap<>(), 64, new ServerMetrics().app("bench"));
        ctx = writer.open("/bench/writer");
        final ClientFileRecord client = writer.shard.allocateClientFile(ctx.file, 0, 0);
        clientIdent = client.ident();
        check = new UploadCheck(0, 0, clientIdent);
        final ChangesetBuilder schema = new ChangesetBuilder();
        schema.addTable("Item", Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_INT, false);
        schema.addColumn("Item", "name", Instr.TYPE_STRING, false, Instr.COLLECTION_SINGLE, null, 0);
        for (long k = 0; k < OBJECTS; k++)
        {
            schema.createObject("Item", new Value.Int(k));
        }
        upload(new UnsafeBuffer[] {new UnsafeBuffer(new ChangesetWriter().toBytes(schema.changeset()))});
        publish();
        payloads = new UnsafeBuffer[VARIANTS];
        for (int i = 0; i < VARIANTS; i++)
        {
            final ChangesetBuilder b = new ChangesetBuilder();
            final long k = (i * 37L) % OBJECTS;
            b.update("Item", new Value.Int(k), "name", new Object[0], Instr.TYPE_STRING,
                new Value.Str("name-" + i + "-" + k), false, -1);
            payloads[i] = new UnsafeBuffer(new ChangesetWriter().toBytes(b.changeset()));
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException
    {
        publish();
        store.close();
        try (var paths = Files.walk(dir))
        {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Benchmark
    public long upload()
    {
        final UnsafeBuffer[] group = new UnsafeBuffer[changesets];
        for (int i = 0; i < changesets; i++)
        {
            group[i] = payloads[(int)((clientVersion + i) % VARIANTS)];
        }
        return upload(group);
    }

    private long upload(final UnsafeBuffer[] group)
    {
        final long head = ctx.file.lastAppended();
        final long from = clientVersion;
        int length = 0;
        for (final UnsafeBuffer cs : group)
        {
            length += EntryEncoder.uploadEntry(body, length, ++clientVersion, head, 1, 0, cs, 0, cs.capacity());
        }
        // the session's handoff: the changesets copied out of the frame
        final UploadChangesets copied = writer.uploadBuffers().acquire();
        try
        {
            if (check.entries(entries.wrap(body, 0, length), clientVersion, head, from, head, copied) != null)
            {
                throw new IllegalStateException("upload refused");
            }
        }
        catch (final CodecException ex)
        {
            throw new IllegalStateException(ex);
        }
        final UploadCommand cmd = new UploadCommand(new UploadCommand.Input(ctx, clientIdent, clientVersion, head,
            head, null, copied, null, check, sequence), callback);
        writer.shard.beginCommand();
        cmd.execute(writer);
        writer.shard.endCommand();
        batch[batched++] = cmd;
        if (batched == BATCH)
        {
            publish();
        }
        return acked;
    }

    private void publish()
    {
        writer.shard.publish();
        for (int i = 0; i < batched; i++)
        {
            batch[i].complete();
            batch[i] = null;
        }
        batched = 0;
    }
}
