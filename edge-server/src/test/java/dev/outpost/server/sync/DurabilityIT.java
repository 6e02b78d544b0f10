package dev.outpost.server.sync;

import dev.outpost.codec.message.MessageType;
import dev.outpost.server.config.Durability;
import dev.outpost.server.config.ServerConfig;
import dev.outpost.server.runtime.SyncServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.util.Map;

import static dev.outpost.server.sync.SyncTestClient.Msg;
import static dev.outpost.server.sync.SyncTestClient.Up;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The durability setting reaches the store: with {@code fsync} every acknowledged upload was forced to disk before
 * its acknowledgement was sent (one sync per writer batch); with {@code os} nothing is synced. Data survives a
 * restart either way.
 */
@Timeout(60)
class DurabilityIT
{
    private static final String APP = "durable-app";

    @TempDir
    Path dir;

    private SyncServer server;
    private SyncTestClient client;

    @AfterEach
    void stop()
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

    @ParameterizedTest
    @EnumSource(Durability.class)
    void shouldSyncEachAcknowledgedBatchOnlyInFsyncMode(final Durability durability) throws Exception
    {
        final ServerConfig config = new ServerConfig(Map.of()).port(0).host("127.0.0.1").dataDir(dir)
            .appId(APP).eventLoops(1).durability(durability);
        server = SyncServer.start(config);
        client = SyncTestClient.connect(server.port(), APP, SyncTestClient.login(server.port(), APP), false);
        client.bind(1, "\"d\"", true);
        final Msg ident = client.next(MessageType.SERVER_IDENT);
        client.ident(1, ident.get(0), ident.get(1), 0, 0, 0, 0);
        final long syncsBefore = server.sync().storeSyncs();
        final int uploads = 5;
        for (int i = 0; i < uploads; i++)
        {
            final long cv = 2 + i;
            client.upload(1, cv, i, 0, false, new Up(cv, i, Changesets.objects("Item", 1 + i, 1, "v")));
            Msg ack = client.next(MessageType.DOWNLOAD);
            while (ack.get(4) < cv)
            {
                ack = client.next(MessageType.DOWNLOAD);
            }
            final long syncs = server.sync().storeSyncs() - syncsBefore;
            if (durability == Durability.FSYNC)
            {
                assertThat(syncs).as("synced before the acknowledgement of upload " + i).isGreaterThanOrEqualTo(i + 1);
            }
            else
            {
                assertThat(syncs).isZero();
            }
        }
        if (durability == Durability.FSYNC)
        {
            assertThat(server.sync().storeSyncs() - syncsBefore).as("one per batch, at most").isLessThanOrEqualTo(
                uploads + 2);
        }
        client.close();
        client = null;
        server.close();
        server = SyncServer.start(config);
        assertThat(server.sync().head(SyncService.pbsFileName(APP, "\"d\""))).isEqualTo(uploads);
    }
}
