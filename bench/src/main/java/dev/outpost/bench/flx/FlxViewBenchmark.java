package dev.outpost.bench.flx;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import dev.outpost.codec.changeset.Instr;
import dev.outpost.ot.model.Changeset;
import dev.outpost.ot.query.CompiledQuery;
import dev.outpost.ot.query.StateObjectView;
import dev.outpost.ot.state.ChangesetApplier;
import dev.outpost.ot.state.ChangesetBuilder;
import dev.outpost.ot.state.ObjectData;
import dev.outpost.ot.state.ObjectState;
import dev.outpost.ot.state.Value;
import dev.outpost.server.sync.flx.DownloadTrim;
import dev.outpost.server.sync.flx.FlxQuery;
import dev.outpost.server.sync.flx.FlxView;
import dev.outpost.server.sync.flx.ViewFilter;
import dev.outpost.server.sync.flx.ViewLog;

/**
 * FLX views (issue 11): query evaluation per object, and the per-changeset view work of 1,000 sessions.
 * <ul>
 * <li>{@code evaluateEquals} / {@code evaluateCompound}: one compiled query ({@code owner_id == "user-7"}, and
 * {@code status IN {...} and owner_id BEGINSWITH "user-1" or priority > 3}) on one object: ns/object.</li>
 * <li>{@code fanOutNarrow}: one changeset updating one field of one object, filtered for 1,000 sessions each with its
 * own {@code owner_id == "user-i"} query (the work {@code ViewFilter} adds per session); {@code fanOutWhole}: the same
 * changeset trimmed for 1,000 TRUEPREDICATE sessions (today's class-only trim). Parsing and encoding, shared by both
 * paths, are not included.</li>
 * <li>{@code recordAnnotation}: the writer's side per changeset (copies before, after-state, annotation).</li>
 * </ul>
 * Run: {@code java -jar bench/target/benchmarks.jar FlxViewBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class FlxViewBenchmark
{
    static final int SESSIONS = 1000;
    static final int OBJECTS = 10_000;

    private final StateObjectView view = new StateObjectView();
    private ObjectState state;
    private ObjectData object;
    private CompiledQuery equals;
    private CompiledQuery compound;
    private final List<FlxView> narrow = new ArrayList<>();
    private final List<FlxView> whole = new ArrayList<>();
    private ViewLog log;
    private Changeset change;
    private long version;

    @Setup
    public void setup()
    {
        state = new ObjectState();
        final ChangesetBuilder b = new ChangesetBuilder();
        b.addTable("Task", Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_INT, false);
        b.addColumn("Task", "owner_id", Instr.TYPE_STRING, false, Instr.COLLECTION_SINGLE, null, 0);
        b.addColumn("Task", "status", Instr.TYPE_STRING, false, Instr.COLLECTION_SINGLE, null, 0);
        b.addColumn("Task", "priority", Instr.TYPE_INT, false, Instr.COLLECTION_SINGLE, null, 0);
        for (int i = 0; i < OBJECTS; i++)
        {
            final Value k = new Value.Int(i);
            b.createObject("Task", k);
            b.update("Task", k, "owner_id", new Object[0], Instr.TYPE_STRING, new Value.Str("user-" + (i % SESSIONS)),
                false, -1);
            b.update("Task", k, "status", new Object[0], Instr.TYPE_STRING, new Value.Str("open"), false, -1);
            b.update("Task", k, "priority", new Object[0], Instr.TYPE_INT, new Value.Int(i % 5), false, -1);
        }
        if (!new ChangesetApplier(state).apply(b.changeset()).ok())
        {
            throw new IllegalStateException("setup");
        }
        object = state.object("Task", new Value.Int(7));
        equals = compile("owner_id == \"user-7\"").narrowQueries().get("Task");
        compound = compile("status IN {\"late\", \"open\"} and owner_id BEGINSWITH \"user-1\" or priority > 3")
            .narrowQueries().get("Task");
        final Map<String, CompiledQuery> cache = new TreeMap<>();
        log = new ViewLog();
        for (int s = 0; s < SESSIONS; s++)
        {
            final FlxView v = FlxView.compile(new FlxQuery(Map.of("Task", "owner_id == \"user-" + s + "\""), null),
                state, null, cache).view();
            log.watch(v);
            narrow.add(v);
            whole.add(FlxView.ofClasses(java.util.Set.of("Task")));
        }
        final ChangesetBuilder u = new ChangesetBuilder();
        u.update("Task", new Value.Int(7), "status", new Object[0], Instr.TYPE_STRING, new Value.Str("late"), false,
            -1);
        change = u.changeset();
        record();
    }

    private FlxView compile(final String q)
    {
        return FlxView.compile(new FlxQuery(Map.of("Task", q), null), state, null, null).view();
    }

    @Benchmark
    public boolean evaluateEquals()
    {
        return equals.matches(view.wrap(object));
    }

    @Benchmark
    public boolean evaluateCompound()
    {
        return compound.matches(view.wrap(object));
    }

    /** 1,000 sessions with per-user queries: per-session view work for one changeset. */
    @Benchmark
    @OperationsPerInvocation(SESSIONS)
    public void fanOutNarrow(final Blackhole bh)
    {
        final ViewLog.Entry e = log.get(version);
        for (int s = 0; s < SESSIONS; s++)
        {
            bh.consume(ViewFilter.filter(change, narrow.get(s), e, view));
        }
    }

    /** 1,000 TRUEPREDICATE sessions: today's class-only trim of the same changeset. */
    @Benchmark
    @OperationsPerInvocation(SESSIONS)
    public void fanOutWhole(final Blackhole bh)
    {
        for (int s = 0; s < SESSIONS; s++)
        {
            bh.consume(DownloadTrim.trim(change, whole.get(s).classes()));
        }
    }

    /** Writer side: the annotation of one changeset touching one object (copies, after-state). */
    @Benchmark
    public void recordAnnotation()
    {
        record();
    }

    private void record()
    {
        final var before = log.before(state, List.of(change));
        log.record(state, before, new long[] {++version}, List.of(change));
    }
}
