package dev.outpost.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** 100k server files share a handful of queues: files on disk and open descriptors stay bounded. */
class ManyServerFilesTest
{
    private static final int SERVER_FILES = 100_000;

    @TempDir
    Path dir;

    @Test
    @Timeout(60)
    void shouldKeepQueueFilesBoundedWithOneHundredThousandServerFiles() throws Exception
    {
        final int fdBefore = openFileDescriptors();
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[32]);
        try (HistoryStore store = HistoryStore.open(StoreTestSupport.config(dir)))
        {
            for (int i = 0; i < SERVER_FILES; i++)
            {
                final String name = "/tenant/" + i;
                final StoreShard shard = store.shardFor(name);
                final ServerFile f = shard.createServerFile(name);
                payload.putInt(0, i);
                assertThat(shard.append(f, 2, 1, i, 32, payload, 0, 32)).isEqualTo(1);
                if (i % 1_000 == 999)
                {
                    for (int s = 0; s < store.shardCount(); s++)
                    {
                        store.shard(s).publish();
                    }
                }
            }
            int total = 0;
            for (int s = 0; s < store.shardCount(); s++)
            {
                total += store.shard(s).serverFileCount();
                assertThat(store.shard(s).serverFileCount()).as("hash spreads names").isGreaterThan(20_000);
            }
            assertThat(total).isEqualTo(SERVER_FILES);
            assertThat(store.shardCount()).as("open queues").isEqualTo(StoreConfig.DEFAULT_SHARD_COUNT);
            final int fdDuring = openFileDescriptors();
            if (fdBefore >= 0)
            {
                assertThat(fdDuring - fdBefore).as("open descriptors for 100k server files").isLessThan(40);
            }
        }
        // per shard: the cycle file and Chronicle's metadata table; plus the format file
        assertThat(countFiles(dir)).isLessThanOrEqualTo(StoreConfig.DEFAULT_SHARD_COUNT * 3 + 1);

        final long start = System.nanoTime();
        try (HistoryStore store = HistoryStore.open(StoreTestSupport.config(dir)); HistoryReader reader =
            store.newReader())
        {
            final long replayMs = (System.nanoTime() - start) / 1_000_000;
            System.out.println("replayed " + 2 * SERVER_FILES + " records in " + replayMs + " ms");
            final SplittableRandom r = new SplittableRandom(1);
            final EntryView view = new EntryView();
            for (int n = 0; n < 1_000; n++)
            {
                final int i = r.nextInt(SERVER_FILES);
                final ServerFile f = store.serverFile("/tenant/" + i);
                assertThat(f.head()).isEqualTo(1);
                assertThat(reader.read(f, 1, view)).isTrue();
                assertThat(view.changeset().getInt(0)).isEqualTo(i);
                assertThat(view.timestamp()).isEqualTo(i);
            }
        }
    }

    private static int openFileDescriptors()
    {
        final File fds = new File("/proc/self/fd");
        final String[] list = fds.list();
        return list == null ? -1 : list.length;
    }

    private static long countFiles(final Path root) throws IOException
    {
        try (Stream<Path> s = Files.walk(root))
        {
            return s.filter(Files::isRegularFile).count();
        }
    }
}
