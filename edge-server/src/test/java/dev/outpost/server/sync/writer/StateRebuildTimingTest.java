package dev.outpost.server.sync.writer;

import dev.outpost.server.metrics.ServerMetrics;
import dev.outpost.server.store.HistoryStore;
import dev.outpost.server.store.StoreConfig;
import dev.outpost.server.sync.Changesets;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What an evicted server file costs on its next touch: the object state rebuilt by replaying its history equals the
 * state before eviction, and the time is printed (default 2,000 versions of 10 objects each; the figure in SYNC.md
 * comes from {@code -Doutpost.sync.rebuildVersions=100000}); and the same rebuild from a state checkpoint at the head,
 * interleaved with full replays ({@code -Doutpost.sync.rebuildRounds=3}; medians printed, nothing timed is asserted).
 */
class StateRebuildTimingTest
{
    private static final int VERSIONS = Integer.getInteger("outpost.sync.rebuildVersions", 2_000);
    private static final int ROUNDS = Integer.getInteger("outpost.sync.rebuildRounds", 1);

    @TempDir
    Path dir;

    @Test
    @Timeout(1800) // the bench figure: 1,000,000 versions, 3 rounds, on a loaded machine
    void shouldRebuildAnEvictedStateIdenticallyAndReportTheTime() throws Exception
    {
        try (HistoryStore store = HistoryStore.open(new StoreConfig().dataDir(dir).shardCount(1)))
        {
            store.shard(0).claimWriter();
            final ShardWriter writer = new ShardWriter(store, 0, new ConcurrentHashMap<>(), 64, new ServerMetrics());
            final String name = "pbs/app/\"big\"";
            FileContext ctx = writer.open(name);
            long bytes = 0;
            for (int v = 0; v < VERSIONS; v++)
            {
                // 10 objects per version, over a key space of 20,000 objects: creates first, then updates
                final byte[] cs = Changesets.objects("Item", (v * 10L) % 20_000, 10, "v" + v);
                final var parsed = writer.tools.reader.read(new UnsafeBuffer(cs), 0, cs.length,
                    new dev.outpost.ot.model.Changeset());
                assertThat(new dev.outpost.ot.state.ChangesetApplier(ctx.state()).apply(parsed).ok()).isTrue();
                writer.shard.append(ctx.file, 1, 0, v, cs.length, new UnsafeBuffer(cs), 0, cs.length);
                bytes += cs.length;
            }
            writer.shard.publish();
            final String before = ctx.state().dump();
            writer.unload(ctx);
            assertThat(ctx.loaded()).isFalse();

            final long started = System.nanoTime();
            ctx = writer.open(name);
            final long nanos = System.nanoTime() - started;
            assertThat(ctx.state().dump()).isEqualTo(before);
            System.out.printf("rebuilt %,d versions (%,d changeset bytes, %,d objects) in %.1f ms (%.1f us/version)%n",
                VERSIONS, bytes, ctx.state().table("Item").objects().size(), nanos / 1e6, nanos / 1e3 / VERSIONS);

            // the same file from a checkpoint at its head, interleaved with full replays
            final StateCheckpoints checkpoints = new StateCheckpoints(store.dataDir(), 1);
            final long writeStarted = System.nanoTime();
            ctx.checkpointVersion = checkpoints.writeNow(writer.shard, ctx.file, ctx.state(), ctx.reverts(), 0,
                writer.tools.view);
            final long writeNanos = System.nanoTime() - writeStarted;
            assertThat(ctx.checkpointVersion).isEqualTo(VERSIONS);
            final long[] full = new long[ROUNDS];
            final long[] fromCheckpoint = new long[ROUNDS];
            for (int round = 0; round < ROUNDS; round++)
            {
                writer.checkpoints(null);
                writer.unload(ctx);
                long t0 = System.nanoTime();
                ctx = writer.open(name);
                full[round] = System.nanoTime() - t0;
                assertThat(ctx.replayedAtLoad).isEqualTo(VERSIONS);
                writer.checkpoints(checkpoints);
                writer.unload(ctx);
                t0 = System.nanoTime();
                ctx = writer.open(name);
                fromCheckpoint[round] = System.nanoTime() - t0;
                assertThat(ctx.replayedAtLoad).isZero();
                assertThat(ctx.state().dump()).isEqualTo(before);
            }
            java.util.Arrays.sort(full);
            java.util.Arrays.sort(fromCheckpoint);
            System.out.printf("checkpoint of %,d versions: %,d bytes written in %.1f ms; rebuild median of %d rounds: " +
                "full replay %.1f ms, from the checkpoint %.1f ms (ratio %.4f)%n", VERSIONS,
                java.nio.file.Files.size(checkpoints.pathOf(name)), writeNanos / 1e6, ROUNDS, full[ROUNDS / 2] / 1e6,
                fromCheckpoint[ROUNDS / 2] / 1e6, (double)fromCheckpoint[ROUNDS / 2] / full[ROUNDS / 2]);
            checkpoints.close();
        }
    }
}
