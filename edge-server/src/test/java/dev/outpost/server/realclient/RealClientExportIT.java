package dev.outpost.server.realclient;

import dev.outpost.ot.state.TableType;
import dev.outpost.server.config.ServerConfig;
import dev.outpost.server.inspect.StoreInspector;
import dev.outpost.server.runtime.SyncServer;
import dev.outpost.server.sync.SyncService;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * MongoDB's own client (realm-core 14.12.0, one forked JVM per client) against a server started from an App
 * Services export ({@code src/test/resources/appservices-export/ingest}: flexible sync, development mode off, the
 * schema of Item and of the asymmetric class Event, email/password and anonymous users): email users register, log
 * in and sync Items (FLX TRUEPREDICATE); asymmetric Events reach the server's store; a PBS client gets the wrong
 * sync type error; a class the schema lacks is refused.
 */
@Timeout(300)
class RealClientExportIT
{
    private static final String APP = "ingest-abcde";

    @TempDir
    Path dir;

    private SyncServer server;

    @BeforeEach
    void start() throws Exception
    {
        final Path export = Path.of(getClass().getResource("/appservices-export/ingest").toURI());
        server = SyncServer.start(new ServerConfig(null, Map.of("OUTPOST_APP_CONFIG", export.toString()))
            .host("127.0.0.1").port(0).dataDir(dir.resolve("server")).eventLoops(2).conclude());
    }

    @AfterEach
    void stop()
    {
        if (null != server)
        {
            server.close();
            server = null;
        }
    }

    private RealClientProcess.Result run(final String clientDir, final String scenario,
        final Map<String, String> params) throws Exception
    {
        return RealClientProcess.run(server.port(), APP, dir.resolve(clientDir), scenario, params,
            Duration.ofSeconds(120));
    }

    private JsonObject ok(final String clientDir, final String scenario, final Map<String, String> params)
        throws Exception
    {
        final RealClientProcess.Result run = run(clientDir, scenario, params);
        final JsonObject json = run.json();
        assertThat(json).as("result line of %s; log tail:\n%s", scenario, run.logTail()).isNotNull();
        assertThat(run.exitCode()).as("exit of %s; result %s; log tail:\n%s", scenario, json, run.logTail())
            .isZero();
        return json;
    }

    @Test
    void shouldSyncEmailUsersOfTheExportAndStoreAsymmetricObjects() throws Exception
    {
        final JsonObject ann = ok("client-a", "export-flx", Map.of("login", "email", "register", "true",
            "email", "ann@example.com", "password", "s3cret-pw", "count", "3", "prefix", "ann", "events", "4"));
        assertThat(ann.getLong("w_items")).isEqualTo(3);
        assertThat(ann.getLong("r_items")).as("the second client file of the user receives the Items").isEqualTo(3);
        assertThat(ann.getInteger("sync_errors")).as("the client's schema agrees with the export's").isZero();

        final JsonObject bob = ok("client-b", "export-flx", Map.of("login", "email", "register", "true",
            "email", "bob@example.com", "password", "s3cret-pw", "count", "1", "prefix", "bob"));
        assertThat(bob.getString("user_id")).isNotEqualTo(ann.getString("user_id"));
        assertThat(bob.getLong("r_items")).as("Items of both users (TRUEPREDICATE)").isEqualTo(4);
        assertThat(bob.getInteger("sync_errors")).isZero();

        server.close();
        server = null;
        try (StoreInspector inspector = StoreInspector.open(dir.resolve("server")))
        {
            final StoreInspector.ObjectsInfo objects = inspector.objects(SyncService.flxFileName(APP));
            assertThat(objects.state().table("Item").objects()).hasSize(4);
            assertThat(objects.state().table("Event").type()).isEqualTo(TableType.TOP_LEVEL_ASYMMETRIC);
            assertThat(objects.state().table("Event").objects()).as("the Events reached the server").hasSize(4);
            assertThat(StoreInspector.objectsText(objects, "Event")).contains("event-0").contains("event-3");
        }
    }

    @Test
    void shouldReportWrongSyncTypeToAPartitionBasedClient() throws Exception
    {
        final JsonObject pbs = ok("client-pbs", "await-sync-error", Map.of("partition", "\"p\""));
        assertThat(pbs.getString("error_code")).as("%s", pbs).isEqualTo("RLM_ERR_WRONG_SYNC_TYPE");
        assertThat(pbs.getBoolean("fatal")).isTrue();
        assertThat(pbs.getBoolean("client_reset_requested")).isFalse();
        assertThat(pbs.getString("error_message")).contains("flexible sync");
        assertThat(pbs.getInteger("count")).isZero();
        assertThat(server.sync().serverFiles()).as("no partition was created").isZero();
    }

    @Test
    void shouldRefuseAClassTheSchemaLacksWithDevelopmentModeOff() throws Exception
    {
        final JsonObject refused = ok("client-note", "flx-sync-error", Map.of("extra", "note"));
        assertThat(refused.getString("error_code")).as("%s", refused).isEqualTo("RLM_ERR_INVALID_SCHEMA_CHANGE");
        assertThat(refused.getBoolean("fatal")).isTrue();
        assertThat(refused.getString("error_message")).contains("class 'Note' is not in the schema");
        assertThat(refused.getBoolean("client_reset_requested")).isFalse();
        server.close();
        server = null;
        try (StoreInspector inspector = StoreInspector.open(dir.resolve("server")))
        {
            final var files = inspector.files();
            if (!files.isEmpty())
            {
                assertThat(inspector.objects(SyncService.flxFileName(APP)).state().table("Note"))
                    .as("nothing of the refused upload is stored").isNull();
            }
        }
    }
}
