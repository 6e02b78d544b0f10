package dev.outpost.server.sync;

import dev.outpost.codec.changeset.Instr;
import dev.outpost.codec.message.MessageType;
import dev.outpost.ot.model.ChangesetReader;
import dev.outpost.ot.model.ChangesetWriter;
import dev.outpost.ot.model.CreateObject;
import dev.outpost.ot.model.Instruction;
import dev.outpost.ot.model.PrimaryKey;
import dev.outpost.ot.rules.FilterScope;
import dev.outpost.ot.rules.PartitionRules;
import dev.outpost.ot.rules.RoleTemplate;
import dev.outpost.ot.rules.RuleJson;
import dev.outpost.ot.rules.RuleValues;
import dev.outpost.ot.rules.Rules;
import dev.outpost.ot.state.ChangesetBuilder;
import dev.outpost.ot.state.Value;
import dev.outpost.server.config.AppConfig;
import dev.outpost.server.config.ServerConfig;
import dev.outpost.server.config.SyncSettings;
import dev.outpost.server.runtime.SyncServer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static dev.outpost.server.sync.SyncTestClient.Msg;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Custom user data (the {@code custom-user-data} setting): a {@code User} object of the app's synced data whose
 * {@code userId} is a user's id is that user's custom data; it is read at login and token refresh, carried in the
 * access token's {@code user_data} claim (what realm's client shows as {@code user.customData}) and seen by rules:
 * the Atlas pattern "admin role via custom user data" ({@code apply_when: {"%%user.custom_data.isAdmin": true}})
 * gives its user every object while another user stays owner-only.
 */
@Timeout(60)
class CustomUserDataIT
{
    private static final String APP = "customdata-app";
    private static final String BIND = "{\"schemaVersion\":0,\"sessionReason\":0}";
    private static final String ALL = "{\"Item\":\"(TRUEPREDICATE)\"}";
    private static final String ADMIN_OR_OWNER = "[{\"name\": \"admin\", \"apply_when\": " +
        "{\"%%user.custom_data.isAdmin\": true}, \"document_filters\": {\"read\": true, \"write\": true}, " +
        "\"read\": true, \"write\": true, \"insert\": true, \"delete\": true}, " +
        "{\"name\": \"owner\", \"apply_when\": {}, \"document_filters\": " +
        "{\"read\": {\"owner_id\": \"%%user.id\"}, \"write\": {\"owner_id\": \"%%user.id\"}}, \"read\": true, " +
        "\"write\": true, \"insert\": true, \"delete\": true}]";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    private SyncServer server;
    private final List<SyncTestClient> clients = new ArrayList<>();

    @AfterEach
    void stop()
    {
        clients.forEach(SyncTestClient::close);
        if (server != null)
        {
            server.close();
        }
    }

    private void startFlx() throws Exception
    {
        final Rules rules = new Rules.Builder(RuleValues.NONE)
            .roles("Item", RoleTemplate.parseAll(RuleJson.parse(ADMIN_OR_OWNER), "roles",
                FilterScope.documents("Item", null, null, RuleValues.NONE)))
            .build();
        server = SyncServer.start(new ServerConfig(Map.of()).port(0).host("127.0.0.1").dataDir(dir).eventLoops(2)
            .apps(List.of(new AppConfig(APP, null, true).withRules(rules)
                .withUserPass(new AppConfig.UserPass(AppConfig.UserPass.MIN_ITERATIONS, 10,
                    java.time.Duration.ofMinutes(15)))
                .withCustomUserData(new AppConfig.CustomUserData("User", "userId", null)))));
    }

    /** An anonymous login: the response's JSON (access_token, refresh_token, user_id). */
    private JsonObject login() throws Exception
    {
        final HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base() + "/app/" + APP +
                "/auth/providers/anon-user/login")).header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return new JsonObject(r.body());
    }

    /** Register {@code email} (first call) and log in: the response's JSON. */
    private JsonObject loginUserPass(final String email) throws Exception
    {
        final String credentials = new JsonObject().put("email", email).put("password", "secret-pw").encode();
        HTTP.send(HttpRequest.newBuilder(URI.create(base() + "/app/" + APP +
                "/auth/providers/local-userpass/register")).header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(credentials)).build(), HttpResponse.BodyHandlers.ofString());
        final HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base() + "/app/" + APP +
                "/auth/providers/local-userpass/login")).header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("username", email)
                .put("password", "secret-pw").encode())).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return new JsonObject(r.body());
    }

    /** @return a new access token of the refresh token's session (as the SDKs' refreshCustomData()). */
    private String refresh(final String refreshToken) throws Exception
    {
        final HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base() + "/auth/session"))
            .header("Authorization", "Bearer " + refreshToken).POST(HttpRequest.BodyPublishers.noBody()).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return new JsonObject(r.body()).getString("access_token");
    }

    private String base()
    {
        return "http://127.0.0.1:" + server.port() + "/api/client/v2.0";
    }

    private static JsonObject claims(final String token)
    {
        return new JsonObject(new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]),
            StandardCharsets.UTF_8));
    }

    /** Server-side writes (as {@code outpost import}): users' custom data documents and items. */
    private void write(final String file, final ChangesetBuilder b) throws Exception
    {
        server.sync().writeServerChangeset(file, new ChangesetWriter().toBytes(b.changeset()))
            .get(30, java.util.concurrent.TimeUnit.SECONDS);
    }

    private static void userDoc(final ChangesetBuilder b, final String oid, final String userId, final boolean admin)
    {
        final Value key = new Value.ObjectIdValue(HexFormat.of().parseHex(oid));
        b.addTable("User", Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_OBJECT_ID, false);
        b.addColumn("User", "userId", Instr.TYPE_STRING, false, Instr.COLLECTION_SINGLE, null, 0);
        b.addColumn("User", "isAdmin", Instr.TYPE_BOOL, false, Instr.COLLECTION_SINGLE, null, 0);
        b.createObject("User", key);
        b.update("User", key, "userId", new Object[0], Instr.TYPE_STRING, new Value.Str(userId), false, -1);
        b.update("User", key, "isAdmin", new Object[0], Instr.TYPE_BOOL, new Value.Bool(admin), false, -1);
    }

    private static void item(final ChangesetBuilder b, final long key, final String owner)
    {
        b.addTable("Item", Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_INT, false);
        b.addColumn("Item", "owner_id", Instr.TYPE_STRING, false, Instr.COLLECTION_SINGLE, null, 0);
        b.createObject("Item", new Value.Int(key));
        b.update("Item", new Value.Int(key), "owner_id", new Object[0], Instr.TYPE_STRING, new Value.Str(owner),
            false, -1);
    }

    /** The objects a new FLX client of {@code token} subscribed to every Item bootstraps. */
    private List<PrimaryKey> bootstrap(final String token) throws Exception
    {
        final SyncTestClient c = SyncTestClient.connect(server.port(), APP, token, true);
        clients.add(c);
        c.bind(1, BIND, true);
        final Msg ident = c.next();
        assertThat(ident.type()).as("%s %s", ident, ident.text()).isEqualTo(MessageType.SERVER_IDENT);
        c.identFlx(1, ident.get(0), ident.get(1), 0, 0, 0, 0, 1, ALL);
        c.mark(1, 1);
        final List<PrimaryKey> seen = new ArrayList<>();
        Msg m = c.next();
        while (m.type() == MessageType.DOWNLOAD)
        {
            for (final var e : m.entries())
            {
                for (final Instruction i : new ChangesetReader().read(e.changeset()).instructions())
                {
                    if (i instanceof CreateObject co)
                    {
                        seen.add(co.object());
                    }
                }
            }
            m = c.next();
        }
        assertThat(m.type()).as("%s %s", m, m.text()).isEqualTo(MessageType.SERVER_MARK);
        c.close();
        return seen;
    }

    @Test
    void shouldGiveTheAdminRoleThroughCustomUserDataAndCarryItInTheAccessToken() throws Exception
    {
        startFlx();
        final JsonObject alice = login();
        final JsonObject bob = login();
        assertThat(claims(alice.getString("access_token")).containsKey("user_data"))
            .as("no custom data document yet: no claim").isFalse();

        final String flx = SyncService.flxFileName(APP);
        final ChangesetBuilder data = new ChangesetBuilder();
        userDoc(data, "64b000000000000000000001", alice.getString("user_id"), true);
        userDoc(data, "64b000000000000000000002", bob.getString("user_id"), false);
        item(data, 1, alice.getString("user_id"));
        item(data, 2, bob.getString("user_id"));
        item(data, 3, "someone-else");
        write(flx, data);

        // the token alice logged in with predates her document: rules see no custom data, she is owner-only
        assertThat(bootstrap(alice.getString("access_token"))).containsExactly(PrimaryKey.ofInt(1));

        // a refresh (the SDKs' refreshCustomData()) reads it again: the token carries it, rules make her admin
        final String aliceAdmin = refresh(alice.getString("refresh_token"));
        final JsonObject userData = claims(aliceAdmin).getJsonObject("user_data");
        assertThat(userData.getBoolean("isAdmin")).isTrue();
        assertThat(userData.getString("userId")).isEqualTo(alice.getString("user_id"));
        assertThat(userData.getJsonObject("_id").getString("$oid")).isEqualTo("64b000000000000000000001");
        assertThat(bootstrap(aliceAdmin)).containsExactlyInAnyOrder(PrimaryKey.ofInt(1), PrimaryKey.ofInt(2),
            PrimaryKey.ofInt(3));

        // bob's document says isAdmin: false: owner-only, also after a refresh and a new login
        final String bobToken = refresh(bob.getString("refresh_token"));
        assertThat(claims(bobToken).getJsonObject("user_data").getBoolean("isAdmin")).isFalse();
        assertThat(bootstrap(bobToken)).containsExactly(PrimaryKey.ofInt(2));

        // a login reads it too: an email/password user logs in again after their document was written
        final JsonObject carol = loginUserPass("carol@example.com");
        final ChangesetBuilder carolData = new ChangesetBuilder();
        userDoc(carolData, "64b000000000000000000003", carol.getString("user_id"), true);
        write(flx, carolData);
        final JsonObject carolAgain = loginUserPass("carol@example.com");
        assertThat(claims(carolAgain.getString("access_token")).getJsonObject("user_data").getBoolean("isAdmin"))
            .isTrue();
        assertThat(bootstrap(carolAgain.getString("access_token"))).hasSize(3);
    }

    @Test
    void shouldLetPartitionPermissionsReadCustomUserDataFromTheConfiguredPartition() throws Exception
    {
        final Object rule = RuleJson.parse("{\"$or\": [{\"%%partition\": \"%%user.id\"}, " +
            "{\"%%user.custom_data.isAdmin\": true}]}");
        final Rules rules = new Rules.Builder(RuleValues.NONE)
            .partition(PartitionRules.parse(rule, rule, RuleValues.NONE)).build();
        final SyncSettings pbs = new SyncSettings(SyncSettings.Mode.PARTITION, true, true, List.of(), Map.of(),
            List.of(), List.of(), 0, false, "_partition", "string", Map.of());
        server = SyncServer.start(new ServerConfig(Map.of()).port(0).host("127.0.0.1").dataDir(dir).eventLoops(2)
            .apps(List.of(new AppConfig(APP, null, true, null, null, false, pbs, List.of()).withRules(rules)
                .withCustomUserData(new AppConfig.CustomUserData("User", "userId", "users")))));
        final JsonObject alice = login();
        final JsonObject bob = login();
        final ChangesetBuilder data = new ChangesetBuilder();
        userDoc(data, "64b000000000000000000001", alice.getString("user_id"), true);
        userDoc(data, "64b000000000000000000002", bob.getString("user_id"), false);
        write(SyncService.pbsFileName(APP, "\"users\""), data);

        final String aliceToken = refresh(alice.getString("refresh_token"));
        final String bobToken = refresh(bob.getString("refresh_token"));
        assertThat(claims(aliceToken).getJsonObject("user_data").getBoolean("isAdmin")).isTrue();

        // bob may not open alice's partition (206); alice, an admin by her custom data, may open bob's
        final SyncTestClient b = SyncTestClient.connect(server.port(), APP, bobToken, false);
        clients.add(b);
        b.bind(1, "\"" + alice.getString("user_id") + "\"", true);
        final Msg denied = b.next();
        assertThat(denied.type()).as("%s %s", denied, denied.text()).isEqualTo(MessageType.SERVER_JSON_ERROR);
        assertThat(denied.get(0)).isEqualTo(206);
        final SyncTestClient a = SyncTestClient.connect(server.port(), APP, aliceToken, false);
        clients.add(a);
        a.bind(1, "\"" + bob.getString("user_id") + "\"", true);
        final Msg ident = a.next();
        assertThat(ident.type()).as("%s %s", ident, ident.text()).isEqualTo(MessageType.SERVER_IDENT);
    }

    @Test
    void shouldRefuseATokenForCustomUserDataTooLargeToCarryWithATypedError() throws Exception
    {
        startFlx();
        final JsonObject carl = login();
        final ChangesetBuilder data = new ChangesetBuilder();
        userDoc(data, "64b000000000000000000004", carl.getString("user_id"), false);
        final Value key = new Value.ObjectIdValue(HexFormat.of().parseHex("64b000000000000000000004"));
        data.addColumn("User", "bio", Instr.TYPE_STRING, false, Instr.COLLECTION_SINGLE, null, 0);
        data.update("User", key, "bio", new Object[0], Instr.TYPE_STRING, new Value.Str("x".repeat(5000)), false,
            -1);
        write(SyncService.flxFileName(APP), data);

        final HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base() + "/auth/session"))
            .header("Authorization", "Bearer " + carl.getString("refresh_token"))
            .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(500);
        assertThat(new JsonObject(r.body()).getString("error")).contains("custom user data")
            .contains("larger than " + AppConfig.CustomUserData.MAX_BYTES + " bytes");
        assertThat(r.body()).doesNotContain("Exception").doesNotContain("java.");
        // the user's other tokens and everyone else are unaffected
        assertThat(bootstrap(carl.getString("access_token"))).isEmpty();
        assertThat(claims(refresh(login().getString("refresh_token"))).containsKey("user_data")).isFalse();
    }
}
