package dev.outpost.server.sync;

import dev.outpost.codec.message.MessageType;
import dev.outpost.server.inspect.StoreInspector;
import dev.outpost.server.store.HistoryStore;
import dev.outpost.server.store.StoreConfig;
import dev.outpost.server.sync.writer.ServerIntegratorIdent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static dev.outpost.server.sync.SyncTestClient.Msg;
import static dev.outpost.server.sync.SyncTestClient.Up;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sync path runs on the configured clock ({@code ServerConfig.epochClock()}), not the system's: a server
 * changeset (a TRANSACT) is stamped, and a client file allocated and seen, at the configured time. And the store
 * of an app is created with the configured shard count.
 */
@Timeout(60)
class ConfiguredClockIT
{
    private static final String APP = "clock-app";
    private static final String P = "\"clock\"";
    private static final String FILE = SyncService.pbsFileName(APP, P);
    /** 2024-02-29T12:00:00Z: far from the system clock, so only the configured clock can produce it. */
    private static final long FIXED_MS = 1_709_208_000_000L;

    @TempDir
    Path dir;

    private final SyncTestServer fixture = new SyncTestServer(APP);

    @AfterEach
    void stop()
    {
        fixture.close();
    }

    @Test
    void shouldStampServerChangesetsAndClientFilesWithTheConfiguredClock() throws Exception
    {
        fixture.start(dir, c -> c.epochClock(() -> FIXED_MS));
        final SyncTestClient a = fixture.connect(false);
        a.bind(1, P, true);
        final Msg ident = a.next();
        assertThat(ident.type()).isEqualTo(MessageType.SERVER_IDENT);
        final long clientFile = ident.get(0);
        a.ident(1, clientFile, ident.get(1), 0, 0, 0, 0);
        a.upload(1, 2, 0, 0, false, new Up(2, 0, Changesets.objects("Item", 1, 1, "up")));
        Msg m = a.next();
        while (m.type() != MessageType.DOWNLOAD || m.get(4) < 2)
        {
            m = a.next();
        }
        a.transact(1, 2, 1, Changesets.objects("Item", 7, 1, "tx"));
        Msg tx = a.next();
        while (tx.type() == MessageType.DOWNLOAD)
        {
            tx = a.next();
        }
        assertThat(tx.type()).isEqualTo(MessageType.SERVER_TRANSACT);
        assertThat(tx.get(0)).as("transact status").isEqualTo(1);
        fixture.close();

        try (StoreInspector inspector = StoreInspector.open(dir))
        {
            final StoreInspector.EntryInfo transact = inspector.entry(FILE, 2);
            assertThat(transact.originFileIdent()).as("a server changeset").isEqualTo(ServerIntegratorIdent.SERVER);
            assertThat(transact.timestamp()).as("realm timestamp of the server changeset")
                .isEqualTo(FIXED_MS - Session.REALM_EPOCH_MS);
            final StoreInspector.FileInfo file = inspector.files().stream().filter(f -> f.name().equals(FILE))
                .findFirst().orElseThrow();
            assertThat(file.clients()).hasSize(1);
            assertThat(file.clients().get(0).ident()).isEqualTo(clientFile);
            assertThat(file.clients().get(0).lastSeen()).as("client file allocated and seen at").isEqualTo(FIXED_MS);
        }
    }

    @Test
    void shouldCreateTheStoreWithTheConfiguredShardCount() throws Exception
    {
        fixture.start(dir, c -> c.storeShards(2).downloadThreads(1));
        final SyncTestClient a = fixture.connect(false);
        a.bind(1, P, true);
        assertThat(a.next().type()).isEqualTo(MessageType.SERVER_IDENT);
        fixture.close();

        try (HistoryStore store = HistoryStore.open(new StoreConfig().dataDir(dir.resolve("sync")).readOnly(true)))
        {
            assertThat(store.shardCount()).isEqualTo(2);
        }
    }
}
