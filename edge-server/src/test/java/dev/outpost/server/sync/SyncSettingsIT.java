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

    /** An FLX session {@code session} on a new client file whose IDENT carries {@code query} (version 1). */
    private SyncTestClient flx(final long session, final String query) throws Exception
    {
        final SyncTestClient c = fixture.connect(true);
        c.bind(session, FLX_BIND, true);
        final Msg ident = c.next();
        c.identFlx(session, ident.get(0), ident.get(1), 0, 0, 0, 0, 1, query);
        c.mark(session, 1);
        c.next(MessageType.SERVER_MARK);
        return c;
    }

    private static byte[] itemAndEvents()
    {
        final ChangesetBuilder b = new ChangesetBuilder();
        b.addTable("Item", Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_INT, false);
        b.addColumn("Item", "name", Instr.TYPE_STRING, false, Instr.COLLECTION_SINGLE, null, 0);
        b.addTable("Event", Instr.TABLE_TOP_LEVEL_ASYMMETRIC, "_id", Instr.TYPE_INT, false);
        b.addColumn("Event", "kind", Instr.TYPE_STRING, false, Instr.COLLECTION_SINGLE, null, 0);
        for (long k = 1; k <= 2; k++)
        {
            b.createObject("Event", new dev.outpost.ot.state.Value.Int(k));
            b.update("Event", new dev.outpost.ot.state.Value.Int(k), "kind", new Object[0], Instr.TYPE_STRING,
                new dev.outpost.ot.state.Value.Str("secret-event-" + k), false, -1);
        }
        b.createObject("Item", new dev.outpost.ot.state.Value.Int(7));
        b.update("Item", new dev.outpost.ot.state.Value.Int(7), "name", new Object[0], Instr.TYPE_STRING,
            new dev.outpost.ot.state.Value.Str("item-7"), false, -1);
        return new ChangesetWriter().toBytes(b.changeset());
    }

    private static String text(final Msg download)
    {
        final StringBuilder sb = new StringBuilder();
        download.entries().forEach(e -> sb.append(new String(e.changeset(), java.nio.charset.StandardCharsets.ISO_8859_1)));
        return sb.toString();
    }

    @Test
    void shouldStoreAsymmetricObjectsAndSendThemToNoOtherClient() throws Exception
    {
        final SyncSettings settings = new SyncSettings(SyncSettings.Mode.FLEXIBLE, true, true, List.of(),
            java.util.Map.of(), List.of(), List.of("Event"), 0, false, null, null, java.util.Map.of());
        SyncServer server = start(settings);
        final String file = SyncService.flxFileName(APP);
        final SyncTestClient reader = flx(1, "{\"Item\":\"(TRUEPREDICATE)\"}");
        final SyncTestClient writer = flx(1, "{\"Item\":\"(TRUEPREDICATE)\"}");
        writer.upload(1, 2, 0, 0, false, new Up(2, 0, itemAndEvents()));
        final Msg ack = writer.next(MessageType.DOWNLOAD);
        assertThat(ack.get(4)).as("the upload is acknowledged").isEqualTo(2);
        final long head = server.sync().head(file);

        // steady state: the other subscriber gets the Item, never an Event object
        Msg fan = reader.next(MessageType.DOWNLOAD);
        while (fan.entries().isEmpty())
        {
            fan = reader.next(MessageType.DOWNLOAD);
        }
        assertThat(text(fan)).contains("item-7").doesNotContain("secret-event");

        // a subscription to the asymmetric class is refused (226), the previous set stays
        reader.query(1, 2, "{\"Event\":\"(TRUEPREDICATE)\",\"Item\":\"(TRUEPREDICATE)\"}");
        final Msg refused = reader.next(MessageType.QUERY_ERROR);
        assertThat(refused.get(0)).isEqualTo(226);
        assertThat(refused.text()).contains("Event").contains("asymmetric");

        // a bootstrap (new query version) holds the Item, no Event object
        final SyncTestClient late = flx(1, "{}");
        late.query(1, 2, "{\"Item\":\"(TRUEPREDICATE)\"}");
        final StringBuilder boot = new StringBuilder();
        Msg m;
        do
        {
            m = late.next(MessageType.DOWNLOAD);
            if (m.get(6) == 2)
            {
                boot.append(text(m));
            }
        }
        while (m.get(6) != 2 || m.get(7) != 1); // up to the bootstrap's LastInBatch
        assertThat(boot.toString()).contains("item-7").doesNotContain("secret-event");

        // stored durably: inspect sees them after a restart
        fixture.close();
        try (dev.outpost.server.inspect.StoreInspector inspector =
            dev.outpost.server.inspect.StoreInspector.open(dir.resolve("server")))
        {
            final var objects = inspector.objects(file);
            assertThat(objects.version()).isEqualTo(head);
            assertThat(objects.state().table("Event").objects()).hasSize(2);
            assertThat(objects.state().table("Event").type())
                .isEqualTo(dev.outpost.ot.state.TableType.TOP_LEVEL_ASYMMETRIC);
        }
    }

    @Test
    void shouldRefuseAnAsymmetricClassInPartitionBasedSync() throws Exception
    {
        final SyncServer server = start(null);
        final SyncTestClient c = pbs(1);
        c.upload(1, 2, 0, 0, false, new Up(2, 0, itemAndEvents()));
        final Msg err = c.next();
        assertFatal(err, 1, 212, ErrorBodies.PROTOCOL_VIOLATION);
        assertThat(err.text()).contains("asymmetric classes need flexible sync");
        assertThat(server.sync().head(SyncService.pbsFileName(APP, "\"p\""))).isZero();
    }

    @Test
    void shouldNeverBootstrapAsymmetricObjectsWithoutSettings() throws Exception
    {
        start(null);
        final SyncTestClient writer = flx(1, "{\"Item\":\"(TRUEPREDICATE)\"}");
        writer.upload(1, 2, 0, 0, false, new Up(2, 0, itemAndEvents()));
        assertThat(writer.next(MessageType.DOWNLOAD).get(4)).isEqualTo(2);
        // a raw client (realm's refuses queries on asymmetric tables) subscribing to the asymmetric class
        final SyncTestClient raw = flx(1, "{}");
        raw.query(1, 2, "{\"Event\":\"(TRUEPREDICATE)\",\"Item\":\"(TRUEPREDICATE)\"}");
        final StringBuilder boot = new StringBuilder();
        Msg m;
        do
        {
            m = raw.next(MessageType.DOWNLOAD);
            if (m.get(6) == 2)
            {
                boot.append(text(m));
            }
        }
        while (m.get(6) != 2 || m.get(7) != 1);
        assertThat(boot.toString()).contains("item-7").doesNotContain("secret-event");
    }
}
