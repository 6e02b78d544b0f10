package dev.outpost.server.sync;

import dev.outpost.codec.message.MessageType;
import dev.outpost.server.config.SyncSettings;
import dev.outpost.server.runtime.SyncServer;
import dev.outpost.server.sync.wire.ErrorBodies;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.outpost.codec.changeset.Instr;
import dev.outpost.ot.model.ChangesetWriter;
import dev.outpost.ot.state.ChangesetBuilder;
import dev.outpost.server.sync.writer.SchemaCheckTest;

import java.nio.file.Path;
import java.util.List;

import static dev.outpost.server.sync.SyncTestClient.Msg;
import static dev.outpost.server.sync.SyncTestClient.Up;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * An app's sync settings enforced at BIND over the raw protocol: the other mode gets the connection-level switch
 * error (113/114) as Atlas sent it, a disabled app refuses every session, a PBS partition value not of the key's
 * type gets 204; the other connections and sessions are untouched.
 */
@Timeout(60)
class SyncSettingsIT
{
    private static final String APP = "settings-app";
    private static final String FLX_BIND = "{\"schemaVersion\":0,\"sessionReason\":0}";

    @TempDir
    Path dir;

    private final SyncTestServer fixture = new SyncTestServer(APP);

    @AfterEach
    void stop()
    {
        fixture.close();
    }

    private SyncServer start(final SyncSettings settings) throws Exception
    {
        return fixture.start(dir.resolve("server"), c -> c.syncSettings(settings));
    }

    private static void assertFatal(final Msg err, final long session, final int code, final String action)
    {
        assertThat(err.type()).as("%s %s", err, err.text()).isEqualTo(MessageType.SERVER_JSON_ERROR);
        assertThat(err.get(0)).isEqualTo(code);
        assertThat(err.session()).isEqualTo(session);
        final JsonObject body = new JsonObject(err.text());
        assertThat(body.getBoolean("tryAgain")).isFalse();
        assertThat(body.getString("action")).isEqualTo(action);
        assertThat(err.text()).doesNotContain("java.").doesNotContain("Exception");
    }

    @Test
    void shouldRefuseAPbsClientOfAFlexibleAppWithSwitchToFlx() throws Exception
    {
        final SyncServer server = start(SyncSettingsRulesTest.settings(SyncSettings.Mode.FLEXIBLE, true, null));
        final SyncTestClient flx = fixture.connect(true);
        flx.bind(1, FLX_BIND, true);
        assertThat(flx.next().type()).isEqualTo(MessageType.SERVER_IDENT);

        final SyncTestClient pbs = fixture.connect(false);
        pbs.bind(1, "\"p\"", true);
        final Msg err = pbs.next();
        assertFatal(err, 0, 113, ErrorBodies.APPLICATION_BUG);
        assertThat(err.text()).contains("flexible sync");
        pbs.awaitClose(10_000);
        assertThat(server.sync().serverFiles()).as("no partition was created").isEqualTo(1);
        flx.ping(5);
        assertThat(flx.next().type()).as("the FLX connection is untouched").isEqualTo(MessageType.PONG);
    }

    @Test
    void shouldRefuseAnFlxClientOfAPartitionAppWithSwitchToPbs() throws Exception
    {
        final SyncServer server = start(SyncSettingsRulesTest.settings(SyncSettings.Mode.PARTITION, true, "string"));
        final SyncTestClient flx = fixture.connect(true);
        flx.bind(1, FLX_BIND, true);
        final Msg err = flx.next();
        assertFatal(err, 0, 114, ErrorBodies.APPLICATION_BUG);
        assertThat(err.text()).contains("partition-based");
        assertThat(server.sync().serverFiles()).isZero();
        final SyncTestClient pbs = fixture.connect(false);
        pbs.bind(1, "\"p\"", true);
        assertThat(pbs.next().type()).isEqualTo(MessageType.SERVER_IDENT);
    }

    @Test
    void shouldRefuseAPartitionValueOfAnotherTypeWith204() throws Exception
    {
        final SyncServer server = start(SyncSettingsRulesTest.settings(SyncSettings.Mode.PARTITION, true,
            "objectId"));
        final SyncTestClient pbs = fixture.connect(false);
        pbs.bind(1, "\"not-an-oid\"", true);
        final Msg err = pbs.next();
        assertFatal(err, 1, 204, ErrorBodies.PROTOCOL_VIOLATION);
        assertThat(err.text()).contains("ObjectId");
        pbs.unbind(1);
        pbs.bind(2, "{\"$oid\":\"5f1d7f1e2b9c8a3d4e5f6a7b\"}", true);
        assertThat(pbs.next().type()).as("the connection still serves").isEqualTo(MessageType.SERVER_IDENT);
        assertThat(server.sync().serverFiles()).isEqualTo(1);
    }

    @Test
    void shouldRefuseEverySessionOfADisabledApp() throws Exception
    {
        final SyncServer server = start(SyncSettingsRulesTest.settings(SyncSettings.Mode.FLEXIBLE, false, null));
        final SyncTestClient flx = fixture.connect(true);
        flx.bind(1, FLX_BIND, true);
        final Msg err = flx.next();
        assertFatal(err, 1, 213, ErrorBodies.APPLICATION_BUG);
        assertThat(err.text()).contains("disabled");
        assertThat(server.sync().serverFiles()).isZero();
    }

    @Test
    void shouldServeBothModesWithoutSettings() throws Exception
    {
        start(null);
        final SyncTestClient flx = fixture.connect(true);
        flx.bind(1, FLX_BIND, true);
        assertThat(flx.next().type()).isEqualTo(MessageType.SERVER_IDENT);
        final SyncTestClient pbs = fixture.connect(false);
        pbs.bind(1, "not-even-json", true);
        assertThat(pbs.next().type()).isEqualTo(MessageType.SERVER_IDENT);
    }

    /** A bound, identified PBS session {@code session} on a new client file of partition {@code "p"}. */
    private SyncTestClient pbs(final long session) throws Exception
    {
        final SyncTestClient c = fixture.connect(false);
        c.bind(session, "\"p\"", true);
        final Msg ident = c.next();
        assertThat(ident.type()).as("%s %s", ident, ident.text()).isEqualTo(MessageType.SERVER_IDENT);
        c.ident(session, ident.get(0), ident.get(1), 0, 0, 0, 0);
        c.mark(session, 1);
        c.next(MessageType.SERVER_MARK);
        return c;
    }

    private static byte[] items(final boolean withColor)
    {
        final ChangesetBuilder b = new ChangesetBuilder();
        b.addTable("Item", Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_OBJECT_ID, false);
        b.addColumn("Item", "name", Instr.TYPE_STRING, false, Instr.COLLECTION_SINGLE, null, 0);
        if (withColor)
        {
            b.addColumn("Item", "color", Instr.TYPE_STRING, true, Instr.COLLECTION_SINGLE, null, 0);
        }
        b.createObject("Item", new dev.outpost.ot.state.Value.ObjectIdValue(new byte[12]));
        return new ChangesetWriter().toBytes(b.changeset());
    }

    @Test
    void shouldRefuseASchemaChangeTheExportSchemaLacksWithDevelopmentModeOff() throws Exception
    {
        final SyncSettings flexibleSchema = SchemaCheckTest.settings(false, List.of());
        final SyncSettings settings = new SyncSettings(SyncSettings.Mode.PARTITION, true, false, List.of(),
            java.util.Map.of(), List.of(), List.of(), 0, false, "_partition", "string", flexibleSchema.schemas());
        final SyncServer server = start(settings);
        final String file = SyncService.pbsFileName(APP, "\"p\"");

        final SyncTestClient agreeing = pbs(1);
        agreeing.upload(1, 1, 0, 0, false, new Up(1, 0, items(false)));
        final Msg ack = agreeing.next();
        assertThat(ack.type()).as("%s %s", ack, ack.text()).isEqualTo(MessageType.DOWNLOAD);
        final long head = server.sync().head(file);
        assertThat(head).isEqualTo(1);

        final SyncTestClient other = pbs(1);
        other.upload(1, 1, 0, 0, false, new Up(1, 0, items(true)));
        final Msg err = other.next();
        assertFatal(err, 1, 225, ErrorBodies.APPLICATION_BUG);
        assertThat(err.text()).contains("'Item.color' is not in the schema").contains("development mode");
        assertThat(server.sync().head(file)).as("nothing of the refused upload is stored").isEqualTo(head);
        agreeing.ping(9);
        assertThat(agreeing.next().type()).as("the other session is untouched").isEqualTo(MessageType.PONG);
    }

    @Test
    void shouldAcceptAnySchemaChangeInDevelopmentMode() throws Exception
    {
        final SyncSettings dev = SchemaCheckTest.settings(true, List.of());
        final SyncServer server = start(new SyncSettings(SyncSettings.Mode.PARTITION, true, true, List.of(),
            java.util.Map.of(), List.of(), List.of(), 0, false, "_partition", "string", dev.schemas()));
        final SyncTestClient c = pbs(1);
        c.upload(1, 1, 0, 0, false, new Up(1, 0, items(true)));
        assertThat(c.next().type()).isEqualTo(MessageType.DOWNLOAD);
        assertThat(server.sync().head(SyncService.pbsFileName(APP, "\"p\""))).isEqualTo(1);
    }
}
