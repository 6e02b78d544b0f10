package dev.outpost.server.sync.writer;

import dev.outpost.ot.model.Changeset;
import dev.outpost.ot.state.ChangesetApplier;
import dev.outpost.ot.state.Snapshot;
import dev.outpost.server.metrics.ServerMetrics;
import dev.outpost.server.store.HistoryStore;
import dev.outpost.server.store.StoreConfig;
import dev.outpost.server.sync.Changesets;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * State checkpoints: a state rebuilt from a checkpoint plus the versions after it equals the state of a full replay
 * (and gives the same bootstrap), across a restart of the store; a corrupt, truncated or foreign checkpoint is ignored
 * and the whole history replayed.
 */
class StateCheckpointTest
{
    private static final String NAME = "pbs/app/\"ckpt\"";

    @TempDir
    Path dir;

    /** Append {@code versions} entries of 10 objects each (over 500 keys: creates, then updates), applied live. */
    private static void append(final ShardWriter writer, final FileContext ctx, final int from, final int versions)
        throws Exception
    {
        for (int v = from; v < from + versions; v++)
        {
            final byte[] cs = Changesets.objects("Item", (v * 10L) % 500, 10, "v" + v);
            final Changeset parsed = writer.tools.reader.read(new UnsafeBuffer(cs), 0, cs.length, new Changeset());
            assertThat(new ChangesetApplier(ctx.state()).apply(parsed).ok()).isTrue();
            writer.shard.append(ctx.file, 1, 0, v, cs.length, new UnsafeBuffer(cs), 0, cs.length);
        }
        assertThat(writer.shard.publish()).isTrue();
    }

    /** @return the state of a full replay of the history (a writer without checkpoints). */
    private static String fullReplay(final HistoryStore store)
    {
        final ShardWriter plain = new ShardWriter(store, 0, new ConcurrentHashMap<>(), 64, new ServerMetrics());
        return plain.open(NAME).state().dump();
    }

    @Test
    @Timeout(120)
    void shouldRebuildFromTheCheckpointAndReplayOnlyTheVersionsAfterIt() throws Exception
    {
        final String expected;
        final String bootstrap;
        try (HistoryStore store = HistoryStore.open(new StoreConfig().dataDir(dir).shardCount(1)))
        {
            store.shard(0).claimWriter();
            final StateCheckpoints checkpoints = new StateCheckpoints(store.dataDir(), 100);
            final ShardWriter writer = new ShardWriter(store, 0, new ConcurrentHashMap<>(), 64, new ServerMetrics())
                .checkpoints(checkpoints);
            FileContext ctx = writer.open(NAME);
            append(writer, ctx, 0, 300);
            writer.checkpoint(ctx); // as the state cache does when it drops the state
            writer.unload(ctx);
            checkpoints.close();
            assertThat(checkpoints.written()).isEqualTo(1);
            assertThat(Files.exists(checkpoints.pathOf(NAME))).isTrue();

            writer.checkpoints(new StateCheckpoints(store.dataDir(), 100));
            ctx = writer.open(NAME);
            assertThat(ctx.replayedAtLoad).isZero();
            assertThat(ctx.checkpointVersion).isEqualTo(300);
            assertThat(writer.checkpoints.loaded()).isEqualTo(1);
            append(writer, ctx, 300, 50);
            final String live = ctx.state().dump();
            writer.unload(ctx);

            ctx = writer.open(NAME);
            assertThat(ctx.replayedAtLoad).isEqualTo(50);
            assertThat(ctx.state().dump()).isEqualTo(live);
            expected = fullReplay(store);
            assertThat(ctx.state().dump()).isEqualTo(expected);
            bootstrap = Snapshot.of(ctx.state()).toString();
            // fewer than 100 new versions: no new checkpoint
            assertThat(writer.checkpoints.schedule(writer.shard, ctx.file, ctx.state(), ctx.reverts(), 300,
                writer.tools.view)).isEqualTo(300);
            writer.checkpoints.close();
        }
        // restart: the checkpoint of the previous run is used
        try (HistoryStore store = HistoryStore.open(new StoreConfig().dataDir(dir).shardCount(1)))
        {
            store.shard(0).claimWriter();
            final StateCheckpoints checkpoints = new StateCheckpoints(store.dataDir(), 100);
            final ShardWriter writer = new ShardWriter(store, 0, new ConcurrentHashMap<>(), 64, new ServerMetrics())
                .checkpoints(checkpoints);
            final FileContext ctx = writer.open(NAME);
            assertThat(ctx.replayedAtLoad).isEqualTo(50);
            assertThat(ctx.state().dump()).isEqualTo(expected);
            assertThat(Snapshot.of(ctx.state()).toString()).isEqualTo(bootstrap);
            checkpoints.close();
        }
    }

    @Test
    @Timeout(120)
    void shouldIgnoreACorruptOrTruncatedCheckpointAndReplayTheWholeHistory() throws Exception
    {
        try (HistoryStore store = HistoryStore.open(new StoreConfig().dataDir(dir).shardCount(1)))
        {
            store.shard(0).claimWriter();
            final StateCheckpoints checkpoints = new StateCheckpoints(store.dataDir(), 1);
            final ShardWriter writer = new ShardWriter(store, 0, new ConcurrentHashMap<>(), 64, new ServerMetrics())
                .checkpoints(checkpoints);
            FileContext ctx = writer.open(NAME);
            append(writer, ctx, 0, 120);
            writer.checkpoint(ctx);
            writer.unload(ctx);
            checkpoints.close();
            final Path path = checkpoints.pathOf(NAME);
            final byte[] good = Files.readAllBytes(path);
            final String expected = fullReplay(store);

            final byte[] flipped = good.clone();
            flipped[good.length / 2] ^= 0x10;
            final byte[][] bad = {flipped, java.util.Arrays.copyOf(good, good.length - 7),
                java.util.Arrays.copyOf(good, 10), new byte[0]};
            long rejected = 0;
            for (final byte[] b : bad)
            {
                Files.write(path, b);
                writer.checkpoints(new StateCheckpoints(store.dataDir(), 1));
                ctx = writer.open(NAME);
                assertThat(ctx.replayedAtLoad).isEqualTo(120);
                assertThat(ctx.state().dump()).isEqualTo(expected);
                assertThat(writer.checkpoints.rejected()).isEqualTo(1);
                assertThat(Files.exists(path)).isFalse(); // deleted: warned about once
                rejected += writer.checkpoints.rejected();
                writer.unload(ctx);
            }
            assertThat(rejected).isEqualTo(bad.length);

            // a checkpoint of a file at a version whose history entry differs (e.g. lost and written again)
            final byte[] stale = good.clone();
            final java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(stale).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            bb.putLong(28, bb.getLong(28) ^ 1); // the entry fingerprint, checksum fixed up
            final java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
            crc.update(stale, 0, stale.length - 4);
            bb.putInt(stale.length - 4, (int)crc.getValue());
            Files.write(path, stale);
            writer.checkpoints(new StateCheckpoints(store.dataDir(), 1));
            ctx = writer.open(NAME);
            assertThat(ctx.replayedAtLoad).isEqualTo(120);
            assertThat(writer.checkpoints.rejected()).isEqualTo(1);
            assertThat(ctx.state().dump()).isEqualTo(expected);

            // the good one again is used
            writer.unload(ctx);
            Files.write(path, good);
            writer.checkpoints(new StateCheckpoints(store.dataDir(), 1));
            ctx = writer.open(NAME);
            assertThat(ctx.replayedAtLoad).isZero();
            assertThat(ctx.state().dump()).isEqualTo(expected);
        }
    }
}
