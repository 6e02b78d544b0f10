package dev.outpost.server.sync;

import dev.outpost.codec.message.MessageType;
import dev.outpost.server.runtime.SyncServer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static dev.outpost.server.sync.SyncTestClient.Msg;
import static dev.outpost.server.sync.SyncTestClient.Up;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Changesets realm-core's parser accepts but its client cannot hold (a string value that is not UTF-8, names
 * longer than realm's tables and columns take) are refused at upload: the whole UPLOAD gets 212 on that session,
 * nothing of it is stored or sent to the other session on the partition, and a restart finds the file without it.
 */
@Timeout(60)
class HostileChangesetIT
{
    private static final String APP = "hostile-app";
    private static final String PARTITION = "\"poison\"";

    @TempDir
    Path dir;

    private final SyncTestServer fixture = new SyncTestServer(APP);
    private SyncServer server;

    @AfterEach
    void stop()
    {
        fixture.close();
    }

    /** A bound, identified PBS session on a fresh client file, caught up (MARK answered). */
    private static void open(final SyncTestClient c, final long session, final String partition) throws Exception
    {
        c.bind(session, partition, true);
        final Msg ident = c.next(MessageType.SERVER_IDENT);
        c.ident(session, ident.get(0), ident.get(1), 0, 0, 0, 0);
        c.mark(session, 1);
        c.next(MessageType.SERVER_MARK);
    }

    private static void assertRefused(final Msg err, final long session, final String reason)
    {
        assertThat(err.type()).isEqualTo(MessageType.SERVER_JSON_ERROR);
        assertThat(err.get(0)).isEqualTo(212);
        assertThat(err.session()).isEqualTo(session);
        final JsonObject body = new JsonObject(err.text());
        assertThat(body.getBoolean("tryAgain")).isFalse();
        assertThat(body.getString("message")).contains(reason).doesNotContain("Exception").doesNotContain("dev.outpost");
    }

    @Test
    void shouldRefuseAStringValueThatIsNotUtf8ForThatSessionOnly() throws Exception
    {
        server = fixture.start(dir.resolve("server"), c -> c);
        final SyncTestClient hostile = fixture.connect(false);
        final SyncTestClient honest = fixture.connect(false);
        open(hostile, 1, PARTITION);
        open(hostile, 2, "\"other\"");
        open(honest, 7, PARTITION);

        // a valid changeset and the poisoned one in one UPLOAD: the whole message is refused
        final byte[] valid = HostileChangesets.objectWithName("fine".getBytes(StandardCharsets.UTF_8));
        hostile.upload(1, 3, 0, 0, false, new Up(2, 0, valid), new Up(3, 0, HostileChangesets.invalidUtf8Name()));
        assertRefused(hostile.next(), 1, "changeset 3 does not parse: string value in Item.name is not valid UTF-8");
        assertThat(server.sync().head(SyncService.pbsFileName(APP, PARTITION))).as("nothing stored").isZero();
        assertThat(honest.poll(500)).as("the other session receives nothing").isNull();

        // the hostile connection's other session and the honest session carry on
        hostile.upload(2, 2, 0, 0, false, new Up(2, 0, Changesets.objects("Item", 1, 1, "other")));
        assertThat(hostile.next().session()).isEqualTo(2);
        final byte[] honestChangeset = Changesets.objects("Thing", 1, 2, "honest");
        honest.upload(7, 2, 0, 0, false, new Up(2, 0, honestChangeset));
        final Msg ack = honest.next();
        assertThat(ack.type()).isEqualTo(MessageType.DOWNLOAD);
        assertThat(ack.get(4)).isEqualTo(2);
        assertThat(server.sync().errorsSent(212)).isEqualTo(1);

        // after a restart the file holds the honest changeset and nothing of the poisoned upload
        server = fixture.restart(dir.resolve("server"), c -> c);
        final String file = SyncService.pbsFileName(APP, PARTITION);
        assertThat(server.sync().head(file)).isEqualTo(1);
        assertThat(server.sync().objectStateDump(file)).contains("honest1").doesNotContain("fine").doesNotContain("Item");
        final SyncTestClient late = fixture.connect(false);
        late.bind(3, PARTITION, true);
        final Msg ident = late.next(MessageType.SERVER_IDENT);
        late.ident(3, ident.get(0), ident.get(1), 0, 0, 0, 0);
        late.mark(3, 1);
        Msg m = late.next();
        int entries = 0;
        while (m.type() == MessageType.DOWNLOAD)
        {
            for (final SyncTestClient.Entry e : m.entries())
            {
                assertThat(e.changeset()).isEqualTo(honestChangeset);
                entries++;
            }
            m = late.next();
        }
        assertThat(entries).isEqualTo(1);
        try (Stream<Path> files = Files.walk(dir.resolve("server")))
        {
            final byte[] poison = {'f', 'i', 'n', 'e'};
            for (final Path p : files.filter(Files::isRegularFile).toList())
            {
                assertThat(HostileChangesets.contains(Files.readAllBytes(p), poison)).as("%s", p).isFalse();
            }
        }
    }

    @Test
    void shouldRefuseNamesLongerThanRealmsTablesAndColumnsTake() throws Exception
    {
        server = fixture.start(dir.resolve("server"), c -> c);
        final int port = server.port();
        final String file = SyncService.pbsFileName(APP, PARTITION);

        HostilePeer.Answer a = HostilePeer.upload(port, APP, PARTITION, HostileChangesets.longColumn(64));
        assertThat(a.errorCode()).isEqualTo(212);
        assertThat(a.message()).contains("column name of 64 bytes is longer than 63");
        a = HostilePeer.upload(port, APP, PARTITION, HostileChangesets.longClass(58));
        assertThat(a.errorCode()).isEqualTo(212);
        assertThat(a.message()).contains("class name of 58 bytes is longer than 57");
        assertThat(server.sync().head(file)).isZero();

        assertThat(HostilePeer.upload(port, APP, PARTITION, HostileChangesets.longColumn(63)).errorCode()).isZero();
        assertThat(HostilePeer.upload(port, APP, PARTITION, HostileChangesets.longClass(57)).errorCode()).isZero();
        assertThat(server.sync().head(file)).isEqualTo(2);
    }
}
