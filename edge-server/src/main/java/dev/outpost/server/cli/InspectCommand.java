package dev.outpost.server.cli;

import dev.outpost.server.inspect.InspectException;
import dev.outpost.server.inspect.StoreInspector;
import dev.outpost.server.store.StoreException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code outpost inspect}: read a data directory's history store (read-only, also while a server runs).
 * <pre>
 * outpost inspect --data-dir D                               server files, heads, history sizes, clients
 * outpost inspect --data-dir D --file NAME --entry V         one history entry as readable instructions
 * outpost inspect --data-dir D --file NAME --objects [--class C]   current objects (history replayed)
 * </pre>
 * {@code --json} prints one JSON document instead of text. Exit codes: 0 ok, 1 nothing found (no such file,
 * version or class), 2 bad usage or no store.
 */
@Command(name = "inspect", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Inspect the sync history of a data directory (read-only; safe while a server runs).",
        "Without --file: list server files with their head version, history size and clients."})
public final class InspectCommand implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @Option(names = "--data-dir", paramLabel = "DIR", required = true,
        description = "The server's data directory (or its 'sync' store directory).")
    Path dataDir;

    @Option(names = "--file", paramLabel = "NAME", description = "Server file name, e.g. pbs/APP/PARTITION.")
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
        try (StoreInspector inspector = StoreInspector.open(dataDir))
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
                out.print(json ? StoreInspector.filesJson(inspector.storeDirectory(), files).encodePrettily() + "\n" :
                    "store " + inspector.storeDirectory() + "\n" + StoreInspector.filesText(files));
            }
            out.flush();
            return 0;
        }
        catch (final InspectException ex)
        {
            err.println("outpost inspect: " + ex.getMessage());
            return 1;
        }
        catch (final StoreException ex)
        {
            err.println("outpost inspect: " + ex.getMessage());
            return 2;
        }
    }
}
