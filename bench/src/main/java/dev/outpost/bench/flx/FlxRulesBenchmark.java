package dev.outpost.bench.flx;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
import dev.outpost.ot.rules.FilterScope;
import dev.outpost.ot.rules.RoleTemplate;
import dev.outpost.ot.rules.RuleJson;
import dev.outpost.ot.rules.RuleValues;
import dev.outpost.ot.rules.Rules;
import dev.outpost.ot.rules.UserContext;
import dev.outpost.ot.state.ChangesetApplier;
import dev.outpost.ot.state.ChangesetBuilder;
import dev.outpost.ot.state.ObjectState;
import dev.outpost.ot.state.Value;
import dev.outpost.server.sync.flx.CompensatingWrites;
import dev.outpost.server.sync.flx.DownloadTrim;
import dev.outpost.server.sync.flx.FlxQuery;
import dev.outpost.server.sync.flx.FlxRoles;
import dev.outpost.server.sync.flx.FlxView;
import dev.outpost.server.sync.flx.ViewFilter;
import dev.outpost.server.sync.flx.ViewLog;

/**
 * The cost of FLX roles per changeset (issue 12 item 7), each against the same work without rules, all sessions
 * subscribed with TRUEPREDICATE to {@code Item} (10,000 objects of 1,000 owners):
 * <ul>
 * <li>upload path, per changeset (the writer's check, {@code CompensatingWrites.trim} with the session's view):
 * {@code uploadOwnerOnly} an owner-only role ({@code {"owner_id": "%%user.id"}} read and write) checking a changeset
 * that creates one object of the user's own (2 fields) vs {@code uploadNoRules} (class-only check);
 * {@code uploadUpdateOwnerOnly} / {@code uploadUpdateNoRules} the same for an update of one field of an own
 * object;</li>
 * <li>fan-out, per session per changeset (the download filter, {@code ViewFilter} with the role's read filter):
 * {@code fanOutOwnerOnly} one changeset updating one object, filtered for 1,000 sessions of 1,000 users under the
 * owner-only role vs {@code fanOutNoRules} 1,000 sessions without rules ({@code DownloadTrim}, class-only);</li>
 * <li>{@code annotateOwnerOnly}: what the writer adds per changeset once a file has sessions with roles (the
 * before/after annotation the download filter reads; without rules and with TRUEPREDICATE no annotation is made).</li>
 * </ul>
 * Parsing, encoding and I/O, shared by both paths, are not included.
 * Run: {@code java -jar bench/target/benchmarks.jar FlxRulesBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class FlxRulesBenchmark
{
    static final int SESSIONS = 1000;
    static final int OBJECTS = 10_000;
    static final String OWNER_ONLY = "[{\"name\": \"owner\", \"apply_when\": {}, \"document_filters\": " +
        "{\"read\": {\"owner_id\": \"%%user.id\"}, \"write\": {\"owner_id\": \"%%user.id\"}}, \"read\": true, " +
        "\"write\": true, \"insert\": true, \"delete\": true}]";
    private static final FlxQuery ALL = new FlxQuery(Map.of("Item", "TRUEPREDICATE"), null);

    private final StateObjectView objectView = new StateObjectView();
    private ObjectState state;
    private final List<FlxView> owned = new ArrayList<>();
    private final List<FlxView> plain = new ArrayList<>();
    private FlxView user7;
    private FlxView user7NoRules;
    private ViewLog log;
    private Changeset create;
    private Changeset update;
    private Changeset fanOut;
    private long version;

    @Setup
    public void setup()
    {
        state = new ObjectState();
        final ChangesetBuilder b = new ChangesetBuilder();
        b.addTable("Item", Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_INT, false);
        b.addColumn("Item", "owner_id", Instr.TYPE_STRING, false, Instr.COLLECTION_SINGLE, null, 0);
        b.addColumn("Item", "name", Instr.TYPE_STRING, false, Instr.COLLECTION_SINGLE, null, 0);
        for (int i = 0; i < OBJECTS; i++)
        {
            item(b, i, "user-" + (i % SESSIONS), "item-" + i);
        }
        if (!new ChangesetApplier(state).apply(b.changeset()).ok())
        {
            throw new IllegalStateException("setup");
        }
        final Rules rules = new Rules.Builder(RuleValues.NONE)
            .roles("Item", RoleTemplate.parseAll(RuleJson.parse(OWNER_ONLY), "roles",
                FilterScope.documents("Item", null, null, RuleValues.NONE)))
            .build();
        final Map<String, CompiledQuery> cache = new TreeMap<>();
        log = new ViewLog();
        for (int s = 0; s < SESSIONS; s++)
        {
            final FlxView v = FlxView.compile(ALL, state, null, cache,
                FlxRoles.of(rules, UserContext.of("user-" + s))).view();
            log.watch(v);
            owned.add(v);
            plain.add(FlxView.compile(ALL, state, null, cache, null).view());
        }
        user7 = owned.get(7);
        user7NoRules = plain.get(7);
        if (!user7.checksWrites() || user7.wholeClasses() || !user7NoRules.wholeClasses())
        {
            throw new IllegalStateException("setup: the role must narrow the view");
        }

        final ChangesetBuilder c = new ChangesetBuilder();
        item(c, OBJECTS + 1, "user-7", "new item");
        create = c.changeset();
        final ChangesetBuilder u = new ChangesetBuilder();
        u.update("Item", new Value.Int(7), "name", new Object[0], Instr.TYPE_STRING, new Value.Str("renamed"), false,
            -1);
        update = u.changeset();
        fanOut = update;
        if (!CompensatingWrites.trim(create, user7, state, new ArrayList<>(), new HashSet<>()).instructions()
            .equals(create.instructions()))
        {
            throw new IllegalStateException("setup: the own object must be allowed");
        }
        annotateOwnerOnly();
    }

    private static void item(final ChangesetBuilder b, final long key, final String owner, final String name)
    {
        final Value k = new Value.Int(key);
        b.createObject("Item", k);
        b.update("Item", k, "owner_id", new Object[0], Instr.TYPE_STRING, new Value.Str(owner), false, -1);
        b.update("Item", k, "name", new Object[0], Instr.TYPE_STRING, new Value.Str(name), false, -1);
    }

    @Benchmark
    public Changeset uploadOwnerOnly()
    {
        final Set<CompensatingWrites.Rejected> forbidden = new HashSet<>();
        return CompensatingWrites.trim(create, user7, state, new ArrayList<>(), forbidden);
    }

    @Benchmark
    public Changeset uploadNoRules()
    {
        return CompensatingWrites.trim(create, user7NoRules, state, new ArrayList<>(), new HashSet<>());
    }

    @Benchmark
    public Changeset uploadUpdateOwnerOnly()
    {
        return CompensatingWrites.trim(update, user7, state, new ArrayList<>(), new HashSet<>());
    }

    @Benchmark
    public Changeset uploadUpdateNoRules()
    {
        return CompensatingWrites.trim(update, user7NoRules, state, new ArrayList<>(), new HashSet<>());
    }

    /** 1,000 sessions under the owner-only role: per-session download filter of one changeset. */
    @Benchmark
    @OperationsPerInvocation(SESSIONS)
    public void fanOutOwnerOnly(final Blackhole bh)
    {
        final ViewLog.Entry e = log.get(version);
        for (int s = 0; s < SESSIONS; s++)
        {
            bh.consume(ViewFilter.filter(fanOut, owned.get(s), e, objectView));
        }
    }

    /** 1,000 sessions without rules: the class-only trim of the same changeset. */
    @Benchmark
    @OperationsPerInvocation(SESSIONS)
    public void fanOutNoRules(final Blackhole bh)
    {
        for (int s = 0; s < SESSIONS; s++)
        {
            bh.consume(DownloadTrim.trim(fanOut, plain.get(s).classes()));
        }
    }

    /** Writer, per changeset, once sessions with roles watch the file: the annotation of one changed object. */
    @Benchmark
    public void annotateOwnerOnly()
    {
        final var before = log.before(state, List.of(fanOut));
        log.record(state, before, new long[] {++version}, List.of(fanOut));
    }
}
