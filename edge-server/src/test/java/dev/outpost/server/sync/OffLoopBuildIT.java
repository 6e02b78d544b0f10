package dev.outpost.server.sync;

import dev.outpost.codec.message.MessageType;
import dev.outpost.server.runtime.SyncServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static dev.outpost.server.sync.SyncTestClient.Msg;
import static dev.outpost.server.sync.SyncTestClient.Up;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Messages built off the event loop ({@link DownloadPool}) and large uploads unpacked on the writer: the order of
 * DOWNLOADs, MARKs and acknowledgements, the exact cursors and contents, and builds whose session went away.
 * The server's inline budget is 32 KiB, so every DOWNLOAD of these tests that carries more is built by the pool.
 */
@Timeout(60)
class OffLoopBuildIT
{
    private static final String APP = "offloop-app";

    @TempDir
    Path dir;

    private final SyncTestServer fixture = new SyncTestServer(APP);
    private SyncServer server;
    private String token;

    @AfterEach
    void stop()
    {
        fixture.close();
    }

    private void start(final int maxDownloadSize) throws Exception
    {
        server = fixture.start(dir.resolve("server"), c -> c.maxDownloadSize(maxDownloadSize));
        token = fixture.token();
    }

    private SyncTestClient connect() throws Exception
    {
        return fixture.connect(false);
    }

    /** A bound, identified session on a fresh client file, caught up (MARK 1 answered); returns {ident, salt}. */
    private static long[] open(final SyncTestClient c, final long session, final String partition) throws Exception
    {
        c.bind(session, partition, true);
        final Msg ident = c.next();
        assertThat(ident.type()).isEqualTo(MessageType.SERVER_IDENT);
        c.ident(session, ident.get(0), ident.get(1), 0, 0, 0, 0);
        c.mark(session, 1);
        assertThat(c.next(MessageType.SERVER_MARK).get(0)).isEqualTo(1);
        return new long[] {ident.get(0), ident.get(1)};
    }

    /** Upload one changeset from {@code a} based on {@code sv}; @return the acknowledged download cursor. */
    private static long upload(final SyncTestClient a, final long cv, final long sv, final byte[] cs) throws Exception
    {
        a.upload(1, cv, sv, sv, true, new Up(cv, sv, cs));
        Msg m;
        do
        {
            m = a.next(MessageType.DOWNLOAD);
        }
        while (m.get(4) < cv);
        return m.get(0);
    }

    private static byte[] changeset(final int i)
    {
        return Changesets.objects("Item", i * 1000L, 500, "catch-up-" + i + "-with-some-repetitive-text-");
    }

    @Test
    void shouldCatchUpThroughManyPoolBuiltDownloadsInOrderWithMarksUploadsAndExactCursors() throws Exception
    {
        start(64 * 1024);
        final SyncTestClient a = connect();
        open(a, 1, "\"c\"");
        final List<byte[]> written = new ArrayList<>();
        long sv = 0;
        for (int i = 0; i < 40; i++)
        {
            final byte[] cs = changeset(i);
            assertThat(cs.length).isGreaterThan(20_000);
            written.add(cs);
            sv = upload(a, 2 + i, sv, cs);
        }
        assertThat(sv).isEqualTo(40);

        // B joins: IDENT and MARK 1 at once (head 40), catches up in many messages of up to 64 KiB
        final SyncTestClient b = connect();
        b.bind(1, "\"c\"", true);
        final Msg ident = b.next();
        b.ident(1, ident.get(0), ident.get(1), 0, 0, 0, 0);
        b.mark(1, 1);
        final List<Msg> seen = new ArrayList<>();
        long bCursor = 0;
        while (bCursor < 5)
        {
            final Msg m = b.next();
            seen.add(m);
            if (m.type() == MessageType.DOWNLOAD)
            {
                bCursor = m.get(0);
            }
        }
        // mid catch-up: B uploads its own changeset (appended as version 41) and asks MARK 2
        b.upload(1, 2, bCursor, bCursor, false, new Up(2, bCursor, Changesets.objects("Other", 1, 3, "b")));
        b.mark(1, 2);
        // A sees B's change, then writes 10 more based on it (versions 42..51); then B asks MARK 3
        Msg fan;
        do
        {
            fan = a.next(MessageType.DOWNLOAD);
        }
        while (fan.get(0) < 41);
        assertThat(fan.get(0)).isEqualTo(41);
        sv = 41;
        for (int i = 40; i < 50; i++)
        {
            final byte[] cs = changeset(i);
            written.add(cs);
            sv = upload(a, 2 + i, sv, cs);
        }
        assertThat(sv).isEqualTo(51);
        b.mark(1, 3);
        Msg m;
        do
        {
            m = b.next();
            seen.add(m);
        }
        while (m.type() != MessageType.SERVER_MARK || m.get(0) != 3);

        // the whole stream of B, in order
        long cursor = 0;
        long clientVersion = 0;
        long uploadCursor = 0;
        long nextMark = 1;
        int downloads = 0;
        int compressed = 0;
        final List<byte[]> received = new ArrayList<>();
        final List<Long> versions = new ArrayList<>();
        for (final Msg x : seen)
        {
            if (x.type() == MessageType.SERVER_MARK)
            {
                assertThat(x.get(0)).as("MARKs in order").isEqualTo(nextMark);
                final long due = nextMark == 1 ? 40 : nextMark == 2 ? 41 : 51;
                assertThat(cursor).as("MARK " + nextMark + " only after the downloads up to its head").isGreaterThanOrEqualTo(due);
                nextMark++;
                continue;
            }
            assertThat(x.type()).isEqualTo(MessageType.DOWNLOAD);
            downloads++;
            compressed += x.compressed() ? 1 : 0;
            assertThat(x.frameLength()).isLessThan(64 * 1024 + 512);
            for (final var e : x.entries())
            {
                assertThat(e.serverVersion()).isGreaterThan(cursor).isLessThanOrEqualTo(x.get(0));
                assertThat(e.originFileIdent()).isNotEqualTo(ident.get(0));
                versions.add(e.serverVersion());
                received.add(e.changeset());
            }
            assertThat(x.get(0)).as("download cursor never goes back").isGreaterThanOrEqualTo(cursor);
            assertThat(x.get(1)).as("download client version never goes back").isGreaterThanOrEqualTo(clientVersion);
            assertThat(x.get(4)).as("upload cursor never goes back").isGreaterThanOrEqualTo(uploadCursor);
            assertThat(x.get(1)).as("download client version within the acknowledged uploads").isLessThanOrEqualTo(x.get(4));
            assertThat(x.get(1)).as("client version 2 exactly once the cursor passed B's own entry 41")
                .isEqualTo(x.get(0) >= 41 ? 2 : 0);
            cursor = x.get(0);
            clientVersion = x.get(1);
            uploadCursor = x.get(4);
        }
        assertThat(nextMark).isEqualTo(4);
        assertThat(cursor).isEqualTo(51);
        assertThat(uploadCursor).as("B's upload was acknowledged").isEqualTo(2);
        final List<Long> expected = new ArrayList<>();
        for (long v = 1; v <= 51; v++)
        {
            if (v != 41)
            {
                expected.add(v);
            }
        }
        assertThat(versions).as("every other entry exactly once, never B's own").isEqualTo(expected);
        assertThat(received).hasSize(written.size());
        for (int i = 0; i < written.size(); i++)
        {
            assertThat(received.get(i)).as("entry " + i).isEqualTo(written.get(i));
        }
        assertThat(downloads).isGreaterThan(20);
        assertThat(compressed).isGreaterThan(10);
        assertThat(b.poll(200)).as("nothing after the last MARK").isNull();
    }

    @Test
    void shouldDropABuildWhoseSessionWasUnboundAndServeTheNewIncarnationFromItsOwnCursor() throws Exception
    {
        start(64 * 1024);
        final SyncTestClient a = connect();
        open(a, 1, "\"u\"");
        final List<byte[]> written = new ArrayList<>();
        long sv = 0;
        for (int i = 0; i < 12; i++)
        {
            final byte[] cs = changeset(i);
            written.add(cs);
            sv = upload(a, 2 + i, sv, cs);
        }
        final SyncTestClient b = connect();
        b.bind(4, "\"u\"", true);
        final Msg ident = b.next();
        // IDENT goes to the writer; MARK and UNBIND are held back and run right after it: the MARK's scan hands a
        // build to the pool, the UNBIND ends the session while that build is in flight
        b.ident(4, ident.get(0), ident.get(1), 0, 0, 0, 0);
        b.mark(4, 1);
        b.unbind(4);
        Msg m;
        do
        {
            m = b.next();
            assertThat(m.type()).as("the old incarnation never answers its MARK").isNotEqualTo(MessageType.SERVER_MARK);
        }
        while (m.type() != MessageType.UNBOUND);
        // the same ident again: a build of the old incarnation that got through would repeat versions below
        b.bind(4, "\"u\"", false);
        b.ident(4, ident.get(0), ident.get(1), 0, 0, 0, 0);
        b.mark(4, 2);
        long cursor = 0;
        final List<byte[]> received = new ArrayList<>();
        while ((m = b.next()).type() == MessageType.DOWNLOAD)
        {
            for (final var e : m.entries())
            {
                assertThat(e.serverVersion()).as("no DOWNLOAD of the old incarnation after UNBOUND")
                    .isEqualTo(cursor + 1);
                cursor = e.serverVersion();
                received.add(e.changeset());
            }
            assertThat(m.get(0)).isEqualTo(cursor);
        }
        assertThat(m.type()).isEqualTo(MessageType.SERVER_MARK);
        assertThat(m.get(0)).isEqualTo(2);
        assertThat(cursor).isEqualTo(12);
        assertThat(received).hasSize(12);
        for (int i = 0; i < 12; i++)
        {
            assertThat(received.get(i)).isEqualTo(written.get(i));
        }
        assertThat(b.poll(200)).isNull();
    }

    @Test
    void shouldIntegrateLargeUploadsUnpackedOnTheWriterAndRefuseBadOnes() throws Exception
    {
        start(16 * 1024 * 1024);
        final SyncTestClient a = connect();
        final SyncTestClient b = connect();
        final long[] ia = open(a, 1, "\"l\"");
        open(b, 1, "\"l\"");
        // 300 KB uncompressed, compressed on the wire: inflated and checked on the writer
        final byte[] big = Changesets.objects("Item", 0, 6000, "large-upload-name-");
        assertThat(big.length).isGreaterThan(Session.INLINE_UPLOAD_BYTES);
        final byte[] second = Changesets.randomObjects("Item", 10_000, 400, 400);
        a.upload(1, 3, 0, 0, true, new Up(2, 0, big), new Up(3, 0, second));
        final Msg ack = a.next(MessageType.DOWNLOAD);
        assertThat(ack.get(0)).isEqualTo(2);
        assertThat(ack.get(1)).isEqualTo(3);
        assertThat(ack.get(4)).isEqualTo(3);
        final Msg fan = b.next(MessageType.DOWNLOAD);
        assertThat(fan.entries()).hasSize(2);
        assertThat(fan.entries().get(0).changeset()).isEqualTo(big);
        assertThat(fan.entries().get(0).originFileIdent()).isEqualTo(ia[0]);
        assertThat(fan.entries().get(1).changeset()).isEqualTo(second);

        // a large body whose changeset client versions go backwards: 210 (ClientReset) for that session only
        b.upload(1, 5, 2, 2, true, new Up(5, 2, big), new Up(4, 2, second));
        final Msg refused = b.next();
        assertThat(refused.type()).isEqualTo(MessageType.SERVER_JSON_ERROR);
        assertThat(refused.get(0)).isEqualTo(210);
        assertThat(refused.text()).contains("ClientReset");
        assertThat(server.sync().head(SyncService.pbsFileName(APP, "\"l\""))).isEqualTo(2);
        a.ping(7);
        assertThat(a.next().type()).isEqualTo(MessageType.PONG);

        // a large compressed body that does not inflate: a connection-level error, as on the event loop
        final byte[] garbage = new byte[4096];
        Arrays.fill(garbage, (byte)0x55);
        final byte[] head = ("upload 1 1 200000 " + garbage.length + " 4 2 2\n").getBytes(StandardCharsets.US_ASCII);
        final byte[] frame = Arrays.copyOf(head, head.length + garbage.length);
        System.arraycopy(garbage, 0, frame, head.length, garbage.length);
        a.sendRaw(frame);
        final Msg error = a.next();
        assertThat(error.type()).isEqualTo(MessageType.ERROR);
        assertThat(error.session()).isZero();
        assertThat(a.awaitClose(10_000)).isEqualTo(1002);
    }
}
