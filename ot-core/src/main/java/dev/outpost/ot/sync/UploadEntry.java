package dev.outpost.ot.sync;

import dev.outpost.ot.model.Changeset;

/**
 * One changeset of an UPLOAD message.
 *
 * @param clientVersion   the client version this changeset produced.
 * @param serverVersion   the last server version the client had integrated when it made it (its merge base).
 * @param originTimestamp the client's origin timestamp.
 * @param changeset       the original (untransformed) changeset; its metadata is ignored.
 */
public record UploadEntry(long clientVersion, long serverVersion, long originTimestamp, Changeset changeset)
{
}
