package dev.outpost.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The per-file index is not resident for every server file: after open only a small constant per file stays in the
 * heap (no name, versions or client registry), a lookup loads one file from its own records only, and an evicted
 * file comes back exactly as it was.
 */
class StoreIndexResidencyTest
{
    private static final int FILES = 20_000;
    private static final int NAME_LENGTH = 1_000;

    @TempDir
    Path dir;

    @Test
    @Timeout(120)
    void shouldKeepOnlyASmallConstantPerServerFileAfterOpen() throws Exception
    {
        create(); // in its own frame: nothing of the writing store stays reachable from this one
        final long before = liveHeap();
        try (HistoryStore store = HistoryStore.open(StoreTestSupport.config(dir)); HistoryReader reader =
            store.newReader())
        {
            final long retained = liveHeap() - before;
            // the names alone are 20 MB; everything the old index kept was ~1.8 KB per file (36 MB)
            System.out.println("heap retained by an open store of " + FILES + " files: " + retained + " bytes (" +
                retained / FILES + " per file)");
            assertThat(retained).as("heap retained by the open store").isLessThan(FILES * 200L);
            int resident = 0;
            int count = 0;
            for (int s = 0; s < store.shardCount(); s++)
            {
                resident += store.shard(s).residentFileCount();
                count += store.shard(s).serverFileCount();
            }
            assertThat(resident).isZero();
            assertThat(count).isEqualTo(FILES);

            // existence and head without loading; a lookup loads that file's records only
            final String name = name(12_345);
            final StoreShard shard = store.shardFor(name);
            assertThat(store.contains(name)).isTrue();
            assertThat(store.contains(name(FILES))).isFalse();
            assertThat(store.head(name)).isEqualTo(1);
            assertThat(shard.indexLoads()).isZero();
            final ServerFile f = store.serverFile(name);
            assertThat(shard.indexLoads()).isEqualTo(1);
            assertThat(shard.loadReads()).as("creation record + one entry").isEqualTo(2);
            assertThat(f.name()).isEqualTo(name);
            final EntryView view = new EntryView();
            assertThat(reader.read(f, 1, view)).isTrue();
            assertThat(view.changeset().getInt(0)).isEqualTo(12_345);
            assertThat(store.serverFile(name)).as("resident now").isSameAs(f);
        }
    }

    @Test
    @Timeout(60)
    void shouldReloadAnEvictedFileExactlyAndKeepWritingIt() throws Exception
    {
        try (HistoryStore store = HistoryStore.open(StoreTestSupport.config(dir)))
        {
            final String name = "/evicted";
            final StoreShard shard = store.shardFor(name);
            final ServerFile f = shard.createServerFile(name);
            final ServerFile other = shard.createServerFile(otherNameInShard(store, shard, name));
            StoreTestSupport.appendPayload(shard, f, 100);
            StoreTestSupport.appendPayload(shard, other, 100);
            final ClientFileRecord c = shard.allocateClientFile(f, 1, 7);
            StoreTestSupport.appendPayload(shard, f, 100);
            StoreTestSupport.appendPayload(shard, f, 100);
            final UnsafeBuffer reciprocal = new UnsafeBuffer("reciprocal-3".getBytes());
            shard.putReciprocal(f, c, 3, reciprocal, 0, reciprocal.capacity());
            shard.updateClientState(f, c, 5, 1, 1, 9);
            // an aborted command leaves nothing in the chain either
            shard.beginCommand();
            StoreTestSupport.appendPayload(shard, f, 100);
            shard.allocateClientFile(f, 2, 8);
            shard.abortCommand();
            assertThat(shard.evict(f)).as("inside an open commit unit").isFalse();
            assertThat(shard.publish()).isTrue();
            final long salt = f.salt();
            final long size = f.cumulativeSize(3);

            assertThat(shard.evict(f)).isTrue();
            assertThat(shard.residentFileCount()).isEqualTo(1);
            assertThat(store.head(name)).isEqualTo(3);
            final ServerFile g = store.serverFile(name);
            assertThat(g).isNotSameAs(f);
            assertThat(g.salt()).isEqualTo(salt);
            assertThat(g.head()).isEqualTo(3);
            assertThat(g.lastAppended()).isEqualTo(3);
            assertThat(g.cumulativeSize(3)).isEqualTo(size);
            assertThat(g.clientCount()).isEqualTo(1);
            final ClientFileRecord d = shard.clientFile(g, c.ident());
            assertThat(d.salt()).isEqualTo(c.salt());
            assertThat(d.clientVersion()).isEqualTo(5);
            assertThat(d.rhBaseVersion()).isEqualTo(1);
            assertThat(d.lastSeen()).isEqualTo(9);
            final EntryView view = new EntryView();
            assertThat(shard.readReciprocal(d, 3, view)).isTrue();
            assertThat(new String(StoreTestSupport.bytes(view))).isEqualTo("reciprocal-3");
            try (HistoryReader reader = store.newReader())
            {
                for (long v = 1; v <= 3; v++)
                {
                    assertThat(reader.read(g, v, view)).isTrue();
                    assertThat(StoreTestSupport.bytes(view)).isEqualTo(StoreTestSupport.payload(name, v, 100));
                }
            }
            // it goes on where it was: version 4, client 3
            assertThat(StoreTestSupport.appendPayload(shard, g, 100)).isEqualTo(4);
            assertThat(shard.allocateClientFile(g, 1, 10).ident()).isEqualTo(3);
            assertThat(shard.publish()).isTrue();
            assertThat(shard.evict(g)).isTrue();
            final ServerFile h = store.serverFile(name);
            assertThat(h.head()).isEqualTo(4);
            assertThat(h.clientCount()).isEqualTo(2);
        }
        try (HistoryStore store = HistoryStore.open(StoreTestSupport.config(dir)))
        {
            final ServerFile f = store.serverFile("/evicted");
            assertThat(f.head()).isEqualTo(4);
            assertThat(f.clientCount()).isEqualTo(2);
        }
    }

    private void create() throws StoreOpenException
    {
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[64]);
        try (HistoryStore store = HistoryStore.open(StoreTestSupport.config(dir)))
        {
            for (int i = 0; i < FILES; i++)
            {
                final String name = name(i);
                final StoreShard shard = store.shardFor(name);
                final ServerFile f = shard.createServerFile(name);
                payload.putInt(0, i);
                shard.append(f, 1, 0, i, 64, payload, 0, 64);
                if (i % 1_000 == 999)
                {
                    for (int s = 0; s < store.shardCount(); s++)
                    {
                        store.shard(s).publish();
                    }
                }
            }
        }
    }

    private static String otherNameInShard(final HistoryStore store, final StoreShard shard, final String name)
    {
        for (int i = 0; ; i++)
        {
            final String other = name + "-other-" + i;
            if (store.shardFor(other) == shard)
            {
                return other;
            }
        }
    }

    private static String name(final int i)
    {
        final StringBuilder b = new StringBuilder(NAME_LENGTH).append("/partition/").append(i).append('/');
        while (b.length() < NAME_LENGTH)
        {
            b.append('x');
        }
        return b.toString();
    }

    private static long liveHeap() throws InterruptedException
    {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++)
        {
            System.gc();
            Thread.sleep(50);
            used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
