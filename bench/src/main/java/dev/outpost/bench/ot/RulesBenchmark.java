package dev.outpost.bench.ot;

import java.util.List;
import java.util.Map;
import java.util.Random;
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

import dev.outpost.ot.query.CompiledQuery;
import dev.outpost.ot.query.QueryCompiler;
import dev.outpost.ot.query.StateObjectView;
import dev.outpost.ot.rules.DocumentFilter;
import dev.outpost.ot.rules.FilterScope;
import dev.outpost.ot.rules.PartitionRules;
import dev.outpost.ot.rules.RuleContext;
import dev.outpost.ot.rules.RuleJson;
import dev.outpost.ot.rules.RuleValues;
import dev.outpost.ot.rules.Rules;
import dev.outpost.ot.rules.UserContext;
import dev.outpost.ot.state.ObjectData;
import dev.outpost.ot.state.Value;

/**
 * Cost of permission rules: the PBS partition check a BIND makes once per session ({@code {"%%partition":
 * "%%user.id"}}: parse the BIND path, resolve the expansions, evaluate), against no rules; and a compiled document
 * filter evaluated per object (owner filter, a filter with $or/$in/range), against TRUEPREDICATE (the query
 * package's) and an always-true filter. ns per BIND and per object.
 * Run: {@code java -jar bench/target/benchmarks.jar RulesBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(2)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class RulesBenchmark
{
    private static final int OBJECTS = 1024;

    private Rules pbs;
    private Rules none;
    private UserContext user;
    private String path;
    private DocumentFilter owner;
    private DocumentFilter complex;
    private DocumentFilter all;
    private CompiledQuery truePredicate;
    private ObjectData[] objects;
    private final StateObjectView view = new StateObjectView();

    @Setup
    public void setup()
    {
        final Object own = RuleJson.parse("{\"%%partition\": \"%%user.id\"}");
        pbs = new Rules.Builder(RuleValues.NONE).partition(PartitionRules.parse(own, own, RuleValues.NONE)).build();
        none = Rules.NONE;
        user = new UserContext("6561c0ffee0000000000abcd", Map.of("email", "ann@example.com"), Map.of());
        path = "\"6561c0ffee0000000000abcd\"";
        final RuleContext ctx = new RuleContext(RuleValues.NONE, user, null);
        final FilterScope scope = FilterScope.documents("Item", null, null, RuleValues.NONE);
        owner = DocumentFilter.compile(RuleJson.parse("{\"owner_id\": \"%%user.id\"}"), scope, ctx);
        complex = DocumentFilter.compile(RuleJson.parse("{\"$or\": [{\"owner_id\": \"%%user.id\"}, " +
            "{\"team\": {\"$in\": [\"t1\", \"t2\", \"t3\"]}, \"priority\": {\"$gte\": 2, \"$lt\": 5}}]}"), scope, ctx);
        all = DocumentFilter.ALL;
        truePredicate = QueryCompiler.compile("Item", "TRUEPREDICATE", f -> null, null).query();
        final Random r = new Random(1);
        objects = new ObjectData[OBJECTS];
        for (int i = 0; i < OBJECTS; i++)
        {
            final ObjectData o = new ObjectData("Item");
            o.fields().put("owner_id", new Value.Str(r.nextInt(4) == 0 ? "6561c0ffee0000000000abcd" :
                "6561c0ffee00000000000" + (100 + r.nextInt(900))));
            o.fields().put("team", new Value.Str("t" + r.nextInt(6)));
            o.fields().put("priority", new Value.Int(r.nextInt(8)));
            objects[i] = o;
        }
        if (!pbs.partitionAccess(RuleContext.partitionOf(path), user).mayWrite() ||
            pbs.partitionAccess(RuleContext.partitionOf("\"other\""), user).mayRead())
        {
            throw new IllegalStateException("rule does not behave");
        }
        final List<String> fields = complex.fields();
        if (fields.size() != 3)
        {
            throw new IllegalStateException(String.valueOf(fields));
        }
    }

    /** Baseline: a BIND without partition permissions. */
    @Benchmark
    public PartitionRules.Access bindNoRules()
    {
        return none.partitionAccess(RuleContext.partitionOf(path), user);
    }

    /** A BIND under {@code {"%%partition": "%%user.id"}} (read and write). */
    @Benchmark
    public PartitionRules.Access bindOwnPartitionRule()
    {
        return pbs.partitionAccess(RuleContext.partitionOf(path), user);
    }

    @Benchmark
    @OperationsPerInvocation(OBJECTS)
    public int perObjectTruePredicate()
    {
        int n = 0;
        for (final ObjectData o : objects)
        {
            n += truePredicate.matches(view.wrap(o)) ? 1 : 0;
        }
        return n;
    }

    @Benchmark
    @OperationsPerInvocation(OBJECTS)
    public int perObjectAllFilter()
    {
        int n = 0;
        for (final ObjectData o : objects)
        {
            n += all.matches(view.wrap(o)) ? 1 : 0;
        }
        return n;
    }

    @Benchmark
    @OperationsPerInvocation(OBJECTS)
    public int perObjectOwnerFilter()
    {
        int n = 0;
        for (final ObjectData o : objects)
        {
            n += owner.matches(view.wrap(o)) ? 1 : 0;
        }
        return n;
    }

    @Benchmark
    @OperationsPerInvocation(OBJECTS)
    public int perObjectComplexFilter()
    {
        int n = 0;
        for (final ObjectData o : objects)
        {
            n += complex.matches(view.wrap(o)) ? 1 : 0;
        }
        return n;
    }
}
