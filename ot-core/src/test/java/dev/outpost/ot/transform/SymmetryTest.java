package dev.outpost.ot.transform;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.outpost.codec.changeset.Instr;
import dev.outpost.ot.model.AddColumn;
import dev.outpost.ot.model.AddInteger;
import dev.outpost.ot.model.AddTable;
import dev.outpost.ot.model.ArrayErase;
import dev.outpost.ot.model.ArrayInsert;
import dev.outpost.ot.model.ArrayMove;
import dev.outpost.ot.model.Changeset;
import dev.outpost.ot.model.Clear;
import dev.outpost.ot.model.CreateObject;
import dev.outpost.ot.model.EraseColumn;
import dev.outpost.ot.model.EraseObject;
import dev.outpost.ot.model.EraseTable;
import dev.outpost.ot.model.Instruction;
import dev.outpost.ot.model.Path;
import dev.outpost.ot.model.Payload;
import dev.outpost.ot.model.PrimaryKey;
import dev.outpost.ot.model.SetErase;
import dev.outpost.ot.model.SetInsert;
import dev.outpost.ot.model.Update;

/**
 * Every pair of single instructions from a pool covering all 14 types, embedded paths, Mixed collections and
 * schema: the server's merge (theirs = A, ours = B) and the client's merge (theirs = B, ours = A) must agree on
 * both transformed instructions, or both fail. This pins the left/right handling of all 105 pair rules and the
 * nested rules.
 */
class SymmetryTest
{
    private static final String T = "T";
    private static final PrimaryKey K = PrimaryKey.ofInt(1);

    private static List<Instruction> pool()
    {
        final List<Instruction> p = new ArrayList<>();
        p.add(new AddTable(T, Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_INT, false));
        p.add(new AddTable("X", Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_INT, false));
        p.add(AddTable.embedded("E"));
        p.add(new EraseTable(T));
        p.add(new EraseTable("X"));
        p.add(new CreateObject(T, K));
        p.add(new CreateObject(T, PrimaryKey.ofInt(2)));
        p.add(new EraseObject(T, K));
        p.add(new Update(T, K, "a", new Path(), Payload.ofInt(1), false));
        p.add(new Update(T, K, "a", new Path(), Payload.ofInt(2), true));
        p.add(new Update(T, K, "a", new Path(), Payload.ofNull(), false));
        p.add(new Update(T, K, "a", new Path(), Payload.ofString("s"), false));
        p.add(new Update(T, K, "a", new Path(), Payload.list(), false));
        p.add(new Update(T, K, "a", new Path(), Payload.dictionary(), false));
        p.add(new Update(T, K, "e", new Path(), Payload.objectValue(), false));
        p.add(new Update(T, K, "e", Path.of("x"), Payload.ofInt(3), false));
        p.add(new Update(T, K, "list", Path.of(1), Payload.ofInt(4), false, 3));
        p.add(new Update(T, K, "list", Path.of(2, "x"), Payload.ofInt(5), false));
        p.add(new Update(T, K, "list", Path.of(0, "sub", 1), Payload.ofInt(5), false, 2));
        p.add(new Update(T, K, "a", Path.of(0), Payload.ofInt(5), false, 2));
        p.add(new Update(T, K, "a", Path.of("k"), Payload.ofInt(5), false));
        p.add(new AddInteger(T, K, "a", new Path(), 7));
        p.add(new AddInteger(T, K, "e", Path.of("x"), 7));
        p.add(new AddColumn(T, "a", Instr.TYPE_INT, false));
        p.add(new AddColumn(T, "link", Instr.TYPE_LINK, true, Instr.COLLECTION_SINGLE, "X", 0));
        p.add(new EraseColumn(T, "a"));
        p.add(new EraseColumn(T, "list"));
        p.add(new ArrayInsert(T, K, "list", Path.of(1), Payload.ofInt(8), 3));
        p.add(new ArrayInsert(T, K, "list", Path.of(3), Payload.ofInt(8), 3));
        p.add(new ArrayInsert(T, K, "list", Path.of(0, "sub", 1), Payload.ofInt(8), 2));
        p.add(new ArrayInsert(T, K, "a", Path.of(0), Payload.ofInt(8), 2));
        p.add(new ArrayMove(T, K, "list", Path.of(1), 2, 3));
        p.add(new ArrayMove(T, K, "list", Path.of(2), 0, 3));
        p.add(new ArrayErase(T, K, "list", Path.of(1), 3));
        p.add(new ArrayErase(T, K, "list", Path.of(2), 3));
        p.add(new ArrayErase(T, K, "list", Path.of(0, "sub", 0), 2));
        p.add(new Clear(T, K, "list", new Path(), Instr.COLLECTION_LIST));
        p.add(new Clear(T, K, "a", new Path(), Instr.COLLECTION_LIST));
        p.add(new Clear(T, K, "s", new Path(), Instr.COLLECTION_SET));
        p.add(new SetInsert(T, K, "s", new Path(), Payload.ofInt(1)));
        p.add(new SetInsert(T, K, "s", new Path(), Payload.ofInt(2)));
        p.add(new SetErase(T, K, "s", new Path(), Payload.ofInt(1)));
        return p;
    }

    private static Changeset single(final Instruction i, final long timestamp, final long ident)
    {
        return new Changeset(1, 0, timestamp, ident).add(i.copy());
    }

    @Test
    void shouldAgreeWhicheverSideMerges()
    {
        final List<Instruction> pool = pool();
        int pairs = 0;
        for (final Instruction a : pool)
        {
            for (final Instruction b : pool)
            {
                for (final long[] times : new long[][] {{10, 20}, {20, 10}, {10, 10}})
                {
                    final Changeset fromA = single(a, times[0], 2);
                    final Changeset fromB = single(b, times[1], 3);
                    final MergeResult atServer = new Transformer(1).merge(List.of(fromA), List.of(fromB));
                    final MergeResult atClient = new Transformer(2).merge(List.of(fromB), List.of(fromA));
                    final String context = a + " (t=" + times[0] + ") vs " + b + " (t=" + times[1] + ")";
                    assertThat(atClient.isSuccess()).as(context).isEqualTo(atServer.isSuccess());
                    if (atServer.isSuccess())
                    {
                        assertThat(atClient.ours()).as(context).isEqualTo(atServer.theirs());
                        assertThat(atClient.theirs()).as(context).isEqualTo(atServer.ours());
                    }
                    pairs++;
                }
            }
        }
        assertThat(pairs).isEqualTo(pool.size() * pool.size() * 3);
    }
}
