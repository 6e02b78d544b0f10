package dev.outpost.server.sync;

import dev.outpost.codec.message.ClientMessageEncoder;
import dev.outpost.codec.message.MessageType;
import dev.outpost.server.runtime.SyncServer;
import dev.outpost.server.ws.RawWebSocket;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static dev.outpost.server.sync.SyncTestClient.Msg;
import static dev.outpost.server.sync.SyncTestClient.Up;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 17 item 6: a connection that binds many sessions and never reads costs the server at most its outbound
 * budget ({@code max-queued-bytes-per-connection}) plus one message, and no build work once the budget is full, while
 * an honest client of the same partition on another connection syncs normally. Before the budget, each of the 200
 * sessions had its catch-up DOWNLOAD (~300 KB) built on the download pool at once: ~60 MB of direct memory for one
 * connection that reads nothing.
 */
@Timeout(120)
class ConnectionBudgetIT
{
    private static final String APP = "budget-app";
    private static final String PARTITION = "\"big\"";
    private static final int BUDGET = 1024 * 1024;
    private static final int HOG_SESSIONS = 200;

    @TempDir
    Path dir;

    private final SyncTestServer fixture = new SyncTestServer(APP);
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void stop() throws Exception
    {
        for (final AutoCloseable c : open)
        {
            c.close();
        }
        fixture.close();
    }

    @Test
    void shouldBoundTheBytesAndBuildsOfAConnectionThatNeverReadsWhileAnotherSyncs() throws Exception
    {
        final SyncServer server = fixture.start(dir.resolve("server"), c -> c.maxQueuedBytesPerConnection(BUDGET));
        final SyncTestClient writer = fixture.connect(false);
        open(writer, 1, PARTITION);
        // one changeset of ~300 KB of random letters (barely compressible): each session's catch-up is one DOWNLOAD
        final byte[] partition = Changesets.randomObjects("Item", 0, 150, 2000);
        writer.upload(1, 2, 0, 0, false, new Up(2, 0, partition));
        final long head = awaitAck(writer, 1, 2);

        // the hog: a small receive buffer, 200 sessions bound and identified, then it never reads again
        final RawWebSocket hog = RawWebSocket.connect(server.port(), 4096, "/api/client/v2.0/app/" + APP +
            "/realm-sync?baas_at=" + fixture.token(), "com.mongodb.realm-sync#14");
        open.add(hog);
        assertThat(hog.status).isEqualTo(101);
        final ClientMessageEncoder enc = new ClientMessageEncoder();
        final ExpandableArrayBuffer out = new ExpandableArrayBuffer(256);
        final byte[] path = PARTITION.getBytes(StandardCharsets.UTF_8);
        final UnsafeBuffer none = new UnsafeBuffer(new byte[0]);
        for (int s = 1; s <= HOG_SESSIONS; s++)
        {
            send(hog, out, enc.bind(out, 0, s, new UnsafeBuffer(path), 0, path.length, none, 0, 0, true, false));
        }
        final long[][] idents = new long[HOG_SESSIONS + 1][];
        for (int n = 0; n < HOG_SESSIONS; n++)
        {
            final Msg ident = writer.decode(hog.read().payload());
            assertThat(ident.type()).isEqualTo(MessageType.SERVER_IDENT);
            idents[(int)ident.session()] = new long[]{ident.get(0), ident.get(1)};
        }
        for (int s = 1; s <= HOG_SESSIONS; s++)
        {
            send(hog, out, enc.ident(out, 0, s, idents[s][0], idents[s][1], 0, 0, 0, 0, 0, none, 0, 0));
        }

        // wait (no timing asserted) until the server stopped building for the hog: its build count stays put
        final ConnectionHandler hogConnection = awaitConnectionWithSessions(server, HOG_SESSIONS);
        final long builds = awaitSteadyBuilds(hogConnection);

        // an honest client binds the same partition on another connection and gets all of it, then a new write
        final SyncTestClient honest = fixture.connect(false);
        final long start = System.nanoTime();
        honest.bind(7, PARTITION, true);
        final Msg ident = honest.next(MessageType.SERVER_IDENT);
        honest.ident(7, ident.get(0), ident.get(1), 0, 0, 0, 0);
        honest.mark(7, 1);
        final List<byte[]> received = new ArrayList<>();
        Msg m;
        while ((m = honest.next()).type() == MessageType.DOWNLOAD)
        {
            m.entries().forEach(e -> received.add(e.changeset()));
        }
        assertThat(m.type()).isEqualTo(MessageType.SERVER_MARK);
        assertThat(received).hasSize(1);
        assertThat(received.get(0)).as("the whole partition, byte for byte").isEqualTo(partition);
        final byte[] later = Changesets.objects("Item", 1000, 1, "later");
        writer.upload(1, 3, head, head, false, new Up(3, head, later));
        final Msg fanout = honest.next(MessageType.DOWNLOAD);
        assertThat(fanout.entries()).hasSize(1);
        assertThat(fanout.entries().get(0).changeset()).isEqualTo(later);
        System.out.println("honest client synced " + partition.length + " B in " +
            (System.nanoTime() - start) / 1_000_000 + " ms next to a hog with " + HOG_SESSIONS +
            " sessions; hog builds " + builds + ", hog peak queued+building " + hogConnection.queuedPeak() + " B");

        // the hog: still connected, nothing more built for it, never more than the budget plus one message
        assertThat(server.sync().connectionHandlers()).as("the hog is still connected").contains(hogConnection);
        assertThat(server.sync().slowConsumersDropped()).isZero();
        assertThat(hogConnection.builds()).as("no build for the hog since its budget filled").isEqualTo(builds);
        final int message = partition.length + 4096;
        // what the kernel's send buffer took (auto-tuned, up to a few MB on loopback) left room for more builds:
        // not a bound on them, but far from one per session (before the budget: all 200, ~60 MB at once)
        assertThat(builds).as("builds for the hog: its budget's worth plus what the kernel took")
            .isLessThan(HOG_SESSIONS / 4);
        assertThat(hogConnection.queuedPeak()).as("hog's bytes queued + building: at most the budget plus a message")
            .isLessThanOrEqualTo(BUDGET + message);

        // once it reads, every paused session of the hog catches up (the budget only defers them)
        final boolean[] caughtUp = new boolean[HOG_SESSIONS + 1];
        int sessionsCaughtUp = 0;
        final java.io.ByteArrayOutputStream partial = new java.io.ByteArrayOutputStream();
        while (sessionsCaughtUp < HOG_SESSIONS)
        {
            final RawWebSocket.Frame f = hog.read();
            if (f.opcode() >= 8)
            {
                continue;
            }
            partial.write(f.payload());
            if (!f.fin())
            {
                continue;
            }
            final Msg d = writer.decode(partial.toByteArray());
            partial.reset();
            if (d.type() == MessageType.DOWNLOAD && d.get(0) == head + 1 && !caughtUp[(int)d.session()])
            {
                caughtUp[(int)d.session()] = true;
                sessionsCaughtUp++;
            }
        }
        assertThat(hogConnection.queuedPeak()).as("still within the budget plus a message while draining")
            .isLessThanOrEqualTo(BUDGET + message);
    }

    private static ConnectionHandler awaitConnectionWithSessions(final SyncServer server, final int sessions)
        throws InterruptedException
    {
        final long deadline = System.currentTimeMillis() + 30_000;
        while (System.currentTimeMillis() < deadline)
        {
            for (final ConnectionHandler h : server.sync().connectionHandlers())
            {
                if (h.sessionCount() == sessions)
                {
                    return h;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no connection with " + sessions + " sessions");
    }

    /** @return the connection's build count once it has been positive and unchanged for 20 polls in a row. */
    private static long awaitSteadyBuilds(final ConnectionHandler h) throws InterruptedException
    {
        final long deadline = System.currentTimeMillis() + 60_000;
        long last = -1;
        int same = 0;
        while (System.currentTimeMillis() < deadline)
        {
            final long now = h.builds();
            same = now == last && now > 0 ? same + 1 : 0;
            if (same >= 20)
            {
                return now;
            }
            last = now;
            Thread.sleep(50);
        }
        throw new AssertionError("builds for the connection never settled: " + h.builds());
    }

    private static void send(final RawWebSocket r, final ExpandableArrayBuffer out, final int length) throws Exception
    {
        final byte[] frame = new byte[length];
        out.getBytes(0, frame);
        r.send(RawWebSocket.BINARY, true, frame);
    }

    private static void open(final SyncTestClient c, final long session, final String partition) throws Exception
    {
        c.bind(session, partition, true);
        final Msg ident = c.next(MessageType.SERVER_IDENT);
        c.ident(session, ident.get(0), ident.get(1), 0, 0, 0, 0);
        c.mark(session, 1);
        assertThat(c.next(MessageType.SERVER_MARK).get(0)).isEqualTo(1);
    }

    /** @return the download cursor of the session's first DOWNLOAD that acknowledges client version {@code cv}. */
    private static long awaitAck(final SyncTestClient c, final long session, final long cv) throws Exception
    {
        while (true)
        {
            final Msg m = c.next(MessageType.DOWNLOAD);
            if (m.session() == session && m.get(4) >= cv)
            {
                return m.get(0);
            }
        }
    }
}
