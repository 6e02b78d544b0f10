package dev.outpost.codec.changeset;

import org.agrona.DirectBuffer;

/**
 * A primary key (object reference) as carried in a changeset: a type tag and its value. A reusable holder: the
 * decoder fills it in place, encoders read it. ObjectId/UUID bytes stay in the source buffer (no copy).
 * Not thread-safe.
 */
public final class PrimaryKeyView
{
    private int type;
    private long longValue;
    private long longValue2;
    private DirectBuffer buffer;
    private int offset;

    /** @return {@link Instr#TYPE_NULL}, {@link Instr#TYPE_INT}, {@link Instr#TYPE_STRING},
     * {@link Instr#TYPE_GLOBAL_KEY}, {@link Instr#TYPE_OBJECT_ID} or {@link Instr#TYPE_UUID}. */
    public int type()
    {
        return type;
    }

    /** @return the Int value. */
    public long intValue()
    {
        return longValue;
    }

    /** @return the intern index of a String key. */
    public int stringIndex()
    {
        return (int)longValue;
    }

    public long globalKeyHi()
    {
        return longValue;
    }

    public long globalKeyLo()
    {
        return longValue2;
    }

    /** @return the buffer holding ObjectId (12) or UUID (16) bytes, at {@link #bytesOffset()}. */
    public DirectBuffer bytesBuffer()
    {
        return buffer;
    }

    public int bytesOffset()
    {
        return offset;
    }

    public PrimaryKeyView setNull()
    {
        type = Instr.TYPE_NULL;
        return this;
    }

    public PrimaryKeyView setInt(final long value)
    {
        type = Instr.TYPE_INT;
        longValue = value;
        return this;
    }

    public PrimaryKeyView setString(final int internIndex)
    {
        type = Instr.TYPE_STRING;
        longValue = internIndex;
        return this;
    }

    public PrimaryKeyView setGlobalKey(final long hi, final long lo)
    {
        type = Instr.TYPE_GLOBAL_KEY;
        longValue = hi;
        longValue2 = lo;
        return this;
    }

    public PrimaryKeyView setObjectId(final DirectBuffer buffer, final int offset)
    {
        type = Instr.TYPE_OBJECT_ID;
        this.buffer = buffer;
        this.offset = offset;
        return this;
    }

    public PrimaryKeyView setUuid(final DirectBuffer buffer, final int offset)
    {
        type = Instr.TYPE_UUID;
        this.buffer = buffer;
        this.offset = offset;
        return this;
    }
}
