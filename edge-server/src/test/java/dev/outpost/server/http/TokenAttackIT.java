package dev.outpost.server.http;

import dev.outpost.server.auth.TokenAttacks;
import dev.outpost.server.auth.TokenAttacks.Attack;
import dev.outpost.server.config.AppConfig;
import dev.outpost.server.config.JwtAlgorithm;
import dev.outpost.server.config.ServerConfig;
import dev.outpost.server.runtime.OutpostServer;
import dev.outpost.server.ws.PingPongHandler;
import dev.outpost.server.ws.SyncEngine;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 15 item 5, HTTP API surface: every forged, altered, expired, early, revoked, wrong-type, foreign-app and
 * oversized token ({@link TokenAttacks}) is refused on every route that takes a token with 401 and the JSON error
 * {@code InvalidSession} (OPERATING.md, "Tokens"; SECURITY.md), with HS256 and with RS256 server keys, and nothing is
 * written (the auth logs do not grow: no session, user or key is created, no session is revoked). Forged custom JWTs
 * are refused at login with 401 {@code InvalidPassword} and create no user.
 */
@Timeout(120)
class TokenAttackIT
{
    private static final String BASE = "/api/client/v2.0";

    private final AtomicLong nowMs = new AtomicLong(System.currentTimeMillis());

    @TempDir
    Path dir;

    private OutpostServer server;
    private ApiClient api;
    private KeyPair serverPair;
    private KeyPair identityPair;

    @AfterEach
    void stop()
    {
        if (null != server)
        {
            server.close();
        }
    }

    private void start(final JwtAlgorithm algorithm) throws Exception
    {
        identityPair = TokenAttacks.rsaPair();
        final AppConfig shop = new AppConfig("shop", null, true)
            .withCustomToken(new AppConfig.CustomToken(JwtAlgorithm.RS256,
                TokenAttacks.pem("PUBLIC KEY", identityPair.getPublic().getEncoded()), null, List.of()))
            .withApiKeys(true);
        final AppConfig other = new AppConfig("other", null, true).withApiKeys(true);
        final ServerConfig config = new ServerConfig(Map.of()).host("127.0.0.1").port(0).dataDir(dir)
            .eventLoops(1).epochClock(nowMs::get).apps(List.of(shop, other));
        if (JwtAlgorithm.RS256 == algorithm)
        {
            serverPair = TokenAttacks.rsaPair();
            config.jwtAlgorithm(JwtAlgorithm.RS256)
                .jwtPrivateKeyFile(Files.writeString(dir.resolve("private.pem"),
                    TokenAttacks.pem("PRIVATE KEY", serverPair.getPrivate().getEncoded())))
                .jwtPublicKeyFile(Files.writeString(dir.resolve("public.pem"),
                    TokenAttacks.pem("PUBLIC KEY", serverPair.getPublic().getEncoded())));
        }
        server = OutpostServer.startApps(config, appConfig -> SyncEngine.of(PingPongHandler.FACTORY));
        api = new ApiClient(server.baseUrl());
    }

    private TokenAttacks.Key key(final String app) throws Exception
    {
        return null != serverPair ? TokenAttacks.Key.ofRs256(serverPair) :
            TokenAttacks.Key.ofHs256(dir.resolve("apps/" + app + "/jwt-hs256.key"));
    }

    /** @return the sizes of both apps' auth logs: any record written (session, user, key, revoke) grows one. */
    private List<Long> authLogs() throws Exception
    {
        return List.of(Files.size(dir.resolve("apps/shop/auth.log")), Files.size(dir.resolve("apps/other/auth.log")));
    }

    /** Every route that takes a token, with a route-specific body; the key id is a genuine one of the victim. */
    private List<HttpResponse<String>> everyRoute(final String token, final String keyId) throws Exception
    {
        return List.of(
            api.send("GET", BASE + "/auth/profile", token, null),
            api.send("POST", BASE + "/auth/session", token, null),
            api.send("GET", BASE + "/auth/api_keys", token, null),
            api.send("POST", BASE + "/auth/api_keys", token, "{\"name\":\"stolen\"}"),
            api.send("GET", BASE + "/auth/api_keys/" + keyId, token, null),
            api.send("PUT", BASE + "/auth/api_keys/" + keyId + "/disable", token, null),
            api.send("DELETE", BASE + "/auth/api_keys/" + keyId, token, null),
            api.send("DELETE", BASE + "/auth/session", token, null));
    }

    private static void expect401(final List<String> failures, final String name, final HttpResponse<String> answer,
        final String code)
    {
        expectStatus(failures, name, answer, 401, code);
    }

    private static void expectStatus(final List<String> failures, final String name,
        final HttpResponse<String> answer, final int status, final String code)
    {
        final String body = answer.body();
        final boolean json = answer.headers().allValues("content-type").contains("application/json");
        if (answer.statusCode() != status || !json || !code.equals(new JsonObject(body).getString("error_code")) ||
            body.contains("Exception") || body.contains("at dev."))
        {
            failures.add(name + ": " + answer.request().method() + " " + answer.request().uri().getPath() + " -> " +
                answer.statusCode() + " " + body);
        }
    }

    private void shouldRefuseEveryAttackOnEveryTokenRoute(final JwtAlgorithm algorithm) throws Exception
    {
        start(algorithm);
        final JsonObject victim = api.login("shop");
        final JsonObject bystander = api.login("shop");
        final JsonObject foreign = api.login("other");
        final HttpResponse<String> created = api.send("POST", BASE + "/auth/api_keys",
            victim.getString("refresh_token"), "{\"name\":\"k\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        final String keyId = new JsonObject(created.body()).getString("_id");
        final TokenAttacks.Key otherKey = null != serverPair ? TokenAttacks.Key.ofRs256(TokenAttacks.rsaPair()) :
            key("other");
        final List<Attack> attacks = TokenAttacks.forged(victim.getString("access_token"),
            victim.getString("refresh_token"), bystander.getString("user_id"), otherKey, key("shop"),
            nowMs.get() / 1000);
        final List<Long> logsBefore = authLogs();

        final List<String> failures = new ArrayList<>();
        int checked = 0;
        for (final Attack attack : attacks)
        {
            final boolean oversized = attack.token().length() > TokenAttacks.OVERSIZED_PAD;
            for (final HttpResponse<String> answer : everyRoute(attack.token(), keyId))
            {
                if (oversized)
                {
                    // More than the 8 KiB of request headers the server reads: refused before any route runs.
                    expectStatus(failures, attack.name(), answer, 431, "BadRequest");
                }
                else
                {
                    expect401(failures, attack.name(), answer, "InvalidSession");
                }
                checked++;
            }
        }
        // Wrong type: an access token where a refresh token is needed and the other way round.
        final List<HttpResponse<String>> accessAsRefresh = everyRoute(victim.getString("access_token"), keyId);
        for (int i = 1; i < accessAsRefresh.size(); i++)
        {
            expect401(failures, "access token as refresh token", accessAsRefresh.get(i), "InvalidSession");
            checked++;
        }
        expect401(failures, "refresh token as access token",
            api.send("GET", BASE + "/auth/profile", victim.getString("refresh_token"), null), "InvalidSession");
        // No bearer at all, and a scheme that is not Bearer.
        expect401(failures, "no token", api.send("GET", BASE + "/auth/profile", null, null), "InvalidSession");

        assertThat(failures).isEmpty();
        assertThat(checked).isGreaterThan(400);
        assertThat(authLogs()).as("an attack wrote to an auth log").isEqualTo(logsBefore);
        // The victim, the bystander and the other app's user are untouched.
        assertThat(api.send("GET", BASE + "/auth/profile", victim.getString("access_token"), null).statusCode())
            .isEqualTo(200);
        assertThat(new JsonObject(api.send("GET", BASE + "/auth/api_keys/" + keyId, victim.getString("refresh_token"),
            null).body()).getBoolean("disabled")).isFalse();
        assertThat(api.send("POST", BASE + "/auth/session", bystander.getString("refresh_token"), null).statusCode())
            .isEqualTo(201);
        assertThat(api.send("GET", BASE + "/auth/profile", foreign.getString("access_token"), null).statusCode())
            .isEqualTo(200);
    }

    @Test
    void shouldRefuseEveryForgedOrMisusedTokenOnEveryTokenRouteWithHs256Keys() throws Exception
    {
        shouldRefuseEveryAttackOnEveryTokenRoute(JwtAlgorithm.HS256);
    }

    @Test
    void shouldRefuseEveryForgedOrMisusedTokenOnEveryTokenRouteWithRs256Keys() throws Exception
    {
        shouldRefuseEveryAttackOnEveryTokenRoute(JwtAlgorithm.RS256);
    }

    @Test
    void shouldRefuseRevokedAndClockExpiredTokensOnEveryTokenRoute() throws Exception
    {
        start(JwtAlgorithm.HS256);
        final JsonObject revoked = api.login("shop");
        final JsonObject expired = api.login("shop");
        final HttpResponse<String> created = api.send("POST", BASE + "/auth/api_keys",
            revoked.getString("refresh_token"), "{\"name\":\"k\"}");
        final String keyId = new JsonObject(created.body()).getString("_id");
        assertThat(api.send("DELETE", BASE + "/auth/session", revoked.getString("refresh_token"), null)
            .statusCode()).isEqualTo(204);
        final List<String> failures = new ArrayList<>();
        final List<Long> logsBefore = authLogs();

        for (final String type : new String[]{"access_token", "refresh_token"})
        {
            for (final HttpResponse<String> answer : everyRoute(revoked.getString(type), keyId))
            {
                expect401(failures, "revoked " + type, answer, "InvalidSession");
            }
        }
        nowMs.addAndGet(Duration.ofDays(61).toMillis());
        for (final String type : new String[]{"access_token", "refresh_token"})
        {
            for (final HttpResponse<String> answer : everyRoute(expired.getString(type), keyId))
            {
                expect401(failures, "expired " + type, answer, "InvalidSession");
            }
        }

        assertThat(failures).isEmpty();
        assertThat(authLogs()).isEqualTo(logsBefore);
    }

    @Test
    void shouldRefuseForgedCustomJwtsAtLoginAndCreateNoUser() throws Exception
    {
        start(JwtAlgorithm.HS256);
        final long now = nowMs.get() / 1000;
        final JsonObject claims = new JsonObject().put("sub", "alice").put("iat", now).put("exp", now + 600);
        final TokenAttacks.Key identity = TokenAttacks.Key.ofRs256(identityPair);
        final String genuine = identity.sign(claims);
        final String publicPem = TokenAttacks.pem("PUBLIC KEY", identityPair.getPublic().getEncoded());
        final String[] parts = genuine.split("\\.");
        final Map<String, String> attacks = new java.util.LinkedHashMap<>();
        attacks.put("alg none", TokenAttacks.encode(new JsonObject().put("alg", "none")) + "." + parts[1] + ".");
        attacks.put("alg none, genuine signature", TokenAttacks.encode(new JsonObject().put("alg", "none")) + "." +
            parts[1] + "." + parts[2]);
        attacks.put("HS256 keyed with the identity service's public key (PEM)",
            TokenAttacks.hs256(claims, publicPem.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
        attacks.put("HS256 keyed with the identity service's public key (DER)",
            TokenAttacks.hs256(claims, identityPair.getPublic().getEncoded()));
        attacks.put("RS256 by another identity service", TokenAttacks.Key.ofRs256(TokenAttacks.rsaPair()).sign(claims));
        attacks.put("tampered signature", parts[0] + "." + parts[1] + "." + parts[2].substring(0, 10) +
            (parts[2].charAt(10) == 'A' ? 'B' : 'A') + parts[2].substring(11));
        attacks.put("sub swapped", parts[0] + "." + TokenAttacks.encode(claims.copy().put("sub", "bob")) + "." +
            parts[2]);
        attacks.put("expired", identity.sign(claims.copy().put("exp", now - 1)));
        attacks.put("not valid yet", identity.sign(claims.copy().put("nbf", now + 3600)));
        attacks.put("no exp", identity.sign(claims.copy().put("exp", (Object)null)));
        attacks.put("oversized", identity.sign(claims.copy().put("pad", "x".repeat(17_000))));
        attacks.put("a server access token", api.login("shop").getString("access_token"));
        final List<Long> logsBefore = authLogs();
        final List<String> failures = new ArrayList<>();

        for (final Map.Entry<String, String> attack : attacks.entrySet())
        {
            expect401(failures, attack.getKey(), api.send("POST", BASE + "/app/shop/auth/providers/custom-token/login",
                null, new JsonObject().put("token", attack.getValue()).encode()), "InvalidPassword");
        }

        assertThat(failures).isEmpty();
        assertThat(authLogs()).isEqualTo(logsBefore);
        assertThat(api.send("POST", BASE + "/app/shop/auth/providers/custom-token/login", null,
            new JsonObject().put("token", genuine).encode()).statusCode()).isEqualTo(200);
    }

    @Test
    void shouldAnswerAnOversizedAuthorizationHeaderWith431AndConnectionCloseSoTheNextRequestSucceeds()
        throws Exception
    {
        start(JwtAlgorithm.HS256);
        final JsonObject user = api.login("shop");
        final List<String> failures = new ArrayList<>();

        for (int i = 0; i < 3; i++)
        {
            final HttpResponse<String> answer = api.send("GET", BASE + "/auth/profile", "x".repeat(70_000), null);
            expectStatus(failures, "70,000-byte token", answer, 431, "BadRequest");
            assertThat(answer.headers().firstValue("connection")).hasValue("close");
            // The same pooled client: it must not reuse the connection the server closed.
            assertThat(api.send("GET", BASE + "/auth/profile", user.getString("access_token"), null).statusCode())
                .isEqualTo(200);
        }

        assertThat(failures).isEmpty();
    }
}
