package dev.outpost.codec.message;

import java.nio.ByteBuffer;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import dev.outpost.codec.CodecException;
import dev.outpost.codec.ProtocolErrorCode;

/**
 * zlib bodies of UPLOAD and DOWNLOAD (protocol section 2.5): standard zlib format (2-byte header, Adler-32 trailer),
 * one {@link Inflater} and one {@link Deflater} reused for every message.
 * <p>
 * Agrona buffers backed by a {@code byte[]} or a {@code ByteBuffer} are read and written in place (direct
 * buffers through the {@code ByteBuffer} overloads of {@code Inflater}/{@code Deflater}, one view object per
 * call); a buffer that only wraps a raw address goes through an internal scratch array.
 * Not thread-safe: owned by one event loop or writer thread; {@link #close()} frees the native zlib state.
 */
public final class BodyCompression implements AutoCloseable
{
    /** Bodies of this size or smaller are sent uncompressed (same rule as realm-core). */
    public static final int COMPRESSION_THRESHOLD = 1024;

    /** Default largest declared inflated size: 64 MiB. */
    public static final int DEFAULT_MAX_INFLATED_SIZE = 64 * 1024 * 1024;

    private final Inflater inflater = new Inflater(false);
    private final Deflater deflater;
    private final int maxInflatedSize;
    private final byte[] probe = new byte[1];
    private byte[] scratch = new byte[0];

    /** Deflate level 1 (as the client uses) and a 64 MiB inflate limit. */
    public BodyCompression()
    {
        this(Deflater.BEST_SPEED, DEFAULT_MAX_INFLATED_SIZE);
    }

    /**
     * @param level           deflate level 0..9.
     * @param maxInflatedSize largest declared uncompressed size {@link #inflate} accepts.
     */
    public BodyCompression(final int level, final int maxInflatedSize)
    {
        if (maxInflatedSize < 0)
        {
            throw new IllegalArgumentException("maxInflatedSize " + maxInflatedSize);
        }
        this.deflater = new Deflater(level, false);
        this.maxInflatedSize = maxInflatedSize;
    }

    public int maxInflatedSize()
    {
        return maxInflatedSize;
    }

    /**
     * Inflates {@code src[srcOffset, srcOffset + srcLength)} into {@code dst} at {@code dstOffset}. An expandable
     * {@code dst} grows to fit; a fixed one must have room for {@code declaredSize} bytes.
     *
     * @return {@code declaredSize}.
     * @throws CodecException {@code OTHER_ERROR} if {@code declaredSize} is above the limit (checked before
     *                        anything is touched); {@code BAD_DECOMPRESSION} for corrupt or truncated input, an
     *                        inflated size other than {@code declaredSize}, or input left after the stream.
     */
    public int inflate(
        final DirectBuffer src, final int srcOffset, final int srcLength,
        final MutableDirectBuffer dst, final int dstOffset, final long declaredSize)
        throws CodecException
    {
        if (declaredSize < 0 || declaredSize > maxInflatedSize)
        {
            throw new CodecException(ProtocolErrorCode.OTHER_ERROR, "declared uncompressed size over the limit");
        }
        final int expected = (int)declaredSize;
        if (dst.isExpandable())
        {
            dst.checkLimit(dstOffset + expected);
        }
        else if (dstOffset + expected > dst.capacity())
        {
            throw new IllegalArgumentException("destination too small for " + expected + " bytes");
        }
        final Inflater inflater = this.inflater;
        inflater.reset();
        setInput(src, srcOffset, srcLength);
        final byte[] outArray = dst.byteArray();
        final ByteBuffer outBuffer = outArray == null ? dst.byteBuffer() : null;
        final int outBase = dst.wrapAdjustment() + dstOffset;
        int total = 0;
        int stalls = 0;
        try
        {
            while (true)
            {
                final int want = expected - total;
                final int n;
                if (want == 0)
                {
                    n = inflater.inflate(probe, 0, 1);
                    if (n > 0)
                    {
                        throw new CodecException(ProtocolErrorCode.BAD_DECOMPRESSION, "inflates to more than declared");
                    }
                }
                else if (outArray != null)
                {
                    n = inflater.inflate(outArray, outBase + total, want);
                }
                else if (outBuffer != null)
                {
                    final ByteBuffer view = outBuffer.duplicate();
                    view.limit(outBase + expected).position(outBase + total);
                    n = inflater.inflate(view);
                }
                else
                {
                    final byte[] tmp = outScratch(Math.min(want, 64 * 1024));
                    n = inflater.inflate(tmp, 0, Math.min(want, tmp.length));
                    dst.putBytes(dstOffset + total, tmp, 0, n);
                }
                total += n;
                if (inflater.finished())
                {
                    break;
                }
                if (n == 0)
                {
                    if (inflater.needsInput() || inflater.needsDictionary() || ++stalls > 2)
                    {
                        throw new CodecException(ProtocolErrorCode.BAD_DECOMPRESSION, "truncated zlib stream");
                    }
                }
            }
        }
        catch (final DataFormatException ex)
        {
            throw new CodecException(ProtocolErrorCode.BAD_DECOMPRESSION, "corrupt zlib stream");
        }
        if (total != expected)
        {
            throw new CodecException(ProtocolErrorCode.BAD_DECOMPRESSION, "inflated size differs from declared");
        }
        if (inflater.getRemaining() != 0)
        {
            throw new CodecException(ProtocolErrorCode.BAD_DECOMPRESSION, "input left after the zlib stream");
        }
        return expected;
    }

    /**
     * Compresses a body for sending, only if worthwhile: longer than {@link #COMPRESSION_THRESHOLD} and smaller
     * once compressed. An expandable {@code dst} grows to fit; a fixed one needs {@code srcLength - 1} bytes.
     *
     * @return the compressed length written at {@code dstOffset}, or -1 to send the body uncompressed.
     */
    public int compressIfWorthwhile(
        final DirectBuffer src, final int srcOffset, final int srcLength,
        final MutableDirectBuffer dst, final int dstOffset)
    {
        if (srcLength <= COMPRESSION_THRESHOLD)
        {
            return -1;
        }
        return deflate(src, srcOffset, srcLength, dst, dstOffset, srcLength - 1);
    }

    /**
     * Deflates into at most {@code maxOutput} bytes at {@code dstOffset}.
     *
     * @return the compressed length, or -1 if it does not fit in {@code maxOutput}.
     */
    public int deflate(
        final DirectBuffer src, final int srcOffset, final int srcLength,
        final MutableDirectBuffer dst, final int dstOffset, final int maxOutput)
    {
        if (dst.isExpandable())
        {
            dst.checkLimit(dstOffset + maxOutput);
        }
        final Deflater deflater = this.deflater;
        deflater.reset();
        final byte[] inArray = src.byteArray();
        final ByteBuffer inBuffer = inArray == null ? src.byteBuffer() : null;
        final int inBase = src.wrapAdjustment() + srcOffset;
        if (inArray != null)
        {
            deflater.setInput(inArray, inBase, srcLength);
        }
        else if (inBuffer != null)
        {
            final ByteBuffer view = inBuffer.duplicate();
            view.limit(inBase + srcLength).position(inBase);
            deflater.setInput(view);
        }
        else
        {
            final byte[] tmp = scratch(srcLength);
            src.getBytes(srcOffset, tmp, 0, srcLength);
            deflater.setInput(tmp, 0, srcLength);
        }
        deflater.finish();
        final byte[] outArray = dst.byteArray();
        final ByteBuffer outBuffer = outArray == null ? dst.byteBuffer() : null;
        final int outBase = dst.wrapAdjustment() + dstOffset;
        int total = 0;
        while (!deflater.finished())
        {
            final int room = maxOutput - total;
            if (room == 0)
            {
                return -1;
            }
            final int n;
            if (outArray != null)
            {
                n = deflater.deflate(outArray, outBase + total, room);
            }
            else if (outBuffer != null)
            {
                final ByteBuffer view = outBuffer.duplicate();
                view.limit(outBase + maxOutput).position(outBase + total);
                n = deflater.deflate(view);
            }
            else
            {
                final byte[] tmp = outScratch(Math.min(room, 64 * 1024));
                n = deflater.deflate(tmp, 0, Math.min(room, tmp.length));
                dst.putBytes(dstOffset + total, tmp, 0, n);
            }
            total += n;
        }
        return total;
    }

    private void setInput(final DirectBuffer src, final int srcOffset, final int srcLength)
    {
        final byte[] inArray = src.byteArray();
        final int inBase = src.wrapAdjustment() + srcOffset;
        if (inArray != null)
        {
            inflater.setInput(inArray, inBase, srcLength);
            return;
        }
        final ByteBuffer inBuffer = src.byteBuffer();
        if (inBuffer != null)
        {
            final ByteBuffer view = inBuffer.duplicate();
            view.limit(inBase + srcLength).position(inBase);
            inflater.setInput(view);
            return;
        }
        final byte[] tmp = scratch(srcLength);
        src.getBytes(srcOffset, tmp, 0, srcLength);
        inflater.setInput(tmp, 0, srcLength);
    }

    private byte[] scratch(final int size)
    {
        if (scratch.length < size)
        {
            scratch = new byte[size];
        }
        return scratch;
    }

    private byte[] outScratchArray = new byte[0];

    private byte[] outScratch(final int size)
    {
        if (outScratchArray.length < size)
        {
            outScratchArray = new byte[size];
        }
        return outScratchArray;
    }

    @Override
    public void close()
    {
        inflater.end();
        deflater.end();
    }
}
