package dev.outpost.server.mirror;

import dev.outpost.codec.changeset.Instr;
import dev.outpost.ot.model.Changeset;
import dev.outpost.ot.model.ChangesetReader;
import dev.outpost.ot.model.Instruction;
import dev.outpost.ot.state.ChangesetApplier;
import dev.outpost.ot.state.ChangesetBuilder;
import dev.outpost.ot.state.ObjectState;
import dev.outpost.ot.state.Value;
import dev.outpost.server.sync.writer.ServerChangesetCommand;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A captured row change against a server file's state: the changeset it makes (only the changed columns of an
 * UPDATE; an EraseObject and CreateObject for a new key), what it skips (an erased object: a second integration
 * after a crash has no effect) and what it refuses with a reason (no class, no key, a wrong value).
 */
class PgInboundChangeTest
{
    private final ObjectState state = new ObjectState();

    PgInboundChangeTest()
    {
        final ChangesetBuilder b = new ChangesetBuilder();
        b.addTable("Task", Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_INT, false);
        b.addColumn("Task", "title", Instr.TYPE_STRING, false, Instr.COLLECTION_SINGLE, null, 0);
        b.addColumn("Task", "oid", Instr.TYPE_OBJECT_ID, true, Instr.COLLECTION_SINGLE, null, 0);
        b.addColumn("Task", "tags", Instr.TYPE_STRING, false, Instr.COLLECTION_LIST, null, 0);
        b.addColumn("Task", "_partition", Instr.TYPE_STRING, true, Instr.COLLECTION_SINGLE, null, 0);
        b.createObject("Task", new Value.Int(1));
        b.update("Task", new Value.Int(1), "title", new Object[0], Instr.TYPE_STRING, new Value.Str("one"), false, -1);
        assertThat(new ChangesetApplier(state).apply(b.changeset()).ok()).isTrue();
    }

    private static Map<String, Object> row(final Object... kv)
    {
        final Map<String, Object> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2)
        {
            m.put((String)kv[i], kv[i + 1]);
        }
        return m;
    }

    private List<String> apply(final PgInboundChange change) throws Exception
    {
        final byte[] bytes = change.build(state);
        if (null == bytes)
        {
            return null;
        }
        final Changeset c = new ChangesetReader().read(bytes);
        assertThat(new ChangesetApplier(state).apply(c).ok()).isTrue();
        return c.instructions().stream().map(Instruction::name).toList();
    }

    @Test
    void shouldSetOnlyTheChangedColumnsOfAnUpdate() throws Exception
    {
        final Map<String, Object> before = row("_id", 1L, "title", "one", "oid", null, "tags", null, "_partition", "p");
        final Map<String, Object> after = row("_id", 1L, "title", "two", "oid", null, "tags", "[\"a\",\"b\"]",
            "_partition", "p2", "sql_only", 5L);
        assertThat(apply(new PgInboundChange("Task", 'U', before, after, Set.of("title", "tags", "sql_only",
            "_partition"), "_partition"))).containsExactlyInAnyOrder("Update", "Clear", "ArrayInsert", "ArrayInsert");
        assertThat(state.object("Task", new Value.Int(1)).get("title")).isEqualTo(new Value.Str("two"));
        assertThat(state.object("Task", new Value.Int(1)).get("_partition")).as("never set from the partition column")
            .isEqualTo(Value.Null.INSTANCE);
    }

    @Test
    void shouldCreateAnInsertedObjectWithEveryColumnAndReplaceOneWhoseKeyChanged() throws Exception
    {
        assertThat(apply(new PgInboundChange("Task", 'I', null, row("_id", 2L, "title", "new", "oid",
            "0102030405060708090a0b0c", "tags", null), Set.of(), null)))
            .containsExactlyInAnyOrder("CreateObject", "Update", "Update", "Clear");
        assertThat(state.object("Task", new Value.Int(2)).get("oid")).isEqualTo(new Value.ObjectIdValue(
            java.util.HexFormat.of().parseHex("0102030405060708090a0b0c")));
        assertThat(apply(new PgInboundChange("Task", 'U', row("_id", 2L, "title", "new"), row("_id", 3L, "title",
            "new"), Set.of("_id"), null))).startsWith("EraseObject", "CreateObject");
        assertThat(state.object("Task", new Value.Int(2))).isNull();
        assertThat(state.object("Task", new Value.Int(3)).get("title")).isEqualTo(new Value.Str("new"));
    }

    @Test
    void shouldHaveNoSecondEffectWhenADeleteIsIntegratedAgain() throws Exception
    {
        final PgInboundChange delete = new PgInboundChange("Task", 'D', row("_id", 1L), null, Set.of(), null);
        assertThat(apply(delete)).containsExactly("EraseObject");
        assertThat(apply(delete)).as("the object is gone: nothing to write").isNull();
        assertThat(apply(new PgInboundChange("Task", 'U', row("_id", 1L), row("_id", 1L, "title", "late"),
            Set.of("title"), null))).as("realm drops writes to an erased object").isNull();
        assertThat(state.object("Task", new Value.Int(1))).isNull();
    }

    @Test
    void shouldRefuseWhatIsNoValidChangesetNamingWhy()
    {
        assertThatThrownBy(() -> apply(new PgInboundChange("Nope", 'I', null, row("_id", 1L), Set.of(), null)))
            .isInstanceOf(ServerChangesetCommand.Refused.class).hasMessageContaining("no class 'Nope'");
        assertThatThrownBy(() -> apply(new PgInboundChange("Task", 'I', null, row("title", "x"), Set.of(), null)))
            .isInstanceOf(ServerChangesetCommand.Refused.class).hasMessageContaining("missing primary key '_id'");
        assertThatThrownBy(() -> apply(new PgInboundChange("Task", 'U', row("_id", 1L), row("_id", 1L, "title",
            null), Set.of("title"), null))).isInstanceOf(ServerChangesetCommand.Refused.class)
            .hasMessageContaining("'title' is required");
        assertThatThrownBy(() -> apply(new PgInboundChange("Task", 'U', row("_id", 1L), row("_id", 1L, "oid",
            "xyz"), Set.of("oid"), null))).isInstanceOf(ServerChangesetCommand.Refused.class)
            .hasMessageContaining("'oid'").hasMessageContaining("ObjectId");
        assertThatThrownBy(() -> apply(new PgInboundChange("Task", 'U', row("_id", 1L), row("_id", 1L, "tags",
            "{\"a\":1}"), Set.of("tags"), null))).isInstanceOf(ServerChangesetCommand.Refused.class)
            .hasMessageContaining("'tags'").hasMessageContaining("JSON array");
        assertThatThrownBy(() -> apply(new PgInboundChange("Task", 'U', row("_id", 1L), row("_id", 1L, "tags",
            "[1]"), Set.of("tags"), null))).isInstanceOf(ServerChangesetCommand.Refused.class)
            .hasMessageContaining("'tags'").hasMessageContaining("a string");
        assertThatThrownBy(() -> apply(new PgInboundChange("Task", 'I', null, row("_id", "one"), Set.of(), null)))
            .isInstanceOf(ServerChangesetCommand.Refused.class).hasMessageContaining("'_id'");
        assertThat(state.object("Task", new Value.Int(1)).get("title")).as("nothing applied")
            .isEqualTo(new Value.Str("one"));
    }
}
