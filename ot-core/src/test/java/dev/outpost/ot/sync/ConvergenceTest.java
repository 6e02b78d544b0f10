package dev.outpost.ot.sync;

import dev.outpost.ot.state.ChangesetApplier;
import dev.outpost.ot.state.ObjectState;
import dev.outpost.ot.state.Snapshot;
import net.jqwik.api.ForAll;
import org.junit.jupiter.api.Test;
import net.jqwik.api.Property;
import net.jqwik.api.Tag;
import net.jqwik.api.constraints.IntRange;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Convergence of server and clients under random concurrent changes, delivery orders and offline stretches, and
 * determinism of the server history.
 */
class ConvergenceTest
{
    @Property(tries = 300)
    void shouldConvergeAllClientsToTheServerState(
        @ForAll final long seed, @ForAll @IntRange(min = 2, max = 4) final int clients)
    {
        checkConvergence(seed, clients, 60);
    }

    @Property(tries = 50)
    void shouldProduceIdenticalHistoryBytesForTheSameSeed(
        @ForAll final long seed, @ForAll @IntRange(min = 2, max = 4) final int clients)
    {
        final Simulation a = new Simulation(seed, clients);
        a.run(50);
        final Simulation b = new Simulation(seed, clients);
        b.run(50);
        assertThat(a.server.headVersion()).isEqualTo(b.server.headVersion());
        assertThat(a.historyBytes()).isEqualTo(b.historyBytes());
        assertThat(a.server.state().dump()).isEqualTo(b.server.state().dump());
    }

    @Test
    void shouldExerciseMergesThatChangeBothSides()
    {
        int reciprocals = 0;
        int transformed = 0;
        for (long seed = 0; seed < 20; seed++)
        {
            final Simulation sim = new Simulation(seed, 3);
            sim.run(60);
            reciprocals += sim.uploadsWithReciprocals;
            transformed += sim.transformedUploads;
        }
        assertThat(reciprocals).isPositive();
        assertThat(transformed).isPositive();
    }

    @Property(tries = 3000)
    @Tag("soak")
    void soakShouldConvergeAllClientsToTheServerState(
        @ForAll final long seed, @ForAll @IntRange(min = 2, max = 4) final int clients)
    {
        checkConvergence(seed, clients, 200);
    }

    static void checkConvergence(final long seed, final int clients, final int steps)
    {
        final Simulation sim = new Simulation(seed, clients);
        sim.run(steps);
        final String server = sim.server.state().dump();
        for (final ClientIntegrator c : sim.clients)
        {
            assertThat(c.state().dump()).as("client %d vs server (seed %d)\n%s", c.fileIdent(), seed, sim.log)
                .isEqualTo(server);
            assertThat(c.state()).isEqualTo(sim.server.state());
        }
        // The state is derivable from the history alone, and a snapshot recreates it.
        final ObjectState replayed = new ObjectState();
        final ChangesetApplier applier = new ChangesetApplier(replayed);
        for (long v = 1; v <= sim.server.headVersion(); v++)
        {
            assertThat(applier.apply(sim.server.entry(v).changeset()).ok()).isTrue();
        }
        assertThat(replayed).isEqualTo(sim.server.state());
        final ObjectState fromSnapshot = new ObjectState();
        assertThat(new ChangesetApplier(fromSnapshot).apply(Snapshot.of(sim.server.state())).ok()).isTrue();
        assertThat(fromSnapshot.dump()).isEqualTo(server);
    }
}
