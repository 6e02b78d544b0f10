package dev.outpost.ot.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import dev.outpost.codec.CodecException;
import dev.outpost.codec.changeset.Instr;
import dev.outpost.ot.state.BadChangesetException;
import dev.outpost.ot.state.ChangesetApplier;
import dev.outpost.ot.state.InstructionSink;
import dev.outpost.ot.state.SinkDecoder;

/**
 * {@link SinkDecoder} hands an {@link InstructionSink} exactly what the model path ({@link ChangesetReader}, then
 * {@link ChangesetApplier#replay(Changeset, InstructionSink)}) hands it: the same calls with equal arguments, for
 * every instruction kind, and it refuses the same bytes.
 */
class SinkDecoderTest
{
    private final ChangesetWriter writer = new ChangesetWriter();
    private final ChangesetReader reader = new ChangesetReader();
    private final SinkDecoder decoder = new SinkDecoder();

    @Test
    void shouldHandEveryInstructionKindAsTheModelPathDoes() throws Exception
    {
        final Changeset c = new Changeset();
        final PrimaryKey k = PrimaryKey.ofString("k1");
        c.add(new AddTable("Item", Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_STRING, false));
        c.add(AddTable.embedded("Address"));
        c.add(new AddColumn("Item", "link", Instr.TYPE_LINK, true, Instr.COLLECTION_SINGLE, "Item", 0));
        c.add(new CreateObject("Item", k));
        c.add(new Update("Item", k, "name", new Path(), Payload.ofString("n\u00e9"), false));
        c.add(new AddInteger("Item", k, "n", new Path(), 5));
        c.add(new ArrayInsert("Item", k, "list", Path.of(new Object[]{0L}), Payload.ofInt(1), 0));
        c.add(new ArrayMove("Item", k, "list", Path.of(new Object[]{0L}), 0, 1));
        c.add(new ArrayErase("Item", k, "list", Path.of(new Object[]{0L}), 1));
        c.add(new Clear("Item", k, "dict", new Path(), Instr.COLLECTION_DICTIONARY));
        c.add(new SetInsert("Item", k, "set", new Path(), Payload.ofObjectId(new byte[12])));
        c.add(new SetErase("Item", k, "set", new Path(), Payload.ofLink("Item", PrimaryKey.ofInt(7))));
        c.add(new EraseObject("Item", k));
        c.add(new EraseColumn("Item", "link"));
        c.add(new EraseTable("Item"));
        final byte[] bytes = writer.toBytes(c);

        final Recorder streamed = new Recorder(-1);
        decoder.decode(new UnsafeBuffer(bytes), 0, bytes.length, streamed);
        final Recorder model = new Recorder(-1);
        ChangesetApplier.replay(reader.read(bytes), model);

        assertThat(streamed.calls).hasSize(15).isEqualTo(model.calls);
        final Set<Object> kinds = new TreeSet<>();
        streamed.calls.forEach(call -> kinds.add(call.get(0)));
        assertThat(kinds).hasSize(14); // every instruction kind, none dropped
    }

    @Property(tries = 400)
    void shouldHandGeneratedChangesetsAsTheModelPathDoes(@ForAll final long seed) throws Exception
    {
        final Random random = new Random(seed);
        for (int n = 0; n < 5; n++) // several changesets through one decoder: its string cache is reused
        {
            final byte[] bytes = generated(random);
            final int refuseAt = random.nextInt(3) == 0 ? random.nextInt(8) : -1;
            final Recorder model = new Recorder(refuseAt);
            final Outcome expected = outcome(() -> ChangesetApplier.replay(reader.read(bytes), model));
            final Recorder streamed = new Recorder(refuseAt);
            final Outcome actual = outcome(() -> decoder.decode(new UnsafeBuffer(bytes), 0, bytes.length, streamed));
            assertThat(actual).isEqualTo(expected);
            assertThat(streamed.calls).isEqualTo(model.calls);
        }
    }

    @Property(tries = 400)
    void shouldRefuseTheBytesTheModelPathRefuses(@ForAll final long seed) throws Exception
    {
        final Random random = new Random(seed);
        final byte[] bytes = generated(random);
        final byte[] damaged = random.nextBoolean() ? Arrays.copyOf(bytes, random.nextInt(bytes.length + 1)) : bytes;
        for (int i = random.nextInt(3); i >= 0 && damaged.length > 0; i--)
        {
            damaged[random.nextInt(damaged.length)] = (byte)random.nextInt(256);
        }
        final Recorder model = new Recorder(-1);
        final Outcome expected = outcome(() -> ChangesetApplier.replay(reader.read(damaged), model));
        final Recorder streamed = new Recorder(-1);
        final Outcome actual = outcome(() -> decoder.decode(new UnsafeBuffer(damaged), 0, damaged.length, streamed));
        assertThat(actual).isEqualTo(expected);
        if (Outcome.OK == expected)
        {
            assertThat(streamed.calls).isEqualTo(model.calls);
        }
    }

    @Test
    void shouldRefuseAnInternStringThatIsNotUtf8AsTheReaderDoes()
    {
        final byte[] bytes = writer.toBytes(changesetOf(new CreateObject("Item\u00e9", PrimaryKey.ofInt(1))));
        // the intern string's bytes: "Item" then C3 A9; make the last one a stray lead byte
        final int at = indexOf(bytes, (byte)0xA9);
        bytes[at] = (byte)0xC3;
        assertThatThrownBy(() -> reader.read(bytes)).isInstanceOf(CodecException.class);
        assertThatThrownBy(() -> decoder.decode(new UnsafeBuffer(bytes), 0, bytes.length, new Recorder(-1)))
            .isInstanceOf(CodecException.class);
    }

    @Test
    void shouldKeepDistinctNamesDistinctAcrossChangesets() throws Exception
    {
        // many names through one decoder: cached strings are reused only for the same bytes
        for (int i = 0; i < 2_000; i++)
        {
            final String name = "C" + i;
            final byte[] bytes = writer.toBytes(changesetOf(new CreateObject(name, PrimaryKey.ofString(name + "k"))));
            final Recorder r = new Recorder(-1);
            decoder.decode(new UnsafeBuffer(bytes), 0, bytes.length, r);
            assertThat(r.calls).containsExactly(List.of("createObject", name,
                new dev.outpost.ot.state.Value.Str(name + "k")));
        }
    }

    private static int indexOf(final byte[] bytes, final byte b)
    {
        for (int i = bytes.length - 1; i >= 0; i--)
        {
            if (bytes[i] == b)
            {
                return i;
            }
        }
        throw new AssertionError("byte not found");
    }

    private static Changeset changesetOf(final Instruction... instructions)
    {
        final Changeset c = new Changeset();
        for (final Instruction i : instructions)
        {
            c.add(i);
        }
        return c;
    }

    private byte[] generated(final Random random)
    {
        final Changeset c = new Changeset();
        for (int i = random.nextInt(12); i >= 0; i--)
        {
            c.add(ModelRoundTripPropertyTest.instruction(random));
        }
        return writer.toBytes(c);
    }

    private enum Outcome
    {
        OK, DOES_NOT_PARSE, REFUSED
    }

    private interface Action
    {
        void run() throws Exception;
    }

    private static Outcome outcome(final Action action) throws Exception
    {
        try
        {
            action.run();
            return Outcome.OK;
        }
        catch (final CodecException ex)
        {
            return Outcome.DOES_NOT_PARSE;
        }
        catch (final BadChangesetException ex)
        {
            return Outcome.REFUSED;
        }
    }

    /** Records every call with its arguments (paths as lists); refuses the call at {@code refuseAt} (or none). */
    private static final class Recorder implements InstructionSink
    {
        final List<List<Object>> calls = new ArrayList<>();
        private final int refuseAt;

        Recorder(final int refuseAt)
        {
            this.refuseAt = refuseAt;
        }

        private void call(final Object... args) throws BadChangesetException
        {
            if (calls.size() == refuseAt)
            {
                throw new BadChangesetException("refused " + args[0]);
            }
            final List<Object> call = new ArrayList<>();
            for (final Object a : args)
            {
                call.add(a instanceof Object[] p ? List.of(p) : a);
            }
            calls.add(call);
        }

        @Override
        public void addTable(final String table, final int tableType, final String pkField, final int pkType,
            final boolean pkNullable) throws BadChangesetException
        {
            call("addTable", table, tableType, String.valueOf(pkField), pkType, pkNullable);
        }

        @Override
        public void eraseTable(final String table) throws BadChangesetException
        {
            call("eraseTable", table);
        }

        @Override
        public void addColumn(final String table, final String field, final int type, final boolean nullable,
            final int collectionType, final String linkTarget, final int keyType) throws BadChangesetException
        {
            call("addColumn", table, field, type, nullable, collectionType, String.valueOf(linkTarget), keyType);
        }

        @Override
        public void eraseColumn(final String table, final String field) throws BadChangesetException
        {
            call("eraseColumn", table, field);
        }

        @Override
        public void createObject(final String table, final dev.outpost.ot.state.Value key)
            throws BadChangesetException
        {
            call("createObject", table, key);
        }

        @Override
        public void eraseObject(final String table, final dev.outpost.ot.state.Value key)
            throws BadChangesetException
        {
            call("eraseObject", table, key);
        }

        @Override
        public void update(final String table, final dev.outpost.ot.state.Value key, final String field,
            final Object[] path, final int payloadType, final dev.outpost.ot.state.Value value,
            final boolean isDefault, final long priorSize) throws BadChangesetException
        {
            call("update", table, key, field, path, payloadType, String.valueOf(value), isDefault, priorSize);
        }

        @Override
        public void addInteger(final String table, final dev.outpost.ot.state.Value key, final String field,
            final Object[] path, final long increment) throws BadChangesetException
        {
            call("addInteger", table, key, field, path, increment);
        }

        @Override
        public void arrayInsert(final String table, final dev.outpost.ot.state.Value key, final String field,
            final Object[] path, final int payloadType, final dev.outpost.ot.state.Value value, final long priorSize)
            throws BadChangesetException
        {
            call("arrayInsert", table, key, field, path, payloadType, String.valueOf(value), priorSize);
        }

        @Override
        public void arrayMove(final String table, final dev.outpost.ot.state.Value key, final String field,
            final Object[] path, final long to, final long priorSize) throws BadChangesetException
        {
            call("arrayMove", table, key, field, path, to, priorSize);
        }

        @Override
        public void arrayErase(final String table, final dev.outpost.ot.state.Value key, final String field,
            final Object[] path, final long priorSize) throws BadChangesetException
        {
            call("arrayErase", table, key, field, path, priorSize);
        }

        @Override
        public void clear(final String table, final dev.outpost.ot.state.Value key, final String field,
            final Object[] path, final int collectionType) throws BadChangesetException
        {
            call("clear", table, key, field, path, collectionType);
        }

        @Override
        public void setInsert(final String table, final dev.outpost.ot.state.Value key, final String field,
            final Object[] path, final int payloadType, final dev.outpost.ot.state.Value value)
            throws BadChangesetException
        {
            call("setInsert", table, key, field, path, payloadType, String.valueOf(value));
        }

        @Override
        public void setErase(final String table, final dev.outpost.ot.state.Value key, final String field,
            final Object[] path, final int payloadType, final dev.outpost.ot.state.Value value)
            throws BadChangesetException
        {
            call("setErase", table, key, field, path, payloadType, String.valueOf(value));
        }
    }
}
