package dev.outpost.server.mirror;

import dev.outpost.server.config.MirrorSettings;
import dev.outpost.server.metrics.ServerMetrics;
import dev.outpost.server.sync.SyncService;
import dev.outpost.server.sync.wire.RealmTime;
import dev.outpost.server.sync.writer.ServerChangesetCommand;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.json.JsonObject;
import org.postgresql.PGConnection;

import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The inbound path of one app's PostgreSQL mirror: INSERT, UPDATE and DELETE made with SQL on the mirror's tables
 * reach the clients as server-origin changesets, merged by the same OT as any client's write.
 * <p>
 * Capture is PostgreSQL's own: a row trigger ({@link PgInboundCapture}) appends each change to the outbox table in
 * the writing transaction, so it is durable exactly when the change commits, whether Outpost runs or not; changes
 * made while Outpost is down are in the outbox when it starts. (Logical replication would need a replication slot,
 * the REPLICATION right and a retained WAL while Outpost is down; the outbox needs neither.) The mirror's own writes
 * are marked by a session setting the trigger ignores: nothing echoes.
 * <p>
 * This thread reads the outbox in id order (woken by {@code NOTIFY}, else every second), reads each row's values
 * back with their column types, picks the server file (FLX: the app's file; PBS: the partition column), and hands
 * each change to the file's writer as a {@link PgInboundChange}, which makes the changeset from the file's current
 * state and stamps it with the time the row was changed (so realm's merge rules order it against concurrent client
 * writes: the later Set wins). Only after every changeset of a batch is published are its outbox rows deleted; a
 * crash between the two integrates them again, which has no second effect (CreateObject is an upsert, a Set of the
 * same value changes nothing, an EraseObject of an erased object is skipped). A change that cannot be a valid
 * changeset goes to the error table {@value PgInboundCapture#ERROR_TABLE} and the metric
 * {@code outpost.mirror.inbound.errors}, and is removed from the outbox: it blocks nothing else. Started by
 * {@link #start}, stopped by {@link #close}; one thread owns everything but the counters.
 */
public final class PgInbound implements AutoCloseable
{
    /** Most outbox rows integrated per batch. */
    static final int MAX_ROWS_PER_BATCH = 500;

    private static final System.Logger LOG = System.getLogger("dev.outpost.server.mirror");
    private static final int WAIT_MS = 1_000;
    private static final long BACKOFF_MIN_MS = 100;
    private static final long BACKOFF_MAX_MS = 5_000;

    private final String appId;
    private final MirrorSettings settings;
    private final SyncService sync;
    private final Boolean pbs;
    private final String partitionColumn;
    private final String pbsPrefix;
    private final String schema;
    private final Thread thread;
    private final Counter integrated;
    private final Counter errors;
    private final io.micrometer.core.instrument.Timer delay;
    private volatile boolean running = true;
    private volatile Connection conn;
    private volatile String lastError;
    // thread only
    private final Map<String, String> partitionFiles = new HashMap<>();

    private PgInbound(final String appId, final MirrorSettings settings, final String partitionKey,
        final SyncService sync, final ServerMetrics metrics, final Boolean pbs)
    {
        this.appId = appId;
        this.settings = settings;
        this.sync = sync;
        this.pbs = pbs;
        this.partitionColumn = null == partitionKey || partitionKey.isBlank() ? "_partition" : partitionKey;
        this.pbsPrefix = "pbs/" + appId + "/";
        this.schema = PgMapping.quote(settings.schema());
        this.integrated = Counter.builder("outpost.mirror.inbound.changes").description("row changes made with " +
            "SQL integrated as server changesets").tag("app", appId).register(metrics.registry());
        this.errors = Counter.builder("outpost.mirror.inbound.errors").description("row changes made with SQL " +
            "that could not be turned into a changeset (rows of " + PgInboundCapture.ERROR_TABLE + ")")
            .tag("app", appId).register(metrics.registry());
        this.delay = metrics.timer("outpost.mirror.inbound.delay", "from a row's change in PostgreSQL to its " +
            "changeset published in the history", "app", appId);
        this.thread = new Thread(this::run, "outpost-mirror-" + appId + "-inbound");
        this.thread.setDaemon(true);
    }

    /**
     * Start the inbound path of an app's mirror.
     *
     * @param appId        the app.
     * @param settings     the database and schema (its {@link MirrorSettings#inbound()} is on).
     * @param pbs          whether the app is partition-based (the partition column picks the server file), or null
     *                     when its sync settings do not say: then a table with the partition column is PBS's (as
     *                     the mirror makes them: a PBS server file's rows carry their partition).
     * @param partitionKey the partition key's name (the partition column), or null for {@code _partition}.
     * @param sync         the app's sync service (open until {@link #close}).
     * @param metrics      where the counters go.
     * @return the running path.
     */
    public static PgInbound start(final String appId, final MirrorSettings settings, final Boolean pbs,
        final String partitionKey, final SyncService sync, final ServerMetrics metrics)
    {
        final PgInbound in = new PgInbound(appId, settings, partitionKey, sync, metrics, pbs);
        in.thread.start();
        return in;
    }

    /** @return changes integrated so far (any thread). */
    public long integrated()
    {
        return (long)integrated.count();
    }

    /** @return changes reported to the error table so far (any thread). */
    public long errors()
    {
        return (long)errors.count();
    }

    /** @return the figures shown on the status page beside the mirror's (any thread). */
    public JsonObject statusJson()
    {
        return new JsonObject().put("changes", integrated()).put("errors", errors()).put("last_error", lastError);
    }

    private void run()
    {
        long backoff = BACKOFF_MIN_MS;
        while (running)
        {
            try
            {
                if (null == conn)
                {
                    connect();
                }
                final int n = drain();
                backoff = BACKOFF_MIN_MS;
                if (0 == n && running)
                {
                    conn.unwrap(PGConnection.class).getNotifications(WAIT_MS);
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
        final String message = ex instanceof SQLException s ? "PostgreSQL " + s.getSQLState() + ": " +
            oneLine(s.getMessage()) : ex.toString();
        if (!message.equals(lastError))
        {
            LOG.log(System.Logger.Level.WARNING, "app '" + appId + "': inbound from " + settings.redactedUrl() +
                " paused, retrying: " + message);
        }
        lastError = message;
    }

    private void connect() throws SQLException
    {
        final Properties p = settings.properties();
        p.putIfAbsent("ApplicationName", "outpost-mirror-inbound");
        p.putIfAbsent("connectTimeout", "10");
        p.putIfAbsent("socketTimeout", "120");
        p.putIfAbsent("tcpKeepAlive", "true");
        final Connection c = DriverManager.getConnection(settings.jdbcUrl(), p);
        try (Statement st = c.createStatement())
        {
            // one consumer per schema, as one mirror per schema (a second server's waits)
            try (ResultSet rs = st.executeQuery("SELECT pg_try_advisory_lock(hashtext('outpost-inbound:' || " +
                "current_database() || '.' || '" + settings.schema().replace("'", "''") + "'))"))
            {
                rs.next();
                if (!rs.getBoolean(1))
                {
                    throw new SQLException("another server consumes the inbound changes of schema " +
                        settings.schema() + " of this database (advisory lock held)", "55P03");
                }
            }
            st.execute("SET " + PgInboundCapture.ORIGIN_SETTING + " = 'mirror'"); // writes nothing captured anyway
            st.execute("LISTEN " + PgInboundCapture.CHANNEL);
        }
        catch (final SQLException ex)
        {
            closeQuietly(c);
            throw ex;
        }
        conn = c;
        lastError = null;
    }

    /** One outbox row as read. */
    private static final class Change
    {
        final long id;
        final String table;
        final char op;
        final long at;
        final Set<String> changed = new TreeSet<>();
        final String key;
        final String row;
        Map<String, Object> oldRow;
        Map<String, Object> newRow;
        String reason;
        CompletableFuture<Long> written;

        Change(final long id, final String table, final char op, final long at, final String key, final String row)
        {
            this.id = id;
            this.table = table;
            this.op = op;
            this.at = at;
            this.key = key;
            this.row = row;
        }
    }

    /** Integrate the oldest outbox rows; @return how many were consumed. */
    private int drain() throws SQLException, InterruptedException
    {
        final List<Change> batch = new ArrayList<>();
        final String outbox = schema + "." + PgMapping.quote(PgInboundCapture.OUTBOX_TABLE);
        try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery("SELECT id, class, op, " +
            "(extract(epoch FROM at) * 1000)::bigint, ARRAY(SELECT n.key FROM jsonb_each(new_row) n " +
            "WHERE old_row IS NULL OR n.value IS DISTINCT FROM old_row -> n.key), " +
            "COALESCE(new_row, old_row) ->> '_id', COALESCE(new_row, old_row)::text FROM " + outbox +
            " ORDER BY id LIMIT " + MAX_ROWS_PER_BATCH))
        {
            while (rs.next())
            {
                final Change c = new Change(rs.getLong(1), rs.getString(2), rs.getString(3).charAt(0),
                    rs.getLong(4), rs.getString(6), rs.getString(7));
                final Array changed = rs.getArray(5);
                if (null != changed)
                {
                    for (final Object name : (Object[])changed.getArray())
                    {
                        c.changed.add((String)name);
                    }
                }
                batch.add(c);
            }
        }
        catch (final SQLException ex)
        {
            if ("42P01".equals(ex.getSQLState()))
            {
                return 0; // no outbox yet: the mirror creates it when it connects
            }
            throw ex;
        }
        if (batch.isEmpty())
        {
            return 0;
        }
        readRows(batch);
        for (final Change c : batch)
        {
            if (null == c.reason)
            {
                submit(c);
            }
        }
        final long now = System.currentTimeMillis();
        for (final Change c : batch)
        {
            if (null == c.written)
            {
                continue;
            }
            try
            {
                c.written.get();
                integrated.increment();
                delay.record(Math.max(0, now - c.at), TimeUnit.MILLISECONDS);
            }
            catch (final ExecutionException ex)
            {
                if (!(ex.getCause() instanceof ServerChangesetCommand.Refused r))
                {
                    // the sync service is closing or failed: the batch stays in the outbox, integrated again later
                    throw new IllegalStateException("changeset not written: " + ex.getCause(), ex.getCause());
                }
                c.reason = r.getMessage();
            }
        }
        conn.setAutoCommit(false);
        try
        {
            try (PreparedStatement st = conn.prepareStatement("INSERT INTO " + schema + "." +
                PgMapping.quote(PgInboundCapture.ERROR_TABLE) + " (class, object_key, op, reason, row, changed_at) " +
                "VALUES (?, ?, ?, ?, ?::jsonb, to_timestamp(? / 1000.0))"))
            {
                boolean any = false;
                for (final Change c : batch)
                {
                    if (null != c.reason)
                    {
                        st.setString(1, c.table);
                        st.setString(2, c.key);
                        st.setString(3, c.op == 'I' ? "INSERT" : c.op == 'U' ? "UPDATE" : "DELETE");
                        st.setString(4, c.reason.replace('\0', ' '));
                        st.setString(5, c.row);
                        st.setLong(6, c.at);
                        st.addBatch();
                        any = true;
                        LOG.log(System.Logger.Level.WARNING, "app '" + appId + "': SQL " +
                            (c.op == 'I' ? "INSERT" : c.op == 'U' ? "UPDATE" : "DELETE") + " of " + c.table + " " +
                            c.key + " not synced: " + c.reason);
                    }
                }
                if (any)
                {
                    st.executeBatch();
                }
            }
            try (PreparedStatement st = conn.prepareStatement("DELETE FROM " + outbox + " WHERE id = ANY(?)"))
            {
                st.setArray(1, conn.createArrayOf("bigint", batch.stream().map(c -> c.id).toArray()));
                st.executeUpdate();
            }
            conn.commit();
        }
        catch (final SQLException ex)
        {
            try
            {
                conn.rollback();
            }
            catch (final SQLException ignored)
            {
                // the connection is closed next
            }
            throw ex;
        }
        finally
        {
            conn.setAutoCommit(true);
        }
        for (final Change c : batch)
        {
            if (null != c.reason)
            {
                errors.increment();
            }
        }
        return batch.size();
    }

    /** Read the old and new rows of each change with their column types (per class, one query each). */
    private void readRows(final List<Change> batch) throws SQLException
    {
        final Map<String, List<Change>> byTable = new LinkedHashMap<>();
        for (final Change c : batch)
        {
            byTable.computeIfAbsent(c.table, t -> new ArrayList<>()).add(c);
        }
        final String outbox = schema + "." + PgMapping.quote(PgInboundCapture.OUTBOX_TABLE);
        for (final Map.Entry<String, List<Change>> e : byTable.entrySet())
        {
            final Map<Long, Change> byId = new HashMap<>();
            e.getValue().forEach(c -> byId.put(c.id, c));
            final Object[] ids = e.getValue().stream().map(c -> c.id).toArray();
            for (final boolean old : new boolean[]{false, true})
            {
                final String column = old ? "old_row" : "new_row";
                try (PreparedStatement st = conn.prepareStatement("SELECT o.id, r.* FROM " + outbox + " o " +
                    "CROSS JOIN LATERAL jsonb_populate_record(NULL::" + schema + "." + PgMapping.quote(e.getKey()) +
                    ", o." + column + ") r WHERE o.id = ANY(?) AND o." + column + " IS NOT NULL"))
                {
                    st.setArray(1, conn.createArrayOf("bigint", ids));
                    try (ResultSet rs = st.executeQuery())
                    {
                        final ResultSetMetaData md = rs.getMetaData();
                        while (rs.next())
                        {
                            final Change c = byId.get(rs.getLong(1));
                            final Map<String, Object> row = new HashMap<>();
                            for (int i = 2; i <= md.getColumnCount(); i++)
                            {
                                row.put(md.getColumnName(i), value(rs, i, md.getColumnTypeName(i)));
                            }
                            if (old)
                            {
                                c.oldRow = row;
                            }
                            else
                            {
                                c.newRow = row;
                            }
                        }
                    }
                }
                catch (final SQLException ex)
                {
                    if (!conn.isValid(2))
                    {
                        throw ex;
                    }
                    for (final Change c : e.getValue())
                    {
                        c.reason = "the row cannot be read as a row of " + e.getKey() + ": " + ex.getSQLState() + " " +
                            oneLine(ex.getMessage());
                    }
                    break;
                }
            }
        }
    }

    private static Object value(final ResultSet rs, final int i, final String type) throws SQLException
    {
        return switch (type)
        {
            case "timestamptz", "timestamp" -> rs.getObject(i, OffsetDateTime.class);
            case "jsonb", "json" -> rs.getString(i);
            case "numeric" -> rs.getBigDecimal(i);
            case "bytea" -> rs.getBytes(i);
            default -> rs.getObject(i);
        };
    }

    /** Pick the server file and hand the change to its writer. */
    private void submit(final Change c) throws InterruptedException
    {
        final Map<String, Object> row = null != c.newRow ? c.newRow : c.oldRow;
        if (null == row)
        {
            c.reason = "the row cannot be read";
            return;
        }
        final String file;
        if (Boolean.FALSE.equals(pbs) || (null == pbs && !row.containsKey(partitionColumn)))
        {
            file = SyncService.flxFileName(appId);
            if (sync.head(file) < 0)
            {
                c.reason = "the app has no FLX server file yet (no client has synced)";
                return;
            }
        }
        else
        {
            final Object partition = row.get(partitionColumn);
            if (null != c.oldRow && null != c.newRow && !Objects.equals(c.oldRow.get(partitionColumn), partition))
            {
                c.reason = "moving a row to another partition is not synced (DELETE it and INSERT it instead)";
                return;
            }
            file = null == partition ? null : partitionFile(partition.toString());
            if (null == file)
            {
                c.reason = null == partition ? "missing partition column '" + partitionColumn + "'" :
                    "partition '" + partition + "' has no server file (no client has opened it)";
                return;
            }
        }
        final long timestamp = Math.max(0, c.at - RealmTime.EPOCH_MS);
        c.written = sync.writeServerChangeset(file, new PgInboundChange(c.table, c.op, c.oldRow, c.newRow,
            c.changed, file.startsWith(pbsPrefix) ? partitionColumn : null), timestamp);
    }

    /** @return the PBS server file whose partition value reads as {@code text}, or null. */
    private String partitionFile(final String text)
    {
        String name = partitionFiles.get(text);
        if (null == name)
        {
            sync.historyStore().forEachServerFile(f ->
            {
                if (f.name().startsWith(pbsPrefix))
                {
                    partitionFiles.putIfAbsent(PartitionValues.text(f.name().substring(pbsPrefix.length())), f.name());
                }
            });
            name = partitionFiles.get(text);
        }
        return name;
    }

    private static String oneLine(final String s)
    {
        return null == s ? "" : s.replace('\n', ' ');
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

    private void closeConnection()
    {
        final Connection c = conn;
        conn = null;
        if (null != c)
        {
            closeQuietly(c);
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
            // gone anyway
        }
    }

    /** Stop the thread (waits for it; the sync service must stay open until this returns). Idempotent. */
    @Override
    public void close()
    {
        running = false;
        thread.interrupt();
        try
        {
            thread.join(TimeUnit.SECONDS.toMillis(5));
            if (thread.isAlive())
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
                thread.join(TimeUnit.SECONDS.toMillis(30));
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
