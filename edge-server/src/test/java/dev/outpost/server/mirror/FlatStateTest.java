package dev.outpost.server.mirror;

import dev.outpost.codec.changeset.Instr;
import dev.outpost.ot.state.BadChangesetException;
import dev.outpost.ot.state.InstructionApplier;
import dev.outpost.ot.state.InstructionSink;
import dev.outpost.ot.state.ObjectState;
import dev.outpost.ot.state.Value;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The mirror's flat state: rows handed to the writer are not changed, undo, and ot-core's state built from it. */
class FlatStateTest
{
    private static final Object[] NO_PATH = new Object[0];
    private static final Value K1 = new Value.Int(1);
    private static final Value K2 = new Value.Int(2);

    private static void schema(final InstructionSink s) throws BadChangesetException
    {
        s.addTable("Item", Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_INT, false);
        s.addColumn("Item", "name", Instr.TYPE_STRING, true, Instr.COLLECTION_SINGLE, null, 0);
        s.addColumn("Item", "n", Instr.TYPE_INT, false, Instr.COLLECTION_SINGLE, null, 0);
    }

    private static void objects(final InstructionSink s) throws BadChangesetException
    {
        s.createObject("Item", K1);
        s.update("Item", K1, "name", NO_PATH, Instr.TYPE_STRING, new Value.Str("one"), false, -1);
        s.update("Item", K1, "n", NO_PATH, Instr.TYPE_INT, new Value.Int(7), false, -1);
        s.createObject("Item", K2);
        s.update("Item", K2, "name", NO_PATH, Instr.TYPE_NULL, null, false, -1);
        s.addColumn("Item", "late", Instr.TYPE_DOUBLE, false, Instr.COLLECTION_SINGLE, null, 0);
        s.update("Item", K1, "late", NO_PATH, Instr.TYPE_DOUBLE, Value.DoubleValue.of(2.5), false, -1);
    }

    @Test
    void shouldCopyARowHandedToTheWriterBeforeChangingIt() throws Exception
    {
        final FlatState flat = new FlatState();
        schema(flat);
        objects(flat);
        final FlatState.Table t = flat.table("Item");
        final FlatState.Row row = t.rows.get(K1);
        final Value[] handed = row.values;
        row.shared = true; // as a batch hands it over
        flat.update("Item", K1, "name", NO_PATH, Instr.TYPE_STRING, new Value.Str("two"), false, -1);
        assertThat(t.field(K1, handed, t.slots, t.columns.get("name"))).isEqualTo(new Value.Str("one"));
        assertThat(t.field(K1, row.values, t.slots, t.columns.get("name"))).isEqualTo(new Value.Str("two"));
        assertThat(row.values).isNotSameAs(handed);
        assertThat(row.shared).isFalse();
    }

    @Test
    void shouldReadDefaultsForColumnsAddedAfterARowAndTheKeyForThePrimaryKey() throws Exception
    {
        final FlatState flat = new FlatState();
        schema(flat);
        objects(flat);
        final FlatState.Table t = flat.table("Item");
        final FlatState.Row row = t.rows.get(K2);
        assertThat(t.field(K2, row.values, t.slots, t.columns.get("late"))).isEqualTo(Value.DoubleValue.of(0));
        assertThat(t.field(K2, row.values, t.slots, t.columns.get("n"))).isEqualTo(new Value.Int(0));
        assertThat(t.field(K2, row.values, t.slots, t.columns.get("name"))).isEqualTo(Value.Null.INSTANCE);
        assertThat(t.field(K2, row.values, t.slots, t.columns.get("_id"))).isEqualTo(K2);
    }

    @Test
    void shouldUndoEveryChangeOfARolledBackChangeset() throws Exception
    {
        final FlatState flat = new FlatState();
        flat.begin();
        schema(flat);
        objects(flat);
        flat.commit();
        final String before = flat.toObjectState().dump();
        flat.begin();
        flat.eraseObject("Item", K1);
        flat.createObject("Item", K1); // again, with the defaults
        flat.update("Item", K2, "n", NO_PATH, Instr.TYPE_INT, new Value.Int(9), false, -1);
        flat.createObject("Item", new Value.Int(3));
        flat.addColumn("Item", "more", Instr.TYPE_BOOL, false, Instr.COLLECTION_SINGLE, null, 0);
        flat.update("Item", K2, "more", NO_PATH, Instr.TYPE_BOOL, Value.Bool.TRUE, false, -1);
        flat.addTable("Other", Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_STRING, false);
        assertThatThrownBy(() -> flat.addInteger("Item", K2, "n", NO_PATH, 1)).isSameAs(FlatState.UNSUPPORTED);
        flat.rollback();
        assertThat(flat.toObjectState().dump()).isEqualTo(before);
        assertThat(flat.table("Item").slots).doesNotContainKey("more");
    }

    @Test
    void shouldBuildTheObjectStateOtCoreBuildsFromTheSameInstructions() throws Exception
    {
        final FlatState flat = new FlatState();
        schema(flat);
        objects(flat);
        final ObjectState reference = new ObjectState();
        final InstructionApplier applier = new InstructionApplier(reference);
        schema(applier);
        objects(applier);
        assertThat(flat.toObjectState().dump()).isEqualTo(reference.dump());
        assertThat(flat.toObjectState()).isEqualTo(reference);
    }

    @Test
    void shouldRefuseWhatOtCoreRefusesOrTheFlatStateDoesNotHold() throws Exception
    {
        final FlatState flat = new FlatState();
        schema(flat);
        objects(flat);
        // ot-core refuses these: the flat state hands them over instead of deciding
        assertThatThrownBy(() -> flat.update("Item", new Value.Int(5), "n", NO_PATH, Instr.TYPE_INT, new Value.Int(1),
            false, -1)).isSameAs(FlatState.UNSUPPORTED);
        assertThatThrownBy(() -> flat.update("Item", K1, "n", NO_PATH, Instr.TYPE_NULL, null, false, -1))
            .isSameAs(FlatState.UNSUPPORTED);
        assertThatThrownBy(() -> flat.update("Item", K1, "n", NO_PATH, Instr.TYPE_STRING, new Value.Str("x"), false,
            -1)).isSameAs(FlatState.UNSUPPORTED);
        assertThatThrownBy(() -> flat.update("Item", K1, "_id", NO_PATH, Instr.TYPE_INT, K2, false, -1))
            .isSameAs(FlatState.UNSUPPORTED);
        assertThatThrownBy(() -> flat.createObject("Item", new Value.Str("1"))).isSameAs(FlatState.UNSUPPORTED);
        assertThatThrownBy(() -> flat.addColumn("Item", "n", Instr.TYPE_STRING, false, Instr.COLLECTION_SINGLE, null,
            0)).isSameAs(FlatState.UNSUPPORTED);
        // ot-core accepts these, the flat state does not hold them
        assertThatThrownBy(() -> flat.addColumn("Item", "tags", Instr.TYPE_STRING, false, Instr.COLLECTION_SET, null,
            0)).isSameAs(FlatState.UNSUPPORTED);
        assertThatThrownBy(() -> flat.addTable("Addr", Instr.TABLE_EMBEDDED, null, 0, false))
            .isSameAs(FlatState.UNSUPPORTED);
        // the same key again, the same column again, the key set to itself: accepted, nothing changes
        flat.createObject("Item", K1);
        flat.addColumn("Item", "name", Instr.TYPE_STRING, false, Instr.COLLECTION_SINGLE, null, 0);
        flat.update("Item", K1, "_id", NO_PATH, Instr.TYPE_INT, K1, false, -1);
        final FlatState.Table t = flat.table("Item");
        assertThat(t.field(K1, t.rows.get(K1).values, t.slots, t.columns.get("name")))
            .isEqualTo(new Value.Str("one"));
    }
}
