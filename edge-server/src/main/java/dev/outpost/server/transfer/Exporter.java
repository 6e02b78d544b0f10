package dev.outpost.server.transfer;

import dev.outpost.server.inspect.ExtendedJson;
import dev.outpost.ot.state.ObjectData;
import dev.outpost.ot.state.ObjectState;
import dev.outpost.ot.state.TableData;
import dev.outpost.ot.state.Value;
import dev.outpost.server.inspect.InspectException;
import dev.outpost.server.inspect.StoreInspector;
import dev.outpost.server.store.StoreOpenException;
import dev.outpost.server.sync.SyncService;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code outpost export}: the current objects of an app's server files as MongoDB Extended JSON, one file per class
 * ({@code <out>/<class>.json}, one document a line, as {@code mongoimport} reads it); PBS documents carry their
 * partition key field. The store is opened read-only ({@link StoreInspector}), so this works beside a running
 * server (objects written after the open are not seen). Single-threaded.
 */
public final class Exporter
{
    /** Totals of one export. */
    public record Summary(Map<String, Long> documentsPerClass, int serverFiles)
    {
    }

    private Exporter()
    {
    }

    /**
     * @param appDataDir   the app's data directory.
     * @param appId        the app.
     * @param partitionKey the partition key field added to PBS documents that lack it ({@code _partition} if null).
     * @param outDir       where the files go (created).
     * @param relaxed      relaxed Extended JSON instead of canonical.
     */
    public static Summary export(final Path appDataDir, final String appId, final String partitionKey,
        final Path outDir, final boolean relaxed, final PrintWriter err) throws TransferException
    {
        final String key = null == partitionKey ? "_partition" : partitionKey;
        final Map<String, BufferedWriter> writers = new LinkedHashMap<>();
        final Map<String, Long> counts = new TreeMap<>();
        int serverFiles = 0;
        try (StoreInspector inspector = StoreInspector.open(appDataDir))
        {
            Files.createDirectories(outDir);
            final String flx = SyncService.flxFileName(appId);
            final String pbsPrefix = SyncService.pbsFileName(appId, "");
            for (final StoreInspector.FileInfo f : inspector.files())
            {
                final boolean pbs = f.name().startsWith(pbsPrefix);
                if (!pbs && !f.name().equals(flx))
                {
                    continue;
                }
                serverFiles++;
                final StoreInspector.ObjectsInfo objects = inspector.objects(f.name());
                for (final String p : objects.problems())
                {
                    err.println("outpost export: " + f.name() + ": " + p);
                }
                final Value partition = pbs ? partition(f.name().substring(pbsPrefix.length())) : null;
                write(objects.state(), partition, key, outDir, relaxed, writers, counts);
            }
        }
        catch (final StoreOpenException | InspectException ex)
        {
            throw new TransferException(ex.getMessage());
        }
        catch (final IOException ex)
        {
            throw new TransferException("cannot write to " + outDir + ": " + ex.getMessage());
        }
        finally
        {
            for (final BufferedWriter w : writers.values())
            {
                try
                {
                    w.close();
                }
                catch (final IOException ex)
                {
                    err.println("outpost export: " + ex.getMessage());
                }
            }
        }
        return new Summary(counts, serverFiles);
    }

    private static void write(final ObjectState state, final Value partition, final String key, final Path outDir,
        final boolean relaxed, final Map<String, BufferedWriter> writers, final Map<String, Long> counts)
        throws IOException
    {
        final StringBuilder sb = new StringBuilder(256);
        for (final TableData t : state.tables().values())
        {
            if (t.isEmbedded())
            {
                continue;
            }
            BufferedWriter w = writers.get(t.name());
            if (null == w)
            {
                w = Files.newBufferedWriter(outDir.resolve(t.name() + ".json"), StandardCharsets.UTF_8);
                writers.put(t.name(), w);
            }
            long n = counts.getOrDefault(t.name(), 0L);
            for (final ObjectData o : t.objects().values())
            {
                ObjectData doc = o;
                if (null != partition && !o.fields().containsKey(key))
                {
                    doc = o.copy();
                    doc.fields().put(key, partition);
                }
                sb.setLength(0);
                ExtendedJson.write(doc, relaxed, sb);
                w.append(sb).append('\n');
                n++;
            }
            counts.put(t.name(), n);
        }
    }

    /** @return the partition value a PBS server file is named by (its Extended JSON), or a string if unparsable. */
    static Value partition(final String name)
    {
        try
        {
            final Object parsed = Json.decodeValue(name);
            if (parsed instanceof JsonObject o && o.containsKey("$uuid"))
            {
                return ExtendedJson.value("", "partition", o, false);
            }
            return ExtendedJson.value("", "partition", parsed, false);
        }
        catch (final RuntimeException | ExtendedJson.Unsupported ex)
        {
            return new Value.Str(name);
        }
    }
}
