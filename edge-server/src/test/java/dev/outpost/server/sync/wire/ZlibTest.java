package dev.outpost.server.sync.wire;

import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.zip.Adler32;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

import static org.assertj.core.api.Assertions.assertThat;

class ZlibTest
{
    private static int adler(final byte[] b, final int from, final int length)
    {
        final Adler32 a = new Adler32();
        a.update(b, from, length);
        return (int)a.getValue();
    }

    @Test
    void shouldComputeAndCombineAdler32AsZlibDoes()
    {
        final Random random = new Random(42);
        for (final int size : new int[] {0, 1, 7, 5551, 5552, 5553, 70_000, 200_000})
        {
            final byte[] b = new byte[size];
            random.nextBytes(b);
            if (size > 5552)
            {
                java.util.Arrays.fill(b, 0, 5552, (byte)0xFF); // the largest running sums
            }
            final UnsafeBuffer buf = new UnsafeBuffer(b);
            assertThat(Zlib.update(Zlib.ADLER_EMPTY, buf, 0, size)).isEqualTo(adler(b, 0, size));
            for (final int cut : new int[] {0, size / 3, size})
            {
                final int first = adler(b, 0, cut);
                final int second = adler(b, cut, size - cut);
                assertThat(Zlib.combine(first, second, size - cut)).as("size %d cut %d", size, cut)
                    .isEqualTo(adler(b, 0, size));
                assertThat(Zlib.update(first, buf, cut, size - cut)).isEqualTo(adler(b, 0, size));
            }
        }
    }

    @Test
    void shouldFrameStoredBlocksAndSeparatelyDeflatedPartsAsOneZlibStream() throws Exception
    {
        final byte[][] parts = {"12 0 ".getBytes(StandardCharsets.US_ASCII),
            "1700000000 3 40 40 some changeset bytes, some changeset bytes".repeat(20).getBytes(StandardCharsets.US_ASCII),
            "13 2 ".getBytes(StandardCharsets.US_ASCII), new byte[0], "14 2 ".getBytes(StandardCharsets.US_ASCII),
            "x".getBytes(StandardCharsets.US_ASCII)};
        final ExpandableArrayBuffer out = new ExpandableArrayBuffer();
        final java.io.ByteArrayOutputStream plain = new java.io.ByteArrayOutputStream();
        int at = Zlib.header(out, 0);
        int adler = Zlib.ADLER_EMPTY;
        final Deflater raw = new Deflater(Deflater.BEST_SPEED, true);
        for (int i = 0; i < parts.length; i++)
        {
            final byte[] p = parts[i];
            plain.write(p);
            if (i % 2 == 0)
            {
                at += Zlib.storedBlock(out, at, new UnsafeBuffer(p), 0, p.length);
                adler = Zlib.update(adler, new UnsafeBuffer(p), 0, p.length);
            }
            else
            {
                raw.reset();
                raw.setInput(p);
                final byte[] z = new byte[p.length + 64];
                final int n = raw.deflate(z, 0, z.length, Deflater.SYNC_FLUSH);
                out.putBytes(at, z, 0, n);
                at += n;
                adler = Zlib.combine(adler, adler(p, 0, p.length), p.length);
            }
        }
        raw.end();
        at += Zlib.trailer(out, at, adler);
        final byte[] expected = plain.toByteArray();
        final Inflater inflater = new Inflater();
        inflater.setInput(out.byteArray(), 0, at);
        final byte[] got = new byte[expected.length + 16];
        final int n = inflater.inflate(got);
        assertThat(inflater.finished()).isTrue();
        assertThat(inflater.getRemaining()).isZero();
        inflater.end();
        assertThat(java.util.Arrays.copyOf(got, n)).isEqualTo(expected);
    }
}
