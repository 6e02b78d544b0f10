package dev.outpost.codec.message;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import dev.outpost.codec.CodecException;

import static org.assertj.core.api.Assertions.assertThat;

/** Every message type: random valid fields, encode then decode gives the fields, decode then encode the bytes. */
class MessageRoundTripTest
{
    private final ExpandableArrayBuffer frame = new ExpandableArrayBuffer(64);
    private final ExpandableArrayBuffer again = new ExpandableArrayBuffer(64);
    private final ClientMessageEncoder clientEncoder = new ClientMessageEncoder();
    private final ServerMessageEncoder serverEncoder = new ServerMessageEncoder();
    private final ClientMessageDecoder clientDecoder = new ClientMessageDecoder();
    private final ServerMessageDecoder serverDecoder = new ServerMessageDecoder();

    private ClientMessageDecoder client(final int length) throws CodecException
    {
        clientDecoder.flx(clientEncoder.flx()).wrap(frame, 0, length);
        final int n = Reencoder.client(clientDecoder, new ClientMessageEncoder(), again);
        assertThat(Golden.copy(again, 0, n)).isEqualTo(Golden.copy(frame, 0, length));
        return clientDecoder;
    }

    private ServerMessageDecoder server(final int length) throws CodecException
    {
        serverDecoder.flx(serverEncoder.flx()).protocolVersion(serverEncoder.protocolVersion()).wrap(frame, 0, length);
        final int n = Reencoder.server(serverDecoder, new ServerMessageEncoder(), again);
        assertThat(Golden.copy(again, 0, n)).isEqualTo(Golden.copy(frame, 0, length));
        return serverDecoder;
    }

    private static void assertBody(final byte[] expected, final org.agrona.DirectBuffer b, final int off, final int len)
    {
        assertThat(Golden.copy(b, off, len)).isEqualTo(expected);
    }

    @Property
    void shouldRoundTripBind(
        @ForAll @LongRange(min = 0) final long sess, @ForAll @Size(max = 100) final byte[] data,
        @ForAll @Size(max = 50) final byte[] token, @ForAll final boolean need, @ForAll final boolean sub,
        @ForAll final boolean flx) throws CodecException
    {
        clientEncoder.flx(flx);
        final ClientMessageDecoder d = client(clientEncoder.bind(frame, 0, sess, new UnsafeBuffer(data), 0,
            data.length, new UnsafeBuffer(token), 0, token.length, need, sub));
        assertThat(d.type()).isEqualTo(MessageType.BIND);
        assertThat(d.sessionIdent()).isEqualTo(sess);
        assertBody(data, d.buffer(), d.bindDataOffset(), d.bindDataLength());
        assertBody(token, d.buffer(), d.tokenOffset(), d.tokenLength());
        assertThat(d.needClientFileIdent()).isEqualTo(need);
        assertThat(d.isSubserver()).isEqualTo(sub);
    }

    @Property
    void shouldRoundTripIdent(
        @ForAll @LongRange(min = 0) final long sess, @ForAll @LongRange(min = 0) final long fileIdent,
        @ForAll @LongRange(min = 0) final long salt, @ForAll @LongRange(min = 0) final long dlServer,
        @ForAll @LongRange(min = 0) final long dlClient, @ForAll @LongRange(min = 0) final long latest,
        @ForAll @LongRange(min = 0) final long latestSalt, @ForAll @LongRange(min = 0) final long queryVersion,
        @ForAll @Size(max = 100) final byte[] query, @ForAll final boolean flx) throws CodecException
    {
        clientEncoder.flx(flx);
        final ClientMessageDecoder d = client(clientEncoder.ident(frame, 0, sess, fileIdent, salt, dlServer, dlClient,
            latest, latestSalt, queryVersion, new UnsafeBuffer(query), 0, query.length));
        assertThat(d.type()).isEqualTo(MessageType.IDENT);
        assertThat(new long[] {d.sessionIdent(), d.clientFileIdent(), d.clientFileIdentSalt(),
            d.downloadServerVersion(), d.downloadClientVersion(), d.latestServerVersion(),
            d.latestServerVersionSalt()})
            .containsExactly(sess, fileIdent, salt, dlServer, dlClient, latest, latestSalt);
        if (flx)
        {
            assertThat(d.queryVersion()).isEqualTo(queryVersion);
            assertBody(query, d.buffer(), d.bodyOffset(), d.bodyLength());
        }
        else
        {
            assertThat(d.bodyLength()).isZero();
        }
    }

    @Property
    void shouldRoundTripQueryJsonErrorTestCommandRefreshTransact(
        @ForAll @LongRange(min = 0) final long sess, @ForAll @LongRange(min = 0) final long a,
        @ForAll @LongRange(min = 0) final long b, @ForAll @IntRange(min = 0) final int code,
        @ForAll @Size(max = 200) final byte[] body) throws CodecException
    {
        final UnsafeBuffer src = new UnsafeBuffer(body);
        ClientMessageDecoder d = client(clientEncoder.query(frame, 0, sess, a, src, 0, body.length));
        assertThat(d.type()).isEqualTo(MessageType.QUERY);
        assertThat(d.sessionIdent()).isEqualTo(sess);
        assertThat(d.queryVersion()).isEqualTo(a);
        assertBody(body, d.buffer(), d.bodyOffset(), d.bodyLength());

        d = client(clientEncoder.jsonError(frame, 0, code, sess, src, 0, body.length));
        assertThat(d.type()).isEqualTo(MessageType.JSON_ERROR);
        assertThat(d.errorCode()).isEqualTo(code);
        assertThat(d.sessionIdent()).isEqualTo(sess);
        assertBody(body, d.buffer(), d.bodyOffset(), d.bodyLength());

        d = client(clientEncoder.testCommand(frame, 0, sess, a, src, 0, body.length));
        assertThat(d.type()).isEqualTo(MessageType.TEST_COMMAND);
        assertThat(d.requestIdent()).isEqualTo(a);
        assertBody(body, d.buffer(), d.bodyOffset(), d.bodyLength());

        d = client(clientEncoder.refresh(frame, 0, sess, src, 0, body.length));
        assertThat(d.type()).isEqualTo(MessageType.REFRESH);
        assertThat(d.sessionIdent()).isEqualTo(sess);
        assertBody(body, d.buffer(), d.bodyOffset(), d.bodyLength());

        d = client(clientEncoder.transact(frame, 0, sess, a, b, src, 0, body.length));
        assertThat(d.type()).isEqualTo(MessageType.TRANSACT);
        assertThat(d.clientVersion()).isEqualTo(a);
        assertThat(d.serverVersion()).isEqualTo(b);
        assertBody(body, d.buffer(), d.bodyOffset(), d.bodyLength());
    }

    @Property
    void shouldRoundTripUpload(
        @ForAll @LongRange(min = 0) final long sess, @ForAll final boolean compressed,
        @ForAll @IntRange(min = 0, max = 64 * 1024 * 1024) final int declared,
        @ForAll @LongRange(min = 0) final long progressClient, @ForAll @LongRange(min = 0) final long progressServer,
        @ForAll @LongRange(min = 0) final long locked, @ForAll @Size(max = 300) final byte[] body)
        throws CodecException
    {
        final ClientMessageDecoder d = client(clientEncoder.upload(frame, 0, sess, compressed, declared,
            progressClient, progressServer, locked, new UnsafeBuffer(body), 0, body.length));
        assertThat(d.type()).isEqualTo(MessageType.UPLOAD);
        assertThat(d.sessionIdent()).isEqualTo(sess);
        assertThat(d.bodyCompressed()).isEqualTo(compressed);
        assertThat(d.uncompressedBodySize()).isEqualTo(compressed ? declared : body.length);
        assertThat(d.compressedBodySize()).isEqualTo(compressed ? body.length : 0);
        assertThat(d.progressClientVersion()).isEqualTo(progressClient);
        assertThat(d.progressServerVersion()).isEqualTo(progressServer);
        assertThat(d.lockedServerVersion()).isEqualTo(locked);
        assertBody(body, d.buffer(), d.bodyOffset(), d.bodyLength());
    }

    @Property
    void shouldRoundTripBodylessClientMessages(
        @ForAll @LongRange(min = 0) final long a, @ForAll @LongRange(min = 0) final long b,
        @ForAll @LongRange(min = 0) final long c, @ForAll @LongRange(min = 0) final long e,
        @ForAll final boolean flag) throws CodecException
    {
        ClientMessageDecoder d = client(clientEncoder.mark(frame, 0, a, b));
        assertThat(d.type()).isEqualTo(MessageType.MARK);
        assertThat(d.sessionIdent()).isEqualTo(a);
        assertThat(d.requestIdent()).isEqualTo(b);

        d = client(clientEncoder.unbind(frame, 0, a));
        assertThat(d.type()).isEqualTo(MessageType.UNBIND);
        assertThat(d.sessionIdent()).isEqualTo(a);

        d = client(clientEncoder.ping(frame, 0, a, b));
        assertThat(d.type()).isEqualTo(MessageType.PING);
        assertThat(d.timestamp()).isEqualTo(a);
        assertThat(d.rtt()).isEqualTo(b);

        d = client(clientEncoder.alloc(frame, 0, a));
        assertThat(d.type()).isEqualTo(MessageType.ALLOC);
        assertThat(d.sessionIdent()).isEqualTo(a);

        d = client(clientEncoder.clientVersionRequest(frame, 0, a, b, c));
        assertThat(d.type()).isEqualTo(MessageType.CLIENT_VERSION_REQUEST);
        assertThat(new long[] {d.sessionIdent(), d.clientFileIdent(), d.clientFileIdentSalt()})
            .containsExactly(a, b, c);

        d = client(clientEncoder.stateRequest(frame, 0, a, b, c, e, flag, c, b, a, e));
        assertThat(d.type()).isEqualTo(MessageType.STATE_REQUEST);
        assertThat(new long[] {d.sessionIdent(), d.serverVersion(), d.serverVersionSalt(), d.fileOffset(),
            d.minFileFormatVersion(), d.maxFileFormatVersion(), d.minHistorySchemaVersion(),
            d.maxHistorySchemaVersion()}).containsExactly(a, b, c, e, c, b, a, e);
        assertThat(d.needRecent()).isEqualTo(flag);
    }

    @Property
    void shouldRoundTripDownload(
        @ForAll @LongRange(min = 0) final long sess, @ForAll @LongRange(min = 0) final long dlServer,
        @ForAll @LongRange(min = 0) final long dlClient, @ForAll @LongRange(min = 0) final long latest,
        @ForAll @LongRange(min = 0) final long salt, @ForAll @LongRange(min = 0) final long upClient,
        @ForAll @LongRange(min = 0) final long upServer, @ForAll @LongRange(min = 0) final long downloadable,
        @ForAll @LongRange(min = 0) final long queryVersion, @ForAll @IntRange(min = 0, max = 2) final int batch,
        @ForAll @IntRange(min = 0, max = 1_000_000) final int progressMicros,
        @ForAll @IntRange(min = 2, max = 14) final int version, @ForAll final boolean flx,
        @ForAll final boolean compressed, @ForAll @IntRange(min = 0, max = 16 * 1024 * 1024) final int declared,
        @ForAll @Size(max = 300) final byte[] body) throws CodecException
    {
        final double progress = progressMicros / 1e6;
        serverEncoder.flx(flx).protocolVersion(version);
        final ServerMessageDecoder d = server(serverEncoder.download(frame, 0, sess, dlServer, dlClient, latest, salt,
            upClient, upServer, downloadable, queryVersion, batch, progress, compressed, declared,
            new UnsafeBuffer(body), 0, body.length));
        assertThat(d.type()).isEqualTo(MessageType.DOWNLOAD);
        assertThat(new long[] {d.sessionIdent(), d.downloadServerVersion(), d.downloadClientVersion(),
            d.latestServerVersion(), d.latestServerVersionSalt(), d.uploadClientVersion(), d.uploadServerVersion()})
            .containsExactly(sess, dlServer, dlClient, latest, salt, upClient, upServer);
        if (flx)
        {
            assertThat(d.queryVersion()).isEqualTo(queryVersion);
            assertThat(d.batchState()).isEqualTo(batch);
            if (version >= 12)
            {
                assertThat(d.progressEstimate()).isEqualTo(progress);
            }
            else
            {
                assertThat(d.downloadableBytes()).isEqualTo(downloadable);
            }
        }
        else
        {
            assertThat(d.downloadableBytes()).isEqualTo(downloadable);
        }
        assertThat(d.bodyCompressed()).isEqualTo(compressed);
        assertThat(d.uncompressedBodySize()).isEqualTo(compressed ? declared : body.length);
        assertBody(body, d.buffer(), d.bodyOffset(), d.bodyLength());
    }

    @Property
    void shouldFormatFlxProgressByNegotiatedVersion(
        @ForAll @IntRange(min = 2, max = 14) final int version,
        @ForAll @IntRange(min = 0, max = 1_000_000) final int progressMicros,
        @ForAll @LongRange(min = 0) final long downloadable) throws CodecException
    {
        serverEncoder.flx(true).protocolVersion(version);
        final ServerMessageDecoder d = server(serverEncoder.download(frame, 0, 1, 0, 0, 0, 0, 0, 0, downloadable, 0,
            2, progressMicros / 1e6, false, 0, null, 0, 0));
        final String text = Golden.string(frame, d.progressTextOffset(), d.progressTextLength());
        if (version <= 11)
        {
            assertThat(text).isEqualTo(Long.toString(downloadable));
        }
        else
        {
            assertThat(text).matches("(0\\.[0-9]{0,5}[1-9])|0\\.0|1\\.0");
            assertThat(Double.parseDouble(text)).isEqualTo(progressMicros / 1e6);
        }
    }

    @Property
    void shouldRoundTripServerMessagesWithBodies(
        @ForAll @LongRange(min = 0) final long sess, @ForAll @LongRange(min = 0) final long a,
        @ForAll @LongRange(min = 0) final long b, @ForAll @LongRange(min = 0) final long c,
        @ForAll @IntRange(min = 0) final int code, @ForAll final boolean tryAgain,
        @ForAll @Size(max = 200) final byte[] body) throws CodecException
    {
        final UnsafeBuffer src = new UnsafeBuffer(body);
        ServerMessageDecoder d = server(serverEncoder.error(frame, 0, code, tryAgain, sess, src, 0, body.length));
        assertThat(d.type()).isEqualTo(MessageType.ERROR);
        assertThat(d.errorCode()).isEqualTo(code);
        assertThat(d.tryAgain()).isEqualTo(tryAgain);
        assertThat(d.sessionIdent()).isEqualTo(sess);
        assertBody(body, d.buffer(), d.bodyOffset(), d.bodyLength());

        d = server(serverEncoder.jsonError(frame, 0, code, sess, src, 0, body.length));
        assertThat(d.type()).isEqualTo(MessageType.SERVER_JSON_ERROR);
        assertThat(d.errorCode()).isEqualTo(code);
        assertThat(d.sessionIdent()).isEqualTo(sess);
        assertBody(body, d.buffer(), d.bodyOffset(), d.bodyLength());

        d = server(serverEncoder.queryError(frame, 0, code, sess, a, src, 0, body.length));
        assertThat(d.type()).isEqualTo(MessageType.QUERY_ERROR);
        assertThat(d.errorCode()).isEqualTo(code);
        assertThat(d.queryVersion()).isEqualTo(a);
        assertBody(body, d.buffer(), d.bodyOffset(), d.bodyLength());

        d = server(serverEncoder.logMessage(frame, 0, sess, src, 0, body.length));
        assertThat(d.type()).isEqualTo(MessageType.LOG_MESSAGE);
        assertThat(d.sessionIdent()).isEqualTo(sess);
        assertBody(body, d.buffer(), d.bodyOffset(), d.bodyLength());

        d = server(serverEncoder.testCommand(frame, 0, sess, a, src, 0, body.length));
        assertThat(d.type()).isEqualTo(MessageType.SERVER_TEST_COMMAND);
        assertThat(d.requestIdent()).isEqualTo(a);
        assertBody(body, d.buffer(), d.bodyOffset(), d.bodyLength());

        d = server(serverEncoder.transact(frame, 0, sess, code, a, b, c, a, src, 0, body.length));
        assertThat(d.type()).isEqualTo(MessageType.SERVER_TRANSACT);
        assertThat(d.status()).isEqualTo(code);
        assertThat(new long[] {d.serverVersion(), d.serverVersionSalt(), d.originTimestamp(), d.originFileIdent()})
            .containsExactly(a, b, c, a);
        assertBody(body, d.buffer(), d.bodyOffset(), d.bodyLength());

        d = server(serverEncoder.state(frame, 0, sess, a, b, c, b, a, src, 0, body.length));
        assertThat(d.type()).isEqualTo(MessageType.STATE);
        assertThat(new long[] {d.serverVersion(), d.serverVersionSalt(), d.beginOffset(), d.endOffset(),
            d.maxOffset()}).containsExactly(a, b, c, b, a);
        assertBody(body, d.buffer(), d.bodyOffset(), d.bodyLength());
    }

    @Property
    void shouldRoundTripBodylessServerMessages(
        @ForAll @LongRange(min = 0) final long a, @ForAll @LongRange(min = 0) final long b,
        @ForAll @LongRange(min = 0) final long c) throws CodecException
    {
        ServerMessageDecoder d = server(serverEncoder.ident(frame, 0, a, b, c));
        assertThat(d.type()).isEqualTo(MessageType.SERVER_IDENT);
        assertThat(new long[] {d.sessionIdent(), d.clientFileIdent(), d.clientFileIdentSalt()})
            .containsExactly(a, b, c);

        d = server(serverEncoder.mark(frame, 0, a, b));
        assertThat(d.type()).isEqualTo(MessageType.SERVER_MARK);
        assertThat(d.requestIdent()).isEqualTo(b);

        d = server(serverEncoder.unbound(frame, 0, a));
        assertThat(d.type()).isEqualTo(MessageType.UNBOUND);
        assertThat(d.sessionIdent()).isEqualTo(a);

        d = server(serverEncoder.pong(frame, 0, c));
        assertThat(d.type()).isEqualTo(MessageType.PONG);
        assertThat(d.timestamp()).isEqualTo(c);

        d = server(serverEncoder.clientVersion(frame, 0, b));
        assertThat(d.type()).isEqualTo(MessageType.CLIENT_VERSION);
        assertThat(d.clientVersion()).isEqualTo(b);

        d = server(serverEncoder.alloc(frame, 0, a, c));
        assertThat(d.type()).isEqualTo(MessageType.SERVER_ALLOC);
        assertThat(d.fileIdent()).isEqualTo(c);
    }

    @Property
    void shouldRoundTripEntryLists(
        @ForAll @Size(max = 8) final java.util.List<@Size(max = 40) byte[]> changesets,
        @ForAll @LongRange(min = 0) final long v, @ForAll @LongRange(min = 0) final long ts) throws CodecException
    {
        int up = 0;
        int down = 0;
        final ExpandableArrayBuffer downBody = new ExpandableArrayBuffer(16);
        for (int k = 0; k < changesets.size(); k++)
        {
            final UnsafeBuffer cs = new UnsafeBuffer(changesets.get(k));
            up += EntryEncoder.uploadEntry(frame, up, v - k > 0 ? v - k : k, k, ts, 0, cs, 0, cs.capacity());
            down += EntryEncoder.downloadEntry(downBody, down, k + 1, v, ts, k + 2, cs.capacity() + k, cs, 0,
                cs.capacity());
        }
        final UploadEntryIterator ui = new UploadEntryIterator().wrap(frame, 0, up);
        final DownloadEntryIterator di = new DownloadEntryIterator().wrap(downBody, 0, down);
        for (int k = 0; k < changesets.size(); k++)
        {
            assertThat(ui.next()).isTrue();
            assertThat(ui.clientVersion()).isEqualTo(v - k > 0 ? v - k : k);
            assertThat(ui.serverVersion()).isEqualTo(k);
            assertThat(ui.originTimestamp()).isEqualTo(ts);
            assertBody(changesets.get(k), ui.buffer(), ui.changesetOffset(), ui.changesetLength());
            assertThat(di.next()).isTrue();
            assertThat(di.serverVersion()).isEqualTo(k + 1);
            assertThat(di.clientVersion()).isEqualTo(v);
            assertThat(di.originFileIdent()).isEqualTo(k + 2);
            assertThat(di.originalChangesetSize()).isEqualTo(changesets.get(k).length + k);
            assertBody(changesets.get(k), di.buffer(), di.changesetOffset(), di.changesetLength());
        }
        assertThat(ui.next()).isFalse();
        assertThat(di.next()).isFalse();
    }
}
