package dev.outpost.server.ws;

import io.netty.buffer.ByteBuf;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.MutableDirectBuffer;

import java.util.Arrays;

/**
 * One outbound binary message made of the sender's own bytes and read-only slices shared with other messages (the
 * encoded history entries every session of a server file sends: encode once, deliver to many). Layout on the wire:
 * {@code head, own[0], shared[0], own[1], shared[1], ..., own[n]}, where {@code own[i]} are consecutive ranges of
 * {@link #own()} ({@link #addShared} closes the current one). {@link SyncConnection#sendGathered} sends it without
 * copying the shared slices (gathered write); the default copies everything once.
 * <p>
 * Reusable (one per event loop): {@link #reset()} before each message. Shared slices must not be written to by
 * anyone: their readable bytes are what is sent, and a sent message takes its own reference
 * ({@code retainedDuplicate}), so a slice's holder may drop its reference at any time.
 */
public final class GatheredMessage
{
    private final ExpandableDirectByteBuffer head = new ExpandableDirectByteBuffer(512);
    private final ExpandableDirectByteBuffer own = new ExpandableDirectByteBuffer(4096);
    private ByteBuf[] shared = new ByteBuf[16];
    private int[] ownEnds = new int[16];
    private int count;
    private int headLength;
    private int ownLength;
    private long sharedLength;

    /** Forget the previous message (drops the references to its shared slices). */
    public void reset()
    {
        Arrays.fill(shared, 0, count, null);
        count = 0;
        headLength = 0;
        ownLength = 0;
        sharedLength = 0;
    }

    /** @return the buffer of the message head (written from 0; then {@link #headLength(int)}). */
    public MutableDirectBuffer head()
    {
        return head;
    }

    /** @param length the bytes of {@link #head()} that start the message. */
    public void headLength(final int length)
    {
        headLength = length;
    }

    public int headLength()
    {
        return headLength;
    }

    /** @return the buffer of the sender's own bytes, appended at {@link #ownLength()} (then {@link #ownWritten}). */
    public MutableDirectBuffer own()
    {
        return own;
    }

    /** @return the own bytes written so far (where the next ones go). */
    public int ownLength()
    {
        return ownLength;
    }

    /** {@code n} more own bytes were written at {@link #ownLength()}. */
    public void ownWritten(final int n)
    {
        ownLength += n;
    }

    /** Append a shared slice (its readable bytes) after the own bytes written so far. */
    public void addShared(final ByteBuf slice)
    {
        if (count == shared.length)
        {
            shared = Arrays.copyOf(shared, count * 2);
            ownEnds = Arrays.copyOf(ownEnds, count * 2);
        }
        shared[count] = slice;
        ownEnds[count] = ownLength;
        count++;
        sharedLength += slice.readableBytes();
    }

    /** @return the body's length: own bytes plus shared slices (without the head). */
    public long bodyLength()
    {
        return ownLength + sharedLength;
    }

    /** @return the message length (head and body). */
    public long length()
    {
        return headLength + bodyLength();
    }

    /** @return the number of shared slices. */
    public int sharedCount()
    {
        return count;
    }

    /** @return shared slice {@code i}. */
    public ByteBuf shared(final int i)
    {
        return shared[i];
    }

    /** @return the end (in {@link #own()}) of the own range before shared slice {@code i}; {@code count}: all. */
    public int ownEnd(final int i)
    {
        return i == count ? ownLength : ownEnds[i];
    }

    /** Copy the body (own bytes and shared slices, in order) into {@code dst} at {@code offset}; @return its end. */
    public int copyBodyTo(final MutableDirectBuffer dst, final int offset)
    {
        int at = offset;
        int from = 0;
        for (int i = 0; i <= count; i++)
        {
            final int end = ownEnd(i);
            if (end > from)
            {
                dst.putBytes(at, own, from, end - from);
                at += end - from;
                from = end;
            }
            if (i < count)
            {
                final ByteBuf s = shared[i];
                final int n = s.readableBytes();
                if (n > 0)
                {
                    dst.putBytes(at, s.nioBuffer(s.readerIndex(), n), 0, n);
                }
                at += n;
            }
        }
        return at;
    }

    /** Copy the whole message (head and body) into {@code dst} at {@code offset}; @return its end. */
    public int copyTo(final MutableDirectBuffer dst, final int offset)
    {
        dst.putBytes(offset, head, 0, headLength);
        return copyBodyTo(dst, offset + headLength);
    }
}
