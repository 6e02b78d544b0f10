package dev.outpost.ot.transform;

import static dev.outpost.ot.transform.MergeFixture.*;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import dev.outpost.codec.changeset.Instr;
import dev.outpost.ot.model.AddColumn;
import dev.outpost.ot.model.AddInteger;
import dev.outpost.ot.model.ArrayErase;
import dev.outpost.ot.model.ArrayInsert;
import dev.outpost.ot.model.ArrayMove;
import dev.outpost.ot.model.Clear;
import dev.outpost.ot.model.EraseColumn;
import dev.outpost.ot.model.EraseTable;
import dev.outpost.ot.model.Path;
import dev.outpost.ot.model.Payload;
import dev.outpost.ot.model.SetInsert;
import dev.outpost.ot.model.Update;

/** Nested rules: the instruction with the shorter path acts on the one with the longer path below it. */
class NestedRulesTest
{
    private static Update inner(final String field, final Path path)
    {
        return setAt(field, path, Payload.ofInt(42));
    }

    @Test
    void shouldDiscardEverythingInAnErasedTableOnBothSides()
    {
        MergeResult r = mergeOk(theirs(20, create(K1), set("a", Payload.ofInt(1)), column("b", Instr.TYPE_INT),
            new EraseColumn(T, "c")), ours(10, new EraseTable(T)));
        assertThat(theirOut(r)).isEmpty();
        assertThat(ourOut(r)).containsExactly(new EraseTable(T));

        r = mergeOk(theirs(10, new EraseTable(T)), ours(20, create(K1), set("a", Payload.ofInt(1))));
        assertThat(theirOut(r)).containsExactly(new EraseTable(T));
        assertThat(ourOut(r)).isEmpty();
    }

    @Test
    void shouldKeepInstructionsOfOtherTablesWhenATableIsErased()
    {
        final Update other = new Update("U", K1, "a", new Path(), Payload.ofInt(1), false);
        final MergeResult r = mergeOk(theirs(20, other), ours(10, new EraseTable(T)));
        assertThat(theirOut(r)).containsExactly(other);
    }

    @Test
    void shouldLetEraseObjectDiscardEveryPathInstructionOnThatObject()
    {
        final MergeResult r = mergeOk(
            theirs(20, set("a", Payload.ofInt(1)), add("n", 1), insert(0, 0, 5), setInsert(3), clearList(),
                inner("e", Path.of("x"))),
            ours(10, eraseObject(K1)));
        assertThat(theirOut(r)).isEmpty();
        assertThat(ourOut(r)).containsExactly(eraseObject(K1));
    }

    @Test
    void shouldLetOuterUpdateDiscardDeeperInstructions()
    {
        final MergeResult r = mergeOk(
            theirs(10, inner("e", Path.of("x")), new ArrayInsert(T, K1, "e", Path.of("l", 0), Payload.ofInt(1), 0)),
            ours(20, set("e", Payload.ofNull())));
        assertThat(theirOut(r)).isEmpty();
        assertThat(ourOut(r)).containsExactly(set("e", Payload.ofNull()));
    }

    @Test
    void shouldLetOuterUpdateDiscardDeeperInstructionsEvenIfEarlier()
    {
        final MergeResult r = mergeOk(theirs(20, inner("e", Path.of("x"))), ours(10, set("e", Payload.ofInt(1))));
        assertThat(theirOut(r)).isEmpty();
    }

    @Test
    void shouldKeepInstructionsInsideAnEmbeddedObjectCreatedByOuterUpdate()
    {
        final MergeResult r = mergeOk(theirs(20, inner("e", Path.of("x"))), ours(10, set("e", Payload.objectValue())));
        assertThat(theirOut(r)).containsExactly(inner("e", Path.of("x")));
        assertThat(ourOut(r)).containsExactly(set("e", Payload.objectValue()));
    }

    @Test
    void shouldKeepElementOperationsOfAMixedCollectionOfTheMatchingKind()
    {
        MergeResult r = mergeOk(theirs(20, new ArrayInsert(T, K1, "m", Path.of(0), Payload.ofInt(1), 0)),
            ours(10, set("m", Payload.list())));
        assertThat(theirOut(r)).hasSize(1);

        r = mergeOk(theirs(20, inner("m", Path.of("k"))), ours(10, set("m", Payload.dictionary())));
        assertThat(theirOut(r)).containsExactly(inner("m", Path.of("k")));

        // Mismatched kind: a key below a List, an index below a Dictionary.
        r = mergeOk(theirs(20, inner("m", Path.of("k"))), ours(10, set("m", Payload.list())));
        assertThat(theirOut(r)).isEmpty();
        r = mergeOk(theirs(20, new ArrayInsert(T, K1, "m", Path.of(0), Payload.ofInt(1), 0)),
            ours(10, set("m", Payload.dictionary())));
        assertThat(theirOut(r)).isEmpty();
    }

    @Test
    void shouldLetOuterAddIntegerDiscardDeeperInstructions()
    {
        final MergeResult r = mergeOk(theirs(20, inner("n", Path.of("x"))), ours(10, add("n", 1)));
        assertThat(theirOut(r)).isEmpty();
        assertThat(ourOut(r)).containsExactly(add("n", 1));
    }

    @Test
    void shouldLetOuterClearDiscardEverythingInsideTheCollection()
    {
        final MergeResult r = mergeOk(theirs(20, insert(0, 3, 1), erase(1, 3), setElement(2, 3, Payload.ofInt(1)),
            move(0, 1, 3)), ours(10, clearList()));
        assertThat(theirOut(r)).isEmpty();
        assertThat(ourOut(r)).containsExactly(clearList());
    }

    @Test
    void shouldShiftPathsInsideSiblingElementsAfterAnInsert()
    {
        final MergeResult r = mergeOk(
            theirs(20, inner("list", Path.of(0, "x")), inner("list", Path.of(1, "x")), inner("list", Path.of(2, "x"))),
            ours(10, insert(1, 3, 7)));
        assertThat(theirOut(r)).containsExactly(
            inner("list", Path.of(0, "x")), inner("list", Path.of(2, "x")), inner("list", Path.of(3, "x")));
        assertThat(ourOut(r)).containsExactly(insert(1, 3, 7));
    }

    @Test
    void shouldDiscardInstructionsInsideAnErasedElementAndShiftLaterSiblings()
    {
        final MergeResult r = mergeOk(
            theirs(20, inner("list", Path.of(0, "x")), inner("list", Path.of(1, "x")), inner("list", Path.of(2, "x"))),
            ours(10, erase(1, 3)));
        assertThat(theirOut(r)).containsExactly(inner("list", Path.of(0, "x")), inner("list", Path.of(1, "x")));
        assertThat(ourOut(r)).containsExactly(erase(1, 3));
    }

    @Test
    void shouldShiftNestedListPathsOnlyInTheSameContainer()
    {
        final ArrayInsert deepInsert = new ArrayInsert(T, K1, "list", Path.of(0, "sub", 1), Payload.ofInt(1), 4);
        final Update innerOfOther = inner("list", Path.of(1, "sub", 2, "x"));
        final Update innerOfSame = inner("list", Path.of(0, "sub", 2, "x"));
        final MergeResult r = mergeOk(theirs(20, innerOfOther, innerOfSame), ours(10, deepInsert));
        assertThat(theirOut(r)).containsExactly(
            inner("list", Path.of(1, "sub", 2, "x")), inner("list", Path.of(0, "sub", 3, "x")));
    }

    @Test
    void shouldRewriteTheOuterMoveNotTheInnerPathAsRealmCoreDoes()
    {
        // realm-core 14 passes the outer move's source as the index to adjust (merge_get_vs_move(outer.index(),
        // inner_index, outer.ndx_2)); the inner instruction keeps its path. Peers must agree, so we do the same.
        MergeResult r = mergeOk(theirs(20, inner("list", Path.of(1, "x"))), ours(10, move(1, 2, 3)));
        assertThat(theirOut(r)).containsExactly(inner("list", Path.of(1, "x")));
        assertThat(ourOut(r)).containsExactly(move(2, 2, 3));

        r = mergeOk(theirs(20, inner("list", Path.of(0, "x"))), ours(10, move(2, 0, 3)));
        // get 2, from 0: 2 > 0 -> 1; 1 >= 0 -> 2.
        assertThat(ourOut(r)).containsExactly(move(2, 0, 3));

        r = mergeOk(theirs(20, inner("list", Path.of(2, "x"))), ours(10, move(1, 0, 3)));
        // get 1, from 2: not greater; 1 >= 0 -> 2.
        assertThat(ourOut(r)).containsExactly(move(2, 0, 3));
        assertThat(theirOut(r)).containsExactly(inner("list", Path.of(2, "x")));
    }

    @Test
    void shouldNotNestAcrossDifferentFieldsOrObjects()
    {
        final Update otherObject = new Update(T, K2, "list", Path.of(2, "x"), Payload.ofInt(1), false);
        final MergeResult r = mergeOk(theirs(20, inner("other", Path.of(2, "x")), otherObject), ours(10, erase(1, 3)));
        assertThat(theirOut(r)).containsExactly(inner("other", Path.of(2, "x")), otherObject);
    }

    @Test
    void shouldApplyNestedRulesWhenTheOuterInstructionIsTheirs()
    {
        MergeResult r = mergeOk(theirs(10, erase(1, 3)), ours(20, inner("list", Path.of(2, "x"))));
        assertThat(ourOut(r)).containsExactly(inner("list", Path.of(1, "x")));
        assertThat(theirOut(r)).containsExactly(erase(1, 3));

        r = mergeOk(theirs(10, eraseObject(K1)), ours(20, set("a", Payload.ofInt(1))));
        assertThat(ourOut(r)).isEmpty();
        assertThat(theirOut(r)).containsExactly(eraseObject(K1));
    }

    @Test
    void shouldLeaveDeeperInstructionsAloneForOuterSetAndSchemaInstructions()
    {
        final SetInsert outerSet = new SetInsert(T, K1, "s", new Path(), Payload.ofInt(1));
        final AddColumn addColumn = column("s", Instr.TYPE_INT);
        final MergeResult r = mergeOk(theirs(20, inner("s", Path.of("x")), inner("a", Path.of("y"))),
            ours(10, outerSet, addColumn, create(K1)));
        assertThat(theirOut(r)).containsExactly(inner("s", Path.of("x")), inner("a", Path.of("y")));
    }

    @Test
    void shouldDiscardInnerInstructionsOfAnErasedEmbeddedListElementAtEveryDepth()
    {
        final ArrayErase outer = new ArrayErase(T, K1, "list", Path.of(0, "sub", 1), 3);
        final AddInteger deep = new AddInteger(T, K1, "list", Path.of(0, "sub", 1, "n"), 1);
        final Clear deeper = new Clear(T, K1, "list", Path.of(0, "sub", 1, "l"), Instr.COLLECTION_LIST);
        final ArrayMove sibling = new ArrayMove(T, K1, "list", Path.of(0, "sub", 2, "l", 0), 1, 2);
        final MergeResult r = mergeOk(theirs(20, deep, deeper, sibling), ours(10, outer));
        assertThat(theirOut(r)).containsExactly(new ArrayMove(T, K1, "list", Path.of(0, "sub", 1, "l", 0), 1, 2));
    }
}
