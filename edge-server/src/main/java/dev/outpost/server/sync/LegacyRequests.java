package dev.outpost.server.sync;

import dev.outpost.codec.ProtocolErrorCode;
import dev.outpost.codec.message.ClientMessageDecoder;

/** The original protocol's TRANSACT, STATE_REQUEST and CLIENT_VERSION_REQUEST (see SYNC.md). */
final class LegacyRequests
{
    private LegacyRequests()
    {
    }

    static void transact(final Session session, final ClientMessageDecoder d)
    {
        session.conn.connectionError(ProtocolErrorCode.UNKNOWN_MESSAGE, "transact not implemented yet");
    }

    static void stateRequest(final Session session, final ClientMessageDecoder d)
    {
        session.conn.connectionError(ProtocolErrorCode.UNKNOWN_MESSAGE, "state_request not implemented yet");
    }

    static void clientVersionRequest(final ConnectionHandler conn, final ClientMessageDecoder d)
    {
        conn.connectionError(ProtocolErrorCode.UNKNOWN_MESSAGE, "client_version_request not implemented yet");
    }
}
