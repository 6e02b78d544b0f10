package dev.outpost.server.http;

import dev.outpost.server.config.AppConfig;
import dev.outpost.server.config.JwtAlgorithm;
import dev.outpost.server.config.ServerConfig;
import dev.outpost.server.runtime.OutpostServer;
import dev.outpost.server.ws.PingPongHandler;
import dev.outpost.server.ws.RawWebSocket;
import dev.outpost.server.ws.SyncEngine;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Hostile auth input over HTTP against a real server (issue "Hostile input"): strings that are not well-formed
 * Unicode or hold control characters, non-ASCII names across a restart, an auth log with two users under one name,
 * server-signed tokens whose claims have the wrong JSON type (HTTP routes and the WebSocket upgrade), and the
 * location answer with and without {@code public-url}.
 */
@Timeout(90)
class HostileAuthInputIT
{
    private static final String BASE = "/api/client/v2.0";
    private static final String SECRET = "an-hs256-secret-of-the-app-identity-service";

    @TempDir
    Path dir;

    private OutpostServer server;
    private ApiClient api;

    @AfterEach
    void stop()
    {
        if (null != server)
        {
            server.close();
        }
    }

    private void start(final String publicUrl) throws Exception
    {
        final AppConfig shop = new AppConfig("shop", null, true)
            .withUserPass(new AppConfig.UserPass(10_000, 100, Duration.ofMinutes(1)))
            .withCustomToken(new AppConfig.CustomToken(JwtAlgorithm.HS256, SECRET, null, List.of("name")))
            .withApiKeys(true);
        server = OutpostServer.startApps(new ServerConfig(Map.of()).host("127.0.0.1").port(0).dataDir(dir)
                .eventLoops(1).publicUrl(publicUrl).apps(List.of(shop)),
            appConfig -> SyncEngine.of(PingPongHandler.FACTORY));
        api = new ApiClient(server.baseUrl());
    }

    private void restart() throws Exception
    {
        server.close();
        server = null;
        start(null);
    }

    /** The body is sent as written: {@code \\ud800} stays a JSON escape, as a hostile client sends it. */
    private HttpResponse<String> post(final String path, final String bearer, final String rawJson) throws Exception
    {
        return api.send("POST", BASE + path, bearer, rawJson);
    }

    private HttpResponse<String> register(final String emailJson, final String passwordJson) throws Exception
    {
        return post("/app/shop/auth/providers/local-userpass/register", null,
            "{\"email\":\"" + emailJson + "\",\"password\":\"" + passwordJson + "\"}");
    }

    private HttpResponse<String> loginUserPass(final String usernameJson, final String passwordJson)
        throws Exception
    {
        return post("/app/shop/auth/providers/local-userpass/login", null,
            "{\"username\":\"" + usernameJson + "\",\"password\":\"" + passwordJson + "\"}");
    }

    private HttpResponse<String> loginToken(final String payloadJson) throws Exception
    {
        return post("/app/shop/auth/providers/custom-token/login", null,
            "{\"token\":\"" + hs256(payloadJson, SECRET) + "\"}");
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
        assertThat(response.body()).doesNotContain("Exception").doesNotContain("at dev.");
    }

    private JsonObject profile(final String access) throws Exception
    {
        return ok(api.send("GET", BASE + "/auth/profile", access, null), 200);
    }

    @Test
    void shouldRefuseAuthInputThatIsNotWellFormedUnicodeWith400AndKeepTheVictimsAccountAcrossARestart()
        throws Exception
    {
        start(null);
        final long exp = System.currentTimeMillis() / 1000 + 600;
        ok(register("v?@x.io", "victimpw1"), 201);

        error(register("v\\ud800@x.io", "attackpw1"), 400, "BadRequest");
        error(register("v\\udc00x@x.io", "attackpw1"), 400, "BadRequest");
        error(register("v\\u0000@x.io", "attackpw1"), 400, "BadRequest");
        error(register("v\\u001b[2J@x.io", "attackpw1"), 400, "BadRequest");
        error(register("w@x.io", "attack\\ud800pw1"), 400, "BadRequest");
        error(loginUserPass("v\\ud800@x.io", "attackpw1"), 400, "BadRequest");
        error(loginUserPass("v?@x.io", "victimpw\\udfff"), 400, "BadRequest");
        error(loginToken("{\"sub\":\"s\\ud800\",\"exp\":" + exp + "}"), 400, "BadRequest");
        error(loginToken("{\"sub\":\"s\\u0000\",\"exp\":" + exp + "}"), 400, "BadRequest");
        error(loginToken("{\"sub\":\"s-1\",\"name\":\"Ann\\ud83d\",\"exp\":" + exp + "}"), 400, "BadRequest");
        error(post("/app/shop/auth/providers/api-key/login", null, "{\"key\":\"k\\ud800\"}"), 400, "BadRequest");
        final String refresh = ok(loginUserPass("v?@x.io", "victimpw1"), 200).getString("refresh_token");
        error(post("/auth/api_keys", refresh, "{\"name\":\"ci\\ud800\"}"), 400, "BadRequest");
        error(post("/auth/api_keys", refresh, "{\"name\":\"ci\\n\"}"), 400, "BadRequest");
        assertThat(new JsonArray(api.send("GET", BASE + "/auth/api_keys", refresh, null).body())).isEmpty();
        final String victim = ok(loginUserPass("v?@x.io", "victimpw1"), 200).getString("user_id");

        restart();

        assertThat(ok(loginUserPass("v?@x.io", "victimpw1"), 200).getString("user_id")).isEqualTo(victim);
        error(loginUserPass("v?@x.io", "attackpw1"), 401, "InvalidPassword");
        error(loginUserPass("v\\ud800@x.io", "attackpw1"), 400, "BadRequest");
        assertThat(Files.readString(dir.resolve("apps/shop/auth.log"))).doesNotContain("attack")
            .doesNotContain("\\ud800").doesNotContain("\\u0000");
    }

    @Test
    void shouldKeepNonAsciiNamesExactlyAcrossARestart() throws Exception
    {
        start(null);
        final long exp = System.currentTimeMillis() / 1000 + 3600;
        final String email = "\uD83D\uDE00e\u0301\u00e9@x.io";                      // emoji (4-byte UTF-8), combining
        final String sub = "\uD835\uDD18ser-\u0915\u094D\u0937";
        final String name = "Zo\u00eb \uD83D\uDC69\u200D\uD83D\uDC67 e\u0301";
        final String keyName = "cl\u00e9 \uD83D\uDD11";
        ok(api.send("POST", BASE + "/app/shop/auth/providers/local-userpass/register", null,
            new JsonObject().put("email", email).put("password", "p\u00e4ss\uD83D\uDE00w").encode()), 201);
        final JsonObject person = ok(api.send("POST", BASE + "/app/shop/auth/providers/local-userpass/login", null,
            new JsonObject().put("username", email).put("password", "p\u00e4ss\uD83D\uDE00w").encode()), 200);
        final String token = hs256(new JsonObject().put("sub", sub).put("name", name).put("exp", exp).encode(),
            SECRET);
        final JsonObject custom = ok(post("/app/shop/auth/providers/custom-token/login", null,
            new JsonObject().put("token", token).encode()), 200);
        ok(api.send("POST", BASE + "/auth/api_keys", person.getString("refresh_token"),
            new JsonObject().put("name", keyName).encode()), 201);
        // The same email decomposed (e + U+0301 composed to U+00E9 and back) is another name: no normalisation.
        ok(api.send("POST", BASE + "/app/shop/auth/providers/local-userpass/register", null,
            new JsonObject().put("email", "\uD83D\uDE00\u00e9e\u0301@x.io").put("password", "other-pw").encode()), 201);

        restart();

        final JsonObject again = ok(api.send("POST", BASE + "/app/shop/auth/providers/local-userpass/login", null,
            new JsonObject().put("username", email).put("password", "p\u00e4ss\uD83D\uDE00w").encode()), 200);
        assertThat(again.getString("user_id")).isEqualTo(person.getString("user_id"));
        assertThat(profile(again.getString("access_token")).getJsonObject("data").getString("email"))
            .isEqualTo(email);
        assertThat(new JsonArray(api.send("GET", BASE + "/auth/api_keys", again.getString("refresh_token"), null)
            .body()).getJsonObject(0).getString("name")).isEqualTo(keyName);
        final JsonObject customAgain = ok(post("/app/shop/auth/providers/custom-token/login", null,
            new JsonObject().put("token", token).encode()), 200);
        assertThat(customAgain.getString("user_id")).isEqualTo(custom.getString("user_id"));
        final JsonObject customProfile = profile(customAgain.getString("access_token"));
        assertThat(customProfile.getJsonArray("identities").getJsonObject(0).getString("id")).isEqualTo(sub);
        assertThat(customProfile.getJsonObject("data").getString("name")).isEqualTo(name);
        final byte[] log = Files.readAllBytes(dir.resolve("apps/shop/auth.log"));
        assertThat(new String(log, StandardCharsets.UTF_8)).contains(email, sub, name, keyName);
    }

    @Test
    void shouldRefuseToStartWithAnAuthLogHoldingTwoUsersUnderOneName() throws Exception
    {
        // What an older server wrote after "v?@x.io" and "v\ud800@x.io" registered: both stored as "v?@x.io".
        final Path log = Files.createDirectories(dir.resolve("apps/shop")).resolve("auth.log");
        final StringBuilder text = new StringBuilder("OUTPOST-AUTH 2\n");
        for (final String user : new String[]{"6b16b60d0000000000000001", "6b16b60d0000000000000002"})
        {
            line(text, new JsonObject().put("t", "user").put("id", user).put("app", "shop")
                .put("provider", "local-userpass").put("identity", user.replace("6b", "7c")).put("created", 1));
            line(text, new JsonObject().put("t", "userpass").put("user", user).put("email", "v?@x.io")
                .put("salt", "c2FsdA").put("hash", "aGFzaA").put("iter", 10_000));
        }
        Files.writeString(log, text, StandardCharsets.UTF_8);

        assertThatThrownBy(() -> start(null)).hasStackTraceContaining(log.toString())
            .hasStackTraceContaining("two users under one name: email \"v?@x.io\"")
            .hasStackTraceContaining("6b16b60d0000000000000002 (line 5)");
        server = null;
    }

    @Test
    void shouldAnswer401ToServerSignedTokensWithClaimsOfTheWrongTypeOnEveryRouteAndTheUpgrade() throws Exception
    {
        start(null);
        final JsonObject login = api.login("shop");
        final JsonObject access = payload(login.getString("access_token"));
        final JsonObject refresh = payload(login.getString("refresh_token"));
        final String key = Files.readString(dir.resolve("apps/shop/jwt-hs256.key")).trim();
        final Object[] wrong = {"1900000000", true, new JsonArray().add(1), new JsonObject().put("a", 1),
            new BigInteger("1180591620717411303424"), 1.5, null};
        final List<String> outcomes = new ArrayList<>();
        int checked = 0;
        for (final String claim : new String[]{"iat", "exp", "nbf", "sub", "sid", "app", "token_type"})
        {
            for (final Object value : wrong)
            {
                if (value instanceof String && ("sub".equals(claim) || "sid".equals(claim) || "app".equals(claim) ||
                    "token_type".equals(claim)))
                {
                    continue;
                }
                final String badAccess = hs256(access.copy().put(claim, value).encode(), key);
                final String badRefresh = hs256(refresh.copy().put(claim, value).encode(), key);
                final List<HttpResponse<String>> answers = List.of(
                    api.send("GET", BASE + "/auth/profile", badAccess, null),
                    api.send("POST", BASE + "/auth/session", badRefresh, null),
                    api.send("GET", BASE + "/auth/api_keys", badRefresh, null),
                    api.send("POST", BASE + "/auth/api_keys", badRefresh, "{\"name\":\"k\"}"),
                    api.send("DELETE", BASE + "/auth/session", badRefresh, null));
                for (final HttpResponse<String> answer : answers)
                {
                    if (answer.statusCode() != 401 ||
                        !"InvalidSession".equals(new JsonObject(answer.body()).getString("error_code")))
                    {
                        outcomes.add(claim + "=" + value + " " + answer.request().uri().getPath() + " -> " +
                            answer.statusCode() + " " + answer.body());
                    }
                    checked++;
                }
                try (RawWebSocket ws = RawWebSocket.connect(server.port(),
                    BASE + "/app/shop/realm-sync?baas_at=" + badAccess, "com.mongodb.realm-sync#14"))
                {
                    if (ws.status != 401)
                    {
                        outcomes.add(claim + "=" + value + " upgrade -> " + ws.status);
                    }
                    checked++;
                }
            }
        }
        assertThat(outcomes).isEmpty();
        assertThat(checked).isGreaterThan(200);
        assertThat(profile(login.getString("access_token")).getString("user_id"))
            .isEqualTo(login.getString("user_id"));
    }

    @Test
    void shouldAnswer401ToCustomTokensWithClaimsOfTheWrongType() throws Exception
    {
        start(null);
        final JsonObject claims = new JsonObject().put("sub", "s-1").put("iat", System.currentTimeMillis() / 1000)
            .put("exp", System.currentTimeMillis() / 1000 + 600);
        final Object[] wrong = {"1900000000", true, new JsonArray().add(1), new JsonObject().put("a", 1),
            new BigInteger("1180591620717411303424"), null};
        final List<String> outcomes = new ArrayList<>();
        for (final String claim : new String[]{"iat", "exp", "nbf", "sub", "aud"})
        {
            for (final Object value : wrong)
            {
                final HttpResponse<String> answer = loginToken(claims.copy().put(claim, value).encode());
                // Accepted: any 'aud' (no audience configured), a string 'sub', a numeric 'iat', an 'exp' of 2^70
                // (far future).
                final boolean acceptable = "aud".equals(claim) || ("sub".equals(claim) && value instanceof String) ||
                    (value instanceof BigInteger && ("iat".equals(claim) || "exp".equals(claim)));
                if (answer.statusCode() != (acceptable ? 200 : 401))
                {
                    outcomes.add(claim + "=" + value + " -> " + answer.statusCode() + " " + answer.body());
                }
            }
        }
        assertThat(outcomes).isEmpty();
        ok(loginToken(claims.encode()), 200);
    }

    @Test
    void shouldAnswerLocationWithTheRequestsHostUnlessAPublicUrlIsConfigured() throws Exception
    {
        start(null);
        final JsonObject echoed = new JsonObject(api.send("GET", BASE + "/app/shop/location", null, null).body());
        assertThat(echoed.getString("hostname")).isEqualTo("http://127.0.0.1:" + server.port());
        assertThat(echoed.getString("ws_hostname")).isEqualTo("ws://127.0.0.1:" + server.port());
        server.close();
        server = null;

        start("HTTPS://sync.example.com/");
        final HttpResponse<String> proxied = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                server.baseUrl() + BASE + "/app/shop/location")).header("X-Forwarded-Proto", "http").build(),
            HttpResponse.BodyHandlers.ofString());
        final JsonObject configured = new JsonObject(proxied.body());
        assertThat(configured.getString("hostname")).isEqualTo("https://sync.example.com");
        assertThat(configured.getString("ws_hostname")).isEqualTo("wss://sync.example.com");
        server.close();
        server = null;

        start("http://10.0.0.7:8080/outpost");
        final JsonObject withPath = new JsonObject(api.send("GET", BASE + "/app/shop/location", null, null).body());
        assertThat(withPath.getString("hostname")).isEqualTo("http://10.0.0.7:8080/outpost");
        assertThat(withPath.getString("ws_hostname")).isEqualTo("ws://10.0.0.7:8080/outpost");
    }

    private static JsonObject payload(final String jwt)
    {
        return new JsonObject(new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]), StandardCharsets.UTF_8));
    }

    private static void line(final StringBuilder out, final JsonObject record)
    {
        final byte[] json = record.encode().getBytes(StandardCharsets.UTF_8);
        final CRC32 crc = new CRC32();
        crc.update(json);
        out.append(String.format("%08x", crc.getValue())).append(' ').append(record.encode()).append('\n');
    }

    /** Signs the payload as written (a raw {@code \\ud800} escape in it stays one). */
    static String hs256(final String payloadJson, final String secret) throws Exception
    {
        final Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        final String header = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
        final String input = b64.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "." +
            b64.encodeToString(payloadJson.getBytes(StandardCharsets.UTF_8));
        final Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return input + "." + b64.encodeToString(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
    }
}
