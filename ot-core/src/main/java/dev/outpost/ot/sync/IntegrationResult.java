package dev.outpost.ot.sync;

import dev.outpost.codec.ProtocolErrorCode;

/**
 * Outcome of integrating an upload (server) or a download (client). On failure nothing was changed: no history
 * entry appended, no cursor or reciprocal stored, the object state as before.
 *
 * @param errorCode  null on success; else BAD_CHANGESET (212), BAD_CLIENT_VERSION (210) or BAD_SERVER_VERSION (209).
 * @param message    the reason, null on success.
 * @param integrated number of changesets integrated (skipped ones not counted).
 * @param skipped    number of changesets skipped because they were integrated before.
 */
public record IntegrationResult(ProtocolErrorCode errorCode, String message, int integrated, int skipped)
{
    public static IntegrationResult success(final int integrated, final int skipped)
    {
        return new IntegrationResult(null, null, integrated, skipped);
    }

    public static IntegrationResult failure(final ProtocolErrorCode code, final String message)
    {
        return new IntegrationResult(code, message, 0, 0);
    }

    public boolean ok()
    {
        return errorCode == null;
    }
}
