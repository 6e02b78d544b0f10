package dev.outpost.server.auth;

/**
 * A token whose signature, type, expiry and session were checked.
 *
 * @param type      access or refresh.
 * @param userId    the {@code sub} claim: the user's 24-hex id.
 * @param sessionId the refresh session the token belongs to (24 hex).
 * @param appId     the app the token was issued for.
 * @param issuedAt  {@code iat}, seconds since the epoch.
 * @param expiresAt {@code exp}, seconds since the epoch.
 */
public record VerifiedToken(TokenType type, String userId, String sessionId, String appId, long issuedAt,
    long expiresAt)
{
}
