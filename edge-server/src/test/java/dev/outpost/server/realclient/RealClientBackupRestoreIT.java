package dev.outpost.server.realclient;

import dev.outpost.codec.message.MessageType;
import dev.outpost.server.backup.Backup;
import dev.outpost.server.cli.OutpostMain;
import dev.outpost.server.config.ServerConfig;
import dev.outpost.server.runtime.SyncServer;
import dev.outpost.server.sync.Changesets;
import dev.outpost.server.sync.SyncTestClient;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 15 item 6 with MongoDB's client (realm-core 14.12.0): {@code outpost backup} while the server takes writes,
 * more writes after it, {@code outpost restore} into a new directory and a server on it (same port). What realm-core's
 * own server answers after a restore (its tests {@code Sync_ErrorAfterServerRestore_*}) is what Outpost answers:
 * <ul>
 * <li>B synced versions newer than the backup and then wrote offline; it comes back first, its download cursor is
 * beyond the restored history: {@code bad_server_version 209} (action ClientReset); realm-core resets it (recover
 * mode: its unsynced Items survive, the Items only the lost server had acknowledged are gone).</li>
 * <li>A synced only before the backup: it continues without a reset (no callback, no sync error), its stored user
 * refreshes its access token with the refresh token it got before the backup (auth log and key restored), it
 * receives what another client wrote to the restored server, and its new writes are accepted.</li>
 * <li>F's user logged in before the backup, but its client file for the partition was registered after it; the
 * restored server hands that ident out again (to B's reset) with another salt, so F gets
 * {@code diverging_histories 211} (action ClientReset) and recovers.</li>
 * <li>E is like B but comes back after others wrote to the restored server, so its server version exists again but
 * its last upload was never integrated there: {@code bad_client_version 210} (action ClientReset); in discard mode
 * it ends with the server's data.</li>
 * </ul>
 * Finally a fresh client reads exactly the data every client converged to. The same with flexible sync (FLX, a
 * subscription to all Items): a client that synced after the backup gets 209 and recovers its unsynced Items, a
 * client inside the backup continues without a reset.
 */
@Timeout(600)
class RealClientBackupRestoreIT
{
    private static final String APP = "backup-rc-app";
    private static final String PARTITION = "\"shared\"";
    private static final int COUNT = 5;
    /** Short: the access token A stored before the backup has expired when A comes back, so it must refresh. */
    private static final Duration ACCESS_TTL = Duration.ofSeconds(3);

    @TempDir
    Path dir;

    private SyncServer server;
    private int port;

    @AfterEach
    void stop()
    {
        if (null != server)
        {
            server.close();
        }
    }

    private SyncServer start(final Path dataDir) throws Exception
    {
        return SyncServer.start(new ServerConfig(Map.of()).port(port).host("127.0.0.1").dataDir(dataDir)
            .appId(APP).eventLoops(2).accessTokenTtl(ACCESS_TTL));
    }

    @Test
    void shouldLetClientsInTheBackupContinueAndResetNewerOnesWithRecovery() throws Exception
    {
        try (ServerSocket s = new ServerSocket(0))
        {
            port = s.getLocalPort();
        }
        final Path live = dir.resolve("live");
        final Path backup = dir.resolve("backup");
        final Path restored = dir.resolve("restored");
        server = start(live);

        // Before the backup: A, B and E each write and sync (each file holds the others' Items too).
        assertThat(write("client-a", "a1", "a.realm").getInteger("count")).isEqualTo(COUNT);
        assertThat(write("client-b", "b1", "r.realm").getInteger("count")).isEqualTo(2 * COUNT);
        assertThat(write("client-e", "e1", "e.realm").getInteger("count")).isEqualTo(3 * COUNT);
        // F's user logs in before the backup too, but F syncs the partition only after it (see below)
        run("client-f", "pbs-write", Map.of("partition", "\"other\"", "count", "1", "prefix", "f0", "file",
            "o.realm"));

        // The backup runs while another client writes continuously (our raw test client, another partition).
        final String token = SyncTestClient.login(port, APP);
        final AtomicBoolean stopWriting = new AtomicBoolean();
        final AtomicLong acked = new AtomicLong();
        final AtomicReference<Throwable> writerFailure = new AtomicReference<>();
        final Thread writer = new Thread(() -> busyWriter(token, stopWriting, acked, writerFailure), "busy-writer");
        writer.start();
        while (acked.get() < 20 && null == writerFailure.get())
        {
            Thread.sleep(5);
        }
        final long ackedBefore = acked.get();
        final StringWriter err = new StringWriter();
        assertThat(cli(err, "backup", "--data-dir", live.toString(), "--to", backup.toString())).as(err.toString())
            .isZero();
        final long ackedAfter = acked.get();
        while (acked.get() < ackedAfter + 5 && null == writerFailure.get())
        {
            Thread.sleep(5);
        }
        stopWriting.set(true);
        writer.join(30_000);
        assertThat(writerFailure.get()).isNull();
        assertThat(ackedAfter).as("writes went on while the backup ran").isGreaterThan(ackedBefore);

        // After the backup: B and E each sync COUNT Items (acknowledged: versions the backup lacks), then write
        // COUNT Items offline.
        assertThat(run("client-b", "reset-prepare", Map.of("partition", PARTITION, "count", String.valueOf(COUNT),
            "file", "r.realm", "base", "b2", "local", "blocal")).getLong("count")).isEqualTo(5L * COUNT);
        assertThat(run("client-e", "reset-prepare", Map.of("partition", PARTITION, "count", String.valueOf(COUNT),
            "file", "e.realm", "base", "e2", "local", "elocal")).getLong("count")).isEqualTo(6L * COUNT);
        // F's client file for the partition is registered after the backup (the next client file ident)
        assertThat(run("client-f", "reset-prepare", Map.of("partition", PARTITION, "count", String.valueOf(COUNT),
            "file", "f.realm", "base", "f2", "local", "flocal")).getLong("count")).isEqualTo(7L * COUNT);

        server.close();
        server = null;
        assertThat(cli(err, "restore", "--from", backup.toString(), "--data-dir", restored.toString()))
            .as(err.toString()).isZero();
        server = start(restored);

        // (b) B's download cursor is beyond the restored history: bad_server_version 209 (action ClientReset),
        // realm-core resets it automatically; recover mode keeps its unsynced Items, its acknowledged "b2" Items
        // are gone with the server that had them.
        final JsonObject b = reconnect("client-b", "r.realm", "recover", 209);
        assertThat(b.getString("resets")).as("before and after callbacks").startsWith("before")
            .contains("after recovered=true");
        assertThat(names(b.getString("names"))).as("B's data after the reset")
            .isEqualTo(expected("a1", "b1", "e1", "blocal"));

        // F's client file ident was handed out again by the restored server (to B's client reset, the first
        // registration since) with another salt: diverging_histories 211, a client reset; recovery keeps its
        // unsynced Items.
        final JsonObject f = reconnect("client-f", "f.realm", "recover", 211);
        assertThat(f.getString("resets")).startsWith("before").contains("after recovered=true");
        assertThat(names(f.getString("names"))).as("F's data after the reset")
            .isEqualTo(expected("a1", "b1", "e1", "blocal", "flocal"));

        // A new client writes to the restored server.
        assertThat(write("client-c", "c", "c.realm").getInteger("count")).isEqualTo(6 * COUNT);

        // (a) A synced only what the backup holds: no reset, its refresh token works, it sees c, its writes go up.
        final Set<String> all = expected("a1", "b1", "e1", "blocal", "flocal", "c", "a2");
        final JsonObject a = run("client-a", "backup-continue", Map.of("partition", PARTITION, "count",
            String.valueOf(COUNT), "prefix", "a2", "file", "a.realm", "expect", String.valueOf(all.size())));
        System.out.println("A after the restore: " + a);
        assertThat(a.getInteger("users")).as("no new login: the user stored before the backup").isEqualTo(1);
        assertThat(a.getBoolean("refreshed")).as("the pre-backup refresh token works after the restore").isTrue();
        assertThat(a.getLong("access_iat_after")).isGreaterThan(a.getLong("access_iat_before"));
        assertThat(a.getBoolean("logged_in")).isTrue();
        assertThat(a.getString("resets")).as("no client reset").isEmpty();
        assertThat(a.getString("errors")).as("no sync error").isEmpty();
        assertThat(names(a.getString("names"))).isEqualTo(all);

        // E: others wrote since the restore, so its server version is known again but the restored server never
        // integrated its latest upload: bad_client_version 210, a client reset; discard mode drops its unsynced
        // Items and ends with the server's data.
        final JsonObject e = reconnect("client-e", "e.realm", "discard", 210);
        assertThat(e.getString("resets")).startsWith("before").contains("after recovered=false");
        assertThat(names(e.getString("names"))).as("E's data after the reset").isEqualTo(all);

        // Everyone converges: a fresh client reads the restored server's data.
        final JsonObject d = run("client-d", "pbs-read", Map.of("partition", PARTITION, "expect",
            String.valueOf(all.size()), "file", "d.realm"));
        assertThat(new HashSet<>(d.getJsonArray("names").getList())).isEqualTo(all);
        assertThat(Files.exists(backup.resolve(Backup.MARKER))).isTrue();
    }

    @Test
    void shouldDoTheSameForFlexibleSync() throws Exception
    {
        try (ServerSocket s = new ServerSocket(0))
        {
            port = s.getLocalPort();
        }
        final Path live = dir.resolve("live");
        final Path backup = dir.resolve("backup");
        final Path restored = dir.resolve("restored");
        server = start(live);
        final Map<String, String> flx = Map.of("mode", "flx", "count", String.valueOf(COUNT));
        // X and Y subscribe to all Items, write and sync; then the backup
        run("client-x", "write", with(flx, "prefix", "x1"));
        run("client-y", "write", with(flx, "prefix", "y1"));
        final StringWriter err = new StringWriter();
        assertThat(cli(err, "backup", "--data-dir", live.toString(), "--to", backup.toString())).as(err.toString())
            .isZero();
        // Y syncs versions the backup lacks, then writes offline
        assertThat(run("client-y", "reset-prepare", Map.of("count", String.valueOf(COUNT), "file", "flx.realm",
            "base", "y2", "local", "ylocal")).getLong("count")).isEqualTo(4L * COUNT);
        server.close();
        server = null;
        assertThat(cli(err, "restore", "--from", backup.toString(), "--data-dir", restored.toString()))
            .as(err.toString()).isZero();
        server = start(restored);

        final JsonObject y = reconnect("client-y", "flx.realm", "recover", 209, Map.of());
        assertThat(y.getString("resets")).startsWith("before").contains("after recovered=true");
        assertThat(names(y.getString("names"))).as("Y's data after the reset").isEqualTo(expected("x1", "y1",
            "ylocal"));

        final Set<String> all = expected("x1", "y1", "ylocal", "x2");
        final JsonObject x = run("client-x", "backup-continue", Map.of("count", String.valueOf(COUNT), "prefix", "x2",
            "file", "flx.realm", "expect", String.valueOf(all.size())));
        System.out.println("X after the restore: " + x);
        assertThat(x.getBoolean("refreshed")).isTrue();
        assertThat(x.getString("resets")).as("no client reset").isEmpty();
        assertThat(x.getString("errors")).as("no sync error").isEmpty();
        assertThat(names(x.getString("names"))).isEqualTo(all);

        final JsonObject z = run("client-z", "read", Map.of("mode", "flx", "expect", String.valueOf(all.size())));
        assertThat(z.getLong("count")).isEqualTo(all.size());
    }

    private static Map<String, String> with(final Map<String, String> params, final String key, final String value)
    {
        final Map<String, String> all = new HashMap<>(params);
        all.put(key, value);
        return all;
    }

    /** @return the result of a "pbs-write" of COUNT Items {@code prefix-i} to the partition. */
    private JsonObject write(final String clientDir, final String prefix, final String file) throws Exception
    {
        return run(clientDir, "pbs-write", Map.of("partition", PARTITION, "count", String.valueOf(COUNT), "prefix",
            prefix, "file", file));
    }

    /**
     * Reopen a client's file in an automatic resync mode and check that the server's answer to its IDENT was the
     * protocol error {@code code} with action ClientReset (realm-core logs every ERROR it receives).
     */
    private JsonObject reconnect(final String clientDir, final String file, final String mode, final int code)
        throws Exception
    {
        return reconnect(clientDir, file, mode, code, Map.of("partition", PARTITION));
    }

    /** As above, with more params ({@code partition} for PBS, none for FLX). */
    private JsonObject reconnect(final String clientDir, final String file, final String mode, final int code,
        final Map<String, String> more) throws Exception
    {
        final RealClientProcess.Result run = RealClientProcess.run(port, APP, dir.resolve(clientDir),
            "reset-reconnect", with(with(more, "resync", mode), "file", file), Duration.ofSeconds(120));
        final JsonObject json = run.json();
        assertThat(json).as("log tail:\n%s", run.logTail()).isNotNull();
        assertThat(run.exitCode()).as("%s\n%s", json, run.logTail()).isZero();
        System.out.println(clientDir + " after the restore: " + json);
        final String received = Files.readString(run.log()).lines().filter(l -> l.contains("Received: ERROR"))
            .findFirst().orElse("no ERROR received");
        assertThat(received).as("the server's answer to the IDENT of " + clientDir)
            .contains("(error_code=" + code + ", is_fatal=true, error_action=ClientReset)");
        return json;
    }

    /** Our raw client uploads one changeset after another to partition "busy" until told to stop. */
    private void busyWriter(final String token, final AtomicBoolean stop, final AtomicLong acked,
        final AtomicReference<Throwable> failure)
    {
        try (SyncTestClient c = SyncTestClient.connect(port, APP, token, false))
        {
            c.bind(1, "\"busy\"", true);
            final SyncTestClient.Msg ident = c.next(MessageType.SERVER_IDENT);
            c.ident(1, ident.get(0), ident.get(1), 0, 0, 0, 0);
            for (long i = 0; !stop.get(); i++)
            {
                final long cv = 2 + i;
                c.upload(1, cv, i, 0, false, new SyncTestClient.Up(cv, i, Changesets.objects("Item", cv * 1000, 1,
                    "busy" + cv)));
                SyncTestClient.Msg ack = c.next(MessageType.DOWNLOAD);
                while (ack.get(4) < cv)
                {
                    ack = c.next(MessageType.DOWNLOAD);
                }
                acked.set(i + 1);
            }
        }
        catch (final Throwable ex)
        {
            failure.set(ex);
        }
    }

    private static int cli(final StringWriter err, final String... args)
    {
        final CommandLine cli = OutpostMain.commandLine();
        cli.setOut(new PrintWriter(new StringWriter()));
        cli.setErr(new PrintWriter(err));
        return cli.execute(args);
    }

    private static Set<String> names(final String joined)
    {
        return new HashSet<>(Arrays.asList(joined.split(",")));
    }

    private static Set<String> expected(final String... prefixes)
    {
        final Set<String> names = new HashSet<>();
        for (final String p : prefixes)
        {
            for (int i = 0; i < COUNT; i++)
            {
                names.add(p + "-" + i);
            }
        }
        return names;
    }

    private JsonObject run(final String clientDir, final String scenario, final Map<String, String> params)
        throws Exception
    {
        final RealClientProcess.Result run = RealClientProcess.run(port, APP, dir.resolve(clientDir), scenario,
            params, Duration.ofSeconds(120));
        final JsonObject json = run.json();
        assertThat(json).as("result line of %s; log tail:\n%s", scenario, run.logTail()).isNotNull();
        assertThat(run.exitCode()).as("exit of %s; result %s; log tail:\n%s", scenario, json, run.logTail())
            .isZero();
        return json;
    }
}
