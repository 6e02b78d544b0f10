package dev.outpost.ot.state;

import dev.outpost.codec.ProtocolErrorCode;

/**
 * Outcome of applying one changeset: success, or a failure naming the instruction index and the reason. A failure
 * left the state exactly as it was before the changeset.
 *
 * @param errorCode        null on success, else {@link ProtocolErrorCode#BAD_CHANGESET}.
 * @param instructionIndex index of the failing instruction, -1 on success.
 * @param message          human-readable reason, null on success.
 */
public record ApplyResult(ProtocolErrorCode errorCode, int instructionIndex, String message)
{
    public static final ApplyResult OK = new ApplyResult(null, -1, null);

    public static ApplyResult failure(final int instructionIndex, final String message)
    {
        return new ApplyResult(ProtocolErrorCode.BAD_CHANGESET, instructionIndex, message);
    }

    public boolean ok()
    {
        return errorCode == null;
    }
}
