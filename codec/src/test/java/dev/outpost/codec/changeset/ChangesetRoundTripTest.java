package dev.outpost.codec.changeset;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import dev.outpost.codec.CodecException;
import dev.outpost.codec.ProtocolErrorCode;
import dev.outpost.codec.changeset.Model.Ins;
import dev.outpost.codec.changeset.Model.Key;
import dev.outpost.codec.changeset.Model.Value;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Random instruction streams over every instruction, payload, primary-key and collection type: encoding them from
 * scratch, decoding and re-encoding gives identical bytes and the decoded fields equal the generated ones.
 */
class ChangesetRoundTripTest
{
    @Property(tries = 500)
    void shouldRoundTripRandomInstructionStreams(@ForAll("instructionStreams") final List<Ins> instructions)
        throws CodecException
    {
        final byte[] bytes = Model.encode(instructions);

        final Model.Recorder recorder = new Model.Recorder();
        final int n = new ChangesetDecoder().decode(new UnsafeBuffer(bytes), 0, bytes.length, recorder);
        assertThat(n).isEqualTo(instructions.size());
        assertThat(recorder.instructions).as(ChangesetPrinter.print(bytes)).isEqualTo(instructions);

        assertThat(ChangesetGoldenTest.reencode(bytes)).isEqualTo(bytes);
    }

    @Property(tries = 300)
    void shouldDecodeAtAnOffsetInsideALargerBuffer(
        @ForAll("instructionStreams") final List<Ins> instructions, @ForAll @IntRange(max = 40) final int offset)
        throws CodecException
    {
        final byte[] bytes = Model.encode(instructions);
        final ExpandableArrayBuffer framed = new ExpandableArrayBuffer(4);
        for (int i = 0; i < offset; i++)
        {
            framed.putByte(i, (byte)0xFF);
        }
        framed.putBytes(offset, bytes);
        framed.putByte(offset + bytes.length, (byte)0xFF);

        final ExpandableArrayBuffer out = new ExpandableArrayBuffer(4);
        final ChangesetEncoder encoder = new ChangesetEncoder().wrap(out, 3);
        new ChangesetDecoder().decode(framed, offset, bytes.length, encoder);
        final byte[] again = new byte[encoder.length()];
        out.getBytes(3, again);
        assertThat(again).isEqualTo(bytes);
    }

    /** Any single corruption is either rejected or yields a changeset that re-encodes to itself. */
    @Property(tries = 1000)
    void shouldRejectOrFaithfullyDecodeMutatedChangesets(
        @ForAll("instructionStreams") final List<Ins> instructions,
        @ForAll @IntRange(max = 3) final int kind,
        @ForAll @IntRange(max = 100_000) final int where,
        @ForAll final byte what)
    {
        final byte[] valid = Model.encode(instructions);
        if (valid.length == 0)
        {
            return;
        }
        final int at = where % valid.length;
        final byte[] bytes;
        switch (kind)
        {
            case 0: // replace
                bytes = valid.clone();
                bytes[at] = what;
                break;
            case 1: // delete
                bytes = new byte[valid.length - 1];
                System.arraycopy(valid, 0, bytes, 0, at);
                System.arraycopy(valid, at + 1, bytes, at, valid.length - at - 1);
                break;
            case 2: // insert
                bytes = new byte[valid.length + 1];
                System.arraycopy(valid, 0, bytes, 0, at);
                bytes[at] = what;
                System.arraycopy(valid, at, bytes, at + 1, valid.length - at);
                break;
            default: // truncate
                bytes = java.util.Arrays.copyOf(valid, at);
                break;
        }
        ChangesetDecoderFuzzTest.check(bytes);
    }

    @Provide
    Arbitrary<List<Ins>> instructionStreams()
    {
        return instruction().list().ofMaxSize(12);
    }

    static Arbitrary<String> names()
    {
        return Arbitraries.oneOf(
            Arbitraries.of("Task", "Person", "_id", "name", "items", "tags", "address", "city", "", "\u00e9t\u00e9",
                "\uD83D\uDE00 emoji", "\u65e5\u672c"),
            Arbitraries.strings().withCharRange('a', 'z').withChars("_\u00e9\u00df\u65e5").ofMaxLength(10),
            Arbitraries.strings().withCharRange('\u0000', '\uD7FF').ofMaxLength(70));
    }

    static Arbitrary<byte[]> bytes(final int size)
    {
        return Arbitraries.bytes().array(byte[].class).ofSize(size);
    }

    static Arbitrary<Long> uint32()
    {
        return Arbitraries.oneOf(Arbitraries.longs().between(0, 100), Arbitraries.longs().between(0, 0xFFFF_FFFFL));
    }

    static Arbitrary<Key> keys()
    {
        return Arbitraries.oneOf(
            Arbitraries.just(Key.ofNull()),
            Arbitraries.longs().map(Key::ofInt),
            names().map(Key::ofString),
            Combinators.combine(Arbitraries.longs(), Arbitraries.longs()).as(Key::ofGlobalKey),
            bytes(12).map(Key::ofObjectId),
            bytes(16).map(Key::ofUuid));
    }

    static Arbitrary<Value> values()
    {
        final Arbitrary<Value> timestamp = Combinators.combine(Arbitraries.longs(), Arbitraries.integers().between(0, 999_999_999),
                Arbitraries.of(true, false))
            .as((s, n, negativeAtZero) ->
                Value.ofTimestamp(s, s < 0 || (s == 0 && negativeAtZero) ? -n : n));
        final Arbitrary<Value> decimal = Combinators.combine(Arbitraries.longs(),
                Arbitraries.longs().between(0, (1L << 49) - 1), Arbitraries.integers().between(-6176, 10207),
                Arbitraries.of(true, false))
            .as(Value::ofDecimal);
        return Arbitraries.oneOf(
            Arbitraries.of(Instr.TYPE_SET, Instr.TYPE_LIST, Instr.TYPE_ERASED, Instr.TYPE_DICTIONARY,
                Instr.TYPE_OBJECT_VALUE, Instr.TYPE_NULL).map(Value::empty),
            Arbitraries.longs().map(Value::ofInt),
            Arbitraries.of(true, false).map(Value::ofBool),
            Arbitraries.oneOf(names(), Arbitraries.strings().withCharRange('\u0000', '\uD7FF').withCharRange('\uE000', '\uFFFF').ofMaxLength(300))
                .map(Value::ofString),
            Arbitraries.bytes().array(byte[].class).ofMaxSize(200).map(Value::ofBinary),
            timestamp,
            Arbitraries.integers().map(Value::ofFloatBits),
            Arbitraries.longs().map(Value::ofDoubleBits),
            decimal,
            Combinators.combine(names(), keys()).as(Value::ofLink),
            bytes(12).map(Value::ofObjectId),
            bytes(16).map(Value::ofUuid));
    }

    static Arbitrary<List<Object>> paths()
    {
        final Arbitrary<Object> element = Arbitraries.oneOf(uint32().map(l -> (Object)l), names().map(s -> (Object)s));
        return element.list().ofMaxSize(5);
    }

    static Arbitrary<List<Object>> indexPaths()
    {
        return Combinators.combine(paths(), uint32()).as((p, i) ->
        {
            final List<Object> out = new ArrayList<>(p);
            out.add(i);
            return out;
        });
    }

    static Arbitrary<Ins> instruction()
    {
        final Arbitrary<Tuple.Tuple4<String, Key, String, List<Object>>> target =
            Combinators.combine(names(), keys(), names(), paths()).as(Tuple::of);
        final Arbitrary<Tuple.Tuple4<String, Key, String, List<Object>>> indexTarget =
            Combinators.combine(names(), keys(), names(), indexPaths()).as(Tuple::of);
        final Arbitrary<Integer> collectionType = Arbitraries.integers().between(0, 3);

        final Arbitrary<Ins> addTable = Combinators.combine(names(), Arbitraries.of(0, 1, 2), names(),
                Arbitraries.of(Instr.TYPE_INT, Instr.TYPE_STRING, Instr.TYPE_OBJECT_ID, Instr.TYPE_UUID, Instr.TYPE_GLOBAL_KEY),
                Arbitraries.of(true, false))
            .as((t, type, pk, pkType, nullable) -> type == Instr.TABLE_EMBEDDED ?
                Ins.addTable(t, type, null, 0, false) : Ins.addTable(t, type, pk, pkType, nullable));
        final Arbitrary<Ins> addColumn = Combinators.combine(names(), names(), Arbitraries.integers().between(-6, 11),
                Arbitraries.of(true, false), collectionType, names(), Arbitraries.integers().between(-6, 11))
            .as((t, f, type, nullable, ct, target2, keyType) -> Ins.addColumn(t, f, type, nullable, ct,
                type == Instr.TYPE_LINK ? target2 : null, ct == Instr.COLLECTION_DICTIONARY ? keyType : 0));
        final Arbitrary<Ins> update = Combinators.combine(target, values(), Arbitraries.of(true, false), uint32())
            .as((x, v, isDefault, priorSize) ->
            {
                final boolean array = !x.get4().isEmpty() && x.get4().get(x.get4().size() - 1) instanceof Long;
                return Ins.update(x.get1(), x.get2(), x.get3(), x.get4(), v, !array && isDefault, array ? priorSize : -1);
            });

        return Arbitraries.frequencyOf(
            Tuple.of(2, addTable),
            Tuple.of(1, names().map(Ins::eraseTable)),
            Tuple.of(2, Combinators.combine(names(), keys()).as(Ins::createObject)),
            Tuple.of(1, Combinators.combine(names(), keys()).as(Ins::eraseObject)),
            Tuple.of(6, update),
            Tuple.of(1, Combinators.combine(target, Arbitraries.longs())
                .as((x, v) -> Ins.addInteger(x.get1(), x.get2(), x.get3(), x.get4(), v))),
            Tuple.of(2, addColumn),
            Tuple.of(1, Combinators.combine(names(), names()).as(Ins::eraseColumn)),
            Tuple.of(2, Combinators.combine(indexTarget, values(), uint32())
                .as((x, v, s) -> Ins.arrayInsert(x.get1(), x.get2(), x.get3(), x.get4(), v, s))),
            Tuple.of(1, Combinators.combine(indexTarget, uint32(), uint32())
                .as((x, to, s) -> Ins.arrayMove(x.get1(), x.get2(), x.get3(), x.get4(), to, s))),
            Tuple.of(1, Combinators.combine(indexTarget, uint32())
                .as((x, s) -> Ins.arrayErase(x.get1(), x.get2(), x.get3(), x.get4(), s))),
            Tuple.of(1, Combinators.combine(target, collectionType)
                .as((x, ct) -> Ins.clear(x.get1(), x.get2(), x.get3(), x.get4(), ct))),
            Tuple.of(1, Combinators.combine(target, values())
                .as((x, v) -> Ins.setInsert(x.get1(), x.get2(), x.get3(), x.get4(), v))),
            Tuple.of(1, Combinators.combine(target, values())
                .as((x, v) -> Ins.setErase(x.get1(), x.get2(), x.get3(), x.get4(), v))));
    }

    /** Sanity for the generator: it reaches every instruction tag and payload type. */
    @Property(tries = 1)
    void shouldGenerateEveryInstructionAndPayloadType()
    {
        final java.util.Set<Integer> tags = new java.util.HashSet<>();
        final java.util.Set<Integer> payloads = new java.util.HashSet<>();
        final java.util.Set<Integer> keyTypes = new java.util.HashSet<>();
        instruction().sampleStream().limit(5000).forEach(i ->
        {
            tags.add(i.tag());
            if (i.value() != null)
            {
                payloads.add(i.value().type());
                if (i.value().link() != null)
                {
                    keyTypes.add(i.value().link().type());
                }
            }
        });
        assertThat(tags).hasSize(14);
        assertThat(payloads).hasSize(17); // all but GlobalKey
        assertThat(keyTypes).containsExactlyInAnyOrder(0, 1, 3, -1, 10, 11);
        assertThat(ProtocolErrorCode.BAD_CHANGESET.code()).isEqualTo(212);
    }
}
