package dev.outpost.codec.changeset;

import org.agrona.DirectBuffer;

/**
 * Receives a decoded changeset, one call per instruction, in wire order. Views passed in are flyweights owned by
 * the decoder and valid only for the duration of the call: copy what must outlive it.
 * <p>
 * Interned strings are reported by index ({@code table}, {@code field}, string primary keys, link targets,
 * dictionary keys) after {@link #internString} announced them. {@link ChangesetEncoder} implements this interface,
 * so decoding into an encoder reproduces the input bytes exactly.
 */
public interface InstructionHandler
{
    /** Meta-instruction 0x3F: string {@code index} is the bytes {@code [offset, offset+length)} of {@code buffer}. */
    void internString(int index, DirectBuffer buffer, int offset, int length);

    /**
     * AddTable. For {@link Instr#TABLE_EMBEDDED} tables {@code pkField} is -1, {@code pkType} is 0 and
     * {@code pkNullable} false (they are not on the wire).
     */
    void addTable(int table, int tableType, int pkField, int pkType, boolean pkNullable);

    void eraseTable(int table);

    void createObject(int table, PrimaryKeyView key);

    void eraseObject(int table, PrimaryKeyView key);

    /**
     * Update. If the path ends in an index, {@code priorSize} is the list size and {@code isDefault} is false;
     * otherwise {@code isDefault} is on the wire and {@code priorSize} is -1.
     */
    void update(int table, PrimaryKeyView key, int field, PathView path, PayloadView value, boolean isDefault, long priorSize);

    void addInteger(int table, PrimaryKeyView key, int field, PathView path, long value);

    /**
     * AddColumn. {@code linkTargetTable} is the intern index of the target (only when {@code type} is
     * {@link Instr#TYPE_LINK}), else -1; {@code keyType} is only on the wire for dictionaries, else 0.
     */
    void addColumn(int table, int field, int type, boolean nullable, int collectionType, int linkTargetTable, int keyType);

    void eraseColumn(int table, int field);

    void arrayInsert(int table, PrimaryKeyView key, int field, PathView path, PayloadView value, long priorSize);

    void arrayMove(int table, PrimaryKeyView key, int field, PathView path, long ndx2, long priorSize);

    void arrayErase(int table, PrimaryKeyView key, int field, PathView path, long priorSize);

    void clear(int table, PrimaryKeyView key, int field, PathView path, int collectionType);

    void setInsert(int table, PrimaryKeyView key, int field, PathView path, PayloadView value);

    void setErase(int table, PrimaryKeyView key, int field, PathView path, PayloadView value);
}
