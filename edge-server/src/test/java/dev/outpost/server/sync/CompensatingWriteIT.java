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
import dev.outpost.server.runtime.SyncServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static dev.outpost.server.sync.SyncTestClient.Msg;
import static dev.outpost.server.sync.SyncTestClient.Up;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * FLX compensating writes (231) with raw FLX clients: a write outside the writer's subscription is not applied, the
 * writer gets {@code json_error 231} and then a DOWNLOAD of that server version that erases the objects, and other
 * clients never see any of it.
 */
@Timeout(60)
class CompensatingWriteIT
{
    private static final String APP = "cw-app";
    private static final String BIND = "{\"schemaVersion\":0,\"sessionReason\":0}";

    @TempDir
    Path dir;

    private final SyncTestServer fixture = new SyncTestServer(APP);
    private SyncServer server;
    private String token;

    @AfterEach
    void stop()
    {
        fixture.close();
    }

    private void start() throws Exception
    {
        server = fixture.start(dir.resolve("server"), c -> c);
        token = fixture.token();
    }

    /** A connected FLX client file whose IDENT carries {@code query} as query version 1. */
    private SyncTestClient open(final long session, final String query) throws Exception
    {
        final SyncTestClient c = fixture.connect(true);
        c.bind(session, BIND, true);
        final Msg ident = c.next();
        c.identFlx(session, ident.get(0), ident.get(1), 0, 0, 0, 0, 1, query);
        c.mark(session, 1);
        c.next(MessageType.SERVER_MARK);
        return c;
    }

    private static void table(final ChangesetBuilder b, final String table)
    {
        b.addTable(table, Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_INT, false);
        b.addColumn(table, "name", Instr.TYPE_STRING, false, Instr.COLLECTION_SINGLE, null, 0);
    }

    private static void object(final ChangesetBuilder b, final String table, final long key, final String name)
    {
        b.createObject(table, new Value.Int(key));
        b.update(table, new Value.Int(key), "name", new Object[0], Instr.TYPE_STRING, new Value.Str(name), false, -1);
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

    private static String text(final Msg download)
    {
        final StringBuilder sb = new StringBuilder();
        download.entries().forEach(e -> sb.append(new String(e.changeset(), StandardCharsets.ISO_8859_1)));
        return sb.toString();
    }

    @Test
    void shouldRevertAWriteOutsideTheSubscriptionOnlyOnTheWriter() throws Exception
    {
        start();
        final String flx = SyncService.flxFileName(APP);
        // the reader subscribes to both classes; the writer to Item only
        final SyncTestClient reader = open(4, "{\"Item\":\"(TRUEPREDICATE)\",\"Other\":\"(TRUEPREDICATE)\"}");
        final SyncTestClient writer = open(1, "{\"Item\":\"(TRUEPREDICATE)\"}");

        // one changeset: Item 1 (allowed) and Other 1, 2 (outside the subscription)
        final ChangesetBuilder b = new ChangesetBuilder();
        table(b, "Item");
        table(b, "Other");
        object(b, "Item", 1, "item1");
        object(b, "Other", 1, "other1");
        b.update("Other", new Value.Int(2), "name", new Object[0], Instr.TYPE_STRING, new Value.Str("other2"), false,
            -1);
        writer.upload(1, 2, 0, 0, false, new Up(2, 0, new ChangesetWriter().toBytes(b.changeset())));

        // 231 first, then the acknowledgement and the revert entry
        final Msg cw = writer.next();
        assertThat(cw.type()).as("%s", cw).isEqualTo(MessageType.SERVER_JSON_ERROR);
        assertThat(cw.session()).isEqualTo(1);
        assertThat(cw.get(0)).isEqualTo(231);
        final JsonObject body = new JsonObject(cw.text());
        assertThat(body.getString("action")).isEqualTo("Warning");
        assertThat(body.getBoolean("tryAgain")).isTrue();
        assertThat(body.getBoolean("isRecoveryModeDisabled")).isFalse();
        assertThat(body.getBoolean("shouldClientReset")).isFalse();
        assertThat(body.getString("logURL")).isEmpty();
        assertThat(body.getString("message")).contains("Other");
        assertThat(body.getLong("rejectedClientVersion")).isEqualTo(2);
        final long revertVersion = body.getLong("compensatingWriteServerVersion");
        final JsonArray rejected = body.getJsonArray("rejectedUpdates");
        assertThat(rejected).hasSize(2);
        assertThat(rejected.getJsonObject(0).getString("table")).isEqualTo("Other");
        assertThat(rejected.getJsonObject(0).getString("pk")).as("Int 1: tag 01, value 01").isEqualTo("AQE=");
        assertThat(rejected.getJsonObject(1).getString("pk")).isEqualTo("AQI=");
        assertThat(rejected.getJsonObject(0).getString("reason")).contains("outside of the current query view");

        final List<Instruction> reverts = new ArrayList<>();
        long cursor = 0;
        while (cursor < revertVersion)
        {
            final Msg d = writer.next();
            assertThat(d.type()).isEqualTo(MessageType.DOWNLOAD);
            assertThat(d.get(4)).as("upload acknowledged").isEqualTo(2);
            for (final var e : d.entries())
            {
                assertThat(e.serverVersion()).isEqualTo(revertVersion);
                assertThat(e.originFileIdent()).as("server origin").isEqualTo(1);
                assertThat(e.clientVersion()).as("based on the rejected changeset").isEqualTo(2);
            }
            reverts.addAll(instructions(d));
            cursor = d.get(0);
        }
        assertThat(reverts).containsExactly(new EraseObject("Other", PrimaryKey.ofInt(1)),
            new EraseObject("Other", PrimaryKey.ofInt(2)));

        // the reader sees Item 1 and the schema, nothing of Other's objects
        final StringBuilder seen = new StringBuilder();
        final List<Instruction> readerSaw = new ArrayList<>();
        cursor = 0;
        while (cursor < revertVersion)
        {
            final Msg d = reader.next();
            seen.append(text(d));
            readerSaw.addAll(instructions(d));
            cursor = d.get(0);
        }
        assertThat(seen.toString()).contains("item1").doesNotContain("other1").doesNotContain("other2");
        assertThat(readerSaw).noneMatch(i -> i instanceof EraseObject || i.table().equals("Other") &&
            !i.isSchema());
        assertThat(server.sync().objectStateDump(flx)).contains("item1").doesNotContain("other1")
            .doesNotContain("other2");
        assertThat(server.sync().compensatingWrites()).isEqualTo(1);
        assertThat(server.sync().errorsSent(231)).isEqualTo(1);

        // the writer's session goes on: an allowed write is accepted without a 231
        writer.upload(1, 3, revertVersion, revertVersion, false,
            new Up(3, revertVersion, Changesets.objects("Item", 2, 1, "item")));
        final Msg ack = writer.next();
        assertThat(ack.type()).isEqualTo(MessageType.DOWNLOAD);
        assertThat(ack.get(4)).isEqualTo(3);
        assertThat(text(reader.next(MessageType.DOWNLOAD))).contains("item2");
        assertThat(server.sync().compensatingWrites()).isEqualTo(1);

        // a new subscriber to Other, bootstrapped: no trace of the rejected objects
        final SyncTestClient late = open(9, "{}");
        late.query(9, 2, "{\"Other\":\"(TRUEPREDICATE)\"}");
        late.mark(9, 2);
        final List<Instruction> boot = new ArrayList<>();
        Msg part;
        do
        {
            part = late.next();
            boot.addAll(instructions(part));
        }
        while (part.get(7) != 1);
        assertThat(boot).noneMatch(i -> i instanceof CreateObject);
    }

    @Test
    void shouldRevertOnlyTheWritersCopyOfAnObjectThatExistsForOthers() throws Exception
    {
        start();
        final String flx = SyncService.flxFileName(APP);
        final SyncTestClient owner = open(2, "{\"Other\":\"(TRUEPREDICATE)\"}");
        final ChangesetBuilder a = new ChangesetBuilder();
        table(a, "Other");
        object(a, "Other", 5, "original");
        owner.upload(2, 2, 0, 0, false, new Up(2, 0, new ChangesetWriter().toBytes(a.changeset())));
        assertThat(owner.next(MessageType.DOWNLOAD).get(4)).isEqualTo(2);

        // the writer (Item only) updates Other 5 and creates Item 3 in two changesets of one upload
        final SyncTestClient writer = open(1, "{\"Item\":\"(TRUEPREDICATE)\"}");
        final long head = server.sync().head(flx);
        final ChangesetBuilder u = new ChangesetBuilder();
        table(u, "Other");
        u.update("Other", new Value.Int(5), "name", new Object[0], Instr.TYPE_STRING, new Value.Str("hijacked"),
            false, -1);
        writer.upload(1, 3, head, head, false, new Up(2, head, new ChangesetWriter().toBytes(u.changeset())),
            new Up(3, head, Changesets.objects("Item", 3, 1, "item")));
        final Msg cw = writer.next();
        assertThat(cw.get(0)).isEqualTo(231);
        assertThat(new JsonObject(cw.text()).getLong("rejectedClientVersion")).isEqualTo(2);
        final Msg d = writer.next(MessageType.DOWNLOAD);
        assertThat(instructions(d)).containsExactly(new EraseObject("Other", PrimaryKey.ofInt(5)));

        // the owner keeps its object untouched and never receives an erase
        assertThat(owner.poll(500)).as("nothing of Other 5 changed for the owner").satisfiesAnyOf(
            m -> assertThat(m).isNull(),
            m -> assertThat(instructions(m)).noneMatch(i -> i.table().equals("Other") && !i.isSchema()));
        assertThat(server.sync().objectStateDump(flx)).contains("original").doesNotContain("hijacked")
            .contains("item3");
    }

    @Test
    void shouldAcceptWritesToSubscribedAndAsymmetricClassesWithoutA231() throws Exception
    {
        start();
        final SyncTestClient writer = open(1, "{\"Item\":\"(TRUEPREDICATE)\"}");
        final ChangesetBuilder b = new ChangesetBuilder();
        table(b, "Item");
        b.addTable("Log", Instr.TABLE_TOP_LEVEL_ASYMMETRIC, "_id", Instr.TYPE_INT, false);
        object(b, "Item", 1, "item1");
        b.createObject("Log", new Value.Int(1));
        writer.upload(1, 2, 0, 0, false, new Up(2, 0, new ChangesetWriter().toBytes(b.changeset())));
        final Msg ack = writer.next();
        assertThat(ack.type()).as("%s %s", ack, ack.text()).isEqualTo(MessageType.DOWNLOAD);
        assertThat(ack.entries()).isEmpty();
        assertThat(writer.poll(300)).isNull();
        assertThat(server.sync().errorsSent(231)).isZero();
    }

    /** One Other object (outside an Item-only subscription) with the schema of both classes. */
    private static byte[] otherWrite(final long key)
    {
        final ChangesetBuilder b = new ChangesetBuilder();
        table(b, "Item");
        table(b, "Other");
        object(b, "Other", key, "other" + key);
        return new ChangesetWriter().toBytes(b.changeset());
    }

    @Test
    void shouldSendPendingCompensatingWritesAgainAtIdent() throws Exception
    {
        start();
        final SyncTestClient first = SyncTestClient.connect(server.port(), APP, token, true);
        fixture.track(first);
        first.bind(1, BIND, true);
        final Msg ident = first.next();
        first.identFlx(1, ident.get(0), ident.get(1), 0, 0, 0, 0, 1, "{\"Item\":\"(TRUEPREDICATE)\"}");
        first.upload(1, 2, 0, 0, false, new Up(2, 0, otherWrite(1)));
        final Msg cw = first.next(MessageType.SERVER_JSON_ERROR);
        final long v = new JsonObject(cw.text()).getLong("compensatingWriteServerVersion");
        Msg d;
        do
        {
            d = first.next(MessageType.DOWNLOAD);
        }
        while (d.get(0) < v);
        final long salt = d.get(3);
        first.close();

        // the client had not integrated version v: its next session gets the 231 again, then the revert entry
        final SyncTestClient second = SyncTestClient.connect(server.port(), APP, token, true);
        fixture.track(second);
        second.bind(2, BIND, false);
        second.identFlx(2, ident.get(0), ident.get(1), v - 1, 2, v, salt, 1, "{\"Item\":\"(TRUEPREDICATE)\"}");
        final Msg again = second.next();
        assertThat(again.type()).isEqualTo(MessageType.SERVER_JSON_ERROR);
        assertThat(again.get(0)).isEqualTo(231);
        final JsonObject body = new JsonObject(again.text());
        assertThat(body.getLong("compensatingWriteServerVersion")).isEqualTo(v);
        assertThat(body.getLong("rejectedClientVersion")).isEqualTo(2);
        assertThat(body.getJsonArray("rejectedUpdates").getJsonObject(0).getString("pk")).isEqualTo("AQE=");
        final Msg revert = second.next();
        assertThat(revert.type()).isEqualTo(MessageType.DOWNLOAD);
        assertThat(instructions(revert)).containsExactly(new EraseObject("Other", PrimaryKey.ofInt(1)));
        second.unbind(2);
        second.next(MessageType.UNBOUND);

        // once version v is downloaded, nothing is sent again
        second.bind(3, BIND, false);
        second.identFlx(3, ident.get(0), ident.get(1), v, 2, v, salt, 1, "{\"Item\":\"(TRUEPREDICATE)\"}");
        second.mark(3, 1);
        final Msg next = second.next();
        assertThat(next.type()).isEqualTo(MessageType.DOWNLOAD);
        assertThat(next.entries()).isEmpty();
        assertThat(second.next().type()).isEqualTo(MessageType.SERVER_MARK);
        assertThat(server.sync().errorsSent(231)).isEqualTo(2);
        assertThat(server.sync().compensatingWrites()).as("counted once per rejected changeset, resends too")
            .isEqualTo(2);
    }

    @Test
    void shouldDeliverTheRevertBeforeABootstrapThatFollowsTheUpload() throws Exception
    {
        start();
        final SyncTestClient writer = open(1, "{\"Item\":\"(TRUEPREDICATE)\"}");
        writer.upload(1, 2, 0, 0, false, new Up(2, 0, otherWrite(4)));
        writer.query(1, 2, "{\"Item\":\"(TRUEPREDICATE)\",\"Other\":\"(TRUEPREDICATE)\"}");
        writer.mark(1, 2);
        final Msg cw = writer.next();
        assertThat(cw.get(0)).isEqualTo(231);
        final long v = new JsonObject(cw.text()).getLong("compensatingWriteServerVersion");
        // steady-state downloads of query version 1 up to the revert entry, then the bootstrap of version 2
        final List<Instruction> steady = new ArrayList<>();
        Msg d = writer.next();
        while (d.get(7) == 2)
        {
            assertThat(d.get(6)).isEqualTo(1);
            steady.addAll(instructions(d));
            d = writer.next();
        }
        assertThat(steady).containsExactly(new EraseObject("Other", PrimaryKey.ofInt(4)));
        final List<Instruction> boot = new ArrayList<>(instructions(d));
        while (d.get(7) != 1)
        {
            assertThat(d.get(6)).isEqualTo(2);
            d = writer.next();
            boot.addAll(instructions(d));
        }
        assertThat(d.get(0)).isGreaterThanOrEqualTo(v);
        assertThat(boot).noneMatch(i -> i instanceof CreateObject);
        assertThat(writer.next().type()).isEqualTo(MessageType.SERVER_MARK);
    }
}
