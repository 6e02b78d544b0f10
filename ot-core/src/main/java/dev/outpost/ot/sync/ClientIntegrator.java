package dev.outpost.ot.sync;

import dev.outpost.codec.ProtocolErrorCode;
import dev.outpost.ot.model.Changeset;
import dev.outpost.ot.state.ApplyResult;
import dev.outpost.ot.state.ChangesetApplier;
import dev.outpost.ot.state.ObjectState;
import dev.outpost.ot.transform.MergeResult;
import dev.outpost.ot.transform.Transformer;

import java.util.ArrayList;
import java.util.List;

/**
 * A sync client's side of integration, as realm-core's {@code ClientHistory} does it, entirely in memory (used by
 * convergence tests and, later, Java test clients and the load generator).
 * <p>
 * The client has a linear history of versions 1, 2, ...: local commits (origin 0, uploaded as originals) and
 * integrated DOWNLOAD batches (one version each, never uploaded). Integrating a DOWNLOAD groups its entries by
 * {@code clientVersion} (their merge base on this client); each group is merged ({@link Transformer} with this
 * client's ident) against this client's non-empty local changesets after that base, each taken as its stored
 * reciprocal transform if any; the transformed server changesets are applied and changed local changesets are
 * stored as the new reciprocal transforms. All or nothing: a failure (212) leaves state and history unchanged.
 * <p>
 * Not thread-safe: owned by the client's sync thread.
 */
public final class ClientIntegrator
{
    private final long fileIdent;
    private final ObjectState state;
    private final ChangesetApplier applier;
    private final Transformer transformer;
    /** Client versions 1..n; settled versions (never merged or uploaded again) are replaced by {@link #SETTLED}. */
    private final ArrayList<Version> history = new ArrayList<>();
    /** Versions up to this one are settled (released). */
    private long settledUpTo;
    private long downloadServerVersion;
    private long downloadClientVersion;
    private long uploadClientVersion;
    private long uploadServerVersion;

    /** @param fileIdent this client's file ident (from 2), used for tie-breaks of its own changesets. */
    public ClientIntegrator(final long fileIdent)
    {
        this.fileIdent = fileIdent;
        this.state = new ObjectState();
        this.applier = new ChangesetApplier(state);
        this.transformer = new Transformer(fileIdent);
    }

    public long fileIdent()
    {
        return fileIdent;
    }

    public ObjectState state()
    {
        return state;
    }

    /** @return the current client version (0 before the first commit). */
    public long version()
    {
        return history.size();
    }

    public long downloadServerVersion()
    {
        return downloadServerVersion;
    }

    public long downloadClientVersion()
    {
        return downloadClientVersion;
    }

    /** @return the upload progress client version the server last acknowledged. */
    public long uploadClientVersion()
    {
        return uploadClientVersion;
    }

    /**
     * Apply a local write transaction and record it as a new version (empty changesets give a version too, as a
     * realm write transaction does, and are never uploaded).
     */
    public ApplyResult commitLocal(final Changeset changeset, final long originTimestamp)
    {
        final ApplyResult r = applier.apply(changeset);
        if (r.ok())
        {
            history.add(new Version(true, changeset.copy(), downloadServerVersion, originTimestamp));
        }
        return r;
    }

    /** @return the UPLOAD this client would send now: local changesets after the acknowledged upload cursor. */
    public UploadBatch pendingUpload()
    {
        return pendingUpload(0);
    }

    /**
     * The local changesets after both the acknowledged upload cursor and {@code after} (e.g. what a connection has
     * already sent): the work is proportional to the versions after the larger of the two, not to every unacknowledged
     * changeset, so a client that uploads after each commit stays linear.
     *
     * @return the UPLOAD of the changesets after {@code max(uploadClientVersion, after)}, with the same progress as
     * {@link #pendingUpload()}.
     */
    public UploadBatch pendingUpload(final long after)
    {
        final ArrayList<UploadEntry> out = new ArrayList<>();
        for (long v = Math.max(uploadClientVersion, after) + 1; v <= history.size(); v++)
        {
            final Version h = history.get((int)(v - 1));
            if (h.local && !h.changeset.isEmpty())
            {
                out.add(new UploadEntry(v, h.serverVersion, h.timestamp, h.changeset.copy()));
            }
        }
        return new UploadBatch(history.size(), downloadServerVersion, out);
    }

    /**
     * Integrate a DOWNLOAD: its entries, then its cursors.
     *
     * @param downloadServerVersion new download cursor server version.
     * @param downloadClientVersion new download cursor client version.
     * @param uploadClientVersion   the server's upload progress for this client (acknowledgement).
     * @param uploadServerVersion   its last integrated server version.
     */
    public IntegrationResult integrateDownload(final List<DownloadEntry> entries, final long downloadServerVersion,
        final long downloadClientVersion, final long uploadClientVersion, final long uploadServerVersion)
    {
        if (downloadServerVersion < this.downloadServerVersion || downloadClientVersion < this.downloadClientVersion
            || uploadClientVersion > history.size())
        {
            return IntegrationResult.failure(ProtocolErrorCode.BAD_PROGRESS, "download cursors went backwards");
        }
        final long current = history.size();
        final ArrayList<Changeset> transformed = new ArrayList<>(entries.size());
        // reciprocal transforms of this batch, indexed from the lowest merge base (never the whole history)
        long low = current;
        for (int i = 0; i < entries.size(); i++)
        {
            low = Math.min(low, entries.get(i).clientVersion());
        }
        Changeset[] reciprocal = null;
        int start = 0;
        while (start < entries.size())
        {
            final long base = entries.get(start).clientVersion();
            if (base < settledUpTo)
            {
                return IntegrationResult.failure(ProtocolErrorCode.BAD_CLIENT_VERSION,
                    "download entry based on client version " + base + " below the download cursor " + settledUpTo);
            }
            if (base > current)
            {
                return IntegrationResult.failure(ProtocolErrorCode.BAD_CLIENT_VERSION,
                    "download entry based on client version " + base + " beyond " + current);
            }
            int end = start + 1;
            while (end < entries.size() && entries.get(end).clientVersion() == base)
            {
                end++;
            }
            final ArrayList<Changeset> theirs = new ArrayList<>(end - start);
            for (int i = start; i < end; i++)
            {
                final DownloadEntry e = entries.get(i);
                if (e.originFileIdent() == 0 || e.originFileIdent() == fileIdent)
                {
                    return IntegrationResult.failure(ProtocolErrorCode.BAD_ORIGIN_FILE_IDENT,
                        "bad origin file ident " + e.originFileIdent());
                }
                theirs.add(e.changeset().copy().setVersion(e.serverVersion()).setLastIntegratedRemoteVersion(base)
                    .setOriginTimestamp(e.originTimestamp()).setOriginFileIdent(e.originFileIdent()));
            }
            final ArrayList<Integer> oursVersions = new ArrayList<>();
            final ArrayList<Changeset> ours = new ArrayList<>();
            for (long v = base + 1; v <= current; v++)
            {
                final Version h = history.get((int)(v - 1));
                if (!h.local || h.changeset.isEmpty())
                {
                    continue;
                }
                if (reciprocal == null)
                {
                    reciprocal = new Changeset[(int)(current - low)];
                }
                Changeset c = reciprocal[(int)(v - low - 1)];
                if (c == null)
                {
                    c = (h.reciprocal != null ? h.reciprocal : h.changeset).copy().setVersion(v)
                        .setLastIntegratedRemoteVersion(h.serverVersion).setOriginTimestamp(h.timestamp)
                        .setOriginFileIdent(0);
                    reciprocal[(int)(v - low - 1)] = c;
                }
                oursVersions.add((int)v);
                ours.add(c);
            }
            if (ours.isEmpty())
            {
                transformed.addAll(theirs);
            }
            else
            {
                final MergeResult r = transformer.merge(theirs, ours);
                if (!r.isSuccess())
                {
                    return IntegrationResult.failure(r.errorCode(), "Failed to transform download: " + r.message());
                }
                transformed.addAll(r.theirs());
                for (int i = 0; i < ours.size(); i++)
                {
                    reciprocal[(int)(oursVersions.get(i) - low - 1)] = r.ours().get(i);
                }
            }
            start = end;
        }
        if (!transformed.isEmpty())
        {
            applier.begin();
            for (final Changeset c : transformed)
            {
                final ApplyResult r = applier.applyWithin(c);
                if (!r.ok())
                {
                    applier.rollback();
                    return IntegrationResult.failure(ProtocolErrorCode.BAD_CHANGESET,
                        "Failed to apply server version " + c.version() + ": " + r.message());
                }
            }
            applier.commit();
            if (reciprocal != null)
            {
                for (int i = 0; i < reciprocal.length; i++)
                {
                    if (reciprocal[i] != null)
                    {
                        history.get((int)(low + i)).reciprocal = reciprocal[i];
                    }
                }
            }
            history.add(DOWNLOADED);
        }
        else if (downloadServerVersion > this.downloadServerVersion)
        {
            // as realm's client (ClientHistory::set_sync_progress): a DOWNLOAD without changesets to apply still
            // commits a version, so an upload cursor (client version, server version) never pairs an older client
            // version with the newer server version (the server would refuse it: 210, not mutually consistent)
            history.add(DOWNLOADED);
        }
        this.downloadServerVersion = downloadServerVersion;
        this.downloadClientVersion = downloadClientVersion;
        if (uploadClientVersion > this.uploadClientVersion)
        {
            this.uploadClientVersion = uploadClientVersion;
            this.uploadServerVersion = Math.max(this.uploadServerVersion, uploadServerVersion);
        }
        // Local changesets at or below the download client version are never merged again, and those at or below the
        // upload cursor are never uploaded again: release them (each version is settled once, so this stays linear).
        final long settled = Math.min(history.size(), Math.min(downloadClientVersion, this.uploadClientVersion));
        for (long v = settledUpTo + 1; v <= settled; v++)
        {
            history.set((int)(v - 1), SETTLED);
        }
        settledUpTo = Math.max(settledUpTo, settled);
        return IntegrationResult.success(transformed.size(), 0);
    }

    /**
     * Take a DOWNLOAD's cursors without applying its entries: a client that downloads but does not apply (the load
     * generator's upload-only writers). The download cursor and the acknowledgement advance as in
     * {@link #integrateDownload} (a version is added when the download server version advances, as for any
     * download without changesets), but the state is untouched, so later local changesets claim
     * the new download server version as their base: only valid when they never touch what was skipped (e.g. each
     * writer owns its objects).
     */
    public IntegrationResult skipDownload(final long downloadServerVersion, final long downloadClientVersion,
        final long uploadClientVersion, final long uploadServerVersion)
    {
        return integrateDownload(List.of(), downloadServerVersion, downloadClientVersion, uploadClientVersion,
            uploadServerVersion);
    }

    /** Integrate a {@link DownloadBatch} scanned for this client, acknowledging {@code client}'s upload cursor. */
    public IntegrationResult integrate(final DownloadBatch batch, final ClientFile client)
    {
        return integrateDownload(batch.entries(), batch.downloadServerVersion(), batch.downloadClientVersion(),
            client.clientVersion(), client.rhBaseVersion());
    }

    /** @return client versions whose changesets are still held (local ones not yet settled), for tests. */
    public int retainedLocalVersions()
    {
        int n = 0;
        for (int i = (int)settledUpTo; i < history.size(); i++)
        {
            if (history.get(i).local)
            {
                n++;
            }
        }
        return n;
    }

    /** An integrated DOWNLOAD's version: nothing to merge or upload (shared, immutable). */
    private static final Version DOWNLOADED = new Version(false, new Changeset(), 0, 0);
    /** A version below both cursors: never merged or uploaded again (shared, immutable). */
    private static final Version SETTLED = new Version(false, new Changeset(), 0, 0);

    private static final class Version
    {
        final boolean local;
        final Changeset changeset;
        final long serverVersion;
        final long timestamp;
        Changeset reciprocal;

        Version(final boolean local, final Changeset changeset, final long serverVersion, final long timestamp)
        {
            this.local = local;
            this.changeset = changeset;
            this.serverVersion = serverVersion;
            this.timestamp = timestamp;
        }
    }
}
