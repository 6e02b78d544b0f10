package dev.outpost.bench.ot;

import java.util.List;
import java.util.concurrent.TimeUnit;

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
import org.openjdk.jmh.annotations.Warmup;

import dev.outpost.codec.changeset.Instr;
import dev.outpost.ot.model.AddColumn;
import dev.outpost.ot.model.AddTable;
import dev.outpost.ot.model.Changeset;
import dev.outpost.ot.model.CreateObject;
import dev.outpost.ot.model.Path;
import dev.outpost.ot.model.Payload;
import dev.outpost.ot.model.PrimaryKey;
import dev.outpost.ot.model.Update;
import dev.outpost.ot.state.ObjectState;
import dev.outpost.ot.sync.HistoryEntry;
import dev.outpost.ot.sync.InMemoryServerFile;
import dev.outpost.ot.sync.IntegrationResult;
import dev.outpost.ot.sync.ServerHistory;
import dev.outpost.ot.sync.ServerIntegrator;
import dev.outpost.ot.sync.TouchIndex;
import dev.outpost.ot.sync.UploadEntry;

/**
 * One {@link ServerIntegrator#integrateUpload} of a one-changeset upload whose base is {@code window} versions
 * behind the head, all of that window written by other clients on objects of their own (scenario (a) of the load
 * generator: {@value #WRITERS} writers, each updating its own object). {@code fastPath=true}: the integrator's
 * {@link TouchIndex} sees that nothing meets and skips the merge; {@code false}: the full merge against the window
 * (reads, copies and merges {@code window} changesets). Both include the cursor checks, the apply to the object state
 * and the append.
 * <p>
 * The history is a ring of the last {@code 2 * window + WRITERS} entries (older ones are never read), so memory
 * stays flat however many uploads an iteration makes.
 * Run: {@code java -jar bench/target/benchmarks.jar IntegrateBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class IntegrateBenchmark
{
    static final int WRITERS = 100;

    @Param({"10", "100", "1000"})
    int window;

    @Param({"true", "false"})
    boolean fastPath;

    private RingHistory history;
    private ServerIntegrator integrator;
    private InMemoryServerFile.InMemoryClientFile[] clients;
    private Changeset[] changes;
    private long[] clientVersions;
    private int next;

    @Setup(Level.Iteration)
    public void setup()
    {
        history = new RingHistory(2 * window + WRITERS);
        final ObjectState state = new ObjectState();
        integrator = new ServerIntegrator(history, state, fastPath ? new TouchIndex() : null);
        clients = new InMemoryServerFile.InMemoryClientFile[WRITERS];
        changes = new Changeset[WRITERS];
        clientVersions = new long[WRITERS];
        for (int w = 0; w < WRITERS; w++)
        {
            clients[w] = new InMemoryServerFile.InMemoryClientFile();
            final PrimaryKey key = PrimaryKey.ofInt(w);
            final Changeset cs = new Changeset();
            cs.add(new Update("Item", key, "n", new Path(), Payload.ofInt(w), false));
            changes[w] = cs;
        }
        // Version 1: the schema and every writer's object, then a full window of concurrent writes.
        final Changeset schema = new Changeset();
        schema.add(new AddTable("Item", Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_INT, false));
        schema.add(new AddColumn("Item", "n", Instr.TYPE_INT, true));
        for (int w = 0; w < WRITERS; w++)
        {
            schema.add(new CreateObject("Item", PrimaryKey.ofInt(w)));
        }
        upload(0, schema, 0);
        next = 1;
        for (int i = 0; i < window; i++)
        {
            step();
        }
    }

    private IntegrationResult upload(final int writer, final Changeset cs, final long base)
    {
        final long cv = ++clientVersions[writer];
        final IntegrationResult r = integrator.integrateUpload(writer + 2L, clients[writer], cv, base, base,
            List.of(new UploadEntry(cv, base, 1_000 + history.headVersion(), cs)));
        if (!r.ok())
        {
            throw new IllegalStateException(r.message());
        }
        return r;
    }

    private IntegrationResult step()
    {
        final int writer = next;
        next = next + 1 == WRITERS ? 0 : next + 1;
        final long base = Math.max(Math.max(1, history.headVersion() - window), clients[writer].rhBaseVersion());
        return upload(writer, changes[writer], base);
    }

    @Benchmark
    public IntegrationResult integrate()
    {
        return step();
    }

    /** The last {@code capacity} history entries. */
    static final class RingHistory implements ServerHistory
    {
        private final HistoryEntry[] ring;
        private long head;

        RingHistory(final int capacity)
        {
            ring = new HistoryEntry[capacity];
        }

        public long headVersion()
        {
            return head;
        }

        public HistoryEntry entry(final long serverVersion)
        {
            if (serverVersion <= head - ring.length || serverVersion > head)
            {
                throw new IllegalStateException("entry " + serverVersion + " outside the ring (head " + head + ")");
            }
            return ring[(int)(serverVersion % ring.length)];
        }

        public void append(final HistoryEntry entry)
        {
            head++;
            ring[(int)(head % ring.length)] = entry;
        }
    }
}
