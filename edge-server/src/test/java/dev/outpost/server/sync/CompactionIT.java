package dev.outpost.server.sync;

import dev.outpost.codec.changeset.Instr;
import dev.outpost.codec.message.MessageType;
import dev.outpost.ot.model.ChangesetReader;
import dev.outpost.ot.model.ChangesetWriter;
import dev.outpost.ot.state.ChangesetApplier;
import dev.outpost.ot.state.ChangesetBuilder;
import dev.outpost.ot.state.ObjectState;
import dev.outpost.ot.state.Value;
import dev.outpost.server.cli.OutpostMain;
import dev.outpost.server.inspect.StoreInspector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;

import static dev.outpost.server.sync.SyncTestClient.Msg;
import static dev.outpost.server.sync.SyncTestClient.Up;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * History compaction with a real server: a history of overwritten names, compacted by {@code outpost compact} while
 * the server is stopped; after the restart a new client downloads less and converges to the state of a client that
 * synced before, and the clients that synced before continue without a reset.
 */
@Timeout(120)
class CompactionIT
{
    private static final String APP = "compact-app";
    private static final String P = "\"compact\"";
    private static final int ROUNDS = 30;

    @TempDir
    Path dir;

    private final SyncTestServer fixture = new SyncTestServer(APP);

    @AfterEach
    void stop()
    {
        fixture.close();
    }

    /** What a client downloaded from version 0. */
    private record Download(long serverVersion, int entries, long bytes, String state)
    {
    }

    @Test
    void shouldServeANewClientTheCompactedHistoryAndKeepExistingClientsSyncing() throws Exception
    {
        fixture.start(dir, c -> c.clientMaxOffline(Duration.ZERO));
        final SyncTestClient a = fixture.connect(false);
        a.bind(1, P, true);
        final Msg ident = a.next(MessageType.SERVER_IDENT);
        final long file = ident.get(0);
        final long salt = ident.get(1);
        a.ident(1, file, salt, 0, 0, 0, 0);
        final Up[] ups = new Up[ROUNDS];
        ups[0] = new Up(2, 0, Changesets.objects("Item", 1, 5, "v0-"));
        for (int i = 1; i < ROUNDS; i++)
        {
            ups[i] = new Up(2 + i, 0, rename(5, "v" + i + "-"));
        }
        a.upload(1, 1 + ROUNDS, 0, 0, false, ups);
        Msg m = a.next(MessageType.DOWNLOAD);
        while (m.get(4) < 1 + ROUNDS)
        {
            m = a.next(MessageType.DOWNLOAD);
        }
        final long head = m.get(0);
        assertThat(head).isEqualTo(ROUNDS);
        // the upload cursor moves to the head: nothing below it is needed by this client any more
        a.upload(1, 2 + ROUNDS, head, head, false); // its next local version integrated the download of head
        a.mark(1, 1);
        a.next(MessageType.SERVER_MARK);
        final long[] cursor = {m.get(0), m.get(1), m.get(2), m.get(3)};
        a.unbind(1);
        a.next(MessageType.UNBOUND);

        final SyncTestClient c = fixture.connect(false);
        final long[] cIdent = new long[2];
        final Download before = downloadFromZero(c, 2, head, cIdent);
        assertThat(before.entries()).isEqualTo(ROUNDS);
        c.upload(2, 2, head, head, false);
        c.mark(2, 1);
        c.next(MessageType.SERVER_MARK);
        c.unbind(2);
        c.next(MessageType.UNBOUND);
        fixture.close();

        final StringWriter out = new StringWriter();
        final int exit = OutpostMain.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(out))
            .execute("compact", "--data-dir", dir.toString(), "--client-max-offline", "0");
        assertThat(exit).as(out.toString()).isZero();
        assertThat(out.toString()).contains("compacted");
        try (StoreInspector inspector = StoreInspector.open(dir))
        {
            assertThat(inspector.files().get(0).compactedUntil()).isEqualTo(head);
        }

        fixture.start(dir, cfg -> cfg.clientMaxOffline(Duration.ZERO));
        final SyncTestClient b = fixture.connect(false);
        final Download after = downloadFromZero(b, 3, head, new long[2]);
        assertThat(after.state()).isEqualTo(before.state());
        assertThat(after.entries()).as("the creates and the last names").isEqualTo(2);
        assertThat(after.bytes()).isLessThan(before.bytes() / 5);

        // the clients that synced before continue: no reset, and a new upload integrates
        final SyncTestClient a2 = fixture.connect(false);
        a2.bind(4, P, false);
        a2.ident(4, file, salt, cursor[0], cursor[1], cursor[2], cursor[3]);
        a2.upload(4, 3 + ROUNDS, head, head, false,
            new Up(3 + ROUNDS, head, rename(1, "after-")));
        Msg d = a2.next();
        while (d.type() != MessageType.DOWNLOAD || d.get(4) < 3 + ROUNDS)
        {
            assertThat(d.type()).as("%s %s", d, d.text()).isNotEqualTo(MessageType.SERVER_JSON_ERROR)
                .isNotEqualTo(MessageType.ERROR);
            d = a2.next();
        }
        assertThat(d.get(0)).isEqualTo(head + 1);
        final SyncTestClient c2 = fixture.connect(false);
        c2.bind(5, P, false);
        c2.ident(5, cIdent[0], cIdent[1], head, 0, head, cursor[3]);
        c2.mark(5, 1);
        Msg e = c2.next();
        while (e.type() != MessageType.SERVER_MARK)
        {
            assertThat(e.type()).as("%s %s", e, e.text()).isNotEqualTo(MessageType.SERVER_JSON_ERROR)
                .isNotEqualTo(MessageType.ERROR);
            e = c2.next();
        }
    }

    /** Updates of the names of objects 1..count (no creates). */
    private static byte[] rename(final int count, final String prefix)
    {
        final ChangesetBuilder b = new ChangesetBuilder();
        for (long k = 1; k <= count; k++)
        {
            b.update("Item", new Value.Int(k), "name", new Object[0], Instr.TYPE_STRING, new Value.Str(prefix + k),
                false, -1);
        }
        return new ChangesetWriter().toBytes(b.changeset());
    }

    /** A new client file that downloads from version 0 until {@code head}, applying what it gets. */
    private static Download downloadFromZero(final SyncTestClient c, final long session, final long head,
        final long[] identOut) throws Exception
    {
        c.bind(session, P, true);
        final Msg ident = c.next(MessageType.SERVER_IDENT);
        identOut[0] = ident.get(0);
        identOut[1] = ident.get(1);
        c.ident(session, ident.get(0), ident.get(1), 0, 0, 0, 0);
        final ObjectState state = new ObjectState();
        final ChangesetApplier applier = new ChangesetApplier(state);
        final ChangesetReader reader = new ChangesetReader();
        int entries = 0;
        long bytes = 0;
        long at = 0;
        while (at < head)
        {
            final Msg m = c.next(MessageType.DOWNLOAD);
            for (final SyncTestClient.Entry e : m.entries())
            {
                assertThat(applier.apply(reader.read(e.changeset())).ok()).isTrue();
                entries++;
                bytes += e.changeset().length;
            }
            at = m.get(0);
        }
        return new Download(at, entries, bytes, state.dump());
    }
}
