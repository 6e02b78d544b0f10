package dev.outpost.bench.codec;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import dev.outpost.codec.CodecException;
import dev.outpost.codec.message.BodyCompression;

/**
 * Deflate and inflate of a ~64 KiB DOWNLOAD entry list with one reused {@link BodyCompression}, on heap and direct
 * buffers. The {@code bytes} counter is uncompressed bytes per second: divide by 1e6 for MB/s. The baseline copies
 * the same bytes (memcpy speed on this machine).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
public class CompressionBenchmark
{
    @Param({"heap", "direct"})
    public String buffers;

    private final BodyCompression compression = new BodyCompression();
    private MutableDirectBuffer plain;
    private MutableDirectBuffer zipped;
    private MutableDirectBuffer out;
    private int plainLength;
    private int zippedLength;

    @Setup
    public void setup()
    {
        final ExpandableArrayBuffer body = new ExpandableArrayBuffer(70_000);
        plainLength = CodecBenchData.downloadBody(body, 300, 200, 7);
        plain = allocate(plainLength);
        plain.putBytes(0, body, 0, plainLength);
        zipped = allocate(plainLength);
        out = allocate(plainLength);
        zippedLength = compression.compressIfWorthwhile(plain, 0, plainLength, zipped, 0);
        if (zippedLength <= 0)
        {
            throw new IllegalStateException("benchmark body does not compress");
        }
    }

    private MutableDirectBuffer allocate(final int size)
    {
        return "direct".equals(buffers) ? new UnsafeBuffer(ByteBuffer.allocateDirect(size)) :
            new UnsafeBuffer(new byte[size]);
    }

    @TearDown
    public void tearDown()
    {
        compression.close();
    }

    @Benchmark
    public int baselineCopy(final ByteRate counter)
    {
        out.putBytes(0, plain, 0, plainLength);
        counter.bytes += plainLength;
        return plainLength;
    }

    @Benchmark
    public int deflate(final ByteRate counter)
    {
        counter.bytes += plainLength;
        return compression.compressIfWorthwhile(plain, 0, plainLength, out, 0);
    }

    @Benchmark
    public int inflate(final ByteRate counter) throws CodecException
    {
        counter.bytes += plainLength;
        return compression.inflate(zipped, 0, zippedLength, out, 0, plainLength);
    }
}
