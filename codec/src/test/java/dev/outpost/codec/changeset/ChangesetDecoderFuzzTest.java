package dev.outpost.codec.changeset;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.outpost.codec.CodecException;
import dev.outpost.codec.ProtocolErrorCode;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.BeforeAll;

/**
 * Any input either decodes, and then re-encodes to the identical bytes, or is rejected with BAD_CHANGESET: no
 * other exception, no hang. Runs over the seed corpus in {@code ChangesetDecoderFuzzTestInputs/} in the normal
 * build; fuzzes with {@code JAZZER_FUZZ=1} (command in codec/CHANGESET.md).
 */
class ChangesetDecoderFuzzTest
{
    private static final ChangesetDecoder DECODER = new ChangesetDecoder();
    private static final ChangesetEncoder ENCODER = new ChangesetEncoder();
    private static final ExpandableArrayBuffer OUT = new ExpandableArrayBuffer(256);

    @BeforeAll
    static void requireInstrumentationWhenFuzzing()
    {
        final String fuzz = System.getenv("JAZZER_FUZZ");
        if (fuzz != null && !fuzz.isEmpty() && !"0".equals(fuzz) && !"true".equals(System.getProperty("jazzer.hooks")))
        {
            // junit-platform.properties turns hooks off for the quick regression run; fuzzing blind finds nothing.
            throw new IllegalStateException("fuzzing needs -Djazzer.hooks=true (see codec/CHANGESET.md)");
        }
    }

    @FuzzTest(maxDuration = "60s")
    void fuzzDecoder(final byte[] data)
    {
        check(data);
    }

    /** The fuzz property, shared with the jqwik mutation property. Reuses one decoder and encoder on purpose. */
    static void check(final byte[] data)
    {
        final UnsafeBuffer in = new UnsafeBuffer(data);
        ENCODER.wrap(OUT, 0);
        final int count;
        try
        {
            count = DECODER.decode(in, 0, data.length, ENCODER);
        }
        catch (final CodecException ex)
        {
            assertThat(ex.errorCode()).isEqualTo(ProtocolErrorCode.BAD_CHANGESET);
            return;
        }
        assertThat(count).isBetween(0, data.length);
        assertThat(ENCODER.length()).isEqualTo(data.length);
        for (int i = 0; i < data.length; i++)
        {
            if (OUT.getByte(i) != data[i])
            {
                throw new AssertionError("re-encoding differs at byte " + i + "\n" + ChangesetPrinter.print(data));
            }
        }
        // The printer copes with everything the decoder accepts.
        assertThat(ChangesetPrinter.print(data)).doesNotContain("!!");
    }
}
