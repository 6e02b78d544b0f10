package dev.outpost.server.store;

/**
 * How a history entry is marked as a compensating write's <b>revert entry</b> (an ENTRY record of
 * {@link RecordLayout}): origin file ident {@link #SERVER_ORIGIN_FILE_IDENT} and a negative client version, minus
 * the client file ident the entry is meant for. An ordinary server-origin entry has client version 0 or more, and
 * an entry of a client's origin is never a revert entry. Written by the sync writer
 * ({@code sync.CompensatingWrites}), read by sync downloads and by {@code outpost inspect}.
 * <p>
 * Stateless; thread-safe.
 */
public final class RevertEntryMarker
{
    /** Origin file ident of the server's own (server-origin) entries. */
    public static final long SERVER_ORIGIN_FILE_IDENT = 1;

    private RevertEntryMarker()
    {
    }

    /**
     * @param targetClientFileIdent the client file ident the revert entry is meant for (positive).
     * @return the client version to store the revert entry with (origin {@link #SERVER_ORIGIN_FILE_IDENT}).
     */
    public static long clientVersionFor(final long targetClientFileIdent)
    {
        return -targetClientFileIdent;
    }

    /**
     * @param originFileIdent a history entry's origin file ident.
     * @param clientVersion   its stored client version.
     * @return the client file ident a revert entry is meant for, or 0 for an ordinary entry.
     */
    public static long targetOf(final long originFileIdent, final long clientVersion)
    {
        return originFileIdent == SERVER_ORIGIN_FILE_IDENT && clientVersion < 0 ? -clientVersion : 0;
    }

    /**
     * @param view a history entry just read.
     * @return {@link #targetOf(long, long)} of that entry.
     */
    public static long targetOf(final EntryView view)
    {
        return targetOf(view.originFileIdent(), view.clientVersion());
    }
}
