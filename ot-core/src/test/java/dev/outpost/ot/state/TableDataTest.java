package dev.outpost.ot.state;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import dev.outpost.codec.changeset.Instr;

/** {@link TableData#object}'s last-key pair never outlives a write, a removal or a rollback. */
class TableDataTest
{
    private static final Value K1 = new Value.Int(1);
    private static final Value K2 = new Value.Int(2);
    private static final Object[] NO_PATH = new Object[0];

    private final ObjectState state = new ObjectState();
    private final InstructionApplier applier = new InstructionApplier(state);

    private TableData table() throws BadChangesetException
    {
        applier.addTable("T", Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_INT, false);
        applier.addColumn("T", "n", Instr.TYPE_INT, true, Instr.COLLECTION_SINGLE, null, 0);
        return state.table("T");
    }

    @Test
    void shouldForgetAnObjectWhoseCreationIsRolledBack() throws BadChangesetException
    {
        final TableData t = table();
        assertThat(t.object(K1)).isNull(); // an absent key remembered
        applier.begin();
        applier.createObject("T", K1);
        assertThat(t.object(K1)).isNotNull();
        applier.rollback();
        assertThat(t.object(K1)).isNull();
        assertThat(t.objects()).isEmpty();
    }

    @Test
    void shouldFindAnObjectAgainAfterItsErasureIsRolledBack() throws BadChangesetException
    {
        final TableData t = table();
        applier.createObject("T", K1);
        applier.update("T", K1, "n", NO_PATH, Instr.TYPE_INT, new Value.Int(7), false, -1);
        final ObjectData before = t.object(K1);
        applier.begin();
        applier.eraseObject("T", K1);
        assertThat(t.object(K1)).isNull();
        assertThat(state.object("T", K1)).isNull();
        applier.rollback();
        assertThat(t.object(K1)).isEqualTo(before); // a view of the same record (compact objects are views)
        assertThat(t.object(K1).get("n")).isEqualTo(new Value.Int(7));
    }

    @Test
    void shouldAnswerEachKeyWithItsOwnObject() throws BadChangesetException
    {
        final TableData t = table();
        applier.createObject("T", K1);
        applier.createObject("T", K2);
        applier.update("T", K1, "n", NO_PATH, Instr.TYPE_INT, new Value.Int(1), false, -1);
        applier.update("T", K2, "n", NO_PATH, Instr.TYPE_INT, new Value.Int(2), false, -1);
        assertThat(t.object(K1).get("n")).isEqualTo(new Value.Int(1));
        assertThat(t.object(K2).get("n")).isEqualTo(new Value.Int(2));
        assertThat(t.object(new Value.Int(3))).isNull();
        applier.eraseObject("T", K2);
        assertThat(t.object(K2)).isNull();
        assertThat(t.object(K1).get("n")).isEqualTo(new Value.Int(1));
        assertThat(t.copy().object(K1)).isEqualTo(t.object(K1));
    }
}
