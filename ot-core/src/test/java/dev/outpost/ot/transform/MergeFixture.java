package dev.outpost.ot.transform;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import dev.outpost.codec.changeset.Instr;
import dev.outpost.ot.model.AddColumn;
import dev.outpost.ot.model.AddInteger;
import dev.outpost.ot.model.ArrayErase;
import dev.outpost.ot.model.ArrayInsert;
import dev.outpost.ot.model.ArrayMove;
import dev.outpost.ot.model.Changeset;
import dev.outpost.ot.model.Clear;
import dev.outpost.ot.model.CreateObject;
import dev.outpost.ot.model.EraseObject;
import dev.outpost.ot.model.Instruction;
import dev.outpost.ot.model.Path;
import dev.outpost.ot.model.Payload;
import dev.outpost.ot.model.PrimaryKey;
import dev.outpost.ot.model.SetErase;
import dev.outpost.ot.model.SetInsert;
import dev.outpost.ot.model.Update;

/** Builders and assertions shared by the transform tests. The server's view: local ident 1, peer ident 2. */
final class MergeFixture
{
    static final long LOCAL = 1;
    static final long PEER = 2;
    static final String T = "T";
    static final PrimaryKey K1 = PrimaryKey.ofInt(1);
    static final PrimaryKey K2 = PrimaryKey.ofInt(2);

    private MergeFixture()
    {
    }

    /** Our changeset of local origin (ident 0, i.e. {@link #LOCAL}) at {@code timestamp}. */
    static Changeset ours(final long timestamp, final Instruction... instructions)
    {
        final Changeset c = new Changeset(10, 5, timestamp, 0);
        for (final Instruction i : instructions)
        {
            c.add(i);
        }
        return c;
    }

    /** Their changeset from {@link #PEER} at {@code timestamp}. */
    static Changeset theirs(final long timestamp, final Instruction... instructions)
    {
        final Changeset c = new Changeset(3, 5, timestamp, PEER);
        for (final Instruction i : instructions)
        {
            c.add(i);
        }
        return c;
    }

    static MergeResult merge(final Changeset their, final Changeset our)
    {
        return new Transformer(LOCAL).merge(List.of(their), List.of(our));
    }

    static MergeResult mergeOk(final Changeset their, final Changeset our)
    {
        final MergeResult r = merge(their, our);
        assertThat(r.isSuccess()).as("merge failed: %s", r.message()).isTrue();
        return r;
    }

    static List<Instruction> theirOut(final MergeResult r)
    {
        return r.theirs().get(0).instructions();
    }

    static List<Instruction> ourOut(final MergeResult r)
    {
        return r.ours().get(0).instructions();
    }

    // Instruction shorthands on T[1] (or T[key]).

    static Update set(final String field, final Payload value)
    {
        return new Update(T, K1, field, new Path(), value, false);
    }

    static Update setDefault(final String field, final Payload value)
    {
        return new Update(T, K1, field, new Path(), value, true);
    }

    static Update setAt(final String field, final Path path, final Payload value)
    {
        return new Update(T, K1, field, path, value, false);
    }

    static Update setElement(final long index, final long priorSize, final Payload value)
    {
        return new Update(T, K1, "list", Path.of(index), value, false, priorSize);
    }

    static AddInteger add(final String field, final long addend)
    {
        return new AddInteger(T, K1, field, new Path(), addend);
    }

    static ArrayInsert insert(final long index, final long priorSize, final long value)
    {
        return new ArrayInsert(T, K1, "list", Path.of(index), Payload.ofInt(value), priorSize);
    }

    static ArrayMove move(final long from, final long to, final long priorSize)
    {
        return new ArrayMove(T, K1, "list", Path.of(from), to, priorSize);
    }

    static ArrayErase erase(final long index, final long priorSize)
    {
        return new ArrayErase(T, K1, "list", Path.of(index), priorSize);
    }

    static Clear clearList()
    {
        return new Clear(T, K1, "list", new Path(), Instr.COLLECTION_LIST);
    }

    static Clear clearSet()
    {
        return new Clear(T, K1, "set", new Path(), Instr.COLLECTION_SET);
    }

    static SetInsert setInsert(final long value)
    {
        return new SetInsert(T, K1, "set", new Path(), Payload.ofInt(value));
    }

    static SetErase setErase(final long value)
    {
        return new SetErase(T, K1, "set", new Path(), Payload.ofInt(value));
    }

    static CreateObject create(final PrimaryKey key)
    {
        return new CreateObject(T, key);
    }

    static EraseObject eraseObject(final PrimaryKey key)
    {
        return new EraseObject(T, key);
    }

    static AddColumn column(final String field, final int type)
    {
        return new AddColumn(T, field, type, false);
    }
}
