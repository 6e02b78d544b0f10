package dev.outpost.ot.rules;

import java.util.Map;
import java.util.Random;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The engine agrees with {@link ReferenceEvaluator}, a brute-force evaluator written separately from MongoDB's
 * documentation, on random filters (every operator, expansions, Extended JSON, arrays, nesting) over random objects
 * (every Realm kind, null, missing, lists, NaN, -0). The reference with a known bug injected disagrees.
 */
class DocumentFilterPropertyTest
{
    private static final int OBJECTS = 40;

    @Property(tries = 1000)
    void shouldAgreeWithTheReference(@ForAll final long seed)
    {
        final Random r = new Random(seed);
        final Map<String, Object> json = RandomFilters.filter(r, 0);
        final DocumentFilter filter = DocumentFilter.compile(json, FilterScope.documents("Item", null, null,
            RandomFilters.VALUES), RandomFilters.CONTEXT);
        final ReferenceEvaluator reference = new ReferenceEvaluator(RandomFilters.EXPANDED,
            ReferenceEvaluator.Mutation.NONE);
        for (int i = 0; i < OBJECTS; i++)
        {
            final Map<String, Object> o = RandomFilters.object(r);
            assertThat(filter.matches(new TestObject(o))).as("filter %s (%s) on %s", json, filter, o)
                .isEqualTo(reference.matches(json, o));
        }
    }

    @Test
    void shouldNoticeEachInjectedBug()
    {
        for (final ReferenceEvaluator.Mutation m : ReferenceEvaluator.Mutation.values())
        {
            if (m == ReferenceEvaluator.Mutation.NONE)
            {
                continue;
            }
            assertThat(disagreements(m, 400)).as("mutation " + m).isPositive();
        }
    }

    private static int disagreements(final ReferenceEvaluator.Mutation mutation, final int filters)
    {
        final Random r = new Random(7);
        final ReferenceEvaluator reference = new ReferenceEvaluator(RandomFilters.EXPANDED, mutation);
        int n = 0;
        for (int f = 0; f < filters; f++)
        {
            final Map<String, Object> json = RandomFilters.filter(r, 0);
            final DocumentFilter filter = DocumentFilter.compile(json, FilterScope.documents("Item", null, null,
                RandomFilters.VALUES), RandomFilters.CONTEXT);
            for (int i = 0; i < OBJECTS; i++)
            {
                final Map<String, Object> o = RandomFilters.object(r);
                if (filter.matches(new TestObject(o)) != reference.matches(json, o))
                {
                    n++;
                }
            }
        }
        return n;
    }
}
