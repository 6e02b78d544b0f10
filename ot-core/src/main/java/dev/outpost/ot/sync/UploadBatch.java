package dev.outpost.ot.sync;

import java.util.List;

/**
 * What a client would put in one UPLOAD message.
 *
 * @param progressClientVersion the client's current version.
 * @param progressServerVersion the last server version it has integrated.
 * @param entries               its non-empty local changesets after the acknowledged upload cursor (originals).
 */
public record UploadBatch(long progressClientVersion, long progressServerVersion, List<UploadEntry> entries)
{
}
