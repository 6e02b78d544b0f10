package dev.outpost.server.sync.writer;

import dev.outpost.codec.CodecException;
import dev.outpost.codec.ProtocolErrorCode;
import dev.outpost.codec.message.UploadEntryIterator;
import dev.outpost.codec.changeset.Instr;
import dev.outpost.ot.model.AddTable;
import dev.outpost.ot.model.Changeset;
import dev.outpost.ot.model.Instruction;
import dev.outpost.ot.state.ObjectState;
import dev.outpost.server.config.ServerConfig;
import dev.outpost.server.sync.wire.ErrorBodies;

/**
 * The checks of an UPLOAD (protocol §4.5), in one place: the progress cursors of its header (on the event loop) and
 * the per-changeset cursors and origin of its body (on the event loop for small bodies, on the writer for large
 * ones), and (with the app's schema, development mode off) the schema instructions of each new changeset (on the
 * writer, where changesets are parsed: {@link #schema}). Immutable: built at IDENT from the stored upload cursor and the client file, fixed while the session is
 * ACTIVE.
 */
public final class UploadCheck
{
    private final long thresholdClient;
    private final long thresholdServer;
    private final long clientFileIdent;
    private final SchemaCheck schema;
    private final boolean pbs;
    private int maxChangesetBytes = Integer.MAX_VALUE;

    /**
     * @param thresholdClient the stored upload cursor's client version at IDENT.
     * @param thresholdServer the stored upload cursor's server version at IDENT.
     * @param clientFileIdent the session's client file.
     */
    public UploadCheck(final long thresholdClient, final long thresholdServer, final long clientFileIdent)
    {
        this(thresholdClient, thresholdServer, clientFileIdent, null, false);
    }

    /**
     * @param thresholdClient the stored upload cursor's client version at IDENT.
     * @param thresholdServer the stored upload cursor's server version at IDENT.
     * @param clientFileIdent the session's client file.
     * @param schema          the app's schema the changesets' schema instructions must agree with, or null.
     * @param pbs             whether the session is partition-based (asymmetric classes need flexible sync).
     */
    public UploadCheck(final long thresholdClient, final long thresholdServer, final long clientFileIdent,
        final SchemaCheck schema, final boolean pbs)
    {
        this.thresholdClient = thresholdClient;
        this.thresholdServer = thresholdServer;
        this.clientFileIdent = clientFileIdent;
        this.schema = schema;
        this.pbs = pbs;
    }

    /**
     * The schema check of one parsed changeset not integrated yet (on the writer, where changesets are parsed).
     *
     * @param cs    the changeset.
     * @param state the server file's object state.
     * @return null if all is well, else the failure (225, or 212 for an asymmetric class in partition-based sync,
     * which realm's client never sends; nothing of the upload may be integrated).
     */
    public UploadFailure schema(final Changeset cs, final ObjectState state)
    {
        if (pbs)
        {
            for (final Instruction i : cs.instructions())
            {
                if (i instanceof AddTable t && t.tableType() == Instr.TABLE_TOP_LEVEL_ASYMMETRIC)
                {
                    // its objects would reach every client of the partition
                    return new UploadFailure(ProtocolErrorCode.BAD_CHANGESET, ErrorBodies.PROTOCOL_VIOLATION,
                        "class '" + t.table() + "' is asymmetric: asymmetric classes need flexible sync");
                }
            }
        }
        if (null == schema)
        {
            return null;
        }
        final String why = schema.refusal(cs, state);
        return null == why ? null : new UploadFailure(ProtocolErrorCode.INVALID_SCHEMA_CHANGE,
            ErrorBodies.APPLICATION_BUG, why);
    }

    /**
     * The cursor checks of an UPLOAD's header (the session's progress starts at 0; the threshold is the stored cursor
     * at IDENT).
     *
     * @param pcv            the UPLOAD's progress client version.
     * @param psv            the UPLOAD's progress server version.
     * @param locked         the UPLOAD's locked server version.
     * @param downloadServer the session's download cursor.
     * @param progressClient the previous UPLOAD's progress client version (0 at first).
     * @param progressServer the previous UPLOAD's progress server version.
     * @param lockedServer   the previous UPLOAD's locked server version.
     * @return null if all is well, else the failure.
     */
    public UploadFailure progress(final long pcv, final long psv, final long locked, final long downloadServer,
        final long progressClient, final long progressServer, final long lockedServer)
    {
        if (pcv < progressClient)
        {
            return new UploadFailure(ProtocolErrorCode.BAD_CLIENT_VERSION, ErrorBodies.CLIENT_RESET,
                "upload progress client version decreased");
        }
        if (psv > downloadServer || !consistent(pcv, psv) || !mutuallyConsistent(pcv, psv, thresholdClient,
            thresholdServer) || !mutuallyConsistent(pcv, psv, progressClient, progressServer))
        {
            return new UploadFailure(ProtocolErrorCode.BAD_SERVER_VERSION, ErrorBodies.CLIENT_RESET,
                "upload progress (" + pcv + ", " + psv + ") inconsistent with the download cursor " + downloadServer +
                ", the stored upload cursor (" + thresholdClient + ", " + thresholdServer + ") or the previous " +
                "progress (" + progressClient + ", " + progressServer + ")");
        }
        if (locked < lockedServer || locked > downloadServer)
        {
            return new UploadFailure(ProtocolErrorCode.BAD_SERVER_VERSION, ErrorBodies.CLIENT_RESET,
                "locked server version " + locked + " out of range");
        }
        return null;
    }

    /**
     * @param maxChangesetBytes the largest changeset an entry may carry ({@code max-changeset-size}).
     * @return this.
     */
    public UploadCheck maxChangesetBytes(final int maxChangesetBytes)
    {
        this.maxChangesetBytes = maxChangesetBytes;
        return this;
    }

    /**
     * The per-changeset checks of an UPLOAD body (changeset client versions strictly increase, each cursor consistent
     * with the previous one and the stored cursor, the last within the progress, origin file ident, changeset size);
     * changesets above the stored cursor are copied into {@code out}.
     *
     * @param it         the body's entries.
     * @param pcv        the UPLOAD's progress client version.
     * @param psv        the UPLOAD's progress server version.
     * @param fromClient the previous UPLOAD's progress client version.
     * @param fromServer the previous UPLOAD's progress server version.
     * @param out        where the changesets to integrate go.
     * @return null if all is well, else the failure (nothing of the upload may be integrated).
     * @throws CodecException if the body does not parse.
     */
    public UploadFailure entries(final UploadEntryIterator it, final long pcv, final long psv, final long fromClient,
        final long fromServer, final UploadChangesets out) throws CodecException
    {
        long prevClient = fromClient;
        long prevServer = fromServer;
        while (it.next())
        {
            final long cv = it.clientVersion();
            final long sv = it.serverVersion();
            if (cv <= prevClient)
            {
                return new UploadFailure(ProtocolErrorCode.BAD_CLIENT_VERSION, ErrorBodies.CLIENT_RESET,
                    "changeset client version " + cv + " not above " + prevClient);
            }
            if (!consistent(cv, sv) || !mutuallyConsistent(cv, sv, prevClient, prevServer) ||
                !mutuallyConsistent(cv, sv, thresholdClient, thresholdServer))
            {
                return new UploadFailure(ProtocolErrorCode.BAD_SERVER_VERSION, ErrorBodies.CLIENT_RESET,
                    "changeset cursor (" + cv + ", " + sv + ") inconsistent with (" + prevClient + ", " + prevServer +
                    ") or the stored cursor");
            }
            if (it.changesetLength() > maxChangesetBytes)
            {
                return new UploadFailure(ProtocolErrorCode.BAD_CHANGESET, ErrorBodies.PROTOCOL_VIOLATION,
                    "changeset of " + it.changesetLength() + " bytes is over the limit of " + maxChangesetBytes +
                    " (setting " + ServerConfig.MAX_CHANGESET_SIZE_PROP + ")");
            }
            if (it.originFileIdent() != 0 && it.originFileIdent() != clientFileIdent)
            {
                return new UploadFailure(ProtocolErrorCode.BAD_ORIGIN_FILE_IDENT, ErrorBodies.PROTOCOL_VIOLATION,
                    "origin file ident " + it.originFileIdent() + " not allowed");
            }
            prevClient = cv;
            prevServer = sv;
            if (cv <= thresholdClient)
            {
                continue; // integrated in an earlier connection
            }
            out.add(cv, sv, it.originTimestamp(), it.buffer(), it.changesetOffset(), it.changesetLength());
        }
        if (prevClient > pcv || !mutuallyConsistent(prevClient, prevServer, pcv, psv))
        {
            return new UploadFailure(ProtocolErrorCode.BAD_CLIENT_VERSION, ErrorBodies.CLIENT_RESET,
                "last changeset cursor (" + prevClient + ", " + prevServer + ") beyond the upload progress (" + pcv +
                ", " + psv + ")");
        }
        return null;
    }

    /** A cursor (c, s) is consistent if c = 0 implies s = 0. */
    private static boolean consistent(final long c, final long s)
    {
        return c != 0 || s == 0;
    }

    /** Two cursors are mutually consistent if the second component never goes backwards as the first grows. */
    private static boolean mutuallyConsistent(final long c1, final long s1, final long c2, final long s2)
    {
        if (c1 < c2)
        {
            return s1 <= s2;
        }
        if (c1 > c2)
        {
            return s1 >= s2;
        }
        return s1 == s2;
    }
}
