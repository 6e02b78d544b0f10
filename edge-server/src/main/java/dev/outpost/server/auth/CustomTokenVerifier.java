package dev.outpost.server.auth;

import dev.outpost.server.config.AppConfig;
import dev.outpost.server.config.ConfigException;
import dev.outpost.server.config.ServerConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import org.agrona.concurrent.EpochClock;

/**
 * Verifies the JWTs of the {@code custom-token} provider: signed by the app's own identity service with the
 * configured HS256 secret or RS256 public key; {@code exp} required and checked against the server's clock,
 * {@code nbf} honoured if present, {@code aud} checked when an audience is configured, {@code sub} required (it
 * becomes the identity id: the same {@code sub} always logs in as the same user). Stateless and thread-safe.
 */
public final class CustomTokenVerifier
{
    /** Longest token accepted. */
    public static final int MAX_TOKEN_LENGTH = 16 * 1024;

    private final JWTAuth jwt;
    private final String audience;
    private final EpochClock clock;

    /**
     * @param vertx  the Vert.x instance (used by the JWT provider only at construction).
     * @param config the provider's settings.
     * @param clock  wall clock.
     */
    public CustomTokenVerifier(final Vertx vertx, final AppConfig.CustomToken config, final EpochClock clock)
    {
        final JWTAuthOptions options = new JWTAuthOptions()
            .setJWTOptions(new JWTOptions().setIgnoreExpiration(true).setLeeway(0))
            .addPubSecKey(new PubSecKeyOptions().setAlgorithm(config.algorithm().name()).setBuffer(config.key()));
        try
        {
            this.jwt = JWTAuth.create(vertx, options);
        }
        catch (final RuntimeException ex)
        {
            throw new ConfigException(ServerConfig.APPS_PROP, "cannot load the custom-token " + config.algorithm() +
                " key: " + ex.getMessage());
        }
        this.audience = config.audience();
        this.clock = clock;
    }

    /**
     * @param token compact JWT from the login body.
     * @return its verified claims.
     * @throws AuthException 401 {@code InvalidPassword} naming what is wrong (never the token itself).
     */
    public JsonObject verify(final String token) throws AuthException
    {
        if (null == token || token.isEmpty() || token.length() > MAX_TOKEN_LENGTH)
        {
            throw AuthException.invalidCredentials("missing or oversized custom token");
        }
        final Future<User> result;
        try
        {
            result = jwt.authenticate(new TokenCredentials(token));
        }
        catch (final RuntimeException ex)
        {
            throw AuthException.invalidCredentials("custom token is not a valid JWT");
        }
        if (!result.isComplete() || result.failed())
        {
            throw AuthException.invalidCredentials("custom token signature or format is invalid");
        }
        final JsonObject claims = result.result().attributes().getJsonObject("accessToken");
        if (null == claims)
        {
            throw AuthException.invalidCredentials("custom token has no claims");
        }
        final long now = clock.time() / 1000;
        final Object exp = claims.getValue("exp");
        if (!(exp instanceof Number))
        {
            throw AuthException.invalidCredentials("custom token has no numeric 'exp' claim");
        }
        if (now >= seconds((Number)exp))
        {
            throw AuthException.invalidCredentials("custom token expired");
        }
        final Object nbf = claims.getValue("nbf");
        if ((claims.containsKey("nbf") && !(nbf instanceof Number)) ||
            (claims.containsKey("iat") && !(claims.getValue("iat") instanceof Number)))
        {
            throw AuthException.invalidCredentials("custom token 'nbf' or 'iat' claim is not numeric");
        }
        if (nbf instanceof Number && now < seconds((Number)nbf))
        {
            throw AuthException.invalidCredentials("custom token is not valid yet ('nbf')");
        }
        final Object sub = claims.getValue("sub");
        if (!(sub instanceof String) || ((String)sub).isEmpty() || ((String)sub).length() > 256)
        {
            throw AuthException.invalidCredentials("custom token needs a 'sub' claim of 1-256 characters");
        }
        if (null != audience && !audienceMatches(claims.getValue("aud")))
        {
            throw AuthException.invalidCredentials("custom token 'aud' does not include '" + audience + "'");
        }
        return claims;
    }

    /** NumericDate seconds, saturated: 2^70 is far in the future, not 2^70 mod 2^64. */
    private static long seconds(final Number value)
    {
        if (value instanceof java.math.BigInteger)
        {
            final java.math.BigInteger big = (java.math.BigInteger)value;
            return big.bitLength() < 64 ? big.longValue() : big.signum() > 0 ? Long.MAX_VALUE : Long.MIN_VALUE;
        }
        if (value instanceof Double || value instanceof Float || value instanceof java.math.BigDecimal)
        {
            return (long)value.doubleValue(); // saturates
        }
        return value.longValue();
    }

    private boolean audienceMatches(final Object aud)
    {
        if (aud instanceof String)
        {
            return audience.equals(aud);
        }
        if (aud instanceof JsonArray)
        {
            return ((JsonArray)aud).contains(audience);
        }
        return false;
    }
}
