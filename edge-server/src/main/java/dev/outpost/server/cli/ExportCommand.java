package dev.outpost.server.cli;

import dev.outpost.server.config.ServerConfig;
import dev.outpost.server.config.SyncSettings;
import dev.outpost.server.transfer.Exporter;
import dev.outpost.server.transfer.TransferException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code outpost export}: an app's objects as MongoDB Extended JSON files, one per class, for {@code mongoimport}.
 * Read-only: safe while the server runs. Exit codes: 0 ok, 1 the export failed, 2 bad usage or no store.
 */
@Command(name = "export", mixinStandardHelpOptions = true, sortOptions = false,
    versionProvider = OutpostMain.Version.class,
    description = {"Export an app's synced objects as MongoDB Extended JSON (mongoimport input), one file per class.",
        "Read-only: safe while a server runs (objects written after it starts are not included)."})
public final class ExportCommand implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "The server's data directory.")
    Path dataDir;

    @Option(names = "--app-id", paramLabel = "APP", description = "The app to export.")
    String appId;

    @Option(names = "--app-config", paramLabel = "DIR", description = "The app's App Services export.")
    Path appConfig;

    @Option(names = "--config", paramLabel = "FILE", description = "The server's config file (several apps).")
    Path configFile;

    @Option(names = "--out", paramLabel = "DIR", required = true, description = "Directory for <class>.json files.")
    Path out;

    @Option(names = "--relaxed", description = "Relaxed Extended JSON (plain numbers, ISO dates); default canonical.")
    boolean relaxed;

    @Option(names = "--partition-key", paramLabel = "FIELD",
        description = "PBS: field that carries each document's partition (default: the app's, else _partition).")
    String partitionKey;

    public Integer call()
    {
        final PrintWriter stdout = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        try
        {
            final ServerConfig app = TransferApp.resolve(configFile, dataDir, appId, appConfig);
            final SyncSettings sync = app.syncSettings();
            final String key = null != partitionKey ? partitionKey :
                null != sync && null != sync.partitionKey() ? sync.partitionKey() : null;
            final Exporter.Summary s = Exporter.export(app.dataDir(), app.appId(), key, out, relaxed, err);
            for (final Map.Entry<String, Long> e : s.documentsPerClass().entrySet())
            {
                stdout.println(out.resolve(e.getKey() + ".json") + ": " + e.getValue() + " documents");
            }
            stdout.println("exported " + s.serverFiles() + " server files of app " + app.appId());
            stdout.flush();
            return 0;
        }
        catch (final TransferException ex)
        {
            err.println("outpost export: " + ex.getMessage());
            return 2;
        }
    }
}
