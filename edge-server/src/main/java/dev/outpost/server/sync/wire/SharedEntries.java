package dev.outpost.server.sync.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.nio.ByteBuffer;
import java.util.zip.Adler32;
import java.util.zip.Deflater;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The recent history entries of one server file in their DOWNLOAD form, encoded once and sent by every session of
 * the file (issue 14: encode once, deliver to many). Each {@link Entry} holds what a session needs to decide about
 * the entry without reading the store (origin, client version, revert target, changeset size) and the part of the
 * DOWNLOAD entry that is the same for every receiver ({@code <timestamp> <origin> <size> <size> <changeset>}) as a
 * read-only direct buffer; the receiver-specific start ({@code <server_version> <client_version> }) is written by
 * each session.
 * <p>
 * Bounded: a ring of {@code slots} entries by version (a newer version replaces the older one in its slot; a
 * lagging session reads the store as before), at most {@link #MAX_ENTRY_BYTES} per entry, {@link #MAX_BYTES} per
 * server file and {@link Budget#MAX_BYTES} per app (counting each entry twice: its deflated copy, made when a
 * compressed body needs it, is at most about as large). The ring is allocated on first use and emptied when the
 * writer unloads the file ({@link #clear()}). An entry's memory is an ordinary direct {@code ByteBuffer}, freed by the
 * garbage collector once no ring slot and no queued write refers to it (the ring never releases its reference, so a
 * reader never meets a released buffer). Thread-safe: any event loop reads and offers lock-free.
 */
public final class SharedEntries
{
    /** Largest shared part of an entry kept; larger entries are encoded per session. */
    public static final int MAX_ENTRY_BYTES = 64 * 1024;
    /** Most bytes of shared parts one server file keeps. */
    public static final long MAX_BYTES = 1024 * 1024;

    private final int mask;
    private final Budget budget;
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong kept = new AtomicLong();
    private volatile AtomicReferenceArray<Entry> ring;

    /** @param slots entries kept (rounded up to a power of two); 0: nothing is shared. */
    public SharedEntries(final int slots)
    {
        this(slots, new Budget());
    }

    /**
     * @param slots  entries kept (rounded up to a power of two); 0: nothing is shared.
     * @param budget the app's bound, shared by all its server files.
     */
    public SharedEntries(final int slots, final Budget budget)
    {
        this.mask = slots <= 0 ? -1 : Integer.highestOneBit(Math.max(1, slots * 2 - 1)) - 1;
        this.budget = budget;
    }

    /** @return whether this file shares entries at all. */
    public boolean enabled()
    {
        return mask >= 0;
    }

    /** @return the entry of {@code version}, or null if it is not held. */
    public Entry get(final long version)
    {
        final AtomicReferenceArray<Entry> r = ring;
        if (null == r)
        {
            return null;
        }
        final Entry e = r.get((int)version & mask);
        return null != e && e.version == version ? e : null;
    }

    /** @return whether an entry of {@code version} with a shared part of {@code size} bytes would be kept now. */
    public boolean accepts(final long version, final int size)
    {
        if (mask < 0 || size > MAX_ENTRY_BYTES || bytes.get() + 2L * size > MAX_BYTES ||
            budget.used.get() + 2L * size > Budget.MAX_BYTES)
        {
            return false;
        }
        final AtomicReferenceArray<Entry> r = ring;
        final Entry e = null == r ? null : r.get((int)version & mask);
        return null == e || e.version < version;
    }

    /**
     * Keep {@code entry} unless its slot holds a newer version or the byte bound is reached.
     *
     * @return the entry of its version now held ({@code entry}, or the one another thread offered first), or
     *     {@code entry} itself if it was not kept (it stays usable by the caller).
     */
    public Entry offer(final Entry entry)
    {
        final AtomicReferenceArray<Entry> r = ring();
        final int slot = (int)entry.version & mask;
        while (true)
        {
            final Entry current = r.get(slot);
            if (null != current && current.version >= entry.version)
            {
                return current.version == entry.version ? current : entry;
            }
            final long delta = 2L * entry.size() - (null == current ? 0 : 2L * current.size());
            if (bytes.get() + delta > MAX_BYTES || budget.used.get() + delta > Budget.MAX_BYTES)
            {
                return entry;
            }
            if (r.compareAndSet(slot, current, entry))
            {
                bytes.addAndGet(delta);
                budget.used.addAndGet(delta);
                kept.incrementAndGet();
                return entry;
            }
        }
    }

    /** @return entries kept so far (each encoded once for all sessions). */
    public long kept()
    {
        return kept.get();
    }

    /** Writer, when it unloads the file: drop every entry held (sessions reading one keep it until they are done). */
    public void clear()
    {
        final AtomicReferenceArray<Entry> r = ring;
        if (null == r)
        {
            return;
        }
        for (int i = 0; i < r.length(); i++)
        {
            final Entry e = r.getAndSet(i, null);
            if (null != e)
            {
                bytes.addAndGet(-2L * e.size());
                budget.used.addAndGet(-2L * e.size());
            }
        }
    }

    /** @return bytes of shared parts held (counted twice, see the class comment). */
    public long bytes()
    {
        return bytes.get();
    }

    private AtomicReferenceArray<Entry> ring()
    {
        AtomicReferenceArray<Entry> r = ring;
        if (null == r)
        {
            synchronized (this)
            {
                r = ring;
                if (null == r)
                {
                    r = new AtomicReferenceArray<>(mask + 1);
                    ring = r;
                }
            }
        }
        return r;
    }

    /** @return a direct buffer of {@code size} bytes for the shared part of a new {@link Entry}. */
    public static ByteBuffer allocate(final int size)
    {
        return ByteBuffer.allocateDirect(size);
    }

    /** The bound of all the shared entries of one app's server files. Thread-safe. */
    public static final class Budget
    {
        /** Most bytes the shared entries of one app hold (counted as in {@link SharedEntries#bytes()}). */
        public static final long MAX_BYTES = 64L * 1024 * 1024;

        private final AtomicLong used = new AtomicLong();

        /** @return bytes held by the app's server files. */
        public long used()
        {
            return used.get();
        }
    }

    /** One history entry, immutable once offered. */
    public static final class Entry
    {
        /** Its server version. */
        public final long version;
        /** The client file that authored it (0 for the server's own changesets). */
        public final long originFileIdent;
        /** The author's client version. */
        public final long clientVersion;
        /** Compensating-write revert: the client file it is meant for (0: an ordinary entry). */
        public final long revertTarget;
        /** Changeset size (0: an empty changeset, never sent). */
        public final int changesetLength;
        /** {@code <timestamp> <origin> <size> <size> <changeset>}, readable bytes only; never written to. */
        private final ByteBuf tail;
        /** The tail as raw deflate blocks ending in a sync flush (byte-aligned, not final), made on first use. */
        private volatile ByteBuf deflated;
        /** Adler-32 of the tail (valid once {@link #deflated} is set). */
        private volatile int tailAdler;

        /**
         * @param tail the shared part from {@link SharedEntries#allocate}, filled from position 0 to its limit.
         */
        public Entry(final long version, final long originFileIdent, final long clientVersion,
            final long revertTarget, final int changesetLength, final ByteBuffer tail)
        {
            this.version = version;
            this.originFileIdent = originFileIdent;
            this.clientVersion = clientVersion;
            this.revertTarget = revertTarget;
            this.changesetLength = changesetLength;
            this.tail = Unpooled.wrappedBuffer(tail);
        }

        /** @return the shared part (do not write, retain or release it: send a retained duplicate). */
        public ByteBuf tail()
        {
            return tail;
        }

        /** @return bytes of the shared part. */
        public int size()
        {
            return tail.readableBytes();
        }

        /**
         * The shared part compressed once for every session's compressed DOWNLOAD bodies: raw deflate data ending in
         * a sync flush (so it ends on a byte boundary and another block may follow), made with {@code deflater} (raw,
         * {@code nowrap}) by the first caller. A body is then {@code zlib header, per entry (a stored block with the
         * receiver's entry start, this data), an empty final stored block, Adler-32 of the whole}; the Adler-32 is
         * combined from {@link #tailAdler()} without reading the tail again ({@link Zlib#combine}).
         *
         * @return the deflate data (do not write, retain or release it: send a retained duplicate).
         */
        public ByteBuf deflated(final Deflater deflater)
        {
            ByteBuf d = deflated;
            if (null == d)
            {
                final ByteBuffer in = tail.nioBuffer();
                final Adler32 adler = new Adler32();
                adler.update(in.duplicate());
                final ByteBuffer out = ByteBuffer.allocateDirect(in.remaining() + in.remaining() / 8 + 64);
                deflater.reset();
                deflater.setInput(in);
                deflater.deflate(out, Deflater.SYNC_FLUSH);
                if (!out.hasRemaining() || !deflater.needsInput())
                {
                    throw new IllegalStateException("deflate output bound too small");
                }
                out.flip();
                tailAdler = (int)adler.getValue();
                d = Unpooled.wrappedBuffer(out);
                deflated = d;
            }
            return d;
        }

        /** @return Adler-32 of the shared part (after {@link #deflated}). */
        public int tailAdler()
        {
            return tailAdler;
        }
    }
}
