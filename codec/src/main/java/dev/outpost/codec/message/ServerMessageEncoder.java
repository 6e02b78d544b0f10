package dev.outpost.codec.message;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import static dev.outpost.codec.message.HeadWriter.decimalField;
import static dev.outpost.codec.message.HeadWriter.endHead;
import static dev.outpost.codec.message.HeadWriter.endWithBody;
import static dev.outpost.codec.message.HeadWriter.field;
import static dev.outpost.codec.message.HeadWriter.numbers;
import static dev.outpost.codec.message.HeadWriter.numbersAndBody;
import static dev.outpost.codec.message.HeadWriter.word;

/**
 * Writes messages the server sends. Each method writes head and body at {@code offset} and returns the frame
 * length. Numbers must be non-negative ({@code IllegalArgumentException} otherwise); expandable buffers grow,
 * fixed ones must be large enough. Nothing is allocated.
 * <p>
 * {@link #flx} selects the DOWNLOAD form; {@link #protocolVersion} formats FLX DOWNLOAD's progress field: an integer
 * (the {@code downloadableBytes} argument) up to 11, a decimal (the {@code progressEstimate} argument, up to six
 * fraction digits: {@code 0.0}, {@code 0.25}, {@code 1.0}) from 12. Not thread-safe; one per connection or thread.
 */
public final class ServerMessageEncoder
{
    private boolean flx;
    private int protocolVersion = 14;

    /** @param flx true on a flexible-sync connection. */
    public ServerMessageEncoder flx(final boolean flx)
    {
        this.flx = flx;
        return this;
    }

    public boolean flx()
    {
        return flx;
    }

    /** @param protocolVersion negotiated version, 2..14. */
    public ServerMessageEncoder protocolVersion(final int protocolVersion)
    {
        this.protocolVersion = MessageDecoderBase.checkProtocolVersion(protocolVersion);
        return this;
    }

    public int protocolVersion()
    {
        return protocolVersion;
    }

    /** {@code ident <sess> <client_file_ident> <salt>}. */
    public int ident(
        final MutableDirectBuffer dst, final int offset, final long sessionIdent, final long clientFileIdent,
        final long clientFileIdentSalt)
    {
        int i = word(dst, offset, MessageType.SERVER_IDENT);
        i = field(dst, i, sessionIdent);
        i = field(dst, i, clientFileIdent);
        i = field(dst, i, clientFileIdentSalt);
        return endHead(dst, i) - offset;
    }

    /**
     * DOWNLOAD. PBS: {@code ... <upload_server_version> <downloadable_bytes> <compressed> <uncompressed_size>
     * <compressed_size>}; FLX: {@code ... <upload_server_version> <query_version> <batch_state> <progress>
     * <compressed> ...}. PBS ignores {@code queryVersion}, {@code batchState} and {@code progressEstimate}; FLX uses
     * {@code downloadableBytes} as the progress field only for protocol 11 and below.
     * If {@code compressed}, {@code body} is zlib data inflating to {@code uncompressedBodySize} bytes; otherwise
     * {@code uncompressedBodySize} is ignored and written as the body length.
     */
    public int download(
        final MutableDirectBuffer dst, final int offset, final long sessionIdent,
        final long downloadServerVersion, final long downloadClientVersion,
        final long latestServerVersion, final long latestServerVersionSalt,
        final long uploadClientVersion, final long uploadServerVersion,
        final long downloadableBytes, final long queryVersion, final int batchState, final double progressEstimate,
        final boolean compressed, final long uncompressedBodySize,
        final DirectBuffer body, final int bodyOffset, final int bodyLength)
    {
        final int head = downloadHead(dst, offset, sessionIdent, downloadServerVersion, downloadClientVersion,
            latestServerVersion, latestServerVersionSalt, uploadClientVersion, uploadServerVersion, downloadableBytes,
            queryVersion, batchState, progressEstimate, compressed, uncompressedBodySize, bodyLength);
        return HeadWriter.body(dst, offset + head, body, bodyOffset, bodyLength) - offset;
    }

    /**
     * The head of a {@link #download} (up to and including its newline) for a body of {@code bodyLength} bytes the
     * caller sends right after it.
     *
     * @return the head length.
     */
    public int downloadHead(
        final MutableDirectBuffer dst, final int offset, final long sessionIdent,
        final long downloadServerVersion, final long downloadClientVersion,
        final long latestServerVersion, final long latestServerVersionSalt,
        final long uploadClientVersion, final long uploadServerVersion,
        final long downloadableBytes, final long queryVersion, final int batchState, final double progressEstimate,
        final boolean compressed, final long uncompressedBodySize, final int bodyLength)
    {
        int i = word(dst, offset, MessageType.DOWNLOAD);
        i = field(dst, i, sessionIdent);
        i = field(dst, i, downloadServerVersion);
        i = field(dst, i, downloadClientVersion);
        i = field(dst, i, latestServerVersion);
        i = field(dst, i, latestServerVersionSalt);
        i = field(dst, i, uploadClientVersion);
        i = field(dst, i, uploadServerVersion);
        if (flx)
        {
            if (batchState < 0 || batchState > 2)
            {
                throw new IllegalArgumentException("batch state " + batchState);
            }
            i = field(dst, i, queryVersion);
            i = field(dst, i, batchState);
            i = protocolVersion >= 12 ? decimalField(dst, i, progressEstimate) : field(dst, i, downloadableBytes);
        }
        else
        {
            i = field(dst, i, downloadableBytes);
        }
        i = field(dst, i, compressed);
        i = field(dst, i, compressed ? uncompressedBodySize : bodyLength);
        i = field(dst, i, compressed ? bodyLength : 0);
        return endHead(dst, i) - offset;
    }

    /** {@code mark <sess> <request_ident>}. */
    public int mark(final MutableDirectBuffer dst, final int offset, final long sessionIdent, final long requestIdent)
    {
        return numbers(dst, offset, MessageType.SERVER_MARK, sessionIdent, requestIdent);
    }

    /** {@code unbound <sess>}. */
    public int unbound(final MutableDirectBuffer dst, final int offset, final long sessionIdent)
    {
        return numbers(dst, offset, MessageType.UNBOUND, sessionIdent);
    }

    /** {@code pong <timestamp>}. */
    public int pong(final MutableDirectBuffer dst, final int offset, final long timestamp)
    {
        return numbers(dst, offset, MessageType.PONG, timestamp);
    }

    /** {@code error <code> <size> <try_again> <sess>\n<message>}. */
    public int error(
        final MutableDirectBuffer dst, final int offset, final int errorCode, final boolean tryAgain,
        final long sessionIdent, final DirectBuffer message, final int messageOffset, final int messageLength)
    {
        int i = word(dst, offset, MessageType.ERROR);
        i = field(dst, i, errorCode);
        i = field(dst, i, messageLength);
        i = field(dst, i, tryAgain);
        i = field(dst, i, sessionIdent);
        return endWithBody(dst, i, offset, message, messageOffset, messageLength);
    }

    /** {@code json_error <code> <size> <sess>\n<json>}. */
    public int jsonError(
        final MutableDirectBuffer dst, final int offset, final int errorCode, final long sessionIdent,
        final DirectBuffer json, final int jsonOffset, final int jsonLength)
    {
        return HeadWriter.jsonError(
            dst, offset, MessageType.SERVER_JSON_ERROR, errorCode, sessionIdent, json, jsonOffset, jsonLength);
    }

    /** {@code query_error <code> <size> <sess> <query_version>\n<message>}. */
    public int queryError(
        final MutableDirectBuffer dst, final int offset, final int errorCode, final long sessionIdent,
        final long queryVersion, final DirectBuffer message, final int messageOffset, final int messageLength)
    {
        int i = word(dst, offset, MessageType.QUERY_ERROR);
        i = field(dst, i, errorCode);
        i = field(dst, i, messageLength);
        i = field(dst, i, sessionIdent);
        i = field(dst, i, queryVersion);
        return endWithBody(dst, i, offset, message, messageOffset, messageLength);
    }

    /** {@code log_message <sess> <size>\n<json>} (protocol 10+). */
    public int logMessage(
        final MutableDirectBuffer dst, final int offset, final long sessionIdent,
        final DirectBuffer json, final int jsonOffset, final int jsonLength)
    {
        return numbersAndBody(dst, offset, MessageType.LOG_MESSAGE, sessionIdent, json, jsonOffset, jsonLength);
    }

    /** {@code test_command <sess> <request_ident> <size>\n<body>}. */
    public int testCommand(
        final MutableDirectBuffer dst, final int offset, final long sessionIdent, final long requestIdent,
        final DirectBuffer body, final int bodyOffset, final int bodyLength)
    {
        return numbersAndBody(
            dst, offset, MessageType.SERVER_TEST_COMMAND, sessionIdent, requestIdent, body, bodyOffset, bodyLength);
    }

    /**
     * Legacy {@code transact <sess> <status> <server_version> <server_version_salt> <origin_timestamp>
     * <origin_file_ident> <substitutions_size>\n<substitutions>}.
     */
    public int transact(
        final MutableDirectBuffer dst, final int offset, final long sessionIdent, final int status,
        final long serverVersion, final long serverVersionSalt, final long originTimestamp,
        final long originFileIdent, final DirectBuffer substitutions, final int subOffset, final int subLength)
    {
        int i = word(dst, offset, MessageType.SERVER_TRANSACT);
        i = field(dst, i, sessionIdent);
        i = field(dst, i, status);
        i = field(dst, i, serverVersion);
        i = field(dst, i, serverVersionSalt);
        i = field(dst, i, originTimestamp);
        i = field(dst, i, originFileIdent);
        i = field(dst, i, subLength);
        return endWithBody(dst, i, offset, substitutions, subOffset, subLength);
    }

    /**
     * Legacy {@code state <sess> <server_version> <server_version_salt> <begin_offset> <end_offset> <max_offset>
     * <body_size>\n<segments>}.
     */
    public int state(
        final MutableDirectBuffer dst, final int offset, final long sessionIdent, final long serverVersion,
        final long serverVersionSalt, final long beginOffset, final long endOffset, final long maxOffset,
        final DirectBuffer body, final int bodyOffset, final int bodyLength)
    {
        int i = word(dst, offset, MessageType.STATE);
        i = field(dst, i, sessionIdent);
        i = field(dst, i, serverVersion);
        i = field(dst, i, serverVersionSalt);
        i = field(dst, i, beginOffset);
        i = field(dst, i, endOffset);
        i = field(dst, i, maxOffset);
        i = field(dst, i, bodyLength);
        return endWithBody(dst, i, offset, body, bodyOffset, bodyLength);
    }

    /**
     * Legacy {@code client_version <client_version>}, exactly as doc/protocol.md gives it: no session ident, so it
     * answers the connection's one outstanding CLIENT_VERSION_REQUEST.
     */
    public int clientVersion(final MutableDirectBuffer dst, final int offset, final long clientVersion)
    {
        return numbers(dst, offset, MessageType.CLIENT_VERSION, clientVersion);
    }

    /** Legacy {@code alloc <sess> <file_ident>}. */
    public int alloc(final MutableDirectBuffer dst, final int offset, final long sessionIdent, final long fileIdent)
    {
        return numbers(dst, offset, MessageType.SERVER_ALLOC, sessionIdent, fileIdent);
    }
}
