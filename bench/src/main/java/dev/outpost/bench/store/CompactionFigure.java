package dev.outpost.bench.store;

import dev.outpost.codec.changeset.Instr;
import dev.outpost.ot.model.ChangesetReader;
import dev.outpost.ot.model.ChangesetWriter;
import dev.outpost.ot.state.ChangesetApplier;
import dev.outpost.ot.state.ChangesetBuilder;
import dev.outpost.ot.state.ObjectState;
import dev.outpost.ot.state.Value;
import dev.outpost.server.store.EntryView;
import dev.outpost.server.store.HistoryReader;
import dev.outpost.server.store.HistoryStore;
import dev.outpost.server.store.ServerFile;
import dev.outpost.server.store.StoreCompaction;
import dev.outpost.server.store.StoreConfig;
import dev.outpost.server.store.StoreShard;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * The figure of issue 15 item 1: one server file with {@code versions} versions over {@code objects} live objects
 * (a schema, one create per object, then one field update per version), written with the store API; its size and a
 * new client's first download (every non-empty entry from version 0 read from the store and copied, as the
 * download builder does, then applied to an empty object state, as the client does) before and after
 * {@code StoreCompaction}, interleaved over a copy of the uncompacted store.
 * <pre>
 * java $(outpost.jvm.flags) -cp bench/target/benchmarks.jar dev.outpost.bench.store.CompactionFigure DIR [versions] [objects] [rounds]
 * </pre>
 */
public final class CompactionFigure
{
    private static final Object[] NO_PATH = new Object[0];
    private static final String NAME = "/figure";

    private CompactionFigure()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final Path root = Path.of(args[0]);
        final int versions = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
        final int objects = args.length > 2 ? Integer.parseInt(args[2]) : 10_000;
        final int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        final Path before = root.resolve("before");
        final Path after = root.resolve("after");
        long t0 = System.nanoTime();
        build(before, versions, objects);
        System.out.printf("built %d versions over %d objects in %.1f s%n", versions, objects,
            (System.nanoTime() - t0) / 1e9);
        copyTree(before, after);
        t0 = System.nanoTime();
        final StoreCompaction.Result r = StoreCompaction.compact(after,
            new StoreCompaction.Policy(System.currentTimeMillis(), 30L * 86_400_000L));
        System.out.printf("compaction: %s; wall %.1f s%n", r, (System.nanoTime() - t0) / 1e9);
        System.out.printf("disk (allocated) before %d bytes, after %d bytes%n", du(before), du(after));
        final List<Double> readBefore = new ArrayList<>();
        final List<Double> readAfter = new ArrayList<>();
        final List<Double> applyBefore = new ArrayList<>();
        final List<Double> applyAfter = new ArrayList<>();
        for (int round = 0; round < rounds; round++)
        {
            download(before, readBefore, applyBefore, "before");
            download(after, readAfter, applyAfter, "after");
        }
        System.out.printf("median first download, store read: before %.3f s, after %.3f s (ratio %.4f)%n",
            median(readBefore), median(readAfter), median(readAfter) / median(readBefore));
        System.out.printf("median first download, read + apply: before %.3f s, after %.3f s (ratio %.4f)%n",
            median(applyBefore), median(applyAfter), median(applyAfter) / median(applyBefore));
    }

    private static void build(final Path dir, final int versions, final int objects)
    {
        final SplittableRandom random = new SplittableRandom(15);
        final ChangesetWriter writer = new ChangesetWriter();
        final long oldTs = 1_000L; // realm time: long ago
        try (HistoryStore store = HistoryStore.open(new StoreConfig().dataDir(dir).shardCount(1)))
        {
            final StoreShard shard = store.shard(0);
            final ServerFile f = shard.createServerFile(NAME);
            final ChangesetBuilder schema = new ChangesetBuilder();
            schema.addTable("Item", Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_INT, false);
            schema.addColumn("Item", "n", Instr.TYPE_INT, true, Instr.COLLECTION_SINGLE, null, 0);
            schema.addColumn("Item", "s", Instr.TYPE_STRING, true, Instr.COLLECTION_SINGLE, null, 0);
            append(shard, f, writer.toBytes(schema.changeset()), oldTs);
            for (int k = 0; k < objects && f.lastAppended() < versions; k++)
            {
                final ChangesetBuilder b = new ChangesetBuilder();
                b.createObject("Item", new Value.Int(k));
                b.update("Item", new Value.Int(k), "s", NO_PATH, Instr.TYPE_STRING, new Value.Str("item " + k), false,
                    -1);
                append(shard, f, writer.toBytes(b.changeset()), oldTs);
                if (f.lastAppended() % 1000 == 0)
                {
                    shard.publish();
                }
            }
            while (f.lastAppended() < versions)
            {
                final ChangesetBuilder b = new ChangesetBuilder();
                final Value key = new Value.Int(random.nextInt(objects));
                b.update("Item", key, "n", NO_PATH, Instr.TYPE_INT, new Value.Int(random.nextInt(1_000_000)), false,
                    -1);
                append(shard, f, writer.toBytes(b.changeset()), oldTs + f.lastAppended());
                if (f.lastAppended() % 1000 == 0)
                {
                    shard.publish();
                }
            }
            shard.publish();
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    private static void append(final StoreShard shard, final ServerFile f, final byte[] cs, final long ts)
    {
        shard.append(f, 1, 0, ts, cs.length, new UnsafeBuffer(cs), 0, cs.length);
    }

    private static void download(final Path dir, final List<Double> read, final List<Double> apply, final String what)
        throws Exception
    {
        try (HistoryStore store = HistoryStore.open(new StoreConfig().dataDir(dir).readOnly(true)))
        {
            final ServerFile f = store.serverFile(NAME);
            final HistoryReader reader = store.newReader();
            final EntryView view = new EntryView();
            final ExpandableArrayBuffer out = new ExpandableArrayBuffer(1 << 20);
            long t0 = System.nanoTime();
            int length = 0;
            int entries = 0;
            final List<int[]> spans = new ArrayList<>();
            for (long v = 1; v <= f.head(); v++)
            {
                reader.read(f, v, view);
                if (view.changesetLength() == 0)
                {
                    continue; // the download builder skips empty entries
                }
                view.copyChangeset(out, length);
                spans.add(new int[] {length, view.changesetLength()});
                length += view.changesetLength();
                entries++;
            }
            final double readSeconds = (System.nanoTime() - t0) / 1e9;
            final ObjectState state = new ObjectState();
            final ChangesetApplier applier = new ChangesetApplier(state);
            final ChangesetReader csReader = new ChangesetReader();
            for (final int[] span : spans)
            {
                applier.apply(csReader.read(out, span[0], span[1], new dev.outpost.ot.model.Changeset()));
            }
            final double total = (System.nanoTime() - t0) / 1e9;
            read.add(readSeconds);
            apply.add(total);
            System.out.printf("%s: %d non-empty entries, %d changeset bytes; read %.3f s, read + apply %.3f s; " +
                "%d objects%n", what, entries, length, readSeconds, total, state.table("Item").objects().size());
        }
    }

    private static double median(final List<Double> values)
    {
        final List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }

    private static long du(final Path dir) throws Exception
    {
        final Process p = new ProcessBuilder("du", "-s", "-B1", dir.toString()).redirectErrorStream(true).start();
        final String out = new String(p.getInputStream().readAllBytes()).trim();
        p.waitFor();
        return Long.parseLong(out.split("\\s+")[0]);
    }

    private static void copyTree(final Path from, final Path to) throws Exception
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
                else if (!p.getFileName().toString().endsWith(".chain"))
                {
                    Files.copy(p, target);
                }
            }
        }
    }
}
