package dev.outpost.server.http;

import dev.outpost.server.config.AppConfig;
import dev.outpost.server.config.JwtAlgorithm;
import dev.outpost.server.config.ServerConfig;
import dev.outpost.server.runtime.OutpostServer;
import dev.outpost.server.ws.PingPongHandler;
import dev.outpost.server.ws.SyncEngine;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The auth providers beyond anonymous login, over HTTP against a real server: {@code local-userpass} (register,
 * login, errors, per-account rate limit, the e-mail routes), {@code custom-token} (HS256 and RS256, exp, nbf, aud,
 * sub), user API keys (create/list/get/enable/disable/delete, login), the profile's identities, disabled providers,
 * exact JSON content type, and everything across a restart.
 */
@Timeout(90)
class AuthProvidersIT
{
    private static final String BASE = "/api/client/v2.0";
    private static final String SECRET = "an-hs256-secret-of-the-app-identity-service";

    private final AtomicLong nowMs = new AtomicLong(System.currentTimeMillis());

    @TempDir
    Path dir;

    private OutpostServer server;
    private ApiClient api;
    private KeyPair rsa;

    @AfterEach
    void stop()
    {
        if (null != server)
        {
            server.close();
        }
    }

    private void start() throws Exception
    {
        if (null == rsa)
        {
            final KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            rsa = generator.generateKeyPair();
        }
        final String pem = "-----BEGIN PUBLIC KEY-----\n" +
            Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(
                rsa.getPublic().getEncoded()) + "\n-----END PUBLIC KEY-----\n";
        final AppConfig shop = new AppConfig("shop", null, false)
            .withUserPass(new AppConfig.UserPass(10_000, 3, Duration.ofMinutes(1)))
            .withCustomToken(new AppConfig.CustomToken(JwtAlgorithm.HS256, SECRET, "shop-api", List.of("name")))
            .withApiKeys(true);
        final AppConfig rs = new AppConfig("rs", null, false)
            .withCustomToken(new AppConfig.CustomToken(JwtAlgorithm.RS256, pem, null));
        final AppConfig anon = new AppConfig("anon", null, true);
        server = OutpostServer.startApps(new ServerConfig(Map.of()).host("127.0.0.1").port(0).dataDir(dir)
                .eventLoops(1).epochClock(nowMs::get).apps(List.of(shop, rs, anon)),
            appConfig -> SyncEngine.of(PingPongHandler.FACTORY));
        api = new ApiClient(server.baseUrl());
    }

    private HttpResponse<String> post(final String path, final String bearer, final String body) throws Exception
    {
        return api.send("POST", BASE + path, bearer, body);
    }

    private HttpResponse<String> register(final String app, final String email, final String password)
        throws Exception
    {
        return post("/app/" + app + "/auth/providers/local-userpass/register", null,
            new JsonObject().put("email", email).put("password", password).encode());
    }

    private HttpResponse<String> login(final String app, final String provider, final JsonObject credentials)
        throws Exception
    {
        return post("/app/" + app + "/auth/providers/" + provider + "/login", null,
            credentials.put("provider", provider).put("options", new JsonObject().put("device",
                new JsonObject().put("sdk", "test"))).encode());
    }

    private static JsonObject ok(final HttpResponse<String> response, final int status)
    {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        return response.body().isEmpty() ? new JsonObject() : new JsonObject(response.body());
    }

    private static void error(final HttpResponse<String> response, final int status, final String code)
    {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().allValues("content-type")).containsExactly("application/json");
        assertThat(new JsonObject(response.body()).getString("error_code")).isEqualTo(code);
        assertThat(new JsonObject(response.body()).getString("error")).isNotBlank();
    }

    private JsonObject profile(final String access) throws Exception
    {
        return ok(api.send("GET", BASE + "/auth/profile", access, null), 200);
    }

    @Test
    void shouldRegisterAndLogInWithEmailAndPassword() throws Exception
    {
        start();
        ok(register("shop", "Ann@Example.com", "s3cret!"), 201);
        error(register("shop", "ann@example.com", "another1"), 409, "AccountNameInUse");
        error(register("shop", "bob@example.com", "12345"), 400, "BadRequest");
        error(register("shop", "bob@example.com", "x".repeat(129)), 400, "BadRequest");
        error(register("shop", "not-an-email", "123456"), 400, "BadRequest");
        error(post("/app/shop/auth/providers/local-userpass/register", null, "{oops"), 400, "BadRequest");

        final JsonObject tokens = ok(login("shop", "local-userpass",
            new JsonObject().put("username", "ann@example.com").put("password", "s3cret!")), 200);
        assertThat(tokens.getString("access_token").split("\\.")).hasSize(3);
        final JsonObject profile = profile(tokens.getString("access_token"));
        assertThat(profile.getString("user_id")).isEqualTo(tokens.getString("user_id"));
        assertThat(profile.getJsonArray("identities")).hasSize(1);
        assertThat(profile.getJsonArray("identities").getJsonObject(0).getString("provider_type"))
            .isEqualTo("local-userpass");
        assertThat(profile.getJsonObject("data").getString("email")).isEqualTo("Ann@Example.com");

        final JsonObject again = ok(login("shop", "local-userpass",
            new JsonObject().put("username", "Ann@Example.com").put("password", "s3cret!")), 200);
        assertThat(again.getString("user_id")).isEqualTo(tokens.getString("user_id"));
        assertThat(again.getString("refresh_token")).isNotEqualTo(tokens.getString("refresh_token"));

        error(login("shop", "local-userpass", new JsonObject().put("username", "ann@example.com")
            .put("password", "wrong!")), 401, "InvalidPassword");
        error(login("shop", "local-userpass", new JsonObject().put("username", "nobody@example.com")
            .put("password", "s3cret!")), 401, "InvalidPassword");
        error(login("shop", "local-userpass", new JsonObject()), 401, "InvalidPassword");

        for (final String route : List.of("confirm", "confirm/send", "confirm/call", "reset", "reset/send",
            "reset/call"))
        {
            final HttpResponse<String> r = post("/app/shop/auth/providers/local-userpass/" + route, null, "{}");
            error(r, 400, "BadRequest");
            assertThat(r.body()).contains("no e-mail");
        }
    }

    @Test
    void shouldRateLimitFailedLoginsPerAccount() throws Exception
    {
        start();
        ok(register("shop", "eve@example.com", "right-password"), 201);
        ok(register("shop", "sam@example.com", "right-password"), 201);
        final JsonObject wrong = new JsonObject().put("username", "eve@example.com").put("password", "guess!");
        for (int i = 0; i < 3; i++)
        {
            error(login("shop", "local-userpass", wrong.copy()), 401, "InvalidPassword");
        }
        final HttpResponse<String> limited = login("shop", "local-userpass",
            new JsonObject().put("username", "eve@example.com").put("password", "right-password"));
        error(limited, 429, "LimitExceeded");
        ok(login("shop", "local-userpass",
            new JsonObject().put("username", "sam@example.com").put("password", "right-password")), 200);

        nowMs.addAndGet(61_000);
        ok(login("shop", "local-userpass",
            new JsonObject().put("username", "eve@example.com").put("password", "right-password")), 200);
    }

    @Test
    void shouldLogInWithCustomJwtsOfTheAppsIdentityService() throws Exception
    {
        start();
        final long now = nowMs.get() / 1000;
        final JsonObject claims = new JsonObject().put("sub", "user-42").put("aud", "shop-api")
            .put("exp", now + 600).put("iat", now).put("name", "Ann");
        final JsonObject first = ok(login("shop", "custom-token",
            new JsonObject().put("token", hs256(claims, SECRET))), 200);
        final JsonObject second = ok(login("shop", "custom-token",
            new JsonObject().put("token", hs256(claims.copy().put("aud", new JsonArray().add("x").add("shop-api")),
                SECRET))), 200);
        assertThat(second.getString("user_id")).as("same sub, same user").isEqualTo(first.getString("user_id"));
        final JsonObject other = ok(login("shop", "custom-token",
            new JsonObject().put("token", hs256(claims.copy().put("sub", "user-43"), SECRET))), 200);
        assertThat(other.getString("user_id")).isNotEqualTo(first.getString("user_id"));
        final JsonObject identity = profile(first.getString("access_token")).getJsonArray("identities")
            .getJsonObject(0);
        assertThat(identity.getString("provider_type")).isEqualTo("custom-token");
        assertThat(identity.getString("id")).isEqualTo("user-42");
        assertThat(profile(first.getString("access_token")).getJsonObject("data"))
            .isEqualTo(new JsonObject().put("name", "Ann"));
        final JsonObject renamed = ok(login("shop", "custom-token",
            new JsonObject().put("token", hs256(claims.copy().put("name", "Anna").put("role", "admin"), SECRET))), 200);
        assertThat(profile(renamed.getString("access_token")).getJsonObject("data"))
            .as("metadata fields follow the latest token; other claims are not kept")
            .isEqualTo(new JsonObject().put("name", "Anna"));

        error(login("shop", "custom-token", new JsonObject().put("token", hs256(claims.copy()
            .put("exp", now - 1), SECRET))), 401, "InvalidPassword");
        final JsonObject noExp = claims.copy();
        noExp.remove("exp");
        error(login("shop", "custom-token", new JsonObject().put("token", hs256(noExp, SECRET))), 401,
            "InvalidPassword");
        error(login("shop", "custom-token", new JsonObject().put("token", hs256(claims.copy()
            .put("aud", "other-api"), SECRET))), 401, "InvalidPassword");
        error(login("shop", "custom-token", new JsonObject().put("token", hs256(claims.copy()
            .put("nbf", now + 60), SECRET))), 401, "InvalidPassword");
        final JsonObject noSub = claims.copy();
        noSub.remove("sub");
        error(login("shop", "custom-token", new JsonObject().put("token", hs256(noSub, SECRET))), 401,
            "InvalidPassword");
        error(login("shop", "custom-token", new JsonObject().put("token", hs256(claims,
            SECRET + "-but-not-the-same"))), 401, "InvalidPassword");
        error(login("shop", "custom-token", new JsonObject().put("token", "not.a.jwt")), 401, "InvalidPassword");
        error(login("shop", "custom-token", new JsonObject().put("token", rs256(claims, rsa.getPrivate()))), 401,
            "InvalidPassword");

        final JsonObject rs = ok(login("rs", "custom-token", new JsonObject().put("token",
            rs256(claims.copy().put("aud", "anything"), rsa.getPrivate()))), 200);
        assertThat(profile(rs.getString("access_token")).getJsonArray("identities").getJsonObject(0)
            .getString("id")).isEqualTo("user-42");
        error(login("rs", "custom-token", new JsonObject().put("token", hs256(claims, SECRET))), 401,
            "InvalidPassword");
    }

    @Test
    void shouldManageUserApiKeysWithTheRefreshTokenAndLogInWithThem() throws Exception
    {
        start();
        ok(register("shop", "ops@example.com", "password1"), 201);
        final JsonObject owner = ok(login("shop", "local-userpass",
            new JsonObject().put("username", "ops@example.com").put("password", "password1")), 200);
        final String refresh = owner.getString("refresh_token");

        error(post("/auth/api_keys", owner.getString("access_token"), "{\"name\":\"ci\"}"), 401, "InvalidSession");
        final JsonObject created = ok(post("/auth/api_keys", refresh, "{\"name\":\"ci\"}"), 201);
        final String id = created.getString("_id");
        final String key = created.getString("key");
        assertThat(created.getString("name")).isEqualTo("ci");
        assertThat(created.getBoolean("disabled")).isFalse();
        assertThat(key).hasSize(64);
        error(post("/auth/api_keys", refresh, "{\"name\":\"ci\"}"), 409, "APIKeyAlreadyExists");
        error(post("/auth/api_keys", refresh, "{\"name\":\"\"}"), 400, "BadRequest");
        ok(post("/auth/api_keys", refresh, "{\"name\":\"second\"}"), 201);

        final HttpResponse<String> list = api.send("GET", BASE + "/auth/api_keys", refresh, null);
        assertThat(list.statusCode()).isEqualTo(200);
        assertThat(list.headers().allValues("content-type")).containsExactly("application/json");
        final JsonArray keys = new JsonArray(list.body());
        assertThat(keys).hasSize(2);
        assertThat(keys.getJsonObject(0).getString("_id")).isEqualTo(id);
        assertThat(keys.getJsonObject(0).containsKey("key")).as("shown once only").isFalse();
        assertThat(ok(api.send("GET", BASE + "/auth/api_keys/" + id, refresh, null), 200).getString("name"))
            .isEqualTo("ci");
        assertThat(Files.readString(dir.resolve("apps/shop/auth.log"))).doesNotContain(key);

        final JsonObject viaKey = ok(login("shop", "api-key", new JsonObject().put("key", key)), 200);
        assertThat(viaKey.getString("user_id")).isEqualTo(owner.getString("user_id"));
        error(login("shop", "api-key", new JsonObject().put("key", "0".repeat(64))), 401, "InvalidPassword");

        // Another user sees none of them and cannot touch them.
        ok(register("shop", "other@example.com", "password2"), 201);
        final String otherRefresh = ok(login("shop", "local-userpass", new JsonObject()
            .put("username", "other@example.com").put("password", "password2")), 200).getString("refresh_token");
        assertThat(new JsonArray(api.send("GET", BASE + "/auth/api_keys", otherRefresh, null).body())).isEmpty();
        error(api.send("GET", BASE + "/auth/api_keys/" + id, otherRefresh, null), 404, "APIKeyNotFound");
        error(api.send("DELETE", BASE + "/auth/api_keys/" + id, otherRefresh, null), 404, "APIKeyNotFound");

        assertThat(api.send("PUT", BASE + "/auth/api_keys/" + id + "/disable", refresh, null).statusCode())
            .isEqualTo(204);
        assertThat(ok(api.send("GET", BASE + "/auth/api_keys/" + id, refresh, null), 200).getBoolean("disabled"))
            .isTrue();
        error(login("shop", "api-key", new JsonObject().put("key", key)), 401, "InvalidPassword");
        assertThat(api.send("PUT", BASE + "/auth/api_keys/" + id + "/enable", refresh, null).statusCode())
            .isEqualTo(204);
        ok(login("shop", "api-key", new JsonObject().put("key", key)), 200);

        assertThat(api.send("DELETE", BASE + "/auth/api_keys/" + id, refresh, null).statusCode()).isEqualTo(204);
        error(api.send("GET", BASE + "/auth/api_keys/" + id, refresh, null), 404, "APIKeyNotFound");
        error(login("shop", "api-key", new JsonObject().put("key", key)), 401, "InvalidPassword");
    }

    @Test
    void shouldAnswerDisabledProvidersWith404AndJson() throws Exception
    {
        start();
        error(login("shop", "anon-user", new JsonObject()), 404, "AuthProviderNotFound");
        error(login("anon", "local-userpass", new JsonObject().put("username", "a@b.c").put("password", "x")),
            404, "AuthProviderNotFound");
        error(register("anon", "a@b.c", "123456"), 404, "AuthProviderNotFound");
        error(post("/app/anon/auth/providers/local-userpass/reset/send", null, "{}"), 404, "AuthProviderNotFound");
        error(login("anon", "custom-token", new JsonObject().put("token", "x.y.z")), 404, "AuthProviderNotFound");
        error(login("rs", "api-key", new JsonObject().put("key", "k")), 404, "AuthProviderNotFound");
        error(login("shop", "oauth2-google", new JsonObject()), 404, "AuthProviderNotFound");
        error(register("nope", "a@b.c", "123456"), 404, "AppNotFound");

        final String anonRefresh = ok(login("anon", "anon-user", new JsonObject()), 200).getString("refresh_token");
        error(post("/auth/api_keys", anonRefresh, "{\"name\":\"k\"}"), 404, "AuthProviderNotFound");
        error(api.send("GET", BASE + "/auth/api_keys", anonRefresh, null), 404, "AuthProviderNotFound");
        assertThat(profile(ok(login("anon", "anon-user", new JsonObject()), 200).getString("access_token"))
            .getJsonArray("identities").getJsonObject(0).getString("provider_type")).isEqualTo("anon-user");
    }

    @Test
    void shouldKeepAccountsIdentitiesAndKeysAcrossARestart() throws Exception
    {
        start();
        ok(register("shop", "keep@example.com", "password1"), 201);
        final JsonObject owner = ok(login("shop", "local-userpass",
            new JsonObject().put("username", "keep@example.com").put("password", "password1")), 200);
        final String key = ok(post("/auth/api_keys", owner.getString("refresh_token"), "{\"name\":\"k\"}"), 201)
            .getString("key");
        final long now = nowMs.get() / 1000;
        final String jwt = hs256(new JsonObject().put("sub", "s-1").put("aud", "shop-api").put("exp", now + 3600)
            .put("name", "Sam"), SECRET);
        final String jwtUser = ok(login("shop", "custom-token", new JsonObject().put("token", jwt)), 200)
            .getString("user_id");

        server.close();
        server = null;
        start();

        assertThat(ok(login("shop", "local-userpass", new JsonObject().put("username", "keep@example.com")
            .put("password", "password1")), 200).getString("user_id")).isEqualTo(owner.getString("user_id"));
        error(register("shop", "keep@example.com", "password1"), 409, "AccountNameInUse");
        assertThat(ok(login("shop", "api-key", new JsonObject().put("key", key)), 200).getString("user_id"))
            .isEqualTo(owner.getString("user_id"));
        final JsonObject jwtLogin = ok(login("shop", "custom-token", new JsonObject().put("token", jwt)), 200);
        assertThat(jwtLogin.getString("user_id")).isEqualTo(jwtUser);
        assertThat(profile(jwtLogin.getString("access_token")).getJsonObject("data").getString("name"))
            .isEqualTo("Sam");
        assertThat(profile(owner.getString("access_token")).getString("user_id"))
            .as("tokens issued before the restart").isEqualTo(owner.getString("user_id"));
        assertThat(Files.readString(dir.resolve("apps/shop/auth.log"))).startsWith("OUTPOST-AUTH 2\n")
            .doesNotContain("password1");
    }

    @Test
    void shouldMakeOneAccountOfConcurrentRegistrationsAndOneUserOfConcurrentFirstLogins() throws Exception
    {
        start();
        final java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder()
            .version(java.net.http.HttpClient.Version.HTTP_1_1).build();
        final List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> registrations =
            new java.util.ArrayList<>();
        for (int i = 0; i < 8; i++)
        {
            registrations.add(http.sendAsync(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                server.baseUrl() + BASE + "/app/shop/auth/providers/local-userpass/register"))
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                    "{\"email\":\"race@example.com\",\"password\":\"password" + i + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString()));
        }
        final List<Integer> statuses = new java.util.ArrayList<>();
        for (final var f : registrations)
        {
            statuses.add(f.get().statusCode());
        }
        assertThat(statuses).containsOnly(201, 409).filteredOn(s -> s == 201).hasSize(1);

        final long now = nowMs.get() / 1000;
        final String jwt = hs256(new JsonObject().put("sub", "racer").put("aud", "shop-api").put("exp", now + 60),
            SECRET);
        final List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> logins = new java.util.ArrayList<>();
        for (int i = 0; i < 8; i++)
        {
            logins.add(http.sendAsync(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                server.baseUrl() + BASE + "/app/shop/auth/providers/custom-token/login"))
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(new JsonObject().put("token", jwt).encode()))
                .build(), HttpResponse.BodyHandlers.ofString()));
        }
        final java.util.Set<String> users = new java.util.HashSet<>();
        for (final var f : logins)
        {
            users.add(ok(f.get(), 200).getString("user_id"));
        }
        assertThat(users).hasSize(1);
    }

    static String hs256(final JsonObject claims, final String secret) throws Exception
    {
        final String input = b64("{\"alg\":\"HS256\",\"typ\":\"JWT\"}") + "." + b64(claims.encode());
        final Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return input + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(
            mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
    }

    static String rs256(final JsonObject claims, final PrivateKey key) throws Exception
    {
        final String input = b64("{\"alg\":\"RS256\",\"typ\":\"JWT\"}") + "." + b64(claims.encode());
        final Signature signature = Signature.getInstance("SHA256withRSA");
        signature.initSign(key);
        signature.update(input.getBytes(StandardCharsets.US_ASCII));
        return input + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(signature.sign());
    }

    private static String b64(final String json)
    {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }
}
