package dev.outpost.ot.sync;

import dev.outpost.ot.model.Changeset;

/**
 * One server history entry: the changeset exactly as integrated (transformed), its author and the author's version.
 *
 * @param originFileIdent the author's client file ident; 0 for changes made on the server itself (sent as 1).
 * @param clientVersion   the version the changeset produced on its author (0 for server-local changes).
 * @param originTimestamp the author's origin timestamp, stored as received (OT tie-breaks depend on it).
 * @param changeset       the integrated changeset; its own metadata is ignored (the fields above are the truth).
 */
public record HistoryEntry(long originFileIdent, long clientVersion, long originTimestamp, Changeset changeset)
{
}
