package dev.outpost.ot.transform;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import dev.outpost.ot.model.Changeset;

/**
 * Randomised (seeded) check of the OT property on the flat subset: the server (ident 1) applies its own changesets
 * then the transformed upload; the client (ident 2) applies its own then the transformed server changesets, each
 * computed by its own merge. Both must reach the same state, the two merges must agree on every transformed
 * changeset, and the conflict-group index must not change any result.
 */
class ConvergenceTest
{
    private static final int RUNS = 3000;

    @Test
    void shouldConvergeAndAgreeBetweenServerAndClientMerges()
    {
        int conflicting = 0;
        for (int seed = 0; seed < RUNS; seed++)
        {
            final Random random = new Random(seed);
            final int objects = 1 + random.nextInt(3);
            final MiniState base = Workload.baseState(random, objects);
            final MiniState server = base.copy();
            final MiniState client = base.copy();
            final long serverTime = random.nextInt(30);
            final long clientTime = random.nextInt(30);
            final List<Changeset> serverChanges = Workload.changesets(
                random, server, 1 + random.nextInt(3), 1 + random.nextInt(4), objects, serverTime, 1);
            final List<Changeset> upload = Workload.changesets(
                random, client, 1 + random.nextInt(3), 1 + random.nextInt(4), objects, clientTime, 2);

            final MergeResult onServer = new Transformer(1).merge(upload, serverChanges);
            final MergeResult onClient = new Transformer(2).merge(serverChanges, upload);
            final String context = "seed " + seed + "\nserver " + serverChanges + "\nupload " + upload;
            assertThat(onServer.isSuccess()).as("server merge, %s: %s", context, onServer.message()).isTrue();
            assertThat(onClient.isSuccess()).as("client merge, %s: %s", context, onClient.message()).isTrue();

            assertThat(onClient.theirs()).as("client's view of server changesets, %s", context)
                .isEqualTo(onServer.ours());
            assertThat(onClient.ours()).as("client's reciprocal vs server's transformed upload, %s", context)
                .isEqualTo(onServer.theirs());

            onServer.theirs().forEach(server::apply);
            onClient.theirs().forEach(client::apply);
            assertThat(client).as(context).isEqualTo(server);

            final MergeResult everything = new Transformer(1, false).merge(upload, serverChanges);
            assertThat(everything.theirs()).as(context).isEqualTo(onServer.theirs());
            assertThat(everything.ours()).as(context).isEqualTo(onServer.ours());

            if (onServer.anyOursChanged())
            {
                conflicting++;
            }
        }
        assertThat(conflicting).as("runs with real conflicts").isGreaterThan(RUNS / 4);
    }
}
