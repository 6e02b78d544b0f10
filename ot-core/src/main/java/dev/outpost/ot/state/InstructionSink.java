package dev.outpost.ot.state;

/**
 * Receives instructions with resolved arguments (names as strings, keys and values as {@link Value}s, paths as
 * arrays of {@code Long} indices and {@code String} keys). {@link InstructionApplier} applies them to a state;
 * {@link Snapshot} emits them; an adapter turns them into a model changeset. Payload tags are {@code Instr.TYPE_*};
 * {@code value} is only read for primitives and links. Not thread-safe.
 */
public interface InstructionSink
{
    void addTable(String table, int tableType, String pkField, int pkType, boolean pkNullable)
        throws BadChangesetException;

    void eraseTable(String table) throws BadChangesetException;

    /** @param linkTarget target class for Link columns ("" for a typed link), else null. */
    void addColumn(String table, String field, int type, boolean nullable, int collectionType, String linkTarget,
        int keyType) throws BadChangesetException;

    void eraseColumn(String table, String field) throws BadChangesetException;

    void createObject(String table, Value key) throws BadChangesetException;

    void eraseObject(String table, Value key) throws BadChangesetException;

    /** @param priorSize the list size for an update of a list element (path ends in an index), else -1. */
    void update(String table, Value key, String field, Object[] path, int payloadType, Value value,
        boolean isDefault, long priorSize) throws BadChangesetException;

    void addInteger(String table, Value key, String field, Object[] path, long increment)
        throws BadChangesetException;

    void arrayInsert(String table, Value key, String field, Object[] path, int payloadType, Value value,
        long priorSize) throws BadChangesetException;

    void arrayMove(String table, Value key, String field, Object[] path, long to, long priorSize)
        throws BadChangesetException;

    void arrayErase(String table, Value key, String field, Object[] path, long priorSize)
        throws BadChangesetException;

    void clear(String table, Value key, String field, Object[] path, int collectionType)
        throws BadChangesetException;

    void setInsert(String table, Value key, String field, Object[] path, int payloadType, Value value)
        throws BadChangesetException;

    void setErase(String table, Value key, String field, Object[] path, int payloadType, Value value)
        throws BadChangesetException;
}
