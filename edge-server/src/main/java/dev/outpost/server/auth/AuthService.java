package dev.outpost.server.auth;

import org.agrona.concurrent.EpochClock;

import java.util.concurrent.CompletableFuture;

/**
 * Anonymous login, token refresh, logout and token authentication for one app.
 * <p>
 * Thread-safe: the read paths ({@link #authenticate}) touch only immutable state and the store's concurrent maps;
 * the write paths return futures completed by the store's writer thread once the change is durable.
 */
public final class AuthService
{
    /** The only provider supported so far. */
    public static final String ANON_PROVIDER = "anon-user";

    private final String appId;
    private final TokenService tokens;
    private final AuthStore store;
    private final EpochClock clock;

    /**
     * @param appId  the app this server serves.
     * @param tokens token signer and verifier.
     * @param store  durable users and sessions.
     * @param clock  wall clock.
     */
    public AuthService(final String appId, final TokenService tokens, final AuthStore store, final EpochClock clock)
    {
        this.appId = appId;
        this.tokens = tokens;
        this.store = store;
        this.clock = clock;
    }

    /**
     * @param id an app id from a URL or token.
     * @return true if this server serves it.
     */
    public boolean isKnownApp(final String id)
    {
        return appId.equals(id);
    }

    public String appId()
    {
        return appId;
    }

    /**
     * Create an anonymous user with a new refresh session.
     *
     * @return completes once the user is durable, with its tokens.
     */
    public CompletableFuture<LoginResult> loginAnonymous()
    {
        final long now = clock.time() / 1000;
        final UserRecord user = new UserRecord(Ids.newId(now), appId, ANON_PROVIDER, Ids.newId(now), now);
        final RefreshSession session = new RefreshSession(Ids.newId(now), user.id(), Ids.newId(now), now, false);
        return store.addUserAndSession(user, session).thenApply(ignore -> new LoginResult(
            tokens.issue(TokenType.ACCESS, user.id(), session.id(), appId),
            tokens.issue(TokenType.REFRESH, user.id(), session.id(), appId),
            user.id(),
            session.deviceId()));
    }

    /**
     * Verify a token and check that its app is served, its session is live and its user exists.
     *
     * @param token    compact JWT.
     * @param expected access or refresh.
     * @return the verified token.
     * @throws AuthException 401 {@code InvalidSession} otherwise.
     */
    public VerifiedToken authenticate(final String token, final TokenType expected) throws AuthException
    {
        final VerifiedToken verified = tokens.verify(token, expected);
        if (!isKnownApp(verified.appId()))
        {
            throw AuthException.invalidSession("token was issued for another app");
        }
        final RefreshSession session = store.session(verified.sessionId());
        if (null == session || session.revoked() || !session.userId().equals(verified.userId()))
        {
            throw AuthException.invalidSession("session is no longer valid (logged out)");
        }
        if (null == store.user(verified.userId()))
        {
            throw AuthException.invalidSession("user does not exist");
        }
        return verified;
    }

    /**
     * @param refresh a verified refresh token.
     * @return a new access token of the same session.
     */
    public String refresh(final VerifiedToken refresh)
    {
        return tokens.issue(TokenType.ACCESS, refresh.userId(), refresh.sessionId(), refresh.appId());
    }

    /**
     * Revoke the refresh session of a token; its refresh and access tokens stop working.
     *
     * @param token a verified token.
     * @return completes once the revocation is durable.
     */
    public CompletableFuture<Void> logout(final VerifiedToken token)
    {
        return store.revoke(token.sessionId(), clock.time() / 1000);
    }

    /**
     * @param userId id.
     * @return the user or null.
     */
    public UserRecord user(final String userId)
    {
        return store.user(userId);
    }

    /**
     * @param sessionId id.
     * @return the session or null.
     */
    public RefreshSession session(final String sessionId)
    {
        return store.session(sessionId);
    }

    /**
     * Tokens and ids returned by a login.
     *
     * @param accessToken  JWT.
     * @param refreshToken JWT.
     * @param userId       24 hex.
     * @param deviceId     24 hex.
     */
    public record LoginResult(String accessToken, String refreshToken, String userId, String deviceId)
    {
    }
}
