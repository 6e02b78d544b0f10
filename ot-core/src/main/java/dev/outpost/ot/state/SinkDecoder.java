package dev.outpost.ot.state;

import java.nio.charset.StandardCharsets;

import org.agrona.DirectBuffer;

import dev.outpost.codec.CodecException;
import dev.outpost.codec.ProtocolErrorCode;
import dev.outpost.codec.changeset.ChangesetDecoder;
import dev.outpost.codec.changeset.Instr;
import dev.outpost.codec.changeset.InstructionHandler;
import dev.outpost.codec.changeset.PathView;
import dev.outpost.codec.changeset.PayloadView;
import dev.outpost.codec.changeset.PrimaryKeyView;
import dev.outpost.codec.changeset.Utf8;
import dev.outpost.ot.model.ChangesetReader;
import dev.outpost.ot.model.Payload;

/**
 * Decodes a stored changeset straight into an {@link InstructionSink}, in wire order, without building the model
 * ({@code Changeset}, {@code Instruction}, {@code Payload} objects): the arguments the sink receives are exactly those
 * {@link ChangesetReader} followed by {@link ChangesetApplier#replay(dev.outpost.ot.model.Changeset, InstructionSink)}
 * would pass (the same strings, {@link Value}s and paths, the same rejections).
 * <p>
 * The input is refused as a whole, like {@link ChangesetReader#read}, when it does not parse (a {@link CodecException},
 * also for intern strings that are not well-formed UTF-8); a sink that throws stops the hand-over, the rest is still
 * parsed (so a malformed tail is reported as such, as the reader would) and the sink's
 * {@link BadChangesetException} is thrown at the end. Either way the sink may have received the instructions before
 * the failure: a sink that must be atomic journals ({@link InstructionApplier#begin}) and rolls back.
 * <p>
 * Intern strings recurring from changeset to changeset (class and field names) are decoded once and reused (a small
 * direct-mapped cache of their bytes). Reusable, not thread-safe: one instance per thread.
 */
public final class SinkDecoder implements InstructionHandler
{
    private static final Object[] EMPTY_PATH = new Object[0];
    private static final int CACHE_SLOTS = 256;
    private static final int CACHE_MAX_BYTES = 64;

    private final ChangesetDecoder decoder;
    private final byte[][] cachedBytes = new byte[CACHE_SLOTS][];
    private final String[] cachedStrings = new String[CACHE_SLOTS];
    private String[] strings = new String[16];
    private int stringCount;
    private InstructionSink sink;
    private String parseError;
    private BadChangesetException sinkError;

    /** A decoder of stored history (no client limits, paths up to {@link ChangesetDecoder#DEFAULT_MAX_PATH_LENGTH}). */
    public SinkDecoder()
    {
        this(new ChangesetDecoder());
    }

    /** @param decoder the wire decoder to use (its limits apply). */
    public SinkDecoder(final ChangesetDecoder decoder)
    {
        this.decoder = decoder;
    }

    /**
     * Decode {@code [offset, offset+length)} of {@code buffer} into {@code sink}.
     *
     * @throws CodecException        {@code BAD_CHANGESET}: the bytes do not parse (the sink may have seen a prefix).
     * @throws BadChangesetException the sink refused an instruction (later ones were not handed to it).
     */
    public void decode(final DirectBuffer buffer, final int offset, final int length, final InstructionSink sink)
        throws CodecException, BadChangesetException
    {
        this.sink = sink;
        stringCount = 0;
        parseError = null;
        sinkError = null;
        try
        {
            decoder.decode(buffer, offset, length, this);
        }
        finally
        {
            this.sink = null;
        }
        if (null != parseError)
        {
            throw new CodecException(ProtocolErrorCode.BAD_CHANGESET, parseError);
        }
        if (null != sinkError)
        {
            throw sinkError;
        }
    }

    private void fail(final String message)
    {
        if (null == parseError)
        {
            parseError = message;
        }
    }

    /** @return whether instructions still go to the sink (nothing failed yet). */
    private boolean live()
    {
        return null == parseError && null == sinkError;
    }

    private void refused(final BadChangesetException ex)
    {
        sinkError = ex;
    }

    private String string(final int index)
    {
        if (index < 0 || index >= stringCount)
        {
            fail("unknown intern string index " + index);
            return "";
        }
        return strings[index];
    }

    @Override
    public void internString(final int index, final DirectBuffer buffer, final int offset, final int length)
    {
        if (null != parseError)
        {
            return;
        }
        if (index != stringCount)
        {
            fail("intern string index " + index + " out of order");
            return;
        }
        final String s = intern(buffer, offset, length);
        if (null == s)
        {
            fail("intern string " + index + " is not valid UTF-8");
            return;
        }
        if (stringCount == strings.length)
        {
            strings = java.util.Arrays.copyOf(strings, stringCount * 2);
        }
        strings[stringCount++] = s;
    }

    /** @return the string of the bytes (cached when short), or null if they are not well-formed UTF-8. */
    private String intern(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length > CACHE_MAX_BYTES)
        {
            return Utf8.firstInvalid(buffer, offset, length) >= 0 ? null : buffer.getStringWithoutLengthUtf8(offset,
                length);
        }
        int hash = length;
        for (int i = 0; i < length; i++)
        {
            hash = 31 * hash + buffer.getByte(offset + i);
        }
        final int slot = (hash ^ (hash >>> 16)) & (CACHE_SLOTS - 1);
        final byte[] cached = cachedBytes[slot];
        if (null != cached && cached.length == length)
        {
            boolean same = true;
            for (int i = 0; i < length && same; i++)
            {
                same = cached[i] == buffer.getByte(offset + i);
            }
            if (same)
            {
                return cachedStrings[slot];
            }
        }
        if (Utf8.firstInvalid(buffer, offset, length) >= 0)
        {
            return null;
        }
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset, bytes);
        final String s = new String(bytes, StandardCharsets.UTF_8);
        cachedBytes[slot] = bytes;
        cachedStrings[slot] = s;
        return s;
    }

    /** @return the key as a value, or null for a GlobalKey (refused by the sink's caller, as the applier does). */
    private Value key(final PrimaryKeyView k)
    {
        switch (k.type())
        {
            case Instr.TYPE_NULL:
                return Value.Null.INSTANCE;
            case Instr.TYPE_INT:
                return new Value.Int(k.intValue());
            case Instr.TYPE_STRING:
                return new Value.Str(string(k.stringIndex()));
            case Instr.TYPE_GLOBAL_KEY:
                return null;
            case Instr.TYPE_OBJECT_ID:
                return new Value.ObjectIdValue(bytes(k.bytesBuffer(), k.bytesOffset(), 12));
            case Instr.TYPE_UUID:
                return new Value.UuidValue(bytes(k.bytesBuffer(), k.bytesOffset(), 16));
            default:
                fail("bad primary key type " + k.type());
                return Value.Null.INSTANCE;
        }
    }

    private static byte[] bytes(final DirectBuffer buffer, final int offset, final int length)
    {
        final byte[] b = new byte[length];
        buffer.getBytes(offset, b);
        return b;
    }

    /** @return an instruction's object key; a GlobalKey is refused as {@link ChangesetApplier} refuses it. */
    private Value objectKey(final String name, final String table, final PrimaryKeyView k) throws BadChangesetException
    {
        final Value v = key(k);
        if (null == v)
        {
            throw InstructionApplier.bad("%s: GlobalKey object references are not supported ('%s')", name, table);
        }
        return v;
    }

    private Object[] path(final PathView p)
    {
        final int n = p.size();
        if (0 == n)
        {
            return EMPTY_PATH;
        }
        final Object[] out = new Object[n];
        for (int i = 0; i < n; i++)
        {
            if (p.isIndex(i))
            {
                final long index = p.index(i);
                if (index < 0 || index > 0xFFFF_FFFFL)
                {
                    fail("path index out of range");
                    return EMPTY_PATH;
                }
                out[i] = index;
            }
            else
            {
                out[i] = string(p.key(i));
            }
        }
        return out;
    }

    /** The payload's value as {@link ChangesetApplier} passes it; records a parse failure for an unknown type. */
    private Value value(final PayloadView v) throws BadChangesetException
    {
        switch (v.type())
        {
            case Instr.TYPE_INT:
                return new Value.Int(v.longValue());
            case Instr.TYPE_BOOL:
                return v.boolValue() ? Value.Bool.TRUE : Value.Bool.FALSE;
            case Instr.TYPE_STRING:
                // as the model's payload: the bytes as on the wire, decoded leniently
                return new Value.Str(new String(bytes(v.bytesBuffer(), v.bytesOffset(), v.bytesLength()),
                    StandardCharsets.UTF_8));
            case Instr.TYPE_BINARY:
                return new Value.Bin(bytes(v.bytesBuffer(), v.bytesOffset(), v.bytesLength()));
            case Instr.TYPE_TIMESTAMP:
                return new Value.Timestamp(v.longValue(), v.nanos());
            case Instr.TYPE_FLOAT:
                return new Value.FloatValue(Float.floatToRawIntBits(v.floatValue()));
            case Instr.TYPE_DOUBLE:
                return new Value.DoubleValue(Double.doubleToRawLongBits(v.doubleValue()));
            case Instr.TYPE_DECIMAL:
                return new Value.Decimal(v.decimalLow(), v.decimalHigh(), v.decimalExponent(), v.decimalNegative());
            case Instr.TYPE_LINK:
            {
                final String table = string(v.linkTable());
                final Value k = key(v.linkKey());
                if (null == k)
                {
                    throw InstructionApplier.bad("Link to a GlobalKey object is not supported");
                }
                return new Value.Link(table, k);
            }
            case Instr.TYPE_OBJECT_ID:
                return new Value.ObjectIdValue(bytes(v.bytesBuffer(), v.bytesOffset(), 12));
            case Instr.TYPE_UUID:
                return new Value.UuidValue(bytes(v.bytesBuffer(), v.bytesOffset(), 16));
            default:
            {
                final Payload marker = Payload.ofEmpty(v.type());
                if (null == marker)
                {
                    fail("bad payload type " + v.type());
                    return null;
                }
                if (Instr.TYPE_GLOBAL_KEY == v.type())
                {
                    throw InstructionApplier.bad("GlobalKey is not a valid payload");
                }
                return ModelValues.value(marker);
            }
        }
    }

    @Override
    public void addTable(final int table, final int tableType, final int pkField, final int pkType,
        final boolean pkNullable)
    {
        final String t = string(table);
        final boolean embedded = Instr.TABLE_EMBEDDED == tableType;
        final String pk = embedded ? null : string(pkField);
        if (live())
        {
            try
            {
                if (embedded)
                {
                    sink.addTable(t, Instr.TABLE_EMBEDDED, null, 0, false);
                }
                else
                {
                    sink.addTable(t, tableType, pk, pkType, pkNullable);
                }
            }
            catch (final BadChangesetException ex)
            {
                refused(ex);
            }
        }
    }

    @Override
    public void eraseTable(final int table)
    {
        final String t = string(table);
        if (live())
        {
            try
            {
                sink.eraseTable(t);
            }
            catch (final BadChangesetException ex)
            {
                refused(ex);
            }
        }
    }

    @Override
    public void createObject(final int table, final PrimaryKeyView key)
    {
        final String t = string(table);
        final Value k = key(key);
        if (live())
        {
            try
            {
                sink.createObject(t, null == k ? objectKey("CreateObject", t, key) : k);
            }
            catch (final BadChangesetException ex)
            {
                refused(ex);
            }
        }
    }

    @Override
    public void eraseObject(final int table, final PrimaryKeyView key)
    {
        final String t = string(table);
        final Value k = key(key);
        if (live())
        {
            try
            {
                sink.eraseObject(t, null == k ? objectKey("EraseObject", t, key) : k);
            }
            catch (final BadChangesetException ex)
            {
                refused(ex);
            }
        }
    }

    @Override
    public void update(final int table, final PrimaryKeyView key, final int field, final PathView path,
        final PayloadView value, final boolean isDefault, final long priorSize)
    {
        final String t = string(table);
        final Value k = key(key);
        final String f = string(field);
        final Object[] p = path(path);
        try
        {
            final Value v = value(value);
            if (live())
            {
                sink.update(t, null == k ? objectKey("Update", t, key) : k, f, p, value.type(), v, isDefault,
                    priorSize);
            }
        }
        catch (final BadChangesetException ex)
        {
            if (live())
            {
                refused(ex);
            }
        }
    }

    @Override
    public void addInteger(final int table, final PrimaryKeyView key, final int field, final PathView path,
        final long value)
    {
        final String t = string(table);
        final Value k = key(key);
        final String f = string(field);
        final Object[] p = path(path);
        if (live())
        {
            try
            {
                sink.addInteger(t, null == k ? objectKey("AddInteger", t, key) : k, f, p, value);
            }
            catch (final BadChangesetException ex)
            {
                refused(ex);
            }
        }
    }

    @Override
    public void addColumn(final int table, final int field, final int type, final boolean nullable,
        final int collectionType, final int linkTargetTable, final int keyType)
    {
        final String t = string(table);
        final String f = string(field);
        final String target = Instr.TYPE_LINK == type ? string(linkTargetTable) : null;
        if (live())
        {
            try
            {
                sink.addColumn(t, f, type, nullable, collectionType, target, keyType);
            }
            catch (final BadChangesetException ex)
            {
                refused(ex);
            }
        }
    }

    @Override
    public void eraseColumn(final int table, final int field)
    {
        final String t = string(table);
        final String f = string(field);
        if (live())
        {
            try
            {
                sink.eraseColumn(t, f);
            }
            catch (final BadChangesetException ex)
            {
                refused(ex);
            }
        }
    }

    @Override
    public void arrayInsert(final int table, final PrimaryKeyView key, final int field, final PathView path,
        final PayloadView value, final long priorSize)
    {
        final String t = string(table);
        final Value k = key(key);
        final String f = string(field);
        final Object[] p = indexedPath(path, "ArrayInsert");
        try
        {
            final Value v = value(value);
            if (live())
            {
                sink.arrayInsert(t, null == k ? objectKey("ArrayInsert", t, key) : k, f, p, value.type(), v,
                    priorSize);
            }
        }
        catch (final BadChangesetException ex)
        {
            if (live())
            {
                refused(ex);
            }
        }
    }

    private Object[] indexedPath(final PathView path, final String name)
    {
        if (!path.endsInIndex())
        {
            fail(name + " path does not end in an index");
        }
        return path(path);
    }

    @Override
    public void arrayMove(final int table, final PrimaryKeyView key, final int field, final PathView path,
        final long ndx2, final long priorSize)
    {
        final String t = string(table);
        final Value k = key(key);
        final String f = string(field);
        final Object[] p = indexedPath(path, "ArrayMove");
        if (live())
        {
            try
            {
                sink.arrayMove(t, null == k ? objectKey("ArrayMove", t, key) : k, f, p, ndx2, priorSize);
            }
            catch (final BadChangesetException ex)
            {
                refused(ex);
            }
        }
    }

    @Override
    public void arrayErase(final int table, final PrimaryKeyView key, final int field, final PathView path,
        final long priorSize)
    {
        final String t = string(table);
        final Value k = key(key);
        final String f = string(field);
        final Object[] p = indexedPath(path, "ArrayErase");
        if (live())
        {
            try
            {
                sink.arrayErase(t, null == k ? objectKey("ArrayErase", t, key) : k, f, p, priorSize);
            }
            catch (final BadChangesetException ex)
            {
                refused(ex);
            }
        }
    }

    @Override
    public void clear(final int table, final PrimaryKeyView key, final int field, final PathView path,
        final int collectionType)
    {
        final String t = string(table);
        final Value k = key(key);
        final String f = string(field);
        final Object[] p = path(path);
        if (live())
        {
            try
            {
                sink.clear(t, null == k ? objectKey("Clear", t, key) : k, f, p, collectionType);
            }
            catch (final BadChangesetException ex)
            {
                refused(ex);
            }
        }
    }

    @Override
    public void setInsert(final int table, final PrimaryKeyView key, final int field, final PathView path,
        final PayloadView value)
    {
        final String t = string(table);
        final Value k = key(key);
        final String f = string(field);
        final Object[] p = path(path);
        try
        {
            final Value v = value(value);
            if (live())
            {
                sink.setInsert(t, null == k ? objectKey("SetInsert", t, key) : k, f, p, value.type(), v);
            }
        }
        catch (final BadChangesetException ex)
        {
            if (live())
            {
                refused(ex);
            }
        }
    }

    @Override
    public void setErase(final int table, final PrimaryKeyView key, final int field, final PathView path,
        final PayloadView value)
    {
        final String t = string(table);
        final Value k = key(key);
        final String f = string(field);
        final Object[] p = path(path);
        try
        {
            final Value v = value(value);
            if (live())
            {
                sink.setErase(t, null == k ? objectKey("SetErase", t, key) : k, f, p, value.type(), v);
            }
        }
        catch (final BadChangesetException ex)
        {
            if (live())
            {
                refused(ex);
            }
        }
    }
}
