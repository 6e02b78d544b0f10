package dev.outpost.codec.changeset;

import java.nio.ByteOrder;

import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Writes a changeset, one {@link InstructionHandler} call per instruction, in realm-core's encoding (always the
 * canonical, shortest integer forms). Passing a {@link ChangesetDecoder}'s callbacks straight into an encoder
 * reproduces the decoded bytes exactly: {@link #internString} writes the meta-instruction as it came.
 * <p>
 * To build a changeset from scratch, obtain intern indices from {@link #intern(CharSequence)} or
 * {@link #intern(DirectBuffer, int, int)}: they return the index of an equal string already interned in this
 * changeset, or write the 0x3F meta-instruction at the current position and return the next index. The intern
 * table is kept as offsets into the output buffer (no copies).
 * <p>
 * Output goes to {@code [offset, offset + length())} of the wrapped buffer. An expandable Agrona buffer grows as
 * needed; writing past the capacity of a fixed buffer throws {@link IndexOutOfBoundsException} (checked before
 * every write, also when Agrona's bounds checks are disabled). Arguments are trusted: they come from this process,
 * not from a peer; violated preconditions throw {@link IllegalArgumentException}.
 * <p>
 * Reusable after {@link #wrap} or {@link #reset()}; not thread-safe: one instance per thread.
 */
public final class ChangesetEncoder implements InstructionHandler
{
    private final InternTable interns = new InternTable();
    private final ExpandableArrayBuffer scratch = new ExpandableArrayBuffer(64);
    private MutableDirectBuffer buffer;
    private int capacity;
    private int offset;
    private int pos;

    public ChangesetEncoder()
    {
    }

    /** Start a new changeset at {@code offset} of {@code buffer}; forgets interned strings. */
    public ChangesetEncoder wrap(final MutableDirectBuffer buffer, final int offset)
    {
        if (offset < 0 || (offset > buffer.capacity() && !buffer.isExpandable()))
        {
            throw new IllegalArgumentException("offset " + offset + " outside buffer");
        }
        this.buffer = buffer;
        this.capacity = buffer.capacity();
        this.offset = offset;
        return reset();
    }

    /** Start again at the wrapped offset; forgets interned strings. */
    public ChangesetEncoder reset()
    {
        pos = offset;
        interns.clear();
        return this;
    }

    /** @return bytes written since {@link #wrap} or {@link #reset()}. */
    public int length()
    {
        return pos - offset;
    }

    /** @return the buffer written to (it may have grown: always take it from here). */
    public MutableDirectBuffer buffer()
    {
        return buffer;
    }

    /** @return the offset the changeset starts at. */
    public int offset()
    {
        return offset;
    }

    /** @return the number of strings interned in this changeset so far. */
    public int internCount()
    {
        return interns.size();
    }

    /** @return offset in {@link #buffer()} of the bytes of interned string {@code index}. */
    public int internOffset(final int index)
    {
        return interns.offset(index);
    }

    /** @return byte length of interned string {@code index}. */
    public int internLength(final int index)
    {
        return interns.length(index);
    }

    /**
     * @return the index of {@code s} (UTF-8; unpaired surrogates become '?') in this changeset's intern table,
     * writing the intern meta-instruction now if it is new.
     */
    public int intern(final CharSequence s)
    {
        final int length = utf8Length(s);
        final MutableDirectBuffer scratch = this.scratch;
        scratch.checkLimit(length);
        putUtf8(scratch, s, 0);
        return intern(scratch, 0, length);
    }

    /**
     * @return the index of the bytes {@code [offset, offset+length)} of {@code source} in this changeset's intern
     * table, writing the intern meta-instruction now if they are new.
     */
    public int intern(final DirectBuffer source, final int offset, final int length)
    {
        final int existing = interns.find(buffer, source, offset, length);
        if (existing >= 0)
        {
            return existing;
        }
        final int index = interns.size();
        writeIntern(index, source, offset, length);
        return index;
    }

    @Override
    public void internString(final int index, final DirectBuffer source, final int offset, final int length)
    {
        if (index != interns.size())
        {
            throw new IllegalArgumentException("intern index " + index + " out of sequence, next is " + interns.size());
        }
        writeIntern(index, source, offset, length);
    }

    private void writeIntern(final int index, final DirectBuffer source, final int offset, final int length)
    {
        ensure(1 + VarInt.sizeOf(index) + VarInt.sizeOf(length) + length);
        int p = pos;
        buffer.putByte(p++, (byte)Instr.INTERN_STRING);
        p += VarInt.write(buffer, p, index);
        p += VarInt.write(buffer, p, length);
        buffer.putBytes(p, source, offset, length);
        interns.add(buffer, p, length);
        pos = p + length;
    }

    @Override
    public void addTable(final int table, final int tableType, final int pkField, final int pkType, final boolean pkNullable)
    {
        writeTag(Instr.ADD_TABLE);
        writeUnsigned32(table);
        writeUnsigned32(tableType);
        if (tableType != Instr.TABLE_EMBEDDED)
        {
            writeUnsigned32(pkField);
            writeInt(pkType);
            writeInt(pkNullable ? 1 : 0);
        }
    }

    @Override
    public void eraseTable(final int table)
    {
        writeTag(Instr.ERASE_TABLE);
        writeUnsigned32(table);
    }

    @Override
    public void createObject(final int table, final PrimaryKeyView key)
    {
        writeTag(Instr.CREATE_OBJECT);
        writeUnsigned32(table);
        writeKey(key);
    }

    @Override
    public void eraseObject(final int table, final PrimaryKeyView key)
    {
        writeTag(Instr.ERASE_OBJECT);
        writeUnsigned32(table);
        writeKey(key);
    }

    @Override
    public void update(
        final int table,
        final PrimaryKeyView key,
        final int field,
        final PathView path,
        final PayloadView value,
        final boolean isDefault,
        final long priorSize)
    {
        writePathInstruction(Instr.UPDATE, table, key, field, path);
        writePayload(value);
        if (path.endsInIndex())
        {
            writeUnsigned32(priorSize);
        }
        else
        {
            writeInt(isDefault ? 1 : 0);
        }
    }

    @Override
    public void addInteger(final int table, final PrimaryKeyView key, final int field, final PathView path, final long value)
    {
        writePathInstruction(Instr.ADD_INTEGER, table, key, field, path);
        writeInt(value);
    }

    @Override
    public void addColumn(
        final int table,
        final int field,
        final int type,
        final boolean nullable,
        final int collectionType,
        final int linkTargetTable,
        final int keyType)
    {
        writeTag(Instr.ADD_COLUMN);
        writeUnsigned32(table);
        writeUnsigned32(field);
        writeInt(type);
        writeInt(nullable ? 1 : 0);
        writeUnsigned32(collectionType);
        if (type == Instr.TYPE_LINK)
        {
            writeUnsigned32(linkTargetTable);
        }
        if (collectionType == Instr.COLLECTION_DICTIONARY)
        {
            writeInt(keyType);
        }
    }

    @Override
    public void eraseColumn(final int table, final int field)
    {
        writeTag(Instr.ERASE_COLUMN);
        writeUnsigned32(table);
        writeUnsigned32(field);
    }

    @Override
    public void arrayInsert(
        final int table,
        final PrimaryKeyView key,
        final int field,
        final PathView path,
        final PayloadView value,
        final long priorSize)
    {
        writePathInstruction(Instr.ARRAY_INSERT, table, key, field, path);
        writePayload(value);
        writeUnsigned32(priorSize);
    }

    @Override
    public void arrayMove(
        final int table, final PrimaryKeyView key, final int field, final PathView path, final long ndx2, final long priorSize)
    {
        writePathInstruction(Instr.ARRAY_MOVE, table, key, field, path);
        writeUnsigned32(ndx2);
        writeUnsigned32(priorSize);
    }

    @Override
    public void arrayErase(final int table, final PrimaryKeyView key, final int field, final PathView path, final long priorSize)
    {
        writePathInstruction(Instr.ARRAY_ERASE, table, key, field, path);
        writeUnsigned32(priorSize);
    }

    @Override
    public void clear(final int table, final PrimaryKeyView key, final int field, final PathView path, final int collectionType)
    {
        writePathInstruction(Instr.CLEAR, table, key, field, path);
        writeUnsigned32(collectionType);
    }

    @Override
    public void setInsert(final int table, final PrimaryKeyView key, final int field, final PathView path, final PayloadView value)
    {
        writePathInstruction(Instr.SET_INSERT, table, key, field, path);
        writePayload(value);
    }

    @Override
    public void setErase(final int table, final PrimaryKeyView key, final int field, final PathView path, final PayloadView value)
    {
        writePathInstruction(Instr.SET_ERASE, table, key, field, path);
        writePayload(value);
    }

    private void writePathInstruction(
        final int tag, final int table, final PrimaryKeyView key, final int field, final PathView path)
    {
        writeTag(tag);
        writeUnsigned32(table);
        writeKey(key);
        writeUnsigned32(field);
        final int n = path.size();
        writeUnsigned32(n);
        for (int i = 0; i < n; i++)
        {
            if (path.isIndex(i))
            {
                writeUnsigned32(path.index(i));
            }
            else
            {
                writeInt(-1);
                writeUnsigned32(path.key(i));
            }
        }
    }

    private void writeKey(final PrimaryKeyView key)
    {
        final int type = key.type();
        writeInt(type);
        switch (type)
        {
            case Instr.TYPE_NULL:
                break;
            case Instr.TYPE_INT:
                writeInt(key.intValue());
                break;
            case Instr.TYPE_STRING:
                writeUnsigned32(key.stringIndex());
                break;
            case Instr.TYPE_GLOBAL_KEY:
                writeUnsigned(key.globalKeyHi());
                writeUnsigned(key.globalKeyLo());
                break;
            case Instr.TYPE_OBJECT_ID:
                writeBytes(key.bytesBuffer(), key.bytesOffset(), 12);
                break;
            case Instr.TYPE_UUID:
                writeBytes(key.bytesBuffer(), key.bytesOffset(), 16);
                break;
            default:
                throw new IllegalArgumentException("not a primary key type: " + type);
        }
    }

    private void writePayload(final PayloadView value)
    {
        final int type = value.type();
        writeInt(type);
        switch (type)
        {
            case Instr.TYPE_SET:
            case Instr.TYPE_LIST:
            case Instr.TYPE_ERASED:
            case Instr.TYPE_DICTIONARY:
            case Instr.TYPE_OBJECT_VALUE:
            case Instr.TYPE_NULL:
                break;
            case Instr.TYPE_INT:
                writeInt(value.longValue());
                break;
            case Instr.TYPE_BOOL:
                writeInt(value.boolValue() ? 1 : 0);
                break;
            case Instr.TYPE_STRING:
            case Instr.TYPE_BINARY:
                writeUnsigned(value.bytesLength());
                writeBytes(value.bytesBuffer(), value.bytesOffset(), value.bytesLength());
                break;
            case Instr.TYPE_TIMESTAMP:
                writeInt(value.longValue());
                writeInt(value.nanos());
                break;
            case Instr.TYPE_FLOAT:
                ensure(4);
                buffer.putInt(pos, Float.floatToRawIntBits(value.floatValue()), ByteOrder.LITTLE_ENDIAN);
                pos += 4;
                break;
            case Instr.TYPE_DOUBLE:
                ensure(8);
                buffer.putLong(pos, Double.doubleToRawLongBits(value.doubleValue()), ByteOrder.LITTLE_ENDIAN);
                pos += 8;
                break;
            case Instr.TYPE_DECIMAL:
                writeDecimal(value.decimalLow(), value.decimalHigh(), value.decimalExponent(), value.decimalNegative());
                break;
            case Instr.TYPE_LINK:
                writeUnsigned32(value.linkTable());
                writeKey(value.linkKey());
                break;
            case Instr.TYPE_OBJECT_ID:
                writeBytes(value.bytesBuffer(), value.bytesOffset(), 12);
                break;
            case Instr.TYPE_UUID:
                writeBytes(value.bytesBuffer(), value.bytesOffset(), 16);
                break;
            default:
                throw new IllegalArgumentException("not a payload type: " + type);
        }
    }

    private void writeDecimal(final long low, final long high, final int exponent, final boolean negative)
    {
        if ((high >>> 49) != 0)
        {
            throw new IllegalArgumentException("Decimal128 coefficient exceeds 113 bits");
        }
        long lo = low;
        long hi = high;
        int p = pos;
        while ((lo >>> 6) != 0 || hi != 0)
        {
            ensure(p - pos + 2);
            buffer.putByte(p++, (byte)(0x80 | (lo & 0x7F)));
            lo = (lo >>> 7) | (hi << 57);
            hi >>>= 7;
        }
        ensure(p - pos + 1);
        buffer.putByte(p++, (byte)lo);
        pos = p;
        writeInt(exponent);
        writeInt(negative ? 1 : 0);
    }

    private void writeTag(final int tag)
    {
        ensure(1);
        buffer.putByte(pos++, (byte)tag);
    }

    private void writeInt(final long v)
    {
        if (v >= -64 && v < 64)
        {
            ensure(1);
            buffer.putByte(pos++, (byte)(v < 0 ? 0x40 | ~v : v));
            return;
        }
        ensure(VarInt.sizeOf(v));
        pos += VarInt.write(buffer, pos, v);
    }

    private void writeUnsigned(final long v)
    {
        ensure(VarInt.sizeOfUnsigned(v));
        pos += VarInt.writeUnsigned(buffer, pos, v);
    }

    private void writeUnsigned32(final long v)
    {
        if (v < 0 || v > VarInt.UINT32_MAX)
        {
            throw new IllegalArgumentException("not an uint32: " + v);
        }
        if (v < 64)
        {
            ensure(1);
            buffer.putByte(pos++, (byte)v);
            return;
        }
        ensure(VarInt.sizeOf(v));
        pos += VarInt.write(buffer, pos, v);
    }

    private void writeBytes(final DirectBuffer source, final int offset, final int length)
    {
        ensure(length);
        buffer.putBytes(pos, source, offset, length);
        pos += length;
    }

    private void ensure(final int n)
    {
        if (pos + n > capacity || pos + n < 0)
        {
            grow(n);
        }
    }

    private void grow(final int n)
    {
        final long end = (long)pos + n;
        if (end > Integer.MAX_VALUE - 8)
        {
            throw new IndexOutOfBoundsException("changeset larger than 2 GiB");
        }
        buffer.checkLimit((int)end); // grows an expandable buffer, throws for a fixed one
        capacity = buffer.capacity();
    }

    private static int utf8Length(final CharSequence s)
    {
        final int n = s.length();
        int length = 0;
        for (int i = 0; i < n; i++)
        {
            final char c = s.charAt(i);
            if (c < 0x80)
            {
                length++;
            }
            else if (c < 0x800)
            {
                length += 2;
            }
            else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1)))
            {
                length += 4;
                i++;
            }
            else if (Character.isSurrogate(c))
            {
                length++; // '?'
            }
            else
            {
                length += 3;
            }
        }
        return length;
    }

    private static int putUtf8(final MutableDirectBuffer buffer, final CharSequence s, final int offset)
    {
        final int n = s.length();
        int p = offset;
        for (int i = 0; i < n; i++)
        {
            final char c = s.charAt(i);
            if (c < 0x80)
            {
                buffer.putByte(p++, (byte)c);
            }
            else if (c < 0x800)
            {
                buffer.putByte(p++, (byte)(0xC0 | (c >> 6)));
                buffer.putByte(p++, (byte)(0x80 | (c & 0x3F)));
            }
            else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1)))
            {
                final int cp = Character.toCodePoint(c, s.charAt(++i));
                buffer.putByte(p++, (byte)(0xF0 | (cp >> 18)));
                buffer.putByte(p++, (byte)(0x80 | ((cp >> 12) & 0x3F)));
                buffer.putByte(p++, (byte)(0x80 | ((cp >> 6) & 0x3F)));
                buffer.putByte(p++, (byte)(0x80 | (cp & 0x3F)));
            }
            else if (Character.isSurrogate(c))
            {
                buffer.putByte(p++, (byte)'?');
            }
            else
            {
                buffer.putByte(p++, (byte)(0xE0 | (c >> 12)));
                buffer.putByte(p++, (byte)(0x80 | ((c >> 6) & 0x3F)));
                buffer.putByte(p++, (byte)(0x80 | (c & 0x3F)));
            }
        }
        return p;
    }
}
