package dev.outpost.server.store;

/** Why a data directory could not be opened. */
public enum StoreOpenError
{
    /** The format file names a version this build does not know (newer, or not a positive number). */
    UNSUPPORTED_FORMAT_VERSION,
    /** The format file exists but cannot be parsed. */
    CORRUPT_FORMAT_FILE,
    /** The directory holds files but no format file: not an Outpost data directory. */
    NOT_A_STORE,
    /** The directory cannot be created, read or written. */
    IO_FAILURE
}
