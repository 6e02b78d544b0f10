package dev.outpost.codec.message;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/** Test helper: writes a decoded message back through the field-wise encoders. */
final class Reencoder
{
    private Reencoder()
    {
    }

    static int client(final ClientMessageDecoder d, final ClientMessageEncoder e, final MutableDirectBuffer out)
    {
        final DirectBuffer b = d.buffer();
        e.flx(d.flx());
        switch (d.type())
        {
            case BIND:
                return e.bind(out, 0, d.sessionIdent(), b, d.bindDataOffset(), d.bindDataLength(), b, d.tokenOffset(),
                    d.tokenLength(), d.needClientFileIdent(), d.isSubserver());
            case IDENT:
                return e.ident(out, 0, d.sessionIdent(), d.clientFileIdent(), d.clientFileIdentSalt(),
                    d.downloadServerVersion(), d.downloadClientVersion(), d.latestServerVersion(),
                    d.latestServerVersionSalt(), d.queryVersion(), b, d.bodyOffset(), d.bodyLength());
            case QUERY:
                return e.query(out, 0, d.sessionIdent(), d.queryVersion(), b, d.bodyOffset(), d.bodyLength());
            case UPLOAD:
                return e.upload(out, 0, d.sessionIdent(), d.bodyCompressed(), d.uncompressedBodySize(),
                    d.progressClientVersion(), d.progressServerVersion(), d.lockedServerVersion(), b, d.bodyOffset(),
                    d.bodyLength());
            case MARK:
                return e.mark(out, 0, d.sessionIdent(), d.requestIdent());
            case UNBIND:
                return e.unbind(out, 0, d.sessionIdent());
            case PING:
                return e.ping(out, 0, d.timestamp(), d.rtt());
            case JSON_ERROR:
                return e.jsonError(out, 0, d.errorCode(), d.sessionIdent(), b, d.bodyOffset(), d.bodyLength());
            case TEST_COMMAND:
                return e.testCommand(out, 0, d.sessionIdent(), d.requestIdent(), b, d.bodyOffset(), d.bodyLength());
            case REFRESH:
                return e.refresh(out, 0, d.sessionIdent(), b, d.bodyOffset(), d.bodyLength());
            case TRANSACT:
                return e.transact(out, 0, d.sessionIdent(), d.clientVersion(), d.serverVersion(), b, d.bodyOffset(),
                    d.bodyLength());
            case STATE_REQUEST:
                return e.stateRequest(out, 0, d.sessionIdent(), d.serverVersion(), d.serverVersionSalt(),
                    d.fileOffset(), d.needRecent(), d.minFileFormatVersion(), d.maxFileFormatVersion(),
                    d.minHistorySchemaVersion(), d.maxHistorySchemaVersion());
            case CLIENT_VERSION_REQUEST:
                return e.clientVersionRequest(out, 0, d.sessionIdent(), d.clientFileIdent(), d.clientFileIdentSalt());
            case ALLOC:
                return e.alloc(out, 0, d.sessionIdent());
            default:
                throw new IllegalStateException(String.valueOf(d.type()));
        }
    }

    static int server(final ServerMessageDecoder d, final ServerMessageEncoder e, final MutableDirectBuffer out)
    {
        final DirectBuffer b = d.buffer();
        e.flx(d.flx()).protocolVersion(d.protocolVersion());
        switch (d.type())
        {
            case SERVER_IDENT:
                return e.ident(out, 0, d.sessionIdent(), d.clientFileIdent(), d.clientFileIdentSalt());
            case DOWNLOAD:
                return e.download(out, 0, d.sessionIdent(), d.downloadServerVersion(), d.downloadClientVersion(),
                    d.latestServerVersion(), d.latestServerVersionSalt(), d.uploadClientVersion(),
                    d.uploadServerVersion(), d.downloadableBytes(), d.queryVersion(), d.batchState(),
                    d.progressEstimate(), d.bodyCompressed(), d.uncompressedBodySize(), b, d.bodyOffset(),
                    d.bodyLength());
            case SERVER_MARK:
                return e.mark(out, 0, d.sessionIdent(), d.requestIdent());
            case UNBOUND:
                return e.unbound(out, 0, d.sessionIdent());
            case PONG:
                return e.pong(out, 0, d.timestamp());
            case ERROR:
                return e.error(out, 0, d.errorCode(), d.tryAgain(), d.sessionIdent(), b, d.bodyOffset(),
                    d.bodyLength());
            case SERVER_JSON_ERROR:
                return e.jsonError(out, 0, d.errorCode(), d.sessionIdent(), b, d.bodyOffset(), d.bodyLength());
            case QUERY_ERROR:
                return e.queryError(out, 0, d.errorCode(), d.sessionIdent(), d.queryVersion(), b, d.bodyOffset(),
                    d.bodyLength());
            case LOG_MESSAGE:
                return e.logMessage(out, 0, d.sessionIdent(), b, d.bodyOffset(), d.bodyLength());
            case SERVER_TEST_COMMAND:
                return e.testCommand(out, 0, d.sessionIdent(), d.requestIdent(), b, d.bodyOffset(), d.bodyLength());
            case SERVER_TRANSACT:
                return e.transact(out, 0, d.sessionIdent(), d.status(), d.serverVersion(), d.serverVersionSalt(),
                    d.originTimestamp(), d.originFileIdent(), b, d.bodyOffset(), d.bodyLength());
            case STATE:
                return e.state(out, 0, d.sessionIdent(), d.serverVersion(), d.serverVersionSalt(), d.beginOffset(),
                    d.endOffset(), d.maxOffset(), b, d.bodyOffset(), d.bodyLength());
            case CLIENT_VERSION:
                return e.clientVersion(out, 0, d.clientVersion());
            case SERVER_ALLOC:
                return e.alloc(out, 0, d.sessionIdent(), d.fileIdent());
            default:
                throw new IllegalStateException(String.valueOf(d.type()));
        }
    }

    /** @return true if the FLX progress text is the encoder's canonical form of the decoded value. */
    static boolean canonicalProgress(final ServerMessageDecoder d)
    {
        if (d.type() != MessageType.DOWNLOAD || !d.flx() || d.protocolVersion() < 12)
        {
            return true;
        }
        return HeadWriter.isCanonicalDecimal(d.buffer(), d.progressTextOffset(),
            d.progressTextOffset() + d.progressTextLength(), d.progressEstimate());
    }
}
