package dev.outpost.codec.changeset;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

import dev.outpost.codec.CodecException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * {@link Utf8} and the decoder's client limits agree with Java's strict UTF-8 {@link CharsetDecoder}: every
 * well-formed Java String round-trips, and a byte string is rejected exactly when Java rejects it (at the same
 * position).
 */
class Utf8PropertyTest
{
    /** Interns 0 = "T", 1 = "F"; then Update T[int 5].F = String. */
    private static final byte[] HEAD = {0x3F, 0, 1, 'T', 0x3F, 1, 1, 'F', 4, 0, 1, 5, 1, 0, 3};

    /** Bytes around every boundary of the UTF-8 table, plus ASCII, so short random strings hit each rule. */
    private static final byte[] INTERESTING = {
        0x00, 0x41, 0x7F, (byte)0x80, (byte)0x8F, (byte)0x90, (byte)0x9F, (byte)0xA0, (byte)0xBF, (byte)0xC0,
        (byte)0xC1, (byte)0xC2, (byte)0xDF, (byte)0xE0, (byte)0xE1, (byte)0xEC, (byte)0xED, (byte)0xEE, (byte)0xEF,
        (byte)0xF0, (byte)0xF1, (byte)0xF3, (byte)0xF4, (byte)0xF5, (byte)0xF7, (byte)0xF8, (byte)0xFE, (byte)0xFF};

    /** @return -1 if Java's strict decoder accepts {@code bytes}, else the index where it reports malformed input. */
    private static int javaFirstInvalid(final byte[] bytes)
    {
        final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
        final ByteBuffer in = ByteBuffer.wrap(bytes);
        final CharBuffer out = CharBuffer.allocate(bytes.length * 2 + 2);
        CoderResult r = decoder.decode(in, out, true);
        if (!r.isError())
        {
            r = decoder.flush(out);
        }
        return r.isError() ? in.position() : -1;
    }

    /** Decodes Update T[5].F = String(bytes) with client limits: null if accepted, else the error message. */
    private static String decodeStringValue(final byte[] value)
    {
        final ExpandableArrayBuffer cs = new ExpandableArrayBuffer(HEAD.length + value.length + 16);
        cs.putBytes(0, HEAD);
        int at = HEAD.length;
        at += VarInt.writeUnsigned(cs, at, value.length);
        cs.putBytes(at, value);
        at += value.length;
        cs.putByte(at++, (byte)0);
        try
        {
            new ChangesetDecoder(16, true).decode(cs, 0, at, new Model.Recorder());
            return null;
        }
        catch (final CodecException ex)
        {
            return ex.getMessage();
        }
    }

    @Provide
    Arbitrary<byte[]> byteStrings()
    {
        final Arbitrary<Byte> any = Arbitraries.bytes();
        final Arbitrary<Byte> edge = Arbitraries.integers().between(0, INTERESTING.length - 1).map(i -> INTERESTING[i]);
        return Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(1, any),
            net.jqwik.api.Tuple.of(3, edge))
            .list().ofMaxSize(24)
            .map(list ->
            {
                final byte[] b = new byte[list.size()];
                for (int i = 0; i < b.length; i++)
                {
                    b[i] = list.get(i);
                }
                return b;
            });
    }

    @Property(tries = 3000)
    void shouldRejectExactlyWhatJavasStrictDecoderRejects(@ForAll("byteStrings") final byte[] bytes)
    {
        final int expected = javaFirstInvalid(bytes);
        assertThat(Utf8.firstInvalid(new UnsafeBuffer(bytes), 0, bytes.length)).isEqualTo(expected);
        final String message = decodeStringValue(bytes);
        if (expected < 0)
        {
            assertThat(message).isNull();
        }
        else
        {
            assertThat(message).isEqualTo("string value in T.F is not valid UTF-8 at offset " +
                (HEAD.length + VarInt.sizeOfUnsigned(bytes.length) + expected));
        }
    }

    @Property(tries = 1000)
    void shouldAcceptAndRoundTripEveryWellFormedJavaString(@ForAll final String s)
    {
        Assume.that(isWellFormedUtf16(s));
        final byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        assertThat(Utf8.firstInvalid(new UnsafeBuffer(utf8), 0, utf8.length)).isEqualTo(-1);
        assertThat(decodeStringValue(utf8)).isNull();
        assertThat(new String(utf8, StandardCharsets.UTF_8)).isEqualTo(s);
    }

    @Property(tries = 500)
    void shouldAcceptEveryCodePoint(@ForAll("scalarValues") final int codePoint)
    {
        final byte[] utf8 = new String(Character.toChars(codePoint)).getBytes(StandardCharsets.UTF_8);
        assertThat(Utf8.firstInvalid(new UnsafeBuffer(utf8), 0, utf8.length)).isEqualTo(-1);
        assertThat(decodeStringValue(utf8)).isNull();
    }

    @Provide
    Arbitrary<Integer> scalarValues()
    {
        return Arbitraries.oneOf(Arbitraries.integers().between(0, 0xD7FF),
            Arbitraries.integers().between(0xE000, 0x10FFFF), Arbitraries.integers().between(0x10000, 0x10FFFF));
    }

    private static boolean isWellFormedUtf16(final String s)
    {
        for (int i = 0; i < s.length(); i++)
        {
            final char c = s.charAt(i);
            if (Character.isHighSurrogate(c))
            {
                if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1)))
                {
                    return false;
                }
                i++;
            }
            else if (Character.isLowSurrogate(c))
            {
                return false;
            }
        }
        return true;
    }
}
