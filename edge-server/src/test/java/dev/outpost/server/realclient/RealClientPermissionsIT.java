package dev.outpost.server.realclient;

import dev.outpost.ot.rules.PartitionRules;
import dev.outpost.ot.rules.RuleJson;
import dev.outpost.ot.rules.RuleValues;
import dev.outpost.ot.rules.Rules;
import dev.outpost.server.config.AppConfig;
import dev.outpost.server.config.ServerConfig;
import dev.outpost.server.runtime.SyncServer;
import dev.outpost.server.sync.SyncService;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * MongoDB's own client (realm-core 14.12.0, one forked JVM per client) under PBS partition permissions
 * {@code {"%%partition": "%%user.id"}}: two email/password users each sync their own partition; a user cannot open
 * the other's partition (its client reports SyncPermissionDenied), and under read-all/write-own cannot write it
 * (the write is refused, nothing stored); the other user's data is all there and syncs on.
 */
@Timeout(400)
class RealClientPermissionsIT
{
    private static final String OWN = "{\"%%partition\": \"%%user.id\"}";

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

    private static AppConfig app(final String id, final Object read, final Object write)
    {
        return new AppConfig(id, null, false).withUserPass(new AppConfig.UserPass(10_000, 5, Duration.ofMinutes(1)))
            .withRules(new Rules.Builder(RuleValues.NONE).partition(PartitionRules.parse(read, write,
                RuleValues.NONE)).build());
    }

    private JsonObject run(final String app, final String clientDir, final String scenario,
        final Map<String, String> params) throws Exception
    {
        final RealClientProcess.Result run = RealClientProcess.run(server.port(), app, dir.resolve(clientDir),
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

    private String register(final String app, final String email) throws Exception
    {
        return run(app, "reg-" + app + "-" + email, "login", as(email, "register", "true")).getString("user_id");
    }

    @Test
    void shouldKeepEachUserInItsOwnPartition() throws Exception
    {
        server = SyncServer.start(new ServerConfig(Map.of()).port(0).host("127.0.0.1").dataDir(dir.resolve("server"))
            .eventLoops(2).apps(List.of(app("own", RuleJson.parse(OWN), RuleJson.parse(OWN)),
                app("readall", true, RuleJson.parse(OWN)))));

        final String ann = register("own", "ann@example.com");
        final String bob = register("own", "bob@example.com");
        final String annP = "\"" + ann + "\"";
        final String bobP = "\"" + bob + "\"";
        assertThat(run("own", "ann-w", "pbs-write", as("ann@example.com", "partition", annP, "count", "5",
            "prefix", "ann")).getInteger("count")).isEqualTo(5);
        assertThat(run("own", "bob-w", "pbs-write", as("bob@example.com", "partition", bobP, "count", "3",
            "prefix", "bob")).getInteger("count")).isEqualTo(3);

        // bob opens ann's partition: refused at BIND, reported by his client
        final JsonObject denied = run("own", "bob-x", "pbs-denied", as("bob@example.com", "partition", annP));
        assertThat(denied.getString("error_code")).isEqualTo("RLM_ERR_SYNC_PERMISSION_DENIED");
        assertThat(denied.getString("error_message")).contains("may not read partition");
        assertThat(denied.getBoolean("client_reset_requested")).isFalse();

        // nothing of ann's is lost, and her partition still syncs at once
        final JsonObject annRead = run("own", "ann-r", "pbs-read", as("ann@example.com", "partition", annP,
            "expect", "5"));
        assertThat(annRead.getInteger("count")).isEqualTo(5);
        assertThat(annRead.getJsonArray("names").getList()).allMatch(n -> String.valueOf(n).startsWith("ann"));
        assertThat(server.sync("own").serverFiles()).as("the refused BIND created no file").isEqualTo(2);

        // read-all / write-own: bob may download ann's partition but his write is refused and not stored
        final String ann2 = register("readall", "ann@example.com");
        register("readall", "bob@example.com");
        final String ann2P = "\"" + ann2 + "\"";
        run("readall", "ann2-w", "pbs-write", as("ann@example.com", "partition", ann2P, "count", "4",
            "prefix", "ann"));
        final JsonObject writeDenied = run("readall", "bob2-x", "pbs-denied", as("bob@example.com",
            "partition", ann2P, "write", "2", "prefix", "bob"));
        assertThat(writeDenied.getInteger("count_before")).as("he could read it").isEqualTo(4);
        assertThat(writeDenied.getString("error_code")).isEqualTo("RLM_ERR_SYNC_PERMISSION_DENIED");
        assertThat(writeDenied.getString("error_message")).contains("may not write partition");
        assertThat(server.sync("readall").objectStateDump(SyncService.pbsFileName("readall", ann2P)))
            .doesNotContain("bob");
        final JsonObject ann2Read = run("readall", "ann2-r", "pbs-read", as("ann@example.com", "partition", ann2P,
            "expect", "4"));
        assertThat(ann2Read.getInteger("count")).isEqualTo(4);
    }
}
