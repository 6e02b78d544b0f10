package dev.outpost.server.backup;

import dev.outpost.server.store.HistoryStore;
import dev.outpost.server.store.StoreConfig;
import dev.outpost.server.store.StoreOpenException;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * Copies a history store (STORE.md) record by record, the way its own replay reads it, so the copy is a state the
 * store was in even while a server appends to it:
 * <ul>
 * <li>each shard's queue is read with a read-only tailer from its first record to the end it sees; Chronicle
 * never shows a document that is not complete, so the copy of each shard is a prefix of its history;</li>
 * <li>the records are appended, byte for byte and in order, to a new queue per shard (nothing in the store refers
 * to queue indexes or cycle files: the indexes are rebuilt at replay);</li>
 * <li>a commit unit cut by the end of the copy is dropped by the copy's replay exactly as after a crash, and none
 * of its commands had been acknowledged.</li>
 * </ul>
 * Shards are copied one after another: a server file lives in one shard, so each server file is consistent, which
 * is what a client's state depends on. Not thread-safe; one copy at a time per target.
 */
final class StoreCopy
{
    private StoreCopy()
    {
    }

    /** What one copied store holds, from the replay of the copy. */
    record Result(int shards, long records, int serverFiles, long skippedRecords)
    {
    }

    /**
     * @param from a store directory (holding {@value HistoryStore#FORMAT_FILE}), possibly in use by a server.
     * @param to   a missing or empty directory.
     * @return what was copied, checked by opening the copy read-only (a full replay).
     */
    static Result copy(final Path from, final Path to) throws BackupException, IOException
    {
        final StoreConfig defaults = new StoreConfig(); // also switches Chronicle's analytics off first
        final Path formatFile = from.resolve(HistoryStore.FORMAT_FILE);
        final Properties format = new Properties();
        try (Reader r = Files.newBufferedReader(formatFile, StandardCharsets.UTF_8))
        {
            format.load(r);
        }
        final int shards;
        try
        {
            shards = Integer.parseInt(format.getProperty("shards", "").trim());
        }
        catch (final NumberFormatException ex)
        {
            throw new BackupException(formatFile + " has no valid 'shards': not a readable Outpost store", false);
        }
        final int generation;
        try
        {
            generation = Integer.parseInt(format.getProperty("generation", "0").trim());
        }
        catch (final NumberFormatException ex)
        {
            throw new BackupException(formatFile + " has no valid 'generation': not a readable Outpost store", false);
        }
        Files.createDirectories(to);
        long records = 0;
        byte[] copy = new byte[4096];
        for (int i = 0; i < shards; i++)
        {
            final Path source = from.resolve(HistoryStore.shardDirectoryName(i, generation));
            if (!Files.isDirectory(source))
            {
                continue; // a shard that was never written to
            }
            try (SingleChronicleQueue in = SingleChronicleQueueBuilder.binary(source).readOnly(true)
                .timeoutMS(defaults.timeoutMs()).build();
                SingleChronicleQueue out = SingleChronicleQueueBuilder.binary(to.resolve("shard-" + i))
                    .rollCycle(RollCycles.FAST_DAILY).blockSize(defaults.blockSize())
                    .indexSpacing(defaults.indexSpacing()).indexCount(defaults.indexCount())
                    .timeoutMS(defaults.timeoutMs()).build();
                ExcerptTailer tailer = in.createTailer();
                ExcerptAppender appender = out.createAppender())
            {
                tailer.toStart();
                while (true)
                {
                    try (DocumentContext dc = tailer.readingDocument())
                    {
                        if (!dc.isPresent())
                        {
                            break;
                        }
                        final Bytes<?> bytes = dc.wire().bytes();
                        final long remaining = bytes.readRemaining();
                        if (remaining > Integer.MAX_VALUE)
                        {
                            continue; // not a record of ours; the store's replay skips it too
                        }
                        final int length = (int)remaining;
                        if (copy.length < length)
                        {
                            copy = new byte[Math.max(length, copy.length * 2)];
                        }
                        bytes.read(copy, 0, length);
                        try (DocumentContext w = appender.writingDocument())
                        {
                            w.wire().bytes().write(copy, 0, length);
                        }
                        records++;
                    }
                }
            }
        }
        // The format file last: a directory without it is never mistaken for a store. The copy's shards are
        // shard-i whatever compaction generation the source is at.
        format.remove("generation");
        try (java.io.Writer w = Files.newBufferedWriter(to.resolve(HistoryStore.FORMAT_FILE), StandardCharsets.UTF_8))
        {
            format.store(w, "Outpost data directory; do not edit");
        }
        return verify(to, shards, records);
    }

    private static Result verify(final Path dir, final int shards, final long records) throws BackupException
    {
        try (HistoryStore store = HistoryStore.open(new StoreConfig().dataDir(dir).readOnly(true)))
        {
            final int[] files = new int[1];
            store.forEachServerFile(f -> files[0]++);
            long skipped = 0;
            for (int i = 0; i < store.shardCount(); i++)
            {
                skipped += store.shard(i).skippedRecords();
            }
            return new Result(shards, records, files[0], skipped);
        }
        catch (final StoreOpenException ex)
        {
            throw new BackupException("the copy in " + dir + " does not open: " + ex.getMessage(), false);
        }
    }
}
