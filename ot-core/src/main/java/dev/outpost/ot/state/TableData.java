package dev.outpost.ot.state;

import dev.outpost.codec.changeset.Instr;

import java.util.Map;
import java.util.TreeMap;

/**
 * One class of an {@link ObjectState}: its spec (type, primary key), its columns sorted by name (the primary-key
 * column included), and, for top-level classes, its objects sorted by primary key ({@link Value#ORDER}). Embedded
 * objects live inside their parents, not here. Not thread-safe; owned by the state.
 */
public final class TableData
{
    private final String name;
    private final TableType type;
    private final String pkField;
    private final int pkType;
    private final boolean pkNullable;
    final TreeMap<String, ColumnSpec> columns = new TreeMap<>();
    /** Written only through {@link #putObject}, {@link #removeObject} and {@link #restoreObject} (they keep {@link #last}). */
    final TreeMap<Value, ObjectData> objects = new TreeMap<>(Value.ORDER);
    /**
     * The last key looked up or written and its object (null: none), one immutable pair: an instruction sequence on
     * one object (CreateObject, then its Updates) finds it without a tree descent ({@link Value#ORDER} comparisons)
     * each time. Reset by every write; a reader on another thread sees either pair whole.
     */
    private Last last;

    /**
     * @param pkField    primary-key column name (null for embedded classes).
     * @param pkType     {@code Instr.TYPE_*} tag of the primary key (0 for embedded classes).
     * @param pkNullable whether the null key is allowed.
     */
    public TableData(final String name, final TableType type, final String pkField, final int pkType,
        final boolean pkNullable)
    {
        this.name = name;
        this.type = type;
        this.pkField = pkField;
        this.pkType = pkType;
        this.pkNullable = pkNullable;
        if (pkField != null)
        {
            columns.put(pkField, new ColumnSpec(pkField, pkType, pkNullable, Instr.COLLECTION_SINGLE, null, 0));
        }
    }

    public String name()
    {
        return name;
    }

    public TableType type()
    {
        return type;
    }

    public boolean isEmbedded()
    {
        return type == TableType.EMBEDDED;
    }

    /** @return the primary-key column name, or null for embedded classes. */
    public String pkField()
    {
        return pkField;
    }

    public int pkType()
    {
        return pkType;
    }

    public boolean pkNullable()
    {
        return pkNullable;
    }

    /** @return columns sorted by name, including the primary-key column (read-only by contract). */
    public Map<String, ColumnSpec> columns()
    {
        return java.util.Collections.unmodifiableMap(columns);
    }

    public ColumnSpec column(final String column)
    {
        return columns.get(column);
    }

    /** @return objects sorted by primary key (read-only by contract). */
    public Map<Value, ObjectData> objects()
    {
        return java.util.Collections.unmodifiableMap(objects);
    }

    public ObjectData object(final Value key)
    {
        final Last l = last;
        if (null != l && l.key.equals(key))
        {
            return l.object;
        }
        final ObjectData o = objects.get(key);
        last = new Last(key, o);
        return o;
    }

    /** Add or replace the object of {@code key} (the state's journal restores it). @return the replaced one. */
    ObjectData putObject(final Value key, final ObjectData o)
    {
        final ObjectData old = objects.put(key, o);
        last = new Last(key, o);
        return old;
    }

    /** Remove the object of {@code key}. @return the removed one, or null. */
    ObjectData removeObject(final Value key)
    {
        final ObjectData old = objects.remove(key);
        last = new Last(key, null);
        return old;
    }

    /** Undo of {@link #putObject} and {@link #removeObject}: {@code old} back (null: none). */
    void restoreObject(final Value key, final ObjectData old)
    {
        if (null == old)
        {
            objects.remove(key);
        }
        else
        {
            objects.put(key, old);
        }
        last = null;
    }

    /** @return true if the spec (type and primary key) equals {@code o}'s; columns and objects are not compared. */
    public boolean sameSpec(final TableData o)
    {
        return type == o.type && java.util.Objects.equals(pkField, o.pkField) && pkType == o.pkType
            && pkNullable == o.pkNullable;
    }

    TableData copy()
    {
        final TableData c = new TableData(name, type, pkField, pkType, pkNullable);
        c.columns.putAll(columns);
        for (final Map.Entry<Value, ObjectData> e : objects.entrySet())
        {
            c.objects.put(e.getKey(), e.getValue().copy());
        }
        return c;
    }

    void appendTo(final StringBuilder sb)
    {
        sb.append("class ").append(name).append(' ').append(switch (type)
        {
            case TOP_LEVEL -> "top-level";
            case EMBEDDED -> "embedded";
            case TOP_LEVEL_ASYMMETRIC -> "asymmetric";
        });
        if (pkField != null)
        {
            sb.append(" pk ").append(pkField).append(' ').append(ColumnSpec.typeName(pkType))
                .append(pkNullable ? "?" : "");
        }
        sb.append('\n');
        for (final ColumnSpec c : columns.values())
        {
            sb.append("  column ").append(c.name()).append(' ');
            c.appendTo(sb);
            sb.append('\n');
        }
        for (final Map.Entry<Value, ObjectData> e : objects.entrySet())
        {
            sb.append("  object ");
            e.getKey().appendTo(sb, "  ");
            sb.append(' ');
            e.getValue().appendTo(sb, "  ");
            sb.append('\n');
        }
    }

    @Override
    public boolean equals(final Object o)
    {
        return o instanceof TableData t && name.equals(t.name) && sameSpec(t) && columns.equals(t.columns)
            && objects.equals(t.objects);
    }

    @Override
    public int hashCode()
    {
        return name.hashCode();
    }

    /** A key and its object (null: absent) as {@link #last} holds them. */
    private record Last(Value key, ObjectData object)
    {
    }
}
