package dev.outpost.server.sync.flx;

import dev.outpost.ot.model.Changeset;
import dev.outpost.ot.model.ChangesetReader;
import dev.outpost.ot.model.ChangesetWriter;
import dev.outpost.ot.model.CreateObject;
import dev.outpost.ot.state.ChangesetApplier;
import dev.outpost.ot.state.ObjectState;
import dev.outpost.server.sync.Changesets;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class BootstrapSplitterTest
{
    @Test
    void shouldKeepSmallSnapshotsWhole() throws Exception
    {
        final Changeset c = new ChangesetReader().read(Changesets.objects("Item", 1, 3, "n"));
        assertThat(BootstrapSplitter.split(c, new ChangesetWriter(), 1 << 20)).containsExactly(c);
    }

    @Test
    void shouldCutLargeSnapshotsBeforeObjectsIntoPartsThatRebuildTheSameState() throws Exception
    {
        final Changeset c = new ChangesetReader().read(Changesets.randomObjects("Item", 1, 500, 100));
        final ChangesetWriter writer = new ChangesetWriter();
        final List<Changeset> parts = BootstrapSplitter.split(c, writer, 8 * 1024);
        assertThat(parts.size()).isGreaterThan(4);
        final ObjectState whole = new ObjectState();
        assertThat(new ChangesetApplier(whole).apply(c).ok()).isTrue();
        final ObjectState pieced = new ObjectState();
        final ChangesetApplier applier = new ChangesetApplier(pieced);
        for (int i = 0; i < parts.size(); i++)
        {
            final Changeset p = parts.get(i);
            if (i > 0)
            {
                assertThat(p.get(0)).isInstanceOf(CreateObject.class);
            }
            assertThat(writer.toBytes(p).length).isLessThan(3 * 8 * 1024);
            assertThat(applier.apply(p).ok()).isTrue();
        }
        assertThat(pieced).isEqualTo(whole);
    }
}
