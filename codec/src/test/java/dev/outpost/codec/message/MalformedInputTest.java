package dev.outpost.codec.message;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.outpost.codec.CodecException;
import dev.outpost.codec.ProtocolErrorCode;

import static dev.outpost.codec.message.Golden.ascii;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class MalformedInputTest
{
    private final ClientMessageDecoder client = new ClientMessageDecoder();
    private final ServerMessageDecoder server = new ServerMessageDecoder();

    private ProtocolErrorCode clientError(final String frame)
    {
        final UnsafeBuffer b = ascii(frame);
        final CodecException ex = catchThrowableOfType(CodecException.class, () -> client.wrap(b, 0, b.capacity()));
        assertThat(ex).as("frame %s must be rejected", frame).isNotNull();
        return ex.errorCode();
    }

    private ProtocolErrorCode serverError(final String frame)
    {
        final UnsafeBuffer b = ascii(frame);
        final CodecException ex = catchThrowableOfType(CodecException.class, () -> server.wrap(b, 0, b.capacity()));
        assertThat(ex).as("frame %s must be rejected", frame).isNotNull();
        return ex.errorCode();
    }

    @ParameterizedTest
    @ValueSource(strings = {"download 1 2\n", "pong 1\n", "hello 1\n", "", "\n", " mark 1 1\n", "MARK 1 1\n",
        "markx 1 1\n", "unboundd 1\n", "state 1 2 3 4 5 6 0\n"})
    void shouldRejectUnknownClientMessageTypes(final String frame)
    {
        assertThat(clientError(frame)).isEqualTo(ProtocolErrorCode.UNKNOWN_MESSAGE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"upload 1 0 0 0 0 0 0\n", "ping 1 2\n", "bind 1 0 0 0 0\n", "state_request 1\n"})
    void shouldRejectClientMessagesSentToTheClient(final String frame)
    {
        assertThat(serverError(frame)).isEqualTo(ProtocolErrorCode.UNKNOWN_MESSAGE);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "mark 1 1",                 // missing newline
        "mark 1 1 ",                // space instead of newline
        "mark 1  1\n",              // two spaces
        "mark  1 1\n",              // two spaces after the type
        "mark 1\n",                 // missing field
        "mark 1 1 1\n",             // extra field
        "mark\n",                   // type without fields
        "mark",                     // type only
        "mark 1 x\n",               // non-digit
        "mark 1 1x\n",              // digit then garbage
        "mark -1 1\n",              // sign
        "mark +1 1\n",              // plus sign
        "mark 01 1\n",              // leading zero
        "mark 1 \n",                // empty field
        "mark 1 1\r\n",             // CR
        "mark 9223372036854775808 1\n",        // 2^63
        "mark 99999999999999999999 1\n",       // way over
        "mark 1 1\ntrailing",       // trailing bytes
        "unbind 1\n\n",             // trailing newline
        "ping 1 2\n ",              // trailing space
        "ident 1 2 3 4 5 6\n",      // PBS ident, one short
        "ident 1 2 3 4 5 6 7 8\n",  // PBS ident, one long
        "bind 1 5 0 1 0\nabc",      // body shorter than declared
        "bind 1 2 0 1 0\nabc",      // body longer than declared
        "bind 1 2 2 1 0\nabc",      // path + token beyond frame
        "bind 1 3 0 2 0\nabc",      // boolean 2
        "upload 1 0 5 0 0 0 0\nabcd",          // uncompressed body beyond frame
        "upload 1 0 3 0 0 0 0\nabcd",          // trailing bytes after upload body
        "upload 1 1 100 5 0 0 0\nabcd",        // compressed body beyond frame
        "upload 1 0 4 4 0 0 0\nabcd",          // compressed size set on an uncompressed body
        "upload 1 2 4 0 0 0 0\nabcd",          // compression flag 2
        "json_error 208 3 1\n{}",              // json body beyond frame
        "json_error 2147483648 2 1\n{}",       // error code beyond int
        "query 1 1 3\n{}",
        "refresh 1 4\nabc",
        "transact 1 2 3 4\nabc",
        "state_request 1 0 0 0 2 1 2 1 2\n",    // need_recent 2
        "client_version_request 1 2\n",
        "alloc 1 2\n",
        "test_command 1 2 3\nab",
    })
    void shouldRejectBadHeadSyntaxWithBadSyntax(final String frame)
    {
        assertThat(clientError(frame)).isEqualTo(ProtocolErrorCode.BAD_SYNTAX);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "download 1 0 0 0 0 0 0 0 0 0 0",          // missing newline
        "download 1 0 0 0 0 0 0 0 0 5 0\nab",       // body beyond frame
        "download 1 0 0 0 0 0 0 0 0 1 0\nab",       // trailing bytes
        "download 1 0 0 0 0 0 0 0 1 10 3\nab",      // compressed body beyond frame
        "error 101 5 0 0\nabc",
        "error 101 3 2 0\nabc",                     // try_again 2
        "pong 1 2\n",
        "query_error 226 3 1\nabc",                 // missing query version
        "log_message 0 3\nab",
        "ident 1 2\n",
        "transact 1 1 2 3 4 5 3\nab",
        "state 1 2 3 4 5 6 3\nab",
        "client_version 1 2\n",
        "alloc 1\n",
    })
    void shouldRejectBadServerHeadsWithBadSyntax(final String frame)
    {
        assertThat(serverError(frame)).isEqualTo(ProtocolErrorCode.BAD_SYNTAX);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "download 1 0 0 0 0 0 0 0 3 1.0 0 0 0\n",   // batch state 3
        "download 1 0 0 0 0 0 0 0 2 1.5 0 0 0\n",   // progress above 1
        "download 1 0 0 0 0 0 0 0 2 -0.5 0 0 0\n",  // negative progress
        "download 1 0 0 0 0 0 0 0 2 nan 0 0 0\n",
        "download 1 0 0 0 0 0 0 0 2 inf 0 0 0\n",
        "download 1 0 0 0 0 0 0 0 2 . 0 0 0\n",
        "download 1 0 0 0 0 0 0 0 2 1e 0 0 0\n",
        "download 1 0 0 0 0 0 0 0 2 1.0.0 0 0 0\n",
        "download 1 0 0 0 0 0 0 0 2  0 0 0\n",
        "download 1 0 0 0 0 0 0 0 2 1.0\n",         // truncated head
        "download 1 0 0 0 0 0 0 0 0 0 0\n",         // PBS form on an FLX connection
    })
    void shouldRejectBadFlxDownloadFields(final String frame)
    {
        server.flx(true).protocolVersion(14);
        assertThat(serverError(frame)).isEqualTo(ProtocolErrorCode.BAD_SYNTAX);
    }

    @ParameterizedTest
    @ValueSource(strings = {"1", "1.0", "0.25", ".5", "0.", "0", "2.5e-1", "25E-2", "0.250000000000000000000001"})
    void shouldAcceptProgressTheWayStodDoes(final String progress) throws CodecException
    {
        server.flx(true).protocolVersion(12);
        final UnsafeBuffer b = ascii("download 1 0 0 0 0 0 0 7 2 " + progress + " 0 0 0\n");
        server.wrap(b, 0, b.capacity());
        assertThat(server.progressEstimate()).isEqualTo(Double.parseDouble(progress), within());
        assertThat(server.queryVersion()).isEqualTo(7);
        assertThat(Golden.string(b, server.progressTextOffset(), server.progressTextLength())).isEqualTo(progress);
    }

    private static org.assertj.core.data.Offset<Double> within()
    {
        return org.assertj.core.data.Offset.offset(1e-15);
    }

    @Test
    void shouldReadFlxProgressAsIntegerUpToVersion11() throws CodecException
    {
        server.flx(true).protocolVersion(11);
        final UnsafeBuffer b = ascii("download 1 0 0 0 0 0 0 7 2 12345 0 0 0\n");
        server.wrap(b, 0, b.capacity());
        assertThat(server.downloadableBytes()).isEqualTo(12345);
        final UnsafeBuffer decimal = ascii("download 1 0 0 0 0 0 0 7 2 1.0 0 0 0\n");
        assertThat(serverErrorOf(decimal)).isEqualTo(ProtocolErrorCode.BAD_SYNTAX);
    }

    private ProtocolErrorCode serverErrorOf(final UnsafeBuffer b)
    {
        return catchThrowableOfType(CodecException.class, () -> server.wrap(b, 0, b.capacity())).errorCode();
    }

    @Test
    void shouldAcceptLargestSaltAndRejectOneMore() throws CodecException
    {
        final UnsafeBuffer ok = ascii("ident 1 2 9223372036854775807 0 0 0 9223372036854775807\n");
        client.wrap(ok, 0, ok.capacity());
        assertThat(client.clientFileIdentSalt()).isEqualTo(Long.MAX_VALUE);
        assertThat(client.latestServerVersionSalt()).isEqualTo(Long.MAX_VALUE);
        assertThat(clientError("ident 1 2 9223372036854775808 0 0 0 1\n")).isEqualTo(ProtocolErrorCode.BAD_SYNTAX);
        assertThat(clientError("ident 1 2 9223372036854775810 0 0 0 1\n")).isEqualTo(ProtocolErrorCode.BAD_SYNTAX);
    }

    @Test
    void shouldRejectFlxIdentWithoutQueryFields()
    {
        client.flx(true);
        assertThat(clientError("ident 1 2 3 0 0 0 0\n")).isEqualTo(ProtocolErrorCode.BAD_SYNTAX);
        assertThat(clientError("ident 1 2 3 0 0 0 0 0 5\n{}")).isEqualTo(ProtocolErrorCode.BAD_SYNTAX);
    }

    @Test
    void shouldRejectHugeDeclaredUploadSizeBeforeAllocating()
    {
        client.maxUncompressedBodySize(1024);
        assertThat(clientError("upload 1 1 1025 3 0 0 0\nabc")).isEqualTo(ProtocolErrorCode.OTHER_ERROR);
        client.maxUncompressedBodySize(ClientMessageDecoder.DEFAULT_MAX_UNCOMPRESSED_BODY_SIZE);
        assertThat(clientError("upload 1 1 67108865 3 0 0 0\nabc")).isEqualTo(ProtocolErrorCode.OTHER_ERROR);
        assertThat(clientError("upload 1 1 9223372036854775807 3 0 0 0\nabc"))
            .isEqualTo(ProtocolErrorCode.OTHER_ERROR);
    }

    @Test
    void shouldRejectDownloadDeclaringMoreThan16MiB()
    {
        assertThat(serverError("download 1 0 0 0 0 0 0 0 1 16777217 3\nabc")).isEqualTo(ProtocolErrorCode.OTHER_ERROR);
        assertThatCode(() ->
        {
            final UnsafeBuffer b = ascii("download 1 0 0 0 0 0 0 0 1 16777216 3\nabc");
            server.wrap(b, 0, b.capacity());
        }).doesNotThrowAnyException();
    }

    @Test
    void shouldDecodeFramesAtAnOffsetInsideALargerBuffer() throws CodecException
    {
        final UnsafeBuffer b = ascii("xxxmark 7 9\nyyy");
        client.wrap(b, 3, 9);
        assertThat(client.type()).isEqualTo(MessageType.MARK);
        assertThat(client.sessionIdent()).isEqualTo(7);
        assertThat(client.requestIdent()).isEqualTo(9);
        assertThat(clientErrorAt(b, 3, 10)).isEqualTo(ProtocolErrorCode.BAD_SYNTAX);
        assertThat(clientErrorAt(b, 3, 8)).isEqualTo(ProtocolErrorCode.BAD_SYNTAX);
    }

    private ProtocolErrorCode clientErrorAt(final UnsafeBuffer b, final int offset, final int length)
    {
        return catchThrowableOfType(CodecException.class, () -> client.wrap(b, offset, length)).errorCode();
    }
}
