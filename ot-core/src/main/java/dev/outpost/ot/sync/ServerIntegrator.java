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
import java.util.Map;
import java.util.TreeMap;

/**
 * Server-side integration of a client's UPLOAD into one server file (protocol §4.5, §5.1), as realm-core's
 * {@code ServerHistory::integrate_remote_changesets}:
 * <ol>
 * <li>changesets with {@code clientVersion <= client.clientVersion()} were integrated before and are skipped;</li>
 * <li>the rest are grouped by base server version; each group is merged against the history entries in
 *     {@code (base, head]} that did not come from this client and are not empty, each taken as this client's
 *     reciprocal transform if one is stored, else as integrated ({@link Transformer} with local ident 1);</li>
 * <li>the transformed changesets are applied to the object state (if one is kept) and appended to the history
 *     with {@code origin = client ident}, the client's version and origin timestamp; changed reciprocals are
 *     stored; the upload cursor and locked server version are updated.</li>
 * </ol>
 * Fast path: a group that meets nothing in {@code (base, head]} from other clients (no shared object, no schema
 * change on either side; see {@link TouchIndex#disjoint}) is integrated as it is, without reading, copying or
 * merging that history: exactly what the merge would return. The index is recorded on every append made here and
 * catches up on entries appended by other paths at the start of the next upload.
 * <p>
 * All or nothing: every check, merge and apply happens before anything is written, so a failure (bad cursor, merge
 * failure, apply failure) leaves history, client file and state untouched and reports the protocol error
 * (209/210/212) to send. Deterministic. Not thread-safe: owned by the server file's writer.
 */
public final class ServerIntegrator
{
    /** The server's own file ident: used for tie-breaks of server-local history entries (origin 0). */
    public static final long SERVER_FILE_IDENT = 1;

    private final ServerHistory history;
    private final ChangesetApplier applier;
    private final Transformer transformer = new Transformer(SERVER_FILE_IDENT);
    private final TouchIndex index;
    private long fastPathGroups;
    private long mergedGroups;

    /**
     * With the fast path over a new {@link TouchIndex} (filled from the history on first use).
     *
     * @param state the server file's object state to keep up to date, or null to only keep history.
     */
    public ServerIntegrator(final ServerHistory history, final ObjectState state)
    {
        this(history, state, new TouchIndex());
    }

    /**
     * @param state the server file's object state to keep up to date, or null to only keep history.
     * @param index the touch index of this history (recorded up to any version &lt;= head; the rest is read from the
     *              history on the next upload), or null to always merge against the concurrent history.
     */
    public ServerIntegrator(final ServerHistory history, final ObjectState state, final TouchIndex index)
    {
        this.history = history;
        this.applier = state == null ? null : new ChangesetApplier(state);
        this.index = index;
    }

    /** @return the touch index (null if the fast path is off). */
    public TouchIndex index()
    {
        return index;
    }

    /**
     * @return upload groups integrated without a merge although other clients had appended non-empty history after
     *         their base, because none of it met them (since creation).
     */
    public long fastPathGroups()
    {
        return fastPathGroups;
    }

    /** @return upload groups merged against concurrent history of other clients (since creation). */
    public long mergedGroups()
    {
        return mergedGroups;
    }

    /**
     * Integrate one UPLOAD of client {@code clientIdent}.
     *
     * @param progressClientVersion the message's upload progress client version.
     * @param progressServerVersion the message's upload progress last integrated server version.
     * @param lockedServerVersion   the message's locked server version.
     * @param entries               the changesets, in message order.
     */
    public IntegrationResult integrateUpload(final long clientIdent, final ClientFile client,
        final long progressClientVersion, final long progressServerVersion, final long lockedServerVersion,
        final List<UploadEntry> entries)
    {
        final long head = history.headVersion();
        final long storedClientVersion = client.clientVersion();
        final long rhBase = client.rhBaseVersion();

        // Cursor checks (realm's server asserts these after the session validated the message).
        if (progressServerVersion > head)
        {
            return IntegrationResult.failure(ProtocolErrorCode.BAD_SERVER_VERSION,
                "upload progress server version " + progressServerVersion + " is beyond the head " + head);
        }
        final ArrayList<UploadEntry> fresh = new ArrayList<>();
        long prevClient = storedClientVersion;
        long prevServer = rhBase;
        for (final UploadEntry e : entries)
        {
            if (e.clientVersion() <= storedClientVersion)
            {
                continue;
            }
            if (e.clientVersion() <= prevClient)
            {
                return IntegrationResult.failure(ProtocolErrorCode.BAD_CLIENT_VERSION,
                    "changeset client versions must increase (" + e.clientVersion() + " after " + prevClient + ")");
            }
            if (e.serverVersion() < prevServer || e.serverVersion() > head)
            {
                return IntegrationResult.failure(ProtocolErrorCode.BAD_SERVER_VERSION,
                    "changeset server version " + e.serverVersion() + " outside [" + prevServer + ", " + head + "]");
            }
            if (e.clientVersion() > progressClientVersion || e.serverVersion() > progressServerVersion)
            {
                return IntegrationResult.failure(e.clientVersion() > progressClientVersion
                    ? ProtocolErrorCode.BAD_CLIENT_VERSION : ProtocolErrorCode.BAD_SERVER_VERSION,
                    "changeset cursor (" + e.clientVersion() + ", " + e.serverVersion() + ") beyond upload progress ("
                        + progressClientVersion + ", " + progressServerVersion + ")");
            }
            prevClient = e.clientVersion();
            prevServer = e.serverVersion();
            fresh.add(e);
        }
        final int skipped = entries.size() - fresh.size();
        if (index != null)
        {
            // entries appended by other paths (server-origin changes, reverts) since the last upload
            for (long v = index.head() + 1; v <= head; v++)
            {
                final HistoryEntry h = history.entry(v);
                index.record(v, h.originFileIdent(), h.changeset());
            }
        }

        // Merge, group by group. `cache` holds every reciprocal touched so far (by server version).
        final TreeMap<Long, Changeset> cache = new TreeMap<>();
        final TreeMap<Long, Boolean> dirty = new TreeMap<>();
        final ArrayList<Changeset> transformed = new ArrayList<>(fresh.size());
        // per transformed changeset: its upload entry if nothing transformed it (appended as it came), else null
        final ArrayList<UploadEntry> unchanged = new ArrayList<>(fresh.size());
        final ArrayList<Changeset> group = new ArrayList<>();
        int start = 0;
        while (start < fresh.size())
        {
            final long base = fresh.get(start).serverVersion();
            int end = start + 1;
            while (end < fresh.size() && fresh.get(end).serverVersion() == base)
            {
                end++;
            }
            group.clear();
            for (int i = start; i < end; i++)
            {
                group.add(fresh.get(i).changeset()); // instructions only read: no copy unless it is merged
            }
            if (index != null && index.disjoint(clientIdent, base, group))
            {
                // Fast path: nothing in (base, head] from others meets the group, so the merge would return it
                // unchanged and change no reciprocal.
                if (index.concurrent(clientIdent, base))
                {
                    fastPathGroups++;
                }
                addUnchanged(fresh, start, end, transformed, unchanged);
                start = end;
                continue;
            }
            final ArrayList<Long> oursVersions = new ArrayList<>();
            final ArrayList<Changeset> ours = new ArrayList<>();
            for (long v = base + 1; v <= head; v++)
            {
                final HistoryEntry h = history.entry(v);
                if (h.originFileIdent() == clientIdent || h.changeset().isEmpty())
                {
                    continue;
                }
                Changeset c = cache.get(v);
                if (c == null)
                {
                    final Changeset stored = v > rhBase ? client.reciprocal(v) : null;
                    c = (stored != null ? stored : h.changeset()).copy().setVersion(v)
                        .setLastIntegratedRemoteVersion(h.clientVersion()).setOriginTimestamp(h.originTimestamp())
                        .setOriginFileIdent(h.originFileIdent());
                    cache.put(v, c);
                }
                oursVersions.add(v);
                ours.add(c);
            }
            if (ours.isEmpty())
            {
                addUnchanged(fresh, start, end, transformed, unchanged);
            }
            else
            {
                final ArrayList<Changeset> theirs = new ArrayList<>(end - start);
                for (int i = start; i < end; i++)
                {
                    final UploadEntry e = fresh.get(i);
                    theirs.add(e.changeset().copy().setVersion(e.clientVersion()).setLastIntegratedRemoteVersion(base)
                        .setOriginTimestamp(e.originTimestamp()).setOriginFileIdent(clientIdent));
                }
                mergedGroups++;
                final MergeResult r = transformer.merge(theirs, ours);
                if (!r.isSuccess())
                {
                    return IntegrationResult.failure(r.errorCode(), "Failed to transform upload: " + r.message());
                }
                transformed.addAll(r.theirs());
                for (int i = start; i < end; i++)
                {
                    unchanged.add(null);
                }
                for (int i = 0; i < ours.size(); i++)
                {
                    if (r.oursChanged(i))
                    {
                        cache.put(oursVersions.get(i), r.ours().get(i));
                        dirty.put(oursVersions.get(i), Boolean.TRUE);
                    }
                }
            }
            start = end;
        }

        // Apply to the object state, all or nothing.
        if (applier != null && !transformed.isEmpty())
        {
            applier.begin();
            for (int i = 0; i < transformed.size(); i++)
            {
                final ApplyResult r = applier.applyWithin(transformed.get(i));
                if (!r.ok())
                {
                    applier.rollback();
                    return IntegrationResult.failure(ProtocolErrorCode.BAD_CHANGESET, "Failed to apply changeset "
                        + fresh.get(i).clientVersion() + " of client " + clientIdent + ": " + r.message());
                }
            }
            applier.commit();
        }

        // Commit: history, reciprocals, cursors.
        for (int i = 0, n = transformed.size(); i < n; i++)
        {
            final Changeset c = transformed.get(i);
            final UploadEntry source = unchanged.get(i);
            if (source != null)
            {
                history.appendUnchanged(new HistoryEntry(clientIdent, source.clientVersion(),
                    source.originTimestamp(), c), source);
            }
            else
            {
                history.append(new HistoryEntry(clientIdent, c.version(), c.originTimestamp(), c));
            }
            if (index != null && index.head() == history.headVersion() - 1)
            {
                index.record(index.head() + 1, clientIdent, c);
            }
        }
        for (final Map.Entry<Long, Boolean> d : dirty.entrySet())
        {
            client.putReciprocal(d.getKey(), cache.get(d.getKey()));
        }
        if (progressClientVersion > storedClientVersion)
        {
            client.setUploadProgress(progressClientVersion, Math.max(rhBase, progressServerVersion));
        }
        if (lockedServerVersion > client.lockedServerVersion())
        {
            client.setLockedServerVersion(lockedServerVersion);
        }
        return IntegrationResult.success(transformed.size(), skipped);
    }

    /** The changesets of {@code fresh[start, end)} go into the history as they are (no copy, no re-encoding). */
    private static void addUnchanged(final List<UploadEntry> fresh, final int start, final int end,
        final List<Changeset> transformed, final List<UploadEntry> unchanged)
    {
        for (int i = start; i < end; i++)
        {
            final UploadEntry e = fresh.get(i);
            transformed.add(e.changeset());
            unchanged.add(e);
        }
    }
}
