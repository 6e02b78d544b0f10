package dev.outpost.server.store;

import java.util.Arrays;

/**
 * The in-memory effects of a shard's uncommitted records, in order, so that they can be undone: live when a command
 * fails ({@link StoreShard#abortCommand()}), and at replay when a command was aborted or a commit unit was cut off
 * by a crash. Each entry is an operation code, its target (a {@link ServerFile} or {@link ClientFileRecord}) and up to
 * four previous values. Arrays grow by doubling and are reused, so a steady state allocates nothing.
 * Not thread-safe: owned by the shard's writer (or the replaying thread).
 */
final class UndoLog
{
    private static final byte APPEND = 1;
    private static final byte UPLOAD_PROGRESS = 2;
    private static final byte CLIENT_ADDED = 3;
    private static final byte CLIENT_STATE = 4;
    private static final byte RECIPROCAL = 5;
    private static final byte FILE_DELETED = 6;
    private static final int WORDS = 4;

    private byte[] ops = new byte[64];
    private Object[] targets = new Object[64];
    private long[] words = new long[64 * WORDS];
    private int size;
    /** Undoes a server file's deletion (the shard's index); null: no deletions are logged. */
    private final java.util.function.Consumer<ServerFile> undelete;

    UndoLog()
    {
        this(null);
    }

    /** @param undelete puts a deleted server file back into its shard's index ({@link #fileDeleted}). */
    UndoLog(final java.util.function.Consumer<ServerFile> undelete)
    {
        this.undelete = undelete;
    }

    /** @return the current position, to roll back to later. */
    int mark()
    {
        return size;
    }

    boolean isEmpty()
    {
        return size == 0;
    }

    /** Forgets everything (the effects became permanent). */
    void clear()
    {
        Arrays.fill(targets, 0, size, null);
        size = 0;
    }

    void appended(final ServerFile file, final long previousLastAppended, final long previousCumulativeBytes)
    {
        add(APPEND, file, previousLastAppended, previousCumulativeBytes, 0, 0);
    }

    void uploadProgress(final ClientFileRecord client, final long previousClientVersion)
    {
        add(UPLOAD_PROGRESS, client, previousClientVersion, 0, 0, 0);
    }

    void clientAdded(final ServerFile file, final long ident)
    {
        add(CLIENT_ADDED, file, ident, 0, 0, 0);
    }

    void clientState(final ClientFileRecord client)
    {
        add(CLIENT_STATE, client, client.clientVersion, client.rhBaseVersion, client.lockedServerVersion,
            client.lastSeen);
    }

    void reciprocal(final ClientFileRecord client, final long serverVersion, final long previousLogIndex)
    {
        add(RECIPROCAL, client, serverVersion, previousLogIndex, 0, 0);
    }

    void fileDeleted(final ServerFile file)
    {
        add(FILE_DELETED, file, 0, 0, 0, 0);
    }

    /** Undoes every effect recorded after {@code mark}, newest first, and forgets them. */
    void rollbackTo(final int mark)
    {
        for (int i = size - 1; i >= mark; i--)
        {
            final int w = i * WORDS;
            switch (ops[i])
            {
                case APPEND -> ((ServerFile)targets[i]).truncate(words[w], words[w + 1]);
                case UPLOAD_PROGRESS -> ((ClientFileRecord)targets[i]).clientVersion = words[w];
                case CLIENT_ADDED ->
                {
                    final ServerFile file = (ServerFile)targets[i];
                    file.clients.remove(words[w]);
                    file.nextClientIdent = words[w];
                }
                case CLIENT_STATE ->
                {
                    final ClientFileRecord c = (ClientFileRecord)targets[i];
                    c.clientVersion = words[w];
                    c.rhBaseVersion = words[w + 1];
                    c.lockedServerVersion = words[w + 2];
                    c.lastSeen = words[w + 3];
                }
                case RECIPROCAL ->
                {
                    final ClientFileRecord c = (ClientFileRecord)targets[i];
                    if (words[w + 1] == ClientFileRecord.NO_RECIPROCAL)
                    {
                        c.removeReciprocal(words[w]);
                    }
                    else
                    {
                        c.putReciprocal(words[w], words[w + 1]);
                    }
                }
                case FILE_DELETED -> undelete.accept((ServerFile)targets[i]);
                default -> throw new IllegalStateException("undo op " + ops[i]);
            }
            targets[i] = null;
        }
        size = Math.min(size, mark);
    }

    private void add(final byte op, final Object target, final long a, final long b, final long c, final long d)
    {
        if (size == ops.length)
        {
            ops = Arrays.copyOf(ops, size * 2);
            targets = Arrays.copyOf(targets, size * 2);
            words = Arrays.copyOf(words, size * 2 * WORDS);
        }
        ops[size] = op;
        targets[size] = target;
        final int w = size * WORDS;
        words[w] = a;
        words[w + 1] = b;
        words[w + 2] = c;
        words[w + 3] = d;
        size++;
    }
}
