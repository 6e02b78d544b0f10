package dev.outpost.server.mirror;

import dev.outpost.codec.changeset.Instr;
import dev.outpost.ot.model.ChangesetWriter;
import dev.outpost.ot.state.ChangesetBuilder;
import dev.outpost.ot.state.Value;
import dev.outpost.server.config.MirrorSettings;
import dev.outpost.server.metrics.ServerMetrics;
import dev.outpost.server.store.HistoryStore;
import dev.outpost.server.store.ServerFile;
import dev.outpost.server.store.StoreConfig;
import dev.outpost.server.store.StoreShard;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.PGConnection;

import java.io.StringReader;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.Arrays;
import java.util.concurrent.locks.LockSupport;

/**
 * Figures for bench/README.md, section 10 (not part of the normal run; no assertion on time):
 * <pre>
 * ./mvnw -B -o verify -pl edge-server -am -Dtest=NoSuchTest -Dit.test=MirrorBench \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false
 * </pre>
 * (1) Throughput: {@code outpost.mirror.bench.changesets} (default 200,000) scenario-(a)-like changesets (one server
 * file, each changeset creating one object with a 16-byte name and an int) are appended, then the mirror is started
 * and timed until it has committed them all: rows/s. In the same run, against the same PostgreSQL: the same rows
 * with {@code COPY FROM STDIN}, with 500-row multi-row {@code INSERT}s and with 5,000-row
 * {@code INSERT .. SELECT * FROM unnest(arrays)} statements (the baselines). (2) Lag: changesets
 * appended at a fixed rate ({@code outpost.mirror.bench.rates}, default 1000,10000 per second, 20 s each) while the
 * mirror runs; each version's lag is the time from its publish to the moment the mirror reports it committed
 * (polled every 0.2 ms): p50, p99, max.
 */
class MirrorBench
{
    private static final String FILE = "flx/bench";
    /** {@code -Doutpost.mirror.bench.inbound=false}: the mirror without the inbound capture triggers. */
    private static final boolean INBOUND = Boolean.parseBoolean(System.getProperty("outpost.mirror.bench.inbound",
        "true"));

    @TempDir
    Path dir;

    @Test
    void measure() throws Exception
    {
        final int n = Integer.getInteger("outpost.mirror.bench.changesets", 200_000);
        try (PostgresServer pg = PostgresServer.start())
        {
            final double copy = baselineCopy(pg, n);
            final double insert = baselineInsert(pg, n);
            final double arrays = baselineArrays(pg, n);
            final double mirror = mirrorThroughput(pg, n);
            System.out.printf("MIRROR-BENCH rows=%d copy=%.0f rows/s multi-row-insert=%.0f rows/s " +
                "unnest-arrays=%.0f rows/s mirror=%.0f rows/s (%.0f %% of COPY, %.0f %% of INSERT, %.0f %% of " +
                "arrays)%n", n, copy, insert, arrays, mirror, 100 * mirror / copy, 100 * mirror / insert,
                100 * mirror / arrays);
            for (final String rate : System.getProperty("outpost.mirror.bench.rates", "1000,10000").split(","))
            {
                if (!rate.isBlank())
                {
                    lag(pg, Integer.parseInt(rate.trim()), 20); // -Doutpost.mirror.bench.rates= : no lag runs
                }
            }
        }
    }

    private static double baselineCopy(final PostgresServer pg, final int n) throws Exception
    {
        try (Connection c = pg.connect(); Statement st = c.createStatement())
        {
            st.execute("CREATE TABLE copy_item (_id bigint PRIMARY KEY, name text, n bigint)");
            final StringBuilder sb = new StringBuilder(n * 32);
            for (int i = 0; i < n; i++)
            {
                sb.append(i).append('\t').append(name(i)).append('\t').append(i).append('\n');
            }
            final long start = System.nanoTime();
            c.setAutoCommit(false);
            ((PGConnection)c).getCopyAPI().copyIn("COPY copy_item FROM STDIN", new StringReader(sb.toString()));
            c.commit();
            return n / ((System.nanoTime() - start) / 1e9);
        }
    }

    private static double baselineInsert(final PostgresServer pg, final int n) throws Exception
    {
        try (Connection c = pg.connect(); Statement st = c.createStatement())
        {
            st.execute("CREATE TABLE insert_item (_id bigint PRIMARY KEY, name text, n bigint)");
            final StringBuilder sql = new StringBuilder("INSERT INTO insert_item (_id, name, n) VALUES ");
            for (int i = 0; i < 500; i++)
            {
                sql.append(i == 0 ? "(?, ?, ?)" : ", (?, ?, ?)");
            }
            sql.append(" ON CONFLICT (_id) DO UPDATE SET name = EXCLUDED.name, n = EXCLUDED.n");
            final long start = System.nanoTime();
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement(sql.toString()))
            {
                for (int from = 0; from + 500 <= n; from += 500)
                {
                    int p = 1;
                    for (int i = from; i < from + 500; i++)
                    {
                        ps.setLong(p++, i);
                        ps.setString(p++, name(i));
                        ps.setLong(p++, i);
                    }
                    ps.executeUpdate();
                    if ((from / 500) % 10 == 9)
                    {
                        c.commit(); // 5,000 rows a transaction, like the mirror's batches
                    }
                }
            }
            c.commit();
            return (n - n % 500) / ((System.nanoTime() - start) / 1e9);
        }
    }

    /** The mirror's write: 5,000 rows a transaction as one {@code INSERT .. SELECT * FROM unnest(arrays)}. */
    private static double baselineArrays(final PostgresServer pg, final int n) throws Exception
    {
        try (Connection c = pg.connect(); Statement st = c.createStatement())
        {
            st.execute("CREATE TABLE arrays_item (_id bigint PRIMARY KEY, name text, n bigint)");
            final long start = System.nanoTime();
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO arrays_item (_id, name, n) SELECT * FROM " +
                "unnest(?::bigint[], ?::text[], ?::bigint[]) ON CONFLICT (_id) DO UPDATE SET name = EXCLUDED.name, " +
                "n = EXCLUDED.n"))
            {
                for (int from = 0; from < n; from += 5_000)
                {
                    final StringBuilder ids = new StringBuilder("{");
                    final StringBuilder names = new StringBuilder("{");
                    final StringBuilder ns = new StringBuilder("{");
                    for (int i = from; i < Math.min(n, from + 5_000); i++)
                    {
                        final String sep = i == from ? "" : ",";
                        ids.append(sep).append(i);
                        names.append(sep).append('"').append(name(i)).append('"');
                        ns.append(sep).append(i);
                    }
                    ps.setString(1, ids.append('}').toString());
                    ps.setString(2, names.append('}').toString());
                    ps.setString(3, ns.append('}').toString());
                    ps.executeUpdate();
                    c.commit();
                }
            }
            return n / ((System.nanoTime() - start) / 1e9);
        }
    }

    private static String name(final long i)
    {
        final String s = "item-" + (10_000_000_000L + i);
        return s.substring(0, 16);
    }

    private static byte[] changeset(final long key, final boolean schema)
    {
        final ChangesetBuilder b = new ChangesetBuilder();
        if (schema)
        {
            b.addTable("Item", Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_INT, false);
            b.addColumn("Item", "name", Instr.TYPE_STRING, false, Instr.COLLECTION_SINGLE, null, 0);
            b.addColumn("Item", "n", Instr.TYPE_INT, false, Instr.COLLECTION_SINGLE, null, 0);
        }
        b.createObject("Item", new Value.Int(key));
        b.update("Item", new Value.Int(key), "name", new Object[0], Instr.TYPE_STRING, new Value.Str(name(key)),
            false, -1);
        b.update("Item", new Value.Int(key), "n", new Object[0], Instr.TYPE_INT, new Value.Int(key), false, -1);
        return new ChangesetWriter().toBytes(b.changeset());
    }

    private double mirrorThroughput(final PostgresServer pg, final int n) throws Exception
    {
        try (HistoryStore store = HistoryStore.open(new StoreConfig().dataDir(dir.resolve("tp")).shardCount(1)))
        {
            final StoreShard shard = store.shardFor(FILE);
            final ServerFile f = shard.createServerFile(FILE);
            for (int i = 0; i < n; i++)
            {
                final byte[] c = changeset(i, i == 0);
                shard.append(f, 1, 0, 0, c.length, new UnsafeBuffer(c), 0, c.length);
                if (i % 100 == 99)
                {
                    shard.publish();
                }
            }
            shard.publish();
            final long start = System.nanoTime();
            try (PgMirror m = PgMirror.start("bench", new MirrorSettings(pg.url(), "tp", INBOUND), null, null, store,
                new ServerMetrics()))
            {
                while (m.mirroredVersion(FILE) < n)
                {
                    Thread.sleep(1);
                }
                final double seconds = (System.nanoTime() - start) / 1e9;
                System.out.printf("MIRROR-BENCH mirror %.2f s: read+apply %.2f s, write+commit %.2f s%n", seconds,
                    m.busySeconds()[0], m.busySeconds()[1]);
                // CPU time of the mirror's threads (less sensitive to other processes than wall time)
                final java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
                double reader = 0;
                double writer = 0;
                for (final java.lang.management.ThreadInfo t : mx.getThreadInfo(mx.getAllThreadIds()))
                {
                    if (null != t && t.getThreadName().equals("outpost-mirror-bench"))
                    {
                        reader += mx.getThreadCpuTime(t.getThreadId()) / 1e9;
                    }
                    else if (null != t && t.getThreadName().equals("outpost-mirror-bench-writer"))
                    {
                        writer += mx.getThreadCpuTime(t.getThreadId()) / 1e9;
                    }
                }
                System.out.printf("MIRROR-BENCH cpu reader %.2f s, writer %.2f s%n", reader, writer);
                return n / seconds;
            }
        }
    }

    private void lag(final PostgresServer pg, final int rate, final int seconds) throws Exception
    {
        final int total = rate * seconds;
        final long[] published = new long[total + 1];
        final long[] lags = new long[total + 1];
        try (HistoryStore store = HistoryStore.open(new StoreConfig().dataDir(dir.resolve("lag" + rate))
            .shardCount(1)))
        {
            final StoreShard shard = store.shardFor(FILE);
            final ServerFile f = shard.createServerFile(FILE);
            try (PgMirror m = PgMirror.start("bench", new MirrorSettings(pg.url(), "lag" + rate, INBOUND), null, null, store,
                new ServerMetrics()))
            {
                while (!m.connected())
                {
                    Thread.sleep(1);
                }
                final Thread watcher = new Thread(() ->
                {
                    long seen = 0;
                    while (seen < total)
                    {
                        final long v = m.mirroredVersion(FILE);
                        if (v > seen)
                        {
                            final long now = System.nanoTime();
                            for (long x = seen + 1; x <= v; x++)
                            {
                                lags[(int)x] = now - published[(int)x];
                            }
                            seen = v;
                        }
                        LockSupport.parkNanos(200_000);
                    }
                }, "lag-watcher");
                watcher.start();
                final long interval = 1_000_000_000L / rate;
                final long start = System.nanoTime();
                for (int i = 0; i < total; i++)
                {
                    final long due = start + i * interval;
                    while (System.nanoTime() < due)
                    {
                        LockSupport.parkNanos(Math.max(1, (due - System.nanoTime()) / 2));
                    }
                    final byte[] c = changeset(i, i == 0);
                    final long v = shard.append(f, 1, 0, 0, c.length, new UnsafeBuffer(c), 0, c.length);
                    published[(int)v] = System.nanoTime();
                    shard.publish();
                }
                final double offered = total / ((System.nanoTime() - start) / 1e9);
                watcher.join(120_000);
                final long[] sorted = Arrays.copyOfRange(lags, 1, total + 1);
                Arrays.sort(sorted);
                System.out.printf("MIRROR-BENCH lag rate=%d/s (offered %.0f/s) changesets=%d p50=%.1f ms " +
                    "p99=%.1f ms max=%.1f ms%n", rate, offered, total, sorted[total / 2] / 1e6,
                    sorted[(int)(total * 0.99)] / 1e6, sorted[total - 1] / 1e6);
            }
        }
    }
}
