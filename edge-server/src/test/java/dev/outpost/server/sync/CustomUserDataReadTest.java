package dev.outpost.server.sync;

import dev.outpost.codec.changeset.Instr;
import dev.outpost.ot.state.ApplyResult;
import dev.outpost.ot.state.ChangesetApplier;
import dev.outpost.ot.state.ChangesetBuilder;
import dev.outpost.ot.state.ObjectState;
import dev.outpost.ot.state.TableData;
import dev.outpost.ot.state.Value;
import org.junit.jupiter.api.Test;

import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;

/** Which object of the custom user data class is a user's: its user id field as a string, or as an ObjectId. */
class CustomUserDataReadTest
{
    private static final Object[] NO_PATH = new Object[0];

    private static void object(final ChangesetBuilder b, final long key, final int type, final Value userId)
    {
        b.createObject("User", new Value.Int(key));
        b.update("User", new Value.Int(key), type == Instr.TYPE_STRING ? "userId" : "userOid", NO_PATH, type, userId,
            false, -1);
    }

    @Test
    void shouldFindTheObjectWhoseUserIdFieldHoldsTheUsersId()
    {
        final ChangesetBuilder b = new ChangesetBuilder();
        b.addTable("User", Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_INT, false);
        b.addColumn("User", "userId", Instr.TYPE_STRING, true, Instr.COLLECTION_SINGLE, null, 0);
        b.addColumn("User", "userOid", Instr.TYPE_OBJECT_ID, true, Instr.COLLECTION_SINGLE, null, 0);
        b.createObject("User", new Value.Int(1));
        object(b, 2, Instr.TYPE_STRING, new Value.Str("64b000000000000000000009"));
        object(b, 3, Instr.TYPE_STRING, new Value.Str("64b000000000000000000001"));
        object(b, 4, Instr.TYPE_OBJECT_ID, new Value.ObjectIdValue(HexFormat.of().parseHex("64b000000000000000000002")));
        final ObjectState state = new ObjectState();
        final ApplyResult r = new ChangesetApplier(state).apply(b.changeset());
        assertThat(r.ok()).as(r.message()).isTrue();
        final TableData t = state.table("User");

        assertThat(CustomUserDataRead.find(t, "userId", "64b000000000000000000001").get("_id"))
            .isEqualTo(new Value.Int(3));
        assertThat(CustomUserDataRead.find(t, "userOid", "64b000000000000000000002").get("_id"))
            .as("an ObjectId of the same hex digits").isEqualTo(new Value.Int(4));
        assertThat(CustomUserDataRead.find(t, "userId", "64b000000000000000000002")).isNull();
        assertThat(CustomUserDataRead.find(t, "userId", "64b000000000000000000003")).isNull();
        assertThat(CustomUserDataRead.find(t, "other", "64b000000000000000000001")).isNull();
    }
}
