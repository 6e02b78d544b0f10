package dev.outpost.server.sync;

import dev.outpost.codec.changeset.Instr;
import dev.outpost.codec.message.MessageType;
import dev.outpost.ot.model.ChangesetReader;
import dev.outpost.ot.model.ChangesetWriter;
import dev.outpost.ot.model.CreateObject;
import dev.outpost.ot.model.Instruction;
import dev.outpost.ot.model.PrimaryKey;
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
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static dev.outpost.server.sync.SyncTestClient.Msg;
import static dev.outpost.server.sync.SyncTestClient.Up;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * FLX roles over the raw protocol: a session's view is its subscription AND its role's read filter (an owner-only
 * rule {@code {"owner_id": "%%user.id"}} with TRUEPREDICATE subscriptions: each user bootstraps and downloads only
 * their own objects), a write claiming another owner is undone with {@code json_error 231} and never reaches the
 * other user, and a class the role may not read is not in the view at all.
 */
@Timeout(60)
class FlxRolesIT
{
    private static final String APP = "flxroles-app";
    private static final String BIND = "{\"schemaVersion\":0,\"sessionReason\":0}";
    private static final String ALL = "{\"Item\":\"(TRUEPREDICATE)\",\"Secret\":\"(TRUEPREDICATE)\"}";
    private static final String OWNER_ONLY = "[{\"name\": \"owner\", \"apply_when\": {}, \"document_filters\": " +
        "{\"read\": {\"owner_id\": \"%%user.id\"}, \"write\": {\"owner_id\": \"%%user.id\"}}, \"read\": true, " +
        "\"write\": true, \"insert\": true, \"delete\": true}]";
    private static final String READ_ALL_WRITE_OWN = "[{\"name\": \"reader\", \"apply_when\": {}, " +
        "\"document_filters\": {\"read\": true, \"write\": {\"owner_id\": \"%%user.id\"}}, \"read\": true, " +
        "\"write\": true, \"insert\": true, \"delete\": true}]";
    private static final String NAME_ONLY = "[{\"name\": \"editor\", \"apply_when\": {}, " +
        "\"document_filters\": {\"read\": true, \"write\": true}, \"read\": true, \"write\": false, " +
        "\"insert\": false, \"delete\": false, \"fields\": {\"name\": {\"read\": true, \"write\": true}}}]";
    private static final String NOTHING = "[{\"name\": \"none\", \"apply_when\": {}, \"document_filters\": " +
        "{\"read\": false, \"write\": false}, \"read\": false, \"write\": false}]";

    @TempDir
    Path dir;

    private SyncServer server;
    private final List<SyncTestClient> clients = new ArrayList<>();
    private String flx;

    @AfterEach
    void stop()
    {
        clients.forEach(SyncTestClient::close);
        if (server != null)
        {
            server.close();
        }
    }

    private void start() throws Exception
    {
        start(OWNER_ONLY);
    }

    private void start(final String itemRoles) throws Exception
    {
        final Rules rules = new Rules.Builder(RuleValues.NONE)
            .roles("Item", RoleTemplate.parseAll(RuleJson.parse(itemRoles), "roles",
                FilterScope.documents("Item", null, null, RuleValues.NONE)))
            .roles("Secret", RoleTemplate.parseAll(RuleJson.parse(NOTHING), "roles",
                FilterScope.documents("Secret", null, null, RuleValues.NONE)))
            .build();
        server = SyncServer.start(new ServerConfig(Map.of()).port(0).host("127.0.0.1").dataDir(dir).eventLoops(2)
            .apps(List.of(new AppConfig(APP, null, true).withRules(rules))));
        flx = SyncService.flxFileName(APP);
    }

    /** A logged-in anonymous user: {token, user id}. */
    private String[] user() throws Exception
    {
        final String token = SyncTestClient.login(server.port(), APP);
        final String payload = new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]), StandardCharsets.UTF_8);
        return new String[] {token, new JsonObject(payload).getString("sub")};
    }

    /** A new FLX client file of {@code token} subscribed to {@code query} (version 1), downloaded to the head. */
    private SyncTestClient open(final String token, final String query, final List<Instruction> seen) throws Exception
    {
        final SyncTestClient c = SyncTestClient.connect(server.port(), APP, token, true);
        clients.add(c);
        c.bind(1, BIND, true);
        final Msg ident = c.next();
        assertThat(ident.type()).as("%s %s", ident, ident.text()).isEqualTo(MessageType.SERVER_IDENT);
        c.identFlx(1, ident.get(0), ident.get(1), 0, 0, 0, 0, 1, query);
        c.mark(1, 1);
        Msg m = c.next();
        while (m.type() == MessageType.DOWNLOAD)
        {
            seen.addAll(objects(m));
            m = c.next();
        }
        assertThat(m.type()).as("%s %s", m, m.text()).isEqualTo(MessageType.SERVER_MARK);
        return c;
    }

    private static List<Instruction> objects(final Msg download)
    {
        final List<Instruction> out = new ArrayList<>();
        for (final var e : download.entries())
        {
            try
            {
                new ChangesetReader().read(e.changeset()).instructions().stream().filter(i -> !i.isSchema())
                    .forEach(out::add);
            }
            catch (final dev.outpost.codec.CodecException ex)
            {
                throw new AssertionError("changeset does not parse", ex);
            }
        }
        return out;
    }

    private static List<PrimaryKey> created(final List<Instruction> is)
    {
        return is.stream().filter(i -> i instanceof CreateObject).map(i -> ((CreateObject)i).object()).toList();
    }

    private static void schema(final ChangesetBuilder b)
    {
        b.addTable("Item", Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_INT, false);
        b.addColumn("Item", "owner_id", Instr.TYPE_STRING, false, Instr.COLLECTION_SINGLE, null, 0);
        b.addColumn("Item", "name", Instr.TYPE_STRING, false, Instr.COLLECTION_SINGLE, null, 0);
        b.addTable("Secret", Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_INT, false);
        b.addColumn("Secret", "name", Instr.TYPE_STRING, false, Instr.COLLECTION_SINGLE, null, 0);
    }

    private static void item(final ChangesetBuilder b, final long key, final String owner, final String name)
    {
        b.createObject("Item", new Value.Int(key));
        b.update("Item", new Value.Int(key), "owner_id", new Object[0], Instr.TYPE_STRING, new Value.Str(owner),
            false, -1);
        b.update("Item", new Value.Int(key), "name", new Object[0], Instr.TYPE_STRING, new Value.Str(name), false,
            -1);
    }

    /** Upload one changeset as client version {@code cv} on session 1; @return the messages up to its acknowledgement. */
    private List<Msg> upload(final SyncTestClient c, final long cv, final ChangesetBuilder b) throws Exception
    {
        final long head = server.sync().head(flx);
        c.upload(1, cv, head, head, false, new Up(cv, head, new ChangesetWriter().toBytes(b.changeset())));
        final List<Msg> out = new ArrayList<>();
        while (true)
        {
            final Msg m = c.next();
            out.add(m);
            if (m.type() == MessageType.DOWNLOAD && m.get(4) == cv)
            {
                return out;
            }
        }
    }

    private static boolean has231(final List<Msg> ms)
    {
        return ms.stream().anyMatch(m -> m.type() == MessageType.SERVER_JSON_ERROR && m.get(0) == 231);
    }

    @Test
    void shouldServeEachUserOnlyTheirOwnObjectsAndRevertAWriteClaimingAnotherOwner() throws Exception
    {
        start();
        final String[] alice = user();
        final String[] bob = user();
        final List<Instruction> aliceSaw = new ArrayList<>();
        final SyncTestClient a = open(alice[0], ALL, aliceSaw);

        final ChangesetBuilder first = new ChangesetBuilder();
        schema(first);
        item(first, 1, alice[1], "alice-1");
        item(first, 2, alice[1], "alice-2");
        final List<Msg> ack1 = upload(a, 2, first);
        assertThat(has231(ack1)).as("own objects are allowed").isFalse();

        final List<Instruction> bobSaw = new ArrayList<>();
        final SyncTestClient b = open(bob[0], ALL, bobSaw);
        assertThat(created(bobSaw)).as("bob's bootstrap holds none of alice's objects").isEmpty();

        final ChangesetBuilder own = new ChangesetBuilder();
        schema(own);
        item(own, 3, bob[1], "bob-3");
        assertThat(has231(upload(b, 2, own))).isFalse();

        // bob claims alice as the owner of a new object: outside his view, undone with 231
        final ChangesetBuilder claim = new ChangesetBuilder();
        schema(claim);
        item(claim, 4, alice[1], "forged-by-bob");
        final List<Msg> ack = upload(b, 3, claim);
        final Msg cw = ack.stream().filter(m -> m.type() == MessageType.SERVER_JSON_ERROR).findFirst().orElseThrow();
        assertThat(cw.get(0)).as("%s %s", cw, cw.text()).isEqualTo(231);
        final JsonObject rejected = new JsonObject(cw.text()).getJsonArray("rejectedUpdates").getJsonObject(0);
        assertThat(rejected.getString("table")).isEqualTo("Item");
        assertThat(server.sync().objectStateDump(flx)).contains("alice-1").contains("bob-3")
            .doesNotContain("forged-by-bob");

        // a secret object: no role may read it, so no session gets it
        final ChangesetBuilder secret = new ChangesetBuilder();
        schema(secret);
        secret.createObject("Secret", new Value.Int(9));
        assertThat(has231(upload(a, 3, secret))).as("a class its role cannot read is outside the view").isTrue();

        // alice's live session: only her own objects ever came; a new alice client bootstraps exactly them
        a.mark(1, 2);
        Msg m = a.next();
        while (m.type() != MessageType.SERVER_MARK)
        {
            if (m.type() == MessageType.DOWNLOAD)
            {
                aliceSaw.addAll(objects(m));
            }
            m = a.next();
        }
        assertThat(created(aliceSaw)).doesNotContain(PrimaryKey.ofInt(3), PrimaryKey.ofInt(4));
        assertThat(aliceSaw.toString()).doesNotContain("bob-3").doesNotContain("forged-by-bob");
        final List<Instruction> alice2 = new ArrayList<>();
        open(alice[0], ALL, alice2);
        assertThat(created(alice2)).containsExactlyInAnyOrder(PrimaryKey.ofInt(1), PrimaryKey.ofInt(2));
        final List<Instruction> bob2 = new ArrayList<>();
        open(bob[0], ALL, bob2);
        assertThat(created(bob2)).containsExactly(PrimaryKey.ofInt(3));
        assertThat(bob2.toString()).doesNotContain("alice-1").doesNotContain("forged-by-bob");
    }

    private static Msg compensatingWrite(final List<Msg> ack)
    {
        return ack.stream().filter(m -> m.type() == MessageType.SERVER_JSON_ERROR && m.get(0) == 231).findFirst()
            .orElseThrow(() -> new AssertionError("no 231 in " + ack));
    }

    @Test
    void shouldGiveAtlasRoleReasonAndKeepItWhenThe231IsSentAgainAtIdent() throws Exception
    {
        start();
        final String[] alice = user();
        final String[] bob = user();
        final SyncTestClient first = SyncTestClient.connect(server.port(), APP, bob[0], true);
        clients.add(first);
        first.bind(1, BIND, true);
        final Msg ident = first.next();
        first.identFlx(1, ident.get(0), ident.get(1), 0, 0, 0, 0, 1, ALL);
        final ChangesetBuilder claim = new ChangesetBuilder();
        schema(claim);
        item(claim, 4, alice[1], "forged-by-bob");
        first.upload(1, 2, 0, 0, false, new Up(2, 0, new ChangesetWriter().toBytes(claim.changeset())));
        final Msg cw = first.next(MessageType.SERVER_JSON_ERROR);
        assertThat(cw.get(0)).as("%s %s", cw, cw.text()).isEqualTo(231);
        final String atlas = "write to 4 in table \"Item\" not allowed";
        assertThat(new JsonObject(cw.text()).getJsonArray("rejectedUpdates").getJsonObject(0).getString("reason"))
            .as("the role forbids it (it is in bob's TRUEPREDICATE query)").isEqualTo(atlas);
        final long v = new JsonObject(cw.text()).getLong("compensatingWriteServerVersion");
        Msg d;
        do
        {
            d = first.next(MessageType.DOWNLOAD);
        }
        while (d.get(0) < v);
        final long salt = d.get(3);
        first.close();

        // bob's client had not integrated the revert: its next session gets the 231 again, with the same reason
        final SyncTestClient second = SyncTestClient.connect(server.port(), APP, bob[0], true);
        clients.add(second);
        second.bind(2, BIND, false);
        second.identFlx(2, ident.get(0), ident.get(1), v - 1, 2, v, salt, 1, ALL);
        final Msg again = second.next();
        assertThat(again.type()).as("%s %s", again, again.text()).isEqualTo(MessageType.SERVER_JSON_ERROR);
        assertThat(again.get(0)).isEqualTo(231);
        final JsonObject body = new JsonObject(again.text());
        assertThat(body.getLong("compensatingWriteServerVersion")).isEqualTo(v);
        assertThat(body.getJsonArray("rejectedUpdates").getJsonObject(0).getString("reason")).isEqualTo(atlas);
    }

    @Test
    void shouldLetEveryoneReadButOnlyTheOwnerWrite() throws Exception
    {
        start(READ_ALL_WRITE_OWN);
        final String[] alice = user();
        final String[] bob = user();
        final SyncTestClient a = open(alice[0], ALL, new ArrayList<>());
        final ChangesetBuilder first = new ChangesetBuilder();
        schema(first);
        item(first, 1, alice[1], "alice-1");
        assertThat(has231(upload(a, 2, first))).isFalse();

        final List<Instruction> bobSaw = new ArrayList<>();
        final SyncTestClient b = open(bob[0], ALL, bobSaw);
        assertThat(created(bobSaw)).as("read-all: bob reads alice's object").containsExactly(PrimaryKey.ofInt(1));

        // bob updates alice's object: undone, the revert puts the server's values back on bob's client
        final ChangesetBuilder update = new ChangesetBuilder();
        update.update("Item", new Value.Int(1), "name", new Object[0], Instr.TYPE_STRING,
            new Value.Str("changed-by-bob"), false, -1);
        final List<Msg> ack = upload(b, 2, update);
        final Msg cw = compensatingWrite(ack);
        assertThat(new JsonObject(cw.text()).getJsonArray("rejectedUpdates").getJsonObject(0).getString("reason"))
            .isEqualTo("write to 1 in table \"Item\" not allowed");
        final List<Instruction> revert = new ArrayList<>();
        ack.stream().filter(m -> m.type() == MessageType.DOWNLOAD).forEach(m -> revert.addAll(objects(m)));
        assertThat(created(revert)).containsExactly(PrimaryKey.ofInt(1));
        assertThat(revert.toString()).contains("alice-1");

        // bob erases alice's object, and creates one claiming alice: both undone
        final ChangesetBuilder erase = new ChangesetBuilder();
        erase.eraseObject("Item", new Value.Int(1));
        compensatingWrite(upload(b, 3, erase));
        final ChangesetBuilder claim = new ChangesetBuilder();
        item(claim, 5, alice[1], "forged-by-bob");
        compensatingWrite(upload(b, 4, claim));
        // his own object is fine, and alice reads it
        final ChangesetBuilder own = new ChangesetBuilder();
        item(own, 6, bob[1], "bob-6");
        assertThat(has231(upload(b, 5, own))).isFalse();

        assertThat(server.sync().objectStateDump(flx)).contains("alice-1").contains("bob-6")
            .doesNotContain("changed-by-bob").doesNotContain("forged-by-bob");
        final List<Instruction> alice2 = new ArrayList<>();
        open(alice[0], ALL, alice2);
        assertThat(created(alice2)).containsExactlyInAnyOrder(PrimaryKey.ofInt(1), PrimaryKey.ofInt(6));
        assertThat(alice2.toString()).doesNotContain("changed-by-bob").doesNotContain("forged-by-bob");
        final List<Instruction> aliceLive = new ArrayList<>();
        a.mark(1, 2);
        Msg m = a.next();
        while (m.type() != MessageType.SERVER_MARK)
        {
            if (m.type() == MessageType.DOWNLOAD)
            {
                aliceLive.addAll(objects(m));
            }
            m = a.next();
        }
        assertThat(aliceLive.toString()).doesNotContain("changed-by-bob").doesNotContain("forged-by-bob");
        assertThat(aliceLive.stream().noneMatch(i -> i instanceof dev.outpost.ot.model.EraseObject)).isTrue();
    }

    @Test
    void shouldUndoAFieldWriteTheFieldRulesForbidAndACreateWithoutInsert() throws Exception
    {
        start(NAME_ONLY);
        final String[] alice = user();
        final SyncTestClient a = open(alice[0], ALL, new ArrayList<>());
        final ChangesetBuilder first = new ChangesetBuilder();
        schema(first);
        item(first, 1, alice[1], "alice-1");
        compensatingWrite(upload(a, 2, first)); // insert false: the schema stays, the object does not
        assertThat(server.sync().objectStateDump(flx)).doesNotContain("alice-1");
    }

    @Test
    void shouldAllowAWritableFieldAndUndoAReadOnlyOne() throws Exception
    {
        start(READ_ALL_WRITE_OWN);
        final String[] alice = user();
        final SyncTestClient a = open(alice[0], ALL, new ArrayList<>());
        final ChangesetBuilder first = new ChangesetBuilder();
        schema(first);
        item(first, 1, alice[1], "alice-1");
        assertThat(has231(upload(a, 2, first))).isFalse();
        stop();
        clients.clear();
        server = null;
        start(NAME_ONLY);
        final SyncTestClient e = open(user()[0], ALL, new ArrayList<>());
        final ChangesetBuilder name = new ChangesetBuilder();
        name.update("Item", new Value.Int(1), "name", new Object[0], Instr.TYPE_STRING, new Value.Str("renamed"),
            false, -1);
        assertThat(has231(upload(e, 2, name))).as("name is writable").isFalse();
        final ChangesetBuilder owner = new ChangesetBuilder();
        owner.update("Item", new Value.Int(1), "owner_id", new Object[0], Instr.TYPE_STRING,
            new Value.Str("someone-else"), false, -1);
        compensatingWrite(upload(e, 3, owner));
        assertThat(server.sync().objectStateDump(flx)).contains("renamed").contains(alice[1])
            .doesNotContain("someone-else");
    }
}
