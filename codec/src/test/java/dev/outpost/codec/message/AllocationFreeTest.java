package dev.outpost.codec.message;

import java.lang.management.ManagementFactory;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import dev.outpost.codec.CodecException;

import static org.assertj.core.api.Assertions.assertThat;

/** Head decoding, entry iteration and encoding allocate nothing per message (the JMH gc profiler shows the same). */
class AllocationFreeTest
{
    private static final int ROUNDS = 20_000;

    @Test
    void shouldDecodeIterateAndEncodeWithoutAllocating() throws CodecException
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final byte[] upload = Golden.bytes("pbs-upload-two-changesets.bin");
        final byte[] download = Golden.bytes("s76-s-download-last.bin");
        final UnsafeBuffer up = new UnsafeBuffer(upload);
        final UnsafeBuffer down = new UnsafeBuffer(download);
        final UnsafeBuffer out = new UnsafeBuffer(new byte[512]);
        final ClientMessageDecoder client = new ClientMessageDecoder();
        final ServerMessageDecoder server = new ServerMessageDecoder().flx(true);
        final ServerMessageEncoder encoder = new ServerMessageEncoder().flx(true);
        final UploadEntryIterator entries = new UploadEntryIterator();

        long sink = run(client, server, encoder, entries, up, down, out, ROUNDS);
        final long before = threads.getCurrentThreadAllocatedBytes();
        sink += run(client, server, encoder, entries, up, down, out, ROUNDS);
        final long allocated = threads.getCurrentThreadAllocatedBytes() - before;

        assertThat(sink).isPositive();
        assertThat(allocated).as("bytes allocated by %d rounds", ROUNDS).isLessThan(ROUNDS / 10);
    }

    private static long run(
        final ClientMessageDecoder client, final ServerMessageDecoder server, final ServerMessageEncoder encoder,
        final UploadEntryIterator entries, final UnsafeBuffer up, final UnsafeBuffer down, final UnsafeBuffer out,
        final int rounds) throws CodecException
    {
        long sink = 0;
        for (int r = 0; r < rounds; r++)
        {
            client.wrap(up, 0, up.capacity());
            entries.wrap(up, client.bodyOffset(), client.bodyLength());
            while (entries.next())
            {
                sink += entries.clientVersion() + entries.changesetLength();
            }
            server.wrap(down, 0, down.capacity());
            sink += server.downloadServerVersion() + (long)server.progressEstimate();
            sink += encoder.download(out, 0, 1, r, 2, r, 777, 2, 0, 0, 1, 1, 0.5, false, 0, down, 0, 10);
        }
        return sink;
    }
}
