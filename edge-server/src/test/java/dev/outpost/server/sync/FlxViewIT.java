package dev.outpost.server.sync;

import dev.outpost.codec.changeset.Instr;
import dev.outpost.codec.message.MessageType;
import dev.outpost.ot.model.ChangesetReader;
import dev.outpost.ot.model.ChangesetWriter;
import dev.outpost.ot.model.CreateObject;
import dev.outpost.ot.model.EraseObject;
import dev.outpost.ot.model.Instruction;
import dev.outpost.ot.model.PrimaryKey;
import dev.outpost.ot.model.Update;
import dev.outpost.ot.state.ChangesetBuilder;
import dev.outpost.ot.state.Value;
import dev.outpost.server.config.SyncSettings;
import dev.outpost.server.runtime.SyncServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.outpost.server.sync.SyncTestClient.Msg;
import static dev.outpost.server.sync.SyncTestClient.Up;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * FLX subscriptions with real queries, with raw FLX clients: a bootstrap holds exactly the view (and erases what
 * left it), a refused query gets query_error 226 and the previous view stays in force, objects enter (CreateObject
 * with their full state) and leave (EraseObject) a view when another client changes a queried field, a session
 * whose view cannot follow the history it missed catches up with a bootstrap, and queryable fields are enforced.
 */
@Timeout(60)
class FlxViewIT
{
    private static final String APP = "flxview-app";
    private static final String BIND = "{\"schemaVersion\":0,\"sessionReason\":0}";

    @TempDir
    Path dir;

    private final SyncTestServer fixture = new SyncTestServer(APP);
    private SyncServer server;
    private final String flx = SyncService.flxFileName(APP);
    /** The last part of the last bootstrap read (its cursors). */
    private Msg lastBootstrap;

    @AfterEach
    void stop()
    {
        fixture.close();
    }

    private void start(final SyncSettings settings) throws Exception
    {
        server = fixture.start(dir.resolve("server"), c -> c.syncSettings(settings));
    }

    /** A connected FLX client file whose IDENT carries {@code query} as query version {@code qv}. */
    private SyncTestClient open(final long session, final long qv, final String query) throws Exception
    {
        final SyncTestClient c = fixture.connect(true);
        c.bind(session, BIND, true);
        final Msg ident = c.next();
        c.identFlx(session, ident.get(0), ident.get(1), 0, 0, 0, 0, qv, query);
        return c;
    }

    private static void schema(final ChangesetBuilder b)
    {
        b.addTable("Item", Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_INT, false);
        b.addColumn("Item", "owner", Instr.TYPE_INT, false, Instr.COLLECTION_SINGLE, null, 0);
        b.addColumn("Item", "status", Instr.TYPE_STRING, true, Instr.COLLECTION_SINGLE, null, 0);
    }

    private static void item(final ChangesetBuilder b, final long key, final long owner, final String status)
    {
        b.createObject("Item", new Value.Int(key));
        set(b, key, owner, status);
    }

    private static void set(final ChangesetBuilder b, final long key, final long owner, final String status)
    {
        if (owner >= 0)
        {
            b.update("Item", new Value.Int(key), "owner", new Object[0], Instr.TYPE_INT, new Value.Int(owner), false,
                -1);
        }
        if (status != null)
        {
            b.update("Item", new Value.Int(key), "status", new Object[0], Instr.TYPE_STRING, new Value.Str(status),
                false, -1);
        }
    }

    /** The writer: session 1 subscribed to all of Item, uploads one changeset per call. */
    private final class Writer
    {
        final SyncTestClient c;
        long clientVersion = 1;

        Writer() throws Exception
        {
            c = open(1, 1, "{\"Item\":\"(TRUEPREDICATE)\"}");
            c.mark(1, 1);
            c.next(MessageType.SERVER_MARK); // downloaded up to the head: uploads may name it
        }

        /** Upload and wait for the acknowledgement. @return the head after it. */
        long upload(final ChangesetBuilder b) throws Exception
        {
            clientVersion++;
            final long head = server.sync().head(flx);
            c.upload(1, clientVersion, head, head, false,
                new Up(clientVersion, head, new ChangesetWriter().toBytes(b.changeset())));
            while (true)
            {
                final Msg m = c.next();
                if (m.type() == MessageType.DOWNLOAD && m.get(4) == clientVersion)
                {
                    return server.sync().head(flx);
                }
            }
        }

        /** Upload the changesets in one UPLOAD (one writer command) and wait for the acknowledgement. */
        long uploadAll(final List<ChangesetBuilder> builders) throws Exception
        {
            final long head = server.sync().head(flx);
            final Up[] ups = new Up[builders.size()];
            for (int i = 0; i < ups.length; i++)
            {
                clientVersion++;
                ups[i] = new Up(clientVersion, head, new ChangesetWriter().toBytes(builders.get(i).changeset()));
            }
            c.upload(1, clientVersion, head, head, false, ups);
            while (true)
            {
                final Msg m = c.next();
                if (m.type() == MessageType.DOWNLOAD && m.get(4) == clientVersion)
                {
                    return server.sync().head(flx);
                }
            }
        }
    }

    private static List<Instruction> instructions(final Msg download)
    {
        final List<Instruction> out = new ArrayList<>();
        for (final var e : download.entries())
        {
            try
            {
                out.addAll(new ChangesetReader().read(e.changeset()).instructions());
            }
            catch (final dev.outpost.codec.CodecException ex)
            {
                throw new AssertionError("changeset does not parse", ex);
            }
        }
        return out;
    }

    /** The object instructions of the DOWNLOADs of session {@code session} up to server version {@code upTo}. */
    private static List<Instruction> downloadsUpTo(final SyncTestClient c, final long upTo) throws Exception
    {
        final List<Instruction> out = new ArrayList<>();
        long cursor = 0;
        while (cursor < upTo)
        {
            final Msg d = c.next(MessageType.DOWNLOAD);
            instructions(d).stream().filter(i -> !i.isSchema()).forEach(out::add);
            cursor = d.get(0);
        }
        return out;
    }

    /** The object instructions of a bootstrap (DOWNLOADs up to the one with batch state 1). */
    private List<Instruction> bootstrap(final SyncTestClient c, final long qv) throws Exception
    {
        final List<Instruction> out = new ArrayList<>();
        Msg part;
        do
        {
            part = c.next(MessageType.DOWNLOAD);
            if (part.get(7) == 2 && part.get(6) < qv)
            {
                continue; // a steady-state DOWNLOAD of the previous query version
            }
            assertThat(part.get(6)).as("query version").isEqualTo(qv);
            instructions(part).stream().filter(i -> !i.isSchema()).forEach(out::add);
        }
        while (part.get(7) != 1);
        lastBootstrap = part;
        return out;
    }

    private static List<PrimaryKey> created(final List<Instruction> is)
    {
        return is.stream().filter(i -> i instanceof CreateObject).map(i -> ((CreateObject)i).object()).toList();
    }

    private static List<PrimaryKey> erased(final List<Instruction> is)
    {
        return is.stream().filter(i -> i instanceof EraseObject).map(i -> ((EraseObject)i).object()).toList();
    }

    private static PrimaryKey k(final long key)
    {
        return PrimaryKey.ofInt(key);
    }

    @Test
    void shouldBootstrapTheViewRefuseBadQueriesWith226AndKeepThePreviousView() throws Exception
    {
        start(null);
        final Writer w = new Writer();
        final ChangesetBuilder b = new ChangesetBuilder();
        schema(b);
        item(b, 1, 1, "open");
        item(b, 2, 2, "open");
        item(b, 3, 1, "closed");
        w.upload(b);

        final SyncTestClient r = open(4, 0, "{}");
        r.query(4, 2, "{\"Item\":\"(owner == 1)\"}");
        final List<Instruction> boot = bootstrap(r, 2);
        assertThat(created(boot)).containsExactlyInAnyOrder(k(1), k(3));
        assertThat(boot).anyMatch(i -> i instanceof Update u && u.object().equals(k(3)) && u.field().equals("status"));

        // refused: bad syntax, unknown property; the view stays owner == 1
        r.query(4, 3, "{\"Item\":\"(owner == )\"}");
        Msg qe = r.next(MessageType.QUERY_ERROR);
        assertThat(qe.get(0)).isEqualTo(226);
        assertThat(qe.get(2)).isEqualTo(3);
        assertThat(qe.text()).startsWith("Client provided query with bad syntax").doesNotContain("Exception");
        r.query(4, 4, "{\"Item\":\"(nosuch == 1)\"}");
        qe = r.next(MessageType.QUERY_ERROR);
        assertThat(qe.get(2)).isEqualTo(4);

        final ChangesetBuilder u = new ChangesetBuilder();
        set(u, 2, -1, "late");     // outside the view: never reaches the reader
        item(u, 4, 1, "new");      // inside
        final long head = w.upload(u);
        final List<Instruction> seen = downloadsUpTo(r, head);
        assertThat(created(seen)).containsExactly(k(4));
        assertThat(seen).noneMatch(i -> k(2).equals(((dev.outpost.ot.model.ObjectInstruction)i).object()));

        // a later valid set works: the bootstrap of owner == 2 erases what left the view
        r.query(4, 5, "{\"Item\":\"(owner == 2) OR (status BEGINSWITH \\\"cl\\\")\"}");
        final List<Instruction> boot2 = bootstrap(r, 5);
        assertThat(created(boot2)).containsExactlyInAnyOrder(k(2), k(3));
        assertThat(erased(boot2)).containsExactlyInAnyOrder(k(1), k(4));
        assertThat(server.sync().errorsSent(226)).isEqualTo(2);
    }

    @Test
    void shouldMoveObjectsIntoAndOutOfTheViewWhenAQueriedFieldChanges() throws Exception
    {
        start(null);
        final Writer w = new Writer();
        final ChangesetBuilder b = new ChangesetBuilder();
        schema(b);
        item(b, 1, 1, "open");
        w.upload(b);
        final SyncTestClient r = open(4, 0, "{}");
        r.query(4, 2, "{\"Item\":\"owner == 1\"}");
        assertThat(created(bootstrap(r, 2))).containsExactly(k(1));

        ChangesetBuilder u = new ChangesetBuilder();
        item(u, 5, 2, "x-five");
        long head = w.upload(u);
        assertThat(downloadsUpTo(r, head)).as("outside the view").isEmpty();

        u = new ChangesetBuilder();
        set(u, 5, 1, null);
        head = w.upload(u);
        List<Instruction> seen = downloadsUpTo(r, head);
        assertThat(created(seen)).as("enters with its full state").containsExactly(k(5));
        assertThat(seen).anyMatch(i -> i instanceof Update up && up.field().equals("status"));

        u = new ChangesetBuilder();
        set(u, 5, -1, "changed");
        head = w.upload(u);
        seen = downloadsUpTo(r, head);
        assertThat(seen).hasSize(1).allMatch(i -> i instanceof Update up && up.object().equals(k(5)));

        u = new ChangesetBuilder();
        set(u, 5, 3, null);
        set(u, 1, -1, "still-in");
        head = w.upload(u);
        seen = downloadsUpTo(r, head);
        assertThat(erased(seen)).as("leaves").containsExactly(k(5));
        assertThat(seen).anyMatch(i -> i instanceof Update up && up.object().equals(k(1)));

        u = new ChangesetBuilder();
        u.eraseObject("Item", new Value.Int(5));
        head = w.upload(u);
        assertThat(downloadsUpTo(r, head)).as("erasing an object outside the view").isEmpty();
        assertThat(server.sync().flxCatchUps()).isZero();
    }

    @Test
    void shouldCatchUpWhenTheViewCannotFollowTheHistoryTheClientMissed() throws Exception
    {
        start(null);
        final Writer w = new Writer();
        final ChangesetBuilder b = new ChangesetBuilder();
        schema(b);
        item(b, 1, 1, "open");
        item(b, 2, 2, "open");
        w.upload(b);
        // nobody watched Item when these were written: a session resuming with a narrow query cannot filter them
        final SyncTestClient r = open(4, 1, "{\"Item\":\"owner == 1\"}");
        final List<Instruction> boot = bootstrap(r, 1);
        assertThat(created(boot)).containsExactly(k(1));
        assertThat(erased(boot)).as("objects of its classes outside the view").containsExactly(k(2));
        assertThat(server.sync().flxCatchUps()).isEqualTo(1);

        // from here on the view follows the data
        final ChangesetBuilder u = new ChangesetBuilder();
        set(u, 2, 1, null);
        final long head = w.upload(u);
        assertThat(created(downloadsUpTo(r, head))).containsExactly(k(2));
    }

    @Test
    void shouldRefuseQueriesOnFieldsTheAppDidNotDeclareQueryable() throws Exception
    {
        start(new SyncSettings(SyncSettings.Mode.FLEXIBLE, true, false, List.of("owner"), Map.of(), List.of(),
            List.of(), 0, false, null, null, Map.of()));
        final Writer w = new Writer();
        final ChangesetBuilder b = new ChangesetBuilder();
        schema(b);
        item(b, 1, 1, "open");
        w.upload(b);
        final SyncTestClient r = open(4, 0, "{}");
        r.query(4, 2, "{\"Item\":\"status == \\\"open\\\"\"}");
        final Msg qe = r.next(MessageType.QUERY_ERROR);
        assertThat(qe.get(0)).isEqualTo(226);
        assertThat(qe.text()).contains("\"status\" is not a queryable field");
        r.query(4, 3, "{\"Item\":\"owner == 1\"}");
        assertThat(created(bootstrap(r, 3))).containsExactly(k(1));
    }

    @Test
    void shouldRevertWritesThatLeaveTheObjectOutsideTheWritersViewAndRestoreTheServersValues() throws Exception
    {
        start(null);
        final Writer w = new Writer();
        final ChangesetBuilder b = new ChangesetBuilder();
        schema(b);
        item(b, 1, 1, "open");
        w.upload(b);

        final SyncTestClient c = open(4, 0, "{}");
        c.query(4, 2, "{\"Item\":\"owner == 1\"}");
        assertThat(created(bootstrap(c, 2))).containsExactly(k(1));
        final long head = server.sync().head(flx);

        // one upload: create Item 7 outside the view, move Item 1 out of it, create Item 8 inside it
        final ChangesetBuilder u = new ChangesetBuilder();
        item(u, 7, 2, "other");
        set(u, 1, 2, "moved");
        final ChangesetBuilder ok = new ChangesetBuilder();
        item(ok, 8, 1, "mine");
        c.upload(4, 3, head, head, false, new Up(2, head, new ChangesetWriter().toBytes(u.changeset())),
            new Up(3, head, new ChangesetWriter().toBytes(ok.changeset())));
        final Msg cw = c.next(MessageType.SERVER_JSON_ERROR);
        assertThat(cw.get(0)).isEqualTo(231);
        final io.vertx.core.json.JsonObject body = new io.vertx.core.json.JsonObject(cw.text());
        assertThat(body.getLong("rejectedClientVersion")).isEqualTo(2);
        assertThat(body.getJsonArray("rejectedUpdates")).hasSize(2);
        assertThat(body.getJsonArray("rejectedUpdates").getJsonObject(0).getString("reason"))
            .contains("outside of the current query view");
        final long revertVersion = body.getLong("compensatingWriteServerVersion");
        final List<Instruction> revert = downloadsUpTo(c, revertVersion);
        assertThat(erased(revert)).containsExactlyInAnyOrder(k(7), k(1));
        assertThat(created(revert)).as("Item 1 restored, Item 7 not").containsExactly(k(1));
        assertThat(revert).anyMatch(i -> i instanceof Update up && up.object().equals(k(1)) &&
            up.field().equals("status") && up.value().toString().contains("open"));
        final String dump = server.sync().objectStateDump(flx);
        assertThat(dump).contains("mine").contains("open").doesNotContain("moved").doesNotContain("other");
        assertThat(server.sync().compensatingWrites()).isEqualTo(1);
    }

    @Test
    void shouldCatchUpAfterARestartWithTheObjectsErasedMeanwhile() throws Exception
    {
        start(null);
        Writer w = new Writer();
        final ChangesetBuilder b = new ChangesetBuilder();
        schema(b);
        item(b, 1, 1, "open");
        item(b, 2, 1, "open");
        item(b, 3, 2, "open");
        w.upload(b);
        SyncTestClient r = fixture.connect(true);
        r.bind(4, BIND, true);
        final Msg ident = r.next();
        final long fileIdent = ident.get(0);
        final long salt = ident.get(1);
        r.identFlx(4, fileIdent, salt, 0, 0, 0, 0, 0, "{}");
        r.query(4, 2, "{\"Item\":\"owner == 1\"}");
        assertThat(created(bootstrap(r, 2))).containsExactlyInAnyOrder(k(1), k(2));
        final Msg at = lastBootstrap;

        // a restart forgets the view annotations; meanwhile Item 2 is erased and Item 3 moves into the view
        server = fixture.restart(dir.resolve("server"), c -> c);
        w = new Writer();
        final ChangesetBuilder u = new ChangesetBuilder();
        u.eraseObject("Item", new Value.Int(2));
        set(u, 3, 1, null);
        w.upload(u);
        r = fixture.connect(true);
        r.bind(4, BIND, false);
        r.identFlx(4, fileIdent, salt, at.get(0), at.get(1), at.get(2), at.get(3), 2,
            "{\"Item\":\"owner == 1\"}");
        final List<Instruction> boot = bootstrap(r, 2);
        assertThat(created(boot)).containsExactlyInAnyOrder(k(1), k(3));
        assertThat(erased(boot)).as("erased in the skipped history").contains(k(2));
        assertThat(server.sync().flxCatchUps()).isEqualTo(1);
    }

    @Test
    void shouldCloseAnActiveSessionFartherBehindThanTheViewLogWith200AndCatchUpWhenItBindsAgain() throws Exception
    {
        server = fixture.start(dir.resolve("server"), c -> c.flxViewLogEntries(4));
        final Writer w = new Writer();
        final ChangesetBuilder b = new ChangesetBuilder();
        schema(b);
        item(b, 1, 1, "open");
        item(b, 2, 2, "open");
        w.upload(b);
        final SyncTestClient r = fixture.connect(true);
        r.bind(4, BIND, true);
        final Msg ident = r.next();
        final long fileIdent = ident.get(0);
        final long salt = ident.get(1);
        r.identFlx(4, fileIdent, salt, 0, 0, 0, 0, 0, "{}");
        r.query(4, 2, "{\"Item\":\"owner == 1\"}");
        assertThat(created(bootstrap(r, 2))).containsExactly(k(1));
        final Msg at = lastBootstrap;

        // one command appends 10 entries: only the last 4 keep their annotations, the active session needs the first
        final List<ChangesetBuilder> burst = new ArrayList<>();
        for (int i = 0; i < 9; i++)
        {
            final ChangesetBuilder u = new ChangesetBuilder();
            set(u, 1, -1, "s" + i);
            burst.add(u);
        }
        final ChangesetBuilder in = new ChangesetBuilder();
        set(in, 2, 1, null);
        burst.add(in);
        w.uploadAll(burst);
        final Msg err = r.next(MessageType.SERVER_JSON_ERROR);
        assertThat(err.get(0)).as("session closed, bind again").isEqualTo(200);
        assertThat(err.text()).contains("\"tryAgain\":true").doesNotContain("Exception").doesNotContain("dev.outpost");

        // binding again (same connection, new session) takes the catch-up bootstrap at the same query version
        r.bind(5, BIND, false);
        r.identFlx(5, fileIdent, salt, at.get(0), at.get(1), at.get(2), at.get(3), 2,
            "{\"Item\":\"owner == 1\"}");
        final List<Instruction> boot = bootstrap(r, 2);
        assertThat(created(boot)).containsExactlyInAnyOrder(k(1), k(2));
        assertThat(boot).anyMatch(i -> i instanceof Update up && up.object().equals(k(1)) &&
            up.field().equals("status"));
        assertThat(server.sync().flxCatchUps()).isEqualTo(1);

        // from here on the view follows the data again, and the writer's session was not disturbed
        final ChangesetBuilder u = new ChangesetBuilder();
        set(u, 2, 3, null);
        final long head = w.upload(u);
        assertThat(erased(downloadsUpTo(r, head))).containsExactly(k(2));
    }
}
