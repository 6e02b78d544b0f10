package dev.outpost.ot.model;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;

import org.agrona.DirectBuffer;

import dev.outpost.codec.changeset.Instr;
import dev.outpost.codec.changeset.InstructionHandler;
import dev.outpost.codec.changeset.PathView;
import dev.outpost.codec.changeset.PayloadView;
import dev.outpost.codec.changeset.PrimaryKeyView;

/**
 * Builds model instructions from decoder callbacks. The handler interface cannot throw, so the first problem is
 * recorded ({@link #error()}) and later callbacks are ignored. Not thread-safe; reusable via {@link #reset}.
 */
final class ModelBuilder implements InstructionHandler
{
    private final ArrayList<String> strings = new ArrayList<>();
    private final ArrayList<String> pending = new ArrayList<>();
    private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    private Changeset target;
    private String error;

    ModelBuilder reset(final Changeset target)
    {
        strings.clear();
        pending.clear();
        this.target = target;
        error = null;
        return this;
    }

    /** Attaches strings interned after the last instruction. */
    void finish()
    {
        if (error == null)
        {
            target.setTrailingStrings(pending);
            pending.clear();
        }
    }

    /** @return the first problem found, or null. */
    String error()
    {
        return error;
    }

    private void fail(final String message)
    {
        if (error == null)
        {
            error = message;
        }
    }

    private String string(final int index)
    {
        if (index < 0 || index >= strings.size())
        {
            fail("unknown intern string index " + index);
            return "";
        }
        return strings.get(index);
    }

    private void add(final Instruction instruction)
    {
        if (error != null)
        {
            return;
        }
        if (!pending.isEmpty())
        {
            instruction.setDeclaredStrings(pending);
            pending.clear();
        }
        target.add(instruction);
    }

    @Override
    public void internString(final int index, final DirectBuffer buffer, final int offset, final int length)
    {
        if (error != null)
        {
            return;
        }
        if (index != strings.size())
        {
            fail("intern string index " + index + " out of order");
            return;
        }
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset, bytes);
        final String s;
        try
        {
            // ASCII (most names and values): the same characters as the strict decoder gives, without its buffers
            s = isAscii(bytes) ? new String(bytes, StandardCharsets.ISO_8859_1) :
                utf8.reset().decode(ByteBuffer.wrap(bytes)).toString();
        }
        catch (final CharacterCodingException e)
        {
            fail("intern string " + index + " is not valid UTF-8");
            return;
        }
        strings.add(s);
        pending.add(s);
    }

    private static boolean isAscii(final byte[] bytes)
    {
        for (final byte b : bytes)
        {
            if (b < 0)
            {
                return false;
            }
        }
        return true;
    }

    private PrimaryKey key(final PrimaryKeyView k)
    {
        switch (k.type())
        {
            case Instr.TYPE_NULL:
                return PrimaryKey.ofNull();
            case Instr.TYPE_INT:
                return PrimaryKey.ofInt(k.intValue());
            case Instr.TYPE_STRING:
                return PrimaryKey.ofString(string(k.stringIndex()));
            case Instr.TYPE_GLOBAL_KEY:
                return PrimaryKey.ofGlobalKey(k.globalKeyHi(), k.globalKeyLo());
            case Instr.TYPE_OBJECT_ID:
                return PrimaryKey.ofObjectId(bytes(k.bytesBuffer(), k.bytesOffset(), 12));
            case Instr.TYPE_UUID:
                return PrimaryKey.ofUuid(bytes(k.bytesBuffer(), k.bytesOffset(), 16));
            default:
                fail("bad primary key type " + k.type());
                return PrimaryKey.ofNull();
        }
    }

    private static byte[] bytes(final DirectBuffer buffer, final int offset, final int length)
    {
        final byte[] b = new byte[length];
        buffer.getBytes(offset, b);
        return b;
    }

    private Path path(final PathView p)
    {
        final Path path = new Path();
        for (int i = 0, n = p.size(); i < n; i++)
        {
            if (p.isIndex(i))
            {
                final long index = p.index(i);
                if (index < 0 || index > 0xFFFF_FFFFL)
                {
                    fail("path index out of range");
                    return path;
                }
                path.addIndex(index);
            }
            else
            {
                path.addKey(string(p.key(i)));
            }
        }
        return path;
    }

    private Payload payload(final PayloadView v)
    {
        switch (v.type())
        {
            case Instr.TYPE_INT:
                return Payload.ofInt(v.longValue());
            case Instr.TYPE_BOOL:
                return Payload.ofBool(v.boolValue());
            case Instr.TYPE_STRING:
                return Payload.ofStringUtf8(bytes(v.bytesBuffer(), v.bytesOffset(), v.bytesLength()));
            case Instr.TYPE_BINARY:
                return Payload.ofBinary(bytes(v.bytesBuffer(), v.bytesOffset(), v.bytesLength()));
            case Instr.TYPE_TIMESTAMP:
                return Payload.ofTimestamp(v.longValue(), v.nanos());
            case Instr.TYPE_FLOAT:
                return Payload.ofFloatBits(Float.floatToRawIntBits(v.floatValue()));
            case Instr.TYPE_DOUBLE:
                return Payload.ofDoubleBits(Double.doubleToRawLongBits(v.doubleValue()));
            case Instr.TYPE_DECIMAL:
                return Payload.ofDecimal(v.decimalLow(), v.decimalHigh(), v.decimalExponent(), v.decimalNegative());
            case Instr.TYPE_LINK:
                return Payload.ofLink(string(v.linkTable()), key(v.linkKey()));
            case Instr.TYPE_OBJECT_ID:
                return Payload.ofObjectId(bytes(v.bytesBuffer(), v.bytesOffset(), 12));
            case Instr.TYPE_UUID:
                return Payload.ofUuid(bytes(v.bytesBuffer(), v.bytesOffset(), 16));
            default:
                final Payload p = Payload.ofEmpty(v.type());
                if (p == null)
                {
                    fail("bad payload type " + v.type());
                    return Payload.ofNull();
                }
                return p;
        }
    }

    @Override
    public void addTable(final int table, final int tableType, final int pkField, final int pkType, final boolean pkNullable)
    {
        if (tableType == Instr.TABLE_EMBEDDED)
        {
            add(AddTable.embedded(string(table)));
        }
        else
        {
            add(new AddTable(string(table), tableType, string(pkField), pkType, pkNullable));
        }
    }

    @Override
    public void eraseTable(final int table)
    {
        add(new EraseTable(string(table)));
    }

    @Override
    public void createObject(final int table, final PrimaryKeyView key)
    {
        add(new CreateObject(string(table), key(key)));
    }

    @Override
    public void eraseObject(final int table, final PrimaryKeyView key)
    {
        add(new EraseObject(string(table), key(key)));
    }

    @Override
    public void update(
        final int table, final PrimaryKeyView key, final int field, final PathView path, final PayloadView value,
        final boolean isDefault, final long priorSize)
    {
        add(new Update(string(table), key(key), string(field), path(path), payload(value), isDefault, priorSize));
    }

    @Override
    public void addInteger(final int table, final PrimaryKeyView key, final int field, final PathView path, final long value)
    {
        add(new AddInteger(string(table), key(key), string(field), path(path), value));
    }

    @Override
    public void addColumn(
        final int table, final int field, final int type, final boolean nullable, final int collectionType,
        final int linkTargetTable, final int keyType)
    {
        add(new AddColumn(string(table), string(field), type, nullable, collectionType,
            type == Instr.TYPE_LINK ? string(linkTargetTable) : null, keyType));
    }

    @Override
    public void eraseColumn(final int table, final int field)
    {
        add(new EraseColumn(string(table), string(field)));
    }

    @Override
    public void arrayInsert(
        final int table, final PrimaryKeyView key, final int field, final PathView path, final PayloadView value,
        final long priorSize)
    {
        final Path p = path(path);
        if (!p.endsInIndex())
        {
            fail("ArrayInsert path does not end in an index");
        }
        add(new ArrayInsert(string(table), key(key), string(field), p, payload(value), priorSize));
    }

    @Override
    public void arrayMove(
        final int table, final PrimaryKeyView key, final int field, final PathView path, final long ndx2,
        final long priorSize)
    {
        final Path p = path(path);
        if (!p.endsInIndex())
        {
            fail("ArrayMove path does not end in an index");
        }
        add(new ArrayMove(string(table), key(key), string(field), p, ndx2, priorSize));
    }

    @Override
    public void arrayErase(final int table, final PrimaryKeyView key, final int field, final PathView path, final long priorSize)
    {
        final Path p = path(path);
        if (!p.endsInIndex())
        {
            fail("ArrayErase path does not end in an index");
        }
        add(new ArrayErase(string(table), key(key), string(field), p, priorSize));
    }

    @Override
    public void clear(final int table, final PrimaryKeyView key, final int field, final PathView path, final int collectionType)
    {
        add(new Clear(string(table), key(key), string(field), path(path), collectionType));
    }

    @Override
    public void setInsert(final int table, final PrimaryKeyView key, final int field, final PathView path, final PayloadView value)
    {
        add(new SetInsert(string(table), key(key), string(field), path(path), payload(value)));
    }

    @Override
    public void setErase(final int table, final PrimaryKeyView key, final int field, final PathView path, final PayloadView value)
    {
        add(new SetErase(string(table), key(key), string(field), path(path), payload(value)));
    }
}
