package dev.outpost.server.transfer;

/** Why an import or export cannot run (bad usage, unreadable input, the data directory in use); no stack trace. */
public final class TransferException extends Exception
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message what is wrong, for the operator.
     */
    public TransferException(final String message)
    {
        super(message, null, false, false);
    }
}
