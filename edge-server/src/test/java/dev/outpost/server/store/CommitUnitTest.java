package dev.outpost.server.store;

import static dev.outpost.server.store.StoreTestSupport.appendPayload;
import static dev.outpost.server.store.StoreTestSupport.bytes;
import static dev.outpost.server.store.StoreTestSupport.config;
import static dev.outpost.server.store.StoreTestSupport.payload;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Commit units: commands that abort, batches that commit or are cut off, fail-stop, format upgrade, fsync. */
class CommitUnitTest
{
    @TempDir
    Path dir;

    @Test
    void shouldUndoEveryEffectOfAnAbortedCommandLiveAndAtReplay() throws Exception
    {
        final String name = "/undo";
        final long saltBefore;
        try (HistoryStore store = HistoryStore.open(config(dir).shardCount(1)))
        {
            final StoreShard shard = store.shard(0);
            final ServerFile f = shard.createServerFile(name);
            saltBefore = f.salt();
            shard.beginCommand();
            final ClientFileRecord c = shard.allocateClientFile(f, 0, 1);
            appendPayload(shard, f, 100);
            appendPayload(shard, f, 100);
            shard.putReciprocal(f, c, 2, new UnsafeBuffer(new byte[] {1, 2}), 0, 2);
            shard.updateClientState(f, c, 5, 1, 1, 7);
            shard.endCommand();
            assertThat(shard.publish()).isTrue();
            final long sizeBefore = f.cumulativeSize(2);

            shard.beginCommand();
            appendPayload(shard, f, 100);
            shard.append(f, c.ident(), 9, 0, 3, new UnsafeBuffer(new byte[] {7, 7, 7}), 0, 3); // raises progress
            shard.putReciprocal(f, c, 2, new UnsafeBuffer(new byte[] {9}), 0, 1);                // overwrite
            shard.putReciprocal(f, c, 3, new UnsafeBuffer(new byte[] {8}), 0, 1);                // new
            shard.updateClientState(f, c, 9, 3, 2, 8);                                           // trims 2 and 3
            final ClientFileRecord c2 = shard.allocateClientFile(f, 1, 2);
            assertThat(c2.ident()).isEqualTo(3);
            assertThat(shard.abortCommand()).isTrue();

            assertThat(f.lastAppended()).isEqualTo(2);
            assertThat(f.head()).isEqualTo(2);
            assertThat(f.cumulativeSize(2)).isEqualTo(sizeBefore);
            assertThat(f.clientCount()).isEqualTo(1);
            assertThat(shard.clientFile(f, 3)).isNull();
            assertThat(c.clientVersion()).isEqualTo(5);
            assertThat(c.rhBaseVersion()).isEqualTo(1);
            assertThat(c.lockedServerVersion()).isEqualTo(1);
            assertThat(c.lastSeen()).isEqualTo(7);
            assertThat(c.reciprocalCount()).isEqualTo(1);
            final EntryView view = new EntryView();
            assertThat(shard.readReciprocal(c, 2, view)).isTrue();
            assertThat(bytes(view)).containsExactly(1, 2);

            // the next command reuses the version and ident numbers
            shard.beginCommand();
            assertThat(shard.append(f, 1, 0, 0, 1, new UnsafeBuffer(new byte[] {42}), 0, 1)).isEqualTo(3);
            assertThat(shard.allocateClientFile(f, 0, 3).ident()).isEqualTo(3);
            shard.endCommand();
            assertThat(shard.publish()).isTrue();
            assertThat(shard.abortedCommands()).isEqualTo(1);
        }
        try (HistoryStore store = HistoryStore.open(config(dir)))
        {
            final StoreShard shard = store.shard(0);
            final ServerFile f = store.serverFile(name);
            assertThat(f.salt()).isEqualTo(saltBefore);
            assertThat(f.head()).isEqualTo(3);
            final EntryView view = new EntryView();
            assertThat(shard.readEntry(f, 3, view)).isTrue();
            assertThat(bytes(view)).containsExactly(42);
            assertThat(shard.readEntry(f, 2, view)).isTrue();
            assertThat(bytes(view)).isEqualTo(payload(name, 2, 100));
            final ClientFileRecord c = shard.clientFile(f, 2);
            assertThat(c.clientVersion()).isEqualTo(5);
            assertThat(c.rhBaseVersion()).isEqualTo(1);
            assertThat(c.reciprocalCount()).isEqualTo(1);
            assertThat(shard.readReciprocal(c, 2, view)).isTrue();
            assertThat(bytes(view)).containsExactly(1, 2);
            assertThat(shard.clientFile(f, 3).clientType()).isZero();
            assertThat(shard.abortedCommands()).as("the ABORT record seen at replay").isEqualTo(1);
        }
    }

    @Test
    void shouldDropABatchThatWasNeverCommittedAndKeepLaterOnes() throws Exception
    {
        try (HistoryStore store = HistoryStore.open(config(dir).shardCount(1)))
        {
            final StoreShard shard = store.shard(0);
            final ServerFile f = shard.createServerFile("/cut");
            shard.beginCommand();
            appendPayload(shard, f, 50);
            shard.endCommand();
            assertThat(shard.publish()).isTrue();
            shard.beginCommand();
            appendPayload(shard, f, 50);
            appendPayload(shard, f, 50);
            shard.endCommand();
            // no publish: the process "dies" here
        }
        try (HistoryStore store = HistoryStore.open(config(dir)))
        {
            final StoreShard shard = store.shard(0);
            final ServerFile f = store.serverFile("/cut");
            assertThat(f.head()).isEqualTo(1);
            assertThat(shard.droppedUnits()).isEqualTo(1);
            shard.beginCommand();
            shard.append(f, 1, 0, 0, 1, new UnsafeBuffer(new byte[] {5}), 0, 1);
            shard.endCommand();
            assertThat(shard.publish()).isTrue();
        }
        try (HistoryStore store = HistoryStore.open(config(dir)))
        {
            final StoreShard shard = store.shard(0);
            final ServerFile f = store.serverFile("/cut");
            assertThat(f.head()).as("the dropped unit stays dropped; the later one applies").isEqualTo(2);
            final EntryView view = new EntryView();
            assertThat(shard.readEntry(f, 2, view)).isTrue();
            assertThat(bytes(view)).containsExactly(5);
            assertThat(shard.droppedUnits()).isEqualTo(1);
        }
    }

    @Test
    void shouldStopWritingWhenABatchCannotBeCommitted() throws Exception
    {
        try (HistoryStore store = HistoryStore.open(config(dir).shardCount(1)))
        {
            final StoreShard shard = store.shard(0);
            final ServerFile f = shard.createServerFile("/stop");
            shard.beginCommand();
            appendPayload(shard, f, 50);
            shard.endCommand();
            assertThat(shard.publish()).isTrue();
            shard.beginCommand();
            appendPayload(shard, f, 50);
            shard.endCommand();
            shard.faultHook = type ->
            {
                if (type == RecordLayout.COMMIT)
                {
                    throw new IllegalStateException("disk full (injected)");
                }
            };
            assertThat(shard.publish()).isFalse();
            assertThat(shard.failure()).hasMessageContaining("disk full (injected)");
            assertThat(f.head()).as("nothing of the failed batch is published").isEqualTo(1);
            shard.faultHook = null;
            shard.beginCommand();
            assertThatThrownBy(() -> appendPayload(shard, f, 50)).isInstanceOf(StoreFailure.class);
            shard.abortCommand();
            assertThat(shard.publish()).isFalse();
        }
        try (HistoryStore store = HistoryStore.open(config(dir)))
        {
            assertThat(store.serverFile("/stop").head()).isEqualTo(1);
            assertThat(store.shard(0).failure()).isNull();
        }
    }

    @Test
    void shouldAbortACommandWhoseWriteFailed() throws Exception
    {
        try (HistoryStore store = HistoryStore.open(config(dir).shardCount(1)))
        {
            final StoreShard shard = store.shard(0);
            final ServerFile f = shard.createServerFile("/fault");
            shard.beginCommand();
            appendPayload(shard, f, 50);
            shard.faultHook = type ->
            {
                if (type == RecordLayout.CLIENT_ALLOCATED)
                {
                    throw new IllegalStateException("injected");
                }
            };
            assertThatThrownBy(() -> shard.allocateClientFile(f, 0, 0)).hasMessage("injected");
            shard.faultHook = null;
            shard.abortCommand();
            assertThat(f.lastAppended()).isZero();
            assertThat(shard.publish()).isTrue();
            shard.beginCommand();
            assertThat(shard.allocateClientFile(f, 0, 0).ident()).isEqualTo(2);
            shard.endCommand();
            assertThat(shard.publish()).isTrue();
        }
        try (HistoryStore store = HistoryStore.open(config(dir)))
        {
            final ServerFile f = store.serverFile("/fault");
            assertThat(f.head()).isZero();
            assertThat(f.clientCount()).isEqualTo(1);
        }
    }

    @Test
    void shouldUpgradeAFormatOneDirectoryWhenOpenedForWriting() throws Exception
    {
        try (HistoryStore store = HistoryStore.open(config(dir).shardCount(2)))
        {
            final StoreShard shard = store.shardFor("/old");
            final ServerFile f = shard.createServerFile("/old");
            appendPayload(shard, f, 80); // outside any command: an unflagged record, as format 1 wrote them
            shard.publish();
        }
        final Path formatFile = dir.resolve(HistoryStore.FORMAT_FILE);
        Files.writeString(formatFile, "format=1\nshards=2\n");
        try (HistoryStore store = HistoryStore.open(config(dir).readOnly(true)))
        {
            assertThat(store.serverFile("/old").head()).isEqualTo(1);
        }
        assertThat(Files.readString(formatFile)).as("read-only opens change nothing").contains("format=1");
        try (HistoryStore store = HistoryStore.open(config(dir)))
        {
            assertThat(store.serverFile("/old").head()).isEqualTo(1);
        }
        assertThat(Files.readString(formatFile, StandardCharsets.UTF_8)).contains("format=" + HistoryStore.FORMAT_VERSION)
            .contains("shards=2");
    }

    @Test
    void shouldSyncOncePerPublishedBatchOnlyInFsyncMode() throws Exception
    {
        try (HistoryStore store = HistoryStore.open(config(dir.resolve("fsync")).shardCount(1).fsync(true)))
        {
            final StoreShard shard = store.shard(0);
            final ServerFile f = shard.createServerFile("/sync");
            for (int batch = 0; batch < 3; batch++)
            {
                for (int command = 0; command < 4; command++)
                {
                    shard.beginCommand();
                    appendPayload(shard, f, 64);
                    appendPayload(shard, f, 64);
                    shard.endCommand();
                }
                assertThat(shard.publish()).isTrue();
            }
            assertThat(shard.publish()).isTrue(); // nothing written: no sync
            assertThat(shard.syncCount()).isEqualTo(3);
            assertThat(shard.commitCount()).isEqualTo(3);
        }
        try (HistoryStore store = HistoryStore.open(config(dir.resolve("os")).shardCount(1)))
        {
            final StoreShard shard = store.shard(0);
            final ServerFile f = shard.createServerFile("/nosync");
            shard.beginCommand();
            appendPayload(shard, f, 64);
            shard.endCommand();
            assertThat(shard.publish()).isTrue();
            assertThat(shard.syncCount()).isZero();
            assertThat(shard.commitCount()).isEqualTo(1);
        }
    }
}
