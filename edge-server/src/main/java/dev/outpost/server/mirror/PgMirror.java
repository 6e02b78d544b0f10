package dev.outpost.server.mirror;

import dev.outpost.codec.CodecException;
import dev.outpost.codec.changeset.Instr;
import dev.outpost.ot.model.Changeset;
import dev.outpost.ot.model.ChangesetReader;
import dev.outpost.ot.model.Instruction;
import dev.outpost.ot.model.ObjectInstruction;
import dev.outpost.ot.state.ApplyResult;
import dev.outpost.ot.state.ChangesetApplier;
import dev.outpost.ot.state.BadChangesetException;
import dev.outpost.ot.state.ColumnSpec;
import dev.outpost.ot.state.InstructionApplier;
import dev.outpost.ot.state.InstructionSink;
import dev.outpost.ot.state.ModelValues;
import dev.outpost.ot.state.ObjectData;
import dev.outpost.ot.state.ObjectState;
import dev.outpost.ot.state.SinkDecoder;
import dev.outpost.ot.state.TableData;
import dev.outpost.ot.state.Value;
import dev.outpost.server.config.MirrorSettings;
import dev.outpost.server.config.ServerConfig;
import dev.outpost.server.metrics.ServerMetrics;
import dev.outpost.server.store.EntryView;
import dev.outpost.server.store.HistoryReader;
import dev.outpost.server.store.HistoryStore;
import dev.outpost.server.store.RevertEntryMarker;
import dev.outpost.server.store.ServerFile;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The outbound PostgreSQL mirror of one app. Its reader thread reads every server file's published history (a
 * {@link HistoryReader}, like a download: never on an event loop, never on the store writer's path), applies each
 * changeset to its own copy of the server file's object state (ot-core's {@link ChangesetApplier}, so it knows what
 * each instruction does) and copies the objects a batch touched; its writer thread writes them as rows, one table
 * per class, while the reader prepares the next batch (at most two batches ahead):
 * <pre>
 *   history (published) ──read──▶ object state per server file ──touched objects──▶ one transaction:
 *                                                                                      CREATE TABLE / ADD COLUMN
 *                                                                                      INSERT .. SELECT unnest(arrays)
 *                                                                                        ON CONFLICT DO UPDATE
 *                                                                                      DELETE .. IN unnest(arrays)
 *                                                                                      positions (same transaction)
 * </pre>
 * A row is written from the object's whole state after the batch (so a list insert rewrites that list's jsonb,
 * EraseObject deletes the row); writing rows from state is idempotent, and the position of every server file is
 * written in the same transaction, so a crash of Outpost or of PostgreSQL resumes exactly after the last committed
 * batch: no gap, no duplicate. While PostgreSQL is unreachable the batch is kept and retried with backoff; sync is
 * not affected (nothing waits for the mirror). It holds the states of at most {@code residentFiles} server files
 * whose rows are all committed (the least recently changed ones beyond are dropped and rebuilt from their position
 * when they change again). Destructive schema changes (EraseTable, EraseColumn) keep the table
 * or column and its data and are reported (log, metric, error table); so are rows PostgreSQL refuses (each then
 * written alone, inside a savepoint, so one bad row blocks nothing else).
 * <p>
 * Tables of the configured schema besides the classes: {@value #POSITION_TABLE} (server file, version) and
 * {@value #ERROR_TABLE}. A session advisory lock on the schema's name keeps two servers from mirroring into the same
 * schema at once. Started by {@link #start}, stopped by {@link #close}; state is owned by the reader or the
 * writer thread as marked, except the figures ({@link #statusJson}, gauges), which any thread may read.
 */
public final class PgMirror implements AutoCloseable
{
    /** The position of each server file: the last version whose rows are committed. */
    public static final String POSITION_TABLE = "_outpost_mirror_position";
    /** What the mirror could not write or chose not to apply (destructive schema changes, refused rows). */
    public static final String ERROR_TABLE = "_outpost_mirror_errors";
    /** Most changesets read into one transaction. */
    static final int MAX_CHANGESETS_PER_BATCH = 5_000;
    /** Most rows in one INSERT or DELETE statement. */
    static final int MAX_ROWS_PER_STATEMENT = 500;
    /** Fewest rows of one shape written as arrays ({@link #arrayRows}); fewer go as a multi-row statement. */
    static final int MIN_ROWS_FOR_ARRAYS = 16;
    /** Most rows in one array statement. */
    static final int MAX_ROWS_PER_ARRAY_STATEMENT = 5_000;
    /** Fewest new rows of one shape in a batch written with {@code COPY} (fewer: with the upsert). */
    static final int MIN_ROWS_FOR_COPY = 16;
    /** Changesets decoded into ot-core's model objects and applied by {@link ChangesetApplier}: the reference. */
    static final int PATH_MODEL = 0;
    /** Changesets decoded straight into ot-core's object state ({@link SinkDecoder}, {@link InstructionApplier}). */
    static final int PATH_STREAMING = 1;
    /**
     * Changesets decoded straight into the mirror's own {@link FlatState} while a file's history fits it, into
     * ot-core's state ({@link #PATH_STREAMING}) from the first changeset that does not.
     */
    static final int PATH_FLAT = 2;
    private static final int COPY_CHUNK_CHARS = 64 * 1024;
    /** Most characters of a PostgreSQL message the mirror logs, shows or keeps. */
    static final int MAX_MESSAGE_CHARS = 300;
    /** Server files with a lag gauge of their own; the app's totals cover every file. */
    static final int MAX_FILE_GAUGES = 100;

    private static final System.Logger LOG = System.getLogger("dev.outpost.server.mirror");
    private static final long IDLE_SLEEP_MS = 5;
    private static final String UNIQUE_VIOLATION = "23505";
    private static final long NAME_SCAN_INTERVAL_NS = 200_000_000L;
    private static final long BACKOFF_MIN_MS = 100;
    private static final long BACKOFF_MAX_MS = 5_000;

    private final String appId;
    private final int residentFiles;
    private final int batchChangesets;
    private final int path;
    private final MirrorSettings settings;
    private final HistoryStore store;
    private final String partitionColumn;
    private final String partitionType;
    private final String pbsPrefix;
    private final String schema;
    private final Thread thread;
    private final Thread writer;
    private final java.util.concurrent.ArrayBlockingQueue<List<FileBatch>> handoff =
        new java.util.concurrent.ArrayBlockingQueue<>(1);
    private final ServerMetrics metrics;
    private volatile boolean running = true;

    // figures, any thread
    private final ConcurrentHashMap<String, FileLag> lags = new ConcurrentHashMap<>();
    private final Counter rowsWritten;
    private final Counter rowsDeleted;
    private final Counter rowsCopied;
    private final Counter batches;
    private final Counter reported;
    private final Counter connectionFailures;
    private final io.micrometer.core.instrument.Timer readTimer;
    private final io.micrometer.core.instrument.Timer writeTimer;
    private volatile boolean connected;
    private volatile String lastError;
    private volatile int resident;
    private final Counter evictions;
    private final Counter rewritten;
    private final Counter promotions;

    // reader thread only
    private final Map<String, FileMirror> files = new HashMap<>();
    /** Reader thread: the salt of each server file the mirror opened (a deleted file created again has another). */
    private final Map<String, Long> salts = new HashMap<>();
    /** Reader thread: server files deleted and created again since they were mirrored: mirrored from version 1. */
    private final Set<String> recreated = new java.util.HashSet<>();
    /** Reader thread: {@link HistoryStore#deletions()} when last looked at. */
    private long deletionsSeen;
    private final List<String> names = new ArrayList<>();
    private long knownFileCount = -1;
    private long lastNameScan;
    private final ChangesetReader reader = new ChangesetReader();
    private final SinkDecoder decoder = new SinkDecoder();
    private final TrackingSink sink = new TrackingSink();
    private final EntryView view = new EntryView();
    private HistoryReader history;
    private long rotation;
    private long readBatches;
    // writer thread only
    private final Map<String, Map<String, String>> dbColumns = new HashMap<>();
    private final Set<String> reportedConflicts = new java.util.HashSet<>();
    private final Map<ArrayShape, String> arraySqls = new HashMap<>();
    private final Map<Shape, String> copySqls = new HashMap<>();
    private long copiedInBatch; // writer thread
    private volatile Connection conn; // volatile: close() may abort it
    // written once by the writer thread (first connection), then read-only
    private volatile Map<String, Long> positions;

    private PgMirror(final String appId, final MirrorSettings settings, final String partitionKey,
        final String partitionKeyType, final HistoryStore store, final ServerMetrics metrics, final int residentFiles,
        final int batchChangesets, final int path)
    {
        if (residentFiles < 1)
        {
            throw new IllegalArgumentException("residentFiles " + residentFiles + " must be at least 1");
        }
        this.appId = appId;
        this.residentFiles = residentFiles;
        this.batchChangesets = batchChangesets;
        this.path = path;
        this.settings = settings;
        this.store = store;
        this.metrics = metrics;
        this.partitionColumn = null == partitionKey || partitionKey.isBlank() ? "_partition" : partitionKey;
        this.partitionType = "long".equals(partitionKeyType) ? "bigint" : "uuid".equals(partitionKeyType) ? "uuid" :
            "text";
        this.pbsPrefix = "pbs/" + appId + "/";
        this.schema = PgMapping.quote(settings.schema());
        this.rowsWritten = Counter.builder("outpost.mirror.rows.written").description("rows inserted or updated " +
            "by the PostgreSQL mirror").tag("app", appId).register(metrics.registry());
        this.rowsCopied = Counter.builder("outpost.mirror.rows.copied").description("rows of new objects " +
            "inserted with COPY by the PostgreSQL mirror (also counted in outpost.mirror.rows.written)").tag("app", appId)
            .register(metrics.registry());
        this.rowsDeleted = Counter.builder("outpost.mirror.rows.deleted").description("rows deleted by the " +
            "PostgreSQL mirror").tag("app", appId).register(metrics.registry());
        this.batches = Counter.builder("outpost.mirror.batches").description("transactions committed by the " +
            "PostgreSQL mirror").tag("app", appId).register(metrics.registry());
        this.reported = Counter.builder("outpost.mirror.errors").description("rows of the mirror's error table " +
            "(destructive schema changes, type conflicts, refused rows)").tag("app", appId)
            .register(metrics.registry());
        this.connectionFailures = Counter.builder("outpost.mirror.connection.failures").description("failed " +
            "connections or transactions of the PostgreSQL mirror (retried)").tag("app", appId)
            .register(metrics.registry());
        this.rewritten = Counter.builder("outpost.mirror.batches.rewritten").description("batches PostgreSQL " +
            "refused as a whole and the mirror wrote again statement by statement").tag("app", appId)
            .register(metrics.registry());
        this.evictions = Counter.builder("outpost.mirror.evictions").description("object states of idle server " +
            "files the mirror dropped (rebuilt from their position when they change again)").tag("app", appId)
            .register(metrics.registry());
        this.promotions = Counter.builder("outpost.mirror.files.promoted").description("server files whose " +
            "history needed more than the mirror's flat state (collections, links, embedded objects, Mixed, erased " +
            "classes or columns, refused changesets) and moved to ot-core's object state").tag("app", appId)
            .register(metrics.registry());
        Gauge.builder("outpost.mirror.files.resident", this, m -> m.resident).description("server files whose " +
            "object state the mirror holds in memory").tag("app", appId).register(metrics.registry());
        this.readTimer = metrics.timer("outpost.mirror.read", "one batch read from the history and applied to " +
            "the mirror's object states", "app", appId);
        this.writeTimer = metrics.timer("outpost.mirror.write", "one batch written to PostgreSQL and committed",
            "app", appId);
        Gauge.builder("outpost.mirror.lag.versions", this, PgMirror::lagVersions).description("history versions " +
            "not yet mirrored, all server files of the app").tag("app", appId).register(metrics.registry());
        Gauge.builder("outpost.mirror.lag.seconds", this, PgMirror::lagSeconds).description("age of the oldest " +
            "version not yet mirrored").tag("app", appId).baseUnit("seconds").register(metrics.registry());
        Gauge.builder("outpost.mirror.connected", this, m -> m.connected ? 1 : 0).description("1 while the " +
            "mirror is connected to PostgreSQL").tag("app", appId).register(metrics.registry());
        this.thread = new Thread(this::run, "outpost-mirror-" + appId);
        this.thread.setDaemon(true);
        this.writer = new Thread(this::writeLoop, "outpost-mirror-" + appId + "-writer");
        this.writer.setDaemon(true);
    }

    /**
     * Start mirroring an app's history store.
     *
     * @param appId            the app.
     * @param settings         the database and schema.
     * @param partitionKey     PBS: the partition key's name (the partition column), or null for {@code _partition}.
     * @param partitionKeyType PBS: {@code string}, {@code long}, {@code objectId} or {@code uuid}, or null (string).
     * @param store            the app's open history store (must stay open until {@link #close}).
     * @param metrics          where the mirror's counters and gauges go.
     * @return the running mirror.
     */
    public static PgMirror start(final String appId, final MirrorSettings settings, final String partitionKey,
        final String partitionKeyType, final HistoryStore store, final ServerMetrics metrics)
    {
        return start(appId, settings, partitionKey, partitionKeyType, store, metrics,
            ServerConfig.MIRROR_RESIDENT_FILES_DEFAULT);
    }

    /**
     * Start mirroring an app's history store.
     *
     * @param appId            the app.
     * @param settings         the database and schema.
     * @param partitionKey     PBS: the partition key's name (the partition column), or null for {@code _partition}.
     * @param partitionKeyType PBS: {@code string}, {@code long}, {@code objectId} or {@code uuid}, or null (string).
     * @param store            the app's open history store (must stay open until {@link #close}).
     * @param metrics          where the mirror's counters and gauges go.
     * @param residentFiles    most server files whose object state the mirror keeps in memory (>= 1): beyond that
     *                         the least recently changed ones whose rows are all committed are dropped and rebuilt
     *                         from their committed position when they change again.
     * @return the running mirror.
     */
    public static PgMirror start(final String appId, final MirrorSettings settings, final String partitionKey,
        final String partitionKeyType, final HistoryStore store, final ServerMetrics metrics,
        final int residentFiles)
    {
        return started(new PgMirror(appId, settings, partitionKey, partitionKeyType, store, metrics, residentFiles,
            MAX_CHANGESETS_PER_BATCH, PATH_FLAT));
    }

    /**
     * Tests: a mirror with at most {@code batchChangesets} changesets a transaction that applies them through
     * {@code path}: {@link #PATH_FLAT} (what {@link #start} does), {@link #PATH_STREAMING} (ot-core's state from the
     * start) or {@link #PATH_MODEL} (the model, {@link ChangesetReader} and {@link ChangesetApplier}, only: the
     * reference the others are compared with).
     */
    static PgMirror start(final MirrorSettings settings, final String partitionKey, final String partitionKeyType,
        final HistoryStore store, final int batchChangesets, final int path)
    {
        return started(new PgMirror("app", settings, partitionKey, partitionKeyType, store, new ServerMetrics(),
            ServerConfig.MIRROR_RESIDENT_FILES_DEFAULT, batchChangesets, path));
    }

    private static PgMirror started(final PgMirror m)
    {
        final MirrorSettings settings = m.settings;
        final String appId = m.appId;
        LOG.log(System.Logger.Level.INFO, "app '" + appId + "': mirroring into PostgreSQL " +
            settings.redactedUrl() + ", schema " + settings.schema());
        m.thread.start();
        return m;
    }

    // ------------------------------------------------------------------------------------------- figures

    private static final class FileLag
    {
        volatile long head;
        volatile long mirrored = -1;
        volatile long unmirroredSinceNanos;
        // mirror thread: when each new head was first seen (a ring), to date the oldest version not mirrored
        private final long[] seenHead = new long[256];
        private final long[] seenAt = new long[256];
        private int seenNext;
        private int seenCount;


        void seen(final long newHead, final long nanos)
        {
            if (seenCount > 0 && seenHead[(seenNext - 1 + seenHead.length) % seenHead.length] >= newHead)
            {
                return;
            }
            seenHead[seenNext] = newHead;
            seenAt[seenNext] = nanos;
            seenNext = (seenNext + 1) % seenHead.length;
            seenCount = Math.min(seenHead.length, seenCount + 1);
        }

        /** Reader thread: date the oldest version not in PostgreSQL from when each head was first seen. */
        void refresh(final long nanos)
        {
            final long committed = Math.max(0, mirrored);
            long since = 0;
            for (int i = 0; i < seenCount; i++)
            {
                final int at = (seenNext - seenCount + i + seenHead.length) % seenHead.length;
                if (seenHead[at] > committed)
                {
                    since = seenAt[at];
                    break;
                }
            }
            unmirroredSinceNanos = head > committed ? (0 == since ? nanos : since) : 0;
        }

        long lag()
        {
            return Math.max(0, head - Math.max(0, mirrored));
        }
    }

    /** @return versions published but not mirrored yet, over all server files (any thread). */
    public long lagVersions()
    {
        long sum = 0;
        for (final FileLag l : lags.values())
        {
            sum += l.lag();
        }
        return sum;
    }

    /** @return how long the oldest unmirrored version has waited, in seconds (any thread). */
    public double lagSeconds()
    {
        final long now = System.nanoTime();
        long oldest = 0;
        for (final FileLag l : lags.values())
        {
            final long since = l.unmirroredSinceNanos;
            if (0 != since)
            {
                oldest = Math.max(oldest, now - since);
            }
        }
        return oldest / 1e9;
    }

    /**
     * @param serverFile a server file name.
     * @return the last version of it committed to PostgreSQL, or -1 if unknown (any thread).
     */
    public long mirroredVersion(final String serverFile)
    {
        final FileLag l = lags.get(serverFile);
        return null == l ? -1 : l.mirrored;
    }

    /** @return seconds spent reading and applying batches / writing and committing them so far (any thread). */
    public double[] busySeconds()
    {
        return new double[]{readTimer.totalTime(TimeUnit.SECONDS), writeTimer.totalTime(TimeUnit.SECONDS)};
    }

    /** @return whether the mirror holds an open connection (any thread). */
    public boolean connected()
    {
        return connected;
    }

    /** @return the figures shown on the status page (any thread). */
    public JsonObject statusJson()
    {
        final JsonArray perFile = new JsonArray();
        final long now = System.nanoTime();
        lags.entrySet().stream().sorted(Map.Entry.comparingByKey()).limit(MAX_FILE_GAUGES).forEach(e ->
        {
            final FileLag l = e.getValue();
            final long since = l.unmirroredSinceNanos;
            perFile.add(new JsonObject().put("server_file", e.getKey()).put("head", l.head)
                .put("mirrored", l.mirrored).put("lag_versions", l.lag())
                .put("lag_seconds", 0 == since ? 0.0 : Math.round((now - since) / 1e6) / 1e3));
        });
        return new JsonObject()
            .put("database", settings.redactedUrl())
            .put("schema", settings.schema())
            .put("connected", connected)
            .put("lag_versions", lagVersions())
            .put("lag_seconds", Math.round(lagSeconds() * 1000) / 1000.0)
            .put("rows_written", (long)rowsWritten.count())
            .put("rows_copied", (long)rowsCopied.count())
            .put("rows_deleted", (long)rowsDeleted.count())
            .put("errors_reported", (long)reported.count())
            .put("resident_files", resident)
            .put("files_promoted", (long)promotions.count())
            .put("batches_rewritten", (long)rewritten.count())
            .put("last_error", lastError)
            .put("files", perFile);
    }

    private FileLag lag(final String file)
    {
        return lags.computeIfAbsent(file, n ->
        {
            final FileLag l = new FileLag();
            if (lags.size() < MAX_FILE_GAUGES)
            {
                Gauge.builder("outpost.mirror.file.lag.versions", l, FileLag::lag)
                    .description("history versions of one server file not yet mirrored (the first " +
                        MAX_FILE_GAUGES + " files)").tags("app", appId, "file", n).register(metrics.registry());
                Gauge.builder("outpost.mirror.file.lag.seconds", l, x -> 0 == x.unmirroredSinceNanos ? 0 :
                        (System.nanoTime() - x.unmirroredSinceNanos) / 1e9).baseUnit("seconds")
                    .description("age of the oldest version of one server file not yet mirrored")
                    .tags("app", appId, "file", n).register(metrics.registry());
            }
            return l;
        });
    }

    private void observeHeads()
    {
        final long now = System.nanoTime();
        refreshNames();
        for (final String name : names)
        {
            final FileLag l = lag(name);
            final long head = store.head(name);
            l.head = head;
            l.seen(head, now);
            final Map<String, Long> known = positions;
            if (l.mirrored < 0 && null != known)
            {
                l.mirrored = known.getOrDefault(name, 0L);
            }
            l.refresh(now);
        }
    }

    /**
     * Reader thread: learn the names of server files created since the last call. The store lists names only by
     * visiting its files (loading those not resident), so this runs when the file count changed, at most every
     * {@link #NAME_SCAN_INTERVAL_NS}.
     */
    private void refreshNames()
    {
        long count = 0;
        for (int i = 0; i < store.shardCount(); i++)
        {
            count += store.shard(i).serverFileCount();
        }
        final long now = System.nanoTime();
        if (count == knownFileCount || now - lastNameScan < NAME_SCAN_INTERVAL_NS)
        {
            return;
        }
        lastNameScan = now;
        final java.util.Set<String> known = new java.util.HashSet<>(names);
        store.forEachServerFile(f ->
        {
            if (known.add(f.name()))
            {
                names.add(f.name());
            }
        });
        knownFileCount = count;
    }

    // ------------------------------------------------------------------------------------------- mirror thread

    /** One server file as the mirror sees it. Mirror thread only. */
    private static final class FileMirror
    {
        ServerFile file;
        final Value partition;
        // the mirror's flat state while the history fits it, else null and ot-core's state (then never back)
        FlatState flat;
        ObjectState state = new ObjectState();
        ChangesetApplier applier = new ChangesetApplier(state);
        InstructionApplier instructions = new InstructionApplier(state);
        long applied;
        long committed;
        long lastChanged; // the reader's batch count when this file last had changes
        boolean recreated; // deleted and created again: rows of the old history may exist, so no COPY
        // touched objects by class, in first-touch order: hashed (no Value.ORDER comparisons per instruction)
        final HashMap<String, LinkedHashSet<Value>> dirty = new HashMap<>();
        final TreeSet<String> schemaDirty = new TreeSet<>();
        final List<String[]> reports = new ArrayList<>(); // kind, class, key, version, message
        // keys of the batch's dirty objects that were not in the state before the batch (so have no row): COPY
        final HashMap<String, java.util.HashSet<Value>> fresh = new HashMap<>();
        // classes erased from this file's history at some time: their tables keep rows the state no longer knows
        final Set<String> erased = new java.util.HashSet<>();

        FileMirror(final ServerFile file, final Value partition, final boolean flat)
        {
            this.file = file;
            this.partition = partition;
            this.flat = flat ? new FlatState() : null;
        }

        /** @return what instructions are applied to: the flat state, or ot-core's. */
        InstructionSink target()
        {
            return null != flat ? flat : instructions;
        }

        /** @return whether the state holds the object {@code key} of {@code table}. */
        boolean has(final String table, final Value key)
        {
            if (null != flat)
            {
                return flat.has(table, key);
            }
            final TableData t = state.table(table);
            return null != t && null != t.object(key);
        }

        /** From now on ot-core's state: the flat state's classes and objects, as ot-core's applier builds them. */
        void promote()
        {
            try
            {
                state = flat.toObjectState();
            }
            catch (final BadChangesetException ex)
            {
                throw new IllegalStateException("flat state of " + file.name() + " not valid for ot-core: " +
                    ex.getMessage(), ex); // a bug: the flat state holds only what ot-core's applier accepted
            }
            applier = new ChangesetApplier(state);
            instructions = new InstructionApplier(state);
            flat = null;
        }

        boolean changed()
        {
            return applied != committed;
        }

        void clearBatch()
        {
            dirty.clear();
            schemaDirty.clear();
            reports.clear();
            fresh.clear(); // the sets themselves now belong to the FileBatch
            committed = applied;
        }
    }

    /** A class of a server file's state as a batch needs it (link targets' keys, columns). */
    private record TableInfo(boolean embedded, String pkField, int pkType, List<ColumnSpec> columns)
    {
    }

    /**
     * What one server file contributes to a batch, copied from its state by the reader thread: the writer thread
     * works on this alone, so the reader applies the next batch meanwhile (the two phases overlap).
     */
    private static final class FileBatch
    {
        final ServerFile file;
        final Value partition;
        final long applied;
        final Map<String, TableInfo> tables = new HashMap<>();
        final HashMap<String, TableRows> dirty = new HashMap<>();
        final TreeSet<String> schemaDirty;
        final List<String[]> reports;
        final Map<String, java.util.HashSet<Value>> fresh; // dirty objects without a row: written with COPY

        FileBatch(final FileMirror m)
        {
            this.file = m.file;
            this.fresh = m.recreated ? new HashMap<>() : new HashMap<>(m.fresh);
            this.partition = m.partition;
            this.applied = m.applied;
            this.schemaDirty = new TreeSet<>(m.schemaDirty);
            this.reports = new ArrayList<>(m.reports);
            if (null != m.flat)
            {
                flat(m.flat, m.dirty);
                return;
            }
            for (final TableData t : m.state.tables().values())
            {
                tables.put(t.name(), new TableInfo(t.isEmbedded(), t.pkField(), t.pkType(),
                    List.copyOf(t.columns().values())));
            }
            for (final Map.Entry<String, LinkedHashSet<Value>> e : m.dirty.entrySet())
            {
                final TableData t = m.state.table(e.getKey());
                final TableRows rows = new TableRows(new ArrayList<>(e.getValue().size()), new ArrayList<>());
                for (final Value key : e.getValue())
                {
                    final ObjectData o = null == t ? null : t.object(key);
                    if (null == o)
                    {
                        rows.deletes.add(new Row(this, key, null, null, null, null));
                    }
                    else
                    {
                        rows.upserts.add(new Row(this, key, o.copy(), null, null, null));
                    }
                }
                dirty.put(e.getKey(), rows);
            }
        }

        /**
         * The flat state's classes and touched rows: each row's value array as it is (no copy), marked shared so that
         * the reader copies it before changing it again; a class's column maps are replaced, never changed.
         */
        private void flat(final FlatState state, final HashMap<String, LinkedHashSet<Value>> touched)
        {
            for (final FlatState.Table t : state.tables().values())
            {
                tables.put(t.name, new TableInfo(false, t.pkField, t.pkType, List.copyOf(t.columns.values())));
            }
            for (final Map.Entry<String, LinkedHashSet<Value>> e : touched.entrySet())
            {
                final FlatState.Table t = state.table(e.getKey());
                final TableRows rows = new TableRows(new ArrayList<>(e.getValue().size()), new ArrayList<>());
                for (final Value key : e.getValue())
                {
                    final FlatState.Row r = null == t ? null : t.rows.get(key);
                    if (null == r)
                    {
                        rows.deletes.add(new Row(this, key, null, null, null, null));
                    }
                    else
                    {
                        r.shared = true;
                        rows.upserts.add(new Row(this, key, null, r.values, t, t.slots));
                    }
                }
                dirty.put(e.getKey(), rows);
            }
        }
    }

    /** The touched objects of one class in a batch: those to upsert (copied) and those deleted. */
    private record TableRows(List<Row> upserts, List<Row> deletes)
    {
    }

    /** Reader thread: history -> object states -> batches handed to the writer thread. */
    private void run()
    {
        history = store.newReader();
        writer.start();
        long backoff = BACKOFF_MIN_MS;
        while (running)
        {
            try
            {
                observeHeads();
                if (null == positions)
                {
                    sleep(IDLE_SLEEP_MS); // the writer has not read the positions yet
                    continue;
                }
                final long t0 = System.nanoTime();
                final boolean worked = readBatch();
                evictIdle();
                if (!worked)
                {
                    sleep(IDLE_SLEEP_MS);
                    continue;
                }
                final List<FileBatch> batch = new ArrayList<>();
                readBatches++;
                for (final FileMirror f : files.values())
                {
                    if (f.changed())
                    {
                        batch.add(new FileBatch(f));
                        f.clearBatch();
                        f.lastChanged = readBatches;
                    }
                }
                readTimer.record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
                while (running && !handoff.offer(batch, IDLE_SLEEP_MS, TimeUnit.MILLISECONDS))
                {
                    observeHeads();
                }
                backoff = BACKOFF_MIN_MS;
            }
            catch (final InterruptedException ex)
            {
                break;
            }
            catch (final RuntimeException ex)
            {
                if (!running)
                {
                    break;
                }
                failed(ex);
                sleep(backoff);
                backoff = Math.min(BACKOFF_MAX_MS, backoff * 2);
            }
        }
        history.close();
    }

    /** Writer thread: each batch written and committed, retried (with backoff) until it is. */
    private void writeLoop()
    {
        long backoff = BACKOFF_MIN_MS;
        List<FileBatch> batch = null;
        while (running)
        {
            try
            {
                if (null == conn)
                {
                    connect();
                    backoff = BACKOFF_MIN_MS;
                }
                if (null == batch)
                {
                    batch = handoff.poll(IDLE_SLEEP_MS, TimeUnit.MILLISECONDS);
                }
                if (null != batch && running)
                {
                    final long t0 = System.nanoTime();
                    flush(batch);
                    writeTimer.record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
                    batch = null;
                }
            }
            catch (final InterruptedException ex)
            {
                break;
            }
            catch (final SQLException | RuntimeException ex)
            {
                if (!running)
                {
                    break;
                }
                failed(ex);
                closeConnection();
                sleep(backoff);
                backoff = Math.min(BACKOFF_MAX_MS, backoff * 2);
            }
        }
        closeConnection();
    }

    private void failed(final Exception ex)
    {
        connectionFailures.increment();
        final String message = ex instanceof SQLException s ? "PostgreSQL " + s.getSQLState() + ": " +
            oneLine(s.getMessage()) : ex.toString();
        if (!message.equals(lastError) || connected)
        {
            // each distinct failure once, and each loss of the connection
            if (ex instanceof SQLException)
            {
                LOG.log(System.Logger.Level.WARNING, "app '" + appId + "': mirror into " + settings.redactedUrl() +
                    " paused, retrying: " + message);
            }
            else
            {
                LOG.log(System.Logger.Level.ERROR, "app '" + appId + "': mirror failed, retrying", ex);
            }
        }
        lastError = message;
    }

    /**
     * @return PostgreSQL's message on one line, cut to {@link #MAX_MESSAGE_CHARS} (an array statement's refusal can
     * quote its whole array: thousands of rows' values, for a log line, the status page and the error table).
     */
    static String oneLine(final String s)
    {
        if (null == s)
        {
            return "";
        }
        final String line = s.replace('\n', ' ');
        return line.length() <= MAX_MESSAGE_CHARS ? line : line.substring(0, MAX_MESSAGE_CHARS) + "... (" +
            (line.length() - MAX_MESSAGE_CHARS) + " more characters)";
    }

    private void sleep(final long ms)
    {
        try
        {
            Thread.sleep(ms);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    private void connect() throws SQLException
    {
        final Properties p = settings.properties();
        p.putIfAbsent("ApplicationName", "outpost-mirror");
        p.putIfAbsent("connectTimeout", "10");
        p.putIfAbsent("socketTimeout", "120");
        p.putIfAbsent("tcpKeepAlive", "true");
        final Connection c = DriverManager.getConnection(settings.jdbcUrl(), p);
        try
        {
            c.setAutoCommit(true);
            try (Statement st = c.createStatement())
            {
                st.execute("CREATE SCHEMA IF NOT EXISTS " + schema);
                st.execute("CREATE TABLE IF NOT EXISTS " + schema + "." + PgMapping.quote(POSITION_TABLE) +
                    " (server_file text PRIMARY KEY, version bigint NOT NULL, " +
                    "mirrored_at timestamptz NOT NULL DEFAULT now())");
                st.execute("CREATE TABLE IF NOT EXISTS " + schema + "." + PgMapping.quote(ERROR_TABLE) +
                    " (id bigserial PRIMARY KEY, at timestamptz NOT NULL DEFAULT now(), server_file text, " +
                    "version bigint, class text, object_key text, kind text NOT NULL, message text NOT NULL)");
                try (ResultSet rs = st.executeQuery("SELECT pg_try_advisory_lock(hashtext('outpost-mirror:' || " +
                    "current_database() || '.' || " + literal(settings.schema()) + "))"))
                {
                    rs.next();
                    if (!rs.getBoolean(1))
                    {
                        throw new SQLException("another server mirrors into schema " + settings.schema() +
                            " of this database (advisory lock held)", "55P03");
                    }
                }
                PgInboundCapture.prepare(st, settings); // the inbound path's outbox and trigger function
            }
            final Map<String, Long> pos = new HashMap<>();
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT server_file, version " +
                "FROM " + schema + "." + PgMapping.quote(POSITION_TABLE)))
            {
                while (rs.next())
                {
                    pos.put(rs.getString(1), rs.getLong(2));
                }
            }
            reloadColumns(c);
            PgInboundCapture.attachAll(c, settings, dbColumns.keySet()); // capture on the tables there already
            c.setAutoCommit(false);
            if (null == positions)
            {
                positions = Map.copyOf(pos);
            }
            // reconnected with a batch whose commit outcome was unknown: it is written again, rows are idempotent
            conn = c;
            if (!connected)
            {
                LOG.log(System.Logger.Level.INFO, "app '" + appId + "': mirror connected to " +
                    settings.redactedUrl());
            }
            connected = true;
            lastError = null;
        }
        catch (final SQLException | RuntimeException ex)
        {
            closeQuietly(c);
            throw ex;
        }
    }

    private static String literal(final String s)
    {
        return "'" + s.replace("'", "''") + "'";
    }

    private void closeConnection()
    {
        connected = false;
        if (null != conn)
        {
            closeQuietly(conn);
            conn = null;
        }
    }

    private static void closeQuietly(final Connection c)
    {
        try
        {
            c.close();
        }
        catch (final SQLException ignored)
        {
            // the connection is gone anyway
        }
    }

    /**
     * Reader thread, when the store deleted server files since the last look (admin API): a file the mirror knows
     * whose salt changed (deleted, and created again under the same name: a new history) or that is gone is
     * forgotten here, and mirrored again from version 1 when it has versions. Its rows stay in PostgreSQL (see the
     * README, "Your data in PostgreSQL"): the new history's objects are upserted over them, never COPYed.
     */
    private void checkDeletions()
    {
        final long deletions = store.deletions();
        if (deletions == deletionsSeen)
        {
            return;
        }
        deletionsSeen = deletions;
        for (final Map.Entry<String, Long> e : new ArrayList<>(salts.entrySet()))
        {
            final String name = e.getKey();
            if (store.salt(name) != e.getValue())
            {
                salts.remove(name);
                files.remove(name);
                recreated.add(name);
                lag(name).mirrored = 0;
                LOG.log(System.Logger.Level.INFO, "app '" + appId + "': server file " + name + " was deleted; " +
                    "its rows stay, a new history of that name is mirrored from version 1");
            }
        }
    }

    /** Read published changesets of every server file into the states; @return whether anything was read. */
    private boolean readBatch()
    {
        checkDeletions();
        final List<String> all = names;
        int budget = batchChangesets;
        // start where the last batch stopped, so one busy server file cannot starve the others
        final int first = all.isEmpty() ? 0 : (int)(rotation++ % all.size());
        for (int i = 0; i < all.size(); i++)
        {
            final String name = all.get((first + i) % all.size());
            if (budget <= 0 || !running)
            {
                break;
            }
            FileMirror m = files.get(name);
            final long head = store.head(name);
            if (null != m && head <= m.applied)
            {
                continue;
            }
            // the store's current index object: one held from an earlier lookup stops at the head it had when the
            // store evicted it
            final ServerFile f = store.serverFile(name);
            if (null == f)
            {
                continue;
            }
            if (null == m)
            {
                m = open(f);
                files.put(name, m);
            }
            m.file = f;
            final long to = Math.min(f.head(), m.applied + budget);
            for (long v = m.applied + 1; v <= to && running; v++)
            {
                apply(m, v, true);
                budget--;
            }
        }
        return files.values().stream().anyMatch(FileMirror::changed);
    }

    /**
     * Reader thread: while more than {@code residentFiles} states are held, drop those of the least recently changed
     * files whose every read version is committed (nothing pending here or at the writer), so that {@link #open}
     * rebuilds exactly that state from the committed position if they change again: no gap, no duplicate.
     */
    private void evictIdle()
    {
        if (files.size() > residentFiles)
        {
            final List<FileMirror> idle = new ArrayList<>();
            for (final FileMirror m : files.values())
            {
                final FileLag l = lags.get(m.file.name());
                if (!m.changed() && null != l && l.mirrored >= m.applied)
                {
                    idle.add(m);
                }
            }
            idle.sort(java.util.Comparator.comparingLong(m -> m.lastChanged));
            for (int i = 0; i < idle.size() && files.size() > residentFiles; i++)
            {
                files.remove(idle.get(i).file.name());
                evictions.increment();
            }
        }
        resident = files.size();
    }

    private FileMirror open(final ServerFile f)
    {
        final FileMirror m = new FileMirror(f, partitionValue(f.name()), PATH_FLAT == path);
        salts.put(f.name(), f.salt());
        // the last committed version: the position read at connect, or a later commit's (a file evicted and reopened);
        // none for a file deleted and created again (its rows may still be there: never COPY over them)
        m.recreated = recreated.contains(f.name());
        final FileLag known = lags.get(f.name());
        final long position = m.recreated ? 0 : null != known && known.mirrored >= 0 ? known.mirrored :
            positions.getOrDefault(f.name(), 0L);
        final long upTo = Math.min(position, f.head());
        if (position > f.head())
        {
            LOG.log(System.Logger.Level.WARNING, "app '" + appId + "': server file " + f.name() + " is mirrored up " +
                "to version " + position + " but its history ends at " + f.head() + "; mirroring from there");
        }
        // rebuild the state as of the committed position (no rows: they are in PostgreSQL already)
        for (long v = 1; v <= upTo && running; v++)
        {
            apply(m, v, false);
        }
        m.committed = m.applied;
        lag(f.name()).mirrored = position;
        return m;
    }

    private void apply(final FileMirror m, final long version, final boolean track)
    {
        m.applied = version;
        if (!history.read(m.file, version, view))
        {
            report(m, track, "unreadable_version", null, null, version, "version " + version + " unreadable");
            return;
        }
        if (0 != RevertEntryMarker.targetOf(view))
        {
            return; // a revert entry for one client, never part of the server's state
        }
        if (PATH_MODEL == path)
        {
            applyModel(m, version, track);
            return;
        }
        if (null != m.flat)
        {
            sink.begin(m, track);
            m.flat.begin();
            try
            {
                decoder.decode(view.changeset(), 0, view.changesetLength(), sink);
                m.flat.commit();
                sink.commit();
                return;
            }
            catch (final CodecException | BadChangesetException ex)
            {
                m.flat.rollback();
                sink.rollback();
            }
            m.promote(); // not for the flat state (or refused): ot-core's state decides, as it always did
            promotions.increment();
        }
        // the stored bytes decoded straight into the state (no model objects), the batch's bookkeeping on the way
        sink.begin(m, track);
        m.instructions.begin();
        try
        {
            decoder.decode(view.changeset(), 0, view.changesetLength(), sink);
            m.instructions.commit();
            sink.commit();
            return;
        }
        catch (final CodecException | BadChangesetException ex)
        {
            m.instructions.rollback();
            sink.rollback();
        }
        applyModel(m, version, track); // the same changeset through the model: the same report as ever
    }

    /**
     * The model path ({@link ChangesetReader}, {@link ChangesetApplier}): for a changeset the streaming path refused,
     * so that what is reported (and any state change) is exactly what it always was.
     */
    private void applyModel(final FileMirror m, final long version, final boolean track)
    {
        final Changeset c;
        try
        {
            c = reader.read(view.changeset(), 0, view.changesetLength(), new Changeset());
        }
        catch (final CodecException ex)
        {
            report(m, track, "bad_changeset", null, null, version, "version " + version + " does not parse");
            return;
        }
        final List<ObjectInstruction> creates = freshCreates(m, c, track);
        final ApplyResult r = m.applier.apply(c);
        if (!r.ok())
        {
            report(m, track, "bad_changeset", null, null, version, "version " + version + " does not apply: " +
                r.message());
            return;
        }
        if (!track)
        {
            return;
        }
        if (null != creates)
        {
            for (final ObjectInstruction o : creates)
            {
                m.fresh.computeIfAbsent(o.table(), t -> new java.util.HashSet<>()).add(ModelValues.key(o.object()));
            }
        }
        for (final Instruction i : c.instructions())
        {
            final String table = i.table();
            switch (i.type())
            {
                case Instr.ADD_TABLE, Instr.ADD_COLUMN -> m.schemaDirty.add(table);
                case Instr.ERASE_TABLE -> report(m, true, "destructive_schema_change", table, null, version,
                    "EraseTable of class " + table + ": the table and its rows are kept");
                case Instr.ERASE_COLUMN -> report(m, true, "destructive_schema_change", table, null, version,
                    "EraseColumn " + table + "." + ((dev.outpost.ot.model.EraseColumn)i).field() +
                        ": the column and its values are kept");
                default ->
                {
                    if (i instanceof ObjectInstruction o)
                    {
                        final Value key = ModelValues.key(o.object());
                        if (null == key)
                        {
                            report(m, true, "unsupported_key", table, null, version, "object without a primary " +
                                "key (global key) not mirrored");
                        }
                        else
                        {
                            LinkedHashSet<Value> keys = m.dirty.get(table);
                            if (null == keys)
                            {
                                keys = new LinkedHashSet<>();
                                m.dirty.put(table, keys);
                            }
                            keys.add(key);
                        }
                    }
                }
            }
        }
    }

    /**
     * Before {@code c} is applied: its CreateObjects of objects that are neither dirty in this batch yet nor in the
     * state, i.e. objects without a row in PostgreSQL (the state is exactly the committed position's, rebuilt from
     * it after an eviction or a restart), unless their class was ever erased (its table keeps rows the state has
     * forgotten). Notes the erased classes on the way (also while rebuilding).
     *
     * @return those CreateObjects, or null.
     */
    private static List<ObjectInstruction> freshCreates(final FileMirror m, final Changeset c, final boolean track)
    {
        List<ObjectInstruction> creates = null;
        for (final Instruction i : c.instructions())
        {
            final int type = i.type();
            if (Instr.ERASE_TABLE == type)
            {
                m.erased.add(i.table());
            }
            else if (track && Instr.CREATE_OBJECT == type && !m.erased.contains(i.table()))
            {
                final ObjectInstruction o = (ObjectInstruction)i;
                final Value key = ModelValues.key(o.object());
                final java.util.Set<Value> dirty = m.dirty.get(i.table());
                final TableData t = m.state.table(i.table());
                if (null != key && (null == dirty || !dirty.contains(key)) && (null == t || null == t.object(key)))
                {
                    (null == creates ? creates = new ArrayList<>() : creates).add(o);
                }
            }
        }
        return creates;
    }

    /**
     * Reader thread: applies each instruction of a changeset to a file's state ({@link InstructionApplier}, journaled
     * by the caller) and keeps the batch's bookkeeping as it goes, exactly as the model path does after a whole
     * changeset applied: the touched keys per class, the keys of new objects (no row yet: COPY), the classes whose
     * schema changed, the destructive schema changes reported, the erased classes. What one changeset added is undone
     * by {@link #rollback} (the changeset then goes through the model path, which decides what is reported).
     */
    private final class TrackingSink implements InstructionSink
    {
        private FileMirror m;
        private InstructionSink target;
        private boolean track;
        private final List<String> touchedTables = new ArrayList<>();
        private final List<Value> touchedKeys = new ArrayList<>();
        private final List<String> freshTables = new ArrayList<>();
        private final List<Value> freshKeys = new ArrayList<>();
        private final List<String> schemaAdded = new ArrayList<>();
        private final List<String> erasedAdded = new ArrayList<>();
        private int reportsBefore;

        void begin(final FileMirror m, final boolean track)
        {
            this.m = m;
            this.target = m.target();
            this.track = track;
            reportsBefore = m.reports.size();
        }

        void commit()
        {
            clear();
        }

        void rollback()
        {
            for (int i = touchedKeys.size() - 1; i >= 0; i--)
            {
                final LinkedHashSet<Value> keys = m.dirty.get(touchedTables.get(i));
                keys.remove(touchedKeys.get(i));
                if (keys.isEmpty())
                {
                    m.dirty.remove(touchedTables.get(i));
                }
            }
            for (int i = freshKeys.size() - 1; i >= 0; i--)
            {
                final java.util.HashSet<Value> keys = m.fresh.get(freshTables.get(i));
                keys.remove(freshKeys.get(i));
                if (keys.isEmpty())
                {
                    m.fresh.remove(freshTables.get(i));
                }
            }
            for (final String t : schemaAdded)
            {
                m.schemaDirty.remove(t);
            }
            for (final String t : erasedAdded)
            {
                m.erased.remove(t);
            }
            m.reports.subList(reportsBefore, m.reports.size()).clear();
            clear();
        }

        private void clear()
        {
            touchedTables.clear();
            touchedKeys.clear();
            freshTables.clear();
            freshKeys.clear();
            schemaAdded.clear();
            erasedAdded.clear();
        }

        private void touch(final String table, final Value key)
        {
            if (!track)
            {
                return;
            }
            LinkedHashSet<Value> keys = m.dirty.get(table);
            if (null == keys)
            {
                keys = new LinkedHashSet<>();
                m.dirty.put(table, keys);
            }
            if (keys.add(key))
            {
                touchedTables.add(table);
                touchedKeys.add(key);
            }
        }

        private void schema(final String table)
        {
            if (track && m.schemaDirty.add(table))
            {
                schemaAdded.add(table);
            }
        }

        @Override
        public void addTable(final String table, final int tableType, final String pkField, final int pkType,
            final boolean pkNullable) throws BadChangesetException
        {
            target.addTable(table, tableType, pkField, pkType, pkNullable);
            schema(table);
        }

        @Override
        public void eraseTable(final String table) throws BadChangesetException
        {
            if (m.erased.add(table))
            {
                erasedAdded.add(table);
            }
            target.eraseTable(table);
            if (track)
            {
                report(m, true, "destructive_schema_change", table, null, m.applied, "EraseTable of class " + table +
                    ": the table and its rows are kept");
            }
        }

        @Override
        public void addColumn(final String table, final String field, final int type, final boolean nullable,
            final int collectionType, final String linkTarget, final int keyType) throws BadChangesetException
        {
            target.addColumn(table, field, type, nullable, collectionType, linkTarget, keyType);
            schema(table);
        }

        @Override
        public void eraseColumn(final String table, final String field) throws BadChangesetException
        {
            target.eraseColumn(table, field);
            if (track)
            {
                report(m, true, "destructive_schema_change", table, null, m.applied, "EraseColumn " + table + "." +
                    field + ": the column and its values are kept");
            }
        }

        @Override
        public void createObject(final String table, final Value key) throws BadChangesetException
        {
            if (track && !m.erased.contains(table))
            {
                // new: neither touched in this batch nor in the state (which is exactly the committed position's)
                final LinkedHashSet<Value> dirty = m.dirty.get(table);
                if ((null == dirty || !dirty.contains(key)) && !m.has(table, key))
                {
                    java.util.HashSet<Value> keys = m.fresh.get(table);
                    if (null == keys)
                    {
                        keys = new java.util.HashSet<>();
                        m.fresh.put(table, keys);
                    }
                    if (keys.add(key))
                    {
                        freshTables.add(table);
                        freshKeys.add(key);
                    }
                }
            }
            target.createObject(table, key);
            touch(table, key);
        }

        @Override
        public void eraseObject(final String table, final Value key) throws BadChangesetException
        {
            target.eraseObject(table, key);
            touch(table, key);
        }

        @Override
        public void update(final String table, final Value key, final String field, final Object[] path,
            final int payloadType, final Value value, final boolean isDefault, final long priorSize)
            throws BadChangesetException
        {
            target.update(table, key, field, path, payloadType, value, isDefault, priorSize);
            touch(table, key);
        }

        @Override
        public void addInteger(final String table, final Value key, final String field, final Object[] path,
            final long increment) throws BadChangesetException
        {
            target.addInteger(table, key, field, path, increment);
            touch(table, key);
        }

        @Override
        public void arrayInsert(final String table, final Value key, final String field, final Object[] path,
            final int payloadType, final Value value, final long priorSize) throws BadChangesetException
        {
            target.arrayInsert(table, key, field, path, payloadType, value, priorSize);
            touch(table, key);
        }

        @Override
        public void arrayMove(final String table, final Value key, final String field, final Object[] path,
            final long to, final long priorSize) throws BadChangesetException
        {
            target.arrayMove(table, key, field, path, to, priorSize);
            touch(table, key);
        }

        @Override
        public void arrayErase(final String table, final Value key, final String field, final Object[] path,
            final long priorSize) throws BadChangesetException
        {
            target.arrayErase(table, key, field, path, priorSize);
            touch(table, key);
        }

        @Override
        public void clear(final String table, final Value key, final String field, final Object[] path,
            final int collectionType) throws BadChangesetException
        {
            target.clear(table, key, field, path, collectionType);
            touch(table, key);
        }

        @Override
        public void setInsert(final String table, final Value key, final String field, final Object[] path,
            final int payloadType, final Value value) throws BadChangesetException
        {
            target.setInsert(table, key, field, path, payloadType, value);
            touch(table, key);
        }

        @Override
        public void setErase(final String table, final Value key, final String field, final Object[] path,
            final int payloadType, final Value value) throws BadChangesetException
        {
            target.setErase(table, key, field, path, payloadType, value);
            touch(table, key);
        }
    }

    private void report(final FileMirror m, final boolean track, final String kind, final String table,
        final String key, final long version, final String message)
    {
        if (track)
        {
            m.reports.add(new String[]{kind, table, key, Long.toString(version), message});
        }
        else
        {
            LOG.log(System.Logger.Level.WARNING, "app '" + appId + "': server file " + m.file.name() + ": " + message);
        }
    }

    private Value partitionValue(final String name)
    {
        if (!name.startsWith(pbsPrefix))
        {
            return null;
        }
        final String raw = name.substring(pbsPrefix.length());
        final String text = PartitionValues.text(raw);
        if ("bigint".equals(partitionType))
        {
            try
            {
                return new Value.Int(Long.parseLong(text));
            }
            catch (final NumberFormatException ex)
            {
                return new Value.Str(raw); // refused by the bigint column: reported
            }
        }
        return new Value.Str(text);
    }

    // ------------------------------------------------------------------------------------------- writing

    private void flush(final List<FileBatch> batch) throws SQLException
    {
        SQLException ex = attempt(batch, false);
        if (null != ex && UNIQUE_VIOLATION.equals(ex.getSQLState()))
        {
            // a new object's row was there after all (inserted with SQL, captured by the inbound path): upsert it
            LOG.log(System.Logger.Level.DEBUG, () -> "app '" + appId + "': COPY of new rows refused (a row " +
                "exists); writing the batch with upserts");
            ex = attempt(batch, true);
        }
        if (null != ex)
        {
            // PostgreSQL refused a statement: again, each statement alone, the refused ones reported
            LOG.log(System.Logger.Level.WARNING, "app '" + appId + "': mirror batch refused (" + ex.getSQLState() +
                ": " + oneLine(ex.getMessage()) + "); writing it row by row");
            rewritten.increment();
            reloadColumns(conn);
            write(batch, true, true);
            conn.commit();
        }
        batches.increment();
        for (final FileBatch f : batch)
        {
            reported.increment(f.reports.size());
            lag(f.file.name()).mirrored = f.applied;
        }
    }

    /** Write and commit {@code batch}; @return null, or what PostgreSQL refused (rolled back, connection valid). */
    private SQLException attempt(final List<FileBatch> batch, final boolean noCopy) throws SQLException
    {
        try
        {
            copiedInBatch = 0;
            write(batch, false, noCopy);
            conn.commit();
            rowsCopied.increment(copiedInBatch);
            return null;
        }
        catch (final SQLException ex)
        {
            rollbackQuietly();
            if (!conn.isValid(2))
            {
                throw ex;
            }
            return ex;
        }
    }

    private void rollbackQuietly()
    {
        try
        {
            conn.rollback();
        }
        catch (final SQLException ignored)
        {
            // checked by isValid next
        }
    }

    /** Read the mirror schema's tables and columns as PostgreSQL has them. */
    private void reloadColumns(final Connection c) throws SQLException
    {
        dbColumns.clear();
        arraySqls.clear();
        copySqls.clear();
        try (PreparedStatement st = c.prepareStatement("SELECT table_name, column_name, data_type FROM " +
            "information_schema.columns WHERE table_schema = ?"))
        {
            st.setString(1, settings.schema());
            try (ResultSet rs = st.executeQuery())
            {
                while (rs.next())
                {
                    dbColumns.computeIfAbsent(rs.getString(1), t -> new HashMap<>())
                        .put(rs.getString(2), rs.getString(3));
                }
            }
        }
    }

    /** One INSERT shape: a class, its partition, its columns. */
    private record Shape(String table, boolean partitioned, String pkField, String pkType, List<ColumnSpec> columns,
        List<String> types)
    {
    }

    /**
     * One touched object of a batch: a copy of ot-core's object, or a flat row's values (with its class's slots as
     * the batch was built), or neither for a deleted object.
     */
    private record Row(FileBatch file, Value key, ObjectData object, Value[] values, FlatState.Table table,
        Map<String, Integer> slots)
    {
        Value field(final ColumnSpec column)
        {
            return null != object ? PgMapping.field(object, column) : table.field(key, values, slots, column);
        }
    }

    /**
     * Write a batch's rows, reports and positions (the caller commits). New objects (no row: {@link FileBatch#fresh})
     * are written with {@code COPY} unless {@code careful} or {@code noCopy}, the others upserted, the erased ones
     * deleted.
     */
    private void write(final List<FileBatch> changed, final boolean careful, final boolean noCopy)
        throws SQLException
    {
        final Map<Shape, List<Row>> copies = new LinkedHashMap<>();
        final Map<Shape, List<Row>> upserts = new LinkedHashMap<>();
        final Map<Shape, List<Row>> deletes = new LinkedHashMap<>();
        for (final FileBatch f : changed)
        {
            final TreeSet<String> tables = new TreeSet<>(f.schemaDirty);
            tables.addAll(f.dirty.keySet());
            for (final String table : tables)
            {
                final Shape shape = ensureTable(f, table, careful);
                final TableRows rows = f.dirty.get(table);
                if (null == shape || null == rows)
                {
                    continue;
                }
                final java.util.Set<Value> fresh = careful || noCopy ? null : f.fresh.get(table);
                for (final Row r : rows.upserts)
                {
                    (null != fresh && fresh.contains(r.key()) ? copies : upserts)
                        .computeIfAbsent(shape, s -> new ArrayList<>()).add(r);
                }
                if (!rows.deletes.isEmpty())
                {
                    deletes.computeIfAbsent(deleteShape(shape), s -> new ArrayList<>()).addAll(rows.deletes);
                }
            }
            for (final String[] r : f.reports)
            {
                insertError(f, r[0], r[1], r[2], Long.parseLong(r[3]), r[4]);
                LOG.log(System.Logger.Level.WARNING, "app '" + appId + "': mirror of " + f.file.name() + ": " + r[4]);
            }
        }
        for (final Map.Entry<Shape, List<Row>> e : copies.entrySet())
        {
            if (e.getValue().size() >= MIN_ROWS_FOR_COPY)
            {
                copyRows(e.getKey(), e.getValue());
            }
            else
            {
                upserts.computeIfAbsent(e.getKey(), s -> new ArrayList<>()).addAll(e.getValue());
            }
        }
        for (final Map.Entry<Shape, List<Row>> e : upserts.entrySet())
        {
            rows(e.getKey(), e.getValue(), careful, false);
        }
        for (final Map.Entry<Shape, List<Row>> e : deletes.entrySet())
        {
            rows(e.getKey(), e.getValue(), careful, true);
        }
        // positions, in the same transaction as the rows
        for (int from = 0; from < changed.size(); from += MAX_ROWS_PER_STATEMENT)
        {
            final List<FileBatch> chunk = changed.subList(from, Math.min(changed.size(), from + MAX_ROWS_PER_STATEMENT));
            final StringBuilder sql = new StringBuilder("INSERT INTO ").append(schema).append('.')
                .append(PgMapping.quote(POSITION_TABLE)).append(" (server_file, version) VALUES ");
            for (int i = 0; i < chunk.size(); i++)
            {
                sql.append(i == 0 ? "(?, ?)" : ", (?, ?)");
            }
            sql.append(" ON CONFLICT (server_file) DO UPDATE SET version = EXCLUDED.version, mirrored_at = now()");
            try (PreparedStatement st = conn.prepareStatement(sql.toString()))
            {
                int p = 1;
                for (final FileBatch f : chunk)
                {
                    st.setString(p++, f.file.name());
                    st.setLong(p++, f.applied);
                }
                st.executeUpdate();
            }
        }
    }

    private static Shape deleteShape(final Shape s)
    {
        return new Shape(s.table, s.partitioned, s.pkField, s.pkType, List.of(), List.of());
    }

    private void rows(final Shape shape, final List<Row> rows, final boolean careful, final boolean delete)
        throws SQLException
    {
        if (!careful && rows.size() >= MIN_ROWS_FOR_ARRAYS)
        {
            arrayRows(shape, rows, delete);
            return;
        }
        final int chunkSize = careful ? 1 : MAX_ROWS_PER_STATEMENT;
        for (int from = 0; from < rows.size(); from += chunkSize)
        {
            final List<Row> chunk = rows.subList(from, Math.min(rows.size(), from + chunkSize));
            final String sql = delete ? deleteSql(shape, chunk.size()) : upsertSql(shape, chunk.size());
            final Savepoint sp = careful ? conn.setSavepoint() : null;
            try (PreparedStatement st = conn.prepareStatement(sql))
            {
                int p = 1;
                for (final Row r : chunk)
                {
                    if (shape.partitioned)
                    {
                        PgMapping.bind(st, p++, partitionType, null, r.file.partition);
                    }
                    PgMapping.bind(st, p++, shape.pkType, null, r.key);
                    if (!delete)
                    {
                        for (int c = 0; c < shape.columns.size(); c++)
                        {
                            final ColumnSpec col = shape.columns.get(c);
                            PgMapping.bind(st, p++, shape.types.get(c), col, r.field(col));
                        }
                    }
                }
                st.executeUpdate();
                if (null != sp)
                {
                    conn.releaseSavepoint(sp);
                }
                (delete ? rowsDeleted : rowsWritten).increment(chunk.size());
            }
            catch (final SQLException | RuntimeException ex)
            {
                if (null == sp)
                {
                    throw ex instanceof SQLException s ? s : new SQLException("cannot bind a value: " + ex, "22000",
                        ex);
                }
                conn.rollback(sp);
                final Row r = chunk.get(0);
                final String message = (delete ? "DELETE" : "INSERT") + " refused: " + (ex instanceof SQLException s ?
                    s.getSQLState() + " " + oneLine(s.getMessage()) : ex.toString());
                insertError(r.file, "row_refused", shape.table, PgMapping.text(r.key), r.file.applied, message);
                reported.increment();
            }
        }
    }

    /**
     * Many rows of one shape: each column's values of up to {@link #MAX_ROWS_PER_ARRAY_STATEMENT} rows bound as one
     * array (its text form), the statement unnests them: {@code INSERT .. SELECT * FROM unnest(?::bigint[], ..) ON
     * CONFLICT DO UPDATE} or {@code DELETE .. WHERE (key) IN (SELECT * FROM unnest(..))}. PostgreSQL parses each
     * element with its column type's input function, the same text a single bind would carry, so the rows are the
     * same as the multi-row statement's; one statement text per shape (prepared once) instead of one bind per value.
     * A refused statement fails the batch, which is then written again row by row ({@code careful}).
     */
    private void arrayRows(final Shape shape, final List<Row> rows, final boolean delete) throws SQLException
    {
        final String sql = arraySqls.computeIfAbsent(new ArrayShape(shape, delete), k -> arraySql(shape, delete));
        final int keys = shape.partitioned ? 2 : 1;
        final int width = keys + (delete ? 0 : shape.columns.size());
        try (PreparedStatement st = conn.prepareStatement(sql))
        {
            for (int from = 0; from < rows.size(); from += MAX_ROWS_PER_ARRAY_STATEMENT)
            {
                final List<Row> chunk = rows.subList(from, Math.min(rows.size(), from + MAX_ROWS_PER_ARRAY_STATEMENT));
                final StringBuilder[] arrays = new StringBuilder[width];
                for (int c = 0; c < width; c++)
                {
                    arrays[c] = new StringBuilder(chunk.size() * 12).append('{');
                }
                boolean first = true;
                for (final Row r : chunk)
                {
                    int c = 0;
                    if (shape.partitioned)
                    {
                        PgMapping.arrayElement(arrays[c++], first, partitionType, null, r.file.partition);
                    }
                    PgMapping.arrayElement(arrays[c++], first, shape.pkType, null, r.key);
                    if (!delete)
                    {
                        for (int i = 0; i < shape.columns.size(); i++)
                        {
                            final ColumnSpec col = shape.columns.get(i);
                            PgMapping.arrayElement(arrays[c++], first, shape.types.get(i), col,
                                r.field(col));
                        }
                    }
                    first = false;
                }
                for (int c = 0; c < width; c++)
                {
                    st.setString(c + 1, arrays[c].append('}').toString());
                }
                st.executeUpdate();
                (delete ? rowsDeleted : rowsWritten).increment(chunk.size());
            }
        }
        catch (final RuntimeException ex)
        {
            throw new SQLException("cannot bind a value: " + ex, "22000", ex); // written again row by row
        }
    }

    /**
     * Many new rows of one shape (objects the state did not have before the batch, so without a row): one
     * {@code COPY .. FROM STDIN} (text format) in the batch's transaction. Each value is the text the array statement
     * would carry ({@link PgMapping#elementText}), escaped for COPY, parsed by the same input function: the same rows.
     * A refused COPY fails the batch like a refused array statement (a unique violation: a row PostgreSQL had after
     * all, e.g. inserted with SQL and captured by the inbound path, then written again without COPY).
     */
    private void copyRows(final Shape shape, final List<Row> rows) throws SQLException
    {
        final String sql = copySqls.computeIfAbsent(shape, this::copySql);
        final CopyIn copy = conn.unwrap(PGConnection.class).getCopyAPI().copyIn(sql);
        try
        {
            final StringBuilder sb = new StringBuilder(COPY_CHUNK_CHARS + 1024);
            for (final Row r : rows)
            {
                if (shape.partitioned)
                {
                    PgMapping.copyField(sb, true, PgMapping.elementText(partitionType, null, r.file.partition));
                }
                PgMapping.copyField(sb, !shape.partitioned, PgMapping.elementText(shape.pkType, null, r.key));
                for (int i = 0; i < shape.columns.size(); i++)
                {
                    final ColumnSpec col = shape.columns.get(i);
                    PgMapping.copyField(sb, false, PgMapping.elementText(shape.types.get(i), col,
                        r.field(col)));
                }
                sb.append('\n');
                if (sb.length() >= COPY_CHUNK_CHARS)
                {
                    final byte[] bytes = sb.toString().getBytes(StandardCharsets.UTF_8);
                    copy.writeToCopy(bytes, 0, bytes.length);
                    sb.setLength(0);
                }
            }
            final byte[] bytes = sb.toString().getBytes(StandardCharsets.UTF_8);
            copy.writeToCopy(bytes, 0, bytes.length);
            copy.endCopy();
            rowsWritten.increment(rows.size());
            copiedInBatch += rows.size();
        }
        catch (final RuntimeException ex)
        {
            throw new SQLException("cannot write a value: " + ex, "22000", ex); // written again row by row
        }
        finally
        {
            if (copy.isActive())
            {
                try
                {
                    copy.cancelCopy();
                }
                catch (final SQLException ignored)
                {
                    // the transaction is rolled back anyway
                }
            }
        }
    }

    private String copySql(final Shape shape)
    {
        final StringBuilder cols = new StringBuilder();
        if (shape.partitioned)
        {
            cols.append(PgMapping.quote(partitionColumn)).append(", ");
        }
        cols.append(PgMapping.quote(shape.pkField));
        for (final ColumnSpec c : shape.columns)
        {
            cols.append(", ").append(PgMapping.quote(c.name()));
        }
        return "COPY " + schema + "." + PgMapping.quote(shape.table) + " (" + cols + ") FROM STDIN";
    }

    /** A statement of {@link #arrayRows}: a shape, and whether it deletes. */
    private record ArrayShape(Shape shape, boolean delete)
    {
    }

    private String arraySql(final Shape shape, final boolean delete)
    {
        final StringBuilder cols = new StringBuilder();
        final StringBuilder arrays = new StringBuilder();
        final StringBuilder key = new StringBuilder();
        if (shape.partitioned)
        {
            cols.append(PgMapping.quote(partitionColumn)).append(", ");
            arrays.append("?::").append(partitionType).append("[], ");
            key.append(PgMapping.quote(partitionColumn)).append(", ");
        }
        cols.append(PgMapping.quote(shape.pkField));
        arrays.append("?::").append(shape.pkType).append("[]");
        key.append(PgMapping.quote(shape.pkField));
        final String table = schema + "." + PgMapping.quote(shape.table);
        if (delete)
        {
            return "DELETE FROM " + table + " WHERE (" + key + ") IN (SELECT * FROM unnest(" + arrays + "))";
        }
        final StringBuilder set = new StringBuilder();
        for (int c = 0; c < shape.columns.size(); c++)
        {
            final String q = PgMapping.quote(shape.columns.get(c).name());
            cols.append(", ").append(q);
            arrays.append(", ?::").append(shape.types.get(c)).append("[]");
            set.append(set.isEmpty() ? "" : ", ").append(q).append(" = EXCLUDED.").append(q);
        }
        return "INSERT INTO " + table + " (" + cols + ") SELECT * FROM unnest(" + arrays + ") ON CONFLICT (" + key +
            ") DO " + (set.isEmpty() ? "NOTHING" : "UPDATE SET " + set);
    }

    private String upsertSql(final Shape shape, final int rows)
    {
        final StringBuilder cols = new StringBuilder();
        final StringBuilder values = new StringBuilder("(");
        final StringBuilder key = new StringBuilder();
        if (shape.partitioned)
        {
            cols.append(PgMapping.quote(partitionColumn)).append(", ");
            values.append(PgMapping.placeholder(partitionType)).append(", ");
            key.append(PgMapping.quote(partitionColumn)).append(", ");
        }
        cols.append(PgMapping.quote(shape.pkField));
        values.append(PgMapping.placeholder(shape.pkType));
        key.append(PgMapping.quote(shape.pkField));
        final StringBuilder set = new StringBuilder();
        for (int c = 0; c < shape.columns.size(); c++)
        {
            final String q = PgMapping.quote(shape.columns.get(c).name());
            cols.append(", ").append(q);
            values.append(", ").append(PgMapping.placeholder(shape.types.get(c)));
            set.append(set.isEmpty() ? "" : ", ").append(q).append(" = EXCLUDED.").append(q);
        }
        values.append(')');
        final StringBuilder sql = new StringBuilder("INSERT INTO ").append(schema).append('.')
            .append(PgMapping.quote(shape.table)).append(" (").append(cols).append(") VALUES ");
        for (int i = 0; i < rows; i++)
        {
            sql.append(i == 0 ? "" : ", ").append(values);
        }
        sql.append(" ON CONFLICT (").append(key).append(") DO ")
            .append(set.isEmpty() ? "NOTHING" : "UPDATE SET " + set);
        return sql.toString();
    }

    private String deleteSql(final Shape shape, final int rows)
    {
        final StringBuilder sql = new StringBuilder("DELETE FROM ").append(schema).append('.')
            .append(PgMapping.quote(shape.table)).append(" WHERE (");
        final String one = shape.partitioned ? "(" + PgMapping.placeholder(partitionType) + ", " +
            PgMapping.placeholder(shape.pkType) + ")" : "(" + PgMapping.placeholder(shape.pkType) + ")";
        if (shape.partitioned)
        {
            sql.append(PgMapping.quote(partitionColumn)).append(", ");
        }
        sql.append(PgMapping.quote(shape.pkField)).append(") IN (");
        for (int i = 0; i < rows; i++)
        {
            sql.append(i == 0 ? "" : ", ").append(one);
        }
        return sql.append(')').toString();
    }

    /**
     * Make the table of {@code table} hold every column the server file's state has (CREATE TABLE, ALTER TABLE ADD
     * COLUMN; never a drop or a type change).
     *
     * @return the shape rows of this file and class are written with, or null when the class has no table (embedded
     * classes live in their parents' jsonb; a class erased from the state keeps its table as it is).
     */
    private Shape ensureTable(final FileBatch f, final String table, final boolean careful) throws SQLException
    {
        final TableInfo t = f.tables.get(table);
        if (null == t || t.embedded() || null == t.pkField())
        {
            return null;
        }
        final boolean partitioned = null != f.partition;
        final String pkType = PgMapping.keyType(t.pkType());
        Map<String, String> existing = dbColumns.get(table);
        if (null == existing)
        {
            final String sql = "CREATE TABLE IF NOT EXISTS " + schema + "." + PgMapping.quote(table) + " (" +
                (partitioned ? PgMapping.quote(partitionColumn) + " " + partitionType + " NOT NULL, " : "") +
                PgMapping.quote(t.pkField()) + " " + pkType + " NOT NULL, PRIMARY KEY (" +
                (partitioned ? PgMapping.quote(partitionColumn) + ", " : "") + PgMapping.quote(t.pkField()) + "))";
            if (!ddl(f, table, sql, careful))
            {
                return null;
            }
            if (settings.inbound())
            {
                ddl(f, table, PgInboundCapture.attachSql(settings, table), careful); // refused: reported, rows written
            }
            existing = new HashMap<>();
            if (partitioned)
            {
                existing.put(partitionColumn, dataType(partitionType));
            }
            existing.put(t.pkField(), dataType(pkType));
            dbColumns.put(table, existing);
        }
        final List<ColumnSpec> columns = new ArrayList<>();
        final List<String> types = new ArrayList<>();
        for (final ColumnSpec c : t.columns())
        {
            if (c.name().equals(t.pkField()) || (partitioned && c.name().equals(partitionColumn)))
            {
                continue; // the key, and the partition value written from the server file
            }
            final String type = PgMapping.columnType(target ->
            {
                final TableInfo x = f.tables.get(target);
                return null == x || x.embedded() || null == x.pkField() ? -1 : x.pkType();
            }, c);
            final String have = existing.get(c.name());
            if (null == have)
            {
                if (!ddl(f, table, "ALTER TABLE " + schema + "." + PgMapping.quote(table) + " ADD COLUMN IF NOT " +
                    "EXISTS " + PgMapping.quote(c.name()) + " " + type, careful))
                {
                    continue;
                }
                existing.put(c.name(), dataType(type));
            }
            else if (!have.equals(dataType(type)))
            {
                if (reportedConflicts.add(table + "." + c.name() + ":" + type))
                {
                    insertError(f, "type_conflict", table, null, f.applied, "column " + table + "." + c.name() +
                        " is " + have + " in PostgreSQL but " + dataType(type) + " in server file " +
                        f.file.name() + ": its values are not written");
                    reported.increment();
                }
                continue;
            }
            columns.add(c);
            types.add(type);
        }
        return new Shape(table, partitioned, t.pkField(), pkType, List.copyOf(columns), List.copyOf(types));
    }

    private boolean ddl(final FileBatch f, final String table, final String sql, final boolean careful)
        throws SQLException
    {
        final Savepoint sp = careful ? conn.setSavepoint() : null;
        try (Statement st = conn.createStatement())
        {
            st.execute(sql);
            if (null != sp)
            {
                conn.releaseSavepoint(sp);
            }
            return true;
        }
        catch (final SQLException ex)
        {
            if (null == sp)
            {
                throw ex;
            }
            conn.rollback(sp);
            insertError(f, "schema_refused", table, null, f.applied, oneLine(ex.getMessage()) + " (" + sql + ")");
            reported.increment();
            return false;
        }
    }

    /** @return information_schema's data_type of a column type. */
    static String dataType(final String sqlType)
    {
        return "timestamptz".equals(sqlType) ? "timestamp with time zone" : sqlType;
    }

    private void insertError(final FileBatch f, final String kind, final String table, final String key,
        final long version, final String message) throws SQLException
    {
        try (PreparedStatement st = conn.prepareStatement("INSERT INTO " + schema + "." +
            PgMapping.quote(ERROR_TABLE) + " (server_file, version, class, object_key, kind, message) " +
            "VALUES (?, ?, ?, ?, ?, ?)"))
        {
            st.setString(1, f.file.name());
            st.setLong(2, version);
            st.setString(3, table);
            st.setString(4, key);
            st.setString(5, kind);
            st.setString(6, message.replace('\0', ' '));
            st.executeUpdate();
        }
    }

    /** Stop the mirror thread (waits for it; the store must stay open until this returns). Idempotent. */
    @Override
    public void close()
    {
        running = false;
        thread.interrupt();
        writer.interrupt();
        try
        {
            thread.join(TimeUnit.SECONDS.toMillis(5));
            writer.join(TimeUnit.SECONDS.toMillis(5));
            if (writer.isAlive())
            {
                final Connection c = conn;
                if (null != c)
                {
                    try
                    {
                        c.abort(Runnable::run);
                    }
                    catch (final SQLException ignored)
                    {
                        // closing anyway
                    }
                }
                writer.join(TimeUnit.SECONDS.toMillis(30));
            }
            thread.join(TimeUnit.SECONDS.toMillis(30));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    /** @return a helper the tests use: whether the thread has stopped. */
    boolean stopped()
    {
        return !thread.isAlive() && !writer.isAlive();
    }
}
