package dev.outpost.codec.message;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/** Test helpers: golden frames from src/test/resources and small buffer utilities. */
final class Golden
{
    private Golden()
    {
    }

    static byte[] bytes(final String name)
    {
        try (InputStream in = Golden.class.getResourceAsStream("golden/" + name))
        {
            if (in == null)
            {
                throw new IllegalArgumentException("no golden vector " + name);
            }
            return in.readAllBytes();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    static UnsafeBuffer buffer(final String name)
    {
        return new UnsafeBuffer(bytes(name));
    }

    static UnsafeBuffer ascii(final String s)
    {
        return new UnsafeBuffer(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    static String string(final DirectBuffer buffer, final int offset, final int length)
    {
        final byte[] b = new byte[length];
        buffer.getBytes(offset, b);
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    static byte[] copy(final DirectBuffer buffer, final int offset, final int length)
    {
        final byte[] b = new byte[length];
        buffer.getBytes(offset, b);
        return b;
    }

    static byte[] copy(final ExpandableArrayBuffer buffer, final int length)
    {
        return copy(buffer, 0, length);
    }
}
