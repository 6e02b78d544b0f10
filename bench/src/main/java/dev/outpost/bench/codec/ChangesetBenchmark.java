package dev.outpost.bench.codec;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import dev.outpost.codec.CodecException;
import dev.outpost.codec.changeset.ChangesetDecoder;
import dev.outpost.codec.changeset.ChangesetEncoder;
import dev.outpost.codec.changeset.InstructionHandler;
import dev.outpost.codec.changeset.Instr;
import dev.outpost.codec.changeset.PathView;
import dev.outpost.codec.changeset.PayloadView;
import dev.outpost.codec.changeset.PrimaryKeyView;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Changeset decode and decode-then-re-encode throughput, beside a plain byte scan of the same bytes as baseline.
 * <p>
 * Shapes ({@link #shape}):
 * <ul>
 *   <li>{@code small}: 20 x (CreateObject Task[ObjectId] + Update name (12-char String), done (Bool),
 *       priority (Int), due (Timestamp)), interns first: 2,356 bytes, 100 instructions per op;</li>
 *   <li>{@code largeStrings}: 8 x (CreateObject + Update body = 16 KiB String): 131,226 bytes, 16 instructions per
 *       op.</li>
 * </ul>
 * The exact size is printed at setup and counted by the {@code bytes} aux counter, which JMH reports as bytes/s
 * beside ops/s: MB/s = bytes/s / 10^6. Aim: >= 300 MB/s decoding on one core, ~0 B/op ({@code -prof gc}).
 * <p>
 * Smoke run: {@code java -jar bench/target-changeset/benchmarks.jar Changeset -f 1 -wi 2 -i 2 -w 1s -r 1s -prof gc}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 2)
@Fork(2)
public class ChangesetBenchmark
{
    @Param({"small", "largeStrings"})
    public String shape;

    private final ChangesetDecoder decoder = new ChangesetDecoder();
    private final ChangesetEncoder encoder = new ChangesetEncoder();
    private final CountingHandler counting = new CountingHandler();
    private final ExpandableArrayBuffer out = new ExpandableArrayBuffer(256 * 1024);
    private UnsafeBuffer changeset;
    private int length;

    @Setup
    public void setUp() throws CodecException
    {
        final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(1024);
        final ChangesetEncoder e = new ChangesetEncoder().wrap(buffer, 0);
        if ("small".equals(shape))
        {
            buildSmall(e);
        }
        else
        {
            buildLargeStrings(e);
        }
        length = e.length();
        final byte[] bytes = new byte[length];
        buffer.getBytes(0, bytes);
        changeset = new UnsafeBuffer(bytes);
        final int n = decoder.decode(changeset, 0, length, counting);
        System.out.println("changeset " + shape + ": " + length + " bytes, " + n + " instructions");
    }

    private static void buildSmall(final ChangesetEncoder e)
    {
        final int task = e.intern("Task");
        final int name = e.intern("name");
        final int done = e.intern("done");
        final int priority = e.intern("priority");
        final int due = e.intern("due");
        final PrimaryKeyView key = new PrimaryKeyView();
        final PathView path = new PathView();
        final PayloadView value = new PayloadView();
        final UnsafeBuffer oid = new UnsafeBuffer(new byte[12]);
        final byte[] title = "buy milk #00".getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < 20; i++)
        {
            oid.putInt(0, 0x6577_0000 + i);
            oid.putLong(4, 0x1234_5678_9ABC_DEF0L * (i + 1));
            key.setObjectId(oid, 0);
            e.createObject(task, key);
            title[10] = (byte)('0' + i / 10);
            title[11] = (byte)('0' + i % 10);
            e.update(task, key, name, path, value.setBytes(Instr.TYPE_STRING, new UnsafeBuffer(title), 0, title.length),
                false, -1);
            e.update(task, key, done, path, value.setBool((i & 1) == 0), false, -1);
            e.update(task, key, priority, path, value.setInt(i * 37L), false, -1);
            e.update(task, key, due, path, value.setTimestamp(1_700_000_000L + i * 3600L, 123_000_000), false, -1);
        }
    }

    private static void buildLargeStrings(final ChangesetEncoder e)
    {
        final int doc = e.intern("Document");
        final int body = e.intern("body");
        final PrimaryKeyView key = new PrimaryKeyView();
        final PathView path = new PathView();
        final PayloadView value = new PayloadView();
        final byte[] text = new byte[16 * 1024];
        for (int i = 0; i < text.length; i++)
        {
            text[i] = (byte)('a' + i % 26);
        }
        for (int i = 0; i < 8; i++)
        {
            key.setInt(1000 + i);
            e.createObject(doc, key);
            e.update(doc, key, body, path, value.setBytes(Instr.TYPE_STRING, new UnsafeBuffer(text), 0, text.length),
                false, -1);
        }
    }

    /** Baseline: touch every byte once (the cost floor of anything that reads the whole changeset). */
    @Benchmark
    public long baselineByteScan(final ByteRate bytes)
    {
        final UnsafeBuffer b = changeset;
        long sum = 0;
        for (int i = 0, n = length; i < n; i++)
        {
            sum += b.getByte(i);
        }
        bytes.bytes += length;
        return sum;
    }

    @Benchmark
    public long decode(final ByteRate bytes) throws CodecException
    {
        final int n = decoder.decode(changeset, 0, length, counting);
        bytes.bytes += length;
        return n + counting.checksum;
    }

    @Benchmark
    public int decodeAndEncode(final ByteRate bytes) throws CodecException
    {
        encoder.wrap(out, 0);
        decoder.decode(changeset, 0, length, encoder);
        bytes.bytes += length;
        return encoder.length();
    }

    /** Reads a field or two of every instruction, as a consumer would, so the decoding cannot be optimised away. */
    static final class CountingHandler implements InstructionHandler
    {
        long checksum;

        @Override
        public void internString(final int index, final DirectBuffer buffer, final int offset, final int length)
        {
            checksum += length;
        }

        @Override
        public void addTable(final int table, final int tableType, final int pkField, final int pkType, final boolean pkNullable)
        {
            checksum += table;
        }

        @Override
        public void eraseTable(final int table)
        {
            checksum += table;
        }

        @Override
        public void createObject(final int table, final PrimaryKeyView key)
        {
            checksum += table + key.type();
        }

        @Override
        public void eraseObject(final int table, final PrimaryKeyView key)
        {
            checksum += table + key.type();
        }

        @Override
        public void update(
            final int table, final PrimaryKeyView key, final int field, final PathView path, final PayloadView value,
            final boolean isDefault, final long priorSize)
        {
            checksum += field + value.type() + value.bytesLength();
        }

        @Override
        public void addInteger(final int table, final PrimaryKeyView key, final int field, final PathView path, final long value)
        {
            checksum += value;
        }

        @Override
        public void addColumn(
            final int table, final int field, final int type, final boolean nullable, final int collectionType,
            final int linkTargetTable, final int keyType)
        {
            checksum += field + type;
        }

        @Override
        public void eraseColumn(final int table, final int field)
        {
            checksum += field;
        }

        @Override
        public void arrayInsert(
            final int table, final PrimaryKeyView key, final int field, final PathView path, final PayloadView value,
            final long priorSize)
        {
            checksum += priorSize;
        }

        @Override
        public void arrayMove(
            final int table, final PrimaryKeyView key, final int field, final PathView path, final long ndx2,
            final long priorSize)
        {
            checksum += ndx2;
        }

        @Override
        public void arrayErase(final int table, final PrimaryKeyView key, final int field, final PathView path, final long priorSize)
        {
            checksum += priorSize;
        }

        @Override
        public void clear(final int table, final PrimaryKeyView key, final int field, final PathView path, final int collectionType)
        {
            checksum += collectionType;
        }

        @Override
        public void setInsert(final int table, final PrimaryKeyView key, final int field, final PathView path, final PayloadView value)
        {
            checksum += value.type();
        }

        @Override
        public void setErase(final int table, final PrimaryKeyView key, final int field, final PathView path, final PayloadView value)
        {
            checksum += value.type();
        }
    }
}
