package dev.outpost.codec.message;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import dev.outpost.codec.CodecException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Jazzer fuzz tests: any input either decodes or fails with {@link CodecException}; nothing else escapes, and what
 * decodes re-encodes to the same bytes. The normal build replays the seeds in {@code MessageFuzzTestInputs/};
 * {@code JAZZER_FUZZ=1} fuzzes (see codec/README.md).
 * <p>
 * Input layout of {@link #fuzzMessages}: byte 0 selects the decoder (bit 0: server side decoding client messages
 * or client side decoding server messages; bit 1: FLX; bits 2..5: protocol version 2 + n % 13); the rest is the
 * frame.
 */
class MessageFuzzTest
{
    private static final int LIMIT = 1 << 20;

    private final ClientMessageDecoder clientDecoder = new ClientMessageDecoder().maxUncompressedBodySize(LIMIT);
    private final ServerMessageDecoder serverDecoder = new ServerMessageDecoder().maxUncompressedBodySize(LIMIT);
    private final ClientMessageEncoder clientEncoder = new ClientMessageEncoder();
    private final ServerMessageEncoder serverEncoder = new ServerMessageEncoder();
    private final UploadEntryIterator uploads = new UploadEntryIterator();
    private final DownloadEntryIterator downloads = new DownloadEntryIterator();
    private final BodyCompression compression = new BodyCompression(1, LIMIT);
    private final ExpandableArrayBuffer out = new ExpandableArrayBuffer(256);
    private final ExpandableArrayBuffer inflated = new ExpandableArrayBuffer(256);

    @FuzzTest(maxDuration = "60s")
    void fuzzMessages(final byte[] input)
    {
        if (input.length == 0)
        {
            return;
        }
        final int config = input[0] & 0xFF;
        final boolean clientToServer = (config & 1) == 0;
        final boolean flx = (config & 2) != 0;
        final int version = 2 + ((config >> 2) % 13);
        final UnsafeBuffer frame = new UnsafeBuffer(input, 1, input.length - 1);
        try
        {
            if (clientToServer)
            {
                final ClientMessageDecoder d = clientDecoder.flx(flx).protocolVersion(version)
                    .wrap(frame, 0, frame.capacity());
                final int n = Reencoder.client(d, clientEncoder, out);
                assertThat(Golden.copy(out, 0, n)).isEqualTo(Golden.copy(frame, 0, frame.capacity()));
                if (d.type() == MessageType.UPLOAD)
                {
                    iterateBody(true, d.bodyCompressed(), d.uncompressedBodySize(), frame, d.bodyOffset(),
                        d.bodyLength());
                }
            }
            else
            {
                final ServerMessageDecoder d = serverDecoder.flx(flx).protocolVersion(version)
                    .wrap(frame, 0, frame.capacity());
                final int n = Reencoder.server(d, serverEncoder, out);
                if (Reencoder.canonicalProgress(d))
                {
                    assertThat(Golden.copy(out, 0, n)).isEqualTo(Golden.copy(frame, 0, frame.capacity()));
                }
                else
                {
                    // Non-canonical decimal ("1", "0.50"): the rest of the head and the body must still match.
                    final int start = d.progressTextOffset();
                    final int tail = frame.capacity() - (start + d.progressTextLength());
                    assertThat(Golden.copy(out, 0, start)).isEqualTo(Golden.copy(frame, 0, start));
                    assertThat(Golden.copy(out, n - tail, tail)).isEqualTo(Golden.copy(frame, frame.capacity() - tail,
                        tail));
                }
                if (d.type() == MessageType.DOWNLOAD)
                {
                    iterateBody(false, d.bodyCompressed(), d.uncompressedBodySize(), frame, d.bodyOffset(),
                        d.bodyLength());
                }
            }
        }
        catch (final CodecException expected)
        {
            assertThat(expected.errorCode()).isNotNull();
        }
    }

    /** Byte 0 bit 0 selects UPLOAD or DOWNLOAD entries, bit 1 inflation; the rest is the body. */
    @FuzzTest(maxDuration = "60s")
    void fuzzEntryLists(final byte[] input)
    {
        if (input.length < 3)
        {
            return;
        }
        final boolean upload = (input[0] & 1) == 0;
        final boolean compressed = (input[0] & 2) != 0;
        final int declared = ((input[1] & 0xFF) << 8 | (input[2] & 0xFF)) * 4;
        final UnsafeBuffer body = new UnsafeBuffer(input, 3, input.length - 3);
        try
        {
            iterateBody(upload, compressed, declared, body, 0, body.capacity());
        }
        catch (final CodecException expected)
        {
            assertThat(expected.errorCode()).isNotNull();
        }
    }

    private void iterateBody(
        final boolean upload, final boolean compressed, final long declared, final UnsafeBuffer frame,
        final int offset, final int length) throws CodecException
    {
        org.agrona.DirectBuffer src = frame;
        int off = offset;
        int len = length;
        if (compressed)
        {
            len = compression.inflate(frame, offset, length, inflated, 0, declared);
            assertThat(len).isEqualTo((int)declared);
            src = inflated;
            off = 0;
        }
        final int end = off + len;
        if (upload)
        {
            uploads.wrap(src, off, len);
            while (uploads.next())
            {
                assertThat(uploads.changesetOffset() + uploads.changesetLength()).isLessThanOrEqualTo(end);
            }
        }
        else
        {
            downloads.wrap(src, off, len);
            while (downloads.next())
            {
                assertThat(downloads.changesetOffset() + downloads.changesetLength()).isLessThanOrEqualTo(end);
            }
        }
    }
}
