package dev.outpost.server.store;

import static dev.outpost.server.store.StoreTestSupport.appendPayload;
import static dev.outpost.server.store.StoreTestSupport.bytes;
import static dev.outpost.server.store.StoreTestSupport.config;
import static dev.outpost.server.store.StoreTestSupport.payload;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Kills a writing child JVM with SIGKILL and checks that everything it acknowledged survived. */
class CrashRecoveryTest
{
    @TempDir
    Path dir;

    @Test
    @Timeout(60)
    void shouldKeepEveryAcknowledgedVersionAfterKillDashNine() throws Exception
    {
        final Path data = dir.resolve("data");
        final Acks acks = runChildAndKill(data, null, 1_500);
        assertThat(acks.maxVersion.values().stream().mapToLong(Long::longValue).sum()).isGreaterThan(1_500);
        verify(config(data), acks);
    }

    @Test
    @Timeout(60)
    void shouldKeepEveryAcknowledgedBatchAndNoAbortedCommandAfterKillDashNine() throws Exception
    {
        final Path data = dir.resolve("data");
        final Acks acks = runChildAndKill(data, "commands", 1_500);
        verify(config(data), acks);
        try (HistoryStore store = HistoryStore.open(config(data)))
        {
            long aborted = 0;
            for (int s = 0; s < store.shardCount(); s++)
            {
                aborted += store.shard(s).abortedCommands();
            }
            assertThat(aborted).as("aborted commands seen at replay").isGreaterThan(100);
        }
    }

    @Test
    @Timeout(60)
    void shouldRecoverFromARecordTornByACrash() throws Exception
    {
        recoverFromTornRecord(false);
    }

    @Test
    @Timeout(60)
    void shouldRecoverFromARecordTornByACrashWhenTheQueueRollsBeforeRestart() throws Exception
    {
        // the torn record stays at the end of an older cycle file; later records go to a newer one
        recoverFromTornRecord(true);
    }

    private void recoverFromTornRecord(final boolean secondly) throws Exception
    {
        final Path data = dir.resolve("data");
        final Acks acks = runChildAndKill(data, secondly ? "torn-secondly" : "torn", -1);
        assertThat(acks.torn).isTrue();
        final StoreConfig config = CrashChild.config(data, secondly);
        if (secondly)
        {
            Thread.sleep(1_100);
        }
        verify(config, acks);
        if (secondly)
        {
            Thread.sleep(1_100);
        }
        // the queue takes new records after the torn one, and they survive a further restart
        final Map<String, Long> heads = new HashMap<>();
        try (HistoryStore store = HistoryStore.open(config))
        {
            for (int i = 0; i < CrashChild.FILES; i++)
            {
                final ServerFile f = store.serverFile("/k" + i);
                final StoreShard shard = store.shardFor(f.name());
                appendPayload(shard, f, CrashChild.MAX_PAYLOAD);
                shard.publish();
                heads.put(f.name(), f.head());
            }
        }
        try (HistoryStore store = HistoryStore.open(config); HistoryReader reader = store.newReader())
        {
            final EntryView view = new EntryView();
            for (final Map.Entry<String, Long> e : heads.entrySet())
            {
                final ServerFile f = store.serverFile(e.getKey());
                assertThat(f.head()).isEqualTo(e.getValue());
                for (long v = 1; v <= f.head(); v++)
                {
                    assertThat(reader.read(f, v, view)).isTrue();
                    assertThat(bytes(view)).isEqualTo(payload(f.name(), v, CrashChild.MAX_PAYLOAD));
                }
            }
        }
    }

    private static void verify(final StoreConfig config, final Acks acks) throws StoreOpenException
    {
        try (HistoryStore store = HistoryStore.open(config); HistoryReader reader = store.newReader())
        {
            final EntryView view = new EntryView();
            for (final Map.Entry<String, Long> e : acks.fileSalt.entrySet())
            {
                final ServerFile f = store.serverFile(e.getKey());
                assertThat(f).as(e.getKey()).isNotNull();
                assertThat(f.salt()).isEqualTo(e.getValue());
                final long acked = acks.maxVersion.getOrDefault(f.name(), 0L);
                assertThat(f.head()).as("head of " + f.name()).isGreaterThanOrEqualTo(acked);
                for (long v = 1; v <= f.head(); v++)
                {
                    assertThat(reader.read(f, v, view)).isTrue();
                    assertThat(bytes(view)).as(f.name() + "@" + v)
                        .isEqualTo(payload(f.name(), v, CrashChild.MAX_PAYLOAD));
                }
            }
            for (final String[] ident : acks.idents)
            {
                final ServerFile f = store.serverFile(ident[0]);
                final ClientFileRecord c = store.shardFor(ident[0]).clientFile(f, Long.parseLong(ident[1]));
                assertThat(c).as("ident " + ident[1] + " of " + ident[0]).isNotNull();
                assertThat(c.salt()).isEqualTo(Long.parseLong(ident[2]));
            }
        }
    }

    private Acks runChildAndKill(final Path data, final String mode, final int acksBeforeKill) throws Exception
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (final String arg : ManagementFactory.getRuntimeMXBean().getInputArguments())
        {
            if (!arg.startsWith("-agentlib") && !arg.startsWith("-javaagent"))
            {
                command.add(arg);
            }
        }
        command.add("-ea");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(CrashChild.class.getName());
        command.add(data.toString());
        final boolean torn = mode != null;
        if (torn)
        {
            command.add(mode);
        }
        final File stderr = dir.resolve("child.err").toFile();
        final Process child = new ProcessBuilder(command).redirectError(stderr).start();
        final List<String> lines = new CopyOnWriteArrayList<>();
        final Thread pump = new Thread(() -> pump(child, lines), "child-stdout");
        pump.start();
        try
        {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
            while (System.nanoTime() < deadline && child.isAlive())
            {
                if (torn ? lines.contains("TORN") : countAcks(lines) >= acksBeforeKill)
                {
                    break;
                }
                Thread.sleep(5);
            }
            assertThat(child.isAlive()).as("child died early: " + Files.readString(stderr.toPath())).isTrue();
        }
        finally
        {
            child.destroyForcibly(); // SIGKILL
            child.waitFor(20, TimeUnit.SECONDS);
            pump.join(10_000);
        }
        final Acks acks = new Acks();
        for (final String line : lines)
        {
            final String[] p = line.split(" ");
            switch (p[0])
            {
                case "FILE" -> acks.fileSalt.put(p[1], Long.parseLong(p[2]));
                case "IDENT" -> acks.idents.add(new String[] {p[1], p[2], p[3]});
                case "ACK" -> acks.maxVersion.merge(p[1], Long.parseLong(p[2]), Math::max);
                case "TORN" -> acks.torn = true;
                default -> throw new AssertionError("unexpected child output: " + line);
            }
        }
        assertThat(acks.fileSalt).hasSize(CrashChild.FILES);
        return acks;
    }

    private static int countAcks(final List<String> lines)
    {
        return lines.size();
    }

    private static void pump(final Process child, final List<String> lines)
    {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(),
            StandardCharsets.UTF_8)))
        {
            String line;
            while ((line = r.readLine()) != null)
            {
                lines.add(line);
            }
        }
        catch (final IOException ignored)
        {
            // the child was killed: what was read is what it acknowledged
        }
    }

    private static final class Acks
    {
        final Map<String, Long> fileSalt = new HashMap<>();
        final Map<String, Long> maxVersion = new HashMap<>();
        final List<String[]> idents = new ArrayList<>();
        boolean torn;
    }
}
