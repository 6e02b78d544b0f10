package dev.outpost.codec.message;

import org.agrona.DirectBuffer;

import dev.outpost.codec.CodecException;

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
public final class ClientMessageDecoder extends MessageDecoderBase
{
    /** Default limit on the declared uncompressed size of an UPLOAD body: 64 MiB. */
    public static final int DEFAULT_MAX_UNCOMPRESSED_BODY_SIZE = 64 * 1024 * 1024;

    private static final MessageType[] TYPES = {
        MessageType.BIND, MessageType.IDENT, MessageType.QUERY, MessageType.UPLOAD, MessageType.MARK,
        MessageType.UNBIND, MessageType.PING, MessageType.JSON_ERROR, MessageType.TEST_COMMAND,
        MessageType.REFRESH, MessageType.TRANSACT, MessageType.STATE_REQUEST, MessageType.CLIENT_VERSION_REQUEST,
        MessageType.ALLOC };

    private boolean needClientFileIdent;
    private boolean isSubserver;
    private long progressClientVersion;
    private long progressServerVersion;
    private long lockedServerVersion;
    private long rtt;
    private long fileOffset;
    private boolean needRecent;
    private long minFileFormatVersion;
    private long maxFileFormatVersion;
    private long minHistorySchemaVersion;
    private long maxHistorySchemaVersion;
    private int dataOffset;
    private int dataLength;
    private int tokenOffsetField;
    private int tokenLengthField;

    public ClientMessageDecoder()
    {
        super(DEFAULT_MAX_UNCOMPRESSED_BODY_SIZE);
    }

    /** @param flx true on a flexible-sync connection (IDENT then carries the query fields). */
    public ClientMessageDecoder flx(final boolean flx)
    {
        this.flx = flx;
        return this;
    }

    /** @param protocolVersion negotiated version, 2..14 (no client head depends on it today; kept per connection). */
    public ClientMessageDecoder protocolVersion(final int protocolVersion)
    {
        this.protocolVersion = checkProtocolVersion(protocolVersion);
        return this;
    }

    /** @param max largest declared UPLOAD uncompressed body size accepted; larger ones fail before allocating. */
    public ClientMessageDecoder maxUncompressedBodySize(final int max)
    {
        this.maxUncompressedBodySize = checkMaxBodySize(max);
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
        final MessageType t = begin(buffer, offset, length, TYPES);
        final HeadCursor c = cursor;
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
                    endFrame(querySize);
                }
                else
                {
                    latestServerVersionSalt = c.number(NL);
                    endFrame(0);
                }
                break;
            case QUERY:
            {
                sessionIdent = c.number(SP);
                queryVersion = c.number(SP);
                final int size = c.intNumber(NL);
                endFrame(size);
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
                changesetBody();
                break;
            case MARK:
                markHead();
                break;
            case UNBIND:
            case ALLOC:
                sessionHead();
                break;
            case PING:
                timestamp = c.number(SP);
                rtt = c.number(NL);
                endFrame(0);
                break;
            case JSON_ERROR:
                jsonErrorHead();
                break;
            case TEST_COMMAND:
                testCommandHead();
                break;
            case REFRESH:
                sessionBodyHead();
                break;
            case TRANSACT:
            {
                sessionIdent = c.number(SP);
                clientVersion = c.number(SP);
                serverVersion = c.number(SP);
                final int size = c.intNumber(NL);
                endFrame(size);
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
                endFrame(0);
                break;
            case CLIENT_VERSION_REQUEST:
                sessionIdent = c.number(SP);
                clientFileIdent = c.number(SP);
                clientFileIdentSalt = c.number(NL);
                endFrame(0);
                break;
            default:
                throw unknownMessage();
        }
        type = t;
        return this;
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

    /** @return PING previous round-trip time. */
    public long rtt()
    {
        return rtt;
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
