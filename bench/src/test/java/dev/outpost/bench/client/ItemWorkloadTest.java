package dev.outpost.bench.client;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import dev.outpost.ot.model.Changeset;
import dev.outpost.ot.sync.ClientIntegrator;

class ItemWorkloadTest
{
    @Test
    void shouldProduceTransactionsThatApplyToTheWritersOwnState()
    {
        for (final boolean objectId : new boolean[] {false, true})
        {
            final ItemWorkload w = new ItemWorkload(objectId, 20, 4, 7);
            final ClientIntegrator c = new ClientIntegrator(2);
            assertThat(c.commitLocal(w.schema(), 1).ok()).isTrue();
            for (int i = 0; i < 2000; i++)
            {
                final Changeset cs = w.transaction(c.state(), 1 + i % 7);
                assertThat(cs.isEmpty()).isFalse();
                assertThat(c.commitLocal(cs, 2 + i).ok()).as("transaction %d: %s", i, cs).isTrue();
            }
            assertThat(c.state().table(ItemWorkload.CLASS).objects()).isNotEmpty();
        }
    }
}
