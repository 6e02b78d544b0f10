package dev.outpost.ot.state;

import dev.outpost.ot.model.AddColumn;
import dev.outpost.ot.model.AddInteger;
import dev.outpost.ot.model.AddTable;
import dev.outpost.ot.model.ArrayErase;
import dev.outpost.ot.model.ArrayInsert;
import dev.outpost.ot.model.ArrayMove;
import dev.outpost.ot.model.Changeset;
import dev.outpost.ot.model.Clear;
import dev.outpost.ot.model.CreateObject;
import dev.outpost.ot.model.EraseColumn;
import dev.outpost.ot.model.EraseObject;
import dev.outpost.ot.model.EraseTable;
import dev.outpost.ot.model.SetErase;
import dev.outpost.ot.model.SetInsert;
import dev.outpost.ot.model.Update;

/**
 * An {@link InstructionSink} that appends model instructions to a {@link Changeset} (no validation). Used by
 * {@link Snapshot} and by tests that write changesets with state-level arguments. Not thread-safe.
 */
public final class ChangesetBuilder implements InstructionSink
{
    private final Changeset changeset;

    public ChangesetBuilder()
    {
        this(new Changeset());
    }

    public ChangesetBuilder(final Changeset changeset)
    {
        this.changeset = changeset;
    }

    /** @return the changeset being built (live). */
    public Changeset changeset()
    {
        return changeset;
    }

    public void addTable(final String table, final int tableType, final String pkField, final int pkType,
        final boolean pkNullable)
    {
        changeset.add(tableType == TableType.EMBEDDED.wire() ? AddTable.embedded(table)
            : new AddTable(table, tableType, pkField, pkType, pkNullable));
    }

    public void eraseTable(final String table)
    {
        changeset.add(new EraseTable(table));
    }

    public void addColumn(final String table, final String field, final int type, final boolean nullable,
        final int collectionType, final String linkTarget, final int keyType)
    {
        changeset.add(new AddColumn(table, field, type, nullable, collectionType, linkTarget, keyType));
    }

    public void eraseColumn(final String table, final String field)
    {
        changeset.add(new EraseColumn(table, field));
    }

    public void createObject(final String table, final Value key)
    {
        changeset.add(new CreateObject(table, ModelValues.key(key)));
    }

    public void eraseObject(final String table, final Value key)
    {
        changeset.add(new EraseObject(table, ModelValues.key(key)));
    }

    public void update(final String table, final Value key, final String field, final Object[] path,
        final int payloadType, final Value value, final boolean isDefault, final long priorSize)
    {
        final dev.outpost.ot.model.Path p = ModelValues.path(path);
        changeset.add(p.endsInIndex()
            ? new Update(table, ModelValues.key(key), field, p, ModelValues.payload(payloadType, value), false, priorSize)
            : new Update(table, ModelValues.key(key), field, p, ModelValues.payload(payloadType, value), isDefault));
    }

    public void addInteger(final String table, final Value key, final String field, final Object[] path,
        final long increment)
    {
        changeset.add(new AddInteger(table, ModelValues.key(key), field, ModelValues.path(path), increment));
    }

    public void arrayInsert(final String table, final Value key, final String field, final Object[] path,
        final int payloadType, final Value value, final long priorSize)
    {
        changeset.add(new ArrayInsert(table, ModelValues.key(key), field, ModelValues.path(path),
            ModelValues.payload(payloadType, value), priorSize));
    }

    public void arrayMove(final String table, final Value key, final String field, final Object[] path,
        final long to, final long priorSize)
    {
        changeset.add(new ArrayMove(table, ModelValues.key(key), field, ModelValues.path(path), to, priorSize));
    }

    public void arrayErase(final String table, final Value key, final String field, final Object[] path,
        final long priorSize)
    {
        changeset.add(new ArrayErase(table, ModelValues.key(key), field, ModelValues.path(path), priorSize));
    }

    public void clear(final String table, final Value key, final String field, final Object[] path,
        final int collectionType)
    {
        changeset.add(new Clear(table, ModelValues.key(key), field, ModelValues.path(path), collectionType));
    }

    public void setInsert(final String table, final Value key, final String field, final Object[] path,
        final int payloadType, final Value value)
    {
        changeset.add(new SetInsert(table, ModelValues.key(key), field, ModelValues.path(path),
            ModelValues.payload(payloadType, value)));
    }

    public void setErase(final String table, final Value key, final String field, final Object[] path,
        final int payloadType, final Value value)
    {
        changeset.add(new SetErase(table, ModelValues.key(key), field, ModelValues.path(path),
            ModelValues.payload(payloadType, value)));
    }
}
