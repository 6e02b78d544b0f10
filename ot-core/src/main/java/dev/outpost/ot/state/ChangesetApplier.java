package dev.outpost.ot.state;

import dev.outpost.codec.changeset.Instr;
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
import dev.outpost.ot.model.Instruction;
import dev.outpost.ot.model.ObjectInstruction;
import dev.outpost.ot.model.Payload;
import dev.outpost.ot.model.SetErase;
import dev.outpost.ot.model.SetInsert;
import dev.outpost.ot.model.Update;

/**
 * Applies model {@link Changeset}s to an {@link ObjectState}, atomically: a changeset that fails leaves the state
 * exactly as before and yields an {@link ApplyResult} with {@code BAD_CHANGESET} (212), the failing instruction's
 * index and the reason. Not thread-safe; owned by the thread that owns the state.
 */
public final class ChangesetApplier
{
    private final InstructionApplier applier;

    public ChangesetApplier(final ObjectState state)
    {
        this.applier = new InstructionApplier(state);
    }

    public ObjectState state()
    {
        return applier.state();
    }

    /** Apply every instruction of {@code changeset} or none. */
    public ApplyResult apply(final Changeset changeset)
    {
        applier.begin();
        final ApplyResult r = applyWithin(changeset);
        if (r.ok())
        {
            applier.commit();
        }
        else
        {
            applier.rollback();
        }
        return r;
    }

    /** Start a transaction spanning several {@link #applyWithin} calls (e.g. all changesets of one upload). */
    public void begin()
    {
        applier.begin();
    }

    /**
     * Apply inside the transaction opened by {@link #begin()}. On failure the caller must {@link #rollback()}
     * (the changeset may be partly applied until then).
     */
    public ApplyResult applyWithin(final Changeset changeset)
    {
        final int n = changeset.size();
        for (int i = 0; i < n; i++)
        {
            try
            {
                replay(changeset.get(i), applier);
            }
            catch (final BadChangesetException e)
            {
                return ApplyResult.failure(i, e.getMessage() + " (instruction " + i + ": " + changeset.get(i) + ")");
            }
        }
        return ApplyResult.OK;
    }

    /** Keep everything applied since {@link #begin()}. */
    public void commit()
    {
        applier.commit();
    }

    /** Undo everything applied since {@link #begin()}. */
    public void rollback()
    {
        applier.rollback();
    }

    /** Replay every instruction of {@code changeset} into {@code sink}, stopping at the first failure. */
    public static void replay(final Changeset changeset, final InstructionSink sink) throws BadChangesetException
    {
        for (final Instruction i : changeset.instructions())
        {
            replay(i, sink);
        }
    }

    /** Replay one model instruction into {@code sink}. */
    public static void replay(final Instruction instruction, final InstructionSink sink) throws BadChangesetException
    {
        final String table = instruction.table();
        switch (instruction.type())
        {
            case Instr.ADD_TABLE ->
            {
                final AddTable a = (AddTable)instruction;
                sink.addTable(table, a.tableType(), a.pkField(), a.pkType(), a.pkNullable());
            }
            case Instr.ERASE_TABLE -> sink.eraseTable(((EraseTable)instruction).table());
            case Instr.ADD_COLUMN ->
            {
                final AddColumn a = (AddColumn)instruction;
                sink.addColumn(table, a.field(), a.valueType(), a.nullable(), a.collectionType(),
                    a.linkTargetTable(), a.keyType());
            }
            case Instr.ERASE_COLUMN -> sink.eraseColumn(table, ((EraseColumn)instruction).field());
            case Instr.CREATE_OBJECT -> sink.createObject(table, key((CreateObject)instruction));
            case Instr.ERASE_OBJECT -> sink.eraseObject(table, key((EraseObject)instruction));
            case Instr.UPDATE ->
            {
                final Update u = (Update)instruction;
                sink.update(table, key(u), u.field(), ModelValues.path(u.path()), u.value().type(),
                    value(u.value()), u.isDefault(), u.priorSize());
            }
            case Instr.ADD_INTEGER ->
            {
                final AddInteger a = (AddInteger)instruction;
                sink.addInteger(table, key(a), a.field(), ModelValues.path(a.path()), a.value());
            }
            case Instr.ARRAY_INSERT ->
            {
                final ArrayInsert a = (ArrayInsert)instruction;
                sink.arrayInsert(table, key(a), a.field(), ModelValues.path(a.path()), a.value().type(),
                    value(a.value()), a.priorSize());
            }
            case Instr.ARRAY_MOVE ->
            {
                final ArrayMove a = (ArrayMove)instruction;
                sink.arrayMove(table, key(a), a.field(), ModelValues.path(a.path()), a.ndx2(), a.priorSize());
            }
            case Instr.ARRAY_ERASE ->
            {
                final ArrayErase a = (ArrayErase)instruction;
                sink.arrayErase(table, key(a), a.field(), ModelValues.path(a.path()), a.priorSize());
            }
            case Instr.CLEAR ->
            {
                final Clear c = (Clear)instruction;
                sink.clear(table, key(c), c.field(), ModelValues.path(c.path()), c.collectionType());
            }
            case Instr.SET_INSERT ->
            {
                final SetInsert s = (SetInsert)instruction;
                sink.setInsert(table, key(s), s.field(), ModelValues.path(s.path()), s.value().type(),
                    value(s.value()));
            }
            case Instr.SET_ERASE ->
            {
                final SetErase s = (SetErase)instruction;
                sink.setErase(table, key(s), s.field(), ModelValues.path(s.path()), s.value().type(),
                    value(s.value()));
            }
            default -> throw InstructionApplier.bad("Unknown instruction type %d", instruction.type());
        }
    }

    private static Value key(final ObjectInstruction i) throws BadChangesetException
    {
        final Value k = ModelValues.key(i.object());
        if (k == null)
        {
            throw InstructionApplier.bad("%s: GlobalKey object references are not supported ('%s')", i.name(),
                i.table());
        }
        return k;
    }

    private static Value value(final Payload p) throws BadChangesetException
    {
        if (p.type() == Instr.TYPE_GLOBAL_KEY)
        {
            throw InstructionApplier.bad("GlobalKey is not a valid payload");
        }
        final Value v = ModelValues.value(p);
        if (v == null && p.type() == Instr.TYPE_LINK)
        {
            throw InstructionApplier.bad("Link to a GlobalKey object is not supported");
        }
        return v;
    }
}
