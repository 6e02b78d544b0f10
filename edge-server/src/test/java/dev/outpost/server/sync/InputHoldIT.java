package dev.outpost.server.sync;

import dev.outpost.codec.message.MessageType;
import dev.outpost.server.runtime.SyncServer;
import dev.outpost.server.sync.writer.FaultPoint;
import dev.outpost.server.sync.writer.ShardWriter;
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
 * A client that uploads faster than its server file's writer takes is slowed down by TCP, not dropped: while the
 * writer is stalled and its handoff is full, the connection holds back the session's messages only up to about
 * 1 MiB and then stops reading from its socket. 100 MiB of uploads (with 16 in flight, more than the 64 MiB the connection may hold back
 * before it closes the session with "too many messages waiting") all end up acknowledged, with no error.
 */
@Timeout(240)
class InputHoldIT
{
    private static final String APP = "hold";
    private static final String FILE = "pbs/hold/\"p\"";
    private static final int UPLOADS = 100;

    private final SyncTestServer fixture = new SyncTestServer(APP);

    @TempDir
    Path dir;

    @AfterEach
    void close()
    {
        fixture.close();
    }

    @Test
    void shouldStopReadingInsteadOfDroppingASessionThatOutrunsItsWriter() throws Exception
    {
        final SyncServer server = fixture.start(dir.resolve("data"), c -> c.eventLoops(1).writerQueue(2));
        final SyncTestClient c = fixture.connect(false);
        c.bind(1, "\"p\"", true);
        final Msg ident = c.next(MessageType.SERVER_IDENT);
        c.ident(1, ident.get(0), ident.get(1), 0, 0, 0, 0);
        c.mark(1, 1);
        assertThat(c.next(MessageType.SERVER_MARK).get(0)).isEqualTo(1);

        final byte[][] bodies = new byte[UPLOADS + 1][];
        for (int v = 1; v <= UPLOADS; v++)
        {
            // ~1 MiB each: 1,000 objects of 1,000 random letters (built before the stall: sending is then fast)
            bodies[v] = Changesets.randomObjects("Item", v * 1_000L, 1_000, 1_000);
        }
        final CountDownLatch release = new CountDownLatch(1);
        final ShardWriter writer = server.sync().writerFor(FILE);
        writer.tools.faultHook = p ->
        {
            if (p == FaultPoint.BEFORE_APPEND)
            {
                try
                {
                    release.await(60, TimeUnit.SECONDS);
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                }
            }
        };
        final Thread releaser = new Thread(() ->
        {
            try
            {
                Thread.sleep(5_000);
            }
            catch (final InterruptedException ignore)
            {
                // release at once
            }
            release.countDown();
        });
        releaser.start();
        for (int v = 1; v <= UPLOADS; v++)
        {
            c.upload(1, v, 0, 0, false, new Up(v, 0, bodies[v]));
        }
        releaser.join();
        writer.tools.faultHook = null;
        long acked = 0;
        while (acked < UPLOADS)
        {
            final Msg m = c.next();
            assertThat(m.type()).as("no error while the writer catches up: %s", m).isEqualTo(MessageType.DOWNLOAD);
            acked = Math.max(acked, m.get(4));
        }
        assertThat(server.sync().head(FILE)).isEqualTo(UPLOADS);
    }
}
