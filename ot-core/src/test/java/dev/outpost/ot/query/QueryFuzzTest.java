package dev.outpost.ot.query;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.outpost.ot.state.ObjectData;
import org.junit.jupiter.api.BeforeAll;

/**
 * Any string either parses, and then its canonical text reparses to the same text and the same answers over a few
 * objects, or is refused with a typed {@link QueryRefusal}: no other exception, no hang. Runs over the seed corpus in
 * {@code QueryFuzzTestInputs/fuzzQuery/} in the normal build; fuzzes with {@code JAZZER_FUZZ=1} (ot-core/README.md).
 */
class QueryFuzzTest
{
    private static final List<StateObjectView> OBJECTS;

    static
    {
        final Random r = new Random(42);
        final java.util.ArrayList<StateObjectView> views = new java.util.ArrayList<>();
        views.add(new StateObjectView().wrap(Fixture.object()));
        for (int i = 0; i < 8; i++)
        {
            final ObjectData o = QueryPropertyTest.toObject(QueryPropertyTest.randomObject(r));
            views.add(new StateObjectView().wrap(o));
        }
        OBJECTS = List.copyOf(views);
    }

    @BeforeAll
    static void requireInstrumentationWhenFuzzing()
    {
        final String fuzz = System.getenv("JAZZER_FUZZ");
        if (fuzz != null && !fuzz.isEmpty() && !"0".equals(fuzz) && !"true".equals(System.getProperty("jazzer.hooks")))
        {
            // junit-platform.properties turns hooks off for the quick regression run; fuzzing blind finds little.
            throw new IllegalStateException("fuzzing needs -Djazzer.hooks=true (see ot-core/README.md)");
        }
    }

    @FuzzTest(maxDuration = "60s")
    void fuzzQuery(final byte[] data)
    {
        check(new String(data, StandardCharsets.UTF_8));
    }

    /** The fuzz property. */
    static void check(final String query)
    {
        final Expr parsed;
        try
        {
            parsed = new QueryParser(query, Fixture.SCHEMA, null).parse();
        }
        catch (final QueryParser.Refused refused)
        {
            // Plain checks rather than AssertJ: the fuzzer runs this body hundreds of thousands of times.
            final QueryCompiler.Result r = QueryCompiler.compile("Item", query, Fixture.SCHEMA, null);
            final String expectedPrefix = r.isOk() ? null : r.refusal().kind() == QueryRefusal.Kind.NOT_QUERYABLE
                ? "Invalid query: " : "Client provided query with bad syntax: ";
            if (r.isOk() || !r.refusal().message().startsWith(expectedPrefix) || r.refusal().message().length() > 700)
            {
                throw new AssertionError("refusal not typed as expected for " + query + ": " + r.refusal());
            }
            return;
        }
        final String canonical = parsed.toString();
        final Expr again;
        try
        {
            again = new QueryParser(canonical, Fixture.SCHEMA, null).parse();
        }
        catch (final QueryParser.Refused refused)
        {
            throw new AssertionError("canonical form refused: " + canonical + " (from " + query + "): "
                + refused.detail);
        }
        if (!again.toString().equals(canonical))
        {
            throw new AssertionError("canonical form not stable: " + canonical + " -> " + again);
        }
        for (final StateObjectView o : OBJECTS)
        {
            if (parsed.evaluate(o) != again.evaluate(o))
            {
                throw new AssertionError("reparsed query answers differently: " + canonical + " (from " + query + ")");
            }
        }
    }
}
