package dev.outpost.ot.rules;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link Rules#fingerprint()}: what a rule reload compares. Rules that decide alike (the same roles, filters and
 * values, keys in any order) have equal fingerprints; any change of what a role reads, writes or applies to, of the
 * role order, the values or the partition permissions changes it.
 */
class RulesFingerprintTest
{
    private static final String OWNER = "[{\"name\": \"owner\", \"apply_when\": {}, \"document_filters\": " +
        "{\"read\": {\"owner_id\": \"%%user.id\"}, \"write\": {\"owner_id\": \"%%user.id\"}}, \"read\": true, " +
        "\"write\": true, \"insert\": true, \"delete\": true}]";
    private static final String OWNER_REORDERED = "[{\"delete\": true, \"insert\": true, \"write\": true, " +
        "\"read\": true, \"document_filters\": {\"write\": {\"owner_id\": \"%%user.id\"}, \"read\": " +
        "{\"owner_id\": \"%%user.id\"}}, \"apply_when\": {}, \"name\": \"owner\"}]";
    private static final String READ_ALL = "[{\"name\": \"owner\", \"apply_when\": {}, \"document_filters\": " +
        "{\"read\": true, \"write\": {\"owner_id\": \"%%user.id\"}}, \"read\": true, " +
        "\"write\": true, \"insert\": true, \"delete\": true}]";
    private static final String NO_DELETE = "[{\"name\": \"owner\", \"apply_when\": {}, \"document_filters\": " +
        "{\"read\": {\"owner_id\": \"%%user.id\"}, \"write\": {\"owner_id\": \"%%user.id\"}}, \"read\": true, " +
        "\"write\": true, \"insert\": true, \"delete\": false}]";
    private static final String NAME_FIELD = "[{\"name\": \"owner\", \"apply_when\": {}, \"document_filters\": " +
        "{\"read\": {\"owner_id\": \"%%user.id\"}, \"write\": {\"owner_id\": \"%%user.id\"}}, \"read\": true, " +
        "\"write\": false, \"fields\": {\"name\": {\"read\": true, \"write\": true}}}]";

    private static Rules item(final String roles, final RuleValues values)
    {
        return new Rules.Builder(values).roles("Item", RoleTemplate.parseAll(RuleJson.parse(roles), "roles",
            FilterScope.documents("Item", null, null, values))).build();
    }

    @Test
    void shouldBeEqualForTheSameRulesWhateverTheKeyOrder()
    {
        assertThat(item(OWNER, RuleValues.NONE).fingerprint()).isEqualTo(item(OWNER, RuleValues.NONE).fingerprint())
            .isEqualTo(item(OWNER_REORDERED, RuleValues.NONE).fingerprint()).hasSize(64);
        assertThat(Rules.NONE.fingerprint()).isEqualTo(new Rules.Builder(RuleValues.NONE).build().fingerprint());
    }

    @Test
    void shouldDifferForAnyChangeOfWhatTheRulesDecide()
    {
        final String owner = item(OWNER, RuleValues.NONE).fingerprint();
        assertThat(item(READ_ALL, RuleValues.NONE).fingerprint()).isNotEqualTo(owner);
        assertThat(item(NO_DELETE, RuleValues.NONE).fingerprint()).isNotEqualTo(owner);
        assertThat(item(NAME_FIELD, RuleValues.NONE).fingerprint()).isNotEqualTo(owner);
        assertThat(item(OWNER, new RuleValues(Map.of("limit", 5L), Map.of())).fingerprint()).isNotEqualTo(owner);
        assertThat(Rules.NONE.fingerprint()).isNotEqualTo(owner);
        final Rules twoRoles = new Rules.Builder(RuleValues.NONE).roles("Item", List.of(
            RoleTemplate.parseAll(RuleJson.parse(OWNER), "roles", FilterScope.documents("Item", null, null,
                RuleValues.NONE)).get(0),
            RoleTemplate.parseAll(RuleJson.parse(READ_ALL), "roles", FilterScope.documents("Item", null, null,
                RuleValues.NONE)).get(0))).build();
        final Rules swapped = new Rules.Builder(RuleValues.NONE).roles("Item", List.of(
            RoleTemplate.parseAll(RuleJson.parse(READ_ALL), "roles", FilterScope.documents("Item", null, null,
                RuleValues.NONE)).get(0),
            RoleTemplate.parseAll(RuleJson.parse(OWNER), "roles", FilterScope.documents("Item", null, null,
                RuleValues.NONE)).get(0))).build();
        assertThat(twoRoles.fingerprint()).as("role order decides").isNotEqualTo(swapped.fingerprint());
        final Rules own = new Rules.Builder(RuleValues.NONE).partition(PartitionRules.parse(
            RuleJson.parse("{\"%%partition\": \"%%user.id\"}"), true, RuleValues.NONE)).build();
        final Rules readOnly = new Rules.Builder(RuleValues.NONE).partition(PartitionRules.parse(
            RuleJson.parse("{\"%%partition\": \"%%user.id\"}"), false, RuleValues.NONE)).build();
        assertThat(own.fingerprint()).isNotEqualTo(readOnly.fingerprint()).isNotEqualTo(Rules.NONE.fingerprint());
        assertThat(item(OWNER, RuleValues.NONE).fingerprint()).as("1 and 1.0 differ in a filter")
            .isNotEqualTo(item(OWNER.replace("\"%%user.id\"}, \"write\"", "1}, \"write\""), RuleValues.NONE)
                .fingerprint());
    }
}
