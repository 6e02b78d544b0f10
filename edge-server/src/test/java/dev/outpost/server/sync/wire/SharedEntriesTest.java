package dev.outpost.server.sync.wire;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.zip.Adler32;
import java.util.zip.Deflater;

import static org.assertj.core.api.Assertions.assertThat;

class SharedEntriesTest
{
    private static int adler(final byte[] b, final int from, final int length)
    {
        final Adler32 a = new Adler32();
        a.update(b, from, length);
        return (int)a.getValue();
    }

    @Test
    void shouldKeepEntriesByVersionWithinTheirBoundsAndDeflateOnce() throws Exception
    {
        final SharedEntries.Budget budget = new SharedEntries.Budget();
        final SharedEntries shared = new SharedEntries(3, budget); // 4 slots
        final SharedEntries.Entry e5 = entry(5, 100);
        assertThat(shared.offer(e5)).isSameAs(e5);
        assertThat(shared.get(5)).isSameAs(e5);
        assertThat(shared.get(1)).as("same slot, other version").isNull();
        assertThat(shared.accepts(1, 100)).as("older than the slot's entry").isFalse();
        final SharedEntries.Entry old = entry(1, 100);
        assertThat(shared.offer(old)).isSameAs(old);
        assertThat(shared.get(5)).isSameAs(e5);
        final SharedEntries.Entry again = entry(5, 100);
        assertThat(shared.offer(again)).as("the first one offered stays").isSameAs(e5);
        final SharedEntries.Entry e9 = entry(9, 100);
        assertThat(shared.offer(e9)).isSameAs(e9);
        assertThat(shared.get(5)).as("replaced by a newer version").isNull();
        assertThat(shared.kept()).isEqualTo(2);
        assertThat(shared.bytes()).isEqualTo(2L * e9.size());
        assertThat(budget.used()).isEqualTo(shared.bytes());
        assertThat(shared.accepts(10, SharedEntries.MAX_ENTRY_BYTES + 1)).isFalse();
        assertThat(new SharedEntries(0).enabled()).isFalse();

        final Deflater raw = new Deflater(Deflater.BEST_SPEED, true);
        final var d = e9.deflated(raw);
        assertThat(e9.deflated(raw)).as("deflated once").isSameAs(d);
        raw.end();
        final byte[] tail = new byte[e9.size()];
        e9.tail().getBytes(e9.tail().readerIndex(), tail);
        assertThat(e9.tailAdler()).isEqualTo(adler(tail, 0, tail.length));

        shared.clear();
        assertThat(shared.get(9)).isNull();
        assertThat(shared.bytes()).isZero();
        assertThat(budget.used()).isZero();
    }

    private static SharedEntries.Entry entry(final long version, final int size)
    {
        final ByteBuffer b = SharedEntries.allocate(size);
        for (int i = 0; i < size; i++)
        {
            b.put((byte)('a' + (i % 7)));
        }
        b.flip();
        return new SharedEntries.Entry(version, 3, 1, 0, size - 10, b);
    }
}
