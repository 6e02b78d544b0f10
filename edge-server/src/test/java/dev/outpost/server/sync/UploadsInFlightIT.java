package dev.outpost.server.sync;

import dev.outpost.codec.message.MessageType;
import dev.outpost.server.config.ServerConfig;
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
import java.util.function.UnaryOperator;

import static dev.outpost.server.sync.SyncTestClient.Msg;
import static dev.outpost.server.sync.SyncTestClient.Up;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code max-uploads-in-flight}: while the server file's writer is stalled, a session hands exactly that many of its
 * UPLOADs to the writer and holds the rest back (back-pressure, no error); once the writer goes on, every UPLOAD is
 * acknowledged in order. The PING sent behind the UPLOADs is answered at once (not held back), so when its PONG
 * arrives every UPLOAD before it was dispatched: the count of pipelined handoffs is then exact.
 */
@Timeout(120)
class UploadsInFlightIT
{
    private static final String APP = "inflight";
    private static final String FILE = "pbs/inflight/\"p\"";

    private final SyncTestServer fixture = new SyncTestServer(APP);

    @TempDir
    Path dir;

    @AfterEach
    void close()
    {
        fixture.close();
    }

    @Test
    void shouldHandAtMostTheSettingsUploadsToAStalledWriter() throws Exception
    {
        // 3 in flight: the first UPLOAD plus 2 pipelined behind it; the other 7 wait in the session
        assertInFlightWhileStalled(c -> c.maxUploadsInFlight(3), 10, 3);
    }

    @Test
    void shouldNotPipelineAtAllWithOneInFlight() throws Exception
    {
        assertInFlightWhileStalled(c -> c.maxUploadsInFlight(1), 10, 1);
    }

    @Test
    void shouldDefaultToSixteenInFlight() throws Exception
    {
        assertInFlightWhileStalled(c -> c, 24, ServerConfig.MAX_UPLOADS_IN_FLIGHT_DEFAULT);
    }

    private void assertInFlightWhileStalled(final UnaryOperator<ServerConfig> tweak,
        final int uploads, final int expectedInFlight) throws Exception
    {
        final SyncServer server = fixture.start(dir.resolve("data"), c -> tweak.apply(c.eventLoops(1)));
        final SyncTestClient c = fixture.connect(false);
        c.bind(1, "\"p\"", true);
        final Msg ident = c.next(MessageType.SERVER_IDENT);
        c.ident(1, ident.get(0), ident.get(1), 0, 0, 0, 0);
        c.mark(1, 1);
        assertThat(c.next(MessageType.SERVER_MARK).get(0)).isEqualTo(1);

        final CountDownLatch release = new CountDownLatch(1);
        final CountDownLatch stalled = new CountDownLatch(1);
        final ShardWriter writer = server.sync().writerFor(FILE);
        writer.tools.faultHook = p ->
        {
            if (p == FaultPoint.BEFORE_APPEND)
            {
                stalled.countDown();
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
        final long pipelinedBefore = server.sync().uploadsPipelined();
        try
        {
            for (int v = 1; v <= uploads; v++)
            {
                c.upload(1, v, 0, 0, false, new Up(v, 0, Changesets.objects("Item", v, 1, "v")));
            }
            c.ping(42);
            assertThat(c.next(MessageType.PONG).get(0)).isEqualTo(42);
            assertThat(stalled.await(30, TimeUnit.SECONDS)).as("the writer took the first UPLOAD").isTrue();
            assertThat(server.sync().uploadsPipelined() - pipelinedBefore)
                .as("UPLOADs handed to the stalled writer behind the first one")
                .isEqualTo(expectedInFlight - 1);
            assertThat(c.poll(200)).as("nothing acknowledged, no error while the writer is stalled").isNull();
        }
        finally
        {
            release.countDown();
            writer.tools.faultHook = null;
        }
        long acked = 0;
        while (acked < uploads)
        {
            final Msg m = c.next();
            assertThat(m.type()).as("back-pressure, not an error: %s", m).isEqualTo(MessageType.DOWNLOAD);
            assertThat(m.get(4)).as("acknowledgements never go backwards").isGreaterThanOrEqualTo(acked);
            acked = m.get(4);
        }
        assertThat(acked).isEqualTo(uploads);
        assertThat(server.sync().head(FILE)).isEqualTo(uploads);
    }
}
