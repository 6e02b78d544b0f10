package dev.outpost.server.realclient;

import dev.outpost.server.config.ServerConfig;
import dev.outpost.server.runtime.SyncServer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * MongoDB's client (realm-core 14.12.0) offline longer than the server's {@code client-max-offline} (5 s here) with
 * unsynced local writes: its IDENT gets client_file_expired 222 and realm-core resets the client automatically. In
 * recover mode its unsynced writes end up on the server next to the server's data; in discard mode it ends with the
 * server's data only; both report the reset through the before/after callbacks.
 */
@Timeout(300)
class RealClientClientResetIT
{
    private static final String APP = "reset-it-app";
    private static final int COUNT = 5;
    private static final long HORIZON_MS = 5_000;

    @TempDir
    static Path dir;

    private static SyncServer server;

    @BeforeAll
    static void start() throws Exception
    {
        server = SyncServer.start(new ServerConfig(Map.of()).port(0).host("127.0.0.1")
            .dataDir(dir.resolve("server")).appId(APP).eventLoops(2)
            .clientMaxOffline(Duration.ofMillis(HORIZON_MS)));
    }

    @AfterAll
    static void stop()
    {
        if (server != null)
        {
            server.close();
        }
    }

    @Test
    void shouldRecoverTheUnsyncedWritesOfAClientOfflineBeyondTheHorizon() throws Exception
    {
        final Set<String> onServer = offlineThenReconnect("recover", "\"rec\"");
        final Set<String> expected = names("base", "remote", "local");
        assertThat(onServer).as("the server holds the recovered writes").isEqualTo(expected);
    }

    @Test
    void shouldDiscardTheUnsyncedWritesOfAClientOfflineBeyondTheHorizon() throws Exception
    {
        final Set<String> onServer = offlineThenReconnect("discard", "\"dis\"");
        assertThat(onServer).as("the server's data only").isEqualTo(names("base", "remote"));
    }

    /** @return the names a fresh client reads from the server at the end. */
    private static Set<String> offlineThenReconnect(final String mode, final String partition) throws Exception
    {
        final String a = "client-a-" + mode;
        final JsonObject prepared = run(a, "reset-prepare", Map.of("partition", partition, "count",
            String.valueOf(COUNT)));
        assertThat(prepared.getLong("count")).isEqualTo(2L * COUNT);
        final long away = System.currentTimeMillis();
        // meanwhile another client changes the server's data
        run("client-b-" + mode, "pbs-write", Map.of("partition", partition, "count", String.valueOf(COUNT),
            "prefix", "remote", "file", "b.realm"));
        Thread.sleep(Math.max(0, HORIZON_MS + 2_000 - (System.currentTimeMillis() - away)));

        final JsonObject back = run(a, "reset-reconnect", Map.of("partition", partition, "resync", mode));
        System.out.println(mode + ": " + back);
        assertThat(back.getString("resets")).as("before and after callbacks").startsWith("before")
            .contains("after recovered=" + "recover".equals(mode));
        final Set<String> expected = "recover".equals(mode) ? names("base", "remote", "local") :
            names("base", "remote");
        assertThat(new HashSet<>(Arrays.asList(back.getString("names").split(",")))).as("the reset client's data")
            .isEqualTo(expected);

        final JsonObject read = run("client-c-" + mode, "pbs-read", Map.of("partition", partition, "expect",
            String.valueOf(expected.size()), "file", "c.realm"));
        return new HashSet<>(read.getJsonArray("names").getList());
    }

    private static Set<String> names(final String... prefixes)
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

    private static JsonObject run(final String clientDir, final String scenario, final Map<String, String> params)
        throws Exception
    {
        final RealClientProcess.Result run = RealClientProcess.run(server.port(), APP, dir.resolve(clientDir),
            scenario, params, Duration.ofSeconds(120));
        final JsonObject json = run.json();
        assertThat(json).as("result line of %s; log tail:\n%s", scenario, run.logTail()).isNotNull();
        assertThat(run.exitCode()).as("exit of %s; result %s; log tail:\n%s", scenario, json, run.logTail())
            .isZero();
        return json;
    }
}
