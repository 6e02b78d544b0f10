package dev.outpost.ot.state;

import dev.outpost.codec.changeset.Instr;

import java.util.TreeMap;

/**
 * One column of a class, as AddColumn/AddTable describe it.
 *
 * @param name           column name.
 * @param type           an {@code Instr.TYPE_*} tag of the element type; {@link Instr#TYPE_NULL} means Mixed.
 * @param nullable       whether elements may be null (Mixed and single links are always nullable).
 * @param collection     one of {@code Instr.COLLECTION_*}.
 * @param linkTarget     target class of a Link column; the empty string for a typed link column; null otherwise.
 * @param keyType        dictionary key type tag (always String), 0 for other collections.
 */
public record ColumnSpec(String name, int type, boolean nullable, int collection, String linkTarget, int keyType)
{
    /** @return true for a Mixed column. */
    public boolean isMixed()
    {
        return type == Instr.TYPE_NULL;
    }

    /** @return true for a Link column with a target class (embedded or not). */
    public boolean isObjectLink()
    {
        return type == Instr.TYPE_LINK && linkTarget != null && !linkTarget.isEmpty();
    }

    /** @return true if null is a legal element value. */
    public boolean acceptsNull()
    {
        return nullable || isMixed() || (type == Instr.TYPE_LINK && collection != Instr.COLLECTION_LIST);
    }

    /** @return the value a new object (or an existing object when this column is added) holds. */
    public Value defaultValue()
    {
        switch (collection)
        {
            case Instr.COLLECTION_LIST:
                return new Value.ListValue();
            case Instr.COLLECTION_SET:
                return new Value.SetValue();
            case Instr.COLLECTION_DICTIONARY:
                return new Value.DictValue(new TreeMap<>());
            default:
                break;
        }
        if (acceptsNull())
        {
            return Value.Null.INSTANCE;
        }
        return switch (type)
        {
            case Instr.TYPE_INT -> new Value.Int(0);
            case Instr.TYPE_BOOL -> Value.Bool.FALSE;
            case Instr.TYPE_STRING -> new Value.Str("");
            case Instr.TYPE_BINARY -> new Value.Bin(new byte[0]);
            case Instr.TYPE_TIMESTAMP -> new Value.Timestamp(0, 0);
            case Instr.TYPE_FLOAT -> new Value.FloatValue(0);
            case Instr.TYPE_DOUBLE -> new Value.DoubleValue(0);
            case Instr.TYPE_DECIMAL -> Value.Decimal.ZERO;
            case Instr.TYPE_OBJECT_ID -> new Value.ObjectIdValue(new byte[12]);
            case Instr.TYPE_UUID -> new Value.UuidValue(new byte[16]);
            default -> Value.Null.INSTANCE;
        };
    }

    /** @return the same column in the sense of realm's AddColumn check (type, collection, link target). */
    public boolean sameShape(final ColumnSpec o)
    {
        return type == o.type && collection == o.collection
            && (type != Instr.TYPE_LINK || java.util.Objects.equals(linkTarget, o.linkTarget));
    }

    static String typeName(final int type)
    {
        return switch (type)
        {
            case Instr.TYPE_NULL -> "Mixed";
            case Instr.TYPE_INT -> "Int";
            case Instr.TYPE_BOOL -> "Bool";
            case Instr.TYPE_STRING -> "String";
            case Instr.TYPE_BINARY -> "Binary";
            case Instr.TYPE_TIMESTAMP -> "Timestamp";
            case Instr.TYPE_FLOAT -> "Float";
            case Instr.TYPE_DOUBLE -> "Double";
            case Instr.TYPE_DECIMAL -> "Decimal";
            case Instr.TYPE_LINK -> "Link";
            case Instr.TYPE_OBJECT_ID -> "ObjectId";
            case Instr.TYPE_UUID -> "UUID";
            case Instr.TYPE_GLOBAL_KEY -> "GlobalKey";
            case Instr.TYPE_OBJECT_VALUE -> "ObjectValue";
            case Instr.TYPE_DICTIONARY -> "Dictionary";
            case Instr.TYPE_ERASED -> "Erased";
            case Instr.TYPE_LIST -> "List";
            case Instr.TYPE_SET -> "Set";
            default -> "Type(" + type + ")";
        };
    }

    /** Canonical text, e.g. {@code list<Link(Dog)>?}. */
    void appendTo(final StringBuilder sb)
    {
        final String element = type == Instr.TYPE_LINK
            ? (linkTarget == null || linkTarget.isEmpty() ? "TypedLink" : "Link(" + linkTarget + ")")
            : typeName(type);
        switch (collection)
        {
            case Instr.COLLECTION_LIST -> sb.append("list<").append(element).append(nullable ? "?" : "").append('>');
            case Instr.COLLECTION_SET -> sb.append("set<").append(element).append(nullable ? "?" : "").append('>');
            case Instr.COLLECTION_DICTIONARY ->
                sb.append("dictionary<").append(typeName(keyType)).append(", ").append(element)
                    .append(nullable ? "?" : "").append('>');
            default -> sb.append(element).append(nullable ? "?" : "");
        }
    }
}
