package dev.outpost.ot.sync;

import dev.outpost.ot.model.Changeset;

/**
 * What the server keeps per client file (protocol §4.2): the upload cursor ({@code clientVersion},
 * {@code rhBaseVersion}), {@code lockedServerVersion}, and the reciprocal history: for server versions above
 * {@code rhBaseVersion}, the history entry as this client "sees" it after earlier merges, if it differs from the
 * entry. The edge-server implements it over its storage; {@link InMemoryServerFile.InMemoryClientFile} is the
 * reference. Owned by the server file's writer thread.
 */
public interface ClientFile
{
    /** @return the last client version integrated (upload progress). */
    long clientVersion();

    /** @return the server version the client had integrated at {@link #clientVersion()}; reciprocal base. */
    long rhBaseVersion();

    long lockedServerVersion();

    /** @return the reciprocal transform of server version {@code v} (&gt; rhBaseVersion), or null if none. */
    Changeset reciprocal(long serverVersion);

    /** Store (replace) the reciprocal transform of server version {@code v} (&gt; rhBaseVersion). */
    void putReciprocal(long serverVersion, Changeset changeset);

    /**
     * Record new upload progress: set {@code clientVersion}; if {@code rhBaseVersion} grew, drop reciprocal
     * transforms at or below it.
     */
    void setUploadProgress(long clientVersion, long rhBaseVersion);

    void setLockedServerVersion(long lockedServerVersion);
}
