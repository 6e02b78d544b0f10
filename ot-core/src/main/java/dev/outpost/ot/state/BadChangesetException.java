package dev.outpost.ot.state;

import dev.outpost.codec.ProtocolErrorCode;

/**
 * A changeset that cannot be applied to the state (realm's {@code BadChangesetError}): missing class, column or
 * object, type mismatch, schema mismatch, bad path or index. Always {@link ProtocolErrorCode#BAD_CHANGESET}.
 * Stackless: it is an expected outcome of peer input, not a bug.
 */
public final class BadChangesetException extends Exception
{
    private static final long serialVersionUID = 1L;

    public BadChangesetException(final String message)
    {
        super(message, null, false, false);
    }

    /** @return the protocol error this earns: always {@link ProtocolErrorCode#BAD_CHANGESET}. */
    public ProtocolErrorCode errorCode()
    {
        return ProtocolErrorCode.BAD_CHANGESET;
    }
}
