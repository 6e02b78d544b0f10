package dev.outpost.codec.message;

import org.agrona.DirectBuffer;

import dev.outpost.codec.CodecException;

import static dev.outpost.codec.message.HeadCursor.NL;
import static dev.outpost.codec.message.HeadCursor.SP;

/**
 * Flyweight decoder of messages the server sends to a client (used by Java test clients, the load generator and
 * tests of the encoders). Same grammar and rules as {@link ClientMessageDecoder}.
 * <p>
 * FLX DOWNLOAD's field after {@code batch_state} is read by the negotiated {@link #protocolVersion}: up to 11 an
 * integer ({@link #downloadableBytes()}), from 12 a decimal in [0, 1] ({@link #progressEstimate()}) accepted the way
 * realm's client reads it with {@code std::stod}: {@code 1}, {@code 1.0}, {@code 0.25}, {@code .5}, {@code 2.5e-1}.
 * After a {@link dev.outpost.codec.CodecException} {@link #type()} is null and the other fields are unspecified.
 * DOWNLOAD bodies declare at most 16 MiB uncompressed ({@link #MAX_DOWNLOAD_BODY_SIZE}).
 * Not thread-safe: owned by the thread reading the connection.
 */
public final class ServerMessageDecoder extends MessageDecoderBase
{
    /** Protocol limit on one DOWNLOAD body, uncompressed. */
    public static final int MAX_DOWNLOAD_BODY_SIZE = 16 * 1024 * 1024;

    private static final MessageType[] TYPES = {
        MessageType.DOWNLOAD, MessageType.SERVER_MARK, MessageType.PONG, MessageType.SERVER_IDENT,
        MessageType.UNBOUND, MessageType.ERROR, MessageType.SERVER_JSON_ERROR, MessageType.QUERY_ERROR,
        MessageType.LOG_MESSAGE, MessageType.SERVER_TEST_COMMAND, MessageType.SERVER_TRANSACT, MessageType.STATE,
        MessageType.CLIENT_VERSION, MessageType.SERVER_ALLOC };

    private long uploadClientVersion;
    private long uploadServerVersion;
    private long downloadableBytes;
    private int batchState;
    private double progressEstimate;
    private int progressTextOffset;
    private int progressTextLength;
    private boolean tryAgain;
    private int status;
    private long originTimestamp;
    private long originFileIdent;
    private long beginOffset;
    private long endOffset;
    private long maxOffset;
    private long fileIdent;

    public ServerMessageDecoder()
    {
        super(MAX_DOWNLOAD_BODY_SIZE);
    }

    /** @param flx true on a flexible-sync connection (DOWNLOAD then carries query_version etc.). */
    public ServerMessageDecoder flx(final boolean flx)
    {
        this.flx = flx;
        return this;
    }

    /** @param protocolVersion negotiated version, 2..14. */
    public ServerMessageDecoder protocolVersion(final int protocolVersion)
    {
        this.protocolVersion = checkProtocolVersion(protocolVersion);
        return this;
    }

    /** @param max largest declared DOWNLOAD uncompressed body size accepted (default and cap 16 MiB). */
    public ServerMessageDecoder maxUncompressedBodySize(final int max)
    {
        this.maxUncompressedBodySize = checkMaxBodySize(max);
        return this;
    }

    /**
     * Decodes one whole frame.
     *
     * @return this, with {@link #type()} and the fields of that type set.
     * @throws CodecException {@code UNKNOWN_MESSAGE} for an unknown first word, {@code BAD_SYNTAX} for any head or
     *                        size problem, {@code OTHER_ERROR} for a declared body size above the limit.
     */
    public ServerMessageDecoder wrap(final DirectBuffer buffer, final int offset, final int length)
        throws CodecException
    {
        final MessageType t = begin(buffer, offset, length, TYPES);
        final HeadCursor c = cursor;
        switch (t)
        {
            case DOWNLOAD:
                sessionIdent = c.number(SP);
                downloadServerVersion = c.number(SP);
                downloadClientVersion = c.number(SP);
                latestServerVersion = c.number(SP);
                latestServerVersionSalt = c.number(SP);
                uploadClientVersion = c.number(SP);
                uploadServerVersion = c.number(SP);
                if (flx)
                {
                    queryVersion = c.number(SP);
                    batchState = c.intNumber(SP);
                    if (batchState > 2)
                    {
                        throw c.error("batch state must be 0, 1 or 2");
                    }
                    if (protocolVersion >= 12)
                    {
                        progressEstimate = c.decimal(SP);
                        progressTextOffset = c.tokenStart();
                        progressTextLength = c.tokenEnd() - c.tokenStart();
                        if (!(progressEstimate >= 0.0 && progressEstimate <= 1.0))
                        {
                            throw c.error("progress estimate outside [0, 1]");
                        }
                        downloadableBytes = 0;
                    }
                    else
                    {
                        final int start = c.position();
                        downloadableBytes = c.number(SP);
                        progressTextOffset = start;
                        progressTextLength = c.position() - 1 - start;
                        progressEstimate = 0.0;
                    }
                }
                else
                {
                    downloadableBytes = c.number(SP);
                }
                bodyCompressed = c.bool(SP);
                uncompressedBodySize = c.number(SP);
                compressedBodySize = c.number(NL);
                endHead();
                changesetBody();
                break;
            case SERVER_MARK:
                markHead();
                break;
            case PONG:
                timestamp = c.number(NL);
                endFrame(0);
                break;
            case SERVER_IDENT:
                sessionIdent = c.number(SP);
                clientFileIdent = c.number(SP);
                clientFileIdentSalt = c.number(NL);
                endFrame(0);
                break;
            case UNBOUND:
                sessionHead();
                break;
            case ERROR:
            {
                errorCode = c.intNumber(SP);
                final int size = c.intNumber(SP);
                tryAgain = c.bool(SP);
                sessionIdent = c.number(NL);
                endFrame(size);
                break;
            }
            case SERVER_JSON_ERROR:
                jsonErrorHead();
                break;
            case QUERY_ERROR:
            {
                errorCode = c.intNumber(SP);
                final int size = c.intNumber(SP);
                sessionIdent = c.number(SP);
                queryVersion = c.number(NL);
                endFrame(size);
                break;
            }
            case LOG_MESSAGE:
                sessionBodyHead();
                break;
            case SERVER_TEST_COMMAND:
                testCommandHead();
                break;
            case SERVER_TRANSACT:
            {
                sessionIdent = c.number(SP);
                status = c.intNumber(SP);
                serverVersion = c.number(SP);
                serverVersionSalt = c.number(SP);
                originTimestamp = c.number(SP);
                originFileIdent = c.number(SP);
                final int size = c.intNumber(NL);
                endFrame(size);
                break;
            }
            case STATE:
            {
                sessionIdent = c.number(SP);
                serverVersion = c.number(SP);
                serverVersionSalt = c.number(SP);
                beginOffset = c.number(SP);
                endOffset = c.number(SP);
                maxOffset = c.number(SP);
                final int size = c.intNumber(NL);
                endFrame(size);
                break;
            }
            case CLIENT_VERSION:
                sessionIdent = 0; // doc/protocol.md's grammar carries no session ident
                clientVersion = c.number(NL);
                endFrame(0);
                break;
            case SERVER_ALLOC:
                sessionIdent = c.number(SP);
                fileIdent = c.number(NL);
                endFrame(0);
                break;
            default:
                throw unknownMessage();
        }
        type = t;
        return this;
    }

    /** @return DOWNLOAD upload cursor client version. */
    public long uploadClientVersion()
    {
        return uploadClientVersion;
    }

    /** @return DOWNLOAD upload cursor server version. */
    public long uploadServerVersion()
    {
        return uploadServerVersion;
    }

    /** @return PBS DOWNLOAD downloadable bytes; FLX DOWNLOAD's integer progress field for protocol 11 and below. */
    public long downloadableBytes()
    {
        return downloadableBytes;
    }

    /** @return FLX DOWNLOAD batch state: 0 MoreToCome, 1 LastInBatch, 2 SteadyState. */
    public int batchState()
    {
        return batchState;
    }

    /** @return FLX DOWNLOAD progress estimate in [0, 1] (protocol 12 and later; 0 before). */
    public double progressEstimate()
    {
        return progressEstimate;
    }

    /** @return FLX DOWNLOAD: offset of the progress field's text as received. */
    public int progressTextOffset()
    {
        return progressTextOffset;
    }

    /** @return FLX DOWNLOAD: length of the progress field's text as received. */
    public int progressTextLength()
    {
        return progressTextLength;
    }

    /** @return ERROR try_again. */
    public boolean tryAgain()
    {
        return tryAgain;
    }

    /** @return legacy TRANSACT status (1 accepted, 2 rejected, 3 unsupported). */
    public int status()
    {
        return status;
    }

    /** @return legacy TRANSACT origin timestamp. */
    public long originTimestamp()
    {
        return originTimestamp;
    }

    /** @return legacy TRANSACT origin file ident. */
    public long originFileIdent()
    {
        return originFileIdent;
    }

    /** @return legacy STATE begin offset. */
    public long beginOffset()
    {
        return beginOffset;
    }

    /** @return legacy STATE end offset. */
    public long endOffset()
    {
        return endOffset;
    }

    /** @return legacy STATE max offset. */
    public long maxOffset()
    {
        return maxOffset;
    }

    /** @return legacy ALLOC allocated file ident. */
    public long fileIdent()
    {
        return fileIdent;
    }
}
