package dev.outpost.codec.changeset;

import java.util.Arrays;

import org.agrona.DirectBuffer;

/**
 * Interned strings of one changeset as (offset, length) into a buffer the owner names on every call, plus an
 * open-addressing hash index on the bytes for duplicate lookups. Nothing is copied and no String is made. Growth is
 * by doubling and only when a string is added, so memory follows the largest changeset seen; {@link #clear()} costs
 * O(strings of the last changeset), not O(capacity). Not thread-safe.
 */
final class InternTable
{
    private static final int EMPTY = -1;

    private int[] offsets = new int[16];
    private int[] lengths = new int[16];
    private int[] slotOf = new int[16];
    private int[] slots = new int[32];
    private int size;

    InternTable()
    {
        Arrays.fill(slots, EMPTY);
    }

    int size()
    {
        return size;
    }

    int offset(final int index)
    {
        return offsets[index];
    }

    int length(final int index)
    {
        return lengths[index];
    }

    void clear()
    {
        final int[] slots = this.slots;
        final int[] slotOf = this.slotOf;
        for (int i = 0; i < size; i++)
        {
            final int slot = slotOf[i];
            if (slot >= 0)
            {
                slots[slot] = EMPTY;
            }
        }
        size = 0;
    }

    /**
     * @param table   the buffer the stored strings live in.
     * @return index of the string equal to {@code [offset, offset+length)} of {@code source}, or -1.
     */
    int find(final DirectBuffer table, final DirectBuffer source, final int offset, final int length)
    {
        final int mask = slots.length - 1;
        int slot = hash(source, offset, length) & mask;
        while (true)
        {
            final int index = slots[slot];
            if (index == EMPTY)
            {
                return -1;
            }
            if (lengths[index] == length && equal(table, offsets[index], source, offset, length))
            {
                return index;
            }
            slot = (slot + 1) & mask;
        }
    }

    /**
     * Append string {@code size()} unless an equal one exists.
     *
     * @param table the buffer holding this string and all stored before it.
     * @return -1 if added, else the index of the existing equal string (nothing added).
     */
    int addIfAbsent(final DirectBuffer table, final int offset, final int length)
    {
        if ((size + 1) * 2 > slots.length)
        {
            rehash(table);
        }
        final int mask = slots.length - 1;
        int slot = hash(table, offset, length) & mask;
        while (true)
        {
            final int index = slots[slot];
            if (index == EMPTY)
            {
                break;
            }
            if (lengths[index] == length && equal(table, offsets[index], table, offset, length))
            {
                return index;
            }
            slot = (slot + 1) & mask;
        }
        slots[slot] = size;
        append(offset, length, slot);
        return -1;
    }

    /** Append string {@code size()} without a duplicate check; an equal earlier string keeps answering finds. */
    void add(final DirectBuffer table, final int offset, final int length)
    {
        if (addIfAbsent(table, offset, length) >= 0)
        {
            append(offset, length, -1);
        }
    }

    /** Stores string {@code size()} (growing by doubling), indexed from hash slot {@code slot} or -1 for none. */
    private void append(final int offset, final int length, final int slot)
    {
        if (size == offsets.length)
        {
            final int n = size * 2;
            offsets = Arrays.copyOf(offsets, n);
            lengths = Arrays.copyOf(lengths, n);
            slotOf = Arrays.copyOf(slotOf, n);
        }
        offsets[size] = offset;
        lengths[size] = length;
        slotOf[size] = slot;
        size++;
    }

    private void rehash(final DirectBuffer table)
    {
        final int[] newSlots = new int[slots.length * 2];
        Arrays.fill(newSlots, EMPTY);
        final int mask = newSlots.length - 1;
        for (int i = 0; i < size; i++)
        {
            if (slotOf[i] < 0)
            {
                continue;
            }
            int slot = hash(table, offsets[i], lengths[i]) & mask;
            while (newSlots[slot] != EMPTY)
            {
                slot = (slot + 1) & mask;
            }
            newSlots[slot] = i;
            slotOf[i] = slot;
        }
        slots = newSlots;
    }

    private static int hash(final DirectBuffer buffer, final int offset, final int length)
    {
        long h = 0x9E37_79B9_7F4A_7C15L ^ length;
        int i = 0;
        for (; i + 8 <= length; i += 8)
        {
            h = (h ^ buffer.getLong(offset + i)) * 0xBF58_476D_1CE4_E5B9L;
            h ^= h >>> 29;
        }
        for (; i < length; i++)
        {
            h = (h ^ (buffer.getByte(offset + i) & 0xFF)) * 0x94D0_49BB_1331_11EBL;
        }
        h ^= h >>> 32;
        h *= 0x9E37_79B9_7F4A_7C15L;
        return (int)(h ^ (h >>> 31));
    }

    private static boolean equal(
        final DirectBuffer a, final int aOffset, final DirectBuffer b, final int bOffset, final int length)
    {
        int i = 0;
        for (; i + 8 <= length; i += 8)
        {
            if (a.getLong(aOffset + i) != b.getLong(bOffset + i))
            {
                return false;
            }
        }
        for (; i < length; i++)
        {
            if (a.getByte(aOffset + i) != b.getByte(bOffset + i))
            {
                return false;
            }
        }
        return true;
    }
}
