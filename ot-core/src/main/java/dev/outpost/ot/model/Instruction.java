package dev.outpost.ot.model;

import java.util.Arrays;
import java.util.List;

/**
 * One changeset instruction (protocol 14). Subclasses are mutable: the merge edits indices, {@code prior_size} and
 * payloads in place. Names (tables, fields, keys) are plain strings, already resolved from the changeset's intern
 * table; the instruction is independent of the changeset it came from.
 * <p>
 * Type tags are {@code Instr.ADD_TABLE .. Instr.SET_ERASE}. Hierarchy: {@link AddTable}, {@link EraseTable},
 * {@link AddColumn}, {@link EraseColumn} (schema, "table instructions"); {@link ObjectInstruction}s
 * {@link CreateObject}, {@link EraseObject}; {@link PathInstruction}s {@link Update}, {@link AddInteger},
 * {@link ArrayInsert}, {@link ArrayMove}, {@link ArrayErase}, {@link Clear}, {@link SetInsert}, {@link SetErase}.
 * <p>
 * {@link #declaredStrings()} is encoding layout only: the strings the source bytes interned right before this
 * instruction (realm's encoder may intern strings an instruction does not reference, e.g. {@code ""} before a
 * non-link AddColumn). It is not part of equality. Not thread-safe; owned by the changeset holding it.
 */
public abstract class Instruction
{
    private static final String[] NONE = new String[0];

    private String table;
    private String[] declaredStrings = NONE;

    Instruction(final String table)
    {
        this.table = table;
    }

    /** @return the {@code Instr.*} instruction tag. */
    public abstract int type();

    /** @return a deep copy (paths are copied; keys and payloads are immutable and shared). */
    public abstract Instruction copy();

    /** @return true for AddTable, EraseTable, AddColumn and EraseColumn, which conflict with everything. */
    public boolean isSchema()
    {
        return false;
    }

    /**
     * Nesting depth used by the merge: 1 for AddTable/EraseTable, 2 for AddColumn/EraseColumn and object
     * instructions, 3 + path size for path instructions.
     */
    public abstract int pathLength();

    public final String table()
    {
        return table;
    }

    public final void setTable(final String table)
    {
        this.table = table;
    }

    /** @return strings the source interned right before this instruction (layout hint; may be empty). */
    public final List<String> declaredStrings()
    {
        return Arrays.asList(declaredStrings.clone());
    }

    public final void setDeclaredStrings(final List<String> strings)
    {
        declaredStrings = strings.isEmpty() ? NONE : strings.toArray(new String[0]);
    }

    final String[] declaredStringsArray()
    {
        return declaredStrings;
    }

    final <T extends Instruction> T copyBase(final T copy)
    {
        ((Instruction)copy).declaredStrings = declaredStrings;
        return copy;
    }

    @Override
    public boolean equals(final Object o)
    {
        return o != null && o.getClass() == getClass() && table.equals(((Instruction)o).table);
    }

    @Override
    public int hashCode()
    {
        return type() * 31 + table.hashCode();
    }

    /** @return the instruction's name, e.g. {@code "ArrayInsert"}. */
    public String name()
    {
        return getClass().getSimpleName();
    }
}
