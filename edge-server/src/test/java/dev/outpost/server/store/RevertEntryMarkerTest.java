package dev.outpost.server.store;

import static dev.outpost.server.store.StoreTestSupport.config;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The revert-entry marker of compensating writes survives storage and reopening, and marks nothing else: what
 * {@code outpost inspect} and the sync downloads rely on to tell a revert entry from the server's state.
 */
@Timeout(60)
class RevertEntryMarkerTest
{
    @TempDir
    Path dir;

    @Test
    void shouldMarkRevertEntriesForOneClientOnly()
    {
        assertThat(RevertEntryMarker.targetOf(RevertEntryMarker.SERVER_ORIGIN_FILE_IDENT,
            RevertEntryMarker.clientVersionFor(7))).isEqualTo(7);
        assertThat(RevertEntryMarker.targetOf(RevertEntryMarker.SERVER_ORIGIN_FILE_IDENT, 0)).isZero();
        assertThat(RevertEntryMarker.targetOf(RevertEntryMarker.SERVER_ORIGIN_FILE_IDENT, 12)).isZero();
        assertThat(RevertEntryMarker.targetOf(7, RevertEntryMarker.clientVersionFor(7))).as("a client's origin")
            .isZero();
    }

    @Test
    void shouldReadTheMarkerBackFromTheStoreAfterReopen() throws Exception
    {
        final UnsafeBuffer changeset = new UnsafeBuffer(new byte[]{1, 2, 3});
        try (HistoryStore store = HistoryStore.open(config(dir).shardCount(1)))
        {
            final StoreShard shard = store.shard(0);
            final ServerFile file = shard.createServerFile("/r");
            shard.append(file, 5, 3, 1_000, 3, changeset, 0, 3);
            shard.append(file, RevertEntryMarker.SERVER_ORIGIN_FILE_IDENT, RevertEntryMarker.clientVersionFor(5),
                1_001, 3, changeset, 0, 3);
            shard.append(file, RevertEntryMarker.SERVER_ORIGIN_FILE_IDENT, 0, 1_002, 3, changeset, 0, 3);
            shard.publish();
        }
        try (HistoryStore store = HistoryStore.open(config(dir).shardCount(1));
            HistoryReader reader = store.newReader())
        {
            final ServerFile file = store.serverFile("/r");
            final EntryView view = new EntryView();
            final long[] targets = new long[3];
            for (int v = 1; v <= 3; v++)
            {
                assertThat(reader.read(file, v, view)).isTrue();
                targets[v - 1] = RevertEntryMarker.targetOf(view);
            }
            assertThat(targets).containsExactly(0, 5, 0);
        }
    }
}
