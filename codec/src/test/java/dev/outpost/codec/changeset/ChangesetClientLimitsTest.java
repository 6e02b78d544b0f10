package dev.outpost.codec.changeset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

import dev.outpost.codec.CodecException;
import dev.outpost.codec.ProtocolErrorCode;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A decoder with client limits refuses what realm-core's parser accepts but its client cannot hold: strings that
 * are not well-formed UTF-8, class names over 57 bytes, column names over 63 bytes, binaries over
 * {@code Table::max_binary_size}. Each rejected form is checked against an accepted baseline, and the decoder
 * without client limits (stored history) still accepts it.
 */
class ChangesetClientLimitsTest
{
    /** Interns 0 = "Item", 1 = "name". */
    private static final String INTERNS = "3F 00 04 4974656D  3F 01 04 6E616D65";
    /** Update Item[int 5].name = String of the given bytes, not default. */
    private static final String UPDATE_STRING = INTERNS + " 04 00 01 05 01 00 03";

    private static byte[] bytes(final String hex)
    {
        return HexFormat.of().parseHex(hex.replace(" ", ""));
    }

    private static String hex(final byte[] b)
    {
        return HexFormat.of().formatHex(b);
    }

    private static int decode(final boolean clientLimits, final byte[] b) throws CodecException
    {
        return new ChangesetDecoder(16, clientLimits).decode(new UnsafeBuffer(b), 0, b.length, new Model.Recorder());
    }

    private static String stringUpdate(final String utf8Hex)
    {
        final int length = utf8Hex.replace(" ", "").length() / 2;
        return UPDATE_STRING + String.format(" %02X ", length) + utf8Hex + " 00";
    }

    private static void assertRejected(final String hex, final String reason) throws CodecException
    {
        assertThat(decode(false, bytes(hex))).as("without client limits: " + hex).isGreaterThanOrEqualTo(0);
        assertThatThrownBy(() -> decode(true, bytes(hex)))
            .as(hex)
            .isInstanceOf(CodecException.class)
            .hasMessageContaining(reason)
            .satisfies(ex -> assertThat(((CodecException)ex).errorCode()).isEqualTo(ProtocolErrorCode.BAD_CHANGESET));
    }

    private static void assertAccepted(final String hex) throws CodecException
    {
        assertThat(decode(true, bytes(hex))).as(hex).isGreaterThanOrEqualTo(0);
    }

    /** An intern meta-instruction for {@code index} of {@code n} bytes 'a' (n < 128). */
    private static String internOf(final int index, final int n)
    {
        final String length = n < 64 ? String.format("%02X", n) : String.format("%02X 00", 0x80 | n);
        return String.format("3F %02X ", index) + length + " " + "61".repeat(n);
    }

    @ParameterizedTest
    @CsvSource({
        "C0 80,         overlong NUL",
        "C1 BF,         overlong 2-byte",
        "E0 80 80,      overlong 3-byte",
        "E0 9F BF,      overlong 3-byte (U+07FF)",
        "F0 80 80 80,   overlong 4-byte",
        "F0 8F BF BF,   overlong 4-byte (U+FFFF)",
        "ED A0 80,      high surrogate U+D800",
        "ED BF BF,      low surrogate U+DFFF",
        "ED A0 BD ED B8 80, surrogate pair encoded as two 3-byte forms (CESU-8)",
        "80,            stray continuation byte",
        "41 BF,         stray continuation byte after ASCII",
        "C3,            truncated 2-byte",
        "E2 82,         truncated 3-byte",
        "F0 9F 98,      truncated 4-byte",
        "E2 41 AC,      bad continuation",
        "F4 90 80 80,   above U+10FFFF",
        "F5 80 80 80,   lead byte F5",
        "F8 88 80 80 80, 5-byte form",
        "FE,            byte FE",
        "FF,            byte FF",
        "FF FE,         bytes FF FE",
        "41 42 43 44 45 46 47 48 FF, after an ASCII run of eight"})
    void shouldRejectStringValuesThatAreNotWellFormedUtf8(final String utf8, final String form) throws CodecException
    {
        assertRejected(stringUpdate(utf8), "string value in Item.name is not valid UTF-8");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",
        "68 69",
        "00",
        "7F",
        "C2 80",
        "C3 A9",
        "DF BF",
        "E0 A0 80",
        "E2 82 AC",
        "ED 9F BF",
        "EE 80 80",
        "EF BF BF",
        "F0 90 80 80",
        "F0 9F 98 80",
        "F3 BF BF BF",
        "F4 8F BF BF",
        "41 42 43 44 45 46 47 48 49 4A 4B 4C 4D 4E 4F 50 F0 9F 98 80 41"})
    void shouldAcceptWellFormedUtf8IncludingFourByteForms(final String utf8) throws CodecException
    {
        assertAccepted(stringUpdate(utf8));
    }

    @Test
    void shouldNameTheFieldAndTheOffsetOfTheBadByte() throws CodecException
    {
        final String hex = stringUpdate("68 69 FF FE");
        final int at = bytes(hex).length - 1 - 2; // FF is the third-last byte before the isDefault flag
        assertThatThrownBy(() -> decode(true, bytes(hex)))
            .hasMessage("string value in Item.name is not valid UTF-8 at offset " + at);
    }

    @Test
    void shouldRejectStringValuesInEveryPayloadPosition() throws CodecException
    {
        // interns 0 = Item, 1 = name, ArrayInsert / SetInsert / SetErase with a path ending in an index
        assertRejected(INTERNS + " 08 00 01 05 01 01 00 03 01 FF 00", "string value in Item.name");
        assertRejected(INTERNS + " 0C 00 01 05 01 00 03 01 FF", "string value in Item.name");
        assertRejected(INTERNS + " 0D 00 01 05 01 00 03 01 FF", "string value in Item.name");
        assertAccepted(INTERNS + " 08 00 01 05 01 01 00 03 01 41 00");
        assertAccepted(INTERNS + " 0C 00 01 05 01 00 03 01 41");
    }

    @ParameterizedTest
    @ValueSource(strings = {"FF", "ED A0 80", "C0 AF", "E2 82"})
    void shouldRejectInternedStringsThatAreNotUtf8(final String utf8) throws CodecException
    {
        final int length = utf8.replace(" ", "").length() / 2;
        assertRejected(INTERNS + String.format(" 3F 02 %02X ", length) + utf8, "interned string 2 is not valid UTF-8");
        assertAccepted(INTERNS + " 3F 02 04 F0 9F 98 80");
    }

    @Test
    void shouldLimitClassNamesTo57Bytes() throws CodecException
    {
        // AddTable "aaa..." with an ObjectId primary key "name"
        assertAccepted(internOf(0, 57) + " 3F 01 04 6E616D65 00 00 00 01 0A 00");
        assertRejected(internOf(0, 58) + " 3F 01 04 6E616D65 00 00 00 01 0A 00",
            "class name of 58 bytes is longer than 57");
        // embedded table, EraseTable, CreateObject, a link target in AddColumn and in a Link payload
        assertAccepted(internOf(0, 57) + " 00 00 01");
        assertRejected(internOf(0, 58) + " 00 00 01", "class name of 58 bytes");
        assertRejected(internOf(0, 58) + " 01 00", "class name of 58 bytes");
        assertRejected(internOf(0, 58) + " 02 00 01 05", "class name of 58 bytes");
        assertAccepted(INTERNS + " " + internOf(2, 57) + " 06 00 01 09 01 00 02");
        assertRejected(INTERNS + " " + internOf(2, 58) + " 06 00 01 09 01 00 02", "class name of 58 bytes");
        assertAccepted(INTERNS + " " + internOf(2, 57) + " 04 00 01 05 01 00 09 02 01 07 00");
        assertRejected(INTERNS + " " + internOf(2, 58) + " 04 00 01 05 01 00 09 02 01 07 00",
            "class name of 58 bytes");
    }

    @Test
    void shouldLimitColumnNamesTo63Bytes() throws CodecException
    {
        // AddColumn Item.<n x 'a'> String nullable
        assertAccepted(INTERNS + " " + internOf(2, 63) + " 06 00 02 03 01 00");
        assertRejected(INTERNS + " " + internOf(2, 64) + " 06 00 02 03 01 00",
            "column name of 64 bytes is longer than 63: 'aaaa");
        // EraseColumn, an AddTable primary key, the field of a path instruction
        assertAccepted(INTERNS + " " + internOf(2, 63) + " 07 00 02");
        assertRejected(INTERNS + " " + internOf(2, 64) + " 07 00 02", "column name of 64 bytes");
        assertAccepted(INTERNS + " " + internOf(2, 63) + " 00 00 00 02 0A 00");
        assertRejected(INTERNS + " " + internOf(2, 64) + " 00 00 00 02 0A 00", "column name of 64 bytes");
        assertAccepted(INTERNS + " " + internOf(2, 63) + " 04 00 01 05 02 00 01 07 00");
        assertRejected(INTERNS + " " + internOf(2, 64) + " 04 00 01 05 02 00 01 07 00", "column name of 64 bytes");
    }

    @Test
    void shouldCountNameLimitsInBytesNotCharacters()
    {
        // 21 x U+20AC (3 bytes each) = 63 bytes: a column name, not a class name
        final String euro = "E282AC".repeat(21);
        final String intern = "3F 02 3F " + euro;
        assertThat(hex(bytes(euro)).length() / 2).isEqualTo(63);
        assertThat(new String(bytes(euro), StandardCharsets.UTF_8).length()).isEqualTo(21);
        assertThatThrownBy(() -> decode(true, bytes(INTERNS + " " + intern + " 00 02 01"))).hasMessageContaining(
            "class name of 63 bytes");
        org.assertj.core.api.Assertions.assertThatCode(() -> decode(true, bytes(INTERNS + " " + intern +
            " 06 00 02 03 01 00"))).doesNotThrowAnyException();
    }

    @Test
    void shouldLimitBinariesToTheLargestRealmStores() throws CodecException
    {
        final byte[] head = bytes(INTERNS + " 04 00 01 05 01 00 04");
        for (final int size : new int[] {ChangesetDecoder.MAX_BINARY_SIZE, ChangesetDecoder.MAX_BINARY_SIZE + 1})
        {
            final int lengthBytes = VarInt.sizeOfUnsigned(size);
            final byte[] cs = new byte[head.length + lengthBytes + size + 1];
            System.arraycopy(head, 0, cs, 0, head.length);
            VarInt.writeUnsigned(new UnsafeBuffer(cs), head.length, size);
            if (size == ChangesetDecoder.MAX_BINARY_SIZE)
            {
                assertThat(decode(true, cs)).isEqualTo(1);
            }
            else
            {
                assertThat(decode(false, cs)).isEqualTo(1);
                assertThatThrownBy(() -> decode(true, cs)).hasMessageContaining("longer than 16777200");
            }
        }
    }
}
