package dev.outpost.server.transfer;

import dev.outpost.server.inspect.ExtendedJson;
import dev.outpost.codec.changeset.Instr;
import dev.outpost.ot.model.ChangesetWriter;
import dev.outpost.ot.state.ChangesetBuilder;
import dev.outpost.ot.state.ColumnSpec;
import dev.outpost.ot.state.ObjectData;
import dev.outpost.ot.state.Value;
import dev.outpost.server.auth.AuthStore;
import dev.outpost.server.config.ServerConfig;
import dev.outpost.server.config.SyncSettings;
import dev.outpost.server.store.StoreOpenException;
import dev.outpost.server.sync.SyncService;
import dev.outpost.server.sync.writer.ServerChangesetCommand;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;

/**
 * {@code outpost import}: MongoDB Extended JSON documents into an app's server files, written by the server's own
 * sync engine ({@link SyncService#writeServerChangeset}: the same writer, checks and history as a running server's),
 * with the app's data directory locked as a server locks it, so the two never write at once.
 * <p>
 * FLX apps: one class per input file in the app's FLX server file. PBS apps: each document goes to the partition
 * named by its partition key field. Documents are upserts keyed by {@code _id} (lists are replaced), many per
 * changeset; after each changeset is durable the progress file ({@code <data dir>/import/<file>.progress}) records
 * the line reached, so an interrupted import resumes there and a finished one is not repeated. Single-threaded.
 */
public final class Importer implements AutoCloseable
{
    /** Directory under the app's data directory holding the progress files. */
    public static final String PROGRESS_DIR = "import";

    /**
     * What to import.
     *
     * @param collection class name for every file, or null: each file's name without extension.
     * @param jsonArray  each file is one JSON array of documents (mongoexport --jsonArray), not one a line.
     * @param batch      documents per changeset.
     * @param limit      stop after this many documents in this run (0: no limit); the rest is imported by a rerun.
     * @param restart    ignore the progress files: import everything again.
     */
    public record Options(String collection, boolean jsonArray, int batch, long limit, boolean restart)
    {
    }

    /** Totals of one run. */
    public record Summary(long documents, long skipped, long changesets, long resumedAt, String schema)
    {
    }

    private final ServerConfig config;
    private final SyncSettings settings;
    private final String partitionKey;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final SyncService sync;
    private final ImportSchema schema;
    private final PrintWriter out;
    private final PrintWriter err;
    private final Map<String, ChangesetBuilder> pending = new LinkedHashMap<>();
    private int pendingDocuments;
    private final ChangesetWriter writer = new ChangesetWriter();
    /** Changesets handed to the writer and not yet awaited, and where the input stood when they were. */
    private final List<Map.Entry<String, java.util.concurrent.CompletableFuture<Long>>> inFlight = new ArrayList<>();
    private long inFlightLine;
    private long inFlightDocuments;
    private long inFlightSkipped;
    private long changesets;

    private Importer(final ServerConfig config, final String partitionKey, final FileChannel lockChannel,
        final FileLock lock, final SyncService sync, final PrintWriter out, final PrintWriter err)
    {
        this.config = config;
        this.settings = config.syncSettings();
        this.partitionKey = partitionKey;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.sync = sync;
        this.schema = new ImportSchema(settings);
        this.out = out;
        this.err = err;
    }

    /**
     * Lock the app's data directory and open its sync store for writing.
     *
     * @param appConfig    the app's configuration ({@code ServerConfig.forApp}).
     * @param partitionKey the partition key field for a PBS app, or null for FLX.
     * @throws TransferException if a server (or another import) holds the data directory, or the store cannot open.
     */
    public static Importer open(final ServerConfig appConfig, final String partitionKey, final PrintWriter out,
        final PrintWriter err) throws TransferException
    {
        final Path dataDir = appConfig.dataDir();
        final FileChannel channel;
        final FileLock lock;
        try
        {
            Files.createDirectories(dataDir);
            final Path authLog = dataDir.resolve(AuthStore.FILE_NAME);
            if (!Files.exists(authLog) &&
                java.nio.file.FileSystems.getDefault().supportedFileAttributeViews().contains("posix"))
            {
                // the server later keeps password hashes in it: owner-only, as the server creates it
                Files.createFile(authLog, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
            }
            channel = FileChannel.open(authLog, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        }
        catch (final IOException ex)
        {
            throw new TransferException("cannot open data directory " + dataDir + ": " + ex.getMessage());
        }
        FileLock held = null;
        try
        {
            held = channel.tryLock();
        }
        catch (final IOException | OverlappingFileLockException ex)
        {
            held = null;
        }
        if (null == held)
        {
            close(channel);
            throw new TransferException("data directory " + dataDir + " is in use: a running Outpost server (or " +
                "another import) holds its lock (" + dataDir.resolve(AuthStore.FILE_NAME) + "). An import writes " +
                "through the server's writer, and two writers cannot share one store: stop the server, run the " +
                "import, start the server again (clients then download the imported objects)");
        }
        lock = held;
        try
        {
            return new Importer(appConfig, partitionKey, channel, lock, SyncService.open(appConfig), out, err);
        }
        catch (final StoreOpenException | RuntimeException ex)
        {
            close(channel);
            throw new TransferException("cannot open the sync store of " + dataDir + ": " + ex.getMessage());
        }
    }

    /**
     * Import one file.
     *
     * @return its totals.
     * @throws TransferException if the file cannot be read or the server refuses a changeset (stops the import;
     *                           the progress file holds what is written).
     */
    public Summary importFile(final Path file, final Options options) throws TransferException, InterruptedException
    {
        final String table = null != options.collection() ? options.collection() : className(file);
        final Path progressFile = config.dataDir().resolve(PROGRESS_DIR).resolve(file.getFileName() + ".progress");
        final JsonObject identity = identity(file);
        long resumeAt = 0;
        long documents = 0;
        long skipped = 0;
        if (!options.restart() && Files.exists(progressFile))
        {
            final JsonObject p = readProgress(progressFile);
            if (null != p && identity.equals(p.getJsonObject("file")))
            {
                if (p.getBoolean("done", false))
                {
                    out.println(file + ": already imported (" + p.getLong("documents") + " documents; progress " +
                        progressFile + "); nothing to do. Add --restart to import it again.");
                    out.flush();
                    return new Summary(0, 0, 0, p.getLong("line"), schema.summary());
                }
                resumeAt = p.getLong("line", 0L);
                out.println(file + ": resuming after line " + resumeAt);
            }
        }
        final long start = System.nanoTime();
        long lastReport = start;
        long line = 0;
        long runDocuments = 0;
        boolean stopped = false;
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8))
        {
            final DocumentSource source = options.jsonArray() ? new ArraySource(reader, file) : new LineSource(reader);
            String text;
            while (null != (text = source.next()))
            {
                line++;
                if (line <= resumeAt || text.isBlank())
                {
                    continue;
                }
                if (options.limit() > 0 && runDocuments >= options.limit())
                {
                    line--;
                    stopped = true;
                    break;
                }
                runDocuments++;
                final String problem = add(table, text);
                if (null != problem)
                {
                    skipped++;
                    err.println(file.getFileName() + ":" + line + ": skipped: " + problem);
                }
                else
                {
                    documents++;
                }
                if (pendingDocuments >= options.batch())
                {
                    // the previous batch is awaited (and recorded) while this one is on the writer: parsing and
                    // integration overlap, and the progress file only ever names lines that are durable
                    final boolean recordPrevious = !inFlight.isEmpty();
                    final long previousLine = inFlightLine;
                    final long previousDocuments = inFlightDocuments;
                    final long previousSkipped = inFlightSkipped;
                    await();
                    if (recordPrevious)
                    {
                        writeProgress(progressFile, identity, previousLine, previousDocuments, previousSkipped, false);
                    }
                    submit();
                    inFlightLine = line;
                    inFlightDocuments = documents;
                    inFlightSkipped = skipped;
                    final long now = System.nanoTime();
                    if (now - lastReport > 2_000_000_000L)
                    {
                        lastReport = now;
                        out.printf("%s: %d documents (%.0f/s)%n", file.getFileName(), documents,
                            documents * 1e9 / (now - start));
                        out.flush();
                    }
                }
            }
        }
        catch (final IOException ex)
        {
            throw new TransferException("cannot read " + file + ": " + ex.getMessage());
        }
        await();
        submit();
        await();
        writeProgress(progressFile, identity, line, documents, skipped, !stopped);
        final double seconds = (System.nanoTime() - start) / 1e9;
        out.printf("%s: %d documents imported into class %s, %d skipped, %d changesets, %.1f s (%.0f documents/s)%s%n",
            file.getFileName(), documents, table, skipped, changesets, seconds, documents / Math.max(seconds, 1e-9),
            stopped ? "; stopped after " + options.limit() + " documents (--limit): run again to continue" : "");
        out.flush();
        return new Summary(documents, skipped, changesets, resumeAt, schema.summary());
    }

    /** @return the schema written so far, one line per class and column (inferred ones marked). */
    public String schemaSummary()
    {
        return schema.summary();
    }

    /** @return null if the document is queued, else why it is skipped. */
    private String add(final String table, final String text)
    {
        final JsonObject json;
        try
        {
            json = new JsonObject(text);
        }
        catch (final DecodeException | ClassCastException ex)
        {
            return "not a JSON document";
        }
        final ObjectData doc;
        try
        {
            doc = ExtendedJson.document(table, json);
        }
        catch (final ExtendedJson.Unsupported ex)
        {
            return ex.getMessage();
        }
        final String fileName;
        if (null == partitionKey)
        {
            fileName = SyncService.flxFileName(config.appId());
        }
        else
        {
            final Value partition = doc.fields().get(partitionKey);
            if (null == partition)
            {
                return "no partition key field '" + partitionKey + "'";
            }
            final String name = partitionName(partition);
            if (null == name)
            {
                return "partition key '" + partitionKey + "' is a " +
                    dev.outpost.codec.changeset.ChangesetPrinter.typeName(partition.type()) +
                    " (a partition value is a string, int, ObjectId, UUID or null)";
            }
            fileName = SyncService.pbsFileName(config.appId(), name);
        }
        final String problem = schema.admit(table, doc);
        if (null != problem)
        {
            return problem;
        }
        final ChangesetBuilder b = pending.computeIfAbsent(fileName, n -> new ChangesetBuilder());
        emit(b, table, doc);
        pendingDocuments++;
        return null;
    }

    /** @return the partition as realm's clients name it at BIND (canonical Extended JSON), or null. */
    static String partitionName(final Value v)
    {
        if (v instanceof Value.Str s)
        {
            return io.vertx.core.json.Json.encode(s.value());
        }
        if (v instanceof Value.Int i)
        {
            return "{\"$numberLong\":\"" + i.value() + "\"}";
        }
        if (v instanceof Value.ObjectIdValue o)
        {
            return "{\"$oid\":\"" + HexFormat.of().formatHex(o.bytes()) + "\"}";
        }
        if (v instanceof Value.UuidValue u)
        {
            final String hex = HexFormat.of().formatHex(u.bytes());
            return "{\"$uuid\":\"" + hex.substring(0, 8) + "-" + hex.substring(8, 12) + "-" + hex.substring(12, 16) +
                "-" + hex.substring(16, 20) + "-" + hex.substring(20) + "\"}";
        }
        if (v instanceof Value.Null)
        {
            return "null";
        }
        return null;
    }

    /** CreateObject (an upsert), then every field: lists cleared and refilled, embedded objects replaced. */
    private void emit(final ChangesetBuilder b, final String table, final ObjectData doc)
    {
        final Value key = doc.fields().get("_id");
        b.createObject(table, key);
        for (final Map.Entry<String, Value> e : doc.fields().entrySet())
        {
            if ("_id".equals(e.getKey()))
            {
                continue;
            }
            final Value v = e.getValue();
            final ColumnSpec col = schema.column(table, e.getKey());
            if (null == col)
            {
                continue; // only null or empty so far: nothing to write
            }
            if (col.collection() == Instr.COLLECTION_LIST)
            {
                b.clear(table, key, e.getKey(), new Object[0], Instr.COLLECTION_LIST);
                if (v instanceof Value.ListValue l)
                {
                    items(b, table, key, e.getKey(), new Object[0], l);
                }
            }
            else
            {
                b.update(table, key, e.getKey(), new Object[0], v.type(), v, false, -1);
                if (v instanceof Value.Embedded em)
                {
                    embedded(b, table, key, e.getKey(), new Object[0], em.object());
                }
            }
        }
    }

    private void items(final ChangesetBuilder b, final String table, final Value key, final String field,
        final Object[] path, final Value.ListValue l)
    {
        for (int i = 0; i < l.items().size(); i++)
        {
            final Value item = l.items().get(i);
            final Object[] at = append(path, (long)i);
            b.arrayInsert(table, key, field, at, item.type(), item, i);
            if (item instanceof Value.Embedded em)
            {
                embedded(b, table, key, field, at, em.object());
            }
        }
    }

    private void embedded(final ChangesetBuilder b, final String table, final Value key, final String field,
        final Object[] path, final ObjectData o)
    {
        for (final Map.Entry<String, Value> e : o.fields().entrySet())
        {
            final Value v = e.getValue();
            if (v instanceof Value.Null || null == schema.column(o.table(), e.getKey()))
            {
                continue; // a new embedded object starts with every field null or empty
            }
            final Object[] at = append(path, e.getKey());
            if (v instanceof Value.ListValue l)
            {
                items(b, table, key, field, at, l);
            }
            else
            {
                b.update(table, key, field, at, v.type(), v, false, -1);
                if (v instanceof Value.Embedded em)
                {
                    embedded(b, table, key, field, at, em.object());
                }
            }
        }
    }

    private static Object[] append(final Object[] path, final Object element)
    {
        final Object[] p = Arrays.copyOf(path, path.length + 1);
        p[path.length] = element;
        return p;
    }

    /** Hand every pending changeset to the writer ({@link #await} waits for them). */
    private void submit() throws InterruptedException
    {
        final List<Map.Entry<String, java.util.concurrent.CompletableFuture<Long>>> written = inFlight;
        for (final Map.Entry<String, ChangesetBuilder> e : pending.entrySet())
        {
            final ChangesetBuilder withSchema = new ChangesetBuilder();
            schema.emit(withSchema);
            withSchema.changeset().instructions().addAll(e.getValue().changeset().instructions());
            written.add(Map.entry(e.getKey(), sync.writeServerChangeset(e.getKey(),
                writer.toBytes(withSchema.changeset()))));
        }
        pending.clear();
        pendingDocuments = 0;
    }

    /** Wait until every changeset handed to the writer is published. */
    private void await() throws TransferException, InterruptedException
    {
        final List<Map.Entry<String, java.util.concurrent.CompletableFuture<Long>>> written = inFlight;
        for (final Map.Entry<String, java.util.concurrent.CompletableFuture<Long>> w : written)
        {
            try
            {
                w.getValue().get();
                changesets++;
            }
            catch (final ExecutionException ex)
            {
                final Throwable cause = ex.getCause();
                throw new TransferException("server file " + w.getKey() + " refused the import's changeset: " +
                    (cause instanceof ServerChangesetCommand.Refused ? cause.getMessage() : String.valueOf(cause)) +
                    " (does the server file hold the same classes with other types? compare `outpost inspect " +
                    "--objects` with the schema below)");
            }
        }
        written.clear();
    }

    private static JsonObject identity(final Path file) throws TransferException
    {
        try
        {
            return new JsonObject().put("path", file.toAbsolutePath().normalize().toString())
                .put("size", Files.size(file)).put("modified", Files.getLastModifiedTime(file).toMillis());
        }
        catch (final IOException ex)
        {
            throw new TransferException("cannot read " + file + ": " + ex.getMessage());
        }
    }

    private static JsonObject readProgress(final Path progressFile)
    {
        try
        {
            return new JsonObject(Files.readString(progressFile));
        }
        catch (final IOException | DecodeException ex)
        {
            return null; // unreadable: start over (every document is an upsert)
        }
    }

    private static void writeProgress(final Path progressFile, final JsonObject identity, final long line,
        final long documents, final long skipped, final boolean done) throws TransferException
    {
        try
        {
            Files.createDirectories(progressFile.getParent());
            final Path tmp = progressFile.resolveSibling(progressFile.getFileName() + ".tmp");
            Files.writeString(tmp, new JsonObject().put("file", identity).put("line", line)
                .put("documents", documents).put("skipped", skipped).put("done", done).encodePrettily());
            Files.move(tmp, progressFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        catch (final IOException ex)
        {
            throw new TransferException("cannot write progress file " + progressFile + ": " + ex.getMessage());
        }
    }

    /** @return the class a file holds: its name without directories and extensions ({@code Item.json} -> Item). */
    static String className(final Path file)
    {
        final String name = file.getFileName().toString();
        final int dot = name.indexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }

    @Override
    public void close()
    {
        sync.close();
        try
        {
            lock.release();
        }
        catch (final IOException ex)
        {
            // released with the channel
        }
        close(lockChannel);
    }

    private static void close(final FileChannel channel)
    {
        try
        {
            channel.close();
        }
        catch (final IOException ex)
        {
            // nothing held
        }
    }

    /** The documents of a file as text, one at a time. */
    private interface DocumentSource
    {
        String next() throws IOException;
    }

    /** One document a line (mongoexport's default). */
    private record LineSource(BufferedReader reader) implements DocumentSource
    {
        public String next() throws IOException
        {
            return reader.readLine();
        }
    }

    /** One JSON array of documents (mongoexport --jsonArray): the documents in order, numbered from 1. */
    private static final class ArraySource implements DocumentSource
    {
        private final JsonArray array;
        private int next;

        ArraySource(final BufferedReader reader, final Path file) throws IOException
        {
            final StringBuilder sb = new StringBuilder();
            final char[] buf = new char[65536];
            int n;
            while ((n = reader.read(buf)) > 0)
            {
                sb.append(buf, 0, n);
            }
            try
            {
                array = new JsonArray(sb.toString());
            }
            catch (final DecodeException ex)
            {
                throw new IOException("not a JSON array (--jsonArray): " + ExtendedJson.abbreviate(ex.getMessage()));
            }
        }

        public String next()
        {
            if (next >= array.size())
            {
                return null;
            }
            final Object o = array.getValue(next++);
            return o instanceof JsonObject j ? j.encode() : String.valueOf(o);
        }
    }
}
