package dev.outpost.ot.model;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;

import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import dev.outpost.codec.changeset.ChangesetEncoder;
import dev.outpost.codec.changeset.Instr;
import dev.outpost.codec.changeset.InstructionHandler;
import dev.outpost.codec.changeset.PathView;
import dev.outpost.codec.changeset.PayloadView;
import dev.outpost.codec.changeset.PrimaryKeyView;

/**
 * Model to wire: replays a {@link Changeset} as {@link InstructionHandler} calls, building a fresh intern table.
 * <p>
 * Strings are interned the way realm-core's encoder does it when a client records a transaction: in first-use
 * order, each {@code InternString} meta-instruction emitted right before the first instruction that uses it. The
 * {@link Instruction#declaredStrings() declared strings} of an instruction are emitted first (in their order, if
 * not yet interned), so a changeset read from realm's bytes and not modified re-encodes byte-identically; that
 * also covers strings realm interns without using them (the {@code ""} before a non-link AddColumn).
 * <p>
 * Output depends only on the changeset's content. Not thread-safe; reuse one instance per thread.
 */
public final class ChangesetWriter
{
    private final HashMap<String, Integer> interned = new HashMap<>();
    private final UnsafeBuffer stringBuffer = new UnsafeBuffer(new byte[0]);
    private final UnsafeBuffer bytesBuffer = new UnsafeBuffer(new byte[0]);
    private final UnsafeBuffer linkBytesBuffer = new UnsafeBuffer(new byte[0]);
    private final UnsafeBuffer keyBytesBuffer = new UnsafeBuffer(new byte[0]);
    private final PrimaryKeyView keyView = new PrimaryKeyView();
    private final PathView pathView = new PathView();
    private final PayloadView payloadView = new PayloadView();
    private final byte[] idScratch = new byte[16];
    private final byte[] linkIdScratch = new byte[16];
    private final ChangesetEncoder encoder = new ChangesetEncoder();
    private InstructionHandler out;

    /**
     * Encodes {@code changeset} at {@code offset} of {@code buffer} (an expandable buffer grows as needed).
     *
     * @return the number of bytes written
     */
    public int encode(final Changeset changeset, final MutableDirectBuffer buffer, final int offset)
    {
        encoder.wrap(buffer, offset);
        write(changeset, encoder);
        return encoder.length();
    }

    /** @return the encoded bytes of {@code changeset} (allocates; for tests, storage and cold paths). */
    public byte[] toBytes(final Changeset changeset)
    {
        final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(64 + 32 * changeset.size());
        encoder.wrap(buffer, 0);
        write(changeset, encoder);
        final byte[] bytes = new byte[encoder.length()];
        encoder.buffer().getBytes(0, bytes);
        return bytes;
    }

    /** Replays {@code changeset} into {@code handler} (for instance a {@code ChangesetEncoder}). */
    public void write(final Changeset changeset, final InstructionHandler handler)
    {
        interned.clear();
        out = handler;
        try
        {
            for (final Instruction instruction : changeset.instructions())
            {
                writeInstruction(instruction);
            }
            for (final String s : changeset.trailingStringsArray())
            {
                intern(s);
            }
        }
        finally
        {
            out = null;
        }
    }

    private int intern(final String s)
    {
        final Integer existing = interned.get(s);
        if (existing != null)
        {
            return existing;
        }
        final int index = interned.size();
        interned.put(s, index);
        final byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        stringBuffer.wrap(utf8);
        out.internString(index, stringBuffer, 0, utf8.length);
        return index;
    }

    private void writeInstruction(final Instruction instruction)
    {
        for (final String s : instruction.declaredStringsArray())
        {
            intern(s);
        }
        final int table = intern(instruction.table());
        switch (instruction.type())
        {
            case Instr.ADD_TABLE:
            {
                final AddTable i = (AddTable)instruction;
                if (i.isEmbedded())
                {
                    out.addTable(table, i.tableType(), -1, 0, false);
                }
                else
                {
                    out.addTable(table, i.tableType(), intern(i.pkField()), i.pkType(), i.pkNullable());
                }
                return;
            }
            case Instr.ERASE_TABLE:
                out.eraseTable(table);
                return;
            case Instr.ADD_COLUMN:
            {
                final AddColumn i = (AddColumn)instruction;
                final int field = intern(i.field());
                final int target = i.valueType() == Instr.TYPE_LINK ? intern(i.linkTargetTable()) : -1;
                out.addColumn(table, field, i.valueType(), i.nullable(), i.collectionType(), target,
                    i.collectionType() == Instr.COLLECTION_DICTIONARY ? i.keyType() : 0);
                return;
            }
            case Instr.ERASE_COLUMN:
                out.eraseColumn(table, intern(((EraseColumn)instruction).field()));
                return;
            case Instr.CREATE_OBJECT:
                out.createObject(table, key(((ObjectInstruction)instruction).object(), keyView, keyBytesBuffer, idScratch));
                return;
            case Instr.ERASE_OBJECT:
                out.eraseObject(table, key(((ObjectInstruction)instruction).object(), keyView, keyBytesBuffer, idScratch));
                return;
            default:
                writePathInstruction(table, (PathInstruction)instruction);
        }
    }

    private void writePathInstruction(final int table, final PathInstruction instruction)
    {
        final PrimaryKeyView key = key(instruction.object(), keyView, keyBytesBuffer, idScratch);
        final int field = intern(instruction.field());
        final Path path = instruction.path();
        pathView.reset();
        for (int i = 0, n = path.size(); i < n; i++)
        {
            if (path.isIndex(i))
            {
                pathView.addIndex(path.index(i));
            }
            else
            {
                pathView.addKey(intern(path.key(i)));
            }
        }
        switch (instruction.type())
        {
            case Instr.UPDATE:
            {
                final Update i = (Update)instruction;
                final PayloadView value = payload(i.value());
                if (i.isArrayUpdate())
                {
                    out.update(table, key, field, pathView, value, false, i.priorSize());
                }
                else
                {
                    out.update(table, key, field, pathView, value, i.isDefault(), -1);
                }
                return;
            }
            case Instr.ADD_INTEGER:
                out.addInteger(table, key, field, pathView, ((AddInteger)instruction).value());
                return;
            case Instr.ARRAY_INSERT:
            {
                final ArrayInsert i = (ArrayInsert)instruction;
                out.arrayInsert(table, key, field, pathView, payload(i.value()), i.priorSize());
                return;
            }
            case Instr.ARRAY_MOVE:
            {
                final ArrayMove i = (ArrayMove)instruction;
                out.arrayMove(table, key, field, pathView, i.ndx2(), i.priorSize());
                return;
            }
            case Instr.ARRAY_ERASE:
                out.arrayErase(table, key, field, pathView, ((ArrayErase)instruction).priorSize());
                return;
            case Instr.CLEAR:
                out.clear(table, key, field, pathView, ((Clear)instruction).collectionType());
                return;
            case Instr.SET_INSERT:
                out.setInsert(table, key, field, pathView, payload(((SetInsert)instruction).value()));
                return;
            case Instr.SET_ERASE:
                out.setErase(table, key, field, pathView, payload(((SetErase)instruction).value()));
                return;
            default:
                throw new IllegalStateException("unknown instruction " + instruction);
        }
    }

    private PrimaryKeyView key(
        final PrimaryKey key, final PrimaryKeyView view, final UnsafeBuffer buffer, final byte[] scratch)
    {
        switch (key.type())
        {
            case Instr.TYPE_NULL:
                return view.setNull();
            case Instr.TYPE_INT:
                return view.setInt(key.intValue());
            case Instr.TYPE_STRING:
                return view.setString(intern(key.stringValue()));
            case Instr.TYPE_GLOBAL_KEY:
                return view.setGlobalKey(key.globalKeyHi(), key.globalKeyLo());
            case Instr.TYPE_OBJECT_ID:
                fill(key, 12, buffer, scratch);
                return view.setObjectId(buffer, 0);
            default:
                fill(key, 16, buffer, scratch);
                return view.setUuid(buffer, 0);
        }
    }

    private static void fill(final PrimaryKey key, final int length, final UnsafeBuffer buffer, final byte[] scratch)
    {
        for (int i = 0; i < length; i++)
        {
            scratch[i] = key.byteAt(i);
        }
        buffer.wrap(scratch, 0, length);
    }

    private PayloadView payload(final Payload p)
    {
        final PayloadView v = payloadView;
        switch (p.type())
        {
            case Instr.TYPE_INT:
                return v.setInt(p.intValue());
            case Instr.TYPE_BOOL:
                return v.setBool(p.boolValue());
            case Instr.TYPE_TIMESTAMP:
                return v.setTimestamp(p.timestampSeconds(), p.timestampNanos());
            case Instr.TYPE_FLOAT:
                return v.setFloatBits(p.floatBits());
            case Instr.TYPE_DOUBLE:
                return v.setDoubleBits(p.doubleBits());
            case Instr.TYPE_DECIMAL:
                return v.setDecimal(p.decimalLow(), p.decimalHigh(), p.decimalExponent(), p.decimalNegative());
            case Instr.TYPE_STRING:
            case Instr.TYPE_BINARY:
            case Instr.TYPE_OBJECT_ID:
            case Instr.TYPE_UUID:
            {
                final byte[] b = p.bytes();
                bytesBuffer.wrap(b);
                return v.setBytes(p.type(), bytesBuffer, 0, b.length);
            }
            case Instr.TYPE_LINK:
            {
                final int table = intern(p.linkTable());
                key(p.linkKey(), v.linkKey(), linkBytesBuffer, linkIdScratch);
                return v.setLink(table);
            }
            default:
                return v.setEmpty(p.type());
        }
    }
}
