package dev.outpost.ot.transform;

import static dev.outpost.ot.transform.MergeFixture.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.outpost.codec.changeset.Instr;
import dev.outpost.ot.model.AddColumn;
import dev.outpost.ot.model.AddTable;
import dev.outpost.ot.model.Changeset;
import dev.outpost.ot.model.Clear;
import dev.outpost.ot.model.EraseColumn;
import dev.outpost.ot.model.EraseTable;
import dev.outpost.ot.model.Path;
import dev.outpost.ot.model.Payload;
import dev.outpost.ot.model.SetErase;
import dev.outpost.ot.model.SetInsert;
import dev.outpost.ot.model.Update;

/** One test (or more) per pair rule of realm-core's transform.cpp, with the expected outcome written out. */
class PairRulesTest
{
    // ----- schema -----------------------------------------------------------------------------------------

    @Test
    void shouldDiscardBothIdenticalAddTables()
    {
        final AddTable t = new AddTable(T, Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_INT, false);
        final MergeResult r = mergeOk(theirs(20, t.copy()), ours(10, t.copy()));
        assertThat(theirOut(r)).isEmpty();
        assertThat(ourOut(r)).isEmpty();
    }

    @Test
    void shouldKeepAddTablesOfDifferentTables()
    {
        final MergeResult r = mergeOk(
            theirs(20, new AddTable("A", Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_INT, false)),
            ours(10, AddTable.embedded("B")));
        assertThat(theirOut(r)).hasSize(1);
        assertThat(ourOut(r)).hasSize(1);
    }

    @Test
    void shouldDiscardBothIdenticalEmbeddedAddTables()
    {
        final MergeResult r = mergeOk(theirs(20, AddTable.embedded("E")), ours(10, AddTable.embedded("E")));
        assertThat(theirOut(r)).isEmpty();
        assertThat(ourOut(r)).isEmpty();
    }

    @Test
    void shouldLetEraseTableWinOverAddTableOnEitherSide()
    {
        final AddTable add = new AddTable(T, Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_INT, false);
        MergeResult r = mergeOk(theirs(20, add.copy()), ours(10, new EraseTable(T)));
        assertThat(theirOut(r)).isEmpty();
        assertThat(ourOut(r)).containsExactly(new EraseTable(T));

        r = mergeOk(theirs(10, new EraseTable(T)), ours(20, add.copy()));
        assertThat(theirOut(r)).containsExactly(new EraseTable(T));
        assertThat(ourOut(r)).isEmpty();
    }

    @Test
    void shouldDiscardBothEraseTablesOfTheSameTable()
    {
        final MergeResult r = mergeOk(theirs(20, new EraseTable(T)), ours(10, new EraseTable(T)));
        assertThat(theirOut(r)).isEmpty();
        assertThat(ourOut(r)).isEmpty();
    }

    @Test
    void shouldPrependEraseColumnOnTheirSideWhenTheyEraseTheTargetOfOurLinkColumn()
    {
        final AddColumn link = new AddColumn(T, "owner", Instr.TYPE_LINK, true, Instr.COLLECTION_SINGLE, "X", 0);
        final MergeResult r = mergeOk(theirs(20, new EraseTable("X")), ours(10, link));
        assertThat(theirOut(r)).containsExactly(new EraseColumn(T, "owner"), new EraseTable("X"));
        assertThat(ourOut(r)).isEmpty();
    }

    @Test
    void shouldPrependEraseColumnOnOurSideWhenWeEraseTheTargetOfTheirLinkColumn()
    {
        final AddColumn link = new AddColumn(T, "owner", Instr.TYPE_LINK, true, Instr.COLLECTION_SINGLE, "X", 0);
        final MergeResult r = mergeOk(theirs(10, link), ours(20, new EraseTable("X")));
        assertThat(ourOut(r)).containsExactly(new EraseColumn(T, "owner"), new EraseTable("X"));
        assertThat(theirOut(r)).isEmpty();
        assertThat(r.oursChanged(0)).isTrue();
    }

    @Test
    void shouldMergeOurPrependedEraseColumnWithTheRestOfTheirChangeset()
    {
        final AddColumn link = new AddColumn(T, "owner", Instr.TYPE_LINK, true, Instr.COLLECTION_SINGLE, "X", 0);
        final Update setOwner = set("owner", Payload.ofLink("X", PrimaryKey1.KEY));
        final MergeResult r = mergeOk(theirs(10, link, setOwner), ours(20, new EraseTable("X")));
        // The prepended EraseColumn(T.owner) meets their Update of that column and discards it.
        assertThat(ourOut(r)).containsExactly(new EraseColumn(T, "owner"), new EraseTable("X"));
        assertThat(theirOut(r)).isEmpty();
    }

    @Test
    void shouldKeepNonLinkAddColumnWhenAnotherTableIsErased()
    {
        final MergeResult r = mergeOk(theirs(20, new EraseTable("X")), ours(10, column("name", Instr.TYPE_STRING)));
        assertThat(theirOut(r)).containsExactly(new EraseTable("X"));
        assertThat(ourOut(r)).containsExactly(column("name", Instr.TYPE_STRING));
    }

    @Test
    void shouldDiscardBothIdenticalAddColumns()
    {
        final AddColumn c = new AddColumn(T, "tags", Instr.TYPE_STRING, false, Instr.COLLECTION_LIST, null, 0);
        final MergeResult r = mergeOk(theirs(20, c.copy()), ours(10, c.copy()));
        assertThat(theirOut(r)).isEmpty();
        assertThat(ourOut(r)).isEmpty();
    }

    @Test
    void shouldLetEraseColumnWinOverAddColumn()
    {
        final MergeResult r = mergeOk(theirs(20, column("a", Instr.TYPE_INT)), ours(10, new EraseColumn(T, "a")));
        assertThat(theirOut(r)).isEmpty();
        assertThat(ourOut(r)).containsExactly(new EraseColumn(T, "a"));
    }

    @Test
    void shouldDiscardBothEraseColumnsOfTheSameColumn()
    {
        final MergeResult r = mergeOk(theirs(20, new EraseColumn(T, "a")), ours(10, new EraseColumn(T, "a")));
        assertThat(theirOut(r)).isEmpty();
        assertThat(ourOut(r)).isEmpty();
    }

    @Test
    void shouldLetEraseColumnWinOverUpdateOfThatColumnRegardlessOfTime()
    {
        final MergeResult r = mergeOk(theirs(20, set("a", Payload.ofInt(1))), ours(10, new EraseColumn(T, "a")));
        assertThat(theirOut(r)).isEmpty();
        assertThat(ourOut(r)).containsExactly(new EraseColumn(T, "a"));
    }

    @Test
    void shouldLeaveListInsertAndAddIntegerAloneWhenTheirColumnIsErasedAsRealmDoes()
    {
        // realm-core 14 has no rule for EraseColumn vs ArrayInsert/AddInteger: both survive.
        final MergeResult r = mergeOk(theirs(20, insert(0, 0, 7), add("n", 1)), ours(10, new EraseColumn(T, "list")));
        assertThat(theirOut(r)).containsExactly(insert(0, 0, 7), add("n", 1));
    }

    @Test
    void shouldLeaveSchemaAloneAgainstObjectInstructions()
    {
        final MergeResult r = mergeOk(
            theirs(20, new AddTable(T, Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_INT, false), column("a", Instr.TYPE_INT)),
            ours(10, create(K1), set("a", Payload.ofInt(1))));
        assertThat(theirOut(r)).hasSize(2);
        assertThat(ourOut(r)).containsExactly(create(K1), set("a", Payload.ofInt(1)));
    }

    // ----- objects ----------------------------------------------------------------------------------------

    @Test
    void shouldKeepBothCreateObjectsBecauseCreateIsIdempotent()
    {
        final MergeResult r = mergeOk(theirs(20, create(K1)), ours(10, create(K1)));
        assertThat(theirOut(r)).containsExactly(create(K1));
        assertThat(ourOut(r)).containsExactly(create(K1));
    }

    @Test
    void shouldLetEraseObjectWinOverCreateObjectEvenIfCreateIsLater()
    {
        MergeResult r = mergeOk(theirs(20, create(K1)), ours(10, eraseObject(K1)));
        assertThat(theirOut(r)).isEmpty();
        assertThat(ourOut(r)).containsExactly(eraseObject(K1));

        r = mergeOk(theirs(10, eraseObject(K1)), ours(20, create(K1)));
        assertThat(theirOut(r)).containsExactly(eraseObject(K1));
        assertThat(ourOut(r)).isEmpty();
    }

    @Test
    void shouldKeepOnlyTheLaterOfTwoEraseObjects()
    {
        MergeResult r = mergeOk(theirs(20, eraseObject(K1)), ours(10, eraseObject(K1)));
        assertThat(theirOut(r)).containsExactly(eraseObject(K1));
        assertThat(ourOut(r)).isEmpty();

        r = mergeOk(theirs(10, eraseObject(K1)), ours(20, eraseObject(K1)));
        assertThat(theirOut(r)).isEmpty();
        assertThat(ourOut(r)).containsExactly(eraseObject(K1));
    }

    @Test
    void shouldNotTouchInstructionsOnDifferentObjects()
    {
        final Update ourUpdate = new Update(T, K2, "a", new Path(), Payload.ofInt(1), false);
        final MergeResult r = mergeOk(theirs(20, eraseObject(K2), create(K1)), ours(10, eraseObject(K1), ourUpdate));
        // Their erase of T[2] kills our Update of T[2]; our erase of T[1] beats their create of T[1].
        assertThat(theirOut(r)).containsExactly(eraseObject(K2));
        assertThat(ourOut(r)).containsExactly(eraseObject(K1));

        final MergeResult disjoint = mergeOk(theirs(20, eraseObject(K2)), ours(10, set("a", Payload.ofInt(1))));
        assertThat(theirOut(disjoint)).containsExactly(eraseObject(K2));
        assertThat(ourOut(disjoint)).containsExactly(set("a", Payload.ofInt(1)));
        assertThat(disjoint.anyOursChanged()).isFalse();
    }

    @Test
    void shouldNotLetCreateObjectAffectUpdates()
    {
        final MergeResult r = mergeOk(theirs(20, set("a", Payload.ofInt(1))), ours(10, create(K1)));
        assertThat(theirOut(r)).containsExactly(set("a", Payload.ofInt(1)));
        assertThat(ourOut(r)).containsExactly(create(K1));
    }

    // ----- Update vs Update ------------------------------------------------------------------------------

    @Test
    void shouldLetTheLaterUpdateOfTheSameFieldWinOnBothSides()
    {
        MergeResult r = mergeOk(theirs(20, set("a", Payload.ofInt(2))), ours(10, set("a", Payload.ofInt(1))));
        assertThat(theirOut(r)).containsExactly(set("a", Payload.ofInt(2)));
        assertThat(ourOut(r)).isEmpty();

        r = mergeOk(theirs(10, set("a", Payload.ofInt(2))), ours(20, set("a", Payload.ofInt(1))));
        assertThat(theirOut(r)).isEmpty();
        assertThat(ourOut(r)).containsExactly(set("a", Payload.ofInt(1)));
    }

    @Test
    void shouldBreakEqualTimestampTiesByHigherFileIdent()
    {
        // Ours is of local origin (ident 0): the local ident 1 stands in for it, and the peer's 2 wins.
        MergeResult r = mergeOk(theirs(10, set("a", Payload.ofInt(2))), ours(10, set("a", Payload.ofInt(1))));
        assertThat(theirOut(r)).containsExactly(set("a", Payload.ofInt(2)));
        assertThat(ourOut(r)).isEmpty();

        // The same changesets seen by a peer whose local ident is 3: now ours wins.
        r = new Transformer(3).merge(List.of(theirs(10, set("a", Payload.ofInt(2)))),
            List.of(ours(10, set("a", Payload.ofInt(1)))));
        assertThat(theirOut(r)).isEmpty();
        assertThat(ourOut(r)).containsExactly(set("a", Payload.ofInt(1)));

        // An explicit origin ident on our changeset is used as is.
        final Changeset our = ours(10, set("a", Payload.ofInt(1))).setOriginFileIdent(7);
        r = mergeOk(theirs(10, set("a", Payload.ofInt(2))), our);
        assertThat(theirOut(r)).isEmpty();
        assertThat(ourOut(r)).containsExactly(set("a", Payload.ofInt(1)));
    }

    @Test
    void shouldCompareTimestampsUnsigned()
    {
        final MergeResult r = mergeOk(theirs(-1, set("a", Payload.ofInt(2))), ours(10, set("a", Payload.ofInt(1))));
        assertThat(theirOut(r)).containsExactly(set("a", Payload.ofInt(2)));
        assertThat(ourOut(r)).isEmpty();
    }

    @Test
    void shouldLetNonDefaultUpdateBeatDefaultUpdateRegardlessOfTime()
    {
        final MergeResult r = mergeOk(theirs(20, setDefault("a", Payload.ofInt(2))), ours(10, set("a", Payload.ofInt(1))));
        assertThat(theirOut(r)).isEmpty();
        assertThat(ourOut(r)).containsExactly(set("a", Payload.ofInt(1)));
    }

    @Test
    void shouldLetTheLaterOfTwoDefaultUpdatesWin()
    {
        final MergeResult r = mergeOk(theirs(20, setDefault("a", Payload.ofInt(2))), ours(10, setDefault("a", Payload.ofInt(1))));
        assertThat(theirOut(r)).containsExactly(setDefault("a", Payload.ofInt(2)));
        assertThat(ourOut(r)).isEmpty();
    }

    @Test
    void shouldLetAnyValueBeatEmbeddedObjectCreationRegardlessOfTime()
    {
        MergeResult r = mergeOk(theirs(20, set("e", Payload.objectValue())), ours(10, set("e", Payload.ofNull())));
        assertThat(theirOut(r)).isEmpty();
        assertThat(ourOut(r)).containsExactly(set("e", Payload.ofNull()));

        r = mergeOk(theirs(10, set("e", Payload.ofNull())), ours(20, set("e", Payload.objectValue())));
        assertThat(theirOut(r)).containsExactly(set("e", Payload.ofNull()));
        assertThat(ourOut(r)).isEmpty();
    }

    @Test
    void shouldApplyLastWriterWinsBetweenTwoEmbeddedObjectCreations()
    {
        final MergeResult r = mergeOk(theirs(20, set("e", Payload.objectValue())), ours(10, set("e", Payload.objectValue())));
        assertThat(theirOut(r)).containsExactly(set("e", Payload.objectValue()));
        assertThat(ourOut(r)).isEmpty();
    }

    @Test
    void shouldKeepBothUpdatesCreatingTheSameCollectionTypeInMixed()
    {
        MergeResult r = mergeOk(theirs(20, set("m", Payload.list())), ours(10, set("m", Payload.list())));
        assertThat(theirOut(r)).containsExactly(set("m", Payload.list()));
        assertThat(ourOut(r)).containsExactly(set("m", Payload.list()));

        r = mergeOk(theirs(20, set("m", Payload.dictionary())), ours(10, set("m", Payload.dictionary())));
        assertThat(theirOut(r)).containsExactly(set("m", Payload.dictionary()));
        assertThat(ourOut(r)).containsExactly(set("m", Payload.dictionary()));

        r = mergeOk(theirs(20, set("m", Payload.list())), ours(10, set("m", Payload.dictionary())));
        assertThat(theirOut(r)).containsExactly(set("m", Payload.list()));
        assertThat(ourOut(r)).isEmpty();
    }

    @Test
    void shouldApplyLastWriterWinsToDictionaryEntriesAndErasures()
    {
        final MergeResult r = mergeOk(
            theirs(20, setAt("d", Path.of("k"), Payload.erased())),
            ours(10, setAt("d", Path.of("k"), Payload.ofString("v")), setAt("d", Path.of("other"), Payload.ofInt(1))));
        assertThat(theirOut(r)).containsExactly(setAt("d", Path.of("k"), Payload.erased()));
        assertThat(ourOut(r)).containsExactly(setAt("d", Path.of("other"), Payload.ofInt(1)));
    }

    @Test
    void shouldApplyLastWriterWinsToTheSameListElement()
    {
        final MergeResult r = mergeOk(theirs(10, setElement(1, 3, Payload.ofInt(2))), ours(20, setElement(1, 3, Payload.ofInt(1))));
        assertThat(theirOut(r)).isEmpty();
        assertThat(ourOut(r)).containsExactly(setElement(1, 3, Payload.ofInt(1)));
    }

    // ----- AddInteger --------------------------------------------------------------------------------------

    @Test
    void shouldFoldLaterAddIntegerIntoEarlierIntUpdate()
    {
        final MergeResult r = mergeOk(theirs(20, add("n", 3)), ours(10, set("n", Payload.ofInt(5))));
        assertThat(theirOut(r)).containsExactly(add("n", 3));
        assertThat(ourOut(r)).containsExactly(set("n", Payload.ofInt(8)));
    }

    @Test
    void shouldFoldEarlierAddIntegerIntoTheirEarlierUpdateWhenWeAddLater()
    {
        final MergeResult r = mergeOk(theirs(10, set("n", Payload.ofInt(5))), ours(20, add("n", -2)));
        assertThat(theirOut(r)).containsExactly(set("n", Payload.ofInt(3)));
        assertThat(ourOut(r)).containsExactly(add("n", -2));
    }

    @Test
    void shouldDiscardAddIntegerBeforeALaterUpdate()
    {
        final MergeResult r = mergeOk(theirs(20, set("n", Payload.ofInt(5))), ours(10, add("n", 3)));
        assertThat(theirOut(r)).containsExactly(set("n", Payload.ofInt(5)));
        assertThat(ourOut(r)).isEmpty();
    }

    @Test
    void shouldFoldAddIntegerIntoALaterDefaultUpdate()
    {
        final MergeResult r = mergeOk(theirs(20, setDefault("n", Payload.ofInt(5))), ours(10, add("n", 3)));
        assertThat(theirOut(r)).containsExactly(setDefault("n", Payload.ofInt(8)));
        assertThat(ourOut(r)).containsExactly(add("n", 3));
    }

    @Test
    void shouldKeepBothAddIntegerAndEarlierNullUpdate()
    {
        final MergeResult r = mergeOk(theirs(20, add("n", 3)), ours(10, set("n", Payload.ofNull())));
        assertThat(theirOut(r)).containsExactly(add("n", 3));
        assertThat(ourOut(r)).containsExactly(set("n", Payload.ofNull()));
    }

    @Test
    void shouldDiscardAddIntegerAfterANonIntUpdateOfMixed()
    {
        final MergeResult r = mergeOk(theirs(20, add("n", 3)), ours(10, set("n", Payload.ofString("x"))));
        assertThat(theirOut(r)).isEmpty();
        assertThat(ourOut(r)).containsExactly(set("n", Payload.ofString("x")));
    }

    @Test
    void shouldWrapWhenFoldingAddInteger()
    {
        final MergeResult r = mergeOk(theirs(20, add("n", 1)), ours(10, set("n", Payload.ofInt(Long.MAX_VALUE))));
        assertThat(ourOut(r)).containsExactly(set("n", Payload.ofInt(Long.MIN_VALUE)));
    }

    @Test
    void shouldKeepBothAddIntegersBecauseTheyCommute()
    {
        final MergeResult r = mergeOk(theirs(20, add("n", 1)), ours(10, add("n", 2)));
        assertThat(theirOut(r)).containsExactly(add("n", 1));
        assertThat(ourOut(r)).containsExactly(add("n", 2));
    }

    // ----- lists ------------------------------------------------------------------------------------------

    @Test
    void shouldShiftInsertsAtDifferentIndices()
    {
        final MergeResult r = mergeOk(theirs(20, insert(2, 3, 200)), ours(10, insert(1, 3, 100)));
        assertThat(ourOut(r)).containsExactly(insert(1, 4, 100));
        assertThat(theirOut(r)).containsExactly(insert(3, 4, 200));
    }

    @Test
    void shouldOrderInsertsAtTheSameIndexByDiscriminantLowerFirst()
    {
        MergeResult r = mergeOk(theirs(20, insert(1, 3, 200)), ours(10, insert(1, 3, 100)));
        assertThat(ourOut(r)).containsExactly(insert(1, 4, 100));
        assertThat(theirOut(r)).containsExactly(insert(2, 4, 200));

        r = mergeOk(theirs(10, insert(1, 3, 200)), ours(20, insert(1, 3, 100)));
        assertThat(ourOut(r)).containsExactly(insert(2, 4, 100));
        assertThat(theirOut(r)).containsExactly(insert(1, 4, 200));

        // Equal timestamps: the higher file ident (the peer, 2) goes second.
        r = mergeOk(theirs(10, insert(1, 3, 200)), ours(10, insert(1, 3, 100)));
        assertThat(ourOut(r)).containsExactly(insert(1, 4, 100));
        assertThat(theirOut(r)).containsExactly(insert(2, 4, 200));
    }

    @Test
    void shouldShiftUpdateBehindAnInsertAndGrowItsPriorSize()
    {
        MergeResult r = mergeOk(theirs(20, setElement(1, 3, Payload.ofInt(9))), ours(10, insert(1, 3, 100)));
        assertThat(theirOut(r)).containsExactly(setElement(2, 4, Payload.ofInt(9)));
        assertThat(ourOut(r)).containsExactly(insert(1, 3, 100));

        r = mergeOk(theirs(20, setElement(0, 3, Payload.ofInt(9))), ours(10, insert(1, 3, 100)));
        assertThat(theirOut(r)).containsExactly(setElement(0, 4, Payload.ofInt(9)));
    }

    @Test
    void shouldDiscardUpdateOfAnErasedElementAndShiftOthers()
    {
        MergeResult r = mergeOk(theirs(20, setElement(1, 3, Payload.ofInt(9))), ours(10, erase(1, 3)));
        assertThat(theirOut(r)).isEmpty();
        assertThat(ourOut(r)).containsExactly(erase(1, 3));

        r = mergeOk(theirs(20, setElement(2, 3, Payload.ofInt(9))), ours(10, erase(1, 3)));
        assertThat(theirOut(r)).containsExactly(setElement(1, 2, Payload.ofInt(9)));

        r = mergeOk(theirs(20, setElement(0, 3, Payload.ofInt(9))), ours(10, erase(1, 3)));
        assertThat(theirOut(r)).containsExactly(setElement(0, 2, Payload.ofInt(9)));
    }

    @Test
    void shouldDiscardBothErasesOfTheSameElementAndShiftDifferentOnes()
    {
        MergeResult r = mergeOk(theirs(20, erase(1, 3)), ours(10, erase(1, 3)));
        assertThat(theirOut(r)).isEmpty();
        assertThat(ourOut(r)).isEmpty();

        r = mergeOk(theirs(20, erase(2, 3)), ours(10, erase(0, 3)));
        assertThat(theirOut(r)).containsExactly(erase(1, 2));
        assertThat(ourOut(r)).containsExactly(erase(0, 2));
    }

    @Test
    void shouldShiftEraseAndInsertAgainstEachOther()
    {
        // Insert at or before the erased element pushes the erase up.
        MergeResult r = mergeOk(theirs(20, insert(1, 3, 7)), ours(10, erase(1, 3)));
        assertThat(ourOut(r)).containsExactly(erase(2, 4));
        assertThat(theirOut(r)).containsExactly(insert(1, 2, 7));

        // Insert after the erased element moves down.
        r = mergeOk(theirs(20, insert(3, 3, 7)), ours(10, erase(1, 3)));
        assertThat(ourOut(r)).containsExactly(erase(1, 4));
        assertThat(theirOut(r)).containsExactly(insert(2, 2, 7));
    }

    @Test
    void shouldLetTheLaterOfTwoMovesOfTheSameElementWin()
    {
        MergeResult r = mergeOk(theirs(20, move(0, 1, 3)), ours(10, move(0, 2, 3)));
        assertThat(ourOut(r)).isEmpty();
        assertThat(theirOut(r)).containsExactly(move(2, 1, 3)); // theirs now moves it from where ours put it

        r = mergeOk(theirs(10, move(0, 1, 3)), ours(20, move(0, 2, 3)));
        assertThat(ourOut(r)).containsExactly(move(1, 2, 3));
        assertThat(theirOut(r)).isEmpty();
    }

    @Test
    void shouldDiscardBothMovesToTheSameDestination()
    {
        final MergeResult r = mergeOk(theirs(20, move(0, 2, 3)), ours(10, move(0, 2, 3)));
        assertThat(ourOut(r)).isEmpty();
        assertThat(theirOut(r)).isEmpty(); // becomes move(2 -> 2), a no-op
    }

    @Test
    void shouldShiftMovesOfDifferentElements()
    {
        // ours: [a b c d] move 0->3 gives [b c d a]; theirs: move 2->0 gives [c a b d].
        final MergeResult r = mergeOk(theirs(20, move(2, 0, 4)), ours(10, move(0, 3, 4)));
        // left = ours (same type): left.index 0 < right.index 2 -> right 1; left.ndx2 3 > 1 -> left.ndx2 2;
        // left.index 0 < right.ndx2 0? no -> left.index 1; left.ndx2 2 > right.ndx2 0 -> left.ndx2 3.
        assertThat(ourOut(r)).containsExactly(move(1, 3, 4));
        assertThat(theirOut(r)).containsExactly(move(1, 0, 4));
    }

    @Test
    void shouldRedirectEraseOfAMovedElementToItsDestinationAndDropTheMove()
    {
        MergeResult r = mergeOk(theirs(20, move(1, 3, 4)), ours(10, erase(1, 4)));
        assertThat(ourOut(r)).containsExactly(erase(3, 4));
        assertThat(theirOut(r)).isEmpty();

        r = mergeOk(theirs(20, erase(1, 4)), ours(10, move(1, 3, 4)));
        assertThat(ourOut(r)).isEmpty();
        assertThat(theirOut(r)).containsExactly(erase(3, 4));
    }

    @Test
    void shouldShiftEraseAndMoveOfDifferentElements()
    {
        // erase 0 vs move 2 -> 3 (prior 4): move becomes 1 -> 2 with prior 3; erase stays 0.
        final MergeResult r = mergeOk(theirs(20, move(2, 3, 4)), ours(10, erase(0, 4)));
        assertThat(ourOut(r)).containsExactly(erase(0, 4));
        assertThat(theirOut(r)).containsExactly(move(1, 2, 3));
    }

    @Test
    void shouldShiftMoveAgainstInsert()
    {
        // move 0 -> 2 vs insert at 1 (prior 3): the move's prior grows; insert index 1 > 0 -> 0; 0 < 2 -> ndx2 3.
        MergeResult r = mergeOk(theirs(20, insert(1, 3, 7)), ours(10, move(0, 2, 3)));
        assertThat(ourOut(r)).containsExactly(move(0, 3, 4));
        assertThat(theirOut(r)).containsExactly(insert(0, 3, 7));

        // Insert at the move's destination: lower discriminant first.
        r = mergeOk(theirs(20, insert(3, 3, 7)), ours(10, move(0, 2, 3)));
        // right.index 3 > 0 -> 2; 2 == ndx2 2 and ours earlier -> left.ndx2 3.
        assertThat(ourOut(r)).containsExactly(move(0, 3, 4));
        assertThat(theirOut(r)).containsExactly(insert(2, 3, 7));
    }

    @Test
    void shouldMoveUpdateWithItsElement()
    {
        MergeResult r = mergeOk(theirs(20, setElement(0, 3, Payload.ofInt(9))), ours(10, move(0, 2, 3)));
        assertThat(theirOut(r)).containsExactly(setElement(2, 3, Payload.ofInt(9)));

        r = mergeOk(theirs(20, setElement(2, 3, Payload.ofInt(9))), ours(10, move(0, 2, 3)));
        assertThat(theirOut(r)).containsExactly(setElement(1, 3, Payload.ofInt(9)));

        r = mergeOk(theirs(20, setElement(1, 3, Payload.ofInt(9))), ours(10, move(2, 0, 3)));
        assertThat(theirOut(r)).containsExactly(setElement(2, 3, Payload.ofInt(9)));
    }

    @Test
    void shouldNotTouchListInstructionsOfOtherLists()
    {
        final MergeResult r = mergeOk(
            theirs(20, new dev.outpost.ot.model.ArrayInsert(T, K1, "other", Path.of(0), Payload.ofInt(1), 5)),
            ours(10, erase(0, 3)));
        assertThat(theirOut(r).get(0)).isEqualTo(
            new dev.outpost.ot.model.ArrayInsert(T, K1, "other", Path.of(0), Payload.ofInt(1), 5));
    }

    // ----- Clear ------------------------------------------------------------------------------------------

    @Test
    void shouldKeepBothClearAndUpdateCreatingTheSameCollectionType()
    {
        final MergeResult r = mergeOk(theirs(20, setAt("list", new Path(), Payload.list())), ours(10, clearList()));
        assertThat(theirOut(r)).containsExactly(setAt("list", new Path(), Payload.list()));
        assertThat(ourOut(r)).containsExactly(clearList());
    }

    @Test
    void shouldApplyLastWriterWinsBetweenClearAndOtherUpdate()
    {
        MergeResult r = mergeOk(theirs(20, setAt("list", new Path(), Payload.ofInt(1))), ours(10, clearList()));
        assertThat(theirOut(r)).hasSize(1);
        assertThat(ourOut(r)).isEmpty();

        r = mergeOk(theirs(10, setAt("list", new Path(), Payload.ofInt(1))), ours(20, clearList()));
        assertThat(theirOut(r)).isEmpty();
        assertThat(ourOut(r)).containsExactly(clearList());
    }

    @Test
    void shouldLetClearWinOverAddIntegerOnTheSamePath()
    {
        final Clear clear = new Clear(T, K1, "n", new Path(), Instr.COLLECTION_LIST);
        final MergeResult r = mergeOk(theirs(20, add("n", 1)), ours(10, clear));
        assertThat(theirOut(r)).isEmpty();
        assertThat(ourOut(r)).containsExactly(clear);
    }

    @Test
    void shouldKeepOnlyTheLaterOfTwoClears()
    {
        MergeResult r = mergeOk(theirs(20, clearList()), ours(10, clearList()));
        assertThat(theirOut(r)).containsExactly(clearList());
        assertThat(ourOut(r)).isEmpty();

        r = mergeOk(theirs(10, clearList()), ours(20, clearList()));
        assertThat(theirOut(r)).isEmpty();
        assertThat(ourOut(r)).containsExactly(clearList());
    }

    // ----- Sets -------------------------------------------------------------------------------------------

    @Test
    void shouldLetClearAlwaysWinOverSetInsertAndSetErase()
    {
        MergeResult r = mergeOk(theirs(20, setInsert(1), setErase(2)), ours(10, clearSet()));
        assertThat(theirOut(r)).isEmpty();
        assertThat(ourOut(r)).containsExactly(clearSet());

        r = mergeOk(theirs(10, clearSet()), ours(20, setInsert(1)));
        assertThat(theirOut(r)).containsExactly(clearSet());
        assertThat(ourOut(r)).isEmpty();
    }

    @Test
    void shouldDiscardTheEarlierOfTwoInsertsOfTheSameValue()
    {
        MergeResult r = mergeOk(theirs(20, setInsert(1)), ours(10, setInsert(1)));
        assertThat(theirOut(r)).containsExactly(setInsert(1));
        assertThat(ourOut(r)).isEmpty();

        r = mergeOk(theirs(20, setInsert(1)), ours(10, setInsert(2)));
        assertThat(theirOut(r)).containsExactly(setInsert(1));
        assertThat(ourOut(r)).containsExactly(setInsert(2));
    }

    @Test
    void shouldDiscardTheEarlierOfInsertAndEraseOfTheSameValue()
    {
        MergeResult r = mergeOk(theirs(20, setErase(1)), ours(10, setInsert(1)));
        assertThat(theirOut(r)).containsExactly(setErase(1));
        assertThat(ourOut(r)).isEmpty();

        r = mergeOk(theirs(10, setErase(1)), ours(20, setInsert(1)));
        assertThat(theirOut(r)).isEmpty();
        assertThat(ourOut(r)).containsExactly(setInsert(1));
    }

    @Test
    void shouldDiscardTheEarlierOfTwoErasesOfTheSameValue()
    {
        MergeResult r = mergeOk(theirs(20, setErase(1)), ours(10, setErase(1)));
        assertThat(theirOut(r)).containsExactly(setErase(1));
        assertThat(ourOut(r)).isEmpty();

        r = mergeOk(theirs(20, setErase(1)), ours(10, setErase(3)));
        assertThat(theirOut(r)).containsExactly(setErase(1));
        assertThat(ourOut(r)).containsExactly(setErase(3));
    }

    @Test
    void shouldCompareSetValuesByContent()
    {
        final SetInsert a = new SetInsert(T, K1, "set", new Path(), Payload.ofString("x"));
        final SetInsert b = new SetInsert(T, K1, "set", new Path(), Payload.ofString("x"));
        MergeResult r = mergeOk(theirs(20, a), ours(10, b));
        assertThat(ourOut(r)).isEmpty();

        // Doubles compare with ==: 0.0 and -0.0 are the same value.
        final SetErase z = new SetErase(T, K1, "set", new Path(), Payload.ofDouble(0.0));
        final SetErase nz = new SetErase(T, K1, "set", new Path(), Payload.ofDouble(-0.0));
        r = mergeOk(theirs(20, z), ours(10, nz));
        assertThat(ourOut(r)).isEmpty();
        assertThat(theirOut(r)).containsExactly(z);

        // Decimal128 compares numerically: 1E1 == 10E0.
        final SetInsert d1 = new SetInsert(T, K1, "set", new Path(), Payload.ofDecimal(1, 0, 1, false));
        final SetInsert d10 = new SetInsert(T, K1, "set", new Path(), Payload.ofDecimal(10, 0, 0, false));
        r = mergeOk(theirs(20, d1), ours(10, d10));
        assertThat(ourOut(r)).isEmpty();
    }

    /** Link payload shorthand. */
    private static final class PrimaryKey1
    {
        static final dev.outpost.ot.model.PrimaryKey KEY = dev.outpost.ot.model.PrimaryKey.ofString("x1");
    }
}
