package dev.outpost.server.sync;

import dev.outpost.codec.message.MessageType;
import dev.outpost.server.config.ServerConfig;
import dev.outpost.server.runtime.SyncServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import static dev.outpost.server.sync.SyncTestClient.Msg;
import static dev.outpost.server.sync.SyncTestClient.Up;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The object states kept in memory are bounded (per writer, by count and by estimated bytes): with small limits,
 * touching many server files evicts the least recently used, and uploads to an evicted file (which must be merged
 * against its history) give exactly the results of a server without limits.
 */
@Timeout(90)
class StateEvictionIT
{
    private static final String APP = "evict-app";
    private static final int FILES = 12;

    @TempDir
    Path dir;

    private SyncServer server;
    private final List<SyncTestClient> clients = new ArrayList<>();
    /** State checkpoints the last server stopped had written (its shutdown included). */
    private long lastWritten;

    @AfterEach
    void stop()
    {
        clients.forEach(SyncTestClient::close);
        clients.clear();
        if (server != null)
        {
            final SyncServer s = server;
            server = null;
            s.close();
            lastWritten = s.sync().stateCheckpointsWritten();
        }
    }

    /** Runs the workload. @return the object state dump of every file, and the server's eviction count. */
    private Map<String, String> run(final String name, final UnaryOperator<ServerConfig> limits,
        final int objectsPerFile, final long[] evictions) throws Exception
    {
        return run(name, limits, objectsPerFile, evictions, new long[2]);
    }

    /** @param checkpoints set to the state checkpoints written and loaded. */
    private Map<String, String> run(final String name, final UnaryOperator<ServerConfig> limits,
        final int objectsPerFile, final long[] evictions, final long[] checkpoints) throws Exception
    {
        server = SyncServer.start(limits.apply(new ServerConfig(Map.of()).port(0).host("127.0.0.1")
            .dataDir(dir.resolve(name)).appId(APP).eventLoops(1)));
        final String token = SyncTestClient.login(server.port(), APP);
        final SyncTestClient a = SyncTestClient.connect(server.port(), APP, token, false);
        final SyncTestClient b = SyncTestClient.connect(server.port(), APP, token, false);
        clients.add(a);
        clients.add(b);
        // A writes every file, one after another; B's sessions never download
        for (int i = 0; i < FILES; i++)
        {
            open(a, 1 + i, partition(i));
            open(b, 1 + i, partition(i));
            a.upload(1 + i, 2, 0, 0, false, new Up(2, 0,
                Changesets.randomObjects("Item", 1, objectsPerFile, 12)));
            awaitAck(a, 1 + i, 2);
        }
        // then B's concurrent write to each file, merged against A's entry (state and history rebuilt if evicted)
        for (int i = 0; i < FILES; i++)
        {
            b.upload(1 + i, 2, 0, 0, false, new Up(2, 0, Changesets.objects("Item", 1, 2, "b" + i)));
            awaitAck(b, 1 + i, 2);
        }
        // and A again on top
        for (int i = 0; i < FILES; i++)
        {
            a.upload(1 + i, 3, 2, 0, false, new Up(3, 2, Changesets.objects("Item", 2, 2, "a" + i)));
            awaitAck(a, 1 + i, 3);
        }
        final Map<String, String> dumps = new LinkedHashMap<>();
        for (int i = 0; i < FILES; i++)
        {
            final String file = SyncService.pbsFileName(APP, partition(i));
            dumps.put(file, server.sync().objectStateDump(file));
        }
        // eviction runs after each writer batch, just after the results were handed back: let the last one finish
        final long deadline = System.nanoTime() + 2_000_000_000L;
        while (server.sync().loadedStates() > 4 && System.nanoTime() < deadline)
        {
            Thread.sleep(10);
        }
        evictions[0] = server.sync().stateEvictions();
        evictions[1] = server.sync().loadedStates();
        checkpoints[1] = server.sync().stateCheckpointsLoaded();
        stop(); // writes the checkpoints of the states still loaded
        checkpoints[0] = lastWritten;
        return dumps;
    }

    private static String partition(final int i)
    {
        return "\"f" + i + "\"";
    }

    private static void open(final SyncTestClient c, final long session, final String partition) throws Exception
    {
        c.bind(session, partition, true);
        final Msg ident = c.next(MessageType.SERVER_IDENT);
        c.ident(session, ident.get(0), ident.get(1), 0, 0, 0, 0);
    }

    private static void awaitAck(final SyncTestClient c, final long session, final long clientVersion)
        throws Exception
    {
        Msg m = c.next(MessageType.DOWNLOAD);
        while (m.session() != session || m.get(4) < clientVersion)
        {
            m = c.next(MessageType.DOWNLOAD);
        }
    }

    @Test
    void shouldEvictByCountAndGiveTheSameResultsAfterRebuilding() throws Exception
    {
        final long[] unbounded = new long[2];
        final Map<String, String> expected = run("unbounded", c -> c, 20, unbounded);
        assertThat(unbounded[0]).isZero();
        assertThat(unbounded[1]).isEqualTo(FILES);

        final long[] bounded = new long[2];
        final Map<String, String> actual = run("bounded", c -> c.stateCacheFiles(4), 20, bounded);
        assertThat(bounded[0]).as("evictions").isGreaterThan(FILES);
        assertThat(bounded[1]).as("states in memory: one per writer (4 shards)").isLessThanOrEqualTo(4);
        assertThat(actual).isEqualTo(expected);
        assertThat(actual.values()).allSatisfy(d -> assertThat(d).contains("\"b").contains("\"a"));
    }

    @Test
    void shouldRebuildFromStateCheckpointsWithTheSameResultsAlsoAfterARestart() throws Exception
    {
        final long[] unbounded = new long[2];
        final Map<String, String> expected = run("unbounded", c -> c, 20, unbounded);
        assertThat(unbounded[0]).isZero();

        // every state that leaves the cache is checkpointed; B's upload (base 0) is merged against a resumed index
        final long[] bounded = new long[2];
        final UnaryOperator<ServerConfig> config = c -> c.stateCacheFiles(4).stateCheckpointMinVersions(1);
        final long[] counts = new long[2];
        final Map<String, String> actual = run("checkpointed", config, 20, bounded, counts);
        assertThat(bounded[0]).as("evictions").isGreaterThan(FILES);
        assertThat(counts[0]).as("checkpoints written").isPositive();
        assertThat(counts[1]).as("states built from a checkpoint").isPositive();
        assertThat(actual).isEqualTo(expected);

        // a restart: every file's state comes from its checkpoint (written when it left the cache or at shutdown)
        server = SyncServer.start(config.apply(new ServerConfig(Map.of()).port(0).host("127.0.0.1")
            .dataDir(dir.resolve("checkpointed")).appId(APP).eventLoops(1)));
        for (final Map.Entry<String, String> e : expected.entrySet())
        {
            assertThat(server.sync().objectStateDump(e.getKey())).isEqualTo(e.getValue());
        }
        // (a checkpoint is skipped, never waited for, when the checkpoint thread is busy: not necessarily all)
        assertThat(server.sync().stateCheckpointsLoaded()).isPositive().isLessThanOrEqualTo(FILES);
    }

    @Test
    void shouldEvictByEstimatedSize() throws Exception
    {
        final long[] unbounded = new long[2];
        final Map<String, String> expected = run("unbounded", c -> c, 2_000, unbounded);
        assertThat(unbounded[0]).isZero();

        // 1 MiB over 4 writers: 256 KiB each, while each file's state is estimated at about 400 KiB
        final long[] bounded = new long[2];
        final Map<String, String> actual = run("bounded", c -> c.stateCacheSize(1 << 20), 2_000, bounded);
        assertThat(bounded[0]).as("evictions").isPositive();
        assertThat(bounded[1]).isLessThanOrEqualTo(4);
        assertThat(actual).isEqualTo(expected);
    }
}
