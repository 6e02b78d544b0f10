package dev.outpost.server.realclient;

import dev.outpost.ot.rules.FilterScope;
import dev.outpost.ot.rules.RoleTemplate;
import dev.outpost.ot.rules.RuleJson;
import dev.outpost.ot.rules.RuleValues;
import dev.outpost.ot.rules.Rules;
import dev.outpost.server.config.AppConfig;
import dev.outpost.server.config.ServerConfig;
import dev.outpost.server.runtime.SyncServer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * MongoDB's own FLX client (realm-core 14.12, a forked JVM) with a live session while the app's permission rules
 * change: under an owner-only role it holds only its user's Items; the rules are reloaded to read-all
 * ({@code SyncService.reloadRules}, what SIGHUP and {@code outpost reload} end in) and, without a restart of the
 * client or a client reset, its realm then holds the other user's Items too (the server's error 200 makes it bind
 * again, its IDENT gets a bootstrap of the new view) and it keeps syncing (a new write uploads).
 */
@Timeout(400)
class RealClientRulesReloadIT
{
    private static final String APP = "reload-real-app";
    private static final String OWNER_ONLY = "[{\"name\": \"owner\", \"apply_when\": {}, \"document_filters\": " +
        "{\"read\": {\"owner_id\": \"%%user.id\"}, \"write\": {\"owner_id\": \"%%user.id\"}}, \"read\": true, " +
        "\"write\": true, \"insert\": true, \"delete\": true}]";
    private static final String READ_ALL_WRITE_OWN = "[{\"name\": \"reader\", \"apply_when\": {}, " +
        "\"document_filters\": {\"read\": true, \"write\": {\"owner_id\": \"%%user.id\"}}, \"read\": true, " +
        "\"write\": true, \"insert\": true, \"delete\": true}]";

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

    private static Rules itemRules(final String roles)
    {
        return new Rules.Builder(RuleValues.NONE)
            .roles("Item", RoleTemplate.parseAll(RuleJson.parse(roles), "roles",
                FilterScope.documents("Item", null, null, RuleValues.NONE)))
            .build();
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

    private static Map<String, String> as(final String email, final String... more)
    {
        final Map<String, String> p = new HashMap<>(Map.of("login", "email", "email", email, "password",
            "s3cret-pw"));
        for (int i = 0; i < more.length; i += 2)
        {
            p.put(more[i], more[i + 1]);
        }
        return p;
    }

    @Test
    void shouldBringTheOtherUsersItemsIntoALiveRealmWhenTheRulesChangeWithoutAClientReset() throws Exception
    {
        server = SyncServer.start(new ServerConfig(Map.of()).port(0).host("127.0.0.1").dataDir(dir.resolve("server"))
            .eventLoops(2).apps(List.of(new AppConfig(APP, null, false)
                .withUserPass(new AppConfig.UserPass(10_000, 5, Duration.ofMinutes(1)))
                .withRules(itemRules(OWNER_ONLY)))));
        final String ann = run("reg-ann", "login", as("ann@example.com", "register", "true")).getString("user_id");
        final String bob = run("reg-bob", "login", as("bob@example.com", "register", "true")).getString("user_id");
        assertThat(run("bob-w", "flx-roles", as("bob@example.com", "owner", bob, "prefix", "bob", "count", "2"))
            .getString("names")).isEqualTo("bob-0,bob-1");

        final Path signals = Files.createDirectories(dir.resolve("signals"));
        final CompletableFuture<RealClientProcess.Result> live = CompletableFuture.supplyAsync(() ->
        {
            try
            {
                return RealClientProcess.run(server.port(), APP, dir.resolve("ann-live"), "flx-roles-live",
                    as("ann@example.com", "owner", ann, "prefix", "ann", "count", "3", "expect", "5",
                        "signalDir", signals.toString()), Duration.ofSeconds(150));
            }
            catch (final Exception ex)
            {
                throw new IllegalStateException(ex);
            }
        });
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!Files.exists(signals.resolve("phase1.done")))
        {
            assertThat(live.isDone()).as("client ended early: %s", live.isDone() ? live.join().json() : "")
                .isFalse();
            assertThat(System.nanoTime()).isLessThan(deadline);
            Thread.sleep(20);
        }
        final long catchUps = server.sync(APP).flxCatchUps();

        assertThat(server.sync(APP).reloadRules(itemRules(READ_ALL_WRITE_OWN))).isTrue();
        Files.createFile(signals.resolve("go"));

        final RealClientProcess.Result result = live.get(150, TimeUnit.SECONDS);
        final JsonObject json = result.json();
        assertThat(json).as("log tail:\n%s", result.logTail()).isNotNull();
        assertThat(result.exitCode()).as("%s; log tail:\n%s", json, result.logTail()).isZero();
        assertThat(json.getString("names_before")).as("owner-only: her own").isEqualTo("ann-0,ann-1,ann-2");
        assertThat(json.getString("names_after")).as("read-all: bob's Items came into the live realm; %s", json)
            .isEqualTo("ann-0,ann-1,ann-2,bob-0,bob-1");
        assertThat(json.getString("names_final")).as("it keeps syncing")
            .isEqualTo("ann-0,ann-1,ann-2,ann-new,bob-0,bob-1");
        assertThat(json.getBoolean("client_reset")).as("no client reset; errors %s", json.getString("errors"))
            .isFalse();
        assertThat(json.getString("errors")).as("nothing fatal reported").doesNotContain("fatal=true");
        assertThat(server.sync(APP).flxCatchUps()).as("the view came as a bootstrap").isEqualTo(catchUps + 1);
        assertThat(server.sync(APP).errorsSent(200)).as("the live session was told to bind again").isEqualTo(1);
        assertThat(server.sync(APP).objectStateDump(dev.outpost.server.sync.SyncService.flxFileName(APP)))
            .contains("ann-new");
        assertThat(Files.readString(result.log())).as("realm-core saw the server's try-again error")
            .contains("the permission rules changed: bind again");
    }
}
