package dev.outpost.server.mirror;

import dev.outpost.codec.changeset.Instr;
import dev.outpost.ot.state.BadChangesetException;
import dev.outpost.ot.state.ColumnSpec;
import dev.outpost.ot.state.InstructionApplier;
import dev.outpost.ot.state.InstructionSink;
import dev.outpost.ot.state.ObjectState;
import dev.outpost.ot.state.TableType;
import dev.outpost.ot.state.Value;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The mirror's own state of one server file while its history holds only what a row needs: top-level classes with a
 * primary key and scalar columns, objects created, erased and their scalar properties set. Each class is a hash map
 * from primary key to a flat row (one {@link Value} per column slot, a missing slot is the column's default), so an
 * object costs one hash insert instead of ot-core's sorted maps, and the writer reads a row's value array without a
 * copy: a row handed to the writer is marked shared and copied only if a later instruction changes it.
 * <p>
 * Anything else (embedded classes, collections, links, Mixed, AddInteger, erasing a class or column, and every
 * instruction ot-core's applier would refuse) is not handled here: {@link #UNSUPPORTED} is thrown, the changeset's
 * changes are undone ({@link #rollback}) and the caller turns the file's state into ot-core's ({@link #toObjectState})
 * and applies the changeset there, so what is mirrored and reported is exactly what the full state gives. Mirror
 * thread only.
 */
final class FlatState implements InstructionSink
{
    /** Thrown for anything this state does not handle (no stack trace: an expected outcome). */
    static final BadChangesetException UNSUPPORTED = new BadChangesetException("not handled by the flat state");

    private final Map<String, Table> tables = new HashMap<>();
    private final ArrayList<Object> undo = new ArrayList<>(); // entries of 4: kind, a, b, c
    private boolean journaling;

    // the kinds of undo entries: compared by identity (these instances are the only ones stored as a kind)
    private static final Integer UNDO_TABLE = 1;
    private static final Integer UNDO_COLUMN = 2;
    private static final Integer UNDO_CREATE = 3;
    private static final Integer UNDO_ERASE = 4;
    private static final Integer UNDO_SET = 5;

    /** One object: its values by column slot (a missing or null slot: the column's default). */
    static final class Row
    {
        Value[] values;
        boolean shared; // handed to the writer: copied before the next change

        Row(final int width)
        {
            values = new Value[width];
        }
    }

    /** One class: its columns (sorted by name, as ot-core's), their slots, its rows by primary key. */
    static final class Table
    {
        final String name;
        final TableType type;
        final String pkField;
        final int pkType;
        final boolean pkNullable;
        // replaced, never changed, when a column is added: a batch holds the maps it was built with
        TreeMap<String, ColumnSpec> columns = new TreeMap<>();
        HashMap<String, Integer> slots = new HashMap<>();
        final HashMap<Value, Row> rows = new HashMap<>();

        Table(final String name, final TableType type, final String pkField, final int pkType,
            final boolean pkNullable)
        {
            this.name = name;
            this.type = type;
            this.pkField = pkField;
            this.pkType = pkType;
            this.pkNullable = pkNullable;
            columns.put(pkField, new ColumnSpec(pkField, pkType, pkNullable, Instr.COLLECTION_SINGLE, null, 0));
            slots.put(pkField, 0); // the key's slot stays empty: the key is the row's key
        }

        /** @return the value a row holds in {@code column} (its default when it never had one). */
        Value field(final Value key, final Value[] values, final Map<String, Integer> slotsOf, final ColumnSpec column)
        {
            if (column.name().equals(pkField))
            {
                return key;
            }
            final Integer slot = slotsOf.get(column.name());
            final Value v = null == slot || slot >= values.length ? null : values[slot];
            return null == v ? column.defaultValue() : v;
        }
    }

    Map<String, Table> tables()
    {
        return tables;
    }

    Table table(final String name)
    {
        return tables.get(name);
    }

    /** @return whether {@code table} holds an object with {@code key}. */
    boolean has(final String table, final Value key)
    {
        final Table t = tables.get(table);
        return null != t && t.rows.containsKey(key);
    }

    /** Start journaling the changes of one changeset, so that {@link #rollback} can undo them. */
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

    /** Undo every change since {@link #begin}, last first. */
    @SuppressWarnings("unchecked")
    void rollback()
    {
        for (int i = undo.size() - 4; i >= 0; i -= 4)
        {
            final Object kind = undo.get(i);
            final Object a = undo.get(i + 1);
            final Object b = undo.get(i + 2);
            final Object c = undo.get(i + 3);
            if (UNDO_TABLE == kind)
            {
                tables.remove((String)a);
            }
            else if (UNDO_COLUMN == kind)
            {
                final Table t = (Table)a;
                t.columns = (TreeMap<String, ColumnSpec>)b;
                t.slots = (HashMap<String, Integer>)c;
            }
            else if (UNDO_CREATE == kind)
            {
                ((Table)a).rows.remove((Value)b);
            }
            else if (UNDO_ERASE == kind)
            {
                ((Table)a).rows.put((Value)b, (Row)c);
            }
            else
            {
                final Row r = (Row)a;
                final int slot = (Integer)b;
                if (slot < r.values.length)
                {
                    r.values[slot] = (Value)c;
                }
            }
        }
        undo.clear();
        journaling = false;
    }

    private void journal(final Integer kind, final Object a, final Object b, final Object c)
    {
        if (journaling)
        {
            undo.add(kind);
            undo.add(a);
            undo.add(b);
            undo.add(c);
        }
    }

    /**
     * @return this state as ot-core's, built with its applier (the same calls a history of these objects makes), for a
     * file whose history now needs what this state does not handle.
     */
    ObjectState toObjectState() throws BadChangesetException
    {
        final ObjectState state = new ObjectState();
        final InstructionApplier a = new InstructionApplier(state);
        for (final Table t : tables.values())
        {
            a.addTable(t.name, t.type.wire(), t.pkField, t.pkType, t.pkNullable);
        }
        final Object[] noPath = new Object[0];
        for (final Table t : tables.values())
        {
            for (final ColumnSpec c : t.columns.values())
            {
                if (!c.name().equals(t.pkField))
                {
                    a.addColumn(t.name, c.name(), c.type(), c.nullable(), c.collection(), c.linkTarget(), c.keyType());
                }
            }
            for (final Map.Entry<Value, Row> e : t.rows.entrySet())
            {
                a.createObject(t.name, e.getKey());
                for (final ColumnSpec c : t.columns.values())
                {
                    final Integer slot = t.slots.get(c.name());
                    final Value[] values = e.getValue().values;
                    final Value v = c.name().equals(t.pkField) || slot >= values.length ? null : values[slot];
                    if (null != v)
                    {
                        a.update(t.name, e.getKey(), c.name(), noPath, v instanceof Value.Null ? Instr.TYPE_NULL :
                            v.type(), v, false, -1);
                    }
                }
            }
        }
        return state;
    }

    // ------------------------------------------------------------------------------------------- instructions

    @Override
    public void addTable(final String table, final int tableType, final String pkField, final int pkType,
        final boolean pkNullable) throws BadChangesetException
    {
        final TableType type = TableType.of(tableType);
        if (null == type || TableType.EMBEDDED == type || null == pkField || !isKeyType(pkType))
        {
            throw UNSUPPORTED;
        }
        final Table existing = tables.get(table);
        if (null != existing)
        {
            if (existing.type != type || !existing.pkField.equals(pkField) || existing.pkType != pkType ||
                existing.pkNullable != pkNullable)
            {
                throw UNSUPPORTED;
            }
            return;
        }
        tables.put(table, new Table(table, type, pkField, pkType, pkNullable));
        journal(UNDO_TABLE, table, null, null);
    }

    @Override
    public void eraseTable(final String table) throws BadChangesetException
    {
        throw UNSUPPORTED;
    }

    @Override
    public void addColumn(final String table, final String field, final int type, final boolean nullable,
        final int collectionType, final String linkTarget, final int keyType) throws BadChangesetException
    {
        final Table t = tables.get(table);
        if (null == t || Instr.COLLECTION_SINGLE != collectionType || type < Instr.TYPE_INT || type > Instr.TYPE_UUID ||
            Instr.TYPE_LINK == type)
        {
            throw UNSUPPORTED;
        }
        final ColumnSpec existing = t.columns.get(field);
        if (null != existing)
        {
            // ot-core: a no-op for the same type (nullability is not compared), else refused
            if (existing.type() != type || existing.collection() != collectionType)
            {
                throw UNSUPPORTED;
            }
            return;
        }
        journal(UNDO_COLUMN, t, t.columns, t.slots);
        final TreeMap<String, ColumnSpec> columns = new TreeMap<>(t.columns);
        columns.put(field, new ColumnSpec(field, type, nullable, collectionType, null, 0));
        final HashMap<String, Integer> slots = new HashMap<>(t.slots);
        slots.put(field, t.slots.size());
        t.columns = columns;
        t.slots = slots;
    }

    @Override
    public void eraseColumn(final String table, final String field) throws BadChangesetException
    {
        throw UNSUPPORTED;
    }

    @Override
    public void createObject(final String table, final Value key) throws BadChangesetException
    {
        final Table t = checked(table, key);
        if (!t.rows.containsKey(key))
        {
            t.rows.put(key, new Row(t.slots.size()));
            journal(UNDO_CREATE, t, key, null);
        }
    }

    @Override
    public void eraseObject(final String table, final Value key) throws BadChangesetException
    {
        final Table t = checked(table, key);
        final Row r = t.rows.remove(key);
        if (null != r)
        {
            journal(UNDO_ERASE, t, key, r);
        }
    }

    @Override
    public void update(final String table, final Value key, final String field, final Object[] path,
        final int payloadType, final Value value, final boolean isDefault, final long priorSize)
        throws BadChangesetException
    {
        final Table t = checked(table, key);
        final Row r = t.rows.get(key);
        final ColumnSpec col = t.columns.get(field);
        if (0 != path.length || null == r || null == col)
        {
            throw UNSUPPORTED;
        }
        final Value v;
        if (Instr.TYPE_NULL == payloadType)
        {
            if (!col.nullable()) // a scalar column here: accepts null when nullable
            {
                throw UNSUPPORTED;
            }
            v = Value.Null.INSTANCE;
        }
        else if (payloadType < Instr.TYPE_INT || payloadType > Instr.TYPE_UUID || Instr.TYPE_LINK == payloadType ||
            null == value || value.type() != payloadType || col.type() != payloadType)
        {
            throw UNSUPPORTED;
        }
        else
        {
            v = value;
        }
        if (field.equals(t.pkField))
        {
            if (!v.equals(key))
            {
                throw UNSUPPORTED;
            }
            return;
        }
        final int slot = t.slots.get(field);
        if (r.shared)
        {
            r.values = r.values.clone(); // the writer holds the old array
            r.shared = false;
        }
        if (slot >= r.values.length)
        {
            r.values = Arrays.copyOf(r.values, t.slots.size());
        }
        journal(UNDO_SET, r, slot, r.values[slot]);
        r.values[slot] = v;
    }

    private Table checked(final String table, final Value key) throws BadChangesetException
    {
        final Table t = tables.get(table);
        if (null == t || null == key || (key instanceof Value.Null ? !t.pkNullable : key.type() != t.pkType))
        {
            throw UNSUPPORTED;
        }
        return t;
    }

    private static boolean isKeyType(final int type)
    {
        return type == Instr.TYPE_INT || type == Instr.TYPE_STRING || type == Instr.TYPE_OBJECT_ID ||
            type == Instr.TYPE_UUID;
    }

    @Override
    public void addInteger(final String table, final Value key, final String field, final Object[] path,
        final long increment) throws BadChangesetException
    {
        throw UNSUPPORTED;
    }

    @Override
    public void arrayInsert(final String table, final Value key, final String field, final Object[] path,
        final int payloadType, final Value value, final long priorSize) throws BadChangesetException
    {
        throw UNSUPPORTED;
    }

    @Override
    public void arrayMove(final String table, final Value key, final String field, final Object[] path,
        final long to, final long priorSize) throws BadChangesetException
    {
        throw UNSUPPORTED;
    }

    @Override
    public void arrayErase(final String table, final Value key, final String field, final Object[] path,
        final long priorSize) throws BadChangesetException
    {
        throw UNSUPPORTED;
    }

    @Override
    public void clear(final String table, final Value key, final String field, final Object[] path,
        final int collectionType) throws BadChangesetException
    {
        throw UNSUPPORTED;
    }

    @Override
    public void setInsert(final String table, final Value key, final String field, final Object[] path,
        final int payloadType, final Value value) throws BadChangesetException
    {
        throw UNSUPPORTED;
    }

    @Override
    public void setErase(final String table, final Value key, final String field, final Object[] path,
        final int payloadType, final Value value) throws BadChangesetException
    {
        throw UNSUPPORTED;
    }
}
