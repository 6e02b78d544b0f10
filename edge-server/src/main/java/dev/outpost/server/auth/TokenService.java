package dev.outpost.server.auth;

import dev.outpost.server.config.ConfigException;
import dev.outpost.server.config.JwtAlgorithm;
import dev.outpost.server.config.ServerConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import org.agrona.concurrent.EpochClock;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;

/**
 * Signs and verifies access and refresh tokens with vertx-auth-jwt.
 * <p>
 * Claims: {@code sub} (user id), {@code sid} (refresh session id), {@code app} (app id), {@value TokenType#CLAIM}
 * ({@code access} or {@code refresh}), integer {@code iat} and {@code exp} (seconds, from the configured clock, which
 * realm-core parses), and in an access token of a user with custom user data {@code user_data} (the document, as
 * Atlas: realm-core's {@code RealmJWT} reads it for {@code user.customData}). Expiry is checked against the same clock. Stateless and thread-safe.
 */
public final class TokenService
{
    /** Name of the HS256 secret kept in the data directory. */
    public static final String HS256_KEY_FILE = "jwt-hs256.key";

    /** The access token claim carrying the user's custom user data (Atlas's name, read by realm-core). */
    public static final String USER_DATA_CLAIM = "user_data";

    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private final JWTAuth jwt;
    private final JWTOptions signOptions;
    private final EpochClock clock;
    private final long accessTtlSeconds;
    private final long refreshTtlSeconds;

    /**
     * @param vertx  the Vert.x instance (used by the JWT provider only at construction).
     * @param config concluded configuration.
     * @throws IOException if the key cannot be read or created.
     */
    public TokenService(final Vertx vertx, final ServerConfig config) throws IOException
    {
        final JWTAuthOptions options = new JWTAuthOptions()
            .setJWTOptions(new JWTOptions().setIgnoreExpiration(true).setLeeway(0));
        if (JwtAlgorithm.HS256 == config.jwtAlgorithm())
        {
            options.addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256")
                .setBuffer(loadOrCreateHs256Secret(config.dataDir())));
        }
        else
        {
            options.addPubSecKey(new PubSecKeyOptions().setAlgorithm("RS256")
                .setBuffer(readPem(ServerConfig.JWT_PRIVATE_KEY_PROP, config.jwtPrivateKeyFile())));
            options.addPubSecKey(new PubSecKeyOptions().setAlgorithm("RS256")
                .setBuffer(readPem(ServerConfig.JWT_PUBLIC_KEY_PROP, config.jwtPublicKeyFile())));
        }
        try
        {
            this.jwt = JWTAuth.create(vertx, options);
        }
        catch (final RuntimeException ex)
        {
            throw new ConfigException(
                JwtAlgorithm.HS256 == config.jwtAlgorithm() ? ServerConfig.JWT_ALGORITHM_PROP :
                    ServerConfig.JWT_PRIVATE_KEY_PROP, "cannot load the JWT key: " + ex.getMessage());
        }
        this.signOptions = new JWTOptions().setAlgorithm(config.jwtAlgorithm().name()).setNoTimestamp(true);
        this.clock = config.epochClock();
        this.accessTtlSeconds = config.accessTokenTtl().toSeconds();
        this.refreshTtlSeconds = config.refreshTokenTtl().toSeconds();
    }

    /**
     * @param type      access or refresh.
     * @param userId    subject.
     * @param sessionId refresh session.
     * @param appId     app.
     * @return a signed compact JWT.
     */
    public String issue(final TokenType type, final String userId, final String sessionId, final String appId)
    {
        return issue(type, userId, sessionId, appId, null);
    }

    /**
     * @param type      access or refresh.
     * @param userId    subject.
     * @param sessionId refresh session.
     * @param appId     app.
     * @param userData  the user's custom user data (an Extended JSON document) for the {@code user_data} claim of an
     *                  access token, or null for none.
     * @return a signed compact JWT.
     */
    public String issue(final TokenType type, final String userId, final String sessionId, final String appId,
        final String userData)
    {
        final long now = clock.time() / 1000;
        final long ttl = TokenType.ACCESS == type ? accessTtlSeconds : refreshTtlSeconds;
        final JsonObject claims = new JsonObject()
            .put("sub", userId)
            .put("sid", sessionId)
            .put("app", appId)
            .put(TokenType.CLAIM, type.claimValue())
            .put("iat", now)
            .put("exp", now + ttl);
        if (null != userData && TokenType.ACCESS == type)
        {
            claims.put(USER_DATA_CLAIM, new JsonObject(userData));
        }
        return jwt.generateToken(claims, signOptions);
    }

    /**
     * Check signature, type and expiry. Does not look at the session store.
     *
     * @param token    compact JWT as sent by the client.
     * @param expected the type the caller accepts.
     * @return the verified claims.
     * @throws AuthException 401 if the token is malformed, badly signed, of the other type or expired.
     */
    public VerifiedToken verify(final String token, final TokenType expected) throws AuthException
    {
        if (null == token || token.isEmpty() || token.length() > 8192)
        {
            throw AuthException.invalidSession("missing or oversized token");
        }
        final Future<User> result;
        try
        {
            result = jwt.authenticate(new TokenCredentials(token));
        }
        catch (final RuntimeException ex)
        {
            // vertx-auth-jwt reads some claims (exp) with casts: a well-signed token with a claim of another JSON
            // type throws instead of failing the future. It is a bad token, not a server fault.
            throw AuthException.invalidSession("invalid token claims");
        }
        if (!result.isComplete() || result.failed())
        {
            throw AuthException.invalidSession("invalid token");
        }
        final JsonObject claims = result.result().attributes().getJsonObject("accessToken");
        if (null == claims)
        {
            throw AuthException.invalidSession("invalid token");
        }
        final Object typ = claims.getValue(TokenType.CLAIM);
        if (!expected.claimValue().equals(typ))
        {
            throw AuthException.invalidSession("wrong token type: expected " + expected.claimValue() + " token");
        }
        final Object sub = claims.getValue("sub");
        final Object sid = claims.getValue("sid");
        final Object app = claims.getValue("app");
        final Object iat = claims.getValue("iat");
        final Object exp = claims.getValue("exp");
        final Object nbf = claims.getValue("nbf");
        if (!(sub instanceof String) || !(sid instanceof String) || !(app instanceof String) ||
            !isSeconds(iat) || !isSeconds(exp) || (claims.containsKey("nbf") && !isSeconds(nbf)))
        {
            throw AuthException.invalidSession("invalid token claims");
        }
        final long now = clock.time() / 1000;
        final long expiresAt = ((Number)exp).longValue();
        if (now >= expiresAt)
        {
            throw AuthException.invalidSession(expected.claimValue() + " token expired");
        }
        if (null != nbf && now < ((Number)nbf).longValue())
        {
            throw AuthException.invalidSession(expected.claimValue() + " token is not valid yet");
        }
        final Object userData = claims.getValue(USER_DATA_CLAIM);
        if (null != userData && !(userData instanceof JsonObject))
        {
            throw AuthException.invalidSession("invalid token claims");
        }
        return new VerifiedToken(expected, (String)sub, (String)sid, (String)app, ((Number)iat).longValue(), expiresAt,
            null == userData ? null : ((JsonObject)userData).encode());
    }

    /** Our tokens carry whole seconds that fit a long: anything else (string, 2^70, 1.5) is not one of ours. */
    private static boolean isSeconds(final Object value)
    {
        return value instanceof Integer || value instanceof Long;
    }

    private static String loadOrCreateHs256Secret(final Path dataDir) throws IOException
    {
        final Path file = dataDir.resolve(HS256_KEY_FILE);
        final boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
        if (Files.exists(file))
        {
            if (posix && !Files.getPosixFilePermissions(file).equals(OWNER_ONLY))
            {
                Files.setPosixFilePermissions(file, OWNER_ONLY);
                System.getLogger(TokenService.class.getName()).log(System.Logger.Level.WARNING,
                    file + " was readable by others; its permissions were reset to owner-only (rw-------)");
            }
            final String secret = Files.readString(file, StandardCharsets.US_ASCII).trim();
            if (secret.length() < 43)
            {
                throw new IOException(file + " does not hold a JWT secret of at least 256 bits; delete it to " +
                    "generate a new one (this logs out every user)");
            }
            return secret;
        }
        final byte[] random = new byte[48];
        new SecureRandom().nextBytes(random);
        final String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        final Path tmp = dataDir.resolve(HS256_KEY_FILE + ".tmp");
        Files.deleteIfExists(tmp);
        AuthStore.createOwnerOnly(tmp);
        Files.writeString(tmp, secret + "\n", StandardCharsets.US_ASCII, StandardOpenOption.WRITE,
            StandardOpenOption.SYNC);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        return secret;
    }

    private static String readPem(final String setting, final Path file)
    {
        try
        {
            return Files.readString(file, StandardCharsets.US_ASCII);
        }
        catch (final IOException ex)
        {
            throw new ConfigException(setting, "cannot read '" + file + "': " + ex.getMessage());
        }
    }
}
