package dev.outpost.codec.message;

import java.nio.ByteBuffer;
import java.util.Random;
import java.util.function.IntFunction;
import java.util.zip.Deflater;

import org.agrona.BufferUtil;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.outpost.codec.CodecException;
import dev.outpost.codec.ProtocolErrorCode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class BodyCompressionTest
{
    private static final int SIZE = 64 * 1024;

    private final BodyCompression compression = new BodyCompression();
    private final ByteBuffer[] keepAlive = new ByteBuffer[16];
    private int kept;

    @AfterEach
    void close()
    {
        compression.close();
    }

    /** Buffer kinds the server meets: heap, heap slice, direct, raw address only, expandable heap and direct. */
    private IntFunction<MutableDirectBuffer>[] kinds()
    {
        @SuppressWarnings("unchecked")
        final IntFunction<MutableDirectBuffer>[] k = new IntFunction[] {
            (IntFunction<MutableDirectBuffer>)n -> new UnsafeBuffer(new byte[n]),
            (IntFunction<MutableDirectBuffer>)n -> new UnsafeBuffer(new byte[n + 13], 7, n),
            (IntFunction<MutableDirectBuffer>)n -> new UnsafeBuffer(ByteBuffer.allocateDirect(n + 9), 5, n),
            (IntFunction<MutableDirectBuffer>)n ->
            {
                final ByteBuffer bb = ByteBuffer.allocateDirect(n + 3);
                keepAlive[kept++ % keepAlive.length] = bb;
                return new UnsafeBuffer(BufferUtil.address(bb) + 3, n);
            },
            (IntFunction<MutableDirectBuffer>)n -> new ExpandableArrayBuffer(16),
            (IntFunction<MutableDirectBuffer>)n -> new ExpandableDirectByteBuffer(16),
        };
        return k;
    }

    private static byte[] entryLikeBody(final int size, final long seed)
    {
        final Random r = new Random(seed);
        final byte[] b = new byte[size];
        int i = 0;
        while (i < size)
        {
            final String head = (i / 7) + " 0 375283636945 0 35 ?";
            for (int k = 0; k < head.length() && i < size; k++)
            {
                b[i++] = (byte)head.charAt(k);
            }
            for (int k = 0; k < 30 && i < size; k++)
            {
                b[i++] = (byte)(r.nextInt(4) == 0 ? r.nextInt(256) : 'a' + r.nextInt(6));
            }
        }
        return b;
    }

    @Test
    void shouldRoundTripBetweenEveryBufferKind() throws CodecException
    {
        final byte[] original = entryLikeBody(SIZE, 1);
        for (final IntFunction<MutableDirectBuffer> srcKind : kinds())
        {
            for (final IntFunction<MutableDirectBuffer> zipKind : kinds())
            {
                for (final IntFunction<MutableDirectBuffer> outKind : kinds())
                {
                    final MutableDirectBuffer src = srcKind.apply(SIZE);
                    src.putBytes(0, original);
                    final MutableDirectBuffer zipped = zipKind.apply(SIZE);
                    final int z = compression.compressIfWorthwhile(src, 0, SIZE, zipped, 0);
                    assertThat(z).isPositive().isLessThan(SIZE);
                    final MutableDirectBuffer out = outKind.apply(SIZE);
                    assertThat(compression.inflate(zipped, 0, z, out, 0, SIZE)).isEqualTo(SIZE);
                    assertThat(Golden.copy(out, 0, SIZE)).isEqualTo(original);
                }
            }
        }
    }

    @Test
    void shouldInflateWhatJavaDeflaterWritesAtAnyLevel() throws CodecException
    {
        final byte[] original = entryLikeBody(5000, 2);
        for (int level = 0; level <= 9; level++)
        {
            final byte[] z = zlib(original, level);
            final ExpandableArrayBuffer out = new ExpandableArrayBuffer(1);
            compression.inflate(new UnsafeBuffer(z), 0, z.length, out, 0, original.length);
            assertThat(Golden.copy(out, 0, original.length)).isEqualTo(original);
        }
    }

    @Test
    void shouldNotCompressSmallOrIncompressibleBodies()
    {
        final ExpandableArrayBuffer out = new ExpandableArrayBuffer(16);
        final UnsafeBuffer small = new UnsafeBuffer(new byte[1024]);
        assertThat(compression.compressIfWorthwhile(small, 0, 1024, out, 0)).isEqualTo(-1);
        final byte[] noise = new byte[4096];
        new Random(3).nextBytes(noise);
        assertThat(compression.compressIfWorthwhile(new UnsafeBuffer(noise), 0, noise.length, out, 0)).isEqualTo(-1);
        assertThat(compression.compressIfWorthwhile(new UnsafeBuffer(new byte[1025]), 0, 1025, out, 0)).isPositive();
    }

    @Test
    void shouldRejectCorruptTruncatedMissizedAndPaddedStreams()
    {
        final byte[] original = entryLikeBody(3000, 4);
        final byte[] z = zlib(original, 1);

        final byte[] corrupt = z.clone();
        corrupt[z.length / 2] ^= 0x55;
        assertThat(inflateError(corrupt, corrupt.length, original.length)).isEqualTo(ProtocolErrorCode.BAD_DECOMPRESSION);

        final byte[] badChecksum = z.clone();
        badChecksum[z.length - 1] ^= 1;
        assertThat(inflateError(badChecksum, z.length, original.length))
            .isEqualTo(ProtocolErrorCode.BAD_DECOMPRESSION);

        assertThat(inflateError(z, z.length - 1, original.length)).isEqualTo(ProtocolErrorCode.BAD_DECOMPRESSION);
        assertThat(inflateError(z, z.length / 2, original.length)).isEqualTo(ProtocolErrorCode.BAD_DECOMPRESSION);
        assertThat(inflateError(z, 0, original.length)).isEqualTo(ProtocolErrorCode.BAD_DECOMPRESSION);
        assertThat(inflateError(z, z.length, original.length - 1)).isEqualTo(ProtocolErrorCode.BAD_DECOMPRESSION);
        assertThat(inflateError(z, z.length, original.length + 1)).isEqualTo(ProtocolErrorCode.BAD_DECOMPRESSION);
        assertThat(inflateError(z, z.length, 0)).isEqualTo(ProtocolErrorCode.BAD_DECOMPRESSION);

        final byte[] padded = java.util.Arrays.copyOf(z, z.length + 1);
        assertThat(inflateError(padded, padded.length, original.length)).isEqualTo(ProtocolErrorCode.BAD_DECOMPRESSION);

        final Deflater raw = new Deflater(1, true);
        raw.setInput(original);
        raw.finish();
        final byte[] rawBytes = new byte[4000];
        final int rawLen = raw.deflate(rawBytes);
        raw.end();
        assertThat(inflateError(rawBytes, rawLen, original.length)).isEqualTo(ProtocolErrorCode.BAD_DECOMPRESSION);
    }

    @Test
    void shouldRejectDeclaredSizeAboveTheLimitBeforeTouchingTheDestination()
    {
        try (BodyCompression small = new BodyCompression(1, 1000))
        {
            final UnsafeBuffer tiny = new UnsafeBuffer(new byte[1]);
            final CodecException ex = catchThrowableOfType(CodecException.class,
                () -> small.inflate(new UnsafeBuffer(new byte[10]), 0, 10, tiny, 0, 1001));
            assertThat(ex.errorCode()).isEqualTo(ProtocolErrorCode.OTHER_ERROR);
        }
        final ExpandableArrayBuffer out = new ExpandableArrayBuffer(16);
        final CodecException ex = catchThrowableOfType(CodecException.class,
            () -> compression.inflate(new UnsafeBuffer(new byte[10]), 0, 10, out, 0, Integer.MAX_VALUE));
        assertThat(ex.errorCode()).isEqualTo(ProtocolErrorCode.OTHER_ERROR);
        assertThat(out.capacity()).isEqualTo(16);
    }

    @Test
    void shouldInflateEmptyBody() throws CodecException
    {
        final byte[] z = zlib(new byte[0], 1);
        assertThat(compression.inflate(new UnsafeBuffer(z), 0, z.length, new UnsafeBuffer(new byte[0]), 0, 0))
            .isZero();
    }

    private ProtocolErrorCode inflateError(final byte[] z, final int length, final int declared)
    {
        final ExpandableArrayBuffer out = new ExpandableArrayBuffer(16);
        final CodecException ex = catchThrowableOfType(CodecException.class,
            () -> compression.inflate(new UnsafeBuffer(z), 0, length, out, 0, declared));
        assertThat(ex).isNotNull();
        return ex.errorCode();
    }

    static byte[] zlib(final byte[] data, final int level)
    {
        final Deflater d = new Deflater(level, false);
        d.setInput(data);
        d.finish();
        final byte[] out = new byte[data.length + 64];
        final int n = d.deflate(out);
        d.end();
        return java.util.Arrays.copyOf(out, n);
    }
}
