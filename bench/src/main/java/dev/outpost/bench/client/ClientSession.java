package dev.outpost.bench.client;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLongArray;

import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import dev.outpost.codec.CodecException;
import dev.outpost.codec.message.DownloadEntryIterator;
import dev.outpost.codec.message.EntryEncoder;
import dev.outpost.codec.message.MessageType;
import dev.outpost.codec.message.ServerMessageDecoder;
import dev.outpost.ot.model.Changeset;
import dev.outpost.ot.model.ChangesetReader;
import dev.outpost.ot.state.ApplyResult;
import dev.outpost.ot.sync.ClientIntegrator;
import dev.outpost.ot.sync.DownloadEntry;
import dev.outpost.ot.sync.IntegrationResult;
import dev.outpost.ot.sync.UploadBatch;
import dev.outpost.ot.sync.UploadEntry;

/**
 * One sync session (one server file) on a {@link ClientConnection}, kept as a realm client keeps it:
 * <ul>
 * <li>BIND, asking for a client file ident the first time; then IDENT with the persisted ident, salt, download
 * cursor and latest server version + salt (so a reconnect resumes, never resets);</li>
 * <li>MARK after IDENT; uploads are held back until that first MARK is answered (protocol §2.4);</li>
 * <li>local writes are committed to an ot-core {@link ClientIntegrator} and uploaded as originals, each with the
 * server version it was based on; everything after the acknowledged upload cursor is re-sent after a reconnect;</li>
 * <li>DOWNLOADs are integrated by the {@code ClientIntegrator} (client-side transform against unsynced local
 * changesets), FLX bootstrap batches are collected until the last one;</li>
 * <li>a session ERROR is answered with UNBIND, then the session binds again after a backoff with jitter.</li>
 * </ul>
 * Owned by the connection's event loop; the public methods may be called from any thread.
 */
public final class ClientSession
{
    private enum State
    {
        UNBOUND, WAIT_SERVER_IDENT, ACTIVE, ERRORED, FAILED
    }

    private static final long REALM_EPOCH_MS = 1_420_070_400_000L; // 2015-01-01T00:00:00Z

    private final ClientConnection conn;
    private final long ident;
    private final String partition;
    private final boolean flx;
    private final String serverFileKey;
    private final ClientConnection.Tools tools;
    private final ArrayDeque<long[]> unacked = new ArrayDeque<>();
    private final ArrayList<DownloadEntry> bootstrap = new ArrayList<>();
    private final ArrayList<Waiter> waiters = new ArrayList<>();
    private State state = State.UNBOUND;
    private long fileIdent;
    private long fileIdentSalt;
    private ClientIntegrator integrator;
    private long latestServerVersion;
    private long latestServerVersionSalt;
    private long sentClientVersion;
    private long markSent;
    private long markReceived;
    private long firstMark;
    private boolean uploadsAllowed;
    private long queryVersion;
    private long queryMark;
    private boolean ready;
    private long lastOriginTimestamp;
    private AtomicLongArray fanoutRing;
    private int errors;
    private int sessionBackoff;
    private long integratedChangesets;
    private String lastError;
    private Runnable onActive;
    private Runnable afterDownload;
    private boolean applyDownloads = true;
    private long receivedChangesets;
    private java.util.function.LongConsumer onAcked;

    ClientSession(final ClientConnection conn, final long ident, final String partition, final boolean flx)
    {
        this.conn = conn;
        this.ident = ident;
        this.partition = partition;
        this.flx = flx;
        this.serverFileKey = flx ? "flx" : partition;
        this.tools = conn.tools();
    }

    public long ident()
    {
        return ident;
    }

    public String partition()
    {
        return partition;
    }

    /** @return the client file ident (0 until the server sent one). Event loop or after {@link #sync()}. */
    public long fileIdent()
    {
        return fileIdent;
    }

    /** @return session errors received so far. */
    public int errors()
    {
        return errors;
    }

    public String lastError()
    {
        return lastError;
    }

    /** @return server changesets integrated so far. */
    public long integratedChangesets()
    {
        return integratedChangesets;
    }

    /** Runs {@code r} on the event loop once, the first time the session has its file ident and may upload. */
    public void onActive(final Runnable r)
    {
        conn.runOnContext(() ->
        {
            if (integrator != null && ready)
            {
                r.run();
            }
            else
            {
                onActive = r;
            }
        });
    }

    /**
     * Upload-only mode ({@code false}): DOWNLOADs are received, checked and timed and their cursors kept (download
     * cursor, acknowledgement, latest server version), but their changesets are not applied, so later local
     * changesets claim the new download cursor as their base. Only valid for a writer that never touches what others
     * write (the load generator gives such writers their own objects). Default {@code true} (a full client).
     */
    public void applyDownloads(final boolean apply)
    {
        conn.runOnContext(() -> applyDownloads = apply);
    }

    /** @return server changesets received in DOWNLOADs (applied or not; event loop or after {@link #sync()}). */
    public long receivedChangesets()
    {
        return receivedChangesets;
    }

    /** Runs {@code r} on the event loop after every integrated DOWNLOAD (e.g. to commit the next write). */
    public void afterDownload(final Runnable r)
    {
        conn.runOnContext(() -> afterDownload = r);
    }

    /**
     * Calls {@code listener} on the event loop with the client version of every local changeset the server
     * acknowledged (a DOWNLOAD's {@code upload_client_version} covers it), oldest first; e.g. to check after a
     * server crash that every acknowledged changeset is in its history.
     */
    public void onAcked(final java.util.function.LongConsumer listener)
    {
        conn.runOnContext(() -> onAcked = listener);
    }

    /** @return the connection carrying this session. */
    public ClientConnection connection()
    {
        return conn;
    }

    /**
     * @return whether IDENT was answered and the first MARK came back, and for FLX also the bootstrap of the
     * subscription ({@code Item}, TRUEPREDICATE) is complete (event loop).
     */
    public boolean active()
    {
        return state == State.ACTIVE && uploadsAllowed && ready;
    }

    /** @return the client's integrator (event loop only), null before the file ident is known. */
    public ClientIntegrator integrator()
    {
        return integrator;
    }

    /**
     * Commits a local write transaction and uploads it when allowed. Event loop only (see {@link #onActive} and
     * {@link ClientConnection#context()}).
     *
     * @return false if there is no file ident yet or the changeset does not apply locally.
     */
    public boolean commit(final Changeset changeset)
    {
        if (integrator == null)
        {
            return false;
        }
        long ts = System.currentTimeMillis() - REALM_EPOCH_MS;
        if (ts <= lastOriginTimestamp)
        {
            ts = lastOriginTimestamp + 1;
        }
        lastOriginTimestamp = ts;
        final ApplyResult r = integrator.commitLocal(changeset, ts);
        if (!r.ok())
        {
            conn.metrics().error("local commit: " + r.message());
            return false;
        }
        final long now = System.nanoTime();
        unacked.add(new long[] {integrator.version(), now});
        FanoutClock.record(fanoutRing, ts, now);
        flushUpload();
        return true;
    }

    /** @return local changesets committed but not yet acknowledged (event loop). */
    public int unackedCount()
    {
        return unacked.size();
    }

    /**
     * Waits until every local changeset is acknowledged and a MARK round trip shows the download caught up with
     * the server head as of the MARK (realm's "upload complete" then "download complete"). Any thread.
     */
    public CompletableFuture<Void> sync()
    {
        final CompletableFuture<Void> f = new CompletableFuture<>();
        conn.runOnContext(() ->
        {
            if (state == State.FAILED)
            {
                f.completeExceptionally(new IllegalStateException("session failed: " + lastError));
                return;
            }
            waiters.add(new Waiter(f));
            checkWaiters();
        });
        return f;
    }

    /**
     * @return {download cursor server version, changesets received, changesets integrated} (any thread), e.g. to
     * check that a session that does not apply its downloads still received everything.
     */
    public CompletableFuture<long[]> progress()
    {
        final CompletableFuture<long[]> f = new CompletableFuture<>();
        conn.runOnContext(() -> f.complete(new long[] {integrator == null ? 0 : integrator.downloadServerVersion(),
            receivedChangesets, integratedChangesets}));
        return f;
    }

    /** @return the canonical dump of this client's object state (any thread; "" before the file ident). */
    public CompletableFuture<String> stateDump()
    {
        final CompletableFuture<String> f = new CompletableFuture<>();
        conn.runOnContext(() -> f.complete(integrator == null ? "" : integrator.state().dump()));
        return f;
    }

    // ---------------------------------------------------------------------------------------------------------------

    void connected()
    {
        if (state == State.FAILED)
        {
            return;
        }
        bind();
    }

    void disconnected()
    {
        if (state != State.FAILED)
        {
            state = State.UNBOUND;
        }
        uploadsAllowed = false;
        firstMark = 0;
        bootstrap.clear();
        for (final Waiter w : waiters)
        {
            w.markIdent = 0;
        }
    }

    private void bind()
    {
        final byte[] path = (flx ? "{\"schemaVersion\":0,\"sessionReason\":0}" : partition)
            .getBytes(StandardCharsets.UTF_8);
        final UnsafeBuffer p = new UnsafeBuffer(path);
        final boolean needIdent = fileIdent == 0;
        conn.send(conn.encoder().bind(conn.out(), 0, ident, p, 0, path.length, p, 0, 0, needIdent, false));
        if (needIdent)
        {
            state = State.WAIT_SERVER_IDENT;
        }
        else
        {
            sendIdent();
        }
    }

    private void sendIdent()
    {
        final long dlServer = integrator.downloadServerVersion();
        final long dlClient = integrator.downloadClientVersion();
        final byte[] q = (queryVersion == 0 ? "{}" : query()).getBytes(StandardCharsets.UTF_8);
        final UnsafeBuffer qb = new UnsafeBuffer(q);
        conn.send(conn.encoder().ident(conn.out(), 0, ident, fileIdent, fileIdentSalt, dlServer, dlClient,
            latestServerVersion, latestServerVersionSalt, queryVersion, qb, 0, q.length));
        state = State.ACTIVE;
        sentClientVersion = integrator.uploadClientVersion();
        uploadsAllowed = false;
        firstMark = ++markSent;
        conn.send(conn.encoder().mark(conn.out(), 0, ident, firstMark));
    }

    void onMessage(final MessageType type, final ServerMessageDecoder d)
    {
        switch (type)
        {
            case SERVER_IDENT -> onIdent(d);
            case DOWNLOAD -> onDownload(d);
            case SERVER_MARK -> onMark(d.requestIdent());
            case UNBOUND -> state = State.UNBOUND;
            case ERROR, SERVER_JSON_ERROR, QUERY_ERROR -> onError(d);
            case LOG_MESSAGE, SERVER_TEST_COMMAND -> { }
            default -> protocolError("unexpected " + type.wireName());
        }
    }

    private void onIdent(final ServerMessageDecoder d)
    {
        if (state != State.WAIT_SERVER_IDENT || d.clientFileIdent() < 1 || d.clientFileIdentSalt() == 0)
        {
            protocolError("unexpected IDENT");
            return;
        }
        fileIdent = d.clientFileIdent();
        fileIdentSalt = d.clientFileIdentSalt();
        integrator = new ClientIntegrator(fileIdent);
        fanoutRing = FanoutClock.ring(serverFileKey, fileIdent);
        sendIdent();
    }

    private void onDownload(final ServerMessageDecoder d)
    {
        if (state != State.ACTIVE)
        {
            if (state != State.ERRORED)
            {
                protocolError("DOWNLOAD before IDENT");
            }
            return;
        }
        conn.metrics().downloadReceived(d.bodyCompressed(), d.bodyLength());
        final long dlServer = d.downloadServerVersion();
        final long dlClient = d.downloadClientVersion();
        final long upClient = d.uploadClientVersion();
        final long upServer = d.uploadServerVersion();
        if (d.latestServerVersion() < latestServerVersion || dlServer > d.latestServerVersion()
            || dlClient > upClient || dlServer < upServer)
        {
            protocolError("DOWNLOAD cursors inconsistent");
            return;
        }
        final DownloadEntryIterator entries = tools.entries;
        final ChangesetReader reader = tools.reader;
        DirectBuffer buf = d.buffer();
        int off = d.bodyOffset();
        int len = d.bodyLength();
        try
        {
            if (d.bodyCompressed())
            {
                len = tools.zlib.inflate(buf, off, len, tools.inflated, 0, d.uncompressedBodySize());
                buf = tools.inflated;
                off = 0;
            }
            final long now = System.nanoTime();
            final boolean apply = applyDownloads || flx;
            final List<DownloadEntry> list = flx ? bootstrap : apply ? new ArrayList<>() : List.of();
            entries.wrap(buf, off, len);
            long prev = 0;
            int received = 0;
            while (entries.next())
            {
                // PBS: strictly increasing server versions; FLX bootstraps may repeat one
                if ((flx ? entries.serverVersion() < prev : entries.serverVersion() <= prev)
                    || entries.serverVersion() < 1 || entries.serverVersion() > dlServer
                    || entries.clientVersion() > dlClient)
                {
                    protocolError("DOWNLOAD entry out of order");
                    return;
                }
                prev = entries.serverVersion();
                received++;
                if (apply)
                {
                    final Changeset c = reader.read(entries.buffer(), entries.changesetOffset(),
                        entries.changesetLength(), new Changeset());
                    list.add(new DownloadEntry(entries.serverVersion(), entries.clientVersion(),
                        entries.originTimestamp(), entries.originFileIdent(), c));
                }
                final long sent = FanoutClock.lookup(serverFileKey, entries.originFileIdent(),
                    entries.originTimestamp());
                if (sent != 0)
                {
                    conn.metrics().fannedOut(now - sent);
                }
            }
            if (flx && d.batchState() == 0)
            {
                return; // more of the bootstrap to come
            }
            receivedChangesets += received;
            if (!apply)
            {
                final IntegrationResult r = integrator.skipDownload(dlServer, dlClient, upClient, upServer);
                if (!r.ok())
                {
                    protocolError("download cursors: " + r.message());
                    return;
                }
            }
            else
            {
                final IntegrationResult r = integrator.integrateDownload(list, dlServer, dlClient, upClient,
                    upServer);
                if (!r.ok())
                {
                    protocolError("integration failed: " + r.message());
                    return;
                }
                integratedChangesets += list.size();
                conn.metrics().integrated(list.size());
                bootstrap.clear();
            }
        }
        catch (final CodecException ex)
        {
            protocolError("bad DOWNLOAD: " + ex.getMessage());
            return;
        }
        latestServerVersion = d.latestServerVersion();
        latestServerVersionSalt = d.latestServerVersionSalt();
        final long now = System.nanoTime();
        while (!unacked.isEmpty() && unacked.peek()[0] <= integrator.uploadClientVersion())
        {
            final long[] acked = unacked.poll();
            conn.metrics().uploadAcked(now - acked[1]);
            if (onAcked != null)
            {
                onAcked.accept(acked[0]);
            }
        }
        checkWaiters();
        flushUpload();
        if (afterDownload != null)
        {
            afterDownload.run();
        }
    }

    private void onMark(final long requestIdent)
    {
        if (state != State.ACTIVE || requestIdent > markSent || requestIdent <= markReceived)
        {
            if (state != State.ERRORED)
            {
                protocolError("unexpected MARK " + requestIdent);
            }
            return;
        }
        markReceived = requestIdent;
        if (requestIdent == firstMark && !uploadsAllowed)
        {
            uploadsAllowed = true;
            sessionBackoff = 0;
            flushUpload();
            if (flx && queryVersion == 0)
            {
                // subscribe (the app has not written yet), write once the bootstrap is complete
                sendQuery();
            }
            else
            {
                becomeReady();
            }
        }
        else if (requestIdent == queryMark && !ready)
        {
            becomeReady();
        }
        checkWaiters();
    }

    private void becomeReady()
    {
        ready = true;
        if (onActive != null)
        {
            final Runnable r = onActive;
            onActive = null;
            r.run();
        }
    }

    private static String query()
    {
        return "{\"" + ItemWorkload.CLASS + "\":\"(TRUEPREDICATE)\"}";
    }

    private void sendQuery()
    {
        queryVersion++;
        final byte[] q = query().getBytes(StandardCharsets.UTF_8);
        final UnsafeBuffer qb = new UnsafeBuffer(q);
        conn.send(conn.encoder().query(conn.out(), 0, ident, queryVersion, qb, 0, q.length));
        queryMark = ++markSent;
        conn.send(conn.encoder().mark(conn.out(), 0, ident, queryMark));
    }

    private void onError(final ServerMessageDecoder d)
    {
        final String text = d.buffer().getStringWithoutLengthUtf8(d.bodyOffset(), d.bodyLength());
        errors++;
        lastError = d.errorCode() + ": " + text;
        conn.metrics().error("session error " + lastError);
        if (d.type() == MessageType.QUERY_ERROR)
        {
            return;
        }
        final boolean tryAgain = d.type() == MessageType.ERROR ? d.tryAgain() : jsonTryAgain(text);
        state = State.ERRORED;
        uploadsAllowed = false;
        conn.send(conn.encoder().unbind(conn.out(), 0, ident));
        if (!tryAgain)
        {
            state = State.FAILED;
            failWaiters(lastError);
            return;
        }
        final long cap = Math.min(60_000, 1000L << Math.min(sessionBackoff++, 16));
        final long delay = cap / 2 + ThreadLocalRandom.current().nextLong(cap / 2 + 1);
        conn.context().owner().setTimer(delay, id ->
        {
            if (state == State.ERRORED && conn.isOpen())
            {
                bind();
            }
        });
    }

    private static boolean jsonTryAgain(final String json)
    {
        try
        {
            return new io.vertx.core.json.JsonObject(json).getBoolean("tryAgain", false);
        }
        catch (final RuntimeException ex)
        {
            return false;
        }
    }

    private void protocolError(final String what)
    {
        errors++;
        lastError = what;
        conn.metrics().error("protocol: " + what);
    }

    private void flushUpload()
    {
        if (state != State.ACTIVE || !uploadsAllowed || integrator == null || !conn.writable())
        {
            return;
        }
        if (integrator.version() <= sentClientVersion)
        {
            return;
        }
        final UploadBatch batch = integrator.pendingUpload(sentClientVersion); // only what this connection has not sent
        final ExpandableArrayBuffer body = tools.body;
        final ExpandableArrayBuffer scratch = tools.scratch;
        int bodyLength = 0;
        long last = sentClientVersion;
        for (final UploadEntry e : batch.entries())
        {
            if (e.clientVersion() <= sentClientVersion)
            {
                continue;
            }
            final int n = tools.writer.encode(e.changeset(), scratch, 0);
            bodyLength += EntryEncoder.uploadEntry(body, bodyLength, e.clientVersion(), e.serverVersion(),
                e.originTimestamp(), 0, scratch, 0, n);
            last = e.clientVersion();
        }
        if (last == sentClientVersion)
        {
            return; // only integrated downloads since the last upload: nothing to send
        }
        sentClientVersion = batch.progressClientVersion();
        final int compressed = tools.zlib.compressIfWorthwhile(body, 0, bodyLength, scratch, 0);
        final long psv = batch.progressServerVersion();
        final int length = compressed < 0
            ? conn.encoder().upload(conn.out(), 0, ident, false, bodyLength, batch.progressClientVersion(), psv, psv,
                body, 0, bodyLength)
            : conn.encoder().upload(conn.out(), 0, ident, true, bodyLength, batch.progressClientVersion(), psv, psv,
                scratch, 0, compressed);
        conn.send(length);
    }

    private void checkWaiters()
    {
        if (waiters.isEmpty() || state != State.ACTIVE || !uploadsAllowed || !ready)
        {
            return;
        }
        for (int i = 0; i < waiters.size(); i++)
        {
            final Waiter w = waiters.get(i);
            if (!unacked.isEmpty())
            {
                continue;
            }
            if (w.markIdent == 0)
            {
                w.markIdent = ++markSent;
                conn.send(conn.encoder().mark(conn.out(), 0, ident, w.markIdent));
            }
            else if (markReceived >= w.markIdent)
            {
                waiters.remove(i--);
                w.future.complete(null);
            }
        }
    }

    private void failWaiters(final String why)
    {
        for (final Waiter w : waiters)
        {
            w.future.completeExceptionally(new IllegalStateException("session failed: " + why));
        }
        waiters.clear();
    }

    private static final class Waiter
    {
        final CompletableFuture<Void> future;
        long markIdent;

        Waiter(final CompletableFuture<Void> future)
        {
            this.future = future;
        }
    }
}
