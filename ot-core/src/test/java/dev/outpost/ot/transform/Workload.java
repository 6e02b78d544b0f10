package dev.outpost.ot.transform;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import dev.outpost.codec.changeset.Instr;
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

/**
 * Seeded generator of changesets valid against a given state: each generated instruction is applied to the
 * generating side's copy of the state, so prior sizes and indices are consistent. Test-only; deterministic per seed.
 */
final class Workload
{
    static final String TABLE = "T";

    private Workload()
    {
    }

    static MiniState baseState(final Random random, final int objects)
    {
        final MiniState s = new MiniState();
        for (long k = 0; k < objects; k++)
        {
            final var o = MiniState.newObject();
            @SuppressWarnings("unchecked") final List<Long> list = (List<Long>)o.get("list");
            for (int i = random.nextInt(4); i > 0; i--)
            {
                list.add((long)random.nextInt(100));
            }
            s.objects.put(k, o);
        }
        return s;
    }

    /** Generates {@code count} changesets on top of {@code state} (which is advanced). */
    static List<Changeset> changesets(
        final Random random, final MiniState state, final int count, final int perChangeset, final int objects,
        final long timestampBase, final long fileIdent)
    {
        final List<Changeset> out = new ArrayList<>();
        for (int c = 0; c < count; c++)
        {
            final Changeset cs = new Changeset(c + 1, 0, timestampBase + c * 10L + random.nextInt(5), fileIdent);
            for (int i = 0; i < perChangeset; i++)
            {
                final Instruction instruction = next(random, state, objects);
                state.apply(instruction);
                cs.add(instruction);
            }
            out.add(cs);
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    static Instruction next(final Random random, final MiniState state, final int objects)
    {
        final long key = random.nextInt(objects + 1);
        final PrimaryKey pk = PrimaryKey.ofInt(key);
        final var o = state.objects.get(key);
        if (o == null)
        {
            return new CreateObject(TABLE, pk);
        }
        final List<Long> list = (List<Long>)o.get("list");
        final int size = list.size();
        switch (random.nextInt(14))
        {
            case 0:
                return random.nextInt(4) == 0 ? new EraseObject(TABLE, pk) : new CreateObject(TABLE, pk);
            case 1:
            case 2:
                return new Update(TABLE, pk, "a", new Path(), Payload.ofInt(random.nextInt(10)), random.nextInt(5) == 0);
            case 3:
                return new Update(TABLE, pk, "n", new Path(), random.nextInt(4) == 0 ? Payload.ofNull() :
                    Payload.ofInt(random.nextInt(10)), false);
            case 4:
                return new AddInteger(TABLE, pk, "n", new Path(), random.nextInt(7) - 3);
            case 5:
            case 6:
                return new ArrayInsert(TABLE, pk, "list", Path.of(random.nextInt(size + 1)),
                    Payload.ofInt(100 + random.nextInt(100)), size);
            case 7:
                if (size > 0)
                {
                    return new ArrayErase(TABLE, pk, "list", Path.of(random.nextInt(size)), size);
                }
                return new ArrayInsert(TABLE, pk, "list", Path.of(0), Payload.ofInt(7), 0);
            case 8:
                if (size > 1)
                {
                    final int from = random.nextInt(size);
                    int to = random.nextInt(size - 1);
                    if (to >= from)
                    {
                        to++;
                    }
                    return new ArrayMove(TABLE, pk, "list", Path.of(from), to, size);
                }
                return new Update(TABLE, pk, "a", new Path(), Payload.ofInt(1), false);
            case 9:
                if (size > 0)
                {
                    return new Update(TABLE, pk, "list", Path.of(random.nextInt(size)),
                        Payload.ofInt(random.nextInt(100)), false, size);
                }
                return new ArrayInsert(TABLE, pk, "list", Path.of(0), Payload.ofInt(8), 0);
            case 10:
                return random.nextInt(3) == 0 ? new Clear(TABLE, pk, "list", new Path(), Instr.COLLECTION_LIST) :
                    new Clear(TABLE, pk, "set", new Path(), Instr.COLLECTION_SET);
            case 11:
            case 12:
                return new SetInsert(TABLE, pk, "set", new Path(), Payload.ofInt(random.nextInt(4)));
            default:
                return new SetErase(TABLE, pk, "set", new Path(), Payload.ofInt(random.nextInt(4)));
        }
    }
}
