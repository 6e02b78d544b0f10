package dev.outpost.codec.changeset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;

import dev.outpost.codec.CodecException;
import dev.outpost.codec.ProtocolErrorCode;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every class of malformed changeset is rejected with BAD_CHANGESET. Each case is a valid baseline with one field
 * broken, so the test proves the check (the baseline itself is asserted to decode).
 */
class ChangesetDecoderRejectionTest
{
    /** Interns 0 = "T", 1 = "F". */
    private static final String INTERNS = "3F 00 01 54  3F 01 01 46";
    /** ObjectId primary key: type 10 and 12 bytes. */
    private static final String OID_KEY = "0A 000102030405060708090A0B";

    private static byte[] bytes(final String hex)
    {
        return HexFormat.of().parseHex(hex.replace(" ", ""));
    }

    private static int decode(final String hex) throws CodecException
    {
        final byte[] b = bytes(hex);
        return new ChangesetDecoder(16).decode(new UnsafeBuffer(b), 0, b.length, new Model.Recorder());
    }

    private static void assertRejected(final String good, final String bad, final String reason) throws CodecException
    {
        assertThat(decode(good)).as("baseline " + good).isGreaterThanOrEqualTo(0);
        assertThatThrownBy(() -> decode(bad))
            .as(bad)
            .isInstanceOf(CodecException.class)
            .hasMessageContaining(reason)
            .satisfies(ex -> assertThat(((CodecException)ex).errorCode()).isEqualTo(ProtocolErrorCode.BAD_CHANGESET));
    }

    @ParameterizedTest
    @CsvSource({"0E", "3E", "40", "80 01", "FF FF FF FF FF FF FF FF FF 01"})
    void shouldRejectUnknownInstructionTags(final String tag) throws CodecException
    {
        assertRejected(INTERNS + " 01 00", INTERNS + " " + tag + " 00", "");
    }

    @Test
    void shouldRejectUnknownPayloadTypes() throws CodecException
    {
        final String update = INTERNS + " 04 00 01 05 01 00 ";
        assertRejected(update + "01 07 00", update + "0C 07 00", "unknown payload type 12");
        assertRejected(update + "01 07 00", update + "46 00", "unknown payload type -7");
        assertRejected(update + "01 07 00", update + "80 01 00", "unknown payload type 128");
        // GlobalKey is a primary-key type only.
        assertRejected(update + "01 07 00", update + "40 01 01 00", "unsupported payload type -1");
    }

    @ParameterizedTest
    @CsvSource({"02 01", "05 01 00", "09 00 00", "0C", "41"})
    void shouldRejectUnknownPrimaryKeyTypes(final String key) throws CodecException
    {
        assertRejected(INTERNS + " 02 00 01 05", INTERNS + " 02 00 " + key, "");
    }

    @Test
    void shouldAcceptEveryPrimaryKeyType() throws CodecException
    {
        assertThat(decode(INTERNS + " 02 00 00  02 00 01 41  02 00 03 01  02 00 40 80 01 05  02 00 " + OID_KEY +
            "  02 00 0B 000102030405060708090A0B0C0D0E0F")).isEqualTo(6);
    }

    @Test
    void shouldRejectUnknownTableTypes() throws CodecException
    {
        assertRejected(INTERNS + " 00 00 01", INTERNS + " 00 00 03", "unknown table type 3");
    }

    @ParameterizedTest
    @CsvSource({"00", "02", "04", "05", "06", "07", "08", "09", "41", "43", "45"})
    void shouldRejectInvalidPrimaryKeyTypesInAddTable(final String type) throws CodecException
    {
        assertRejected(INTERNS + " 00 00 00 01 0A 00", INTERNS + " 00 00 00 01 " + type + " 00", "invalid primary key type");
    }

    @Test
    void shouldRejectUnknownCollectionTypes() throws CodecException
    {
        assertRejected(INTERNS + " 06 00 01 00 01 03", INTERNS + " 06 00 01 00 01 04", "unknown collection type 4");
        assertRejected(INTERNS + " 0B 00 01 05 01 00 01", INTERNS + " 0B 00 01 05 01 00 85 01", "unknown collection type 133");
    }

    @Test
    void shouldReadTheConditionalFieldsOfAddColumn() throws CodecException
    {
        // Link target only for type Link, key type only for dictionaries: dropping either truncates.
        assertRejected(INTERNS + " 06 00 01 09 01 00 00", INTERNS + " 06 00 01 09 01 00", "truncated");
        assertRejected(INTERNS + " 06 00 01 00 01 02 03", INTERNS + " 06 00 01 00 01 02", "truncated");
        assertRejected(INTERNS + " 06 00 01 09 01 00 01", INTERNS + " 06 00 01 09 01 00 02", "intern index 2 not defined");
    }

    @Test
    void shouldRejectInternIndicesOutOfRangeOrUsedBeforeDefinition() throws CodecException
    {
        assertRejected(INTERNS + " 01 01", INTERNS + " 01 02", "intern index 2 not defined");
        assertRejected(INTERNS + " 01 00", "01 00 " + INTERNS, "intern index 0 not defined");
        // Field, string primary key, link target, path key and AddTable pk field are all checked.
        assertRejected(INTERNS + " 07 00 01", INTERNS + " 07 00 05", "not defined");
        assertRejected(INTERNS + " 02 00 03 01", INTERNS + " 02 00 03 07", "not defined");
        final String update = INTERNS + " 04 00 01 05 01 ";
        assertRejected(update + "00 09 00 00 00", update + "00 09 09 00 00", "not defined");
        assertRejected(update + "01 40 01 00 00", update + "01 40 08 00 00", "not defined");
        assertRejected(INTERNS + " 00 00 00 01 01 00", INTERNS + " 00 00 00 02 01 00", "not defined");
        assertRejected(INTERNS + " 01 00", INTERNS + " 01 80 80 80 80 10", "uint32 out of range");
    }

    @Test
    void shouldRejectInternIndicesOutOfSequence() throws CodecException
    {
        assertRejected("3F 00 01 54", "3F 01 01 54", "out of sequence");
        assertRejected("3F 00 01 54 3F 01 01 55", "3F 00 01 54 3F 00 01 55", "out of sequence");
        assertRejected("3F 00 01 54 3F 01 01 55", "3F 00 01 54 3F 02 01 55", "out of sequence");
    }

    @Test
    void shouldRejectDuplicateInternedStrings() throws CodecException
    {
        assertRejected("3F 00 01 54 3F 01 01 55", "3F 00 01 54 3F 01 01 54", "duplicate interned string");
        assertRejected("3F 00 00 3F 01 01 55", "3F 00 00 3F 01 00", "duplicate interned string");
        final String longName = "41".repeat(40);
        assertRejected("3F 00 28 " + longName + " 3F 01 28 " + "42".repeat(40),
            "3F 00 28 " + longName + " 3F 01 28 " + longName, "duplicate interned string");
    }

    @Test
    void shouldRejectStringsAndBinariesLongerThanTheRest() throws CodecException
    {
        assertRejected("3F 00 02 54 54", "3F 00 03 54 54", "exceeds the bytes left");
        assertRejected("3F 00 02 54 54", "3F 00 FF FF FF FF FF FF FF FF FF 01 54 54", "exceeds the bytes left");
        final String update = INTERNS + " 04 00 01 05 01 00 ";
        assertRejected(update + "03 02 68 69 00", update + "03 04 68 69 00", "exceeds the bytes left");
        assertRejected(update + "04 02 68 69 00", update + "04 04 68 69 00", "exceeds the bytes left");
        assertRejected(update + "04 02 68 69 00", update + "04 FF FF FF FF 07 68 69 00", "exceeds the bytes left");
        assertRejected(update + "0A 000102030405060708090A0B 00", update + "0A 000102030405060708090A 00", "");
        assertRejected(update + "0B 000102030405060708090A0B0C0D0E0F 00", update + "0B 000102030405060708090A0B0C0D0E", "truncated");
        assertRejected(update + "06 0000803F 00", update + "06 0000803F", "truncated");
        assertRejected(update + "07 000000000000F03F 00", update + "07 000000000000F03F", "truncated");
        assertRejected(update + "07 000000000000F03F 00", update + "07 0000000000F03F", "truncated");
    }

    @Test
    void shouldRejectNegativeSizes() throws CodecException
    {
        final String update = INTERNS + " 04 00 01 05 01 ";
        assertRejected(update + "00 03 02 68 69 00", update + "00 03 41 68 69 00", "negative value in unsigned field");
        assertRejected(update + "00 03 00 00", update + "40 03 00 00", "negative value in unsigned field");
        assertRejected(INTERNS + " 08 00 01 05 01 01 00 00 00", INTERNS + " 08 00 01 05 01 01 00 00 40", "negative");
        assertRejected(INTERNS + " 09 00 01 05 01 01 00 01 02", INTERNS + " 09 00 01 05 01 01 00 41 02", "negative");
    }

    @Test
    void shouldRejectPathsLongerThanTheRestOrTheLimit() throws CodecException
    {
        final String update = INTERNS + " 04 00 01 05 01 ";
        assertRejected(update + "02 00 01 00 00", update + "30 00 01 00 00", "path length 48 exceeds the bytes left");
        assertRejected(update + "02 00 01 00 00", update + "FF FF FF FF 0F 00 01 00 00", "exceeds the bytes left");
        // The decoder under test is limited to 16 elements.
        assertRejected(update + "10" + " 00".repeat(16) + " 00 00", update + "11" + " 00".repeat(17) + " 00 00",
            "exceeds the limit 16");
    }

    @Test
    void shouldRejectBadPathElements() throws CodecException
    {
        final String update = INTERNS + " 04 00 01 05 01 ";
        assertRejected(update + "01 40 00 00 00", update + "01 41 00 00 00", "bad path element -2");
        assertRejected(update + "01 FF FF FF FF 0F 00 00", update + "01 80 80 80 80 10 00 00", "path index out of uint32 range");
    }

    @Test
    void shouldRejectInvalidBools() throws CodecException
    {
        final String update = INTERNS + " 04 00 01 05 01 00 ";
        assertRejected(update + "00 01", update + "00 02", "bool must be 0 or 1");
        assertRejected(update + "02 01 00", update + "02 02 00", "bool must be 0 or 1");
        assertRejected(update + "02 01 00", update + "02 80 01 00", "bool must be 0 or 1");
        assertRejected(INTERNS + " 00 00 00 01 01 01", INTERNS + " 00 00 00 01 01 02", "bool must be 0 or 1");
        assertRejected(INTERNS + " 06 00 01 03 01 00", INTERNS + " 06 00 01 03 03 00", "bool must be 0 or 1");
    }

    @Test
    void shouldRejectTimestampsRealmCannotRepresent() throws CodecException
    {
        final String update = INTERNS + " 04 00 01 05 01 00 05 ";
        // 999,999,999 ns is fine, 10^9 is not; negative seconds take non-positive nanoseconds.
        assertRejected(update + "01 FF 93 EB DC 03 00", update + "01 80 94 EB DC 03 00", "nanoseconds out of range");
        assertRejected(update + "40 FE 93 EB DC 43 00", update + "40 FF 93 EB DC 43 00", "nanoseconds out of range");
        assertRejected(update + "40 40 00", update + "40 01 00", "differ in sign");
        assertRejected(update + "01 01 00", update + "01 40 00", "differ in sign");
        assertThat(decode(update + "00 40 00")).isEqualTo(1);
    }

    @Test
    void shouldRejectDecimalsOutOfRange() throws CodecException
    {
        final String update = INTERNS + " 04 00 01 05 01 00 08 ";
        final String max113Bits = "FF".repeat(16) + " 01";
        assertRejected(update + max113Bits + " 00 00 00", update + "FF".repeat(16) + " 02 00 00 00", "exceeds 113 bits");
        assertRejected(update + max113Bits + " 00 00 00", update + "FF".repeat(17) + " 00 00 00 00", "longer than 17 bytes");
        assertRejected(update + "3F 00 00 00", update + "40 00 00 00", "non-canonical Decimal128");
        assertRejected(update + "C0 00 00 00 00", update + "80 00 00 00 00", "non-canonical Decimal128");
        // Exponent: 14 bits biased by 6176.
        assertRejected(update + "01 9F 70 00 00", update + "01 A0 70 00 00", "exponent out of range");
        assertRejected(update + "01 DF CF 00 00 00", update + "01 E0 CF 00 00 00", "exponent out of range");
        assertRejected(update + "01 00 01 00", update + "01 00 02 00", "sign must be 0 or 1");
        assertRejected(update + "01 00 01 00", update + "01", "truncated");
    }

    @Test
    void shouldRejectArrayInstructionsWhosePathDoesNotEndInAnIndex() throws CodecException
    {
        assertRejected(INTERNS + " 08 00 01 05 01 01 00 00 00", INTERNS + " 08 00 01 05 01 00 00 00",
            "ArrayInsert path does not end in an index");
        assertRejected(INTERNS + " 09 00 01 05 01 01 01 01 02", INTERNS + " 09 00 01 05 01 01 40 00 01 02",
            "ArrayMove path does not end in an index");
        assertRejected(INTERNS + " 0A 00 01 05 01 01 02 03", INTERNS + " 0A 00 01 05 01 00 03",
            "ArrayErase path does not end in an index");
    }

    @Test
    void shouldRejectIndicesAndPriorSizesOutOfUint32Range() throws CodecException
    {
        final String arrayMove = INTERNS + " 09 00 01 05 01 01 01 ";
        assertRejected(arrayMove + "FF FF FF FF 0F 02", arrayMove + "80 80 80 80 10 02", "uint32 out of range");
        assertRejected(arrayMove + "02 FF FF FF FF 0F", arrayMove + "02 80 80 80 80 10", "uint32 out of range");
        final String listUpdate = INTERNS + " 04 00 01 05 01 01 00 01 05 ";
        assertRejected(listUpdate + "FF FF FF FF 0F", listUpdate + "80 80 80 80 10", "uint32 out of range");
    }

    @Test
    void shouldRejectTrailingGarbage() throws CodecException
    {
        assertRejected(INTERNS + " 01 00", INTERNS + " 01 00 01", "truncated");
        assertRejected(INTERNS + " 01 00", INTERNS + " 01 00 04 00 01", "truncated");
        assertRejected(INTERNS + " 01 00", INTERNS + " 01 00 3F", "truncated");
        assertRejected(INTERNS + " 01 00", INTERNS + " 01 00 FF", "");
    }

    @Test
    void shouldRejectNonCanonicalIntegersAnywhere() throws CodecException
    {
        assertRejected(INTERNS + " 01 00", INTERNS + " 01 80 00", "non-canonical integer");
        assertRejected(INTERNS + " 02 00 01 05", INTERNS + " 02 00 01 85 00", "non-canonical integer");
        assertRejected(INTERNS + " 02 00 01 05", INTERNS + " 02 00 81 00 05", "non-canonical integer");
        assertRejected("3F 00 01 54", "3F 00 81 00 54", "non-canonical integer");
        // Two-byte forms (the decoder's fast path): sign on an unsigned field, zero high bits.
        assertRejected(INTERNS + " 01 00", INTERNS + " 01 80 41", "negative value in unsigned field");
        assertRejected(INTERNS + " 02 00 01 C0 00", INTERNS + " 02 00 01 BF 00", "non-canonical integer");
        assertRejected(INTERNS + " 02 00 01 C0 40", INTERNS + " 02 00 01 80 40", "non-canonical integer");
    }

    @Test
    void shouldRejectAChangesetOutsideItsBuffer()
    {
        final UnsafeBuffer b = new UnsafeBuffer(new byte[4]);
        final ChangesetDecoder d = new ChangesetDecoder();
        assertThatThrownBy(() -> d.decode(b, 2, 3, new Model.Recorder())).isInstanceOf(CodecException.class);
        assertThatThrownBy(() -> d.decode(b, -1, 1, new Model.Recorder())).isInstanceOf(CodecException.class);
        assertThatThrownBy(() -> d.decode(b, 0, -1, new Model.Recorder())).isInstanceOf(CodecException.class);
    }

    @Test
    void shouldForgetTheInternTableOfThePreviousChangeset() throws CodecException
    {
        final ChangesetDecoder d = new ChangesetDecoder();
        final byte[] first = bytes(INTERNS + " 01 01");
        assertThat(d.decode(new UnsafeBuffer(first), 0, first.length, new Model.Recorder())).isEqualTo(1);
        final byte[] second = bytes("01 00");
        assertThatThrownBy(() -> d.decode(new UnsafeBuffer(second), 0, second.length, new Model.Recorder()))
            .isInstanceOf(CodecException.class).hasMessageContaining("not defined");
        // The same strings again are not duplicates of the previous changeset's.
        assertThat(d.decode(new UnsafeBuffer(first), 0, first.length, new Model.Recorder())).isEqualTo(1);
    }
}
