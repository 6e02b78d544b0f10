package dev.outpost.codec.changeset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;

import dev.outpost.codec.CodecException;
import dev.outpost.codec.ProtocolErrorCode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class VarIntTest
{
    private static DirectBuffer hex(final String hex)
    {
        return new UnsafeBuffer(HexFormat.of().parseHex(hex.replace(" ", "")));
    }

    private static String write(final long v)
    {
        final UnsafeBuffer b = new UnsafeBuffer(new byte[16]);
        final int n = VarInt.write(b, 0, v);
        assertThat(n).isEqualTo(VarInt.sizeOf(v));
        final byte[] out = new byte[n];
        b.getBytes(0, out);
        return HexFormat.of().withUpperCase().withDelimiter(" ").formatHex(out);
    }

    /** The example table of realm-protocol.md 3.1. */
    @ParameterizedTest
    @CsvSource({
        "0, 00",
        "10, 0A",
        "63, 3F",
        "64, C0 00",
        "100, E4 00",
        "128, 80 01",
        "-1, 40",
        "-2, 41",
        "-6, 45",
        "1606291094, 96 9D F8 FD 05"})
    void shouldMatchTheSpecExamples(final long value, final String bytes) throws CodecException
    {
        assertThat(write(value)).isEqualTo(bytes);
        final DirectBuffer b = hex(bytes);
        assertThat(VarInt.readInt64(b, 0, b.capacity())).isEqualTo(value);
    }

    @ParameterizedTest
    @CsvSource({
        "9223372036854775807, FF FF FF FF FF FF FF FF FF 00",
        "-9223372036854775808, FF FF FF FF FF FF FF FF FF 40",
        "-64, 7F",
        "-65, C0 40"})
    void shouldEncodeInt64Extremes(final long value, final String bytes) throws CodecException
    {
        assertThat(write(value)).isEqualTo(bytes);
        final DirectBuffer b = hex(bytes);
        assertThat(VarInt.readInt64(b, 0, b.capacity())).isEqualTo(value);
        assertThat(VarInt.sizeOf(value)).isEqualTo(b.capacity());
    }

    @ParameterizedTest
    @CsvSource({"-1, FF FF FF FF FF FF FF FF FF 01", "-9223372036854775808, 80 80 80 80 80 80 80 80 80 01"})
    void shouldEncodeUint64AboveTwoToThe63(final long bits, final String bytes) throws CodecException
    {
        final UnsafeBuffer out = new UnsafeBuffer(new byte[16]);
        assertThat(VarInt.writeUnsigned(out, 0, bits)).isEqualTo(10).isEqualTo(VarInt.sizeOfUnsigned(bits));
        final DirectBuffer b = hex(bytes);
        assertThat(VarInt.readUint64(b, 0, b.capacity())).isEqualTo(bits);
        for (int i = 0; i < 10; i++)
        {
            assertThat(out.getByte(i)).isEqualTo(b.getByte(i));
        }
        // Not an int64.
        assertBad(() -> VarInt.readInt64(b, 0, b.capacity()));
    }

    @Property
    void shouldRoundTripEveryInt64(@ForAll final long v) throws CodecException
    {
        final UnsafeBuffer b = new UnsafeBuffer(new byte[16]);
        final int n = VarInt.write(b, 0, v);
        assertThat(n).isEqualTo(VarInt.sizeOf(v)).isBetween(1, VarInt.MAX_LENGTH_64);
        assertThat(VarInt.readInt64(b, 0, n)).isEqualTo(v);
        assertBad(() -> VarInt.readInt64(b, 0, n - 1));
    }

    @Property
    void shouldRoundTripEveryUint64(@ForAll final long bits) throws CodecException
    {
        final UnsafeBuffer b = new UnsafeBuffer(new byte[16]);
        final int n = VarInt.writeUnsigned(b, 0, bits);
        assertThat(n).isEqualTo(VarInt.sizeOfUnsigned(bits));
        assertThat(VarInt.readUint64(b, 0, n)).isEqualTo(bits);
    }

    @Property
    void shouldRoundTripInt32AndUint32(@ForAll final int v, @ForAll @LongRange(min = 0, max = 0xFFFFFFFFL) final long u)
        throws CodecException
    {
        final UnsafeBuffer b = new UnsafeBuffer(new byte[16]);
        int n = VarInt.write(b, 0, v);
        assertThat(n).isLessThanOrEqualTo(VarInt.MAX_LENGTH_32);
        assertThat(VarInt.readInt32(b, 0, n)).isEqualTo(v);
        n = VarInt.write(b, 0, u);
        assertThat(n).isLessThanOrEqualTo(VarInt.MAX_LENGTH_32);
        assertThat(VarInt.readUint32(b, 0, n)).isEqualTo(u);
    }

    @Property
    void shouldRoundTripUint8(@ForAll @IntRange(min = 0, max = 255) final int v) throws CodecException
    {
        final UnsafeBuffer b = new UnsafeBuffer(new byte[4]);
        final int n = VarInt.write(b, 0, v);
        assertThat(n).isLessThanOrEqualTo(VarInt.MAX_LENGTH_8);
        assertThat(VarInt.readUint8(b, 0, n)).isEqualTo(v);
    }

    @Property
    void shouldRejectEveryNonCanonicalForm(@ForAll final long v, @ForAll @IntRange(min = 1, max = 3) final int padding)
    {
        // Re-encode v with extra continuation bytes carrying zero bits: the value is the same, the form is not.
        final long m = v < 0 ? ~v : v;
        final int sign = v < 0 ? 0x40 : 0;
        final int n = VarInt.sizeOf(v);
        final byte[] bytes = new byte[n + padding];
        long x = m;
        for (int i = 0; i < n - 1 + padding; i++)
        {
            bytes[i] = (byte)(0x80 | (x & 0x7F));
            x >>>= 7;
        }
        bytes[n - 1 + padding] = (byte)(sign | x);
        final UnsafeBuffer b = new UnsafeBuffer(bytes);
        assertBad(() -> VarInt.readInt64(b, 0, bytes.length));
    }

    @ParameterizedTest
    @CsvSource({
        "80 00, non-canonical",
        "80 40, non-canonical",
        "BF 00, non-canonical",
        "C0, truncated",
        "'', truncated",
        "80 80 80 80 80 80 80 80 80 80 00, too long",
        "FF FF FF FF FF FF FF FF FF 01, int64 out of range",
        "FF FF FF FF FF FF FF FF FF 02, overflows"})
    void shouldRejectMalformedInt64(final String bytes, final String reason)
    {
        final DirectBuffer b = hex(bytes);
        assertThatThrownBy(() -> VarInt.readInt64(b, 0, b.capacity()))
            .isInstanceOf(CodecException.class)
            .hasMessageContaining(reason)
            .satisfies(ex -> assertThat(((CodecException)ex).errorCode()).isEqualTo(ProtocolErrorCode.BAD_CHANGESET));
    }

    @ParameterizedTest
    @CsvSource({
        "40, negative",
        "80 80 80 80 10, uint32 out of range",
        "80 80 80 80 80 01, too long"})
    void shouldRejectMalformedUint32(final String bytes, final String reason)
    {
        final DirectBuffer b = hex(bytes);
        assertThatThrownBy(() -> VarInt.readUint32(b, 0, b.capacity())).isInstanceOf(CodecException.class)
            .hasMessageContaining(reason);
    }

    @ParameterizedTest
    @CsvSource({"80 04, uint8 out of range", "80 80 01, too long", "41, negative"})
    void shouldRejectMalformedUint8(final String bytes, final String reason)
    {
        final DirectBuffer b = hex(bytes);
        assertThatThrownBy(() -> VarInt.readUint8(b, 0, b.capacity())).isInstanceOf(CodecException.class)
            .hasMessageContaining(reason);
    }

    @ParameterizedTest
    @CsvSource({"80 80 80 80 08, int32 out of range", "80 80 80 80 48, int32 out of range", "80 80 80 80 80 00, too long"})
    void shouldRejectMalformedInt32(final String bytes, final String reason)
    {
        final DirectBuffer b = hex(bytes);
        assertThatThrownBy(() -> VarInt.readInt32(b, 0, b.capacity())).isInstanceOf(CodecException.class)
            .hasMessageContaining(reason);
    }

    @ParameterizedTest
    @CsvSource({"2147483647, 5", "-2147483648, 5", "4294967295, 5", "255, 2", "-129, 2"})
    void shouldStayWithinMaximumLengths(final long v, final int length)
    {
        assertThat(VarInt.sizeOf(v)).isEqualTo(length);
    }

    private interface Read
    {
        void run() throws CodecException;
    }

    private static void assertBad(final Read r)
    {
        assertThatThrownBy(r::run).isInstanceOf(CodecException.class)
            .satisfies(ex -> assertThat(((CodecException)ex).errorCode()).isEqualTo(ProtocolErrorCode.BAD_CHANGESET));
    }
}
