package dev.outpost.codec.message;

import org.agrona.DirectBuffer;

import dev.outpost.codec.CodecException;
import dev.outpost.codec.ProtocolErrorCode;

import static dev.outpost.codec.message.HeadCursor.NL;
import static dev.outpost.codec.message.HeadCursor.SP;

/**
 * Flyweight decoder of messages a client sends to the server (the server's inbound side).
 * <p>
 * {@link #wrap} identifies the type and parses every head field into primitive fields; bodies stay in the wrapped
 * buffer and are exposed as offset and length. Nothing is allocated on success. Accessors are meaningful only for
 * the current {@link #type()} (see each accessor); others return whatever the last message that had them held.
 * <pre>
 *   frame = head body
 *   head  = word *(' ' decimal) '\n'        decimal: [0-9]+, no sign, no leading zero, below 2^63
 *   body  = exactly the declared size(s); no byte may follow
 * </pre>
 * After a {@link dev.outpost.codec.CodecException} {@link #type()} is null and the other fields are unspecified.
 * Configuration ({@link #flx}, {@link #protocolVersion}, {@link #maxUncompressedBodySize}) is per connection.
 * Not thread-safe: owned by the event loop that reads the connection.
 */
public final class ClientMessageDecoder
{
    /** Default limit on the declared uncompressed size of an UPLOAD body: 64 MiB. */
    public static final int DEFAULT_MAX_UNCOMPRESSED_BODY_SIZE = 64 * 1024 * 1024;

    private static final MessageType[] TYPES = {
        MessageType.BIND, MessageType.IDENT, MessageType.QUERY, MessageType.UPLOAD, MessageType.MARK,
        MessageType.UNBIND, MessageType.PING, MessageType.JSON_ERROR, MessageType.TEST_COMMAND,
        MessageType.REFRESH, MessageType.TRANSACT, MessageType.STATE_REQUEST, MessageType.CLIENT_VERSION_REQUEST,
        MessageType.ALLOC };

    private final HeadCursor cursor = new HeadCursor();

    private boolean flx;
    private int protocolVersion = 14;
    private int maxUncompressedBodySize = DEFAULT_MAX_UNCOMPRESSED_BODY_SIZE;

    private DirectBuffer buffer;
    private int offset;
    private int length;
    private MessageType type;

    private long sessionIdent;
    private long requestIdent;
    private long clientFileIdent;
    private long clientFileIdentSalt;
    private long downloadServerVersion;
    private long downloadClientVersion;
    private long latestServerVersion;
    private long latestServerVersionSalt;
    private long queryVersion;
    private boolean needClientFileIdent;
    private boolean isSubserver;
    private boolean bodyCompressed;
    private long uncompressedBodySize;
    private long compressedBodySize;
    private long progressClientVersion;
    private long progressServerVersion;
    private long lockedServerVersion;
    private long timestamp;
    private long rtt;
    private int errorCode;
    private long clientVersion;
    private long serverVersion;
    private long serverVersionSalt;
    private long fileOffset;
    private boolean needRecent;
    private long minFileFormatVersion;
    private long maxFileFormatVersion;
    private long minHistorySchemaVersion;
    private long maxHistorySchemaVersion;
    private int headLength;
    private int dataOffset;
    private int dataLength;
    private int tokenOffsetField;
    private int tokenLengthField;
    private int bodyOffset;
    private int bodyLength;

    /** @param flx true on a flexible-sync connection (IDENT then carries the query fields). */
    public ClientMessageDecoder flx(final boolean flx)
    {
        this.flx = flx;
        return this;
    }

    public boolean flx()
    {
        return flx;
    }

    /** @param protocolVersion negotiated version, 2..14 (no client head depends on it today; kept per connection). */
    public ClientMessageDecoder protocolVersion(final int protocolVersion)
    {
        if (protocolVersion < 2 || protocolVersion > 14)
        {
            throw new IllegalArgumentException("protocol version " + protocolVersion);
        }
        this.protocolVersion = protocolVersion;
        return this;
    }

    public int protocolVersion()
    {
        return protocolVersion;
    }

    /** @param max largest declared UPLOAD uncompressed body size accepted; larger ones fail before allocating. */
    public ClientMessageDecoder maxUncompressedBodySize(final int max)
    {
        if (max < 0)
        {
            throw new IllegalArgumentException("max " + max);
        }
        this.maxUncompressedBodySize = max;
        return this;
    }

    public int maxUncompressedBodySize()
    {
        return maxUncompressedBodySize;
    }

    /**
     * Decodes one whole frame.
     *
     * @return this, with {@link #type()} and the fields of that type set.
     * @throws CodecException {@code UNKNOWN_MESSAGE} for an unknown first word, {@code BAD_SYNTAX} for any head or
     *                        size problem, {@code OTHER_ERROR} for a declared body size above the limit.
     */
    public ClientMessageDecoder wrap(final DirectBuffer buffer, final int offset, final int length)
        throws CodecException
    {
        this.buffer = buffer;
        this.offset = offset;
        this.length = length;
        this.type = null;
        final HeadCursor c = cursor;
        c.wrap(buffer, offset, offset + length, ProtocolErrorCode.BAD_SYNTAX);
        final MessageType t = MessageWords.identify(buffer, offset, length, TYPES);
        c.position(offset + t.wireBytes().length + 1);
        switch (t)
        {
            case BIND:
            {
                sessionIdent = c.number(SP);
                final int dataSize = c.intNumber(SP);
                final int tokenSize = c.intNumber(SP);
                needClientFileIdent = c.bool(SP);
                isSubserver = c.bool(NL);
                endHead();
                exactBody((long)dataSize + tokenSize);
                dataOffset = bodyOffset;
                dataLength = dataSize;
                tokenOffsetField = bodyOffset + dataSize;
                tokenLengthField = tokenSize;
                break;
            }
            case IDENT:
                sessionIdent = c.number(SP);
                clientFileIdent = c.number(SP);
                clientFileIdentSalt = c.number(SP);
                downloadServerVersion = c.number(SP);
                downloadClientVersion = c.number(SP);
                latestServerVersion = c.number(SP);
                if (flx)
                {
                    latestServerVersionSalt = c.number(SP);
                    queryVersion = c.number(SP);
                    final int querySize = c.intNumber(NL);
                    endHead();
                    exactBody(querySize);
                }
                else
                {
                    latestServerVersionSalt = c.number(NL);
                    endHead();
                    exactBody(0);
                }
                break;
            case QUERY:
            {
                sessionIdent = c.number(SP);
                queryVersion = c.number(SP);
                final int size = c.intNumber(NL);
                endHead();
                exactBody(size);
                break;
            }
            case UPLOAD:
                sessionIdent = c.number(SP);
                bodyCompressed = c.bool(SP);
                uncompressedBodySize = c.number(SP);
                compressedBodySize = c.number(SP);
                progressClientVersion = c.number(SP);
                progressServerVersion = c.number(SP);
                lockedServerVersion = c.number(NL);
                endHead();
                changesetBody(bodyCompressed, uncompressedBodySize, compressedBodySize, maxUncompressedBodySize);
                break;
            case MARK:
                sessionIdent = c.number(SP);
                requestIdent = c.number(NL);
                endHead();
                exactBody(0);
                break;
            case UNBIND:
            case ALLOC:
                sessionIdent = c.number(NL);
                endHead();
                exactBody(0);
                break;
            case PING:
                timestamp = c.number(SP);
                rtt = c.number(NL);
                endHead();
                exactBody(0);
                break;
            case JSON_ERROR:
            {
                errorCode = c.intNumber(SP);
                final int size = c.intNumber(SP);
                sessionIdent = c.number(NL);
                endHead();
                exactBody(size);
                break;
            }
            case TEST_COMMAND:
            {
                sessionIdent = c.number(SP);
                requestIdent = c.number(SP);
                final int size = c.intNumber(NL);
                endHead();
                exactBody(size);
                break;
            }
            case REFRESH:
            {
                sessionIdent = c.number(SP);
                final int size = c.intNumber(NL);
                endHead();
                exactBody(size);
                break;
            }
            case TRANSACT:
            {
                sessionIdent = c.number(SP);
                clientVersion = c.number(SP);
                serverVersion = c.number(SP);
                final int size = c.intNumber(NL);
                endHead();
                exactBody(size);
                break;
            }
            case STATE_REQUEST:
                sessionIdent = c.number(SP);
                serverVersion = c.number(SP);
                serverVersionSalt = c.number(SP);
                fileOffset = c.number(SP);
                needRecent = c.bool(SP);
                minFileFormatVersion = c.number(SP);
                maxFileFormatVersion = c.number(SP);
                minHistorySchemaVersion = c.number(SP);
                maxHistorySchemaVersion = c.number(NL);
                endHead();
                exactBody(0);
                break;
            case CLIENT_VERSION_REQUEST:
                sessionIdent = c.number(SP);
                clientFileIdent = c.number(SP);
                clientFileIdentSalt = c.number(NL);
                endHead();
                exactBody(0);
                break;
            default:
                throw new CodecException(ProtocolErrorCode.UNKNOWN_MESSAGE, "unknown message type");
        }
        type = t;
        return this;
    }

    private void endHead()
    {
        headLength = cursor.position() - offset;
        bodyOffset = cursor.position();
    }

    private void exactBody(final long size) throws CodecException
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

    private void changesetBody(
        final boolean compressed, final long uncompressedSize, final long compressedSize, final int maxUncompressed)
        throws CodecException
    {
        if (uncompressedSize > maxUncompressed)
        {
            throw new CodecException(ProtocolErrorCode.OTHER_ERROR, "declared uncompressed body size over the limit");
        }
        if (compressed)
        {
            exactBody(compressedSize);
        }
        else
        {
            if (compressedSize != 0)
            {
                throw new CodecException(ProtocolErrorCode.BAD_SYNTAX, "compressed size must be 0 when uncompressed");
            }
            exactBody(uncompressedSize);
        }
    }

    /** @return the buffer last wrapped. */
    public DirectBuffer buffer()
    {
        return buffer;
    }

    /** @return offset of the frame in {@link #buffer()}. */
    public int offset()
    {
        return offset;
    }

    /** @return length of the whole frame. */
    public int length()
    {
        return length;
    }

    /** @return the decoded type, or null before a successful wrap. */
    public MessageType type()
    {
        return type;
    }

    /** @return head length including its {@code '\n'}. */
    public int headLength()
    {
        return headLength;
    }

    /** @return start of the body in {@link #buffer()} (all body bytes: BIND path+token, compressed UPLOAD...). */
    public int bodyOffset()
    {
        return bodyOffset;
    }

    /** @return body length (0 for messages without a body). */
    public int bodyLength()
    {
        return bodyLength;
    }

    /** @return session ident: all types except PING. */
    public long sessionIdent()
    {
        return sessionIdent;
    }

    /** @return MARK, TEST_COMMAND request ident. */
    public long requestIdent()
    {
        return requestIdent;
    }

    /** @return IDENT, CLIENT_VERSION_REQUEST client file ident. */
    public long clientFileIdent()
    {
        return clientFileIdent;
    }

    /** @return IDENT, CLIENT_VERSION_REQUEST client file ident salt. */
    public long clientFileIdentSalt()
    {
        return clientFileIdentSalt;
    }

    /** @return IDENT download cursor server version. */
    public long downloadServerVersion()
    {
        return downloadServerVersion;
    }

    /** @return IDENT download cursor client version. */
    public long downloadClientVersion()
    {
        return downloadClientVersion;
    }

    /** @return IDENT latest server version. */
    public long latestServerVersion()
    {
        return latestServerVersion;
    }

    /** @return IDENT latest server version salt. */
    public long latestServerVersionSalt()
    {
        return latestServerVersionSalt;
    }

    /** @return FLX IDENT, QUERY query version. */
    public long queryVersion()
    {
        return queryVersion;
    }

    /** @return BIND: the client has no file ident yet. */
    public boolean needClientFileIdent()
    {
        return needClientFileIdent;
    }

    /** @return BIND is_subserver. */
    public boolean isSubserver()
    {
        return isSubserver;
    }

    /** @return BIND: offset of the PBS path or FLX JSON. */
    public int bindDataOffset()
    {
        return dataOffset;
    }

    /** @return BIND: length of the PBS path or FLX JSON. */
    public int bindDataLength()
    {
        return dataLength;
    }

    /** @return BIND: offset of the signed user token. */
    public int tokenOffset()
    {
        return tokenOffsetField;
    }

    /** @return BIND: token length (0 in current clients). */
    public int tokenLength()
    {
        return tokenLengthField;
    }

    /** @return UPLOAD is_body_compressed. */
    public boolean bodyCompressed()
    {
        return bodyCompressed;
    }

    /** @return UPLOAD declared uncompressed body size (equals {@link #bodyLength()} if not compressed). */
    public long uncompressedBodySize()
    {
        return uncompressedBodySize;
    }

    /** @return UPLOAD declared compressed size (0 if not compressed). */
    public long compressedBodySize()
    {
        return compressedBodySize;
    }

    /** @return UPLOAD progress client version. */
    public long progressClientVersion()
    {
        return progressClientVersion;
    }

    /** @return UPLOAD progress server version. */
    public long progressServerVersion()
    {
        return progressServerVersion;
    }

    /** @return UPLOAD locked server version. */
    public long lockedServerVersion()
    {
        return lockedServerVersion;
    }

    /** @return PING timestamp (client monotonic ms). */
    public long timestamp()
    {
        return timestamp;
    }

    /** @return PING previous round-trip time. */
    public long rtt()
    {
        return rtt;
    }

    /** @return JSON_ERROR error code. */
    public int errorCode()
    {
        return errorCode;
    }

    /** @return TRANSACT client version. */
    public long clientVersion()
    {
        return clientVersion;
    }

    /** @return TRANSACT server version; STATE_REQUEST partial transfer server version. */
    public long serverVersion()
    {
        return serverVersion;
    }

    /** @return STATE_REQUEST partial transfer server version salt. */
    public long serverVersionSalt()
    {
        return serverVersionSalt;
    }

    /** @return STATE_REQUEST offset. */
    public long fileOffset()
    {
        return fileOffset;
    }

    /** @return STATE_REQUEST need_recent. */
    public boolean needRecent()
    {
        return needRecent;
    }

    /** @return STATE_REQUEST min file format version. */
    public long minFileFormatVersion()
    {
        return minFileFormatVersion;
    }

    /** @return STATE_REQUEST max file format version. */
    public long maxFileFormatVersion()
    {
        return maxFileFormatVersion;
    }

    /** @return STATE_REQUEST min history schema version. */
    public long minHistorySchemaVersion()
    {
        return minHistorySchemaVersion;
    }

    /** @return STATE_REQUEST max history schema version. */
    public long maxHistorySchemaVersion()
    {
        return maxHistorySchemaVersion;
    }
}
