package dev.outpost.ot.model;

import java.util.Objects;

import dev.outpost.codec.changeset.Instr;

/**
 * AddColumn: adds a property. {@code valueType} is a {@code Instr.TYPE_*} tag (0 = Mixed); {@code linkTargetTable}
 * is set only for Link columns; {@code keyType} is only meaningful (and only on the wire) for dictionaries.
 * Not thread-safe.
 */
public final class AddColumn extends ColumnInstruction
{
    private int valueType;
    private boolean nullable;
    private int collectionType;
    private String linkTargetTable;
    private int keyType;

    public AddColumn(
        final String table, final String field, final int valueType, final boolean nullable, final int collectionType,
        final String linkTargetTable, final int keyType)
    {
        super(table, field);
        this.valueType = valueType;
        this.nullable = nullable;
        this.collectionType = collectionType;
        this.linkTargetTable = linkTargetTable;
        this.keyType = keyType;
    }

    /** A single-valued, non-link column. */
    public AddColumn(final String table, final String field, final int valueType, final boolean nullable)
    {
        this(table, field, valueType, nullable, Instr.COLLECTION_SINGLE, null, 0);
    }

    @Override
    public int type()
    {
        return Instr.ADD_COLUMN;
    }

    public int valueType()
    {
        return valueType;
    }

    public void setValueType(final int valueType)
    {
        this.valueType = valueType;
    }

    public boolean nullable()
    {
        return nullable;
    }

    public void setNullable(final boolean nullable)
    {
        this.nullable = nullable;
    }

    /** @return {@code Instr.COLLECTION_SINGLE, _LIST, _DICTIONARY} or {@code _SET}. */
    public int collectionType()
    {
        return collectionType;
    }

    public void setCollectionType(final int collectionType)
    {
        this.collectionType = collectionType;
    }

    /** @return the link target class, or null if this is not a Link column. */
    public String linkTargetTable()
    {
        return linkTargetTable;
    }

    public void setLinkTargetTable(final String linkTargetTable)
    {
        this.linkTargetTable = linkTargetTable;
    }

    public int keyType()
    {
        return keyType;
    }

    public void setKeyType(final int keyType)
    {
        this.keyType = keyType;
    }

    @Override
    public AddColumn copy()
    {
        return copyBase(new AddColumn(table(), field(), valueType, nullable, collectionType, linkTargetTable, keyType));
    }

    @Override
    public boolean equals(final Object o)
    {
        if (!super.equals(o))
        {
            return false;
        }
        final AddColumn c = (AddColumn)o;
        return field().equals(c.field()) && valueType == c.valueType && nullable == c.nullable &&
            collectionType == c.collectionType && Objects.equals(linkTargetTable, c.linkTargetTable) &&
            keyType == c.keyType;
    }

    @Override
    public int hashCode()
    {
        return Objects.hash(super.hashCode(), field(), valueType, nullable, collectionType, linkTargetTable, keyType);
    }

    @Override
    public String toString()
    {
        return "AddColumn(" + table() + "." + field() + ", type=" + valueType + (nullable ? "?" : "") +
            ", collection=" + collectionType + (linkTargetTable != null ? ", -> " + linkTargetTable : "") +
            (collectionType == Instr.COLLECTION_DICTIONARY ? ", key=" + keyType : "") + ")";
    }
}
