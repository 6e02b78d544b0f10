package dev.outpost.ot.rules;

import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.outpost.ot.query.FieldType;
import dev.outpost.ot.query.QuerySchema;
import dev.outpost.ot.query.ValueKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Roles (first match wins, apply_when, no access), sync-compatibility refusals naming the key, PBS permissions. */
class RulesTest
{
    private static final QuerySchema SCHEMA = f -> switch (f)
    {
        case "owner_id", "team" -> new FieldType(ValueKind.STRING, FieldType.Shape.SINGLE, true);
        case "n" -> new FieldType(ValueKind.INT, FieldType.Shape.SINGLE, false);
        case "owner" -> new FieldType(ValueKind.OTHER, FieldType.Shape.SINGLE, true);
        default -> null;
    };
    private static final FilterScope ITEMS = FilterScope.documents("Item", SCHEMA, Set.of("owner_id", "team",
        "owner", "n"), RuleValues.NONE);

    private static final String ROLES = """
        {"roles": [
          {"name": "admin", "apply_when": {"%%user.custom_data.isAdmin": true},
           "document_filters": {"read": true, "write": true}, "read": true, "write": true, "insert": true,
           "delete": true, "search": true},
          {"name": "owner", "apply_when": {},
           "document_filters": {"read": {"owner_id": "%%user.id"}, "write": {"owner_id": "%%user.id"}},
           "read": true, "write": true, "insert": true, "delete": false},
          {"name": "never", "apply_when": {}, "document_filters": {"read": true, "write": true}, "read": true}
        ]}""";

    private static Rules rules()
    {
        return new Rules.Builder(RuleValues.NONE).roles("Item", Rules.parseDocument(RuleJson.parse(ROLES), ITEMS))
            .build();
    }

    @Test
    void shouldGiveTheFirstRoleWhoseApplyWhenHolds()
    {
        final Rules rules = rules();
        final Role admin = rules.roleFor("Item", rules.context(new UserContext("u9", Map.of(),
            Map.of("isAdmin", true))));
        assertThat(admin.name()).isEqualTo("admin");
        assertThat(admin.view().matchesEverything()).isTrue();
        final Role owner = rules.roleFor("Item", rules.context(UserContext.of("u1")));
        assertThat(owner.name()).isEqualTo("owner");
        assertThat(owner.view().matches(TestObject.of("owner_id", "u1"))).isTrue();
        assertThat(owner.view().matches(TestObject.of("owner_id", "u2"))).isFalse();
        assertThat(owner.writeFilter().description()).isEqualTo("{\"owner_id\":{\"$eq\":\"u1\"}}");
        assertThat(owner.insert().matchesEverything()).isTrue();
        assertThat(owner.delete().matchesNothing()).isTrue();
        assertThat(owner.canWrite()).isTrue();
    }

    @Test
    void shouldGiveNoAccessWithoutAMatchingRoleOrForAClassWithoutRoles()
    {
        final Rules rules = new Rules.Builder(RuleValues.NONE).roles("Item", Rules.parseDocument(RuleJson.parse(
            "{\"roles\": [{\"name\": \"a\", \"apply_when\": {\"%%user.id\": \"boss\"}, \"document_filters\": " +
            "{\"read\": true, \"write\": true}, \"read\": true}]}"), ITEMS)).build();
        assertThat(rules.roleFor("Item", rules.context(UserContext.of("u1")))).isSameAs(Role.NO_ACCESS);
        assertThat(rules.roleFor("Other", rules.context(UserContext.of("u1")))).isSameAs(Role.NO_ACCESS);
        assertThat(Role.NO_ACCESS.view().matchesNothing()).isTrue();
        assertThat(rules.roleFor("Item", rules.context(UserContext.of("boss"))).name()).isEqualTo("a");
        assertThat(Rules.NONE.roleFor("Item", Rules.NONE.context(UserContext.of("u1")))).isSameAs(Rules.FULL_ACCESS);
    }

    @Test
    void shouldUseTheDefaultRolesForClassesWithoutTheirOwn()
    {
        final Rules rules = new Rules.Builder(RuleValues.NONE).defaultRoles(Rules.parseDocument(RuleJson.parse(
            "{\"roles\": [{\"name\": \"readAll\", \"document_filters\": {\"read\": true, \"write\": " +
            "{\"owner_id\": \"%%user.id\"}}, \"read\": true, \"write\": true}]}"), ITEMS)).build();
        final Role r = rules.roleFor("Anything", rules.context(UserContext.of("u1")));
        assertThat(r.name()).isEqualTo("readAll");
        assertThat(r.view().matchesEverything()).isTrue();
        assertThat(r.writeFilter().matches(TestObject.of("owner_id", "u2"))).isFalse();
    }

    @Test
    void shouldLetWriteImplyRead()
    {
        final Role r = RoleTemplate.parse(RuleJson.parse("{\"name\": \"w\", \"document_filters\": {\"read\": " +
            "{\"team\": \"t1\"}, \"write\": {\"owner_id\": \"%%user.id\"}}, \"read\": false, \"write\": true}"),
            "roles[0]", ITEMS).bind(new RuleContext(RuleValues.NONE, UserContext.of("u1"), null));
        assertThat(r.view().matches(TestObject.of("owner_id", "u1", "team", "x"))).isTrue();
        assertThat(r.view().matches(TestObject.of("owner_id", "u2", "team", "t1"))).isTrue();
        assertThat(r.view().matches(TestObject.of("owner_id", "u2", "team", "x"))).isFalse();
        assertThat(r.mayRead("anything")).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        {"roles": [{"name": "a", "document_filters": {"read": true}, "read": true}]} | roles[0].document_filters | NOT_SYNC_COMPATIBLE
        {"roles": [{"name": "a", "document_filters": {"read": {"secret": 1}, "write": true}}]} | roles[0].document_filters.read.secret | NOT_QUERYABLE
        {"roles": [{"name": "a", "document_filters": {"read": {"owner": null}, "write": true}}]} | roles[0].document_filters.read.owner | NOT_QUERYABLE
        {"roles": [{"name": "a", "document_filters": {"read": {"owner_id.x": 1}, "write": true}}]} | roles[0].document_filters.read.owner_id.x | UNSUPPORTED
        {"roles": [{"name": "a", "apply_when": {"owner_id": "%%user.id"}, "document_filters": {"read": true, "write": true}}]} | roles[0].apply_when.owner_id | NOT_SYNC_COMPATIBLE
        {"roles": [{"name": "a", "document_filters": {"read": {"%%true": {"%function": {"name": "f"}}}, "write": true}}]} | roles[0].document_filters.read.%%true.%function | NOT_SYNC_COMPATIBLE
        {"roles": [{"name": "a", "document_filters": {"read": {"%or": []}, "write": true}}]} | roles[0].document_filters.read.%or | NOT_SYNC_COMPATIBLE
        {"roles": [{"name": "a", "document_filters": {"read": {"owner_id": "%%root.owner_id"}, "write": true}}]} | roles[0].document_filters.read.owner_id | NOT_SYNC_COMPATIBLE
        {"roles": [{"name": "a", "document_filters": {"read": {"owner_id": "%%partition"}, "write": true}}]} | roles[0].document_filters.read.owner_id | NOT_SYNC_COMPATIBLE
        {"roles": [{"name": "a", "document_filters": {"read": {"owner_id": {"$regex": "^a"}}, "write": true}}]} | roles[0].document_filters.read.owner_id.$regex | UNSUPPORTED
        {"roles": [{"name": "a", "document_filters": {"read": {"$expr": {}}, "write": true}}]} | roles[0].document_filters.read.$expr | UNSUPPORTED
        {"roles": [{"name": "a", "document_filters": {"read": {"n": {"$gt": [1]}}, "write": true}}]} | roles[0].document_filters.read.n.$gt | UNSUPPORTED
        {"roles": [{"name": "a", "document_filters": {"read": {"n": {"$oid": "zz"}}, "write": true}}]} | roles[0].document_filters.read.n.$oid | SYNTAX
        {"roles": [{"name": "a", "document_filters": {"read": {"n": "%%values.nope"}, "write": true}}]} | roles[0].document_filters.read.n | SYNTAX
        {"roles": [{"name": "a", "document_filters": {"read": true, "write": true}, "read": {"%%user.id": "x"}}]} | roles[0].read | NOT_SYNC_COMPATIBLE
        {"roles": [{"name": "a", "document_filters": {"read": true, "write": true}, "fields": {"_id": {"read": true}}}]} | roles[0].fields._id | NOT_SYNC_COMPATIBLE
        {"roles": [{"name": "a", "document_filters": {"read": true, "write": true}, "fields": {"n": {"read": "yes"}}}]} | roles[0].fields.n.read | NOT_SYNC_COMPATIBLE
        {"roles": [{"name": "a", "document_filters": {"read": true, "write": true}, "typo": 1}]} | roles[0].typo | SYNTAX
        {"roles": [], "filters": [{"name": "f"}]} | filters | NOT_SYNC_COMPATIBLE
        {"roles": [{"name": "a", "document_filters": {"read": {"$or": []}, "write": true}}]} | roles[0].document_filters.read.$or | SYNTAX
        """)
    void shouldRefuseWhatSyncCannotHonourNamingTheKey(final String json, final String key, final String kind)
    {
        assertThatThrownBy(() -> Rules.parseDocument(RuleJson.parse(json), ITEMS))
            .isInstanceOfSatisfying(RuleRefusal.class, r ->
            {
                assertThat(r.key()).isEqualTo(key);
                assertThat(r.kind()).isEqualTo(RuleRefusal.Kind.valueOf(kind));
                assertThat(r.getMessage()).startsWith("key " + key + ": ").doesNotContain("Exception");
            });
    }

    @Test
    void shouldRefuseBadJsonTyped()
    {
        for (final String bad : List.of("", "{", "{\"a\":1,\"a\":2}", "[1,]", "{\"a\": tru}", "\"\\x\"", "01",
            "[".repeat(100) + "]".repeat(100)))
        {
            assertThatThrownBy(() -> RuleJson.parse(bad)).as(bad).isInstanceOf(RuleRefusal.class)
                .extracting(t -> ((RuleRefusal)t).kind()).isEqualTo(RuleRefusal.Kind.SYNTAX);
        }
        assertThat(RuleJson.parse("{\"a\": [1, 2.5, -3e2, \"x\\u0041\", true, null]}"))
            .isEqualTo(Map.of("a", java.util.Arrays.asList(1L, 2.5, -300.0, "xA", true, null)));
    }

    @Test
    void shouldEvaluatePartitionPermissions()
    {
        final PartitionRules own = PartitionRules.parse(RuleJson.parse("{\"%%partition\": \"%%user.id\"}"),
            RuleJson.parse("{\"%%partition\": \"%%user.id\"}"), RuleValues.NONE);
        final Rules rules = new Rules.Builder(RuleValues.NONE).partition(own).build();
        final UserContext u1 = UserContext.of("u1");
        assertThat(rules.partitionAccess(RuleContext.partitionOf("\"u1\""), u1))
            .isEqualTo(PartitionRules.Access.READ_WRITE);
        assertThat(rules.partitionAccess(RuleContext.partitionOf("\"u2\""), u1)).isEqualTo(PartitionRules.Access.NONE);
        assertThat(rules.partitionAccess(RuleContext.partitionOf("u1"), u1)).isEqualTo(PartitionRules.Access.READ_WRITE);

        final PartitionRules readAll = PartitionRules.parse(true, RuleJson.parse("{\"%%partition\": " +
            "\"%%user.id\"}"), RuleValues.NONE);
        assertThat(readAll.access(new RuleContext(RuleValues.NONE, u1, "u2"))).isEqualTo(PartitionRules.Access.READ);
        assertThat(readAll.access(new RuleContext(RuleValues.NONE, u1, "u1")))
            .isEqualTo(PartitionRules.Access.READ_WRITE);

        final PartitionRules member = PartitionRules.parse(RuleJson.parse("{\"%%partition\": {\"$in\": " +
            "\"%%user.custom_data.projects\"}}"), false, RuleValues.NONE);
        final UserContext pm = new UserContext("u3", Map.of(), Map.of("projects", List.of("p1", "p2")));
        assertThat(member.access(new RuleContext(RuleValues.NONE, pm, "p2"))).isEqualTo(PartitionRules.Access.READ);
        assertThat(member.access(new RuleContext(RuleValues.NONE, pm, "p3"))).isEqualTo(PartitionRules.Access.NONE);
        assertThat(member.access(new RuleContext(RuleValues.NONE, u1, "p1"))).isEqualTo(PartitionRules.Access.NONE);

        final PartitionRules oid = PartitionRules.parse(RuleJson.parse("{\"%%partition\": {\"$oid\": " +
            "\"65610c0a1b2c3d4e5f607182\"}}"), false, RuleValues.NONE);
        assertThat(oid.access(new RuleContext(RuleValues.NONE, u1,
            RuleContext.partitionOf("{\"$oid\":\"65610c0a1b2c3d4e5f607182\"}")))).isEqualTo(PartitionRules.Access.READ);
        assertThat(oid.access(new RuleContext(RuleValues.NONE, u1, RuleContext.partitionOf("\"65610c0a1b2c3d4e5f607182\""))))
            .isEqualTo(PartitionRules.Access.NONE);

        assertThatThrownBy(() -> PartitionRules.parse(RuleJson.parse("{\"_partition\": \"%%user.id\"}"), true,
            RuleValues.NONE)).isInstanceOfSatisfying(RuleRefusal.class,
                r -> assertThat(r.key()).isEqualTo("read._partition"));
    }
}
