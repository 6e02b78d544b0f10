package dev.outpost.ot.transform;

import static dev.outpost.ot.transform.MergeFixture.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.outpost.codec.ProtocolErrorCode;
import dev.outpost.codec.changeset.Instr;
import dev.outpost.ot.model.AddColumn;
import dev.outpost.ot.model.AddTable;
import dev.outpost.ot.model.ArrayInsert;
import dev.outpost.ot.model.Changeset;
import dev.outpost.ot.model.Instruction;
import dev.outpost.ot.model.Path;
import dev.outpost.ot.model.Payload;
import dev.outpost.ot.model.Update;

/** Schema mismatches and prior_size/index sanity checks fail the whole merge with BAD_CHANGESET. */
class MergeFailureTest
{
    private static void assertFails(final Changeset their, final Changeset our, final String messagePart)
    {
        final Changeset theirBefore = their.copy();
        final Changeset ourBefore = our.copy();
        final MergeResult r = merge(their, our);
        assertThat(r.isSuccess()).isFalse();
        assertThat(r.errorCode()).isEqualTo(ProtocolErrorCode.BAD_CHANGESET);
        assertThat(r.message()).contains(messagePart);
        assertThat(r.theirs()).isEmpty();
        assertThat(r.ours()).isEmpty();
        assertThat(their).isEqualTo(theirBefore);
        assertThat(our).isEqualTo(ourBefore);
    }

    private static AddTable table(final String pk, final int type, final boolean nullable)
    {
        return new AddTable(T, Instr.TABLE_TOP_LEVEL, pk, type, nullable);
    }

    @Test
    void shouldFailOnAddTableWithDifferentPrimaryKeyName()
    {
        assertFails(theirs(20, table("_id", Instr.TYPE_INT, false)), ours(10, table("id", Instr.TYPE_INT, false)),
            "Schema mismatch: 'T' has primary key");
    }

    @Test
    void shouldFailOnAddTableWithDifferentPrimaryKeyType()
    {
        assertFails(theirs(20, table("_id", Instr.TYPE_INT, false)), ours(10, table("_id", Instr.TYPE_OBJECT_ID, false)),
            "which is of type");
    }

    @Test
    void shouldFailOnAddTableWithDifferentPrimaryKeyNullability()
    {
        assertFails(theirs(20, table("_id", Instr.TYPE_INT, true)), ours(10, table("_id", Instr.TYPE_INT, false)),
            "nullable on one side");
    }

    @Test
    void shouldFailOnAddTableEmbeddedOnOneSideOnly()
    {
        assertFails(theirs(20, AddTable.embedded(T)), ours(10, table("_id", Instr.TYPE_INT, false)),
            "primary key on one side");
        assertFails(theirs(20, table("_id", Instr.TYPE_INT, false)), ours(10, AddTable.embedded(T)),
            "embedded table on one side");
    }

    @Test
    void shouldFailOnAddTableAsymmetricOnOneSideOnly()
    {
        assertFails(theirs(20, new AddTable(T, Instr.TABLE_TOP_LEVEL_ASYMMETRIC, "_id", Instr.TYPE_INT, false)),
            ours(10, table("_id", Instr.TYPE_INT, false)), "asymmetric");
    }

    @Test
    void shouldFailOnAddColumnMismatches()
    {
        assertFails(theirs(20, column("a", Instr.TYPE_INT)), ours(10, column("a", Instr.TYPE_STRING)), "is of type");
        assertFails(theirs(20, new AddColumn(T, "a", Instr.TYPE_INT, true)), ours(10, column("a", Instr.TYPE_INT)),
            "nullable");
        assertFails(theirs(20, new AddColumn(T, "a", Instr.TYPE_INT, false, Instr.COLLECTION_LIST, null, 0)),
            ours(10, column("a", Instr.TYPE_INT)), "is a single value on one side, and a list on the other");
        assertFails(theirs(20, new AddColumn(T, "a", Instr.TYPE_LINK, true, Instr.COLLECTION_SINGLE, "X", 0)),
            ours(10, new AddColumn(T, "a", Instr.TYPE_LINK, true, Instr.COLLECTION_SINGLE, "Y", 0)),
            "points to class 'Y' on one side and to 'X'");
    }

    @Test
    void shouldFailOnInsertsWithDifferentPriorSizes()
    {
        assertFails(theirs(20, insert(0, 3, 1)), ours(10, insert(0, 2, 1)), "prior_size");
    }

    @Test
    void shouldFailOnInsertBeyondPriorSizeAgainstUpdate()
    {
        assertFails(theirs(20, setElement(0, 3, Payload.ofInt(1))), ours(10, insert(4, 3, 1)),
            "left.index() <= left.prior_size");
    }

    @Test
    void shouldFailOnUpdateIndexOutOfRange()
    {
        assertFails(theirs(20, setElement(3, 3, Payload.ofInt(1))), ours(10, erase(0, 3)), "right.index() < right.prior_size");
    }

    @Test
    void shouldFailOnArrayUpdatesWithDifferentPriorSizes()
    {
        assertFails(theirs(20, setElement(0, 3, Payload.ofInt(1))), ours(10, setElement(0, 4, Payload.ofInt(2))),
            "prior_size");
    }

    @Test
    void shouldFailOnEraseBeyondPriorSize()
    {
        assertFails(theirs(20, erase(1, 3)), ours(10, erase(3, 3)), "left.index() < left.prior_size");
    }

    @Test
    void shouldFailOnMoveDestinationBeyondPriorSize()
    {
        assertFails(theirs(20, move(0, 1, 3)), ours(10, move(1, 3, 3)), "ndx_2 < left.prior_size");
    }

    @Test
    void shouldFailOnEraseVsMoveWithDifferentPriorSizes()
    {
        assertFails(theirs(20, move(0, 1, 3)), ours(10, erase(1, 4)), "prior_size");
    }

    @Test
    void shouldFailWhenAnUpdateSharesAListContainerButEndsInAKey()
    {
        final Update keyed = setAt("list", Path.of("k"), Payload.ofInt(1));
        assertFails(theirs(20, keyed), ours(10, insert(0, 3, 1)), "is_array_update");
    }

    @Test
    void shouldFailOnInconsistentNestedPaths()
    {
        final Update keyed = setAt("list", Path.of("k", "x"), Payload.ofInt(1));
        assertFails(theirs(20, keyed), ours(10, insert(0, 3, 1)), "Inconsistent paths");
    }

    @Test
    void shouldFailOnListInstructionWithoutIndex()
    {
        final ArrayInsert noIndex = new ArrayInsert(T, K1, "list", Path.of("k"), Payload.ofInt(1), 0);
        assertFails(theirs(20, noIndex), ours(10, create(K2)), "does not end in an index");
    }

    @Test
    void shouldNotReturnPartialResultsWhenALaterPairFails()
    {
        // The first pair merges fine (and would change both sides); the second fails.
        final Changeset their = theirs(20, set("a", Payload.ofInt(2)), insert(0, 3, 1));
        final Changeset our = ours(10, set("a", Payload.ofInt(1)), insert(0, 5, 1));
        assertFails(their, our, "prior_size");
    }

    @Test
    void shouldBeReusableAfterAFailure()
    {
        final Transformer transformer = new Transformer(LOCAL);
        assertThat(transformer.merge(List.of(theirs(20, insert(0, 3, 1))), List.of(ours(10, insert(0, 2, 1))))
            .isSuccess()).isFalse();
        final MergeResult ok = transformer.merge(List.of(theirs(20, insert(0, 3, 1))), List.<Changeset>of(ours(10, insert(0, 3, 2))));
        assertThat(ok.isSuccess()).isTrue();
        assertThat(ok.theirs().get(0).instructions()).containsExactly((Instruction)insert(1, 4, 1));
    }
}
