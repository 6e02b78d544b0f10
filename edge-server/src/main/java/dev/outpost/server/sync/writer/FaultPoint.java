package dev.outpost.server.sync.writer;

/**
 * Places inside a writer command where tests inject a failure (see {@link ShardWriter#faultHook}): a hook that
 * throws there simulates a store failure or a bug at that point.
 */
public enum FaultPoint
{
    /** Before a transformed changeset is appended to the history. */
    BEFORE_APPEND,
    /** Right after a changeset was appended. */
    AFTER_APPEND,
    /** Before a reciprocal transform is stored. */
    BEFORE_RECIPROCAL,
    /** Before a client's upload state (cursor, locked version) is stored. */
    BEFORE_CLIENT_STATE,
    /** After the command's work, before it ends (everything written, nothing published). */
    END_OF_COMMAND
}
