package dev.outpost.server.sync.writer;

import org.agrona.concurrent.ManyToManyConcurrentArrayQueue;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The recycled {@link UploadChangesets} of one shard writer: the event loops take one per UPLOAD (the body's
 * changesets are copied into it), the writer gives it back once it appended them (or refused the upload), and a
 * session gives back one it could not hand over. Lock-free and allocation-free in the steady state; at most
 * {@code capacity} idle instances are kept, and none whose buffer grew beyond {@code maxPooledBytes} (a rare large
 * upload does not pin its memory). Any thread.
 */
public final class UploadBuffers
{
    /** Idle instances kept per writer by default. */
    public static final int DEFAULT_CAPACITY = 256;
    /** Buffers larger than this are dropped on release instead of pooled. */
    public static final int DEFAULT_MAX_POOLED_BYTES = 256 * 1024;

    private final ManyToManyConcurrentArrayQueue<UploadChangesets> idle;
    private final int maxPooledBytes;
    private final AtomicLong taken = new AtomicLong();
    private final AtomicLong released = new AtomicLong();

    /** With {@link #DEFAULT_CAPACITY} and {@link #DEFAULT_MAX_POOLED_BYTES}. */
    public UploadBuffers()
    {
        this(DEFAULT_CAPACITY, DEFAULT_MAX_POOLED_BYTES);
    }

    /**
     * @param capacity       idle instances kept at most (2 or more).
     * @param maxPooledBytes buffers grown beyond this are not kept.
     */
    public UploadBuffers(final int capacity, final int maxPooledBytes)
    {
        this.idle = new ManyToManyConcurrentArrayQueue<>(capacity);
        this.maxPooledBytes = maxPooledBytes;
    }

    /** Any thread: an empty instance (a recycled one if there is one). */
    public UploadChangesets acquire()
    {
        UploadChangesets c = idle.poll();
        if (c == null)
        {
            c = new UploadChangesets();
        }
        c.free = false;
        taken.incrementAndGet();
        return c;
    }

    /** Any thread: {@code c} (or null) is no longer used; a second release of the same use is ignored. */
    public void release(final UploadChangesets c)
    {
        if (c == null || c.free)
        {
            return;
        }
        c.free = true;
        c.clear();
        released.incrementAndGet();
        if (c.capacity() <= maxPooledBytes)
        {
            idle.offer(c); // full: dropped
        }
    }

    /** @return instances taken and not given back yet (uploads in flight). Any thread (approximate). */
    public long outstanding()
    {
        return taken.get() - released.get();
    }

    /** @return idle instances ready for reuse. Any thread (approximate). */
    public int idle()
    {
        return idle.size();
    }
}
