package dev.outpost.server.sync.flx;

import dev.outpost.codec.changeset.Instr;
import dev.outpost.ot.model.Changeset;
import dev.outpost.ot.model.EraseObject;
import dev.outpost.ot.model.PrimaryKey;
import dev.outpost.ot.state.ChangesetApplier;
import dev.outpost.ot.state.ChangesetBuilder;
import dev.outpost.ot.state.ObjectState;
import dev.outpost.ot.state.Value;
import dev.outpost.server.sync.writer.ServerIntegratorIdent;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class CompensatingWritesTest
{
    @Test
    void shouldEncodeStandalonePrimaryKeysAsRealmParsesThem()
    {
        // type tag, then the value; strings inline with their length (parse_base64_encoded_primary_key)
        assertThat(decode(CompensatingWrites.base64Key(PrimaryKey.ofInt(1)))).containsExactly(0x01, 0x01);
        assertThat(decode(CompensatingWrites.base64Key(PrimaryKey.ofInt(-1)))).containsExactly(0x01, 0x40);
        assertThat(decode(CompensatingWrites.base64Key(PrimaryKey.ofInt(100)))).containsExactly(0x01, 0xE4, 0x00);
        assertThat(decode(CompensatingWrites.base64Key(PrimaryKey.ofString("ab")))).containsExactly(0x03, 0x02,
            'a', 'b');
        assertThat(decode(CompensatingWrites.base64Key(PrimaryKey.ofNull()))).containsExactly(0x00);
        final byte[] oid = new byte[12];
        oid[0] = 0x65;
        oid[11] = 0x7f;
        final int[] enc = decode(CompensatingWrites.base64Key(PrimaryKey.ofObjectId(oid)));
        assertThat(enc).hasSize(13);
        assertThat(enc[0]).isEqualTo(10);
        assertThat(enc[1]).isEqualTo(0x65);
        assertThat(enc[12]).isEqualTo(0x7f);
        assertThat(decode(CompensatingWrites.base64Key(PrimaryKey.ofUuid(new byte[16])))).hasSize(17)
            .startsWith(11);
        assertThat(CompensatingWrites.base64Key(PrimaryKey.ofGlobalKey(1, 2))).as("unreachable for realm").isNull();
    }

    @Test
    void shouldTrimObjectInstructionsOutsideTheSubscriptionButKeepSchemaAndAsymmetricClasses()
    {
        final ObjectState state = new ObjectState();
        final ChangesetBuilder s = new ChangesetBuilder();
        s.addTable("Log", Instr.TABLE_TOP_LEVEL_ASYMMETRIC, "_id", Instr.TYPE_INT, false);
        assertThat(new ChangesetApplier(state).apply(s.changeset()).ok()).isTrue();

        final ChangesetBuilder b = new ChangesetBuilder();
        b.addTable("Item", Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_INT, false);
        b.addTable("Other", Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_STRING, false);
        b.createObject("Item", new Value.Int(1));
        b.createObject("Other", new Value.Str("x"));
        b.eraseObject("Other", new Value.Str("y"));
        b.createObject("Other", new Value.Str("x"));
        b.createObject("Log", new Value.Int(7));
        final Changeset cs = b.changeset();
        final List<CompensatingWrites.Rejected> rejected = new ArrayList<>();
        final Changeset kept = CompensatingWrites.trim(cs, Set.of("Item"), state, rejected);
        assertThat(kept.instructions()).extracting(i -> i.name() + " " + i.table()).containsExactly(
            "AddTable Item", "AddTable Other", "CreateObject Item", "CreateObject Log");
        assertThat(rejected).containsExactly(new CompensatingWrites.Rejected("Other", PrimaryKey.ofString("x")),
            new CompensatingWrites.Rejected("Other", PrimaryKey.ofString("y")));
        assertThat(CompensatingWrites.revert(rejected).instructions()).containsExactly(
            new EraseObject("Other", PrimaryKey.ofString("x")), new EraseObject("Other", PrimaryKey.ofString("y")));

        final List<CompensatingWrites.Rejected> none = new ArrayList<>();
        assertThat(CompensatingWrites.trim(cs, Set.of("Item", "Other"), state, none)).isSameAs(cs);
        assertThat(none).isEmpty();
    }

    @Test
    void shouldMarkRevertEntriesForOneClientOnly()
    {
        assertThat(CompensatingWrites.targetOf(ServerIntegratorIdent.SERVER, CompensatingWrites.marker(7)))
            .isEqualTo(7);
        assertThat(CompensatingWrites.targetOf(ServerIntegratorIdent.SERVER, 0)).isZero();
        assertThat(CompensatingWrites.targetOf(7, 3)).isZero();
    }

    @Test
    void shouldWriteTheErrorBodyRealmRequiresFor231()
    {
        final JsonObject body = new JsonObject(CompensatingWrites.errorBody(List.of(
            new CompensatingWrites.Rejected("Ot\"her", PrimaryKey.ofInt(2)),
            new CompensatingWrites.Rejected("G", PrimaryKey.ofGlobalKey(1, 1))), 4, 9));
        assertThat(body.fieldNames()).contains("action", "tryAgain", "isRecoveryModeDisabled", "shouldClientReset",
            "logURL", "message", "rejectedUpdates", "rejectedClientVersion", "compensatingWriteServerVersion");
        assertThat(body.getString("action")).isEqualTo("Warning");
        assertThat(body.getBoolean("tryAgain")).as("false would make the session fatal").isTrue();
        assertThat(body.getLong("rejectedClientVersion")).isEqualTo(4);
        assertThat(body.getLong("compensatingWriteServerVersion")).isEqualTo(9);
        assertThat(body.getJsonArray("rejectedUpdates")).hasSize(1);
        assertThat(body.getJsonArray("rejectedUpdates").getJsonObject(0).getString("table")).isEqualTo("Ot\"her");
    }

    @Test
    void shouldGiveAtlasRoleReasonForForbiddenObjectsAndTheQueryViewReasonForOthers()
    {
        final byte[] oid = new byte[12];
        final byte[] uuid = new byte[16];
        for (int i = 0; i < uuid.length; i++)
        {
            uuid[i] = (byte)(0xf0 + i);
            if (i < 12)
            {
                oid[i] = (byte)(0x0a + i);
            }
        }
        final CompensatingWrites.Rejected byOid = new CompensatingWrites.Rejected("Item", PrimaryKey.ofObjectId(oid));
        final CompensatingWrites.Rejected byUuid = new CompensatingWrites.Rejected("Item", PrimaryKey.ofUuid(uuid));
        final CompensatingWrites.Rejected byInt = new CompensatingWrites.Rejected("Item", PrimaryKey.ofInt(-7));
        final CompensatingWrites.Rejected byString = new CompensatingWrites.Rejected("Item", PrimaryKey.ofString("k"));
        final CompensatingWrites.Rejected inView = new CompensatingWrites.Rejected("Item", PrimaryKey.ofInt(8));
        final JsonObject body = new JsonObject(CompensatingWrites.errorBody(List.of(byOid, byUuid, byInt, byString,
            inView), Set.of(byOid, byUuid, byInt, byString), 4, 9));
        final var updates = body.getJsonArray("rejectedUpdates");
        assertThat(updates.getJsonObject(0).getString("reason"))
            .isEqualTo("write to ObjectID(\"0a0b0c0d0e0f101112131415\") in table \"Item\" not allowed");
        assertThat(updates.getJsonObject(1).getString("reason"))
            .isEqualTo("write to UUID(\"f0f1f2f3-f4f5-f6f7-f8f9-fafbfcfdfeff\") in table \"Item\" not allowed");
        assertThat(updates.getJsonObject(2).getString("reason")).isEqualTo("write to -7 in table \"Item\" not allowed");
        assertThat(updates.getJsonObject(3).getString("reason"))
            .isEqualTo("write to \"k\" in table \"Item\" not allowed");
        assertThat(updates.getJsonObject(4).getString("reason")).endsWith("object is outside of the current query view");
    }

    private static int[] decode(final String base64)
    {
        final byte[] b = Base64.getDecoder().decode(base64);
        final int[] out = new int[b.length];
        for (int i = 0; i < b.length; i++)
        {
            out[i] = b[i] & 0xff;
        }
        return out;
    }
}
