package dev.outpost.server.backup;

/** Why a backup or restore cannot run or failed (bad usage, a target in use or not empty, I/O); no stack trace. */
public final class BackupException extends Exception
{
    private static final long serialVersionUID = 1L;

    private final boolean usage;

    /**
     * @param message what is wrong, for the operator.
     * @param usage   true for bad usage (a missing source, a target not empty), false for a copy that failed.
     */
    public BackupException(final String message, final boolean usage)
    {
        super(message, null, false, false);
        this.usage = usage;
    }

    /** @return true for bad usage (exit code 2), false for a copy that failed (exit code 1). */
    public boolean usage()
    {
        return usage;
    }
}
