package dev.outpost.bench.codec;

import java.util.concurrent.TimeUnit;

import org.agrona.ExpandableArrayBuffer;
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
import org.openjdk.jmh.annotations.Warmup;

import dev.outpost.codec.CodecException;
import dev.outpost.codec.message.DownloadEntryIterator;

/**
 * Iterating the N entries of a DOWNLOAD body in place. The baseline visits the same entries through precomputed
 * offsets (what iteration would cost if parsing the five decimal fields were free).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
public class EntryIterationBenchmark
{
    @Param({"10", "100", "1000"})
    public int entries;

    @Param({"200"})
    public int changesetSize;

    private final DownloadEntryIterator iterator = new DownloadEntryIterator();
    private final ExpandableArrayBuffer body = new ExpandableArrayBuffer(1024);
    private int bodyLength;
    private int[] changesetOffsets;
    private int[] changesetLengths;

    @Setup
    public void setup() throws CodecException
    {
        bodyLength = CodecBenchData.downloadBody(body, entries, changesetSize, 42);
        changesetOffsets = new int[entries];
        changesetLengths = new int[entries];
        iterator.wrap(body, 0, bodyLength);
        int k = 0;
        while (iterator.next())
        {
            changesetOffsets[k] = iterator.changesetOffset();
            changesetLengths[k++] = iterator.changesetLength();
        }
    }

    @Benchmark
    public long baselinePrecomputedOffsets()
    {
        long sum = 0;
        final int[] offsets = changesetOffsets;
        final int[] lengths = changesetLengths;
        for (int k = 0; k < offsets.length; k++)
        {
            sum += offsets[k] + lengths[k] + body.getByte(offsets[k]);
        }
        return sum;
    }

    @Benchmark
    public long iterate() throws CodecException
    {
        long sum = 0;
        final DownloadEntryIterator it = iterator.wrap(body, 0, bodyLength);
        while (it.next())
        {
            sum += it.serverVersion() + it.clientVersion() + it.originTimestamp() + it.originFileIdent() +
                it.changesetOffset() + it.changesetLength() + body.getByte(it.changesetOffset());
        }
        return sum;
    }
}
