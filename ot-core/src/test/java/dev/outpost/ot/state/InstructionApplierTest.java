package dev.outpost.ot.state;

import dev.outpost.codec.ProtocolErrorCode;
import dev.outpost.codec.changeset.Instr;
import dev.outpost.ot.model.Changeset;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class InstructionApplierTest
{
    private static final Object[] NO_PATH = new Object[0];
    private static final Value K1 = new Value.Int(1);
    private static final Value K2 = new Value.Int(2);

    private ObjectState state;
    private ChangesetApplier applier;

    @BeforeEach
    void setUp()
    {
        state = new ObjectState();
        applier = new ChangesetApplier(state);
        final ChangesetBuilder b = new ChangesetBuilder();
        b.addTable("Person", Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_INT, false);
        b.addTable("Address", Instr.TABLE_EMBEDDED, null, 0, false);
        b.addTable("Dog", Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_STRING, true);
        b.addColumn("Address", "city", Instr.TYPE_STRING, true, Instr.COLLECTION_SINGLE, null, 0);
        b.addColumn("Person", "name", Instr.TYPE_STRING, false, Instr.COLLECTION_SINGLE, null, 0);
        b.addColumn("Person", "nick", Instr.TYPE_STRING, true, Instr.COLLECTION_SINGLE, null, 0);
        b.addColumn("Person", "age", Instr.TYPE_INT, true, Instr.COLLECTION_SINGLE, null, 0);
        b.addColumn("Person", "any", Instr.TYPE_NULL, true, Instr.COLLECTION_SINGLE, null, 0);
        b.addColumn("Person", "dog", Instr.TYPE_LINK, true, Instr.COLLECTION_SINGLE, "Dog", 0);
        b.addColumn("Person", "dogs", Instr.TYPE_LINK, false, Instr.COLLECTION_LIST, "Dog", 0);
        b.addColumn("Person", "address", Instr.TYPE_LINK, true, Instr.COLLECTION_SINGLE, "Address", 0);
        b.addColumn("Person", "addresses", Instr.TYPE_LINK, false, Instr.COLLECTION_LIST, "Address", 0);
        b.addColumn("Person", "scores", Instr.TYPE_INT, false, Instr.COLLECTION_LIST, null, 0);
        b.addColumn("Person", "tags", Instr.TYPE_STRING, false, Instr.COLLECTION_SET, null, 0);
        b.addColumn("Person", "attrs", Instr.TYPE_STRING, true, Instr.COLLECTION_DICTIONARY, null, Instr.TYPE_STRING);
        b.addColumn("Person", "places", Instr.TYPE_LINK, true, Instr.COLLECTION_DICTIONARY, "Address", Instr.TYPE_STRING);
        b.addColumn("Person", "mixedList", Instr.TYPE_NULL, true, Instr.COLLECTION_LIST, null, 0);
        b.createObject("Person", K1);
        b.createObject("Dog", new Value.Str("rex"));
        assertThat(applier.apply(b.changeset()).ok()).isTrue();
    }

    private ApplyResult apply(final Step step)
    {
        final ChangesetBuilder b = new ChangesetBuilder(new Changeset());
        step.run(b);
        return applier.apply(b.changeset());
    }

    private void ok(final Step step)
    {
        final ApplyResult r = apply(step);
        assertThat(r.ok()).as(r.message()).isTrue();
    }

    /** Applies a failing step and checks the state is unchanged and the failure names {@code text}. */
    private void fails(final Step step, final String text)
    {
        final ObjectState before = state.copy();
        final String dumpBefore = state.dump();
        final ApplyResult r = apply(step);
        assertThat(r.ok()).isFalse();
        assertThat(r.errorCode()).isEqualTo(ProtocolErrorCode.BAD_CHANGESET);
        assertThat(r.message()).contains(text);
        assertThat(state).isEqualTo(before);
        assertThat(state.dump()).isEqualTo(dumpBefore);
    }

    private Value field(final String f)
    {
        return state.object("Person", K1).get(f);
    }

    interface Step
    {
        void run(ChangesetBuilder b);
    }

    private static Object[] p(final Object... elements)
    {
        final Object[] out = new Object[elements.length];
        for (int i = 0; i < elements.length; i++)
        {
            out[i] = elements[i] instanceof Integer n ? (Object)(long)n : elements[i];
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------------ schema

    @Test
    void shouldGiveNewObjectsTheDefaultOfEveryColumn()
    {
        assertThat(field("_id")).isEqualTo(K1);
        assertThat(field("name")).isEqualTo(new Value.Str(""));
        assertThat(field("nick")).isEqualTo(Value.Null.INSTANCE);
        assertThat(field("scores")).isEqualTo(new Value.ListValue());
        assertThat(field("tags")).isEqualTo(new Value.SetValue());
        assertThat(field("attrs")).isEqualTo(new Value.DictValue());
        assertThat(field("address")).isEqualTo(Value.Null.INSTANCE);
    }

    @Test
    void shouldTreatIdenticalAddTableAndAddColumnAsNoOps()
    {
        final ObjectState before = state.copy();
        ok(b ->
        {
            b.addTable("Person", Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_INT, false);
            b.addTable("Address", Instr.TABLE_EMBEDDED, null, 0, false);
            b.addColumn("Person", "name", Instr.TYPE_STRING, false, Instr.COLLECTION_SINGLE, null, 0);
            b.addColumn("Person", "dog", Instr.TYPE_LINK, true, Instr.COLLECTION_SINGLE, "Dog", 0);
        });
        assertThat(state).isEqualTo(before);
    }

    @Test
    void shouldRejectAddTableWithADifferentSpec()
    {
        fails(b -> b.addTable("Person", Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_STRING, false),
            "different properties");
        fails(b -> b.addTable("Person", Instr.TABLE_TOP_LEVEL, "id", Instr.TYPE_INT, false), "different properties");
        fails(b -> b.addTable("Person", Instr.TABLE_TOP_LEVEL_ASYMMETRIC, "_id", Instr.TYPE_INT, false),
            "different properties");
        fails(b -> b.addTable("Person", Instr.TABLE_EMBEDDED, null, 0, false), "not embedded");
        fails(b -> b.addTable("Address", Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_INT, false),
            "different properties");
    }

    @Test
    void shouldRejectInvalidPrimaryKeyTypes()
    {
        fails(b -> b.addTable("X", Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_DOUBLE, false), "Invalid primary key");
        fails(b -> b.addTable("X", Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_GLOBAL_KEY, false), "GlobalKey");
    }

    @Test
    void shouldRejectAddColumnThatExistsWithADifferentSpec()
    {
        fails(b -> b.addColumn("Person", "name", Instr.TYPE_INT, false, Instr.COLLECTION_SINGLE, null, 0),
            "Schema mismatch");
        fails(b -> b.addColumn("Person", "name", Instr.TYPE_STRING, false, Instr.COLLECTION_LIST, null, 0),
            "Schema mismatch");
        fails(b -> b.addColumn("Person", "dog", Instr.TYPE_LINK, true, Instr.COLLECTION_SINGLE, "Person", 0),
            "link targets differ");
    }

    @Test
    void shouldRejectBadAddColumn()
    {
        fails(b -> b.addColumn("Nope", "x", Instr.TYPE_INT, false, Instr.COLLECTION_SINGLE, null, 0),
            "Table 'Nope' does not exist");
        fails(b -> b.addColumn("Person", "x", Instr.TYPE_LINK, true, Instr.COLLECTION_SINGLE, "Nope", 0),
            "doesn't exist");
        fails(b -> b.addColumn("Person", "x", Instr.TYPE_INT, false, Instr.COLLECTION_DICTIONARY, null, Instr.TYPE_INT),
            "non-string keys");
        fails(b -> b.addColumn("Person", "x", Instr.TYPE_OBJECT_VALUE, false, Instr.COLLECTION_SINGLE, null, 0),
            "invalid column type");
    }

    @Test
    void shouldAddColumnDefaultsToExistingObjectsIncludingEmbeddedOnes()
    {
        ok(b -> b.update("Person", K1, "address", NO_PATH, Instr.TYPE_OBJECT_VALUE, null, false, -1));
        ok(b ->
        {
            b.addColumn("Person", "score", Instr.TYPE_INT, false, Instr.COLLECTION_SINGLE, null, 0);
            b.addColumn("Address", "zip", Instr.TYPE_INT, false, Instr.COLLECTION_SINGLE, null, 0);
        });
        assertThat(field("score")).isEqualTo(new Value.Int(0));
        assertThat(((Value.Embedded)field("address")).object().get("zip")).isEqualTo(new Value.Int(0));
    }

    @Test
    void shouldEraseColumnsFromObjectsAndRejectMissingOrPrimaryKeyColumns()
    {
        ok(b -> b.eraseColumn("Person", "nick"));
        assertThat(state.object("Person", K1).fields()).doesNotContainKey("nick");
        assertThat(state.table("Person").column("nick")).isNull();
        fails(b -> b.eraseColumn("Person", "nick"), "doesn't exist");
        fails(b -> b.eraseColumn("Person", "_id"), "primary key");
    }

    @Test
    void shouldEraseTablesButNotMissingOnesOrLinkTargets()
    {
        fails(b -> b.eraseTable("Nope"), "does not exist");
        fails(b -> b.eraseTable("Dog"), "target of link column");
        ok(b ->
        {
            b.eraseColumn("Person", "dog");
            b.eraseColumn("Person", "dogs");
            b.eraseTable("Dog");
        });
        assertThat(state.table("Dog")).isNull();
    }

    // ------------------------------------------------------------------------------------------------ objects

    @Test
    void shouldCreateObjectsIdempotentlyAndCheckKeyTypes()
    {
        ok(b -> b.update("Person", K1, "name", NO_PATH, Instr.TYPE_STRING, new Value.Str("ann"), false, -1));
        ok(b -> b.createObject("Person", K1));
        assertThat(field("name")).isEqualTo(new Value.Str("ann"));
        fails(b -> b.createObject("Person", new Value.Str("x")), "primary keys of type");
        fails(b -> b.createObject("Person", Value.Null.INSTANCE), "not nullable");
        fails(b -> b.createObject("Address", K2), "does not have a primary key");
        fails(b -> b.createObject("Nope", K2), "does not exist");
        ok(b -> b.createObject("Dog", Value.Null.INSTANCE));
        assertThat(state.object("Dog", Value.Null.INSTANCE)).isNotNull();
    }

    @Test
    void shouldEraseObjectsIdempotentlyKeepingLinksToThemAsRealmDoes()
    {
        final Value rex = new Value.Str("rex");
        ok(b ->
        {
            b.createObject("Person", K2);
            b.update("Person", K2, "dog", NO_PATH, Instr.TYPE_LINK, new Value.Link("Dog", rex), false, -1);
            b.eraseObject("Dog", rex);
            b.eraseObject("Dog", rex);
        });
        assertThat(state.object("Dog", rex)).isNull();
        assertThat(state.object("Person", K2).get("dog")).isEqualTo(new Value.Link("Dog", rex));
        assertThat(state.isResolved(new Value.Link("Dog", rex))).isFalse();
        ok(b -> b.createObject("Dog", rex));
        assertThat(state.isResolved((Value.Link)state.object("Person", K2).get("dog"))).isTrue();
        fails(b -> b.eraseObject("Dog", K1), "primary keys of type");
    }

    @Test
    void shouldCascadeEmbeddedObjectsWhenTheParentIsErased()
    {
        ok(b ->
        {
            b.update("Person", K1, "address", NO_PATH, Instr.TYPE_OBJECT_VALUE, null, false, -1);
            b.update("Person", K1, "address", p("city"), Instr.TYPE_STRING, new Value.Str("Oslo"), false, -1);
            b.eraseObject("Person", K1);
            b.createObject("Person", K1);
        });
        assertThat(field("address")).isEqualTo(Value.Null.INSTANCE);
    }

    // ------------------------------------------------------------------------------------------------ Update

    @Test
    void shouldUpdatePropertiesWithTypeChecks()
    {
        ok(b ->
        {
            b.update("Person", K1, "name", NO_PATH, Instr.TYPE_STRING, new Value.Str("ann"), false, -1);
            b.update("Person", K1, "age", NO_PATH, Instr.TYPE_INT, new Value.Int(30), true, -1);
            b.update("Person", K1, "any", NO_PATH, Instr.TYPE_DOUBLE, Value.DoubleValue.of(1.5), false, -1);
        });
        assertThat(field("name")).isEqualTo(new Value.Str("ann"));
        assertThat(field("age")).isEqualTo(new Value.Int(30));
        assertThat(field("any")).isEqualTo(Value.DoubleValue.of(1.5));
        fails(b -> b.update("Person", K1, "name", NO_PATH, Instr.TYPE_INT, new Value.Int(1), false, -1),
            "Type mismatch");
        fails(b -> b.update("Person", K1, "name", NO_PATH, Instr.TYPE_NULL, null, false, -1), "non-nullable");
        fails(b -> b.update("Person", K1, "nope", NO_PATH, Instr.TYPE_INT, new Value.Int(1), false, -1),
            "No such field");
        fails(b -> b.update("Person", K2, "age", NO_PATH, Instr.TYPE_INT, new Value.Int(1), false, -1),
            "No such object");
        fails(b -> b.update("Nope", K2, "age", NO_PATH, Instr.TYPE_INT, new Value.Int(1), false, -1),
            "does not exist");
        fails(b -> b.update("Person", new Value.Str("1"), "age", NO_PATH, Instr.TYPE_INT, new Value.Int(1), false, -1),
            "primary keys of type");
        fails(b -> b.update("Person", K1, "age", NO_PATH, Instr.TYPE_ERASED, null, false, -1), "Dictionary erase");
        fails(b -> b.update("Person", K1, "_id", NO_PATH, Instr.TYPE_INT, K2, false, -1), "primary key");
        fails(b -> b.update("Person", K1, "scores", NO_PATH, Instr.TYPE_INT, K2, false, -1), "Invalid path");
    }

    @Test
    void shouldCheckLinkTargets()
    {
        final Value.Link toDog = new Value.Link("Dog", new Value.Str("rex"));
        final Value.Link toMissingDog = new Value.Link("Dog", new Value.Str("ghost"));
        ok(b ->
        {
            b.update("Person", K1, "dog", NO_PATH, Instr.TYPE_LINK, toMissingDog, false, -1);
            b.update("Person", K1, "any", NO_PATH, Instr.TYPE_LINK, toDog, false, -1);
        });
        assertThat(field("dog")).isEqualTo(toMissingDog);
        assertThat(field("any")).isEqualTo(toDog);
        fails(b -> b.update("Person", K1, "dog", NO_PATH, Instr.TYPE_LINK, new Value.Link("Person", K1), false, -1),
            "Target table mismatch");
        fails(b -> b.update("Person", K1, "dog", NO_PATH, Instr.TYPE_LINK, new Value.Link("Nope", K1), false, -1),
            "invalid target table");
        fails(b -> b.update("Person", K1, "dog", NO_PATH, Instr.TYPE_LINK, new Value.Link("Dog", K1), false, -1),
            "primary keys of type");
        fails(b -> b.update("Person", K1, "any", NO_PATH, Instr.TYPE_LINK, new Value.Link("Address", K1), false, -1),
            "embedded table");
        fails(b -> b.update("Person", K1, "age", NO_PATH, Instr.TYPE_LINK, toDog, false, -1), "Type mismatch");
    }

    @Test
    void shouldCreateEmbeddedObjectsIdempotentlyAndResolvePathsIntoThem()
    {
        ok(b ->
        {
            b.update("Person", K1, "address", NO_PATH, Instr.TYPE_OBJECT_VALUE, null, false, -1);
            b.update("Person", K1, "address", p("city"), Instr.TYPE_STRING, new Value.Str("Oslo"), false, -1);
            b.update("Person", K1, "address", NO_PATH, Instr.TYPE_OBJECT_VALUE, null, false, -1);
        });
        assertThat(((Value.Embedded)field("address")).object().get("city")).isEqualTo(new Value.Str("Oslo"));
        ok(b -> b.update("Person", K1, "address", NO_PATH, Instr.TYPE_NULL, null, false, -1));
        assertThat(field("address")).isEqualTo(Value.Null.INSTANCE);
        fails(b -> b.update("Person", K1, "address", p("city"), Instr.TYPE_STRING, new Value.Str("x"), false, -1),
            "NULL embedded link");
        fails(b -> b.update("Person", K1, "dog", p("name"), Instr.TYPE_STRING, new Value.Str("x"), false, -1),
            "Resolving path");
        fails(b -> b.update("Person", K1, "name", p("x"), Instr.TYPE_STRING, new Value.Str("x"), false, -1),
            "unstructured field");
        fails(b -> b.update("Person", K1, "any", NO_PATH, Instr.TYPE_OBJECT_VALUE, null, false, -1),
            "does not link to an embedded table");
    }

    @Test
    void shouldHandleEmbeddedListsAndDictionaries()
    {
        ok(b ->
        {
            b.arrayInsert("Person", K1, "addresses", p(0), Instr.TYPE_OBJECT_VALUE, null, 0);
            b.update("Person", K1, "addresses", p(0, "city"), Instr.TYPE_STRING, new Value.Str("Rome"), false, -1);
            b.update("Person", K1, "places", p("home"), Instr.TYPE_OBJECT_VALUE, null, false, -1);
            b.update("Person", K1, "places", p("home", "city"), Instr.TYPE_STRING, new Value.Str("Bergen"), false, -1);
        });
        final Value.ListValue list = (Value.ListValue)field("addresses");
        assertThat(((Value.Embedded)list.items().get(0)).object().get("city")).isEqualTo(new Value.Str("Rome"));
        final Value.DictValue places = (Value.DictValue)field("places");
        assertThat(((Value.Embedded)places.entries().get("home")).object().get("city"))
            .isEqualTo(new Value.Str("Bergen"));
        fails(b -> b.update("Person", K1, "addresses", p(1, "city"), Instr.TYPE_STRING, new Value.Str("x"), false, -1),
            "Out-of-bounds");
        fails(b -> b.update("Person", K1, "places", p("work", "city"), Instr.TYPE_STRING, new Value.Str("x"), false,
            -1), "Unmatched key");
        fails(b -> b.arrayInsert("Person", K1, "scores", p(0), Instr.TYPE_OBJECT_VALUE, null, 0), "embedded");
    }

    // ------------------------------------------------------------------------------------------------ AddInteger

    @Test
    void shouldAddIntegersWrappingAndLeaveNullAlone()
    {
        ok(b -> b.addInteger("Person", K1, "age", NO_PATH, 5));
        assertThat(field("age")).isEqualTo(Value.Null.INSTANCE);
        ok(b ->
        {
            b.update("Person", K1, "age", NO_PATH, Instr.TYPE_INT, new Value.Int(Long.MAX_VALUE), false, -1);
            b.addInteger("Person", K1, "age", NO_PATH, 2);
        });
        assertThat(field("age")).isEqualTo(new Value.Int(Long.MIN_VALUE + 1));
        fails(b -> b.addInteger("Person", K1, "name", NO_PATH, 1), "Not an integer");
        fails(b -> b.addInteger("Person", K1, "scores", NO_PATH, 1), "Invalid path");
    }

    // ------------------------------------------------------------------------------------------------ lists

    @Test
    void shouldInsertMoveEraseAndClearListsWithPriorSizeChecks()
    {
        ok(b ->
        {
            b.arrayInsert("Person", K1, "scores", p(0), Instr.TYPE_INT, new Value.Int(10), 0);
            b.arrayInsert("Person", K1, "scores", p(1), Instr.TYPE_INT, new Value.Int(20), 1);
            b.arrayInsert("Person", K1, "scores", p(0), Instr.TYPE_INT, new Value.Int(5), 2);
            b.arrayMove("Person", K1, "scores", p(0), 2, 3);
            b.update("Person", K1, "scores", p(0), Instr.TYPE_INT, new Value.Int(11), false, 3);
        });
        assertThat(((Value.ListValue)field("scores")).items())
            .containsExactly(new Value.Int(11), new Value.Int(20), new Value.Int(5));
        fails(b -> b.arrayInsert("Person", K1, "scores", p(0), Instr.TYPE_INT, new Value.Int(1), 2), "prior_size");
        fails(b -> b.arrayInsert("Person", K1, "scores", p(4), Instr.TYPE_INT, new Value.Int(1), 4), "out of bounds");
        fails(b -> b.arrayInsert("Person", K1, "scores", p(5), Instr.TYPE_INT, new Value.Int(1), 4),
            "Invalid insertion index");
        fails(b -> b.arrayInsert("Person", K1, "scores", p(0), Instr.TYPE_STRING, new Value.Str("x"), 3),
            "Type mismatch");
        fails(b -> b.arrayInsert("Person", K1, "scores", p(0), Instr.TYPE_NULL, null, 3), "non-nullable");
        fails(b -> b.arrayMove("Person", K1, "scores", p(0), 0, 3), "same location");
        fails(b -> b.arrayMove("Person", K1, "scores", p(0), 3, 3), "out of bounds");
        fails(b -> b.arrayMove("Person", K1, "scores", p(3), 0, 3), "out of bounds");
        fails(b -> b.arrayMove("Person", K1, "scores", p(0), 1, 4), "prior_size");
        fails(b -> b.arrayErase("Person", K1, "scores", p(3), 3), "Invalid index");
        fails(b -> b.arrayErase("Person", K1, "scores", p(1), 2), "prior_size");
        fails(b -> b.update("Person", K1, "scores", p(3), Instr.TYPE_INT, new Value.Int(1), false, 3), "out of bounds");
        fails(b -> b.arrayInsert("Person", K1, "name", p(0), Instr.TYPE_INT, new Value.Int(1), 0), "unstructured");
        fails(b -> b.arrayInsert("Person", K1, "scores", NO_PATH, Instr.TYPE_INT, new Value.Int(1), 0),
            "Invalid path");
        ok(b -> b.arrayErase("Person", K1, "scores", p(1), 3));
        assertThat(((Value.ListValue)field("scores")).items()).containsExactly(new Value.Int(11), new Value.Int(5));
        fails(b -> b.clear("Person", K1, "scores", NO_PATH, Instr.COLLECTION_DICTIONARY), "Not a Dictionary");
        ok(b -> b.clear("Person", K1, "scores", NO_PATH, Instr.COLLECTION_LIST));
        assertThat(((Value.ListValue)field("scores")).items()).isEmpty();
    }

    @Test
    void shouldHoldLinksInListsIncludingUnresolvedOnes()
    {
        final Value.Link ghost = new Value.Link("Dog", new Value.Str("ghost"));
        ok(b -> b.arrayInsert("Person", K1, "dogs", p(0), Instr.TYPE_LINK, ghost, 0));
        assertThat(((Value.ListValue)field("dogs")).items()).containsExactly(ghost);
        fails(b -> b.arrayInsert("Person", K1, "dogs", p(1), Instr.TYPE_NULL, null, 1), "non-nullable");
        fails(b -> b.arrayInsert("Person", K1, "dogs", p(1), Instr.TYPE_LINK, new Value.Link("Person", K1), 1),
            "Target table mismatch");
    }

    // ------------------------------------------------------------------------------------------------ sets

    @Test
    void shouldInsertAndEraseSetElements()
    {
        ok(b ->
        {
            b.setInsert("Person", K1, "tags", NO_PATH, Instr.TYPE_STRING, new Value.Str("b"));
            b.setInsert("Person", K1, "tags", NO_PATH, Instr.TYPE_STRING, new Value.Str("a"));
            b.setInsert("Person", K1, "tags", NO_PATH, Instr.TYPE_STRING, new Value.Str("b"));
            b.setErase("Person", K1, "tags", NO_PATH, Instr.TYPE_STRING, new Value.Str("zz"));
        });
        assertThat(((Value.SetValue)field("tags")).items()).containsExactly(new Value.Str("a"), new Value.Str("b"));
        ok(b -> b.setErase("Person", K1, "tags", NO_PATH, Instr.TYPE_STRING, new Value.Str("a")));
        assertThat(((Value.SetValue)field("tags")).items()).containsExactly(new Value.Str("b"));
        fails(b -> b.setInsert("Person", K1, "tags", NO_PATH, Instr.TYPE_INT, new Value.Int(1)), "Type mismatch");
        fails(b -> b.setInsert("Person", K1, "tags", NO_PATH, Instr.TYPE_NULL, null), "non-nullable");
        fails(b -> b.setInsert("Person", K1, "tags", NO_PATH, Instr.TYPE_LIST, null), "Sets of lists");
        fails(b -> b.setInsert("Person", K1, "scores", NO_PATH, Instr.TYPE_INT, new Value.Int(1)), "Invalid path");
        ok(b -> b.clear("Person", K1, "tags", NO_PATH, Instr.COLLECTION_SET));
        assertThat(((Value.SetValue)field("tags")).items()).isEmpty();
    }

    // ------------------------------------------------------------------------------------------------ dictionaries

    @Test
    void shouldRefuseDictionaryKeysRealmsClientRefuses()
    {
        fails(b -> b.update("Person", K1, "attrs", p("$x"), Instr.TYPE_STRING, new Value.Str("1"), false, -1),
            "must not start with '$' or contain '.'");
        fails(b -> b.update("Person", K1, "attrs", p("a.b"), Instr.TYPE_STRING, new Value.Str("1"), false, -1),
            "Dictionary key 'a.b'");
        fails(b -> b.update("Person", K1, "places", p("."), Instr.TYPE_OBJECT_VALUE, null, false, -1),
            "Dictionary key '.'");
        fails(b -> b.update("Person", K1, "attrs", p("$"), Instr.TYPE_ERASED, null, false, -1), "Dictionary key '$'");
        ok(b -> b.update("Person", K1, "attrs", p("a$b"), Instr.TYPE_STRING, new Value.Str("1"), false, -1));
        ok(b -> b.update("Person", K1, "attrs", p(""), Instr.TYPE_STRING, new Value.Str("2"), false, -1));
        assertThat(((Value.DictValue)field("attrs")).entries()).containsOnlyKeys("a$b", "");
    }

    @Test
    void shouldSetEraseAndClearDictionaryEntries()
    {
        ok(b ->
        {
            b.update("Person", K1, "attrs", p("b"), Instr.TYPE_STRING, new Value.Str("2"), false, -1);
            b.update("Person", K1, "attrs", p("a"), Instr.TYPE_NULL, null, false, -1);
            b.update("Person", K1, "attrs", p("c"), Instr.TYPE_ERASED, null, false, -1);
        });
        assertThat(((Value.DictValue)field("attrs")).entries()).containsOnlyKeys("a", "b");
        ok(b -> b.update("Person", K1, "attrs", p("b"), Instr.TYPE_ERASED, null, false, -1));
        assertThat(((Value.DictValue)field("attrs")).entries()).containsOnlyKeys("a");
        fails(b -> b.update("Person", K1, "attrs", p("x"), Instr.TYPE_INT, new Value.Int(1), false, -1),
            "Type mismatch");
        fails(b -> b.update("Person", K1, "attrs", p(0), Instr.TYPE_STRING, new Value.Str("x"), false, -1),
            "Dictionary key is not a string");
        ok(b -> b.clear("Person", K1, "attrs", NO_PATH, Instr.COLLECTION_DICTIONARY));
        assertThat(((Value.DictValue)field("attrs")).entries()).isEmpty();
    }

    @Test
    void shouldNestListsAndDictionariesInMixed()
    {
        ok(b ->
        {
            b.update("Person", K1, "any", NO_PATH, Instr.TYPE_LIST, null, false, -1);
            b.arrayInsert("Person", K1, "any", p(0), Instr.TYPE_INT, new Value.Int(1), 0);
            b.arrayInsert("Person", K1, "any", p(1), Instr.TYPE_DICTIONARY, null, 1);
            b.update("Person", K1, "any", p(1, "k"), Instr.TYPE_LIST, null, false, -1);
            b.arrayInsert("Person", K1, "any", p(1, "k", 0), Instr.TYPE_STRING, new Value.Str("deep"), 0);
            b.update("Person", K1, "any", NO_PATH, Instr.TYPE_LIST, null, false, -1);
            b.arrayInsert("Person", K1, "mixedList", p(0), Instr.TYPE_DICTIONARY, null, 0);
            b.update("Person", K1, "mixedList", p(0, "x"), Instr.TYPE_BOOL, Value.Bool.TRUE, false, -1);
        });
        final Value.ListValue any = (Value.ListValue)field("any");
        assertThat(any.items()).hasSize(2);
        final Value.DictValue inner = (Value.DictValue)any.items().get(1);
        assertThat(((Value.ListValue)inner.entries().get("k")).items()).containsExactly(new Value.Str("deep"));
        assertThat(state.dump()).contains("\"deep\"");
        fails(b -> b.update("Person", K1, "any", p(0, "x"), Instr.TYPE_INT, new Value.Int(1), false, -1),
            "Not a list or dictionary");
        fails(b -> b.update("Person", K1, "any", p("x"), Instr.TYPE_INT, new Value.Int(1), false, -1),
            "List index is not an integer");
        fails(b -> b.update("Person", K1, "any", NO_PATH, Instr.TYPE_SET, null, false, -1), "Set nested in Mixed");
        ok(b -> b.clear("Person", K1, "any", NO_PATH, Instr.COLLECTION_DICTIONARY));
        assertThat(field("any")).isEqualTo(new Value.DictValue());
        fails(b -> b.clear("Person", K1, "any", p("nope"), Instr.COLLECTION_LIST), "not found");
        ok(b -> b.update("Person", K1, "any", NO_PATH, Instr.TYPE_INT, new Value.Int(7), false, -1));
        fails(b -> b.update("Person", K1, "any", p(0), Instr.TYPE_INT, new Value.Int(1), false, -1),
            "Not a list or dictionary");
    }

    // ------------------------------------------------------------------------------------------------ atomicity

    @Test
    void shouldLeaveTheStateUnchangedWhenALaterInstructionFails()
    {
        final ObjectState before = state.copy();
        final ApplyResult r = apply(b ->
        {
            b.addTable("New", Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_INT, false);
            b.addColumn("Person", "extra", Instr.TYPE_INT, false, Instr.COLLECTION_SINGLE, null, 0);
            b.eraseColumn("Person", "nick");
            b.update("Person", K1, "name", NO_PATH, Instr.TYPE_STRING, new Value.Str("x"), false, -1);
            b.arrayInsert("Person", K1, "scores", p(0), Instr.TYPE_INT, new Value.Int(1), 0);
            b.arrayInsert("Person", K1, "scores", p(0), Instr.TYPE_INT, new Value.Int(2), 1);
            b.arrayMove("Person", K1, "scores", p(0), 1, 2);
            b.arrayErase("Person", K1, "scores", p(0), 2);
            b.setInsert("Person", K1, "tags", NO_PATH, Instr.TYPE_STRING, new Value.Str("t"));
            b.update("Person", K1, "attrs", p("k"), Instr.TYPE_STRING, new Value.Str("v"), false, -1);
            b.clear("Person", K1, "attrs", NO_PATH, Instr.COLLECTION_DICTIONARY);
            b.eraseObject("Dog", new Value.Str("rex"));
            b.eraseObject("Person", K1);
            b.createObject("Person", K2);
            b.update("Person", K2, "nope", NO_PATH, Instr.TYPE_INT, new Value.Int(1), false, -1);
        });
        assertThat(r.ok()).isFalse();
        assertThat(r.instructionIndex()).isEqualTo(14);
        assertThat(state).isEqualTo(before);
        assertThat(state.dump()).isEqualTo(before.dump());
    }
}
