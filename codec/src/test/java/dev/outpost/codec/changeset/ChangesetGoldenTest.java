package dev.outpost.codec.changeset;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import dev.outpost.codec.CodecException;
import dev.outpost.codec.changeset.Model.Ins;
import dev.outpost.codec.changeset.Model.Key;
import dev.outpost.codec.changeset.Model.Value;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/** Golden byte vectors: realm-protocol.md 3.7 (worked example, trace fragments) and a captured PBS upload. */
class ChangesetGoldenTest
{
    /** The worked example does not fix its ObjectId: this one is taken from the captured upload. */
    private static final byte[] OID = HexFormat.of().parseHex("6b02edb471ef9c3db21348e6");

    static byte[] resource(final String name) throws IOException
    {
        try (InputStream in = ChangesetGoldenTest.class.getResourceAsStream(name))
        {
            assertThat(in).as(name).isNotNull();
            return in.readAllBytes();
        }
    }

    static byte[] reencode(final byte[] changeset) throws CodecException
    {
        final ChangesetEncoder encoder = new ChangesetEncoder().wrap(new ExpandableArrayBuffer(16), 0);
        new ChangesetDecoder().decode(new UnsafeBuffer(changeset), 0, changeset.length, encoder);
        final byte[] out = new byte[encoder.length()];
        encoder.buffer().getBytes(0, out);
        return out;
    }

    static Model.Recorder decode(final byte[] changeset) throws CodecException
    {
        final Model.Recorder recorder = new Model.Recorder();
        final int n = new ChangesetDecoder().decode(new UnsafeBuffer(changeset), 0, changeset.length, recorder);
        assertThat(n).isEqualTo(recorder.instructions.size());
        return recorder;
    }

    @Test
    void shouldBuildTheWorkedExampleFromScratch() throws IOException
    {
        final ExpandableArrayBuffer out = new ExpandableArrayBuffer(8);
        final ChangesetEncoder e = new ChangesetEncoder().wrap(out, 0);
        final int task = e.intern("Task");
        final int id = e.intern("_id");
        final int name = e.intern("name");
        final int done = e.intern("done");
        assertThat(e.intern("Task")).isEqualTo(task);
        e.addTable(task, Instr.TABLE_TOP_LEVEL, id, Instr.TYPE_OBJECT_ID, false);
        e.addColumn(task, name, Instr.TYPE_STRING, false, Instr.COLLECTION_SINGLE, -1, 0);
        e.addColumn(task, done, Instr.TYPE_BOOL, false, Instr.COLLECTION_SINGLE, -1, 0);
        final PrimaryKeyView key = new PrimaryKeyView().setObjectId(new UnsafeBuffer(OID), 0);
        e.createObject(task, key);
        final PathView empty = new PathView();
        final byte[] hi = "hi".getBytes(StandardCharsets.UTF_8);
        e.update(task, key, name, empty, new PayloadView().setBytes(Instr.TYPE_STRING, new UnsafeBuffer(hi), 0, 2), false, -1);
        e.update(task, key, done, empty, new PayloadView().setBool(true), false, -1);

        assertThat(e.length()).isEqualTo(102);
        final byte[] bytes = new byte[e.length()];
        out.getBytes(0, bytes);
        assertThat(HexFormat.of().formatHex(bytes)).isEqualTo(HexFormat.of().formatHex(resource("worked-example.bin")));
    }

    @Test
    void shouldDecodeTheWorkedExample() throws Exception
    {
        final byte[] bytes = resource("worked-example.bin");
        final Model.Recorder r = decode(bytes);
        assertThat(r.interns).containsExactly("Task", "_id", "name", "done");
        final Key key = Key.ofObjectId(OID);
        assertThat(r.instructions).containsExactly(
            Ins.addTable("Task", Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_OBJECT_ID, false),
            Ins.addColumn("Task", "name", Instr.TYPE_STRING, false, Instr.COLLECTION_SINGLE, null, 0),
            Ins.addColumn("Task", "done", Instr.TYPE_BOOL, false, Instr.COLLECTION_SINGLE, null, 0),
            Ins.createObject("Task", key),
            Ins.update("Task", key, "name", List.of(), Value.ofString("hi"), false, -1),
            Ins.update("Task", key, "done", List.of(), Value.ofBool(true), false, -1));
        assertThat(reencode(bytes)).isEqualTo(bytes);
        assertThat(ChangesetPrinter.print(bytes)).isEqualTo(
            "AddTable Task (TopLevel, pk _id: ObjectId)\n" +
            "AddColumn Task.name: String\n" +
            "AddColumn Task.done: Bool\n" +
            "CreateObject Task[ObjectId(6b02edb471ef9c3db21348e6)]\n" +
            "Update Task[ObjectId(6b02edb471ef9c3db21348e6)].name = \"hi\"\n" +
            "Update Task[ObjectId(6b02edb471ef9c3db21348e6)].done = true\n");
    }

    /** Splits an upload frame (head line, then entries "v sv ts origin size " + bytes) into its changesets. */
    static List<byte[]> changesetsOfUploadFrame(final byte[] frame)
    {
        int p = 0;
        while (frame[p] != '\n')
        {
            p++;
        }
        p++;
        final List<byte[]> out = new ArrayList<>();
        while (p < frame.length)
        {
            long size = 0;
            for (int field = 0; field < 5; field++)
            {
                long v = 0;
                while (frame[p] != ' ')
                {
                    v = v * 10 + (frame[p++] - '0');
                }
                p++;
                size = v;
            }
            final byte[] changeset = new byte[(int)size];
            System.arraycopy(frame, p, changeset, 0, changeset.length);
            out.add(changeset);
            p += changeset.length;
        }
        return out;
    }

    @Test
    void shouldDecodeTheCapturedPbsUpload() throws Exception
    {
        final List<byte[]> changesets = changesetsOfUploadFrame(resource("pbs-upload-frame.bin"));
        assertThat(changesets).extracting(c -> c.length).containsExactly(35, 63);

        final Model.Recorder schema = decode(changesets.get(0));
        // The client interns an empty string it never uses.
        assertThat(schema.interns).containsExactly("Item", "_id", "name", "");
        assertThat(schema.instructions).containsExactly(
            Ins.addTable("Item", Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_OBJECT_ID, false),
            Ins.addColumn("Item", "name", Instr.TYPE_STRING, false, Instr.COLLECTION_SINGLE, null, 0));

        final Model.Recorder data = decode(changesets.get(1));
        final Key key = Key.ofObjectId(HexFormat.of().parseHex("6b02edb471ef9c3db21348e6"));
        assertThat(data.instructions).containsExactly(
            Ins.createObject("Item", key),
            Ins.update("Item", key, "name", List.of(), Value.ofString("hello-from-pbs"), false, -1));
        assertThat(ChangesetPrinter.print(changesets.get(1))).isEqualTo(
            "CreateObject Item[ObjectId(6b02edb471ef9c3db21348e6)]\n" +
            "Update Item[ObjectId(6b02edb471ef9c3db21348e6)].name = \"hello-from-pbs\"\n");

        for (final byte[] c : changesets)
        {
            assertThat(reencode(c)).isEqualTo(c);
        }
    }

    @Test
    void shouldBuildTheCapturedPbsChangesetsFromScratch() throws Exception
    {
        final List<byte[]> changesets = changesetsOfUploadFrame(resource("pbs-upload-frame.bin"));

        final ChangesetEncoder e = new ChangesetEncoder().wrap(new ExpandableArrayBuffer(8), 0);
        final int item = e.intern("Item");
        e.addTable(item, Instr.TABLE_TOP_LEVEL, e.intern("_id"), Instr.TYPE_OBJECT_ID, false);
        final int name = e.intern("name");
        e.intern("");
        e.addColumn(item, name, Instr.TYPE_STRING, false, Instr.COLLECTION_SINGLE, -1, 0);
        assertThat(bytes(e)).isEqualTo(changesets.get(0));

        e.reset();
        final PrimaryKeyView key = new PrimaryKeyView()
            .setObjectId(new UnsafeBuffer(HexFormat.of().parseHex("6b02edb471ef9c3db21348e6")), 0);
        final int item2 = e.intern("Item");
        e.createObject(item2, key);
        final byte[] hello = "hello-from-pbs".getBytes(StandardCharsets.UTF_8);
        e.update(item2, key, e.intern("name"), new PathView(),
            new PayloadView().setBytes(Instr.TYPE_STRING, new UnsafeBuffer(hello), 0, hello.length), false, -1);
        assertThat(bytes(e)).isEqualTo(changesets.get(1));
    }

    private static byte[] bytes(final ChangesetEncoder e)
    {
        final byte[] out = new byte[e.length()];
        e.buffer().getBytes(e.offset(), out);
        return out;
    }

    private static byte[] interns0to8()
    {
        final ChangesetEncoder e = new ChangesetEncoder().wrap(new ExpandableArrayBuffer(8), 0);
        for (int i = 0; i <= 8; i++)
        {
            assertThat(e.intern("s" + i)).isEqualTo(i);
        }
        return bytes(e);
    }

    private static byte[] concat(final byte[]... parts)
    {
        int n = 0;
        for (final byte[] p : parts)
        {
            n += p.length;
        }
        final byte[] out = new byte[n];
        int at = 0;
        for (final byte[] p : parts)
        {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    @Test
    void shouldDecodeTheTraceFragmentOfAFieldInsideAnEmbeddedListElement() throws Exception
    {
        // 04 00 0A <oid> 01 03 40 07 00 40 08 ...: Update, table 0, ObjectId key, field 1, path ["s7", 0, "s8"];
        // completed here with payload Int 5 and is_default 0.
        final byte[] fragment = HexFormat.of().parseHex("04000a" + "6b02edb471ef9c3db21348e6" + "0103400700" + "4008");
        final byte[] changeset = concat(interns0to8(), fragment, HexFormat.of().parseHex("010500"));
        final Model.Recorder r = decode(changeset);
        final Key key = Key.ofObjectId(OID);
        assertThat(r.instructions).containsExactly(
            Ins.update("s0", key, "s1", List.of("s7", 0L, "s8"), Value.ofInt(5), false, -1));
        assertThat(reencode(changeset)).isEqualTo(changeset);
        assertThat(Model.encode(r.interns, r.instructions)).isEqualTo(changeset);
    }

    @Test
    void shouldDecodeTheTraceFragmentOfAnEmbeddedObjectInsert() throws Exception
    {
        // 08 ... 02 40 07 00 41 00: ArrayInsert, path ["s7", 0], payload ObjectValue (41 = -2), prior_size 0.
        final byte[] fragment = HexFormat.of().parseHex("08000a" + "6b02edb471ef9c3db21348e6" + "01" + "02400700" + "4100");
        final byte[] changeset = concat(interns0to8(), fragment);
        final Model.Recorder r = decode(changeset);
        assertThat(r.instructions).containsExactly(
            Ins.arrayInsert("s0", Key.ofObjectId(OID), "s1", List.of("s7", 0L), Value.empty(Instr.TYPE_OBJECT_VALUE), 0));
        assertThat(reencode(changeset)).isEqualTo(changeset);
        assertThat(Model.encode(r.interns, r.instructions)).isEqualTo(changeset);
        assertThat(ChangesetPrinter.print(changeset))
            .isEqualTo("ArrayInsert s0[ObjectId(6b02edb471ef9c3db21348e6)].s1.s7[0] = {} (prior_size 0)\n");
    }

    @Test
    void shouldRejectEveryPrefixOfTheWorkedExampleThatCutsAnInstruction() throws Exception
    {
        final byte[] bytes = resource("worked-example.bin");
        // Instruction boundaries: after each intern and instruction.
        final int[] boundaries = {0, 7, 13, 20, 27, 33, 39, 45, 60, 82, 102};
        for (int n = 0; n <= bytes.length; n++)
        {
            final int length = n;
            boolean ok;
            try
            {
                new ChangesetDecoder().decode(new UnsafeBuffer(bytes), 0, length, new Model.Recorder());
                ok = true;
            }
            catch (final CodecException ex)
            {
                assertThat(ex.errorCode()).isEqualTo(dev.outpost.codec.ProtocolErrorCode.BAD_CHANGESET);
                ok = false;
            }
            final boolean boundary = java.util.Arrays.stream(boundaries).anyMatch(b -> b == length);
            assertThat(ok).as("prefix of %d bytes", n).isEqualTo(boundary);
        }
    }
}
