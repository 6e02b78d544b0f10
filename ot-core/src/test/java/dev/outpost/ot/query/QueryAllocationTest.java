package dev.outpost.ot.query;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.util.List;

import dev.outpost.ot.query.Fixture.Oid;
import dev.outpost.ot.query.Fixture.SetOf;
import dev.outpost.ot.query.Fixture.Ts;
import dev.outpost.ot.state.ObjectData;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** Evaluating a compiled query allocates nothing per object (Decimal128 aside, which the contract excludes). */
class QueryAllocationTest
{
    private static final com.sun.management.ThreadMXBean THREADS =
        (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();

    private static long allocated()
    {
        return THREADS.getThreadAllocatedBytes(Thread.currentThread().getId());
    }

    @Test
    void shouldNotAllocatePerObjectWhenEvaluating()
    {
        Assumptions.assumeTrue(THREADS.isThreadAllocatedMemorySupported() && THREADS.isThreadAllocatedMemoryEnabled());
        final CompiledQuery[] queries = {
            Fixture.compile("(i > 5 and s BEGINSWITH[c] \"x-\") or s IN {\"open\", \"late\"} or s LIKE \"a*b?\""),
            Fixture.compile("d < 1.5 and f != nan and ts >= T1700000000:0 and oid != oid(6561a1b2c3d4e5f601020304)"),
            Fixture.compile("\"x\" IN tags or ALL nums > 2 or NONE dl == nan or tags.@count > 1 or m == 5"),
            Fixture.compile("!(b == true) and bin CONTAINS \"ab\" and i == 2.5 and s ==[c] \"ABC\""),
        };
        final ObjectData[] objects = new ObjectData[64];
        for (int i = 0; i < objects.length; i++)
        {
            objects[i] = Fixture.object("i", i, "s", i % 3 == 0 ? "x-" + i : "open", "d", i * 0.25, "f", (float)i,
                "ts", new Ts(1700000000L + i - 32, 0), "oid", Oid.of("6561a1b2c3d4e5f6010203" + String.format("%02x", i)),
                "tags", List.of("a", i % 2 == 0 ? "x" : "y"), "nums", SetOf.of((long)i, i + 1L, i + 2L),
                "dl", List.of(1.0, i * 1.0), "m", i % 4 == 0 ? (Object)(long)i : "s" + i, "b", i % 2 == 0,
                "bin", Fixture.utf8("zab" + i));
        }
        final StateObjectView view = new StateObjectView();
        int matches = 0;
        for (int round = 0; round < 200; round++)
        {
            for (final ObjectData o : objects)
            {
                for (final CompiledQuery q : queries)
                {
                    matches += q.matches(view.wrap(o)) ? 1 : 0;
                }
            }
        }
        int measured = 0;
        for (final CompiledQuery q : queries)
        {
            final long before = allocated();
            for (int round = 0; round < 200; round++)
            {
                for (final ObjectData o : objects)
                {
                    measured += q.matches(view.wrap(o)) ? 1 : 0;
                }
            }
            final long after = allocated();
            // 12,800 evaluations: one 16-byte object each would be ~200 KB; allow measurement noise only.
            assertThat(after - before).as(q.description()).isLessThan(8_000);
        }
        assertThat(measured).isPositive().isLessThan(200 * 64 * 4).isEqualTo(matches);
    }
}
