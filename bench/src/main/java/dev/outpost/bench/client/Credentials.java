package dev.outpost.bench.client;

/**
 * What an anonymous login gives a client.
 *
 * @param accessToken the access token (sent as {@code baas_at} on the WebSocket upgrade).
 * @param refreshToken the refresh token.
 * @param userId the user id.
 * @param wsHostname the {@code ws_hostname} of the location answer, e.g. {@code ws://127.0.0.1:9090}.
 */
public record Credentials(String accessToken, String refreshToken, String userId, String wsHostname)
{
}
