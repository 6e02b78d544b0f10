package dev.outpost.server.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The derived, per-shard chain of every committed record of every server file, so that one server file's index can
 * be rebuilt from the queue without scanning the shard: entry {@code n} holds the log index of a record and the
 * entry number of the previous record of the same server file ({@link #NONE} for its first). A server file only
 * needs the number of its newest entry (8 bytes) while it is not resident.
 * <pre>
 *   entry (24 bytes, native order): 0 logIndex int64 | 8 previous entry int64 | 16 fileId int32 | 20 unused
 * </pre>
 * Derived state, never part of the data-directory format: it is rebuilt by the replay at every open, in a file that
 * is unlinked as soon as it is mapped (so a crash leaves nothing behind, and nothing reads a stale chain). It
 * lives in the data directory (on disk, in the page cache, not in the heap); a read-only open puts it in the
 * temporary directory so that it changes nothing in the data directory.
 * <p>
 * Threads: the shard's writer (or the replaying thread) appends and truncates; a loader (under the shard's index
 * lock) reads entries of server files that are not resident, which the writer does not touch. Chunks are mapped
 * once and never unmapped before {@link #close()}, so a reader never sees a mapping go away.
 */
final class RecordChain implements AutoCloseable
{
    /** No previous entry. */
    static final long NONE = -1;
    static final int ENTRY_LENGTH = 24;
    private static final int CHUNK_SHIFT = 20;
    private static final int CHUNK_ENTRIES = 1 << CHUNK_SHIFT;
    private static final int CHUNK_MASK = CHUNK_ENTRIES - 1;
    private static final long CHUNK_BYTES = (long)CHUNK_ENTRIES * ENTRY_LENGTH;

    private final FileChannel channel;
    private volatile UnsafeBuffer[] chunks = new UnsafeBuffer[0];
    private MappedByteBuffer[] mapped = new MappedByteBuffer[0];
    private long size;

    private RecordChain(final FileChannel channel)
    {
        this.channel = channel;
    }

    /**
     * Creates an empty chain in {@code dir} (the file is unlinked at once; the open channel keeps it).
     */
    static RecordChain create(final Path dir, final String name)
    {
        try
        {
            final Path file = dir.resolve(name);
            final FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
            try
            {
                Files.deleteIfExists(file);
            }
            catch (final IOException | RuntimeException ex)
            {
                ch.close();
                throw ex;
            }
            return new RecordChain(ch);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /** @return the number of entries (writer). */
    long size()
    {
        return size;
    }

    /**
     * Appends an entry (writer).
     *
     * @return its number.
     */
    long append(final int fileId, final long logIndex, final long previous)
    {
        final long n = size;
        final int k = (int)(n >>> CHUNK_SHIFT);
        UnsafeBuffer[] cs = chunks;
        if (k >= cs.length)
        {
            cs = grow(k);
        }
        final UnsafeBuffer c = cs[k];
        final int at = (int)(n & CHUNK_MASK) * ENTRY_LENGTH;
        c.putLong(at, logIndex);
        c.putLong(at + 8, previous);
        c.putInt(at + 16, fileId);
        size = n + 1;
        return n;
    }

    /** Maps room for the next entry in advance (writer, before it writes a record), so that append cannot fail. */
    void reserve()
    {
        final int k = (int)(size >>> CHUNK_SHIFT);
        if (k >= chunks.length)
        {
            grow(k);
        }
    }

    /** Forgets the entries from {@code newSize} on (writer; their records were voided). */
    void truncate(final long newSize)
    {
        assert newSize <= size;
        size = newSize;
    }

    long logIndex(final long entry)
    {
        return chunk(entry).getLong(offset(entry));
    }

    long previous(final long entry)
    {
        return chunk(entry).getLong(offset(entry) + 8);
    }

    int fileId(final long entry)
    {
        return chunk(entry).getInt(offset(entry) + 16);
    }

    private UnsafeBuffer chunk(final long entry)
    {
        return chunks[(int)(entry >>> CHUNK_SHIFT)];
    }

    private static int offset(final long entry)
    {
        return (int)(entry & CHUNK_MASK) * ENTRY_LENGTH;
    }

    private UnsafeBuffer[] grow(final int k)
    {
        try
        {
            final UnsafeBuffer[] cs = Arrays.copyOf(chunks, k + 1);
            mapped = Arrays.copyOf(mapped, k + 1);
            for (int i = 0; i <= k; i++)
            {
                if (cs[i] == null)
                {
                    final MappedByteBuffer m = channel.map(FileChannel.MapMode.READ_WRITE, i * CHUNK_BYTES,
                        CHUNK_BYTES);
                    mapped[i] = m;
                    cs[i] = new UnsafeBuffer(m);
                }
            }
            chunks = cs; // volatile: a loader that sees the array sees its mappings
            return cs;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    @Override
    public void close()
    {
        for (final MappedByteBuffer m : mapped)
        {
            if (m != null)
            {
                IoUtil.unmap(m);
            }
        }
        mapped = new MappedByteBuffer[0];
        chunks = new UnsafeBuffer[0];
        try
        {
            channel.close();
        }
        catch (final IOException ignore)
        {
            // derived, unlinked: nothing to keep
        }
    }
}
