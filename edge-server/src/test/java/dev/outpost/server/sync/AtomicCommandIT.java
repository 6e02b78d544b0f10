package dev.outpost.server.sync;

import dev.outpost.codec.message.MessageType;
import dev.outpost.server.runtime.SyncServer;
import dev.outpost.server.sync.writer.FaultPoint;
import dev.outpost.server.sync.writer.ShardWriter;
import dev.outpost.server.sync.writer.ShardServerHistory;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.outpost.server.sync.SyncTestClient.Msg;
import static dev.outpost.server.sync.SyncTestClient.Up;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Writer commands are all or nothing: a failure injected at several points of an upload's integration (the writer's
 * package-private fault hook, the real store underneath) leaves no trace in the published head, the object state,
 * the client's upload cursor or the data directory after a restart; the failing session gets its error, the other
 * sessions go on, and the client's retry ends exactly where a run without the failure ends.
 */
@Timeout(60)
class AtomicCommandIT
{
    private static final String APP = "atomic-app";
    private static final String P = "\"p\"";
    private static final String FILE = SyncService.pbsFileName(APP, P);

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

    private void start(final Path data) throws Exception
    {
        server = fixture.start(data, c -> c.eventLoops(1));
        token = fixture.token();
    }

    private void restart(final Path data) throws Exception
    {
        fixture.close();
        start(data);
    }

    private SyncTestClient connect() throws Exception
    {
        return fixture.connect(false);
    }

    private static long[] open(final SyncTestClient c, final long session, final String partition) throws Exception
    {
        c.bind(session, partition, true);
        final Msg ident = c.next();
        assertThat(ident.type()).isEqualTo(MessageType.SERVER_IDENT);
        c.ident(session, ident.get(0), ident.get(1), 0, 0, 0, 0);
        c.mark(session, 1);
        c.next(MessageType.SERVER_MARK);
        return new long[] {ident.get(0), ident.get(1)};
    }

    /** Waits for the DOWNLOAD acknowledging {@code clientVersion} on {@code session} (skipping fan-out). */
    private static void awaitAck(final SyncTestClient c, final long session, final long clientVersion)
        throws Exception
    {
        Msg m = c.next(MessageType.DOWNLOAD);
        while (m.session() != session || m.get(4) < clientVersion)
        {
            m = c.next(MessageType.DOWNLOAD);
        }
    }

    /** A's objects 1..3 at version 1, A's rename of object 1 at version 2. */
    private static void seed(final SyncTestClient a) throws Exception
    {
        a.upload(1, 2, 0, 0, false, new Up(2, 0, Changesets.objects("Item", 1, 3, "a")));
        awaitAck(a, 1, 2);
        a.upload(1, 3, 1, 0, false, new Up(3, 1, Changesets.objects("Item", 1, 1, "a-renamed")));
        awaitAck(a, 1, 3);
    }

    /** B, which never downloaded, creates objects 1 and 4 concurrently: merged against A's two versions. */
    private static Up[] concurrentUpload()
    {
        return new Up[] {new Up(2, 0, Changesets.objects("Item", 1, 1, "b")),
            new Up(3, 0, Changesets.objects("Item", 4, 1, "b"))};
    }

    /** The reference: the same uploads without a failure. @return {dump, head}. */
    private String[] reference() throws Exception
    {
        start(dir.resolve("reference"));
        final SyncTestClient a = connect();
        final SyncTestClient b = connect();
        open(a, 1, P);
        open(b, 1, P);
        seed(a);
        b.upload(1, 3, 0, 0, false, concurrentUpload());
        awaitAck(b, 1, 3);
        final String[] result = {server.sync().objectStateDump(FILE), Long.toString(server.sync().head(FILE))};
        stop();
        return result;
    }

    @ParameterizedTest
    @EnumSource(FaultPoint.class)
    void shouldLeaveNoTraceOfAnUploadThatFailedAtAnyPoint(final FaultPoint point) throws Exception
    {
        final String[] expected = reference();
        final Path data = dir.resolve("server");
        start(data);
        final SyncTestClient a = connect();
        final SyncTestClient b = connect();
        open(a, 1, P);
        final long[] ib = open(b, 1, P);
        open(a, 2, "\"other\"");
        seed(a);
        final String dumpBefore = server.sync().objectStateDump(FILE);
        final long headBefore = server.sync().head(FILE);
        assertThat(headBefore).isEqualTo(2);

        final AtomicInteger fired = new AtomicInteger();
        final ShardWriter writer = server.sync().writerFor(FILE);
        writer.tools.faultHook = p ->
        {
            if (p == point && fired.getAndIncrement() == 0)
            {
                throw new IllegalStateException("injected at " + p);
            }
        };
        b.upload(1, 3, 0, 0, false, concurrentUpload());
        final Msg err = b.next(MessageType.SERVER_JSON_ERROR);
        writer.tools.faultHook = null;
        assertThat(fired.get()).as("the fault point was reached").isPositive();
        assertThat(err.type()).isEqualTo(MessageType.SERVER_JSON_ERROR);
        assertThat(err.session()).isEqualTo(1);
        assertThat(err.get(0)).isEqualTo(201);
        assertThat(new JsonObject(err.text()).getBoolean("tryAgain")).isTrue();
        assertThat(new JsonObject(err.text()).getString("message")).as("no exception text on the wire")
            .doesNotContain("injected").doesNotContain("Exception").doesNotContain("java.");
        assertThat(server.sync().abortedCommands()).isEqualTo(1);

        assertThat(server.sync().head(FILE)).as("nothing published").isEqualTo(headBefore);
        assertThat(server.sync().objectStateDump(FILE)).as("object state rolled back").isEqualTo(dumpBefore);
        assertThat(a.poll(200)).as("no fan-out of a failed upload").isNull();
        // another session (another server file) of the same server goes on
        a.upload(2, 2, 0, 0, false, new Up(2, 0, Changesets.objects("Other", 1, 1, "x")));
        awaitAck(a, 2, 2);

        // the data directory holds nothing of it either
        restart(data);
        assertThat(server.sync().head(FILE)).isEqualTo(headBefore);
        assertThat(server.sync().objectStateDump(FILE)).isEqualTo(dumpBefore);

        // the client retries in a new session with its stored state: nothing was integrated, so all is integrated
        final SyncTestClient b2 = connect();
        b2.bind(2, P, false);
        b2.ident(2, ib[0], ib[1], 0, 0, 0, 0);
        b2.upload(2, 3, 0, 0, false, concurrentUpload());
        awaitAck(b2, 2, 3);
        assertThat(server.sync().head(FILE)).isEqualTo(Long.parseLong(expected[1]));
        assertThat(server.sync().objectStateDump(FILE)).isEqualTo(expected[0]);
        restart(data);
        assertThat(server.sync().objectStateDump(FILE)).isEqualTo(expected[0]);
    }

    @Test
    void shouldAnswer212AndRollBackWhenATransformedChangesetIsTooLargeToStore() throws Exception
    {
        final Path data = dir.resolve("server");
        start(data);
        final SyncTestClient a = connect();
        final SyncTestClient b = connect();
        open(a, 1, P);
        final long[] ib = open(b, 1, P);
        seed(a);
        final String dumpBefore = server.sync().objectStateDump(FILE);
        final ShardWriter writer = server.sync().writerFor(FILE);
        final AtomicInteger appends = new AtomicInteger();
        // the store refuses the second changeset after the first was appended and both were applied to the state
        writer.tools.faultHook = p ->
        {
            if (p == FaultPoint.BEFORE_APPEND && appends.getAndIncrement() == 1)
            {
                throw ShardServerHistory.ChangesetTooLarge.INSTANCE;
            }
        };
        b.upload(1, 3, 0, 0, false, concurrentUpload());
        final Msg err = b.next(MessageType.SERVER_JSON_ERROR);
        writer.tools.faultHook = null;
        assertThat(err.type()).isEqualTo(MessageType.SERVER_JSON_ERROR);
        assertThat(err.get(0)).isEqualTo(212);
        assertThat(new JsonObject(err.text()).getString("action")).isEqualTo("ProtocolViolation");
        assertThat(server.sync().head(FILE)).isEqualTo(2);
        assertThat(server.sync().objectStateDump(FILE)).isEqualTo(dumpBefore);
        restart(data);
        assertThat(server.sync().head(FILE)).isEqualTo(2);
        assertThat(server.sync().objectStateDump(FILE)).isEqualTo(dumpBefore);
        // the client file's cursor did not move: the IDENT of a new session still accepts (0, 0)
        final SyncTestClient b2 = connect();
        b2.bind(2, P, false);
        b2.ident(2, ib[0], ib[1], 0, 0, 0, 0);
        b2.mark(2, 9);
        assertThat(b2.next(MessageType.SERVER_MARK).get(0)).isEqualTo(9);
    }
}
