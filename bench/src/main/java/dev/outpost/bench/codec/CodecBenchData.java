package dev.outpost.bench.codec;

import java.util.Random;

import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import dev.outpost.codec.message.EntryEncoder;

/** Deterministic, realistic bodies for the codec benchmarks. */
final class CodecBenchData
{
    private CodecBenchData()
    {
    }

    /**
     * A changeset shaped like the captured client ones: interned class and property names, an ObjectId primary
     * key, a string value; about {@code size} bytes.
     */
    static byte[] changeset(final Random random, final int size)
    {
        final byte[] b = new byte[size];
        final byte[] prefix = {0x3f, 0x00, 0x04, 'I', 't', 'e', 'm', 0x02, 0x00, 0x0a};
        int i = 0;
        while (i < size)
        {
            for (int k = 0; k < prefix.length && i < size; k++)
            {
                b[i++] = prefix[k];
            }
            for (int k = 0; k < 12 && i < size; k++)
            {
                b[i++] = (byte)random.nextInt(256);
            }
            final String value = "value-" + random.nextInt(1000);
            for (int k = 0; k < value.length() && i < size; k++)
            {
                b[i++] = (byte)value.charAt(k);
            }
        }
        return b;
    }

    /** @return length of a DOWNLOAD entry list of {@code count} changesets of {@code changesetSize} bytes. */
    static int downloadBody(final ExpandableArrayBuffer out, final int count, final int changesetSize, final long seed)
    {
        final Random random = new Random(seed);
        int n = 0;
        for (int k = 0; k < count; k++)
        {
            final byte[] cs = changeset(random, changesetSize);
            n += EntryEncoder.downloadEntry(out, n, 1000 + k, 17 + k / 3, 375283636945L + k * 311L, 2 + (k % 50),
                cs.length, new UnsafeBuffer(cs), 0, cs.length);
        }
        return n;
    }
}
