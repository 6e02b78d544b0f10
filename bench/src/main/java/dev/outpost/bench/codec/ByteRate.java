package dev.outpost.bench.codec;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The bytes a benchmark processed, reported by JMH as a rate ({@code bytes}, in bytes/s) next to ops/s: MB/s =
 * bytes/s / 10^6. A benchmark method takes it as a parameter and adds what one call processed. Not final: JMH
 * subclasses its state classes.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.OPERATIONS)
public class ByteRate
{
    public long bytes;

    @Setup(Level.Iteration)
    public void reset()
    {
        bytes = 0;
    }
}
