package dev.outpost.server.sync.flx;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class FlxQueryTest
{
    @Test
    void shouldAcceptTruePredicateVariantsAsRealmEmitsThem()
    {
        assertThat(FlxQuery.parse("{}").classes()).isEmpty();
        assertThat(FlxQuery.parse("{}").rejected()).isNull();
        final FlxQuery q = FlxQuery.parse("{\"Item\":\"(TRUEPREDICATE )\",\"Other\":\"(TRUEPREDICATE)\"," +
            "\"Third\":\"  truepredicate \",\"Fourth\":\"(TRUEPREDICATE) OR (TRUEPREDICATE )\"}");
        assertThat(q.rejected()).isNull();
        assertThat(q.classes()).containsExactly("Fourth", "Item", "Other", "Third");
    }

    @Test
    void shouldParseNarrowerQueriesUncompiledAndRejectMalformedJson()
    {
        final FlxQuery narrow = FlxQuery.parse("{\"Item\":\"(name == \\\"a\\\")\",\"Other\":\"TRUEPREDICATE\"}");
        assertThat(narrow.rejected()).isNull();
        assertThat(narrow.queries()).containsEntry("Item", "(name == \"a\")");
        assertThat(narrow.wholeClasses()).isFalse();
        assertThat(FlxQuery.parse("{\"Item\":\"(TRUEPREDICATE) OR (size > 3)\"}").wholeClasses()).isFalse();
        assertThat(FlxQuery.parse("{\"Item\":\"(TRUEPREDICATE) OR (TRUEPREDICATE)\"}").wholeClasses()).isTrue();
        assertThat(FlxQuery.parse("{\"Item\":").rejected()).startsWith("malformed");
        assertThat(FlxQuery.parse("[1]").rejected()).startsWith("malformed");
        assertThat(FlxQuery.parse("{\"Item\":\"TRUEPREDICATE\"} x").rejected()).startsWith("malformed");
        assertThat(FlxQuery.parse("{\"Item\":5}").rejected()).startsWith("malformed");
    }

    @Test
    void shouldDecodeJsonEscapesInClassNames()
    {
        assertThat(FlxQuery.parse("{\"It\\u0065m\\\"\":\"TRUEPREDICATE\"}").classes()).containsExactly("Item\"");
    }

    @Test
    void shouldLeaveAsymmetricClassesOutOfTheView()
    {
        final FlxQuery q = FlxQuery.parse("{\"Item\":\"TRUEPREDICATE\",\"Log\":\"TRUEPREDICATE\"}");
        assertThat(q.without(java.util.Set.of("Log")).classes()).containsExactly("Item");
        assertThat(q.without(java.util.Set.of("Other"))).isSameAs(q);
    }
}
