package dev.outpost.server.realclient;

import dev.outpost.codec.changeset.Instr;
import dev.outpost.ot.model.ChangesetWriter;
import dev.outpost.ot.rules.FilterScope;
import dev.outpost.ot.rules.RoleTemplate;
import dev.outpost.ot.rules.RuleJson;
import dev.outpost.ot.rules.RuleValues;
import dev.outpost.ot.rules.Rules;
import dev.outpost.ot.state.ChangesetBuilder;
import dev.outpost.ot.state.Value;
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
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * MongoDB's own FLX client (realm-core 14.12, one forked JVM per client) under an owner-only role
 * {@code {"owner_id": "%%user.id"}} (read and write): two email/password users with TRUEPREDICATE subscriptions
 * each see only their own Items; a write of an Item claiming the other user as owner is reverted on the writer
 * with a compensating write (231, {@code RLM_ERR_SYNC_COMPENSATING_WRITE}, Atlas's reason
 * {@code write to ObjectID("<hex>") in table "Item" not allowed}) and never reaches the other user.
 */
@Timeout(400)
class RealClientFlxRolesIT
{
    private static final String APP = "roles-real-app";
    private static final String OWNER_ONLY = "[{\"name\": \"owner\", \"apply_when\": {}, \"document_filters\": " +
        "{\"read\": {\"owner_id\": \"%%user.id\"}, \"write\": {\"owner_id\": \"%%user.id\"}}, \"read\": true, " +
        "\"write\": true, \"insert\": true, \"delete\": true}]";

    private static final String ADMIN_OR_OWNER = "[{\"name\": \"admin\", \"apply_when\": " +
        "{\"%%user.custom_data.isAdmin\": true}, \"document_filters\": {\"read\": true, \"write\": true}, " +
        "\"read\": true, \"write\": true, \"insert\": true, \"delete\": true}, " + OWNER_ONLY.substring(1);

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
    void shouldShowEachUserOnlyTheirOwnItemsAndRevertAForgedOwner() throws Exception
    {
        final Rules rules = new Rules.Builder(RuleValues.NONE)
            .roles("Item", RoleTemplate.parseAll(RuleJson.parse(OWNER_ONLY), "roles",
                FilterScope.documents("Item", null, null, RuleValues.NONE)))
            .build();
        server = SyncServer.start(new ServerConfig(Map.of()).port(0).host("127.0.0.1").dataDir(dir.resolve("server"))
            .eventLoops(2).apps(List.of(new AppConfig(APP, null, false)
                .withUserPass(new AppConfig.UserPass(10_000, 5, Duration.ofMinutes(1))).withRules(rules))));

        final String ann = run("reg-ann", "login", as("ann@example.com", "register", "true")).getString("user_id");
        final String bob = run("reg-bob", "login", as("bob@example.com", "register", "true")).getString("user_id");
        assertThat(ann).isNotEqualTo(bob);

        final JsonObject annWrite = run("ann-w", "flx-roles", as("ann@example.com", "owner", ann, "prefix", "ann",
            "count", "3"));
        assertThat(annWrite.getString("names")).isEqualTo("ann-0,ann-1,ann-2");

        // bob writes his own, sees only his own (ann's are not in his view), then claims ann as an owner
        final JsonObject bobRun = run("bob-w", "flx-roles", as("bob@example.com", "owner", bob, "prefix", "bob",
            "count", "2", "forge", ann));
        assertThat(bobRun.getString("names")).as("only his own; %s", bobRun).isEqualTo("bob-0,bob-1");
        assertThat(bobRun.getBoolean("forged_written")).isTrue();
        assertThat(bobRun.getString("error_code")).isEqualTo("RLM_ERR_SYNC_COMPENSATING_WRITE");
        assertThat(bobRun.getBoolean("fatal")).as("a warning: the session goes on").isFalse();
        assertThat(bobRun.getInteger("compensating_writes")).isEqualTo(1);
        assertThat(bobRun.getString("cw_object")).isEqualTo("Item");
        assertThat(bobRun.getBoolean("cw_pk_matches")).as("the forged Item's id; %s", bobRun).isTrue();
        assertThat(bobRun.getString("cw_reason")).as("Atlas's role reason")
            .isEqualTo("write to ObjectID(\"" + bobRun.getString("forged_id") + "\") in table \"Item\" not allowed");
        assertThat(bobRun.getString("names_after")).as("the forged Item is reverted on bob")
            .isEqualTo("bob-0,bob-1");
        assertThat(bobRun.getInteger("more_errors")).isZero();

        // ann, on a fresh client file, holds exactly her own Items: the forged one never reached her
        final JsonObject annRead = run("ann-r", "flx-roles", as("ann@example.com", "expect", "3"));
        assertThat(annRead.getString("names")).isEqualTo("ann-0,ann-1,ann-2");
        assertThat(annRead.getInteger("more_errors")).isZero();

        assertThat(server.sync(APP).objectStateDump(SyncService.flxFileName(APP))).doesNotContain("forged")
            .contains("ann-0", "bob-0");
        assertThat(server.sync(APP).compensatingWrites()).isEqualTo(1);
    }

    @Test
    void shouldShowCustomUserDataAsUserCustomDataAndMakeItsAdminReadEveryItem() throws Exception
    {
        final Rules rules = new Rules.Builder(RuleValues.NONE)
            .roles("Item", RoleTemplate.parseAll(RuleJson.parse(ADMIN_OR_OWNER), "roles",
                FilterScope.documents("Item", null, null, RuleValues.NONE)))
            .build();
        server = SyncServer.start(new ServerConfig(Map.of()).port(0).host("127.0.0.1").dataDir(dir.resolve("server"))
            .eventLoops(2).apps(List.of(new AppConfig(APP, null, false)
                .withUserPass(new AppConfig.UserPass(10_000, 5, Duration.ofMinutes(1))).withRules(rules)
                .withCustomUserData(new AppConfig.CustomUserData("User", "userId", null)))));

        final String ann = run("reg-ann", "login", as("ann@example.com", "register", "true")).getString("user_id");
        final String bob = run("reg-bob", "login", as("bob@example.com", "register", "true")).getString("user_id");
        run("ann-w", "flx-roles", as("ann@example.com", "owner", ann, "prefix", "ann", "count", "2"));
        run("bob-w", "flx-roles", as("bob@example.com", "owner", bob, "prefix", "bob", "count", "1"));

        // the custom data documents, written on the server (as an import would): ann is an admin, bob is not
        final ChangesetBuilder users = new ChangesetBuilder();
        users.addTable("User", Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_OBJECT_ID, false);
        users.addColumn("User", "userId", Instr.TYPE_STRING, false, Instr.COLLECTION_SINGLE, null, 0);
        users.addColumn("User", "isAdmin", Instr.TYPE_BOOL, false, Instr.COLLECTION_SINGLE, null, 0);
        int n = 1;
        for (final String[] u : new String[][] {{ann, "true"}, {bob, "false"}})
        {
            final Value key = new Value.ObjectIdValue(HexFormat.of().parseHex("64b00000000000000000000" + n++));
            users.createObject("User", key);
            users.update("User", key, "userId", new Object[0], Instr.TYPE_STRING, new Value.Str(u[0]), false, -1);
            users.update("User", key, "isAdmin", new Object[0], Instr.TYPE_BOOL,
                new Value.Bool(Boolean.parseBoolean(u[1])), false, -1);
        }
        server.sync(APP).writeServerChangeset(SyncService.flxFileName(APP),
            new ChangesetWriter().toBytes(users.changeset())).get(30, TimeUnit.SECONDS);

        final JsonObject annRun = run("ann-cd", "flx-custom-data", as("ann@example.com", "expect", "3"));
        final JsonObject annData = new JsonObject(annRun.getString("custom_data"));
        assertThat(annData.getBoolean("isAdmin")).as("user.customData after login; %s", annRun).isTrue();
        assertThat(annData.getString("userId")).isEqualTo(ann);
        assertThat(new JsonObject(annRun.getString("custom_data_refreshed"))).as("after refreshCustomData()")
            .isEqualTo(annData);
        assertThat(annRun.getString("names")).as("the admin role reads every Item").isEqualTo("ann-0,ann-1,bob-0");
        assertThat(annRun.getInteger("more_errors")).isZero();

        final JsonObject bobRun = run("bob-cd", "flx-custom-data", as("bob@example.com", "expect", "1"));
        assertThat(new JsonObject(bobRun.getString("custom_data")).getBoolean("isAdmin")).isFalse();
        assertThat(bobRun.getString("names")).as("owner-only").isEqualTo("bob-0");
    }
}
