package dev.outpost.server.sync;

import dev.outpost.codec.message.MessageType;
import dev.outpost.server.backup.Backup;
import dev.outpost.server.cli.OutpostMain;
import dev.outpost.server.config.ServerConfig;
import dev.outpost.server.runtime.SyncServer;
import dev.outpost.server.sync.SyncTestClient.Msg;
import dev.outpost.server.sync.SyncTestClient.Up;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 15 item 6: {@code outpost backup} while a client writes continuously, {@code outpost restore} into a new
 * directory, and a server on the restored directory: a client whose state is in the backup continues without a
 * reset (its IDENT is accepted with the same access token, and the upload the backup lacks is uploaded again and
 * accepted); a client that downloaded versions newer than the backup gets error 209 (bad server version, action
 * {@code ClientReset}), the client reset realm-core expects; the restored history of the busy file is a prefix of
 * the live one, at least as long as when the backup started. Also: restore refuses a directory a server runs on,
 * backup a non-empty target.
 */
@Timeout(180)
class BackupRestoreIT
{
    private static final String APP = "backup-app";

    @TempDir
    Path dir;

    private SyncServer server;
    private final List<SyncTestClient> clients = new ArrayList<>();

    @AfterEach
    void stop()
    {
        clients.forEach(SyncTestClient::close);
        if (null != server)
        {
            server.close();
        }
    }

    private static ServerConfig config(final Path dataDir)
    {
        return new ServerConfig(Map.of()).port(0).host("127.0.0.1").dataDir(dataDir).appId(APP).eventLoops(1);
    }

    private SyncTestClient connect(final String token) throws Exception
    {
        final SyncTestClient c = SyncTestClient.connect(server.port(), APP, token, false);
        clients.add(c);
        return c;
    }

    /** Upload changeset {@code cv} on base {@code base} and wait for its acknowledgement; @return that DOWNLOAD. */
    private static Msg uploadAndAwait(final SyncTestClient c, final long cv, final long base) throws Exception
    {
        c.upload(1, cv, base, 0, false, new Up(cv, base, Changesets.objects("Item", cv * 1000, 1, "v" + cv)));
        Msg ack = c.next(MessageType.DOWNLOAD);
        while (ack.get(4) < cv)
        {
            ack = c.next(MessageType.DOWNLOAD);
        }
        return ack;
    }

    private static int run(final StringWriter err, final String... args)
    {
        final CommandLine cli = OutpostMain.commandLine();
        cli.setOut(new PrintWriter(new StringWriter()));
        cli.setErr(new PrintWriter(err));
        return cli.execute(args);
    }

    @Test
    void shouldBackUpWhileAClientWritesAndRestoreSoClientsInTheBackupContinueAndNewerOnesGetAClientReset()
        throws Exception
    {
        final Path live = dir.resolve("live");
        final Path backup = dir.resolve("backup");
        final Path restored = dir.resolve("restored");
        server = SyncServer.start(config(live));
        final String token = SyncTestClient.login(server.port(), APP);
        final String quiet = SyncService.pbsFileName(APP, "\"quiet\"");
        final String busy = SyncService.pbsFileName(APP, "\"busy\"");

        // The quiet client: three uploads, acknowledged; it keeps their download cursor.
        final SyncTestClient q = connect(token);
        q.bind(1, "\"quiet\"", true);
        final Msg qIdent = q.next(MessageType.SERVER_IDENT);
        q.ident(1, qIdent.get(0), qIdent.get(1), 0, 0, 0, 0);
        Msg qState = null;
        for (long i = 0; i < 3; i++)
        {
            qState = uploadAndAwait(q, 2 + i, i);
        }
        assertThat(qState.get(0)).isEqualTo(3);

        // The busy client writes continuously, on its own thread, until told to stop.
        final SyncTestClient b = connect(token);
        b.bind(1, "\"busy\"", true);
        final Msg bIdent = b.next(MessageType.SERVER_IDENT);
        b.ident(1, bIdent.get(0), bIdent.get(1), 0, 0, 0, 0);
        final AtomicBoolean stopWriting = new AtomicBoolean();
        final AtomicLong busyAcked = new AtomicLong();
        final AtomicReference<Msg> busyState = new AtomicReference<>();
        final AtomicReference<Throwable> writerFailure = new AtomicReference<>();
        final Thread writer = new Thread(() ->
        {
            try
            {
                for (long i = 0; !stopWriting.get(); i++)
                {
                    busyState.set(uploadAndAwait(b, 2 + i, i));
                    busyAcked.set(i + 1);
                }
            }
            catch (final Throwable ex)
            {
                writerFailure.set(ex);
            }
        }, "busy-writer");
        writer.start();
        while (busyAcked.get() < 20)
        {
            Thread.sleep(5);
        }

        final long ackedBeforeBackup = busyAcked.get();
        final StringWriter err = new StringWriter();
        assertThat(run(err, "backup", "--data-dir", live.toString(), "--to", backup.toString()))
            .as(err.toString()).isZero();
        final long ackedAfterBackup = busyAcked.get();
        while (busyAcked.get() < ackedAfterBackup + 5)
        {
            Thread.sleep(5);
        }
        stopWriting.set(true);
        writer.join(30_000);
        assertThat(writerFailure.get()).isNull();
        assertThat(ackedAfterBackup).as("the client wrote while the backup ran").isGreaterThan(ackedBeforeBackup);

        // The quiet client uploads once more; the live server stores it, but the client goes away before it
        // reads the acknowledgement, so its download cursor stays at 3 and the change stays unacknowledged.
        q.upload(1, 5, 3, 0, false, new Up(5, 3, Changesets.objects("Item", 5000, 1, "after")));
        final Msg busyFinal = busyState.get();
        final long liveBusyHead = server.sync().head(busy);
        final long liveQuietHeadWait = System.nanoTime();
        while (server.sync().head(quiet) < 4 && System.nanoTime() - liveQuietHeadWait < 10_000_000_000L)
        {
            Thread.sleep(5);
        }
        assertThat(server.sync().head(quiet)).isEqualTo(4);

        // Restore refuses the directory the server runs on, and backup a target that is not empty.
        final StringWriter refusal = new StringWriter();
        assertThat(run(refusal, "restore", "--from", backup.toString(), "--data-dir", live.toString())).isEqualTo(2);
        assertThat(refusal.toString()).contains("is not empty: a running Outpost server uses it");
        final StringWriter notEmpty = new StringWriter();
        assertThat(run(notEmpty, "backup", "--data-dir", live.toString(), "--to", backup.toString())).isEqualTo(2);
        assertThat(notEmpty.toString()).contains("is not empty");

        clients.forEach(SyncTestClient::close);
        clients.clear();
        server.close();
        server = null;
        assertThat(run(err, "restore", "--from", backup.toString(), "--data-dir", restored.toString()))
            .as(err.toString()).isZero();
        assertThat(restored.resolve(Backup.MARKER)).doesNotExist();
        server = SyncServer.start(config(restored));

        // Consistent: the busy file is a prefix at least as long as what was acknowledged when the backup began.
        final long restoredBusyHead = server.sync().head(busy);
        // The writer has at most one upload in flight: stored (and so maybe copied) before its acknowledgement.
        assertThat(restoredBusyHead).isBetween(ackedBeforeBackup, ackedAfterBackup + 1);
        assertThat(restoredBusyHead).isLessThan(liveBusyHead);
        assertThat(server.sync().head(quiet)).isEqualTo(3);

        // The quiet client continues: same token (auth log and key restored), IDENT accepted, the lost upload
        // uploaded again and acknowledged.
        final SyncTestClient q2 = connect(token);
        q2.bind(1, "\"quiet\"", false);
        q2.ident(1, qIdent.get(0), qIdent.get(1), qState.get(0), qState.get(1), qState.get(2), qState.get(3));
        final Msg resumed = uploadAndAwait(q2, 5, 3);
        assertThat(resumed.type()).isEqualTo(MessageType.DOWNLOAD);
        assertThat(server.sync().head(quiet)).isEqualTo(4);

        // The busy client downloaded versions the backup does not hold: error 209, a client reset.
        final SyncTestClient b2 = connect(token);
        b2.bind(1, "\"busy\"", false);
        b2.ident(1, bIdent.get(0), bIdent.get(1), busyFinal.get(0), busyFinal.get(1), busyFinal.get(2),
            busyFinal.get(3));
        final Msg error = b2.next();
        assertThat(error.type()).as("%s %s", error, error.text()).isEqualTo(MessageType.SERVER_JSON_ERROR);
        assertThat(error.get(0)).as(error.text()).isEqualTo(209);
        assertThat(new io.vertx.core.json.JsonObject(error.text()).getString("action")).isEqualTo("ClientReset");
        assertThat(Files.exists(backup.resolve(Backup.MARKER))).isTrue();
    }
}
