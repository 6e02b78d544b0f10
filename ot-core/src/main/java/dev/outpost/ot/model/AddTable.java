package dev.outpost.ot.model;

import java.util.Objects;

import dev.outpost.codec.changeset.Instr;

/**
 * AddTable: creates a class. Top-level (and asymmetric) tables carry a primary key field, type and nullability;
 * embedded tables have none ({@code pkField} null, {@code pkType} 0). Not thread-safe.
 */
public final class AddTable extends SchemaInstruction
{
    private int tableType;
    private String pkField;
    private int pkType;
    private boolean pkNullable;

    /** Top-level or asymmetric table with a primary key. */
    public AddTable(final String table, final int tableType, final String pkField, final int pkType, final boolean pkNullable)
    {
        super(table, 1);
        this.tableType = tableType;
        this.pkField = pkField;
        this.pkType = pkType;
        this.pkNullable = pkNullable;
    }

    public static AddTable embedded(final String table)
    {
        return new AddTable(table, Instr.TABLE_EMBEDDED, null, 0, false);
    }

    @Override
    public int type()
    {
        return Instr.ADD_TABLE;
    }

    public boolean isEmbedded()
    {
        return tableType == Instr.TABLE_EMBEDDED;
    }

    /** @return {@code Instr.TABLE_TOP_LEVEL}, {@code TABLE_EMBEDDED} or {@code TABLE_TOP_LEVEL_ASYMMETRIC}. */
    public int tableType()
    {
        return tableType;
    }

    public void setTableType(final int tableType)
    {
        this.tableType = tableType;
    }

    public String pkField()
    {
        return pkField;
    }

    public void setPkField(final String pkField)
    {
        this.pkField = pkField;
    }

    /** @return a {@code Instr.TYPE_*} tag (Int, String, ObjectId, UUID or GlobalKey). */
    public int pkType()
    {
        return pkType;
    }

    public void setPkType(final int pkType)
    {
        this.pkType = pkType;
    }

    public boolean pkNullable()
    {
        return pkNullable;
    }

    public void setPkNullable(final boolean pkNullable)
    {
        this.pkNullable = pkNullable;
    }

    @Override
    public AddTable copy()
    {
        return copyBase(new AddTable(table(), tableType, pkField, pkType, pkNullable));
    }

    @Override
    public boolean equals(final Object o)
    {
        if (!super.equals(o))
        {
            return false;
        }
        final AddTable t = (AddTable)o;
        return tableType == t.tableType && Objects.equals(pkField, t.pkField) && pkType == t.pkType &&
            pkNullable == t.pkNullable;
    }

    @Override
    public int hashCode()
    {
        return Objects.hash(super.hashCode(), tableType, pkField, pkType, pkNullable);
    }

    @Override
    public String toString()
    {
        return isEmbedded() ? "AddTable(" + table() + ", embedded)" :
            "AddTable(" + table() + ", type=" + tableType + ", pk " + pkField + ":" + pkType +
            (pkNullable ? "?" : "") + ")";
    }
}
