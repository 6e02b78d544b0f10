package dev.outpost.server.sync;

import dev.outpost.codec.message.MessageType;
import dev.outpost.server.runtime.SyncServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static dev.outpost.server.sync.SyncTestClient.Msg;
import static dev.outpost.server.sync.SyncTestClient.Up;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A client file identified on two connections (realm's "superseded session"): the older connection is closed, the
 * newer session works, and the per-server-file registry of identified client files does not leak.
 */
@Timeout(60)
class ClientFileClashIT
{
    private static final String APP = "clash-app";
    private static final String PARTITION = "\"c\"";

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

    private SyncTestClient connect() throws Exception
    {
        return fixture.connect(false);
    }

    /** BIND (+ IDENT of {@code file}, or a new client file if null), MARK; returns {ident, salt}. */
    private static long[] open(final SyncTestClient c, final long session, final long[] file) throws Exception
    {
        c.bind(session, PARTITION, file == null);
        long[] id = file;
        if (id == null)
        {
            final Msg ident = c.next();
            assertThat(ident.type()).isEqualTo(MessageType.SERVER_IDENT);
            id = new long[] {ident.get(0), ident.get(1)};
        }
        c.ident(session, id[0], id[1], 0, 0, 0, 0);
        c.mark(session, 1);
        assertThat(c.next(MessageType.SERVER_MARK).session()).isEqualTo(session);
        return id;
    }

    private String fileName()
    {
        return SyncService.pbsFileName(APP, PARTITION);
    }

    @Test
    void shouldCloseTheOlderConnectionWhenAnotherIdentifiesTheSameClientFile() throws Exception
    {
        start();
        final SyncTestClient old = connect();
        final long[] id = open(old, 1, null);
        final SyncTestClient other = connect();
        open(other, 3, null); // another client file on the same server file: untouched
        assertThat(server.sync().identifiedClientFiles(fileName())).isEqualTo(2);

        final SyncTestClient fresh = connect();
        open(fresh, 7, id);
        assertThat(old.awaitClose(5000)).as("older connection closed (superseded)").isEqualTo(1001);
        assertThat(server.sync().sessionsSuperseded()).isEqualTo(1);
        assertThat(server.sync().metrics().scrape()).contains("outpost_sessions_superseded_total{app=\"" + APP + "\"} 1.0");

        // the new session works: upload -> ack, fan-out to the other client file
        fresh.upload(7, 2, 0, 0, false, new Up(2, 0, Changesets.objects("Item", 1, 1, "n")));
        final Msg ack = fresh.next(MessageType.DOWNLOAD);
        assertThat(ack.get(4)).as("upload client version").isEqualTo(2);
        assertThat(other.next(MessageType.DOWNLOAD).entries()).hasSize(1);
        assertThat(other.poll(200)).isNull();
        assertThat(server.sync().identifiedClientFiles(fileName())).isEqualTo(2);
        assertThat(server.sync().sessionsSuperseded()).isEqualTo(1);
    }

    @Test
    void shouldKeepTheSameConnectionRuleAndNotSupersedeAnEndedSession() throws Exception
    {
        start();
        final SyncTestClient a = connect();
        final long[] id = open(a, 1, null);
        // the same client file on another session of the same connection: 108, not a supersede
        a.bind(2, PARTITION, false);
        a.ident(2, id[0], id[1], 0, 0, 0, 0);
        final Msg err = a.next(MessageType.ERROR);
        assertThat(err.get(0)).isEqualTo(108);
        assertThat(server.sync().sessionsSuperseded()).isZero();

        // an UNBOUND session frees its client file: identifying it elsewhere closes nothing
        final SyncTestClient b = connect();
        open(b, 1, id);
        b.unbind(1);
        assertThat(b.next().type()).isEqualTo(MessageType.UNBOUND);
        final SyncTestClient c = connect();
        open(c, 1, id);
        assertThat(b.poll(300)).as("b stays open").isNull();
        assertThat(server.sync().sessionsSuperseded()).isZero();
    }

    @Test
    void shouldNotLeakRegistryEntriesOverManyBindsAndUnbinds() throws Exception
    {
        start();
        final SyncTestClient a = connect();
        final long[] id = open(a, 1, null);
        a.unbind(1);
        assertThat(a.next().type()).isEqualTo(MessageType.UNBOUND);
        final List<long[]> fresh = new ArrayList<>();
        for (int i = 0; i < 40; i++)
        {
            final long session = 10 + i;
            final long[] f = open(a, session, i % 2 == 0 ? id : null);
            if (i % 2 != 0)
            {
                fresh.add(f);
            }
            assertThat(server.sync().identifiedClientFiles(fileName())).isEqualTo(1);
            if (i % 3 == 0)
            {
                // ends with a session error (IDENT checks pass, a bad changeset fails): the client file is freed
                a.upload(session, 2, 0, 0, false, new Up(2, 0, Changesets.unappliable()));
                assertThat(a.next(MessageType.SERVER_JSON_ERROR).get(0)).isEqualTo(212);
            }
            a.unbind(session);
            if (i % 3 != 0)
            {
                assertThat(a.next().type()).isEqualTo(MessageType.UNBOUND);
            }
            awaitIdentified(0); // the server forgets it right after sending UNBOUND
        }
        // and over closed connections: 10 connections of two client files each, half of them dropped
        for (int i = 0; i < 10; i++)
        {
            final SyncTestClient c = connect();
            open(c, 1, fresh.get(2 * i));
            open(c, 2, fresh.get(2 * i + 1));
            if (i % 2 == 0)
            {
                c.close();
            }
        }
        awaitIdentified(10);
        assertThat(server.sync().sessionsSuperseded()).isZero();
        // a supersede removes every entry of the closed connection and adds the new one
        final SyncTestClient d = connect();
        open(d, 1, fresh.get(2));
        awaitIdentified(9);
        assertThat(server.sync().sessionsSuperseded()).isEqualTo(1);
    }

    private void awaitIdentified(final int expected) throws InterruptedException
    {
        final long deadline = System.currentTimeMillis() + 5000;
        while (server.sync().identifiedClientFiles(fileName()) != expected && System.currentTimeMillis() < deadline)
        {
            Thread.sleep(10);
        }
        assertThat(server.sync().identifiedClientFiles(fileName())).isEqualTo(expected);
    }
}
