package dev.outpost.server.sync;

import dev.outpost.codec.ProtocolErrorCode;
import dev.outpost.server.sync.wire.ErrorBodies;
import dev.outpost.server.sync.writer.ServerIntegratorIdent;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.LongArrayList;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;

/**
 * The session-level messages of one session, encoded into its connection (event loop only): IDENT, UNBOUND, MARK,
 * the errors (JSON_ERROR, ERROR, QUERY_ERROR) and the original protocol's answers; and the MARKs waiting for the
 * download cursor. A message that finds no room in the connection's output is dropped, as the connection closes.
 */
final class SessionReplies
{
    private final ConnectionHandler conn;
    private final long ident;
    private final LongArrayList pendingMarks = new LongArrayList(); // pairs: request ident, target version

    SessionReplies(final ConnectionHandler conn, final long ident)
    {
        this.conn = conn;
        this.ident = ident;
    }

    void ident(final long clientFileIdent, final long salt)
    {
        final MutableDirectBuffer out = conn.connection.claim(96);
        if (out != null)
        {
            conn.connection.commit(conn.encoder.ident(out, 0, ident, clientFileIdent, salt));
        }
    }

    void unbound()
    {
        final MutableDirectBuffer out = conn.connection.claim(64);
        if (out != null)
        {
            conn.connection.commit(conn.encoder.unbound(out, 0, ident));
        }
    }

    /** A MARK with {@code requestIdent}, answered once the download cursor reaches {@code targetVersion}. */
    void markRequested(final long requestIdent, final long targetVersion)
    {
        pendingMarks.addLong(requestIdent);
        pendingMarks.addLong(targetVersion);
    }

    /** Answer the MARKs whose target the download cursor {@code downloadServer} reached. */
    void answerMarks(final long downloadServer)
    {
        int i = 0;
        while (i < pendingMarks.size() && pendingMarks.getLong(i + 1) <= downloadServer)
        {
            final MutableDirectBuffer out = conn.connection.claim(64);
            if (out != null)
            {
                conn.connection.commit(conn.encoder.mark(out, 0, ident, pendingMarks.getLong(i)));
            }
            i += 2;
        }
        if (i > 0)
        {
            final int rest = pendingMarks.size() - i;
            for (int j = 0; j < rest; j++)
            {
                pendingMarks.setLong(j, pendingMarks.getLong(i + j));
            }
            while (pendingMarks.size() > rest)
            {
                pendingMarks.removeAt(pendingMarks.size() - 1);
            }
        }
    }

    void clearMarks()
    {
        pendingMarks.clear();
    }

    void transact(final int status, final long version, final long salt, final long timestamp)
    {
        final MutableDirectBuffer out = conn.connection.claim(192);
        if (out != null)
        {
            conn.connection.commit(conn.encoder.transact(out, 0, ident, status, version, salt, timestamp,
                ServerIntegratorIdent.SERVER, new UnsafeBuffer(new byte[0]), 0, 0));
        }
    }

    void clientVersion(final long clientVersion)
    {
        final MutableDirectBuffer out = conn.connection.claim(64);
        if (out != null)
        {
            conn.connection.commit(conn.encoder.clientVersion(out, 0, clientVersion));
        }
    }

    void queryError(final long qv, final String message)
    {
        conn.service.errorSent(ProtocolErrorCode.BAD_QUERY.code(), message, conn, ident);
        final byte[] text = message.getBytes(StandardCharsets.UTF_8);
        final MutableDirectBuffer out = conn.connection.claim(text.length + 96);
        if (out != null)
        {
            conn.connection.commit(conn.encoder.queryError(out, 0, ProtocolErrorCode.BAD_QUERY.code(), ident, qv,
                new UnsafeBuffer(text), 0, text.length));
        }
    }

    /** FLX compensating write: {@code json_error 231} (action Warning) with {@code body}. */
    void compensatingWrite(final String body)
    {
        conn.service.compensatingWrite();
        conn.service.errorSent(ProtocolErrorCode.COMPENSATING_WRITE.code(), "compensating write", conn, ident);
        final byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        final MutableDirectBuffer out = conn.connection.claim(bytes.length + 96);
        if (out != null)
        {
            conn.connection.commit(conn.encoder.jsonError(out, 0, ProtocolErrorCode.COMPENSATING_WRITE.code(), ident,
                new UnsafeBuffer(bytes), 0, bytes.length));
        }
    }

    /** A session-level error with code {@code safe} (JSON_ERROR from protocol 4 on, else ERROR). */
    void error(final ProtocolErrorCode safe, final String action, final boolean tryAgain, final String message)
    {
        conn.service.errorSent(safe.code(), message, conn, ident);
        final byte[] bytes;
        final MutableDirectBuffer out;
        if (conn.connection.protocolVersion() >= 4)
        {
            bytes = ErrorBodies.json(action, message, tryAgain).getBytes(StandardCharsets.UTF_8);
            out = conn.connection.claim(bytes.length + 96);
            if (out != null)
            {
                conn.connection.commit(conn.encoder.jsonError(out, 0, safe.code(), ident, new UnsafeBuffer(bytes), 0,
                    bytes.length));
            }
        }
        else
        {
            bytes = message.getBytes(StandardCharsets.UTF_8);
            out = conn.connection.claim(bytes.length + 96);
            if (out != null)
            {
                conn.connection.commit(conn.encoder.error(out, 0, safe.code(), tryAgain, ident,
                    new UnsafeBuffer(bytes), 0, bytes.length));
            }
        }
    }
}
