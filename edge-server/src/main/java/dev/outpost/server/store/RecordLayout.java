package dev.outpost.server.store;

/**
 * Layout of the typed records a shard queue holds (one record = one Chronicle document, raw bytes, native byte
 * order, which is little-endian on every platform we run on). Offsets in bytes.
 * <pre>
 * common header (16 bytes)
 *   0      1      2             4                           8                                        16
 *   +------+------+-------------+---------------------------+----------------------------------------+
 *   | type | lay- | flags|rsvd  |  fileId (int32, shard-    |  key (int64): salt / version / client   |
 *   |      | out  |      |      |  local, 0, 1, 2, ...)     |  ident, by type                        |
 *   +------+------+-------------+---------------------------+----------------------------------------+
 *   flags (format 2): TXN 0x1 = part of a commit unit, CMD_START 0x2 = first record of a command,
 *   UNIT_START 0x4 = first record of a commit unit. 0 = committed on its own (every format-1 record).
 *
 * FILE_CREATED (1)   key = server file salt
 *   16 nameLength int32 | 20 name (UTF-8, nameLength bytes)
 *
 * ENTRY (2)          key = server version (the per-file sequence 1, 2, 3, ...)
 *   16 originFileIdent int64 | 24 clientVersion int64 | 32 originTimestamp int64 | 40 originalSize int64
 *   48 changesetLength int32 | 52 reserved int32      | 56 changeset bytes ...
 *   origin 1 with clientVersion &lt; 0: a compensating write's revert entry for client -clientVersion
 *   ({@link RevertEntryMarker})
 *
 * CLIENT_ALLOCATED (3)  key = client file ident (2, 3, ... per server file)
 *   16 identSalt int64 | 24 clientType int32 | 28 reserved int32 | 32 lastSeen int64          (40 bytes)
 *
 * CLIENT_STATE (4)   key = client file ident
 *   16 clientVersion int64 | 24 rhBaseVersion int64 | 32 lockedServerVersion int64 | 40 lastSeen int64 (48 bytes)
 *
 * RECIPROCAL (5)     key = client file ident
 *   16 serverVersion int64 | 24 changesetLength int32 | 28 reserved int32 | 32 changeset bytes ...
 *
 * COMMIT (6)         key = 0, fileId = 0, flags = TXN: every pending record of the unit takes effect (16 bytes)
 * ABORT (7)          key = 0, fileId = 0, flags = TXN: the records of the unit's last command are void (16 bytes)
 *
 * FILE_DELETED (8)   key = the deleted server file's salt, fileId = its fileId (16 bytes; format 3): a tombstone,
 *   written in a commit unit like any writer command. From its commit on, the file is gone from the index (lookups,
 *   listings, heads); its fileId is never reused, later records naming it are skipped, and a FILE_CREATED of the
 *   same name afterwards starts a new server file (new fileId, new salt).
 * </pre>
 * Commit units (format 2): the records a shard writer writes between its first command of a batch and the batch's
 * {@code publish()} carry the TXN flag and take effect at replay only when the unit's COMMIT follows. A command that
 * failed is cancelled by an ABORT right after its records; a unit cut off by a crash (no COMMIT before the next
 * UNIT_START, the next unflagged record or the end of the queue) is dropped whole. FILE_CREATED is never part of a
 * unit (a server file's creation is idempotent and kept).
 * A record that is shorter than its type needs, has an unknown type or layout, or does not continue its server
 * file's sequence is skipped at replay (and counted), never trusted.
 */
final class RecordLayout
{
    static final byte LAYOUT_VERSION = 1;

    static final byte FILE_CREATED = 1;
    static final byte ENTRY = 2;
    static final byte CLIENT_ALLOCATED = 3;
    static final byte CLIENT_STATE = 4;
    static final byte RECIPROCAL = 5;
    static final byte COMMIT = 6;
    static final byte ABORT = 7;
    static final byte FILE_DELETED = 8;
    static final int FILE_DELETED_LENGTH = 16;

    static final int FLAGS_OFFSET = 2;
    static final byte FLAG_TXN = 1;
    static final byte FLAG_CMD_START = 2;
    static final byte FLAG_UNIT_START = 4;

    static final int TYPE_OFFSET = 0;
    static final int LAYOUT_OFFSET = 1;
    static final int FILE_ID_OFFSET = 4;
    static final int KEY_OFFSET = 8;
    static final int COMMON_HEADER_LENGTH = 16;
    static final int MARKER_LENGTH = 16;

    static final int FILE_NAME_LENGTH_OFFSET = 16;
    static final int FILE_NAME_OFFSET = 20;
    static final int MAX_NAME_BYTES = 4096;

    static final int ENTRY_ORIGIN_FILE_OFFSET = 16;
    static final int ENTRY_CLIENT_VERSION_OFFSET = 24;
    static final int ENTRY_TIMESTAMP_OFFSET = 32;
    static final int ENTRY_ORIGINAL_SIZE_OFFSET = 40;
    static final int ENTRY_LENGTH_OFFSET = 48;
    static final int ENTRY_HEADER_LENGTH = 56;

    static final int CLIENT_SALT_OFFSET = 16;
    static final int CLIENT_TYPE_OFFSET = 24;
    static final int CLIENT_ALLOCATED_LAST_SEEN_OFFSET = 32;
    static final int CLIENT_ALLOCATED_LENGTH = 40;

    static final int STATE_CLIENT_VERSION_OFFSET = 16;
    static final int STATE_RH_BASE_OFFSET = 24;
    static final int STATE_LOCKED_OFFSET = 32;
    static final int STATE_LAST_SEEN_OFFSET = 40;
    static final int CLIENT_STATE_LENGTH = 48;

    static final int RECIPROCAL_VERSION_OFFSET = 16;
    static final int RECIPROCAL_LENGTH_OFFSET = 24;
    static final int RECIPROCAL_HEADER_LENGTH = 32;

    private RecordLayout()
    {
    }
}
