package dev.outpost.server.store;

import static dev.outpost.server.store.StoreTestSupport.appendPayload;
import static dev.outpost.server.store.StoreTestSupport.bytes;
import static dev.outpost.server.store.StoreTestSupport.payload;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import net.openhft.chronicle.queue.rollcycles.TestRollCycles;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** History, clients and reciprocals spread over several cycle files (a queue rolls daily in production). */
class CycleRollTest
{
    @TempDir
    Path dir;

    @Test
    @Timeout(30)
    void shouldReadAndReplayAcrossCycleFiles() throws Exception
    {
        final StoreConfig config = StoreTestSupport.config(dir).shardCount(1)
            .rollCycle(TestRollCycles.TEST_SECONDLY);
        final byte[] reciprocal = "reciprocal in an older cycle".getBytes(StandardCharsets.UTF_8);
        try (HistoryStore store = HistoryStore.open(config); HistoryReader reader = store.newReader())
        {
            final StoreShard shard = store.shard(0);
            final ServerFile f = shard.createServerFile("/roll");
            final ClientFileRecord c = shard.allocateClientFile(f, 0, 1);
            for (int cycle = 0; cycle < 3; cycle++)
            {
                for (int i = 0; i < 20; i++)
                {
                    appendPayload(shard, f, 100);
                }
                shard.publish();
                if (cycle == 0)
                {
                    shard.putReciprocal(f, c, 5, new UnsafeBuffer(reciprocal), 0, reciprocal.length);
                }
                Thread.sleep(1_100);
            }
            final EntryView view = new EntryView();
            for (long v = 60; v >= 1; v--) // backwards: every cycle change is a jump
            {
                assertThat(reader.read(f, v, view)).isTrue();
                assertThat(bytes(view)).isEqualTo(payload("/roll", v, 100));
            }
        }
        try (Stream<Path> s = Files.list(dir.resolve("shard-0")))
        {
            assertThat(s.filter(p -> p.toString().endsWith(".cq4")).count()).isGreaterThanOrEqualTo(3);
        }
        try (HistoryStore store = HistoryStore.open(config); HistoryReader reader = store.newReader())
        {
            final StoreShard shard = store.shard(0);
            final ServerFile f = store.serverFile("/roll");
            assertThat(f.head()).isEqualTo(60);
            final EntryView view = new EntryView();
            for (long v = 1; v <= 60; v++)
            {
                assertThat(reader.read(f, v, view)).isTrue();
                assertThat(bytes(view)).isEqualTo(payload("/roll", v, 100));
            }
            assertThat(shard.readReciprocal(shard.clientFile(f, 2), 5, view)).isTrue();
            assertThat(bytes(view)).isEqualTo(reciprocal);
            appendPayload(shard, f, 100);
            shard.publish();
            assertThat(reader.read(f, 61, view)).isTrue();
        }
    }
}
