package dev.outpost.server.sync.writer;

import dev.outpost.codec.ProtocolErrorCode;
import dev.outpost.server.sync.Changesets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The UPLOAD body copies handed to a writer come back to its pool whatever happens to the upload: integrated,
 * refused (a changeset that does not parse), skipped after a refusal, failed (a store failure injected), inflated on
 * the writer, or never handed over; and a recycled copy is reused, not reallocated.
 */
class UploadBuffersTest
{
    @TempDir
    Path dir;

    @Test
    void shouldRecycleAReleasedCopyAndDropOneGrownTooLarge()
    {
        final UploadBuffers pool = new UploadBuffers(4, 1024);
        final UploadChangesets a = pool.acquire();
        a.add(1, 0, 0, new org.agrona.concurrent.UnsafeBuffer(new byte[100]), 0, 100);
        pool.release(a);
        pool.release(a); // a second release of the same use is ignored
        assertThat(pool.outstanding()).isZero();
        final UploadChangesets again = pool.acquire();
        assertThat(again).isSameAs(a);
        assertThat(again.count()).isZero();
        again.add(1, 0, 0, new org.agrona.concurrent.UnsafeBuffer(new byte[4096]), 0, 4096);
        pool.release(again);
        assertThat(pool.idle()).isZero(); // grown beyond 1 KiB: not kept
        assertThat(pool.acquire()).isNotSameAs(a);
    }

    @Test
    @Timeout(60)
    void shouldReturnEveryCopyWhateverHappensToTheUpload() throws Exception
    {
        try (WriterHarness h = new WriterHarness(dir, 4))
        {
            final List<WriterHarness.Client> c = h.clients();
            final UploadBuffers pool = h.writer.uploadBuffers();
            final byte[] items = Changesets.objects("Item", 1, 3, "a");

            // integrated, several times: one copy recycled
            for (int v = 1; v <= 20; v++)
            {
                assertThat(h.upload(c.get(0), v, 0, false, new WriterHarness.Up(v, 0, items)).error()).isNull();
            }
            // refused: the changeset does not parse; the next pipelined upload is skipped
            final WriterHarness.Client bad = c.get(1);
            assertThat(h.upload(bad, 1, 0, false, new WriterHarness.Up(1, 0, new byte[] {0x7F, 0x7F})).error())
                .isEqualTo(ProtocolErrorCode.BAD_CHANGESET);
            assertThat(h.upload(bad, 2, 0, false, new WriterHarness.Up(2, 0, items)).skipped()).isTrue();
            // a compressed body inflated and checked on the writer
            assertThat(h.upload(c.get(2), 1, 0, true, new WriterHarness.Up(1, 0, items)).error()).isNull();
            // failed: the store fails at the append (rolled back)
            h.writer.tools.faultHook = p ->
            {
                if (p == FaultPoint.BEFORE_APPEND)
                {
                    throw new IllegalStateException("injected");
                }
            };
            assertThatThrownBy(() -> h.upload(c.get(3), 1, 0, false, new WriterHarness.Up(1, 0, items)))
                .isInstanceOf(ExecutionException.class);
            h.writer.tools.faultHook = null;
            // never handed over (its session ended while the handoff was full)
            h.command(c.get(3), 2, 0, false, new CompletableFuture<>(), new WriterHarness.Up(2, 0, items))
                .dropped(h.writer);

            assertThat(pool.outstanding()).isZero();
            assertThat(pool.idle()).isBetween(1, 2); // recycled, not one per upload
        }
    }
}
