package dev.outpost.server.store;

import static dev.outpost.server.store.StoreTestSupport.appendPayload;
import static dev.outpost.server.store.StoreTestSupport.bytes;
import static dev.outpost.server.store.StoreTestSupport.config;
import static dev.outpost.server.store.StoreTestSupport.payload;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Deleting a server file (FILE_DELETED, format 3): gone from the index, listings and heads, live and after replay;
 * the same name created again is a new server file with a new salt; a deletion whose commit unit never committed
 * (or whose command aborted) is undone; an older directory is upgraded to format 3 when opened for writing.
 */
@Timeout(60)
class FileDeletionTest
{
    @TempDir
    Path dir;

    @Test
    void shouldDeleteAServerFileDurablyAndCreateItAgainWithANewSalt() throws Exception
    {
        final long oldSalt;
        final long keptSalt;
        try (HistoryStore store = HistoryStore.open(config(dir).shardCount(1)))
        {
            final StoreShard shard = store.shard(0);
            final ServerFile gone = shard.createServerFile("/gone");
            final ServerFile kept = shard.createServerFile("/kept");
            oldSalt = gone.salt();
            keptSalt = kept.salt();
            for (int i = 0; i < 5; i++)
            {
                appendPayload(shard, gone, 100);
                appendPayload(shard, kept, 100);
            }
            final ClientFileRecord c = shard.allocateClientFile(gone, 0, 1);
            shard.putReciprocal(gone, c, 3, new UnsafeBuffer(new byte[] {1, 2}), 0, 2);
            shard.allocateClientFile(kept, 0, 1);
            shard.publish();

            shard.beginCommand();
            shard.deleteServerFile(gone);
            shard.endCommand();
            assertThat(shard.publish()).isTrue();

            assertGoneAndKept(store, shard);
            assertThat(gone.head()).as("a reader holding the old object still reads its versions").isEqualTo(5);
        }
        try (HistoryStore store = HistoryStore.open(config(dir)))
        {
            final StoreShard shard = store.shard(0);
            assertGoneAndKept(store, shard);
            assertThat(shard.skippedRecords()).isZero();
            assertThat(shard.deletedFileCount()).isEqualTo(1);
            assertThat(store.serverFile("/kept").salt()).isEqualTo(keptSalt);

            final ServerFile again = shard.createServerFile("/gone");
            assertThat(again.salt()).as("a new server file under the old name").isNotEqualTo(oldSalt);
            assertThat(again.head()).isZero();
            assertThat(again.clientCount()).isZero();
            assertThat(shard.allocateClientFile(again, 0, 1).ident()).as("idents start again").isEqualTo(2);
            appendPayload(shard, again, 100);
            shard.publish();
            assertThat(shard.serverFileCount()).isEqualTo(2);
        }
        try (HistoryStore store = HistoryStore.open(config(dir));
            HistoryReader reader = store.newReader())
        {
            final ServerFile again = store.serverFile("/gone");
            assertThat(again.salt()).isNotEqualTo(oldSalt);
            assertThat(again.head()).isEqualTo(1);
            assertThat(again.clientCount()).isEqualTo(1);
            final EntryView view = new EntryView();
            assertThat(reader.read(again, 1, view)).isTrue();
            assertThat(bytes(view)).isEqualTo(payload("/gone", 1, 100));
            assertThat(view.salt()).isEqualTo(again.salt());
            assertThat(store.shard(0).serverFileCount()).isEqualTo(2);
            assertThat(store.shard(0).skippedRecords()).isZero();
        }
    }

    @Test
    void shouldDropADeletedServerFilesRecordsWhenTheStoreIsCompacted() throws Exception
    {
        final long newSalt;
        try (HistoryStore store = HistoryStore.open(config(dir).shardCount(1)))
        {
            final StoreShard shard = store.shard(0);
            final ServerFile gone = shard.createServerFile("/gone");
            final ServerFile kept = shard.createServerFile("/kept");
            for (int i = 0; i < 5; i++)
            {
                appendPayload(shard, gone, 1000);
                appendPayload(shard, kept, 100);
            }
            final ClientFileRecord c = shard.allocateClientFile(gone, 0, 1);
            shard.putReciprocal(gone, c, 3, new UnsafeBuffer(new byte[] {1, 2}), 0, 2);
            shard.publish();
            shard.beginCommand();
            shard.deleteServerFile(gone);
            shard.endCommand();
            shard.publish();
            final ServerFile again = shard.createServerFile("/gone");
            newSalt = again.salt();
            appendPayload(shard, again, 100);
            shard.publish();
        }

        final StoreCompaction.Result r = StoreCompaction.compact(dir, new StoreCompaction.Policy(System.currentTimeMillis(), 0));

        long goneBytes = 0;
        for (int v = 1; v <= 5; v++)
        {
            goneBytes += payload("/gone", v, 1000).length;
        }
        assertThat(r.bytesBefore() - r.bytesAfter()).as("the deleted file's 5 entries are gone")
            .isGreaterThanOrEqualTo(goneBytes);
        try (HistoryStore store = HistoryStore.open(config(dir));
            HistoryReader reader = store.newReader())
        {
            final StoreShard shard = store.shard(0);
            assertThat(shard.skippedRecords()).isZero();
            assertThat(shard.deletedFileCount()).isEqualTo(1);
            assertThat(shard.serverFileCount()).isEqualTo(2);
            final ServerFile again = store.serverFile("/gone");
            assertThat(again.salt()).isEqualTo(newSalt);
            assertThat(again.head()).isEqualTo(1);
            assertThat(again.clientCount()).isZero();
            final EntryView view = new EntryView();
            assertThat(reader.read(again, 1, view)).isTrue();
            assertThat(bytes(view)).isEqualTo(payload("/gone", 1, 100));
            final ServerFile kept = store.serverFile("/kept");
            assertThat(kept.head()).isEqualTo(5);
            for (int v = 1; v <= 5; v++)
            {
                assertThat(reader.read(kept, v, view)).isTrue();
                assertThat(bytes(view)).isEqualTo(payload("/kept", v, 100));
            }
        }
    }

    private static void assertGoneAndKept(final HistoryStore store, final StoreShard shard)
    {
        assertThat(store.contains("/gone")).isFalse();
        assertThat(store.head("/gone")).isEqualTo(-1);
        assertThat(store.serverFile("/gone")).isNull();
        assertThat(store.contains("/kept")).isTrue();
        assertThat(store.head("/kept")).isEqualTo(5);
        assertThat(shard.serverFileCount()).isEqualTo(1);
        final List<String> names = new ArrayList<>();
        store.forEachServerFile(f -> names.add(f.name()));
        assertThat(names).containsExactly("/kept");
        final List<Long> heads = new ArrayList<>();
        store.forEachHead((head, size) -> heads.add(head));
        assertThat(heads).containsExactly(5L);
        assertThat(store.serverFile("/kept").clientCount()).isEqualTo(1);
    }

    @Test
    void shouldUndoADeletionWhoseCommandAborts() throws Exception
    {
        try (HistoryStore store = HistoryStore.open(config(dir).shardCount(1)))
        {
            final StoreShard shard = store.shard(0);
            final ServerFile f = shard.createServerFile("/f");
            appendPayload(shard, f, 100);
            shard.publish();

            shard.beginCommand();
            shard.deleteServerFile(f);
            assertThat(store.contains("/f")).isFalse();
            assertThat(shard.abortCommand()).isTrue();
            assertThat(shard.publish()).isTrue();

            assertThat(store.serverFile("/f")).as("the same index is back").isSameAs(f);
            assertThat(store.head("/f")).isEqualTo(1);
            assertThat(shard.serverFileCount()).isEqualTo(1);
            appendPayload(shard, f, 100);
            shard.publish();
        }
        try (HistoryStore store = HistoryStore.open(config(dir)))
        {
            assertThat(store.head("/f")).as("the aborted deletion is void at replay").isEqualTo(2);
            assertThat(store.shard(0).deletedFileCount()).isZero();
        }
    }

    @Test
    void shouldKeepTheFileWhenTheDeletionsUnitNeverCommitted() throws Exception
    {
        final long salt;
        try (HistoryStore store = HistoryStore.open(config(dir).shardCount(1)))
        {
            final StoreShard shard = store.shard(0);
            final ServerFile f = shard.createServerFile("/f");
            salt = f.salt();
            appendPayload(shard, f, 100);
            appendPayload(shard, f, 100);
            shard.publish();

            // the process dies before the publish: deletion, a new file of the same name and its entry are cut off
            shard.beginCommand();
            shard.deleteServerFile(f);
            shard.endCommand();
            shard.beginCommand();
            final ServerFile again = shard.createServerFile("/f");
            assertThat(again.salt()).isNotEqualTo(salt);
            appendPayload(shard, again, 100);
            shard.endCommand();
        }
        try (HistoryStore store = HistoryStore.open(config(dir)))
        {
            final StoreShard shard = store.shard(0);
            assertThat(shard.droppedUnits()).isEqualTo(1);
            final ServerFile f = store.serverFile("/f");
            assertThat(f.salt()).as("the old file, as acknowledged").isEqualTo(salt);
            assertThat(f.head()).isEqualTo(2);
            assertThat(shard.serverFileCount()).as("one live file per name").isEqualTo(1);
            final List<String> names = new ArrayList<>();
            store.forEachServerFile(x -> names.add(x.name()));
            assertThat(names).containsExactly("/f");
        }
    }

    @Test
    void shouldUpgradeAFormatTwoDirectoryToFormatThreeWhenOpenedForWriting() throws Exception
    {
        assertThat(HistoryStore.FORMAT_VERSION).isEqualTo(3);
        try (HistoryStore store = HistoryStore.open(config(dir).shardCount(2)))
        {
            final StoreShard shard = store.shardFor("/old");
            shard.createServerFile("/old");
            shard.publish();
        }
        final Path formatFile = dir.resolve(HistoryStore.FORMAT_FILE);
        assertThat(Files.readString(formatFile, StandardCharsets.UTF_8)).as("new directories are format 3")
            .contains("format=3");
        Files.writeString(formatFile, "format=2\nshards=2\n");
        try (HistoryStore store = HistoryStore.open(config(dir).readOnly(true)))
        {
            assertThat(store.contains("/old")).isTrue();
        }
        assertThat(Files.readString(formatFile)).as("read-only opens change nothing").contains("format=2");
        try (HistoryStore store = HistoryStore.open(config(dir)))
        {
            final StoreShard shard = store.shardFor("/old");
            shard.beginCommand();
            shard.deleteServerFile(shard.serverFile("/old"));
            shard.endCommand();
            shard.publish();
        }
        // a format-2 build reads formats 1..2 and refuses this directory with UNSUPPORTED_FORMAT_VERSION
        assertThat(Files.readString(formatFile, StandardCharsets.UTF_8)).contains("format=3").contains("shards=2");
        try (HistoryStore store = HistoryStore.open(config(dir).readOnly(true)))
        {
            assertThat(store.contains("/old")).isFalse();
        }
    }
}
