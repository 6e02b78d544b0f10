package dev.outpost.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Model-based, with commands: random store operations grouped into commands that end or abort, batches that are
 * published (committed) or not, and a last batch that is cut off (as by a crash) or published. An aborted command
 * leaves the live index exactly as before it; after reopening, the store equals the model as of the last publish
 * (aborted commands and the uncommitted tail are ignored by replay).
 */
class StoreCommandModelTest
{
    @Property(tries = 20)
    void abortedCommandsAndUncommittedBatchesLeaveNoTrace(
        @ForAll @Size(min = 1, max = 60) final List<@IntRange(min = 0) Integer> commands,
        @ForAll final boolean crashAtEnd) throws Exception
    {
        final Path dir = Files.createTempDirectory("outpost-store-commands");
        try
        {
            Map<String, StoreModelTest.FileModel> model = new java.util.HashMap<>();
            Map<String, StoreModelTest.FileModel> published = StoreModelTest.copy(model);
            try (HistoryStore store = HistoryStore.open(StoreTestSupport.config(dir).shardCount(2)))
            {
                for (final int command : commands)
                {
                    final SplittableRandom r = new SplittableRandom(command);
                    final Map<String, StoreModelTest.FileModel> before = StoreModelTest.copy(model);
                    final int ops = 1 + r.nextInt(4);
                    final boolean abort = r.nextInt(10) < 3;
                    for (int s = 0; s < store.shardCount(); s++)
                    {
                        store.shard(s).beginCommand();
                    }
                    for (int i = 0; i < ops; i++)
                    {
                        StoreModelTest.apply(store, model, r.nextInt(Integer.MAX_VALUE), false);
                    }
                    for (int s = 0; s < store.shardCount(); s++)
                    {
                        if (abort)
                        {
                            store.shard(s).abortCommand();
                        }
                        else
                        {
                            store.shard(s).endCommand();
                        }
                    }
                    if (abort)
                    {
                        restoreKeepingFiles(model, before);
                        checkLive(store, model);
                    }
                    if (r.nextInt(10) < 3)
                    {
                        for (int s = 0; s < store.shardCount(); s++)
                        {
                            assertThat(store.shard(s).publish()).isTrue();
                        }
                        published = StoreModelTest.copy(model);
                    }
                }
                if (!crashAtEnd)
                {
                    for (int s = 0; s < store.shardCount(); s++)
                    {
                        store.shard(s).publish();
                    }
                    published = StoreModelTest.copy(model);
                }
            }
            try (HistoryStore store = HistoryStore.open(StoreTestSupport.config(dir)))
            {
                StoreModelTest.check(store, published);
                for (final String name : published.keySet())
                {
                    assertThat(store.serverFile(name).lastAppended()).isEqualTo(published.get(name).history.size());
                }
            }
        }
        finally
        {
            StoreModelTest.delete(dir);
        }
    }

    /**
     * The same random commands, with server files evicted from the index at random points and loaded back from their
     * record chains: eviction is refused inside a commit unit, and every reload (live, after aborted commands, and
     * after a reopen that dropped aborted commands and an uncommitted tail) reads exactly what the model says.
     */
    @Property(tries = 20)
    void evictionAndReloadAtRandomPointsGiveIdenticalReads(
        @ForAll @Size(min = 1, max = 60) final List<@IntRange(min = 0) Integer> commands,
        @ForAll final boolean crashAtEnd) throws Exception
    {
        final Path dir = Files.createTempDirectory("outpost-store-evict");
        try
        {
            Map<String, StoreModelTest.FileModel> model = new java.util.HashMap<>();
            Map<String, StoreModelTest.FileModel> published = StoreModelTest.copy(model);
            try (HistoryStore store = HistoryStore.open(StoreTestSupport.config(dir).shardCount(2)))
            {
                for (final int command : commands)
                {
                    final SplittableRandom r = new SplittableRandom(command);
                    final Map<String, StoreModelTest.FileModel> before = StoreModelTest.copy(model);
                    final int ops = 1 + r.nextInt(4);
                    final boolean abort = r.nextInt(10) < 3;
                    for (int s = 0; s < store.shardCount(); s++)
                    {
                        store.shard(s).beginCommand();
                    }
                    for (int i = 0; i < ops; i++)
                    {
                        StoreModelTest.apply(store, model, r.nextInt(Integer.MAX_VALUE), false);
                    }
                    for (int s = 0; s < store.shardCount(); s++)
                    {
                        if (abort)
                        {
                            store.shard(s).abortCommand();
                        }
                        else
                        {
                            store.shard(s).endCommand();
                        }
                    }
                    if (abort)
                    {
                        restoreKeepingFiles(model, before);
                        checkLive(store, model);
                    }
                    if (r.nextInt(10) < 4)
                    {
                        for (int s = 0; s < store.shardCount(); s++)
                        {
                            assertThat(store.shard(s).publish()).isTrue();
                        }
                        published = StoreModelTest.copy(model);
                        evictSome(store, model, r, true);
                        StoreModelTest.check(store, model);
                        checkLive(store, model);
                    }
                    else
                    {
                        evictSome(store, model, r, false);
                        checkLive(store, model);
                    }
                }
                if (!crashAtEnd)
                {
                    for (int s = 0; s < store.shardCount(); s++)
                    {
                        store.shard(s).publish();
                    }
                    published = StoreModelTest.copy(model);
                }
            }
            try (HistoryStore store = HistoryStore.open(StoreTestSupport.config(dir)))
            {
                for (int s = 0; s < store.shardCount(); s++)
                {
                    assertThat(store.shard(s).residentFileCount()).as("nothing resident after open").isZero();
                }
                StoreModelTest.check(store, published);
                evictSome(store, published, new SplittableRandom(commands.size()), true);
                StoreModelTest.check(store, published);
                checkLive(store, published);
            }
        }
        finally
        {
            StoreModelTest.delete(dir);
        }
    }

    /**
     * Evicts each file of the model with probability 1/2: right after a publish every eviction succeeds; a file with
     * unpublished versions is never evicted.
     */
    private static int evictSome(final HistoryStore store, final Map<String, StoreModelTest.FileModel> model,
        final SplittableRandom r, final boolean published)
    {
        int n = 0;
        for (final String name : new java.util.TreeSet<>(model.keySet()))
        {
            if (r.nextBoolean())
            {
                final StoreShard shard = store.shardFor(name);
                final ServerFile f = shard.serverFile(name);
                final boolean unpublished = f.lastAppended() != f.head();
                final boolean done = shard.evict(f);
                if (published)
                {
                    assertThat(done).as("evict %s", name).isTrue();
                }
                else if (unpublished)
                {
                    assertThat(done).as("evict %s with unpublished versions", name).isFalse();
                }
                assertThat(store.contains(name)).isTrue();
                n += done ? 1 : 0;
            }
        }
        return n;
    }

    /** An aborted command keeps the server files it created (empty): the model keeps them too. */
    private static void restoreKeepingFiles(final Map<String, StoreModelTest.FileModel> model,
        final Map<String, StoreModelTest.FileModel> before)
    {
        final Map<String, StoreModelTest.FileModel> created = new java.util.HashMap<>();
        model.forEach((name, m) ->
        {
            if (!before.containsKey(name))
            {
                created.put(name, new StoreModelTest.FileModel(m.salt));
            }
        });
        model.clear();
        model.putAll(before);
        model.putAll(created);
    }

    private static void checkLive(final HistoryStore store, final Map<String, StoreModelTest.FileModel> model)
    {
        for (final Map.Entry<String, StoreModelTest.FileModel> e : model.entrySet())
        {
            final ServerFile f = store.serverFile(e.getKey());
            final StoreShard shard = store.shardFor(e.getKey());
            final StoreModelTest.FileModel m = e.getValue();
            assertThat(f.lastAppended()).isEqualTo(m.history.size());
            assertThat(f.cumulativeSize(f.lastAppended())).isEqualTo(
                m.history.stream().mapToLong(h -> ((byte[])h[0]).length).sum());
            assertThat(f.clientCount()).isEqualTo(m.clients.size());
            for (final Map.Entry<Long, StoreModelTest.ClientModel> ce : m.clients.entrySet())
            {
                final ClientFileRecord c = shard.clientFile(f, ce.getKey());
                final StoreModelTest.ClientModel cm = ce.getValue();
                assertThat(c.clientVersion()).isEqualTo(cm.clientVersion);
                assertThat(c.rhBaseVersion()).isEqualTo(cm.rhBase);
                assertThat(c.lockedServerVersion()).isEqualTo(cm.locked);
                assertThat(c.lastSeen()).isEqualTo(cm.lastSeen);
                assertThat(c.reciprocalCount()).isEqualTo(cm.reciprocals.size());
                for (final Long v : cm.reciprocals.keySet())
                {
                    assertThat(c.hasReciprocal(v)).isTrue();
                }
            }
        }
    }
}
