package dev.outpost.ot.sync;

import java.util.ArrayList;
import java.util.List;

/**
 * The history scan behind one DOWNLOAD (protocol §4.6): entries after the client's download cursor that the
 * client did not write and that are not empty, and the cursor the scan reached.
 *
 * @param entries               the entries to send, in server-version order.
 * @param downloadServerVersion how far the scan got (the head when not limited).
 * @param downloadClientVersion the client's last integrated version as of {@code downloadServerVersion}.
 */
public record DownloadBatch(List<DownloadEntry> entries, long downloadServerVersion, long downloadClientVersion)
{
    /**
     * Scan {@code (fromServerVersion, head]} of {@code history} for client {@code clientIdent}: its own entries are
     * skipped but advance the client version; empty entries are skipped; at most {@code maxEntries} are returned
     * (the cursor then stops at the last one returned).
     */
    public static DownloadBatch scan(final ServerHistory history, final long clientIdent,
        final long fromServerVersion, final long fromClientVersion, final int maxEntries)
    {
        final long head = history.headVersion();
        final ArrayList<DownloadEntry> out = new ArrayList<>();
        long clientVersion = fromClientVersion;
        long v = fromServerVersion;
        while (v < head && out.size() < maxEntries)
        {
            v++;
            final HistoryEntry h = history.entry(v);
            if (h.originFileIdent() == clientIdent)
            {
                clientVersion = h.clientVersion();
                continue;
            }
            if (h.changeset().isEmpty())
            {
                continue;
            }
            final long origin = h.originFileIdent() == 0 ? ServerIntegrator.SERVER_FILE_IDENT : h.originFileIdent();
            out.add(new DownloadEntry(v, clientVersion, h.originTimestamp(), origin, h.changeset()));
        }
        return new DownloadBatch(out, v, clientVersion);
    }
}
