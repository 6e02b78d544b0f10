package dev.outpost.server.realclient;

import dev.outpost.server.config.ServerConfig;
import dev.outpost.server.runtime.SyncServer;
import dev.outpost.server.sync.HostileChangesets;
import dev.outpost.server.sync.HostilePeer;
import dev.outpost.server.sync.SyncService;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 17: a raw hostile peer uploads what MongoDB's client (realm-core 14.12.0) cannot hold into a partition, then
 * the real client opens that partition, downloads it, writes and reads its own Items and exits normally. Before the
 * fix the server stored and redistributed the hostile changesets and the client aborted while integrating them.
 */
@Timeout(240)
class RealClientHostileInputIT
{
    private static final String APP = "hostile-rc-app";

    @TempDir
    static Path dir;

    private static SyncServer server;

    @BeforeAll
    static void start() throws Exception
    {
        server = SyncServer.start(new ServerConfig(Map.of()).port(0).host("127.0.0.1")
            .dataDir(dir.resolve("server")).appId(APP).eventLoops(2));
    }

    @AfterAll
    static void stop()
    {
        if (server != null)
        {
            server.close();
        }
    }

    /** The honest client on {@code partition}: asserted to exit normally with everything it wrote read back. */
    private static void survive(final String clientDir, final String partition, final Map<String, String> more)
        throws Exception
    {
        final Map<String, String> params = new java.util.HashMap<>(Map.of("partition", partition, "count", "3",
            "prefix", "honest"));
        params.putAll(more);
        final RealClientProcess.Result run = RealClientProcess.run(server.port(), APP, dir.resolve(clientDir),
            "pbs-survive", params, Duration.ofSeconds(120));
        assertThat(run.exitCode()).as("exit of the honest client (134 = SIGABRT); result %s; log tail:\n%s",
            run.json(), run.logTail()).isZero();
        final JsonObject json = run.json();
        assertThat(json).isNotNull();
        assertThat(json.getValue("download_error")).isNull();
        assertThat(json.getValue("upload_error")).isNull();
        assertThat(json.getValue("sync_error")).as("sync error seen by the client").isNull();
        assertThat(json.getInteger("count")).isEqualTo(3);
        assertThat(json.getJsonArray("items").encode()).contains("name=honest-0", "name=honest-1", "name=honest-2");
    }

    private static boolean holds(final Path file, final byte[] needle)
    {
        try
        {
            final byte[] bytes = Files.readAllBytes(file);
            for (int i = 0; i + needle.length <= bytes.length; i++)
            {
                if (Arrays.equals(bytes, i, i + needle.length, needle, 0, needle.length))
                {
                    return true;
                }
            }
            return false;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    @Test
    void shouldRefuseAStringThatIsNotUtf8AndLeaveTheHonestClientUnaffected() throws Exception
    {
        final String partition = "\"poison-utf8\"";
        final HostilePeer.Answer answer = HostilePeer.upload(server.port(), APP, partition,
            HostileChangesets.invalidUtf8Name());

        survive("client-utf8", partition, Map.of());
        assertThat(answer.errorCode()).as(answer.message()).isEqualTo(212);
        assertThat(answer.message()).contains("string value in Item.name is not valid UTF-8");
        assertThat(server.sync().objectStateDump(SyncService.pbsFileName(APP, partition)))
            .doesNotContain("65070707070707070707070707070707").contains("honest-0");
    }

    @Test
    void shouldRefuseA64ByteColumnAndAcceptAClassNameAtRealmsLimit() throws Exception
    {
        final String partition = "\"poison-names\"";
        final String className = "C".repeat(57);
        final HostilePeer.Answer column = HostilePeer.upload(server.port(), APP, partition,
            HostileChangesets.longColumn(64));
        final HostilePeer.Answer atLimit = HostilePeer.upload(server.port(), APP, partition,
            HostileChangesets.longClass(57));

        survive("client-names", partition, Map.of());
        assertThat(column.errorCode()).as(column.message()).isEqualTo(212);
        assertThat(column.message()).contains("column name of 64 bytes is longer than 63");
        assertThat(atLimit.errorCode()).as("a 57-byte class name is accepted: %s", atLimit.message()).isZero();
        // the client stored it as table class_CCC... (63 bytes): its realm file holds that name
        final byte[] table = ("class_" + className).getBytes(StandardCharsets.US_ASCII);
        try (Stream<Path> files = Files.walk(dir.resolve("client-names")))
        {
            assertThat(files.filter(p -> p.toString().endsWith(".realm")).anyMatch(p -> holds(p, table)))
                .as("a realm file of the client holds table %s", new String(table, StandardCharsets.US_ASCII))
                .isTrue();
        }
    }
}
