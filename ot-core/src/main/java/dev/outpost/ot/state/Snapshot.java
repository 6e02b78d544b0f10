package dev.outpost.ot.state;

import dev.outpost.codec.changeset.Instr;
import dev.outpost.ot.model.Changeset;

import java.util.Arrays;
import java.util.Collection;
import java.util.Map;
import java.util.function.BiPredicate;

/**
 * Changesets that recreate an {@link ObjectState} (or some of its classes) on an empty state: the whole schema
 * (AddTable for every class, then AddColumn for every non-key column, both sorted by name), then for each selected
 * top-level class, in key order, CreateObject followed by the instructions that rebuild each non-null field
 * (Update; ArrayInsert per list element; SetInsert per set element; Update per dictionary entry; ObjectValue then
 * field updates for embedded objects; List/Dictionary payloads then their contents for collections in Mixed).
 * <p>
 * Output depends only on the state's content, so two equal states give equal snapshots. Serves FLX bootstraps
 * ("all objects of these classes", i.e. TRUEPREDICATE subscriptions) and STATE downloads. Stateless.
 */
public final class Snapshot
{
    private Snapshot()
    {
    }

    /** @return a changeset that recreates the whole state. */
    public static Changeset of(final ObjectState state)
    {
        return of(state, state.tables.keySet());
    }

    /** @return a changeset with the whole schema and every object of {@code classes} (unknown names are ignored). */
    public static Changeset of(final ObjectState state, final Collection<String> classes)
    {
        final ChangesetBuilder b = new ChangesetBuilder();
        emit(state, classes, b);
        return b.changeset();
    }

    /**
     * @return what a client downloads for {@code classes}: the whole schema and every object of those classes except
     * the objects of asymmetric (Data Ingest) classes, which clients only insert and never receive.
     */
    public static Changeset download(final ObjectState state, final Collection<String> classes)
    {
        final ChangesetBuilder b = new ChangesetBuilder();
        emit(state, classes, null, b, true);
        return b.changeset();
    }

    /** Emit the snapshot into any sink (e.g. straight into an {@link InstructionApplier}). */
    public static void emit(final ObjectState state, final Collection<String> classes, final InstructionSink sink)
    {
        emit(state, classes, null, sink, false);
    }

    /**
     * Emit the whole schema and the objects of {@code classes} that {@code include} accepts (null: all of them),
     * leaving out asymmetric (Data Ingest) classes: what an FLX bootstrap of a (possibly narrower) subscription holds.
     */
    public static void emit(final ObjectState state, final Collection<String> classes,
        final BiPredicate<String, ObjectData> include, final InstructionSink sink)
    {
        emit(state, classes, include, sink, true);
    }

    private static void emit(final ObjectState state, final Collection<String> classes,
        final BiPredicate<String, ObjectData> include, final InstructionSink sink, final boolean skipAsymmetric)
    {
        try
        {
            for (final TableData t : state.tables.values())
            {
                sink.addTable(t.name(), t.type().wire(), t.pkField(), t.pkType(), t.pkNullable());
            }
            for (final TableData t : state.tables.values())
            {
                for (final ColumnSpec c : t.columns.values())
                {
                    if (!c.name().equals(t.pkField()))
                    {
                        sink.addColumn(t.name(), c.name(), c.type(), c.nullable(), c.collection(), c.linkTarget(),
                            c.keyType());
                    }
                }
            }
            for (final TableData t : state.tables.values())
            {
                if (t.isEmbedded() || !classes.contains(t.name()) ||
                    (skipAsymmetric && t.type() == TableType.TOP_LEVEL_ASYMMETRIC))
                {
                    continue;
                }
                for (final Map.Entry<Value, ObjectData> e : t.objects().entrySet())
                {
                    if (include != null && !include.test(t.name(), e.getValue()))
                    {
                        continue;
                    }
                    sink.createObject(t.name(), e.getKey());
                    new Emitter(state, sink, t.name(), e.getKey()).fields(e.getValue(), null, new Object[0]);
                }
            }
        }
        catch (final BadChangesetException e)
        {
            throw new IllegalStateException("snapshot rejected by its own sink: " + e.getMessage(), e);
        }
    }

    /**
     * Emit one top-level object as CreateObject and the instructions that rebuild its fields (nothing if it does
     * not exist); the schema is not emitted.
     */
    public static void emitObject(final ObjectState state, final String table, final Value key,
        final InstructionSink sink)
    {
        final TableData t = state.tables.get(table);
        final ObjectData o = t == null ? null : t.object(key);
        if (o == null)
        {
            return;
        }
        try
        {
            sink.createObject(table, key);
            new Emitter(state, sink, table, key).fields(o, null, new Object[0]);
        }
        catch (final BadChangesetException e)
        {
            throw new IllegalStateException("snapshot rejected by its own sink: " + e.getMessage(), e);
        }
    }

    private static final class Emitter
    {
        private final ObjectState state;
        private final InstructionSink sink;
        private final String table;
        private final Value key;

        Emitter(final ObjectState state, final InstructionSink sink, final String table, final Value key)
        {
            this.state = state;
            this.sink = sink;
            this.table = table;
            this.key = key;
        }

        /**
         * Emit every field of {@code obj}. At top level ({@code field == null}) each field is its own instruction
         * field; inside an embedded object the field name extends the path of {@code field}.
         */
        void fields(final ObjectData obj, final String field, final Object[] prefix) throws BadChangesetException
        {
            final TableData t = state.tables.get(obj.table());
            for (final Map.Entry<String, Value> e : obj.fields().entrySet())
            {
                if (e.getKey().equals(t.pkField()))
                {
                    continue;
                }
                final ColumnSpec col = t.columns.get(e.getKey());
                if (field == null)
                {
                    column(col, e.getKey(), new Object[0], e.getValue());
                }
                else
                {
                    column(col, field, append(prefix, e.getKey()), e.getValue());
                }
            }
        }

        private void column(final ColumnSpec col, final String field, final Object[] path, final Value v)
            throws BadChangesetException
        {
            switch (col.collection())
            {
                case Instr.COLLECTION_LIST ->
                {
                    final Value.ListValue l = (Value.ListValue)v;
                    for (int i = 0; i < l.items().size(); i++)
                    {
                        insert(field, append(path, (long)i), l.items().get(i), i);
                    }
                }
                case Instr.COLLECTION_SET ->
                {
                    for (final Value x : ((Value.SetValue)v).items())
                    {
                        sink.setInsert(table, key, field, path, x.type(), x);
                    }
                }
                case Instr.COLLECTION_DICTIONARY ->
                {
                    for (final Map.Entry<String, Value> e : ((Value.DictValue)v).entries().entrySet())
                    {
                        set(field, append(path, e.getKey()), e.getValue(), true);
                    }
                }
                default -> set(field, path, v, false);
            }
        }

        /** Update at {@code path} (property or dictionary entry) to {@code v}, then its contents. */
        private void set(final String field, final Object[] path, final Value v, final boolean emitNull)
            throws BadChangesetException
        {
            if (v instanceof Value.Null && !emitNull)
            {
                return;
            }
            sink.update(table, key, field, path, v.type(), v, false, -1);
            contents(field, path, v);
        }

        private void insert(final String field, final Object[] path, final Value v, final long priorSize)
            throws BadChangesetException
        {
            sink.arrayInsert(table, key, field, path, v.type(), v, priorSize);
            contents(field, path, v);
        }

        private void contents(final String field, final Object[] path, final Value v) throws BadChangesetException
        {
            if (v instanceof Value.Embedded e)
            {
                fields(e.object(), field, path);
            }
            else if (v instanceof Value.ListValue l)
            {
                for (int i = 0; i < l.items().size(); i++)
                {
                    insert(field, append(path, (long)i), l.items().get(i), i);
                }
            }
            else if (v instanceof Value.DictValue d)
            {
                for (final Map.Entry<String, Value> e : d.entries().entrySet())
                {
                    set(field, append(path, e.getKey()), e.getValue(), true);
                }
            }
        }

        private static Object[] append(final Object[] path, final Object element)
        {
            final Object[] p = Arrays.copyOf(path, path.length + 1);
            p[path.length] = element;
            return p;
        }
    }
}
