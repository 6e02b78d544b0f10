package dev.outpost.server.sync.flx;

import dev.outpost.codec.changeset.Instr;
import dev.outpost.ot.model.Changeset;
import dev.outpost.ot.query.StateObjectView;
import dev.outpost.ot.state.ApplyResult;
import dev.outpost.ot.state.ChangesetApplier;
import dev.outpost.ot.state.ChangesetBuilder;
import dev.outpost.ot.state.ObjectData;
import dev.outpost.ot.state.ObjectState;
import dev.outpost.ot.state.Snapshot;
import dev.outpost.ot.state.TableData;
import dev.outpost.ot.state.Value;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Views that follow the data: random writes (commands of one or two changesets, as UPLOADs of several changesets)
 * and random per-session queries; after every command, each session's client state (its bootstrap plus every
 * filtered entry, applied in order) equals the brute-force view of the server's state.
 */
class ViewFilterPropertyTest
{
    private static final String[] QUERIES = {
        "owner == 1",
        "owner == 2",
        "status == \"open\"",
        "(owner == 1) OR (status BEGINSWITH \"c\")",
        "owner IN {1, 3} and status != \"closed\"",
        "owner > 1",
        "TRUEPREDICATE",
        "FALSEPREDICATE",
    };

    /** One write: op 0 create/set owner, 1 set status, 2 erase; on object {@code key}. */
    record Op(int op, int key, int value)
    {
    }

    @Provide
    Arbitrary<List<List<List<Op>>>> commands()
    {
        final Arbitrary<Op> op = net.jqwik.api.Combinators.combine(Arbitraries.integers().between(0, 2),
            Arbitraries.integers().between(0, 5), Arbitraries.integers().between(0, 3)).as(Op::new);
        final Arbitrary<List<Op>> changeset = op.list().ofMinSize(1).ofMaxSize(4);
        return changeset.list().ofMinSize(1).ofMaxSize(2).list().ofMinSize(1).ofMaxSize(25);
    }

    @Provide
    Arbitrary<List<Integer>> sessions()
    {
        return Arbitraries.integers().between(0, QUERIES.length - 1).list().ofMinSize(1).ofMaxSize(4);
    }

    @Property(tries = 300)
    void everySessionHoldsExactlyItsView(@ForAll("commands") final List<List<List<Op>>> commands,
        @ForAll("sessions") final List<Integer> queries)
    {
        run(commands, queries);
    }

    @Test
    void shouldSendCreateWithFullStateOnEnterAndEraseOnLeave()
    {
        // object 1 created outside the view, moved in (status kept), moved out, erased
        run(List.of(
            List.of(List.of(new Op(0, 1, 2), new Op(1, 1, 1))),
            List.of(List.of(new Op(0, 1, 1))),
            List.of(List.of(new Op(0, 1, 3)), List.of(new Op(0, 1, 1))),
            List.of(List.of(new Op(0, 1, 2))),
            List.of(List.of(new Op(2, 1, 0)))), List.of(0, 3, 6, 7));
    }

    private static void run(final List<List<List<Op>>> commands, final List<Integer> queries)
    {
        final ObjectState server = new ObjectState();
        apply(server, schema());
        final ViewLog log = new ViewLog();
        final StateObjectView ov = new StateObjectView();
        final List<FlxView> views = new ArrayList<>();
        final List<ObjectState> clients = new ArrayList<>();
        for (final int q : queries)
        {
            final FlxView.Compiled c = FlxView.compile(new FlxQuery(Map.of("Item", QUERIES[q]), null), server,
                null, new TreeMap<>());
            assertThat(c.refusal()).as(QUERIES[q]).isNull();
            log.watch(c.view());
            views.add(c.view());
            final ObjectState client = new ObjectState();
            final ChangesetBuilder b = new ChangesetBuilder();
            Snapshot.emit(server, c.view().classes(), (cls, o) -> c.view().contains(cls, ov.wrap(o)), b);
            apply(client, b.changeset());
            clients.add(client);
        }
        long version = 0;
        for (final List<List<Op>> command : commands)
        {
            final List<Changeset> changesets = new ArrayList<>();
            final ObjectState shadow = server.copy();
            for (final List<Op> ops : command)
            {
                final Changeset cs = changeset(shadow, ops);
                apply(shadow, cs);
                changesets.add(cs);
            }
            final var before = log.before(server, changesets);
            final long[] versions = new long[changesets.size()];
            for (int k = 0; k < changesets.size(); k++)
            {
                apply(server, changesets.get(k));
                versions[k] = ++version;
            }
            log.record(server, before, versions, changesets);
            for (int s = 0; s < views.size(); s++)
            {
                for (int k = 0; k < changesets.size(); k++)
                {
                    final Changeset filtered = ViewFilter.filter(changesets.get(k), views.get(s),
                        log.get(versions[k]), ov);
                    assertThat(filtered).as("annotation held").isNotNull();
                    apply(clients.get(s), filtered);
                }
                assertThat(objects(clients.get(s))).as("session %s (%s) after version %s", s,
                    QUERIES[queries.get(s)], version).isEqualTo(view(server, views.get(s), ov));
            }
        }
    }

    private static Changeset schema()
    {
        final ChangesetBuilder b = new ChangesetBuilder();
        b.addTable("Item", Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_INT, false);
        b.addColumn("Item", "owner", Instr.TYPE_INT, false, Instr.COLLECTION_SINGLE, null, 0);
        b.addColumn("Item", "status", Instr.TYPE_STRING, true, Instr.COLLECTION_SINGLE, null, 0);
        return b.changeset();
    }

    private static final String[] STATUS = {"open", "closed", "cancelled", "late"};

    /** A changeset of valid instructions on {@code state} (objects are created before they are updated). */
    private static Changeset changeset(final ObjectState state, final List<Op> ops)
    {
        final ObjectState s = state.copy();
        final ChangesetBuilder b = new ChangesetBuilder();
        for (final Op op : ops)
        {
            final Value key = new Value.Int(op.key());
            final boolean exists = s.object("Item", key) != null;
            final ChangesetBuilder one = new ChangesetBuilder();
            switch (op.op())
            {
                case 0, 1 ->
                {
                    if (!exists)
                    {
                        one.createObject("Item", key);
                    }
                    if (op.op() == 0)
                    {
                        one.update("Item", key, "owner", new Object[0], Instr.TYPE_INT, new Value.Int(op.value()),
                            false, -1);
                    }
                    else
                    {
                        one.update("Item", key, "status", new Object[0], Instr.TYPE_STRING,
                            new Value.Str(STATUS[op.value()]), false, -1);
                    }
                }
                default ->
                {
                    if (exists)
                    {
                        one.eraseObject("Item", key);
                    }
                }
            }
            apply(s, one.changeset());
            one.changeset().instructions().forEach(b.changeset()::add);
        }
        return b.changeset();
    }

    private static void apply(final ObjectState state, final Changeset cs)
    {
        final ApplyResult r = new ChangesetApplier(state).apply(cs);
        assertThat(r.ok()).as("%s applies: %s", cs, r.message()).isTrue();
    }

    private static Map<Value, ObjectData> objects(final ObjectState state)
    {
        final TableData t = state.table("Item");
        return t == null ? Map.of() : new java.util.HashMap<>(t.objects());
    }

    private static Map<Value, ObjectData> view(final ObjectState server, final FlxView view,
        final StateObjectView ov)
    {
        final Map<Value, ObjectData> out = new java.util.HashMap<>();
        server.table("Item").objects().forEach((k, o) ->
        {
            if (view.contains("Item", ov.wrap(o)))
            {
                out.put(k, o);
            }
        });
        return out;
    }
}
