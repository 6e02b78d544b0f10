package dev.outpost.codec.message;

import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import dev.outpost.codec.CodecException;

import static dev.outpost.codec.message.Golden.buffer;
import static dev.outpost.codec.message.Golden.bytes;
import static dev.outpost.codec.message.Golden.copy;
import static dev.outpost.codec.message.Golden.string;
import static org.assertj.core.api.Assertions.assertThat;

class GoldenVectorTest
{
    private final ClientMessageDecoder clientDecoder = new ClientMessageDecoder();
    private final ServerMessageDecoder serverDecoder = new ServerMessageDecoder();
    private final ClientMessageEncoder clientEncoder = new ClientMessageEncoder();
    private final ServerMessageEncoder serverEncoder = new ServerMessageEncoder();
    private final ExpandableArrayBuffer out = new ExpandableArrayBuffer(16);

    @Test
    void shouldDecodeCapturedPbsUploadFrameFieldByField() throws CodecException
    {
        final byte[] frame = bytes("pbs-upload-two-changesets.bin");
        assertThat(frame).hasSize(165);
        final UnsafeBuffer buf = new UnsafeBuffer(frame);

        final ClientMessageDecoder d = clientDecoder.wrap(buf, 0, frame.length);

        assertThat(d.type()).isEqualTo(MessageType.UPLOAD);
        assertThat(d.sessionIdent()).isEqualTo(1);
        assertThat(d.bodyCompressed()).isFalse();
        assertThat(d.uncompressedBodySize()).isEqualTo(142);
        assertThat(d.compressedBodySize()).isZero();
        assertThat(d.progressClientVersion()).isEqualTo(5);
        assertThat(d.progressServerVersion()).isZero();
        assertThat(d.lockedServerVersion()).isZero();
        assertThat(d.headLength()).isEqualTo(23);
        assertThat(d.bodyOffset()).isEqualTo(23);
        assertThat(d.bodyLength()).isEqualTo(142);

        final UploadEntryIterator it = new UploadEntryIterator().wrap(buf, d.bodyOffset(), d.bodyLength());
        assertThat(it.next()).isTrue();
        assertThat(it.clientVersion()).isEqualTo(2);
        assertThat(it.serverVersion()).isZero();
        assertThat(it.originTimestamp()).isEqualTo(375283636945L);
        assertThat(it.originFileIdent()).isZero();
        assertThat(it.changesetLength()).isEqualTo(35);
        assertThat(it.changesetOffset()).isEqualTo(23 + "2 0 375283636945 0 35 ".length());
        assertThat(string(buf, it.changesetOffset() + 3, 4)).isEqualTo("Item");

        assertThat(it.next()).isTrue();
        assertThat(it.clientVersion()).isEqualTo(3);
        assertThat(it.serverVersion()).isZero();
        assertThat(it.originTimestamp()).isEqualTo(375283637004L);
        assertThat(it.originFileIdent()).isZero();
        assertThat(it.changesetLength()).isEqualTo(63);
        assertThat(it.changesetOffset() + it.changesetLength()).isEqualTo(165);
        assertThat(string(buf, 165 - 15, 14)).isEqualTo("hello-from-pbs");
        assertThat(it.next()).isFalse();

        // Re-encode: entries then head, byte for byte.
        final ExpandableArrayBuffer body = new ExpandableArrayBuffer(64);
        int n = EntryEncoder.uploadEntry(body, 0, 2, 0, 375283636945L, 0, buf, 23 + 22, 35);
        n += EntryEncoder.uploadEntry(body, n, 3, 0, 375283637004L, 0, buf, 165 - 63, 63);
        assertThat(n).isEqualTo(142);
        final int len = clientEncoder.upload(out, 0, 1, false, 0, 5, 0, 0, body, 0, n);
        assertThat(copy(out, 0, len)).isEqualTo(frame);
    }

    @Test
    void shouldDecodeFromDirectMemoryAtAnOffset() throws CodecException
    {
        final byte[] frame = bytes("pbs-upload-two-changesets.bin");
        final java.nio.ByteBuffer direct = java.nio.ByteBuffer.allocateDirect(frame.length + 100);
        final UnsafeBuffer buf = new UnsafeBuffer(direct);
        buf.putBytes(37, frame);
        final ClientMessageDecoder d = clientDecoder.wrap(buf, 37, frame.length);
        assertThat(d.type()).isEqualTo(MessageType.UPLOAD);
        assertThat(d.bodyOffset()).isEqualTo(37 + 23);
        final UploadEntryIterator it = new UploadEntryIterator().wrap(buf, d.bodyOffset(), d.bodyLength());
        int count = 0;
        while (it.next())
        {
            count++;
        }
        assertThat(count).isEqualTo(2);
        assertThat(it.changesetOffset() + it.changesetLength()).isEqualTo(37 + 165);
        final org.agrona.ExpandableDirectByteBuffer directOut = new org.agrona.ExpandableDirectByteBuffer(8);
        final int len = Reencoder.client(d, clientEncoder, directOut);
        assertThat(copy(directOut, 0, len)).isEqualTo(frame);
    }

    @Test
    void shouldDecodeCapturedBindFrames() throws CodecException
    {
        ClientMessageDecoder d = clientDecoder.wrap(buffer("pbs-bind.bin"), 0, bytes("pbs-bind.bin").length);
        assertThat(d.type()).isEqualTo(MessageType.BIND);
        assertThat(d.sessionIdent()).isEqualTo(1);
        assertThat(d.bindDataLength()).isEqualTo(17);
        assertThat(string(d.buffer(), d.bindDataOffset(), d.bindDataLength())).isEqualTo("\"probe-partition\"");
        assertThat(d.tokenLength()).isZero();
        assertThat(d.needClientFileIdent()).isTrue();
        assertThat(d.isSubserver()).isFalse();
        assertReencodesBind(d, "pbs-bind.bin");

        d = clientDecoder.flx(true).wrap(buffer("flx-bind.bin"), 0, bytes("flx-bind.bin").length);
        assertThat(d.sessionIdent()).isEqualTo(2);
        assertThat(string(d.buffer(), d.bindDataOffset(), d.bindDataLength()))
            .isEqualTo("{\"schemaVersion\":0,\"sessionReason\":0}");
        assertReencodesBind(d, "flx-bind.bin");
    }

    private void assertReencodesBind(final ClientMessageDecoder d, final String name)
    {
        final int len = clientEncoder.bind(out, 0, d.sessionIdent(), d.buffer(), d.bindDataOffset(),
            d.bindDataLength(), d.buffer(), d.tokenOffset(), d.tokenLength(), d.needClientFileIdent(),
            d.isSubserver());
        assertThat(copy(out, 0, len)).isEqualTo(bytes(name));
    }

    @Test
    void shouldDecodeCapturedFlxIdentQueryAndPing() throws CodecException
    {
        clientDecoder.flx(true);
        clientEncoder.flx(true);
        ClientMessageDecoder d = clientDecoder.wrap(buffer("flx-ident.bin"), 0, bytes("flx-ident.bin").length);
        assertThat(d.type()).isEqualTo(MessageType.IDENT);
        assertThat(d.sessionIdent()).isEqualTo(2);
        assertThat(d.clientFileIdent()).isEqualTo(3);
        assertThat(d.clientFileIdentSalt()).isEqualTo(5862301449713302016L);
        assertThat(d.downloadServerVersion()).isZero();
        assertThat(d.latestServerVersionSalt()).isZero();
        assertThat(d.queryVersion()).isZero();
        assertThat(string(d.buffer(), d.bodyOffset(), d.bodyLength())).isEqualTo("{}");
        int len = clientEncoder.ident(out, 0, 2, 3, 5862301449713302016L, 0, 0, 0, 0, 0, d.buffer(),
            d.bodyOffset(), d.bodyLength());
        assertThat(copy(out, 0, len)).isEqualTo(bytes("flx-ident.bin"));

        d = clientDecoder.wrap(buffer("flx-query.bin"), 0, bytes("flx-query.bin").length);
        assertThat(d.type()).isEqualTo(MessageType.QUERY);
        assertThat(d.sessionIdent()).isEqualTo(2);
        assertThat(d.queryVersion()).isEqualTo(1);
        assertThat(string(d.buffer(), d.bodyOffset(), d.bodyLength())).isEqualTo("{\"Item\":\"(TRUEPREDICATE )\"}");
        len = clientEncoder.query(out, 0, 2, 1, d.buffer(), d.bodyOffset(), d.bodyLength());
        assertThat(copy(out, 0, len)).isEqualTo(bytes("flx-query.bin"));

        d = clientDecoder.wrap(buffer("ping.bin"), 0, bytes("ping.bin").length);
        assertThat(d.type()).isEqualTo(MessageType.PING);
        assertThat(d.timestamp()).isEqualTo(3600123);
        assertThat(d.rtt()).isZero();
        len = clientEncoder.ping(out, 0, 3600123, 0);
        assertThat(copy(out, 0, len)).isEqualTo(bytes("ping.bin"));
    }

    @Test
    void shouldReproduceSection75PbsExchange() throws CodecException
    {
        ClientMessageDecoder c = decodeClient("s75-c-bind.bin");
        assertThat(string(c.buffer(), c.bindDataOffset(), c.bindDataLength())).isEqualTo("\"myPartition\"");

        expect(serverEncoder.ident(out, 0, 1, 2, 5862301449713302016L), "s75-s-ident.bin");
        ServerMessageDecoder s = decodeServer("s75-s-ident.bin");
        assertThat(s.clientFileIdent()).isEqualTo(2);
        assertThat(s.clientFileIdentSalt()).isEqualTo(5862301449713302016L);

        c = decodeClient("s75-c-ident.bin");
        assertThat(c.type()).isEqualTo(MessageType.IDENT);
        assertThat(c.clientFileIdentSalt()).isEqualTo(5862301449713302016L);
        expect(clientEncoder.ident(out, 0, 1, 2, 5862301449713302016L, 0, 0, 0, 0, 0, null, 0, 0), "s75-c-ident.bin");

        c = decodeClient("s75-c-mark.bin");
        assertThat(c.requestIdent()).isEqualTo(1);

        expect(serverDownloadPbs(0, 0, 0, 0, 0, 0, 0, null, 0, 0), "s75-s-download-empty.bin");
        expect(serverEncoder.mark(out, 0, 1, 1), "s75-s-mark.bin");

        c = decodeClient("s75-c-upload.bin");
        final UploadEntryIterator up = new UploadEntryIterator().wrap(c.buffer(), c.bodyOffset(), c.bodyLength());
        assertThat(up.next()).isTrue();
        assertThat(up.clientVersion()).isEqualTo(5);
        assertThat(up.originTimestamp()).isEqualTo(356789012345L);
        assertThat(up.changesetLength()).isEqualTo(102);
        assertThat(up.next()).isFalse();

        expect(serverDownloadPbs(1, 5, 1, 777, 5, 0, 0, null, 0, 0), "s75-s-download-ack.bin");

        final ExpandableArrayBuffer body = new ExpandableArrayBuffer(128);
        final int bodyLen = EntryEncoder.downloadEntry(body, 0, 1, 0, 356789012345L, 2, 102,
            up.buffer(), up.changesetOffset(), up.changesetLength());
        assertThat(bodyLen).isEqualTo(129);
        expect(serverDownloadPbs(1, 0, 1, 777, 0, 0, 0, body, 0, bodyLen), "s75-s-download-b.bin");

        s = decodeServer("s75-s-download-b.bin");
        assertThat(s.downloadServerVersion()).isEqualTo(1);
        assertThat(s.latestServerVersionSalt()).isEqualTo(777);
        assertThat(s.uncompressedBodySize()).isEqualTo(129);
        final DownloadEntryIterator down = new DownloadEntryIterator().wrap(s.buffer(), s.bodyOffset(), s.bodyLength());
        assertThat(down.next()).isTrue();
        assertThat(down.serverVersion()).isEqualTo(1);
        assertThat(down.clientVersion()).isZero();
        assertThat(down.originFileIdent()).isEqualTo(2);
        assertThat(down.originalChangesetSize()).isEqualTo(102);
        assertThat(down.changesetLength()).isEqualTo(102);
        assertThat(down.next()).isFalse();
    }

    private int serverDownloadPbs(
        final long dlServer, final long dlClient, final long latest, final long salt, final long upClient,
        final long upServer, final long downloadable, final org.agrona.DirectBuffer body, final int off, final int len)
    {
        return serverEncoder.download(out, 0, 1, dlServer, dlClient, latest, salt, upClient, upServer, downloadable,
            0, 0, 0.0, false, 0, body, off, len);
    }

    @Test
    void shouldReproduceSection76FlxExchange() throws CodecException
    {
        clientDecoder.flx(true);
        serverDecoder.flx(true).protocolVersion(14);
        clientEncoder.flx(true);
        serverEncoder.flx(true).protocolVersion(14);

        decodeClient("s76-c-bind.bin");
        expect(serverEncoder.ident(out, 0, 1, 2, 777), "s76-s-ident.bin");
        final ClientMessageDecoder ident = decodeClient("s76-c-ident.bin");
        assertThat(ident.queryVersion()).isZero();
        assertThat(ident.bodyLength()).isEqualTo(2);
        expect(clientEncoder.ident(out, 0, 1, 2, 777, 0, 0, 0, 0, 0, ident.buffer(), ident.bodyOffset(), 2),
            "s76-c-ident.bin");
        expect(clientEncoder.mark(out, 0, 1, 1), "s76-c-mark1.bin");

        expect(serverEncoder.download(out, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 2, 1.0, false, 0, null, 0, 0),
            "s76-s-download-steady.bin");
        final ServerMessageDecoder steady = decodeServer("s76-s-download-steady.bin");
        assertThat(steady.queryVersion()).isZero();
        assertThat(steady.batchState()).isEqualTo(2);
        assertThat(steady.progressEstimate()).isEqualTo(1.0);

        expect(serverEncoder.download(out, 0, 1, 3, 2, 3, 777, 2, 0, 0, 0, 2, 1.0, false, 0, null, 0, 0),
            "s76-s-download-ack.bin");

        final ClientMessageDecoder query = decodeClient("s76-c-query.bin");
        assertThat(query.queryVersion()).isEqualTo(1);
        assertThat(string(query.buffer(), query.bodyOffset(), query.bodyLength()))
            .isEqualTo("{\"Task\":\"(TRUEPREDICATE)\"}");
        expect(clientEncoder.mark(out, 0, 1, 2), "s76-c-mark2.bin");

        final ExpandableArrayBuffer body = new ExpandableArrayBuffer(64);
        final int bodyLen = EntryEncoder.downloadEntry(body, 0, 3, 2, 356789012345L, 4, 0, body, 0, 0);
        expect(serverEncoder.download(out, 0, 1, 3, 2, 3, 777, 2, 0, 0, 1, 1, 1.0, false, 0, body, 0, bodyLen),
            "s76-s-download-last.bin");
        final ServerMessageDecoder last = decodeServer("s76-s-download-last.bin");
        assertThat(last.queryVersion()).isEqualTo(1);
        assertThat(last.batchState()).isEqualTo(1);
        final DownloadEntryIterator it = new DownloadEntryIterator().wrap(last.buffer(), last.bodyOffset(),
            last.bodyLength());
        assertThat(it.next()).isTrue();
        assertThat(it.serverVersion()).isEqualTo(3);
        assertThat(it.originFileIdent()).isEqualTo(4);
        assertThat(it.changesetLength()).isZero();
        assertThat(it.next()).isFalse();
        expect(serverEncoder.mark(out, 0, 1, 2), "s76-s-mark2.bin");
    }

    @Test
    void shouldEncodeAndDecodeSection49JsonError() throws CodecException
    {
        final byte[] frame = bytes("s49-json-error.bin");
        final ServerMessageDecoder d = serverDecoder.wrap(new UnsafeBuffer(frame), 0, frame.length);
        assertThat(d.type()).isEqualTo(MessageType.SERVER_JSON_ERROR);
        assertThat(d.errorCode()).isEqualTo(208);
        assertThat(d.sessionIdent()).isEqualTo(5);
        assertThat(d.bodyLength()).isEqualTo(148);
        assertThat(string(d.buffer(), d.bodyOffset(), d.bodyLength())).startsWith("{\"action\":\"ClientReset\"");
        expect(serverEncoder.jsonError(out, 0, 208, 5, d.buffer(), d.bodyOffset(), d.bodyLength()),
            "s49-json-error.bin");
    }

    private ClientMessageDecoder decodeClient(final String name) throws CodecException
    {
        final byte[] b = bytes(name);
        return clientDecoder.wrap(new UnsafeBuffer(b), 0, b.length);
    }

    private ServerMessageDecoder decodeServer(final String name) throws CodecException
    {
        final byte[] b = bytes(name);
        return serverDecoder.wrap(new UnsafeBuffer(b), 0, b.length);
    }

    private void expect(final int length, final String name)
    {
        assertThat(copy(out, 0, length)).as(name).isEqualTo(bytes(name));
    }
}
