package dev.outpost.codec.changeset;

/** Wire constants of the changeset format (protocol 14): instruction tags, payload/type tags and enums. */
public final class Instr
{
    private Instr()
    {
    }

    // Instruction tags.
    public static final int ADD_TABLE = 0;
    public static final int ERASE_TABLE = 1;
    public static final int CREATE_OBJECT = 2;
    public static final int ERASE_OBJECT = 3;
    public static final int UPDATE = 4;
    public static final int ADD_INTEGER = 5;
    public static final int ADD_COLUMN = 6;
    public static final int ERASE_COLUMN = 7;
    public static final int ARRAY_INSERT = 8;
    public static final int ARRAY_MOVE = 9;
    public static final int ARRAY_ERASE = 10;
    public static final int CLEAR = 11;
    public static final int SET_INSERT = 12;
    public static final int SET_ERASE = 13;
    /** Meta-instruction: intern a string. */
    public static final int INTERN_STRING = 0x3F;

    // Payload / column type tags.
    public static final int TYPE_SET = -6;
    public static final int TYPE_LIST = -5;
    public static final int TYPE_ERASED = -4;
    public static final int TYPE_DICTIONARY = -3;
    public static final int TYPE_OBJECT_VALUE = -2;
    public static final int TYPE_GLOBAL_KEY = -1;
    public static final int TYPE_NULL = 0;
    public static final int TYPE_INT = 1;
    public static final int TYPE_BOOL = 2;
    public static final int TYPE_STRING = 3;
    public static final int TYPE_BINARY = 4;
    public static final int TYPE_TIMESTAMP = 5;
    public static final int TYPE_FLOAT = 6;
    public static final int TYPE_DOUBLE = 7;
    public static final int TYPE_DECIMAL = 8;
    public static final int TYPE_LINK = 9;
    public static final int TYPE_OBJECT_ID = 10;
    public static final int TYPE_UUID = 11;

    // AddTable table types.
    public static final int TABLE_TOP_LEVEL = 0;
    public static final int TABLE_EMBEDDED = 1;
    public static final int TABLE_TOP_LEVEL_ASYMMETRIC = 2;

    // Collection types (AddColumn, Clear).
    public static final int COLLECTION_SINGLE = 0;
    public static final int COLLECTION_LIST = 1;
    public static final int COLLECTION_DICTIONARY = 2;
    public static final int COLLECTION_SET = 3;
}
