package dev.outpost.codec.changeset;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import java.util.List;

import dev.outpost.codec.changeset.Model.Ins;
import dev.outpost.codec.changeset.Model.Key;
import dev.outpost.codec.changeset.Model.Value;
import org.junit.jupiter.api.Test;

class ChangesetPrinterTest
{
    private static final byte[] OID = HexFormat.of().parseHex("6b02edb471ef9c3db21348e6");
    private static final byte[] UUID = HexFormat.of().parseHex("00112233445566778899aabbccddeeff");

    @Test
    void shouldRenderEveryInstruction()
    {
        final Key oid = Key.ofObjectId(OID);
        final List<Object> items0 = List.of(0L);
        final byte[] bytes = Model.encode(List.of(
            Ins.addTable("Task", Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_OBJECT_ID, false),
            Ins.addTable("Log", Instr.TABLE_TOP_LEVEL_ASYMMETRIC, "_id", Instr.TYPE_UUID, true),
            Ins.addTable("Address", Instr.TABLE_EMBEDDED, null, 0, false),
            Ins.addColumn("Task", "owner", Instr.TYPE_LINK, true, Instr.COLLECTION_SINGLE, "Person", 0),
            Ins.addColumn("Task", "tags", Instr.TYPE_STRING, false, Instr.COLLECTION_SET, null, 0),
            Ins.addColumn("Task", "extra", Instr.TYPE_NULL, true, Instr.COLLECTION_DICTIONARY, null, Instr.TYPE_STRING),
            Ins.addColumn("Task", "scores", Instr.TYPE_INT, false, Instr.COLLECTION_LIST, null, 0),
            Ins.createObject("Task", oid),
            Ins.update("Task", oid, "name", List.of(), Value.ofString("say \"hi\"\n"), true, -1),
            Ins.update("Task", oid, "extra", List.of("k"), Value.empty(Instr.TYPE_LIST), false, -1),
            Ins.update("Task", oid, "extra", List.of("k", 3L), Value.ofDecimal(12345, 0, -2, true), false, 4),
            Ins.update("Task", Key.ofInt(-7), "owner", List.of(), Value.ofLink("Person", Key.ofString("bob")), false, -1),
            Ins.update("Task", Key.ofNull(), "at", List.of(), Value.ofTimestamp(-1, -5), false, -1),
            Ins.update("Task", Key.ofGlobalKey(-1, 2), "blob", List.of(), Value.ofBinary(new byte[] {1, (byte)0xAB}), false, -1),
            Ins.update("Task", Key.ofUuid(UUID), "f", List.of(), Value.ofFloatBits(Float.floatToIntBits(1.5f)), false, -1),
            Ins.update("Task", oid, "d", List.of(), Value.ofDoubleBits(Double.doubleToLongBits(-0.25)), false, -1),
            Ins.update("Task", oid, "u", List.of(), Value.ofUuid(UUID), false, -1),
            Ins.update("Task", oid, "extra", List.of("gone"), Value.empty(Instr.TYPE_ERASED), false, -1),
            Ins.addInteger("Task", oid, "count", List.of(), 5),
            Ins.arrayInsert("Task", oid, "items", items0, Value.empty(Instr.TYPE_OBJECT_VALUE), 0),
            Ins.arrayMove("Task", oid, "scores", List.of(1L), 0, 2),
            Ins.arrayErase("Task", oid, "scores", List.of(1L), 2),
            Ins.clear("Task", oid, "tags", List.of(), Instr.COLLECTION_SET),
            Ins.setInsert("Task", oid, "tags", List.of(), Value.ofString("x")),
            Ins.setErase("Task", oid, "tags", List.of(), Value.ofObjectId(OID)),
            Ins.eraseObject("Task", oid),
            Ins.eraseColumn("Task", "tags"),
            Ins.eraseTable("Log")));

        final String t = "Task[ObjectId(6b02edb471ef9c3db21348e6)]";
        assertThat(ChangesetPrinter.print(bytes)).isEqualTo(String.join("\n",
            "AddTable Task (TopLevel, pk _id: ObjectId)",
            "AddTable Log (TopLevelAsymmetric, pk _id: UUID?)",
            "AddTable Address (Embedded)",
            "AddColumn Task.owner: Link -> Person?",
            "AddColumn Task.tags: Set<String>",
            "AddColumn Task.extra: Dictionary<String, Mixed?>",
            "AddColumn Task.scores: List<Int>",
            "CreateObject " + t,
            "Update " + t + ".name = \"say \\\"hi\\\"\\n\" (default)",
            "Update " + t + ".extra.k = []",
            "Update " + t + ".extra.k[3] = Decimal128(-12345E-2) (prior_size 4)",
            "Update Task[-7].owner = Link(Person[\"bob\"])",
            "Update Task[null].at = Timestamp(-1, -5)",
            "Update Task[GlobalKey(18446744073709551615, 2)].blob = Binary(2 bytes: 01ab)",
            "Update Task[UUID(00112233-4455-6677-8899-aabbccddeeff)].f = 1.5f",
            "Update " + t + ".d = -0.25",
            "Update " + t + ".u = UUID(00112233-4455-6677-8899-aabbccddeeff)",
            "Update " + t + ".extra.gone = <erased>",
            "AddInteger " + t + ".count += 5",
            "ArrayInsert " + t + ".items[0] = {} (prior_size 0)",
            "ArrayMove " + t + ".scores[1] -> 0 (prior_size 2)",
            "ArrayErase " + t + ".scores[1] (prior_size 2)",
            "Clear " + t + ".tags (Set)",
            "SetInsert " + t + ".tags += \"x\"",
            "SetErase " + t + ".tags -= ObjectId(6b02edb471ef9c3db21348e6)",
            "EraseObject " + t,
            "EraseColumn Task.tags",
            "EraseTable Log",
            ""));
    }

    @Test
    void shouldCutLongStringsAndReportErrors()
    {
        final byte[] bytes = Model.encode(List.of(
            Ins.update("T", Key.ofInt(1), "s", List.of(), Value.ofString("a".repeat(100)), false, -1)));
        final String text = ChangesetPrinter.print(bytes);
        assertThat(text).isEqualTo("Update T[1].s = \"" + "a".repeat(80) + "\"...(100 bytes)\n");
        final byte[] truncated = java.util.Arrays.copyOf(bytes, bytes.length - 1);
        assertThat(ChangesetPrinter.print(truncated)).startsWith("!! truncated integer at offset");
    }

    @Test
    void shouldShowInternsOnRequest() throws Exception
    {
        final StringBuilder sb = new StringBuilder();
        final byte[] bytes = Model.encode(List.of(Ins.eraseTable("T\u00e9")));
        new ChangesetDecoder().decode(new org.agrona.concurrent.UnsafeBuffer(bytes), 0, bytes.length, new ChangesetPrinter(sb, true));
        assertThat(sb.toString()).isEqualTo("Intern 0 = \"T\u00e9\"\nEraseTable T\u00e9\n");
    }
}
