package dev.outpost.ot.state;

import java.util.Collections;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * The fields of one object (top-level or embedded): column name to value, every column of the class present
 * (values are materialised eagerly when a column is added). Sorted by column name so iteration and text are
 * deterministic. Not thread-safe; owned by the state holding it.
 * <p>
 * Either a tree of values (a new object, an embedded one, or a top-level object with a container field), or a view
 * of a top-level object held as a compact record by its class ({@link TableData}): a view decodes its record on
 * access, follows the object when the state rewrites it, and is read-only ({@link #fields()} is then a decoded copy
 * that cannot be modified; the state's applier writes through {@link ObjectState}).
 */
public final class ObjectData
{
    private final String table;
    private final TreeMap<String, Value> fields;
    private final TableData owner;
    private final Value key;
    /** A view's first record: immutable, so its first {@link #keyLength} bytes are the key's encoding for good. */
    private final byte[] origin;
    private final int keyLength;
    private Object record;
    private int seen;

    public ObjectData(final String table)
    {
        this(table, new TreeMap<>());
    }

    private ObjectData(final String table, final TreeMap<String, Value> fields)
    {
        this.table = table;
        this.fields = fields;
        this.owner = null;
        this.key = null;
        this.origin = null;
        this.keyLength = 0;
    }

    /** A view of the compact record {@code record} of {@code owner[key]}. */
    ObjectData(final TableData owner, final Value key, final byte[] record)
    {
        this.table = owner.name();
        this.fields = null;
        this.owner = owner;
        this.key = key;
        this.origin = record;
        this.keyLength = CompactRecord.keyLength(record);
        this.record = record;
        this.seen = owner.version();
    }

    /** @return the class this object belongs to. */
    public String table()
    {
        return table;
    }

    /**
     * @return the fields sorted by column name: the live map of a tree of values (mutate only through the applier,
     * or while building a new object), or a read-only decoded copy for a view of a compact record.
     */
    public NavigableMap<String, Value> fields()
    {
        if (fields != null)
        {
            return fields;
        }
        final Object r = current();
        if (r instanceof ObjectData d)
        {
            return d.fields();
        }
        return Collections.unmodifiableNavigableMap(owner.decode((byte[])r, key));
    }

    public Value get(final String column)
    {
        if (fields != null)
        {
            return fields.get(column);
        }
        final Object r = current();
        if (r instanceof ObjectData d)
        {
            return d.get(column);
        }
        return owner.field((byte[])r, key, column);
    }

    /** @return true if this is a view of a compact record (see the class comment). */
    boolean isView()
    {
        return owner != null;
    }

    /** @return the class holding the record of a view. */
    TableData owner()
    {
        return owner;
    }

    /** @return the primary key of a view. */
    Value key()
    {
        return key;
    }

    /** A view: {@code r} is its record as of the store's write count {@code version} (its own write). */
    void track(final Object r, final int version)
    {
        record = r;
        seen = version;
    }

    /** @return a view's key encoding: the first {@link #keyLength()} bytes. */
    byte[] keyBytes()
    {
        return origin;
    }

    int keyLength()
    {
        return keyLength;
    }

    /** @return the live field map of a tree of values (not a view). */
    TreeMap<String, Value> tree()
    {
        return fields;
    }

    /**
     * @return a view's current record: its compact {@code byte[]}, or the tree of values the object became; the last
     * one seen if the object is gone.
     */
    Object current()
    {
        final int v = owner.version();
        if (v != seen)
        {
            final Object r = owner.record(origin, keyLength);
            if (r != null)
            {
                record = r;
            }
            seen = v;
        }
        return record;
    }

    /** @return a deep copy. */
    public ObjectData copy()
    {
        if (fields == null)
        {
            final Object r = current();
            return r instanceof ObjectData d ? d.copy() : new ObjectData(table, owner.decode((byte[])r, key));
        }
        final TreeMap<String, Value> c = new TreeMap<>(fields); // built from the sorted map: no key comparisons
        for (final Map.Entry<String, Value> e : c.entrySet())
        {
            final Value v = e.getValue();
            final Value copy = v.copy(); // primitives are immutable: themselves
            if (copy != v)
            {
                e.setValue(copy);
            }
        }
        return new ObjectData(table, c);
    }

    void appendTo(final StringBuilder sb, final String indent)
    {
        final Map<String, Value> fields = fields();
        sb.append(table).append(" {");
        if (fields.isEmpty())
        {
            sb.append('}');
            return;
        }
        sb.append('\n');
        final String inner = indent + "  ";
        for (final Map.Entry<String, Value> e : fields.entrySet())
        {
            sb.append(inner).append(e.getKey()).append(" = ");
            e.getValue().appendTo(sb, inner);
            sb.append('\n');
        }
        sb.append(indent).append('}');
    }

    @Override
    public boolean equals(final Object o)
    {
        return o instanceof ObjectData d && table.equals(d.table) && fields().equals(d.fields());
    }

    @Override
    public int hashCode()
    {
        return table.hashCode() * 31 + fields().hashCode();
    }

    @Override
    public String toString()
    {
        final StringBuilder sb = new StringBuilder();
        appendTo(sb, "");
        return sb.toString();
    }
}
