package dev.outpost.server.sync;

import dev.outpost.codec.message.MessageType;
import dev.outpost.server.runtime.SyncServer;
import dev.outpost.server.sync.writer.FaultPoint;
import dev.outpost.server.sync.writer.ShardWriter;
import dev.outpost.server.sync.writer.UploadBuffers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static dev.outpost.server.sync.SyncTestClient.Msg;
import static dev.outpost.server.sync.SyncTestClient.Up;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The UPLOAD body copies a real server hands its writer all come back to the writer's pool: uploads acknowledged,
 * refused (a changeset that does not parse; the session's later pipelined uploads skipped) and those of a client
 * that closed its connection while its upload waited for room in a full handoff (never handed over).
 */
@Timeout(60)
class UploadPoolIT
{
    private static final String APP = "pool-app";
    private static final String P = "\"p\"";
    private static final String FILE = SyncService.pbsFileName(APP, P);

    @TempDir
    Path dir;

    private final SyncTestServer fixture = new SyncTestServer(APP);

    @AfterEach
    void stop()
    {
        fixture.close();
    }

    private static void open(final SyncTestClient c, final long session) throws Exception
    {
        c.bind(session, P, true);
        final Msg ident = c.next();
        assertThat(ident.type()).isEqualTo(MessageType.SERVER_IDENT);
        c.ident(session, ident.get(0), ident.get(1), 0, 0, 0, 0);
        c.mark(session, 1);
        c.next(MessageType.SERVER_MARK);
    }

    private static void awaitAck(final SyncTestClient c, final long session, final long clientVersion)
        throws Exception
    {
        Msg m = c.next(MessageType.DOWNLOAD);
        while (m.session() != session || m.get(4) < clientVersion)
        {
            m = c.next(MessageType.DOWNLOAD);
        }
    }

    @Test
    void shouldGetEveryBodyCopyBackWhateverBecameOfItsUpload() throws Exception
    {
        final SyncServer server = fixture.start(dir, c -> c.eventLoops(1).writerQueue(2));
        final ShardWriter writer = server.sync().writerFor(FILE);
        final UploadBuffers pool = writer.uploadBuffers();

        // acknowledged, pipelined
        final SyncTestClient good = fixture.connect(false);
        open(good, 1);
        for (int v = 1; v <= 20; v++)
        {
            good.upload(1, v, 0, 0, false, new Up(v, 0, Changesets.objects("Item", v, 2, "g")));
        }
        awaitAck(good, 1, 20);

        // refused: the second changeset does not parse; the pipelined uploads after it are skipped
        final SyncTestClient bad = fixture.connect(false);
        open(bad, 1);
        bad.upload(1, 1, 0, 0, false, new Up(1, 0, Changesets.objects("Item", 100, 1, "b")));
        bad.upload(1, 2, 0, 0, false, new Up(2, 0, new byte[] {0x7F, 0x7F, 0x7F}));
        for (int v = 3; v <= 6; v++)
        {
            bad.upload(1, v, 0, 0, false, new Up(v, 0, Changesets.objects("Item", 100 + v, 1, "b")));
        }
        assertThat(bad.next(MessageType.SERVER_JSON_ERROR).get(0)).isEqualTo(212);

        // the writer held up: the handoff (2 commands) fills, the next upload waits for room; its client leaves
        final CountDownLatch hold = new CountDownLatch(1);
        writer.tools.faultHook = p ->
        {
            if (p == FaultPoint.BEFORE_APPEND)
            {
                try
                {
                    hold.await(30, TimeUnit.SECONDS);
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                }
            }
        };
        final SyncTestClient gone = fixture.connect(false);
        open(gone, 1);
        final long retriedBefore = server.sync().handoffRetries();
        for (int v = 1; v <= 6; v++)
        {
            gone.upload(1, v, 0, 0, false, new Up(v, 0, Changesets.objects("Item", 200 + v, 1, "x")));
        }
        while (server.sync().handoffRetries() == retriedBefore)
        {
            Thread.sleep(5); // until an upload waits for room
        }
        final int bound = server.sync().fileContext(FILE).sessionCount();
        gone.close();
        while (server.sync().fileContext(FILE).sessionCount() >= bound)
        {
            Thread.sleep(5); // until the server saw the connection close
        }
        Thread.sleep(20); // a retry tick or more after it
        writer.tools.faultHook = null;
        hold.countDown();

        while (pool.outstanding() != 0)
        {
            Thread.sleep(5); // the held-up commands finish (or the test times out)
        }
        assertThat(pool.outstanding()).isZero();
        assertThat(pool.idle()).isPositive();
    }
}
