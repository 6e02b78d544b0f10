package dev.outpost.server.http;

import dev.outpost.server.config.ServerConfig;
import dev.outpost.server.runtime.SyncServer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real server started from an App Services export ({@code OUTPOST_APP_CONFIG}, the setting of
 * {@code serve --app-config}): the app id from {@code root_config.json}, email/password registration and login,
 * the custom-token provider with the signing key given by its secret name, API keys, and {@code anon-user} refused
 * when the export disables it.
 */
@Timeout(90)
class AppServicesExportIT
{
    private static final String BASE = "/api/client/v2.0";
    private static final String SECRET = "the-hs256-signing-key-of-tasktracker-0123";
    private static final String APP = "tasktracker-abcde";

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

    private Path export() throws Exception
    {
        final Path source = Path.of(getClass().getResource("/appservices-export/tasktracker").toURI());
        final Path target = dir.resolve("export");
        try (Stream<Path> files = Files.walk(source))
        {
            for (final Path f : files.toList())
            {
                final Path to = target.resolve(source.relativize(f).toString());
                if (Files.isDirectory(f))
                {
                    Files.createDirectories(to);
                }
                else
                {
                    Files.copy(f, to);
                }
            }
        }
        final Path providers = target.resolve("auth/providers.json");
        final String text = Files.readString(providers);
        final String anon = "\"type\": \"anon-user\", \"disabled\": false";
        assertThat(text).contains(anon);
        Files.writeString(providers, text.replace(anon, "\"type\": \"anon-user\", \"disabled\": true"));
        return target;
    }

    private static JsonObject ok(final HttpResponse<String> response, final int status)
    {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        return response.body().isEmpty() ? new JsonObject() : new JsonObject(response.body());
    }

    private static JsonObject login(final String provider, final JsonObject credentials)
    {
        return credentials.put("provider", provider).put("options", new JsonObject().put("device",
            new JsonObject().put("sdk", "test")));
    }

    @Test
    void shouldServeTheExportedAppWithItsProviders() throws Exception
    {
        final Path export = export();
        final ServerConfig config = new ServerConfig(null, Map.of("OUTPOST_APP_CONFIG", export.toString(),
            "OUTPOST_SECRET_JWT_SIGNING_KEY", SECRET)).host("127.0.0.1").port(0).dataDir(dir.resolve("data"))
            .eventLoops(1).conclude();
        server = SyncServer.start(config);
        final ApiClient api = new ApiClient(server.http().baseUrl());
        final String auth = BASE + "/app/" + APP + "/auth/providers/";

        ok(api.send("POST", auth + "local-userpass/register", null,
            "{\"email\":\"ada@example.com\",\"password\":\"password1\"}"), 201);
        final JsonObject user = ok(api.send("POST", auth + "local-userpass/login", null, login("local-userpass",
            new JsonObject().put("username", "ada@example.com").put("password", "password1")).encode()), 200);
        assertThat(user.getString("access_token")).isNotBlank();

        final HttpResponse<String> anon = api.send("POST", auth + "anon-user/login", null,
            login("anon-user", new JsonObject()).encode());
        assertThat(anon.statusCode()).as(anon.body()).isEqualTo(404);
        assertThat(new JsonObject(anon.body()).getString("error_code")).isEqualTo("AuthProviderNotFound");

        final long now = System.currentTimeMillis() / 1000;
        final JsonObject claims = new JsonObject().put("sub", "user-1").put("aud", "tasktracker-api")
            .put("iat", now).put("exp", now + 600).put("name", "Ada");
        final JsonObject jwtUser = ok(api.send("POST", auth + "custom-token/login", null, login("custom-token",
            new JsonObject().put("token", AuthProvidersIT.hs256(claims, SECRET))).encode()), 200);
        assertThat(jwtUser.getString("user_id")).isNotEqualTo(user.getString("user_id"));
        final HttpResponse<String> wrongAud = api.send("POST", auth + "custom-token/login", null,
            login("custom-token", new JsonObject().put("token", AuthProvidersIT.hs256(claims.copy()
                .put("aud", "other"), SECRET))).encode());
        assertThat(wrongAud.statusCode()).as("the export's audience is checked").isEqualTo(401);

        ok(api.send("POST", BASE + "/auth/api_keys", user.getString("refresh_token"), "{\"name\":\"ci\"}"), 201);
        final HttpResponse<String> google = api.send("POST", auth + "oauth2-google/login", null,
            login("oauth2-google", new JsonObject()).encode());
        assertThat(google.statusCode()).as("reported at start, not served").isEqualTo(404);
    }
}
