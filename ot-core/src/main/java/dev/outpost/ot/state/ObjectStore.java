package dev.outpost.ot.state;

import java.util.Arrays;
import java.util.function.UnaryOperator;

/**
 * The objects of one top-level class, keyed by the encoding of their primary key ({@link CompactRecord#key}): a dense
 * array of records (a compact {@code byte[]} starting with the key's encoding, or an {@link Expanded} object) and an
 * open-addressing hash index (linear probing, backward-shift deletion) from key to slot. Sorted iteration uses an
 * order of slots by key ({@link Value#ORDER}), rebuilt on the first iteration after an insert or removal. Every
 * write bumps {@link #version()}, which lets views of compact records notice a change. Not thread-safe for writes;
 * concurrent readers of a store no one writes are safe.
 */
final class ObjectStore
{
    private static final int EMPTY = -1;

    private Object[] records;
    private int size;
    private int[] index;
    private volatile int[] order;
    private int version;

    ObjectStore()
    {
        records = new Object[4];
        index = new int[8];
        Arrays.fill(index, EMPTY);
    }

    private ObjectStore(final Object[] records, final int size, final int[] index, final int[] order)
    {
        this.records = records;
        this.size = size;
        this.index = index;
        this.order = order;
    }

    /** An object held as a tree of values (it has a container field, or compaction is off), with its key. */
    record Expanded(byte[] key, Value keyValue, ObjectData object)
    {
    }

    int size()
    {
        return size;
    }

    int version()
    {
        return version;
    }

    /** @return the record at {@code slot} (0 <= slot < size). */
    Object at(final int slot)
    {
        return records[slot];
    }

    /** @return the key of the record at {@code slot}. */
    Value keyAt(final int slot)
    {
        final Object r = records[slot];
        return r instanceof Expanded e ? e.keyValue() : CompactRecord.readKey((byte[])r);
    }

    /** @return the record of {@code key}, or null. */
    Object get(final byte[] key)
    {
        final int p = find(key);
        return p < 0 ? null : records[index[p]];
    }

    /** @return the record of the key encoded in {@code key[0..length)}, or null. */
    Object get(final byte[] key, final int length)
    {
        final int p = find(key, length);
        return p < 0 ? null : records[index[p]];
    }

    /**
     * Replace the record of the key encoded in {@code key[0..length)} if there is one (no insert).
     * @return the replaced record, or null (nothing stored).
     */
    Object replace(final byte[] key, final int length, final Object record)
    {
        final int p = find(key, length);
        if (p < 0)
        {
            return null;
        }
        version++;
        final int slot = index[p];
        final Object old = records[slot];
        records[slot] = record;
        return old;
    }

    /** Store {@code record} under {@code key} (its encoding). @return the replaced record, or null. */
    Object put(final byte[] key, final Object record)
    {
        version++;
        final int p = find(key);
        if (p >= 0)
        {
            final int slot = index[p];
            final Object old = records[slot];
            records[slot] = record;
            return old;
        }
        if (size == records.length)
        {
            records = Arrays.copyOf(records, size + (size >> 1) + 1);
        }
        if ((size + 1) * 4L > index.length * 3L)
        {
            rehash(index.length * 2);
        }
        records[size] = record;
        insertIndex(key, key.length, size);
        size++;
        order = null;
        return null;
    }

    /** Remove the record of {@code key}. @return it, or null. */
    Object remove(final byte[] key)
    {
        version++;
        final int p = find(key);
        if (p < 0)
        {
            return null;
        }
        final int slot = index[p];
        final Object old = records[slot];
        deleteIndex(p);
        final int last = size - 1;
        if (slot != last)
        {
            final Object moved = records[last];
            final int q = find(keyOf(moved), keyLength(moved));
            index[q] = slot;
            records[slot] = moved;
        }
        records[last] = null;
        size = last;
        order = null;
        return old;
    }

    /** @return the slots sorted by key ({@link Value#ORDER}). */
    int[] order()
    {
        int[] o = order;
        if (o == null)
        {
            final Value[] keys = new Value[size];
            final Integer[] slots = new Integer[size];
            for (int i = 0; i < size; i++)
            {
                keys[i] = keyAt(i);
                slots[i] = i;
            }
            Arrays.sort(slots, (a, b) -> Value.ORDER.compare(keys[a], keys[b]));
            o = new int[size];
            for (int i = 0; i < size; i++)
            {
                o[i] = slots[i];
            }
            order = o;
        }
        return o;
    }

    /** @return a copy whose expanded records are copied by {@code copyExpanded} (compact ones are immutable). */
    ObjectStore copy(final UnaryOperator<Expanded> copyExpanded)
    {
        final Object[] r = Arrays.copyOf(records, Math.max(size, 4));
        for (int i = 0; i < size; i++)
        {
            if (r[i] instanceof Expanded e)
            {
                r[i] = copyExpanded.apply(e);
            }
        }
        return new ObjectStore(r, size, index.clone(), order());
    }

    private static byte[] keyOf(final Object record)
    {
        return record instanceof Expanded e ? e.key() : (byte[])record;
    }

    private static int keyLength(final Object record)
    {
        return record instanceof Expanded e ? e.key().length : CompactRecord.keyLength((byte[])record);
    }

    private int find(final byte[] key)
    {
        return find(key, key.length);
    }

    /** @return the index position holding the slot of {@code key[0..length)}, or -1. */
    private int find(final byte[] key, final int length)
    {
        final int mask = index.length - 1;
        for (int p = CompactRecord.hash(key, length) & mask; ; p = (p + 1) & mask)
        {
            final int slot = index[p];
            if (slot == EMPTY)
            {
                return -1;
            }
            final byte[] k = keyOf(records[slot]);
            if (k.length >= length && Arrays.equals(k, 0, length, key, 0, length) &&
                (k.length == length || !(records[slot] instanceof Expanded)))
            {
                return p;
            }
        }
    }

    private void insertIndex(final byte[] key, final int length, final int slot)
    {
        final int mask = index.length - 1;
        int p = CompactRecord.hash(key, length) & mask;
        while (index[p] != EMPTY)
        {
            p = (p + 1) & mask;
        }
        index[p] = slot;
    }

    private void deleteIndex(final int position)
    {
        final int mask = index.length - 1;
        int hole = position;
        index[hole] = EMPTY;
        for (int p = (hole + 1) & mask; index[p] != EMPTY; p = (p + 1) & mask)
        {
            final Object r = records[index[p]];
            final int home = CompactRecord.hash(keyOf(r), keyLength(r)) & mask;
            // move the entry at p into the hole unless its home lies cyclically in (hole, p]
            final boolean homeInRange = hole <= p ? (home > hole && home <= p) : (home > hole || home <= p);
            if (!homeInRange)
            {
                index[hole] = index[p];
                index[p] = EMPTY;
                hole = p;
            }
        }
    }

    private void rehash(final int capacity)
    {
        index = new int[capacity];
        Arrays.fill(index, EMPTY);
        for (int i = 0; i < size; i++)
        {
            final Object r = records[i];
            insertIndex(keyOf(r), keyLength(r), i);
        }
    }
}
