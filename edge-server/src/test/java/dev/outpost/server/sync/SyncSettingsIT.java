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

import java.nio.file.Path;

import static dev.outpost.server.sync.SyncTestClient.Msg;
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
}
