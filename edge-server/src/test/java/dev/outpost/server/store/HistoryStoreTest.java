package dev.outpost.server.store;

import static dev.outpost.server.store.StoreTestSupport.appendPayload;
import static dev.outpost.server.store.StoreTestSupport.bytes;
import static dev.outpost.server.store.StoreTestSupport.config;
import static dev.outpost.server.store.StoreTestSupport.payload;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;

import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class HistoryStoreTest
{
    @TempDir
    Path dir;

    @Test
    void shouldAppendAndReadInterleavedServerFilesOfOneShard() throws Exception
    {
        try (HistoryStore store = HistoryStore.open(config(dir).shardCount(1));
            HistoryReader reader = store.newReader())
        {
            final StoreShard shard = store.shard(0);
            final ServerFile a = shard.createServerFile("/a");
            final ServerFile b = shard.createServerFile("/b");
            final ServerFile c = shard.createServerFile("/c");
            final ServerFile[] files = {a, b, c};
            for (int round = 0; round < 50; round++)
            {
                for (final ServerFile f : files)
                {
                    if ((round + f.name().charAt(1)) % 3 != 0)
                    {
                        assertThat(appendPayload(shard, f, 200)).isEqualTo(f.lastAppended());
                    }
                }
            }
            assertThat(a.head()).isZero();
            final EntryView view = new EntryView();
            assertThat(reader.read(a, 1, view)).as("unpublished is invisible to readers").isFalse();
            assertThat(shard.readEntry(a, 1, view)).as("but readable by the writer").isTrue();
            shard.publish();

            for (final ServerFile f : files)
            {
                assertThat(f.head()).isEqualTo(f.lastAppended()).isGreaterThan(30);
                long cumulative = 0;
                for (long v = 1; v <= f.head(); v++)
                {
                    assertThat(reader.read(f, v, view)).isTrue();
                    assertThat(view.changeset().byteArray()).as("a view of the mapped queue, not a copy").isNull();
                    final byte[] expected = payload(f.name(), v, 200);
                    assertThat(bytes(view)).isEqualTo(expected);
                    assertThat(view.version()).isEqualTo(v);
                    assertThat(view.originFileIdent()).isEqualTo(100 + v % 3);
                    assertThat(view.clientVersion()).isEqualTo(v * 10);
                    assertThat(view.timestamp()).isEqualTo(1_000_000 + v);
                    assertThat(view.originalSize()).isEqualTo(expected.length + 7);
                    assertThat(view.salt()).isEqualTo(f.salt());
                    cumulative += expected.length;
                    assertThat(f.cumulativeSize(v)).isEqualTo(cumulative);
                }
                assertThat(reader.read(f, 0, view)).isFalse();
                assertThat(reader.read(f, f.head() + 1, view)).isFalse();
            }
        }
    }

    @Test
    void shouldReadBackwardsAndRandomlyAcrossShards() throws Exception
    {
        try (HistoryStore store = HistoryStore.open(config(dir).shardCount(3));
            HistoryReader reader = store.newReader())
        {
            final List<ServerFile> files = new ArrayList<>();
            for (int i = 0; i < 12; i++)
            {
                final String name = "/p" + i;
                final StoreShard shard = store.shardFor(name);
                final ServerFile f = shard.createServerFile(name);
                for (int v = 0; v < 20; v++)
                {
                    appendPayload(shard, f, 64);
                }
                shard.publish();
                files.add(f);
            }
            final SplittableRandom r = new SplittableRandom(7);
            final EntryView view = new EntryView();
            for (int i = 0; i < 2_000; i++)
            {
                final ServerFile f = files.get(r.nextInt(files.size()));
                final long v = 1 + r.nextInt(20);
                assertThat(reader.read(f, v, view)).isTrue();
                assertThat(bytes(view)).isEqualTo(payload(f.name(), v, 64));
            }
            assertThat(store.serverFile("/p3")).isSameAs(files.get(3));
            assertThat(store.serverFile("/nope")).isNull();
        }
    }

    @Test
    void shouldAllocateUniqueClientIdentsAndPersistThem() throws Exception
    {
        final Map<Long, Long> saltByIdent = new HashMap<>();
        final long otherSalt;
        try (HistoryStore store = HistoryStore.open(config(dir)))
        {
            final StoreShard shard = store.shardFor("/x");
            final ServerFile f = shard.createServerFile("/x");
            for (int i = 0; i < 100; i++)
            {
                final ClientFileRecord c = shard.allocateClientFile(f, i % 2, 5_000 + i);
                assertThat(c.ident()).isEqualTo(2 + i);
                assertThat(c.salt()).isPositive();
                saltByIdent.put(c.ident(), c.salt());
            }
            assertThat(new HashSet<>(saltByIdent.values())).hasSize(100);
            final StoreShard otherShard = store.shardFor("/y");
            final ServerFile other = otherShard.createServerFile("/y");
            final ClientFileRecord first = otherShard.allocateClientFile(other, 0, 1);
            assertThat(first.ident()).as("idents are per server file").isEqualTo(2);
            otherSalt = first.salt();
        }
        try (HistoryStore store = HistoryStore.open(config(dir)))
        {
            final StoreShard shard = store.shardFor("/x");
            final ServerFile f = store.serverFile("/x");
            assertThat(f.clientCount()).isEqualTo(100);
            for (final Map.Entry<Long, Long> e : saltByIdent.entrySet())
            {
                final ClientFileRecord c = shard.clientFile(f, e.getKey());
                assertThat(c.salt()).isEqualTo(e.getValue());
                assertThat(c.clientType()).isEqualTo((int)((e.getKey() - 2) % 2));
                assertThat(c.lastSeen()).isEqualTo(5_000 + e.getKey() - 2);
            }
            assertThat(shard.allocateClientFile(f, 0, 1).ident()).isEqualTo(102);
            final ServerFile other = store.serverFile("/y");
            assertThat(store.shardFor("/y").clientFile(other, 2).salt()).isEqualTo(otherSalt);
        }
    }

    @Test
    void shouldPersistServerFileSalts() throws Exception
    {
        final Map<String, Long> salts = new HashMap<>();
        try (HistoryStore store = HistoryStore.open(config(dir)))
        {
            for (int i = 0; i < 50; i++)
            {
                final String name = "/s" + i;
                final ServerFile f = store.shardFor(name).createServerFile(name);
                assertThat(f.salt()).isPositive();
                assertThat(f.salt(0)).isZero();
                assertThat(f.salt(1)).isEqualTo(f.salt());
                assertThat(store.shardFor(name).createServerFile(name)).as("create is idempotent").isSameAs(f);
                salts.put(name, f.salt());
            }
        }
        assertThat(new HashSet<>(salts.values())).hasSize(50);
        try (HistoryStore store = HistoryStore.open(config(dir)))
        {
            salts.forEach((name, salt) -> assertThat(store.serverFile(name).salt()).isEqualTo(salt));
        }
    }

    @Test
    void shouldSetOverwriteAndTrimReciprocals() throws Exception
    {
        final byte[] overwritten = "reciprocal of 3, second take".getBytes(StandardCharsets.UTF_8);
        try (HistoryStore store = HistoryStore.open(config(dir)))
        {
            final StoreShard shard = store.shardFor("/r");
            final ServerFile f = shard.createServerFile("/r");
            final ClientFileRecord c = shard.allocateClientFile(f, 0, 1);
            for (int v = 0; v < 6; v++)
            {
                appendPayload(shard, f, 32);
            }
            shard.publish();
            for (long v = 1; v <= 5; v++)
            {
                assertThat(shard.putReciprocal(f, c, v, heap(reciprocal(v)), 0, reciprocal(v).length)).isTrue();
            }
            final EntryView view = new EntryView();
            assertThat(shard.readReciprocal(c, 6, view)).isFalse();
            assertThat(shard.readReciprocal(c, 3, view)).isTrue();
            assertThat(bytes(view)).isEqualTo(reciprocal(3));

            final UnsafeBuffer direct = new UnsafeBuffer(ByteBuffer.allocateDirect(64));
            direct.putBytes(10, overwritten);
            assertThat(shard.putReciprocal(f, c, 3, direct, 10, overwritten.length)).isTrue();
            assertThat(shard.readReciprocal(c, 3, view)).isTrue();
            assertThat(bytes(view)).isEqualTo(overwritten);
            assertThat(view.version()).isEqualTo(3);

            shard.updateClientState(f, c, 9, 2, 1, 77);
            assertThat(c.reciprocalCount()).isEqualTo(3);
            assertThat(c.hasReciprocal(2)).isFalse();
            assertThat(c.hasReciprocal(3)).isTrue();
            assertThatThrownBy(() -> shard.putReciprocal(f, c, 2, heap(reciprocal(2)), 0, 1))
                .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> shard.putReciprocal(f, c, 7, heap(reciprocal(2)), 0, 1))
                .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> shard.updateClientState(f, c, 8, 2, 1, 77))
                .isInstanceOf(IllegalArgumentException.class);
        }
        try (HistoryStore store = HistoryStore.open(config(dir)))
        {
            final StoreShard shard = store.shardFor("/r");
            final ServerFile f = store.serverFile("/r");
            final ClientFileRecord c = shard.clientFile(f, 2);
            assertThat(c.clientVersion()).isEqualTo(9);
            assertThat(c.rhBaseVersion()).isEqualTo(2);
            assertThat(c.lockedServerVersion()).isEqualTo(1);
            assertThat(c.lastSeen()).isEqualTo(77);
            assertThat(c.reciprocalCount()).isEqualTo(3);
            final EntryView view = new EntryView();
            assertThat(shard.readReciprocal(c, 1, view)).isFalse();
            assertThat(shard.readReciprocal(c, 2, view)).isFalse();
            assertThat(shard.readReciprocal(c, 3, view)).isTrue();
            assertThat(bytes(view)).isEqualTo(overwritten);
            assertThat(shard.readReciprocal(c, 5, view)).isTrue();
            assertThat(bytes(view)).isEqualTo(reciprocal(5));

            shard.updateClientState(f, c, 10, 5, 5, 78);
            assertThat(c.reciprocalCount()).isZero();
        }
        try (HistoryStore store = HistoryStore.open(config(dir)))
        {
            final ServerFile f = store.serverFile("/r");
            assertThat(store.shardFor("/r").clientFile(f, 2).reciprocalCount()).isZero();
        }
    }

    @Test
    void shouldRestoreEverythingIdenticallyAfterReopen() throws Exception
    {
        final SplittableRandom r = new SplittableRandom(42);
        final Map<String, Long> heads = new HashMap<>();
        final Map<String, Long> salts = new HashMap<>();
        final Map<String, Long> cumulative = new HashMap<>();
        final Map<String, List<long[]>> clients = new HashMap<>();
        try (HistoryStore store = HistoryStore.open(config(dir)))
        {
            for (int step = 0; step < 3_000; step++)
            {
                final String name = "/m" + r.nextInt(40);
                final StoreShard shard = store.shardFor(name);
                final ServerFile f = shard.createServerFile(name);
                final int op = r.nextInt(10);
                if (op < 7)
                {
                    appendPayload(shard, f, 300);
                }
                else if (op < 8)
                {
                    shard.allocateClientFile(f, 0, step);
                }
                else if (f.clientCount() > 0 && f.lastAppended() > 0)
                {
                    final ClientFileRecord c = shard.clientFile(f, 2 + r.nextInt(f.clientCount()));
                    final long base = c.rhBaseVersion() + r.nextInt(2);
                    if (base < f.lastAppended())
                    {
                        final long v = base + 1 + r.nextInt((int)(f.lastAppended() - base));
                        final byte[] p = reciprocal(v * 31 + step);
                        shard.putReciprocal(f, c, v, heap(p), 0, p.length);
                    }
                    shard.updateClientState(f, c, c.clientVersion() + 1, Math.min(base, f.lastAppended()),
                        c.lockedServerVersion(), step);
                }
                if (r.nextInt(5) == 0)
                {
                    shard.publish();
                }
            }
            for (int i = 0; i < store.shardCount(); i++)
            {
                store.shard(i).publish();
            }
            for (int i = 0; i < 40; i++)
            {
                final ServerFile f = store.serverFile("/m" + i);
                if (f == null)
                {
                    continue;
                }
                heads.put(f.name(), f.head());
                salts.put(f.name(), f.salt());
                cumulative.put(f.name(), f.cumulativeSize(f.head()));
                clients.put(f.name(), snapshotClients(store, f));
            }
        }
        assertThat(heads).hasSizeGreaterThan(30);
        try (HistoryStore store = HistoryStore.open(config(dir)); HistoryReader reader = store.newReader())
        {
            final EntryView view = new EntryView();
            for (final Map.Entry<String, Long> e : heads.entrySet())
            {
                final ServerFile f = store.serverFile(e.getKey());
                assertThat(f.head()).isEqualTo(e.getValue());
                assertThat(f.salt()).isEqualTo(salts.get(e.getKey()));
                assertThat(f.cumulativeSize(f.head())).isEqualTo(cumulative.get(e.getKey()));
                assertThat(snapshotClients(store, f)).containsExactlyElementsOf(clients.get(e.getKey()));
                for (long v = 1; v <= f.head(); v++)
                {
                    assertThat(reader.read(f, v, view)).isTrue();
                    assertThat(bytes(view)).isEqualTo(payload(f.name(), v, 300));
                }
            }
            for (int i = 0; i < store.shardCount(); i++)
            {
                assertThat(store.shard(i).skippedRecords()).isZero();
            }
        }
    }

    @Test
    void shouldInitialiseFreshDirectoryAndRejectUnknownFormats() throws Exception
    {
        final Path fresh = dir.resolve("fresh");
        try (HistoryStore store = HistoryStore.open(config(fresh).shardCount(3)))
        {
            assertThat(store.shardCount()).isEqualTo(3);
        }
        assertThat(fresh.resolve(HistoryStore.FORMAT_FILE)).exists();
        try (HistoryStore store = HistoryStore.open(config(fresh).shardCount(5)))
        {
            assertThat(store.shardCount()).as("an existing directory keeps its shard count").isEqualTo(3);
        }

        final Path newer = dir.resolve("newer");
        Files.createDirectories(newer);
        Files.writeString(newer.resolve(HistoryStore.FORMAT_FILE), "format=4\nshards=4\n");
        assertThatThrownBy(() -> HistoryStore.open(config(newer)))
            .isInstanceOfSatisfying(StoreOpenException.class,
                ex -> assertThat(ex.error()).isEqualTo(StoreOpenError.UNSUPPORTED_FORMAT_VERSION))
            .hasMessageContaining("format 4");

        final Path garbage = dir.resolve("garbage");
        Files.createDirectories(garbage);
        Files.writeString(garbage.resolve(HistoryStore.FORMAT_FILE), "format=one\n");
        assertThatThrownBy(() -> HistoryStore.open(config(garbage)))
            .isInstanceOfSatisfying(StoreOpenException.class,
                ex -> assertThat(ex.error()).isEqualTo(StoreOpenError.CORRUPT_FORMAT_FILE));

        final Path foreign = dir.resolve("foreign");
        Files.createDirectories(foreign);
        Files.writeString(foreign.resolve("something.txt"), "not ours");
        assertThatThrownBy(() -> HistoryStore.open(config(foreign)))
            .isInstanceOfSatisfying(StoreOpenException.class,
                ex -> assertThat(ex.error()).isEqualTo(StoreOpenError.NOT_A_STORE));
    }

    @Test
    void shouldSkipMalformedRecordsAtReplayAndKeepWorking() throws Exception
    {
        try (HistoryStore store = HistoryStore.open(config(dir).shardCount(1)))
        {
            final StoreShard shard = store.shard(0);
            final ServerFile f = shard.createServerFile("/c");
            appendPayload(shard, f, 50);
            appendPayload(shard, f, 50);
            shard.publish();
            try (DocumentContext dc = shard.appenderForTest().writingDocument())
            {
                dc.wire().bytes().writeByte((byte)99).writeByte((byte)1).writeLong(5); // unknown type
            }
            try (DocumentContext dc = shard.appenderForTest().writingDocument())
            {
                dc.wire().bytes().writeByte((byte)2); // too short
            }
            try (DocumentContext dc = shard.appenderForTest().writingDocument())
            {
                // an ENTRY for version 7 of file 0: out of sequence
                dc.wire().bytes().writeByte(RecordLayout.ENTRY).writeByte(RecordLayout.LAYOUT_VERSION)
                    .writeShort((short)0).writeInt(0).writeLong(7).writeSkip(40);
            }
            appendPayload(shard, f, 50);
            shard.publish();
        }
        try (HistoryStore store = HistoryStore.open(config(dir)); HistoryReader reader = store.newReader())
        {
            final StoreShard shard = store.shard(0);
            assertThat(shard.skippedRecords()).isEqualTo(3);
            final ServerFile f = store.serverFile("/c");
            assertThat(f.head()).isEqualTo(3);
            appendPayload(shard, f, 50);
            shard.publish();
            final EntryView view = new EntryView();
            for (long v = 1; v <= 4; v++)
            {
                assertThat(reader.read(f, v, view)).isTrue();
                assertThat(bytes(view)).isEqualTo(payload("/c", v, 50));
            }
        }
    }

    @Test
    void shouldStoreLargeChangesetsAcrossChunksAndRejectOversized() throws Exception
    {
        final StoreConfig config = config(dir).shardCount(1);
        try (HistoryStore store = HistoryStore.open(config); HistoryReader reader = store.newReader())
        {
            final StoreShard shard = store.shard(0);
            final ServerFile f = shard.createServerFile("/big");
            final int max = config.maxChangesetLength();
            final UnsafeBuffer big = new UnsafeBuffer(ByteBuffer.allocateDirect(max + 1));
            final SplittableRandom r = new SplittableRandom(3);
            final List<byte[]> written = new ArrayList<>();
            for (int i = 0; i < 24; i++)
            {
                final byte[] p = new byte[max - r.nextInt(1000)];
                r.nextBytes(p);
                big.putBytes(0, p);
                assertThat(shard.append(f, 1, i, i, p.length, big, 0, p.length)).isEqualTo(i + 1);
                written.add(p);
            }
            assertThat(shard.append(f, 1, 0, 0, 0, big, 0, max + 1)).isEqualTo(StoreShard.REJECTED_TOO_LARGE);
            shard.publish();
            final EntryView view = new EntryView();
            for (int i = written.size() - 1; i >= 0; i--)
            {
                assertThat(reader.read(f, i + 1, view)).isTrue();
                assertThat(bytes(view)).isEqualTo(written.get(i));
            }
        }
    }

    @Test
    void shouldDeriveUploadProgressFromEntriesTheClientAuthored() throws Exception
    {
        final UnsafeBuffer changeset = new UnsafeBuffer(new byte[8]);
        try (HistoryStore store = HistoryStore.open(config(dir)))
        {
            final StoreShard shard = store.shardFor("/u");
            final ServerFile f = shard.createServerFile("/u");
            final ClientFileRecord c = shard.allocateClientFile(f, 0, 1);
            final ClientFileRecord other = shard.allocateClientFile(f, 0, 1);
            shard.append(f, c.ident(), 4, 0, 8, changeset, 0, 8);
            shard.append(f, c.ident(), 5, 0, 8, changeset, 0, 8);
            shard.append(f, 1, 9, 0, 8, changeset, 0, 8); // server-local origin: no client
            shard.publish();
            // the process "dies" here, before updateClientState
            assertThat(c.clientVersion()).isEqualTo(5);
            assertThat(other.clientVersion()).isZero();
        }
        try (HistoryStore store = HistoryStore.open(config(dir)))
        {
            final ServerFile f = store.serverFile("/u");
            final StoreShard shard = store.shardFor("/u");
            assertThat(shard.clientFile(f, 2).clientVersion()).isEqualTo(5);
            assertThat(shard.clientFile(f, 2).rhBaseVersion()).isZero();
            assertThat(shard.clientFile(f, 3).clientVersion()).isZero();
        }
    }

    @Test
    void shouldRefuseToCreateAServerFileInTheWrongShard() throws Exception
    {
        try (HistoryStore store = HistoryStore.open(config(dir)))
        {
            final String name = "/misplaced";
            final int right = HistoryStore.shardIndex(name, store.shardCount());
            final StoreShard wrong = store.shard((right + 1) % store.shardCount());
            assertThatThrownBy(() -> wrong.createServerFile(name)).isInstanceOf(IllegalArgumentException.class);
            assertThat(store.shardFor(name).index()).isEqualTo(right);
            assertThat(store.serverFile(name)).isNull();
        }
    }

    @Test
    void shouldAssertTheSingleWriterThread() throws Exception
    {
        assumeTrue(StoreShard.class.desiredAssertionStatus(), "assertions disabled");
        try (HistoryStore store = HistoryStore.open(config(dir).shardCount(1)))
        {
            final StoreShard shard = store.shard(0);
            final ServerFile f = shard.createServerFile("/w");
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final Thread other = new Thread(() ->
            {
                try
                {
                    appendPayload(shard, f, 10);
                }
                catch (final Throwable t)
                {
                    failure.set(t);
                }
            });
            other.start();
            other.join();
            assertThat(failure.get()).isInstanceOf(AssertionError.class);
            assertThat(f.lastAppended()).isZero();
        }
    }

    private static List<long[]> snapshotClients(final HistoryStore store, final ServerFile f)
    {
        final StoreShard shard = store.shardFor(f.name());
        final List<long[]> out = new ArrayList<>();
        final EntryView view = new EntryView();
        for (long ident = 2; ident < 2 + f.clientCount(); ident++)
        {
            final ClientFileRecord c = shard.clientFile(f, ident);
            long reciprocalHash = 0;
            for (long v = 1; v <= f.lastAppended(); v++)
            {
                if (shard.readReciprocal(c, v, view))
                {
                    reciprocalHash = reciprocalHash * 31 + v * 7 + java.util.Arrays.hashCode(bytes(view));
                }
            }
            out.add(new long[] {c.ident(), c.salt(), c.clientVersion(), c.rhBaseVersion(),
                c.lockedServerVersion(), c.lastSeen(), c.reciprocalCount(), reciprocalHash});
        }
        return out;
    }

    private static byte[] reciprocal(final long v)
    {
        return ("reciprocal of " + v).getBytes(StandardCharsets.UTF_8);
    }

    private static UnsafeBuffer heap(final byte[] b)
    {
        return new UnsafeBuffer(b);
    }
}
