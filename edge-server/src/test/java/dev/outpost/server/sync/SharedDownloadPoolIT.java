package dev.outpost.server.sync;

import dev.outpost.codec.message.MessageType;
import dev.outpost.server.config.AppConfig;
import dev.outpost.server.config.ServerConfig;
import dev.outpost.server.runtime.SyncServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.outpost.server.sync.SyncTestClient.Msg;
import static dev.outpost.server.sync.SyncTestClient.Up;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The apps of one server share one download pool: with an inline budget of 0 every DOWNLOAD of either app is built
 * on the pool's threads, both apps' clients receive each other's changesets of their own app, and the pool has the
 * configured number of threads for the whole server (not per app).
 */
@Timeout(60)
class SharedDownloadPoolIT
{
    private static final String P = "\"shared\"";

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

    private SyncTestClient connect(final String app) throws Exception
    {
        final String token = SyncTestClient.login(server.port(), app);
        final SyncTestClient c = SyncTestClient.connect(server.port(), app, token, false);
        clients.add(c);
        c.bind(1, P, true);
        final Msg ident = c.next();
        assertThat(ident.type()).isEqualTo(MessageType.SERVER_IDENT);
        c.ident(1, ident.get(0), ident.get(1), 0, 0, 0, 0);
        return c;
    }

    /** @return the first DOWNLOAD on {@code c} carrying at least one entry. */
    private static Msg nextWithEntries(final SyncTestClient c) throws Exception
    {
        Msg m = c.next(MessageType.DOWNLOAD);
        while (m.entries().isEmpty())
        {
            m = c.next(MessageType.DOWNLOAD);
        }
        return m;
    }

    @Test
    void shouldBuildEveryAppsDownloadsOnOneServerWidePool() throws Exception
    {
        server = SyncServer.start(new ServerConfig(Map.of()).host("127.0.0.1").port(0).dataDir(dir).eventLoops(1)
            .downloadThreads(2).downloadInlineBytes(0)
            .apps(List.of(new AppConfig("alpha", null, true), new AppConfig("beta", null, true))));
        final DownloadPool pool = server.sync("alpha").downloads;
        assertThat(server.sync("beta").downloads).as("beta's pool").isSameAs(pool);
        assertThat(pool.threadCount()).isEqualTo(2);

        for (final String app : List.of("alpha", "beta"))
        {
            final SyncTestClient writer = connect(app);
            final SyncTestClient reader = connect(app);
            final long builtBefore = pool.built();
            writer.upload(1, 2, 0, 0, false, new Up(2, 0, Changesets.objects("Item", 1, 2, app)));

            final Msg download = nextWithEntries(reader);
            assertThat(download.entries()).hasSize(1);
            assertThat(new String(download.entries().get(0).changeset(), java.nio.charset.StandardCharsets.UTF_8))
                .as("%s's changeset reaches %s's other client", app, app).contains(app);
            assertThat(pool.built()).as("%s's downloads built by the shared pool", app).isGreaterThan(builtBefore);
        }
        final long downloadThreads = Thread.getAllStackTraces().keySet().stream()
            .filter(t -> t.getName().startsWith("outpost-download-")).count();
        assertThat(downloadThreads).as("download threads in this JVM").isLessThanOrEqualTo(2);
    }
}
