package dev.outpost.server.cli;

import dev.outpost.server.config.ServerConfig;
import dev.outpost.server.config.SyncSettings;
import dev.outpost.server.transfer.Importer;
import dev.outpost.server.transfer.TransferException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code outpost import}: load {@code mongoexport} files (MongoDB Extended JSON) into an app, through the server's
 * own writer with the data directory locked (the server must be stopped). Exit codes: 0 ok (documents that could not
 * be imported are reported and skipped), 1 the import stopped (the progress file says where), 2 bad usage, the data
 * directory in use, or no such app.
 */
@Command(name = "import", mixinStandardHelpOptions = true, sortOptions = false,
    versionProvider = OutpostMain.Version.class,
    description = {"Import MongoDB Extended JSON (mongoexport output) into an app's synced data.",
        "FLX apps: one class per file. PBS apps: documents go to the partition their partition key field names.",
        "Documents are upserts by _id; progress is kept, so a rerun resumes (or does nothing when done).",
        "The server must not run: the import takes the data directory's lock and writes with the server's writer."})
public final class ImportCommand implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "The server's data directory.")
    Path dataDir;

    @Option(names = "--app-id", paramLabel = "APP", description = "The app to import into.")
    String appId;

    @Option(names = "--app-config", paramLabel = "DIR",
        description = "The app's App Services export: sync mode, partition key and schema.json types.")
    Path appConfig;

    @Option(names = "--config", paramLabel = "FILE", description = "The server's config file (several apps).")
    Path configFile;

    @Option(names = "--collection", paramLabel = "CLASS",
        description = "Class of every file's documents (default: each file's name without extension).")
    String collection;

    @Option(names = "--jsonArray", description = "Each file is one JSON array (mongoexport --jsonArray).")
    boolean jsonArray;

    @Option(names = "--partition-key", paramLabel = "FIELD",
        description = "Import as a PBS app partitioned by FIELD (default: the app's sync settings; else FLX).")
    String partitionKey;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "10000",
        description = "Documents per changeset (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "0",
        description = "Stop after N documents per file in this run (a rerun continues); 0: all.")
    long limit;

    @Option(names = "--restart", description = "Ignore the progress files and import every document again.")
    boolean restart;

    @Parameters(paramLabel = "FILE", arity = "1..*", description = "mongoexport files, one collection each.")
    List<Path> files;

    public Integer call()
    {
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        if (batch < 1)
        {
            err.println("outpost import: --batch must be at least 1");
            return 2;
        }
        for (final Path f : files)
        {
            if (!Files.isRegularFile(f))
            {
                err.println("outpost import: " + f + " is not a file");
                return 2;
            }
        }
        final ServerConfig app;
        try
        {
            app = TransferApp.resolve(configFile, dataDir, appId, appConfig);
        }
        catch (final TransferException ex)
        {
            err.println("outpost import: " + ex.getMessage());
            return 2;
        }
        final SyncSettings sync = app.syncSettings();
        String key = partitionKey;
        if (null == key && null != sync && sync.mode() == SyncSettings.Mode.PARTITION)
        {
            key = null != sync.partitionKey() ? sync.partitionKey() : "_partition";
        }
        if (null != key && null != sync && sync.mode() == SyncSettings.Mode.FLEXIBLE)
        {
            err.println("outpost import: --partition-key given, but app " + app.appId() + " uses flexible sync");
            return 2;
        }
        final Importer importer;
        try
        {
            importer = Importer.open(app, key, out, err);
        }
        catch (final TransferException ex)
        {
            err.println("outpost import: " + ex.getMessage());
            return 2;
        }
        out.println("importing into app " + app.appId() + " (" + (null == key ? "flexible sync" :
            "partition-based sync, partition key " + key) + "), data directory " + app.dataDir());
        try (importer)
        {
            for (final Path f : files)
            {
                importer.importFile(f, new Importer.Options(collection, jsonArray, batch, limit, restart));
            }
            final String written = importer.schemaSummary();
            if (!written.isEmpty())
            {
                out.print("schema written (inferred types are marked; give --app-config to use schema.json's):\n" +
                    written);
            }
            out.flush();
            return 0;
        }
        catch (final TransferException ex)
        {
            err.println("outpost import: " + ex.getMessage());
            return 1;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            err.println("outpost import: interrupted; run again to resume");
            return 1;
        }
    }
}
