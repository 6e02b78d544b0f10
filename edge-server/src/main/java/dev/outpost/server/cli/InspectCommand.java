package dev.outpost.server.cli;

import dev.outpost.server.inspect.InspectException;
import dev.outpost.server.inspect.StoreInspector;
import dev.outpost.server.store.HistoryStore;
import picocli.CommandLine.Command;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import dev.outpost.server.config.ServerConfig;
import dev.outpost.server.store.StoreOpenException;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * {@code outpost inspect}: read a data directory's history store (read-only, also while a server runs).
 * <pre>
 * outpost inspect D                               server files, heads, history sizes, clients
 * outpost inspect D --file NAME --entry V         one history entry as readable instructions
 * outpost inspect D --file NAME --objects [--class C]   current objects (history replayed)
 * </pre>
 * {@code --data-dir D} works as well as {@code D}. {@code --json} prints one JSON document instead of text. Exit
 * codes: 0 ok, 1 nothing found (no such file, version or class), 2 bad usage or no store. The data directory of a
 * server with several apps holds one store per app ({@code D/apps/<id>/sync}): the listing shows them all,
 * {@code --file} picks the app named in the server file's name, {@code --app} picks one.
 */
@Command(name = "inspect", mixinStandardHelpOptions = true, sortOptions = false,
    versionProvider = OutpostMain.Version.class,
    description = {"Inspect the sync history of a data directory (read-only; safe while a server runs).",
        "Without --file: list server files with their head version, history size and clients.",
        "With several apps (DIR/apps/<id>), every app's store is listed; --file picks the app its name holds."})
public final class InspectCommand implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "DIR",
        description = "The server's data directory (or its 'sync' store directory).")
    Path directory;

    @Option(names = "--data-dir", paramLabel = "DIR",
        description = "The same as DIR (kept for scripts written before DIR could be given as is).")
    Path dataDirOption;

    /** The directory to inspect: DIR or --data-dir. */
    private Path dataDir;

    @Option(names = "--app", paramLabel = "APP",
        description = "With several apps: inspect this app's store (DIR/apps/APP).")
    String app;

    @Option(names = "--file", paramLabel = "NAME",
        description = "Server file name as listed, e.g. 'pbs/APP/\"PARTITION\"' or flx/APP.")
    String file;

    @Option(names = "--entry", paramLabel = "VERSION", description = "Print history entry VERSION of --file.")
    Long entry;

    @Option(names = "--objects", description = "Print the current objects of --file.")
    boolean objects;

    @Option(names = "--class", paramLabel = "CLASS", description = "With --objects: only this class.")
    String className;

    @Option(names = "--json", description = "Print JSON instead of text.")
    boolean json;

    public Integer call()
    {
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        if (null == directory && null == dataDirOption)
        {
            throw new CommandLine.ParameterException(spec.commandLine(),
                "missing the data directory: outpost inspect DIR (or --data-dir DIR)");
        }
        if (null != directory && null != dataDirOption && !directory.equals(dataDirOption))
        {
            throw new CommandLine.ParameterException(spec.commandLine(),
                "two data directories given (" + directory + " and --data-dir " + dataDirOption + "): give one");
        }
        dataDir = null != directory ? directory : dataDirOption;
        if ((null != entry || objects) && null == file)
        {
            err.println("outpost inspect: --entry and --objects need --file");
            return 2;
        }
        if (null != entry && objects)
        {
            err.println("outpost inspect: use either --entry or --objects");
            return 2;
        }
        if (null != className && !objects)
        {
            err.println("outpost inspect: --class needs --objects");
            return 2;
        }
        if (null != file && null == entry && !objects)
        {
            err.println("outpost inspect: with --file, add --entry VERSION or --objects");
            return 2;
        }
        if (!Files.isDirectory(dataDir))
        {
            err.println("outpost inspect: " + dataDir + " is not a directory");
            return 2;
        }
        final List<Path> appDirs = appDirs();
        Path store = dataDir;
        if (null != app)
        {
            store = dataDir.resolve(ServerConfig.APPS_DIR).resolve(app);
            if (!Files.isDirectory(store))
            {
                err.println("outpost inspect: no app '" + app + "' in " + dataDir + " (apps: " + names(appDirs) + ")");
                return 2;
            }
        }
        else if (!hasStore(dataDir) && !appDirs.isEmpty())
        {
            if (null == file)
            {
                return listApps(appDirs, out, err);
            }
            final String[] parts = file.split("/", 3);
            final Path named = parts.length >= 2 ? dataDir.resolve(ServerConfig.APPS_DIR).resolve(parts[1]) : null;
            if (null == named || !appDirs.contains(named))
            {
                err.println("outpost inspect: " + dataDir + " holds the stores of several apps (" + names(appDirs) +
                    ") and '" + file + "' names none of them; add --app APP");
                return 2;
            }
            store = named;
        }
        return inspect(store, out, err);
    }

    private int listApps(final List<Path> appDirs, final PrintWriter out, final PrintWriter err)
    {
        final JsonObject all = new JsonObject();
        final StringBuilder text = new StringBuilder();
        for (final Path dir : appDirs)
        {
            try (StoreInspector inspector = StoreInspector.open(dir))
            {
                final var files = inspector.files();
                all.put(dir.getFileName().toString(), StoreInspector.filesJson(inspector.storeDirectory(), files));
                text.append("app ").append(dir.getFileName()).append(": store ").append(inspector.storeDirectory())
                    .append('\n').append(StoreInspector.filesText(files)).append('\n');
            }
            catch (final StoreOpenException ex)
            {
                err.println("outpost inspect: app " + dir.getFileName() + ": " + ex.getMessage());
                return 2;
            }
        }
        out.print(json ? new JsonObject().put("apps", all).encodePrettily() + "\n" : text.toString());
        out.flush();
        return 0;
    }

    private int inspect(final Path dir, final PrintWriter out, final PrintWriter err)
    {
        try (StoreInspector inspector = StoreInspector.open(dir))
        {
            if (null != entry)
            {
                final StoreInspector.EntryInfo e = inspector.entry(file, entry);
                out.print(json ? StoreInspector.entryJson(e).encodePrettily() + "\n" : StoreInspector.entryText(e));
            }
            else if (objects)
            {
                final StoreInspector.ObjectsInfo o = inspector.objects(file);
                out.print(json ? StoreInspector.objectsJson(o, className).encodePrettily() + "\n" :
                    StoreInspector.objectsText(o, className));
            }
            else
            {
                final var files = inspector.files();
                if (json)
                {
                    StoreInspector.writeFilesJson(inspector.storeDirectory(), files, out);
                    out.print("\n");
                }
                else
                {
                    out.print("store " + inspector.storeDirectory() + "\n");
                    StoreInspector.writeFilesText(files, out);
                }
            }
            out.flush();
            return 0;
        }
        catch (final InspectException ex)
        {
            err.println("outpost inspect: " + ex.getMessage());
            return 1;
        }
        catch (final StoreOpenException ex)
        {
            err.println("outpost inspect: " + ex.getMessage());
            return 2;
        }
    }

    private static boolean hasStore(final Path dir)
    {
        return Files.exists(dir.resolve(HistoryStore.FORMAT_FILE)) ||
            Files.exists(dir.resolve("sync").resolve(HistoryStore.FORMAT_FILE));
    }

    /** @return {@code dataDir/apps/*} that hold a store, sorted. */
    private List<Path> appDirs()
    {
        final Path apps = dataDir.resolve(ServerConfig.APPS_DIR);
        final List<Path> dirs = new ArrayList<>();
        if (Files.isDirectory(apps))
        {
            try (Stream<Path> list = Files.list(apps))
            {
                list.filter(InspectCommand::hasStore).sorted().forEach(dirs::add);
            }
            catch (final IOException ex)
            {
                // unreadable: treated as no apps; opening the store reports the problem
            }
        }
        return dirs;
    }

    private static String names(final List<Path> dirs)
    {
        return dirs.isEmpty() ? "none" : String.join(", ", dirs.stream().map(d -> d.getFileName().toString()).toList());
    }
}
