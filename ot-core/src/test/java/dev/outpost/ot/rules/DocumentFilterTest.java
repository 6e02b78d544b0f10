package dev.outpost.ot.rules;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/** Table tests of MongoDB filter semantics over Realm values, expansions resolved from a user context. */
class DocumentFilterTest
{
    static final RuleValues VALUES = new RuleValues(Map.of("limit", 5L, "teams", List.of("t1", "t9")),
        Map.of("tag", "production"));
    static final UserContext USER = new UserContext("u1", Map.of("email", "a@b.c"),
        Map.of("team", "t1", "isAdmin", true, "teams", List.of("t1", "t2")));
    static final RuleContext CONTEXT = new RuleContext(VALUES, USER, null);

    static DocumentFilter filter(final String json)
    {
        return DocumentFilter.compile(RuleJson.parse(json), FilterScope.documents("Item", null, null, VALUES),
            CONTEXT);
    }

    static boolean matches(final String json, final TestObject o)
    {
        return filter(json).matches(o);
    }

    /** Object used by the table: owner "u1", n 5, d 2.5, tags [a, b], no field "gone", nul null, empty list. */
    static final TestObject ITEM = TestObject.of("owner_id", "u1", "n", 5L, "d", 2.5, "f", 1.5f,
        "dec", new BigDecimal("5.0"), "s", "abc", "flag", true, "tags", List.of("a", "b"), "nul", null,
        "empty", List.of(), "oid", TestObject.Oid.of("65610c0a1b2c3d4e5f607182"),
        "u", TestObject.Uuid.of("0f8fad5b-d9cb-469f-a165-70867728950e"), "ts", new TestObject.Ts(1700000000, 0),
        "bin", new byte[] {1, 2}, "nums", List.of(1L, 7L), "nan", Double.NaN);

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
        {}                                              | true
        {"owner_id": "%%user.id"}                       | true
        {"owner_id": "u2"}                              | false
        {"owner_id": {"$eq": "u1"}}                     | true
        {"owner_id": {"$ne": "u1"}}                     | false
        {"n": 5}                                        | true
        {"n": 5.0}                                      | true
        {"n": {"$numberDecimal": "5.00"}}               | true
        {"d": 2.5}                                      | true
        {"f": 1.5}                                      | true
        {"dec": 5}                                      | true
        {"n": "5"}                                      | false
        {"n": {"$gt": 4}}                               | true
        {"n": {"$gt": 5}}                               | false
        {"n": {"$gte": 5}}                              | true
        {"n": {"$lt": 5.5}}                             | true
        {"n": {"$lte": 4.99}}                           | false
        {"n": {"$gt": "4"}}                             | false
        {"n": {"$gt": 1, "$lt": 9}}                     | true
        {"n": {"$lte": "%%values.limit"}}               | true
        {"s": {"$gt": "abb"}}                           | true
        {"s": {"$lt": "abc"}}                           | false
        {"s": {"$in": ["x", "abc"]}}                    | true
        {"s": {"$nin": ["x", "abc"]}}                   | false
        {"tags": "a"}                                   | true
        {"tags": "c"}                                   | false
        {"tags": ["a", "b"]}                            | true
        {"tags": ["b", "a"]}                            | false
        {"tags": {"$ne": "a"}}                          | false
        {"tags": {"$in": ["z", "b"]}}                   | true
        {"tags": {"$gt": "a"}}                          | true
        {"nums": {"$gt": 6, "$lt": 2}}                  | true
        {"gone": null}                                  | true
        {"nul": null}                                   | true
        {"n": null}                                     | false
        {"gone": {"$exists": false}}                    | true
        {"nul": {"$exists": true}}                      | true
        {"gone": {"$ne": 1}}                            | true
        {"gone": {"$gt": 1}}                            | false
        {"gone": {"$gte": null}}                        | true
        {"gone": {"$gt": null}}                         | false
        {"nul": {"$lte": null}}                         | true
        {"empty": null}                                 | false
        {"empty": []}                                   | true
        {"empty": {"$exists": true}}                    | true
        {"gone": {"$in": [1, null]}}                    | true
        {"gone": {"$nin": [1, null]}}                   | false
        {"oid": {"$oid": "65610c0a1b2c3d4e5f607182"}}   | true
        {"oid": {"$gt": {"$oid": "65610c0a1b2c3d4e5f607181"}}} | true
        {"oid": "65610c0a1b2c3d4e5f607182"}             | false
        {"u": {"$uuid": "0f8fad5b-d9cb-469f-a165-70867728950e"}} | true
        {"u": {"$binary": {"base64": "D4+tW9nLRp+hZXCGdyiVDg==", "subType": "04"}}} | true
        {"bin": {"$binary": {"base64": "AQI=", "subType": "00"}}} | true
        {"bin": {"$binary": {"base64": "AQI=", "subType": "00"}}, "u": {"$gt": {"$binary": {"base64": "AQI=", "subType": "00"}}}} | true
        {"ts": {"$date": "2023-11-14T22:13:20Z"}}       | true
        {"ts": {"$gt": {"$date": {"$numberLong": "1699999999999"}}}} | true
        {"ts": {"$lt": {"$date": 1700000000000}}}       | false
        {"flag": true}                                  | true
        {"flag": {"$gt": false}}                        | true
        {"flag": 1}                                     | false
        {"nan": {"$numberDouble": "NaN"}}               | true
        {"nan": {"$lt": 0}}                             | false
        {"n": {"$gt": {"$numberDouble": "NaN"}}}        | false
        {"nan": {"$gte": {"$numberDouble": "NaN"}}}     | true
        {"nan": {"$ne": 0}}                             | true
        {"n": {"$not": {"$gt": 5}}}                     | true
        {"gone": {"$not": {"$gt": 5}}}                  | true
        {"$or": [{"n": 1}, {"s": "abc"}]}               | true
        {"$and": [{"n": 5}, {"s": "x"}]}                | false
        {"$nor": [{"n": 1}, {"s": "x"}]}                | true
        {"%%user.custom_data.isAdmin": true}            | true
        {"%%user.custom_data.missing": true}            | false
        {"%%user.custom_data.missing": {"$exists": false}} | true
        {"%%user.custom_data.teams": "t2"}              | true
        {"owner_id": "%%user.custom_data.missing"}      | false
        {"owner_id": {"$ne": "%%user.custom_data.missing"}} | true
        {"s": {"$in": "%%values.teams"}}                | false
        {"tags": {"$in": "%%user.custom_data.teams"}}   | false
        {"%%user.data.email": "a@b.c"}                  | true
        {"%%environment.tag": "production"}             | true
        {"%%true": true}                                | true
        {"%%false": true}                               | false
        {"n": {"$in": []}}                              | false
        {"n": {"$nin": []}}                             | true
        """)
    void shouldMatchAsMongoDb(final String json, final boolean expected)
    {
        assertThat(matches(json, ITEM)).as(json).isEqualTo(expected);
        assertThat(new ReferenceEvaluator(Map.of("%%user.id", "u1", "%%values.limit", 5L, "%%values.teams",
            List.of("t1", "t9"), "%%user.custom_data.isAdmin", true, "%%user.custom_data.teams", List.of("t1", "t2"),
            "%%user.data.email", "a@b.c", "%%environment.tag", "production", "%%true", true, "%%false", false),
            ReferenceEvaluator.Mutation.NONE).matches(RuleJson.parse(json), ITEM.fields))
            .as("reference: " + json).isEqualTo(expected);
    }

    @Test
    void shouldResolveExpansionsIntoTheDescription()
    {
        final DocumentFilter f = filter("{\"owner_id\": \"%%user.id\", \"n\": {\"$gte\": \"%%values.limit\"}}");
        assertThat(f.description()).isEqualTo("{\"$and\":[{\"owner_id\":{\"$eq\":\"u1\"}}," +
            "{\"n\":{\"$gte\":{\"$numberLong\":\"5\"}}}]}");
        assertThat(f.fields()).containsExactly("n", "owner_id");
        assertThat(f.reads("owner_id")).isTrue();
        assertThat(f.reads("s")).isFalse();
        assertThat(filter("{\"%%user.custom_data.isAdmin\": true}").matchesEverything()).isTrue();
        assertThat(filter("{\"%%user.custom_data.isAdmin\": false}").matchesNothing()).isTrue();
        assertThat(filter("{\"owner_id\": \"%%user.id\"}")).isEqualTo(filter("{\"owner_id\": {\"$eq\": \"u1\"}}"));
    }

    @Test
    void shouldTreatLargeIntegersAndDoublesExactly()
    {
        final TestObject big = TestObject.of("n", Long.MAX_VALUE, "d", 9.223372036854775807E18);
        assertThat(matches("{\"n\": {\"$lt\": 9.223372036854775807E18}}", big)).isTrue();
        assertThat(matches("{\"n\": {\"$numberLong\": \"9223372036854775807\"}}", big)).isTrue();
        assertThat(matches("{\"d\": {\"$gt\": {\"$numberLong\": \"9223372036854775807\"}}}", big)).isTrue();
        assertThat(matches("{\"n\": -0.0}", TestObject.of("n", 0L))).isTrue();
    }

    @Test
    void shouldCompareTimestampsByTheirTotalEvenWithMixedSigns()
    {
        // -0.5 s written two ways: Realm's same-sign form and a peer's floor-second form (found by the property test)
        final TestObject a = TestObject.of("ts", new TestObject.Ts(-1, 500_000_000));
        final TestObject b = TestObject.of("ts", new TestObject.Ts(0, -500_000_000));
        for (final TestObject o : List.of(a, b))
        {
            assertThat(matches("{\"ts\": {\"$date\": {\"$numberLong\": \"-500\"}}}", o)).isTrue();
            assertThat(matches("{\"ts\": {\"$lt\": {\"$date\": {\"$numberLong\": \"-499\"}}}}", o)).isTrue();
            assertThat(matches("{\"ts\": {\"$gt\": {\"$date\": {\"$numberLong\": \"-1000\"}}}}", o)).isTrue();
        }
    }

    @Test
    void shouldEvaluateOverRealState()
    {
        final dev.outpost.ot.state.ObjectData o = new dev.outpost.ot.state.ObjectData("Item");
        o.fields().put("owner_id", new dev.outpost.ot.state.Value.Str("u1"));
        o.fields().put("n", new dev.outpost.ot.state.Value.Int(7));
        final dev.outpost.ot.query.StateObjectView view = new dev.outpost.ot.query.StateObjectView().wrap(o);
        assertThat(filter("{\"owner_id\": \"%%user.id\", \"n\": {\"$gt\": 6.5}}").matches(view)).isTrue();
        assertThat(filter("{\"owner_id\": \"%%user.id\", \"n\": {\"$gt\": 7}}").matches(view)).isFalse();
        assertThat(filter("{\"missing\": null}").matches(view)).isTrue();
    }
}
