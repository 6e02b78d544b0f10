package dev.outpost.server.sync;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Raw changeset bytes a hostile peer sends (written byte by byte, not through Outpost's encoder, as
 * {@code repro/hostile-input/poison.py} does): an {@code Item {_id: ObjectId, name: String}} schema followed by
 * something realm-core's client cannot hold. Public for the real-client tests.
 */
public final class HostileChangesets
{
    private static final byte[] OID = {0x65, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7};

    private HostileChangesets()
    {
    }

    /** Schema, then CreateObject Item(oid) and Update Item(oid).name = the bytes FF FE (not UTF-8). */
    public static byte[] invalidUtf8Name()
    {
        return objectWithName(new byte[] {(byte)0xFF, (byte)0xFE});
    }

    /** Schema, then CreateObject Item(oid) and Update Item(oid).name = {@code utf8} (any bytes). */
    public static byte[] objectWithName(final byte[] utf8)
    {
        final Out o = schema();
        o.bytes(2, 0, 10).raw(OID);                           // CreateObject Item ObjectId
        o.bytes(4, 0, 10).raw(OID).bytes(2, 0, 3).uv(utf8.length).raw(utf8).bytes(0); // Update .name String
        return o.toByteArray();
    }

    /** Schema, then AddColumn Item.{@code 'd' x length} String nullable. */
    public static byte[] longColumn(final int length)
    {
        final Out o = schema();
        o.intern(3, "d".repeat(length)).bytes(6, 0, 3, 3, 1, 0);
        return o.toByteArray();
    }

    /** AddTable {@code 'C' x length} (primary key {@code _id} ObjectId) and AddColumn {@code name} String. */
    public static byte[] longClass(final int length)
    {
        final Out o = new Out();
        o.intern(0, "C".repeat(length)).intern(1, "_id").intern(2, "name");
        o.bytes(0, 0, 0, 1, 10, 0).bytes(6, 0, 2, 3, 0, 0);
        o.bytes(2, 0, 10).raw(OID);
        o.bytes(4, 0, 10).raw(OID).bytes(2, 0, 3).uv(5).raw("hello".getBytes(StandardCharsets.UTF_8)).bytes(0);
        return o.toByteArray();
    }

    /** Interns 0 = Item, 1 = _id, 2 = name; AddTable Item (pk _id ObjectId), AddColumn Item.name String. */
    private static Out schema()
    {
        final Out o = new Out();
        o.intern(0, "Item").intern(1, "_id").intern(2, "name");
        o.bytes(0, 0, 0, 1, 10, 0).bytes(6, 0, 2, 3, 0, 0);
        return o;
    }

    /** The bytes; {@code uv} is realm's unsigned variable-length integer. */
    private static final class Out extends ByteArrayOutputStream
    {
        Out bytes(final int... values)
        {
            for (final int v : values)
            {
                write(v);
            }
            return this;
        }

        Out raw(final byte[] b)
        {
            write(b, 0, b.length);
            return this;
        }

        Out uv(final long value)
        {
            long v = value;
            while ((v >>> 6) != 0)
            {
                write((int)(0x80 | (v & 0x7F)));
                v >>>= 7;
            }
            write((int)v);
            return this;
        }

        Out intern(final int index, final String s)
        {
            final byte[] b = s.getBytes(StandardCharsets.UTF_8);
            return bytes(0x3F).uv(index).uv(b.length).raw(b);
        }
    }

    /** For assertions: whether {@code haystack} contains {@code needle}. */
    static boolean contains(final byte[] haystack, final byte[] needle)
    {
        for (int i = 0; i + needle.length <= haystack.length; i++)
        {
            if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length))
            {
                return true;
            }
        }
        return false;
    }
}
