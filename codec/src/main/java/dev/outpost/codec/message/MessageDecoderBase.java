package dev.outpost.codec.message;

import org.agrona.DirectBuffer;

import dev.outpost.codec.CodecException;
import dev.outpost.codec.ProtocolErrorCode;

import static dev.outpost.codec.message.HeadCursor.NL;
import static dev.outpost.codec.message.HeadCursor.SP;

/**
 * What {@link ClientMessageDecoder} and {@link ServerMessageDecoder} share: the wrapped frame, the head cursor,
 * the body bounds and body-size rules, the per-connection settings and the head fields both directions carry.
 * Each decoder's {@code wrap} starts with {@link #begin}, reads its own heads, ends each with {@link #endHead}
 * and {@link #exactBody} or {@link #changesetBody}. Not thread-safe: owned with the decoder that extends it.
 */
abstract class MessageDecoderBase
{
    final HeadCursor cursor = new HeadCursor();

    boolean flx;
    int protocolVersion = 14;
    int maxUncompressedBodySize;

    DirectBuffer buffer;
    int offset;
    int length;
    MessageType type;
    int headLength;
    int bodyOffset;
    int bodyLength;

    long sessionIdent;
    long requestIdent;
    long clientFileIdent;
    long clientFileIdentSalt;
    long downloadServerVersion;
    long downloadClientVersion;
    long latestServerVersion;
    long latestServerVersionSalt;
    long queryVersion;
    boolean bodyCompressed;
    long uncompressedBodySize;
    long compressedBodySize;
    long timestamp;
    int errorCode;
    long clientVersion;
    long serverVersion;
    long serverVersionSalt;

    MessageDecoderBase(final int maxUncompressedBodySize)
    {
        this.maxUncompressedBodySize = maxUncompressedBodySize;
    }

    /** @return {@code protocolVersion} if in 2..14 (decoders and {@link ServerMessageEncoder}); else throws. */
    static int checkProtocolVersion(final int protocolVersion)
    {
        if (protocolVersion < 2 || protocolVersion > 14)
        {
            throw new IllegalArgumentException("protocol version " + protocolVersion);
        }
        return protocolVersion;
    }

    static int checkMaxBodySize(final int max)
    {
        if (max < 0)
        {
            throw new IllegalArgumentException("max " + max);
        }
        return max;
    }

    /**
     * Wraps a frame, identifies its first word among {@code types} and leaves the cursor on the first field.
     *
     * @throws CodecException {@code UNKNOWN_MESSAGE} if the first word is none of {@code types}.
     */
    final MessageType begin(final DirectBuffer buffer, final int offset, final int length, final MessageType[] types)
        throws CodecException
    {
        this.buffer = buffer;
        this.offset = offset;
        this.length = length;
        this.type = null;
        final HeadCursor c = cursor;
        c.wrap(buffer, offset, offset + length, ProtocolErrorCode.BAD_SYNTAX);
        final MessageType t = MessageWords.identify(buffer, offset, length, types);
        c.position(offset + t.wireBytes().length + 1);
        return t;
    }

    static CodecException unknownMessage()
    {
        return new CodecException(ProtocolErrorCode.UNKNOWN_MESSAGE, "unknown message type");
    }

    final void endHead()
    {
        headLength = cursor.position() - offset;
        bodyOffset = cursor.position();
    }

    final void exactBody(final long size) throws CodecException
    {
        final int remaining = cursor.remaining();
        if (size > remaining)
        {
            throw new CodecException(ProtocolErrorCode.BAD_SYNTAX, "declared body size exceeds the frame");
        }
        if (size < remaining)
        {
            throw new CodecException(ProtocolErrorCode.BAD_SYNTAX, "trailing bytes after the body");
        }
        bodyLength = (int)size;
    }

    /** Ends the head at the cursor and requires exactly {@code bodySize} body bytes to follow. */
    final void endFrame(final long bodySize) throws CodecException
    {
        endHead();
        exactBody(bodySize);
    }

    /** {@code word <sess>\n} (UNBIND, legacy ALLOC request; UNBOUND). */
    final void sessionHead() throws CodecException
    {
        sessionIdent = cursor.number(NL);
        endFrame(0);
    }

    /** {@code mark <sess> <request_ident>\n}, the same both ways. */
    final void markHead() throws CodecException
    {
        final HeadCursor c = cursor;
        sessionIdent = c.number(SP);
        requestIdent = c.number(NL);
        endFrame(0);
    }

    /** {@code word <sess> <size>\n<body>} (legacy REFRESH; LOG_MESSAGE). */
    final void sessionBodyHead() throws CodecException
    {
        final HeadCursor c = cursor;
        sessionIdent = c.number(SP);
        endFrame(c.intNumber(NL));
    }

    /** {@code test_command <sess> <request_ident> <size>\n<body>}, the same both ways. */
    final void testCommandHead() throws CodecException
    {
        final HeadCursor c = cursor;
        sessionIdent = c.number(SP);
        requestIdent = c.number(SP);
        endFrame(c.intNumber(NL));
    }

    /** {@code json_error <error_code> <size> <sess>\n<json>}, the same both ways. */
    final void jsonErrorHead() throws CodecException
    {
        final HeadCursor c = cursor;
        errorCode = c.intNumber(SP);
        final int size = c.intNumber(SP);
        sessionIdent = c.number(NL);
        endFrame(size);
    }

    /** UPLOAD / DOWNLOAD body: checks the declared sizes already read into the fields against the frame. */
    final void changesetBody() throws CodecException
    {
        if (uncompressedBodySize > maxUncompressedBodySize)
        {
            throw new CodecException(ProtocolErrorCode.OTHER_ERROR, "declared uncompressed body size over the limit");
        }
        if (bodyCompressed)
        {
            exactBody(compressedBodySize);
        }
        else
        {
            if (compressedBodySize != 0)
            {
                throw new CodecException(ProtocolErrorCode.BAD_SYNTAX, "compressed size must be 0 when uncompressed");
            }
            exactBody(uncompressedBodySize);
        }
    }

    /** @return true if configured for a flexible-sync connection. */
    public final boolean flx()
    {
        return flx;
    }

    /** @return the negotiated protocol version, 2..14 (default 14). */
    public final int protocolVersion()
    {
        return protocolVersion;
    }

    /** @return the buffer last wrapped. */
    public final DirectBuffer buffer()
    {
        return buffer;
    }

    /** @return offset of the frame in {@link #buffer()}. */
    public final int offset()
    {
        return offset;
    }

    /** @return length of the whole frame. */
    public final int length()
    {
        return length;
    }

    /** @return the decoded type, or null before a successful wrap. */
    public final MessageType type()
    {
        return type;
    }

    /** @return head length including its {@code '\n'}. */
    public final int headLength()
    {
        return headLength;
    }

    /** @return start of the body in {@link #buffer()} (all body bytes: BIND path+token, compressed UPLOAD...). */
    public final int bodyOffset()
    {
        return bodyOffset;
    }

    /** @return body length (0 for messages without a body). */
    public final int bodyLength()
    {
        return bodyLength;
    }

    /**
     * @return session ident: client messages of every type except PING; server messages of every type except PONG
     *         and legacy CLIENT_VERSION (0 = connection level for ERROR, JSON_ERROR, LOG_MESSAGE).
     */
    public final long sessionIdent()
    {
        return sessionIdent;
    }

    /** @return MARK, TEST_COMMAND request ident. */
    public final long requestIdent()
    {
        return requestIdent;
    }

    /** @return IDENT (both directions), CLIENT_VERSION_REQUEST client file ident. */
    public final long clientFileIdent()
    {
        return clientFileIdent;
    }

    /** @return IDENT (both directions), CLIENT_VERSION_REQUEST client file ident salt. */
    public final long clientFileIdentSalt()
    {
        return clientFileIdentSalt;
    }

    /** @return client IDENT, server DOWNLOAD: download cursor server version. */
    public final long downloadServerVersion()
    {
        return downloadServerVersion;
    }

    /** @return client IDENT, server DOWNLOAD: download cursor client version. */
    public final long downloadClientVersion()
    {
        return downloadClientVersion;
    }

    /** @return client IDENT, server DOWNLOAD: latest server version. */
    public final long latestServerVersion()
    {
        return latestServerVersion;
    }

    /** @return client IDENT, server DOWNLOAD: latest server version salt. */
    public final long latestServerVersionSalt()
    {
        return latestServerVersionSalt;
    }

    /** @return FLX IDENT, QUERY; FLX DOWNLOAD, QUERY_ERROR: query version. */
    public final long queryVersion()
    {
        return queryVersion;
    }

    /** @return UPLOAD, DOWNLOAD is_body_compressed. */
    public final boolean bodyCompressed()
    {
        return bodyCompressed;
    }

    /** @return UPLOAD, DOWNLOAD declared uncompressed body size (equals {@link #bodyLength()} if not compressed). */
    public final long uncompressedBodySize()
    {
        return uncompressedBodySize;
    }

    /** @return UPLOAD, DOWNLOAD declared compressed body size (0 if not compressed). */
    public final long compressedBodySize()
    {
        return compressedBodySize;
    }

    /** @return PING timestamp (client monotonic ms); PONG timestamp (the PING's, echoed). */
    public final long timestamp()
    {
        return timestamp;
    }

    /** @return JSON_ERROR (both directions), ERROR, QUERY_ERROR error code. */
    public final int errorCode()
    {
        return errorCode;
    }

    /** @return legacy client TRANSACT, legacy server CLIENT_VERSION: client version. */
    public final long clientVersion()
    {
        return clientVersion;
    }

    /** @return legacy TRANSACT (both directions), STATE_REQUEST, STATE: server version. */
    public final long serverVersion()
    {
        return serverVersion;
    }

    /** @return legacy STATE_REQUEST, server TRANSACT, STATE: server version salt. */
    public final long serverVersionSalt()
    {
        return serverVersionSalt;
    }
}
