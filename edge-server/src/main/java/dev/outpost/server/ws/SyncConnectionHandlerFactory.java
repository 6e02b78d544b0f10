package dev.outpost.server.ws;

/**
 * Creates the handler of each accepted sync WebSocket. Called on the connection's event loop, right after the
 * upgrade and before the first message. Implementations must be thread-safe (event loops call it concurrently).
 */
@FunctionalInterface
public interface SyncConnectionHandlerFactory
{
    /**
     * @param connection the new connection: protocol version, mode, user and the means to send and close.
     * @return its handler.
     */
    SyncConnectionHandler newHandler(SyncConnection connection);
}
