package dev.outpost.server.store;

import dev.outpost.codec.CodecException;
import dev.outpost.ot.model.Changeset;
import dev.outpost.ot.model.ChangesetReader;
import dev.outpost.ot.model.ChangesetWriter;
import dev.outpost.ot.sync.HistoryCompactor;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.collections.LongArrayList;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.Reader;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * History compaction of a store directory that no server has open (offline: {@code outpost compact}).
 * <p>
 * Per server file, the <em>horizon</em> {@code h} is the smaller of the time horizon (the newest version such that it
 * and every version before it have an origin timestamp older than {@code now - clientMaxOffline}; every version
 * when {@code clientMaxOffline} is 0) and the reciprocal-history base ({@code rhBaseVersion}) of every client file
 * that has not expired. No such client downloads or merges below its base again, so versions {@code 1..h} are
 * compacted with {@link HistoryCompactor} (versions stay, with their metadata and original size; overwritten
 * instructions go, so an entry may become empty, which downloads skip). Client files that expired with a base below
 * {@code h} get {@code lastSeen = }{@link #COMPACTED_AWAY}, so they get {@code client_file_expired} at IDENT even if
 * the app's {@code client-max-offline} is raised later, and lose their reciprocal records.
 * <p>
 * The copy: each shard's <em>committed</em> records are written, unflagged, to a new queue directory
 * {@code shard-i.c(G+1)}: aborted commands, uncommitted units, COMMIT/ABORT markers, superseded
 * {@code CLIENT_STATE} records (all but each client's newest) and dead {@code RECIPROCAL} records (overwritten, at
 * or below the client's base, or of a client compacted away) are dropped; records a replay skips as invalid are
 * dropped too. Every file of the copy is forced, the {@code state-checkpoints} (derived) are deleted, and then the
 * format file is rewritten atomically with {@code generation = G+1}: <b>the switch</b>. Before it, the directory is
 * the old store (the partial copy is deleted at the next open, {@link HistoryStore#removeStrayShardDirectories});
 * after it, the new one (the old directories are deleted now or at the next open). Not thread-safe.
 */
public final class StoreCompaction
{
    /** {@code lastSeen} of a client file whose history was compacted away: expired whatever the setting. */
    public static final long COMPACTED_AWAY = Long.MIN_VALUE;
    /** Milliseconds between the Unix epoch and realm's timestamp epoch (2015-01-01), as entries store it. */
    static final long REALM_EPOCH_MS = 1420070400000L;

    /** What to keep. */
    public record Policy(long nowMs, long clientMaxOfflineMs)
    {
    }

    /** What a run did ({@code bytes*}: the shards' record bytes, before and after; the files are allocated in blocks). */
    public record Result(long bytesBefore, long bytesAfter, long versionsCompacted, long emptiedVersions,
        long instructionsDropped, long recordsBefore, long recordsAfter, long clientsCompactedAway, int generation,
        long durationMs)
    {
        @Override
        public String toString()
        {
            return "generation " + generation + ": " + bytesBefore + " -> " + bytesAfter + " record bytes, " +
                versionsCompacted + " versions compacted (" + emptiedVersions + " now empty, " + instructionsDropped +
                " instructions dropped), records " + recordsBefore + " -> " + recordsAfter + ", " +
                clientsCompactedAway + " expired client file(s) compacted away, " + durationMs + " ms";
        }
    }

    /** Test hook: called after each step; throwing stops the run there, as a crash would. */
    interface Steps
    {
        void reached(String step) throws IOException;
    }

    private static final Steps NO_STEPS = step -> { };

    private StoreCompaction()
    {
    }

    /**
     * Compacts the store in {@code dir}. The directory must not be open in any process.
     *
     * @throws StoreOpenException if it is no readable store.
     * @throws IOException        if reading, writing or the switch fails (the store is then as before).
     */
    public static Result compact(final Path dir, final Policy policy) throws StoreOpenException, IOException
    {
        return compact(dir, policy, NO_STEPS);
    }

    static Result compact(final Path dir, final Policy policy, final Steps steps)
        throws StoreOpenException, IOException
    {
        final long start = System.nanoTime();
        final StoreConfig config = new StoreConfig().dataDir(dir);
        // An open for writing: upgrades the format, finishes or rolls back an earlier run, checks the queues.
        HistoryStore.open(config).close();
        final Properties format = readFormat(dir);
        final int shards = Integer.parseInt(format.getProperty("shards").trim());
        final int generation = Integer.parseInt(format.getProperty(HistoryStore.GENERATION_KEY, "0").trim());
        final int next = generation + 1;
        final Totals totals = new Totals();
        final Properties until = new Properties();
        for (int i = 0; i < shards; i++)
        {
            final Path from = dir.resolve(HistoryStore.shardDirectoryName(i, generation));
            final Path to = dir.resolve(HistoryStore.shardDirectoryName(i, next));
            HistoryStore.deleteTree(to);
            if (Files.isDirectory(from))
            {
                compactShard(from, to, config, policy, totals, until);
                steps.reached("copied shard " + i);
            }
            forceTree(to);
        }
        final Path untilFile = dir.resolve(untilFileName(next));
        try (java.io.Writer w = Files.newBufferedWriter(untilFile, StandardCharsets.UTF_8))
        {
            until.store(w, "server file = the version its history is compacted until (generation " + next + ", " +
                java.time.Instant.ofEpochMilli(policy.nowMs()) + ")");
        }
        try (FileChannel ch = FileChannel.open(untilFile, StandardOpenOption.WRITE))
        {
            ch.force(true);
        }
        forceDirectory(dir);
        steps.reached("copied");
        HistoryStore.deleteTree(dir.resolve("state-checkpoints"));
        steps.reached("checkpoints deleted");
        HistoryStore.writeFormatFile(dir, HistoryStore.FORMAT_VERSION, shards, next);
        forceDirectory(dir);
        steps.reached("switched");
        for (int i = 0; i < shards; i++)
        {
            HistoryStore.deleteTree(dir.resolve(HistoryStore.shardDirectoryName(i, generation)));
            steps.reached("deleted old shard " + i);
        }
        Files.deleteIfExists(dir.resolve(untilFileName(generation)));
        return new Result(totals.bytesBefore, totals.bytesAfter, totals.versions, totals.emptied, totals.dropped,
            totals.recordsBefore, totals.recordsAfter, totals.compactedAway, next,
            (System.nanoTime() - start) / 1_000_000);
    }

    private static String untilFileName(final int generation)
    {
        return "compaction-" + generation + ".properties";
    }

    /**
     * @param dir a store directory.
     * @return per server file name, the version its history is compacted until (files not compacted are absent);
     * empty if the store was never compacted or the list cannot be read (it is informational only).
     */
    public static java.util.Map<String, Long> compactedUntil(final Path dir)
    {
        final java.util.Map<String, Long> map = new java.util.HashMap<>();
        try
        {
            final int generation = generation(dir);
            if (generation == 0)
            {
                return map;
            }
            final Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(dir.resolve(untilFileName(generation)), StandardCharsets.UTF_8))
            {
                p.load(r);
            }
            for (final String name : p.stringPropertyNames())
            {
                map.put(name, Long.parseLong(p.getProperty(name).trim()));
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            // informational: nothing to show
        }
        return map;
    }

    /**
     * @return the compaction generation of a store directory (0: never compacted), from its format file.
     */
    public static int generation(final Path dir) throws IOException
    {
        return Integer.parseInt(readFormat(dir).getProperty(HistoryStore.GENERATION_KEY, "0").trim());
    }

    private static final class Totals
    {
        long versions;
        long emptied;
        long dropped;
        long recordsBefore;
        long recordsAfter;
        long compactedAway;
        long bytesBefore;
        long bytesAfter;
    }

    private static final class ClientInfo
    {
        long rhBase;
        long lastSeen;
        long stateOrdinal = -1;
        boolean compactedAway;
        final Long2LongHashMap reciprocals = new Long2LongHashMap(-1); // version -> ordinal of its newest record
    }

    private static final class FileInfo
    {
        String name;
        boolean deleted; // a committed FILE_DELETED: its records are dropped, its FILE_CREATED and tombstone kept
        long head;
        long timeHorizon;
        boolean timeBroken;
        final LongArrayList entryIndex = new LongArrayList(); // Chronicle index of version v at v - 1
        final Long2ObjectHashMap<ClientInfo> clients = new Long2ObjectHashMap<>();
        long horizon;
        final Long2ObjectHashMap<byte[]> compacted = new Long2ObjectHashMap<>();
    }

    /** Receives each committed record of a shard in order (the buffer is valid during the call only). */
    private interface RecordConsumer
    {
        void accept(UnsafeBuffer record, long index, long ordinal) throws IOException;
    }

    private static void compactShard(final Path from, final Path to, final StoreConfig config, final Policy policy,
        final Totals totals, final Properties until) throws IOException
    {
        final Int2ObjectHashMap<FileInfo> files = new Int2ObjectHashMap<>();
        final long cutoffRealmMs = policy.clientMaxOfflineMs() > 0 ?
            policy.nowMs() - policy.clientMaxOfflineMs() - REALM_EPOCH_MS : Long.MAX_VALUE;
        try (SingleChronicleQueue in = SingleChronicleQueueBuilder.binary(from).readOnly(true)
            .timeoutMS(config.timeoutMs()).build())
        {
            // pass 1: what is live, and each file's horizon
            totals.recordsBefore += forEachCommitted(in, totals, (r, index, ordinal) ->
            {
                final byte type = r.getByte(RecordLayout.TYPE_OFFSET);
                final int fileId = r.getInt(RecordLayout.FILE_ID_OFFSET);
                final long key = r.getLong(RecordLayout.KEY_OFFSET);
                if (type == RecordLayout.FILE_CREATED)
                {
                    if (files.get(fileId) == null && r.capacity() >= RecordLayout.FILE_NAME_OFFSET)
                    {
                        final FileInfo f = new FileInfo();
                        final int n = r.getInt(RecordLayout.FILE_NAME_LENGTH_OFFSET);
                        f.name = n >= 0 && RecordLayout.FILE_NAME_OFFSET + n <= r.capacity() ?
                            r.getStringWithoutLengthUtf8(RecordLayout.FILE_NAME_OFFSET, n) : null;
                        files.put(fileId, f);
                    }
                    return;
                }
                final FileInfo f = files.get(fileId);
                if (f == null)
                {
                    return;
                }
                if (type == RecordLayout.FILE_DELETED)
                {
                    f.deleted = true;
                    return;
                }
                if (type == RecordLayout.ENTRY && r.capacity() >= RecordLayout.ENTRY_HEADER_LENGTH && key == f.head + 1)
                {
                    f.head = key;
                    f.entryIndex.addLong(index);
                    final long ts = r.getLong(RecordLayout.ENTRY_TIMESTAMP_OFFSET);
                    if (!f.timeBroken && ts < cutoffRealmMs)
                    {
                        f.timeHorizon = key;
                    }
                    else
                    {
                        f.timeBroken = true;
                    }
                }
                else if (type == RecordLayout.CLIENT_ALLOCATED && r.capacity() >= RecordLayout.CLIENT_ALLOCATED_LENGTH)
                {
                    final ClientInfo c = new ClientInfo();
                    c.lastSeen = r.getLong(RecordLayout.CLIENT_ALLOCATED_LAST_SEEN_OFFSET);
                    f.clients.put(key, c);
                }
                else if (type == RecordLayout.CLIENT_STATE && r.capacity() >= RecordLayout.CLIENT_STATE_LENGTH)
                {
                    final ClientInfo c = f.clients.get(key);
                    if (c != null)
                    {
                        c.rhBase = r.getLong(RecordLayout.STATE_RH_BASE_OFFSET);
                        c.lastSeen = r.getLong(RecordLayout.STATE_LAST_SEEN_OFFSET);
                        c.stateOrdinal = ordinal;
                    }
                }
                else if (type == RecordLayout.RECIPROCAL && r.capacity() >= RecordLayout.RECIPROCAL_HEADER_LENGTH)
                {
                    final ClientInfo c = f.clients.get(key);
                    if (c != null)
                    {
                        c.reciprocals.put(r.getLong(RecordLayout.RECIPROCAL_VERSION_OFFSET), ordinal);
                    }
                }
            });
            for (final FileInfo f : files.values())
            {
                if (f.deleted)
                {
                    continue; // nothing of it is copied but its FILE_CREATED (fileIds stay) and its tombstone
                }
                long h = policy.clientMaxOfflineMs() > 0 ? f.timeHorizon : f.head;
                for (final ClientInfo c : f.clients.values())
                {
                    if (!expired(c.lastSeen, policy))
                    {
                        h = Math.min(h, c.rhBase);
                    }
                }
                f.horizon = h;
                for (final ClientInfo c : f.clients.values())
                {
                    if (c.rhBase < h)
                    {
                        c.compactedAway = true; // expired (else h <= its base)
                        totals.compactedAway++;
                    }
                }
                compactEntries(in, f, totals);
                if (f.name != null && h > 0)
                {
                    until.setProperty(f.name, Long.toString(h));
                }
            }
        }
        // pass 2: the copy
        try (SingleChronicleQueue in = SingleChronicleQueueBuilder.binary(from).readOnly(true)
            .timeoutMS(config.timeoutMs()).build();
            SingleChronicleQueue out = SingleChronicleQueueBuilder.binary(to).rollCycle(config.rollCycle())
                .blockSize(config.blockSize()).timeoutMS(config.timeoutMs()).indexSpacing(config.indexSpacing())
                .indexCount(config.indexCount()).build();
            ExcerptAppender appender = out.createAppender())
        {
            final UnsafeBuffer scratch = new UnsafeBuffer(new byte[64]);
            final long[] written = new long[1];
            forEachCommitted(in, null, (r, index, ordinal) ->
            {
                final byte type = r.getByte(RecordLayout.TYPE_OFFSET);
                final FileInfo f = files.get(r.getInt(RecordLayout.FILE_ID_OFFSET));
                final long key = r.getLong(RecordLayout.KEY_OFFSET);
                UnsafeBuffer record = r;
                int length = r.capacity();
                if (type != RecordLayout.FILE_CREATED && type <= RecordLayout.RECIPROCAL && (f == null || f.deleted))
                {
                    return; // a replay skips it, or its server file was deleted (the tombstone is kept)
                }
                switch (type)
                {
                    case RecordLayout.ENTRY ->
                    {
                        if (key < 1 || key > f.head || f.entryIndex.getLong((int)(key - 1)) != index)
                        {
                            return; // not the record that made this version
                        }
                        final byte[] bytes = f.compacted.get(key);
                        if (bytes != null)
                        {
                            record = ensure(scratch, RecordLayout.ENTRY_HEADER_LENGTH + bytes.length);
                            record.putBytes(0, r, 0, RecordLayout.ENTRY_HEADER_LENGTH);
                            record.putInt(RecordLayout.ENTRY_LENGTH_OFFSET, bytes.length);
                            record.putBytes(RecordLayout.ENTRY_HEADER_LENGTH, bytes);
                            length = RecordLayout.ENTRY_HEADER_LENGTH + bytes.length;
                        }
                    }
                    case RecordLayout.CLIENT_ALLOCATED ->
                    {
                        final ClientInfo c = f.clients.get(key);
                        if (c != null && c.compactedAway && c.stateOrdinal < 0)
                        {
                            record = copyOf(scratch, r, length);
                            record.putLong(RecordLayout.CLIENT_ALLOCATED_LAST_SEEN_OFFSET, COMPACTED_AWAY);
                        }
                    }
                    case RecordLayout.CLIENT_STATE ->
                    {
                        final ClientInfo c = f.clients.get(key);
                        if (c == null || c.stateOrdinal != ordinal)
                        {
                            return; // superseded
                        }
                        if (c.compactedAway)
                        {
                            record = copyOf(scratch, r, length);
                            record.putLong(RecordLayout.STATE_LAST_SEEN_OFFSET, COMPACTED_AWAY);
                        }
                    }
                    case RecordLayout.RECIPROCAL ->
                    {
                        final ClientInfo c = f.clients.get(key);
                        if (c == null || c.compactedAway)
                        {
                            return;
                        }
                        final long version = r.getLong(RecordLayout.RECIPROCAL_VERSION_OFFSET);
                        if (version <= c.rhBase || c.reciprocals.get(version) != ordinal)
                        {
                            return; // trimmed or overwritten
                        }
                    }
                    default ->
                    {
                    }
                }
                if (record == r)
                {
                    record = copyOf(scratch, r, length);
                }
                record.putByte(RecordLayout.FLAGS_OFFSET, (byte)0); // committed on its own
                try (DocumentContext w = appender.writingDocument())
                {
                    w.wire().bytes().write(record.byteArray(), 0, length);
                }
                written[0]++;
                totals.bytesAfter += length;
            });
            totals.recordsAfter += written[0];
        }
    }

    private static boolean expired(final long lastSeen, final Policy policy)
    {
        return lastSeen == COMPACTED_AWAY ||
            (policy.clientMaxOfflineMs() > 0 && policy.nowMs() - lastSeen > policy.clientMaxOfflineMs());
    }

    /** Backward over versions horizon..1: the compacted bytes of every entry that changes. */
    private static void compactEntries(final SingleChronicleQueue in, final FileInfo f, final Totals totals)
    {
        if (f.horizon < 1)
        {
            return;
        }
        final HistoryCompactor compactor = new HistoryCompactor();
        final ChangesetReader reader = new ChangesetReader();
        final ChangesetWriter writer = new ChangesetWriter();
        final UnsafeBuffer view = new UnsafeBuffer(new byte[64]);
        byte[] copy = new byte[256];
        final ExcerptTailer tailer = in.createTailer();
        for (long v = f.horizon; v >= 1; v--)
        {
            if (!tailer.moveToIndex(f.entryIndex.getLong((int)(v - 1))))
            {
                compactor.reset();
                continue;
            }
            try (DocumentContext dc = tailer.readingDocument())
            {
                if (!dc.isPresent())
                {
                    compactor.reset();
                    continue;
                }
                final Bytes<?> bytes = dc.wire().bytes();
                final int length = (int)bytes.readRemaining();
                if (copy.length < length)
                {
                    copy = new byte[Math.max(length, copy.length * 2)];
                }
                bytes.read(copy, 0, length);
                view.wrap(copy, 0, length);
                final long origin = view.getLong(RecordLayout.ENTRY_ORIGIN_FILE_OFFSET);
                final long clientVersion = view.getLong(RecordLayout.ENTRY_CLIENT_VERSION_OFFSET);
                final long ts = view.getLong(RecordLayout.ENTRY_TIMESTAMP_OFFSET);
                final int csLength = view.getInt(RecordLayout.ENTRY_LENGTH_OFFSET);
                if (RevertEntryMarker.targetOf(origin, clientVersion) != 0 ||
                    csLength < 0 || RecordLayout.ENTRY_HEADER_LENGTH + csLength > length)
                {
                    compactor.reset(); // kept as it is, and nothing before it is dropped because of what follows
                    continue;
                }
                final Changeset cs;
                try
                {
                    cs = reader.read(view, RecordLayout.ENTRY_HEADER_LENGTH, csLength, new Changeset());
                }
                catch (final CodecException ex)
                {
                    compactor.reset();
                    continue;
                }
                totals.versions++;
                if (compactor.compactPreceding(cs, ts, origin) > 0)
                {
                    f.compacted.put(v, writer.toBytes(cs));
                    if (cs.isEmpty())
                    {
                        totals.emptied++;
                    }
                }
            }
        }
        totals.dropped += compactor.droppedInstructions();
    }

    /** Calls {@code consumer} for every committed record, in order, as the store's replay would apply them. */
    private static long forEachCommitted(final SingleChronicleQueue queue, final Totals readBytes,
        final RecordConsumer consumer) throws IOException
    {
        final List<byte[]> pending = new ArrayList<>();
        final LongArrayList pendingIndex = new LongArrayList();
        int commandStart = 0;
        boolean open = false;
        long ordinal = 0;
        final UnsafeBuffer record = new UnsafeBuffer(new byte[0]);
        byte[] copy = new byte[256];
        final ExcerptTailer tailer = queue.createTailer().toStart();
        while (true)
        {
            final long index;
            final int length;
            try (DocumentContext dc = tailer.readingDocument())
            {
                if (!dc.isPresent())
                {
                    break;
                }
                final Bytes<?> bytes = dc.wire().bytes();
                final long remaining = bytes.readRemaining();
                if (remaining < RecordLayout.COMMON_HEADER_LENGTH || remaining > Integer.MAX_VALUE)
                {
                    continue;
                }
                length = (int)remaining;
                if (readBytes != null)
                {
                    readBytes.bytesBefore += length;
                }
                if (copy.length < length)
                {
                    copy = new byte[Math.max(length, copy.length * 2)];
                }
                bytes.read(copy, 0, length);
                index = dc.index();
            }
            final byte type = copy[RecordLayout.TYPE_OFFSET];
            final byte flags = copy[RecordLayout.FLAGS_OFFSET];
            if (type == RecordLayout.COMMIT || type == RecordLayout.ABORT)
            {
                if (open && type == RecordLayout.COMMIT)
                {
                    for (int i = 0; i < pending.size(); i++)
                    {
                        final byte[] p = pending.get(i);
                        record.wrap(p);
                        consumer.accept(record, pendingIndex.getLong(i), ordinal++);
                    }
                    pending.clear();
                    pendingIndex.clear();
                    open = false;
                }
                else if (open)
                {
                    while (pending.size() > commandStart)
                    {
                        pending.remove(pending.size() - 1);
                        pendingIndex.removeAt(pendingIndex.size() - 1);
                    }
                }
                continue;
            }
            if (type != RecordLayout.FILE_CREATED)
            {
                if ((flags & RecordLayout.FLAG_TXN) == 0 || (flags & RecordLayout.FLAG_UNIT_START) != 0)
                {
                    pending.clear(); // a unit that never committed
                    pendingIndex.clear();
                    open = (flags & RecordLayout.FLAG_TXN) != 0;
                    commandStart = 0;
                }
                else if (!open)
                {
                    continue; // a later record of a dropped unit
                }
                if (open)
                {
                    if ((flags & RecordLayout.FLAG_CMD_START) != 0)
                    {
                        commandStart = pending.size();
                    }
                    final byte[] p = new byte[length];
                    System.arraycopy(copy, 0, p, 0, length);
                    pending.add(p);
                    pendingIndex.addLong(index);
                    continue;
                }
            }
            record.wrap(copy, 0, length);
            consumer.accept(record, index, ordinal++);
        }
        return ordinal;
    }

    private static UnsafeBuffer ensure(final UnsafeBuffer scratch, final int length)
    {
        if (scratch.capacity() < length)
        {
            scratch.wrap(new byte[Math.max(length, scratch.capacity() * 2)]);
        }
        return scratch;
    }

    private static UnsafeBuffer copyOf(final UnsafeBuffer scratch, final UnsafeBuffer r, final int length)
    {
        final UnsafeBuffer b = ensure(scratch, length);
        b.putBytes(0, r, 0, length);
        return b;
    }

    private static Properties readFormat(final Path dir) throws IOException
    {
        final Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(dir.resolve(HistoryStore.FORMAT_FILE), StandardCharsets.UTF_8))
        {
            p.load(r);
        }
        return p;
    }

    private static void forceTree(final Path root) throws IOException
    {
        if (!Files.isDirectory(root))
        {
            return;
        }
        try (Stream<Path> all = Files.walk(root))
        {
            for (final Path p : all.filter(Files::isRegularFile).toList())
            {
                try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE))
                {
                    ch.force(true);
                }
            }
        }
        forceDirectory(root);
    }

    private static void forceDirectory(final Path dir) throws IOException
    {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ))
        {
            ch.force(true);
        }
        catch (final IOException ex)
        {
            // some filesystems refuse fsync on a directory; the rename that follows is still atomic
        }
    }

    static
    {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN)
        {
            throw new IllegalStateException("the store's records are little-endian");
        }
    }
}
