package dev.outpost.ot.sync;

import dev.outpost.ot.model.Changeset;

/**
 * One changeset of a DOWNLOAD message (protocol §4.3).
 *
 * @param serverVersion   the server version this entry produced.
 * @param clientVersion   the receiving client's last integrated version as of this entry (its merge base).
 * @param originTimestamp the author's timestamp.
 * @param originFileIdent the author (never 0: server-local entries are sent as 1).
 * @param changeset       the changeset as integrated on the server.
 */
public record DownloadEntry(long serverVersion, long clientVersion, long originTimestamp, long originFileIdent,
    Changeset changeset)
{
}
