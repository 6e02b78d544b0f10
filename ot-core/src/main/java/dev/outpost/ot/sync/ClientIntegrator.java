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
    private final ArrayList<Version> history = new ArrayList<>();
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
        final ArrayList<UploadEntry> out = new ArrayList<>();
        for (long v = uploadClientVersion + 1; v <= history.size(); v++)
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
        final Changeset[] reciprocal = new Changeset[(int)current + 1];
        int start = 0;
        while (start < entries.size())
        {
            final long base = entries.get(start).clientVersion();
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
                Changeset c = reciprocal[(int)v];
                if (c == null)
                {
                    c = (h.reciprocal != null ? h.reciprocal : h.changeset).copy().setVersion(v)
                        .setLastIntegratedRemoteVersion(h.serverVersion).setOriginTimestamp(h.timestamp)
                        .setOriginFileIdent(0);
                    reciprocal[(int)v] = c;
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
                    reciprocal[oursVersions.get(i)] = r.ours().get(i);
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
            for (int v = 1; v < reciprocal.length; v++)
            {
                if (reciprocal[v] != null)
                {
                    history.get(v - 1).reciprocal = reciprocal[v];
                }
            }
            history.add(new Version(false, new Changeset(), downloadServerVersion, 0));
        }
        this.downloadServerVersion = downloadServerVersion;
        this.downloadClientVersion = downloadClientVersion;
        if (uploadClientVersion > this.uploadClientVersion)
        {
            this.uploadClientVersion = uploadClientVersion;
            this.uploadServerVersion = Math.max(this.uploadServerVersion, uploadServerVersion);
        }
        // Local changesets at or below the download client version are never merged again.
        for (long v = 1; v <= Math.min(downloadClientVersion, history.size()); v++)
        {
            history.get((int)(v - 1)).reciprocal = null;
        }
        return IntegrationResult.success(transformed.size(), 0);
    }

    /** Integrate a {@link DownloadBatch} scanned for this client, acknowledging {@code client}'s upload cursor. */
    public IntegrationResult integrate(final DownloadBatch batch, final ClientFile client)
    {
        return integrateDownload(batch.entries(), batch.downloadServerVersion(), batch.downloadClientVersion(),
            client.clientVersion(), client.rhBaseVersion());
    }

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
