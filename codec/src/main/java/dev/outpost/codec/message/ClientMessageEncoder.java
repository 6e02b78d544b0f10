package dev.outpost.codec.message;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import static dev.outpost.codec.message.HeadWriter.body;
import static dev.outpost.codec.message.HeadWriter.endHead;
import static dev.outpost.codec.message.HeadWriter.endWithBody;
import static dev.outpost.codec.message.HeadWriter.field;
import static dev.outpost.codec.message.HeadWriter.numbers;
import static dev.outpost.codec.message.HeadWriter.numbersAndBody;
import static dev.outpost.codec.message.HeadWriter.word;

/**
 * Writes messages a client sends (for Java test clients and the load generator), in the exact form realm-core's
 * client writes them. Each method writes head and body at {@code offset} and returns the frame length. Numbers must
 * be non-negative ({@code IllegalArgumentException} otherwise); expandable buffers grow, fixed ones must be large
 * enough. Nothing is allocated. {@link #flx} selects the IDENT form. Not thread-safe; one per connection or thread.
 */
public final class ClientMessageEncoder
{
    private boolean flx;

    /** @param flx true on a flexible-sync connection. */
    public ClientMessageEncoder flx(final boolean flx)
    {
        this.flx = flx;
        return this;
    }

    public boolean flx()
    {
        return flx;
    }

    /** {@code bind <sess> <data_size> <token_size> <need_ident> <is_subserver>\n<data><token>}. */
    public int bind(
        final MutableDirectBuffer dst, final int offset, final long sessionIdent,
        final DirectBuffer data, final int dataOffset, final int dataLength,
        final DirectBuffer token, final int tokenOffset, final int tokenLength,
        final boolean needClientFileIdent, final boolean isSubserver)
    {
        int i = word(dst, offset, MessageType.BIND);
        i = field(dst, i, sessionIdent);
        i = field(dst, i, dataLength);
        i = field(dst, i, tokenLength);
        i = field(dst, i, needClientFileIdent);
        i = field(dst, i, isSubserver);
        i = endHead(dst, i);
        i = body(dst, i, data, dataOffset, dataLength);
        i = body(dst, i, token, tokenOffset, tokenLength);
        return i - offset;
    }

    /**
     * IDENT: the 7 PBS numbers; on an FLX encoder also {@code <query_version> <query_size>} and the query body
     * (the query arguments are ignored for PBS; pass null, 0, 0).
     */
    public int ident(
        final MutableDirectBuffer dst, final int offset, final long sessionIdent,
        final long clientFileIdent, final long clientFileIdentSalt,
        final long downloadServerVersion, final long downloadClientVersion,
        final long latestServerVersion, final long latestServerVersionSalt,
        final long queryVersion, final DirectBuffer query, final int queryOffset, final int queryLength)
    {
        int i = word(dst, offset, MessageType.IDENT);
        i = field(dst, i, sessionIdent);
        i = field(dst, i, clientFileIdent);
        i = field(dst, i, clientFileIdentSalt);
        i = field(dst, i, downloadServerVersion);
        i = field(dst, i, downloadClientVersion);
        i = field(dst, i, latestServerVersion);
        i = field(dst, i, latestServerVersionSalt);
        if (flx)
        {
            i = field(dst, i, queryVersion);
            i = field(dst, i, queryLength);
            i = endHead(dst, i);
            i = body(dst, i, query, queryOffset, queryLength);
        }
        else
        {
            i = endHead(dst, i);
        }
        return i - offset;
    }

    /** {@code query <sess> <query_version> <size>\n<json>}. */
    public int query(
        final MutableDirectBuffer dst, final int offset, final long sessionIdent, final long queryVersion,
        final DirectBuffer query, final int queryOffset, final int queryLength)
    {
        return numbersAndBody(
            dst, offset, MessageType.QUERY, sessionIdent, queryVersion, query, queryOffset, queryLength);
    }

    /**
     * UPLOAD. If {@code compressed}, {@code body} holds the zlib bytes and {@code uncompressedBodySize} the size
     * they inflate to; otherwise {@code body} is the entry list and {@code uncompressedBodySize} is ignored
     * (written as the body length, with compressed size 0).
     */
    public int upload(
        final MutableDirectBuffer dst, final int offset, final long sessionIdent, final boolean compressed,
        final long uncompressedBodySize, final long progressClientVersion, final long progressServerVersion,
        final long lockedServerVersion, final DirectBuffer body, final int bodyOffset, final int bodyLength)
    {
        int i = word(dst, offset, MessageType.UPLOAD);
        i = field(dst, i, sessionIdent);
        i = field(dst, i, compressed);
        i = field(dst, i, compressed ? uncompressedBodySize : bodyLength);
        i = field(dst, i, compressed ? bodyLength : 0);
        i = field(dst, i, progressClientVersion);
        i = field(dst, i, progressServerVersion);
        i = field(dst, i, lockedServerVersion);
        return endWithBody(dst, i, offset, body, bodyOffset, bodyLength);
    }

    /** {@code mark <sess> <request_ident>}. */
    public int mark(final MutableDirectBuffer dst, final int offset, final long sessionIdent, final long requestIdent)
    {
        return numbers(dst, offset, MessageType.MARK, sessionIdent, requestIdent);
    }

    /** {@code unbind <sess>}. */
    public int unbind(final MutableDirectBuffer dst, final int offset, final long sessionIdent)
    {
        return numbers(dst, offset, MessageType.UNBIND, sessionIdent);
    }

    /** {@code ping <timestamp> <rtt>}. */
    public int ping(final MutableDirectBuffer dst, final int offset, final long timestamp, final long rtt)
    {
        return numbers(dst, offset, MessageType.PING, timestamp, rtt);
    }

    /** {@code json_error <code> <size> <sess>\n<json>}. */
    public int jsonError(
        final MutableDirectBuffer dst, final int offset, final int errorCode, final long sessionIdent,
        final DirectBuffer json, final int jsonOffset, final int jsonLength)
    {
        return HeadWriter.jsonError(
            dst, offset, MessageType.JSON_ERROR, errorCode, sessionIdent, json, jsonOffset, jsonLength);
    }

    /** {@code test_command <sess> <request_ident> <size>\n<body>}. */
    public int testCommand(
        final MutableDirectBuffer dst, final int offset, final long sessionIdent, final long requestIdent,
        final DirectBuffer body, final int bodyOffset, final int bodyLength)
    {
        return numbersAndBody(
            dst, offset, MessageType.TEST_COMMAND, sessionIdent, requestIdent, body, bodyOffset, bodyLength);
    }

    /** Legacy {@code refresh <sess> <token_size>\n<token>}. */
    public int refresh(
        final MutableDirectBuffer dst, final int offset, final long sessionIdent,
        final DirectBuffer token, final int tokenOffset, final int tokenLength)
    {
        return numbersAndBody(dst, offset, MessageType.REFRESH, sessionIdent, token, tokenOffset, tokenLength);
    }

    /** Legacy {@code transact <sess> <client_version> <server_version> <changeset_size>\n<changeset>}. */
    public int transact(
        final MutableDirectBuffer dst, final int offset, final long sessionIdent, final long clientVersion,
        final long serverVersion, final DirectBuffer changeset, final int changesetOffset, final int changesetLength)
    {
        int i = word(dst, offset, MessageType.TRANSACT);
        i = field(dst, i, sessionIdent);
        i = field(dst, i, clientVersion);
        i = field(dst, i, serverVersion);
        i = field(dst, i, changesetLength);
        return endWithBody(dst, i, offset, changeset, changesetOffset, changesetLength);
    }

    /**
     * Legacy {@code state_request <sess> <server_version> <server_version_salt> <offset> <need_recent>
     * <min_file_format> <max_file_format> <min_history_schema> <max_history_schema>}.
     */
    public int stateRequest(
        final MutableDirectBuffer dst, final int offset, final long sessionIdent, final long serverVersion,
        final long serverVersionSalt, final long fileOffset, final boolean needRecent,
        final long minFileFormatVersion, final long maxFileFormatVersion,
        final long minHistorySchemaVersion, final long maxHistorySchemaVersion)
    {
        int i = word(dst, offset, MessageType.STATE_REQUEST);
        i = field(dst, i, sessionIdent);
        i = field(dst, i, serverVersion);
        i = field(dst, i, serverVersionSalt);
        i = field(dst, i, fileOffset);
        i = field(dst, i, needRecent);
        i = field(dst, i, minFileFormatVersion);
        i = field(dst, i, maxFileFormatVersion);
        i = field(dst, i, minHistorySchemaVersion);
        i = field(dst, i, maxHistorySchemaVersion);
        return endHead(dst, i) - offset;
    }

    /** Legacy {@code client_version_request <sess> <client_file_ident> <client_file_ident_salt>}. */
    public int clientVersionRequest(
        final MutableDirectBuffer dst, final int offset, final long sessionIdent, final long clientFileIdent,
        final long clientFileIdentSalt)
    {
        int i = word(dst, offset, MessageType.CLIENT_VERSION_REQUEST);
        i = field(dst, i, sessionIdent);
        i = field(dst, i, clientFileIdent);
        i = field(dst, i, clientFileIdentSalt);
        return endHead(dst, i) - offset;
    }

    /** Legacy {@code alloc <sess>}. */
    public int alloc(final MutableDirectBuffer dst, final int offset, final long sessionIdent)
    {
        return numbers(dst, offset, MessageType.ALLOC, sessionIdent);
    }
}
