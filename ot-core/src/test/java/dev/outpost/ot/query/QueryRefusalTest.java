package dev.outpost.ot.query;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** What Atlas refused is a typed refusal with the 226 message text, never an exception. */
class QueryRefusalTest
{
    private static final String SYNTAX = "Client provided query with bad syntax: invalid match expression for table "
        + "\"Item\": ";
    private static final String UNSUPPORTED = "Client provided query with bad syntax: unsupported query for table "
        + "\"Item\": ";
    private static final String INVALID = "Client provided query with bad syntax: invalid query for table \"Item\": ";

    private static QueryRefusal refuse(final String query, final Set<String> queryable)
    {
        final QueryCompiler.Result r = QueryCompiler.compile("Item", query, Fixture.SCHEMA, queryable);
        assertThat(r.isOk()).as(query + " should be refused").isFalse();
        assertThat(r.query()).isNull();
        return r.refusal();
    }

    static Stream<Arguments> refusals()
    {
        return Stream.of(
            // aggregates other than @count/@size on lists
            Arguments.of("tags.@avg > 1", QueryRefusal.Kind.UNSUPPORTED, "'@avg' is not supported"),
            Arguments.of("nums.@sum == 3", QueryRefusal.Kind.UNSUPPORTED, "'@sum' is not supported"),
            Arguments.of("nums.@min == 3", QueryRefusal.Kind.UNSUPPORTED, "'@min' is not supported"),
            Arguments.of("nums.@max == 3", QueryRefusal.Kind.UNSUPPORTED, "'@max' is not supported"),
            Arguments.of("s.@size == 3", QueryRefusal.Kind.UNSUPPORTED, "only supported on lists and sets"),
            Arguments.of("i.@count == 3", QueryRefusal.Kind.UNSUPPORTED, "only supported on lists and sets"),
            // ordering
            Arguments.of("TRUEPREDICATE SORT(i ASC)", QueryRefusal.Kind.UNSUPPORTED, "SORT, DISTINCT and LIMIT"),
            Arguments.of("i > 1 DISTINCT(s)", QueryRefusal.Kind.UNSUPPORTED, "SORT, DISTINCT and LIMIT"),
            Arguments.of("TRUEPREDICATE LIMIT(5)", QueryRefusal.Kind.UNSUPPORTED, "SORT, DISTINCT and LIMIT"),
            // links, embedded objects, backlinks, subqueries
            Arguments.of("link.name == \"x\"", QueryRefusal.Kind.UNSUPPORTED, "paths through links"),
            Arguments.of("link == NULL", QueryRefusal.Kind.UNSUPPORTED, "link or embedded-object property 'link'"),
            Arguments.of("links.@count > 1", QueryRefusal.Kind.UNSUPPORTED, "link or embedded-object"),
            Arguments.of("@links.Other.items.@count > 0", QueryRefusal.Kind.UNSUPPORTED, "'links' is not supported"),
            Arguments.of("SUBQUERY(links, $x, $x.i > 1).@count > 0", QueryRefusal.Kind.UNSUPPORTED, "SUBQUERY"),
            Arguments.of("link == obj(\"class_Other\", 5)", QueryRefusal.Kind.UNSUPPORTED, "'obj(...)'"),
            Arguments.of("link == L1:2", QueryRefusal.Kind.UNSUPPORTED, "link constants"),
            Arguments.of("dict.@keys == \"a\"", QueryRefusal.Kind.UNSUPPORTED, "'@keys' is not supported"),
            Arguments.of("dict[\"a\"] == \"b\"", QueryRefusal.Kind.UNSUPPORTED, "subscripts"),
            Arguments.of("dict == \"b\"", QueryRefusal.Kind.UNSUPPORTED, "dictionary property 'dict'"),
            // list vs list
            Arguments.of("{\"a\", \"b\"} IN tags", QueryRefusal.Kind.UNSUPPORTED, "list-vs-list"),
            Arguments.of("ANY {\"a\"} != ANY tags", QueryRefusal.Kind.UNSUPPORTED, "list-vs-list"),
            // other forms
            Arguments.of("i == $0", QueryRefusal.Kind.UNSUPPORTED, "query arguments"),
            Arguments.of("i == d", QueryRefusal.Kind.UNSUPPORTED, "two properties"),
            Arguments.of("i BETWEEN {1, 2}", QueryRefusal.Kind.UNSUPPORTED, "BETWEEN"),
            Arguments.of("\"a\" BEGINSWITH s", QueryRefusal.Kind.UNSUPPORTED, "on the left of BEGINSWITH"),
            Arguments.of("\"a\" IN s", QueryRefusal.Kind.UNSUPPORTED, "IN needs a list or set property"),
            Arguments.of("ANY s == \"a\"", QueryRefusal.Kind.BAD_SYNTAX, "need a list or set property"),
            Arguments.of("i == ALL {1, 2}", QueryRefusal.Kind.UNSUPPORTED, "ALL and NONE"),
            // unknown property, type mismatch
            Arguments.of("nope == 1", QueryRefusal.Kind.INVALID, "the class has no property 'nope'"),
            Arguments.of("i == \"5\"", QueryRefusal.Kind.INVALID,
                "unsupported comparison between property 'i' of type 'int' and a constant of type 'string'"),
            Arguments.of("s == 5", QueryRefusal.Kind.INVALID, "property 's' of type 'string'"),
            Arguments.of("b == 1", QueryRefusal.Kind.INVALID, "property 'b' of type 'bool'"),
            Arguments.of("ts == 5", QueryRefusal.Kind.INVALID, "property 'ts' of type 'timestamp'"),
            Arguments.of("oid == \"6561a1b2c3d4e5f601020304\"", QueryRefusal.Kind.INVALID, "of type 'objectId'"),
            Arguments.of("u == oid(6561a1b2c3d4e5f601020304)", QueryRefusal.Kind.INVALID, "of type 'uuid'"),
            Arguments.of("d == T1:0", QueryRefusal.Kind.INVALID, "of type 'double'"),
            Arguments.of("i BEGINSWITH \"1\"", QueryRefusal.Kind.INVALID, "BEGINSWITH is only supported on string"),
            Arguments.of("i ==[c] 1", QueryRefusal.Kind.INVALID, "[c] is only supported on string"),
            Arguments.of("s IN {\"a\", 1}", QueryRefusal.Kind.INVALID, "constant of type 'number'"),
            Arguments.of("tags.@count == \"2\"", QueryRefusal.Kind.INVALID, "constant of type 'string'"),
            // syntax
            Arguments.of("", QueryRefusal.Kind.BAD_SYNTAX, "the query is empty"),
            Arguments.of("   ", QueryRefusal.Kind.BAD_SYNTAX, "the query is empty"),
            Arguments.of("i ==", QueryRefusal.Kind.BAD_SYNTAX, "the query ends where a property or constant"),
            Arguments.of("i 5", QueryRefusal.Kind.BAD_SYNTAX, "expected a comparison operator"),
            Arguments.of("(i == 5", QueryRefusal.Kind.BAD_SYNTAX, "missing ')'"),
            Arguments.of("i == 5)", QueryRefusal.Kind.BAD_SYNTAX, "unexpected at offset 6"),
            Arguments.of("s == \"abc", QueryRefusal.Kind.BAD_SYNTAX, "unterminated string"),
            Arguments.of("s == B64\"!!!\"", QueryRefusal.Kind.BAD_SYNTAX, "invalid base64"),
            Arguments.of("oid == oid(1234)", QueryRefusal.Kind.BAD_SYNTAX, "24 hexadecimal digits"),
            Arguments.of("u == uuid(1234)", QueryRefusal.Kind.BAD_SYNTAX, "uuid(...) needs the form"),
            Arguments.of("ts == T1:-5", QueryRefusal.Kind.BAD_SYNTAX, "invalid timestamp"),
            Arguments.of("ts == T1:1000000000", QueryRefusal.Kind.BAD_SYNTAX, "invalid timestamp"),
            Arguments.of("i == 1e99999999999", QueryRefusal.Kind.BAD_SYNTAX, "number out of range"),
            Arguments.of("i == 12abc", QueryRefusal.Kind.BAD_SYNTAX, "invalid number"),
            Arguments.of("i == 0x", QueryRefusal.Kind.BAD_SYNTAX, "invalid hexadecimal"),
            Arguments.of("i == 1 and", QueryRefusal.Kind.BAD_SYNTAX, "the query ends"),
            Arguments.of("s <[c] \"a\"", QueryRefusal.Kind.BAD_SYNTAX, "[c] is not supported with <"),
            Arguments.of("s ==[x] \"a\"", QueryRefusal.Kind.BAD_SYNTAX, "unknown operator option"),
            Arguments.of("1 == 1", QueryRefusal.Kind.BAD_SYNTAX, "needs a property on one side"),
            Arguments.of("bin == binary(5)", QueryRefusal.Kind.BAD_SYNTAX, "binary(...) needs one string"),
            Arguments.of("bin == binary(\"a\"", QueryRefusal.Kind.BAD_SYNTAX, "binary(...) needs one string"),
            Arguments.of("i == {1, {2}}", QueryRefusal.Kind.UNSUPPORTED, "nested lists"));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("refusals")
    void shouldRefuseWithATypedMessage(final String query, final QueryRefusal.Kind kind, final String detail)
    {
        final QueryRefusal r = refuse(query, null);
        assertThat(r.kind()).as(r.message()).isEqualTo(kind);
        assertThat(r.message()).contains(detail);
        final String prefix = switch (kind)
        {
            case UNSUPPORTED -> UNSUPPORTED;
            case INVALID -> INVALID;
            default -> SYNTAX;
        };
        assertThat(r.message()).startsWith(prefix).doesNotContain("Exception").doesNotContain("java.");
        assertThat(QueryRefusal.ERROR_CODE).isEqualTo(226);
    }

    @Test
    void shouldRefuseFieldsNotDeclaredQueryable()
    {
        final QueryRefusal r = refuse("i == 1 and s == \"x\"", Set.of("i"));
        assertThat(r.kind()).isEqualTo(QueryRefusal.Kind.NOT_QUERYABLE);
        assertThat(r.message()).isEqualTo(
            "Invalid query: invalid match expression for table \"Item\": key \"s\" is not a queryable field");
        assertThat(QueryCompiler.compile("Item", "i == 1", Fixture.SCHEMA, Set.of("i")).isOk()).isTrue();
        assertThat(QueryCompiler.compile("Item", "TRUEPREDICATE", Fixture.SCHEMA, Set.of()).isOk()).isTrue();
        assertThat(refuse("'a' IN tags", Set.of("i")).kind()).isEqualTo(QueryRefusal.Kind.NOT_QUERYABLE);
        assertThat(refuse("tags.@count > 1", Set.of("i")).kind()).isEqualTo(QueryRefusal.Kind.NOT_QUERYABLE);
    }

    @Test
    void shouldRefuseQueriesOver256KilobytesAndEchoAtMost200Characters()
    {
        final StringBuilder big = new StringBuilder("s == \"");
        while (big.length() < QueryCompiler.MAX_QUERY_BYTES)
        {
            big.append("abcdefgh");
        }
        big.append('"');
        final QueryRefusal r = refuse(big.toString(), null);
        assertThat(r.kind()).isEqualTo(QueryRefusal.Kind.TOO_LARGE);
        assertThat(r.message()).contains("larger than 256 kB").hasSizeLessThan(400);
        // Just under the limit is fine.
        final String under = "s == \"" + "a".repeat(QueryCompiler.MAX_QUERY_BYTES - 7) + "\"";
        assertThat(QueryCompiler.compile("Item", under, Fixture.SCHEMA, null).isOk()).isTrue();
        // Multi-byte characters count as their UTF-8 length.
        final String wide = "s == \"" + "\u00e9".repeat(QueryCompiler.MAX_QUERY_BYTES / 2) + "\"";
        assertThat(refuse(wide, null).kind()).isEqualTo(QueryRefusal.Kind.TOO_LARGE);
        final QueryRefusal syntax = refuse("i == 1 and (" + "x".repeat(5000), null);
        assertThat(syntax.message()).hasSizeLessThan(500);
    }

    @Test
    void shouldRefuseDeepNestingWithoutOverflowingTheStack()
    {
        final String deep = "(".repeat(100_000) + "i == 1" + ")".repeat(100_000);
        assertThat(refuse(deep, null).message()).contains("nests deeper than");
        assertThat(refuse("!".repeat(100_000) + "(i == 1)", null).kind()).isEqualTo(QueryRefusal.Kind.UNSUPPORTED);
        final String ok = "(".repeat(50) + "i == 1" + ")".repeat(50);
        assertThat(QueryCompiler.compile("Item", ok, Fixture.SCHEMA, null).isOk()).isTrue();
        // Found by fuzzing: 56 bare negations parsed, but their canonical form !(!(...)) was refused.
        final CompiledQuery negations = Fixture.compile("!".repeat(99) + "i == 1");
        assertThat(Fixture.compile(negations.description()).description()).isEqualTo(negations.description());
        assertThat(refuse("!".repeat(100) + "i == 1", null).message()).contains("nests deeper than 100");
    }

    @Test
    void shouldNotEchoControlCharactersOrClassNamesUnbounded()
    {
        final QueryRefusal r = QueryCompiler.compile("X".repeat(1000), "i == \n\u0000", Fixture.SCHEMA, null).refusal();
        assertThat(r.message()).doesNotContain("\n").doesNotContain("\u0000").hasSizeLessThan(400);
    }
}
