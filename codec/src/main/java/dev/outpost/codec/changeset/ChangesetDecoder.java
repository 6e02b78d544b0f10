package dev.outpost.codec.changeset;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import dev.outpost.codec.CodecException;
import dev.outpost.codec.ProtocolErrorCode;
import org.agrona.DirectBuffer;

/**
 * Validating, zero-copy decoder of one changeset (protocol 14, realm-core {@code changeset_parser.cpp}): reports
 * every instruction to an {@link InstructionHandler} in wire order.
 * <pre>
 *   changeset   := { instruction | intern }*            (no framing: the length comes from the carrier)
 *   intern      := 0x3F uint32:index uint64:len bytes    index = 0, 1, 2, ...; no duplicate strings
 *   instruction := uint64:tag fields...                  see {@link Instr} and CHANGESET.md
 *   path instr  := T K F P ...    T, F: intern index (uint32)   K: primary key   P: uint32:n {index | -1 intern}
 * </pre>
 * Everything the realm-core parser rejects is rejected, and more (see CHANGESET.md): unknown tags of any kind,
 * intern indices out of sequence, duplicated or used before they are defined, truncation anywhere, lengths and
 * counts larger than the bytes left, bools other than 0/1, Timestamps a realm {@code Timestamp} would assert on,
 * Decimal128 fields out of range, uint32 fields out of range, non-canonical integers (so that
 * {@link ChangesetEncoder} reproduces accepted input byte for byte) and trailing bytes that do not form an
 * instruction. Every failure is a {@link CodecException} with {@link ProtocolErrorCode#BAD_CHANGESET}; the
 * handler may already have seen the instructions before the bad one.
 * <p>
 * With {@code clientLimits} (for changesets from a peer, before they are stored and sent to others) it also
 * rejects what realm-core's parser accepts but its client cannot hold (its applier throws or its JNI layer aborts
 * on it): strings, interned or values, that are not well-formed UTF-8 ({@link Utf8}); class names (every
 * instruction's table and link target) longer than {@link #MAX_CLASS_NAME_LENGTH} bytes, as the client stores class
 * {@code X} as table {@code class_X} of at most 63 bytes; column names (AddTable's primary key, AddColumn,
 * EraseColumn and the field of every path instruction) longer than {@link #MAX_COLUMN_NAME_LENGTH} bytes; binaries
 * longer than {@link #MAX_BINARY_SIZE}. These checks read the bytes in place and allocate nothing.
 * <p>
 * Views passed to the handler ({@link PrimaryKeyView}, {@link PathView}, {@link PayloadView}) are owned by this
 * decoder and reused for every instruction; byte contents (strings, ObjectIds) point into the caller's buffer. The
 * intern table is kept as offsets into that buffer; no String is created. Steady state allocates nothing: arrays
 * grow (by doubling) only past the largest changeset seen, bounded by its length (and paths by
 * {@link #maxPathLength()}).
 * <p>
 * Reusable and not thread-safe: one instance per thread (e.g. per server-file writer).
 */
public final class ChangesetDecoder
{
    /** Default maximum number of elements in one path. */
    public static final int DEFAULT_MAX_PATH_LENGTH = 4096;
    /** realm-core {@code Table::max_string_size}: the longest string (payload or interned) a parser accepts. */
    public static final int MAX_STRING_SIZE = 0xFFFFF8 - 8 - 1;
    /** realm-core {@code Table::max_binary_size}: the largest binary its client stores. */
    public static final int MAX_BINARY_SIZE = 0xFFFFF8 - 8;
    /** realm-core {@code Table::max_column_name_length}. */
    public static final int MAX_COLUMN_NAME_LENGTH = 63;
    /** realm-core {@code Group::max_class_name_length}: 63 bytes of table name less the prefix {@code class_}. */
    public static final int MAX_CLASS_NAME_LENGTH = 63 - "class_".length();
    /** Longest part of a name quoted in an error message. */
    private static final int QUOTED_NAME_MAX = 80;

    private static final int NANOS_PER_SECOND = 1_000_000_000;
    /** Decimal128: 14 exponent bits biased by 6176. */
    private static final int DECIMAL_EXPONENT_MIN = -6176;
    private static final int DECIMAL_EXPONENT_MAX = (1 << 14) - 1 - 6176;

    private final int maxPathLength;
    private final boolean clientLimits;
    private final InternTable interns = new InternTable();
    private final PrimaryKeyView key = new PrimaryKeyView();
    private final PathView path = new PathView();
    private final PayloadView value = new PayloadView();

    private DirectBuffer buffer;
    private int base;
    private int pos;
    private int limit;
    /** Table and field intern indices of the instruction being read (with {@link #key} and {@link #path}). */
    private int targetTable;
    private int targetField;

    /** A decoder accepting paths of up to {@link #DEFAULT_MAX_PATH_LENGTH} elements. */
    public ChangesetDecoder()
    {
        this(DEFAULT_MAX_PATH_LENGTH);
    }

    /** @param maxPathLength longest path accepted (realm-core has no limit; this bounds the path's memory). */
    public ChangesetDecoder(final int maxPathLength)
    {
        this(maxPathLength, false);
    }

    /**
     * @param maxPathLength longest path accepted (realm-core has no limit; this bounds the path's memory).
     * @param clientLimits  also reject what realm-core's client cannot hold (see the class comment): for input from
     *                      a peer; stored history is read without, so entries stored by older versions still load.
     */
    public ChangesetDecoder(final int maxPathLength, final boolean clientLimits)
    {
        if (maxPathLength < 1)
        {
            throw new IllegalArgumentException("maxPathLength must be positive: " + maxPathLength);
        }
        this.maxPathLength = maxPathLength;
        this.clientLimits = clientLimits;
    }

    /** @return true if this decoder enforces realm-core's client limits (UTF-8, name lengths, binary size). */
    public boolean clientLimits()
    {
        return clientLimits;
    }

    public int maxPathLength()
    {
        return maxPathLength;
    }

    /**
     * Decode the changeset in {@code [offset, offset+length)} of {@code buffer}.
     *
     * @return the number of instructions reported, intern meta-instructions excluded.
     * @throws CodecException {@link ProtocolErrorCode#BAD_CHANGESET} on any malformed input.
     */
    public int decode(final DirectBuffer buffer, final int offset, final int length, final InstructionHandler handler)
        throws CodecException
    {
        if (offset < 0 || length < 0 || offset > buffer.capacity() - length)
        {
            throw new CodecException(ProtocolErrorCode.BAD_CHANGESET, "changeset outside its buffer");
        }
        this.buffer = buffer;
        this.base = offset;
        this.pos = offset;
        this.limit = offset + length;
        interns.clear();
        int count = 0;
        while (pos < limit)
        {
            final int tag = readTag();
            if (tag == Instr.INTERN_STRING)
            {
                readInternString(handler);
            }
            else
            {
                readInstruction(tag, handler);
                count++;
            }
        }
        return count;
    }

    /** @return number of strings interned by the last (or current) changeset. */
    public int internCount()
    {
        return interns.size();
    }

    /** @return offset in the decoded buffer of interned string {@code index} of the last changeset. */
    public int internOffset(final int index)
    {
        return interns.offset(index);
    }

    /** @return byte length of interned string {@code index} of the last changeset. */
    public int internLength(final int index)
    {
        return interns.length(index);
    }

    private void readInternString(final InstructionHandler handler) throws CodecException
    {
        final int at = pos;
        final long index = readUint32();
        if (index != interns.size())
        {
            throw error(at, "intern index " + index + " out of sequence, expected " + interns.size());
        }
        final int length = readLength(MAX_STRING_SIZE);
        final int offset = pos;
        pos += length;
        if (clientLimits)
        {
            final int bad = Utf8.firstInvalid(buffer, offset, length);
            if (bad >= 0)
            {
                throw error(offset + bad, "interned string " + index + " is not valid UTF-8");
            }
        }
        if (interns.addIfAbsent(buffer, offset, length) >= 0)
        {
            throw error(at, "duplicate interned string");
        }
        handler.internString((int)index, buffer, offset, length);
    }

    private void readInstruction(final int tag, final InstructionHandler handler) throws CodecException
    {
        switch (tag)
        {
            case Instr.ADD_TABLE:
                readAddTable(handler);
                break;
            case Instr.ERASE_TABLE:
                handler.eraseTable(readClassName());
                break;
            case Instr.CREATE_OBJECT:
                readObjectTarget();
                handler.createObject(targetTable, key);
                break;
            case Instr.ERASE_OBJECT:
                readObjectTarget();
                handler.eraseObject(targetTable, key);
                break;
            case Instr.UPDATE:
                readPathTarget(null);
                readPayload(value);
                if (path.endsInIndex())
                {
                    handler.update(targetTable, key, targetField, path, value, false, readUint32());
                }
                else
                {
                    handler.update(targetTable, key, targetField, path, value, readBool(), -1);
                }
                break;
            case Instr.ADD_INTEGER:
                readPathTarget(null);
                handler.addInteger(targetTable, key, targetField, path, readInt64());
                break;
            case Instr.ADD_COLUMN:
                readAddColumn(handler);
                break;
            case Instr.ERASE_COLUMN:
            {
                final int table = readClassName();
                handler.eraseColumn(table, readColumnName());
                break;
            }
            case Instr.ARRAY_INSERT:
                readPathTarget("ArrayInsert");
                readPayload(value);
                handler.arrayInsert(targetTable, key, targetField, path, value, readUint32());
                break;
            case Instr.ARRAY_MOVE:
            {
                readPathTarget("ArrayMove");
                final long ndx2 = readUint32();
                handler.arrayMove(targetTable, key, targetField, path, ndx2, readUint32());
                break;
            }
            case Instr.ARRAY_ERASE:
                readPathTarget("ArrayErase");
                handler.arrayErase(targetTable, key, targetField, path, readUint32());
                break;
            case Instr.CLEAR:
                readPathTarget(null);
                handler.clear(targetTable, key, targetField, path, readCollectionType());
                break;
            case Instr.SET_INSERT:
                readPathTarget(null);
                readPayload(value);
                handler.setInsert(targetTable, key, targetField, path, value);
                break;
            case Instr.SET_ERASE:
                readPathTarget(null);
                readPayload(value);
                handler.setErase(targetTable, key, targetField, path, value);
                break;
            default:
                throw error(pos - 1, "unknown instruction type " + tag);
        }
    }

    private void readAddTable(final InstructionHandler handler) throws CodecException
    {
        final int table = readClassName();
        final int at = pos;
        final int tableType = readUint8();
        switch (tableType)
        {
            case Instr.TABLE_TOP_LEVEL:
            case Instr.TABLE_TOP_LEVEL_ASYMMETRIC:
            {
                final int pkField = readColumnName();
                final int typeAt = pos;
                final int pkType = readPayloadType();
                switch (pkType)
                {
                    case Instr.TYPE_INT:
                    case Instr.TYPE_STRING:
                    case Instr.TYPE_OBJECT_ID:
                    case Instr.TYPE_UUID:
                    case Instr.TYPE_GLOBAL_KEY:
                        break;
                    default:
                        throw error(typeAt, "invalid primary key type in AddTable: " + pkType);
                }
                handler.addTable(table, tableType, pkField, pkType, readBool());
                break;
            }
            case Instr.TABLE_EMBEDDED:
                handler.addTable(table, tableType, -1, 0, false);
                break;
            default:
                throw error(at, "unknown table type " + tableType);
        }
    }

    private void readAddColumn(final InstructionHandler handler) throws CodecException
    {
        final int table = readClassName();
        final int field = readColumnName();
        final int type = readPayloadType();
        final boolean nullable = readBool();
        final int collectionType = readCollectionType();
        final int linkTarget = type == Instr.TYPE_LINK ? readClassName() : -1;
        final int keyType = collectionType == Instr.COLLECTION_DICTIONARY ? readPayloadType() : 0;
        handler.addColumn(table, field, type, nullable, collectionType, linkTarget, keyType);
    }

    private void readPrimaryKey(final PrimaryKeyView key) throws CodecException
    {
        final int at = pos;
        final int type = readPayloadType();
        switch (type)
        {
            case Instr.TYPE_NULL:
                key.setNull();
                break;
            case Instr.TYPE_INT:
                key.setInt(readInt64());
                break;
            case Instr.TYPE_STRING:
                key.setString(readIntern());
                break;
            case Instr.TYPE_GLOBAL_KEY:
            {
                final long hi = readUint64();
                key.setGlobalKey(hi, readUint64());
                break;
            }
            case Instr.TYPE_OBJECT_ID:
                key.setObjectId(buffer, take(12));
                break;
            case Instr.TYPE_UUID:
                key.setUuid(buffer, take(16));
                break;
            default:
                throw error(at, "unsupported primary key type " + type);
        }
    }

    private void readPath() throws CodecException
    {
        final PathView path = this.path.reset();
        final int at = pos;
        final long n = readUint32();
        if (n > limit - pos)
        {
            throw error(at, "path length " + n + " exceeds the bytes left");
        }
        if (n > maxPathLength)
        {
            throw error(at, "path length " + n + " exceeds the limit " + maxPathLength);
        }
        for (int i = 0; i < n; i++)
        {
            final int elementAt = pos;
            final long element = readInt64();
            if (element >= 0)
            {
                if (element > VarInt.UINT32_MAX)
                {
                    throw error(elementAt, "path index out of uint32 range");
                }
                path.addIndex(element);
            }
            else if (element == -1)
            {
                path.addKey(readIntern());
            }
            else
            {
                throw error(elementAt, "bad path element " + element);
            }
        }
    }

    /** Reads {@code T K} of an object instruction into {@link #targetTable} and {@link #key}. */
    private void readObjectTarget() throws CodecException
    {
        targetTable = readClassName();
        readPrimaryKey(key);
    }

    /**
     * Reads {@code T K F P} of a path instruction into {@link #targetTable}, {@link #key}, {@link #targetField} and
     * {@link #path}.
     *
     * @param indexedInstruction name of an instruction whose path must end in an index, or null if any path goes.
     */
    private void readPathTarget(final String indexedInstruction) throws CodecException
    {
        readObjectTarget();
        targetField = readColumnName();
        final int at = pos;
        readPath();
        if (indexedInstruction != null && !path.endsInIndex())
        {
            throw error(at, indexedInstruction + " path does not end in an index");
        }
    }

    private void readPayload(final PayloadView value) throws CodecException
    {
        final int at = pos;
        final int type = readPayloadType();
        switch (type)
        {
            case Instr.TYPE_SET:
            case Instr.TYPE_LIST:
            case Instr.TYPE_ERASED:
            case Instr.TYPE_DICTIONARY:
            case Instr.TYPE_OBJECT_VALUE:
            case Instr.TYPE_NULL:
                value.setEmpty(type);
                break;
            case Instr.TYPE_INT:
                value.setInt(readInt64());
                break;
            case Instr.TYPE_BOOL:
                value.setBool(readBool());
                break;
            case Instr.TYPE_STRING:
            {
                final int length = readLength(MAX_STRING_SIZE);
                final int offset = take(length);
                if (clientLimits)
                {
                    final int bad = Utf8.firstInvalid(buffer, offset, length);
                    if (bad >= 0)
                    {
                        throw error(offset + bad, "string value in " + name(targetTable) + "." + name(targetField) +
                            " is not valid UTF-8");
                    }
                }
                value.setBytes(type, buffer, offset, length);
                break;
            }
            case Instr.TYPE_BINARY:
            {
                final int length = readLength(clientLimits ? MAX_BINARY_SIZE : Integer.MAX_VALUE);
                value.setBytes(type, buffer, take(length), length);
                break;
            }
            case Instr.TYPE_TIMESTAMP:
                readTimestamp(value);
                break;
            case Instr.TYPE_FLOAT:
                value.setFloatBits(buffer.getInt(take(4), ByteOrder.LITTLE_ENDIAN));
                break;
            case Instr.TYPE_DOUBLE:
                value.setDoubleBits(buffer.getLong(take(8), ByteOrder.LITTLE_ENDIAN));
                break;
            case Instr.TYPE_DECIMAL:
                readDecimal(value);
                break;
            case Instr.TYPE_LINK:
                value.setLink(readClassName());
                readPrimaryKey(value.linkKey());
                break;
            case Instr.TYPE_OBJECT_ID:
                value.setBytes(type, buffer, take(12), 12);
                break;
            case Instr.TYPE_UUID:
                value.setBytes(type, buffer, take(16), 16);
                break;
            default: // GlobalKey
                throw error(at, "unsupported payload type " + type);
        }
    }

    private void readTimestamp(final PayloadView value) throws CodecException
    {
        final long seconds = readInt64();
        final int at = pos;
        final long nanos = readInt64();
        if (nanos <= -NANOS_PER_SECOND || nanos >= NANOS_PER_SECOND)
        {
            throw error(at, "timestamp nanoseconds out of range: " + nanos);
        }
        if ((seconds > 0 && nanos < 0) || (seconds < 0 && nanos > 0))
        {
            throw error(at, "timestamp seconds and nanoseconds differ in sign");
        }
        value.setTimestamp(seconds, (int)nanos);
    }

    private void readDecimal(final PayloadView value) throws CodecException
    {
        final int at = pos;
        long lo = 0;
        long hi = 0;
        int prev = 0;
        for (int i = 0; ; i++)
        {
            if (i == 17)
            {
                throw error(at, "Decimal128 coefficient longer than 17 bytes");
            }
            if (pos >= limit)
            {
                throw error(at, "truncated Decimal128");
            }
            final int c = buffer.getByte(pos++) & 0xFF;
            final boolean last = (c & 0x80) == 0;
            if (last && (c & 0x40) != 0)
            {
                throw error(at, "non-canonical Decimal128 coefficient");
            }
            final long bits = c & 0x7F;
            final int shift = 7 * i;
            if (shift < 64)
            {
                lo |= bits << shift;
                if (shift > 57)
                {
                    hi |= bits >>> (64 - shift);
                }
            }
            else
            {
                hi |= bits << (shift - 64);
            }
            if (last)
            {
                if (i > 0 && bits == 0 && (prev & 0x40) == 0)
                {
                    throw error(at, "non-canonical Decimal128 coefficient");
                }
                break;
            }
            prev = c;
        }
        if ((hi >>> 49) != 0)
        {
            throw error(at, "Decimal128 coefficient exceeds 113 bits");
        }
        final int expAt = pos;
        final int exponent = readInt32();
        if (exponent < DECIMAL_EXPONENT_MIN || exponent > DECIMAL_EXPONENT_MAX)
        {
            throw error(expAt, "Decimal128 exponent out of range: " + exponent);
        }
        final int signAt = pos;
        final int sign = readInt32();
        if (sign != 0 && sign != 1)
        {
            throw error(signAt, "Decimal128 sign must be 0 or 1");
        }
        value.setDecimal(lo, hi, exponent, sign != 0);
    }

    private int readTag() throws CodecException
    {
        final int at = pos;
        final int c = buffer.getByte(at);
        if ((c & 0xC0) == 0)
        {
            pos = at + 1;
            return c;
        }
        final long tag = readUint64();
        throw error(at, "unknown instruction type " + Long.toUnsignedString(tag));
    }

    private int readPayloadType() throws CodecException
    {
        final int at = pos;
        final long type = readInt64();
        if (type < Instr.TYPE_SET || type > Instr.TYPE_UUID)
        {
            throw error(at, "unknown payload type " + type);
        }
        return (int)type;
    }

    private int readCollectionType() throws CodecException
    {
        final int at = pos;
        final int type = readUint8();
        if (type > Instr.COLLECTION_SET)
        {
            throw error(at, "unknown collection type " + type);
        }
        return type;
    }

    private int readIntern() throws CodecException
    {
        final int at = pos;
        final long index = readUint32();
        if (index >= interns.size())
        {
            throw error(at, "intern index " + index + " not defined");
        }
        return (int)index;
    }

    /** An intern index naming a class: with client limits, at most {@link #MAX_CLASS_NAME_LENGTH} bytes. */
    private int readClassName() throws CodecException
    {
        final int at = pos;
        final int index = readIntern();
        if (clientLimits && interns.length(index) > MAX_CLASS_NAME_LENGTH)
        {
            throw error(at, "class name of " + interns.length(index) + " bytes is longer than " +
                MAX_CLASS_NAME_LENGTH + ": '" + name(index) + "'");
        }
        return index;
    }

    /** An intern index naming a column: with client limits, at most {@link #MAX_COLUMN_NAME_LENGTH} bytes. */
    private int readColumnName() throws CodecException
    {
        final int at = pos;
        final int index = readIntern();
        if (clientLimits && interns.length(index) > MAX_COLUMN_NAME_LENGTH)
        {
            throw error(at, "column name of " + interns.length(index) + " bytes is longer than " +
                MAX_COLUMN_NAME_LENGTH + ": '" + name(index) + "'");
        }
        return index;
    }

    /** Error messages only: interned string {@code index}, cut to {@link #QUOTED_NAME_MAX} bytes. */
    private String name(final int index)
    {
        final int length = interns.length(index);
        final int shown = Math.min(length, QUOTED_NAME_MAX);
        final byte[] bytes = new byte[shown];
        buffer.getBytes(interns.offset(index), bytes);
        final String text = new String(bytes, StandardCharsets.UTF_8);
        return shown < length ? text + "..." : text;
    }

    private boolean readBool() throws CodecException
    {
        final int at = pos;
        final int v = readUint8();
        if (v > 1)
        {
            throw error(at, "bool must be 0 or 1, not " + v);
        }
        return v == 1;
    }

    /** Reads an uint64 length and checks it against {@code max} and the bytes left. */
    private int readLength(final int max) throws CodecException
    {
        final int at = pos;
        final long length = readUint64();
        if (length > limit - pos || length < 0)
        {
            throw error(at, "length " + Long.toUnsignedString(length) + " exceeds the bytes left");
        }
        if (length > max)
        {
            throw error(at, "length " + length + " longer than " + max);
        }
        return (int)length;
    }

    /** @return offset of the next {@code n} bytes, which are skipped. */
    private int take(final int n) throws CodecException
    {
        final int at = pos;
        if (n > limit - at)
        {
            throw error(at, "truncated: " + n + " bytes expected");
        }
        pos = at + n;
        return at;
    }

    private long readInt64() throws CodecException
    {
        final int p = pos;
        if (p < limit)
        {
            final int c = buffer.getByte(p);
            if ((c & 0x80) == 0)
            {
                pos = p + 1;
                return (c & 0x40) == 0 ? c : ~(long)(c & 0x3F);
            }
            if (p + 1 < limit)
            {
                // Two bytes (|v| < 8192), canonical: the last byte adds bits or the first has bit 6 set.
                final int c1 = buffer.getByte(p + 1);
                if ((c1 & 0x80) == 0 && ((c1 & 0x3F) != 0 || (c & 0x40) != 0))
                {
                    pos = p + 2;
                    final long m = (c & 0x7F) | ((c1 & 0x3F) << 7);
                    return (c1 & 0x40) == 0 ? m : ~m;
                }
            }
        }
        final long v = VarInt.decode(buffer, p, limit, VarInt.MAX_LENGTH_64, false, base);
        pos = p + VarInt.sizeOf(v);
        return v;
    }

    private int readInt32() throws CodecException
    {
        final int p = pos;
        final long v = VarInt.decode(buffer, p, limit, VarInt.MAX_LENGTH_32, false, base);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE)
        {
            throw error(p, "int32 out of range");
        }
        pos = p + VarInt.sizeOf(v);
        return (int)v;
    }

    private long readUint64() throws CodecException
    {
        return readUnsigned(VarInt.MAX_LENGTH_64);
    }

    private long readUint32() throws CodecException
    {
        final int p = pos;
        final long v = readUnsigned(VarInt.MAX_LENGTH_32);
        if (v > VarInt.UINT32_MAX)
        {
            throw error(p, "uint32 out of range");
        }
        return v;
    }

    /** An unsigned integer of at most {@code maxBytes}; one- and two-byte values without leaving this method. */
    private long readUnsigned(final int maxBytes) throws CodecException
    {
        final int p = pos;
        if (p < limit)
        {
            final int c = buffer.getByte(p);
            if ((c & 0xC0) == 0)
            {
                pos = p + 1;
                return c;
            }
            if (p + 1 < limit)
            {
                // Two bytes, canonical and unsigned: no sign bit, and the last byte adds bits or the first has bit 6.
                final int c1 = buffer.getByte(p + 1);
                if ((c1 & 0xC0) == 0 && (c1 != 0 || (c & 0x40) != 0) && (c & 0x80) != 0)
                {
                    pos = p + 2;
                    return (c & 0x7F) | (c1 << 7);
                }
            }
        }
        final long v = VarInt.decode(buffer, p, limit, maxBytes, true, base);
        pos = p + VarInt.sizeOfUnsigned(v);
        return v;
    }

    private int readUint8() throws CodecException
    {
        final int p = pos;
        final long v = readUnsigned(VarInt.MAX_LENGTH_8);
        if (v > 0xFF)
        {
            throw error(p, "uint8 out of range");
        }
        return (int)v;
    }

    private CodecException error(final int at, final String reason)
    {
        return VarInt.error(at - base, reason);
    }
}
