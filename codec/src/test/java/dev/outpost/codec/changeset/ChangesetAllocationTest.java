package dev.outpost.codec.changeset;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;

import dev.outpost.codec.CodecException;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** Steady-state decoding and re-encoding allocate nothing; hostile input allocates at most in proportion to its size. */
class ChangesetAllocationTest
{
    private static final com.sun.management.ThreadMXBean THREADS =
        (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();

    static
    {
        // Bootstrap the one-time machinery of error messages (string concatenation) outside any measurement.
        for (final String hex : new String[] {"3F0102", "3F00", "04", "3F000154 04000000FFFFFFFF0F", "FF", "0E"})
        {
            final byte[] bad = java.util.HexFormat.of().parseHex(hex.replace(" ", ""));
            try
            {
                new ChangesetDecoder().decode(new UnsafeBuffer(bad), 0, bad.length, new Model.Recorder());
            }
            catch (final CodecException expected)
            {
                // warmed up
            }
        }
    }

    private static long allocated()
    {
        return THREADS.getThreadAllocatedBytes(Thread.currentThread().getId());
    }

    @Test
    void shouldNotAllocateWhenDecodingAndReEncodingInSteadyState() throws Exception
    {
        Assumptions.assumeTrue(THREADS.isThreadAllocatedMemorySupported() && THREADS.isThreadAllocatedMemoryEnabled());
        final byte[] bytes = ChangesetGoldenTest.resource("worked-example.bin");
        final UnsafeBuffer in = new UnsafeBuffer(bytes);
        final ChangesetDecoder decoder = new ChangesetDecoder();
        final ChangesetEncoder encoder = new ChangesetEncoder();
        final ExpandableArrayBuffer out = new ExpandableArrayBuffer(1024);
        for (int i = 0; i < 100; i++)
        {
            decoder.decode(in, 0, bytes.length, encoder.wrap(out, 0));
        }
        final long before = allocated();
        long total = 0;
        for (int i = 0; i < 10_000; i++)
        {
            total += decoder.decode(in, 0, bytes.length, encoder.wrap(out, 0));
        }
        final long after = allocated();
        assertThat(total).isEqualTo(60_000);
        // A few bytes of noise (the measurement itself, JIT); one 16-byte object per changeset would be 160 KB.
        assertThat(after - before).isLessThan(16_000);
    }

    @Property(tries = 200)
    void shouldNotAllocateOnTheSecondPassOverAnyValidChangeset(
        @ForAll("streams") final java.util.List<Model.Ins> instructions) throws CodecException
    {
        Assumptions.assumeTrue(THREADS.isThreadAllocatedMemorySupported() && THREADS.isThreadAllocatedMemoryEnabled());
        final byte[] bytes = Model.encode(instructions);
        final UnsafeBuffer in = new UnsafeBuffer(bytes);
        final ChangesetDecoder decoder = new ChangesetDecoder();
        final ChangesetEncoder encoder = new ChangesetEncoder();
        final ExpandableArrayBuffer out = new ExpandableArrayBuffer(16);
        decoder.decode(in, 0, bytes.length, encoder.wrap(out, 0)); // first pass may grow arrays and buffers
        final long before = allocated();
        decoder.decode(in, 0, bytes.length, encoder.wrap(out, 0));
        final long used = allocated() - before;
        // Only measurement noise is allowed (getThreadAllocatedBytes itself may allocate a little).
        assertThat(used).isLessThan(1024);
    }

    @net.jqwik.api.Provide
    net.jqwik.api.Arbitrary<java.util.List<Model.Ins>> streams()
    {
        return ChangesetRoundTripTest.instruction().list().ofMaxSize(12);
    }

    @Property(tries = 200)
    void shouldAllocateInProportionToTheInputAtMost(@ForAll @Size(max = 4096) final byte[] data)
    {
        Assumptions.assumeTrue(THREADS.isThreadAllocatedMemorySupported() && THREADS.isThreadAllocatedMemoryEnabled());
        final long before = allocated();
        try
        {
            new ChangesetDecoder().decode(new UnsafeBuffer(data), 0, data.length, new Model.Recorder());
        }
        catch (final CodecException ignored)
        {
            // rejection is fine; only the allocation is checked
        }
        assertThat(allocated() - before).isLessThan(64L * data.length + 64 * 1024);
    }

    @Test
    void shouldBoundPathMemoryByTheBytesLeftNotTheDeclaredCount()
    {
        // 2^32-1 path elements declared in a tiny changeset: rejected before anything is reserved.
        final byte[] bad = java.util.HexFormat.of().parseHex("3F000154" + "04000000FFFFFFFF0F");
        final ChangesetDecoder decoder = new ChangesetDecoder();
        final Model.Recorder recorder = new Model.Recorder();
        final UnsafeBuffer in = new UnsafeBuffer(bad);
        String message = null;
        final long before = allocated();
        try
        {
            decoder.decode(in, 0, bad.length, recorder);
        }
        catch (final CodecException expected)
        {
            message = expected.getMessage();
        }
        final long used = allocated() - before;
        assertThat(message).contains("exceeds the bytes left");
        assertThat(used).isLessThan(4 * 1024);
    }
}
