package dev.outpost.server.auth;

import dev.outpost.server.config.JwtAlgorithm;
import dev.outpost.server.config.ServerConfig;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(30)
class TokenServiceTest
{
    private final Vertx vertx = Vertx.vertx();
    private final AtomicLong nowMs = new AtomicLong(1_700_000_000_000L);

    @TempDir
    Path dir;

    @AfterEach
    void close()
    {
        vertx.close();
    }

    private ServerConfig config()
    {
        return new ServerConfig(Map.of()).dataDir(dir).epochClock(nowMs::get).conclude();
    }

    @Test
    void shouldIssueTokensWithIntegerTimesAndTheClaimsCoreNeeds() throws Exception
    {
        final TokenService tokens = new TokenService(vertx, config());

        final String token = tokens.issue(TokenType.ACCESS, "u1", "s1", "app");

        final String[] parts = token.split("\\.");
        assertThat(parts).hasSize(3).allSatisfy(p -> assertThat(p).isNotEmpty());
        final String json = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
        final JsonObject payload = new JsonObject(json);
        assertThat(json).contains("\"iat\":1700000000").contains("\"exp\":1700001800");
        assertThat(payload.getLong("iat")).isEqualTo(1_700_000_000L);
        assertThat(payload.getLong("exp")).isEqualTo(1_700_000_000L + 30 * 60);
        assertThat(payload.getString("sub")).isEqualTo("u1");
        assertThat(payload.getString(TokenType.CLAIM)).isEqualTo("access");
        assertThat(tokens.verify(token, TokenType.ACCESS))
            .isEqualTo(new VerifiedToken(TokenType.ACCESS, "u1", "s1", "app", 1_700_000_000L, 1_700_001_800L));
    }

    @Test
    void shouldCarryCustomUserDataInTheAccessTokenOnly() throws Exception
    {
        final TokenService tokens = new TokenService(vertx, config());
        final String doc = "{\"_id\":{\"$oid\":\"64b000000000000000000001\"},\"isAdmin\":true,\"n\":{\"$numberInt\":\"5\"}}";

        final String access = tokens.issue(TokenType.ACCESS, "u1", "s1", "app", doc);
        final JsonObject payload = new JsonObject(new String(Base64.getUrlDecoder().decode(access.split("\\.")[1]),
            StandardCharsets.UTF_8));
        assertThat(payload.getJsonObject(TokenService.USER_DATA_CLAIM)).as("realm-core's RealmJWT reads user_data")
            .isEqualTo(new JsonObject(doc));
        assertThat(tokens.verify(access, TokenType.ACCESS).userData()).isEqualTo(new JsonObject(doc).encode());
        final String refresh = tokens.issue(TokenType.REFRESH, "u1", "s1", "app", doc);
        assertThat(tokens.verify(refresh, TokenType.REFRESH).userData()).as("refresh tokens carry none").isNull();
        assertThat(tokens.verify(tokens.issue(TokenType.ACCESS, "u1", "s1", "app"), TokenType.ACCESS).userData())
            .isNull();
    }

    @Test
    void shouldRefuseTheOtherTokenType() throws Exception
    {
        final TokenService tokens = new TokenService(vertx, config());

        assertThatThrownBy(() -> tokens.verify(tokens.issue(TokenType.REFRESH, "u", "s", "a"), TokenType.ACCESS))
            .isInstanceOf(AuthException.class).hasMessageContaining("wrong token type");
        assertThatThrownBy(() -> tokens.verify(tokens.issue(TokenType.ACCESS, "u", "s", "a"), TokenType.REFRESH))
            .isInstanceOf(AuthException.class).hasMessageContaining("wrong token type");
    }

    @Test
    void shouldRefuseExpiredTokens() throws Exception
    {
        final TokenService tokens = new TokenService(vertx, config());
        final String token = tokens.issue(TokenType.ACCESS, "u", "s", "a");

        nowMs.addAndGet(Duration.ofMinutes(30).toMillis());

        assertThatThrownBy(() -> tokens.verify(token, TokenType.ACCESS))
            .isInstanceOf(AuthException.class).hasMessageContaining("expired");
    }

    @Test
    void shouldRefuseTamperedAndForeignTokens() throws Exception
    {
        final TokenService tokens = new TokenService(vertx, config());
        final String token = tokens.issue(TokenType.ACCESS, "u", "s", "a");
        final String[] parts = token.split("\\.");
        final String forged = parts[0] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(
            new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8).replace("\"u\"", "\"v\"")
                .getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
        final String unsigned = Base64.getUrlEncoder().withoutPadding().encodeToString(
            "{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8)) + "." + parts[1] + ".";

        assertThatThrownBy(() -> tokens.verify(forged, TokenType.ACCESS)).isInstanceOf(AuthException.class);
        assertThatThrownBy(() -> tokens.verify(unsigned, TokenType.ACCESS)).isInstanceOf(AuthException.class);
        assertThatThrownBy(() -> tokens.verify("garbage", TokenType.ACCESS)).isInstanceOf(AuthException.class);
        assertThatThrownBy(() -> tokens.verify(null, TokenType.ACCESS)).isInstanceOf(AuthException.class);
    }

    @Test
    void shouldKeepTheGeneratedSecretOwnerOnlyAndReuseIt() throws Exception
    {
        final String token = new TokenService(vertx, config()).issue(TokenType.ACCESS, "u", "s", "a");
        final Path key = dir.resolve(TokenService.HS256_KEY_FILE);

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
        assertThat(new TokenService(vertx, config()).verify(token, TokenType.ACCESS).userId()).isEqualTo("u");
    }

    @Test
    void shouldSignAndVerifyWithRs256PemKeys() throws Exception
    {
        final KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        final KeyPair pair = generator.generateKeyPair();
        final Path privateKey = Files.writeString(dir.resolve("private.pem"),
            pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
        final Path publicKey = Files.writeString(dir.resolve("public.pem"),
            pem("PUBLIC KEY", pair.getPublic().getEncoded()));
        final ServerConfig config = config().jwtAlgorithm(JwtAlgorithm.RS256)
            .jwtPrivateKeyFile(privateKey).jwtPublicKeyFile(publicKey).conclude();
        final TokenService tokens = new TokenService(vertx, config);

        final String token = tokens.issue(TokenType.REFRESH, "u", "s", "a");

        assertThat(new String(Base64.getUrlDecoder().decode(token.split("\\.")[0]), StandardCharsets.UTF_8))
            .contains("RS256");
        assertThat(tokens.verify(token, TokenType.REFRESH).sessionId()).isEqualTo("s");
        final String hsToken = new TokenService(vertx, config().jwtAlgorithm(JwtAlgorithm.HS256))
            .issue(TokenType.REFRESH, "u", "s", "a");
        assertThatThrownBy(() -> tokens.verify(hsToken, TokenType.REFRESH)).isInstanceOf(AuthException.class);
    }

    @Test
    void shouldRefuseServerSignedTokensWhoseClaimsHaveTheWrongTypeWithAnAuthException() throws Exception
    {
        final TokenService tokens = new TokenService(vertx, config());
        final String valid = tokens.issue(TokenType.ACCESS, "u", "s", "a");
        final JsonObject claims = new JsonObject(new String(Base64.getUrlDecoder().decode(valid.split("\\.")[1]),
            StandardCharsets.UTF_8));
        final String secret = Files.readString(dir.resolve(TokenService.HS256_KEY_FILE)).trim();
        final Object[] wrong = {"1700000900", "x", true, new JsonArray().add(1), new JsonObject().put("a", 1),
            new java.math.BigInteger("1180591620717411303424"), 1.5e300, -1.5, null};
        int refused = 0;
        final java.util.List<String> outcomes = new java.util.ArrayList<>();
        for (final String claim : new String[]{"iat", "exp", "nbf", "sub", "sid", "app", TokenType.CLAIM})
        {
            for (final Object value : wrong)
            {
                if (("sub".equals(claim) || "sid".equals(claim) || "app".equals(claim)) && value instanceof String)
                {
                    continue; // the right type
                }
                final String payload = claims.copy().put(claim, value).encode();
                final String token = hs256(secret, payload);
                try
                {
                    tokens.verify(token, TokenType.ACCESS);
                    outcomes.add(claim + "=" + value + " accepted");
                }
                catch (final AuthException ex)
                {
                    refused++;
                }
                catch (final RuntimeException ex)
                {
                    outcomes.add(claim + "=" + value + " " + ex);
                }
            }
        }
        assertThat(outcomes).isEmpty();
        assertThat(refused).isGreaterThan(50);
        assertThat(tokens.verify(hs256(secret, claims.encode()), TokenType.ACCESS).userId()).isEqualTo("u");
    }

    static String hs256(final String secret, final String payload) throws Exception
    {
        final Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        final String header = "{\"typ\":\"JWT\",\"alg\":\"HS256\"}";
        final String signed = b64.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "." +
            b64.encodeToString(payload.getBytes(StandardCharsets.UTF_8));
        final javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return signed + "." + b64.encodeToString(mac.doFinal(signed.getBytes(StandardCharsets.UTF_8)));
    }

    private static String pem(final String type, final byte[] der)
    {
        return "-----BEGIN " + type + "-----\n" +
            Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der) +
            "\n-----END " + type + "-----\n";
    }
}
