package dev.outpost.server.sync;

import dev.outpost.codec.message.MessageType;
import dev.outpost.server.runtime.SyncServer;
import dev.outpost.server.sync.wire.SharedEntries;
import dev.outpost.server.sync.writer.FileContext;
import org.agrona.ExpandableDirectByteBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static dev.outpost.server.sync.SyncTestClient.Msg;
import static dev.outpost.server.sync.SyncTestClient.Up;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Encode once, deliver to many (issue 14): the history entries of a PBS server file are encoded once into the
 * file's {@link SharedEntries} and every session composes its DOWNLOAD from its own head and the shared parts. The
 * composed bytes must be exactly those of the per-session path, for every receiver, cursor and size cut.
 */
@Timeout(60)
class SharedDownloadIT
{
    private static final String APP = "shared-app";
    private static final String PARTITION = "\"s\"";

    @TempDir
    Path dir;

    private final SyncTestServer fixture = new SyncTestServer(APP);

    @AfterEach
    void stop()
    {
        fixture.close();
    }

    /** A bound, identified session on a fresh client file, caught up (MARK 1 answered); returns {ident, salt}. */
    private static long[] open(final SyncTestClient c, final long session) throws Exception
    {
        c.bind(session, PARTITION, true);
        final Msg ident = c.next();
        assertThat(ident.type()).isEqualTo(MessageType.SERVER_IDENT);
        c.ident(session, ident.get(0), ident.get(1), 0, 0, 0, 0);
        c.mark(session, 1);
        assertThat(c.next(MessageType.SERVER_MARK).get(0)).isEqualTo(1);
        return new long[] {ident.get(0), ident.get(1)};
    }

    /** Upload one changeset based on {@code sv} and wait for its acknowledgement; @return the new download cursor. */
    private static long upload(final SyncTestClient c, final long cv, final long sv, final byte[] cs) throws Exception
    {
        c.upload(1, cv, sv, sv, false, new Up(cv, sv, cs));
        Msg m;
        do
        {
            m = c.next(MessageType.DOWNLOAD);
        }
        while (m.get(4) < cv);
        return m.get(0);
    }

    /** Read DOWNLOADs of each client until its download cursor is {@code sv} (before it uploads based on it). */
    private static void caughtUp(final long sv, final SyncTestClient... clients) throws Exception
    {
        for (final SyncTestClient c : clients)
        {
            Msg m;
            do
            {
                m = c.next(MessageType.DOWNLOAD);
            }
            while (m.get(0) < sv);
        }
    }

    @Test
    void shouldEncodeEachNewEntryOnceAndDeliverExactEntriesToEverySession() throws Exception
    {
        final SyncServer server = fixture.start(dir.resolve("server"), c -> c);
        final SyncTestClient writer = fixture.connect(false);
        final long[] w = open(writer, 1);
        final List<SyncTestClient> readers = new ArrayList<>();
        for (int i = 0; i < 3; i++)
        {
            final SyncTestClient r = fixture.connect(false);
            open(r, 1);
            readers.add(r);
        }
        final FileContext ctx = server.sync().fileContext(SyncService.pbsFileName(APP, PARTITION));
        final long keptBefore = ctx.sharedEntries().kept();
        final List<byte[]> written = new ArrayList<>();
        long sv = 0;
        for (int i = 0; i < 6; i++)
        {
            // from tiny (a frame under 126 bytes) to a few hundred bytes (a 16-bit frame length)
            final byte[] cs = Changesets.objects("Item", i * 100L, 1 + i * 3, "v" + i);
            written.add(cs);
            sv = upload(writer, 2 + i, sv, cs);
        }
        // random letters, over 2 KiB even once deflated: a composite frame (gathered write) with a 16-bit length
        final byte[] random = Changesets.randomObjects("Item", 5000, 12, 600);
        assertThat(random.length).isGreaterThan(7000);
        written.add(random);
        sv = upload(writer, 8, sv, random);
        assertThat(sv).isEqualTo(7);
        for (final SyncTestClient r : readers)
        {
            final List<Long> versions = new ArrayList<>();
            final List<byte[]> received = new ArrayList<>();
            long cursor = 0;
            while (cursor < 7)
            {
                final Msg m = r.next(MessageType.DOWNLOAD);
                assertThat(m.get(1)).as("the reader uploaded nothing").isZero();
                for (final var e : m.entries())
                {
                    assertThat(e.serverVersion()).isGreaterThan(cursor).isLessThanOrEqualTo(m.get(0));
                    assertThat(e.originFileIdent()).isEqualTo(w[0]);
                    assertThat(e.clientVersion()).as("the receiver's last integrated client version").isZero();
                    versions.add(e.serverVersion());
                    received.add(e.changeset());
                }
                cursor = m.get(0);
            }
            assertThat(versions).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L);
            for (int i = 0; i < written.size(); i++)
            {
                assertThat(received.get(i)).isEqualTo(written.get(i));
            }
        }
        assertThat(ctx.sharedEntries().kept() - keptBefore).as("each new entry encoded once for all 4 sessions")
            .isEqualTo(7);
    }

    @Test
    void shouldDeliverCompressedBodiesMadeOfSharedDeflateBlocksThatInflateExactly() throws Exception
    {
        final SyncServer server = fixture.start(dir.resolve("server"), c -> c);
        final SyncTestClient writer = fixture.connect(false);
        open(writer, 1);
        final SyncTestClient r1 = fixture.connect(false);
        final SyncTestClient r2 = fixture.connect(false);
        open(r1, 1);
        open(r2, 1);
        final FileContext ctx = server.sync().fileContext(SyncService.pbsFileName(APP, PARTITION));
        final List<byte[]> written = new ArrayList<>();
        long sv = 0;
        for (int i = 0; i < 3; i++)
        {
            final byte[] cs = Changesets.objects("Item", i * 1000L, 60, "compressible-text-" + i + "-");
            assertThat(cs.length).isGreaterThan(2048);
            written.add(cs);
            sv = upload(writer, 2 + i, sv, cs);
        }
        for (final SyncTestClient r : List.of(r1, r2))
        {
            final List<byte[]> received = new ArrayList<>();
            long cursor = 0;
            int compressed = 0;
            while (cursor < 3)
            {
                final Msg m = r.next(MessageType.DOWNLOAD);
                compressed += m.compressed() ? 1 : 0;
                for (final var e : m.entries())
                {
                    assertThat(e.serverVersion()).isGreaterThan(cursor);
                    received.add(e.changeset());
                }
                cursor = m.get(0);
            }
            assertThat(compressed).as("bodies over 1 KiB go compressed").isGreaterThanOrEqualTo(1);
            assertThat(received).hasSize(3);
            for (int i = 0; i < 3; i++)
            {
                assertThat(received.get(i)).isEqualTo(written.get(i));
            }
        }
        assertThat(ctx.sharedEntries().kept()).as("each entry encoded (and deflated) once").isEqualTo(3);
    }

    @Test
    void shouldComposeTheSameDownloadBytesAsThePerSessionPathForEveryReceiverCursorAndCut() throws Exception
    {
        final SyncServer server = fixture.start(dir.resolve("server"), c -> c);
        final SyncTestClient a = fixture.connect(false);
        final SyncTestClient b = fixture.connect(false);
        final SyncTestClient c = fixture.connect(false);
        final long[] ia = open(a, 1);
        final long[] ib = open(b, 1);
        final long[] ic = open(c, 1);
        // interleaved authors, sizes from a few bytes to several KiB
        long sv = 0;
        sv = upload(a, 2, sv, Changesets.objects("Item", 1, 2, "a"));
        caughtUp(sv, b, c);
        sv = upload(b, 2, sv, Changesets.objects("Item", 100, 40, "b-longer-text-"));
        caughtUp(sv, a, c);
        sv = upload(c, 2, sv, Changesets.objects("Item", 200, 1, "c"));
        caughtUp(sv, a, b);
        sv = upload(a, 3, sv, Changesets.objects("Item", 300, 200, "a-much-longer-text-"));
        caughtUp(sv, b, c);
        sv = upload(b, 3, sv, Changesets.objects("Item", 400, 3, "b"));
        caughtUp(sv, a, c);
        sv = upload(c, 3, sv, Changesets.objects("Item", 500, 5, "c"));
        caughtUp(sv, a, b);
        sv = upload(a, 4, sv, Changesets.objects("Item", 600, 2, "a"));
        final long head = sv;
        assertThat(head).isEqualTo(7);

        final SyncService service = server.sync();
        final FileContext ctx = service.fileContext(SyncService.pbsFileName(APP, PARTITION));
        final DownloadBuilder builder = service.loopResources().downloads;
        final SharedEntries[] sharings = {ctx.sharedEntries(), new SharedEntries(256), new SharedEntries(1),
            new SharedEntries(256)};
        final long[][] receivers = {ia, ib, ic, {999, 0}};
        final int[] maxBytes = {16 * 1024 * 1024, 400, 1};
        int compared = 0;
        int gatheredSlices = 0;
        int deflatedCompared = 0;
        for (final SharedEntries shared : sharings)
        {
            for (final long[] receiver : receivers)
            {
                for (long from = 0; from <= head; from++)
                {
                    for (final int max : maxBytes)
                    {
                        for (long uploadClient = 0; uploadClient <= 4; uploadClient += 2)
                        {
                            final DownloadJob old = job(service, ctx, receiver[0], from, uploadClient, head, max);
                            final int n = builder.collect(old, Long.MAX_VALUE, Integer.MAX_VALUE);
                            final DownloadJob now = job(service, ctx, receiver[0], from, uploadClient, head, max);
                            final int m = builder.collectShared(now, shared, Long.MAX_VALUE, Integer.MAX_VALUE);
                            assertThat(m).isEqualTo(n);
                            if (n < 0)
                            {
                                continue;
                            }
                            assertThat(now.toServer).isEqualTo(old.toServer);
                            assertThat(now.toClient).isEqualTo(old.toClient);
                            assertThat(now.entries).isEqualTo(old.entries);
                            builder.prepare(old, n);
                            final ExpandableDirectByteBuffer expected = new ExpandableDirectByteBuffer(n + 512);
                            final int len = builder.encodeDownload(old, expected, n, 2, 1.0);
                            builder.encodeGatheredHead(now, m);
                            gatheredSlices += builder.gathered.sharedCount();
                            final ExpandableDirectByteBuffer actual = new ExpandableDirectByteBuffer(len + 512);
                            final int end = builder.gathered.copyTo(actual, 0);
                            builder.gathered.reset();
                            assertThat(end).isEqualTo(len);
                            final byte[] x = new byte[len];
                            final byte[] y = new byte[len];
                            expected.getBytes(0, x);
                            actual.getBytes(0, y);
                            assertThat(new String(y, java.nio.charset.StandardCharsets.ISO_8859_1))
                                .as("receiver %d from %d max %d upload %d", receiver[0], from, max, uploadClient)
                                .isEqualTo(new String(x, java.nio.charset.StandardCharsets.ISO_8859_1));
                            assertThat(Arrays.equals(x, y)).isTrue();
                            compared++;
                            if (n > 1024)
                            {
                                checkDeflated(builder, old, now, n, x, len);
                                deflatedCompared++;
                            }
                        }
                    }
                }
            }
        }
        assertThat(compared).isGreaterThan(200);
        assertThat(gatheredSlices).as("shared parts were used, not only own copies").isGreaterThan(100);
        assertThat(deflatedCompared).as("bodies over 1 KiB composed as zlib streams").isGreaterThan(20);
    }

    /**
     * The compressed composition of the same message: the head differs only in the compressed flag and size, and the
     * body is one zlib stream (as realm-core's client inflates it) of exactly the uncompressed body.
     */
    private static void checkDeflated(final DownloadBuilder builder, final DownloadJob old, final DownloadJob now,
        final int n, final byte[] expected, final int expectedLength) throws Exception
    {
        // collectShared again: the composition above was reset
        final DownloadJob again = job(now.service, null, now.clientFileIdent, now.fromServer, now.uploadClient,
            now.head, now.maxBytes, now.file, now.fileName);
        final SharedEntries shared = new SharedEntries(256);
        assertThat(builder.collectShared(again, shared, Long.MAX_VALUE, Integer.MAX_VALUE)).isEqualTo(n);
        if (!builder.deflateGathered(again, n))
        {
            builder.gathered.reset();
            return; // not smaller: sent uncompressed, as the per-session path would
        }
        final ExpandableDirectByteBuffer out = new ExpandableDirectByteBuffer(n + 512);
        final int end = builder.deflated.copyTo(out, 0);
        builder.gathered.reset();
        builder.deflated.reset();
        final byte[] msg = new byte[end];
        out.getBytes(0, msg);
        final int nl = indexOf(msg, (byte)'\n');
        final String[] head = new String(msg, 0, nl, java.nio.charset.StandardCharsets.ISO_8859_1).split(" ");
        final int oldNl = indexOf(expected, (byte)'\n');
        final String[] oldHead = new String(expected, 0, oldNl, java.nio.charset.StandardCharsets.ISO_8859_1)
            .split(" ");
        assertThat(head.length).isEqualTo(oldHead.length);
        assertThat(Arrays.copyOf(head, head.length - 3)).isEqualTo(Arrays.copyOf(oldHead, oldHead.length - 3));
        assertThat(head[head.length - 3]).isEqualTo("1");
        assertThat(head[head.length - 2]).isEqualTo(String.valueOf(n));
        assertThat(head[head.length - 1]).isEqualTo(String.valueOf(end - nl - 1));
        final java.util.zip.Inflater inflater = new java.util.zip.Inflater();
        inflater.setInput(msg, nl + 1, end - nl - 1);
        final byte[] body = new byte[n + 1];
        final int got = inflater.inflate(body);
        assertThat(inflater.finished()).as("one complete zlib stream, Adler-32 checked").isTrue();
        assertThat(inflater.getRemaining()).isZero();
        inflater.end();
        assertThat(got).isEqualTo(n);
        assertThat(Arrays.copyOf(body, n)).isEqualTo(Arrays.copyOfRange(expected, oldNl + 1, expectedLength));
    }

    private static int indexOf(final byte[] bytes, final byte b)
    {
        for (int i = 0; i < bytes.length; i++)
        {
            if (bytes[i] == b)
            {
                return i;
            }
        }
        return -1;
    }

    private static DownloadJob job(final SyncService service, final FileContext ctx, final long clientFile,
        final long from, final long uploadClient, final long head, final int maxBytes)
    {
        return job(service, ctx, clientFile, from, uploadClient, head, maxBytes, ctx.file, ctx.name);
    }

    /** A HISTORY job of a PBS session of protocol 14 (bodies never compressed, to compare the entry lists). */
    private static DownloadJob job(final SyncService service, final FileContext ctx, final long clientFile,
        final long from, final long uploadClient, final long head, final int maxBytes,
        final dev.outpost.server.store.ServerFile file, final String name)
    {
        final DownloadJob j = new DownloadJob(null, service, null);
        j.kind = DownloadJob.Kind.HISTORY;
        j.file = file;
        j.fileName = name;
        j.sessionIdent = 7;
        j.flx = false;
        j.protocolVersion = 14;
        j.maxBytes = maxBytes;
        j.compressionThreshold = Integer.MAX_VALUE;
        j.clientFileIdent = clientFile;
        j.fromServer = from;
        j.fromClient = 1;
        j.uploadClient = uploadClient;
        j.uploadServer = from;
        j.head = head;
        j.mustSend = from == 0;
        j.resetOutputs();
        return j;
    }
}
