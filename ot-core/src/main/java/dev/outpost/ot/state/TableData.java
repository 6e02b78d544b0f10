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
    /**
     * Top-level objects by primary key: compact records when every field is a primitive or a link, else trees of
     * values ({@link ObjectStore.Expanded}). Written only through {@link #putObject}, {@link #removeObject},
     * {@link #restoreRecord} and {@link #rewrite} (they keep {@link #last}).
     */
    private final ObjectStore store;
    private final CompactRecord.ColumnIds ids;
    private final boolean compact;
    /**
     * The last key looked up or written and its object (null: none), one immutable pair: an instruction sequence on
     * one object (CreateObject, then its Updates) finds it without a hash lookup each time. A reader on another
     * thread sees either pair whole.
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
        this(name, type, pkField, pkType, pkNullable, true);
    }

    /** @param compact false: hold every object as a tree of values (the reference representation of tests). */
    TableData(final String name, final TableType type, final String pkField, final int pkType,
        final boolean pkNullable, final boolean compact)
    {
        this.name = name;
        this.type = type;
        this.pkField = pkField;
        this.pkType = pkType;
        this.pkNullable = pkNullable;
        this.compact = compact;
        this.store = new ObjectStore();
        this.ids = new CompactRecord.ColumnIds();
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

    /** @return objects sorted by primary key (read-only). */
    public Map<Value, ObjectData> objects()
    {
        return new Objects();
    }

    /** @return the number of objects. */
    public int objectCount()
    {
        return store.size();
    }

    public ObjectData object(final Value key)
    {
        final Last l = last;
        if (null != l && l.key.equals(key))
        {
            return l.object;
        }
        final ObjectData o = view(key, store.get(CompactRecord.key(key)));
        last = new Last(key, o);
        return o;
    }

    /** @return true if compaction is on (false: the reference representation). */
    boolean compact()
    {
        return compact;
    }

    /** @return the write count of the store (views of compact records re-read their record when it changed). */
    int version()
    {
        return store.version();
    }

    /** @return the current record of the key encoded in {@code key[0..length)}: a compact {@code byte[]}, an
     * expanded object, or null. */
    Object record(final byte[] key, final int length)
    {
        final Object r = store.get(key, length);
        return r instanceof ObjectStore.Expanded e ? e.object() : r;
    }

    /** @return the fields of a compact record, sorted by name. */
    TreeMap<String, Value> decode(final byte[] record, final Value key)
    {
        return CompactRecord.decode(record, key, pkField, ids);
    }

    /** @return the field {@code column} of a compact record, or null. */
    Value field(final byte[] record, final Value key, final String column)
    {
        if (column.equals(pkField))
        {
            return key;
        }
        final int id = ids.lookup(column);
        return id < 0 ? null : CompactRecord.field(record, id);
    }

    private ObjectData view(final Value key, final Object r)
    {
        if (r == null)
        {
            return null;
        }
        return r instanceof ObjectStore.Expanded e ? e.object() : new ObjectData(this, key, (byte[])r);
    }

    /** @return the record holding {@code o} (its fields) under {@code key}: compact if possible. */
    private Object recordOf(final byte[] key, final Value keyValue, final ObjectData o)
    {
        if (compact)
        {
            final byte[] r = CompactRecord.encode(key, keyValue, o.fields(), pkField, ids);
            if (r != null)
            {
                return r;
            }
        }
        return new ObjectStore.Expanded(key, keyValue, o.isView() ? o.copy() : o);
    }

    /** Add or replace the object of {@code key} (the state's journal restores it). @return the replaced record. */
    Object putObject(final Value key, final ObjectData o)
    {
        final byte[] k = CompactRecord.key(key);
        final Object record = recordOf(k, key, o);
        final Object old = store.put(k, record);
        last = new Last(key, view(key, record));
        return old;
    }

    /** Remove the object of {@code key}. @return the removed record, or null. */
    Object removeObject(final Value key)
    {
        final Object old = store.remove(CompactRecord.key(key));
        last = new Last(key, null);
        return old;
    }

    /**
     * Replace the compact record of {@code key} by one with {@code fields} (compact if possible, else expanded).
     * @return the replaced record.
     */
    Object rewrite(final Value key, final TreeMap<String, Value> fields)
    {
        final byte[] k = CompactRecord.key(key);
        Object record = compact ? CompactRecord.encode(k, key, fields, pkField, ids) : null;
        if (record == null)
        {
            final ObjectData o = new ObjectData(name);
            o.fields().putAll(fields);
            record = new ObjectStore.Expanded(k, key, o);
        }
        final Object old = store.put(k, record);
        last = null;
        return old;
    }

    /**
     * Set {@code column} of the compact record {@code record} of {@code key} to {@code v}: the record rewritten
     * with that one entry changed, or (a container value) the object turned into a tree of values.
     * @return the replaced record.
     */
    Object setField(final ObjectData view, final byte[] record, final String column, final Value v)
    {
        if (compact && !column.equals(pkField))
        {
            final byte[] changed = CompactRecord.withField(record, ids.id(column), v);
            if (changed != null)
            {
                return replace(view, changed);
            }
        }
        final TreeMap<String, Value> fields = decode(record, view.key());
        fields.put(column, v);
        return rewrite(view.key(), fields);
    }

    /** Remove {@code column} from the compact record {@code record} of a view. @return the replaced record. */
    Object removeField(final ObjectData view, final byte[] record, final String column)
    {
        if (!column.equals(pkField))
        {
            final int id = ids.lookup(column);
            return replace(view, id < 0 ? record : CompactRecord.withoutField(record, id));
        }
        final TreeMap<String, Value> fields = decode(record, view.key());
        fields.remove(column);
        return rewrite(view.key(), fields);
    }

    /** Store {@code changed} as the record of a view's object, the view following it. @return the replaced one. */
    private Object replace(final ObjectData view, final byte[] changed)
    {
        Object old = store.replace(view.keyBytes(), view.keyLength(), changed);
        if (old == null)
        {
            old = store.put(CompactRecord.key(view.key()), changed); // the object was gone: back, as a tree would be
        }
        view.track(changed, store.version());
        return old;
    }

    /** Undo of {@link #putObject}, {@link #removeObject} and {@link #rewrite}: {@code old} back (null: none). */
    void restoreRecord(final Value key, final Object old)
    {
        if (null == old)
        {
            store.remove(CompactRecord.key(key));
        }
        else
        {
            store.put(CompactRecord.key(key), old);
        }
        last = null;
    }

    /** Visit every object held as a tree of values (the only ones that can hold embedded objects). */
    void forEachExpanded(final java.util.function.Consumer<ObjectData> visitor)
    {
        for (final int slot : store.order())
        {
            if (store.at(slot) instanceof ObjectStore.Expanded e)
            {
                visitor.accept(e.object());
            }
        }
    }

    /** @return true if the spec (type and primary key) equals {@code o}'s; columns and objects are not compared. */
    public boolean sameSpec(final TableData o)
    {
        return type == o.type && java.util.Objects.equals(pkField, o.pkField) && pkType == o.pkType
            && pkNullable == o.pkNullable;
    }

    /** @return an empty class of the same spec and columns holding its objects as trees of values. */
    TableData uncompacted()
    {
        if (store.size() != 0)
        {
            throw new IllegalStateException("class " + name + " already has objects");
        }
        final TableData c = new TableData(name, type, pkField, pkType, pkNullable, false);
        c.columns.putAll(columns);
        return c;
    }

    TableData copy()
    {
        final TableData c = new TableData(name, type, pkField, pkType, pkNullable, compact,
            store.copy(e -> new ObjectStore.Expanded(e.key(), e.keyValue(), e.object().copy())), ids.copy());
        c.columns.putAll(columns);
        return c;
    }

    private TableData(final String name, final TableType type, final String pkField, final int pkType,
        final boolean pkNullable, final boolean compact, final ObjectStore store, final CompactRecord.ColumnIds ids)
    {
        this.name = name;
        this.type = type;
        this.pkField = pkField;
        this.pkType = pkType;
        this.pkNullable = pkNullable;
        this.compact = compact;
        this.store = store;
        this.ids = ids;
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
        for (final Map.Entry<Value, ObjectData> e : objects().entrySet())
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
            && objects().equals(t.objects());
    }

    @Override
    public int hashCode()
    {
        return name.hashCode();
    }

    /** The objects in key order, read-only: entries and views are made as the iteration goes. */
    private final class Objects extends java.util.AbstractMap<Value, ObjectData>
    {
        @Override
        public int size()
        {
            return store.size();
        }

        @Override
        public ObjectData get(final Object key)
        {
            return key instanceof Value v ? object(v) : null;
        }

        @Override
        public boolean containsKey(final Object key)
        {
            return get(key) != null;
        }

        @Override
        public java.util.Set<Map.Entry<Value, ObjectData>> entrySet()
        {
            return new java.util.AbstractSet<>()
            {
                @Override
                public int size()
                {
                    return store.size();
                }

                @Override
                public java.util.Iterator<Map.Entry<Value, ObjectData>> iterator()
                {
                    final int[] order = store.order();
                    return new java.util.Iterator<>()
                    {
                        private int i;

                        @Override
                        public boolean hasNext()
                        {
                            return i < order.length;
                        }

                        @Override
                        public Map.Entry<Value, ObjectData> next()
                        {
                            if (i >= order.length)
                            {
                                throw new java.util.NoSuchElementException();
                            }
                            final int slot = order[i++];
                            final Value key = store.keyAt(slot);
                            return new java.util.AbstractMap.SimpleImmutableEntry<>(key, view(key, store.at(slot)));
                        }
                    };
                }
            };
        }
    }

    /** A key and its object (null: absent) as {@link #last} holds them. */
    private record Last(Value key, ObjectData object)
    {
    }
}
