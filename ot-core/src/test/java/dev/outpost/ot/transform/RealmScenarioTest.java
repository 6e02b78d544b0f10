package dev.outpost.ot.transform;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.outpost.codec.changeset.Instr;
import dev.outpost.ot.model.ArrayInsert;
import dev.outpost.ot.model.Changeset;
import dev.outpost.ot.model.Clear;
import dev.outpost.ot.model.CreateObject;
import dev.outpost.ot.model.EraseObject;
import dev.outpost.ot.model.Instruction;
import dev.outpost.ot.model.Path;
import dev.outpost.ot.model.Payload;
import dev.outpost.ot.model.PrimaryKey;
import dev.outpost.ot.model.Update;

/**
 * Scenarios of realm-core's test_transform.cpp replayed between two peers (ident 1 and 2), each merging the
 * other's changeset with its own; both must end in the state realm's test expects.
 */
class RealmScenarioTest
{
    private static final String T = Workload.TABLE;
    private static final PrimaryKey K = PrimaryKey.ofInt(123);

    private static Changeset changeset(final long timestamp, final long ident, final Instruction... instructions)
    {
        final Changeset c = new Changeset(1, 0, timestamp, ident);
        for (final Instruction i : instructions)
        {
            c.add(i);
        }
        return c;
    }

    /** @return the converged state after peer 1 and peer 2 exchange {@code one} and {@code two}. */
    private static MiniState exchange(final MiniState base, final Changeset one, final Changeset two)
    {
        final MiniState peer1 = base.copy();
        final MiniState peer2 = base.copy();
        peer1.apply(one);
        peer2.apply(two);
        final MergeResult at1 = new Transformer(1).merge(List.of(two), List.of(one));
        final MergeResult at2 = new Transformer(2).merge(List.of(one), List.of(two));
        assertThat(at1.isSuccess()).as(at1.message()).isTrue();
        assertThat(at2.isSuccess()).as(at2.message()).isTrue();
        at1.theirs().forEach(peer1::apply);
        at2.theirs().forEach(peer2::apply);
        assertThat(peer1).isEqualTo(peer2);
        return peer1;
    }

    private static Update set(final String field, final Payload value, final boolean isDefault)
    {
        return new Update(T, K, field, new Path(), value, isDefault);
    }

    @Test
    void shouldKeepTheLaterClearAndItsInsertsLikeArrayClearVsArrayClearTimestampBased()
    {
        final MiniState base = new MiniState();
        base.objects.put(123L, MiniState.newObject());
        @SuppressWarnings("unchecked") final List<Long> list = (List<Long>)base.objects.get(123L).get("list");
        list.add(1L);
        list.add(2L);
        final Clear clear = new Clear(T, K, "list", new Path(), Instr.COLLECTION_LIST);
        final Changeset one = changeset(10, 1, clear, new ArrayInsert(T, K, "list", Path.of(0), Payload.ofInt(3), 0),
            new ArrayInsert(T, K, "list", Path.of(1), Payload.ofInt(4), 1));
        final Changeset two = changeset(11, 2, clear.copy(), new ArrayInsert(T, K, "list", Path.of(0), Payload.ofInt(5), 0),
            new ArrayInsert(T, K, "list", Path.of(1), Payload.ofInt(6), 1));

        final MiniState end = exchange(base, one, two);

        assertThat(end.objects.get(123L).get("list")).isEqualTo(List.of(5L, 6L));
    }

    @Test
    void shouldPreserveTheLaterCreationLikeCreateEraseCreateSequencePreservesObject()
    {
        final MiniState base = new MiniState();
        base.objects.put(123L, MiniState.newObject());
        base.objects.get(123L).put("int", 0L);
        final Changeset one = changeset(10, 1, new EraseObject(T, K), new CreateObject(T, K), set("int", Payload.ofInt(1), false),
            new EraseObject(T, K), new CreateObject(T, K), set("int", Payload.ofInt(11), false));
        final Changeset two = changeset(11, 2, new EraseObject(T, K), new CreateObject(T, K), set("int", Payload.ofInt(2), false));

        final MiniState end = exchange(base, one, two);

        assertThat(end.objects).containsOnlyKeys(123L);
        assertThat(end.objects.get(123L).get("int")).isEqualTo(2L);
    }

    @Test
    void shouldLetCreateSetEraseBeatALaterCreateLikeRsync143()
    {
        final Changeset one = changeset(10, 1, new CreateObject(T, K), set("int", Payload.ofInt(500), false),
            new EraseObject(T, K));
        final Changeset two = changeset(11, 2, new CreateObject(T, K));

        assertThat(exchange(new MiniState(), one, two).objects).isEmpty();
    }

    @Test
    void shouldLetTheLaterDefaultsWinLikeSetNullDefaultVsSetDefault()
    {
        final Changeset one = changeset(1, 1, new CreateObject(T, PrimaryKey.ofInt(1)),
            new Update(T, PrimaryKey.ofInt(1), "mixed", new Path(), Payload.ofNull(), true),
            new Update(T, PrimaryKey.ofInt(1), "int", new Path(), Payload.ofInt(42), true));
        final Changeset two = changeset(2, 2, new CreateObject(T, PrimaryKey.ofInt(1)),
            new Update(T, PrimaryKey.ofInt(1), "mixed", new Path(), Payload.ofInt(-6), true),
            new Update(T, PrimaryKey.ofInt(1), "int", new Path(), Payload.ofInt(6), true));

        final MiniState end = exchange(new MiniState(), one, two);

        assertThat(end.objects.get(1L)).containsEntry("mixed", -6L).containsEntry("int", 6L);
    }

    @Test
    void shouldLetTheLaterUpdateBeatAnEarlierClearLikeClearArrayVsUpdateInt()
    {
        final Changeset one = changeset(1, 1, new Clear(T, K, "any", new Path(), Instr.COLLECTION_LIST));
        final Changeset two = changeset(2, 2, set("any", Payload.ofInt(42), false));
        final MergeResult at1 = new Transformer(1).merge(List.of(two), List.of(one));
        assertThat(at1.theirs().get(0).instructions()).containsExactly(set("any", Payload.ofInt(42), false));
        assertThat(at1.ours().get(0).instructions()).isEmpty();
    }
}
