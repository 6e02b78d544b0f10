package dev.outpost.server.sync.writer;

import dev.outpost.codec.CodecException;
import dev.outpost.codec.changeset.ChangesetDecoder;
import dev.outpost.ot.model.Changeset;
import dev.outpost.ot.model.ChangesetReader;
import dev.outpost.ot.model.ChangesetWriter;
import dev.outpost.ot.sync.ClientFile;
import dev.outpost.ot.sync.HistoryEntry;
import dev.outpost.ot.sync.ServerHistory;
import dev.outpost.ot.sync.UploadEntry;
import dev.outpost.server.store.ClientFileRecord;
import dev.outpost.server.store.EntryView;
import dev.outpost.server.store.RevertEntryMarker;
import dev.outpost.server.store.ServerFile;
import dev.outpost.server.store.StoreShard;
import dev.outpost.server.sync.writer.ServerIntegratorIdent;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.concurrent.EpochClock;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The ot-core view ({@link ServerHistory}) of one server file's history in the store, with a bounded cache of parsed
 * entries (the setting {@code writer.parsed-entries}; an entry not in it is parsed again from the store). {@link
 * #append} encodes the integrated changeset and appends it to the shard (published later by the writer, in a batch);
 * {@link #appendUnchanged} appends an untransformed upload changeset's bytes as received. Owned by the shard's writer
 * thread.
 */
public final class ShardServerHistory implements ServerHistory
{
    private final StoreShard shard;
    private final ServerFile file;
    private final WriterTools tools;
    private final int cacheEntries;
    private final LinkedHashMap<Long, HistoryEntry> cache;

    /** @param cacheEntries parsed entries kept at most (least recently used out; 0: none). */
    ShardServerHistory(final StoreShard shard, final ServerFile file, final WriterTools tools,
        final int cacheEntries)
    {
        this.shard = shard;
        this.file = file;
        this.tools = tools;
        this.cacheEntries = cacheEntries;
        this.cache = new LinkedHashMap<>(Math.min(256, cacheEntries + 1), 0.75f, true)
        {
            protected boolean removeEldestEntry(final Map.Entry<Long, HistoryEntry> eldest)
            {
                return size() > ShardServerHistory.this.cacheEntries;
            }
        };
    }

    /** FLX views: while non-null, the versions and changesets appended (see {@link FileContext#viewLog()}). */
    org.agrona.collections.LongArrayList appended;
    java.util.List<Changeset> appendedChangesets;

    /** @return parsed entries in the cache. */
    int cachedEntries()
    {
        return cache.size();
    }

    public long headVersion()
    {
        return file.lastAppended();
    }

    public HistoryEntry entry(final long serverVersion)
    {
        HistoryEntry e = cache.get(serverVersion);
        if (e == null)
        {
            final EntryView view = tools.view;
            if (!shard.readEntry(file, serverVersion, view))
            {
                throw new IllegalStateException("missing history entry " + serverVersion + " of " + file.name());
            }
            // a revert entry (compensating write) concerns one client's view only: nothing to merge against
            final boolean revert = RevertEntryMarker.targetOf(view) != 0;
            final Changeset c = revert ? new Changeset() : tools.parse(view);
            e = new HistoryEntry(view.originFileIdent() == ServerIntegratorIdent.SERVER ? 0 : view.originFileIdent(),
                view.clientVersion(), view.timestamp(), c);
            cache.put(serverVersion, e);
        }
        return e;
    }

    public void append(final HistoryEntry entry)
    {
        final ExpandableDirectByteBuffer buf = tools.encodeBuffer;
        final int length = tools.writer.encode(entry.changeset(), buf, 0);
        appendBytes(entry, buf, 0, length);
    }

    /**
     * An untransformed upload changeset: the client's bytes are stored as they came. They are what the encoder would
     * write: the peer reader accepts only input the encoder reproduces byte for byte (canonical integers, interned
     * strings in sequence, the declared strings kept; see {@code ChangesetDecoder} and {@code ChangesetWriter}), so
     * the history is the same as with {@link #append} (checked when assertions are on). Without bytes (e.g. an FLX
     * upload trimmed of rejected writes) it encodes.
     */
    @Override
    public void appendUnchanged(final HistoryEntry entry, final UploadEntry source)
    {
        final DirectBuffer original = source.original();
        if (original == null || tools.reencodeUploads)
        {
            append(entry);
            return;
        }
        tools.appendedAsReceived++;
        assert encodesAs(entry.changeset(), original, source.originalOffset(), source.originalLength()) :
            "an accepted changeset does not re-encode to its bytes";
        appendBytes(entry, original, source.originalOffset(), source.originalLength());
    }

    private boolean encodesAs(final Changeset changeset, final DirectBuffer bytes, final int offset, final int length)
    {
        final ExpandableDirectByteBuffer buf = tools.encodeBuffer;
        final int encoded = tools.writer.encode(changeset, buf, 0);
        if (encoded != length)
        {
            return false;
        }
        for (int i = 0; i < length; i++)
        {
            if (buf.getByte(i) != bytes.getByte(offset + i))
            {
                return false;
            }
        }
        return true;
    }

    private void appendBytes(final HistoryEntry entry, final DirectBuffer buf, final int offset, final int length)
    {
        final long origin = entry.originFileIdent() == 0 ? ServerIntegratorIdent.SERVER : entry.originFileIdent();
        tools.fault(FaultPoint.BEFORE_APPEND);
        final long version = shard.append(file, origin, entry.clientVersion(), entry.originTimestamp(), length, buf,
            offset, length);
        if (version == StoreShard.REJECTED_TOO_LARGE)
        {
            throw ChangesetTooLarge.INSTANCE;
        }
        cache.put(version, entry);
        if (appended != null)
        {
            appended.add(version);
            appendedChangesets.add(entry.changeset());
        }
        tools.fault(FaultPoint.AFTER_APPEND);
    }

    /**
     * A transformed changeset does not fit in one store record: the command is rolled back (it may already have
     * appended other changesets and applied all of them to the object state) and the client gets error 212.
     */
    public static final class ChangesetTooLarge extends RuntimeException
    {
        private static final long serialVersionUID = 1L;
        public static final ChangesetTooLarge INSTANCE = new ChangesetTooLarge();

        private ChangesetTooLarge()
        {
            super("a transformed changeset is too large to store", null, false, false);
        }
    }

    /** Per-writer scratch: two parsers, one encoder, one view. */
    public static final class WriterTools
    {
        /** The server's clock: client files' last-seen times (and, through the sessions, changeset timestamps). */
        final EpochClock clock;
        /** Stored history: as realm-core's parser, so that entries stored by older versions still load. */
        final ChangesetReader reader = new ChangesetReader();
        /** Changesets from a peer (UPLOAD, transact): also refuses what realm-core's client cannot hold. */
        final ChangesetReader peerReader =
            new ChangesetReader(new ChangesetDecoder(ChangesetDecoder.DEFAULT_MAX_PATH_LENGTH, true));
        final ChangesetWriter writer = new ChangesetWriter();
        final EntryView view = new EntryView();
        final ExpandableDirectByteBuffer encodeBuffer = new ExpandableDirectByteBuffer(64 * 1024);
        /** Tests only: encode every upload changeset again, as before they were appended as received. */
        boolean reencodeUploads;
        /** Upload changesets appended as received (not encoded again). Writer thread. */
        long appendedAsReceived;
        /** Tests only: called at each {@link FaultPoint}; a hook that throws injects a failure there. */
        public volatile java.util.function.Consumer<FaultPoint> faultHook;

        WriterTools(final EpochClock clock)
        {
            this.clock = clock;
        }

        void fault(final FaultPoint point)
        {
            final java.util.function.Consumer<FaultPoint> hook = faultHook;
            if (hook != null)
            {
                hook.accept(point);
            }
        }

        Changeset parse(final EntryView view)
        {
            try
            {
                return reader.read(view.changeset(), 0, view.changesetLength(), new Changeset());
            }
            catch (final CodecException ex)
            {
                throw new IllegalStateException("stored changeset does not parse: " + ex.getMessage(), ex);
            }
        }
    }

    /** The ot-core {@link ClientFile} of one registered client, stored through the shard. */
    static final class ShardClientFile implements ClientFile
    {
        private final StoreShard shard;
        private final ServerFile file;
        private final ClientFileRecord client;
        private final WriterTools tools;

        ShardClientFile(final StoreShard shard, final ServerFile file, final ClientFileRecord client,
            final WriterTools tools)
        {
            this.shard = shard;
            this.file = file;
            this.client = client;
            this.tools = tools;
        }

        public long clientVersion()
        {
            return client.clientVersion();
        }

        public long rhBaseVersion()
        {
            return client.rhBaseVersion();
        }

        public long lockedServerVersion()
        {
            return client.lockedServerVersion();
        }

        public Changeset reciprocal(final long serverVersion)
        {
            final EntryView view = tools.view;
            if (!shard.readReciprocal(client, serverVersion, view))
            {
                return null;
            }
            return tools.parse(view);
        }

        public void putReciprocal(final long serverVersion, final Changeset changeset)
        {
            final ExpandableDirectByteBuffer buf = tools.encodeBuffer;
            final int length = tools.writer.encode(changeset, buf, 0);
            tools.fault(FaultPoint.BEFORE_RECIPROCAL);
            if (!shard.putReciprocal(file, client, serverVersion, buf, 0, length))
            {
                throw ChangesetTooLarge.INSTANCE;
            }
        }

        public void setUploadProgress(final long clientVersion, final long rhBaseVersion)
        {
            tools.fault(FaultPoint.BEFORE_CLIENT_STATE);
            shard.updateClientState(file, client, clientVersion, Math.max(rhBaseVersion, client.rhBaseVersion()),
                client.lockedServerVersion(), tools.clock.time());
        }

        public void setLockedServerVersion(final long lockedServerVersion)
        {
            tools.fault(FaultPoint.BEFORE_CLIENT_STATE);
            shard.updateClientState(file, client, client.clientVersion(), client.rhBaseVersion(),
                lockedServerVersion, tools.clock.time());
        }
    }
}
