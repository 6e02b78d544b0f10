package dev.outpost.codec.message;

import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.outpost.codec.CodecException;
import dev.outpost.codec.ProtocolErrorCode;

import static dev.outpost.codec.message.Golden.ascii;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class EntryIteratorTest
{
    private final UploadEntryIterator upload = new UploadEntryIterator();
    private final DownloadEntryIterator download = new DownloadEntryIterator();

    @ParameterizedTest
    @ValueSource(strings = {
        "1 0 5 0 3",            // header ends without the space after the size
        "1 0 5 0",              // truncated header
        "1 0 5 0 3\nabc",       // newline instead of space
        "1  0 5 0 3 abc",       // double space
        "1 0 5 -0 3 abc",       // sign
        "1 0 x 0 3 abc",        // non digit
        "01 0 5 0 3 abc",       // leading zero
        "1 0 9223372036854775808 0 3 abc",
        "1 0 5 0 3 abc ",       // a second entry of just a space
    })
    void shouldRejectBadUploadEntryHeaders(final String body)
    {
        assertThat(uploadError(body)).isEqualTo(ProtocolErrorCode.BAD_CHANGESET_HEADER_SYNTAX);
    }

    @ParameterizedTest
    @ValueSource(strings = {"1 0 5 0 4 abc", "1 0 5 0 3 abc2 0 5 0 1 ", "1 0 5 0 9223372036854775807 abc"})
    void shouldRejectUploadChangesetBeyondTheBody(final String body)
    {
        assertThat(uploadError(body)).isEqualTo(ProtocolErrorCode.BAD_CHANGESET_SIZE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"1 0 5 2 3 abc", "1 0 5 2 3 3", "1 0 5 2 3 3x abc", "1 0 5 2 3 x4 abc"})
    void shouldRejectBadDownloadEntryHeaders(final String body)
    {
        assertThat(downloadError(body)).isEqualTo(ProtocolErrorCode.BAD_CHANGESET_HEADER_SYNTAX);
    }

    @Test
    void shouldRejectDownloadChangesetBeyondTheBody()
    {
        assertThat(downloadError("1 0 5 2 3 4 abc")).isEqualTo(ProtocolErrorCode.BAD_CHANGESET_SIZE);
    }

    @Test
    void shouldIterateEmptyBodyAndEmptyChangesets() throws CodecException
    {
        final UnsafeBuffer empty = ascii("");
        assertThat(upload.wrap(empty, 0, 0).next()).isFalse();
        final UnsafeBuffer b = ascii("3 2 1 4 0 0 4 2 1 4 0 0 ");
        download.wrap(b, 0, b.capacity());
        assertThat(download.next()).isTrue();
        assertThat(download.serverVersion()).isEqualTo(3);
        assertThat(download.changesetLength()).isZero();
        assertThat(download.hasNext()).isTrue();
        assertThat(download.next()).isTrue();
        assertThat(download.serverVersion()).isEqualTo(4);
        assertThat(download.hasNext()).isFalse();
        assertThat(download.next()).isFalse();
    }

    @Test
    void shouldRoundTripEncodedEntries() throws CodecException
    {
        final ExpandableArrayBuffer buf = new ExpandableArrayBuffer(8);
        final UnsafeBuffer cs = ascii("changeset bytes with spaces 1 2 3\n");
        int n = EntryEncoder.downloadEntry(buf, 0, 10, 3, 375283636945L, 7, 99, cs, 0, cs.capacity());
        n += EntryEncoder.downloadEntry(buf, n, Long.MAX_VALUE, 0, 0, 1, 0, cs, 10, 5);
        download.wrap(buf, 0, n);
        assertThat(download.next()).isTrue();
        assertThat(download.serverVersion()).isEqualTo(10);
        assertThat(download.clientVersion()).isEqualTo(3);
        assertThat(download.originTimestamp()).isEqualTo(375283636945L);
        assertThat(download.originFileIdent()).isEqualTo(7);
        assertThat(download.originalChangesetSize()).isEqualTo(99);
        assertThat(Golden.string(buf, download.changesetOffset(), download.changesetLength()))
            .isEqualTo("changeset bytes with spaces 1 2 3\n");
        assertThat(download.next()).isTrue();
        assertThat(download.serverVersion()).isEqualTo(Long.MAX_VALUE);
        assertThat(Golden.string(buf, download.changesetOffset(), download.changesetLength())).isEqualTo("bytes");
        assertThat(download.next()).isFalse();
    }

    private ProtocolErrorCode uploadError(final String body)
    {
        final UnsafeBuffer b = ascii(body);
        upload.wrap(b, 0, b.capacity());
        final CodecException ex = catchThrowableOfType(CodecException.class, () ->
        {
            while (upload.next())
            {
                // drain
            }
        });
        assertThat(ex).as(body).isNotNull();
        return ex.errorCode();
    }

    private ProtocolErrorCode downloadError(final String body)
    {
        final UnsafeBuffer b = ascii(body);
        download.wrap(b, 0, b.capacity());
        final CodecException ex = catchThrowableOfType(CodecException.class, () ->
        {
            while (download.next())
            {
                // drain
            }
        });
        assertThat(ex).as(body).isNotNull();
        return ex.errorCode();
    }
}
