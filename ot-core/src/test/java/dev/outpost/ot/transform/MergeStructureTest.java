package dev.outpost.ot.transform;

import static dev.outpost.ot.transform.MergeFixture.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import dev.outpost.codec.changeset.Instr;
import dev.outpost.ot.model.AddColumn;
import dev.outpost.ot.model.Changeset;
import dev.outpost.ot.model.ChangesetWriter;
import dev.outpost.ot.model.EraseColumn;
import dev.outpost.ot.model.EraseTable;
import dev.outpost.ot.model.Payload;

/** The merge loop: several changesets per side, ordering, prepends, metadata, input isolation and determinism. */
class MergeStructureTest
{
    @Test
    void shouldTransformEachOfOurChangesetsAgainstAllOfTheirsInOrder()
    {
        // ours: insert at 0 (size 2 -> 3), then insert at 0 again (3 -> 4); theirs: two appends at the end.
        final Changeset our1 = ours(10, insert(0, 2, 1));
        final Changeset our2 = ours(11, insert(0, 3, 2));
        final Changeset their1 = theirs(20, insert(2, 2, 8));
        final Changeset their2 = theirs(21, insert(3, 3, 9));
        final MergeResult r = new Transformer(LOCAL).merge(List.of(their1, their2), List.of(our1, our2));
        assertThat(r.isSuccess()).isTrue();
        assertThat(r.theirs().get(0).instructions()).containsExactly(insert(4, 4, 8));
        assertThat(r.theirs().get(1).instructions()).containsExactly(insert(5, 5, 9));
        assertThat(r.ours().get(0).instructions()).containsExactly(insert(0, 4, 1));
        assertThat(r.ours().get(1).instructions()).containsExactly(insert(0, 5, 2));
    }

    @Test
    void shouldKeepMetadataAndLeaveInputsUntouched()
    {
        final Changeset their = theirs(20, set("a", Payload.ofInt(2)));
        final Changeset our = ours(10, set("a", Payload.ofInt(1)), set("b", Payload.ofInt(1)));
        final Changeset theirCopy = their.copy();
        final Changeset ourCopy = our.copy();
        final MergeResult r = merge(their, our);
        assertThat(their).isEqualTo(theirCopy);
        assertThat(our).isEqualTo(ourCopy);
        final Changeset out = r.ours().get(0);
        assertThat(out.version()).isEqualTo(our.version());
        assertThat(out.lastIntegratedRemoteVersion()).isEqualTo(our.lastIntegratedRemoteVersion());
        assertThat(out.originTimestamp()).isEqualTo(10);
        assertThat(out.originFileIdent()).isZero(); // local origin stays 0 in the output
        assertThat(r.theirs().get(0).originFileIdent()).isEqualTo(PEER);
        assertThat(r.oursChanged(0)).isTrue();
        // Editing the output does not reach the input.
        out.instructions().clear();
        assertThat(our).isEqualTo(ourCopy);
    }

    @Test
    void shouldReturnInputsUnchangedWhenOneSideIsEmpty()
    {
        final Changeset their = theirs(20, set("a", Payload.ofInt(2)));
        MergeResult r = new Transformer(LOCAL).merge(List.of(their), List.of());
        assertThat(r.theirs()).containsExactly(their);
        assertThat(r.ours()).isEmpty();

        r = new Transformer(LOCAL).merge(List.of(), List.of(their));
        assertThat(r.ours()).containsExactly(their);
        assertThat(r.oursChanged(0)).isFalse();
    }

    @Test
    void shouldLetLaterOursMeetTheirInstructionPrependedByAnEarlierOurs()
    {
        // Our first changeset adds a link column to X, which they erase: they get EraseColumn(T.owner) prepended,
        // and our second changeset's EraseColumn of the same column then meets it (both discarded).
        final AddColumn link = new AddColumn(T, "owner", Instr.TYPE_LINK, true, Instr.COLLECTION_SINGLE, "X", 0);
        final MergeResult r = new Transformer(LOCAL).merge(List.of(theirs(20, new EraseTable("X"))),
            List.of(ours(10, link), ours(11, new EraseColumn(T, "owner"))));
        assertThat(r.isSuccess()).isTrue();
        assertThat(r.theirs().get(0).instructions()).containsExactly(new EraseTable("X"));
        assertThat(r.ours().get(0).instructions()).isEmpty();
        assertThat(r.ours().get(1).instructions()).isEmpty();
    }

    @Test
    void shouldRejectIncomingChangesetWithoutOriginIdent()
    {
        final Changeset their = theirs(20, create(K1)).setOriginFileIdent(0);
        assertThatThrownBy(() -> merge(their, ours(10, create(K1)))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Transformer(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldProduceByteIdenticalOutputWhenRunTwice()
    {
        final ChangesetWriter writer = new ChangesetWriter();
        final Transformer reused = new Transformer(LOCAL);
        for (int seed = 0; seed < 200; seed++)
        {
            final Random random = new Random(seed);
            final MiniState base = Workload.baseState(random, 3);
            final List<Changeset> ours = Workload.changesets(random, base.copy(), 3, 4, 3, 0, 0);
            final List<Changeset> theirs = Workload.changesets(random, base.copy(), 3, 4, 3, 5, PEER);
            final MergeResult first = reused.merge(theirs, ours);
            final MergeResult second = new Transformer(LOCAL).merge(theirs, ours);
            assertThat(first.isSuccess()).isTrue();
            for (int i = 0; i < theirs.size(); i++)
            {
                assertThat(writer.toBytes(second.theirs().get(i))).isEqualTo(writer.toBytes(first.theirs().get(i)));
            }
            for (int i = 0; i < ours.size(); i++)
            {
                assertThat(writer.toBytes(second.ours().get(i))).isEqualTo(writer.toBytes(first.ours().get(i)));
            }
        }
    }
}
