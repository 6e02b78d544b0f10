package dev.outpost.ot.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.outpost.codec.CodecException;
import dev.outpost.codec.ProtocolErrorCode;
import dev.outpost.codec.changeset.Instr;

class ModelRoundTripTest
{
    private static final String OID = "6b02edb471ef9c3db21348e6";

    /** Protocol doc 3.7 worked example (102 bytes). */
    private static final String WORKED_EXAMPLE =
        "3f00045461736b" + "3f01035f6964" + "3f02046e616d65" + "3f0304646f6e65" +
        "00000000010a00" .substring(2) +
        "060002030000" + "060003020000" +
        "02000a" + OID +
        "04000a" + OID + "020003026869" + "00" +
        "04000a" + OID + "03000201" + "00";

    /** The two changesets of the captured PBS upload (real-client.md). */
    private static final String CAPTURED_1 = "3f00044974656d3f01035f6964000000010a003f02046e616d653f0300060002030000";
    private static final String CAPTURED_2 =
        "3f00044974656d02000a" + OID + "3f01046e616d6504000a" + OID + "0100030e68656c6c6f2d66726f6d2d70627300";

    private final ChangesetReader reader = new ChangesetReader();
    private final ChangesetWriter writer = new ChangesetWriter();

    @Test
    void shouldDecodeWorkedExampleIntoModel() throws CodecException
    {
        final byte[] bytes = HexFormat.of().parseHex(WORKED_EXAMPLE);
        assertThat(bytes).hasSize(102);

        final Changeset c = reader.read(bytes);

        final PrimaryKey oid = PrimaryKey.ofObjectId(HexFormat.of().parseHex(OID));
        final Changeset expected = new Changeset()
            .add(new AddTable("Task", Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_OBJECT_ID, false))
            .add(new AddColumn("Task", "name", Instr.TYPE_STRING, false))
            .add(new AddColumn("Task", "done", Instr.TYPE_BOOL, false))
            .add(new CreateObject("Task", oid))
            .add(new Update("Task", oid, "name", new Path(), Payload.ofString("hi"), false))
            .add(new Update("Task", oid, "done", new Path(), Payload.ofBool(true), false));
        assertThat(c).isEqualTo(expected);
    }

    @Test
    void shouldRoundTripWorkedExampleByteIdentically() throws CodecException
    {
        assertRoundTrip(WORKED_EXAMPLE);
    }

    @Test
    void shouldInternInFirstUseOrderLikeRealmsEncoderWhenBuiltFromScratch() throws CodecException
    {
        final PrimaryKey oid = PrimaryKey.ofObjectId(HexFormat.of().parseHex(OID));
        final Changeset fresh = new Changeset()
            .add(new CreateObject("Item", oid))
            .add(new Update("Item", oid, "name", new Path(), Payload.ofString("hello-from-pbs"), false));

        assertThat(HexFormat.of().formatHex(writer.toBytes(fresh))).isEqualTo(CAPTURED_2);
        assertThat(reader.read(HexFormat.of().parseHex(CAPTURED_2))).isEqualTo(fresh);
    }

    @Test
    void shouldRoundTripCapturedClientChangesetsByteIdentically() throws CodecException
    {
        assertRoundTrip(CAPTURED_1);
        assertRoundTrip(CAPTURED_2);
        final Changeset first = reader.read(HexFormat.of().parseHex(CAPTURED_1));
        assertThat(first.get(1)).isEqualTo(new AddColumn("Item", "name", Instr.TYPE_STRING, false));
        assertThat(first.get(1).declaredStrings()).containsExactly("name", "");
    }

    @Test
    void shouldRoundTripEveryPayloadAndKeyType() throws CodecException
    {
        final byte[] oid = HexFormat.of().parseHex(OID);
        final byte[] uuid = HexFormat.of().parseHex("00112233445566778899aabbccddeeff");
        final Changeset c = new Changeset();
        c.add(AddTable.embedded("Emb"));
        c.add(new AddTable("A", Instr.TABLE_TOP_LEVEL_ASYMMETRIC, "id", Instr.TYPE_UUID, true));
        c.add(new AddColumn("T", "links", Instr.TYPE_LINK, false, Instr.COLLECTION_LIST, "U", 0));
        c.add(new AddColumn("T", "dict", Instr.TYPE_NULL, true, Instr.COLLECTION_DICTIONARY, null, Instr.TYPE_STRING));
        c.add(new EraseColumn("T", "old"));
        c.add(new EraseTable("Old"));
        final PrimaryKey[] keys = {PrimaryKey.ofNull(), PrimaryKey.ofInt(-5), PrimaryKey.ofString("k"),
            PrimaryKey.ofObjectId(oid), PrimaryKey.ofUuid(uuid), PrimaryKey.ofGlobalKey(1, 2)};
        final Payload[] values = {Payload.ofNull(), Payload.ofInt(Long.MIN_VALUE), Payload.ofBool(true),
            Payload.ofString("s"), Payload.ofBinary(new byte[] {1, 2}), Payload.ofTimestamp(-3, -999_999_999),
            Payload.ofFloat(1.5f), Payload.ofDouble(-2.25), Payload.ofDecimal(12345, 7, -3, true),
            Payload.ofLink("U", PrimaryKey.ofString("target")), Payload.ofObjectId(oid), Payload.ofUuid(uuid),
            Payload.erased(), Payload.objectValue(), Payload.list(), Payload.dictionary(), Payload.set()};
        for (final PrimaryKey k : keys)
        {
            c.add(new CreateObject("T", k));
            c.add(new EraseObject("T", k));
        }
        for (final Payload v : values)
        {
            c.add(new Update("T", keys[2], "f", Path.of("a", 3, "b"), v, true));
            c.add(new SetInsert("T", keys[3], "s", Path.of(), v));
            c.add(new SetErase("T", keys[4], "s", Path.of(1), v));
        }
        c.add(new Update("T", keys[1], "l", Path.of(0), Payload.ofInt(1), false, 4));
        c.add(new AddInteger("T", keys[1], "n", Path.of("x"), -9));
        c.add(new ArrayInsert("T", keys[1], "l", Path.of(2), Payload.ofInt(1), 4));
        c.add(new ArrayMove("T", keys[1], "l", Path.of(2), 0, 5));
        c.add(new ArrayErase("T", keys[1], "l", Path.of(1), 5));
        c.add(new Clear("T", keys[1], "l", Path.of(), Instr.COLLECTION_LIST));

        final byte[] bytes = writer.toBytes(c);
        final Changeset back = reader.read(bytes);
        assertThat(back).isEqualTo(c);
        assertThat(writer.toBytes(back)).isEqualTo(bytes);
    }

    @Test
    void shouldRejectInvalidUtf8InternStringAsBadChangeset()
    {
        assertThatThrownBy(() -> reader.read(HexFormat.of().parseHex("3f0002c3280100")))
            .isInstanceOfSatisfying(CodecException.class,
                e -> assertThat(e.errorCode()).isEqualTo(ProtocolErrorCode.BAD_CHANGESET));
    }

    @Test
    void shouldDecodeAsciiAndMultiByteInternStringsExactly() throws CodecException
    {
        final String multi = "T\u00e2che \u65e5\ud83d\ude42";
        final byte[] utf8 = multi.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        final String hex = "3f00045461736b" + "3f0102007f" +
            String.format("3f02%02x", utf8.length) + HexFormat.of().formatHex(utf8);

        final Changeset c = reader.read(HexFormat.of().parseHex(hex));

        assertThat(c.trailingStrings()).containsExactly("Task", "\u0000\u007f", multi);
    }

    @Test
    void shouldRejectInvalidUtf8AfterAsciiPrefixAsBadChangeset()
    {
        assertThatThrownBy(() -> reader.read(HexFormat.of().parseHex("3f00034142ff")))
            .isInstanceOfSatisfying(CodecException.class,
                e -> assertThat(e.errorCode()).isEqualTo(ProtocolErrorCode.BAD_CHANGESET));
    }

    @Test
    void shouldRejectTruncatedInputAsBadChangeset()
    {
        final String truncated = WORKED_EXAMPLE.substring(0, WORKED_EXAMPLE.length() - 4);
        assertThatThrownBy(() -> reader.read(HexFormat.of().parseHex(truncated)))
            .isInstanceOfSatisfying(CodecException.class,
                e -> assertThat(e.errorCode()).isEqualTo(ProtocolErrorCode.BAD_CHANGESET));
    }

    private void assertRoundTrip(final String hex) throws CodecException
    {
        final Changeset c = reader.read(HexFormat.of().parseHex(hex));
        assertThat(HexFormat.of().formatHex(writer.toBytes(c))).isEqualTo(hex);
        assertThat(HexFormat.of().formatHex(writer.toBytes(c.copy()))).isEqualTo(hex);
    }
}
