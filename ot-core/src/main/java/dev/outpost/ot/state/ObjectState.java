package dev.outpost.ot.state;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * In-memory data of one server file: classes sorted by name, each with its columns and objects (see
 * {@link TableData}, {@link ObjectData}, {@link Value}). Every structure is sorted or insertion-ordered, so
 * {@link #equals}, {@link #dump()} and every snapshot are deterministic.
 * <p>
 * Mutated only by {@link InstructionApplier}, which journals each change in an undo log so a failing changeset
 * can be rolled back. Not thread-safe: owned by the server file's writer (or a client's integration thread).
 */
public final class ObjectState
{
    final TreeMap<String, TableData> tables = new TreeMap<>();
    private final ArrayDeque<Runnable> undo = new ArrayDeque<>();
    private boolean journaling;
    private final boolean compact;

    public ObjectState()
    {
        this(true);
    }

    /** @param compact false: hold every object as a tree of values (the reference representation of tests). */
    ObjectState(final boolean compact)
    {
        this.compact = compact;
    }

    /** @return classes sorted by name (read-only by contract). */
    public Map<String, TableData> tables()
    {
        return java.util.Collections.unmodifiableMap(tables);
    }

    /** @return the class, or null. */
    public TableData table(final String name)
    {
        return tables.get(name);
    }

    /** @return the object {@code table[key]}, or null. */
    public ObjectData object(final String table, final Value key)
    {
        final TableData t = tables.get(table);
        return t == null ? null : t.object(key);
    }

    /**
     * @return true if the link's target object exists now. Links to missing objects are kept (realm's unresolved
     * links); a user-facing view shows them as null (single) or hides them (lists, sets, dictionaries).
     */
    public boolean isResolved(final Value.Link link)
    {
        return object(link.table(), link.key()) != null;
    }

    /** @return true if the state holds no class. */
    public boolean isEmpty()
    {
        return tables.isEmpty();
    }

    /** @return a deep copy. */
    public ObjectState copy()
    {
        final ObjectState c = new ObjectState(compact);
        for (final Map.Entry<String, TableData> e : tables.entrySet())
        {
            c.tables.put(e.getKey(), e.getValue().copy());
        }
        return c;
    }

    /**
     * Canonical text of the whole state: one block per class (sorted), its columns (sorted), then its objects
     * (sorted by primary key) with every field. Two states are equal iff their dumps are equal.
     */
    public String dump()
    {
        final StringBuilder sb = new StringBuilder();
        for (final TableData t : tables.values())
        {
            t.appendTo(sb);
        }
        return sb.toString();
    }

    @Override
    public boolean equals(final Object o)
    {
        return o instanceof ObjectState s && tables.equals(s.tables);
    }

    @Override
    public int hashCode()
    {
        return tables.keySet().hashCode();
    }

    @Override
    public String toString()
    {
        return dump();
    }

    /** Visit every object of {@code table}: top-level objects in key order, embedded ones depth-first in place. */
    void forEachObject(final String table, final Consumer<ObjectData> visitor)
    {
        final TableData t = tables.get(table);
        if (t == null)
        {
            return;
        }
        if (!t.isEmbedded())
        {
            t.objects().values().forEach(visitor);
            return;
        }
        for (final TableData top : tables.values())
        {
            top.forEachExpanded(o -> visitEmbedded(o, table, visitor)); // compact objects hold no embedded ones
        }
    }

    private static void visitEmbedded(final ObjectData o, final String table, final Consumer<ObjectData> visitor)
    {
        for (final Value v : new ArrayList<>(o.fields().values()))
        {
            visitEmbeddedIn(v, table, visitor);
        }
    }

    private static void visitEmbeddedIn(final Value v, final String table, final Consumer<ObjectData> visitor)
    {
        if (v instanceof Value.Embedded e)
        {
            if (e.object().table().equals(table))
            {
                visitor.accept(e.object());
            }
            visitEmbedded(e.object(), table, visitor);
        }
        else if (v instanceof Value.ListValue l)
        {
            for (final Value x : l.items())
            {
                visitEmbeddedIn(x, table, visitor);
            }
        }
        else if (v instanceof Value.DictValue d)
        {
            for (final Value x : d.entries().values())
            {
                visitEmbeddedIn(x, table, visitor);
            }
        }
    }

    // ------------------------------------------------------------------------------------ journaled mutation

    void begin()
    {
        undo.clear();
        journaling = true;
    }

    void commit()
    {
        undo.clear();
        journaling = false;
    }

    void rollback()
    {
        while (!undo.isEmpty())
        {
            undo.pop().run();
        }
        journaling = false;
    }

    private void journal(final Runnable inverse)
    {
        if (journaling)
        {
            undo.push(inverse);
        }
    }

    void putTable(final TableData table)
    {
        final TableData t = compact || !table.compact() ? table : table.uncompacted();
        final TableData old = tables.put(t.name(), t);
        journal(() -> restore(tables, t.name(), old));
    }

    void removeTable(final String name)
    {
        final TableData old = tables.remove(name);
        journal(() -> restore(tables, name, old));
    }

    void putColumn(final TableData t, final ColumnSpec c)
    {
        final ColumnSpec old = t.columns.put(c.name(), c);
        journal(() -> restore(t.columns, c.name(), old));
    }

    void removeColumn(final TableData t, final String name)
    {
        final ColumnSpec old = t.columns.remove(name);
        journal(() -> restore(t.columns, name, old));
    }

    void putObject(final TableData t, final Value key, final ObjectData o)
    {
        final Object old = t.putObject(key, o);
        journal(() -> t.restoreRecord(key, old));
    }

    void removeObject(final TableData t, final Value key)
    {
        final Object old = t.removeObject(key);
        journal(() -> t.restoreRecord(key, old));
    }

    void setField(final ObjectData o, final String column, final Value v)
    {
        if (o.isView())
        {
            final Object current = o.current();
            if (current instanceof ObjectData tree)
            {
                setField(tree, column, v);
                return;
            }
            final TableData t = o.owner();
            final Object old = t.setField(o, (byte[])current, column, v);
            journal(() -> t.restoreRecord(o.key(), old));
            return;
        }
        final TreeMap<String, Value> fields = o.tree();
        final Value old = fields.put(column, v);
        journal(() -> restore(fields, column, old));
    }

    void removeField(final ObjectData o, final String column)
    {
        if (o.isView())
        {
            final Object current = o.current();
            if (current instanceof ObjectData tree)
            {
                removeField(tree, column);
                return;
            }
            final TableData t = o.owner();
            final Object old = t.removeField(o, (byte[])current, column);
            journal(() -> t.restoreRecord(o.key(), old));
            return;
        }
        final TreeMap<String, Value> fields = o.tree();
        final Value old = fields.remove(column);
        journal(() -> restore(fields, column, old));
    }

    void listInsert(final Value.ListValue l, final int index, final Value v)
    {
        l.items().add(index, v);
        journal(() -> l.items().remove(index));
    }

    void listSet(final Value.ListValue l, final int index, final Value v)
    {
        final Value old = l.items().set(index, v);
        journal(() -> l.items().set(index, old));
    }

    void listRemove(final Value.ListValue l, final int index)
    {
        final Value old = l.items().remove(index);
        journal(() -> l.items().add(index, old));
    }

    void listMove(final Value.ListValue l, final int from, final int to)
    {
        l.items().add(to, l.items().remove(from));
        journal(() -> l.items().add(from, l.items().remove(to)));
    }

    void listClear(final Value.ListValue l)
    {
        final ArrayList<Value> old = new ArrayList<>(l.items());
        l.items().clear();
        journal(() ->
        {
            l.items().clear();
            l.items().addAll(old);
        });
    }

    void dictPut(final Value.DictValue d, final String key, final Value v)
    {
        final Value old = d.entries().put(key, v);
        journal(() -> restore(d.entries(), key, old));
    }

    void dictRemove(final Value.DictValue d, final String key)
    {
        final Value old = d.entries().remove(key);
        journal(() -> restore(d.entries(), key, old));
    }

    void dictClear(final Value.DictValue d)
    {
        final TreeMap<String, Value> old = new TreeMap<>(d.entries());
        d.entries().clear();
        journal(() ->
        {
            d.entries().clear();
            d.entries().putAll(old);
        });
    }

    void setAdd(final Value.SetValue s, final Value v)
    {
        if (s.items().add(v))
        {
            journal(() -> s.items().remove(v));
        }
    }

    void setRemove(final Value.SetValue s, final Value v)
    {
        if (s.items().remove(v))
        {
            journal(() -> s.items().add(v));
        }
    }

    void setClear(final Value.SetValue s)
    {
        final ArrayList<Value> old = new ArrayList<>(s.items());
        s.items().clear();
        journal(() ->
        {
            s.items().clear();
            s.items().addAll(old);
        });
    }

    private static <K, V> void restore(final Map<K, V> map, final K key, final V old)
    {
        if (old == null)
        {
            map.remove(key);
        }
        else
        {
            map.put(key, old);
        }
    }
}
