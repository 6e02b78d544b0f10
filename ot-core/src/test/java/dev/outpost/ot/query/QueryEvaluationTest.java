package dev.outpost.ot.query;

import static dev.outpost.ot.query.Fixture.object;
import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.List;
import java.util.stream.Stream;

import dev.outpost.ot.query.Fixture.Oid;
import dev.outpost.ot.query.Fixture.SetOf;
import dev.outpost.ot.query.Fixture.Ts;
import dev.outpost.ot.query.Fixture.Uuid;
import dev.outpost.ot.state.ObjectData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every form and every scalar type, table-driven: query, object, expected match. */
class QueryEvaluationTest
{
    private static final Oid OID_1 = Oid.of("6561a1b2c3d4e5f601020304");
    private static final Oid OID_2 = Oid.of("6561a1b2c3d4e5f601020305");
    private static final Uuid UUID_1 = Uuid.of("3b241101-e2bb-4255-8caf-4136c566a962");
    private static final Uuid UUID_2 = Uuid.of("3b241101-e2bb-4255-8caf-4136c566a963");

    private static Arguments row(final String query, final ObjectData o, final boolean expected)
    {
        return Arguments.of(query, o, expected);
    }

    static Stream<Arguments> rows()
    {
        return Stream.of(
            row("TRUEPREDICATE", object(), true),
            row("FALSEPREDICATE", object(), false),
            row("truepredicate", object(), true),
            // int
            row("i == 5", object("i", 5), true),
            row("i == 5", object("i", 6), false),
            row("i != 5", object("i", 6), true),
            row("i < 5", object("i", 4), true),
            row("i < 5", object("i", 5), false),
            row("i <= 5", object("i", 5), true),
            row("i > 5", object("i", 5), false),
            row("i >= 5", object("i", 5), true),
            row("5 < i", object("i", 6), true),
            row("5 < i", object("i", 5), false),
            row("5 >= i", object("i", 5), true),
            row("i == -9223372036854775808", object("i", Long.MIN_VALUE), true),
            row("i == 0x10", object("i", 16), true),
            row("i == 5.0", object("i", 5), true),
            row("i == 5.5", object("i", 5), false),
            row("i < 5.5", object("i", 5), true),
            row("i > 4.5", object("i", 5), true),
            row("i == 5e0", object("i", 5), true),
            row("i == 50E-1", object("i", 5), true),
            row("i < inf", object("i", Long.MAX_VALUE), true),
            row("i > -inf", object("i", Long.MIN_VALUE), true),
            row("i == 9223372036854775807", object("i", Long.MAX_VALUE), true),
            row("i > 1.5e-99999999", object("i", 1), true),
            row("i > -1.5e-99999999", object("i", 0), true),
            row("i < 1.5e-99999999", object("i", 0), true),
            row("i < -1.5e-99999999", object("i", 0), false),
            row("i < 1.5e99999999", object("i", Long.MAX_VALUE), true),
            row("i > -12345678901234567890.5", object("i", Long.MIN_VALUE), true),
            row("i < -2.5", object("i", -3), true),
            row("i > -2.5", object("i", -2), true),
            row("i < 9223372036854775808", object("i", Long.MAX_VALUE), true),
            // null
            row("i == NULL", object("i", null), true),
            row("i == null", object("i", 0), false),
            row("i != NULL", object("i", 0), true),
            row("i != nil", object("i", null), false),
            row("i < 5", object("i", null), false),
            row("i >= NULL", object("i", null), true),
            row("i > NULL", object("i", null), false),
            row("i <= NULL", object("i", 3), false),
            // bool
            row("b == true", object("b", true), true),
            row("b == TRUE", object("b", false), false),
            row("b != false", object("b", true), true),
            row("b == false", object("b", null), false),
            // string
            row("s == \"abc\"", object("s", "abc"), true),
            row("s == 'abc'", object("s", "abc"), true),
            row("s == \"abc\"", object("s", "ABC"), false),
            row("s ==[c] \"abc\"", object("s", "ABC"), true),
            row("s !=[c] \"abc\"", object("s", "AbC"), false),
            row("s != \"abc\"", object("s", "abd"), true),
            row("s < \"abd\"", object("s", "abc"), true),
            row("s > \"ab\"", object("s", "abc"), true),
            row("s > \"\uffff\"", object("s", "\ud83d\ude00"), true),
            row("s BEGINSWITH \"x-\"", object("s", "x-1"), true),
            row("s BEGINSWITH \"x-\"", object("s", "X-1"), false),
            row("s BEGINSWITH[c] \"x-\"", object("s", "X-1"), true),
            row("s beginswith \"x-\"", object("s", "y-1"), false),
            row("s ENDSWITH \"z\"", object("s", "xyz"), true),
            row("s ENDSWITH[c] \"Z\"", object("s", "xyz"), true),
            row("s CONTAINS \"y\"", object("s", "xyz"), true),
            row("s CONTAINS \"\"", object("s", "xyz"), true),
            row("s CONTAINS[c] \"Y\"", object("s", "xyz"), true),
            row("s CONTAINS \"Y\"", object("s", "xyz"), false),
            row("s LIKE \"a*c\"", object("s", "abbbc"), true),
            row("s LIKE \"a?c\"", object("s", "abc"), true),
            row("s LIKE \"a?c\"", object("s", "abbc"), false),
            row("s LIKE \"*\"", object("s", ""), true),
            row("s LIKE \"?\"", object("s", "\ud83d\ude00"), true),
            row("s LIKE[c] \"A*\"", object("s", "abc"), true),
            row("s LIKE \"A*\"", object("s", "abc"), false),
            row("s ==[c] \"\u00e9\"", object("s", "\u00c9"), false), // realm folds ASCII only
            row("s == B64\"cXVvdGUiIGFuZCBcYmFja3NsYXNo\"", object("s", "quote\" and \\backslash"), true),
            row("s == \"with \\\"escape\\\"\"", object("s", "with \"escape\""), true),
            row("s == NULL", object("s", null), true),
            row("s BEGINSWITH \"a\"", object("s", null), false),
            row("s IN {\"open\", \"late\"}", object("s", "late"), true),
            row("s IN {\"open\", \"late\"}", object("s", "closed"), false),
            row("s IN {}", object("s", "closed"), false),
            row("s ==[c] {\"OPEN\", \"late\"}", object("s", "open"), true),
            row("s == ANY {\"open\", \"late\"}", object("s", "open"), true),
            // binary (realm writes binary constants like strings)
            row("bin == \"ab\"", object("bin", Fixture.utf8("ab")), true),
            row("bin == B64\"AAEC\"", object("bin", new byte[] {0, 1, 2}), true),
            row("bin == binary(B64\"AAEC\")", object("bin", new byte[] {0, 1, 2}), true),
            row("bin == binary( \"ab\" )", object("bin", Fixture.utf8("ab")), true),
            row("m == binary(\"ab\")", object("m", Fixture.utf8("ab")), true),
            row("d == -nan", object("d", Double.NaN), true),
            row("s == \"\u00e9t\u00e9 \ud83d\ude00\"", object("s", "\u00e9t\u00e9 \ud83d\ude00"), true),
            row("bin BEGINSWITH B64\"AAE=\"", object("bin", new byte[] {0, 1, 2}), true),
            row("bin CONTAINS[c] \"B\"", object("bin", Fixture.utf8("abc")), true),
            row("bin > \"ab\"", object("bin", Fixture.utf8("abc")), true),
            // timestamp
            row("ts == T1700000000:5", object("ts", new Ts(1700000000, 5)), true),
            row("ts > T1700000000:5", object("ts", new Ts(1700000000, 6)), true),
            row("ts < T1700000000:5", object("ts", new Ts(1699999999, 999999999)), true),
            row("ts == T-1:-5", object("ts", new Ts(-1, -5)), true),
            row("ts >= T0:0", object("ts", new Ts(-1, -5)), false),
            // float (the constant becomes a float, as realm converts it to the column type)
            row("f == 1.1", object("f", 1.1f), true),
            row("f > 1.0", object("f", 1.1f), true),
            row("f == nan", object("f", Float.NaN), true),
            row("f < 0", object("f", Float.NaN), true),
            row("f == -inf", object("f", Float.NEGATIVE_INFINITY), true),
            // double
            row("d == 1.5", object("d", 1.5), true),
            row("d == 15e-1", object("d", 1.5), true),
            row("d == 1.1", object("d", 1.1), true),
            row("d == 0", object("d", -0.0), true),
            row("d > 1", object("d", 1.5), true),
            row("d == NaN", object("d", Double.NaN), true),
            row("d != nan", object("d", 1.0), true),
            row("d < -1e308", object("d", Double.NEGATIVE_INFINITY), true),
            row("d == +inf", object("d", Double.POSITIVE_INFINITY), true),
            row("d == 1.7976931348623157E308", object("d", Double.MAX_VALUE), true),
            row("d == 4.9E-324", object("d", Double.MIN_VALUE), true),
            row("1.5 == d", object("d", 1.5), true),
            // decimal128
            row("dec == 1.5", object("dec", new BigDecimal("1.50")), true),
            row("dec == 15E-1", object("dec", new BigDecimal("1.5")), true),
            row("dec > 1", object("dec", new BigDecimal("1.5")), true),
            row("dec < 2", object("dec", new BigDecimal("-2.25")), true),
            row("dec < inf", object("dec", new BigDecimal("1E+30")), true),
            row("dec == 0.1", object("dec", new BigDecimal("0.1")), true),
            // objectId
            row("oid == oid(6561a1b2c3d4e5f601020304)", object("oid", OID_1), true),
            row("oid == oid(6561A1B2C3D4E5F601020304)", object("oid", OID_1), true),
            row("oid != oid(6561a1b2c3d4e5f601020304)", object("oid", OID_2), true),
            row("oid > oid(6561a1b2c3d4e5f601020304)", object("oid", OID_2), true),
            row("oid IN {oid(6561a1b2c3d4e5f601020305), NULL}", object("oid", null), true),
            // uuid
            row("u == uuid(3b241101-e2bb-4255-8caf-4136c566a962)", object("u", UUID_1), true),
            row("u == uuid(3b241101-e2bb-4255-8caf-4136c566a962)", object("u", UUID_2), false),
            row("u < uuid(3b241101-e2bb-4255-8caf-4136c566a963)", object("u", UUID_1), true),
            // mixed: comparable across numeric types, otherwise unequal
            row("m == 5", object("m", 5.0), true),
            row("m == 5", object("m", new BigDecimal("5")), true),
            row("m == 5", object("m", "5"), false),
            row("m != 5", object("m", "5"), true),
            row("m < 5", object("m", "5"), false),
            row("m == \"5\"", object("m", "5"), true),
            row("m BEGINSWITH \"a\"", object("m", "abc"), true),
            row("m BEGINSWITH \"a\"", object("m", 1), false),
            row("m == true", object("m", true), true),
            row("m == true", object("m", 1), false),
            row("m == NULL", object("m", null), true),
            row("m == 1.1", object("m", 1.1f), false), // Mixed compares a float as a double
            row("m == T5:0", object("m", new Ts(5, 0)), true),
            // connectives
            row("i == 1 and s == \"a\"", object("i", 1, "s", "a"), true),
            row("i == 1 AND s == \"a\"", object("i", 1, "s", "b"), false),
            row("i == 1 && s == \"a\"", object("i", 1, "s", "a"), true),
            row("i == 1 or s == \"a\"", object("i", 2, "s", "a"), true),
            row("i == 1 OR s == \"a\"", object("i", 2, "s", "b"), false),
            row("i == 1 || s == \"a\"", object("i", 1, "s", "b"), true),
            row("!(i == 1)", object("i", 1), false),
            row("NOT i == 1", object("i", 2), true),
            row("not (i == 1 or i == 2)", object("i", 2), false),
            row("!!(i == 1)", object("i", 1), true),
            row("(i == 1 or i == 2) and s == \"a\"", object("i", 2, "s", "a"), true),
            row("i == 1 or i == 2 and s == \"a\"", object("i", 1, "s", "b"), true),
            row("((((i == 1))))", object("i", 1), true),
            row("(i == 1) OR (i == 3)", object("i", 3), true),
            row("TRUEPREDICATE and i == 1", object("i", 2), false),
            row("FALSEPREDICATE or i == 1", object("i", 1), true),
            // lists and sets
            row("\"x\" IN tags", object("tags", List.of("a", "x")), true),
            row("'x' IN tags", object("tags", List.of("a", "b")), false),
            row("ANY tags == \"x\"", object("tags", List.of("a", "x")), true),
            row("SOME tags == \"x\"", object("tags", List.of("a", "x")), true),
            row("tags == \"x\"", object("tags", List.of("a", "x")), true),
            row("ALL tags BEGINSWITH \"a\"", object("tags", List.of("ab", "ac")), true),
            row("ALL tags BEGINSWITH \"a\"", object("tags", List.of("ab", "bc")), false),
            row("ALL tags == \"a\"", object("tags", List.of()), true),
            row("NONE tags == \"a\"", object("tags", List.of("b")), true),
            row("NONE tags ==[c] \"a\"", object("tags", List.of("A")), false),
            row("ANY tags IN {\"q\", \"b\"}", object("tags", List.of("a", "b")), true),
            row("tags IN {\"q\", \"r\"}", object("tags", List.of("a", "b")), false),
            row("ANY tags == NULL", object("tags", java.util.Arrays.asList("a", null)), true),
            row("tags.@count == 2", object("tags", List.of("a", "b")), true),
            row("tags.@size > 2", object("tags", List.of("a", "b")), false),
            row("2 == tags.@count", object("tags", List.of("a", "b")), true),
            row("tags.@count == 0", object(), true),
            row("3 IN nums", object("nums", SetOf.of(1L, 3L)), true),
            row("ANY nums > 2", object("nums", SetOf.of(1L, 3L)), true),
            row("ALL nums > 2", object("nums", SetOf.of(1L, 3L)), false),
            row("NONE nums > 5", object("nums", SetOf.of(1L, 3L)), true),
            row("nums.@count == 2", object("nums", SetOf.of(1L, 3L)), true),
            row("ANY dl == nan", object("dl", List.of(1.0, Double.NaN)), true),
            row("ANY nums > 2 and ANY tags == \"a\"", object("nums", SetOf.of(3L), "tags", List.of("a")), true));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("rows")
    void shouldEvaluateLikeRealm(final String query, final ObjectData object, final boolean expected)
    {
        final CompiledQuery compiled = Fixture.compile(query);
        assertThat(compiled.matches(new StateObjectView().wrap(object))).as(query).isEqualTo(expected);
        // The canonical form means the same thing.
        final CompiledQuery reparsed = Fixture.compile(compiled.description());
        assertThat(reparsed.description()).isEqualTo(compiled.description());
        assertThat(reparsed.matches(new StateObjectView().wrap(object))).as(compiled.description())
            .isEqualTo(expected);
    }

    @Test
    void shouldReportTheFieldsAQueryReads()
    {
        final CompiledQuery q = Fixture.compile("(s BEGINSWITH \"a\" or i > 1) and !(\"x\" IN tags) and i < 9");
        assertThat(q.fields()).containsExactly("i", "s", "tags");
        assertThat(q.reads("s")).isTrue();
        assertThat(q.reads("d")).isFalse();
        assertThat(Fixture.compile("TRUEPREDICATE").fields()).isEmpty();
        assertThat(Fixture.compile("TRUEPREDICATE").matchesEverything()).isTrue();
        assertThat(Fixture.compile("tags.@count > 1").fields()).containsExactly("tags");
    }

    @Test
    void shouldPrintTheCanonicalForm()
    {
        assertThat(Fixture.compile("5 < i && s ==[c] 'a b'").description())
            .isEqualTo("(i > 5 and s ==[c] \"a b\")");
        assertThat(Fixture.compile("'x' IN tags").description()).isEqualTo("ANY tags == \"x\"");
        assertThat(Fixture.compile("s IN {'a', \"b\\\"\"}").description()).isEqualTo("s == {\"a\", B64\"YiI=\"}");
        assertThat(Fixture.compile("NOT d >= -inf").description()).isEqualTo("!(d >= -inf)");
        assertThat(Fixture.compile("u == uuid(3B241101-E2BB-4255-8CAF-4136C566A962)").description())
            .isEqualTo("u == uuid(3b241101-e2bb-4255-8caf-4136c566a962)");
        assertThat(Fixture.compile("i == 1.50e1").description()).isEqualTo("i == 15");
        assertThat(Fixture.compile("d == 1.5").description()).isEqualTo("d == 1.5");
        assertThat(Fixture.compile("s == B64\"w6k=\"").description()).isEqualTo("s == \"\u00e9\"");
        assertThat(Fixture.compile("s == B64\"/w==\"").description()).isEqualTo("s == B64\"/w==\"");
        assertThat(Fixture.compile("bin == binary(\"x\")").description()).isEqualTo("bin == \"x\"");
    }

    @Test
    void shouldEvaluateOverTheRealObjectStateSchema() throws Exception
    {
        final dev.outpost.ot.state.ObjectState state = new dev.outpost.ot.state.ObjectState();
        final dev.outpost.ot.state.InstructionApplier applier = new dev.outpost.ot.state.InstructionApplier(state);
        applier.begin();
        applier.addTable("Item", dev.outpost.codec.changeset.Instr.TABLE_TOP_LEVEL, "_id",
            dev.outpost.codec.changeset.Instr.TYPE_INT, false);
        applier.addColumn("Item", "owner", dev.outpost.codec.changeset.Instr.TYPE_STRING, true,
            dev.outpost.codec.changeset.Instr.COLLECTION_SINGLE, null, 0);
        applier.createObject("Item", new dev.outpost.ot.state.Value.Int(7));
        applier.commit();
        final QueryCompiler.Result r = QueryCompiler.compile("Item", "_id == 7 and owner == NULL",
            new StateSchema(state.table("Item")), null);
        assertThat(r.isOk()).as(String.valueOf(r.refusal())).isTrue();
        final ObjectData o = state.object("Item", new dev.outpost.ot.state.Value.Int(7));
        assertThat(r.query().matches(new StateObjectView().wrap(o))).isTrue();
        final QueryCompiler.Result bad = QueryCompiler.compile("Item", "owner == 7", new StateSchema(state.table("Item")),
            null);
        assertThat(bad.refusal().kind()).isEqualTo(QueryRefusal.Kind.INVALID);
    }
}
