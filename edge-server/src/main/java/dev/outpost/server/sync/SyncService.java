package dev.outpost.server.sync;

import dev.outpost.codec.ProtocolErrorCode;
import dev.outpost.server.config.Durability;
import dev.outpost.server.config.ServerConfig;
import dev.outpost.server.metrics.HistoryStats;
import dev.outpost.server.metrics.AppMetrics;
import dev.outpost.server.metrics.ServerMetrics;
import dev.outpost.server.store.HistoryReader;
import dev.outpost.server.store.HistoryStore;
import dev.outpost.server.store.StoreConfig;
import dev.outpost.server.store.StoreOpenException;
import dev.outpost.server.sync.flx.FlxQuery;
import dev.outpost.server.sync.wire.ErrorBodies;
import dev.outpost.server.sync.wire.RealmTime;
import dev.outpost.server.sync.wire.SharedEntries;
import dev.outpost.server.sync.writer.FileContext;
import dev.outpost.server.sync.writer.ShardWriter;
import dev.outpost.server.sync.writer.WriterCommand;
import dev.outpost.server.ws.SyncConnection;
import dev.outpost.server.ws.SyncConnectionHandler;
import dev.outpost.server.ws.SyncConnectionHandlerFactory;
import dev.outpost.server.ws.SyncEngine;
import dev.outpost.server.ws.SyncEngineFactory;
import org.agrona.concurrent.EpochClock;

import dev.outpost.ot.rules.PartitionRules;
import dev.outpost.ot.rules.RuleContext;
import dev.outpost.ot.rules.RuleJson;
import dev.outpost.ot.rules.Rules;
import dev.outpost.ot.rules.UserContext;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The sync engine of one app: the durable history store ({@code <dataDir>/sync}), one {@link ShardWriter} per
 * store shard, the runtime of every open server file, and the {@link SyncConnectionHandlerFactory} that gives each
 * sync WebSocket its {@link ConnectionHandler}; large outbound messages are built by the server's
 * {@link DownloadPool}, shared by the apps opened through one {@link #engines} factory. Thread-safe; {@link #open} and {@link #close} from one thread.
 */
public final class SyncService implements SyncEngine
{
    final ServerConfig config;
    /** The app's sync settings ({@link ServerConfig#syncSettings()}), or null: every mode and schema served. */
    final dev.outpost.server.config.SyncSettings syncSettings;
    /** The app's schema when development mode is off, else null ({@code UploadCheck}). */
    final dev.outpost.server.sync.writer.SchemaCheck schemaCheck;
    final Duration slowConsumerTimeout;
    /** A client file not seen for longer gets client_file_expired 222 at IDENT (ms; 0: never). */
    final long clientMaxOfflineMs;
    private final HistoryStore store;
    /** The app's meters (every one tagged {@code app}). */
    final AppMetrics metrics;
    private volatile boolean open = true;
    private final ShardWriter[] writers;
    /** State checkpoints of this app's server files (null: disabled). */
    private final dev.outpost.server.sync.writer.StateCheckpoints checkpoints;
    private final ConcurrentHashMap<String, FileContext> files = new ConcurrentHashMap<>();
    private final ThreadLocal<LoopResources> loopResources;
    private final java.util.Set<ConnectionHandler> handlers = ConcurrentHashMap.newKeySet();
    private final Queue<LoopResources> allLoopResources = new ConcurrentLinkedQueue<>();
    private final AtomicLong slowConsumersDropped = new AtomicLong();
    private final AtomicLong handoffRetries = new AtomicLong();
    private final AtomicLong sessionsSuperseded = new AtomicLong();
    private final io.micrometer.core.instrument.Counter supersededCounter;
    private final AtomicLong compensatingWrites = new AtomicLong();
    private final AtomicLong flxCatchUps = new AtomicLong();
    private final java.util.function.Function<String, java.util.Set<String>> queryableFields;
    private final java.util.Set<String> asymmetricTables;
    private final io.micrometer.core.instrument.Counter compensatingWritesCounter;
    private final AtomicLong uploadsPipelined = new AtomicLong();
    private final AtomicLongArray errorsSent = new AtomicLongArray(300);
    /** The last errors sent, for the admin API. */
    private final SyncErrorLog errorLog;
    /** Client resets forced by the admin API, checked at IDENT. */
    private final ClientResets clientResets;
    private final HistoryStats historyStats;
    /** The server's download pool, shared with the other apps' services ({@link #engines}). */
    final DownloadPool downloads;
    private final DownloadPool.Shared sharedDownloads;
    /** Jobs handed to the pool and not yet handed back or dropped. */
    private final AtomicInteger downloadsInFlight = new AtomicInteger();
    /** This service's builder on each pool thread (a reader of this app's store), closed with the service. */
    private final ThreadLocal<DownloadBuilder> poolBuilders;
    private final Queue<Runnable> poolBuilderClosers = new ConcurrentLinkedQueue<>();
    private boolean downloadsReleased;
    /** The configured clock ({@link ServerConfig#epochClock()}): changeset timestamps, client files' times. */
    final EpochClock clock;
    /** {@link ServerConfig#uploadInlineBytes()}. */
    final int uploadInlineBytes;
    /** {@link ServerConfig#downloadInlineBytes()}. */
    final int downloadInlineBytes;
    private final NewFileLimiter newFiles;
    private final AtomicLong newFilesRefused = new AtomicLong();
    /**
     * The app's permission rules ({@link Rules#NONE} when none are configured or the app is not known); replaced by
     * {@link #reloadRules}, read once per session (BIND, IDENT).
     */
    private volatile Rules rules;
    /** {@link Rules#fingerprint()} of {@link #rules}. */
    private volatile String rulesFingerprint;
    /** FLX: the server version at which {@link #rules} took effect ({@link RulesEpoch}); 0: before any history. */
    private volatile long rulesEpoch;
    /** FLX: client files told to bind again by a rule change whose next IDENT gets a bootstrap of the new view. */
    private final java.util.Set<Long> rulesRebind = ConcurrentHashMap.newKeySet();
    private static final System.Logger RULES_LOG = System.getLogger("dev.outpost.server.rules");
    private static final System.Logger ADMIN_LOG = System.getLogger("dev.outpost.server.admin");
    private final io.micrometer.core.instrument.Counter filesDeleted;
    /** User id to profile data, for {@code %%user.data} (set by the server once, before any connection). */
    private volatile Function<String, Map<String, Object>> profiles = userId -> Map.of();
    private volatile java.util.function.Predicate<String> liveSessions = sessionId -> true;

    private SyncService(final ServerConfig config, final HistoryStore store, final ServerMetrics metrics,
        final DownloadPool.Shared sharedDownloads)
    {
        this.metrics = metrics.app(null == config.appId() ? "" : config.appId());
        this.historyStats = HistoryStats.of(store);
        this.supersededCounter = this.metrics.counter("outpost.sessions.superseded",
            "connections closed because another connection identified one of their client files");
        this.compensatingWritesCounter = this.metrics.counter("outpost.flx.compensating.writes",
            "FLX changesets with writes outside the subscription, answered with compensating write 231");
        this.metrics.history(historyStats);
        this.filesDeleted = this.metrics.counter("outpost.files.deleted",
            "server files (PBS partitions) deleted through the admin API");
        this.config = config;
        this.syncSettings = config.syncSettings();
        this.schemaCheck = dev.outpost.server.sync.writer.SchemaCheck.of(syncSettings);
        this.queryableFields = queryableFields(config.syncSettings());
        this.asymmetricTables = config.syncSettings() == null ? java.util.Set.of() :
            java.util.Set.copyOf(config.syncSettings().asymmetricTables());
        this.store = store;
        this.errorLog = new SyncErrorLog(config.appId());
        this.clientResets = ClientResets.open(syncDir(config.dataDir()));
        this.slowConsumerTimeout = config.slowConsumerTimeout();
        this.clientMaxOfflineMs = config.clientMaxOffline().toMillis();
        this.clock = config.epochClock();
        this.uploadInlineBytes = config.uploadInlineBytes();
        this.downloadInlineBytes = config.downloadInlineBytes();
        this.newFiles = new NewFileLimiter(config.newFilesPerUser(), config.newFilesPerApp());
        this.rules = null == config.app() ? Rules.NONE : config.app().rules();
        this.rulesFingerprint = rules.fingerprint();
        this.writers = new ShardWriter[store.shardCount()];
        final SharedEntries.Budget sharedBudget = new SharedEntries.Budget();
        this.checkpoints = config.stateCheckpointMinVersions() == 0 ? null :
            new dev.outpost.server.sync.writer.StateCheckpoints(store.dataDir(), config.stateCheckpointMinVersions());
        for (int i = 0; i < writers.length; i++)
        {
            writers[i] = new ShardWriter(store, i, files,
                config.writerQueue(), this.metrics,
                Math.max(1, config.stateCacheFiles() / writers.length),
                Math.max(1, (long)config.stateCacheSize() / writers.length), clock)
                .viewLogEntries(config.flxViewLogEntries())
                .parsedEntries(config.writerParsedEntries())
                .sharedEntries(config.downloadSharedEntries(), sharedBudget)
                .checkpoints(checkpoints);
        }
        this.sharedDownloads = sharedDownloads;
        this.poolBuilders = ThreadLocal.withInitial(() ->
        {
            final HistoryReader reader = store.newReader();
            final DownloadBuilder builder = new DownloadBuilder(reader, clock);
            poolBuilderClosers.add(() ->
            {
                builder.close();
                reader.close();
            });
            return builder;
        });
        this.downloads = sharedDownloads.acquire(config.downloadThreads());
        this.loopResources = ThreadLocal.withInitial(() ->
        {
            final LoopResources r = new LoopResources(store.newReader(), clock);
            allLoopResources.add(r);
            return r;
        });
    }

    /**
     * Open the store under {@code config.dataDir()/sync} and start the writers.
     *
     * @param config a concluded configuration.
     * @return the running service.
     * @throws StoreOpenException if the store cannot be opened.
     */
    public static SyncService open(final ServerConfig config) throws StoreOpenException
    {
        return open(config, new ServerMetrics());
    }

    /**
     * {@link #open(ServerConfig)} feeding {@code metrics} (sessions, uploads, downloads, errors, timings, history).
     */
    public static SyncService open(final ServerConfig config, final ServerMetrics metrics) throws StoreOpenException
    {
        return open(config, metrics, new DownloadPool.Shared(downloadBuildTimer(metrics)));
    }

    private static SyncService open(final ServerConfig config, final ServerMetrics metrics,
        final DownloadPool.Shared downloads) throws StoreOpenException
    {
        final HistoryStore store = HistoryStore.open(new StoreConfig().dataDir(syncDir(config.dataDir()))
            .shardCount(config.storeShards()).fsync(config.durability() == Durability.FSYNC)
            .minFreeBytes(config.storeMinFreeSpace()));
        final SyncService service = new SyncService(config, store, metrics, downloads);
        for (final ShardWriter w : service.writers)
        {
            w.start();
        }
        service.startRulesEpoch();
        return service;
    }

    /**
     * @param metrics the server's metrics, fed by every app's service.
     * @return opens a service per app ({@link #open(ServerConfig, ServerMetrics)}): what {@code runtime.SyncServer} and
     * the embedding verticle serve. The apps share one download pool (see SYNC.md, "Threads"); each has its own
     * store and writers.
     */
    public static SyncEngineFactory engines(final ServerMetrics metrics)
    {
        final DownloadPool.Shared downloads = new DownloadPool.Shared(downloadBuildTimer(metrics));
        return appConfig -> open(appConfig, metrics, downloads);
    }

    private static io.micrometer.core.instrument.Timer downloadBuildTimer(final ServerMetrics metrics)
    {
        return metrics.timer("outpost.download.build",
            "Time to build (read, filter, compress, encode) one message off the event loop");
    }

    /** Event loop: hand {@code job} to the download pool. */
    void submitDownload(final DownloadJob job)
    {
        downloadsInFlight.incrementAndGet();
        downloads.submit(job);
    }

    /** Pool thread: a job of this service was handed back to its event loop or dropped. */
    void downloadDone()
    {
        downloadsInFlight.decrementAndGet();
    }

    /** Pool thread: this service's builder on the calling pool thread. */
    DownloadBuilder poolBuilder()
    {
        return poolBuilders.get();
    }

    static Path syncDir(final Path dataDir)
    {
        return dataDir.resolve("sync");
    }

    public SyncConnectionHandler newHandler(final SyncConnection connection)
    {
        final ConnectionHandler handler = new ConnectionHandler(this, connection);
        handlers.add(handler);
        return handler;
    }

    void handlerClosed(final ConnectionHandler handler)
    {
        handlers.remove(handler);
    }

    /** @return the open connections' handlers (a snapshot; for tests: per-connection outbound accounting). */
    ConnectionHandler[] connectionHandlers()
    {
        return handlers.toArray(new ConnectionHandler[0]);
    }

    /**
     * Graceful shutdown: every connection gets {@code error 100} with try_again (the client reconnects after about
     * a second) and is closed with 1001; waits until all report closed, at most {@code timeout}.
     */
    public int drain(final Duration timeout)
    {
        final ConnectionHandler[] open = handlers.toArray(new ConnectionHandler[0]);
        for (final ConnectionHandler h : open)
        {
            h.connection.execute(h::serverShutdown);
        }
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (!handlers.isEmpty() && System.nanoTime() < deadline)
        {
            try
            {
                Thread.sleep(5);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return open.length;
    }

    /** @return the server file name of a PBS partition (the BIND path as the client sends it). */
    public static String pbsFileName(final String appId, final String partition)
    {
        return "pbs/" + appId + "/" + partition;
    }

    /** @return the server file name of an app's FLX data set. */
    public static String flxFileName(final String appId)
    {
        return "flx/" + appId;
    }

    /** Longest partition value shown in messages and logs; the rest is cut. */
    static final int ABBREVIATED_CHARS = 64;

    /**
     * Event loop, at BIND: the PBS partition value length check.
     *
     * @return null if {@code path} is short enough, else the error message (the value abbreviated).
     */
    String partitionTooLong(final String path)
    {
        final int max = config.partitionMaxBytes();
        if (path.length() * 3L <= max) // a UTF-8 byte count is at most 3 per UTF-16 char
        {
            return null;
        }
        final int bytes = path.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        return bytes <= max ? null : "partition value of " + bytes + " bytes is longer than the limit of " + max +
            " bytes (setting " + ServerConfig.PARTITION_MAX_BYTES_PROP + "): " + ErrorBodies.abbreviate(path, ABBREVIATED_CHARS);
    }

    /**
     * Event loop, at BIND: whether {@code userId} may bind {@code serverFileName}; binding a server file that exists
     * is always allowed, creating one takes a token of the user's and of the app's per-minute budget and must stay
     * within the app's total.
     *
     * @return null if allowed, else the error message.
     */
    String admitNewFile(final String serverFileName, final String userId)
    {
        if (store.contains(serverFileName))
        {
            return null;
        }
        final int maxFiles = config.maxFilesPerApp();
        if (maxFiles > 0 && serverFiles() >= maxFiles)
        {
            newFilesRefused.incrementAndGet();
            return "the app has " + maxFiles + " partitions, its limit (setting " +
                ServerConfig.MAX_FILES_PER_APP_PROP + "): no new partition can be created";
        }
        final NewFileLimiter.Refusal refusal = newFiles.acquire(userId, System.nanoTime());
        if (refusal == null)
        {
            return null;
        }
        newFilesRefused.incrementAndGet();
        return refusal == NewFileLimiter.Refusal.USER ?
            "too many new partitions: a user may create " + config.newFilesPerUser() + " per minute (setting " +
            ServerConfig.NEW_FILES_PER_USER_PROP + "); try again later" :
            "too many new partitions: the app may create " + config.newFilesPerApp() + " per minute (setting " +
            ServerConfig.NEW_FILES_PER_APP_PROP + "); try again later";
    }

    /** Event loop: the query JSON of an FLX IDENT or QUERY, rejected unparsed if larger than the setting allows. */
    FlxQuery parseQuery(final dev.outpost.codec.message.ClientMessageDecoder d)
    {
        final int max = config.flxQueryMaxBytes();
        if (d.bodyLength() > max)
        {
            return FlxQuery.tooLarge(d.bodyLength(), max, ServerConfig.FLX_QUERY_MAX_BYTES_PROP);
        }
        final FlxQuery q = FlxQuery.parse(d.buffer().getStringWithoutLengthUtf8(d.bodyOffset(), d.bodyLength()));
        final String asymmetric = asymmetricSubscription(q);
        return null == asymmetric ? q : new FlxQuery(java.util.Map.of(), asymmetric);
    }

    /**
     * Asymmetric (Data Ingest) classes are never sent to clients: a subscription naming one (realm's client never
     * sends it: it refuses queries on asymmetric tables) is refused like any query Atlas refused (226).
     *
     * @return null, or the refusal if {@code q} subscribes to a class of the app's {@code asymmetric_tables}.
     */
    private String asymmetricSubscription(final FlxQuery q)
    {
        if (null == syncSettings || syncSettings.asymmetricTables().isEmpty() || null != q.rejected())
        {
            return null;
        }
        for (final String cls : syncSettings.asymmetricTables())
        {
            if (q.classes().contains(cls))
            {
                return "class '" + cls + "' is asymmetric (Data Ingest, sync/config.json asymmetric_tables): its " +
                    "objects are never sent to clients, it cannot be subscribed to";
            }
        }
        return null;
    }

    @Override
    public void profiles(final Function<String, Map<String, Object>> profiles)
    {
        this.profiles = profiles;
    }

    @Override
    public void liveSessions(final java.util.function.Predicate<String> live)
    {
        this.liveSessions = live;
    }

    /** @return true while the refresh session {@code sessionId} is live (not logged out). */
    boolean sessionLive(final String sessionId)
    {
        return liveSessions.test(sessionId);
    }

    /**
     * At open: compare the rules with those of the last start ({@link RulesEpoch}). Equal, or no record (a data
     * directory of an older build): nothing happens. Different: they take effect now, at a new FLX server version,
     * so that every client that synced before gets a bootstrap of its new view at its next IDENT.
     */
    private void startRulesEpoch()
    {
        final RulesEpoch stored = RulesEpoch.read(config.dataDir());
        if (null != stored && stored.fingerprint().equals(rulesFingerprint))
        {
            rulesEpoch = stored.version();
            return;
        }
        final long version = null == stored ? 0 : markRulesChange();
        rulesEpoch = version;
        if (null != stored)
        {
            RULES_LOG.log(System.Logger.Level.INFO, "permission rules of app " + config.appId() + " changed " +
                "since the last start: FLX clients that synced before server version " + version + " get a " +
                "bootstrap of their view at their next IDENT");
        }
        persistRulesEpoch(version);
    }

    /**
     * Replace the app's permission rules while the server runs (SIGHUP, {@code outpost reload}, the runtime's
     * {@code reloadRules}). Rules equal to those in force ({@link Rules#fingerprint()}): nothing happens. Else new
     * BINDs and IDENTs use them at once, and every live session is re-evaluated on its own event loop (see
     * {@code Session.rulesChanged}): a PBS session that lost read gets 206, an FLX session whose view changed gets
     * {@code error 200} and a bootstrap of its new view when it binds again; sessions whose view did not change hear
     * nothing. Any thread but an event loop or a writer (it waits for one writer round trip).
     *
     * @param next the new rules (checked: parsed from the configuration).
     * @return true if they differ from the rules in force and were applied, false if they are the same.
     */
    @Override
    public synchronized boolean reloadRules(final Rules next)
    {
        final String fingerprint = next.fingerprint();
        if (fingerprint.equals(rulesFingerprint))
        {
            RULES_LOG.log(System.Logger.Level.INFO, "permission rules of app " + config.appId() + " unchanged");
            return false;
        }
        rules = next;
        rulesFingerprint = fingerprint;
        final long version = markRulesChange();
        if (version > 0)
        {
            rulesEpoch = version;
        }
        persistRulesEpoch(rulesEpoch);
        final ConnectionHandler[] live = handlers.toArray(new ConnectionHandler[0]);
        for (final ConnectionHandler h : live)
        {
            h.connection.execute(h::rulesChanged);
        }
        RULES_LOG.log(System.Logger.Level.INFO, "permission rules of app " + config.appId() + " reloaded: new " +
            "sessions use them now; " + live.length + " live connections re-evaluated" + (version > 0 ?
            "; FLX clients that synced before server version " + version + " get a bootstrap of their view" : ""));
        return true;
    }

    /**
     * Appends an empty server entry to the app's FLX file (if it has one), so that "synced before the rules
     * changed" is a server version: a client whose download cursor is below it gets a bootstrap at its next IDENT.
     *
     * @return its version, or 0 if the app has no FLX history.
     */
    private long markRulesChange()
    {
        final String flx = flxFileName(config.appId());
        if (!store.contains(flx))
        {
            return 0;
        }
        try
        {
            return writeServerChangeset(flx, new byte[0]).get(30, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        catch (final ExecutionException | TimeoutException ex)
        {
            RULES_LOG.log(System.Logger.Level.ERROR, "app " + config.appId() + ": cannot mark the rule change in " +
                "the FLX history (" + ex + "); clients that synced before version " + (store.head(flx) + 1) +
                " get a bootstrap at their next IDENT");
        }
        return store.head(flx) + 1;
    }

    private void persistRulesEpoch(final long version)
    {
        try
        {
            new RulesEpoch(rulesFingerprint, version, clock.time()).write(config.dataDir());
        }
        catch (final java.io.IOException ex)
        {
            RULES_LOG.log(System.Logger.Level.WARNING, "cannot write " + config.dataDir().resolve(RulesEpoch.FILE) +
                " (" + ex + "): after a restart, clients that synced under the previous rules may keep their view");
        }
    }

    /**
     * Event loop, at IDENT of an FLX session: whether the client synced under other rules and must start with a
     * bootstrap of its view (once: the bootstrap moves its cursor past the rule change).
     *
     * @param clientFile the IDENT's client file.
     * @param dlServer   its download cursor.
     * @return true if it gets the catch-up bootstrap.
     */
    boolean rulesCatchUp(final long clientFile, final long dlServer)
    {
        final boolean rebind = !rulesRebind.isEmpty() && rulesRebind.remove(clientFile);
        return rebind || (dlServer > 0 && dlServer < rulesEpoch);
    }

    /** Event loop: a live session of {@code clientFile} was told to bind again because its view changed. */
    void rulesRebind(final long clientFile)
    {
        rulesRebind.add(clientFile);
    }

    /** @return the FLX server version at which the rules in force took effect (0: before any history). */
    public long rulesEpoch()
    {
        return rulesEpoch;
    }

    /**
     * Event loop, at IDENT of an FLX session: the session's roles (each class's role is bound once, at its first use).
     *
     * @param user the session's access token (user id and custom user data).
     * @return the roles, or null when the app has no roles (nothing enforced).
     */
    public dev.outpost.server.sync.flx.FlxRoles flxRoles(final dev.outpost.server.auth.VerifiedToken user)
    {
        if (!rules.hasRoles())
        {
            return null;
        }
        return dev.outpost.server.sync.flx.FlxRoles.of(rules, userContext(user));
    }

    /**
     * @param user the session's access token.
     * @return the user as rules see it: id, profile data, and the custom user data the token carries (as Atlas,
     *     the data of the token's issue: a refresh, e.g. the SDKs' {@code refreshCustomData()}, and a new session
     *     see changes).
     */
    UserContext userContext(final dev.outpost.server.auth.VerifiedToken user)
    {
        Map<String, Object> customData = Map.of();
        if (null != user.userData())
        {
            // checked when the token was issued (CustomUserDataRead): our own signed claim parses
            if (RuleJson.parse(user.userData()) instanceof Map<?, ?> m)
            {
                @SuppressWarnings("unchecked") final Map<String, Object> data = (Map<String, Object>)m;
                customData = data;
            }
        }
        return new UserContext(user.userId(), profiles.apply(user.userId()), customData);
    }

    @Override
    public CompletableFuture<String> customUserData(final String userId)
    {
        final dev.outpost.server.config.AppConfig.CustomUserData setting =
            null == config.app() ? null : config.app().customUserData();
        if (null == setting)
        {
            return CompletableFuture.completedFuture(null);
        }
        final String fileName = setting.serverFile(config.appId(), syncSettings);
        if (!store.contains(fileName))
        {
            return CompletableFuture.completedFuture(null);
        }
        final CompletableFuture<String> result = new CompletableFuture<>();
        if (!writerFor(fileName).offer(new CustomUserDataRead(fileName, setting, userId, result)))
        {
            result.completeExceptionally(new dev.outpost.server.auth.AuthException(503, "ServiceUnavailable",
                "the server is busy reading custom user data; retry"));
        }
        return result;
    }

    /**
     * Event loop, at BIND of a PBS session: what the user may do in the partition under the app's
     * {@code partition.permissions} (evaluated once per session; no rules: read and write).
     *
     * @param partition the BIND path (the partition value in canonical Extended JSON).
     * @param token     the session's access token (user id and custom user data).
     * @return the user's access.
     */
    PartitionRules.Access partitionAccess(final String partition, final dev.outpost.server.auth.VerifiedToken token)
    {
        if (null == rules.partition())
        {
            return PartitionRules.Access.READ_WRITE;
        }
        try
        {
            final UserContext user = userContext(token);
            return rules.partitionAccess(RuleContext.partitionOf(partition), user);
        }
        catch (final RuntimeException bug)
        {
            // rules are checked at start, so this is a bug: fail closed, tell the operator once per cause
            if (null == partitionRuleFailure)
            {
                partitionRuleFailure = bug.toString();
                System.getLogger(SyncService.class.getName()).log(System.Logger.Level.ERROR, "partition " +
                    "permissions of app " + config.appId() + " could not be evaluated; access denied: " + bug);
            }
            return PartitionRules.Access.NONE;
        }
    }

    /** The first failure of the partition permissions (logged once), or null. */
    private volatile String partitionRuleFailure;

    /** @return BINDs refused so far because they would have created a server file beyond a limit. */
    public long newFilesRefused()
    {
        return newFilesRefused.get();
    }

    /** @return the server files of this service's store (all shards; any thread). */
    public int serverFiles()
    {
        int n = 0;
        for (int i = 0; i < store.shardCount(); i++)
        {
            n += store.shard(i).serverFileCount();
        }
        return n;
    }

    /**
     * @return server files whose store index (name, versions, client registry) is in memory, all shards: the
     *     files with a context, evicted with it. Any thread (approximate).
     */
    public int residentStoreFiles()
    {
        int n = 0;
        for (int i = 0; i < store.shardCount(); i++)
        {
            n += store.shard(i).residentFileCount();
        }
        return n;
    }

    /**
     * @return server files with a runtime context in memory (sessions, client registry, object state): at most
     *     the state cache's file count plus the files pinned by live sessions; idle ones are evicted.
     */
    public int residentFiles()
    {
        return files.size();
    }

    ShardWriter writerFor(final String name)
    {
        return writers[HistoryStore.shardIndex(name, writers.length)];
    }

    /** @return the runtime of an open server file, or null (tests and diagnostics). */
    FileContext fileContext(final String serverFileName)
    {
        return files.get(serverFileName);
    }

    LoopResources loopResources()
    {
        return loopResources.get();
    }

    /**
     * The server's object state of a server file, as {@code ObjectState.dump()} text (canonical: equal states give
     * equal text), built on the file's writer. For tests and diagnostics.
     *
     * @param serverFileName see {@link #pbsFileName} and {@link #flxFileName}.
     * @return the dump, or null if the server file does not exist.
     */
    public String objectStateDump(final String serverFileName)
        throws InterruptedException, ExecutionException, TimeoutException
    {
        if (!store.contains(serverFileName))
        {
            return null;
        }
        final CompletableFuture<String> result = new CompletableFuture<>();
        final WriterCommand dump = new WriterCommand()
        {
            private String text;

            @Override
            protected void execute(final ShardWriter writer)
            {
                text = writer.open(serverFileName).state().dump();
            }

            @Override
            protected void complete()
            {
                result.complete(text);
            }

            @Override
            protected void fail(final Throwable cause)
            {
                result.completeExceptionally(cause);
            }
        };
        final ShardWriter w = writerFor(serverFileName);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!w.offer(dump))
        {
            if (System.nanoTime() > deadline)
            {
                throw new TimeoutException("writer handoff full");
            }
            Thread.sleep(1);
        }
        return result.get(30, TimeUnit.SECONDS);
    }

    /**
     * Any thread except a writer: hand a server-origin changeset to the writer of {@code serverFileName} (the file is
     * created if needed), as a tool of the server's own writes it ({@code outpost import}). Waits while the
     * writer's handoff is full.
     *
     * @return completes with the new version, or exceptionally with a
     * {@link dev.outpost.server.sync.writer.ServerChangesetCommand.Refused} if the changeset does not parse or apply.
     */
    public CompletableFuture<Long> writeServerChangeset(final String serverFileName, final byte[] changeset)
        throws InterruptedException
    {
        final CompletableFuture<Long> result = new CompletableFuture<>();
        return offerServerChangeset(serverFileName, result,
            new dev.outpost.server.sync.writer.ServerChangesetCommand(serverFileName, changeset, result));
    }

    /**
     * Any thread except a writer: as {@link #writeServerChangeset(String, byte[])}, the changeset made by
     * {@code builder} on the writer thread from the server file's current state, the entry stamped with
     * {@code timestamp} (the PostgreSQL inbound path: a row's change time, which realm's merge rules compare).
     *
     * @param timestamp realm timestamp (milliseconds since 2015-01-01), or
     *                  {@link dev.outpost.server.sync.writer.ServerChangesetCommand#NOW}.
     * @return completes with the new version, -1 if the builder had nothing to write, or exceptionally with a
     * {@link dev.outpost.server.sync.writer.ServerChangesetCommand.Refused}.
     */
    public CompletableFuture<Long> writeServerChangeset(final String serverFileName,
        final dev.outpost.server.sync.writer.ServerChangesetCommand.Builder builder, final long timestamp)
        throws InterruptedException
    {
        final CompletableFuture<Long> result = new CompletableFuture<>();
        return offerServerChangeset(serverFileName, result,
            new dev.outpost.server.sync.writer.ServerChangesetCommand(serverFileName, builder, timestamp, result));
    }

    private CompletableFuture<Long> offerServerChangeset(final String serverFileName,
        final CompletableFuture<Long> result, final WriterCommand command) throws InterruptedException
    {
        final ShardWriter w = writerFor(serverFileName);
        while (!w.offer(command))
        {
            if (!open)
            {
                result.completeExceptionally(new IllegalStateException("the sync service is closed"));
                return result;
            }
            Thread.sleep(1);
        }
        return result;
    }

    /**
     * @return the app's history store, for readers of published history beside the sessions (the PostgreSQL mirror);
     * open until {@link #close()}.
     */
    public HistoryStore historyStore()
    {
        return store;
    }

    /** @return the published head version of a server file, or -1 if it does not exist. */
    public long head(final String serverFileName)
    {
        return store.head(serverFileName);
    }

    /** @return state checkpoints written so far (0 if they are off). Any thread. */
    public long stateCheckpointsWritten()
    {
        return checkpoints == null ? 0 : checkpoints.written();
    }

    /** @return object states built from a state checkpoint so far (0 if they are off). Any thread. */
    public long stateCheckpointsLoaded()
    {
        return checkpoints == null ? 0 : checkpoints.loaded();
    }

    /** @return object states evicted so far (all writers) because of the state cache limits. */
    public long stateEvictions()
    {
        long n = 0;
        for (final ShardWriter w : writers)
        {
            n += w.evictions();
        }
        return n;
    }

    /** @return server files whose object state is in memory (all writers; approximate while writers run). */
    public int loadedStates()
    {
        int n = 0;
        for (final ShardWriter w : writers)
        {
            n += w.loadedFiles();
        }
        return n;
    }

    /** @return writer commands rolled back so far (all writers): failures, or changesets too large to store. */
    public long abortedCommands()
    {
        long n = 0;
        for (final ShardWriter w : writers)
        {
            n += w.abortedCommands();
        }
        return n;
    }

    /** @return disk syncs so far (all shards; 0 unless durability is fsync). */
    public long storeSyncs()
    {
        long n = 0;
        for (int i = 0; i < store.shardCount(); i++)
        {
            n += store.shard(i).syncCount();
        }
        return n;
    }

    /** @return connections dropped so far by the slow-consumer policy. */
    public long slowConsumersDropped()
    {
        return slowConsumersDropped.get();
    }

    /**
     * @param code a protocol error code (100..299).
     * @return how many {@code error}/{@code json_error}/{@code query_error} messages with it were sent.
     */
    public long errorsSent(final int code)
    {
        return code >= 0 && code < errorsSent.length() ? errorsSent.get(code) : 0;
    }

    /**
     * Event loop: an error went to a client. Counted by code and kept in the {@link #errorLog() recent errors}.
     *
     * @param code    the protocol error code sent.
     * @param message its message.
     * @param conn    the connection it went to.
     * @param ident   the session ident (0: connection level).
     */
    void errorSent(final int code, final String message, final ConnectionHandler conn, final long ident)
    {
        final dev.outpost.server.auth.VerifiedToken user = conn.connection.user();
        errorLog.add(new SyncErrorLog.Entry(clock.time(), code, SyncErrorLog.cut(message),
            conn.connection.connectionId(), conn.connection.remoteAddress(), null == user ? null : user.userId(),
            ident, conn.fileOf(ident)));
        errorSent(code);
    }

    private void errorSent(final int code)
    {
        metrics.protocolError(ProtocolErrorCode.of(code));
        if (code >= 0 && code < errorsSent.length())
        {
            errorsSent.incrementAndGet(code);
        }
    }

    /**
     * @return connections closed because a session of another connection identified one of their client files
     *     (realm's "superseded session": the older connection is taken for a zombie).
     */
    public long sessionsSuperseded()
    {
        return sessionsSuperseded.get();
    }

    void sessionSuperseded()
    {
        supersededCounter.increment();
        sessionsSuperseded.incrementAndGet();
    }

    /** @return FLX changesets answered with a compensating write (231) so far. */
    public long compensatingWrites()
    {
        return compensatingWrites.get();
    }

    /**
     * FLX: the fields clients may query per class: any field with no sync settings (Outpost's own apps, TRUEPREDICATE
     * apps as before) or in development mode (as Atlas), else the app's global and per-class queryable fields.
     *
     * @return the function, or null for "any field".
     */
    java.util.function.Function<String, java.util.Set<String>> queryableFields()
    {
        return queryableFields;
    }

    private static java.util.function.Function<String, java.util.Set<String>> queryableFields(
        final dev.outpost.server.config.SyncSettings settings)
    {
        if (settings == null || settings.developmentMode())
        {
            return null;
        }
        final java.util.concurrent.ConcurrentHashMap<String, java.util.Set<String>> perClass =
            new java.util.concurrent.ConcurrentHashMap<>();
        return cls -> perClass.computeIfAbsent(cls, c -> java.util.Set.copyOf(settings.queryableFieldsOf(c)));
    }

    /** @return the app's asymmetric classes (never part of an FLX view; empty without sync settings). */
    java.util.Set<String> asymmetricTables()
    {
        return asymmetricTables;
    }

    /** @return FLX sessions that took a catch-up bootstrap (their view's annotations were no longer held). */
    public long flxCatchUps()
    {
        return flxCatchUps.get();
    }

    void flxCatchUp()
    {
        flxCatchUps.incrementAndGet();
    }

    void compensatingWrite()
    {
        compensatingWritesCounter.increment();
        compensatingWrites.incrementAndGet();
    }

    /**
     * @param serverFileName see {@link #pbsFileName} and {@link #flxFileName}.
     * @return client files of that server file with a live identified session (0 if the file is not open).
     */
    public int identifiedClientFiles(final String serverFileName)
    {
        final FileContext f = files.get(serverFileName);
        return f == null ? 0 : f.identifiedCount();
    }

    /**
     * @param serverFileName see {@link #pbsFileName}.
     * @return history entries of that server file encoded once for all its sessions so far (0 if not open).
     */
    public long sharedEntriesKept(final String serverFileName)
    {
        final FileContext f = files.get(serverFileName);
        return f == null ? 0 : f.sharedEntries().kept();
    }

    /** @return UPLOADs handed to the writer while an earlier UPLOAD of the same session was still in flight. */
    public long uploadsPipelined()
    {
        return uploadsPipelined.get();
    }

    void uploadPipelined()
    {
        uploadsPipelined.incrementAndGet();
    }

    public void memoryPressure(final boolean pressure)
    {
        for (final ShardWriter w : writers)
        {
            w.memoryPressure(pressure);
        }
    }

    /** @return times a command found its writer's handoff full and was retried later (back-pressure). */
    public long handoffRetries()
    {
        return handoffRetries.get();
    }

    void handoffRetried()
    {
        metrics.writerHandoffRetried();
        handoffRetries.incrementAndGet();
    }

    void slowConsumerDropped()
    {
        metrics.slowConsumerDropped();
        slowConsumersDropped.incrementAndGet();
    }

    /** @return the server's metrics this service's app meters are registered in (scrape, totals). */
    public ServerMetrics metrics()
    {
        return metrics.server();
    }

    /** @return this app's meters. */
    public AppMetrics appMetrics()
    {
        return metrics;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // the admin API (dev.outpost.server.admin): rare operations from a worker thread, never on the data path

    /** @return the last errors sent to this app's clients. */
    public SyncErrorLog errorLog()
    {
        return errorLog;
    }

    /**
     * A copy of a server file's object state, taken on the file's writer (one copy per call; the admin console's data
     * browser filters and pages it on a worker, so the writer is held only for the copy).
     *
     * @param serverFileName see {@link #pbsFileName} and {@link #flxFileName}.
     * @return completes with the copy, or null if the server file does not exist.
     */
    public CompletableFuture<dev.outpost.ot.state.ObjectState> stateCopy(final String serverFileName)
    {
        final CompletableFuture<dev.outpost.ot.state.ObjectState> result = new CompletableFuture<>();
        if (!store.contains(serverFileName))
        {
            result.complete(null);
            return result;
        }
        final WriterCommand copy = new WriterCommand()
        {
            private dev.outpost.ot.state.ObjectState state;

            @Override
            protected void execute(final ShardWriter writer)
            {
                state = writer.open(serverFileName).state().copy();
            }

            @Override
            protected void complete()
            {
                result.complete(state);
            }

            @Override
            protected void fail(final Throwable cause)
            {
                result.completeExceptionally(cause);
            }
        };
        if (!writerFor(serverFileName).offer(copy))
        {
            result.completeExceptionally(new java.util.concurrent.RejectedExecutionException(
                "the server file's writer is busy; try again"));
        }
        return result;
    }

    /**
     * Every open connection of this app as the admin API lists it, each read on its own event loop.
     *
     * @return completes with the connections (oldest first); a connection that does not answer within 2 s (its
     *     event loop stuck or the connection closing) is left out.
     */
    public CompletableFuture<List<io.vertx.core.json.JsonObject>> connections()
    {
        final List<CompletableFuture<io.vertx.core.json.JsonObject>> each = new ArrayList<>();
        for (final ConnectionHandler h : handlers)
        {
            final CompletableFuture<io.vertx.core.json.JsonObject> one = new CompletableFuture<>();
            h.connection.execute(() -> one.complete(h.adminSnapshot()));
            each.add(one.completeOnTimeout(null, 2, TimeUnit.SECONDS));
        }
        return CompletableFuture.allOf(each.toArray(new CompletableFuture<?>[0])).thenApply(v ->
        {
            final List<io.vertx.core.json.JsonObject> list = new ArrayList<>();
            for (final CompletableFuture<io.vertx.core.json.JsonObject> f : each)
            {
                final io.vertx.core.json.JsonObject c = f.join();
                if (null != c)
                {
                    list.add(c);
                }
            }
            list.sort(java.util.Comparator.comparingLong(c -> c.getLong("id")));
            return list;
        });
    }

    /**
     * Disconnect one connection ({@code error 100} with try_again, then close 1001: the client reconnects after its
     * backoff).
     *
     * @param connectionId its id (from {@link #connections()}).
     * @return false if no open connection of this app has that id.
     */
    public boolean disconnect(final long connectionId)
    {
        for (final ConnectionHandler h : handlers)
        {
            if (h.connection.connectionId() == connectionId)
            {
                h.connection.execute(h::adminDisconnect);
                return true;
            }
        }
        return false;
    }

    /**
     * Close every connection of a user with a WebSocket close code: 4002 when it was disabled or deleted (the client
     * logs the user out), 4001 when its sessions were revoked (the client refreshes its token, which fails).
     *
     * @param userId the user.
     * @param code   the close code.
     * @param reason the close reason.
     * @return the number of connections closed.
     */
    public int closeUserConnections(final String userId, final int code, final String reason)
    {
        int closed = 0;
        for (final ConnectionHandler h : handlers)
        {
            final dev.outpost.server.auth.VerifiedToken user = h.connection.user();
            if (null != user && user.userId().equals(userId))
            {
                h.connection.execute(() -> h.adminClose(code, reason));
                closed++;
            }
        }
        return closed;
    }

    /**
     * Force a client reset: the client file (or every client file of the server file) gets the client-reset error
     * ({@code 222 client_file_expired}) now if it is connected, else at its next IDENT; the mark is durable.
     *
     * @param fileName        the server file ({@link #pbsFileName}, {@link #flxFileName}).
     * @param clientFileIdent a client file ident, or 0 for every client file allocated so far.
     * @return false if the server file does not exist.
     * @throws java.io.IOException if the mark cannot be stored.
     */
    public boolean forceClientReset(final String fileName, final long clientFileIdent) throws java.io.IOException
    {
        if (!store.contains(fileName))
        {
            return false;
        }
        final long below = 0 == clientFileIdent ? store.serverFile(fileName).nextClientIdentAnyThread() : 0;
        clientResets.mark(fileName, clientFileIdent, below);
        final String message = "the server's administrator requested a client reset of this Realm";
        for (final ConnectionHandler h : handlers)
        {
            h.connection.execute(() -> h.forceClientReset(fileName, clientFileIdent, message));
        }
        return true;
    }

    /**
     * Delete a server file (a PBS partition): on its writer, the store's FILE_DELETED tombstone is committed, the
     * file's context, caches and state checkpoint are dropped; then the forced client resets marked for it are
     * forgotten (they belong to the old file) and every session bound to it gets a client reset ({@code 208
     * bad_client_file_ident}, action ClientReset; a session not identified yet gets {@code 200 session_closed}, try
     * again, and binds the new file). A client offline now gets 208 at its next IDENT, since a BIND of the name
     * creates a new server file with a new salt that does not know its client file. Blocks (a worker thread, never an
     * event loop or a writer) until the deletion is committed.
     *
     * @param fileName   the server file ({@link #pbsFileName}).
     * @param keepSchema if clients had synced the file, create it again at once holding only its schema (version 1,
     *                   new salt), so that their client resets succeed (see {@code DeleteFileCommand}).
     * @return NOT_FOUND if there is no such server file, else what was done, once it is durable (as durable as any
     *     acknowledged upload).
     * @throws ExecutionException if the store failed (the deletion did not happen).
     * @throws TimeoutException    if the writer did not take or run the command in time.
     */
    public dev.outpost.server.sync.writer.DeleteFileCommand.Outcome deleteServerFile(final String fileName,
        final boolean keepSchema) throws InterruptedException, ExecutionException, TimeoutException
    {
        final CompletableFuture<dev.outpost.server.sync.writer.DeleteFileCommand.Result> deleted =
            new CompletableFuture<>();
        final ShardWriter w = writerFor(fileName);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!w.offer(new dev.outpost.server.sync.writer.DeleteFileCommand(fileName, keepSchema, deleted)))
        {
            if (!open || System.nanoTime() > deadline)
            {
                throw new TimeoutException(open ? "writer handoff full" : "the sync service is closed");
            }
            Thread.sleep(1);
        }
        final dev.outpost.server.sync.writer.DeleteFileCommand.Result outcome = deleted.get(60, TimeUnit.SECONDS);
        if (outcome.outcome() == dev.outpost.server.sync.writer.DeleteFileCommand.Outcome.NOT_FOUND)
        {
            return outcome.outcome();
        }
        // here, not on the writer: the marks file is written and synced
        filesDeleted.increment();
        try
        {
            clientResets.forget(fileName);
        }
        catch (final java.io.IOException ex)
        {
            ADMIN_LOG.log(System.Logger.Level.WARNING, "app " + config.appId() + ": cannot forget the forced " +
                "client resets of deleted server file " + fileName + ": " + ex.getMessage());
        }
        final FileContext ctx = outcome.dropped();
        if (ctx != null)
        {
            for (final ConnectionHandler h : handlers)
            {
                h.connection.execute(() -> h.serverFileDeleted(ctx));
            }
        }
        ADMIN_LOG.log(System.Logger.Level.INFO, "app " + config.appId() + ": server file " +
            ErrorBodies.abbreviate(fileName, ABBREVIATED_CHARS) + " deleted by the admin API (its sessions get a " +
            "client reset" + (outcome.outcome() == dev.outpost.server.sync.writer.DeleteFileCommand.Outcome
            .DELETED_SCHEMA_KEPT ? "; created again holding its schema only" : "") + ")");
        return outcome.outcome();
    }

    /** @return server files deleted since start (admin API). Any thread. */
    public long filesDeleted()
    {
        return (long)filesDeleted.count();
    }

    /** @return whether client file {@code ident} of {@code fileName} must reset ({@link #forceClientReset}). */
    boolean clientResetRequired(final String fileName, final long ident)
    {
        return clientResets.required(fileName, ident);
    }

    /**
     * The app's server files as the admin API lists them, sorted by name: name, mode, PBS partition, version,
     * history size, registered and connected client files, time of the last changeset.
     *
     * @param after  list the files whose name sorts after this one (paging), or null.
     * @param limit  most files returned.
     * @param prefix only names starting with it, or null.
     * @return the files.
     */
    public List<io.vertx.core.json.JsonObject> serverFilesJson(final String after, final int limit,
        final String prefix)
    {
        final java.util.TreeMap<String, io.vertx.core.json.JsonObject> sorted = new java.util.TreeMap<>();
        final String pbsPrefix = "pbs/" + config.appId() + "/";
        try (HistoryReader reader = store.newReader())
        {
            final dev.outpost.server.store.EntryView entry = new dev.outpost.server.store.EntryView();
            store.forEachServerFile(f ->
            {
                final String name = f.name();
                if ((null != after && name.compareTo(after) <= 0) || (null != prefix && !name.startsWith(prefix)))
                {
                    return;
                }
                final long head = f.head();
                String lastWrite = null;
                if (head > 0 && reader.read(f, head, entry) && entry.timestamp() > 0)
                {
                    lastWrite = java.time.Instant.ofEpochMilli(entry.timestamp() + RealmTime.EPOCH_MS).toString();
                }
                sorted.put(name, new io.vertx.core.json.JsonObject()
                    .put("name", name)
                    .put("mode", name.startsWith("flx/") ? "flx" : "pbs")
                    .put("partition", name.startsWith(pbsPrefix) ? name.substring(pbsPrefix.length()) : null)
                    .put("version", head)
                    .put("size", f.cumulativeSize(head))
                    .put("clients", f.clientCountAnyThread())
                    .put("connected", identifiedClientFiles(name))
                    .put("last_write", lastWrite));
                if (sorted.size() > limit)
                {
                    sorted.pollLastEntry();
                }
            });
        }
        return new ArrayList<>(sorted.values());
    }

    /** @return true until {@link #close()} begins (readiness). */
    public boolean isOpen()
    {
        return open;
    }

    @Override
    public boolean hasSpace()
    {
        return !store.spaceLow();
    }

    /** Stop the writers and close the store. Call after the HTTP server (and so every event loop) stopped. */
    public void close()
    {
        open = false;
        metrics.removeHistory(historyStats);
        for (final ShardWriter w : writers)
        {
            w.stop();
        }
        if (checkpoints != null)
        {
            checkpoints.close(); // the checkpoints of the states the cache dropped last
        }
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (downloadsInFlight.get() > 0 && System.nanoTime() < deadline)
        {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        if (!downloadsReleased)
        {
            downloadsReleased = true;
            sharedDownloads.release(downloads);
        }
        Runnable closer;
        while ((closer = poolBuilderClosers.poll()) != null)
        {
            closer.run();
        }
        LoopResources r;
        while ((r = allLoopResources.poll()) != null)
        {
            r.reader.close();
            r.zlib.close();
            r.downloads.close();
        }
        store.close();
    }
}
