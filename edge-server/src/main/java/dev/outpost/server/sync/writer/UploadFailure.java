package dev.outpost.server.sync.writer;

import dev.outpost.codec.ProtocolErrorCode;

/**
 * Why an UPLOAD was refused: the session error to send (nothing of the upload is integrated).
 *
 * @param code    the protocol error code.
 * @param action  the JSON_ERROR action (see {@code ErrorBodies}).
 * @param message the error message.
 */
public record UploadFailure(ProtocolErrorCode code, String action, String message)
{
}
