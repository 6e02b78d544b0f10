package dev.outpost.server.sync.writer;

import dev.outpost.ot.model.Changeset;
import dev.outpost.ot.state.ChangesetApplier;
import dev.outpost.server.metrics.AppMetrics;
import dev.outpost.server.metrics.ServerMetrics;
import dev.outpost.server.store.HistoryStore;
import dev.outpost.server.store.StoreConfig;
import dev.outpost.server.sync.Changesets;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link DeleteFileCommand} on a real writer and store: the file's context is dropped and marked deleted, its state
 * checkpoint deleted; a file its clients synced comes back at once holding its schema only (new salt, version 1); a
 * file nobody synced is gone; an unknown one is not found.
 */
@Timeout(60)
class DeleteFileCommandTest
{
    private static final AppMetrics METRICS = new ServerMetrics().app("del");
    private static final String NAME = "pbs/app/\"del\"";

    @TempDir
    Path dir;

    private static DeleteFileCommand.Result delete(final ShardWriter writer, final boolean keepSchema)
        throws Exception
    {
        final CompletableFuture<DeleteFileCommand.Result> result = new CompletableFuture<>();
        final DeleteFileCommand command = new DeleteFileCommand(NAME, keepSchema, result);
        writer.shard.beginCommand();
        command.execute(writer);
        writer.shard.endCommand();
        assertThat(writer.shard.publish()).isTrue();
        command.complete();
        return result.get(1, TimeUnit.SECONDS);
    }

    private static String schemaOf(final String dump)
    {
        return dump.lines().filter(l -> l.startsWith("class ") || l.startsWith("  column ")).toList().toString();
    }

    @Test
    void shouldDropTheContextAndCheckpointAndKeepTheSchemaOfASyncedFile() throws Exception
    {
        try (HistoryStore store = HistoryStore.open(new StoreConfig().dataDir(dir).shardCount(1)))
        {
            store.shard(0).claimWriter();
            final StateCheckpoints checkpoints = new StateCheckpoints(store.dataDir(), 1);
            final ShardWriter writer = new ShardWriter(store, 0, new ConcurrentHashMap<>(), 64, METRICS)
                .checkpoints(checkpoints);
            final FileContext ctx = writer.open(NAME);
            for (int v = 0; v < 5; v++)
            {
                final byte[] cs = Changesets.objects("Item", v * 10L, 10, "v" + v);
                final Changeset parsed = writer.tools.reader.read(new UnsafeBuffer(cs), 0, cs.length,
                    new Changeset());
                assertThat(new ChangesetApplier(ctx.state()).apply(parsed).ok()).isTrue();
                writer.shard.append(ctx.file, 1, 0, v, cs.length, new UnsafeBuffer(cs), 0, cs.length);
            }
            writer.shard.allocateClientFile(ctx.file, 0, 1);
            assertThat(writer.shard.publish()).isTrue();
            final String schema = schemaOf(ctx.state().dump());
            final long oldSalt = ctx.file.salt();
            checkpoints.writeNow(writer.shard, ctx.file, ctx.state(), ctx.reverts(), 0, writer.tools.view);
            final Path checkpoint = checkpoints.pathOf(NAME);
            assertThat(checkpoint).exists();

            final DeleteFileCommand.Result deleted = delete(writer, true);
            assertThat(deleted.outcome()).isEqualTo(DeleteFileCommand.Outcome.DELETED_SCHEMA_KEPT);
            assertThat(deleted.dropped()).isSameAs(ctx);
            assertThat(ctx.deleted()).isTrue();
            assertThat(ctx.loaded()).as("its state dropped").isFalse();
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (Files.exists(checkpoint) && System.nanoTime() < deadline)
            {
                Thread.sleep(10);
            }
            assertThat(checkpoint).as("the checkpoint deleted").doesNotExist();

            final FileContext fresh = writer.open(NAME);
            assertThat(fresh).isNotSameAs(ctx);
            assertThat(fresh.file.salt()).isNotEqualTo(oldSalt);
            assertThat(store.head(NAME)).as("the schema only").isEqualTo(1);
            assertThat(fresh.state().dump()).doesNotContain("  object ");
            assertThat(schemaOf(fresh.state().dump())).isEqualTo(schema).contains("class Item");

            // nobody synced the new file: deleted for good, even with the schema kept
            assertThat(delete(writer, true).outcome()).isEqualTo(DeleteFileCommand.Outcome.DELETED);
            assertThat(fresh.deleted()).isTrue();
            assertThat(store.contains(NAME)).isFalse();
            assertThat(delete(writer, true).outcome()).isEqualTo(DeleteFileCommand.Outcome.NOT_FOUND);
            checkpoints.close();
        }
    }

    @Test
    void shouldDropTheSchemaAndTheCheckpointOfAFileGoneForGood() throws Exception
    {
        try (HistoryStore store = HistoryStore.open(new StoreConfig().dataDir(dir).shardCount(1)))
        {
            store.shard(0).claimWriter();
            final StateCheckpoints checkpoints = new StateCheckpoints(store.dataDir(), 1);
            final ShardWriter writer = new ShardWriter(store, 0, new ConcurrentHashMap<>(), 64, METRICS)
                .checkpoints(checkpoints);
            final FileContext ctx = writer.open(NAME);
            final byte[] cs = Changesets.objects("Item", 0, 3, "a");
            assertThat(new ChangesetApplier(ctx.state()).apply(writer.tools.reader.read(new UnsafeBuffer(cs), 0,
                cs.length, new Changeset())).ok()).isTrue();
            writer.shard.append(ctx.file, 1, 0, 1, cs.length, new UnsafeBuffer(cs), 0, cs.length);
            writer.shard.allocateClientFile(ctx.file, 0, 1);
            assertThat(writer.shard.publish()).isTrue();
            checkpoints.writeNow(writer.shard, ctx.file, ctx.state(), ctx.reverts(), 0, writer.tools.view);
            final Path checkpoint = checkpoints.pathOf(NAME);
            assertThat(checkpoint).exists();

            assertThat(delete(writer, false).outcome()).isEqualTo(DeleteFileCommand.Outcome.DELETED);
            assertThat(store.contains(NAME)).isFalse();
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (Files.exists(checkpoint) && System.nanoTime() < deadline)
            {
                Thread.sleep(10);
            }
            assertThat(checkpoint).as("the checkpoint of a file gone for good is deleted").doesNotExist();
            checkpoints.close();
        }
    }
}
