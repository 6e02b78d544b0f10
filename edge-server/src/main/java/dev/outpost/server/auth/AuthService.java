package dev.outpost.server.auth;

import dev.outpost.server.config.AppConfig;
import io.vertx.core.json.JsonObject;
import org.agrona.concurrent.EpochClock;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Logins of one app's auth providers ({@code anon-user}, {@code local-userpass}, {@code custom-token},
 * {@code api-key}), user API keys, token refresh, logout and token authentication.
 * <p>
 * Password hashing (PBKDF2, slow on purpose) runs on a small bounded pool of daemon threads shared by every app, never
 * on the caller's thread; when its queue is full a login fails with 503 rather than queueing without bound.
 * <p>
 * Thread-safe: the read paths ({@link #authenticate}) touch only immutable state and the store's concurrent maps;
 * the write paths return futures completed by the store's writer thread once the change is durable.
 */
public final class AuthService
{
    /** App Services name of the anonymous provider. */
    public static final String ANON_PROVIDER = AppConfig.ANON_PROVIDER;

    /** Shortest and longest password accepted at registration (as Atlas App Services). */
    public static final int MIN_PASSWORD = 6;
    public static final int MAX_PASSWORD = 128;
    /** The answer to a disabled API key (counted as {@code result="disabled"}). */
    private static final String API_KEY_DISABLED = "API key is disabled";
    /** Longest email and API key name accepted. */
    public static final int MAX_EMAIL = 254;
    public static final int MAX_KEY_NAME = 128;
    /** Most API keys one user may hold. */
    public static final int MAX_KEYS_PER_USER = 100;

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Executor HASHING = hashingPool();

    private final String appId;
    private final TokenService tokens;
    private final AuthStore store;
    private final EpochClock clock;
    private final AppConfig app;
    private final CustomTokenVerifier customTokens;
    private final LoginLimiter limiter;
    /** Where logins, refreshes, lockouts and logouts are counted (meters of their own until {@link #metrics}). */
    private volatile AuthMetrics metrics;
    private volatile PasswordHasher.Hash dummyHash;
    private final ConcurrentHashMap<String, CompletableFuture<UserRecord>> pendingIdentities =
        new ConcurrentHashMap<>();
    private final java.util.Set<String> pendingEmails = ConcurrentHashMap.newKeySet();
    /** User id to the user's custom user data (Extended JSON document, or null for none), for access tokens. */
    private volatile java.util.function.Function<String, CompletableFuture<String>> customUserData =
        userId -> CompletableFuture.completedFuture(null);

    /**
     * @param appId  the app this server serves.
     * @param tokens token signer and verifier.
     * @param store  durable users and sessions.
     * @param clock  wall clock.
     */
    public AuthService(final String appId, final TokenService tokens, final AuthStore store, final EpochClock clock)
    {
        this(new AppConfig(appId, null, true), tokens, store, clock, null);
    }

    /**
     * @param app          the app and its providers.
     * @param tokens       token signer and verifier.
     * @param store        durable users, sessions, credentials and keys.
     * @param clock        wall clock.
     * @param customTokens verifier of the {@code custom-token} provider, or null when it is disabled.
     */
    public AuthService(final AppConfig app, final TokenService tokens, final AuthStore store, final EpochClock clock,
        final CustomTokenVerifier customTokens)
    {
        this.appId = app.id();
        this.app = app;
        this.tokens = tokens;
        this.store = store;
        this.clock = clock;
        this.customTokens = customTokens;
        final AppConfig.UserPass userPass = null == app.userPass() ? AppConfig.UserPass.defaults() : app.userPass();
        this.limiter = new LoginLimiter(userPass.maxFailedLogins(), userPass.lockout().toSeconds());
        this.metrics = AuthMetrics.detached(app.id());
    }

    /**
     * Set where access tokens' custom user data ({@code user_data}) comes from, once, before the first login.
     *
     * @param source user id to the user's custom data document (Extended JSON text, or null when the user has
     *               none); any thread; fails (typed {@link AuthException}) when it cannot be read now.
     */
    public void customUserData(final java.util.function.Function<String, CompletableFuture<String>> source)
    {
        this.customUserData = source;
    }

    /**
     * @return the app's configuration (its providers).
     */
    public AppConfig app()
    {
        return app;
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
        return counted(ANON_PROVIDER, anonymous());
    }

    private CompletableFuture<LoginResult> anonymous()
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
     * Register an email/password account ({@code local-userpass}); it is confirmed at once (no e-mail is sent).
     *
     * @param email    the account name.
     * @param password 6-128 characters.
     * @return completes once the account is durable; fails with an {@link AuthException}: 400 {@code BadRequest}
     * (bad email or password length, characters {@link AuthInput} refuses), 409 {@code AccountNameInUse}, 503 when
     * the hashing pool is saturated.
     */
    public CompletableFuture<Void> register(final String email, final String password)
    {
        final AppConfig.UserPass settings = app.userPass();
        if (null == settings)
        {
            return failed(new AuthException(404, "AuthProviderNotFound", "local-userpass is not enabled"));
        }
        if (null == email || email.isBlank() || email.length() > MAX_EMAIL || email.indexOf('@') < 1 ||
            email.indexOf('@') == email.length() - 1 || email.chars().anyMatch(Character::isWhitespace))
        {
            return failed(new AuthException(400, "BadRequest", "email must be an address of at most " + MAX_EMAIL +
                " characters"));
        }
        if (!AuthInput.isName(email))
        {
            return failed(AuthInput.badName("email"));
        }
        if (null == password || password.length() < MIN_PASSWORD || password.length() > MAX_PASSWORD)
        {
            return failed(new AuthException(400, "BadRequest", "password must be between " + MIN_PASSWORD + " and " +
                MAX_PASSWORD + " characters"));
        }
        if (!AuthInput.isWellFormed(password))
        {
            return failed(AuthInput.notWellFormed("password"));
        }
        final String key = AuthStore.emailKey(email);
        if (null != store.userPass(email) || !pendingEmails.add(key))
        {
            return failed(new AuthException(409, "AccountNameInUse", "name already in use"));
        }
        final long now = clock.time() / 1000;
        return onHashingPool(() -> PasswordHasher.hash(password, settings.iterations()))
            .thenCompose(hash ->
            {
                final UserRecord user = new UserRecord(Ids.newId(now), appId, AppConfig.USERPASS_PROVIDER,
                    Ids.newId(now), now);
                return store.addUser(user, new UserPassRecord(user.id(), email.trim(), hash));
            })
            .whenComplete((ok, ex) -> pendingEmails.remove(key));
    }

    /**
     * Log in with email and password ({@code local-userpass}).
     *
     * @param username the registered email.
     * @param password the password.
     * @return the tokens; fails with 401 {@code InvalidPassword} (unknown account or wrong password: the same
     * answer, after the same work) or 429 {@code LimitExceeded} after too many failures for the account.
     */
    public CompletableFuture<LoginResult> loginUserPass(final String username, final String password)
    {
        return counted(AppConfig.USERPASS_PROVIDER, userPass(username, password));
    }

    private CompletableFuture<LoginResult> userPass(final String username, final String password)
    {
        final AppConfig.UserPass settings = app.userPass();
        if (null == settings)
        {
            return failed(new AuthException(404, "AuthProviderNotFound", "local-userpass is not enabled"));
        }
        if (null == username || null == password || username.length() > MAX_EMAIL ||
            password.length() > MAX_PASSWORD)
        {
            return failed(AuthException.invalidCredentials("invalid username/password"));
        }
        if (!AuthInput.isWellFormed(username))
        {
            return failed(AuthInput.notWellFormed("username"));
        }
        if (!AuthInput.isWellFormed(password))
        {
            return failed(AuthInput.notWellFormed("password"));
        }
        final String account = AuthStore.emailKey(username);
        final long now = clock.time() / 1000;
        final long blocked = limiter.blockedFor(account, now);
        if (blocked > 0)
        {
            return failed(new AuthException(429, "LimitExceeded", "too many failed logins for this account; try " +
                "again in " + blocked + " s"));
        }
        final UserPassRecord credentials = store.userPass(username);
        return onHashingPool(() -> PasswordHasher.matches(password,
            null == credentials ? dummyHash(settings.iterations()) : credentials.password()))
            .thenCompose(match ->
            {
                if (!match || null == credentials)
                {
                    if (limiter.failed(account, clock.time() / 1000))
                    {
                        metrics.lockout();
                    }
                    return failed(AuthException.invalidCredentials("invalid username/password"));
                }
                limiter.succeeded(account);
                return newSession(store.user(credentials.userId()));
            });
    }

    /**
     * Log in with a JWT of the app's own identity service ({@code custom-token}). The first login of a {@code sub}
     * creates its user; later ones log in as that user.
     *
     * @param token compact JWT.
     * @return the tokens; fails with 401 {@code InvalidPassword} if the token is not acceptable.
     */
    public CompletableFuture<LoginResult> loginCustomToken(final String token)
    {
        return counted(AppConfig.CUSTOM_TOKEN_PROVIDER, customToken(token));
    }

    private CompletableFuture<LoginResult> customToken(final String token)
    {
        if (null == customTokens)
        {
            return failed(new AuthException(404, "AuthProviderNotFound", "custom-token is not enabled"));
        }
        final JsonObject claims;
        try
        {
            claims = customTokens.verify(token);
        }
        catch (final AuthException ex)
        {
            return failed(ex);
        }
        // A new identity must be a name; one stored before names were checked still logs in.
        final String sub = claims.getString("sub");
        if (!AuthInput.isWellFormed(sub) ||
            (!AuthInput.isName(sub) && null == store.userByIdentity(AppConfig.CUSTOM_TOKEN_PROVIDER, sub)))
        {
            return failed(AuthInput.badName("custom token 'sub'"));
        }
        final List<String> fields = app.customToken().metadataFields();
        for (final String field : fields)
        {
            if (claims.getValue(field) instanceof String && !AuthInput.isWellFormed((String)claims.getValue(field)))
            {
                return failed(AuthInput.notWellFormed("custom token '" + field + "'"));
            }
        }
        return userFor(AppConfig.CUSTOM_TOKEN_PROVIDER, sub).thenCompose(user ->
        {
            if (fields.isEmpty())
            {
                return newSession(user);
            }
            final JsonObject data = new JsonObject();
            for (final String field : fields)
            {
                final Object value = claims.getValue(field);
                if (value instanceof String || value instanceof Number || value instanceof Boolean)
                {
                    data.put(field, value);
                }
            }
            if (data.equals(store.userData(user.id())))
            {
                return newSession(user);
            }
            return store.setUserData(user.id(), data).thenCompose(ignore -> newSession(user));
        });
    }

    /**
     * Log in with a user API key ({@code api-key}): as the user who created it.
     *
     * @param key the key as shown at creation.
     * @return the tokens; fails with 401 {@code InvalidPassword} for an unknown, deleted or disabled key.
     */
    public CompletableFuture<LoginResult> loginApiKey(final String key)
    {
        return counted(AppConfig.API_KEY_PROVIDER, apiKey(key));
    }

    private CompletableFuture<LoginResult> apiKey(final String key)
    {
        if (!app.apiKeys())
        {
            return failed(new AuthException(404, "AuthProviderNotFound", "api-key is not enabled"));
        }
        if (null == key || key.isEmpty() || key.length() > 256)
        {
            return failed(AuthException.invalidCredentials("invalid API key"));
        }
        if (!AuthInput.isWellFormed(key))
        {
            return failed(AuthInput.notWellFormed("key"));
        }
        final ApiKey found = store.apiKeyByHash(sha256(key));
        if (null == found)
        {
            return failed(AuthException.invalidCredentials("invalid API key"));
        }
        if (found.disabled())
        {
            return failed(AuthException.invalidCredentials(API_KEY_DISABLED));
        }
        final UserRecord user = store.user(found.userId());
        if (null == user)
        {
            return failed(AuthException.invalidCredentials("invalid API key"));
        }
        return newSession(user);
    }

    /**
     * Create a user API key.
     *
     * @param userId the owner (from its refresh token).
     * @param name   1-128 characters, unique among the user's keys.
     * @return the key record and the key itself (shown once); fails with 400 {@code BadRequest}, 409
     * {@code APIKeyAlreadyExists} or 404 {@code AuthProviderNotFound} when API keys are off.
     */
    public CompletableFuture<CreatedApiKey> createApiKey(final String userId, final String name)
    {
        if (!app.apiKeys())
        {
            return failed(new AuthException(404, "AuthProviderNotFound", "api-key is not enabled"));
        }
        if (null == name || name.isBlank() || name.length() > MAX_KEY_NAME)
        {
            return failed(new AuthException(400, "BadRequest", "name must be 1-" + MAX_KEY_NAME + " characters"));
        }
        if (!AuthInput.isName(name))
        {
            return failed(AuthInput.badName("name"));
        }
        final List<ApiKey> existing = store.apiKeys(userId);
        if (existing.stream().anyMatch(k -> k.name().equals(name)))
        {
            return failed(new AuthException(409, "APIKeyAlreadyExists", "API key with name '" + name +
                "' already exists"));
        }
        if (existing.size() >= MAX_KEYS_PER_USER)
        {
            return failed(new AuthException(400, "LimitExceeded", "a user may hold at most " + MAX_KEYS_PER_USER +
                " API keys"));
        }
        final byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        final String key = Ids.hex(secret);
        final long now = clock.time() / 1000;
        final ApiKey record = new ApiKey(Ids.newId(now), userId, name, sha256(key), now, false);
        return store.addApiKey(record).thenApply(ignore -> new CreatedApiKey(record, key));
    }

    /**
     * @param userId a user.
     * @return its API keys, oldest first.
     */
    public List<ApiKey> apiKeys(final String userId)
    {
        return store.apiKeys(userId);
    }

    /**
     * @param userId the owner.
     * @param keyId  a key id.
     * @return the key if it exists and belongs to the user, else null.
     */
    public ApiKey apiKey(final String userId, final String keyId)
    {
        final ApiKey key = null == keyId ? null : store.apiKey(keyId);
        return null != key && key.userId().equals(userId) ? key : null;
    }

    /**
     * @param userId the owner.
     * @param keyId  a key id.
     * @return completes once deleted; fails with 404 {@code APIKeyNotFound} if the user has no such key.
     */
    public CompletableFuture<Void> deleteApiKey(final String userId, final String keyId)
    {
        if (null == apiKey(userId, keyId))
        {
            return failed(new AuthException(404, "APIKeyNotFound", "API key not found"));
        }
        return store.deleteApiKey(keyId);
    }

    /**
     * @param userId   the owner.
     * @param keyId    a key id.
     * @param disabled new state.
     * @return completes once stored; fails with 404 {@code APIKeyNotFound} if the user has no such key.
     */
    public CompletableFuture<Void> setApiKeyDisabled(final String userId, final String keyId, final boolean disabled)
    {
        if (null == apiKey(userId, keyId))
        {
            return failed(new AuthException(404, "APIKeyNotFound", "API key not found"));
        }
        return store.setApiKeyDisabled(keyId, disabled);
    }

    /**
     * @param userId a user.
     * @return its profile data: the metadata fields of its last custom-token login, {@code email} of an
     * email/password user; empty if none.
     */
    public JsonObject profileData(final String userId)
    {
        final JsonObject stored = store.userData(userId);
        final JsonObject data = null == stored ? new JsonObject() : stored;
        final UserPassRecord credentials = store.userPassOf(userId);
        if (null != credentials)
        {
            data.put("email", credentials.email());
        }
        return data;
    }

    /**
     * @param userId a user.
     * @return its email/password credentials (for the profile's {@code data.email}), or null.
     */
    public UserPassRecord userPassOf(final String userId)
    {
        return store.userPassOf(userId);
    }

    /** Hashing pool: a hash to compare against for unknown accounts, so they cost what a wrong password costs. */
    private PasswordHasher.Hash dummyHash(final int iterations)
    {
        PasswordHasher.Hash hash = dummyHash;
        if (null == hash)
        {
            hash = PasswordHasher.hash("outpost-no-such-account", iterations);
            dummyHash = hash;
        }
        return hash;
    }

    private CompletableFuture<UserRecord> userFor(final String provider, final String identity)
    {
        final UserRecord existing = store.userByIdentity(provider, identity);
        if (null != existing)
        {
            return CompletableFuture.completedFuture(existing);
        }
        // Two first logins of one identity at once must make one user: the second waits for the first.
        final String key = provider + '\u0000' + identity;
        final CompletableFuture<UserRecord> mine = new CompletableFuture<>();
        final CompletableFuture<UserRecord> running = pendingIdentities.putIfAbsent(key, mine);
        if (null != running)
        {
            return running;
        }
        final UserRecord again = store.userByIdentity(provider, identity);
        if (null != again)
        {
            pendingIdentities.remove(key, mine);
            mine.complete(again);
            return mine;
        }
        final long now = clock.time() / 1000;
        final UserRecord user = new UserRecord(Ids.newId(now), appId, provider, identity, now);
        store.addUser(user, null).whenComplete((ok, ex) ->
        {
            pendingIdentities.remove(key, mine);
            if (null != ex)
            {
                mine.completeExceptionally(ex);
            }
            else
            {
                mine.complete(user);
            }
        });
        return mine;
    }

    private CompletableFuture<LoginResult> newSession(final UserRecord user)
    {
        if (null == user)
        {
            return failed(AuthException.invalidCredentials("user does not exist"));
        }
        if (store.userDisabled(user.id()))
        {
            return failed(AuthException.userDisabled());
        }
        final long now = clock.time() / 1000;
        final RefreshSession session = new RefreshSession(Ids.newId(now), user.id(), Ids.newId(now), now, false);
        // custom user data first: a login it fails leaves no session behind
        return customUserData.apply(user.id()).thenCompose(userData -> store.addSession(session).thenApply(ignore ->
            new LoginResult(
                tokens.issue(TokenType.ACCESS, user.id(), session.id(), appId, userData),
                tokens.issue(TokenType.REFRESH, user.id(), session.id(), appId),
                user.id(),
                session.deviceId())));
    }

    private static <T> CompletableFuture<T> onHashingPool(final java.util.function.Supplier<T> work)
    {
        try
        {
            return CompletableFuture.supplyAsync(work, HASHING);
        }
        catch (final RejectedExecutionException ex)
        {
            return failed(new AuthException(503, "ServiceUnavailable", "too many logins in progress; retry"));
        }
    }

    /**
     * Count a login by its outcome in {@code outpost_auth_logins_total{app,provider,result}}.
     *
     * @param provider the provider.
     * @param login    the login.
     * @return {@code login}, counted when it completes.
     */
    private CompletableFuture<LoginResult> counted(final String provider, final CompletableFuture<LoginResult> login)
    {
        return login.whenComplete((ok, failure) -> metrics.login(provider, null == failure ?
            AuthMetrics.LoginResult.SUCCESS : loginResult(failure)));
    }

    /**
     * @param failure why a login failed.
     * @return the {@code result} it is counted under.
     */
    static AuthMetrics.LoginResult loginResult(final Throwable failure)
    {
        final AuthException ex = authFailure(failure);
        if (null == ex || ex.httpStatus() >= 500)
        {
            return AuthMetrics.LoginResult.ERROR;
        }
        if (429 == ex.httpStatus())
        {
            return AuthMetrics.LoginResult.LOCKED_OUT;
        }
        if (404 == ex.httpStatus() || API_KEY_DISABLED.equals(ex.getMessage()))
        {
            return AuthMetrics.LoginResult.DISABLED;
        }
        return AuthMetrics.LoginResult.BAD_CREDENTIALS;
    }

    /**
     * Count this app's logins, refreshes, lockouts and logouts in {@code metrics} (the server's, tagged with the app)
     * and its registered users; call once at setup.
     *
     * @param metrics the app's auth meters ({@code ServerMetrics.app(id).auth()}).
     * @return this.
     */
    public AuthService metrics(final AuthMetrics metrics)
    {
        metrics.users(store::userCount);
        this.metrics = metrics;
        return this;
    }

    /** @return where this service counts (for the HTTP layer's answers made before the service is asked). */
    public AuthMetrics metrics()
    {
        return metrics;
    }

    private static <T> CompletableFuture<T> failed(final AuthException ex)
    {
        return CompletableFuture.failedFuture(ex);
    }

    /**
     * @param failure the failure of one of the futures above.
     * @return the {@link AuthException} it carries, or null if it is a server fault.
     */
    public static AuthException authFailure(final Throwable failure)
    {
        Throwable t = failure;
        while (t instanceof CompletionException && null != t.getCause())
        {
            t = t.getCause();
        }
        return t instanceof AuthException ? (AuthException)t : null;
    }

    static String sha256(final String text)
    {
        try
        {
            return Ids.hex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    private static Executor hashingPool()
    {
        final int threads = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
        final ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(1024), r ->
        {
            final Thread t = new Thread(r, "outpost-password-hash");
            t.setDaemon(true);
            return t;
        });
        pool.allowCoreThreadTimeOut(true);
        return pool;
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
        if (store.userDisabled(verified.userId()))
        {
            throw AuthException.userDisabled();
        }
        return verified;
    }

    /**
     * @param refresh a verified refresh token.
     * @return completes with a new access token of the same session (carrying the user's custom user data as it
     *     is now).
     */
    public CompletableFuture<String> refresh(final VerifiedToken refresh)
    {
        // custom user data is read again at each refresh: the SDKs' refreshCustomData() is a token refresh
        return customUserData.apply(refresh.userId()).thenApply(userData ->
            tokens.issue(TokenType.ACCESS, refresh.userId(), refresh.sessionId(), refresh.appId(), userData))
            .whenComplete((ok, failure) -> metrics.refresh(null == failure));
    }

    /**
     * Revoke the refresh session of a token; its refresh and access tokens stop working.
     *
     * @param token a verified token.
     * @return completes once the revocation is durable.
     */
    public CompletableFuture<Void> logout(final VerifiedToken token)
    {
        return store.revoke(token.sessionId(), clock.time() / 1000)
            .whenComplete((ok, failure) ->
            {
                if (null == failure)
                {
                    metrics.logout();
                }
            });
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
     * @param sessionId a refresh session id.
     * @return true if the session exists and is not logged out (one map read).
     */
    public boolean sessionLive(final String sessionId)
    {
        final RefreshSession session = store.session(sessionId);
        return null != session && !session.revoked() && !store.userDisabled(session.userId());
    }

    /**
     * @return the app's auth store (the admin API lists and changes users through it).
     */
    public AuthStore store()
    {
        return store;
    }

    /**
     * Revoke every live refresh session of a user: its refresh tokens and the access tokens of those sessions stop
     * working (the admin API's logout).
     *
     * @param userId the user.
     * @return completes with the number of sessions revoked, once they are durable.
     */
    public CompletableFuture<Integer> revokeSessions(final String userId)
    {
        final long now = clock.time() / 1000;
        final List<CompletableFuture<Void>> revoked = new java.util.ArrayList<>();
        for (final RefreshSession s : store.sessionsOf(userId))
        {
            if (!s.revoked())
            {
                revoked.add(store.revoke(s.id(), now));
            }
        }
        return CompletableFuture.allOf(revoked.toArray(new CompletableFuture<?>[0])).thenApply(v -> revoked.size());
    }

    /**
     * Set a new password for a local-userpass user (the admin API's password reset; no e-mail is involved).
     *
     * @param userId   a local-userpass user.
     * @param password the new password (6-128 characters).
     * @return completes once durable; fails with an {@link AuthException}: 404 if the user has no email/password
     *     credentials, 400 for a password of the wrong length or not well-formed.
     */
    public CompletableFuture<Void> resetPassword(final String userId, final String password)
    {
        final UserPassRecord credentials = store.userPassOf(userId);
        if (null == credentials)
        {
            return failed(new AuthException(404, "UserNotFound", "no local-userpass user with this id"));
        }
        if (null == password || password.length() < MIN_PASSWORD || password.length() > MAX_PASSWORD)
        {
            return failed(new AuthException(400, "BadRequest", "password must be between " + MIN_PASSWORD + " and " +
                MAX_PASSWORD + " characters"));
        }
        if (!AuthInput.isWellFormed(password))
        {
            return failed(AuthInput.notWellFormed("password"));
        }
        final int iterations = null == app.userPass() ? credentials.password().iterations() :
            app.userPass().iterations();
        return onHashingPool(() -> PasswordHasher.hash(password, iterations))
            .thenCompose(hash -> store.setPassword(userId, hash))
            .thenRun(() -> limiter.succeeded(AuthStore.emailKey(credentials.email())));
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

    /**
     * A new user API key.
     *
     * @param record what is stored (the key's hash only).
     * @param key    the key itself: 64 hex characters, returned to the creator once and never again.
     */
    public record CreatedApiKey(ApiKey record, String key)
    {
        @Override
        public String toString()
        {
            return "CreatedApiKey[" + record.id() + "]";
        }
    }
}
