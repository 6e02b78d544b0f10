package dev.outpost.ot.state;

import java.util.Map;
import java.util.TreeMap;

/**
 * The fields of one object (top-level or embedded): column name to value, every column of the class present
 * (values are materialised eagerly when a column is added). Sorted by column name so iteration and text are
 * deterministic. Not thread-safe; owned by the state holding it.
 */
public final class ObjectData
{
    private final String table;
    private final TreeMap<String, Value> fields;

    public ObjectData(final String table)
    {
        this(table, new TreeMap<>());
    }

    private ObjectData(final String table, final TreeMap<String, Value> fields)
    {
        this.table = table;
        this.fields = fields;
    }

    /** @return the class this object belongs to. */
    public String table()
    {
        return table;
    }

    /** @return the live field map (sorted by column name). Mutate only through the applier. */
    public TreeMap<String, Value> fields()
    {
        return fields;
    }

    public Value get(final String column)
    {
        return fields.get(column);
    }

    /** @return a deep copy. */
    public ObjectData copy()
    {
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
        return o instanceof ObjectData d && table.equals(d.table) && fields.equals(d.fields);
    }

    @Override
    public int hashCode()
    {
        return table.hashCode() * 31 + fields.hashCode();
    }

    @Override
    public String toString()
    {
        final StringBuilder sb = new StringBuilder();
        appendTo(sb, "");
        return sb.toString();
    }
}
