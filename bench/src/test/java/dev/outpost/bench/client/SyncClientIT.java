package dev.outpost.bench.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.outpost.server.config.ServerConfig;
import dev.outpost.server.runtime.SyncServer;
import dev.outpost.server.sync.SyncService;

class SyncClientIT
{
    private static final String APP = "bench-it";
    private static SyncServer server;
    private static SyncClient client;

    @BeforeAll
    static void start() throws Exception
    {
        final Path dir = Files.createTempDirectory("outpost-client-it");
        server = SyncServer.start(new ServerConfig(Map.of()).port(0).host("127.0.0.1").dataDir(dir).appId(APP)
            .eventLoops(1));
        client = SyncClient.create(new ClientOptions().baseUrl(server.baseUrl()).appId(APP).backoff(50, 500)
            .pingIntervalMs(200), 1);
    }

    @AfterAll
    static void stop()
    {
        if (client != null)
        {
            client.close();
        }
        if (server != null)
        {
            server.close();
        }
    }

    private static ClientSession open(final String partition) throws Exception
    {
        return open(client, partition);
    }

    private static ClientSession open(final SyncClient on, final String partition) throws Exception
    {
        final Credentials user = on.login().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        final ClientConnection c = on.connection(user);
        final ClientSession s = c.addSession(partition);
        c.open().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        return s;
    }

    private static void write(final ClientSession s, final ItemWorkload w, final int transactions) throws Exception
    {
        final CompletableFuture<Void> done = new CompletableFuture<>();
        s.onActive(() ->
        {
            s.commit(w.schema());
            for (int i = 0; i < transactions; i++)
            {
                s.commit(w.transaction(s.integrator().state(), 5));
            }
            done.complete(null);
        });
        done.get(10, TimeUnit.SECONDS);
    }

    @Test
    void shouldConvergeTwoWritersWithTheServer() throws Exception
    {
        final String partition = "\"converge\"";
        final ClientSession a = open(partition);
        final ClientSession b = open(partition);
        final ItemWorkload wa = new ItemWorkload(false, 8, 8, 1);
        final ItemWorkload wb = new ItemWorkload(false, 8, 8, 2);
        for (int round = 0; round < 5; round++)
        {
            write(a, wa, 10);
            write(b, wb, 10);
        }
        a.sync().get(20, TimeUnit.SECONDS);
        b.sync().get(20, TimeUnit.SECONDS);
        a.sync().get(20, TimeUnit.SECONDS);

        final String serverState = server.sync().objectStateDump(SyncService.pbsFileName(APP, partition));
        assertThat(serverState).contains("Item");
        assertThat(a.stateDump().get()).isEqualTo(serverState);
        assertThat(b.stateDump().get()).isEqualTo(serverState);
        assertThat(a.integratedChangesets()).isPositive();
        assertThat(b.integratedChangesets()).isPositive();
        assertThat(a.errors() + b.errors()).isZero();
    }

    @Test
    void shouldResumeAfterReconnectWithoutReset() throws Exception
    {
        final String partition = "\"reconnect\"";
        final ClientSession a = open(partition);
        final ClientSession b = open(partition);
        final ItemWorkload wa = new ItemWorkload(true, 8, 8, 3);
        final ItemWorkload wb = new ItemWorkload(true, 8, 8, 4);
        write(a, wa, 5);
        write(b, wb, 5);
        b.sync().get(20, TimeUnit.SECONDS);
        a.sync().get(20, TimeUnit.SECONDS);
        final long ident = a.fileIdent();
        final long integratedBefore = a.integratedChangesets();

        a.connection().drop();
        Thread.sleep(20);
        final CompletableFuture<Void> offline = new CompletableFuture<>();
        a.connection().context().runOnContext(v ->
        {
            for (int i = 0; i < 3; i++)
            {
                a.commit(wa.transaction(a.integrator().state(), 5));
            }
            offline.complete(null);
        });
        offline.get(10, TimeUnit.SECONDS);
        final CompletableFuture<Void> more = new CompletableFuture<>();
        b.connection().context().runOnContext(v ->
        {
            for (int i = 0; i < 4; i++)
            {
                b.commit(wb.transaction(b.integrator().state(), 5));
            }
            more.complete(null);
        });
        more.get(10, TimeUnit.SECONDS);
        b.sync().get(20, TimeUnit.SECONDS);
        a.sync().get(20, TimeUnit.SECONDS);
        b.sync().get(20, TimeUnit.SECONDS);

        assertThat(a.connection().reconnects()).isGreaterThanOrEqualTo(1);
        assertThat(a.fileIdent()).isEqualTo(ident);
        // resumed from its download cursor: only B's 4 new changesets came down, nothing was downloaded again
        assertThat(a.integratedChangesets() - integratedBefore).isEqualTo(4);
        assertThat(a.errors() + b.errors()).isZero();
        final String serverState = server.sync().objectStateDump(SyncService.pbsFileName(APP, partition));
        assertThat(a.stateDump().get()).isEqualTo(serverState);
        assertThat(b.stateDump().get()).isEqualTo(serverState);
    }

    @Test
    void shouldConvergeOverQueryBasedSync() throws Exception
    {
        try (SyncClient flx = SyncClient.create(new ClientOptions().baseUrl(server.baseUrl()).appId(APP).flx(true)
            .backoff(50, 500), 1))
        {
            final ClientSession a = open(flx, "");
            final ClientSession b = open(flx, "");
            write(a, new ItemWorkload(false, 8, 8, 5), 10);
            write(b, new ItemWorkload(false, 8, 8, 6), 10);
            a.sync().get(20, TimeUnit.SECONDS);
            b.sync().get(20, TimeUnit.SECONDS);
            a.sync().get(20, TimeUnit.SECONDS);
            final String serverState = server.sync().objectStateDump(SyncService.flxFileName(APP));
            assertThat(serverState).contains("Item");
            assertThat(a.stateDump().get()).isEqualTo(serverState);
            assertThat(b.stateDump().get()).isEqualTo(serverState);
            assertThat(a.errors() + b.errors()).isZero();
        }
    }
}
