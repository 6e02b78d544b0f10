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
 * @param userData  the access token's {@code user_data} claim (the user's custom user data when it was issued) as
 *                  JSON text, or null when it has none.
 */
public record VerifiedToken(TokenType type, String userId, String sessionId, String appId, long issuedAt,
    long expiresAt, String userData)
{
    /**
     * A token without custom user data.
     *
     * @param type      access or refresh.
     * @param userId    the user's id.
     * @param sessionId the refresh session.
     * @param appId     the app.
     * @param issuedAt  {@code iat}.
     * @param expiresAt {@code exp}.
     */
    public VerifiedToken(final TokenType type, final String userId, final String sessionId, final String appId,
        final long issuedAt, final long expiresAt)
    {
        this(type, userId, sessionId, appId, issuedAt, expiresAt, null);
    }
}
