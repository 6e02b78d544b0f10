package dev.outpost.server.sync;

import dev.outpost.codec.message.MessageType;
import dev.outpost.server.config.ServerConfig;
import dev.outpost.server.runtime.SyncServer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import static dev.outpost.server.sync.SyncTestClient.Msg;
import static dev.outpost.server.sync.SyncTestClient.Up;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The session engine at the protocol level, with a raw WebSocket client built on the codec: servers on 127.0.0.1,
 * random ports, one per test.
 */
@Timeout(60)
class SyncProtocolIT
{
    private static final String APP = "proto-app";

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

    private void start(final UnaryOperator<ServerConfig> tweak) throws Exception
    {
        server = fixture.start(dir.resolve("server"), tweak);
        token = fixture.token();
    }

    private void start() throws Exception
    {
        start(c -> c);
    }

    private SyncTestClient connect(final boolean flx) throws Exception
    {
        return fixture.connect(flx);
    }

    /** A bound, identified PBS session on a fresh client file; returns {ident, salt}. */
    private long[] open(final SyncTestClient c, final long session, final String partition) throws Exception
    {
        c.bind(session, partition, true);
        final Msg ident = c.next();
        assertThat(ident.type()).isEqualTo(MessageType.SERVER_IDENT);
        assertThat(ident.session()).isEqualTo(session);
        assertThat(ident.get(0)).isGreaterThanOrEqualTo(2);
        assertThat(ident.get(1)).isNotZero();
        c.ident(session, ident.get(0), ident.get(1), 0, 0, 0, 0);
        c.mark(session, 1);
        final Msg first = c.next();
        assertThat(first.type()).isEqualTo(MessageType.DOWNLOAD);
        Msg m = first;
        while (m.type() == MessageType.DOWNLOAD)
        {
            m = c.next();
        }
        assertThat(m.type()).isEqualTo(MessageType.SERVER_MARK);
        assertThat(m.get(0)).isEqualTo(1);
        return new long[] {ident.get(0), ident.get(1)};
    }

    @Test
    void shouldAcknowledgeAnUploadAndFanItOutToOtherSessions() throws Exception
    {
        start();
        final SyncTestClient a = connect(false);
        final SyncTestClient b = connect(false);
        final long[] ia = open(a, 1, "\"p\"");
        final long[] ib = open(b, 7, "\"p\"");
        assertThat(ib[0]).isNotEqualTo(ia[0]);

        final byte[] cs = Changesets.objects("Item", 1, 3, "n");
        a.upload(1, 2, 0, 0, false, new Up(2, 0, cs));

        final Msg ack = a.next();
        assertThat(ack.type()).isEqualTo(MessageType.DOWNLOAD);
        assertThat(ack.entries()).as("never the receiver's own changesets").isEmpty();
        assertThat(ack.get(0)).as("download server version").isEqualTo(1);
        assertThat(ack.get(1)).as("download client version").isEqualTo(2);
        assertThat(ack.get(2)).as("latest").isEqualTo(1);
        assertThat(ack.get(3)).as("salt").isNotZero();
        assertThat(ack.get(4)).as("upload client version").isEqualTo(2);
        assertThat(ack.get(6)).as("downloadable bytes").isZero();

        final Msg fan = b.next();
        assertThat(fan.type()).isEqualTo(MessageType.DOWNLOAD);
        assertThat(fan.session()).isEqualTo(7);
        assertThat(fan.get(0)).isEqualTo(1);
        assertThat(fan.get(1)).isZero();
        assertThat(fan.get(3)).isEqualTo(ack.get(3));
        assertThat(fan.entries()).hasSize(1);
        assertThat(fan.entries().get(0).serverVersion()).isEqualTo(1);
        assertThat(fan.entries().get(0).originFileIdent()).isEqualTo(ia[0]);
        assertThat(fan.entries().get(0).timestamp()).isEqualTo(1002);
        assertThat(fan.entries().get(0).changeset()).isEqualTo(cs);

        // an empty progress upload gets no download; after a reconnect, a re-sent changeset is skipped
        a.upload(1, 3, 1, 1, false);
        assertThat(a.poll(300)).isNull();
        a.unbind(1);
        assertThat(a.next().type()).isEqualTo(MessageType.UNBOUND);
        a.bind(2, "\"p\"", false);
        a.ident(2, ia[0], ia[1], 1, 2, 1, ack.get(3));
        a.upload(2, 3, 1, 1, false, new Up(2, 0, cs));
        a.mark(2, 5);
        assertThat(a.next(MessageType.SERVER_MARK).get(0)).isEqualTo(5);
        assertThat(b.poll(300)).isNull();
        assertThat(server.sync().head(SyncService.pbsFileName(APP, "\"p\""))).isEqualTo(1);
        assertThat(server.sync().objectStateDump(SyncService.pbsFileName(APP, "\"p\""))).contains("\"n1\"", "\"n3\"");
    }

    @Test
    void shouldPipelineUploadsOfOneSessionAndStillAnswerInOrder() throws Exception
    {
        start();
        final SyncTestClient a = connect(false);
        final SyncTestClient b = connect(false);
        open(a, 1, "\"pipe\"");
        open(b, 2, "\"pipe\"");
        // 60 UPLOADs back to back, a MARK right behind them, then one more UPLOAD
        final int n = 60;
        for (int i = 0; i < n; i++)
        {
            a.upload(1, 2 + i, 0, 0, false, new Up(2 + i, 0, Changesets.objects("Item", i, 1, "v")));
        }
        a.mark(1, 7);
        a.upload(1, 2 + n, 0, 0, false, new Up(2 + n, 0, Changesets.objects("Item", n, 1, "v")));
        long acked = 0;
        Msg m;
        while ((m = a.next()).type() == MessageType.DOWNLOAD)
        {
            assertThat(m.entries()).isEmpty();
            assertThat(m.get(4)).as("acknowledgements never go backwards").isGreaterThanOrEqualTo(acked);
            acked = m.get(4);
        }
        assertThat(m.type()).isEqualTo(MessageType.SERVER_MARK);
        assertThat(acked).as("the MARK is answered after every UPLOAD sent before it").isEqualTo(1 + n);
        assertThat(a.next().get(4)).as("the UPLOAD after the MARK").isEqualTo(2 + n);
        assertThat(server.sync().uploadsPipelined()).as("several uploads of the session were in flight at once")
            .isPositive();
        // the other session received every changeset once, in order
        long last = 0;
        int received = 0;
        while (received < n + 1)
        {
            final Msg d = b.next();
            assertThat(d.type()).isEqualTo(MessageType.DOWNLOAD);
            for (final var e : d.entries())
            {
                assertThat(e.serverVersion()).isEqualTo(last + 1);
                last = e.serverVersion();
                received++;
            }
        }
        assertThat(server.sync().head(SyncService.pbsFileName(APP, "\"pipe\""))).isEqualTo(n + 1);
    }

    @Test
    void shouldAnswerMarkOnlyAfterTheDownloadsUpToTheHead() throws Exception
    {
        start();
        final SyncTestClient a = connect(false);
        open(a, 1, "\"m\"");
        for (int i = 0; i < 5; i++)
        {
            a.upload(1, 2 + i, i, i, false, new Up(2 + i, i, Changesets.objects("Item", i, 1, "v")));
            assertThat(a.next().get(0)).isEqualTo(i + 1);
        }
        final SyncTestClient b = connect(false);
        b.bind(3, "\"m\"", true);
        final Msg ident = b.next();
        b.ident(3, ident.get(0), ident.get(1), 0, 0, 0, 0);
        b.mark(3, 9);
        long cursor = 0;
        int changesets = 0;
        Msg m;
        while ((m = b.next()).type() == MessageType.DOWNLOAD)
        {
            cursor = m.get(0);
            changesets += m.entries().size();
        }
        assertThat(m.type()).isEqualTo(MessageType.SERVER_MARK);
        assertThat(m.get(0)).isEqualTo(9);
        assertThat(cursor).as("MARK after the downloads up to the head").isEqualTo(5);
        assertThat(changesets).isEqualTo(5);
    }

    @Test
    void shouldUnbindAndAllowRebindingTheSameIdentButRejectReuseOfALiveOne() throws Exception
    {
        start();
        final SyncTestClient a = connect(false);
        final long[] id = open(a, 1, "\"u\"");
        a.unbind(1);
        final Msg unbound = a.next();
        assertThat(unbound.type()).isEqualTo(MessageType.UNBOUND);
        assertThat(unbound.session()).isEqualTo(1);
        // re-BIND of an ident whose previous incarnation ended, with the stored client file
        a.bind(1, "\"u\"", false);
        a.ident(1, id[0], id[1], 0, 0, 0, 0);
        a.mark(1, 2);
        assertThat(a.next(MessageType.SERVER_MARK).get(0)).isEqualTo(2);
        // BIND of a live ident: connection-level 107
        a.bind(1, "\"u\"", true);
        final Msg err = a.next();
        assertThat(err.type()).isEqualTo(MessageType.ERROR);
        assertThat(err.get(0)).isEqualTo(107);
        assertThat(err.session()).isZero();
        assertThat(a.awaitClose(5000)).isNotNull();
    }

    @Test
    void shouldAnswerBadFramesWithTypedErrorsWithoutDisturbingOtherConnections() throws Exception
    {
        start();
        final SyncTestClient good = connect(false);
        open(good, 1, "\"f\"");
        final String[][] cases = {
            {"hello 1 2\n", "102"},
            {"bind 1 5 0 1\n\"abc\"", "103"},
            {"mark 1 01\n", "103"},
            {"upload 1 1 10 5 0 0 0\nxxxxx", "110"},
            {"upload 1 0 4 0 0 0 0\n1 2 ", "111"},
            {"mark 5 1\n", "106"},
            {"ident 1 2 3 0 0 0 0\n", "106"},
        };
        for (final String[] c : cases)
        {
            final SyncTestClient bad = connect(false);
            if (c[0].startsWith("upload") || c[0].startsWith("ident"))
            {
                if (c[0].startsWith("upload"))
                {
                    open(bad, 1, "\"f\"");
                }
            }
            bad.sendText(c[0]);
            final Msg err = bad.next(MessageType.ERROR);
            assertThat(err.get(0)).as("error for %s", c[0]).isEqualTo(Long.parseLong(c[1]));
            assertThat(err.session()).isZero();
            assertThat(bad.awaitClose(5000)).isNotNull();
        }
        good.ping(77);
        assertThat(good.next().get(0)).isEqualTo(77);
        good.upload(1, 2, 0, 0, false, new Up(2, 0, Changesets.schema("T")));
        assertThat(good.next().get(4)).isEqualTo(2);
    }

    @Test
    void shouldSurviveMutatedFramesWithTypedErrorsOnly() throws Exception
    {
        start();
        final String[] seeds = {
            "upload 1 0 4 0 2 0 0\n2 0 ", "mark 1 3\n", "ident 1 2 3 0 0 0 0\n", "unbind 1\n",
            "bind 2 3 0 1 0\n\"q\"", "query 1 1 2\n{}", "ping 1 2\n", "json_error 212 2 1\n{}",
            "transact 1 0 0 0\n", "state_request 1 0 0 0 0 0 0 0 0\n", "client_version_request 1 2 3\n",
        };
        final java.util.Random random = new java.util.Random(42);
        for (int i = 0; i < 60; i++)
        {
            final SyncTestClient c = connect(i % 2 == 1);
            open(c, 1, "\"fuzz\"");
            final byte[] frame = seeds[random.nextInt(seeds.length)].getBytes(java.nio.charset.StandardCharsets.UTF_8);
            final int mutations = 1 + random.nextInt(3);
            for (int m = 0; m < mutations; m++)
            {
                frame[random.nextInt(frame.length)] = (byte)random.nextInt(256);
            }
            c.sendRaw(frame);
            try
            {
                c.ping(99);
            }
            catch (final java.util.concurrent.ExecutionException closedAlready)
            {
                // the server closed the connection after a connection-level error: its error is still read below
            }
            // either the frame was fine (then the PONG comes) or a typed error comes first
            while (true)
            {
                final Msg reply;
                try
                {
                    reply = c.next();
                }
                catch (final AssertionError closed)
                {
                    break; // closed after a connection-level error
                }
                if (reply.type() == MessageType.PONG)
                {
                    break;
                }
                if (reply.type() == MessageType.ERROR || reply.type() == MessageType.SERVER_JSON_ERROR)
                {
                    assertThat(reply.get(0)).as("code for %s", new String(frame,
                        java.nio.charset.StandardCharsets.ISO_8859_1)).isBetween(100L, 299L);
                    assertThat(dev.outpost.codec.ProtocolErrorCode.of(reply.get(0)).unsafeForClient()).isFalse();
                }
            }
            c.close();
        }
        final SyncTestClient ok = connect(false);
        open(ok, 1, "\"fuzz\"");
        ok.ping(1);
        assertThat(ok.next().type()).isEqualTo(MessageType.PONG);
    }

    @Test
    void shouldRejectABadChangesetForThatSessionOnly() throws Exception
    {
        start();
        final SyncTestClient a = connect(false);
        open(a, 1, "\"bad\"");
        open(a, 2, "\"bad\"");
        a.upload(1, 2, 0, 0, false, new Up(2, 0, Changesets.unappliable()));
        final Msg err = a.next();
        assertThat(err.type()).isEqualTo(MessageType.SERVER_JSON_ERROR);
        assertThat(err.get(0)).isEqualTo(212);
        assertThat(err.session()).isEqualTo(1);
        assertThat(new JsonObject(err.text()).getBoolean("tryAgain")).isFalse();
        assertThat(server.sync().head(SyncService.pbsFileName(APP, "\"bad\""))).as("nothing appended").isZero();
        assertThat(server.sync().errorsSent(212)).isEqualTo(1);
        // the client answers a session error with UNBIND: no UNBOUND follows
        a.unbind(1);
        a.ping(5);
        assertThat(a.next().type()).isEqualTo(MessageType.PONG);
        // the other session on the same connection carries on
        a.upload(2, 2, 0, 0, false, new Up(2, 0, Changesets.objects("Item", 1, 1, "ok")));
        final Msg ack = a.next();
        assertThat(ack.type()).isEqualTo(MessageType.DOWNLOAD);
        assertThat(ack.session()).isEqualTo(2);
        assertThat(ack.get(4)).isEqualTo(2);
    }

    @Test
    void shouldValidateIdentWithClientResetErrors() throws Exception
    {
        start();
        final SyncTestClient a = connect(false);
        final long[] id = open(a, 1, "\"i\"");
        a.upload(1, 2, 0, 0, false, new Up(2, 0, Changesets.schema("T")));
        final long salt = a.next().get(3);
        a.unbind(1);
        assertThat(a.next().type()).isEqualTo(MessageType.UNBOUND);

        final long[][] cases = {
            {id[0] + 100, id[1], 0, 0, 0, 0, 208},
            {id[0], id[1] + 1, 0, 0, 0, 0, 211},
            {id[0], id[1], 5, 0, 5, salt, 209},
            {id[0], id[1], 1, 9, 1, salt, 210},
            {id[0], id[1], 1, 2, 1, salt + 1, 211},
        };
        long session = 10;
        for (final long[] c : cases)
        {
            session++;
            a.bind(session, "\"i\"", false);
            a.ident(session, c[0], c[1], c[2], c[3], c[4], c[5]);
            final Msg err = a.next();
            assertThat(err.type()).as("%s %s", err, err.text()).isEqualTo(MessageType.SERVER_JSON_ERROR);
            assertThat(err.get(0)).as(err.text()).isEqualTo(c[6]);
            assertThat(err.session()).isEqualTo(session);
            final JsonObject body = new JsonObject(err.text());
            assertThat(body.getString("action")).isEqualTo("ClientReset");
            assertThat(body.fieldNames()).contains("message", "tryAgain", "isRecoveryModeDisabled",
                "shouldClientReset", "logURL", "action");
            a.unbind(session);
        }
        // a valid IDENT still works on the same connection
        a.bind(99, "\"i\"", false);
        a.ident(99, id[0], id[1], 1, 2, 1, salt);
        a.mark(99, 1);
        assertThat(a.next(MessageType.SERVER_MARK).session()).isEqualTo(99);
        // the same client file in a second session of the connection: 108, connection level
        a.bind(100, "\"i\"", false);
        a.ident(100, id[0], id[1], 1, 2, 1, salt);
        final Msg clash = a.next();
        assertThat(clash.type()).isEqualTo(MessageType.ERROR);
        assertThat(clash.get(0)).isEqualTo(108);
        assertThat(clash.session()).isZero();
    }

    @Test
    void shouldBatchDownloadsAtTheConfiguredSizeAndCompressLargeBodies() throws Exception
    {
        assertThat(new ServerConfig(Map.of()).maxDownloadSize()).isEqualTo(16 * 1024 * 1024);
        start(c -> c.maxDownloadSize(64 * 1024));
        final SyncTestClient a = connect(false);
        open(a, 1, "\"big\"");
        long sv = 0;
        final long[] sizes = new long[10];
        for (int i = 0; i < 10; i++)
        {
            final byte[] cs = Changesets.objects("Item", i * 400L, 400, "name-with-some-repetitive-text-");
            sizes[i] = cs.length;
            assertThat(cs.length).isGreaterThan(10_000);
            a.upload(1, 2 + i, sv, sv, true, new Up(2 + i, sv, cs));
            sv = a.next().get(0);
        }
        final SyncTestClient b = connect(false);
        b.bind(1, "\"big\"", true);
        final Msg ident = b.next();
        b.ident(1, ident.get(0), ident.get(1), 0, 0, 0, 0);
        b.mark(1, 1);
        long cursor = 0;
        int entries = 0;
        int messages = 0;
        Msg m;
        while ((m = b.next()).type() == MessageType.DOWNLOAD)
        {
            messages++;
            assertThat(m.compressed()).as("bodies above 1024 bytes are compressed").isTrue();
            assertThat(m.frameLength()).isLessThan(64 * 1024);
            long uncompressed = 0;
            for (final var e : m.entries())
            {
                assertThat(e.serverVersion()).isGreaterThan(cursor);
                cursor = e.serverVersion();
                uncompressed += e.changeset().length;
            }
            assertThat(uncompressed).isLessThanOrEqualTo(64 * 1024);
            assertThat(m.get(0)).isEqualTo(cursor);
            long left = 0;
            for (long v = cursor + 1; v <= 10; v++)
            {
                left += sizes[(int)v - 1];
            }
            assertThat(m.get(6)).as("downloadable bytes left after this message").isEqualTo(left);
            entries += m.entries().size();
        }
        assertThat(m.type()).isEqualTo(MessageType.SERVER_MARK);
        assertThat(entries).isEqualTo(10);
        assertThat(messages).isGreaterThan(1);
        assertThat(cursor).isEqualTo(10);

        // a small body is not compressed
        a.upload(1, 20, 10, 10, false, new Up(20, 10, Changesets.schema("Small")));
        a.next();
        final Msg small = b.next();
        assertThat(small.compressed()).isFalse();
        assertThat(small.entries()).hasSize(1);
    }

    @Test
    void shouldResumeEveryPausedSessionOfAConnectionWhenItDrains() throws Exception
    {
        start();
        final SyncTestClient a = connect(false);
        open(a, 1, "\"wake\"");
        final java.util.concurrent.atomic.AtomicBoolean stall = new java.util.concurrent.atomic.AtomicBoolean();
        final SyncTestClient b = SyncTestClient.connect(server.port(), APP, token, false, stall);
        fixture.track(b);
        final int sessions = 20;
        for (int s = 1; s <= sessions; s++)
        {
            open(b, s, "\"wake\"");
        }
        stall.set(true); // b stops reading: the server's socket fills and b's sessions pause
        long sv = 0;
        final int uploads = 8;
        for (int i = 0; i < uploads; i++)
        {
            a.upload(1, 2 + i, sv, sv, false, new Up(2 + i, sv, Changesets.randomObjects("Item", i * 1000L, 1000,
                400)));
            sv = a.next(MessageType.DOWNLOAD).get(0);
        }
        Thread.sleep(300);
        stall.set(false);
        b.resumeReading();
        for (int s = 1; s <= sessions; s++)
        {
            b.mark(s, 100 + s);
        }
        // every session catches up to the head and answers its MARK (none is left paused)
        final long[] cursor = new long[sessions + 1];
        int marks = 0;
        while (marks < sessions)
        {
            final Msg m = b.next();
            if (m.type() == MessageType.DOWNLOAD)
            {
                cursor[(int)m.session()] = m.get(0);
            }
            else
            {
                assertThat(m.type()).isEqualTo(MessageType.SERVER_MARK);
                assertThat(m.get(0)).isEqualTo(100 + m.session());
                marks++;
            }
        }
        for (int s = 1; s <= sessions; s++)
        {
            assertThat(cursor[s]).as("session " + s + " caught up").isEqualTo(uploads);
        }
    }

    @Test
    void shouldDropASlowConsumerWithoutSlowingTheUploader() throws Exception
    {
        start(c -> c.slowConsumerTimeout(java.time.Duration.ofSeconds(1)));
        final SyncTestClient a = connect(false);
        open(a, 1, "\"slow\"");
        final java.util.concurrent.atomic.AtomicBoolean stall = new java.util.concurrent.atomic.AtomicBoolean();
        final SyncTestClient b = SyncTestClient.connect(server.port(), APP, token, false, stall);
        fixture.track(b);
        stall.set(true); // reads the IDENT, then nothing
        b.bind(1, "\"slow\"", true);
        final Msg ident = b.next();
        b.ident(1, ident.get(0), ident.get(1), 0, 0, 0, 0);
        long sv = 0;
        final long start = System.nanoTime();
        for (int i = 0; i < 24; i++)
        {
            a.upload(1, 2 + i, sv, sv, false, new Up(2 + i, sv, Changesets.randomObjects("Item", i * 2000L, 2000,
                400)));
            final Msg ack = a.next();
            assertThat(ack.type()).isEqualTo(MessageType.DOWNLOAD);
            sv = ack.get(0);
        }
        final long uploadMs = (System.nanoTime() - start) / 1_000_000;
        final long deadline = System.currentTimeMillis() + 15_000;
        while (server.sync().slowConsumersDropped() == 0 && System.currentTimeMillis() < deadline)
        {
            Thread.sleep(50);
        }
        assertThat(server.sync().slowConsumersDropped()).isEqualTo(1);
        a.ping(1);
        assertThat(a.next().type()).isEqualTo(MessageType.PONG);
        System.out.println("24 MB uploaded in " + uploadMs + " ms while a stalled reader was paused, then dropped");
    }

    @Test
    void shouldHoldUploadsBackWhenTheWritersHandoffIsFull() throws Exception
    {
        start(c -> c.writerQueue(2));
        final int sessions = 24;
        final List<SyncTestClient> uploaders = new ArrayList<>();
        for (int i = 0; i < sessions; i++)
        {
            final SyncTestClient c = connect(false);
            open(c, 1, "\"full\"");
            uploaders.add(c);
        }
        for (int round = 0; round < 5; round++)
        {
            for (int i = 0; i < sessions; i++)
            {
                // every client uploads on its last acknowledged base; the server transforms as needed
                uploaders.get(i).upload(1, 2 + round, 0, 0, false,
                    new Up(2 + round, 0, Changesets.objects("Item", i * 100L + round, 1, "c" + i)));
            }
        }
        for (int i = 0; i < sessions; i++)
        {
            long acked = 0;
            while (acked < 6)
            {
                final Msg m = uploaders.get(i).next();
                assertThat(m.type()).as("%s %s", m, m.text()).isEqualTo(MessageType.DOWNLOAD);
                acked = m.get(4);
            }
        }
        assertThat(server.sync().head(SyncService.pbsFileName(APP, "\"full\""))).isEqualTo(sessions * 5);
        assertThat(server.sync().handoffRetries()).as("the handoff was full at times").isPositive();
    }

    @Test
    void shouldAnswerPingAndDropIdleConnections() throws Exception
    {
        start(c -> c.idleTimeout(Duration.ofMillis(800)));
        final SyncTestClient a = connect(false);
        a.ping(123456);
        final Msg pong = a.next();
        assertThat(pong.type()).isEqualTo(MessageType.PONG);
        assertThat(pong.get(0)).isEqualTo(123456);
        final long start = System.nanoTime();
        assertThat(a.awaitClose(5000)).isEqualTo(1001);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(Duration.ofMillis(500));
    }

    @Test
    void shouldBootstrapTruePredicateQueriesAndRejectMalformedOnes() throws Exception
    {
        start();
        // a PBS-independent FLX writer puts Items and Others into the app's FLX file
        final SyncTestClient w = connect(true);
        w.bind(1, "{\"schemaVersion\":0,\"sessionReason\":0}", true);
        final Msg wi = w.next();
        // subscribed to what it writes (a write outside the subscription would get a compensating write 231)
        w.identFlx(1, wi.get(0), wi.get(1), 0, 0, 0, 0, 1,
            "{\"Item\":\"(TRUEPREDICATE)\",\"Other\":\"(TRUEPREDICATE)\"}");
        w.mark(1, 1);
        final Msg first = w.next();
        assertThat(first.type()).isEqualTo(MessageType.DOWNLOAD);
        assertThat(first.get(7)).as("steady state").isEqualTo(2);
        w.next(MessageType.SERVER_MARK);
        w.upload(1, 3, 0, 0, false, new Up(2, 0, Changesets.objects("Item", 1, 2, "item")),
            new Up(3, 0, Changesets.objects("Other", 1, 1, "other")));
        final Msg wack = w.next();
        assertThat(wack.type()).as("%s %s", wack, wack.text()).isEqualTo(MessageType.DOWNLOAD);
        assertThat(wack.get(4)).isEqualTo(3);

        final SyncTestClient r = connect(true);
        r.bind(4, "{\"schemaVersion\":0,\"sessionReason\":0}", true);
        final Msg ri = r.next();
        r.identFlx(4, ri.get(0), ri.get(1), 0, 0, 0, 0, 0, "{}");
        r.mark(4, 1);
        Msg m;
        while ((m = r.next()).type() == MessageType.DOWNLOAD)
        {
            for (final var e : m.entries())
            {
                assertThat(new String(e.changeset(), java.nio.charset.StandardCharsets.ISO_8859_1))
                    .as("no objects before a subscription").doesNotContain("item1").doesNotContain("other1");
            }
        }
        assertThat(m.type()).isEqualTo(MessageType.SERVER_MARK);

        r.query(4, 1, "{\"Item\":\"(TRUEPREDICATE )\"}");
        r.mark(4, 2);
        final Msg boot = r.next();
        assertThat(boot.type()).isEqualTo(MessageType.DOWNLOAD);
        assertThat(boot.get(6)).as("query version").isEqualTo(1);
        assertThat(boot.get(7)).as("LastInBatch").isEqualTo(1);
        assertThat(boot.progress()).isEqualTo(1.0);
        assertThat(boot.entries()).isNotEmpty();
        final String text = new String(boot.entries().get(0).changeset(), java.nio.charset.StandardCharsets.ISO_8859_1);
        assertThat(text).contains("item1").contains("item2").doesNotContain("other1");
        assertThat(r.next().type()).isEqualTo(MessageType.SERVER_MARK);

        // steady state: new Items arrive, Others are trimmed
        w.upload(1, 5, 2, 2, false, new Up(4, 2, Changesets.objects("Item", 9, 1, "item")),
            new Up(5, 2, Changesets.objects("Other", 9, 1, "other")));
        final StringBuilder seen = new StringBuilder();
        long cursor = 0;
        while (cursor < 4)
        {
            final Msg d = r.next();
            assertThat(d.get(7)).isEqualTo(2);
            assertThat(d.get(6)).isEqualTo(1);
            cursor = d.get(0);
            d.entries().forEach(e -> seen.append(new String(e.changeset(),
                java.nio.charset.StandardCharsets.ISO_8859_1)));
        }
        assertThat(seen.toString()).contains("item9").doesNotContain("other9");

        // a re-sent QUERY of a bootstrapped version is answered again
        r.query(4, 1, "{\"Item\":\"(TRUEPREDICATE)\"}");
        r.mark(4, 3);
        final Msg again = r.next();
        assertThat(again.get(7)).isEqualTo(1);
        assertThat(again.entries()).isNotEmpty();
        assertThat(r.next().type()).isEqualTo(MessageType.SERVER_MARK);

        // a query that does not parse: query_error 226, no data
        r.query(4, 2, "{\"Item\":\"(name == )\"}");
        final Msg qe = r.next();
        assertThat(qe.type()).isEqualTo(MessageType.QUERY_ERROR);
        assertThat(qe.get(0)).isEqualTo(226);
        assertThat(qe.get(2)).isEqualTo(2);
        assertThat(qe.text()).contains("bad syntax");

        // a subscription that drops Item: its objects leave the view (EraseObject), Others arrive
        r.query(4, 3, "{\"Other\":\"(TRUEPREDICATE)\"}");
        r.mark(4, 4);
        final List<dev.outpost.ot.model.Instruction> instructions = new ArrayList<>();
        Msg part;
        do
        {
            part = r.next();
            assertThat(part.get(6)).isEqualTo(3);
            for (final var e : part.entries())
            {
                instructions.addAll(new dev.outpost.ot.model.ChangesetReader().read(e.changeset()).instructions());
            }
        }
        while (part.get(7) != 1);
        assertThat(instructions.stream().filter(i -> i instanceof dev.outpost.ot.model.EraseObject)
            .map(dev.outpost.ot.model.Instruction::table)).containsExactly("Item", "Item", "Item");
        assertThat(instructions.stream().filter(i -> i instanceof dev.outpost.ot.model.CreateObject)
            .map(dev.outpost.ot.model.Instruction::table)).containsExactly("Other", "Other");
        assertThat(r.next().type()).isEqualTo(MessageType.SERVER_MARK);
    }

    @Test
    void shouldSplitALargeBootstrapIntoMoreToComeBatchesEndingWithLastInBatch() throws Exception
    {
        start(c -> c.maxDownloadSize(64 * 1024));
        final SyncTestClient w = connect(true);
        w.bind(1, "{\"schemaVersion\":0,\"sessionReason\":0}", true);
        final Msg wi = w.next();
        w.identFlx(1, wi.get(0), wi.get(1), 0, 0, 0, 0, 1, "{\"Item\":\"(TRUEPREDICATE)\"}");
        w.upload(1, 3, 0, 0, true, new Up(2, 0, Changesets.randomObjects("Item", 0, 1000, 200)),
            new Up(3, 0, Changesets.randomObjects("Item", 1000, 1000, 200)));
        w.mark(1, 1);
        w.next(MessageType.SERVER_MARK);

        final SyncTestClient r = connect(true);
        r.bind(1, "{\"schemaVersion\":0,\"sessionReason\":0}", true);
        final Msg ri = r.next();
        r.identFlx(1, ri.get(0), ri.get(1), 0, 0, 0, 0, 0, "{}");
        r.query(1, 1, "{\"Item\":\"(TRUEPREDICATE)\"}");
        r.mark(1, 1);
        final List<Msg> batch = new ArrayList<>();
        Msg m;
        while ((m = r.next()).type() == MessageType.DOWNLOAD)
        {
            if (m.get(6) == 1)
            {
                batch.add(m);
            }
        }
        assertThat(m.type()).isEqualTo(MessageType.SERVER_MARK);
        assertThat(batch.size()).isGreaterThan(3);
        double previous = 0;
        int objects = 0;
        for (int i = 0; i < batch.size(); i++)
        {
            final Msg b = batch.get(i);
            assertThat(b.get(7)).isEqualTo(i == batch.size() - 1 ? 1 : 0);
            assertThat(b.entries()).hasSize(1);
            assertThat(b.progress()).isGreaterThan(previous).isLessThanOrEqualTo(1.0);
            previous = b.progress();
            objects += (int)new dev.outpost.ot.model.ChangesetReader().read(b.entries().get(0).changeset())
                .instructions().stream().filter(x -> x instanceof dev.outpost.ot.model.CreateObject).count();
        }
        assertThat(previous).isEqualTo(1.0);
        assertThat(objects).isEqualTo(2000);
    }

    @Test
    void shouldWriteTheFlxProgressFieldAsAnIntegerBeforeProtocol12() throws Exception
    {
        start();
        final SyncTestClient old = SyncTestClient.connect(server.port(), APP, token, true,
            new java.util.concurrent.atomic.AtomicBoolean(), 11);
        fixture.track(old);
        old.bind(1, "{\"schemaVersion\":0,\"sessionReason\":0}", true);
        final Msg oi = old.next();
        old.identFlx(1, oi.get(0), oi.get(1), 0, 0, 0, 0, 0, "{}");
        old.query(1, 1, "{\"Item\":\"(TRUEPREDICATE)\"}");
        old.mark(1, 1);
        Msg m;
        while ((m = old.next()).type() == MessageType.DOWNLOAD)
        {
            assertThat(m.progress()).as("integer field decoded by a v11 parser").isEqualTo(-1.0);
        }
        assertThat(m.type()).isEqualTo(MessageType.SERVER_MARK);
    }

    @Test
    void shouldBootstrapAnEmptyFileWithOneEmptyChangeset() throws Exception
    {
        start();
        final SyncTestClient r = connect(true);
        r.bind(1, "{\"schemaVersion\":0,\"sessionReason\":0}", true);
        final Msg ri = r.next();
        r.identFlx(1, ri.get(0), ri.get(1), 0, 0, 0, 0, 0, "{}");
        r.query(1, 1, "{\"Item\":\"(TRUEPREDICATE)\"}");
        r.mark(1, 1);
        Msg boot;
        while ((boot = r.next()).get(7) != 1)
        {
            assertThat(boot.type()).isEqualTo(MessageType.DOWNLOAD);
        }
        assertThat(boot.entries()).hasSize(1);
        assertThat(boot.entries().get(0).serverVersion()).isGreaterThanOrEqualTo(1);
        assertThat(boot.entries().get(0).originFileIdent()).isEqualTo(1);
        assertThat(r.next().type()).isEqualTo(MessageType.SERVER_MARK);
    }

    @Test
    void shouldServeTheLegacyTransactStateAndClientVersionRequests() throws Exception
    {
        start();
        final SyncTestClient a = connect(false);
        final long[] id = open(a, 1, "\"legacy\"");
        a.upload(1, 2, 0, 0, false, new Up(2, 0, Changesets.objects("Item", 1, 2, "up")));
        final Msg ack = a.next();
        final long salt = ack.get(3);

        // CLIENT_VERSION_REQUEST: stored client version with the right salt, 0 otherwise
        a.clientVersionRequest(1, id[0], id[1]);
        assertThat(a.next().get(0)).isEqualTo(2);
        a.clientVersionRequest(1, id[0], id[1] + 1);
        assertThat(a.next().get(0)).isZero();

        // TRANSACT on a stale base: status 2; on the head: status 1 and a new version
        a.transact(1, 2, 0, Changesets.objects("Item", 7, 1, "tx"));
        final Msg stale = a.next();
        assertThat(stale.type()).isEqualTo(MessageType.SERVER_TRANSACT);
        assertThat(stale.get(0)).isEqualTo(2);
        a.transact(1, 2, 1, Changesets.objects("Item", 7, 1, "tx"));
        Msg tx = a.next();
        while (tx.type() == MessageType.DOWNLOAD)
        {
            tx = a.next();
        }
        assertThat(tx.type()).isEqualTo(MessageType.SERVER_TRANSACT);
        assertThat(tx.get(0)).isEqualTo(1);
        assertThat(tx.get(1)).isEqualTo(2);
        assertThat(tx.get(2)).isEqualTo(salt);
        assertThat(tx.get(4)).isEqualTo(1);
        assertThat(server.sync().objectStateDump(SyncService.pbsFileName(APP, "\"legacy\""))).contains("\"tx7\"");

        // STATE_REQUEST: the snapshot, zlib segments, offsets up to max
        a.stateRequest(1, 0, 0, 0);
        Msg st = a.next();
        while (st.type() == MessageType.DOWNLOAD)
        {
            st = a.next();
        }
        assertThat(st.type()).isEqualTo(MessageType.STATE);
        assertThat(st.get(0)).isEqualTo(2);
        assertThat(st.get(2)).isZero();
        assertThat(st.get(3)).isEqualTo(st.get(4));
        final byte[] body = st.entries().get(0).changeset();
        final int size = java.nio.ByteBuffer.wrap(body).getInt();
        final java.util.zip.Inflater inflater = new java.util.zip.Inflater();
        inflater.setInput(body, 4, size);
        final byte[] snapshot = new byte[(int)st.get(4)];
        assertThat(inflater.inflate(snapshot)).isEqualTo(snapshot.length);
        final String text = new String(snapshot, java.nio.charset.StandardCharsets.ISO_8859_1);
        assertThat(text).contains("up1").contains("up2").contains("tx7");
    }
}
