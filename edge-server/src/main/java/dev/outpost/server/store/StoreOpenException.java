package dev.outpost.server.store;

/** A data directory cannot be opened; {@link #error()} says why. Only thrown at open, never on the hot path. */
public final class StoreOpenException extends Exception
{
    private static final long serialVersionUID = 1L;

    private final StoreOpenError error;

    public StoreOpenException(final StoreOpenError error, final String message)
    {
        super(message);
        this.error = error;
    }

    public StoreOpenException(final StoreOpenError error, final String message, final Throwable cause)
    {
        super(message, cause);
        this.error = error;
    }

    /** @return the kind of failure. */
    public StoreOpenError error()
    {
        return error;
    }
}
