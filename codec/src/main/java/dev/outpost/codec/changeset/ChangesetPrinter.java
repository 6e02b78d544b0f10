package dev.outpost.codec.changeset;

import java.math.BigInteger;
import java.util.Arrays;

import dev.outpost.codec.CodecException;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Renders instructions as text, one line each, for tools ({@code inspect}), logs and test failure messages:
 * <pre>
 *   AddTable Task (TopLevel, pk _id: ObjectId)
 *   AddColumn Task.tags: Set&lt;String?&gt;
 *   CreateObject Task[ObjectId(6b02edb471ef9c3db21348e6)]
 *   Update Task[ObjectId(6b02edb471ef9c3db21348e6)].name = "hi"
 *   ArrayInsert Task[1].items[0] = {} (prior_size 0)
 * </pre>
 * Strings in payloads longer than {@link #MAX_STRING_CHARS} are cut. Interned names are kept as Strings: this is a
 * diagnostics class, not for hot paths. Not thread-safe.
 */
public final class ChangesetPrinter implements InstructionHandler
{
    /** Payload strings and binaries are shown up to this many characters / bytes. */
    public static final int MAX_STRING_CHARS = 80;

    private static final String[] TYPE_NAMES = {
        "Set", "List", "Erased", "Dictionary", "ObjectValue", "GlobalKey", "Mixed", "Int", "Bool", "String",
        "Binary", "Timestamp", "Float", "Double", "Decimal128", "Link", "ObjectId", "UUID"};

    private final StringBuilder out;
    private final boolean showInterns;
    private String[] strings = new String[16];

    /** @param out receives one line per instruction ('\n' terminated). */
    public ChangesetPrinter(final StringBuilder out)
    {
        this(out, false);
    }

    /** @param showInterns also print a line per intern meta-instruction. */
    public ChangesetPrinter(final StringBuilder out, final boolean showInterns)
    {
        this.out = out;
        this.showInterns = showInterns;
    }

    /**
     * @return the changeset rendered, one line per instruction; if it is malformed, the instructions before the
     * error and a last line {@code !! <reason>}.
     */
    public static String print(final DirectBuffer buffer, final int offset, final int length)
    {
        final StringBuilder sb = new StringBuilder();
        try
        {
            new ChangesetDecoder().decode(buffer, offset, length, new ChangesetPrinter(sb));
        }
        catch (final CodecException ex)
        {
            sb.append("!! ").append(ex.getMessage()).append('\n');
        }
        return sb.toString();
    }

    /** @return {@link #print(DirectBuffer, int, int)} of a whole array. */
    public static String print(final byte[] changeset)
    {
        return print(new UnsafeBuffer(changeset), 0, changeset.length);
    }

    /** @return the name of a {@code Instr.TYPE_*} tag as a column/payload type ("Mixed" for 0). */
    public static String typeName(final int type)
    {
        return type >= Instr.TYPE_SET && type <= Instr.TYPE_UUID ? TYPE_NAMES[type - Instr.TYPE_SET] : "?" + type;
    }

    @Override
    public void internString(final int index, final DirectBuffer buffer, final int offset, final int length)
    {
        if (index >= strings.length)
        {
            strings = Arrays.copyOf(strings, Math.max(index + 1, strings.length * 2));
        }
        strings[index] = buffer.getStringWithoutLengthUtf8(offset, length);
        if (showInterns)
        {
            out.append("Intern ").append(index).append(" = ");
            quote(strings[index]);
            out.append('\n');
        }
    }

    @Override
    public void addTable(final int table, final int tableType, final int pkField, final int pkType, final boolean pkNullable)
    {
        out.append("AddTable ").append(name(table));
        if (tableType == Instr.TABLE_EMBEDDED)
        {
            out.append(" (Embedded)\n");
            return;
        }
        out.append(tableType == Instr.TABLE_TOP_LEVEL_ASYMMETRIC ? " (TopLevelAsymmetric" : " (TopLevel")
            .append(", pk ").append(name(pkField)).append(": ").append(typeName(pkType)).append(pkNullable ? "?" : "")
            .append(")\n");
    }

    @Override
    public void eraseTable(final int table)
    {
        out.append("EraseTable ").append(name(table)).append('\n');
    }

    @Override
    public void createObject(final int table, final PrimaryKeyView key)
    {
        out.append("CreateObject ");
        object(table, key);
        out.append('\n');
    }

    @Override
    public void eraseObject(final int table, final PrimaryKeyView key)
    {
        out.append("EraseObject ");
        object(table, key);
        out.append('\n');
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
        out.append("Update ");
        target(table, key, field, path);
        out.append(" = ");
        payload(value);
        if (path.endsInIndex())
        {
            out.append(" (prior_size ").append(priorSize).append(')');
        }
        else if (isDefault)
        {
            out.append(" (default)");
        }
        out.append('\n');
    }

    @Override
    public void addInteger(final int table, final PrimaryKeyView key, final int field, final PathView path, final long value)
    {
        out.append("AddInteger ");
        target(table, key, field, path);
        out.append(" += ").append(value).append('\n');
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
        out.append("AddColumn ").append(name(table)).append('.').append(name(field)).append(": ");
        final StringBuilder element = new StringBuilder(typeName(type));
        if (type == Instr.TYPE_LINK)
        {
            element.append(" -> ").append(name(linkTargetTable));
        }
        if (nullable)
        {
            element.append('?');
        }
        switch (collectionType)
        {
            case Instr.COLLECTION_LIST:
                out.append("List<").append(element).append('>');
                break;
            case Instr.COLLECTION_SET:
                out.append("Set<").append(element).append('>');
                break;
            case Instr.COLLECTION_DICTIONARY:
                out.append("Dictionary<").append(typeName(keyType)).append(", ").append(element).append('>');
                break;
            default:
                out.append(element);
                break;
        }
        out.append('\n');
    }

    @Override
    public void eraseColumn(final int table, final int field)
    {
        out.append("EraseColumn ").append(name(table)).append('.').append(name(field)).append('\n');
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
        out.append("ArrayInsert ");
        target(table, key, field, path);
        out.append(" = ");
        payload(value);
        out.append(" (prior_size ").append(priorSize).append(")\n");
    }

    @Override
    public void arrayMove(
        final int table, final PrimaryKeyView key, final int field, final PathView path, final long ndx2, final long priorSize)
    {
        out.append("ArrayMove ");
        target(table, key, field, path);
        out.append(" -> ").append(ndx2).append(" (prior_size ").append(priorSize).append(")\n");
    }

    @Override
    public void arrayErase(final int table, final PrimaryKeyView key, final int field, final PathView path, final long priorSize)
    {
        out.append("ArrayErase ");
        target(table, key, field, path);
        out.append(" (prior_size ").append(priorSize).append(")\n");
    }

    @Override
    public void clear(final int table, final PrimaryKeyView key, final int field, final PathView path, final int collectionType)
    {
        out.append("Clear ");
        target(table, key, field, path);
        out.append(" (").append(collectionName(collectionType)).append(")\n");
    }

    @Override
    public void setInsert(final int table, final PrimaryKeyView key, final int field, final PathView path, final PayloadView value)
    {
        out.append("SetInsert ");
        target(table, key, field, path);
        out.append(" += ");
        payload(value);
        out.append('\n');
    }

    @Override
    public void setErase(final int table, final PrimaryKeyView key, final int field, final PathView path, final PayloadView value)
    {
        out.append("SetErase ");
        target(table, key, field, path);
        out.append(" -= ");
        payload(value);
        out.append('\n');
    }

    private static String collectionName(final int collectionType)
    {
        switch (collectionType)
        {
            case Instr.COLLECTION_SINGLE:
                return "Single";
            case Instr.COLLECTION_LIST:
                return "List";
            case Instr.COLLECTION_DICTIONARY:
                return "Dictionary";
            case Instr.COLLECTION_SET:
                return "Set";
            default:
                return "?" + collectionType;
        }
    }

    private String name(final int index)
    {
        return index >= 0 && index < strings.length && strings[index] != null ? strings[index] : "#" + index;
    }

    private void object(final int table, final PrimaryKeyView key)
    {
        out.append(name(table)).append('[');
        primaryKey(key);
        out.append(']');
    }

    private void target(final int table, final PrimaryKeyView key, final int field, final PathView path)
    {
        object(table, key);
        out.append('.').append(name(field));
        for (int i = 0; i < path.size(); i++)
        {
            if (path.isIndex(i))
            {
                out.append('[').append(path.index(i)).append(']');
            }
            else
            {
                out.append('.').append(name(path.key(i)));
            }
        }
    }

    private void primaryKey(final PrimaryKeyView key)
    {
        switch (key.type())
        {
            case Instr.TYPE_NULL:
                out.append("null");
                break;
            case Instr.TYPE_INT:
                out.append(key.intValue());
                break;
            case Instr.TYPE_STRING:
                quote(name(key.stringIndex()));
                break;
            case Instr.TYPE_GLOBAL_KEY:
                out.append("GlobalKey(").append(Long.toUnsignedString(key.globalKeyHi())).append(", ")
                    .append(Long.toUnsignedString(key.globalKeyLo())).append(')');
                break;
            case Instr.TYPE_OBJECT_ID:
                out.append("ObjectId(");
                hex(key.bytesBuffer(), key.bytesOffset(), 12);
                out.append(')');
                break;
            case Instr.TYPE_UUID:
                out.append("UUID(");
                uuid(key.bytesBuffer(), key.bytesOffset());
                out.append(')');
                break;
            default:
                out.append('?').append(key.type());
                break;
        }
    }

    private void payload(final PayloadView value)
    {
        switch (value.type())
        {
            case Instr.TYPE_SET:
                out.append("Set{}");
                break;
            case Instr.TYPE_LIST:
                out.append("[]");
                break;
            case Instr.TYPE_ERASED:
                out.append("<erased>");
                break;
            case Instr.TYPE_DICTIONARY:
                out.append("Dictionary{}");
                break;
            case Instr.TYPE_OBJECT_VALUE:
                out.append("{}");
                break;
            case Instr.TYPE_NULL:
                out.append("null");
                break;
            case Instr.TYPE_INT:
                out.append(value.longValue());
                break;
            case Instr.TYPE_BOOL:
                out.append(value.boolValue());
                break;
            case Instr.TYPE_STRING:
            {
                final int n = Math.min(value.bytesLength(), MAX_STRING_CHARS * 4);
                String s = value.bytesBuffer().getStringWithoutLengthUtf8(value.bytesOffset(), n);
                final boolean cut = s.length() > MAX_STRING_CHARS || n < value.bytesLength();
                if (s.length() > MAX_STRING_CHARS)
                {
                    s = s.substring(0, MAX_STRING_CHARS);
                }
                quote(s);
                if (cut)
                {
                    out.append("...(").append(value.bytesLength()).append(" bytes)");
                }
                break;
            }
            case Instr.TYPE_BINARY:
                out.append("Binary(").append(value.bytesLength()).append(" bytes");
                if (value.bytesLength() > 0)
                {
                    out.append(": ");
                    hex(value.bytesBuffer(), value.bytesOffset(), Math.min(value.bytesLength(), MAX_STRING_CHARS / 2));
                    if (value.bytesLength() > MAX_STRING_CHARS / 2)
                    {
                        out.append("...");
                    }
                }
                out.append(')');
                break;
            case Instr.TYPE_TIMESTAMP:
                out.append("Timestamp(").append(value.longValue()).append(", ").append(value.nanos()).append(')');
                break;
            case Instr.TYPE_FLOAT:
                out.append(value.floatValue()).append('f');
                break;
            case Instr.TYPE_DOUBLE:
                out.append(value.doubleValue());
                break;
            case Instr.TYPE_DECIMAL:
            {
                final BigInteger coefficient = BigInteger.valueOf(value.decimalHigh()).shiftLeft(64)
                    .or(new BigInteger(Long.toUnsignedString(value.decimalLow())));
                out.append("Decimal128(").append(value.decimalNegative() ? "-" : "").append(coefficient)
                    .append('E').append(value.decimalExponent()).append(')');
                break;
            }
            case Instr.TYPE_LINK:
                out.append("Link(");
                object(value.linkTable(), value.linkKey());
                out.append(')');
                break;
            case Instr.TYPE_OBJECT_ID:
                out.append("ObjectId(");
                hex(value.bytesBuffer(), value.bytesOffset(), 12);
                out.append(')');
                break;
            case Instr.TYPE_UUID:
                out.append("UUID(");
                uuid(value.bytesBuffer(), value.bytesOffset());
                out.append(')');
                break;
            default:
                out.append('?').append(value.type());
                break;
        }
    }

    private void uuid(final DirectBuffer buffer, final int offset)
    {
        hex(buffer, offset, 4);
        out.append('-');
        hex(buffer, offset + 4, 2);
        out.append('-');
        hex(buffer, offset + 6, 2);
        out.append('-');
        hex(buffer, offset + 8, 2);
        out.append('-');
        hex(buffer, offset + 10, 6);
    }

    private void hex(final DirectBuffer buffer, final int offset, final int length)
    {
        for (int i = 0; i < length; i++)
        {
            final int b = buffer.getByte(offset + i) & 0xFF;
            out.append(Character.forDigit(b >> 4, 16)).append(Character.forDigit(b & 0xF, 16));
        }
    }

    private void quote(final String s)
    {
        out.append('"');
        for (int i = 0; i < s.length(); i++)
        {
            final char c = s.charAt(i);
            switch (c)
            {
                case '"':
                    out.append("\\\"");
                    break;
                case '\\':
                    out.append("\\\\");
                    break;
                case '\n':
                    out.append("\\n");
                    break;
                case '\t':
                    out.append("\\t");
                    break;
                case '\r':
                    out.append("\\r");
                    break;
                default:
                    if (c < 0x20)
                    {
                        out.append(String.format("\\u%04x", (int)c));
                    }
                    else
                    {
                        out.append(c);
                    }
                    break;
            }
        }
        out.append('"');
    }
}
