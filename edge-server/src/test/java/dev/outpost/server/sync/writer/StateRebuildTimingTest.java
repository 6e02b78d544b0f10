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
 * comes from {@code -Doutpost.sync.rebuildVersions=100000}).
 */
class StateRebuildTimingTest
{
    private static final int VERSIONS = Integer.getInteger("outpost.sync.rebuildVersions", 2_000);

    @TempDir
    Path dir;

    @Test
    @Timeout(300)
    void shouldRebuildAnEvictedStateIdenticallyAndReportTheTime() throws Exception
    {
        try (HistoryStore store = HistoryStore.open(new StoreConfig().dataDir(dir).shardCount(1)))
        {
            store.shard(0).claimWriter();
            final ShardWriter writer = new ShardWriter(store, 0, new ConcurrentHashMap<>(), 64, new ServerMetrics().app("timing"));
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
        }
    }
}
