package dev.outpost.server.store;

import static dev.outpost.server.store.StoreTestSupport.appendPayload;
import static dev.outpost.server.store.StoreTestSupport.bytes;
import static dev.outpost.server.store.StoreTestSupport.payload;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Reader threads read by version up to the published head while the writer appends in batches. */
class ConcurrentReaderTest
{
    private static final int FILES = 4;
    private static final int VERSIONS = 5_000;

    @TempDir
    Path dir;

    @Test
    @Timeout(60)
    void shouldReadPublishedVersionsWhileTheWriterAppends() throws Exception
    {
        try (HistoryStore store = HistoryStore.open(StoreTestSupport.config(dir).shardCount(2)))
        {
            final ServerFile[] files = new ServerFile[FILES];
            final Thread writer = new Thread(() ->
            {
                final SplittableRandom r = new SplittableRandom(5);
                for (int i = 0; i < FILES; i++)
                {
                    final String name = "/c" + i;
                    files[i] = store.shardFor(name).createServerFile(name);
                }
                synchronized (files)
                {
                    files.notifyAll();
                }
                boolean more = true;
                while (more)
                {
                    more = false;
                    for (final ServerFile f : files)
                    {
                        final StoreShard shard = store.shardFor(f.name());
                        final int batch = 1 + r.nextInt(20);
                        for (int b = 0; b < batch && f.lastAppended() < VERSIONS; b++)
                        {
                            appendPayload(shard, f, 120);
                        }
                        shard.publish();
                        more |= f.lastAppended() < VERSIONS;
                    }
                }
            }, "writer");
            // both shards get their writer thread from the first call: the writer thread above
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final AtomicLong reads = new AtomicLong();
            final Thread[] readers = new Thread[2];
            for (int t = 0; t < readers.length; t++)
            {
                final int seed = t;
                readers[t] = new Thread(() ->
                {
                    try (HistoryReader reader = store.newReader())
                    {
                        synchronized (files)
                        {
                            while (files[FILES - 1] == null)
                            {
                                files.wait();
                            }
                        }
                        final SplittableRandom r = new SplittableRandom(seed);
                        final EntryView view = new EntryView();
                        final long[] next = new long[FILES];
                        boolean done = false;
                        while (!done)
                        {
                            done = true;
                            for (int i = 0; i < FILES; i++)
                            {
                                final ServerFile f = files[i];
                                final long head = f.head();
                                while (next[i] < head) // sequential catch-up, like a DOWNLOAD scan
                                {
                                    next[i]++;
                                    check(reader, f, next[i], view);
                                }
                                if (head > 0) // and a random look-back
                                {
                                    check(reader, f, 1 + r.nextLong(head), view);
                                }
                                if (reader.read(f, head + 1, view) && f.head() <= head)
                                {
                                    throw new AssertionError("read an unpublished version of " + f.name());
                                }
                                done &= head == VERSIONS;
                            }
                            reads.incrementAndGet();
                        }
                    }
                    catch (final Throwable ex)
                    {
                        failure.compareAndSet(null, ex);
                    }
                }, "reader-" + t);
            }
            for (final Thread t : readers)
            {
                t.start();
            }
            writer.start();
            writer.join();
            for (final Thread t : readers)
            {
                t.join();
            }
            assertThat(failure.get()).isNull();
            assertThat(reads.get()).isGreaterThan(1);
            for (final ServerFile f : files) // the index spans several segments: sizes add up across them
            {
                for (long v = 1; v <= VERSIONS; v++)
                {
                    assertThat(f.cumulativeSize(v) - f.cumulativeSize(v - 1))
                        .isEqualTo(payload(f.name(), v, 120).length);
                }
            }
        }
    }

    private static void check(final HistoryReader reader, final ServerFile f, final long v, final EntryView view)
    {
        if (!reader.read(f, v, view))
        {
            throw new AssertionError("published version " + v + " of " + f.name() + " not readable");
        }
        if (view.version() != v || !java.util.Arrays.equals(bytes(view), payload(f.name(), v, 120)))
        {
            throw new AssertionError("wrong content at " + f.name() + "@" + v);
        }
    }
}
