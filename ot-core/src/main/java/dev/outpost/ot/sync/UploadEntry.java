package dev.outpost.ot.sync;

import dev.outpost.ot.model.Changeset;
import org.agrona.DirectBuffer;

/**
 * One changeset of an UPLOAD message.
 *
 * @param clientVersion   the client version this changeset produced.
 * @param serverVersion   the last server version the client had integrated when it made it (its merge base).
 * @param originTimestamp the client's origin timestamp.
 * @param changeset       the original (untransformed) changeset; its metadata is ignored. The integrator may keep it
 *                        in the history as it is (without a copy) if nothing transforms it: the caller must not change
 *                        it afterwards.
 * @param original        the bytes {@code changeset} was read from (exactly its encoding), or null: a history that
 *                        stores bytes may store these instead of re-encoding a changeset nothing transformed (see
 *                        {@link ServerHistory#appendUnchanged}). Only read during the integration.
 * @param originalOffset  where they start in {@code original}.
 * @param originalLength  their length.
 */
public record UploadEntry(long clientVersion, long serverVersion, long originTimestamp, Changeset changeset,
    DirectBuffer original, int originalOffset, int originalLength)
{
    /** Without the original bytes (the history encodes the changeset). */
    public UploadEntry(final long clientVersion, final long serverVersion, final long originTimestamp,
        final Changeset changeset)
    {
        this(clientVersion, serverVersion, originTimestamp, changeset, null, 0, 0);
    }
}
