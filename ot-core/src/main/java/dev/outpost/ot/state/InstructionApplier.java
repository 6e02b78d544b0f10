package dev.outpost.ot.state;

import dev.outpost.codec.changeset.Instr;

import java.util.ArrayList;

/**
 * Applies instructions to an {@link ObjectState} with the validation realm-core's sync {@code InstructionApplier}
 * performs (see STATE.md for the rules). Instruction arguments arrive resolved: class, field and key names as
 * strings, primary keys and payload values as {@link Value}s, paths as arrays whose elements are {@code Long}
 * (list index) or {@code String} (field name or dictionary key).
 * <p>
 * Atomicity: {@link #begin()} starts journaling, {@link #commit()} keeps the changes, {@link #rollback()} restores
 * the state exactly as it was at {@code begin()}. {@code ChangesetApplier} wraps this per changeset.
 * <p>
 * Not thread-safe; owned by the thread that owns the state.
 */
public final class InstructionApplier implements InstructionSink
{
    private static final ColumnSpec NESTED_MIXED =
        new ColumnSpec("", Instr.TYPE_NULL, true, Instr.COLLECTION_SINGLE, null, 0);

    private final ObjectState state;

    public InstructionApplier(final ObjectState state)
    {
        this.state = state;
    }

    public ObjectState state()
    {
        return state;
    }

    /** Start journaling changes so {@link #rollback()} can undo them. */
    public void begin()
    {
        state.begin();
    }

    /** Keep every change since {@link #begin()}. */
    public void commit()
    {
        state.commit();
    }

    /** Undo every change since {@link #begin()}. */
    public void rollback()
    {
        state.rollback();
    }

    // ------------------------------------------------------------------------------------------------ schema

    /** AddTable. {@code pkField} is ignored for embedded classes. */
    public void addTable(final String table, final int tableType, final String pkField, final int pkType,
        final boolean pkNullable) throws BadChangesetException
    {
        final TableType type = TableType.of(tableType);
        if (type == null)
        {
            throw bad("AddTable: invalid table type %d for '%s'", tableType, table);
        }
        final TableData existing = state.table(table);
        if (type == TableType.EMBEDDED)
        {
            if (existing != null)
            {
                if (!existing.isEmbedded())
                {
                    throw bad("AddTable: The existing table '%s' is not embedded", table);
                }
                return;
            }
            state.putTable(new TableData(table, type, null, 0, false));
            return;
        }
        if (pkType == Instr.TYPE_GLOBAL_KEY)
        {
            throw bad("AddTable: tables without a primary key (GlobalKey) are not supported ('%s')", table);
        }
        if (!isKeyType(pkType))
        {
            throw bad("AddTable: Invalid primary key type '%d' while adding table '%s'", pkType, table);
        }
        final TableData wanted = new TableData(table, type, pkField, pkType, pkNullable);
        if (existing != null)
        {
            if (!existing.sameSpec(wanted))
            {
                throw bad("AddTable: The existing table '%s' has different properties", table);
            }
            return;
        }
        state.putTable(wanted);
    }

    /** EraseTable: the class must exist and no other class may link to it. */
    public void eraseTable(final String table) throws BadChangesetException
    {
        if (state.table(table) == null)
        {
            throw bad("EraseTable: Table '%s' does not exist", table);
        }
        for (final TableData t : state.tables.values())
        {
            if (t.name().equals(table))
            {
                continue;
            }
            for (final ColumnSpec c : t.columns.values())
            {
                if (c.isObjectLink() && c.linkTarget().equals(table))
                {
                    throw bad("EraseTable: Table '%s' is the target of link column '%s.%s'", table, t.name(),
                        c.name());
                }
            }
        }
        state.removeTable(table);
    }

    /** AddColumn: a no-op if the column exists with the same type, collection type and link target. */
    public void addColumn(final String table, final String field, final int type, final boolean nullable,
        final int collectionType, final String linkTarget, final int keyType) throws BadChangesetException
    {
        final TableData t = table(table, "AddColumn");
        if (collectionType < Instr.COLLECTION_SINGLE || collectionType > Instr.COLLECTION_SET)
        {
            throw bad("AddColumn '%s.%s': invalid collection type %d", table, field, collectionType);
        }
        if (!(type == Instr.TYPE_NULL || type == Instr.TYPE_LINK || (type >= Instr.TYPE_INT && type <= Instr.TYPE_UUID)))
        {
            throw bad("AddColumn '%s.%s': invalid column type %d", table, field, type);
        }
        final String target = type == Instr.TYPE_LINK ? (linkTarget == null ? "" : linkTarget) : null;
        final ColumnSpec spec = new ColumnSpec(field, type, nullable, collectionType, target,
            collectionType == Instr.COLLECTION_DICTIONARY ? keyType : 0);
        final ColumnSpec existing = t.column(field);
        if (existing != null)
        {
            if (existing.type() != spec.type())
            {
                throw bad("AddColumn: Schema mismatch for existing column in '%s.%s' (expected %s, got %s)", table,
                    field, ColumnSpec.typeName(existing.type()), ColumnSpec.typeName(spec.type()));
            }
            if (existing.collection() != spec.collection())
            {
                throw bad("AddColumn: Schema mismatch for existing column in '%s.%s' (collection types differ)",
                    table, field);
            }
            if (!existing.sameShape(spec))
            {
                throw bad("AddColumn: Schema mismatch for existing column in '%s.%s' (link targets differ)", table,
                    field);
            }
            return;
        }
        if (collectionType == Instr.COLLECTION_DICTIONARY && keyType != Instr.TYPE_STRING)
        {
            throw bad("AddColumn '%s.%s' adding dictionary column with non-string keys", table, field);
        }
        if (type == Instr.TYPE_LINK)
        {
            if (target.isEmpty())
            {
                if (collectionType != Instr.COLLECTION_SINGLE && collectionType != Instr.COLLECTION_LIST)
                {
                    throw bad("AddColumn '%s.%s': typed links only as single values or lists", table, field);
                }
            }
            else
            {
                final TableData targetTable = state.table(target);
                if (targetTable == null)
                {
                    throw bad("AddColumn(Link) '%s.%s' to table '%s' which doesn't exist", table, field, target);
                }
                if (targetTable.isEmbedded() && collectionType == Instr.COLLECTION_SET)
                {
                    throw bad("AddColumn '%s.%s': sets of embedded objects are not supported", table, field);
                }
            }
        }
        if (t.type() == TableType.TOP_LEVEL_ASYMMETRIC && spec.isObjectLink()
            && !state.table(spec.linkTarget()).isEmbedded())
        {
            throw bad("AddColumn '%s.%s': asymmetric classes cannot link to top-level classes", table, field);
        }
        state.putColumn(t, spec);
        final ArrayList<ObjectData> objects = new ArrayList<>();
        state.forEachObject(table, objects::add);
        for (final ObjectData o : objects)
        {
            state.setField(o, field, spec.defaultValue());
        }
    }

    /** EraseColumn: the column must exist and must not be the primary key. */
    public void eraseColumn(final String table, final String field) throws BadChangesetException
    {
        final TableData t = table(table, "EraseColumn");
        if (t.column(field) == null)
        {
            throw bad("EraseColumn '%s.%s' which doesn't exist", table, field);
        }
        if (field.equals(t.pkField()))
        {
            throw bad("EraseColumn '%s.%s': cannot erase the primary key column", table, field);
        }
        state.removeColumn(t, field);
        final ArrayList<ObjectData> objects = new ArrayList<>();
        state.forEachObject(table, objects::add);
        for (final ObjectData o : objects)
        {
            state.removeField(o, field);
        }
    }

    // ------------------------------------------------------------------------------------------------ objects

    /** CreateObject: idempotent; a new object gets every column's default. */
    public void createObject(final String table, final Value key) throws BadChangesetException
    {
        final TableData t = table(table, "CreateObject");
        checkKey(t, key, "CreateObject");
        if (null != t.object(key))
        {
            return;
        }
        state.putObject(t, key, newObject(t, key));
    }

    /** EraseObject: idempotent; embedded objects go with it, links to it stay (unresolved) as in realm. */
    public void eraseObject(final String table, final Value key) throws BadChangesetException
    {
        final TableData t = table(table, "EraseObject");
        checkKey(t, key, "EraseObject");
        if (null != t.object(key))
        {
            state.removeObject(t, key);
        }
    }

    // ------------------------------------------------------------------------------------------------ paths

    /**
     * Update: set a property, a list element (index &lt; size) or a dictionary entry (Erased removes it).
     *
     * @param payloadType {@code Instr.TYPE_*} tag of the payload.
     * @param value       the payload value for primitives and links ({@link Value.Link}); ignored for
     *                    ObjectValue, List, Dictionary, Set, Erased and Null.
     * @param priorSize   not checked (realm's applier does not check it for Update either).
     */
    public void update(final String table, final Value key, final String field, final Object[] path,
        final int payloadType, final Value value, final boolean isDefault, final long priorSize)
        throws BadChangesetException
    {
        final Loc loc = resolve("Update", table, key, field, path);
        switch (loc.kind)
        {
            case Loc.PROPERTY -> updateProperty(loc, payloadType, value);
            case Loc.LIST_INDEX -> updateListElement(loc, payloadType, value);
            case Loc.DICT_KEY -> updateDictionaryEntry(loc, payloadType, value);
            default -> throw invalidPath("Update", loc);
        }
    }

    /** AddInteger: adds (wrapping) to an Int property; a null property is left null. */
    public void addInteger(final String table, final Value key, final String field, final Object[] path,
        final long increment) throws BadChangesetException
    {
        final Loc loc = resolve("AddInteger", table, key, field, path);
        if (loc.kind != Loc.PROPERTY || loc.col.collection() != Instr.COLLECTION_SINGLE)
        {
            throw invalidPath("AddInteger", loc);
        }
        final Value current = loc.obj.get(loc.col.name());
        if (current instanceof Value.Null)
        {
            return;
        }
        if (current instanceof Value.Int i && (loc.col.type() == Instr.TYPE_INT || loc.col.isMixed()))
        {
            state.setField(loc.obj, loc.col.name(), new Value.Int(i.value() + increment));
            return;
        }
        throw bad("AddInteger: Not an integer field '%s.%s'", loc.obj.table(), loc.col.name());
    }

    /** ArrayInsert: {@code path} ends in the index; {@code priorSize} must equal the list size. */
    public void arrayInsert(final String table, final Value key, final String field, final Object[] path,
        final int payloadType, final Value value, final long priorSize) throws BadChangesetException
    {
        final Loc loc = resolve("ArrayInsert", table, key, field, path);
        if (loc.kind != Loc.LIST_INDEX)
        {
            throw invalidPath("ArrayInsert", loc);
        }
        final int size = loc.list.items().size();
        if (loc.index > priorSize)
        {
            throw bad("ArrayInsert: Invalid insertion index (index = %d, prior_size = %d)", loc.index, priorSize);
        }
        if (loc.index > size)
        {
            throw bad("ArrayInsert: Index out of bounds (%d > %d)", loc.index, size);
        }
        if (priorSize != size)
        {
            throw bad("ArrayInsert: Invalid prior_size (list size = %d, prior_size = %d)", size, priorSize);
        }
        final Value element = listElement("ArrayInsert", loc, payloadType, value, null);
        state.listInsert(loc.list, (int)loc.index, element);
    }

    /** ArrayMove from the path's index to {@code to}. */
    public void arrayMove(final String table, final Value key, final String field, final Object[] path,
        final long to, final long priorSize) throws BadChangesetException
    {
        final Loc loc = resolve("ArrayMove", table, key, field, path);
        if (loc.kind != Loc.LIST_INDEX)
        {
            throw invalidPath("ArrayMove", loc);
        }
        final int size = loc.list.items().size();
        if (loc.index >= size)
        {
            throw bad("ArrayMove from out of bounds (%d >= %d)", loc.index, size);
        }
        if (to < 0 || to >= size)
        {
            throw bad("ArrayMove to out of bounds (%d >= %d)", to, size);
        }
        if (loc.index == to)
        {
            throw bad("ArrayMove to same location (%d)", to);
        }
        if (priorSize != size)
        {
            throw bad("ArrayMove: Invalid prior_size (list size = %d, prior_size = %d)", size, priorSize);
        }
        state.listMove(loc.list, (int)loc.index, (int)to);
    }

    /** ArrayErase of the path's index. */
    public void arrayErase(final String table, final Value key, final String field, final Object[] path,
        final long priorSize) throws BadChangesetException
    {
        final Loc loc = resolve("ArrayErase", table, key, field, path);
        if (loc.kind != Loc.LIST_INDEX)
        {
            throw invalidPath("ArrayErase", loc);
        }
        final int size = loc.list.items().size();
        if (loc.index >= priorSize)
        {
            throw bad("ArrayErase: Invalid index (index = %d, prior_size = %d)", loc.index, priorSize);
        }
        if (loc.index >= size)
        {
            throw bad("ArrayErase: Index out of bounds (%d >= %d)", loc.index, size);
        }
        if (priorSize != size)
        {
            throw bad("ArrayErase: Invalid prior_size (list size = %d, prior_size = %d)", size, priorSize);
        }
        state.listRemove(loc.list, (int)loc.index);
    }

    /**
     * Clear a list, set or dictionary column, or a collection nested in Mixed; for Mixed the slot becomes an
     * empty collection of {@code collectionType}.
     */
    public void clear(final String table, final Value key, final String field, final Object[] path,
        final int collectionType) throws BadChangesetException
    {
        final Loc loc = resolve("Clear", table, key, field, path);
        if (loc.kind == Loc.PROPERTY && loc.col.collection() != Instr.COLLECTION_SINGLE)
        {
            final int actual = loc.col.collection();
            if (collectionType != Instr.COLLECTION_SINGLE && collectionType != actual)
            {
                throw bad("Clear: Not a %s", collectionName(collectionType));
            }
            final Value current = loc.obj.get(loc.col.name());
            if (current instanceof Value.ListValue l)
            {
                state.listClear(l);
            }
            else if (current instanceof Value.DictValue d)
            {
                state.dictClear(d);
            }
            else if (current instanceof Value.SetValue s)
            {
                state.setClear(s);
            }
            return;
        }
        if (!loc.col.isMixed() || loc.col.collection() != Instr.COLLECTION_SINGLE)
        {
            throw invalidPath("Clear", loc);
        }
        if (collectionType != Instr.COLLECTION_LIST && collectionType != Instr.COLLECTION_DICTIONARY)
        {
            throw bad("Clear: collection type %s is not valid in Mixed", collectionName(collectionType));
        }
        final Value current = currentAt(loc);
        if (current == null)
        {
            throw loc.kind == Loc.LIST_INDEX ? bad("Clear: Index out of bounds (%d >= %d)", loc.index,
                loc.list.items().size()) : bad("Clear: Key '%s' not found", loc.key);
        }
        final int wantedType = collectionType == Instr.COLLECTION_LIST ? Instr.TYPE_LIST : Instr.TYPE_DICTIONARY;
        if (current instanceof Value.ListValue l && wantedType == Instr.TYPE_LIST)
        {
            state.listClear(l);
        }
        else if (current instanceof Value.DictValue d && wantedType == Instr.TYPE_DICTIONARY)
        {
            state.dictClear(d);
        }
        else
        {
            store(loc, wantedType == Instr.TYPE_LIST ? new Value.ListValue() : new Value.DictValue());
        }
    }

    /** SetInsert into a set column. */
    public void setInsert(final String table, final Value key, final String field, final Object[] path,
        final int payloadType, final Value value) throws BadChangesetException
    {
        final Loc loc = resolve("SetInsert", table, key, field, path);
        state.setAdd(setOf("SetInsert", loc), setElement("SetInsert", loc, payloadType, value));
    }

    /** SetErase from a set column (absent values are ignored). */
    public void setErase(final String table, final Value key, final String field, final Object[] path,
        final int payloadType, final Value value) throws BadChangesetException
    {
        final Loc loc = resolve("SetErase", table, key, field, path);
        state.setRemove(setOf("SetErase", loc), setElement("SetErase", loc, payloadType, value));
    }

    // ------------------------------------------------------------------------------------------------ internals

    private void updateProperty(final Loc loc, final int payloadType, final Value value) throws BadChangesetException
    {
        final ColumnSpec col = loc.col;
        if (col.collection() != Instr.COLLECTION_SINGLE)
        {
            throw invalidPath("Update", loc);
        }
        final ObjectData obj = loc.obj;
        final String where = obj.table() + "." + col.name();
        if (col.name().equals(pkFieldOf(obj)))
        {
            if (!value(payloadType, value).equals(obj.get(col.name())))
            {
                throw bad("Update: cannot change the primary key '%s'", where);
            }
            return;
        }
        switch (payloadType)
        {
            case Instr.TYPE_OBJECT_VALUE ->
            {
                requireEmbeddedTarget("Update", col, where);
                if (obj.get(col.name()) instanceof Value.Null)
                {
                    state.setField(obj, col.name(), new Value.Embedded(newEmbedded(col.linkTarget())));
                }
            }
            case Instr.TYPE_ERASED -> throw bad("Update: Dictionary erase at object field '%s'", where);
            case Instr.TYPE_LIST, Instr.TYPE_DICTIONARY, Instr.TYPE_SET ->
            {
                if (!col.isMixed())
                {
                    throw bad("Update: Type mismatch in '%s' (expected %s, got %s)", where,
                        ColumnSpec.typeName(col.type()), ColumnSpec.typeName(payloadType));
                }
                if (payloadType == Instr.TYPE_SET)
                {
                    throw bad("Update: Set nested in Mixed is not supported ('%s')", where);
                }
                if (obj.get(col.name()).type() != payloadType)
                {
                    state.setField(obj, col.name(), emptyCollection(payloadType));
                }
            }
            default -> state.setField(obj, col.name(), checkedScalar("Update", col, where, payloadType, value));
        }
    }

    private void updateListElement(final Loc loc, final int payloadType, final Value value)
        throws BadChangesetException
    {
        final int size = loc.list.items().size();
        if (loc.index >= size)
        {
            throw bad("Update: Index out of bounds (%d >= %d)", loc.index, size);
        }
        final Value current = loc.list.items().get((int)loc.index);
        if (payloadType == Instr.TYPE_OBJECT_VALUE)
        {
            return; // Embedded object creation is idempotent and link lists hold no nulls: a no-op in realm.
        }
        final Value element = listElement("Update", loc, payloadType, value, current);
        if (element != current)
        {
            state.listSet(loc.list, (int)loc.index, element);
        }
    }

    private void updateDictionaryEntry(final Loc loc, final int payloadType, final Value value)
        throws BadChangesetException
    {
        final ColumnSpec col = loc.col;
        final String where = loc.where();
        // realm-core's Dictionary::insert and erase refuse these keys with an exception its client does not survive
        if (!loc.key.isEmpty() && (loc.key.charAt(0) == '$' || loc.key.indexOf('.') >= 0))
        {
            throw bad("Update: Dictionary key '%s' in '%s' must not start with '$' or contain '.'", loc.key, where);
        }
        final Value current = loc.dict.entries().get(loc.key);
        switch (payloadType)
        {
            case Instr.TYPE_ERASED ->
            {
                if (current != null)
                {
                    state.dictRemove(loc.dict, loc.key);
                }
            }
            case Instr.TYPE_OBJECT_VALUE ->
            {
                requireEmbeddedTarget("Update", col, where);
                state.dictPut(loc.dict, loc.key, new Value.Embedded(newEmbedded(col.linkTarget())));
            }
            case Instr.TYPE_LIST, Instr.TYPE_DICTIONARY, Instr.TYPE_SET ->
            {
                if (!col.isMixed() || payloadType == Instr.TYPE_SET)
                {
                    throw bad("Update: %s cannot be stored in dictionary '%s'", ColumnSpec.typeName(payloadType),
                        where);
                }
                if (current == null || current.type() != payloadType)
                {
                    state.dictPut(loc.dict, loc.key, emptyCollection(payloadType));
                }
            }
            default ->
            {
                if (payloadType == Instr.TYPE_NULL && col.isObjectLink() && isEmbedded(col.linkTarget()))
                {
                    state.dictPut(loc.dict, loc.key, Value.Null.INSTANCE);
                    return;
                }
                state.dictPut(loc.dict, loc.key, checkedScalar("Update", col, where, payloadType, value));
            }
        }
    }

    /** The element to insert or set in a list; {@code current} is the replaced element (Update) or null. */
    private Value listElement(final String instr, final Loc loc, final int payloadType, final Value value,
        final Value current) throws BadChangesetException
    {
        final ColumnSpec col = loc.col;
        final String where = loc.where();
        switch (payloadType)
        {
            case Instr.TYPE_OBJECT_VALUE ->
            {
                if (!col.isObjectLink() || !isEmbedded(col.linkTarget()))
                {
                    throw bad("%s: Creation of embedded object in non-embedded list field '%s'", instr, where);
                }
                return new Value.Embedded(newEmbedded(col.linkTarget()));
            }
            case Instr.TYPE_ERASED -> throw bad("%s: Dictionary erase payload in list '%s'", instr, where);
            case Instr.TYPE_LIST, Instr.TYPE_DICTIONARY, Instr.TYPE_SET ->
            {
                if (!col.isMixed() || payloadType == Instr.TYPE_SET)
                {
                    throw bad("%s: %s cannot be stored in list '%s'", instr, ColumnSpec.typeName(payloadType), where);
                }
                return current != null && current.type() == payloadType ? current : emptyCollection(payloadType);
            }
            default ->
            {
                if (payloadType == Instr.TYPE_NULL && !col.isMixed() && !col.nullable())
                {
                    throw bad("%s: NULL in non-nullable list '%s'", instr, where);
                }
                if (col.isObjectLink() && isEmbedded(col.linkTarget()))
                {
                    throw bad("%s: Type mismatch in list of embedded objects '%s'", instr, where);
                }
                return checkedScalar(instr, col, where, payloadType, value);
            }
        }
    }

    private Value setElement(final String instr, final Loc loc, final int payloadType, final Value value)
        throws BadChangesetException
    {
        final String where = loc.where();
        switch (payloadType)
        {
            case Instr.TYPE_OBJECT_VALUE -> throw bad("%s: Sets of embedded objects are not supported.", instr);
            case Instr.TYPE_LIST -> throw bad("%s: Sets of lists are not supported.", instr);
            case Instr.TYPE_DICTIONARY -> throw bad("%s: Sets of dictionaries are not supported.", instr);
            case Instr.TYPE_SET -> throw bad("%s: Sets of sets are not supported.", instr);
            case Instr.TYPE_ERASED -> throw bad("%s: Dictionary erase payload in %s", instr, instr);
            default ->
            {
                if (payloadType == Instr.TYPE_NULL && !loc.col.nullable() && !loc.col.isMixed())
                {
                    throw bad("%s: NULL in non-nullable set '%s'", instr, where);
                }
                return checkedScalar(instr, loc.col, where, payloadType, value);
            }
        }
    }

    private Value.SetValue setOf(final String instr, final Loc loc) throws BadChangesetException
    {
        if (loc.kind != Loc.PROPERTY || loc.col.collection() != Instr.COLLECTION_SET)
        {
            throw invalidPath(instr, loc);
        }
        return (Value.SetValue)loc.obj.get(loc.col.name());
    }

    /** Check a primitive, null or link payload against a column's element type; returns the value to store. */
    private Value checkedScalar(final String instr, final ColumnSpec col, final String where, final int payloadType,
        final Value value) throws BadChangesetException
    {
        if (payloadType == Instr.TYPE_NULL)
        {
            if (!col.acceptsNull())
            {
                throw bad("%s: NULL in non-nullable field '%s'", instr, where);
            }
            return Value.Null.INSTANCE;
        }
        if (payloadType == Instr.TYPE_LINK)
        {
            final Value.Link link = (Value.Link)value;
            final TableData target = state.table(link.table());
            if (target == null)
            {
                throw bad("%s: Link with invalid target table '%s'", instr, link.table());
            }
            if (target.isEmbedded())
            {
                throw bad("%s: Link to embedded table '%s'", instr, link.table());
            }
            checkKey(target, link.key(), instr);
            if (col.isMixed() || (col.type() == Instr.TYPE_LINK && col.linkTarget().isEmpty()))
            {
                return link;
            }
            if (col.type() == Instr.TYPE_LINK)
            {
                if (!col.linkTarget().equals(link.table()))
                {
                    throw bad("%s: Target table mismatch (expected '%s', got '%s')", instr, col.linkTarget(),
                        link.table());
                }
                return link;
            }
            throw bad("%s: Type mismatch in '%s' (expected %s, got Link)", instr, where,
                ColumnSpec.typeName(col.type()));
        }
        if (payloadType < Instr.TYPE_INT || payloadType > Instr.TYPE_UUID || value == null
            || value.type() != payloadType)
        {
            throw bad("%s: invalid payload type %s in '%s'", instr, ColumnSpec.typeName(payloadType), where);
        }
        if (!col.isMixed() && col.type() != payloadType)
        {
            throw bad("%s: Type mismatch in '%s' (expected %s, got %s)", instr, where,
                ColumnSpec.typeName(col.type()), ColumnSpec.typeName(payloadType));
        }
        return value;
    }

    private void requireEmbeddedTarget(final String instr, final ColumnSpec col, final String where)
        throws BadChangesetException
    {
        if (!col.isObjectLink() || !isEmbedded(col.linkTarget()))
        {
            throw bad("%s: Creation of embedded object in '%s', which does not link to an embedded table", instr,
                where);
        }
    }

    private boolean isEmbedded(final String table)
    {
        final TableData t = state.table(table);
        return t != null && t.isEmbedded();
    }

    private String pkFieldOf(final ObjectData obj)
    {
        final TableData t = state.table(obj.table());
        return t == null ? null : t.pkField();
    }

    private ObjectData newObject(final TableData t, final Value key)
    {
        final ObjectData o = new ObjectData(t.name());
        for (final ColumnSpec c : t.columns.values())
        {
            o.fields().put(c.name(), c.defaultValue());
        }
        o.fields().put(t.pkField(), key);
        return o;
    }

    private ObjectData newEmbedded(final String table)
    {
        final TableData t = state.table(table);
        final ObjectData o = new ObjectData(table);
        for (final ColumnSpec c : t.columns.values())
        {
            o.fields().put(c.name(), c.defaultValue());
        }
        return o;
    }

    private static Value emptyCollection(final int payloadType)
    {
        return payloadType == Instr.TYPE_LIST ? new Value.ListValue() : new Value.DictValue();
    }

    private static Value value(final int payloadType, final Value value)
    {
        return payloadType == Instr.TYPE_NULL || value == null ? Value.Null.INSTANCE : value;
    }

    private Value currentAt(final Loc loc)
    {
        return switch (loc.kind)
        {
            case Loc.PROPERTY -> loc.obj.get(loc.col.name());
            case Loc.LIST_INDEX -> loc.index < loc.list.items().size() ? loc.list.items().get((int)loc.index) : null;
            case Loc.DICT_KEY -> loc.dict.entries().get(loc.key);
            default -> null;
        };
    }

    private void store(final Loc loc, final Value v)
    {
        switch (loc.kind)
        {
            case Loc.PROPERTY -> state.setField(loc.obj, loc.col.name(), v);
            case Loc.LIST_INDEX -> state.listSet(loc.list, (int)loc.index, v);
            case Loc.DICT_KEY -> state.dictPut(loc.dict, loc.key, v);
            default -> throw new IllegalStateException();
        }
    }

    private TableData table(final String table, final String instr) throws BadChangesetException
    {
        final TableData t = state.table(table);
        if (t == null)
        {
            throw bad("%s: Table '%s' does not exist", instr, table);
        }
        return t;
    }

    private void checkKey(final TableData t, final Value key, final String instr) throws BadChangesetException
    {
        if (t.pkField() == null)
        {
            throw bad("%s instruction with a primary key, but table '%s' does not have a primary key column", instr,
                t.name());
        }
        if (key instanceof Value.Null)
        {
            if (!t.pkNullable())
            {
                throw bad("%s instruction with NULL primary key, but column '%s.%s' is not nullable", instr,
                    t.name(), t.pkField());
            }
            return;
        }
        if (key.type() != t.pkType())
        {
            throw bad("%s instruction with %s primary key, but '%s.%s' has primary keys of type '%s'", instr,
                ColumnSpec.typeName(key.type()), t.name(), t.pkField(), ColumnSpec.typeName(t.pkType()));
        }
    }

    private static boolean isKeyType(final int type)
    {
        return type == Instr.TYPE_INT || type == Instr.TYPE_STRING || type == Instr.TYPE_OBJECT_ID
            || type == Instr.TYPE_UUID;
    }

    private static String collectionName(final int collectionType)
    {
        return switch (collectionType)
        {
            case Instr.COLLECTION_LIST -> "List";
            case Instr.COLLECTION_DICTIONARY -> "Dictionary";
            case Instr.COLLECTION_SET -> "Set";
            default -> "Single";
        };
    }

    /**
     * Walk {@code table[key].field.path...}: through embedded objects (link columns to embedded classes), list
     * and dictionary columns, and lists/dictionaries nested in Mixed. The last element names the target.
     */
    private Loc resolve(final String instr, final String table, final Value key, final String field,
        final Object[] path) throws BadChangesetException
    {
        final TableData t = table(table, instr);
        checkKey(t, key, instr);
        final ObjectData top = t.object(key);
        if (top == null)
        {
            throw bad("%s: No such object: '%s' in class '%s'", instr, Value.text(key), table);
        }
        final Loc loc = new Loc();
        ObjectData obj = top;
        String fieldName = field;
        int i = 0;
        while (true)
        {
            final TableData objTable = state.table(obj.table());
            final ColumnSpec col = objTable.column(fieldName);
            if (col == null)
            {
                throw bad("%s: No such field: '%s' in class '%s'", instr, fieldName, obj.table());
            }
            loc.obj = obj;
            loc.col = col;
            if (i == path.length)
            {
                loc.kind = Loc.PROPERTY;
                return loc;
            }
            final Value holder = obj.get(col.name());
            final Object element = path[i++];
            Value next;
            if (col.collection() == Instr.COLLECTION_LIST
                || (col.isMixed() && col.collection() == Instr.COLLECTION_SINGLE && holder instanceof Value.ListValue))
            {
                if (!(element instanceof Long index))
                {
                    throw bad("%s: List index is not an integer on field '%s' in class '%s'", instr, col.name(),
                        obj.table());
                }
                loc.list = (Value.ListValue)holder;
                loc.index = index;
                loc.col = col.isMixed() ? NESTED_MIXED : col;
                if (i == path.length)
                {
                    loc.kind = Loc.LIST_INDEX;
                    return loc;
                }
                if (index >= loc.list.items().size())
                {
                    throw bad("%s: Out-of-bounds index through list at '%s.%s[%d]'", instr, obj.table(), col.name(),
                        index);
                }
                next = loc.list.items().get((int)(long)index);
            }
            else if (col.collection() == Instr.COLLECTION_DICTIONARY
                || (col.isMixed() && col.collection() == Instr.COLLECTION_SINGLE && holder instanceof Value.DictValue))
            {
                if (!(element instanceof String dictKey))
                {
                    throw bad("%s: Dictionary key is not a string on field '%s' in class '%s'", instr, col.name(),
                        obj.table());
                }
                loc.dict = (Value.DictValue)holder;
                loc.key = dictKey;
                loc.col = col.isMixed() ? NESTED_MIXED : col;
                if (i == path.length)
                {
                    loc.kind = Loc.DICT_KEY;
                    return loc;
                }
                next = loc.dict.entries().get(dictKey);
                if (next == null)
                {
                    throw bad("%s: Unmatched key '%s' through dictionary at '%s.%s'", instr, dictKey, obj.table(),
                        col.name());
                }
            }
            else if (col.collection() == Instr.COLLECTION_SINGLE && col.isObjectLink() && isEmbedded(col.linkTarget()))
            {
                if (holder instanceof Value.Null)
                {
                    throw bad("%s: Reference through NULL embedded link in field '%s' in class '%s'", instr,
                        col.name(), obj.table());
                }
                i--;
                next = holder;
            }
            else if (col.isMixed() && col.collection() == Instr.COLLECTION_SINGLE)
            {
                throw bad("%s: Not a list or dictionary on field '%s' in class '%s'", instr, col.name(),
                    obj.table());
            }
            else
            {
                throw bad("%s: Resolving path through unstructured field '%s.%s'", instr, obj.table(), col.name());
            }
            // Descend into `next`: an embedded object (next element is its field) or a nested Mixed collection.
            while (true)
            {
                if (next instanceof Value.Embedded e)
                {
                    if (!(path[i] instanceof String f))
                    {
                        throw bad("%s: Embedded object field reference is not a string", instr);
                    }
                    i++;
                    obj = e.object();
                    fieldName = f;
                    break;
                }
                if (loc.col != NESTED_MIXED)
                {
                    if (loc.col.isObjectLink() && !isEmbedded(loc.col.linkTarget()))
                    {
                        throw bad("%s: Reference through non-embedded link at '%s'", instr, loc.where());
                    }
                    throw bad("%s: Resolving path through unstructured element at '%s'", instr, loc.where());
                }
                final Object el = path[i++];
                if (next instanceof Value.ListValue l && el instanceof Long index)
                {
                    loc.list = l;
                    loc.index = index;
                    if (i == path.length)
                    {
                        loc.kind = Loc.LIST_INDEX;
                        return loc;
                    }
                    if (index >= l.items().size())
                    {
                        throw bad("%s: Out-of-bounds index '%d' through nested list at '%s'", instr, index,
                            loc.where());
                    }
                    next = l.items().get((int)(long)index);
                }
                else if (next instanceof Value.DictValue d && el instanceof String k)
                {
                    loc.dict = d;
                    loc.key = k;
                    if (i == path.length)
                    {
                        loc.kind = Loc.DICT_KEY;
                        return loc;
                    }
                    next = d.entries().get(k);
                    if (next == null)
                    {
                        throw bad("%s: Unmatched key '%s' through nested dictionary at '%s'", instr, k, loc.where());
                    }
                }
                else
                {
                    throw bad("%s: Not a list or dictionary (or wrong path element) at '%s'", instr, loc.where());
                }
            }
        }
    }

    private static BadChangesetException invalidPath(final String instr, final Loc loc)
    {
        final String kind = switch (loc.kind)
        {
            case Loc.PROPERTY -> loc.col.collection() == Instr.COLLECTION_SINGLE ? "object, column"
                : collectionName(loc.col.collection()).toLowerCase(java.util.Locale.ROOT);
            case Loc.LIST_INDEX -> "list, index";
            case Loc.DICT_KEY -> "dictionary, key";
            default -> "?";
        };
        return bad("Invalid path for %s (%s) at '%s'", instr, kind, loc.where());
    }

    static BadChangesetException bad(final String format, final Object... args)
    {
        return new BadChangesetException(String.format(java.util.Locale.ROOT, format, args));
    }

    /** Where a path resolved to. */
    private static final class Loc
    {
        static final int PROPERTY = 1;
        static final int LIST_INDEX = 2;
        static final int DICT_KEY = 3;

        int kind;
        ObjectData obj;
        ColumnSpec col;
        Value.ListValue list;
        long index;
        Value.DictValue dict;
        String key;

        String where()
        {
            final String base = obj.table() + "." + (col == NESTED_MIXED ? "<nested>" : col.name());
            return switch (kind)
            {
                case LIST_INDEX -> base + "[" + index + "]";
                case DICT_KEY -> base + "[\"" + key + "\"]";
                default -> base;
            };
        }
    }
}
