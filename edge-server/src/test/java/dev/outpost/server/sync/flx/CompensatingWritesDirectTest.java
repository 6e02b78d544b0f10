package dev.outpost.server.sync.flx;

import dev.outpost.codec.changeset.Instr;
import dev.outpost.ot.model.Changeset;
import dev.outpost.ot.model.PrimaryKey;
import dev.outpost.ot.query.CompiledQuery;
import dev.outpost.ot.rules.FilterScope;
import dev.outpost.ot.rules.RoleTemplate;
import dev.outpost.ot.rules.RuleJson;
import dev.outpost.ot.rules.RuleValues;
import dev.outpost.ot.rules.Rules;
import dev.outpost.ot.rules.UserContext;
import dev.outpost.ot.state.ChangesetApplier;
import dev.outpost.ot.state.ChangesetBuilder;
import dev.outpost.ot.state.ObjectState;
import dev.outpost.ot.state.Value;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The upload check's direct path ({@link CompensatingWrites#outsideViewDirect}: the touched objects' before and
 * after values, no scratch state) decides exactly as the scratch-state path ({@link
 * CompensatingWrites#outsideViewScratch}) for every changeset shape it models, and declines the others.
 */
class CompensatingWritesDirectTest
{
    private static final String OWNER = "{\"name\": \"owner\", \"apply_when\": {}, \"document_filters\": " +
        "{\"read\": {\"owner_id\": \"%%user.id\"}, \"write\": {\"owner_id\": \"%%user.id\"}}, \"read\": true, " +
        "\"write\": WRITE, \"insert\": INSERT, \"delete\": DELETE, \"fields\": {\"secret\": {\"read\": true, " +
        "\"write\": false}}, \"additional_fields\": {\"read\": true, \"write\": true}}";

    private ObjectState state;
    private final Map<String, FlxView> views = new LinkedHashMap<>();

    @BeforeEach
    void setUp()
    {
        state = new ObjectState();
        final ChangesetBuilder b = new ChangesetBuilder();
        b.addTable("Item", Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_INT, false);
        b.addColumn("Item", "owner_id", Instr.TYPE_STRING, false, Instr.COLLECTION_SINGLE, null, 0);
        b.addColumn("Item", "name", Instr.TYPE_STRING, false, Instr.COLLECTION_SINGLE, null, 0);
        b.addColumn("Item", "secret", Instr.TYPE_STRING, true, Instr.COLLECTION_SINGLE, null, 0);
        b.addColumn("Item", "n", Instr.TYPE_INT, true, Instr.COLLECTION_SINGLE, null, 0);
        b.addColumn("Item", "any", Instr.TYPE_NULL, true, Instr.COLLECTION_SINGLE, null, 0);
        b.addColumn("Item", "tags", Instr.TYPE_STRING, false, Instr.COLLECTION_LIST, null, 0);
        b.addTable("Note", Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_INT, false);
        b.addColumn("Note", "text", Instr.TYPE_STRING, false, Instr.COLLECTION_SINGLE, null, 0);
        for (int i = 1; i <= 20; i++)
        {
            final Value k = new Value.Int(i);
            b.createObject("Item", k);
            b.update("Item", k, "owner_id", new Object[0], Instr.TYPE_STRING,
                new Value.Str(i % 2 == 1 ? "user-7" : "user-8"), false, -1);
            b.update("Item", k, "name", new Object[0], Instr.TYPE_STRING, new Value.Str("item-" + i), false, -1);
            b.update("Item", k, "n", new Object[0], Instr.TYPE_INT, new Value.Int(i), false, -1);
            b.createObject("Note", k);
        }
        assertThat(new ChangesetApplier(state).apply(b.changeset()).ok()).isTrue();

        final Map<String, CompiledQuery> cache = new TreeMap<>();
        final FlxQuery all = new FlxQuery(Map.of("Item", "TRUEPREDICATE", "Note", "TRUEPREDICATE"), null);
        final FlxQuery narrow = new FlxQuery(Map.of("Item", "n > 5", "Note", "TRUEPREDICATE"), null);
        final FlxRoles owner = roles(OWNER.replace("WRITE", "true").replace("INSERT", "true")
            .replace("DELETE", "true"));
        final FlxRoles noInsert = roles(OWNER.replace("WRITE", "true").replace("INSERT", "false")
            .replace("DELETE", "false"));
        final FlxRoles byField = roles(OWNER.replace("WRITE", "false").replace("INSERT", "true")
            .replace("DELETE", "true"));
        views.put("owner", FlxView.compile(all, state, null, cache, owner).view());
        views.put("owner, no insert/delete", FlxView.compile(all, state, null, cache, noInsert).view());
        views.put("owner, field rules", FlxView.compile(all, state, null, cache, byField).view());
        views.put("query n > 5", FlxView.compile(narrow, state, null, cache, null).view());
        views.put("owner and query n > 5", FlxView.compile(narrow, state, null, cache, owner).view());
    }

    private static FlxRoles roles(final String role)
    {
        final Rules rules = new Rules.Builder(RuleValues.NONE)
            .roles("Item", RoleTemplate.parseAll(RuleJson.parse("[" + role + "]"), "roles",
                FilterScope.documents("Item", null, null, RuleValues.NONE)))
            .build();
        return FlxRoles.of(rules, UserContext.of("user-7"));
    }

    @Test
    void shouldDecideAsTheScratchStateForEveryModelledShape()
    {
        final Map<String, Changeset> cases = new LinkedHashMap<>();
        cases.put("create own", cs(b -> create(b, 100, "user-7", 10)));
        cases.put("create foreign", cs(b -> create(b, 100, "user-8", 10)));
        cases.put("create own, n 3", cs(b -> create(b, 100, "user-7", 3)));
        cases.put("create, defaults only", cs(b -> b.createObject("Item", new Value.Int(100))));
        cases.put("update own name", cs(b -> set(b, 7, "name", new Value.Str("x"))));
        cases.put("update foreign name", cs(b -> set(b, 8, "name", new Value.Str("x"))));
        cases.put("give own away", cs(b -> set(b, 7, "owner_id", new Value.Str("user-8"))));
        cases.put("take foreign", cs(b -> set(b, 8, "owner_id", new Value.Str("user-7"))));
        cases.put("write forbidden field", cs(b -> set(b, 7, "secret", new Value.Str("s"))));
        cases.put("null into nullable", cs(b -> b.update("Item", new Value.Int(7), "n", new Object[0],
            Instr.TYPE_NULL, null, false, -1)));
        cases.put("mixed field", cs(b -> set(b, 7, "any", new Value.Str("m"))));
        cases.put("several on one object", cs(b ->
        {
            set(b, 9, "name", new Value.Str("a"));
            set(b, 9, "n", new Value.Int(2));
            set(b, 9, "owner_id", new Value.Str("user-8"));
            set(b, 9, "owner_id", new Value.Str("user-7"));
            set(b, 9, "n", new Value.Int(9));
        }));
        cases.put("move out of query, then back", cs(b ->
        {
            set(b, 11, "n", new Value.Int(1));
            set(b, 11, "n", new Value.Int(12));
        }));
        cases.put("create then update away", cs(b ->
        {
            create(b, 100, "user-7", 10);
            set(b, 100, "owner_id", new Value.Str("user-8"));
        }));
        cases.put("create foreign then update to own", cs(b ->
        {
            create(b, 100, "user-8", 10);
            set(b, 100, "owner_id", new Value.Str("user-7"));
        }));
        cases.put("create, update, erase", cs(b ->
        {
            create(b, 100, "user-8", 10);
            b.eraseObject("Item", new Value.Int(100));
        }));
        cases.put("erase own", cs(b -> b.eraseObject("Item", new Value.Int(7))));
        cases.put("erase foreign", cs(b -> b.eraseObject("Item", new Value.Int(8))));
        cases.put("erase missing", cs(b -> b.eraseObject("Item", new Value.Int(500))));
        cases.put("erase own then re-create foreign", cs(b ->
        {
            b.eraseObject("Item", new Value.Int(7));
            create(b, 7, "user-8", 10);
        }));
        cases.put("erase foreign then re-create own", cs(b ->
        {
            b.eraseObject("Item", new Value.Int(8));
            create(b, 8, "user-7", 10);
        }));
        cases.put("create existing (no-op) then update", cs(b ->
        {
            b.createObject("Item", new Value.Int(7));
            set(b, 7, "name", new Value.Str("again"));
        }));
        cases.put("many objects, other class too", cs(b ->
        {
            create(b, 100, "user-7", 10);
            set(b, 8, "name", new Value.Str("x"));
            b.update("Note", new Value.Int(3), "text", new Object[0], Instr.TYPE_STRING, new Value.Str("t"),
                false, -1);
            set(b, 13, "n", new Value.Int(0));
            b.eraseObject("Item", new Value.Int(10));
            b.eraseObject("Item", new Value.Int(11));
            set(b, 100, "n", new Value.Int(1));
        }));
        cases.put("nothing of a checked class", cs(b -> b.createObject("Note", new Value.Int(100))));

        for (final Map.Entry<String, FlxView> v : views.entrySet())
        {
            for (final Map.Entry<String, Changeset> c : cases.entrySet())
            {
                final String what = c.getKey() + " / " + v.getKey();
                final Set<CompensatingWrites.Rejected> forbiddenDirect = new HashSet<>();
                final Set<CompensatingWrites.Rejected> forbiddenScratch = new HashSet<>();
                final Set<CompensatingWrites.Rejected> direct =
                    CompensatingWrites.outsideViewDirect(c.getValue(), v.getValue(), state, forbiddenDirect);
                final Set<CompensatingWrites.Rejected> scratch =
                    CompensatingWrites.outsideViewScratch(c.getValue(), v.getValue(), state, forbiddenScratch);
                assertThat(direct).as(what).isNotNull();
                assertThat(direct).as(what).isEqualTo(scratch);
                assertThat(forbiddenDirect).as(what).isEqualTo(forbiddenScratch);
            }
        }
    }

    @Test
    void shouldRejectWhatTheRoleForbidsOnTheDirectPath()
    {
        final FlxView owner = views.get("owner, field rules");
        final Changeset c = cs(b ->
        {
            create(b, 100, "user-7", 10);
            create(b, 101, "user-8", 10);
            set(b, 7, "owner_id", new Value.Str("user-8"));
            set(b, 9, "name", new Value.Str("mine"));
            set(b, 11, "secret", new Value.Str("s"));
            create(b, 102, "user-8", 10);
            b.eraseObject("Item", new Value.Int(102));
        });
        final Set<CompensatingWrites.Rejected> forbidden = new HashSet<>();
        assertThat(CompensatingWrites.outsideViewDirect(c, owner, state, forbidden))
            .containsExactlyInAnyOrder(item(101), item(7), item(11));
        assertThat(forbidden).containsExactlyInAnyOrder(item(101), item(7), item(11));

        final List<CompensatingWrites.Rejected> rejected = new ArrayList<>();
        final Changeset kept = CompensatingWrites.trim(c, owner, state, rejected, new HashSet<>());
        assertThat(rejected).containsExactly(item(101), item(7), item(11));
        assertThat(kept.size()).isEqualTo(c.size() - 4 - 1 - 1); // 101 created (4 instructions), 7, 11
    }

    @Test
    void shouldLeaveShapesItDoesNotModelToTheScratchState()
    {
        final Map<String, Changeset> cases = new LinkedHashMap<>();
        cases.put("AddInteger", cs(b -> b.addInteger("Item", new Value.Int(7), "n", new Object[0], 1)));
        cases.put("list", cs(b -> b.arrayInsert("Item", new Value.Int(7), "tags", new Object[] {0},
            Instr.TYPE_STRING, new Value.Str("t"), 0)));
        cases.put("type mismatch", cs(b -> set(b, 7, "n", new Value.Str("x"))));
        cases.put("null into required", cs(b -> b.update("Item", new Value.Int(7), "name", new Object[0],
            Instr.TYPE_NULL, null, false, -1)));
        cases.put("unknown field", cs(b -> set(b, 7, "nope", new Value.Str("x"))));
        cases.put("update of a missing object", cs(b -> set(b, 500, "name", new Value.Str("x"))));
        cases.put("update after erase", cs(b ->
        {
            b.eraseObject("Item", new Value.Int(7));
            set(b, 7, "name", new Value.Str("x"));
        }));
        cases.put("primary key", cs(b -> set(b, 7, "_id", new Value.Int(7))));
        cases.put("schema", cs(b ->
        {
            b.addColumn("Item", "extra", Instr.TYPE_INT, true, Instr.COLLECTION_SINGLE, null, 0);
            set(b, 7, "name", new Value.Str("x"));
        }));
        for (final FlxView v : views.values())
        {
            for (final Map.Entry<String, Changeset> c : cases.entrySet())
            {
                final Set<CompensatingWrites.Rejected> forbidden = new HashSet<>();
                assertThat(CompensatingWrites.outsideViewDirect(c.getValue(), v, state, forbidden))
                    .as(c.getKey()).isNull();
                assertThat(forbidden).as(c.getKey()).isEmpty();
            }
        }
    }

    private static CompensatingWrites.Rejected item(final long key)
    {
        return new CompensatingWrites.Rejected("Item", PrimaryKey.ofInt(key));
    }

    private static Changeset cs(final Consumer<ChangesetBuilder> body)
    {
        final ChangesetBuilder b = new ChangesetBuilder();
        body.accept(b);
        return b.changeset();
    }

    private static void create(final ChangesetBuilder b, final long key, final String owner, final long n)
    {
        b.createObject("Item", new Value.Int(key));
        set(b, key, "owner_id", new Value.Str(owner));
        set(b, key, "name", new Value.Str("new"));
        set(b, key, "n", new Value.Int(n));
    }

    private static void set(final ChangesetBuilder b, final long key, final String field, final Value value)
    {
        b.update("Item", new Value.Int(key), field, new Object[0], value.type(), value, false, -1);
    }
}
