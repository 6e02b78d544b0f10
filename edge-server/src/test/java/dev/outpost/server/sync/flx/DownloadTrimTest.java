package dev.outpost.server.sync.flx;

import dev.outpost.codec.changeset.Instr;
import dev.outpost.ot.model.Changeset;
import dev.outpost.ot.state.ChangesetBuilder;
import dev.outpost.ot.state.Value;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class DownloadTrimTest
{
    @Test
    void shouldDropObjectInstructionsOutsideTheSubscriptionAndKeepSchema()
    {
        final ChangesetBuilder b = new ChangesetBuilder();
        b.addTable("Item", Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_INT, false);
        b.addTable("Other", Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_STRING, false);
        b.createObject("Item", new Value.Int(1));
        b.createObject("Other", new Value.Str("x"));
        final Changeset cs = b.changeset();

        assertThat(DownloadTrim.trim(cs, Set.of("Item")).instructions()).extracting(i -> i.name() + " " + i.table())
            .containsExactly("AddTable Item", "AddTable Other", "CreateObject Item");
        assertThat(DownloadTrim.trim(cs, Set.of("Item", "Other"))).as("nothing dropped: the same changeset")
            .isSameAs(cs);

        final ChangesetBuilder o = new ChangesetBuilder();
        o.createObject("Other", new Value.Str("y"));
        assertThat(DownloadTrim.trim(o.changeset(), Set.of("Item")).isEmpty()).isTrue();
    }
}
