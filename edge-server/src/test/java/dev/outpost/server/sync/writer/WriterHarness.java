package dev.outpost.server.sync.writer;

import dev.outpost.codec.CodecException;
import dev.outpost.codec.message.BodyCompression;
import dev.outpost.codec.message.EntryEncoder;
import dev.outpost.codec.message.UploadEntryIterator;
import dev.outpost.server.metrics.ServerMetrics;
import dev.outpost.server.store.EntryView;
import dev.outpost.server.store.HistoryStore;
import dev.outpost.server.store.StoreConfig;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A real store and a running {@link ShardWriter} with one server file, and clients that hand it UPLOADs the way a
 * session does (body checked and copied into a pooled {@link UploadChangesets}, one {@link UploadCommand} each).
 * Test thread only; {@link #close()} stops the writer and closes the store.
 */
final class WriterHarness implements AutoCloseable
{
    static final String FILE = "/test/writer";

    final HistoryStore store;
    final ShardWriter writer;
    final FileContext ctx;
    private final Map<Long, Client> clients = new HashMap<>();

    /** One client file and its session's upload progress. */
    final class Client
    {
        final long ident;
        final UploadCheck check;
        final UploadSequence sequence = new UploadSequence();
        long progressClient;
        long progressServer;

        Client(final long ident)
        {
            this.ident = ident;
            this.check = new UploadCheck(0, 0, ident);
        }
    }

    /** One upload entry: client version, base server version, changeset bytes. */
    record Up(long clientVersion, long serverVersion, byte[] changeset)
    {
    }

    WriterHarness(final Path dir, final int clients) throws Exception
    {
        this(dir, clients, false, 4096);
    }

    /**
     * @param reencode      encode every upload changeset again (the path before they were appended as received).
     * @param parsedEntries the parsed entries the server file's history keeps.
     */
    WriterHarness(final Path dir, final int clients, final boolean reencode, final int parsedEntries)
        throws Exception
    {
        store = HistoryStore.open(new StoreConfig().dataDir(dir).shardCount(1).fsync(false));
        store.shard(0).claimWriter();
        writer = new ShardWriter(store, 0, new ConcurrentHashMap<>(), 64, new ServerMetrics().app("harness"))
            .parsedEntries(parsedEntries);
        ctx = writer.open(FILE);
        for (int i = 0; i < clients; i++)
        {
            final long ident = writer.shard.allocateClientFile(ctx.file, 0, 0).ident();
            this.clients.put(ident, new Client(ident));
        }
        writer.shard.publish();
        writer.tools.reencodeUploads = reencode;
        writer.start();
    }

    List<Client> clients()
    {
        return new ArrayList<>(clients.values());
    }

    /** The session's part: check the body and copy it into a pooled buffer; null if the check refused it. */
    UploadCommand command(final Client c, final long pcv, final long psv, final boolean large,
        final CompletableFuture<UploadCommand.Result> done, final Up... ups) throws CodecException
    {
        final ExpandableArrayBuffer body = new ExpandableArrayBuffer(256);
        int length = 0;
        for (final Up u : ups)
        {
            length += EntryEncoder.uploadEntry(body, length, u.clientVersion(), u.serverVersion(),
                1000 + u.clientVersion() * 7 + c.ident, 0, new UnsafeBuffer(u.changeset()), 0, u.changeset().length);
        }
        UploadChangesets changesets = null;
        UploadCommand.Body carried = null;
        if (large)
        {
            final ExpandableArrayBuffer z = new ExpandableArrayBuffer(length + 64);
            try (BodyCompression zlib = new BodyCompression())
            {
                final int n = zlib.deflate(body, 0, length, z, 0, length + 64);
                final byte[] bytes = new byte[n];
                z.getBytes(0, bytes);
                carried = new UploadCommand.Body(bytes, true, length, c.progressClient, c.progressServer);
            }
        }
        else
        {
            changesets = writer.uploadBuffers().acquire();
            if (c.check.entries(new UploadEntryIterator().wrap(body, 0, length), pcv, psv, c.progressClient,
                c.progressServer, changesets) != null)
            {
                writer.uploadBuffers().release(changesets);
                return null;
            }
        }
        c.progressClient = pcv;
        c.progressServer = psv;
        return new UploadCommand(new UploadCommand.Input(ctx, c.ident, pcv, psv, 0, null, changesets, carried,
            c.check, c.sequence), (r, failure) ->
            {
                if (failure != null)
                {
                    done.completeExceptionally(failure);
                }
                else
                {
                    done.complete(r);
                }
            });
    }

    /** Hand one UPLOAD to the writer and wait for its result (a failure comes back as an exception). */
    UploadCommand.Result upload(final Client c, final long pcv, final long psv, final boolean large,
        final Up... ups) throws Exception
    {
        final CompletableFuture<UploadCommand.Result> done = new CompletableFuture<>();
        final UploadCommand cmd = command(c, pcv, psv, large, done, ups);
        if (cmd == null)
        {
            return null;
        }
        while (!writer.offer(cmd))
        {
            Thread.onSpinWait();
        }
        return done.get(30, TimeUnit.SECONDS);
    }

    /** @return every history entry: origin, client version, timestamp and changeset bytes (after the writer's work). */
    List<String> history()
    {
        final List<String> out = new ArrayList<>();
        final EntryView view = new EntryView();
        final long head = store.shard(0).head(FILE);
        final dev.outpost.server.store.HistoryReader reader = store.newReader();
        for (long v = 1; v <= head; v++)
        {
            if (!reader.read(ctx.file, v, view))
            {
                out.add(v + ": unreadable");
                continue;
            }
            final byte[] bytes = new byte[view.changesetLength()];
            view.changeset().getBytes(0, bytes);
            out.add(v + ": " + view.originFileIdent() + " " + view.clientVersion() + " " + view.timestamp() + " " +
                java.util.HexFormat.of().formatHex(bytes));
        }
        reader.close();
        return out;
    }

    @Override
    public void close()
    {
        writer.stop();
        store.close();
    }
}
