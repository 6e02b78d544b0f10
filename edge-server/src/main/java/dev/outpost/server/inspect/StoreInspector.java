package dev.outpost.server.inspect;

import dev.outpost.codec.CodecException;
import dev.outpost.codec.changeset.ChangesetDecoder;
import dev.outpost.codec.changeset.ChangesetPrinter;
import dev.outpost.ot.model.Changeset;
import dev.outpost.ot.model.ChangesetReader;
import dev.outpost.ot.state.ApplyResult;
import dev.outpost.ot.state.ChangesetApplier;
import dev.outpost.ot.state.ObjectState;
import dev.outpost.server.store.EntryView;
import dev.outpost.server.store.HistoryReader;
import dev.outpost.server.store.HistoryStore;
import dev.outpost.server.store.RevertEntryMarker;
import dev.outpost.server.store.ServerFile;
import dev.outpost.server.store.StoreConfig;
import dev.outpost.server.store.StoreOpenException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Reads a history store for humans and tools: the server files with their heads, sizes and clients, one history
 * entry decoded into instructions, and the current objects of a server file (the history replayed into an
 * {@link ObjectState}).
 * <p>
 * The store is opened read-only ({@link StoreConfig#readOnly}), so this is safe beside a running server: Chronicle
 * queues are shared between processes, nothing is written, and the index is rebuilt from every record complete
 * at open time (entries appended by the server after that are not seen; entries appended but not yet published by
 * the server may be). Single-threaded; close it when done.
 */
public final class StoreInspector implements AutoCloseable
{
    /** Milliseconds between the Unix epoch and realm's timestamp epoch (2015-01-01T00:00:00Z). */
    static final long REALM_EPOCH_MILLIS = 1_420_070_400_000L;

    private final HistoryStore store;
    private final HistoryReader reader;

    private StoreInspector(final HistoryStore store)
    {
        this.store = store;
        this.reader = store.newReader();
    }

    /**
     * @param dataDir the server's data directory (the store is its {@code sync} subdirectory) or the store
     *                directory itself.
     * @return an inspector over the store, opened read-only.
     * @throws StoreOpenException if there is no store there or it cannot be read.
     */
    public static StoreInspector open(final Path dataDir) throws StoreOpenException
    {
        final Path storeDir = storeDir(dataDir);
        return new StoreInspector(HistoryStore.open(new StoreConfig().dataDir(storeDir).readOnly(true)));
    }

    /** @return {@code dataDir/sync} if it holds a store, else {@code dataDir}. */
    static Path storeDir(final Path dataDir)
    {
        final Path sync = dataDir.resolve("sync");
        return Files.exists(sync.resolve(HistoryStore.FORMAT_FILE)) ? sync : dataDir;
    }

    public Path storeDirectory()
    {
        return store.dataDir();
    }

    /** One client file of a server file. */
    public record ClientInfo(long ident, int clientType, long clientVersion, long rhBaseVersion,
        long lockedServerVersion, long lastSeen, int reciprocals)
    {
    }

    /** One server file. */
    public record FileInfo(String name, int shard, long head, long historyBytes, List<ClientInfo> clients,
        long compactedUntil)
    {
    }

    /** @return every server file, sorted by name, with its clients sorted by ident. */
    public List<FileInfo> files()
    {
        final List<FileInfo> files = new ArrayList<>();
        final java.util.Map<String, Long> until = dev.outpost.server.store.StoreCompaction.compactedUntil(storeDirectory());
        store.forEachServerFile(f ->
        {
            final List<ClientInfo> clients = new ArrayList<>();
            f.forEachClient(c -> clients.add(new ClientInfo(c.ident(), c.clientType(), c.clientVersion(),
                c.rhBaseVersion(), c.lockedServerVersion(), c.lastSeen(), c.reciprocalCount())));
            final long head = f.head();
            files.add(new FileInfo(f.name(), f.shardIndex(), head, f.cumulativeSize(head), List.copyOf(clients),
                until.getOrDefault(f.name(), 0L)));
        });
        files.sort(Comparator.comparing(FileInfo::name));
        return files;
    }

    /** A decoded history entry. */
    public record EntryInfo(String file, long version, long originFileIdent, long clientVersion, long timestamp,
        long originalSize, int changesetLength, String instructions)
    {
    }

    /**
     * @return history entry {@code version} of {@code fileName} with its changeset rendered by
     * {@link ChangesetPrinter} (one instruction a line; a malformed changeset ends with a {@code !!} line).
     * @throws InspectException if there is no such file or version.
     */
    public EntryInfo entry(final String fileName, final long version) throws InspectException
    {
        final ServerFile f = file(fileName);
        if (version < 1 || version > f.head())
        {
            throw new InspectException("server file '" + fileName + "' has versions 1.." + f.head() + ", not " +
                version);
        }
        final EntryView view = new EntryView();
        if (!reader.read(f, version, view))
        {
            throw new InspectException("version " + version + " of '" + fileName + "' cannot be read");
        }
        return new EntryInfo(fileName, version, view.originFileIdent(), view.clientVersion(), view.timestamp(),
            view.originalSize(), view.changesetLength(),
            ChangesetPrinter.print(view.changeset(), 0, view.changesetLength()));
    }

    /**
     * The objects of a server file at {@code version}, the entries that could not be applied, and the entries an
     * upload is refused for today (stored by an older version) that realm-core's client cannot hold: a non-UTF-8
     * string, an over-long class or column name (see {@code ChangesetDecoder}'s client limits). Clients that
     * download such an entry fail.
     */
    public record ObjectsInfo(String file, long version, ObjectState state, List<String> problems,
        List<String> clientCannotHold)
    {
    }

    /**
     * Replays versions 1..head of {@code fileName} into a fresh {@link ObjectState}, as the server does when it
     * loads a server file. An entry that does not parse or apply is skipped and reported in
     * {@link ObjectsInfo#problems()}.
     *
     * @throws InspectException if there is no such file.
     */
    public ObjectsInfo objects(final String fileName) throws InspectException
    {
        final ServerFile f = file(fileName);
        final long head = f.head();
        final ObjectState state = new ObjectState();
        final ChangesetApplier applier = new ChangesetApplier(state);
        final ChangesetReader changesetReader = new ChangesetReader();
        final ChangesetReader peerReader =
            new ChangesetReader(new ChangesetDecoder(ChangesetDecoder.DEFAULT_MAX_PATH_LENGTH, true));
        final EntryView view = new EntryView();
        final List<String> problems = new ArrayList<>();
        final List<String> clientCannotHold = new ArrayList<>();
        for (long v = 1; v <= head; v++)
        {
            if (!reader.read(f, v, view))
            {
                problems.add("version " + v + ": unreadable");
                continue;
            }
            if (RevertEntryMarker.targetOf(view) != 0)
            {
                continue; // a compensating write's revert entry for one client: not part of the server's state
            }
            try
            {
                Changeset c;
                try
                {
                    c = peerReader.read(view.changeset(), 0, view.changesetLength(), new Changeset());
                }
                catch (final CodecException refused)
                {
                    c = changesetReader.read(view.changeset(), 0, view.changesetLength(), new Changeset());
                    clientCannotHold.add("version " + v + ": " + refused.getMessage());
                }
                final ApplyResult r = applier.apply(c);
                if (!r.ok())
                {
                    problems.add("version " + v + ": does not apply: " + r.message());
                }
            }
            catch (final CodecException ex)
            {
                problems.add("version " + v + ": does not parse: " + ex.getMessage());
            }
        }
        return new ObjectsInfo(fileName, head, state, List.copyOf(problems), List.copyOf(clientCannotHold));
    }

    private ServerFile file(final String name) throws InspectException
    {
        final ServerFile f = store.serverFile(name);
        if (null == f)
        {
            throw new InspectException("no server file '" + name + "' in " + store.dataDir() + suggest(name));
        }
        return f;
    }

    /** What the user may have meant: the name with the partition quoted as clients send it, or what exists. */
    private String suggest(final String name)
    {
        final List<String> names = new ArrayList<>();
        store.forEachServerFile(f -> names.add(f.name()));
        names.sort(Comparator.naturalOrder());
        final int slash = name.lastIndexOf('/');
        if (name.startsWith("pbs/") && slash > 3)
        {
            final String quoted = name.substring(0, slash + 1) + '"' + name.substring(slash + 1) + '"';
            if (names.contains(quoted))
            {
                return "; did you mean '" + quoted + "'? (a PBS partition is named as the client sends it, quotes " +
                    "included: --file '" + quoted + "')";
            }
        }
        if (names.isEmpty())
        {
            return " (it holds no server files)";
        }
        final int shown = Math.min(10, names.size());
        return " (server files: " + String.join(", ", names.subList(0, shown)) +
            (names.size() > shown ? ", ... " + names.size() + " in all; list them with outpost inspect DIR" : "") +
            ")";
    }

    @Override
    public void close()
    {
        store.close();
    }

    // ------------------------------------------------------------------------------------------------ rendering

    /** @return the file list as a table, each file followed by its clients. */
    public static String filesText(final List<FileInfo> files)
    {
        final java.io.StringWriter text = new java.io.StringWriter();
        final java.io.PrintWriter out = new java.io.PrintWriter(text);
        writeFilesText(files, out);
        out.flush();
        return text.toString();
    }

    /**
     * {@link #filesText} written line by line to {@code out}: the listing of many server files (long names padded to
     * the longest) is never held in memory as one string.
     */
    public static void writeFilesText(final List<FileInfo> files, final java.io.PrintWriter out)
    {
        if (files.isEmpty())
        {
            out.print("no server files\n");
            return;
        }
        int width = "SERVER FILE".length();
        for (final FileInfo f : files)
        {
            width = Math.max(width, f.name().length());
        }
        out.print(String.format("%-" + width + "s %6s %10s %14s %8s%n", "SERVER FILE", "SHARD", "HEAD",
            "HISTORY BYTES", "CLIENTS"));
        for (final FileInfo f : files)
        {
            out.print(String.format("%-" + width + "s %6d %10d %14d %8d%n", f.name(), f.shard(), f.head(),
                f.historyBytes(), f.clients().size()));
            if (f.compactedUntil() > 0)
            {
                out.print(String.format("  history compacted until version %d%n", f.compactedUntil()));
            }
            for (final ClientInfo c : f.clients())
            {
                out.print(String.format("  client %d: upload cursor client_version=%d server_version=%d, " +
                    "locked_server_version=%d, reciprocals=%d, last_seen=%s%n", c.ident(), c.clientVersion(),
                    c.rhBaseVersion(), c.lockedServerVersion(), c.reciprocals(), lastSeen(c.lastSeen())));
            }
        }
    }

    public static JsonObject filesJson(final Path storeDir, final List<FileInfo> files)
    {
        final JsonArray array = new JsonArray();
        for (final FileInfo f : files)
        {
            array.add(fileJson(f));
        }
        return new JsonObject().put("store", storeDir.toString()).put("server_files", array);
    }

    /**
     * {@code filesJson(storeDir, files).encodePrettily()}, the same text, written one server file at a time: the
     * listing of many server files is never held in memory as one document.
     */
    public static void writeFilesJson(final Path storeDir, final List<FileInfo> files, final java.io.PrintWriter out)
    {
        out.print("{\n  \"store\" : " + io.vertx.core.json.Json.encode(storeDir.toString()) +
            ",\n  \"server_files\" : [");
        boolean first = true;
        for (final FileInfo f : files)
        {
            out.print(first ? " " : ", ");
            first = false;
            out.print(fileJson(f).encodePrettily().replace("\n", "\n  ")); // one level deeper (strings hold no raw \n)
        }
        out.print(" ]\n}");
    }

    private static JsonObject fileJson(final FileInfo f)
    {
        final JsonArray clients = new JsonArray();
        for (final ClientInfo c : f.clients())
        {
            clients.add(new JsonObject().put("ident", c.ident()).put("client_type", c.clientType())
                .put("client_version", c.clientVersion()).put("server_version", c.rhBaseVersion())
                .put("locked_server_version", c.lockedServerVersion()).put("reciprocals", c.reciprocals())
                .put("last_seen", c.lastSeen()).put("last_seen_iso", lastSeen(c.lastSeen())));
        }
        return new JsonObject().put("name", f.name()).put("shard", f.shard()).put("head", f.head())
            .put("history_bytes", f.historyBytes()).put("compacted_until", f.compactedUntil()).put("clients", clients);
    }

    public static String entryText(final EntryInfo e)
    {
        return "server file:    " + e.file() + "\n" +
            "version:        " + e.version() + "\n" +
            "origin:         client file " + e.originFileIdent() + (e.originFileIdent() == 1 ? " (server)" : "") +
            "\n" +
            "client version: " + e.clientVersion() + "\n" +
            "timestamp:      " + e.timestamp() + " (" + realmTime(e.timestamp()) + ")\n" +
            "original size:  " + e.originalSize() + "\n" +
            "changeset:      " + e.changesetLength() + " bytes\n" +
            e.instructions();
    }

    public static JsonObject entryJson(final EntryInfo e)
    {
        final JsonArray lines = new JsonArray();
        for (final String line : e.instructions().split("\n"))
        {
            if (!line.isEmpty())
            {
                lines.add(line);
            }
        }
        return new JsonObject().put("server_file", e.file()).put("version", e.version())
            .put("origin_file_ident", e.originFileIdent()).put("client_version", e.clientVersion())
            .put("timestamp", e.timestamp()).put("timestamp_iso", realmTime(e.timestamp()))
            .put("original_size", e.originalSize()).put("changeset_length", e.changesetLength())
            .put("instructions", lines);
    }

    /**
     * @param onlyClass null for all classes.
     * @return the state's canonical dump ({@link ObjectState#dump()}), limited to one class if asked.
     */
    public static String objectsText(final ObjectsInfo o, final String onlyClass) throws InspectException
    {
        final StringBuilder sb = new StringBuilder();
        sb.append("# server file ").append(o.file()).append(" at version ").append(o.version()).append('\n');
        for (final String p : o.problems())
        {
            sb.append("# skipped ").append(p).append('\n');
        }
        for (final String p : o.clientCannotHold())
        {
            sb.append("# realm's client cannot hold ").append(p).append('\n');
        }
        if (null == onlyClass)
        {
            sb.append(o.state().dump());
            return sb.toString();
        }
        if (null == o.state().table(onlyClass))
        {
            throw new InspectException("no class '" + onlyClass + "' in '" + o.file() + "' (classes: " +
                String.join(", ", o.state().tables().keySet()) + ")");
        }
        // The dump is one block per class, each starting with an unindented "class NAME " line.
        boolean in = false;
        for (final String line : o.state().dump().split("\n"))
        {
            if (line.startsWith("class "))
            {
                in = line.startsWith("class " + onlyClass + " ");
            }
            if (in)
            {
                sb.append(line).append('\n');
            }
        }
        return sb.toString();
    }

    public static JsonObject objectsJson(final ObjectsInfo o, final String onlyClass) throws InspectException
    {
        if (null != onlyClass && null == o.state().table(onlyClass))
        {
            throw new InspectException("no class '" + onlyClass + "' in '" + o.file() + "'");
        }
        return new JsonObject().put("server_file", o.file()).put("version", o.version())
            .put("problems", new JsonArray(new ArrayList<Object>(o.problems())))
            .put("client_cannot_hold", new JsonArray(new ArrayList<Object>(o.clientCannotHold())))
            .put("classes", ObjectsJson.classes(o.state(), onlyClass));
    }

    static String lastSeen(final long millis)
    {
        if (millis == dev.outpost.server.store.StoreCompaction.COMPACTED_AWAY)
        {
            return "expired (its history was compacted)";
        }
        return millis > 0 ? Instant.ofEpochMilli(millis).toString() : "never";
    }

    static String realmTime(final long realmMillis)
    {
        return Instant.ofEpochMilli(REALM_EPOCH_MILLIS + realmMillis).toString();
    }
}
