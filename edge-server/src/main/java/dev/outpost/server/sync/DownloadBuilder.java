package dev.outpost.server.sync;

import dev.outpost.codec.CodecException;
import dev.outpost.codec.message.BodyCompression;
import dev.outpost.codec.message.EntryEncoder;
import dev.outpost.codec.message.ServerMessageEncoder;
import dev.outpost.ot.model.Changeset;
import dev.outpost.ot.model.ChangesetReader;
import dev.outpost.ot.model.ChangesetWriter;
import dev.outpost.server.store.EntryView;
import dev.outpost.server.store.HistoryReader;
import dev.outpost.server.store.RevertEntryMarker;
import dev.outpost.server.store.ServerFile;
import dev.outpost.server.sync.flx.BootstrapSplitter;
import dev.outpost.ot.query.StateObjectView;
import dev.outpost.server.sync.flx.DownloadTrim;
import dev.outpost.server.sync.flx.ViewFilter;
import dev.outpost.server.sync.wire.LegacyRequests;
import dev.outpost.server.sync.wire.RealmTime;
import dev.outpost.server.sync.writer.ServerIntegratorIdent;
import dev.outpost.server.sync.wire.SharedEntries;
import dev.outpost.server.sync.wire.Zlib;
import io.netty.buffer.ByteBuf;
import dev.outpost.server.ws.GatheredMessage;
import dev.outpost.server.ws.OutboundFrame;
import dev.outpost.server.ws.SyncConnection;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.zip.Deflater;

/**
 * Builds the messages of {@link DownloadJob}s: reads history entries lock-free, skips the receiver's own and empty
 * ones, trims FLX changesets to the subscription, zlib-compresses bodies and encodes the message. One per thread
 * (each event loop has one in its {@link LoopResources} for small inline downloads, each {@link DownloadPool} thread
 * one for the rest); not thread-safe. Scratch buffers grow to the largest message built and are reused.
 */
final class DownloadBuilder
{
    private static final System.Logger LOG = System.getLogger(DownloadBuilder.class.getName());
    /** The most bytes an entry's head takes in a DOWNLOAD body (six numbers). */
    static final int ENTRY_HEAD_MAX = 6 * 21;
    /** Room for a message head. */
    static final int HEAD_MAX = 512;
    /** {@link #collect} result: the budget ran out first (build it off the loop). */
    static final int OVER_BUDGET = -1;
    /** {@link #collect} result: nothing to send (waiting for the receiver's own acknowledgement). */
    static final int NOTHING = -2;
    /** Budget weight of an FLX changeset byte (parsed and possibly re-encoded) against a plain copied byte. */
    static final int FLX_COST = 4;
    /** {@link #collectShared} result: build this message per session ({@link #collect}). */
    static final int PER_SESSION = -3;
    /** {@link #filter} result: the session's view cannot follow this entry. */
    private static final int CATCH_UP = Integer.MIN_VALUE;

    private final HistoryReader reader;
    private final EntryView view = new EntryView();
    private final ExpandableDirectByteBuffer body = new ExpandableDirectByteBuffer(64 * 1024);
    private final ExpandableDirectByteBuffer compressed = new ExpandableDirectByteBuffer(64 * 1024);
    private final ExpandableDirectByteBuffer filtered = new ExpandableDirectByteBuffer(16 * 1024);
    private final BodyCompression zlib = new BodyCompression();
    private final ChangesetReader changesetReader = new ChangesetReader();
    private final StateObjectView objectView = new StateObjectView();
    private final ChangesetWriter changesetWriter = new ChangesetWriter();
    private final ServerMessageEncoder encoder = new ServerMessageEncoder();
    /** The message {@link #collectShared} composes (event-loop builders only). */
    final GatheredMessage gathered = new GatheredMessage();
    /** Its compressed form ({@link #deflateGathered}). */
    final GatheredMessage deflated = new GatheredMessage();
    /** The shared entries of {@link #gathered}, in order; null after an entry encoded into the session's bytes. */
    private SharedEntries.Entry[] picked = new SharedEntries.Entry[64];
    private int pickedCount;
    private final Deflater rawDeflater = new Deflater(Deflater.BEST_SPEED, true);
    private final UnsafeBuffer tailView = new UnsafeBuffer(new byte[0]);
    private final EpochClock clock;
    private DirectBuffer payload;
    private int payloadLength;
    private boolean payloadCompressed;

    DownloadBuilder(final HistoryReader reader, final EpochClock clock)
    {
        this.reader = reader;
        this.clock = clock;
    }

    /**
     * Collect the entry list of one history DOWNLOAD into the body: entries in {@code (job.fromServer, job.head]}, at
     * most {@code job.maxBytes} of changesets (a single larger one goes alone), stopping before an own entry beyond
     * {@code job.uploadClient}. Sets {@code toServer}, {@code toClient} and {@code entries} of the job.
     *
     * @param budget   most changeset bytes (FLX bytes weigh {@link #FLX_COST}) to look at before giving up.
     * @param examined most entries to look at before giving up.
     * @return the body length, {@link #OVER_BUDGET} or {@link #NOTHING}.
     */
    int collect(final DownloadJob job, final long budget, final int examined)
    {
        final ServerFile file = job.file;
        final int max = job.maxBytes;
        long cost = 0;
        int seen = 0;
        int pos = 0;
        int entries = 0;
        long v = job.fromServer;
        long c = job.fromClient;
        while (v < job.head)
        {
            if (++seen > examined)
            {
                return OVER_BUDGET;
            }
            final long next = v + 1;
            if (!reader.read(file, next, view))
            {
                LOG.log(System.Logger.Level.ERROR, "history entry " + next + " of " + job.fileName + " unreadable");
                break;
            }
            if (view.originFileIdent() == job.clientFileIdent)
            {
                if (view.clientVersion() > job.uploadClient)
                {
                    break; // its acknowledgement is on its way: never report a client version beyond the upload cursor
                }
                c = view.clientVersion();
                v = next;
                continue;
            }
            final long revertTarget = RevertEntryMarker.targetOf(view);
            DirectBuffer src = view.changeset();
            int len = view.changesetLength();
            if (len == 0 || (revertTarget != 0 && revertTarget != job.clientFileIdent))
            {
                v = next; // empty, or a compensating-write revert meant for another client file
                continue;
            }
            cost += job.flx ? (long)len * FLX_COST : len;
            if (cost > budget)
            {
                return OVER_BUDGET;
            }
            if (job.flx && revertTarget == 0)
            {
                len = filter(job, next, src, len);
                if (len == CATCH_UP)
                {
                    job.catchUp = true;
                    break;
                }
                if (len < 0)
                {
                    len = -len - 1;
                }
                else
                {
                    src = filtered;
                }
                if (len == 0)
                {
                    v = next;
                    continue;
                }
            }
            if (pos > 0 && pos + len + ENTRY_HEAD_MAX > max)
            {
                break;
            }
            pos += EntryEncoder.downloadEntry(body, pos, next, c, view.timestamp(), view.originFileIdent(), len,
                src, 0, len);
            entries++;
            v = next;
        }
        if (pos == 0 && v == job.fromServer && !job.mustSend)
        {
            return NOTHING;
        }
        job.toServer = v;
        job.toClient = c;
        job.entries = entries;
        return pos;
    }

    /**
     * {@link #collect} from the file's {@link SharedEntries} (PBS): the same entries and cursors, but each entry's
     * receiver-independent part is encoded once for every session of the file and referred to, not copied: the
     * session writes only {@code <server_version> <client_version> } of each entry into {@link #gathered} and adds the
     * shared part after it. Entries not held are read from the store and offered to {@code shared} (or, if it cannot
     * keep them, encoded into the session's own bytes). The own entries of the receiver are skipped by their
     * recorded origin, without reading them. Sets {@code toServer}, {@code toClient} and {@code entries} of the job.
     *
     * @return the body length, {@link #OVER_BUDGET}, {@link #NOTHING} or {@link #PER_SESSION} (an unreadable entry:
     *     {@link #collect} reports it).
     */
    int collectShared(final DownloadJob job, final SharedEntries shared, final long budget, final int examined)
    {
        final GatheredMessage out = gathered;
        out.reset();
        pickedCount = 0;
        final int max = job.maxBytes;
        long cost = 0;
        int seen = 0;
        int pos = 0;
        int entries = 0;
        long v = job.fromServer;
        long c = job.fromClient;
        while (v < job.head)
        {
            if (++seen > examined)
            {
                out.reset();
                return OVER_BUDGET;
            }
            final long next = v + 1;
            SharedEntries.Entry e = shared.get(next);
            boolean inOwn = false;
            if (null == e)
            {
                if (!reader.read(job.file, next, view))
                {
                    out.reset();
                    return PER_SESSION;
                }
                e = share(shared, next);
                inOwn = null == e;
            }
            final long origin = inOwn ? view.originFileIdent() : e.originFileIdent;
            if (origin == job.clientFileIdent)
            {
                final long ownClient = inOwn ? view.clientVersion() : e.clientVersion;
                if (ownClient > job.uploadClient)
                {
                    break; // its acknowledgement is on its way: never report a client version beyond the upload cursor
                }
                c = ownClient;
                v = next;
                continue;
            }
            final long revertTarget = inOwn ? RevertEntryMarker.targetOf(view) : e.revertTarget;
            final int len = inOwn ? view.changesetLength() : e.changesetLength;
            if (len == 0 || (revertTarget != 0 && revertTarget != job.clientFileIdent))
            {
                v = next; // empty, or a compensating-write revert meant for another client file
                continue;
            }
            cost += len;
            if (cost > budget)
            {
                out.reset();
                return OVER_BUDGET;
            }
            if (pos > 0 && pos + len + ENTRY_HEAD_MAX > max)
            {
                break;
            }
            final MutableDirectBuffer own = out.own();
            final int at = out.ownLength();
            if (inOwn)
            {
                pickedCount = -1; // not all shared: a compressed body is deflated per session
                own.checkLimit(at + len + ENTRY_HEAD_MAX);
                final int n = EntryEncoder.downloadEntry(own, at, next, c, view.timestamp(), view.originFileIdent(),
                    len, view.changeset(), 0, len);
                out.ownWritten(n);
                pos += n;
            }
            else
            {
                own.checkLimit(at + 2 * 21);
                final int n = EntryEncoder.downloadEntryPrefix(own, at, next, c);
                out.ownWritten(n);
                out.addShared(e.tail());
                pos += n + e.size();
                if (pickedCount >= 0)
                {
                    if (pickedCount == picked.length)
                    {
                        picked = Arrays.copyOf(picked, pickedCount * 2);
                    }
                    picked[pickedCount++] = e;
                }
            }
            entries++;
            v = next;
        }
        if (pos == 0 && v == job.fromServer && !job.mustSend)
        {
            out.reset();
            return NOTHING;
        }
        job.toServer = v;
        job.toClient = c;
        job.entries = entries;
        return pos;
    }

    /**
     * The entry just read into {@link #view} as a shared entry, offered to {@code shared}.
     *
     * @return the entry, or null if {@code shared} would not keep it (then the session encodes it itself).
     */
    private SharedEntries.Entry share(final SharedEntries shared, final long version)
    {
        final int len = view.changesetLength();
        final int size = len + ENTRY_HEAD_MAX;
        if (!shared.accepts(version, size))
        {
            return null;
        }
        final ByteBuffer memory = SharedEntries.allocate(size);
        tailView.wrap(memory);
        final int n = EntryEncoder.downloadEntryTail(tailView, 0, view.timestamp(), view.originFileIdent(), len,
            view.changeset(), 0, len);
        tailView.wrap(view.changeset(), 0, 0);
        memory.limit(n);
        return shared.offer(new SharedEntries.Entry(version, view.originFileIdent(), view.clientVersion(),
            RevertEntryMarker.targetOf(view), len, memory));
    }

    /**
     * The head of the DOWNLOAD composed by {@link #collectShared} (uncompressed, {@code bodyLength} bytes) into
     * {@link #gathered}.
     */
    void encodeGatheredHead(final DownloadJob job, final int bodyLength)
    {
        encodeHead(job, gathered, false, bodyLength, bodyLength);
    }

    private void encodeHead(final DownloadJob job, final GatheredMessage message, final boolean compressed,
        final int uncompressedLength, final int bodyLength)
    {
        final ServerFile file = job.file;
        final long downloadable = Math.max(0, file.cumulativeSize(job.head) - file.cumulativeSize(job.toServer));
        final MutableDirectBuffer head = message.head();
        head.checkLimit(HEAD_MAX);
        message.headLength(encoder.flx(job.flx).protocolVersion(job.protocolVersion).downloadHead(head, 0,
            job.sessionIdent, job.toServer, job.toClient, job.head, file.salt(job.head), job.uploadClient,
            job.uploadServer, downloadable, job.queryVersion, 2, 1.0, compressed, uncompressedLength, bodyLength));
    }

    /**
     * The body of {@link #gathered} ({@code bodyLength} bytes, every entry shared) as a zlib stream in
     * {@link #deflated}, with its head: header, then per entry a stored block with the session's entry start and the
     * entry's shared deflate data ({@link SharedEntries.Entry#deflated}, made once for all sessions), then the final
     * empty block and the Adler-32 combined from the parts'. The session's work is per entry, not per byte.
     *
     * @return whether {@link #deflated} holds the message: false if an entry was encoded by the session (then
     *     {@link #takeGatheredBody()} and {@link #prepare}), or if the stream is not smaller than the body (then
     *     send {@link #gathered} uncompressed, as {@link BodyCompression#compressIfWorthwhile} would).
     */
    boolean deflateGathered(final DownloadJob job, final int bodyLength)
    {
        if (pickedCount < 0 || pickedCount != gathered.sharedCount())
        {
            return false;
        }
        final GatheredMessage z = deflated;
        z.reset();
        final MutableDirectBuffer own = z.own();
        final MutableDirectBuffer prefixes = gathered.own();
        own.checkLimit(Zlib.HEADER_LENGTH + gathered.ownLength() + pickedCount * Zlib.STORED_BLOCK_HEAD +
            Zlib.TRAILER_LENGTH);
        z.ownWritten(Zlib.header(own, 0));
        int adler = Zlib.ADLER_EMPTY;
        int from = 0;
        for (int i = 0; i < pickedCount; i++)
        {
            final SharedEntries.Entry e = picked[i];
            final int to = gathered.ownEnd(i);
            z.ownWritten(Zlib.storedBlock(own, z.ownLength(), prefixes, from, to - from));
            adler = Zlib.update(adler, prefixes, from, to - from);
            final ByteBuf d = e.deflated(rawDeflater);
            z.addShared(d);
            adler = Zlib.combine(adler, e.tailAdler(), e.size());
            from = to;
        }
        z.ownWritten(Zlib.trailer(own, z.ownLength(), adler));
        final long n = z.bodyLength();
        Arrays.fill(picked, 0, pickedCount, null);
        if (n >= bodyLength)
        {
            z.reset();
            return false;
        }
        encodeHead(job, z, true, bodyLength, (int)n);
        return true;
    }

    /** Copy the body composed by {@link #collectShared} into the builder's body (to compress it like any body). */
    void takeGatheredBody()
    {
        final int n = (int)gathered.bodyLength();
        body.checkLimit(n);
        gathered.copyBodyTo(body, 0);
        gathered.reset();
    }

    /**
     * FLX: drop the object instructions of classes outside the subscription ({@link DownloadTrim}); for a view with
     * narrow queries, follow the objects entering and leaving it ({@link ViewFilter}).
     *
     * @return the filtered length (bytes in {@link #filtered}), {@code -(len + 1)} to send the original, or
     *     {@link #CATCH_UP}.
     */
    private int filter(final DownloadJob job, final long version, final DirectBuffer src, final int len)
    {
        final Changeset cs;
        try
        {
            cs = changesetReader.read(src, 0, len, new Changeset());
        }
        catch (final CodecException ex)
        {
            LOG.log(System.Logger.Level.ERROR, "stored changeset of " + job.fileName + " does not parse");
            return 0;
        }
        final Changeset kept;
        if (job.view.wholeClasses())
        {
            kept = DownloadTrim.trim(cs, job.view.classes());
        }
        else
        {
            kept = ViewFilter.filter(cs, job.view, job.viewLog.get(version), objectView);
            if (kept == null)
            {
                return CATCH_UP;
            }
        }
        if (kept == cs)
        {
            return -(len + 1);
        }
        if (kept.isEmpty())
        {
            return 0;
        }
        return changesetWriter.encode(kept, filtered, 0);
    }

    /**
     * Compress {@code body[0, bodyLength)} (the collected entries) if it is over the job's threshold and gets smaller;
     * then {@link #capacity()} and {@link #encodeDownload}.
     */
    void prepare(final DownloadJob job, final int bodyLength)
    {
        payload = body;
        payloadLength = bodyLength;
        payloadCompressed = false;
        if (bodyLength > job.compressionThreshold)
        {
            final int n = zlib.compressIfWorthwhile(body, 0, bodyLength, compressed, 0);
            if (n > 0)
            {
                payload = compressed;
                payloadLength = n;
                payloadCompressed = true;
            }
        }
    }

    /** @return the capacity the message of the body just compressed needs. */
    int capacity()
    {
        return payloadLength + HEAD_MAX;
    }

    /** Encode the DOWNLOAD of the prepared body with the job's cursors into {@code out}; @return its length. */
    int encodeDownload(final DownloadJob job, final MutableDirectBuffer out, final int bodyLength,
        final int batchState, final double progress)
    {
        final ServerFile file = job.file;
        final long downloadable = Math.max(0, file.cumulativeSize(job.head) - file.cumulativeSize(job.toServer));
        return encoder.flx(job.flx).protocolVersion(job.protocolVersion).download(out, 0, job.sessionIdent,
            job.toServer, job.toClient, job.head, file.salt(job.head), job.uploadClient, job.uploadServer,
            downloadable, job.queryVersion, batchState, progress, payloadCompressed, bodyLength, payload, 0,
            payloadLength);
    }

    /**
     * Build the job's message completely into a frame of the session's connection (off the event loop).
     * {@code job.frame} stays null if there is nothing to send.
     */
    void build(final DownloadJob job, final SyncConnection connection)
    {
        switch (job.kind)
        {
            case HISTORY -> buildHistory(job, connection);
            case BOOTSTRAP -> buildBootstrapPart(job, connection);
            case STATE -> buildState(job, connection);
            default -> throw new IllegalStateException(String.valueOf(job.kind));
        }
    }

    private void buildHistory(final DownloadJob job, final SyncConnection connection)
    {
        final int n = collect(job, Long.MAX_VALUE, Integer.MAX_VALUE);
        if (n < 0)
        {
            return;
        }
        prepare(job, n);
        final OutboundFrame frame = connection.allocateFrame(capacity());
        job.frameLength = encodeDownload(job, frame.buffer(), n, 2, 1.0);
        job.frame = frame;
    }

    private void buildBootstrapPart(final DownloadJob job, final SyncConnection connection)
    {
        if (job.parts == null)
        {
            job.parts = BootstrapSplitter.split(job.snapshot, changesetWriter, job.maxBytes / 2);
            job.snapshot = null;
        }
        final int count = job.parts.size();
        final int len = changesetWriter.encode(job.parts.get(job.part), filtered, 0);
        final int n = EntryEncoder.downloadEntry(body, 0, job.fromServer, job.fromClient, RealmTime.of(clock),
            ServerIntegratorIdent.SERVER, len, filtered, 0, len);
        job.entries = 1;
        prepare(job, n);
        final OutboundFrame frame = connection.allocateFrame(capacity());
        final boolean last = job.part == count - 1;
        job.frameLength = encodeDownload(job, frame.buffer(), n, last ? 1 : 0, last ? 1.0 : (double)(job.part + 1) /
            count);
        job.frame = frame;
    }

    /**
     * One STATE message: segments of {@code <4-byte big-endian length><zlib data>}, each inflating to at most
     * {@link LegacyRequests#SEGMENT_SIZE} bytes of the snapshot, {@link LegacyRequests#SEGMENTS_PER_MESSAGE} per
     * message; an empty snapshot is one message with no segments.
     */
    private void buildState(final DownloadJob job, final SyncConnection connection)
    {
        final byte[] snapshot = job.stateBytes;
        final UnsafeBuffer src = new UnsafeBuffer(snapshot);
        int offset = job.stateOffset;
        int pos = 0;
        for (int s = 0; s < LegacyRequests.SEGMENTS_PER_MESSAGE && offset < snapshot.length; s++)
        {
            final int n = Math.min(LegacyRequests.SEGMENT_SIZE, snapshot.length - offset);
            body.checkLimit(pos + 4 + n + 1024);
            final int z = zlib.deflate(src, offset, n, body, pos + 4, n + 1024);
            body.putInt(pos, z, ByteOrder.BIG_ENDIAN);
            pos += 4 + z;
            offset += n;
        }
        final OutboundFrame frame = connection.allocateFrame(pos + HEAD_MAX);
        job.frameLength = encoder.flx(job.flx).protocolVersion(job.protocolVersion).state(frame.buffer(), 0,
            job.sessionIdent, job.stateVersion, job.stateSalt, job.stateOffset, offset, snapshot.length, body, 0, pos);
        job.stateEnd = offset;
        job.frame = frame;
    }

    /** Release the zlib streams (the reader belongs to the caller). */
    void close()
    {
        zlib.close();
        rawDeflater.end();
    }
}
