package dev.outpost.server.backup;

/** Why a backup or restore cannot run or failed (bad usage, a target in use or not empty, I/O); no stack trace. */
public final class BackupException extends Exception
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message what is wrong, for the operator.
     */
    public BackupException(final String message)
    {
        super(message, null, false, false);
    }
}
