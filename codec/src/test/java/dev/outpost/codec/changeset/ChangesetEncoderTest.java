package dev.outpost.codec.changeset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

import org.agrona.ExpandableArrayBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class ChangesetEncoderTest
{
    private static String hex(final ChangesetEncoder e)
    {
        final byte[] out = new byte[e.length()];
        e.buffer().getBytes(e.offset(), out);
        return HexFormat.of().formatHex(out);
    }

    @Test
    void shouldInternEachStringOnceAndWriteItImmediately()
    {
        final ChangesetEncoder e = new ChangesetEncoder().wrap(new ExpandableArrayBuffer(4), 0);
        assertThat(e.intern("Task")).isEqualTo(0);
        assertThat(e.length()).isEqualTo(7);
        assertThat(e.intern("Task")).isEqualTo(0);
        final byte[] task = "Task".getBytes(StandardCharsets.US_ASCII);
        assertThat(e.intern(new UnsafeBuffer(task), 0, task.length)).isEqualTo(0);
        assertThat(e.length()).isEqualTo(7);
        assertThat(e.intern("")).isEqualTo(1);
        assertThat(e.intern("")).isEqualTo(1);
        assertThat(e.internCount()).isEqualTo(2);
        assertThat(hex(e)).isEqualTo("3f00045461736b" + "3f0100");
    }

    @Test
    void shouldInternCharSequencesAsUtf8()
    {
        final ChangesetEncoder e = new ChangesetEncoder().wrap(new ExpandableArrayBuffer(4), 0);
        final String s = "\u00e9\u65e5\uD83D\uDE00";
        final byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        assertThat(e.intern(new StringBuilder(s))).isEqualTo(0);
        assertThat(e.intern(new UnsafeBuffer(utf8), 0, utf8.length)).isEqualTo(0);
        assertThat(hex(e)).isEqualTo("3f00" + "09" + HexFormat.of().formatHex(utf8));
        // Unpaired surrogates become '?', as String.getBytes(UTF_8) does.
        assertThat(e.intern("a\uD800b")).isEqualTo(1);
        assertThat(e.intern("a?b")).isEqualTo(1);
    }

    @Test
    void shouldGrowExpandableBuffers()
    {
        for (final MutableDirectBuffer buffer : new MutableDirectBuffer[] {
            new ExpandableArrayBuffer(1), new ExpandableDirectByteBuffer(1)})
        {
            final ChangesetEncoder e = new ChangesetEncoder().wrap(buffer, 0);
            final byte[] big = new byte[100_000];
            final PayloadView value = new PayloadView().setBytes(Instr.TYPE_BINARY, new UnsafeBuffer(big), 0, big.length);
            final int t = e.intern("T");
            e.update(t, new PrimaryKeyView().setInt(1), e.intern("f"), new PathView(), value, false, -1);
            // interns 4 + 4, Update 04 00 0101 01 00, Binary 04 + 3-byte length + bytes, is_default
            assertThat(e.length()).isEqualTo(8 + 6 + 1 + 3 + 100_000 + 1);
            assertThat(e.buffer().capacity()).isGreaterThanOrEqualTo(e.length());
        }
    }

    @Test
    void shouldThrowWhenAFixedBufferIsFull()
    {
        final ChangesetEncoder e = new ChangesetEncoder().wrap(new UnsafeBuffer(new byte[8]), 2);
        final int t = e.intern("T");
        e.eraseTable(t);
        assertThat(e.length()).isEqualTo(6); // exactly full: nothing reserved beyond what is written
        e.reset();
        assertThat(e.intern("T")).isEqualTo(t);
        assertThatThrownBy(() -> e.createObject(t, new PrimaryKeyView().setInt(Long.MAX_VALUE)))
            .isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> e.intern("a longer name")).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void shouldWriteAtTheWrappedOffsetAndForgetInternsOnReset()
    {
        final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(16);
        final ChangesetEncoder e = new ChangesetEncoder().wrap(buffer, 5);
        e.eraseTable(e.intern("T"));
        assertThat(hex(e)).isEqualTo("3f000154" + "0100");
        e.reset();
        assertThat(e.length()).isZero();
        e.eraseTable(e.intern("U"));
        assertThat(hex(e)).isEqualTo("3f000155" + "0100");
        assertThat(buffer.getByte(5)).isEqualTo((byte)0x3F);
    }

    @Test
    void shouldRejectArgumentsThatCannotBeEncoded()
    {
        final ChangesetEncoder e = new ChangesetEncoder().wrap(new ExpandableArrayBuffer(16), 0);
        final UnsafeBuffer bytes = new UnsafeBuffer(new byte[] {'x'});
        assertThatThrownBy(() -> e.internString(1, bytes, 0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> e.eraseTable(-1)).isInstanceOf(IllegalArgumentException.class);
        final PathView path = new PathView().addIndex(0);
        assertThatThrownBy(() -> e.arrayErase(0, new PrimaryKeyView().setNull(), 0, path, -1))
            .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> e.update(0, new PrimaryKeyView().setNull(), 0, new PathView(),
            new PayloadView().setDecimal(0, 1L << 49, 0, false), false, -1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldEncodeDecimalCoefficientsInSevenBitGroupsWithoutSign()
    {
        final ChangesetEncoder e = new ChangesetEncoder().wrap(new ExpandableArrayBuffer(16), 0);
        final PrimaryKeyView key = new PrimaryKeyView().setNull();
        final PayloadView v = new PayloadView();
        final int t = e.intern("T");
        final int length = e.length();
        // 64: needs a second byte because the last byte carries only 6 bits.
        e.update(t, key, t, new PathView(), v.setDecimal(64, 0, -2, true), false, -1);
        // Largest coefficient: 113 one-bits = 16 x FF then 01.
        e.update(t, key, t, new PathView(), v.setDecimal(-1L, (1L << 49) - 1, 0, false), false, -1);
        final String all = hex(e);
        assertThat(all.substring(length * 2)).isEqualTo(
            "04" + "00" + "00" + "00" + "00" + "08" + "c000" + "41" + "01" + "00" +
            "04" + "00" + "00" + "00" + "00" + "08" + "ff".repeat(16) + "01" + "00" + "00" + "00");
    }
}
