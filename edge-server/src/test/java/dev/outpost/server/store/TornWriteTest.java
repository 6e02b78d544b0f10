package dev.outpost.server.store;

import static dev.outpost.server.store.StoreTestSupport.appendPayload;
import static dev.outpost.server.store.StoreTestSupport.bytes;
import static dev.outpost.server.store.StoreTestSupport.config;
import static dev.outpost.server.store.StoreTestSupport.payload;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Torn writes at every record boundary of a shard's queue, and inside every record: a history of several commit units
 * (one with an aborted command) is written, then for each cut a copy of the data directory loses everything from the
 * cut on (zeroed, as pages that never reached the disk), or keeps a record half written with its header still marked
 * incomplete (a crash inside the document). Each copy must open without repair, keep exactly the units whose COMMIT
 * lies before the cut (every record of a later unit is dropped, nothing of the aborted command appears), read every
 * kept version back byte for byte, and take new writes that survive the next reopen.
 * <p>
 * Which units a real failure can cut: with {@code durability: os} a kill of the process loses nothing complete (the
 * pages belong to the OS), a power loss any suffix of the queue, so also acknowledged units of the last seconds; with
 * {@code durability: fsync} a unit is forced to disk before anything of it is acknowledged, so a cut can only fall
 * into units nobody was told about.
 */
class TornWriteTest
{
    private static final int NOT_COMPLETE = 0x80000000;
    private static final int META_DATA = 0x40000000;
    private static final int LENGTH_MASK = 0x3FFFFFFF;
    /**
     * Where the cycle file's header keeps {@code writePosition}: the position of the last complete document, then
     * that position and the document's sequence number packed into one long (checked against the original).
     */
    private static final int WRITE_POSITION_OFFSET = 0x40;
    private static final String A = "/torn-a";
    private static final String B = "/torn-b";

    @TempDir
    Path dir;

    /** One queue document: where it starts, its length, and for data documents the record type. */
    private record Doc(long position, int length, boolean meta, int type)
    {
    }

    @Test
    void shouldKeepEveryCommittedUnitWhateverRecordIsTorn() throws Exception
    {
        tearEveryRecord(false);
    }

    /**
     * A power loss that kept the cycle file's header page (its {@code writePosition} names the last document written)
     * but not the data pages it points to: the queue ends at the cut, its header says it goes on. The store must
     * bring the write position back to the end of what replay read, so the first append lands right after it and is
     * seen by the next replay (Chronicle would append after the empty header, where a tailer stops: lost writes).
     */
    @Test
    void shouldKeepNewWritesVisibleWhenTheHeaderOutlivedTheDataPages() throws Exception
    {
        tearEveryRecord(true);
    }

    private void tearEveryRecord(final boolean headerAhead) throws Exception
    {
        final Path original = dir.resolve("original");
        // heads of A and B after each commit unit: expected[u] = {a, b}
        final List<long[]> committed = new ArrayList<>();
        try (HistoryStore store = HistoryStore.open(config(original).shardCount(1)))
        {
            final StoreShard shard = store.shard(0);
            final ServerFile a = shard.createServerFile(A);
            final ServerFile b = shard.createServerFile(B);
            committed.add(new long[] {0, 0});
            for (int unit = 0; unit < 5; unit++)
            {
                shard.beginCommand();
                final ClientFileRecord c = shard.allocateClientFile(a, 0, unit);
                appendPayload(shard, a, 300);
                appendPayload(shard, a, 300);
                shard.updateClientState(a, c, 0, 0, 0, unit);
                shard.endCommand();
                if (unit == 2)
                {
                    shard.beginCommand(); // aborted: none of it may ever appear
                    appendPayload(shard, b, 300);
                    appendPayload(shard, a, 300);
                    shard.abortCommand();
                }
                shard.beginCommand();
                appendPayload(shard, b, 300);
                shard.endCommand();
                assertThat(shard.publish()).isTrue();
                committed.add(new long[] {a.head(), b.head()});
            }
        }
        final Path cycle = cycleFile(original);
        final List<Doc> docs = documents(cycle);
        final List<Doc> data = docs.stream().filter(d -> !d.meta()).toList();
        assertThat(data.stream().filter(d -> d.type() == RecordLayout.COMMIT).count()).isEqualTo(5);
        assertThat(data.stream().filter(d -> d.type() == RecordLayout.ABORT).count()).isEqualTo(1);
        final long end = docs.get(docs.size() - 1).position() + 4 + docs.get(docs.size() - 1).length();
        assertThat(writePosition(cycle)).as("the queue header's writePosition is where this test looks for it")
            .isEqualTo(data.get(data.size() - 1).position());

        int cuts = 0;
        // from the second record: a queue cut before its very first record is a queue that was never written to
        for (int i = 1; i < data.size(); i++)
        {
            final Doc cut = data.get(i);
            final Doc last = data.get(i - 1);
            // the units whose COMMIT lies before the cut
            int units = 0;
            for (int j = 0; j < i; j++)
            {
                if (data.get(j).type() == RecordLayout.COMMIT)
                {
                    units++;
                }
            }
            final long[] expected = committed.get(units);
            // lost from the record's first byte on
            check(original, cut, last, i - 1, end, -1, expected, "cut before record " + i, headerAhead);
            cuts++;
            // torn inside the record: its header still says incomplete, part of its body is there
            for (final int kept : new int[] {0, cut.length() / 2, cut.length() - 1})
            {
                check(original, cut, last, i - 1, end, kept, expected,
                    "record " + i + " torn after " + kept + " bytes", headerAhead);
                cuts++;
            }
        }
        assertThat(cuts).isGreaterThan(4 * 20);
    }

    /**
     * Copies the directory, tears the copy at {@code cut} ({@code kept < 0}: zeroes from its header on; else marks
     * it incomplete and zeroes its body from {@code kept} bytes on), then opens, checks and writes to it.
     * {@code headerAhead}: the header keeps the original {@code writePosition} (past the cut, as after a power loss
     * that kept the header page); else it names the last complete document (as a stopped process leaves it).
     */
    private void check(final Path original, final Doc cut, final Doc last, final long lastSequence, final long end,
        final int kept, final long[] expected, final String what, final boolean headerAhead) throws Exception
    {
        final Path copy = dir.resolve("copy");
        deleteTree(copy);
        copyTree(original, copy);
        try (FileChannel ch = FileChannel.open(cycleFile(copy), StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            final long zeroFrom = kept < 0 ? cut.position() : cut.position() + 4 + kept;
            ch.write(ByteBuffer.allocate((int)(end - zeroFrom)), zeroFrom);
            if (kept >= 0)
            {
                final ByteBuffer header = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
                header.putInt(0, NOT_COMPLETE);
                ch.write(header, cut.position());
            }
            if (!headerAhead)
            {
                // the header names the last complete document, as when the process stopped there (a kill leaves it
                // so); with headerAhead it still names the original last document, beyond the cut
                final ByteBuffer position = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
                position.putLong(0, last.position());
                position.putLong(8, last.position() << 32 | lastSequence);
                ch.write(position, WRITE_POSITION_OFFSET);
            }
        }
        final long[] written;
        try (HistoryStore store = HistoryStore.open(config(copy)))
        {
            final ServerFile a = store.serverFile(A);
            final ServerFile b = store.serverFile(B);
            assertThat(a == null ? 0 : a.head()).as(what + ": head of A").isEqualTo(expected[0]);
            assertThat(b == null ? 0 : b.head()).as(what + ": head of B").isEqualTo(expected[1]);
            if (a != null)
            {
                assertThat(a.clientCount()).as(what + ": clients of A").isEqualTo(expected[0] / 2);
                readBack(store, a, what);
            }
            if (b != null)
            {
                readBack(store, b, what);
            }
            // writing resumes where the last complete record ended
            final StoreShard shard = store.shard(0);
            final ServerFile target = shard.createServerFile(B);
            shard.beginCommand();
            appendPayload(shard, target, 300);
            shard.endCommand();
            assertThat(shard.publish()).isTrue();
            written = new long[] {expected[0], target.head()};
        }
        try (HistoryStore store = HistoryStore.open(config(copy)))
        {
            final ServerFile a = store.serverFile(A);
            assertThat(a == null ? 0 : a.head()).as(what + ": after writing").isEqualTo(written[0]);
            assertThat(store.serverFile(B).head()).as(what + ": after writing").isEqualTo(written[1]);
            readBack(store, store.serverFile(B), what + ", after writing");
        }
    }

    private static void readBack(final HistoryStore store, final ServerFile f, final String what)
    {
        final HistoryReader reader = store.newReader();
        final EntryView view = new EntryView();
        for (long v = 1; v <= f.head(); v++)
        {
            assertThat(reader.read(f, v, view)).as(what + ": read " + f.name() + " v" + v).isTrue();
            assertThat(bytes(view)).as(what + ": " + f.name() + " v" + v).isEqualTo(payload(f.name(), v, 300));
        }
    }

    /** Walks the cycle file's documents (4-byte little-endian headers, 4-byte aligned) up to the first empty one. */
    private static List<Doc> documents(final Path cycle) throws IOException
    {
        final List<Doc> docs = new ArrayList<>();
        try (FileChannel ch = FileChannel.open(cycle, StandardOpenOption.READ))
        {
            final ByteBuffer buf = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size()).order(ByteOrder.LITTLE_ENDIAN);
            long pos = 0;
            while (pos + 4 <= buf.limit())
            {
                final int h = buf.getInt((int)pos);
                if (h == 0)
                {
                    break;
                }
                assertThat(h & NOT_COMPLETE).as("complete document at %d", pos).isZero();
                final int length = h & LENGTH_MASK;
                final boolean meta = (h & META_DATA) != 0;
                docs.add(new Doc(pos, length, meta, meta ? -1 : buf.get((int)pos + 4)));
                pos = (pos + 4 + length + 3) & ~3L;
            }
        }
        return docs;
    }

    private static long writePosition(final Path cycle) throws IOException
    {
        try (FileChannel ch = FileChannel.open(cycle, StandardOpenOption.READ))
        {
            final ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(b, WRITE_POSITION_OFFSET);
            return b.getLong(0);
        }
    }

    private static Path cycleFile(final Path storeDir) throws IOException
    {
        try (Stream<Path> files = Files.list(storeDir.resolve("shard-0")))
        {
            final List<Path> cycles = files.filter(p -> p.toString().endsWith(".cq4")).toList();
            assertThat(cycles).hasSize(1);
            return cycles.get(0);
        }
    }

    private static void copyTree(final Path from, final Path to) throws IOException
    {
        try (Stream<Path> all = Files.walk(from))
        {
            for (final Path p : (Iterable<Path>)all::iterator)
            {
                final Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p))
                {
                    Files.createDirectories(target);
                }
                else
                {
                    Files.copy(p, target);
                }
            }
        }
    }

    private static void deleteTree(final Path root) throws IOException
    {
        if (!Files.exists(root))
        {
            return;
        }
        try (Stream<Path> all = Files.walk(root))
        {
            for (final Path p : all.sorted(java.util.Comparator.reverseOrder()).toList())
            {
                Files.delete(p);
            }
        }
    }
}
