package dev.outpost.codec;

/**
 * Malformed input: carries the protocol error the server answers with. Stackless, so throwing it on a hot path
 * costs no stack walk; a decoder may reuse one instance per thread.
 */
public final class CodecException extends Exception
{
    private static final long serialVersionUID = 1L;

    private final ProtocolErrorCode errorCode;

    public CodecException(final ProtocolErrorCode errorCode, final String message)
    {
        super(message, null, false, false);
        this.errorCode = errorCode;
    }

    /** @return the protocol error this input earns on the wire. */
    public ProtocolErrorCode errorCode()
    {
        return errorCode;
    }
}
