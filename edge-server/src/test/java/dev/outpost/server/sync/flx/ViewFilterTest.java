package dev.outpost.server.sync.flx;

import dev.outpost.codec.changeset.Instr;
import dev.outpost.ot.model.Changeset;
import dev.outpost.ot.query.StateObjectView;
import dev.outpost.ot.state.ChangesetApplier;
import dev.outpost.ot.state.ChangesetBuilder;
import dev.outpost.ot.state.ObjectState;
import dev.outpost.ot.state.Value;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/** The per-session work of {@link ViewFilter} for sessions that see nothing, part or all of a changeset. */
class ViewFilterTest
{
    private final ObjectState state = new ObjectState();
    private final ViewLog log = new ViewLog();
    private final StateObjectView ov = new StateObjectView();

    @Test
    void shouldNotAllocateAChangesetForASessionThatSeesNothingOfIt()
    {
        seed();
        final FlxView other = view("owner == \"u2\"");
        final Changeset change = update(7);
        final ViewLog.Entry e = record(change, 2);

        final Changeset first = ViewFilter.filter(change, other, e, ov);
        final Changeset second = ViewFilter.filter(change, other, e, ov);

        assertThat(first).isNotNull();
        assertThat(first.isEmpty()).isTrue();
        assertThat(second).as("one shared empty result, no changeset per non-matching session").isSameAs(first);
        assertThat(first).isSameAs(ViewFilter.NOTHING);
        assertThat(ViewFilter.NOTHING.isEmpty()).isTrue();
    }

    @Test
    void shouldPassTheChangesetItselfToAMatchingSessionAndKeepSchemaInstructionsOfOthers()
    {
        seed();
        final FlxView mine = view("owner == \"u1\"");
        final FlxView other = view("owner == \"u2\"");
        final ChangesetBuilder b = new ChangesetBuilder();
        b.addColumn("Item", "extra", Instr.TYPE_INT, true, Instr.COLLECTION_SINGLE, null, 0);
        b.update("Item", new Value.Int(1), "n", new Object[0], Instr.TYPE_INT, new Value.Int(9), false, -1);
        final Changeset change = b.changeset();
        final ViewLog.Entry e = record(change, 2);

        assertThat(ViewFilter.filter(change, mine, e, ov)).isSameAs(change);
        final Changeset kept = ViewFilter.filter(change, other, e, ov);
        assertThat(kept).isNotSameAs(ViewFilter.NOTHING);
        assertThat(kept.size()).as("the schema instruction passes").isEqualTo(1);
        assertThat(kept.get(0)).isSameAs(change.get(0));
        assertThat(ViewFilter.NOTHING.isEmpty()).isTrue();
    }

    private void seed()
    {
        final ChangesetBuilder b = new ChangesetBuilder();
        b.addTable("Item", Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_INT, false);
        b.addColumn("Item", "owner", Instr.TYPE_STRING, false, Instr.COLLECTION_SINGLE, null, 0);
        b.addColumn("Item", "n", Instr.TYPE_INT, false, Instr.COLLECTION_SINGLE, null, 0);
        final Value k = new Value.Int(1);
        b.createObject("Item", k);
        b.update("Item", k, "owner", new Object[0], Instr.TYPE_STRING, new Value.Str("u1"), false, -1);
        apply(b.changeset());
    }

    private FlxView view(final String query)
    {
        final FlxView v = FlxView.compile(new FlxQuery(Map.of("Item", query), null), state, null, new TreeMap<>())
            .view();
        log.watch(v);
        return v;
    }

    private static Changeset update(final long n)
    {
        final ChangesetBuilder b = new ChangesetBuilder();
        b.update("Item", new Value.Int(1), "n", new Object[0], Instr.TYPE_INT, new Value.Int(n), false, -1);
        return b.changeset();
    }

    private ViewLog.Entry record(final Changeset change, final long version)
    {
        final var before = log.before(state, List.of(change));
        apply(change);
        log.record(state, before, new long[] {version}, List.of(change));
        return log.get(version);
    }

    private void apply(final Changeset cs)
    {
        assertThat(new ChangesetApplier(state).apply(cs).ok()).isTrue();
    }
}
