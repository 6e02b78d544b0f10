package dev.outpost.ot.sync;

import dev.outpost.codec.changeset.Instr;
import dev.outpost.ot.model.Changeset;
import dev.outpost.ot.model.PrimaryKey;
import dev.outpost.ot.state.ChangesetBuilder;
import dev.outpost.ot.state.Value;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TouchIndexTest
{
    private static final Object[] NO_PATH = new Object[0];
    private static final long A = 2;
    private static final long B = 3;
    private static final long C = 4;

    private static Changeset set(final String table, final long key)
    {
        final ChangesetBuilder b = new ChangesetBuilder();
        b.update(table, new Value.Int(key), "n", NO_PATH, Instr.TYPE_INT, new Value.Int(1), false, -1);
        return b.changeset();
    }

    private static Changeset erase(final long key)
    {
        final ChangesetBuilder b = new ChangesetBuilder();
        b.eraseObject("T", new Value.Int(key));
        return b.changeset();
    }

    private static Changeset addColumn()
    {
        final ChangesetBuilder b = new ChangesetBuilder();
        b.addColumn("T", "x", Instr.TYPE_INT, true, Instr.COLLECTION_SINGLE, null, 0);
        return b.changeset();
    }

    @Test
    void shouldTellTheLatestTouchByAnotherOriginOfAnObject()
    {
        final TouchIndex index = new TouchIndex();
        index.record(1, A, set("T", 1));
        index.record(2, B, set("T", 1));
        index.record(3, A, set("T", 1));
        index.record(4, A, set("T", 1));
        final PrimaryKey k = PrimaryKey.ofInt(1);
        assertThat(index.objectTouchedByOtherAfter(A, 1, "T", k)).isTrue();   // B at 2
        assertThat(index.objectTouchedByOtherAfter(A, 2, "T", k)).isFalse();  // only A after 2
        assertThat(index.objectTouchedByOtherAfter(B, 3, "T", k)).isTrue();   // A at 4
        assertThat(index.objectTouchedByOtherAfter(B, 4, "T", k)).isFalse();
        assertThat(index.objectTouchedByOtherAfter(C, 3, "T", k)).isTrue();
        assertThat(index.objectTouchedByOtherAfter(A, 0, "T", PrimaryKey.ofInt(2))).isFalse();
        assertThat(index.objectTouchedByOtherAfter(A, 0, "U", k)).isFalse();
        assertThat(index.head()).isEqualTo(4);
        assertThat(index.objects()).isEqualTo(1);
    }

    @Test
    void shouldTreatTheServerOriginAsForeignToEveryClient()
    {
        final TouchIndex index = new TouchIndex();
        index.record(1, 0, set("T", 1));
        assertThat(index.objectTouchedByOtherAfter(A, 0, "T", PrimaryKey.ofInt(1))).isTrue();
        assertThat(index.disjoint(A, 0, List.of(set("T", 1)))).isFalse();
        assertThat(index.disjoint(A, 0, List.of(set("T", 2)))).isTrue();
    }

    @Test
    void shouldBeDisjointOnlyWithoutSharedObjectsOrForeignSchema()
    {
        final TouchIndex index = new TouchIndex();
        index.record(1, A, addColumn());
        index.record(2, B, set("T", 2));
        index.record(3, A, set("T", 1));
        index.record(4, A, new Changeset()); // empty entries touch nothing
        assertThat(index.concurrent(A, 1)).isTrue();
        assertThat(index.concurrent(A, 2)).isFalse();
        // B's upload based on 0 meets A's AddColumn at 1
        assertThat(index.disjoint(B, 0, List.of(set("T", 3)))).isFalse();
        assertThat(index.schemaTouchedByOtherAfter(B, 0)).isTrue();
        // based on 1: A's object 1 only
        assertThat(index.disjoint(B, 1, List.of(set("T", 3)))).isTrue();
        assertThat(index.disjoint(B, 1, List.of(set("T", 1)))).isFalse();
        // a schema instruction in the group meets every concurrent entry, but nothing if there is none
        assertThat(index.disjoint(B, 1, List.of(addColumn()))).isFalse();
        assertThat(index.disjoint(B, 3, List.of(addColumn()))).isTrue();
        // A's own entries never count against A
        assertThat(index.disjoint(A, 0, List.of(set("T", 1), addColumn()))).isFalse(); // B's object 2 is not in it,
        assertThat(index.disjoint(A, 2, List.of(set("T", 1), addColumn()))).isTrue(); // but B's entry 2 exists
        assertThat(index.disjoint(A, 1, List.of(set("T", 1)))).isTrue();
        // an empty group meets nothing
        assertThat(index.disjoint(B, 0, List.of(new Changeset()))).isTrue();
    }

    @Test
    void shouldForgetOldErasedObjectsAndThenAnswerConservativelyForTheirClass()
    {
        final TouchIndex index = new TouchIndex(2);
        index.record(1, B, set("T", 1));
        index.record(2, B, erase(1));
        index.record(3, B, erase(2));
        assertThat(index.objects()).isEqualTo(2);
        index.record(4, B, erase(3)); // object 1 is forgotten: class T's floor becomes 2
        assertThat(index.objects()).isEqualTo(2);
        index.record(5, A, set("U", 9));
        final PrimaryKey k1 = PrimaryKey.ofInt(1);
        assertThat(index.objectTouchedByOtherAfter(A, 1, "T", k1)).isTrue();
        assertThat(index.objectTouchedByOtherAfter(A, 1, "T", PrimaryKey.ofInt(77))).isTrue(); // unknown, below floor
        assertThat(index.objectTouchedByOtherAfter(A, 2, "T", PrimaryKey.ofInt(77))).isFalse();
        assertThat(index.objectTouchedByOtherAfter(A, 2, "T", k1)).isFalse();
        assertThat(index.objectTouchedByOtherAfter(A, 2, "T", PrimaryKey.ofInt(3))).isTrue(); // still known: 4
        // a re-created object is alive again: its old queue slot does not forget it
        index.record(6, B, set("T", 2));
        index.record(7, B, erase(5));
        index.record(8, B, erase(6));
        assertThat(index.objectTouchedByOtherAfter(A, 5, "T", PrimaryKey.ofInt(2))).isTrue();
    }

    @Test
    void shouldForgetAClassOnEraseTableWithoutMissingEarlierForeignTouches()
    {
        final TouchIndex index = new TouchIndex();
        index.record(1, B, set("T", 1));
        final ChangesetBuilder b = new ChangesetBuilder();
        b.eraseTable("T");
        index.record(2, A, b.changeset());
        assertThat(index.objects()).isZero();
        // A erased the table itself, but B's touch at 1 still meets an upload of A based on 0
        assertThat(index.disjoint(A, 0, List.of(set("T", 5)))).isFalse();
        assertThat(index.objectTouchedByOtherAfter(A, 0, "T", PrimaryKey.ofInt(5))).isTrue();
        assertThat(index.disjoint(A, 2, List.of(set("T", 5)))).isTrue();
    }

    @Test
    void shouldMakeEveryEarlierBaseMergeAfterAnUnreadableEntry()
    {
        final TouchIndex index = new TouchIndex();
        index.record(1, A, set("T", 1));
        index.recordUnknown(2);
        assertThat(index.disjoint(A, 1, List.of(new Changeset()))).isFalse();
        assertThat(index.disjoint(A, 1, List.of(set("T", 3)))).isFalse();
        assertThat(index.disjoint(A, 2, List.of(set("T", 3)))).isTrue();
    }

    @Test
    void shouldNotBeDisjointWhenTheMergeWouldRejectAListInstructionWithoutIndex()
    {
        final TouchIndex index = new TouchIndex();
        final ChangesetBuilder bad = new ChangesetBuilder();
        bad.arrayInsert("T", new Value.Int(1), "list", new Object[] {"k"}, Instr.TYPE_INT, new Value.Int(1), 0);
        index.record(1, B, set("T", 2));
        assertThat(index.disjoint(A, 0, List.of(bad.changeset()))).isFalse();
        assertThat(index.disjoint(A, 1, List.of(bad.changeset()))).isTrue(); // nothing to merge against
        index.record(2, B, bad.changeset());
        assertThat(index.disjoint(A, 1, List.of(new Changeset()))).isFalse();
    }

    @Test
    void shouldRecordEveryVersionOnceInOrder()
    {
        final TouchIndex index = new TouchIndex();
        index.record(1, A, new Changeset());
        assertThatThrownBy(() -> index.record(3, A, new Changeset())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> index.record(1, A, new Changeset())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldGiveTheSameAnswersWhenRebuiltByReplayingTheHistory()
    {
        for (long seed = 0; seed < 10; seed++)
        {
            final TouchIndex live = new TouchIndex(3);
            final Simulation sim = new Simulation(seed, 3, live, true);
            sim.run(60);
            final TouchIndex rebuilt = new TouchIndex(3);
            for (long v = 1; v <= sim.server.headVersion(); v++)
            {
                final HistoryEntry e = sim.server.entry(v);
                rebuilt.record(v, e.originFileIdent(), e.changeset());
            }
            assertThat(rebuilt.head()).isEqualTo(live.head()).isEqualTo(sim.server.headVersion());
            assertThat(rebuilt.objects()).isEqualTo(live.objects());
            int answers = 0;
            for (final ClientIntegrator c : sim.clients)
            {
                for (long base = 0; base <= sim.server.headVersion(); base++)
                {
                    assertThat(rebuilt.schemaTouchedByOtherAfter(c.fileIdent(), base))
                        .isEqualTo(live.schemaTouchedByOtherAfter(c.fileIdent(), base));
                    assertThat(rebuilt.concurrent(c.fileIdent(), base))
                        .isEqualTo(live.concurrent(c.fileIdent(), base));
                    for (long key = 0; key < 500; key += key % 100 == Simulation.KEYS - 1 ? 101 - Simulation.KEYS : 1)
                    {
                        final PrimaryKey pk = PrimaryKey.ofInt(key);
                        final boolean touched = live.objectTouchedByOtherAfter(c.fileIdent(), base, "Item", pk);
                        assertThat(rebuilt.objectTouchedByOtherAfter(c.fileIdent(), base, "Item", pk))
                            .isEqualTo(touched);
                        answers += touched ? 1 : 0;
                    }
                }
            }
            assertThat(answers).isPositive();
        }
    }

    @Test
    void shouldAnswerConservativelyBeforeAndExactlyAfterTheVersionItResumedAt()
    {
        for (int seed = 1; seed <= 10; seed++)
        {
            final TouchIndex live = new TouchIndex(); // nothing forgotten: exact answers are comparable
            final Simulation sim = new Simulation(seed, 3, live, true);
            sim.run(120);
            final long head = sim.server.headVersion();
            final long resumeAt = Math.max(1, head / 2);
            final TouchIndex resumed = new TouchIndex();
            resumed.resumeAt(resumeAt);
            for (long v = resumeAt + 1; v <= head; v++)
            {
                final HistoryEntry e = sim.server.entry(v);
                resumed.record(v, e.originFileIdent(), e.changeset());
            }
            assertThat(resumed.head()).isEqualTo(head);
            int unknown = 0;
            for (final ClientIntegrator c : sim.clients)
            {
                for (long base = 0; base <= head; base++)
                {
                    final boolean exact = base >= resumeAt;
                    for (long key = 0; key < 500; key += key % 100 == Simulation.KEYS - 1 ? 101 - Simulation.KEYS : 1)
                    {
                        final PrimaryKey pk = PrimaryKey.ofInt(key);
                        final boolean touched = live.objectTouchedByOtherAfter(c.fileIdent(), base, "Item", pk);
                        final boolean answer = resumed.objectTouchedByOtherAfter(c.fileIdent(), base, "Item", pk);
                        final boolean missing = resumed.objectTouchedByOtherAfter(c.fileIdent(), base, "Nope", pk);
                        if (exact)
                        {
                            assertThat(answer).isEqualTo(touched);
                        }
                        else
                        {
                            assertThat(answer).isTrue(); // unknown before the resume point: touched by someone
                            assertThat(missing).isTrue();
                            unknown++;
                        }
                    }
                    assertThat(resumed.schemaTouchedByOtherAfter(c.fileIdent(), base))
                        .isEqualTo(exact ? live.schemaTouchedByOtherAfter(c.fileIdent(), base) : true);
                    assertThat(resumed.disjoint(c.fileIdent(), base, List.of(set("Item", 1))))
                        .isEqualTo(exact ? live.disjoint(c.fileIdent(), base, List.of(set("Item", 1))) : false);
                }
            }
            assertThat(unknown).isPositive();
        }
    }

    @Test
    void shouldResumeOnlyAnEmptyIndex()
    {
        final TouchIndex index = new TouchIndex();
        index.record(1, A, set("T", 1));
        assertThatThrownBy(() -> index.resumeAt(5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TouchIndex().resumeAt(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
