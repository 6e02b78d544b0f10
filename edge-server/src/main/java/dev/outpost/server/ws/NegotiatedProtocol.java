package dev.outpost.server.ws;

/**
 * The outcome of sub-protocol negotiation.
 *
 * @param mode          PBS or FLX, from the prefix the client offered.
 * @param version       the sync protocol version both sides speak (2..14).
 * @param responseToken the single token to echo in the 101's {@code Sec-WebSocket-Protocol}.
 */
public record NegotiatedProtocol(SyncMode mode, int version, String responseToken)
{
}
