package dev.outpost.server.sync;

import dev.outpost.codec.changeset.Instr;
import dev.outpost.codec.message.MessageType;
import dev.outpost.ot.model.ChangesetReader;
import dev.outpost.ot.model.ChangesetWriter;
import dev.outpost.ot.model.CreateObject;
import dev.outpost.ot.model.EraseObject;
import dev.outpost.ot.model.Instruction;
import dev.outpost.ot.model.PrimaryKey;
import dev.outpost.ot.state.ChangesetBuilder;
import dev.outpost.ot.state.Value;
import dev.outpost.server.config.ServerConfig;
import dev.outpost.server.runtime.OutpostApps;
import dev.outpost.server.runtime.SyncServer;
import dev.outpost.server.sync.wire.ErrorBodies;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static dev.outpost.server.sync.SyncTestClient.Msg;
import static dev.outpost.server.sync.SyncTestClient.Up;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Permission rules reloaded while the server runs ({@link OutpostApps#reloadRules()}, what SIGHUP and
 * {@code outpost reload} run) and changed across a restart, over the raw protocol: live FLX sessions whose view
 * changed get {@code error 200} (try again) and, when they bind again, a bootstrap of the new view (objects they may
 * now read added, those they may no longer read erased), without a client reset; identical rules change nothing;
 * rules that cannot be honoured leave the rules in force; a live PBS session that lost read gets 206.
 */
@Timeout(90)
class RulesReloadIT
{
    private static final String APP = "reload-app";
    private static final String BIND = "{\"schemaVersion\":0,\"sessionReason\":0}";
    private static final String ALL = "{\"Item\":\"(TRUEPREDICATE)\"}";
    private static final String OWNER_ONLY = "[{\"name\": \"owner\", \"apply_when\": {}, \"document_filters\": " +
        "{\"read\": {\"owner_id\": \"%%user.id\"}, \"write\": {\"owner_id\": \"%%user.id\"}}, \"read\": true, " +
        "\"write\": true, \"insert\": true, \"delete\": true}]";
    private static final String READ_ALL_WRITE_OWN = "[{\"name\": \"reader\", \"apply_when\": {}, " +
        "\"document_filters\": {\"read\": true, \"write\": {\"owner_id\": \"%%user.id\"}}, \"read\": true, " +
        "\"write\": true, \"insert\": true, \"delete\": true}]";
    /** Not sync-compatible: a role key Device Sync does not know. */
    private static final String BAD = "[{\"name\": \"bad\", \"apply_when\": {}, \"no_such_key\": true}]";

    @TempDir
    Path dir;

    private SyncServer server;
    private final List<SyncTestClient> clients = new ArrayList<>();
    private String flx;
    private Path configFile;

    @AfterEach
    void stop()
    {
        clients.forEach(SyncTestClient::close);
        clients.clear();
        if (server != null)
        {
            server.close();
            server = null;
        }
    }

    /** Write the config file: one app whose Item class has {@code itemRoles}, or PBS partition permissions. */
    private void rules(final String rulesJson) throws Exception
    {
        configFile = dir.resolve("outpost.json");
        Files.writeString(configFile, "{\"apps\": [{\"id\": \"" + APP + "\", \"rules\": " + rulesJson + "}]}");
    }

    private static String itemRoles(final String roles)
    {
        return "{\"classes\": {\"Item\": {\"roles\": " + roles + "}}}";
    }

    private static String partitionRules(final String read, final String write)
    {
        return "{\"partition\": {\"read\": " + read + ", \"write\": " + write + "}}";
    }

    private void start() throws Exception
    {
        server = SyncServer.start(new ServerConfig(configFile, Map.of()).port(0).host("127.0.0.1")
            .dataDir(dir.resolve("data")).eventLoops(2));
        flx = SyncService.flxFileName(APP);
    }

    private OutpostApps.RulesReload reload(final String rulesJson) throws Exception
    {
        rules(rulesJson);
        return server.http().apps().reloadRules();
    }

    /** A logged-in anonymous user: {token, user id}. */
    private String[] user() throws Exception
    {
        final String token = SyncTestClient.login(server.port(), APP);
        final String payload = new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]), StandardCharsets.UTF_8);
        return new String[] {token, new JsonObject(payload).getString("sub")};
    }

    /** One FLX client file as the client keeps it: its ident and salt and its download cursor. */
    private final class Client
    {
        final String token;
        SyncTestClient c;
        long session = 1;
        long fileIdent;
        long fileSalt;
        long dlServer;
        long dlClient;
        long latest;
        long latestSalt;
        long clientVersion = 1;
        long mark = 1;
        /** Every object instruction downloaded so far. */
        final List<Instruction> seen = new ArrayList<>();

        Client(final String token)
        {
            this.token = token;
        }

        /** New client file, subscribed to every Item, downloaded to the head. */
        Client open() throws Exception
        {
            c = SyncTestClient.connect(server.port(), APP, token, true);
            clients.add(c);
            c.bind(session, BIND, true);
            final Msg ident = c.next();
            assertThat(ident.type()).as("%s %s", ident, ident.text()).isEqualTo(MessageType.SERVER_IDENT);
            fileIdent = ident.get(0);
            fileSalt = ident.get(1);
            c.identFlx(session, fileIdent, fileSalt, 0, 0, 0, 0, 1, ALL);
            return sync();
        }

        /** The client file bound again in a new session (after an error 200, or on a new connection). */
        Client rebind(final boolean newConnection) throws Exception
        {
            if (newConnection)
            {
                c = SyncTestClient.connect(server.port(), APP, token, true);
                clients.add(c);
            }
            else
            {
                c.unbind(session);
            }
            session++;
            c.bind(session, BIND, false);
            c.identFlx(session, fileIdent, fileSalt, dlServer, dlClient, latest, latestSalt, 1, ALL);
            return this;
        }

        /** MARK, and take every message up to its answer. @return the messages before the MARK's answer. */
        List<Msg> syncMessages() throws Exception
        {
            c.mark(session, ++mark);
            final List<Msg> before = new ArrayList<>();
            while (true)
            {
                final Msg m = c.next();
                if (m.type() == MessageType.SERVER_MARK && m.get(0) == mark)
                {
                    return before;
                }
                take(m);
                before.add(m);
            }
        }

        Client sync() throws Exception
        {
            final List<Msg> before = syncMessages();
            assertThat(before).as("no error").noneMatch(m -> m.type() == MessageType.SERVER_JSON_ERROR);
            return this;
        }

        void take(final Msg m)
        {
            if (m.type() == MessageType.DOWNLOAD && m.session() == session)
            {
                seen.addAll(objects(m));
                dlServer = m.get(0);
                dlClient = m.get(1);
                latest = m.get(2);
                latestSalt = m.get(3);
            }
        }

        /** Upload one changeset and wait for its acknowledgement. */
        void upload(final ChangesetBuilder b) throws Exception
        {
            final long cv = ++clientVersion;
            c.upload(session, cv, dlServer, dlServer, false, new Up(cv, dlServer,
                new ChangesetWriter().toBytes(b.changeset())));
            b.changeset().instructions().stream().filter(i -> !i.isSchema()).forEach(seen::add); // not echoed
            while (true)
            {
                final Msg m = c.next();
                assertThat(m.type()).as("%s %s", m, m.text()).isNotEqualTo(MessageType.SERVER_JSON_ERROR);
                take(m);
                if (m.type() == MessageType.DOWNLOAD && m.get(4) == cv)
                {
                    return;
                }
            }
        }

        /** @return the live session's next message, which must be error 200 (try again, no client reset). */
        void expectRebind() throws Exception
        {
            Msg m = c.next();
            while (m.type() == MessageType.DOWNLOAD)
            {
                take(m);
                m = c.next();
            }
            assertThat(m.type()).as("%s %s", m, m.text()).isEqualTo(MessageType.SERVER_JSON_ERROR);
            assertThat(m.get(0)).isEqualTo(200);
            assertThat(m.session()).isEqualTo(session);
            final JsonObject body = new JsonObject(m.text());
            assertThat(body.getBoolean("tryAgain")).isTrue();
            assertThat(body.getString("action")).isEqualTo(ErrorBodies.TRANSIENT).isNotEqualTo(ErrorBodies.CLIENT_RESET);
            assertThat(body.getString("message")).contains("permission rules changed");
        }

        /** Objects created minus objects erased, in the order seen. */
        List<PrimaryKey> holds()
        {
            final java.util.LinkedHashSet<PrimaryKey> held = new java.util.LinkedHashSet<>();
            for (final Instruction i : seen)
            {
                if (i instanceof CreateObject co && "Item".equals(co.table()))
                {
                    held.add(co.object());
                }
                else if (i instanceof EraseObject e && "Item".equals(e.table()))
                {
                    held.remove(e.object());
                }
            }
            return new ArrayList<>(held);
        }
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

    private static ChangesetBuilder items(final String owner, final long... keys)
    {
        final ChangesetBuilder b = new ChangesetBuilder();
        b.addTable("Item", Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_INT, false);
        b.addColumn("Item", "owner_id", Instr.TYPE_STRING, false, Instr.COLLECTION_SINGLE, null, 0);
        b.addColumn("Item", "name", Instr.TYPE_STRING, false, Instr.COLLECTION_SINGLE, null, 0);
        for (final long key : keys)
        {
            b.createObject("Item", new Value.Int(key));
            b.update("Item", new Value.Int(key), "owner_id", new Object[0], Instr.TYPE_STRING, new Value.Str(owner),
                false, -1);
            b.update("Item", new Value.Int(key), "name", new Object[0], Instr.TYPE_STRING,
                new Value.Str("item-" + key), false, -1);
        }
        return b;
    }

    private static PrimaryKey key(final long k)
    {
        return PrimaryKey.ofInt(k);
    }

    /** Alice (items 1, 2) and Bob (item 3) under owner-only rules, each live and synced. */
    private Client[] aliceAndBob() throws Exception
    {
        final String[] aliceUser = user();
        final String[] bobUser = user();
        final Client alice = new Client(aliceUser[0]).open();
        alice.upload(items(aliceUser[1], 1, 2));
        final Client bob = new Client(bobUser[0]).open();
        bob.upload(items(bobUser[1], 3));
        alice.sync();
        assertThat(alice.holds()).containsExactly(key(1), key(2));
        assertThat(bob.holds()).containsExactly(key(3));
        return new Client[] {alice, bob};
    }

    @Test
    void shouldRebootstrapLiveSessionsWhoseViewChangedAndDoNothingForIdenticalOrBadRules() throws Exception
    {
        rules(itemRoles(OWNER_ONLY));
        start();
        final Client[] ab = aliceAndBob();
        final Client alice = ab[0];
        final Client bob = ab[1];
        final long catchUps = server.sync().flxCatchUps();

        // read-all: each live session is told to bind again; its IDENT gets the other's objects in a bootstrap
        final OutpostApps.RulesReload toReadAll = reload(itemRoles(READ_ALL_WRITE_OWN));
        assertThat(toReadAll.ok()).as("%s", toReadAll).isTrue();
        assertThat(toReadAll.changed()).containsExactly(APP);
        alice.expectRebind();
        bob.expectRebind();
        alice.rebind(false).sync();
        bob.rebind(false).sync();
        assertThat(alice.holds()).containsExactlyInAnyOrder(key(1), key(2), key(3));
        assertThat(bob.holds()).containsExactlyInAnyOrder(key(1), key(2), key(3));
        assertThat(server.sync().flxCatchUps()).as("one bootstrap per client").isEqualTo(catchUps + 2);

        // the sessions keep syncing: bob's new object reaches alice as a plain download
        bob.upload(items(new JsonObject(new String(Base64.getUrlDecoder().decode(bob.token.split("\\.")[1]),
            StandardCharsets.UTF_8)).getString("sub"), 4));
        alice.sync();
        assertThat(alice.holds()).contains(key(4));

        // back to owner-only: the bootstraps erase what each may no longer read
        assertThat(reload(itemRoles(OWNER_ONLY)).changed()).containsExactly(APP);
        alice.expectRebind();
        bob.expectRebind();
        alice.rebind(false).sync();
        bob.rebind(false).sync();
        assertThat(alice.holds()).containsExactlyInAnyOrder(key(1), key(2));
        assertThat(bob.holds()).containsExactlyInAnyOrder(key(3), key(4));

        // identical rules (keys in another order, other spacing): nothing at all
        final long epoch = server.sync().rulesEpoch();
        final long head = server.sync().head(flx);
        rules("{\"classes\":{\"Item\":{\"roles\":[{\"document_filters\":{\"write\":{\"owner_id\":\"%%user.id\"}," +
            "\"read\":{\"owner_id\":\"%%user.id\"}},\"name\":\"owner\",\"apply_when\":{},\"read\":true," +
            "\"write\":true,\"insert\":true,\"delete\":true}]}}}");
        final OutpostApps.RulesReload same = server.http().apps().reloadRules();
        assertThat(same.changed()).isEmpty();
        assertThat(same.unchanged()).containsExactly(APP);
        assertThat(alice.syncMessages()).as("nothing sent to alice").isEmpty();
        assertThat(bob.syncMessages()).as("nothing sent to bob").isEmpty();
        assertThat(server.sync().head(flx)).isEqualTo(head);
        assertThat(server.sync().rulesEpoch()).isEqualTo(epoch);

        // rules that cannot be honoured: the rules in force stay, nobody hears anything
        final OutpostApps.RulesReload bad = reload(itemRoles(BAD));
        assertThat(bad.ok()).isFalse();
        assertThat(bad.failure()).contains("outpost.json").contains("no_such_key");
        assertThat(alice.syncMessages()).isEmpty();
        assertThat(bob.syncMessages()).isEmpty();
        final Client aliceAgain = new Client(alice.token).open();
        assertThat(aliceAgain.holds()).as("owner-only still in force").containsExactlyInAnyOrder(key(1), key(2));
        assertThat(server.http().metrics().registry().get("outpost.rules.reloads").tag("result", "failed")
            .counter().count()).isEqualTo(1.0);
        assertThat(server.http().metrics().registry().get("outpost.rules.reloads").tag("result", "applied")
            .counter().count()).isEqualTo(2.0);
        assertThat(server.http().metrics().registry().get("outpost.rules.reloads").tag("result", "unchanged")
            .counter().count()).isEqualTo(1.0);
    }

    @Test
    void shouldBootstrapAClientThatSyncedUnderOtherRulesAtItsFirstIdentAfterARestartOnce() throws Exception
    {
        rules(itemRoles(OWNER_ONLY));
        start();
        final Client[] ab = aliceAndBob();
        final Client alice = ab[0];
        stop();

        // restart with the same rules: nothing
        start();
        alice.rebind(true).sync();
        assertThat(alice.holds()).containsExactly(key(1), key(2));
        final long catchUps = server.sync().flxCatchUps();
        assertThat(catchUps).isZero();
        stop();

        // restart with read-all: alice's first IDENT bootstraps bob's object into her view
        rules(itemRoles(READ_ALL_WRITE_OWN));
        start();
        alice.rebind(true).sync();
        assertThat(alice.holds()).containsExactlyInAnyOrder(key(1), key(2), key(3));
        assertThat(server.sync().flxCatchUps()).isEqualTo(1);
        // once: her next IDENT just resumes
        alice.rebind(true).sync();
        assertThat(server.sync().flxCatchUps()).isEqualTo(1);
        stop();

        // restart with owner-only again: bob's object leaves her view at her first IDENT
        rules(itemRoles(OWNER_ONLY));
        start();
        alice.rebind(true).sync();
        assertThat(alice.holds()).containsExactlyInAnyOrder(key(1), key(2));
        assertThat(Files.exists(dir.resolve("data").resolve(ServerConfig.APPS_DIR).resolve(APP)
            .resolve(RulesEpoch.FILE))).isTrue();
    }

    @Test
    void shouldRefuseALivePbsSessionThatLostReadAndTheNextWriteOfOneThatLostWrite() throws Exception
    {
        rules(partitionRules("true", "true"));
        start();
        final String[] alice = user();
        final SyncTestClient a = SyncTestClient.connect(server.port(), APP, alice[0], false);
        clients.add(a);
        final String own = "\"" + alice[1] + "\"";
        final String shared = "\"shared\"";
        for (final long session : new long[] {1, 2})
        {
            a.bind(session, session == 1 ? own : shared, true);
            final Msg ident = a.next(MessageType.SERVER_IDENT);
            assertThat(ident.type()).as("%s %s", ident, ident.text()).isEqualTo(MessageType.SERVER_IDENT);
            a.ident(session, ident.get(0), ident.get(1), 0, 0, 0, 0);
        }

        // read only one's own partition, write nothing: the shared session gets 206 at once, the own one stays
        assertThat(reload(partitionRules("{\"%%partition\": \"%%user.id\"}", "false")).changed())
            .containsExactly(APP);
        final Msg denied = a.next(MessageType.SERVER_JSON_ERROR);
        assertThat(denied.get(0)).as("%s %s", denied, denied.text()).isEqualTo(206);
        assertThat(denied.session()).isEqualTo(2);
        assertThat(new JsonObject(denied.text()).getString("message")).contains("may not read partition");
        a.mark(1, 5);
        Msg mark = a.next();
        while (mark.type() == MessageType.DOWNLOAD)
        {
            mark = a.next();
        }
        assertThat(mark.type()).as("the own session goes on: %s %s", mark, mark.text())
            .isEqualTo(MessageType.SERVER_MARK);
        assertThat(mark.session()).isEqualTo(1);

        // the own session lost write: its next upload with changesets is refused, nothing stored
        a.upload(1, 2, 0, 0, false, new Up(2, 0, Changesets.objects("Item", 1, 1, "alice")));
        final Msg refused = a.next(MessageType.SERVER_JSON_ERROR);
        assertThat(refused.get(0)).isEqualTo(206);
        assertThat(new JsonObject(refused.text()).getString("message")).contains("may not write partition");
        assertThat(server.sync().head(SyncService.pbsFileName(APP, own))).isLessThanOrEqualTo(0);
    }
}
