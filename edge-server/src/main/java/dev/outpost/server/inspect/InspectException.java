package dev.outpost.server.inspect;

/** What the user asked for does not exist (no such server file, version or class); the message says which. */
public final class InspectException extends Exception
{
    private static final long serialVersionUID = 1L;

    public InspectException(final String message)
    {
        super(message, null, false, false);
    }
}
