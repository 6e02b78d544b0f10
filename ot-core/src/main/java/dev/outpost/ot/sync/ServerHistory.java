package dev.outpost.ot.sync;

/**
 * The history of one server file as the integrator sees it: entry {@code v} (1-based) produced server version
 * {@code v}; version 0 is the empty start. The edge-server backs this with its append-only log; {@link
 * InMemoryServerFile} is the reference implementation. Owned by the server file's writer thread.
 */
public interface ServerHistory
{
    /** @return the current head server version (0 for an empty history). */
    long headVersion();

    /** @return entry {@code serverVersion}, 1 &lt;= serverVersion &lt;= head. */
    HistoryEntry entry(long serverVersion);

    /** Append an entry; it becomes version {@code head + 1}. */
    void append(HistoryEntry entry);

    /**
     * Append an entry whose changeset is {@code source}'s, untransformed (nothing concurrent met it): a history that
     * stores bytes may store {@code source}'s original bytes, when it has them, instead of encoding the changeset
     * again. The default appends {@code entry}.
     *
     * @param entry  the entry, as for {@link #append}.
     * @param source the upload entry it came from, unchanged.
     */
    default void appendUnchanged(final HistoryEntry entry, final UploadEntry source)
    {
        append(entry);
    }
}
