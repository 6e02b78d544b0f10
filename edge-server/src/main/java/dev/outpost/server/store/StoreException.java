package dev.outpost.server.store;

/** A data directory cannot be opened; {@link #error()} says why. Only thrown at open, never on the hot path. */
public final class StoreException extends Exception
{
    private static final long serialVersionUID = 1L;

    private final StoreError error;

    public StoreException(final StoreError error, final String message)
    {
        super(message);
        this.error = error;
    }

    public StoreException(final StoreError error, final String message, final Throwable cause)
    {
        super(message, cause);
        this.error = error;
    }

    /** @return the kind of failure. */
    public StoreError error()
    {
        return error;
    }
}
