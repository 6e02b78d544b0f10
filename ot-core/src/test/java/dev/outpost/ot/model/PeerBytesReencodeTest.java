package dev.outpost.ot.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.util.Random;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import dev.outpost.codec.CodecException;
import dev.outpost.codec.changeset.ChangesetDecoder;
import dev.outpost.codec.changeset.ChangesetEncoder;
import dev.outpost.codec.changeset.InstructionHandler;

/**
 * What the server's writer relies on to append a peer's changeset as received instead of encoding the parsed model
 * again: every byte layout the peer reader accepts re-encodes byte for byte, not only the encoder's own. Layouts:
 * as written; every intern string hoisted to the front (declared long before its first use); unused strings
 * interned at the end; both.
 */
class PeerBytesReencodeTest
{
    private final ChangesetWriter writer = new ChangesetWriter();
    private final ChangesetReader peer =
        new ChangesetReader(new ChangesetDecoder(ChangesetDecoder.DEFAULT_MAX_PATH_LENGTH, true));

    @Property(tries = 500)
    void shouldReencodeEveryAcceptedLayoutByteForByte(@ForAll final long seed) throws CodecException
    {
        final Random random = new Random(seed);
        final Changeset c = new Changeset();
        for (int i = random.nextInt(12); i >= 0; i--)
        {
            c.add(ModelRoundTripPropertyTest.instruction(random));
        }
        final byte[] written = writer.toBytes(c);
        final int extra = 1 + random.nextInt(2);
        final byte[][] layouts = {written, hoisted(written, 0, random), hoisted(written, extra, random),
            trailing(written, extra, random)};
        int accepted = 0;
        for (int i = 0; i < layouts.length; i++)
        {
            final Changeset back;
            try
            {
                back = peer.read(layouts[i]);
            }
            catch (final CodecException ex)
            {
                continue; // refused input is never stored
            }
            accepted++;
            assertThat(writer.toBytes(back)).as("layout %d", i).isEqualTo(layouts[i]);
        }
        assertThat(accepted).as("every layout is valid input").isEqualTo(layouts.length);
    }

    /** {@code bytes} with every intern string moved to the front, then {@code extra} unused ones. */
    private static byte[] hoisted(final byte[] bytes, final int extra, final Random random) throws CodecException
    {
        final ChangesetDecoder decoder = new ChangesetDecoder();
        final ChangesetEncoder out = new ChangesetEncoder();
        final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(bytes.length + 64);
        out.wrap(buffer, 0);
        decoder.decode(new UnsafeBuffer(bytes), 0, bytes.length, only(out, true));
        for (int i = 0; i < extra; i++)
        {
            out.intern("unused-" + random.nextInt(1_000_000) + "-" + i);
        }
        decoder.decode(new UnsafeBuffer(bytes), 0, bytes.length, only(out, false));
        return copy(buffer, out.length());
    }

    /** {@code bytes} followed by {@code extra} unused intern strings. */
    private static byte[] trailing(final byte[] bytes, final int extra, final Random random) throws CodecException
    {
        final ChangesetEncoder out = new ChangesetEncoder();
        final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(bytes.length + 64);
        out.wrap(buffer, 0);
        new ChangesetDecoder().decode(new UnsafeBuffer(bytes), 0, bytes.length, out);
        for (int i = 0; i < extra; i++)
        {
            out.intern("unused-" + random.nextInt(1_000_000) + "-" + i);
        }
        return copy(buffer, out.length());
    }

    /** Forwards to {@code out} only the intern strings ({@code interns}) or only the instructions. */
    private static InstructionHandler only(final ChangesetEncoder out, final boolean interns)
    {
        return (InstructionHandler)Proxy.newProxyInstance(InstructionHandler.class.getClassLoader(),
            new Class<?>[] {InstructionHandler.class}, (proxy, method, args) ->
            {
                if (method.getName().equals("internString") == interns)
                {
                    return method.invoke(out, args);
                }
                return method.getReturnType() == boolean.class ? Boolean.TRUE : null;
            });
    }

    private static byte[] copy(final ExpandableArrayBuffer buffer, final int length)
    {
        final byte[] b = new byte[length];
        buffer.getBytes(0, b);
        return b;
    }
}
