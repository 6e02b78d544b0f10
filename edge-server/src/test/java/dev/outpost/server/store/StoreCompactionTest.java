package dev.outpost.server.store;

import dev.outpost.codec.changeset.Instr;
import dev.outpost.ot.model.Changeset;
import dev.outpost.ot.model.ChangesetReader;
import dev.outpost.ot.model.ChangesetWriter;
import dev.outpost.ot.state.ChangesetApplier;
import dev.outpost.ot.state.ChangesetBuilder;
import dev.outpost.ot.state.ObjectState;
import dev.outpost.ot.state.Value;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static dev.outpost.server.store.StoreTestSupport.config;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link StoreCompaction}: the compacted store holds every version with its metadata, the same object state,
 * byte-identical entries above the horizon, the live client files unchanged and the expired ones compacted away;
 * and a run cut after any of its steps leaves a directory that opens without repair and holds exactly the original
 * or exactly the compacted data.
 */
class StoreCompactionTest
{
    private static final long DAY = 86_400_000L;
    private static final long NOW = StoreCompaction.REALM_EPOCH_MS + 400 * DAY;
    private static final Object[] NO_PATH = new Object[0];
    private static final String NAME = "/compacted";
    private static final String OTHER = "/other";

    @TempDir
    Path dir;

    /** What a store holds, as a client would see it. */
    private record Snapshot(long head, List<String> metadata, List<byte[]> changesets, String state, String clients)
    {
    }

    @Test
    void shouldCompactOldVersionsAndKeepStateMetadataAndLiveClients() throws Exception
    {
        final Path store = dir.resolve("store");
        build(store);
        final Snapshot before = snapshot(store, NAME);
        final Snapshot otherBefore = snapshot(store, OTHER);

        final StoreCompaction.Result r = StoreCompaction.compact(store, new StoreCompaction.Policy(NOW, 30 * DAY));

        assertThat(r.generation()).isEqualTo(1);
        assertThat(r.instructionsDropped()).isPositive();
        assertThat(r.bytesAfter()).isLessThan(r.bytesBefore());
        assertThat(r.clientsCompactedAway()).isEqualTo(1);
        assertThat(StoreCompaction.generation(store)).isEqualTo(1);
        assertThat(StoreCompaction.compactedUntil(store)).containsEntry(NAME, (long)HORIZON);
        assertThat(Files.readString(store.resolve(HistoryStore.FORMAT_FILE))).contains("format=3");
        try (Stream<Path> s = Files.list(store))
        {
            assertThat(s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("shard-") && !n.endsWith(".chain")))
                .containsExactlyInAnyOrder("shard-0.c1", "shard-1.c1");
        }
        final Snapshot after = snapshot(store, NAME);
        assertCompactedFrom(after, before);
        assertThat(snapshot(store, OTHER).state()).isEqualTo(otherBefore.state());

        // a backup of a compacted store copies its current generation
        final Path backup = dir.resolve("backup");
        dev.outpost.server.backup.Backup.backup(store, backup);
        assertCompactedFrom(snapshot(backup, NAME), before);

        // a second run compacts what became old since, and the store keeps taking writes
        try (HistoryStore s = HistoryStore.open(config(store)))
        {
            final StoreShard shard = s.shardFor(NAME);
            final ServerFile f = s.serverFile(NAME);
            final byte[] cs = update(7, "n", 1);
            assertThat(shard.append(f, 1, 0, 1, cs.length, new UnsafeBuffer(cs), 0, cs.length))
                .isEqualTo(before.head() + 1);
            assertThat(shard.publish()).isTrue();
        }
        assertThat(StoreCompaction.compact(store, new StoreCompaction.Policy(NOW, 30 * DAY)).generation()).isEqualTo(2);
        assertThat(snapshot(store, NAME).head()).isEqualTo(before.head() + 1);
    }

    @Test
    void shouldOpenWithTheOriginalOrTheCompactedDataWhenCutAfterAnyStep() throws Exception
    {
        final Path original = dir.resolve("original");
        build(original);
        final Snapshot before = snapshot(original, NAME);
        final List<String> steps = new ArrayList<>();
        final Path reference = dir.resolve("reference");
        copyTree(original, reference);
        StoreCompaction.compact(reference, new StoreCompaction.Policy(NOW, 30 * DAY), steps::add);
        final Snapshot compacted = snapshot(reference, NAME);
        assertThat(steps).contains("copied", "switched");

        for (int cut = 0; cut < steps.size(); cut++)
        {
            final Path d = dir.resolve("cut-" + cut);
            copyTree(original, d);
            final String at = steps.get(cut);
            try
            {
                StoreCompaction.compact(d, new StoreCompaction.Policy(NOW, 30 * DAY), step ->
                {
                    if (step.equals(at))
                    {
                        throw new IOException("cut after " + step);
                    }
                });
            }
            catch (final IOException expected)
            {
                assertThat(expected).hasMessage("cut after " + at);
            }
            final Snapshot s = snapshot(d, NAME); // opens for writing: no repair needed, strays removed
            final boolean switched = steps.indexOf("switched") <= cut;
            if (switched)
            {
                assertSame(s, compacted, at);
            }
            else
            {
                assertSame(s, before, at);
            }
            try (Stream<Path> files = Files.list(d))
            {
                final int generation = switched ? 1 : 0;
                assertThat(files.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith("shard-") && !n.endsWith(".chain")))
                    .as("after a cut at %s", at)
                    .containsExactlyInAnyOrder(HistoryStore.shardDirectoryName(0, generation),
                        HistoryStore.shardDirectoryName(1, generation));
            }
            // and a next run finishes the job
            StoreCompaction.compact(d, new StoreCompaction.Policy(NOW, 30 * DAY));
            assertThat(snapshot(d, NAME).state()).isEqualTo(before.state());
        }
    }

    private static void assertSame(final Snapshot actual, final Snapshot expected, final String at)
    {
        assertThat(actual.head()).as(at).isEqualTo(expected.head());
        assertThat(actual.metadata()).as(at).isEqualTo(expected.metadata());
        assertThat(actual.state()).as(at).isEqualTo(expected.state());
        assertThat(actual.clients()).as(at).isEqualTo(expected.clients());
        for (int i = 0; i < actual.changesets().size(); i++)
        {
            assertThat(actual.changesets().get(i)).as("%s: version %d", at, i + 1)
                .isEqualTo(expected.changesets().get(i));
        }
    }

    private static void assertCompactedFrom(final Snapshot after, final Snapshot before)
    {
        assertThat(after.head()).isEqualTo(before.head());
        assertThat(after.metadata()).isEqualTo(before.metadata());
        assertThat(after.state()).isEqualTo(before.state());
        long sizeBefore = 0;
        long sizeAfter = 0;
        for (int v = 1; v <= before.head(); v++)
        {
            sizeBefore += before.changesets().get(v - 1).length;
            sizeAfter += after.changesets().get(v - 1).length;
            if (v > HORIZON)
            {
                assertThat(after.changesets().get(v - 1)).as("version %d above the horizon", v)
                    .isEqualTo(before.changesets().get(v - 1));
            }
        }
        assertThat(sizeAfter).isLessThan(sizeBefore / 2);
        // the live client is unchanged; the expired one (base below the horizon) is compacted away
        assertThat(after.clients()).contains("2:" + (HORIZON + 5) + ":" + (NOW - DAY))
            .contains("3:10:" + StoreCompaction.COMPACTED_AWAY);
    }

    /** Versions 1..HORIZON + 20 of NAME; the live client is based at HORIZON + 5, entries after HORIZON are new. */
    private static final int HORIZON = 300;

    private static void build(final Path store) throws Exception
    {
        final Random random = new Random(42);
        final long oldTs = 10 * DAY; // realm time: far older than 30 days before NOW
        final long newTs = NOW - StoreCompaction.REALM_EPOCH_MS - DAY;
        try (HistoryStore s = HistoryStore.open(config(store).shardCount(2)))
        {
            for (final String name : new String[] {NAME, OTHER})
            {
                final StoreShard shard = s.shardFor(name);
                final ServerFile f = shard.createServerFile(name);
                append(shard, f, schema(), oldTs);
                for (int k = 0; k < 10; k++)
                {
                    final ChangesetBuilder b = new ChangesetBuilder();
                    b.createObject("Item", new Value.Int(k));
                    append(shard, f, new ChangesetWriter().toBytes(b.changeset()), oldTs);
                }
                shard.publish();
            }
            final StoreShard shard = s.shardFor(NAME);
            final ServerFile f = s.serverFile(NAME);
            final ClientFileRecord live = shard.allocateClientFile(f, 0, NOW - 50 * DAY);
            final ClientFileRecord expired = shard.allocateClientFile(f, 0, NOW - 50 * DAY);
            shard.updateClientState(f, expired, 0, 10, 10, NOW - 40 * DAY);
            shard.updateClientState(f, live, 0, 3, 3, NOW - 35 * DAY);
            int batch = 0;
            while (f.lastAppended() < HORIZON + 20)
            {
                // a command per batch, some aborted, the last one never published
                shard.beginCommand();
                final long ts = f.lastAppended() < HORIZON ? oldTs + f.lastAppended() : newTs;
                append(shard, f, update(random.nextInt(10), random.nextBoolean() ? "n" : "s", random.nextInt(1000)),
                    ts);
                if (f.lastAppended() == 100)
                {
                    shard.putReciprocal(f, live, 50, new UnsafeBuffer(new byte[] {1}), 0, 1);
                    shard.updateClientState(f, live, 0, 40, 40, NOW - 30 * DAY);
                }
                if (batch++ % 17 == 5)
                {
                    assertThat(shard.abortCommand()).isTrue();
                    continue;
                }
                shard.endCommand();
                assertThat(shard.publish()).isTrue();
            }
            shard.beginCommand();
            shard.putReciprocal(f, live, HORIZON + 10, new UnsafeBuffer(new byte[] {2, 3}), 0, 2);
            shard.putReciprocal(f, live, HORIZON + 12, new UnsafeBuffer(new byte[] {4}), 0, 1);
            shard.putReciprocal(f, live, HORIZON + 10, new UnsafeBuffer(new byte[] {5}), 0, 1);
            shard.updateClientState(f, live, 0, HORIZON + 5, HORIZON + 5, NOW - DAY);
            shard.endCommand();
            assertThat(shard.publish()).isTrue();
            shard.beginCommand(); // cut off: never published
            append(shard, f, update(1, "n", 5), newTs);
            shard.endCommand();
        }
    }

    private static byte[] schema()
    {
        final ChangesetBuilder b = new ChangesetBuilder();
        b.addTable("Item", Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_INT, false);
        b.addColumn("Item", "n", Instr.TYPE_INT, true, Instr.COLLECTION_SINGLE, null, 0);
        b.addColumn("Item", "s", Instr.TYPE_STRING, true, Instr.COLLECTION_SINGLE, null, 0);
        return new ChangesetWriter().toBytes(b.changeset());
    }

    private static byte[] update(final int key, final String field, final int value)
    {
        final ChangesetBuilder b = new ChangesetBuilder();
        if (field.equals("n"))
        {
            b.update("Item", new Value.Int(key), "n", NO_PATH, Instr.TYPE_INT, new Value.Int(value), false, -1);
        }
        else
        {
            b.update("Item", new Value.Int(key), "s", NO_PATH, Instr.TYPE_STRING, new Value.Str("v" + value), false,
                -1);
        }
        return new ChangesetWriter().toBytes(b.changeset());
    }

    private static void append(final StoreShard shard, final ServerFile f, final byte[] cs, final long ts)
    {
        final long v = shard.append(f, 1, 0, ts, cs.length + 3, new UnsafeBuffer(cs), 0, cs.length);
        assertThat(v).isEqualTo(f.lastAppended());
    }

    private static Snapshot snapshot(final Path store, final String name) throws Exception
    {
        try (HistoryStore s = HistoryStore.open(config(store)))
        {
            final ServerFile f = s.serverFile(name);
            final HistoryReader reader = s.newReader();
            final EntryView view = new EntryView();
            final List<String> metadata = new ArrayList<>();
            final List<byte[]> changesets = new ArrayList<>();
            final ObjectState state = new ObjectState();
            final ChangesetApplier applier = new ChangesetApplier(state);
            final ChangesetReader csReader = new ChangesetReader();
            for (long v = 1; v <= f.head(); v++)
            {
                assertThat(reader.read(f, v, view)).isTrue();
                metadata.add(v + ":" + view.originFileIdent() + ":" + view.clientVersion() + ":" + view.timestamp() +
                    ":" + view.originalSize() + ":" + view.salt());
                final byte[] b = StoreTestSupport.bytes(view);
                changesets.add(b);
                final Changeset cs = csReader.read(b);
                assertThat(applier.apply(cs).ok()).isTrue();
            }
            final StringBuilder clients = new StringBuilder();
            final StoreShard shard = s.shardFor(name);
            for (long ident = 2; ident < 6; ident++)
            {
                final ClientFileRecord c = shard.clientFile(f, ident);
                if (c != null)
                {
                    clients.append(ident).append(':').append(c.rhBaseVersion()).append(':').append(c.lastSeen())
                        .append(" cv=").append(c.clientVersion()).append(" recips=").append(c.reciprocalCount());
                    for (long v = c.rhBaseVersion() + 1; v <= f.head(); v++)
                    {
                        if (c.hasReciprocal(v) && shard.readReciprocal(c, v, view))
                        {
                            clients.append(' ').append(v).append('=').append(StoreTestSupport.bytes(view)[0]);
                        }
                    }
                    clients.append('\n');
                }
            }
            return new Snapshot(f.head(), metadata, changesets, state.dump(), clients.toString());
        }
    }

    private static void copyTree(final Path from, final Path to) throws IOException
    {
        try (Stream<Path> all = Files.walk(from))
        {
            for (final Path p : all.toList())
            {
                final Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p))
                {
                    Files.createDirectories(target);
                }
                else
                {
                    Files.copy(p, target);
                }
            }
        }
    }
}
