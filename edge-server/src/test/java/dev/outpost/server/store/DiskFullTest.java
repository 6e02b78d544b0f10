package dev.outpost.server.store;

import static dev.outpost.server.store.StoreTestSupport.config;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full disk at the store boundary: data records are refused with {@link StoreFull} before anything of them is
 * written, the refused command is aborted, what was committed stays, the shard does not fail, and writing resumes by
 * itself when space returns. Once with an injected {@link SpaceProbe} (always), once on a real small tmpfs (when the
 * machine lets the test mount one).
 */
class DiskFullTest
{
    private static final long MIN_FREE = 1L << 20;

    @TempDir
    Path dir;

    @Test
    void shouldRefuseWritesWhenTheProbeSaysFullAndResumeWhenSpaceReturns() throws Exception
    {
        final AtomicLong usable = new AtomicLong(100L << 20);
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[1000]);
        try (HistoryStore store = HistoryStore.open(config(dir).shardCount(1).minFreeBytes(MIN_FREE)
            .spaceProbe(usable::get)))
        {
            final StoreShard shard = store.shard(0);
            final ServerFile f = shard.createServerFile("/full");
            shard.beginCommand();
            final ClientFileRecord c = shard.allocateClientFile(f, 0, 1);
            shard.append(f, c.ident(), 1, 0, 1000, payload, 0, 1000);
            shard.endCommand();
            assertThat(shard.publish()).isTrue();

            // the disk is nearly full: a record is refused before anything of it is written (the store asks the
            // filesystem again at least every half reserve written, so within a few records here)
            usable.set(MIN_FREE + 100);
            shard.beginCommand();
            StoreFull full = null;
            int appended = 0;
            for (int i = 0; i < 1000 && full == null; i++)
            {
                try
                {
                    shard.append(f, c.ident(), 2 + i, 0, 1000, payload, 0, 1000);
                    appended++;
                }
                catch (final StoreFull ex)
                {
                    full = ex;
                }
            }
            assertThat(full).isNotNull().hasMessageContaining("min-free-space");
            assertThat(appended).as("asked again within half the reserve").isLessThan(600);
            assertThat(f.lastAppended()).isEqualTo(1 + appended);
            assertThat(shard.abortCommand()).as("ABORT (if the command wrote) comes out of the reserve")
                .isEqualTo(appended > 0);
            assertThat(shard.publish()).isTrue();
            assertThat(shard.failure()).as("not fail-stop").isNull();
            assertThat(f.head()).isEqualTo(1);
            assertThat(c.clientVersion()).isEqualTo(1);
            assertThat(store.spaceLow()).isTrue();

            // refused again while full, also a new server file and a new client
            usable.set(MIN_FREE);
            shard.beginCommand();
            assertThatThrownBy(() -> shard.allocateClientFile(f, 0, 2)).isInstanceOf(StoreFull.class);
            assertThat(shard.abortCommand()).isFalse();
            assertThatThrownBy(() -> shard.createServerFile("/other")).isInstanceOf(StoreFull.class);
            assertThat(shard.publish()).isTrue();
            assertThat(store.spaceRefusals()).isEqualTo(3);

            // space returns: readiness sees it at once, the next write succeeds by itself
            usable.set(100L << 20);
            assertThat(store.spaceLow()).isFalse();
            shard.beginCommand();
            assertThat(shard.append(f, c.ident(), 2, 0, 1000, payload, 0, 1000)).isEqualTo(2);
            shard.endCommand();
            assertThat(shard.publish()).isTrue();
            assertThat(shard.spaceLow()).isFalse();
            assertThat(f.head()).isEqualTo(2);
        }
        try (HistoryStore store = HistoryStore.open(config(dir)))
        {
            final ServerFile f = store.serverFile("/full");
            assertThat(f.head()).isEqualTo(2);
            assertThat(store.contains("/other")).isFalse();
            assertThat(store.shard(0).skippedRecords()).isZero();
            assertThat(store.shard(0).droppedUnits()).isZero();
            final EntryView view = new EntryView();
            assertThat(store.newReader().read(f, 2, view)).isTrue();
            assertThat(view.clientVersion()).isEqualTo(2);
        }
    }

    @Test
    void shouldRefuseWritesWhenTheProbeFails() throws Exception
    {
        try (HistoryStore store = HistoryStore.open(config(dir).shardCount(1).minFreeBytes(MIN_FREE)
            .spaceProbe(() ->
            {
                throw new IOException("injected: statvfs failed");
            })))
        {
            final StoreShard shard = store.shard(0);
            assertThatThrownBy(() -> shard.createServerFile("/x")).isInstanceOf(StoreFull.class)
                .hasMessageContaining("cannot read the free space");
            assertThat(shard.failure()).isNull();
            assertThat(store.spaceLow()).isTrue();
        }
    }

    /**
     * A real 6 MiB tmpfs filled through the store. Without the check (the old code, or {@code minFreeBytes(0)}) the
     * mapped queue runs into the full filesystem: the JVM gets a SIGBUS, Chronicle throws
     * {@code InternalError}, and the shard fails for good (or a record is left half written).
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldStopCleanlyOnARealFullFilesystemAndResumeWhenItGrows() throws Exception
    {
        final Path mnt = dir.resolve("mnt");
        Files.createDirectories(mnt);
        Assumptions.assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", mnt.toString()) == 0,
            "cannot mount a tmpfs here (not root?)");
        try
        {
            final Path data = mnt.resolve("data");
            final UnsafeBuffer payload = new UnsafeBuffer(new byte[1000]);
            long head = 0;
            try (HistoryStore store = HistoryStore.open(new StoreConfig().dataDir(data).shardCount(1)
                .blockSize(1L << 20).timeoutMs(500).minFreeBytes(MIN_FREE)))
            {
                final StoreShard shard = store.shard(0);
                final ServerFile f = shard.createServerFile("/fill");
                StoreFull full = null;
                for (int i = 0; i < 100_000 && full == null; i++)
                {
                    shard.beginCommand();
                    try
                    {
                        shard.append(f, 1, i + 1, 0, 1000, payload, 0, 1000);
                        shard.endCommand();
                    }
                    catch (final StoreFull ex)
                    {
                        full = ex;
                        shard.abortCommand();
                    }
                    assertThat(shard.publish()).as("publish %d: %s", i, shard.failure()).isTrue();
                }
                assertThat(full).as("the filesystem filled up").isNotNull();
                assertThat(shard.failure()).isNull();
                head = f.head();
                assertThat(head).isGreaterThan(1000);
                assertThat(store.spaceLow()).isTrue();

                assertThat(run("mount", "-o", "remount,size=12m", mnt.toString())).isZero();
                assertThat(store.spaceLow()).isFalse();
                shard.beginCommand();
                assertThat(shard.append(f, 1, head + 1, 0, 1000, payload, 0, 1000)).isEqualTo(head + 1);
                shard.endCommand();
                assertThat(shard.publish()).isTrue();
            }
            try (HistoryStore store = HistoryStore.open(new StoreConfig().dataDir(data).blockSize(1L << 20)
                .timeoutMs(500).minFreeBytes(MIN_FREE)))
            {
                assertThat(store.serverFile("/fill").head()).isEqualTo(head + 1);
                assertThat(store.shard(0).skippedRecords()).isZero();
                assertThat(store.shard(0).droppedUnits()).isZero();
            }
        }
        finally
        {
            if (run("umount", mnt.toString()) != 0)
            {
                run("umount", "-l", mnt.toString()); // still mapped by a store the test could not close
            }
        }
    }

    private static int run(final String... command) throws IOException, InterruptedException
    {
        final Process p = new ProcessBuilder(command).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(30, TimeUnit.SECONDS))
        {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }
}
