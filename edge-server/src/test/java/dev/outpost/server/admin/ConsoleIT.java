package dev.outpost.server.admin;

import dev.outpost.codec.message.MessageType;
import dev.outpost.server.config.AppConfig;
import dev.outpost.server.config.ServerConfig;
import dev.outpost.server.runtime.SyncServer;
import dev.outpost.server.status.StatusPageIT;
import dev.outpost.server.sync.Changesets;
import dev.outpost.server.sync.SyncService;
import dev.outpost.server.sync.SyncTestClient;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The web console ({@code /console/} on the admin listener) in headless Chromium, driven through the DevTools
 * protocol against a real server with a real sync client writing: login, the dashboard's live figures, the tables,
 * an action end to end (disable a user), the data browser's query and its error, screenshots at desktop and phone
 * widths (written under {@code target/console-screenshots}). Skipped without Chromium unless {@code CI=true} (see
 * {@link StatusPageIT}).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ConsoleIT
{
    private static final String KEY = "console-test-key-0123456789abcdef";
    private static final String APP = "shop";
    private static final String PARTITION = "\"p1\"";
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
    private static final Path SHOTS = Path.of("target", "console-screenshots");

    @TempDir
    Path dir;

    private SyncServer server;
    private SyncTestClient client;
    private Cdp browser;

    @AfterEach
    void stop() throws Exception
    {
        if (null != browser)
        {
            browser.close();
        }
        if (null != client)
        {
            client.close();
        }
        if (null != server)
        {
            server.close();
        }
    }

    @Test
    void shouldShowLiveFiguresTablesActionsAndDataInHeadlessChromium() throws Exception
    {
        final String chromium = StatusPageIT.findChromium();
        assertThat(null != chromium || !"true".equals(System.getenv("CI")))
            .as("CI=true but no chromium found (.ci/run installs Debian's chromium)").isTrue();
        Assumptions.assumeTrue(null != chromium, "no chromium found: console browser test skipped");

        server = SyncServer.start(new ServerConfig(Map.of()).host("127.0.0.1").port(0).dataDir(dir.resolve("data"))
            .eventLoops(1).adminKey(KEY).apps(List.of(new AppConfig(APP, null, true)
                .withUserPass(new AppConfig.UserPass(10_000, 100, Duration.ofMinutes(1))))));
        final JsonObject tokens = registerAndLogin("ann@example.com", "password1");
        final String userId = tokens.getString("user_id");
        client = SyncTestClient.connect(server.port(), APP, tokens.getString("access_token"), false);
        client.bind(1, PARTITION, true);
        final SyncTestClient.Msg ident = client.next(MessageType.SERVER_IDENT);
        client.ident(1, ident.get(0), ident.get(1), 0, 0, 0, 0);
        assertThat(client.next().type()).isEqualTo(MessageType.DOWNLOAD);
        client.upload(1, 2, 0, 0, false, new SyncTestClient.Up(2, 0, Changesets.objects("Item", 1, 3, "a")));
        assertThat(client.next(MessageType.DOWNLOAD)).as("the upload acknowledged").isNotNull();
        final String file = SyncService.pbsFileName(APP, PARTITION);

        browser = Cdp.launch(chromium, dir.resolve("chromium-profile"));
        browser.viewport(1280, 800);
        final String console = server.http().adminBaseUrl() + "/console/";
        browser.navigate(console);
        browser.waitFor("the login form", "document.getElementById('key')");
        browser.eval("document.getElementById('key').value = 'wrong-key-000000000000'; " +
            "document.getElementById('login-form').requestSubmit()");
        browser.waitFor("the wrong key's error", "document.getElementById('banner').textContent" +
            ".indexOf('invalid admin key') >= 0");
        browser.eval("document.getElementById('key').value = '" + KEY + "'; " +
            "document.getElementById('login-form').requestSubmit()");
        browser.waitFor("the app list", "document.querySelector('[data-app=\"shop\"]')");
        assertThat(browser.eval("sessionStorage.getItem('outpost.access') !== null && " +
            "JSON.stringify(sessionStorage).indexOf('" + KEY + "') < 0")).as("a token kept, not the key").isEqualTo(true);

        // the dashboard: the first sample (every 5 s) counts the upload of the client above
        browser.eval("location.hash = '#/app/shop/dashboard'");
        browser.waitFor("a sample on the dashboard", "Number(document.getElementById('view')" +
            ".getAttribute('data-samples')) >= 1 && document.getElementById('tile-sessions')");
        assertThat(browser.eval("document.getElementById('tile-sessions').textContent")).isEqualTo("1");
        assertThat(browser.eval("document.getElementById('tile-users').textContent")).isEqualTo("1");
        assertThat(browser.eval("document.getElementById('tile-files').textContent")).isEqualTo("1");
        // the client keeps writing until a sample (every 5 s) with its changesets is the latest on the page
        long version = 2;
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Boolean.TRUE.equals(browser.eval("Number(document.getElementById('tile-changesets-in')" +
            ".textContent) > 0")))
        {
            assertThat(System.nanoTime()).as("changesets in/s shown within a minute of writing").isLessThan(deadline);
            version++;
            client.upload(1, version, 0, 0, false, new SyncTestClient.Up(version, 0,
                Changesets.objects("Item", 100 + version, 1, "b")));
            assertThat(client.next(MessageType.DOWNLOAD)).isNotNull();
            Thread.sleep(500);
        }
        assertThat(browser.eval("Number(document.getElementById('view').getAttribute('data-samples')) >= 1"))
            .isEqualTo(true);
        assertThat((String)browser.eval("document.querySelector('.chart path').getAttribute('d')")).startsWith("M");
        shots("dashboard");

        // tables: devices, server files, users (with the disable action end to end)
        browser.eval("location.hash = '#/app/shop/devices'");
        browser.waitFor("the connection row", "document.querySelector('[data-action=\"disconnect\"]')");
        assertThat((String)browser.eval("document.querySelector('table').textContent")).contains(userId, file);
        browser.eval("location.hash = '#/app/shop/files'");
        browser.waitFor("the server file row", "document.querySelector('[data-action=\"client-reset\"]')");
        assertThat((String)browser.eval("document.querySelector('table').textContent")).contains(file);
        browser.eval("location.hash = '#/app/shop/users'");
        browser.waitFor("the user row", "document.querySelector('[data-user-status=\"" + userId + "\"]')");
        assertThat((String)browser.eval("document.querySelector('table').textContent")).contains("ann@example.com");
        assertThat(browser.eval("document.querySelector('[data-user-status=\"" + userId + "\"]').textContent"))
            .isEqualTo("enabled");
        shots("users");
        browser.eval("document.querySelector('[data-action=\"disable\"][data-user=\"" + userId + "\"]').click()");
        browser.waitFor("the confirmation", "document.getElementById('confirm').open");
        browser.eval("document.getElementById('confirm-ok').click()");
        browser.waitFor("the user shown disabled", "(document.querySelector('[data-user-status=\"" + userId +
            "\"]') || {}).textContent === 'disabled'");
        final HttpResponse<String> refused = login("ann@example.com", "password1");
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(new JsonObject(refused.body()).getString("error_code")).isEqualTo("UserDisabled");

        // errors and configuration: the key never shows
        browser.eval("location.hash = '#/app/shop/config'");
        browser.waitFor("the configuration", "document.getElementById('config')");
        assertThat((String)browser.eval("document.getElementById('config').textContent")).contains("********")
            .doesNotContain(KEY);
        browser.eval("location.hash = '#/app/shop/errors'");
        browser.waitFor("the errors view", "document.querySelector('main h1') && " +
            "document.querySelector('main h1').textContent === 'Sync errors'");

        // the data browser: the class list, a query, a bad query with the parser's message
        final String data = "#/app/shop/data?file=" + URLEncoder.encode(file, StandardCharsets.UTF_8);
        browser.eval("location.hash = '" + data + "'");
        browser.waitFor("the class list", "document.querySelector('#classes a')");
        assertThat((String)browser.eval("document.getElementById('classes').textContent")).contains("Item");
        browser.eval("location.hash = '" + data + "&class=Item&query=" +
            URLEncoder.encode("name == \"a2\"", StandardCharsets.UTF_8) + "'");
        browser.waitFor("the query result", "document.getElementById('query-total')");
        assertThat(browser.eval("document.getElementById('query-total').getAttribute('data-total')")).isEqualTo("1");
        assertThat((String)browser.eval("document.querySelector('#query-result table').textContent"))
            .contains("a2").doesNotContain("a1", "a3");
        shots("data");
        final String bad = "name ==";
        final HttpResponse<String> api = admin("/console/data?file=" + URLEncoder.encode(file,
            StandardCharsets.UTF_8) + "&class=Item&query=" + URLEncoder.encode(bad, StandardCharsets.UTF_8));
        assertThat(api.statusCode()).isEqualTo(400);
        final String message = new JsonObject(api.body()).getString("error");
        assertThat(message).isNotBlank().doesNotContain("Exception");
        browser.eval("location.hash = '" + data + "&class=Item&query=" +
            URLEncoder.encode(bad, StandardCharsets.UTF_8) + "'");
        browser.waitFor("the query error", "document.getElementById('query-error')");
        assertThat(browser.eval("document.getElementById('query-error').textContent")).isEqualTo(message);

        // delete a partition from the server files table, through the confirmation
        final String other = SyncService.pbsFileName(APP, "p2");
        server.sync(APP).writeServerChangeset(other, Changesets.objects("Item", 1, 2, "z")).get(10, TimeUnit.SECONDS);
        browser.eval("location.hash = '#/app/shop/files?prefix=pbs/'");
        final String button = "document.querySelector('[data-action=\"delete-file\"][data-file=\"" + other + "\"]')";
        browser.waitFor("the delete action", button);
        browser.eval(button + ".click()");
        browser.waitFor("the confirmation", "document.getElementById('confirm').open");
        assertThat((String)browser.eval("document.getElementById('confirm-text').textContent")).contains(other);
        browser.eval("document.getElementById('confirm-ok').click()");
        browser.waitFor("the row gone", "document.querySelector('[data-action=\"client-reset\"]') && !" + button);
        assertThat(server.sync(APP).historyStore().contains(other)).isFalse();
        assertThat(server.sync(APP).historyStore().contains(file)).isTrue();
        assertThat(browser.consoleErrors()).as("script errors").isEmpty();
    }

    /** Screenshots at desktop and phone widths: not blank, and no horizontal overflow on the phone. */
    private void shots(final String name) throws Exception
    {
        for (final int[] size : new int[][] {{1280, 800}, {390, 844}})
        {
            browser.viewport(size[0], size[1]);
            Thread.sleep(300);
            final byte[] png = browser.screenshot(SHOTS.resolve(name + "-" + size[0] + "x" + size[1] + ".png"));
            final BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
            assertThat(image.getWidth()).isEqualTo(size[0]);
            final Set<Integer> colours = new HashSet<>();
            for (int y = 0; y < image.getHeight(); y += 7)
            {
                for (int x = 0; x < image.getWidth(); x += 7)
                {
                    colours.add(image.getRGB(x, y));
                }
            }
            assertThat(colours.size()).as(name + " at " + size[0] + ": not blank").isGreaterThan(20);
            assertThat(browser.eval("document.documentElement.scrollWidth <= window.innerWidth"))
                .as(name + " at " + size[0] + ": no horizontal overflow").isEqualTo(true);
        }
        browser.viewport(1280, 800);
    }

    private JsonObject registerAndLogin(final String email, final String password) throws Exception
    {
        final HttpResponse<String> registered = send("POST", server.baseUrl() + "/api/client/v2.0/app/" + APP +
            "/auth/providers/local-userpass/register", new JsonObject().put("email", email).put("password", password)
            .encode(), null);
        assertThat(registered.statusCode()).as(registered.body()).isEqualTo(201);
        final HttpResponse<String> login = login(email, password);
        assertThat(login.statusCode()).as(login.body()).isEqualTo(200);
        return new JsonObject(login.body());
    }

    private HttpResponse<String> login(final String email, final String password) throws Exception
    {
        return send("POST", server.baseUrl() + "/api/client/v2.0/app/" + APP + "/auth/providers/local-userpass/login",
            new JsonObject().put("username", email).put("password", password).encode(), null);
    }

    private HttpResponse<String> admin(final String rest) throws Exception
    {
        return send("GET", server.http().adminBaseUrl() + "/api/admin/v3.0/groups/g/apps/" + APP + rest, null, KEY);
    }

    private static HttpResponse<String> send(final String method, final String url, final String body,
        final String bearer) throws Exception
    {
        final HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/json").method(method, null == body ?
                HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (null != bearer)
        {
            b.header("Authorization", "Bearer " + bearer);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
