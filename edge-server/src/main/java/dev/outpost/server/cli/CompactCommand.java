package dev.outpost.server.cli;

import dev.outpost.server.config.ConfigException;
import dev.outpost.server.config.ServerConfig;
import dev.outpost.server.store.HistoryStore;
import dev.outpost.server.store.StoreCompaction;
import dev.outpost.server.store.StoreOpenException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * {@code outpost compact}: history compaction of every history store of a data directory while no server runs on it
 * ({@link StoreCompaction}). Exit codes: 0 ok, 1 a store failed (it is left as it was, or compacted: never half),
 * 2 bad usage (no data directory, a server is running on it, a bad duration).
 */
@Command(name = "compact", mixinStandardHelpOptions = true, sortOptions = false,
    versionProvider = OutpostMain.Version.class,
    description = {"Compact the sync history of a data directory (the server must be stopped).",
        "Versions older than --client-max-offline and below every live client's base lose the instructions",
        "overwritten later; client files that expired before them must reset (client_file_expired)."})
public final class CompactCommand implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @Option(names = "--data-dir", paramLabel = "DIR", required = true, description = "The server's data directory.")
    Path dataDir;

    @Option(names = "--client-max-offline", paramLabel = "DURATION", defaultValue = "30d",
        description = "The app's client-max-offline (default ${DEFAULT-VALUE}; 0: clients never expire, so only " +
            "what every client file has passed is compacted).")
    String clientMaxOffline;

    public Integer call()
    {
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        final Duration maxOffline;
        try
        {
            maxOffline = ServerConfig.parseDuration("--client-max-offline", clientMaxOffline);
        }
        catch (final ConfigException ex)
        {
            err.println("outpost compact: " + ex.getMessage());
            err.flush();
            return 2;
        }
        if (!Files.isDirectory(dataDir))
        {
            err.println("outpost compact: " + dataDir + " is not a directory");
            err.flush();
            return 2;
        }
        final Optional<Long> running = runningServer(dataDir);
        if (running.isPresent())
        {
            err.println("outpost compact: a server (pid " + running.get() + ") runs on " + dataDir +
                "; stop it first");
            err.flush();
            return 2;
        }
        final List<Path> stores = new ArrayList<>();
        try (Stream<Path> all = Files.walk(dataDir, 4))
        {
            all.filter(p -> p.getFileName().toString().equals(HistoryStore.FORMAT_FILE))
                .forEach(p -> stores.add(p.getParent()));
        }
        catch (final IOException ex)
        {
            err.println("outpost compact: cannot list " + dataDir + ": " + ex.getMessage());
            err.flush();
            return 1;
        }
        if (stores.isEmpty())
        {
            err.println("outpost compact: no history store in " + dataDir);
            err.flush();
            return 2;
        }
        int failed = 0;
        for (final Path store : stores)
        {
            try
            {
                final StoreCompaction.Result r = StoreCompaction.compact(store,
                    new StoreCompaction.Policy(System.currentTimeMillis(), maxOffline.toMillis()));
                out.println("compacted " + store + ": " + r);
            }
            catch (final StoreOpenException | IOException | RuntimeException ex)
            {
                err.println("outpost compact: " + store + ": " + ex.getMessage());
                failed++;
            }
        }
        out.flush();
        err.flush();
        return failed == 0 ? 0 : 1;
    }

    /** @return the pid of a live server on the data directory (its {@code outpost.pid}), if any. */
    static Optional<Long> runningServer(final Path dataDir)
    {
        final Path file = dataDir.resolve(RulesReloadSignal.PID_FILE);
        try
        {
            final long pid = Long.parseLong(Files.readString(file).trim());
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).map(ProcessHandle::pid);
        }
        catch (final IOException | NumberFormatException ex)
        {
            return Optional.empty();
        }
    }
}
