package dev.outpost.ot.sync;

import dev.outpost.codec.changeset.Instr;
import dev.outpost.ot.model.Changeset;
import dev.outpost.ot.model.ChangesetWriter;
import dev.outpost.ot.state.ChangesetBuilder;
import dev.outpost.ot.state.Value;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The integrator's fast path gives exactly the full merge's results: same history bytes, reciprocals, state and
 * outcomes on random workloads mixing shared and private objects, schema additions, erases and lists.
 */
class FastPathTest
{
    private static final Object[] NO_PATH = new Object[0];

    @Property(tries = 200)
    void shouldGiveByteIdenticalResultsToTheFullMerge(@ForAll final long seed,
        @ForAll @IntRange(min = 2, max = 5) final int clients, @ForAll @IntRange(min = 0, max = 3) final int erasedKept)
    {
        final Simulation fast = new Simulation(seed, clients, new TouchIndex(erasedKept), true);
        final Simulation full = new Simulation(seed, clients, null, true);
        fast.run(80);
        full.run(80);
        assertThat(fast.log.toString()).isEqualTo(full.log.toString());
        assertThat(fast.historyBytes()).isEqualTo(full.historyBytes());
        assertThat(fast.trace.toByteArray()).isEqualTo(full.trace.toByteArray());
        assertThat(fast.server.state().dump()).isEqualTo(full.server.state().dump());
        final ServerIntegrator f = fast.server.integrator();
        final ServerIntegrator r = full.server.integrator();
        assertThat(r.fastPathGroups()).isZero();
        assertThat(f.fastPathGroups() + f.mergedGroups()).isEqualTo(r.mergedGroups());
        for (final ClientIntegrator c : fast.clients)
        {
            assertThat(c.state()).isEqualTo(fast.server.state());
        }
    }

    @Property(tries = 100)
    void shouldGiveTheSameOutcomeAsTheFullMergeWithErasedTablesAndColumns(@ForAll final long seed,
        @ForAll @IntRange(min = 2, max = 4) final int clients)
    {
        final Simulation fast = new Simulation(seed, clients, new TouchIndex(1), true);
        final Simulation full = new Simulation(seed, clients, null, true);
        fast.destructive = true;
        full.destructive = true;
        // realm's rules do not always let such workloads converge (or even apply): the outcome must just be the same
        final String fastOutcome = outcome(fast);
        final String fullOutcome = outcome(full);
        assertThat(fastOutcome).isEqualTo(fullOutcome);
        assertThat(fast.log.toString()).isEqualTo(full.log.toString());
        assertThat(fast.historyBytes()).isEqualTo(full.historyBytes());
        assertThat(fast.trace.toByteArray()).isEqualTo(full.trace.toByteArray());
        assertThat(fast.server.state().dump()).isEqualTo(full.server.state().dump());
    }

    @Test
    void shouldExerciseErasedTablesAndColumnsInTheDestructiveWorkload()
    {
        int erasures = 0;
        int completed = 0;
        long skipped = 0;
        for (long seed = 0; seed < 30; seed++)
        {
            final Simulation sim = new Simulation(seed, 3, new TouchIndex(1), true);
            sim.destructive = true;
            completed += outcome(sim).equals("ok") ? 1 : 0;
            for (long v = 1; v <= sim.server.headVersion(); v++)
            {
                for (final var i : sim.server.entry(v).changeset().instructions())
                {
                    erasures += i.type() == Instr.ERASE_TABLE || i.type() == Instr.ERASE_COLUMN ? 1 : 0;
                }
            }
            skipped += sim.server.integrator().fastPathGroups();
        }
        assertThat(erasures).isPositive();
        assertThat(completed).isPositive();
        assertThat(skipped).isPositive();
    }

    private static String outcome(final Simulation sim)
    {
        try
        {
            sim.run(80);
            return "ok";
        }
        catch (final AssertionError e)
        {
            return e.getMessage();
        }
    }

    @Test
    void shouldSkipMostMergesOfPrivateObjectsAndStillMergeSharedOnes()
    {
        long skipped = 0;
        long merged = 0;
        for (long seed = 0; seed < 30; seed++)
        {
            final Simulation sim = new Simulation(seed, 4, new TouchIndex(), true);
            sim.run(80);
            skipped += sim.server.integrator().fastPathGroups();
            merged += sim.server.integrator().mergedGroups();
        }
        assertThat(skipped).isPositive();
        assertThat(merged).isPositive();
    }

    @Test
    void shouldIntegrateADisjointUploadWithoutMergingAndAConflictingOneByMerging()
    {
        final InMemoryServerFile server = new InMemoryServerFile();
        final long a = server.newClient();
        final long b = server.newClient();
        assertThat(server.upload(a, 1, 0, 0, List.of(new UploadEntry(1, 0, 10, schema()))).ok()).isTrue();
        assertThat(server.upload(b, 1, 1, 1, List.of(new UploadEntry(1, 1, 11, set(1, 5)))).ok()).isTrue();
        // a, based on version 1, writes object 2 (b wrote object 1 at version 2): no merge
        assertThat(server.upload(a, 2, 1, 1, List.of(new UploadEntry(2, 1, 12, set(2, 7)))).ok()).isTrue();
        assertThat(server.integrator().fastPathGroups()).isEqualTo(1);
        assertThat(server.integrator().mergedGroups()).isZero();
        // a, still based on version 1, writes object 1 earlier than b: merged, b's later write wins
        final IntegrationResult r = server.upload(a, 3, 1, 1, List.of(new UploadEntry(3, 1, 5, set(1, 9))));
        assertThat(r.ok()).as(r.message()).isTrue();
        assertThat(server.integrator().mergedGroups()).isEqualTo(1);
        assertThat(server.entry(4).changeset().size()).isEqualTo(1); // the Update lost to b's later one
        assertThat(server.state().object("T", new Value.Int(1)).get("n")).isEqualTo(new Value.Int(5));
    }

    @Test
    void shouldMergeAnUploadAfterAForeignEraseTableEvenOnObjectsItDidNotTouch()
    {
        for (final boolean fastPath : new boolean[] {true, false})
        {
            final InMemoryServerFile server = new InMemoryServerFile(fastPath);
            final long a = server.newClient();
            final long b = server.newClient();
            final Changeset first = schema();
            first.instructions().addAll(set(1, 1).instructions());
            assertThat(server.upload(a, 1, 0, 0, List.of(new UploadEntry(1, 0, 10, first))).ok()).isTrue();
            final ChangesetBuilder erase = new ChangesetBuilder();
            erase.eraseTable("T");
            assertThat(server.upload(b, 1, 1, 1, List.of(new UploadEntry(1, 1, 11, erase.changeset()))).ok())
                .isTrue();
            final Changeset again = schema();
            again.instructions().addAll(set(3, 3).instructions());
            final IntegrationResult r = server.upload(a, 2, 1, 1, List.of(new UploadEntry(2, 1, 12, again)));
            assertThat(r.ok()).isTrue();
            assertThat(server.integrator().fastPathGroups()).isZero();
            assertThat(server.integrator().mergedGroups()).isEqualTo(1);
        }
    }

    @Test
    void shouldMergeAnUploadAfterAForeignEraseColumnOfAColumnItWrites()
    {
        final String[] outcomes = new String[2];
        for (final boolean fastPath : new boolean[] {true, false})
        {
            final InMemoryServerFile server = new InMemoryServerFile(fastPath);
            final long a = server.newClient();
            final long b = server.newClient();
            assertThat(server.upload(a, 1, 0, 0, List.of(new UploadEntry(1, 0, 10, schema()))).ok()).isTrue();
            final ChangesetBuilder erase = new ChangesetBuilder();
            erase.eraseColumn("T", "n");
            assertThat(server.upload(b, 1, 1, 1, List.of(new UploadEntry(1, 1, 11, erase.changeset()))).ok())
                .isTrue();
            // a never saw the erase: its update of n on its own object 2 is discarded by the merge
            final IntegrationResult r = server.upload(a, 2, 1, 1, List.of(new UploadEntry(2, 1, 12, set(2, 3))));
            assertThat(r.ok()).as(r.message()).isTrue();
            assertThat(server.integrator().fastPathGroups()).isZero();
            outcomes[fastPath ? 0 : 1] = server.entry(3).changeset().toString() + server.state().dump();
        }
        assertThat(outcomes[0]).isEqualTo(outcomes[1]);
    }

    @Test
    void shouldCatchUpOnEntriesAppendedOutsideTheIntegrator()
    {
        final InMemoryServerFile server = new InMemoryServerFile();
        final long a = server.newClient();
        assertThat(server.upload(a, 1, 0, 0, List.of(new UploadEntry(1, 0, 10, schema()))).ok()).isTrue();
        // a server-origin change (as a TRANSACT) of object 2, appended directly
        final Changeset serverChange = set(2, 4);
        server.append(new HistoryEntry(0, 0, 20, serverChange));
        new dev.outpost.ot.state.ChangesetApplier(server.state()).apply(serverChange);
        assertThat(server.upload(a, 2, 1, 1, List.of(new UploadEntry(2, 1, 30, set(2, 6)))).ok()).isTrue();
        assertThat(server.integrator().index().head()).isEqualTo(3);
        assertThat(server.integrator().mergedGroups()).isEqualTo(1);
        assertThat(server.integrator().fastPathGroups()).isZero();
        assertThat(new ChangesetWriter().toBytes(server.entry(3).changeset()))
            .isEqualTo(new ChangesetWriter().toBytes(set(2, 6)));
    }

    static Changeset schema()
    {
        final ChangesetBuilder b = new ChangesetBuilder();
        b.addTable("T", Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_INT, false);
        b.addColumn("T", "n", Instr.TYPE_INT, true, Instr.COLLECTION_SINGLE, null, 0);
        b.createObject("T", new Value.Int(1));
        b.createObject("T", new Value.Int(2));
        return b.changeset();
    }

    static Changeset set(final long key, final long n)
    {
        final ChangesetBuilder b = new ChangesetBuilder();
        b.createObject("T", new Value.Int(key));
        b.update("T", new Value.Int(key), "n", NO_PATH, Instr.TYPE_INT, new Value.Int(n), false, -1);
        return b.changeset();
    }
}
