package dev.outpost.server.store;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * Reads published history entries of any server file, by version, without locks and without allocating on the
 * hot path (one tailer per shard, created on first use). Sequential reads of one shard avoid index lookups.
 * <p>
 * Not thread-safe: each reading thread creates its own with {@link HistoryStore#newReader()} and closes it on the
 * same thread.
 */
public final class HistoryReader implements AutoCloseable
{
    private final HistoryStore store;
    private final LogCursor[] cursors;

    HistoryReader(final HistoryStore store)
    {
        this.store = store;
        this.cursors = new LogCursor[store.shardCount()];
    }

    /**
     * Fills {@code into} with version {@code version} of {@code file}; the changeset view stays valid until the
     * next read through this reader.
     *
     * @return false if {@code version} is not in 1 .. {@link ServerFile#head()}.
     */
    public boolean read(final ServerFile file, final long version, final EntryView into)
    {
        if (version < 1 || version > file.head())
        {
            return false;
        }
        final UnsafeBuffer record = cursor(file.shardIndex()).read(file.logIndex(version));
        if (record == null)
        {
            return false;
        }
        into.wrapEntry(record, file.salt());
        return true;
    }

    private LogCursor cursor(final int shard)
    {
        LogCursor c = cursors[shard];
        if (c == null)
        {
            c = new LogCursor(store.shard(shard).queue().createTailer());
            cursors[shard] = c;
        }
        return c;
    }

    @Override
    public void close()
    {
        for (int i = 0; i < cursors.length; i++)
        {
            if (cursors[i] != null)
            {
                cursors[i].close();
                cursors[i] = null;
            }
        }
    }
}
