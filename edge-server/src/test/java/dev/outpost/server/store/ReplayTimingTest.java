package dev.outpost.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Measures the rebuild of the index at open. Default 200k entry records (fast); the figure in STORE.md comes from
 * {@code -Doutpost.store.replayRecords=1000000}.
 */
class ReplayTimingTest
{
    private static final int RECORDS = Integer.getInteger("outpost.store.replayRecords", 200_000);
    private static final int FILES = 1_000;

    @TempDir
    Path dir;

    @Test
    @Timeout(120)
    void shouldReplayEntryRecordsQuickly() throws Exception
    {
        final UnsafeBuffer payload = new UnsafeBuffer(ByteBuffer.allocateDirect(64));
        final long writeStart = System.nanoTime();
        try (HistoryStore store = HistoryStore.open(StoreTestSupport.config(dir).blockSize(64L << 20)))
        {
            final ServerFile[] files = new ServerFile[FILES];
            for (int i = 0; i < FILES; i++)
            {
                final String name = "/r" + i;
                files[i] = store.shardFor(name).createServerFile(name);
            }
            for (int n = 0; n < RECORDS; n++)
            {
                final ServerFile f = files[n % FILES];
                final StoreShard shard = store.shard(f.shardIndex());
                payload.putLong(0, n);
                shard.append(f, 2, n, n, 64, payload, 0, 64);
                if (n % 64 == 63)
                {
                    shard.publish();
                }
            }
            for (int s = 0; s < store.shardCount(); s++)
            {
                store.shard(s).publish();
            }
        }
        final long writeMs = (System.nanoTime() - writeStart) / 1_000_000;
        final long start = System.nanoTime();
        try (HistoryStore store = HistoryStore.open(StoreTestSupport.config(dir)))
        {
            final long replayMs = (System.nanoTime() - start) / 1_000_000;
            long replayed = 0;
            for (int s = 0; s < store.shardCount(); s++)
            {
                replayed += store.shard(s).replayedRecords();
                assertThat(store.shard(s).skippedRecords()).isZero();
            }
            System.out.printf("store replay: %d records (%d entries of 64 B, %d server files, %d shards): " +
                "write %d ms, replay %d ms%n", replayed, RECORDS, FILES, store.shardCount(), writeMs, replayMs);
            assertThat(replayed).isEqualTo(RECORDS + FILES);
            long total = 0;
            for (int i = 0; i < FILES; i++)
            {
                total += store.serverFile("/r" + i).head();
            }
            assertThat(total).isEqualTo(RECORDS);
            assertThat(replayMs).as("replay time").isLessThan(RECORDS / 10L); // < 100 us per record, loosely
        }
    }
}
