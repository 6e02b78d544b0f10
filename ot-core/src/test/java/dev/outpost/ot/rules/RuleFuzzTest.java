package dev.outpost.ot.rules;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.BeforeAll;

/**
 * Any text is either refused with a typed {@link RuleRefusal} (naming a key, short message), or compiles into a
 * filter that evaluates without an exception and answers as {@link ReferenceEvaluator} does. Runs over the seed
 * corpus in {@code RuleFuzzTestInputs/fuzzFilter/} in the normal build; fuzzes with {@code JAZZER_FUZZ=1}
 * (ot-core/README.md).
 */
class RuleFuzzTest
{
    private static final List<Map<String, Object>> OBJECTS;

    static
    {
        final Random r = new Random(42);
        final List<Map<String, Object>> objects = new ArrayList<>();
        for (int i = 0; i < 12; i++)
        {
            objects.add(RandomFilters.object(r));
        }
        OBJECTS = List.copyOf(objects);
    }

    @BeforeAll
    static void requireInstrumentationWhenFuzzing()
    {
        final String fuzz = System.getenv("JAZZER_FUZZ");
        if (fuzz != null && !fuzz.isEmpty() && !"0".equals(fuzz) && !"true".equals(System.getProperty("jazzer.hooks")))
        {
            throw new IllegalStateException("fuzzing needs -Djazzer.hooks=true (see ot-core/README.md)");
        }
    }

    @FuzzTest(maxDuration = "60s")
    void fuzzFilter(final byte[] data)
    {
        check(new String(data, StandardCharsets.UTF_8));
    }

    /** The fuzz property. */
    static void check(final String text)
    {
        final DocumentFilter filter;
        final Object json;
        try
        {
            json = RuleJson.parse(text);
            filter = DocumentFilter.compile(json, FilterScope.documents("Item", null, null, RandomFilters.VALUES),
                RandomFilters.CONTEXT);
        }
        catch (final RuleRefusal refused)
        {
            if (refused.getMessage() == null || refused.getMessage().length() > 1000 || refused.key() == null)
            {
                throw new AssertionError("refusal not typed as expected for " + text + ": " + refused);
            }
            return;
        }
        final ReferenceEvaluator reference = new ReferenceEvaluator(RandomFilters.EXPANDED,
            ReferenceEvaluator.Mutation.NONE);
        for (final Map<String, Object> o : OBJECTS)
        {
            final boolean matched = filter.matches(new TestObject(o));
            final boolean expected;
            try
            {
                expected = reference.matches(json, o);
            }
            catch (final RuntimeException referenceCannot)
            {
                continue; // a form the simple reference does not read (e.g. $comment): only "no exception" holds
            }
            if (matched != expected)
            {
                throw new AssertionError("engine and reference disagree on " + text + " over " + o);
            }
        }
        filter.description();
    }
}
