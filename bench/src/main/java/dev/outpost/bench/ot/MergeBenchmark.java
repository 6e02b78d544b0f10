package dev.outpost.bench.ot;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import dev.outpost.ot.model.Changeset;
import dev.outpost.ot.model.CreateObject;
import dev.outpost.ot.model.Path;
import dev.outpost.ot.model.Payload;
import dev.outpost.ot.model.PrimaryKey;
import dev.outpost.ot.model.Update;
import dev.outpost.ot.transform.MergeResult;
import dev.outpost.ot.transform.Transformer;

/**
 * Cost of one {@link Transformer#merge} of {@code window} incoming changesets against {@code window} of ours (each
 * {@value #INSTRUCTIONS} instructions: a CreateObject and Updates), with {@code conflictPercent} of the objects
 * drawn from a small shared hot set (so those instructions meet and conflict) and the rest unique to their side.
 * At 0% the conflict-group index should make cost grow linearly with the window, not with its square.
 * <p>
 * Baseline: deep-copying both sides, which every merge must do (inputs are never modified).
 * Run: {@code java -jar bench/target/benchmarks.jar MergeBenchmark} (JVM flags are added by BenchMain).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(2)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class MergeBenchmark
{
    static final int INSTRUCTIONS = 4;
    private static final int HOT_OBJECTS = 16;

    @Param({"1", "10", "100", "1000"})
    int window;

    @Param({"0", "10", "100"})
    int conflictPercent;

    private List<Changeset> theirs;
    private List<Changeset> ours;
    private Transformer transformer;

    @Setup
    public void setup()
    {
        final Random random = new Random(42);
        theirs = side(random, 2, 1_000_000_000L, 20);
        ours = side(random, 0, 2_000_000_000L, 10);
        transformer = new Transformer(1);
    }

    private List<Changeset> side(final Random random, final long ident, final long uniqueKeyBase, final long time)
    {
        final List<Changeset> out = new ArrayList<>(window);
        long unique = uniqueKeyBase;
        for (int c = 0; c < window; c++)
        {
            final Changeset cs = new Changeset(c + 1, 0, time + c, ident);
            final boolean hot = random.nextInt(100) < conflictPercent;
            final PrimaryKey key = PrimaryKey.ofInt(hot ? random.nextInt(HOT_OBJECTS) : unique++);
            cs.add(new CreateObject("Item", key));
            for (int i = 1; i < INSTRUCTIONS; i++)
            {
                cs.add(new Update("Item", key, "f" + i, new Path(), Payload.ofInt(random.nextInt()), false));
            }
            out.add(cs);
        }
        return out;
    }

    @Benchmark
    public MergeResult merge()
    {
        return transformer.merge(theirs, ours);
    }

    @Benchmark
    public int baselineCopyBothSides()
    {
        int n = 0;
        for (final Changeset c : theirs)
        {
            n += c.copy().size();
        }
        for (final Changeset c : ours)
        {
            n += c.copy().size();
        }
        return n;
    }
}
