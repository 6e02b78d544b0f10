package dev.outpost.server.realclient;

import dev.outpost.server.config.ServerConfig;
import dev.outpost.server.runtime.SyncServer;
import dev.outpost.server.sync.SyncService;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * MongoDB's own sync client (realm-core 14.12.0, one forked JVM per client) syncing through Outpost's session
 * engine, in-process server on a random port. Scenarios are in {@link SyncScenarios}.
 */
@Timeout(180)
class RealClientSyncIT
{
    private static final String APP = "sync-it-app";

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

    private static JsonObject run(final String clientDir, final String scenario, final Map<String, String> params)
        throws Exception
    {
        final RealClientProcess.Result run = RealClientProcess.run(server.port(), APP, dir.resolve(clientDir),
            scenario, params, Duration.ofSeconds(120));
        final JsonObject json = run.json();
        assertThat(json).as("result line of %s; log tail:\n%s", scenario, run.logTail()).isNotNull();
        assertThat(run.exitCode()).as("exit of %s; result %s; log tail:\n%s", scenario, json, run.logTail())
            .isZero();
        return json;
    }

    @Test
    void shouldSyncAThousandObjectsFromOneClientToAnother() throws Exception
    {
        final JsonObject a = run("client-a", "pbs-write",
            Map.of("partition", "\"p1\"", "count", "1000", "prefix", "obj"));
        assertThat(a.getInteger("count")).isEqualTo(1000);

        final JsonObject b = run("client-b", "pbs-read", Map.of("partition", "\"p1\"", "expect", "1000"));
        assertThat(b.getInteger("count")).isEqualTo(1000);
        final Set<String> expected = new HashSet<>();
        for (int i = 0; i < 1000; i++)
        {
            expected.add("obj-" + i);
        }
        assertThat(new HashSet<>(b.getJsonArray("names").getList())).isEqualTo(expected);
        System.out.println("1000 objects: upload " + a.getLong("upload_ms") + " ms, download " +
            b.getLong("download_ms") + " ms");
    }

    /**
     * A catch-up through one multi-MB DOWNLOAD (~2.4 MB compressed, random names): the server sends it as a
     * fragmented WebSocket message (256 KiB frames), which realm's client reassembles.
     */
    @Test
    void shouldCatchUpThroughAMultiMegabyteDownloadSentInFragments() throws Exception
    {
        final JsonObject a = run("client-big-a", "pbs-write",
            Map.of("partition", "\"big\"", "count", "2000", "prefix", "big", "pad", "2000"));
        assertThat(a.getInteger("count")).isEqualTo(2000);

        final JsonObject b = run("client-big-b", "pbs-read",
            Map.of("partition", "\"big\"", "expect", "2000", "names", "false"));
        assertThat(b.getInteger("count")).isEqualTo(2000);
        assertThat(b.getInteger("shortest_name")).as("every name arrived whole").isGreaterThan(2000);
        System.out.println("2000 objects of ~2 KB: upload " + a.getLong("upload_ms") + " ms, download " +
            b.getLong("download_ms") + " ms");
    }

    @Test
    void shouldConvergeConcurrentUpdatesErasesAndListInsertsWithTheServerState() throws Exception
    {
        final JsonObject r = run("client-c", "converge", Map.of("partition", "\"conv\""));
        final String a = r.getString("a");
        final String b = r.getString("b");
        System.out.println("converged:\n" + a);
        assertThat(a).isEqualTo(b);
        // update vs update of the same field: one side wins everywhere; different fields both survive
        assertThat(a).contains("0000000000000000000000aa name=from-").contains("color=red").contains("size=42");
        // erase vs update: the object is gone on both sides (erase wins)
        assertThat(a).doesNotContain("0000000000000000000000bb");
        // list inserts from both sides: one order containing every element
        final String tags = SyncScenarios.field(a.lines().filter(l -> l.startsWith("0000000000000000000000cc"))
            .findFirst().orElseThrow(), "tags");
        assertThat(tags).contains("a1").contains("a2").contains("b1").contains("b2").contains("base");

        final String state = server.sync().objectStateDump(SyncService.pbsFileName(APP, "\"conv\""));
        System.out.println("server state:\n" + state);
        final String winner = SyncScenarios.field(a.lines().filter(l -> l.startsWith("0000000000000000000000aa"))
            .findFirst().orElseThrow(), "name");
        assertThat(state).contains(winner).contains("red").contains("42").doesNotContain("updated-by-b");
        final String[] order = tags.substring(1, tags.length() - 1).split(",");
        int at = -1;
        for (final String t : order)
        {
            final int next = state.indexOf('"' + t + '"', at + 1);
            assertThat(next).as("server list holds %s after position %d in order %s", t, at, tags)
                .isGreaterThan(at);
            at = next;
        }
    }

    @Test
    void shouldSendAnotherClientsObjectsToAnFlxTruePredicateSubscriber() throws Exception
    {
        final JsonObject r = run("client-f", "flx", Map.of("count", "50", "prefix", "flx"));
        assertThat(r.getInteger("r_before_subscribe")).isZero();
        assertThat(r.getInteger("count")).isEqualTo(50);
        final JsonArray names = r.getJsonArray("names");
        assertThat(names.getList()).contains("flx-0", "flx-49");
        assertThat(r.getInteger("count_after_unsubscribe")).as("objects leave the view").isZero();
        assertThat(r.getInteger("w_count")).as("the writer keeps its objects").isEqualTo(50);
    }
}
