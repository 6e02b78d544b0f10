package dev.outpost.server.realclient;

import dev.outpost.server.config.AppConfig;
import dev.outpost.server.config.JwtAlgorithm;
import dev.outpost.server.config.ServerConfig;
import dev.outpost.server.runtime.SyncServer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * MongoDB's own client (realm-core 14.12.0, one forked JVM per client) with the email/password, API key and
 * custom JWT providers against Outpost's real sync engine: it registers and logs in with email/password through
 * its own App client, syncs a PBS partition, creates a user API key through its own client; a second client logs in
 * with that key as the same user and downloads what the first wrote; a third logs in with a custom JWT.
 */
@Timeout(240)
class RealClientProvidersIT
{
    private static final String APP = "providers-app";
    private static final String SECRET = "the-identity-service-hs256-secret-0123456789";

    @TempDir
    Path dir;

    private SyncServer server;

    @AfterEach
    void stop()
    {
        if (null != server)
        {
            server.close();
        }
    }

    private JsonObject run(final String clientDir, final String scenario, final Map<String, String> params)
        throws Exception
    {
        final RealClientProcess.Result run = RealClientProcess.run(server.port(), APP, dir.resolve(clientDir),
            scenario, params, Duration.ofSeconds(120));
        final JsonObject json = run.json();
        assertThat(json).as("result line of %s; log tail:\n%s", scenario, run.logTail()).isNotNull();
        assertThat(run.exitCode()).as("exit of %s; result %s; log tail:\n%s", scenario, json, run.logTail())
            .isZero();
        return json;
    }

    @Test
    void shouldRegisterLogInWithEmailSyncAPartitionAndReadItBackWithAnApiKey() throws Exception
    {
        server = SyncServer.start(new ServerConfig(Map.of()).port(0).host("127.0.0.1").dataDir(dir.resolve("server"))
            .eventLoops(2).apps(List.of(new AppConfig(APP, null, false)
                .withUserPass(new AppConfig.UserPass(10_000, 5, Duration.ofMinutes(1)))
                .withCustomToken(new AppConfig.CustomToken(JwtAlgorithm.HS256, SECRET, null))
                .withApiKeys(true))));

        final JsonObject registered = run("client-a", "login", Map.of("login", "email", "register", "true",
            "email", "ann@example.com", "password", "s3cret-pw", "apiKey", "reader"));
        final String userId = registered.getString("user_id");
        assertThat(registered.getJsonArray("identities").getJsonObject(0).getString("provider"))
            .isEqualTo("RLM_AUTH_PROVIDER_EMAIL_PASSWORD");
        assertThat(registered.getJsonObject("profile").getString("email")).isEqualTo("ann@example.com");
        final String key = registered.getString("api_key");
        assertThat(key).hasSize(64);
        assertThat(registered.getString("api_key_name")).isEqualTo("reader");

        final JsonObject wrote = run("client-b", "pbs-write", Map.of("login", "email", "email", "ann@example.com",
            "password", "s3cret-pw", "partition", "\"ann\"", "count", "25", "prefix", "ann"));
        assertThat(wrote.getInteger("count")).isEqualTo(25);

        final JsonObject read = run("client-c", "pbs-read", Map.of("login", "api-key", "key", key,
            "partition", "\"ann\"", "expect", "25"));
        assertThat(read.getInteger("count")).isEqualTo(25);
        assertThat(read.getJsonArray("names").getList()).contains("ann-0", "ann-24");

        final JsonObject viaKey = run("client-d", "login", Map.of("login", "api-key", "key", key));
        assertThat(viaKey.getString("user_id")).as("an API key logs in as its owner").isEqualTo(userId);

        final long now = System.currentTimeMillis() / 1000;
        final String jwt = hs256(new JsonObject().put("sub", "ext-7").put("exp", now + 600).put("iat", now));
        final JsonObject viaJwt = run("client-e", "login", Map.of("login", "jwt", "token", jwt));
        assertThat(viaJwt.getJsonArray("identities").getJsonObject(0).getString("id")).isEqualTo("ext-7");
        assertThat(viaJwt.getJsonArray("identities").getJsonObject(0).getString("provider"))
            .isEqualTo("RLM_AUTH_PROVIDER_CUSTOM");
        assertThat(viaJwt.getString("user_id")).isNotEqualTo(userId);
    }

    private static String hs256(final JsonObject claims) throws Exception
    {
        final Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        final String input = b64.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8))
            + "." + b64.encodeToString(claims.encode().getBytes(StandardCharsets.UTF_8));
        final Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return input + "." + b64.encodeToString(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
    }
}
