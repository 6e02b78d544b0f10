package dev.outpost.server.mirror;

import dev.outpost.codec.changeset.Instr;
import dev.outpost.ot.model.ChangesetWriter;
import dev.outpost.ot.state.ChangesetBuilder;
import dev.outpost.ot.state.Value;
import dev.outpost.server.config.MirrorSettings;
import dev.outpost.server.metrics.ServerMetrics;
import dev.outpost.server.store.HistoryStore;
import dev.outpost.server.store.StoreConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A JVM running the mirror is killed with SIGKILL while the mirror is half way through the history (some batches
 * committed, one usually open in PostgreSQL); a new mirror over the same store resumes from the committed position.
 * Every changeset creates one object and adds 1 to a counter object: a changeset mirrored twice or skipped would
 * show in the counter or in the row count.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class MirrorCrashIT
{
    static final String FILE = "flx/app";
    private static final int COUNT = 30_000;

    @TempDir
    Path dir;

    /** Changeset {@code k} (1-based): class schema (k = 1), object k, counter += 1. */
    static byte[] changeset(final long k)
    {
        final ChangesetBuilder b = new ChangesetBuilder();
        if (k == 1)
        {
            b.addTable("Item", Instr.TABLE_TOP_LEVEL, "_id", Instr.TYPE_INT, false);
            b.addColumn("Item", "n", Instr.TYPE_INT, false, Instr.COLLECTION_SINGLE, null, 0);
            b.createObject("Item", new Value.Int(0));
        }
        b.createObject("Item", new Value.Int(k));
        b.update("Item", new Value.Int(k), "n", new Object[0], Instr.TYPE_INT, new Value.Int(k), false, -1);
        b.addInteger("Item", new Value.Int(0), "n", new Object[0], 1);
        return new ChangesetWriter().toBytes(b.changeset());
    }

    @Test
    void shouldResumeWithoutGapOrDuplicateAfterKillMinusNineMidMirror() throws Exception
    {
        try (PostgresServer pg = PostgresServer.start())
        {
            final Path data = dir.resolve("sync");
            final List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            for (final String arg : ManagementFactory.getRuntimeMXBean().getInputArguments())
            {
                if (!arg.startsWith("-agentlib") && !arg.startsWith("-javaagent"))
                {
                    command.add(arg);
                }
            }
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), MirrorCrashChild.class.getName(),
                data.toString(), String.valueOf(COUNT), pg.url(), "crash"));
            final Process child = new ProcessBuilder(command).redirectError(dir.resolve("child.err").toFile()).start();
            try
            {
                final BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.UTF_8));
                assertThat(out.readLine()).isEqualTo("READY");
                // wait until some batches are committed, then kill while the rest is being written
                long position = 0;
                while (position == 0)
                {
                    position = position(pg);
                    Thread.sleep(1);
                }
                child.destroyForcibly();
                assertThat(child.waitFor(20, TimeUnit.SECONDS)).isTrue();
                assertThat(position).as("killed mid-mirror").isLessThan(COUNT);
            }
            finally
            {
                child.destroyForcibly();
            }
            final long atKill = position(pg);
            System.out.println("mirror position at the kill: " + atKill + " of " + COUNT);

            try (HistoryStore store = HistoryStore.open(new StoreConfig().dataDir(data).shardCount(1));
                PgMirror m = PgMirror.start("app", new MirrorSettings(pg.url(), "crash"), null, null, store,
                    new ServerMetrics()))
            {
                while (m.mirroredVersion(FILE) < COUNT)
                {
                    Thread.sleep(10);
                }
            }
            try (Connection c = pg.connect(); Statement st = c.createStatement())
            {
                try (ResultSet rs = st.executeQuery("SELECT count(*), count(DISTINCT _id), sum(n) FILTER (WHERE " +
                    "_id > 0), max(n) FILTER (WHERE _id = 0) FROM crash.\"Item\""))
                {
                    rs.next();
                    assertThat(rs.getLong(1)).isEqualTo(COUNT + 1);
                    assertThat(rs.getLong(2)).isEqualTo(COUNT + 1);
                    assertThat(rs.getLong(3)).isEqualTo((long)COUNT * (COUNT + 1) / 2);
                    assertThat(rs.getLong(4)).as("the counter: every changeset applied exactly once").isEqualTo(COUNT);
                }
                try (ResultSet rs = st.executeQuery("SELECT count(*) FROM crash._outpost_mirror_errors"))
                {
                    rs.next();
                    assertThat(rs.getLong(1)).isZero();
                }
            }
            assertThat(position(pg)).isEqualTo(COUNT);
        }
    }

    private static long position(final PostgresServer pg) throws Exception
    {
        try (Connection c = pg.connect(); Statement st = c.createStatement())
        {
            try (ResultSet rs = st.executeQuery("SELECT version FROM crash._outpost_mirror_position"))
            {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
        catch (final java.sql.SQLException ex)
        {
            return 0; // not created yet
        }
    }
}
