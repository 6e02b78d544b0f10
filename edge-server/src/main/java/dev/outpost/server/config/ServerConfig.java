package dev.outpost.server.config;

import dev.outpost.server.store.StoreConfig;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.SystemEpochClock;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.regex.Pattern;

/**
 * Every setting of the edge server in one place (in the manner of Aeron's {@code Context}): its property name,
 * its default, and its validation.
 * <p>
 * A new instance starts from the defaults, overridden by the system property of each setting (for example
 * {@code -Doutpost.port=9090}) and then by the environment variable of the same name in upper case with {@code _}
 * for {@code .} ({@code OUTPOST_PORT}). The CLI and an embedding application then call the fluent setters.
 * {@link #conclude()} validates the whole configuration and throws a {@link ConfigException} naming the first bad
 * setting. Not thread-safe: build it on one thread, then hand it to the server, which does not change it.
 */
public final class ServerConfig
{
    // first: the defaults below are parsed from their text (the help shows the same text) at class initialisation
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)?");
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(b|k|kib|m|mib|g|gib)?");

    public static final String HOST_PROP = "outpost.host";
    public static final String HOST_DEFAULT = "127.0.0.1";

    public static final String PORT_PROP = "outpost.port";
    public static final int PORT_DEFAULT = 9090;

    public static final String DATA_DIR_PROP = "outpost.data.dir";
    public static final String DATA_DIR_DEFAULT = "data";

    public static final String APP_ID_PROP = "outpost.app.id";
    public static final String APP_ID_DEFAULT = "outpost";

    /**
     * An App Services export ({@code appservices pull}) to serve as the single app: its auth providers, sync
     * settings and (unless {@code app-id} is given) its app id. No default.
     */
    public static final String APP_CONFIG_PROP = "outpost.app.config";

    public static final String IDLE_TIMEOUT_PROP = "outpost.idle.timeout";
    public static final String IDLE_TIMEOUT_DEFAULT_TEXT = "10m";
    public static final Duration IDLE_TIMEOUT_DEFAULT = parseDuration(IDLE_TIMEOUT_PROP, IDLE_TIMEOUT_DEFAULT_TEXT);

    /** HTTP connections not upgraded to a sync WebSocket: longest wait for the next request (keep-alive idle). */
    public static final String HTTP_IDLE_TIMEOUT_PROP = "outpost.http.idle.timeout";
    public static final String HTTP_IDLE_TIMEOUT_DEFAULT_TEXT = "60s";
    public static final Duration HTTP_IDLE_TIMEOUT_DEFAULT = parseDuration(HTTP_IDLE_TIMEOUT_PROP, HTTP_IDLE_TIMEOUT_DEFAULT_TEXT);
    /** Longest time from a request's first byte to its complete head (request line and headers). */
    public static final String HTTP_HEADER_TIMEOUT_PROP = "outpost.http.header.timeout";
    public static final String HTTP_HEADER_TIMEOUT_DEFAULT_TEXT = "10s";
    public static final Duration HTTP_HEADER_TIMEOUT_DEFAULT = parseDuration(HTTP_HEADER_TIMEOUT_PROP, HTTP_HEADER_TIMEOUT_DEFAULT_TEXT);
    /** Longest time a request body may go without receiving a byte. */
    public static final String HTTP_BODY_TIMEOUT_PROP = "outpost.http.body.timeout";
    public static final String HTTP_BODY_TIMEOUT_DEFAULT_TEXT = "30s";
    public static final Duration HTTP_BODY_TIMEOUT_DEFAULT = parseDuration(HTTP_BODY_TIMEOUT_PROP, HTTP_BODY_TIMEOUT_DEFAULT_TEXT);
    /** Open connections (HTTP and sync WebSocket) at most; 0 derives it from the process's descriptor limit. */
    public static final String MAX_CONNECTIONS_PROP = "outpost.max.connections";
    public static final int MAX_CONNECTIONS_AUTO = 0;
    /** Open connections (HTTP and sync WebSocket) from one remote address at most; 0: no limit. */
    public static final String MAX_CONNECTIONS_PER_IP_PROP = "outpost.max.connections.per.ip";
    public static final int MAX_CONNECTIONS_PER_IP_DEFAULT = 0;
    /** Longest time from a sync WebSocket's upgrade to its first BIND; then the connection gets error 100. */
    public static final String WS_BIND_TIMEOUT_PROP = "outpost.ws.bind.timeout";
    public static final String WS_BIND_TIMEOUT_DEFAULT_TEXT = "30s";
    public static final Duration WS_BIND_TIMEOUT_DEFAULT = parseDuration(WS_BIND_TIMEOUT_PROP, WS_BIND_TIMEOUT_DEFAULT_TEXT);
    /** Logins (every provider) and registrations per minute from one remote address; 0: no limit. */
    public static final String LOGINS_PER_IP_PROP = "outpost.login.per.ip";
    public static final int LOGINS_PER_IP_DEFAULT = 0;
    /** Largest changeset one UPLOAD entry may carry (uncompressed); a larger one gets session error 212. */
    public static final String MAX_CHANGESET_SIZE_PROP = "outpost.max.changeset.size";
    public static final String MAX_CHANGESET_SIZE_DEFAULT_TEXT = "16MiB";
    public static final int MAX_CHANGESET_SIZE_DEFAULT = parseSize(MAX_CHANGESET_SIZE_PROP, MAX_CHANGESET_SIZE_DEFAULT_TEXT);

    public static final String ACCESS_TOKEN_TTL_PROP = "outpost.access.token.ttl";
    public static final String ACCESS_TOKEN_TTL_DEFAULT_TEXT = "30m";
    public static final Duration ACCESS_TOKEN_TTL_DEFAULT =
        parseDuration(ACCESS_TOKEN_TTL_PROP, ACCESS_TOKEN_TTL_DEFAULT_TEXT);

    public static final String REFRESH_TOKEN_TTL_PROP = "outpost.refresh.token.ttl";
    public static final String REFRESH_TOKEN_TTL_DEFAULT_TEXT = "60d";
    public static final Duration REFRESH_TOKEN_TTL_DEFAULT =
        parseDuration(REFRESH_TOKEN_TTL_PROP, REFRESH_TOKEN_TTL_DEFAULT_TEXT);

    public static final String JWT_ALGORITHM_PROP = "outpost.jwt.algorithm";
    public static final String JWT_ALGORITHM_DEFAULT_TEXT = "HS256";
    public static final JwtAlgorithm JWT_ALGORITHM_DEFAULT = JwtAlgorithm.valueOf(JWT_ALGORITHM_DEFAULT_TEXT);

    public static final String JWT_PRIVATE_KEY_PROP = "outpost.jwt.private.key";
    public static final String JWT_PUBLIC_KEY_PROP = "outpost.jwt.public.key";

    public static final String MAX_DOWNLOAD_SIZE_PROP = "outpost.max.download.size";
    public static final String MAX_DOWNLOAD_SIZE_DEFAULT_TEXT = "16MiB";
    public static final int MAX_DOWNLOAD_SIZE_DEFAULT =
        parseSize(MAX_DOWNLOAD_SIZE_PROP, MAX_DOWNLOAD_SIZE_DEFAULT_TEXT);

    public static final String MAX_MESSAGE_SIZE_PROP = "outpost.ws.max.message.size";
    public static final String MAX_MESSAGE_SIZE_DEFAULT_TEXT = "32MiB";
    public static final int MAX_MESSAGE_SIZE_DEFAULT = parseSize(MAX_MESSAGE_SIZE_PROP, MAX_MESSAGE_SIZE_DEFAULT_TEXT);

    public static final String COMPRESSION_THRESHOLD_PROP = "outpost.compression.threshold";
    public static final int COMPRESSION_THRESHOLD_DEFAULT = 1024;

    public static final String EVENT_LOOPS_PROP = "outpost.event.loops";
    public static final int EVENT_LOOPS_DEFAULT = Math.max(1, Runtime.getRuntime().availableProcessors());
    /** How the help names {@link #EVENT_LOOPS_DEFAULT} (and other defaults that follow the machine). */
    public static final String CPU_COUNT_DEFAULT_TEXT = "the CPU count";

    public static final String TLS_CERT_PROP = "outpost.tls.cert";
    public static final String TLS_KEY_PROP = "outpost.tls.key";
    public static final String TLS_SELF_SIGNED_PROP = "outpost.tls.self.signed";
    public static final String TLS_PROTOCOLS_PROP = "outpost.tls.protocols";
    public static final String TLS_PROTOCOLS_DEFAULT_TEXT = "TLSv1.3";
    public static final List<String> TLS_PROTOCOLS_DEFAULT = List.of(TLS_PROTOCOLS_DEFAULT_TEXT);
    /** TLS versions that may be enabled; older ones are broken and off in the JDK anyway. */
    public static final List<String> TLS_PROTOCOLS_SUPPORTED = List.of("TLSv1.3", "TLSv1.2");

    /** The URL clients reach the server at ({@code https://sync.example.com}); the location answer names it. */
    public static final String PUBLIC_URL_PROP = "outpost.public.url";

    /**
     * Whether the 404 for an unknown Client App ID lists the app ids this server serves (handy while setting up
     * clients; off by default, as it tells anyone who asks which apps exist).
     */
    public static final String LIST_APP_IDS_PROP = "outpost.http.list.app.ids";
    public static final boolean LIST_APP_IDS_DEFAULT = false;

    /**
     * The admin listener: the admin API ({@code /api/admin/v3.0/...}) and the status page, {@code /status.json} and
     * {@code /metrics}, on a port of its own, on loopback by default.
     */
    public static final String ADMIN_HOST_PROP = "outpost.admin.host";
    public static final String ADMIN_HOST_DEFAULT = "127.0.0.1";
    /** The admin port: a number, 0 for a free port, or {@code off}; by default the public port + 1. */
    public static final String ADMIN_PORT_PROP = "outpost.admin.port";
    /** How the help names the admin port's default (the public port + 1, a free port when the public port is 0). */
    public static final String ADMIN_PORT_DEFAULT_TEXT = "'port + 1'";
    /** {@link #ADMIN_PORT_PROP} value that turns the admin listener off. */
    public static final int ADMIN_PORT_OFF = -1;
    private static final int ADMIN_PORT_DERIVED = -2;
    /** The admin key (at least 16 characters); when neither it nor a key file is set, one is made in the data dir. */
    public static final String ADMIN_KEY_PROP = "outpost.admin.key";
    /** A file holding the admin key (first line). */
    public static final String ADMIN_KEY_FILE_PROP = "outpost.admin.key.file";
    /** The shortest admin key accepted. */
    public static final int ADMIN_KEY_MIN_LENGTH = 16;
    /** Whether {@code /}, {@code /status.json} and {@code /metrics} are also served on the public port. */
    public static final String ADMIN_PUBLIC_STATUS_PROP = "outpost.admin.public.status";
    public static final boolean ADMIN_PUBLIC_STATUS_DEFAULT = false;

    public static final String SHUTDOWN_TIMEOUT_PROP = "outpost.shutdown.timeout";
    public static final String SHUTDOWN_TIMEOUT_DEFAULT_TEXT = "5s";
    public static final Duration SHUTDOWN_TIMEOUT_DEFAULT =
        parseDuration(SHUTDOWN_TIMEOUT_PROP, SHUTDOWN_TIMEOUT_DEFAULT_TEXT);

    /** How long a sync connection may stay unwritable with downloads waiting before it is dropped (1011). */
    public static final String SLOW_CONSUMER_TIMEOUT_PROP = "outpost.slow.consumer.timeout";
    public static final String SLOW_CONSUMER_TIMEOUT_DEFAULT_TEXT = "60s";
    public static final Duration SLOW_CONSUMER_TIMEOUT_DEFAULT =
        parseDuration(SLOW_CONSUMER_TIMEOUT_PROP, SLOW_CONSUMER_TIMEOUT_DEFAULT_TEXT);

    /**
     * Most bytes of one sync connection's outbound messages queued but not yet taken by the socket, plus those being
     * built for it on the download pool; over it, the connection's sessions build nothing more until it drains.
     */
    public static final String MAX_QUEUED_BYTES_PER_CONNECTION_PROP = "outpost.max.queued.bytes.per.connection";
    public static final String MAX_QUEUED_BYTES_PER_CONNECTION_DEFAULT_TEXT = "4MiB";
    public static final int MAX_QUEUED_BYTES_PER_CONNECTION_DEFAULT =
        parseSize(MAX_QUEUED_BYTES_PER_CONNECTION_PROP, MAX_QUEUED_BYTES_PER_CONNECTION_DEFAULT_TEXT);
    public static final int MAX_QUEUED_BYTES_PER_CONNECTION_MIN = 256 * 1024;

    /** Capacity of each store shard writer's handoff queue, in commands (rounded up to a power of two). */
    public static final String WRITER_QUEUE_PROP = "outpost.writer.queue";
    public static final int WRITER_QUEUE_DEFAULT = 4096;
    public static final int WRITER_QUEUE_MAX = 1 << 20;

    /** Parsed history entries each loaded server file keeps for merges (the rest are parsed again when needed). */
    public static final String WRITER_PARSED_ENTRIES_PROP = "outpost.writer.parsed.entries";
    public static final int WRITER_PARSED_ENTRIES_DEFAULT = 256;
    public static final int WRITER_PARSED_ENTRIES_MAX = 65_536;

    /** {@code os} or {@code fsync}: see {@link Durability}. */
    public static final String DURABILITY_PROP = "outpost.durability";
    public static final String DURABILITY_DEFAULT_TEXT = "os";
    public static final Durability DURABILITY_DEFAULT = parseDurability(DURABILITY_DEFAULT_TEXT);

    /** Server files whose object state stays in memory (all writers together); the least recently used go first. */
    public static final String STATE_CACHE_FILES_PROP = "outpost.state.cache.files";
    public static final int STATE_CACHE_FILES_DEFAULT = 20_000;

    /** Estimated heap of the object states kept in memory (all writers together). */
    public static final String STATE_CACHE_SIZE_PROP = "outpost.state.cache.size";
    public static final String STATE_CACHE_SIZE_DEFAULT_TEXT = "a quarter of the heap, at most 512MiB";
    /** A quarter of the maximum heap, at most 512 MiB: cached states beyond the heap would only meet the heap guard. */
    public static final int STATE_CACHE_SIZE_DEFAULT = (int)Math.max(1L << 20,
        Math.min(512L << 20, Runtime.getRuntime().maxMemory() / 4));

    /**
     * A server file's object state is checkpointed (when it leaves the state cache, or at shutdown) if at least this
     * many versions were appended since its last checkpoint; 0 writes none.
     */
    public static final String STATE_CHECKPOINT_MIN_VERSIONS_PROP = "outpost.state.checkpoint.min.versions";
    public static final int STATE_CHECKPOINT_MIN_VERSIONS_DEFAULT = 1000;

    /** Largest (uncompressed) UPLOAD body inflated and checked on the event loop; larger ones on the writer. */
    public static final String UPLOAD_INLINE_BYTES_PROP = "outpost.upload.inline.bytes";
    public static final String UPLOAD_INLINE_BYTES_DEFAULT_TEXT = "128KiB";
    public static final int UPLOAD_INLINE_BYTES_DEFAULT =
        parseSize(UPLOAD_INLINE_BYTES_PROP, UPLOAD_INLINE_BYTES_DEFAULT_TEXT);

    /** Most changeset bytes a DOWNLOAD may carry to be built inline on the event loop; larger ones off it. */
    public static final String DOWNLOAD_INLINE_BYTES_PROP = "outpost.download.inline.bytes";
    public static final String DOWNLOAD_INLINE_BYTES_DEFAULT_TEXT = "32KiB";
    public static final int DOWNLOAD_INLINE_BYTES_DEFAULT =
        parseSize(DOWNLOAD_INLINE_BYTES_PROP, DOWNLOAD_INLINE_BYTES_DEFAULT_TEXT);
    /** Upper bound of both inline budgets. */
    public static final int INLINE_BYTES_MAX = 64 * 1024 * 1024;

    /** Threads of each app's download pool (large DOWNLOADs, bootstraps and STATE messages built off the loops). */
    public static final String DOWNLOAD_THREADS_PROP = "outpost.download.threads";
    public static final int DOWNLOAD_THREADS_DEFAULT = Math.max(1, Runtime.getRuntime().availableProcessors());
    public static final int DOWNLOAD_THREADS_MAX = 1024;

    /** Recent history entries each server file keeps encoded once for all its sessions' DOWNLOADs (0: none). */
    public static final String DOWNLOAD_SHARED_ENTRIES_PROP = "outpost.download.shared.entries";
    public static final int DOWNLOAD_SHARED_ENTRIES_DEFAULT = 256;
    public static final int DOWNLOAD_SHARED_ENTRIES_MAX = 1 << 16;

    /**
     * Percent of the maximum heap left after a garbage collection at which the server stops reading input and drops
     * cached object states until it is back under 15 points less (0: off; see {@code memory.HeapGuard}).
     */
    public static final String MEMORY_PRESSURE_PROP = "outpost.memory.pressure";
    public static final int MEMORY_PRESSURE_DEFAULT = 85;

    /** Outbound WebSocket messages longer than this are sent in fragments of this size, one per event-loop task. */
    public static final String WS_FRAGMENT_BYTES_PROP = "outpost.ws.fragment.bytes";
    public static final String WS_FRAGMENT_BYTES_DEFAULT_TEXT = "256KiB";
    public static final int WS_FRAGMENT_BYTES_DEFAULT =
        parseSize(WS_FRAGMENT_BYTES_PROP, WS_FRAGMENT_BYTES_DEFAULT_TEXT);
    public static final int WS_FRAGMENT_BYTES_MIN = 1024;

    /** Also record each event-loop task's thread CPU time (diagnostics). */
    public static final String EVENTLOOP_CPU_PROP = "outpost.eventloop.cpu";
    public static final boolean EVENTLOOP_CPU_DEFAULT = false;

    /** Shards (queues and writer threads) of each app's history store; used when a data directory is created. */
    public static final String STORE_SHARDS_PROP = "outpost.store.shards";
    public static final int STORE_SHARDS_DEFAULT = StoreConfig.DEFAULT_SHARD_COUNT;
    public static final int STORE_SHARDS_MAX = StoreConfig.MAX_SHARD_COUNT;

    /**
     * Free space the history store leaves on its filesystem: a write that would leave less is refused (the client
     * gets a retryable error and tries again later) until space returns; 0 turns the check off.
     */
    public static final String STORE_MIN_FREE_SPACE_PROP = "outpost.store.min.free.space";
    public static final String STORE_MIN_FREE_SPACE_DEFAULT_TEXT = "64MiB";
    public static final int STORE_MIN_FREE_SPACE_DEFAULT =
        parseSize(STORE_MIN_FREE_SPACE_PROP, STORE_MIN_FREE_SPACE_DEFAULT_TEXT);

    /** Longest PBS partition value (the BIND path) accepted, in UTF-8 bytes; longer gets {@code illegal_realm_path}. */
    public static final String PARTITION_MAX_BYTES_PROP = "outpost.partition.max.bytes";
    public static final int PARTITION_MAX_BYTES_DEFAULT = 1024;
    /** The store's server file name limit (4096 bytes) less the longest {@code pbs/<app id>/} prefix. */
    public static final int PARTITION_MAX_BYTES_MAX = 3900;
    /** Sessions one sync connection may have bound at once; the BIND beyond is refused (session error). */
    public static final String MAX_SESSIONS_PER_CONNECTION_PROP = "outpost.max.sessions.per.connection";
    public static final int MAX_SESSIONS_PER_CONNECTION_DEFAULT = 1000;
    /**
     * UPLOADs of one session handed to its server file's writer and not yet completed, at most. When it is hit the
     * session's later messages wait (realm's client pipelines UPLOADs without waiting for an answer and the protocol
     * has no error for "too many", so the limit is back-pressure: held-back messages, then TCP, never an error).
     */
    public static final String MAX_UPLOADS_IN_FLIGHT_PROP = "outpost.max.uploads.in.flight";
    public static final int MAX_UPLOADS_IN_FLIGHT_DEFAULT = 16;
    public static final int MAX_UPLOADS_IN_FLIGHT_MAX = 1024;
    /** New server files (partitions) one user may create per minute (a token bucket of that size); 0: no limit. */
    public static final String NEW_FILES_PER_USER_PROP = "outpost.new.files.per.user";
    public static final int NEW_FILES_PER_USER_DEFAULT = 100;
    /** New server files (partitions) all users of an app together may create per minute; 0: no limit. */
    public static final String NEW_FILES_PER_APP_PROP = "outpost.new.files.per.app";
    public static final int NEW_FILES_PER_APP_DEFAULT = 10_000;
    /** Server files an app may have in total; a BIND that would create one more is refused; 0: no limit. */
    public static final String MAX_FILES_PER_APP_PROP = "outpost.max.files.per.app";
    public static final int MAX_FILES_PER_APP_DEFAULT = 0;
    /** Largest FLX query (the JSON of IDENT and QUERY) accepted; larger gets {@code query_error 226}. */
    public static final String FLX_QUERY_MAX_BYTES_PROP = "outpost.flx.query.max.bytes";
    public static final String FLX_QUERY_MAX_BYTES_DEFAULT_TEXT = "1MiB";
    public static final int FLX_QUERY_MAX_BYTES_DEFAULT =
        parseSize(FLX_QUERY_MAX_BYTES_PROP, FLX_QUERY_MAX_BYTES_DEFAULT_TEXT);
    /**
     * FLX views: recent history entries per server file whose view annotations are kept; an FLX session with a narrow
     * query further behind gets a catch-up (error 200 while active, a bootstrap at its next bind).
     */
    public static final String FLX_VIEW_LOG_ENTRIES_PROP = "outpost.flx.view.log.entries";
    public static final int FLX_VIEW_LOG_ENTRIES_DEFAULT = 4096;
    /**
     * How long a client file may stay away (no IDENT, no upload) before its next IDENT is answered with
     * client_file_expired 222, which realm's client turns into a client reset (App Services'
     * {@code client_max_offline_days}); 0: clients never expire. Per app: an entry's {@code client-max-offline}, else
     * the {@code client_max_offline_days} of its export, else this setting.
     */
    public static final String CLIENT_MAX_OFFLINE_PROP = "outpost.client.max.offline";
    public static final String CLIENT_MAX_OFFLINE_DEFAULT_TEXT = "30d";
    public static final Duration CLIENT_MAX_OFFLINE_DEFAULT =
        parseDuration(CLIENT_MAX_OFFLINE_PROP, CLIENT_MAX_OFFLINE_DEFAULT_TEXT);

    /**
     * PostgreSQL database the single app's data is mirrored into ({@code postgresql://user:password@host/db}); no
     * default (no mirror). Listed apps give their own {@code mirror:}.
     */
    public static final String MIRROR_POSTGRES_PROP = "outpost.mirror.postgres";
    /** Schema of the mirror's tables; default {@link MirrorSettings#SCHEMA_DEFAULT}. */
    public static final String MIRROR_SCHEMA_PROP = "outpost.mirror.schema";
    /**
     * PostgreSQL mirror: most server files (per app) whose object state the mirror keeps in memory; beyond it, the
     * least recently changed files with every row committed are dropped and rebuilt from their committed position
     * (replaying their history) when they change again.
     */
    public static final String MIRROR_RESIDENT_FILES_PROP = "outpost.mirror.resident.files";
    public static final int MIRROR_RESIDENT_FILES_DEFAULT = 1_000;

    /**
     * Whether INSERT, UPDATE and DELETE made with SQL on the mirror's tables reach the clients (captured by a trigger
     * into an outbox table, integrated as server changesets); default {@link MirrorSettings#INBOUND_DEFAULT}.
     */
    public static final String MIRROR_INBOUND_PROP = "outpost.mirror.inbound";

    /** The config file itself ({@code serve --config}, {@code OUTPOST_CONFIG}). */
    public static final String CONFIG_PROP = "outpost.config";
    /** The apps list (config file only). */
    public static final String APPS_PROP = "outpost.apps";
    /** Subdirectory of the data directory holding one directory per app when the configuration lists apps. */
    public static final String APPS_DIR = "apps";

    /** Head room of a WebSocket message over the largest body it carries (message head, compression overhead). */
    public static final int MESSAGE_HEAD_ROOM = 64 * 1024;

    /** A file that marks the data directory of a single-app server (its auth log). */
    private static final String LEGACY_MARKER = "auth.log";

    private static final Pattern APP_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9._:%\\[\\]-]{1,253}");

    private String host;
    private int port;
    private Path dataDir;
    private String appId;
    private Duration idleTimeout;
    private Duration httpIdleTimeout = HTTP_IDLE_TIMEOUT_DEFAULT;
    private Duration httpHeaderTimeout = HTTP_HEADER_TIMEOUT_DEFAULT;
    private Duration httpBodyTimeout = HTTP_BODY_TIMEOUT_DEFAULT;
    private int maxConnections = MAX_CONNECTIONS_AUTO;
    private int maxConnectionsPerIp = MAX_CONNECTIONS_PER_IP_DEFAULT;
    private Duration wsBindTimeout = WS_BIND_TIMEOUT_DEFAULT;
    private int loginsPerIp = LOGINS_PER_IP_DEFAULT;
    private int maxChangesetSize = MAX_CHANGESET_SIZE_DEFAULT;
    private Duration accessTokenTtl;
    private Duration refreshTokenTtl;
    private JwtAlgorithm jwtAlgorithm;
    private Path jwtPrivateKeyFile;
    private Path jwtPublicKeyFile;
    private int maxDownloadSize;
    private int maxMessageSize;
    private int compressionThreshold;
    private int eventLoops;
    private EpochClock epochClock = SystemEpochClock.INSTANCE;
    private Path tlsCertFile;
    private Path tlsKeyFile;
    private boolean tlsSelfSigned;
    private List<String> tlsProtocols = TLS_PROTOCOLS_DEFAULT;
    private String publicUrl;
    private boolean listAppIds = LIST_APP_IDS_DEFAULT;
    private String adminHost = ADMIN_HOST_DEFAULT;
    private int adminPort = ADMIN_PORT_DERIVED;
    private String adminKey;
    private Path adminKeyFile;
    private boolean adminPublicStatus = ADMIN_PUBLIC_STATUS_DEFAULT;
    private Duration shutdownTimeout = SHUTDOWN_TIMEOUT_DEFAULT;
    private Duration slowConsumerTimeout = SLOW_CONSUMER_TIMEOUT_DEFAULT;
    private int maxQueuedBytesPerConnection = MAX_QUEUED_BYTES_PER_CONNECTION_DEFAULT;
    private int writerQueue = WRITER_QUEUE_DEFAULT;
    private int writerParsedEntries = WRITER_PARSED_ENTRIES_DEFAULT;
    private Durability durability = DURABILITY_DEFAULT;
    private int stateCacheFiles = STATE_CACHE_FILES_DEFAULT;
    private int stateCacheSize = STATE_CACHE_SIZE_DEFAULT;
    private int stateCheckpointMinVersions = STATE_CHECKPOINT_MIN_VERSIONS_DEFAULT;
    private int uploadInlineBytes = UPLOAD_INLINE_BYTES_DEFAULT;
    private int downloadInlineBytes = DOWNLOAD_INLINE_BYTES_DEFAULT;
    private int downloadThreads = DOWNLOAD_THREADS_DEFAULT;
    private int downloadSharedEntries = DOWNLOAD_SHARED_ENTRIES_DEFAULT;
    private int memoryPressure = MEMORY_PRESSURE_DEFAULT;
    private int wsFragmentBytes = WS_FRAGMENT_BYTES_DEFAULT;
    private boolean eventLoopCpu = EVENTLOOP_CPU_DEFAULT;
    private int storeShards = STORE_SHARDS_DEFAULT;
    private int storeMinFreeSpace = STORE_MIN_FREE_SPACE_DEFAULT;
    private int partitionMaxBytes = PARTITION_MAX_BYTES_DEFAULT;
    private int maxSessionsPerConnection = MAX_SESSIONS_PER_CONNECTION_DEFAULT;
    private int maxUploadsInFlight = MAX_UPLOADS_IN_FLIGHT_DEFAULT;
    private int newFilesPerUser = NEW_FILES_PER_USER_DEFAULT;
    private int newFilesPerApp = NEW_FILES_PER_APP_DEFAULT;
    private int maxFilesPerApp = MAX_FILES_PER_APP_DEFAULT;
    private int flxQueryMaxBytes = FLX_QUERY_MAX_BYTES_DEFAULT;
    private String mirrorPostgres;
    private String mirrorSchema;
    private Boolean mirrorInbound;
    private MirrorSettings mirror;
    private int mirrorResidentFiles = MIRROR_RESIDENT_FILES_DEFAULT;
    private int flxViewLogEntries = FLX_VIEW_LOG_ENTRIES_DEFAULT;
    private Duration clientMaxOffline = CLIENT_MAX_OFFLINE_DEFAULT;
    private List<AppConfig> apps = List.of();
    private Path appConfigDir;
    private AppConfig exportApp;
    /** Per-app copies ({@link #forApp}): the app's sync settings, null when it has none. */
    private SyncSettings syncSettings;
    /** The app of a {@link #forApp} copy (its sync settings and rules for the app's sync engine), else null. */
    private AppConfig app;
    private Map<String, String> environment = Map.of();
    private Path configFile;
    private final Map<String, String> origins = new HashMap<>();

    /** One row per setting: config-file key, property name (environment variable derived), how to apply text. */
    private record Setting(String fileKey, String property, BiConsumer<ServerConfig, String> apply)
    {
        String env()
        {
            return property.toUpperCase(Locale.ROOT).replace('.', '_');
        }
    }

    private static final List<Setting> SETTINGS = List.of(
        new Setting("host", HOST_PROP, (c, v) -> c.host = v),
        new Setting("port", PORT_PROP, (c, v) -> c.port = parseInt(PORT_PROP, v)),
        new Setting("data-dir", DATA_DIR_PROP, (c, v) -> c.dataDir = Path.of(v)),
        new Setting("app-id", APP_ID_PROP, (c, v) -> c.appId = v),
        new Setting("app-config", APP_CONFIG_PROP, (c, v) -> c.appConfigDir = Path.of(v)),
        new Setting("idle-timeout", IDLE_TIMEOUT_PROP, (c, v) -> c.idleTimeout = parseDuration(IDLE_TIMEOUT_PROP, v)),
        new Setting("http.idle-timeout", HTTP_IDLE_TIMEOUT_PROP,
            (c, v) -> c.httpIdleTimeout = parseDuration(HTTP_IDLE_TIMEOUT_PROP, v)),
        new Setting("http.header-timeout", HTTP_HEADER_TIMEOUT_PROP,
            (c, v) -> c.httpHeaderTimeout = parseDuration(HTTP_HEADER_TIMEOUT_PROP, v)),
        new Setting("http.body-timeout", HTTP_BODY_TIMEOUT_PROP,
            (c, v) -> c.httpBodyTimeout = parseDuration(HTTP_BODY_TIMEOUT_PROP, v)),
        new Setting("max-connections", MAX_CONNECTIONS_PROP,
            (c, v) -> c.maxConnections = parseInt(MAX_CONNECTIONS_PROP, v)),
        new Setting("max-connections-per-ip", MAX_CONNECTIONS_PER_IP_PROP,
            (c, v) -> c.maxConnectionsPerIp = parseInt(MAX_CONNECTIONS_PER_IP_PROP, v)),
        new Setting("ws.bind-timeout", WS_BIND_TIMEOUT_PROP,
            (c, v) -> c.wsBindTimeout = parseDuration(WS_BIND_TIMEOUT_PROP, v)),
        new Setting("login.per-ip", LOGINS_PER_IP_PROP, (c, v) -> c.loginsPerIp = parseInt(LOGINS_PER_IP_PROP, v)),
        new Setting("max-changeset-size", MAX_CHANGESET_SIZE_PROP,
            (c, v) -> c.maxChangesetSize = parseSize(MAX_CHANGESET_SIZE_PROP, v)),
        new Setting("access-token-ttl", ACCESS_TOKEN_TTL_PROP,
            (c, v) -> c.accessTokenTtl = parseDuration(ACCESS_TOKEN_TTL_PROP, v)),
        new Setting("refresh-token-ttl", REFRESH_TOKEN_TTL_PROP,
            (c, v) -> c.refreshTokenTtl = parseDuration(REFRESH_TOKEN_TTL_PROP, v)),
        new Setting("jwt.algorithm", JWT_ALGORITHM_PROP, (c, v) -> c.jwtAlgorithm = parseAlgorithm(v)),
        new Setting("jwt.private-key", JWT_PRIVATE_KEY_PROP, (c, v) -> c.jwtPrivateKeyFile = Path.of(v)),
        new Setting("jwt.public-key", JWT_PUBLIC_KEY_PROP, (c, v) -> c.jwtPublicKeyFile = Path.of(v)),
        new Setting("max-download-size", MAX_DOWNLOAD_SIZE_PROP,
            (c, v) -> c.maxDownloadSize = parseSize(MAX_DOWNLOAD_SIZE_PROP, v)),
        new Setting("max-message-size", MAX_MESSAGE_SIZE_PROP,
            (c, v) -> c.maxMessageSize = parseSize(MAX_MESSAGE_SIZE_PROP, v)),
        new Setting("compression-threshold", COMPRESSION_THRESHOLD_PROP,
            (c, v) -> c.compressionThreshold = parseSize(COMPRESSION_THRESHOLD_PROP, v)),
        new Setting("event-loops", EVENT_LOOPS_PROP, (c, v) -> c.eventLoops = parseInt(EVENT_LOOPS_PROP, v)),
        new Setting("tls.cert", TLS_CERT_PROP, (c, v) -> c.tlsCertFile = Path.of(v)),
        new Setting("tls.key", TLS_KEY_PROP, (c, v) -> c.tlsKeyFile = Path.of(v)),
        new Setting("tls.self-signed", TLS_SELF_SIGNED_PROP,
            (c, v) -> c.tlsSelfSigned = parseBoolean(TLS_SELF_SIGNED_PROP, v)),
        new Setting("tls.protocols", TLS_PROTOCOLS_PROP, (c, v) -> c.tlsProtocols = parseList(v)),
        new Setting("public-url", PUBLIC_URL_PROP, (c, v) -> c.publicUrl = v),
        new Setting("http.list-app-ids", LIST_APP_IDS_PROP,
            (c, v) -> c.listAppIds = parseBoolean(LIST_APP_IDS_PROP, v)),
        new Setting("admin.host", ADMIN_HOST_PROP, (c, v) -> c.adminHost = v),
        new Setting("admin.port", ADMIN_PORT_PROP, (c, v) -> c.adminPort = parseAdminPort(v)),
        new Setting("admin.key", ADMIN_KEY_PROP, (c, v) -> c.adminKey = v),
        new Setting("admin.key-file", ADMIN_KEY_FILE_PROP, (c, v) -> c.adminKeyFile = Path.of(v)),
        new Setting("admin.public-status", ADMIN_PUBLIC_STATUS_PROP,
            (c, v) -> c.adminPublicStatus = parseBoolean(ADMIN_PUBLIC_STATUS_PROP, v)),
        new Setting("shutdown-timeout", SHUTDOWN_TIMEOUT_PROP,
            (c, v) -> c.shutdownTimeout = parseDuration(SHUTDOWN_TIMEOUT_PROP, v)),
        new Setting("slow-consumer-timeout", SLOW_CONSUMER_TIMEOUT_PROP,
            (c, v) -> c.slowConsumerTimeout = parseDuration(SLOW_CONSUMER_TIMEOUT_PROP, v)),
        new Setting("max-queued-bytes-per-connection", MAX_QUEUED_BYTES_PER_CONNECTION_PROP,
            (c, v) -> c.maxQueuedBytesPerConnection = parseSize(MAX_QUEUED_BYTES_PER_CONNECTION_PROP, v)),
        new Setting("writer-queue", WRITER_QUEUE_PROP, (c, v) -> c.writerQueue = parseInt(WRITER_QUEUE_PROP, v)),
        new Setting("writer.parsed-entries", WRITER_PARSED_ENTRIES_PROP,
            (c, v) -> c.writerParsedEntries = parseInt(WRITER_PARSED_ENTRIES_PROP, v)),
        new Setting("durability", DURABILITY_PROP, (c, v) -> c.durability = parseDurability(v)),
        new Setting("state-cache.files", STATE_CACHE_FILES_PROP,
            (c, v) -> c.stateCacheFiles = parseInt(STATE_CACHE_FILES_PROP, v)),
        new Setting("state-cache.size", STATE_CACHE_SIZE_PROP,
            (c, v) -> c.stateCacheSize = parseSize(STATE_CACHE_SIZE_PROP, v)),
        new Setting("state-checkpoint.min-versions", STATE_CHECKPOINT_MIN_VERSIONS_PROP,
            (c, v) -> c.stateCheckpointMinVersions = parseInt(STATE_CHECKPOINT_MIN_VERSIONS_PROP, v)),
        new Setting("upload.inline-bytes", UPLOAD_INLINE_BYTES_PROP,
            (c, v) -> c.uploadInlineBytes = parseSize(UPLOAD_INLINE_BYTES_PROP, v)),
        new Setting("download.inline-bytes", DOWNLOAD_INLINE_BYTES_PROP,
            (c, v) -> c.downloadInlineBytes = parseSize(DOWNLOAD_INLINE_BYTES_PROP, v)),
        new Setting("download.threads", DOWNLOAD_THREADS_PROP,
            (c, v) -> c.downloadThreads = parseInt(DOWNLOAD_THREADS_PROP, v)),
        new Setting("download.shared-entries", DOWNLOAD_SHARED_ENTRIES_PROP,
            (c, v) -> c.downloadSharedEntries = parseInt(DOWNLOAD_SHARED_ENTRIES_PROP, v)),
        new Setting("memory.pressure", MEMORY_PRESSURE_PROP,
            (c, v) -> c.memoryPressure = parseInt(MEMORY_PRESSURE_PROP, v.trim().endsWith("%") ?
                v.trim().substring(0, v.trim().length() - 1) : v)),
        new Setting("ws.fragment-bytes", WS_FRAGMENT_BYTES_PROP,
            (c, v) -> c.wsFragmentBytes = parseSize(WS_FRAGMENT_BYTES_PROP, v)),
        new Setting("eventloop.cpu", EVENTLOOP_CPU_PROP,
            (c, v) -> c.eventLoopCpu = parseBoolean(EVENTLOOP_CPU_PROP, v)),
        new Setting("store.shards", STORE_SHARDS_PROP, (c, v) -> c.storeShards = parseInt(STORE_SHARDS_PROP, v)),
        new Setting("store.min-free-space", STORE_MIN_FREE_SPACE_PROP,
            (c, v) -> c.storeMinFreeSpace = parseSize(STORE_MIN_FREE_SPACE_PROP, v)),
        new Setting("partition.max-bytes", PARTITION_MAX_BYTES_PROP,
            (c, v) -> c.partitionMaxBytes = parseSize(PARTITION_MAX_BYTES_PROP, v)),
        new Setting("max-sessions-per-connection", MAX_SESSIONS_PER_CONNECTION_PROP,
            (c, v) -> c.maxSessionsPerConnection = parseInt(MAX_SESSIONS_PER_CONNECTION_PROP, v)),
        new Setting("max-uploads-in-flight", MAX_UPLOADS_IN_FLIGHT_PROP,
            (c, v) -> c.maxUploadsInFlight = parseInt(MAX_UPLOADS_IN_FLIGHT_PROP, v)),
        new Setting("new-files.per-user", NEW_FILES_PER_USER_PROP,
            (c, v) -> c.newFilesPerUser = parseInt(NEW_FILES_PER_USER_PROP, v)),
        new Setting("new-files.per-app", NEW_FILES_PER_APP_PROP,
            (c, v) -> c.newFilesPerApp = parseInt(NEW_FILES_PER_APP_PROP, v)),
        new Setting("max-files-per-app", MAX_FILES_PER_APP_PROP,
            (c, v) -> c.maxFilesPerApp = parseInt(MAX_FILES_PER_APP_PROP, v)),
        new Setting("flx.query.max-bytes", FLX_QUERY_MAX_BYTES_PROP,
            (c, v) -> c.flxQueryMaxBytes = parseSize(FLX_QUERY_MAX_BYTES_PROP, v)),
        new Setting("mirror.postgres", MIRROR_POSTGRES_PROP, (c, v) -> c.mirrorPostgres = v),
        new Setting("mirror.schema", MIRROR_SCHEMA_PROP, (c, v) -> c.mirrorSchema = v),
        new Setting("mirror.resident-files", MIRROR_RESIDENT_FILES_PROP,
            (c, v) -> c.mirrorResidentFiles = parseInt(MIRROR_RESIDENT_FILES_PROP, v)),
        new Setting("mirror.inbound", MIRROR_INBOUND_PROP,
            (c, v) -> c.mirrorInbound = parseBoolean(MIRROR_INBOUND_PROP, v)),
        new Setting("flx.view-log-entries", FLX_VIEW_LOG_ENTRIES_PROP,
            (c, v) -> c.flxViewLogEntries = parseInt(FLX_VIEW_LOG_ENTRIES_PROP, v)),
        new Setting("client-max-offline", CLIENT_MAX_OFFLINE_PROP,
            (c, v) -> c.clientMaxOffline = parseDuration(CLIENT_MAX_OFFLINE_PROP, v)));

    /**
     * Defaults overridden by system properties and environment variables.
     *
     * @throws ConfigException if a property or environment variable does not parse.
     */
    public ServerConfig()
    {
        this(System.getenv());
    }

    /**
     * Defaults overridden by system properties, then by the given environment.
     *
     * @param environment environment variables ({@code OUTPOST_PORT} etc.); an empty map ignores the environment.
     * @throws ConfigException if a property or environment variable does not parse.
     */
    public ServerConfig(final Map<String, String> environment)
    {
        this(null, environment);
    }

    /**
     * Defaults, overridden by the config file, then by system properties, then by the given environment (so
     * the CLI flags applied afterwards through the setters win over all of them).
     *
     * @param file        a YAML or JSON config file, or null for none.
     * @param environment environment variables ({@code OUTPOST_PORT} etc.); an empty map ignores the environment.
     * @throws ConfigException if the file, a property or an environment variable does not parse; the message says
     *                         where the value came from (file and key, property or variable).
     */
    public ServerConfig(final Path file, final Map<String, String> environment)
    {
        host = HOST_DEFAULT;
        port = PORT_DEFAULT;
        dataDir = Path.of(DATA_DIR_DEFAULT);
        appId = APP_ID_DEFAULT;
        idleTimeout = IDLE_TIMEOUT_DEFAULT;
        accessTokenTtl = ACCESS_TOKEN_TTL_DEFAULT;
        refreshTokenTtl = REFRESH_TOKEN_TTL_DEFAULT;
        jwtAlgorithm = JWT_ALGORITHM_DEFAULT;
        maxDownloadSize = MAX_DOWNLOAD_SIZE_DEFAULT;
        maxMessageSize = MAX_MESSAGE_SIZE_DEFAULT;
        compressionThreshold = COMPRESSION_THRESHOLD_DEFAULT;
        eventLoops = EVENT_LOOPS_DEFAULT;
        this.environment = Map.copyOf(environment);
        if (null != file)
        {
            applyFile(ConfigFile.read(file), environment);
            configFile = file;
        }
        for (final Setting setting : SETTINGS)
        {
            final String prop = System.getProperty(setting.property());
            if (null != prop && !prop.isBlank())
            {
                apply(setting, prop.trim(), "system property " + setting.property());
            }
            final String env = environment.get(setting.env());
            if (null != env && !env.isBlank())
            {
                apply(setting, env.trim(), "environment variable " + setting.env());
            }
        }
    }

    /**
     * @return the config file the settings were read from, or null.
     */
    public Path configFile()
    {
        return configFile;
    }

    /**
     * Record where a setting's value came from (for example {@code --port}); validation errors then name it.
     *
     * @param property the setting's property name.
     * @param origin   human-readable origin.
     * @return this.
     */
    public ServerConfig origin(final String property, final String origin)
    {
        origins.put(property, origin);
        return this;
    }

    private void apply(final Setting setting, final String value, final String origin)
    {
        try
        {
            setting.apply().accept(this, value);
        }
        catch (final ConfigException ex)
        {
            throw new ConfigException(setting.property(), origin, ex.detail());
        }
        origins.put(setting.property(), origin);
    }

    private void applyFile(final ConfigFile file, final Map<String, String> environment)
    {
        for (final Map.Entry<String, Object> e : file.values().entrySet())
        {
            final Setting setting = SETTINGS.stream().filter(s -> s.fileKey().equals(e.getKey())).findFirst()
                .orElseThrow(() -> unknownKey(file, e.getKey()));
            final Object value = e.getValue();
            if (null == value || value instanceof Map)
            {
                throw new ConfigException(setting.property(), file.origin(e.getKey()), "needs a value");
            }
            final String text = value instanceof List ? String.join(",", ((List<?>)value).stream()
                .map(String::valueOf).toList()) : String.valueOf(value);
            apply(setting, text.trim(), file.origin(e.getKey()));
        }
        if (null != file.apps())
        {
            final List<AppConfig> list = new ArrayList<>();
            for (int i = 0; i < file.apps().size(); i++)
            {
                list.add(parseApp(file, i, file.apps().get(i), environment));
            }
            if (list.isEmpty())
            {
                throw new ConfigException(APPS_PROP, file.origin("apps"), "lists no app; remove it to serve the " +
                    "single app of app-id, or add '- id: myapp'");
            }
            apps = List.copyOf(list);
            origins.put(APPS_PROP, file.origin("apps"));
        }
    }

    /**
     * {@code OUTPOST_*} environment variables that are no setting but look like a mistyped one ({@code OUTPOST_PROT}):
     * such a variable is ignored, so the operator is told which one was probably meant. Variables far from every
     * setting (other tools' {@code OUTPOST_*}) are left alone.
     *
     * @param environment the environment.
     * @return one line per likely typo, sorted; empty if none.
     */
    public static List<String> environmentTypos(final Map<String, String> environment)
    {
        final List<String> known = new ArrayList<>(SETTINGS.stream().map(Setting::env).toList());
        known.add("OUTPOST_CONFIG");
        final List<String> typos = new ArrayList<>();
        for (final String name : environment.keySet())
        {
            if (name.startsWith("OUTPOST_") && !known.contains(name) && !name.startsWith("OUTPOST_SECRET_"))
            {
                final String nearest = ConfigException.nearest(name.substring("OUTPOST_".length()),
                    known.stream().map(k -> k.substring("OUTPOST_".length())).toList());
                if (null != nearest)
                {
                    typos.add("environment variable " + name + " is not a setting and is ignored; did you mean " +
                        "OUTPOST_" + nearest + "?");
                }
            }
        }
        typos.sort(null);
        return typos;
    }

    private static ConfigException unknownKey(final ConfigFile file, final String key)
    {
        final List<String> known = new ArrayList<>(SETTINGS.stream().map(Setting::fileKey).toList());
        known.add("apps");
        final String nearest = ConfigException.nearest(key, known);
        return new ConfigException(CONFIG_PROP, file.origin(key), "unknown key" +
            (null == nearest ? "" : "; did you mean '" + nearest + "'?") + " Known keys: " + String.join(", ", known));
    }

    private static AppConfig parseApp(final ConfigFile file, final int index, final Map<String, Object> app,
        final Map<String, String> environment)
    {
        return AppConfig.fromFile(file, index, app, environment);
    }

    /**
     * Validate every setting and create the data directory if it does not exist.
     *
     * @return this.
     * @throws ConfigException naming the first setting that is not acceptable.
     */
    public ServerConfig conclude()
    {
        try
        {
            validate();
        }
        catch (final ConfigException ex)
        {
            final String origin = origins.get(ex.setting());
            if (null != origin && null == ex.origin() && !ex.getMessage().contains("(" + origin + ")"))
            {
                throw new ConfigException(ex.setting(), origin, ex.detail());
            }
            throw ex;
        }
        return this;
    }

    private void validate()
    {
        if (null == host || !HOST.matcher(host).matches())
        {
            throw new ConfigException(HOST_PROP, "'" + host + "' is not a host name or IP address");
        }
        if (port < 0 || port > 65535)
        {
            throw new ConfigException(PORT_PROP, port + " is outside 0..65535 (0 picks a free port)");
        }
        validateAdmin();
        if (null == appId || !APP_ID.matcher(appId).matches())
        {
            throw new ConfigException(APP_ID_PROP, "'" + appId + "' must be 1-128 characters of A-Z a-z 0-9 _ . - " +
                "starting with a letter or digit");
        }
        requirePositive(IDLE_TIMEOUT_PROP, idleTimeout);
        requirePositive(HTTP_IDLE_TIMEOUT_PROP, httpIdleTimeout);
        requirePositive(HTTP_HEADER_TIMEOUT_PROP, httpHeaderTimeout);
        requirePositive(HTTP_BODY_TIMEOUT_PROP, httpBodyTimeout);
        if (maxConnections < 0)
        {
            throw new ConfigException(MAX_CONNECTIONS_PROP, maxConnections + " is negative (0 derives it from the " +
                "descriptor limit)");
        }
        if (maxConnectionsPerIp < 0)
        {
            throw new ConfigException(MAX_CONNECTIONS_PER_IP_PROP, maxConnectionsPerIp + " is negative (0: no limit)");
        }
        requirePositive(WS_BIND_TIMEOUT_PROP, wsBindTimeout);
        if (loginsPerIp < 0)
        {
            throw new ConfigException(LOGINS_PER_IP_PROP, loginsPerIp + " is negative (0: no limit)");
        }
        if (maxChangesetSize < 1024)
        {
            throw new ConfigException(MAX_CHANGESET_SIZE_PROP, maxChangesetSize + " bytes is below 1 KiB");
        }
        requirePositive(ACCESS_TOKEN_TTL_PROP, accessTokenTtl);
        requirePositive(REFRESH_TOKEN_TTL_PROP, refreshTokenTtl);
        if (refreshTokenTtl.compareTo(accessTokenTtl) < 0)
        {
            throw new ConfigException(REFRESH_TOKEN_TTL_PROP, refreshTokenTtl + " is shorter than " +
                ACCESS_TOKEN_TTL_PROP + " " + accessTokenTtl);
        }
        if (null == jwtAlgorithm)
        {
            throw new ConfigException(JWT_ALGORITHM_PROP, "must be HS256 or RS256");
        }
        if (JwtAlgorithm.RS256 == jwtAlgorithm)
        {
            requireReadable(JWT_PRIVATE_KEY_PROP, jwtPrivateKeyFile, "RS256 needs a PKCS#8 PEM private key file");
            requireReadable(JWT_PUBLIC_KEY_PROP, jwtPublicKeyFile, "RS256 needs an X.509 PEM public key file");
        }
        if (maxDownloadSize < 64 * 1024 || maxDownloadSize > 512 * 1024 * 1024)
        {
            throw new ConfigException(MAX_DOWNLOAD_SIZE_PROP, maxDownloadSize + " bytes is outside 64 KiB..512 MiB");
        }
        if (maxMessageSize < (long)maxDownloadSize + MESSAGE_HEAD_ROOM || maxMessageSize > 1024 * 1024 * 1024)
        {
            throw new ConfigException(MAX_MESSAGE_SIZE_PROP, maxMessageSize + " bytes must be at least " +
                MAX_DOWNLOAD_SIZE_PROP + " + 64 KiB (" + ((long)maxDownloadSize + MESSAGE_HEAD_ROOM) +
                ") and at most 1 GiB");
        }
        if (compressionThreshold < 0)
        {
            throw new ConfigException(COMPRESSION_THRESHOLD_PROP, compressionThreshold + " is negative");
        }
        if (stateCacheFiles < 1)
        {
            throw new ConfigException(STATE_CACHE_FILES_PROP, stateCacheFiles + " must be at least 1");
        }
        if (stateCacheSize < 1024 * 1024)
        {
            throw new ConfigException(STATE_CACHE_SIZE_PROP, stateCacheSize + " bytes is below 1 MiB");
        }
        if (stateCheckpointMinVersions < 0)
        {
            throw new ConfigException(STATE_CHECKPOINT_MIN_VERSIONS_PROP,
                stateCheckpointMinVersions + " is negative (0 writes no state checkpoint)");
        }
        if (partitionMaxBytes < 1 || partitionMaxBytes > PARTITION_MAX_BYTES_MAX)
        {
            throw new ConfigException(PARTITION_MAX_BYTES_PROP, partitionMaxBytes + " bytes is outside 1.." +
                PARTITION_MAX_BYTES_MAX);
        }
        if (maxSessionsPerConnection < 1)
        {
            throw new ConfigException(MAX_SESSIONS_PER_CONNECTION_PROP, maxSessionsPerConnection +
                " must be at least 1");
        }
        if (maxUploadsInFlight < 1 || maxUploadsInFlight > MAX_UPLOADS_IN_FLIGHT_MAX)
        {
            throw new ConfigException(MAX_UPLOADS_IN_FLIGHT_PROP, maxUploadsInFlight + " is outside 1.." +
                MAX_UPLOADS_IN_FLIGHT_MAX);
        }
        if (newFilesPerUser < 0)
        {
            throw new ConfigException(NEW_FILES_PER_USER_PROP, newFilesPerUser + " is negative (0: no limit)");
        }
        if (newFilesPerApp < 0)
        {
            throw new ConfigException(NEW_FILES_PER_APP_PROP, newFilesPerApp + " is negative (0: no limit)");
        }
        if (maxFilesPerApp < 0)
        {
            throw new ConfigException(MAX_FILES_PER_APP_PROP, maxFilesPerApp + " is negative (0: no limit)");
        }
        if (flxQueryMaxBytes < 1024)
        {
            throw new ConfigException(FLX_QUERY_MAX_BYTES_PROP, flxQueryMaxBytes + " bytes is below 1 KiB");
        }
        if (flxViewLogEntries < 1 || flxViewLogEntries > 1 << 20)
        {
            throw new ConfigException(FLX_VIEW_LOG_ENTRIES_PROP, flxViewLogEntries + " is outside 1..1048576");
        }
        if (null == clientMaxOffline || clientMaxOffline.isNegative())
        {
            throw new ConfigException(CLIENT_MAX_OFFLINE_PROP, clientMaxOffline + " is negative (0: never expire)");
        }
        if (eventLoops < 1 || eventLoops > 1024)
        {
            throw new ConfigException(EVENT_LOOPS_PROP, eventLoops + " is outside 1..1024");
        }
        if (null == epochClock)
        {
            throw new ConfigException("epochClock", "must not be null");
        }
        if (null == dataDir)
        {
            throw new ConfigException(DATA_DIR_PROP, "must be set");
        }
        if (Files.exists(dataDir) && !Files.isDirectory(dataDir))
        {
            throw new ConfigException(DATA_DIR_PROP, "'" + dataDir + "' is a file, not a directory");
        }
        try
        {
            Files.createDirectories(dataDir);
        }
        catch (final Exception ex)
        {
            throw new ConfigException(DATA_DIR_PROP, "cannot create directory '" + dataDir + "': " +
                ConfigException.reason(ex));
        }
        if (!Files.isDirectory(dataDir) || !Files.isWritable(dataDir))
        {
            throw new ConfigException(DATA_DIR_PROP, "'" + dataDir + "' is not a writable directory");
        }
        validateTls();
        publicUrl = null == publicUrl ? null : normalisePublicUrl(publicUrl);
        requirePositive(SHUTDOWN_TIMEOUT_PROP, shutdownTimeout);
        requirePositive(SLOW_CONSUMER_TIMEOUT_PROP, slowConsumerTimeout);
        if (maxQueuedBytesPerConnection < MAX_QUEUED_BYTES_PER_CONNECTION_MIN)
        {
            throw new ConfigException(MAX_QUEUED_BYTES_PER_CONNECTION_PROP, maxQueuedBytesPerConnection +
                " bytes is below 256 KiB");
        }
        if (writerQueue < 2 || writerQueue > WRITER_QUEUE_MAX)
        {
            throw new ConfigException(WRITER_QUEUE_PROP, writerQueue + " is outside 2.." + WRITER_QUEUE_MAX);
        }
        if (writerParsedEntries < 0 || writerParsedEntries > WRITER_PARSED_ENTRIES_MAX)
        {
            throw new ConfigException(WRITER_PARSED_ENTRIES_PROP, writerParsedEntries + " is outside 0.." +
                WRITER_PARSED_ENTRIES_MAX);
        }
        validateApps();
        validateAppConfig();
        validateMirror();
        if (mirrorResidentFiles < 1)
        {
            throw new ConfigException(MIRROR_RESIDENT_FILES_PROP, mirrorResidentFiles + " must be at least 1");
        }
        validateSyncTuning();
    }

    private void validateAdmin()
    {
        if (null == adminHost || !HOST.matcher(adminHost).matches())
        {
            throw new ConfigException(ADMIN_HOST_PROP, "'" + adminHost + "' is not a host name or IP address");
        }
        if (ADMIN_PORT_DERIVED == adminPort && port >= 65535)
        {
            throw new ConfigException(ADMIN_PORT_PROP, "the default (the public port + 1) is outside 0..65535 " +
                "for port " + port + ": set " + ADMIN_PORT_PROP + " (or off)");
        }
        if (adminPort != ADMIN_PORT_DERIVED && (adminPort < ADMIN_PORT_OFF || adminPort > 65535))
        {
            throw new ConfigException(ADMIN_PORT_PROP, adminPort + " is outside 0..65535 (0 picks a free port, " +
                "off turns the admin listener off)");
        }
        if (adminPort > 0 && adminPort == port)
        {
            throw new ConfigException(ADMIN_PORT_PROP, adminPort + " is the public port (" + PORT_PROP + "); the " +
                "admin listener needs a port of its own");
        }
        if (null != adminKey && null != adminKeyFile)
        {
            throw new ConfigException(ADMIN_KEY_PROP, "set either " + ADMIN_KEY_PROP + " or " + ADMIN_KEY_FILE_PROP +
                ", not both");
        }
        if (null != adminKey && !validAdminKey(adminKey))
        {
            throw new ConfigException(ADMIN_KEY_PROP, "must be at least " + ADMIN_KEY_MIN_LENGTH + " printable " +
                "ASCII characters without spaces (the key itself is not shown)");
        }
        if (null != adminKeyFile)
        {
            requireReadable(ADMIN_KEY_FILE_PROP, adminKeyFile, "the admin key file must be a readable file");
        }
    }

    /**
     * @param key a candidate admin key.
     * @return whether it is acceptable: at least {@link #ADMIN_KEY_MIN_LENGTH} printable ASCII characters, no spaces.
     */
    public static boolean validAdminKey(final String key)
    {
        return null != key && key.length() >= ADMIN_KEY_MIN_LENGTH && key.length() <= 512 &&
            key.chars().allMatch(ch -> ch > 0x20 && ch < 0x7f);
    }

    /**
     * @param text an {@link #ADMIN_PORT_PROP} value: a port number or {@code off}.
     * @return the port, or {@link #ADMIN_PORT_OFF}.
     * @throws ConfigException naming the setting if it is neither.
     */
    public static int parseAdminPort(final String text)
    {
        return "off".equalsIgnoreCase(text.trim()) ? ADMIN_PORT_OFF : parseInt(ADMIN_PORT_PROP, text);
    }

    private void validateMirror()
    {
        mirror = null;
        if (null == mirrorPostgres && null == mirrorSchema && null == mirrorInbound)
        {
            return;
        }
        if (!apps.isEmpty())
        {
            throw new ConfigException(null != mirrorPostgres ? MIRROR_POSTGRES_PROP : null != mirrorSchema ?
                MIRROR_SCHEMA_PROP : MIRROR_INBOUND_PROP, "cannot be combined with the apps list of " + origins.get(APPS_PROP) + "; give each app its own " +
                "'mirror: {postgres: ..., schema: ...}' in the list instead");
        }
        if (null == mirrorPostgres)
        {
            throw new ConfigException(null != mirrorSchema ? MIRROR_SCHEMA_PROP : MIRROR_INBOUND_PROP, "needs " +
                MIRROR_POSTGRES_PROP + " (the database to mirror into)");
        }
        mirror = new MirrorSettings(mirrorPostgres, mirrorSchema,
            null == mirrorInbound ? MirrorSettings.INBOUND_DEFAULT : mirrorInbound);
    }

    /**
     * @return the PostgreSQL URL of the single app's mirror as given, or null.
     */
    public String mirrorPostgres()
    {
        return mirrorPostgres;
    }

    /**
     * @param url PostgreSQL URL of the single app's mirror, or null for none.
     * @return this.
     */
    public ServerConfig mirrorPostgres(final String url)
    {
        this.mirrorPostgres = url;
        return this;
    }

    /**
     * @return the schema of the single app's mirror as given, or null for the default.
     */
    public String mirrorSchema()
    {
        return mirrorSchema;
    }

    /**
     * @param schema the schema of the single app's mirror, or null for the default.
     * @return this.
     */
    public ServerConfig mirrorSchema(final String schema)
    {
        this.mirrorSchema = schema;
        return this;
    }

    /**
     * @return whether SQL writes to the single app's mirror tables reach the clients, or null for the default.
     */
    public Boolean mirrorInbound()
    {
        return mirrorInbound;
    }

    /**
     * @param inbound whether SQL writes to the single app's mirror tables reach the clients, or null for the default
     *                ({@link MirrorSettings#INBOUND_DEFAULT}).
     * @return this.
     */
    public ServerConfig mirrorInbound(final Boolean inbound)
    {
        this.mirrorInbound = inbound;
        return this;
    }

    private void validateAppConfig()
    {
        exportApp = null;
        if (null == appConfigDir)
        {
            return;
        }
        if (!apps.isEmpty())
        {
            throw new ConfigException(APP_CONFIG_PROP, "cannot be combined with the apps list of " +
                origins.get(APPS_PROP) + "; give the app 'app-config: " + appConfigDir + "' in the list instead");
        }
        final AppServicesConfig export = AppServicesExport.read(appConfigDir, APP_CONFIG_PROP,
            AppServicesExport.environmentSecrets(environment));
        final List<String> extra = new ArrayList<>();
        String id = appId;
        if (origins.containsKey(APP_ID_PROP))
        {
            if (null != export.appId() && !export.appId().equals(appId))
            {
                extra.add(origins.get(APP_ID_PROP) + ": app id '" + appId + "' differs from the export's " +
                    "root_config.json app_id '" + export.appId() + "'; serving '" + appId + "' (clients must use it)");
            }
        }
        else if (null != export.appId())
        {
            id = export.appId();
        }
        if (!APP_ID.matcher(id).matches())
        {
            throw new ConfigException(APP_CONFIG_PROP, "app id '" + id + "' of the export's root_config.json must be " +
                "1-128 characters of A-Z a-z 0-9 _ . - starting with a letter or digit; give one with app-id");
        }
        exportApp = AppConfig.fromExport(id, export, extra);
        appId = id;
    }

    /**
     * @return the App Services export served as the single app, or null.
     */
    public Path appConfigDir()
    {
        return appConfigDir;
    }

    /**
     * @param appConfigDir an App Services export to serve as the single app, or null.
     * @return this.
     */
    public ServerConfig appConfigDir(final Path appConfigDir)
    {
        this.appConfigDir = appConfigDir;
        return this;
    }

    /**
     * @return the sync settings the sync engine of this app enforces (a {@link #forApp} copy carries its app's
     * {@link AppConfig#sync()}), or null: no sync settings, every mode and schema change is served.
     */
    public SyncSettings syncSettings()
    {
        return syncSettings;
    }

    /**
     * @param syncSettings the sync settings of the app this configuration serves, or null.
     * @return this.
     */
    public ServerConfig syncSettings(final SyncSettings syncSettings)
    {
        this.syncSettings = syncSettings;
        return this;
    }

    private void validateSyncTuning()
    {
        if (uploadInlineBytes < 0 || uploadInlineBytes > INLINE_BYTES_MAX)
        {
            throw new ConfigException(UPLOAD_INLINE_BYTES_PROP, uploadInlineBytes + " bytes is outside 0..64 MiB");
        }
        if (downloadInlineBytes < 0 || downloadInlineBytes > INLINE_BYTES_MAX)
        {
            throw new ConfigException(DOWNLOAD_INLINE_BYTES_PROP, downloadInlineBytes + " bytes is outside 0..64 MiB");
        }
        if (downloadThreads < 1 || downloadThreads > DOWNLOAD_THREADS_MAX)
        {
            throw new ConfigException(DOWNLOAD_THREADS_PROP, downloadThreads + " is outside 1.." +
                DOWNLOAD_THREADS_MAX);
        }
        if (downloadSharedEntries < 0 || downloadSharedEntries > DOWNLOAD_SHARED_ENTRIES_MAX)
        {
            throw new ConfigException(DOWNLOAD_SHARED_ENTRIES_PROP, downloadSharedEntries + " is outside 0.." +
                DOWNLOAD_SHARED_ENTRIES_MAX);
        }
        if (memoryPressure != 0 && (memoryPressure < 50 || memoryPressure > 99))
        {
            throw new ConfigException(MEMORY_PRESSURE_PROP, memoryPressure + " is outside 50..99 (percent of the " +
                "maximum heap) and not 0 (off)");
        }
        if (wsFragmentBytes < WS_FRAGMENT_BYTES_MIN)
        {
            throw new ConfigException(WS_FRAGMENT_BYTES_PROP, wsFragmentBytes + " bytes is below " +
                WS_FRAGMENT_BYTES_MIN);
        }
        if (storeShards < 1 || storeShards > STORE_SHARDS_MAX)
        {
            throw new ConfigException(STORE_SHARDS_PROP, storeShards + " is outside 1.." + STORE_SHARDS_MAX);
        }
        if (storeMinFreeSpace < 0)
        {
            throw new ConfigException(STORE_MIN_FREE_SPACE_PROP, storeMinFreeSpace + " bytes is negative");
        }
    }

    /**
     * @param url an absolute http or https URL, optionally with a path, without query, fragment or user info.
     * @return it with a lower-case scheme and without a trailing slash.
     * @throws ConfigException naming {@link #PUBLIC_URL_PROP} otherwise.
     */
    static String normalisePublicUrl(final String url)
    {
        final java.net.URI uri;
        try
        {
            uri = new java.net.URI(url.trim());
        }
        catch (final java.net.URISyntaxException ex)
        {
            throw new ConfigException(PUBLIC_URL_PROP, "'" + url + "' is not a URL: " + ex.getReason());
        }
        final String scheme = null == uri.getScheme() ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if ((!"http".equals(scheme) && !"https".equals(scheme)) || null == uri.getHost() || uri.isOpaque())
        {
            throw new ConfigException(PUBLIC_URL_PROP, "'" + url + "' must be an absolute http:// or https:// URL " +
                "with a host, e.g. https://sync.example.com");
        }
        if (null != uri.getRawQuery() || null != uri.getRawFragment() || null != uri.getRawUserInfo())
        {
            throw new ConfigException(PUBLIC_URL_PROP, "'" + url + "' must not have a query, fragment or user info");
        }
        String path = null == uri.getRawPath() ? "" : uri.getRawPath();
        while (path.endsWith("/"))
        {
            path = path.substring(0, path.length() - 1);
        }
        return scheme + "://" + uri.getRawAuthority() + path;
    }

    private void validateTls()
    {
        if (tlsSelfSigned && (null != tlsCertFile || null != tlsKeyFile))
        {
            throw new ConfigException(TLS_SELF_SIGNED_PROP, "cannot be combined with " + TLS_CERT_PROP + "/" +
                TLS_KEY_PROP + " (use one or the other)");
        }
        if (null != tlsCertFile || null != tlsKeyFile)
        {
            requireReadable(TLS_CERT_PROP, tlsCertFile, "TLS needs a PEM certificate (chain) file");
            requireReadable(TLS_KEY_PROP, tlsKeyFile, "TLS needs a PEM private key file (PKCS#8 or PKCS#1)");
        }
        if (null == tlsProtocols || tlsProtocols.isEmpty())
        {
            throw new ConfigException(TLS_PROTOCOLS_PROP, "must name at least one of " + TLS_PROTOCOLS_SUPPORTED);
        }
        for (final String p : tlsProtocols)
        {
            if (!TLS_PROTOCOLS_SUPPORTED.contains(p))
            {
                throw new ConfigException(TLS_PROTOCOLS_PROP, "'" + p + "' is not one of " + TLS_PROTOCOLS_SUPPORTED);
            }
        }
    }

    private void validateApps()
    {
        if (apps.isEmpty())
        {
            return;
        }
        if (origins.containsKey(APP_ID_PROP))
        {
            throw new ConfigException(APP_ID_PROP, origins.get(APP_ID_PROP), "cannot be combined with the apps " +
                "list of " + origins.get(APPS_PROP) + "; give each app an id in the list instead");
        }
        final Set<String> ids = new HashSet<>();
        final Map<Path, String> dirs = new HashMap<>();
        boolean rootOwned = false;
        for (final AppConfig app : apps)
        {
            if (!APP_ID.matcher(app.id()).matches())
            {
                throw new ConfigException(APPS_PROP, origins.get(APPS_PROP), "app id '" + app.id() + "' must be " +
                    "1-128 characters of A-Z a-z 0-9 _ . - starting with a letter or digit");
            }
            if (!ids.add(app.id()))
            {
                throw new ConfigException(APPS_PROP, origins.get(APPS_PROP), "app id '" + app.id() + "' is listed " +
                    "twice");
            }
            final Path dir = appDataDir(app).toAbsolutePath().normalize();
            final String other = dirs.put(dir, app.id());
            if (null != other)
            {
                throw new ConfigException(APPS_PROP, origins.get(APPS_PROP), "apps '" + other + "' and '" + app.id() +
                    "' share the data directory " + dir + "; each app needs its own");
            }
            rootOwned |= dir.equals(dataDir.toAbsolutePath().normalize());
            try
            {
                Files.createDirectories(dir);
            }
            catch (final Exception ex)
            {
                throw new ConfigException(APPS_PROP, origins.get(APPS_PROP), "cannot create the data directory " +
                    dir + " of app '" + app.id() + "': " + ConfigException.reason(ex));
            }
        }
        if (!rootOwned && Files.exists(dataDir.resolve(LEGACY_MARKER)))
        {
            throw new ConfigException(APPS_PROP, origins.get(APPS_PROP), "the data directory " +
                dataDir.toAbsolutePath().normalize() + " holds the data of a single-app server (" + LEGACY_MARKER +
                "), which no listed app owns. Give the app it belongs to 'data-dir: " + dataDir + "' in the apps " +
                "list, or stop the server and move its files to " + dataDir.resolve(APPS_DIR).resolve("<app id>"));
        }
    }

    /**
     * Read the permission rules of every app again from where they came from (a running server's rule reload): the
     * config file's apps list (each app's {@code rules:} or its {@code app-config} export), or the single app's
     * App Services export ({@code app-config}). Nothing else of the configuration is read again or changed. Apps
     * given programmatically, without a file or an export, keep the rules they have.
     *
     * @return app id to its rules as the files now say, in configuration order.
     * @throws ConfigException naming the file and key of what cannot be honoured (nothing is returned then).
     */
    public Map<String, dev.outpost.ot.rules.Rules> rereadRules()
    {
        final Map<String, dev.outpost.ot.rules.Rules> out = new java.util.LinkedHashMap<>();
        if (!apps.isEmpty())
        {
            if (null == configFile)
            {
                apps.forEach(app -> out.put(app.id(), app.rules()));
                return out;
            }
            final ConfigFile file = ConfigFile.read(configFile);
            if (null != file.apps())
            {
                for (int i = 0; i < file.apps().size(); i++)
                {
                    final AppConfig app = parseApp(file, i, file.apps().get(i), environment);
                    out.put(app.id(), app.rules());
                }
            }
            return out;
        }
        if (null != appConfigDir)
        {
            out.put(appId, AppServicesExport.read(appConfigDir, APP_CONFIG_PROP,
                AppServicesExport.environmentSecrets(environment)).rules());
            return out;
        }
        for (final AppConfig app : apps())
        {
            out.put(app.id(), app.rules());
        }
        return out;
    }

    /**
     * @return the apps to serve: the listed ones, or the single app {@link #appId()} whose data directory is
     * {@link #dataDir()} itself (the layout of a single-app server).
     */
    public List<AppConfig> apps()
    {
        if (apps.isEmpty())
        {
            final AppConfig single = null != exportApp ? exportApp : new AppConfig(appId, dataDir, true);
            return List.of(null == mirror ? single : single.withMirror(mirror));
        }
        return apps;
    }

    /**
     * @param apps the apps to serve; empty for the single-app form ({@link #appId()} in {@link #dataDir()}).
     * @return this.
     */
    public ServerConfig apps(final List<AppConfig> apps)
    {
        this.apps = List.copyOf(apps);
        return this;
    }

    /**
     * @param app one of {@link #apps()}.
     * @return its data directory: its own setting, else {@code <data-dir>/apps/<id>} (listed apps) or the data
     * directory (single-app form).
     */
    public Path appDataDir(final AppConfig app)
    {
        if (null != app.dataDir())
        {
            return app.dataDir();
        }
        return apps.isEmpty() ? dataDir : dataDir.resolve(APPS_DIR).resolve(app.id());
    }


    /**
     * @param app one of {@link #apps()}.
     * @return a copy of this configuration for that app alone: its id and its data directory, every server-wide
     * setting unchanged. The per-app services (auth store, tokens, sync store) take this.
     */
    public ServerConfig forApp(final AppConfig app)
    {
        final ServerConfig copy = new ServerConfig(null, Map.of());
        copy.host = host;
        copy.port = port;
        copy.dataDir = appDataDir(app);
        copy.appId = app.id();
        copy.idleTimeout = idleTimeout;
        copy.httpIdleTimeout = httpIdleTimeout;
        copy.httpHeaderTimeout = httpHeaderTimeout;
        copy.httpBodyTimeout = httpBodyTimeout;
        copy.maxConnections = maxConnections;
        copy.maxConnectionsPerIp = maxConnectionsPerIp;
        copy.wsBindTimeout = wsBindTimeout;
        copy.loginsPerIp = loginsPerIp;
        copy.maxChangesetSize = maxChangesetSize;
        copy.accessTokenTtl = accessTokenTtl;
        copy.refreshTokenTtl = refreshTokenTtl;
        copy.jwtAlgorithm = jwtAlgorithm;
        copy.jwtPrivateKeyFile = jwtPrivateKeyFile;
        copy.jwtPublicKeyFile = jwtPublicKeyFile;
        copy.maxDownloadSize = maxDownloadSize;
        copy.maxMessageSize = maxMessageSize;
        copy.compressionThreshold = compressionThreshold;
        copy.eventLoops = eventLoops;
        copy.epochClock = epochClock;
        copy.tlsCertFile = tlsCertFile;
        copy.tlsKeyFile = tlsKeyFile;
        copy.tlsSelfSigned = tlsSelfSigned;
        copy.tlsProtocols = tlsProtocols;
        copy.publicUrl = publicUrl;
        copy.listAppIds = listAppIds;
        copy.adminHost = adminHost;
        copy.adminPort = adminPort;
        copy.adminKey = adminKey;
        copy.adminKeyFile = adminKeyFile;
        copy.adminPublicStatus = adminPublicStatus;
        copy.shutdownTimeout = shutdownTimeout;
        copy.slowConsumerTimeout = slowConsumerTimeout;
        copy.maxQueuedBytesPerConnection = maxQueuedBytesPerConnection;
        copy.writerQueue = writerQueue;
        copy.writerParsedEntries = writerParsedEntries;
        copy.durability = durability;
        copy.stateCacheFiles = stateCacheFiles;
        copy.stateCacheSize = stateCacheSize;
        copy.stateCheckpointMinVersions = stateCheckpointMinVersions;
        copy.uploadInlineBytes = uploadInlineBytes;
        copy.downloadInlineBytes = downloadInlineBytes;
        copy.downloadThreads = downloadThreads;
        copy.downloadSharedEntries = downloadSharedEntries;
        copy.memoryPressure = memoryPressure;
        copy.wsFragmentBytes = wsFragmentBytes;
        copy.eventLoopCpu = eventLoopCpu;
        copy.storeShards = storeShards;
        copy.storeMinFreeSpace = storeMinFreeSpace;
        copy.partitionMaxBytes = partitionMaxBytes;
        copy.maxSessionsPerConnection = maxSessionsPerConnection;
        copy.maxUploadsInFlight = maxUploadsInFlight;
        copy.newFilesPerUser = newFilesPerUser;
        copy.newFilesPerApp = newFilesPerApp;
        copy.maxFilesPerApp = maxFilesPerApp;
        copy.flxQueryMaxBytes = flxQueryMaxBytes;
        copy.mirrorPostgres = mirrorPostgres;
        copy.mirrorSchema = mirrorSchema;
        copy.mirrorInbound = mirrorInbound;
        copy.mirror = mirror;
        copy.mirrorResidentFiles = mirrorResidentFiles;
        copy.flxViewLogEntries = flxViewLogEntries;
        copy.clientMaxOffline = clientMaxOffline(app, clientMaxOffline);
        copy.configFile = configFile;
        copy.appConfigDir = appConfigDir;
        copy.syncSettings = null != app.sync() ? app.sync() : syncSettings;
        copy.app = app;
        return copy;
    }

    /**
     * @return the app of a configuration narrowed by {@link #forApp} (its sync settings, its rules), else null.
     */
    public AppConfig app()
    {
        return app;
    }

    /**
     * @return whether the server speaks TLS (HTTPS and WSS on its port).
     */
    public boolean tlsEnabled()
    {
        return tlsSelfSigned || null != tlsCertFile;
    }

    public Path tlsCertFile()
    {
        return tlsCertFile;
    }

    public ServerConfig tlsCertFile(final Path tlsCertFile)
    {
        this.tlsCertFile = tlsCertFile;
        return this;
    }

    public Path tlsKeyFile()
    {
        return tlsKeyFile;
    }

    public ServerConfig tlsKeyFile(final Path tlsKeyFile)
    {
        this.tlsKeyFile = tlsKeyFile;
        return this;
    }

    /**
     * @return whether to generate (once, kept in the data directory) a self-signed certificate; development only.
     */
    public boolean tlsSelfSigned()
    {
        return tlsSelfSigned;
    }

    public ServerConfig tlsSelfSigned(final boolean tlsSelfSigned)
    {
        this.tlsSelfSigned = tlsSelfSigned;
        return this;
    }

    /**
     * @return enabled TLS versions, default TLSv1.3 only.
     */
    public List<String> tlsProtocols()
    {
        return tlsProtocols;
    }

    public ServerConfig tlsProtocols(final List<String> tlsProtocols)
    {
        this.tlsProtocols = List.copyOf(tlsProtocols);
        return this;
    }

    /**
     * @return the URL clients reach the server at (normalised by {@link #conclude()}), or null: the location
     * answer then echoes the request's {@code Host} header.
     */
    public String publicUrl()
    {
        return publicUrl;
    }

    public ServerConfig publicUrl(final String publicUrl)
    {
        this.publicUrl = publicUrl;
        return this;
    }

    /**
     * @return whether the 404 for an unknown Client App ID names the app ids served ({@link #LIST_APP_IDS_PROP}).
     */
    public boolean listAppIds()
    {
        return listAppIds;
    }

    public ServerConfig listAppIds(final boolean listAppIds)
    {
        this.listAppIds = listAppIds;
        return this;
    }

    /** @return the admin listener's bind address ({@link #ADMIN_HOST_PROP}). */
    public String adminHost()
    {
        return adminHost;
    }

    public ServerConfig adminHost(final String adminHost)
    {
        this.adminHost = adminHost;
        return this;
    }

    /**
     * @return the admin listener's port ({@link #ADMIN_PORT_PROP}): as set, else the public port + 1 (0, a free port,
     *     when the public port is 0); {@link #ADMIN_PORT_OFF} when the listener is off.
     */
    public int adminPort()
    {
        if (ADMIN_PORT_DERIVED == adminPort)
        {
            return 0 == port ? 0 : port + 1;
        }
        return adminPort;
    }

    /**
     * @param adminPort a port, 0 for a free one, or {@link #ADMIN_PORT_OFF}.
     * @return this.
     */
    public ServerConfig adminPort(final int adminPort)
    {
        this.adminPort = adminPort;
        return this;
    }

    /** @return whether the admin listener is on ({@link #ADMIN_PORT_PROP} is not {@code off}). */
    public boolean adminEnabled()
    {
        return ADMIN_PORT_OFF != adminPort;
    }

    /** @return the configured admin key ({@link #ADMIN_KEY_PROP}), or null. A secret: never log it. */
    public String adminKey()
    {
        return adminKey;
    }

    public ServerConfig adminKey(final String adminKey)
    {
        this.adminKey = adminKey;
        return this;
    }

    /** @return the configured admin key file ({@link #ADMIN_KEY_FILE_PROP}), or null. */
    public Path adminKeyFile()
    {
        return adminKeyFile;
    }

    public ServerConfig adminKeyFile(final Path adminKeyFile)
    {
        this.adminKeyFile = adminKeyFile;
        return this;
    }

    /** @return whether the status page, {@code /status.json} and {@code /metrics} are served on the public port too. */
    public boolean adminPublicStatus()
    {
        return adminPublicStatus;
    }

    public ServerConfig adminPublicStatus(final boolean adminPublicStatus)
    {
        this.adminPublicStatus = adminPublicStatus;
        return this;
    }

    /**
     * @return how long a graceful shutdown waits for sync connections to close before closing them.
     */
    public Duration shutdownTimeout()
    {
        return shutdownTimeout;
    }

    public ServerConfig shutdownTimeout(final Duration shutdownTimeout)
    {
        this.shutdownTimeout = shutdownTimeout;
        return this;
    }

    /**
     * @return how long a sync connection may stay unwritable, with downloads waiting for it, before it is closed
     * with 1011 (the client reconnects and resumes).
     */
    public Duration slowConsumerTimeout()
    {
        return slowConsumerTimeout;
    }

    public ServerConfig slowConsumerTimeout(final Duration slowConsumerTimeout)
    {
        this.slowConsumerTimeout = slowConsumerTimeout;
        return this;
    }

    /**
     * @return the most bytes of one sync connection's outbound messages queued but not sent yet plus those being
     * built for it; while it is over this, none of its sessions starts building another message (a client that does
     * not read costs at most this much memory and no more build work).
     */
    public int maxQueuedBytesPerConnection()
    {
        return maxQueuedBytesPerConnection;
    }

    public ServerConfig maxQueuedBytesPerConnection(final int maxQueuedBytesPerConnection)
    {
        this.maxQueuedBytesPerConnection = maxQueuedBytesPerConnection;
        return this;
    }

    /**
     * @return capacity of each store shard writer's handoff queue in commands (rounded up to a power of two); a
     * full queue makes the event loop retry later (back-pressure).
     */
    public int writerQueue()
    {
        return writerQueue;
    }

    public ServerConfig writerQueue(final int writerQueue)
    {
        this.writerQueue = writerQueue;
        return this;
    }

    /**
     * @return parsed history entries each loaded server file keeps for the merges of later uploads (least recently
     * used first out; a miss parses the stored bytes again); 0 keeps none.
     */
    public int writerParsedEntries()
    {
        return writerParsedEntries;
    }

    public ServerConfig writerParsedEntries(final int writerParsedEntries)
    {
        this.writerParsedEntries = writerParsedEntries;
        return this;
    }

    public String host()
    {
        return host;
    }

    public ServerConfig host(final String host)
    {
        this.host = host;
        return this;
    }

    public int port()
    {
        return port;
    }

    public ServerConfig port(final int port)
    {
        this.port = port;
        return this;
    }

    public Path dataDir()
    {
        return dataDir;
    }

    public ServerConfig dataDir(final Path dataDir)
    {
        this.dataDir = dataDir;
        return this;
    }

    public String appId()
    {
        return appId;
    }

    public ServerConfig appId(final String appId)
    {
        this.appId = appId;
        return this;
    }

    /**
     * @return how long a sync connection may stay silent (no inbound message) before the server drops it.
     */
    public Duration idleTimeout()
    {
        return idleTimeout;
    }

    public ServerConfig idleTimeout(final Duration idleTimeout)
    {
        this.idleTimeout = idleTimeout;
        return this;
    }

    /**
     * @return how long an HTTP connection (not a sync WebSocket) may wait for its next request before it is closed.
     */
    public Duration httpIdleTimeout()
    {
        return httpIdleTimeout;
    }

    public ServerConfig httpIdleTimeout(final Duration httpIdleTimeout)
    {
        this.httpIdleTimeout = httpIdleTimeout;
        return this;
    }

    /**
     * @return how long a request may take from its first byte to its complete head before the connection is closed.
     */
    public Duration httpHeaderTimeout()
    {
        return httpHeaderTimeout;
    }

    public ServerConfig httpHeaderTimeout(final Duration httpHeaderTimeout)
    {
        this.httpHeaderTimeout = httpHeaderTimeout;
        return this;
    }

    /**
     * @return how long a request body may go without a byte arriving before the connection is closed.
     */
    public Duration httpBodyTimeout()
    {
        return httpBodyTimeout;
    }

    public ServerConfig httpBodyTimeout(final Duration httpBodyTimeout)
    {
        this.httpBodyTimeout = httpBodyTimeout;
        return this;
    }

    /**
     * @return the most connections (HTTP and sync WebSocket) open at once, or {@link #MAX_CONNECTIONS_AUTO} to derive
     * it from the process's descriptor limit.
     */
    public int maxConnections()
    {
        return maxConnections;
    }

    public ServerConfig maxConnections(final int maxConnections)
    {
        this.maxConnections = maxConnections;
        return this;
    }

    /**
     * @return the most connections (HTTP and sync WebSocket) open at once from one remote address, 0 for no limit.
     */
    public int maxConnectionsPerIp()
    {
        return maxConnectionsPerIp;
    }

    public ServerConfig maxConnectionsPerIp(final int maxConnectionsPerIp)
    {
        this.maxConnectionsPerIp = maxConnectionsPerIp;
        return this;
    }

    /**
     * @return the longest time a sync WebSocket may stay open after its upgrade without a BIND.
     */
    public Duration wsBindTimeout()
    {
        return wsBindTimeout;
    }

    public ServerConfig wsBindTimeout(final Duration wsBindTimeout)
    {
        this.wsBindTimeout = wsBindTimeout;
        return this;
    }

    /**
     * @return logins (every provider) and registrations per minute allowed from one remote address, 0 for no limit.
     */
    public int loginsPerIp()
    {
        return loginsPerIp;
    }

    public ServerConfig loginsPerIp(final int loginsPerIp)
    {
        this.loginsPerIp = loginsPerIp;
        return this;
    }

    /**
     * @return the largest changeset (uncompressed bytes) one UPLOAD entry may carry.
     */
    public int maxChangesetSize()
    {
        return maxChangesetSize;
    }

    public ServerConfig maxChangesetSize(final int maxChangesetSize)
    {
        this.maxChangesetSize = maxChangesetSize;
        return this;
    }

    public Duration accessTokenTtl()
    {
        return accessTokenTtl;
    }

    public ServerConfig accessTokenTtl(final Duration accessTokenTtl)
    {
        this.accessTokenTtl = accessTokenTtl;
        return this;
    }

    public Duration refreshTokenTtl()
    {
        return refreshTokenTtl;
    }

    public ServerConfig refreshTokenTtl(final Duration refreshTokenTtl)
    {
        this.refreshTokenTtl = refreshTokenTtl;
        return this;
    }

    public JwtAlgorithm jwtAlgorithm()
    {
        return jwtAlgorithm;
    }

    public ServerConfig jwtAlgorithm(final JwtAlgorithm jwtAlgorithm)
    {
        this.jwtAlgorithm = jwtAlgorithm;
        return this;
    }

    public Path jwtPrivateKeyFile()
    {
        return jwtPrivateKeyFile;
    }

    public ServerConfig jwtPrivateKeyFile(final Path jwtPrivateKeyFile)
    {
        this.jwtPrivateKeyFile = jwtPrivateKeyFile;
        return this;
    }

    public Path jwtPublicKeyFile()
    {
        return jwtPublicKeyFile;
    }

    public ServerConfig jwtPublicKeyFile(final Path jwtPublicKeyFile)
    {
        this.jwtPublicKeyFile = jwtPublicKeyFile;
        return this;
    }

    /**
     * @return the largest DOWNLOAD body (uncompressed changeset bytes) the session layer puts in one message.
     */
    public int maxDownloadSize()
    {
        return maxDownloadSize;
    }

    public ServerConfig maxDownloadSize(final int maxDownloadSize)
    {
        this.maxDownloadSize = maxDownloadSize;
        return this;
    }

    /**
     * @return the largest WebSocket frame and message accepted from a client; larger ones close the connection
     * with 1009.
     */
    public int maxMessageSize()
    {
        return maxMessageSize;
    }

    public ServerConfig maxMessageSize(final int maxMessageSize)
    {
        this.maxMessageSize = maxMessageSize;
        return this;
    }

    /**
     * @return bodies at least this large are zlib-compressed by the session layer.
     */
    public int compressionThreshold()
    {
        return compressionThreshold;
    }

    public ServerConfig compressionThreshold(final int compressionThreshold)
    {
        this.compressionThreshold = compressionThreshold;
        return this;
    }

    public int eventLoops()
    {
        return eventLoops;
    }

    public ServerConfig eventLoops(final int eventLoops)
    {
        this.eventLoops = eventLoops;
        return this;
    }

    /**
     * @return the wall clock used for token issue and expiry and by the sync path (changeset timestamps, client
     * files' last-seen times); embedding and tests only, no property.
     */
    public EpochClock epochClock()
    {
        return epochClock;
    }

    public ServerConfig epochClock(final EpochClock epochClock)
    {
        this.epochClock = epochClock;
        return this;
    }

    /**
     * Parse a duration as the CLI and properties accept it: {@code 500ms}, {@code 30s}, {@code 10m}, {@code 2h},
     * {@code 60d}, a bare number of seconds, or ISO-8601 ({@code PT10M}).
     *
     * @param setting property name reported on error.
     * @param text    the text to parse.
     * @return the duration.
     * @throws ConfigException if it does not parse.
     */
    public static Duration parseDuration(final String setting, final String text)
    {
        final String value = text.trim().toLowerCase(Locale.ROOT);
        final var m = DURATION.matcher(value);
        try
        {
            if (m.matches())
            {
                final long amount = Long.parseLong(m.group(1));
                final String unit = null == m.group(2) ? "s" : m.group(2);
                switch (unit)
                {
                    case "ms":
                        return Duration.ofMillis(amount);
                    case "m":
                        return Duration.ofMinutes(amount);
                    case "h":
                        return Duration.ofHours(amount);
                    case "d":
                        return Duration.ofDays(amount);
                    default:
                        return Duration.ofSeconds(amount);
                }
            }
            return Duration.parse(text.trim());
        }
        catch (final RuntimeException ex)
        {
            throw new ConfigException(setting, "'" + text + "' is not a duration (examples: 500ms, 30s, 10m, 2h, " +
                "60d, PT10M)");
        }
    }

    /**
     * Parse a byte size: a number of bytes, or with a unit {@code k}/{@code KiB}, {@code m}/{@code MiB},
     * {@code g}/{@code GiB} (all binary).
     *
     * @param setting property name reported on error.
     * @param text    the text to parse.
     * @return the size in bytes.
     * @throws ConfigException if it does not parse or exceeds 2 GiB - 1.
     */
    public static int parseSize(final String setting, final String text)
    {
        final var m = SIZE.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (m.matches())
        {
            try
            {
                final long amount = Long.parseLong(m.group(1));
                final String unit = null == m.group(2) ? "b" : m.group(2);
                final long multiplier = unit.startsWith("k") ? 1024L : unit.startsWith("m") ? 1024L * 1024 :
                    unit.startsWith("g") ? 1024L * 1024 * 1024 : 1L;
                final long bytes = Math.multiplyExact(amount, multiplier);
                if (bytes <= Integer.MAX_VALUE)
                {
                    return (int)bytes;
                }
            }
            catch (final ArithmeticException | NumberFormatException ignore)
            {
                // reported below
            }
        }
        throw new ConfigException(setting, "'" + text + "' is not a size below 2 GiB (examples: 1024, 64KiB, 16MiB)");
    }

    public String toString()
    {
        return "ServerConfig{" +
            "host=" + host +
            ", port=" + port +
            ", dataDir=" + dataDir +
            ", appId=" + appId +
            ", idleTimeout=" + idleTimeout +
            ", httpIdleTimeout=" + httpIdleTimeout +
            ", httpHeaderTimeout=" + httpHeaderTimeout +
            ", httpBodyTimeout=" + httpBodyTimeout +
            ", maxConnections=" + maxConnections +
            ", maxConnectionsPerIp=" + maxConnectionsPerIp +
            ", wsBindTimeout=" + wsBindTimeout +
            ", loginsPerIp=" + loginsPerIp +
            ", maxChangesetSize=" + maxChangesetSize +
            ", accessTokenTtl=" + accessTokenTtl +
            ", refreshTokenTtl=" + refreshTokenTtl +
            ", jwtAlgorithm=" + jwtAlgorithm +
            ", jwtPrivateKeyFile=" + jwtPrivateKeyFile +
            ", jwtPublicKeyFile=" + jwtPublicKeyFile +
            ", maxDownloadSize=" + maxDownloadSize +
            ", maxMessageSize=" + maxMessageSize +
            ", compressionThreshold=" + compressionThreshold +
            ", eventLoops=" + eventLoops +
            ", tls=" + (tlsSelfSigned ? "self-signed" : null == tlsCertFile ? "off" : tlsCertFile) +
            ", tlsProtocols=" + tlsProtocols +
            ", publicUrl=" + publicUrl +
            ", listAppIds=" + listAppIds +
            ", admin=" + (adminEnabled() ? adminHost + ":" + adminPort() : "off") +
            ", adminKey=" + (null != adminKey ? "********" : null != adminKeyFile ? adminKeyFile : "generated") +
            ", adminPublicStatus=" + adminPublicStatus +
            ", shutdownTimeout=" + shutdownTimeout +
            ", slowConsumerTimeout=" + slowConsumerTimeout +
            ", maxQueuedBytesPerConnection=" + maxQueuedBytesPerConnection +
            ", writerQueue=" + writerQueue +
            ", writerParsedEntries=" + writerParsedEntries +
            ", durability=" + durability +
            ", stateCacheFiles=" + stateCacheFiles +
            ", stateCacheSize=" + stateCacheSize +
            ", stateCheckpointMinVersions=" + stateCheckpointMinVersions +
            ", uploadInlineBytes=" + uploadInlineBytes +
            ", downloadInlineBytes=" + downloadInlineBytes +
            ", downloadThreads=" + downloadThreads +
            ", downloadSharedEntries=" + downloadSharedEntries +
            ", memoryPressure=" + memoryPressure +
            ", wsFragmentBytes=" + wsFragmentBytes +
            ", eventLoopCpu=" + eventLoopCpu +
            ", storeShards=" + storeShards +
            ", storeMinFreeSpace=" + storeMinFreeSpace +
            ", partitionMaxBytes=" + partitionMaxBytes +
            ", maxSessionsPerConnection=" + maxSessionsPerConnection +
            ", maxUploadsInFlight=" + maxUploadsInFlight +
            ", newFilesPerUser=" + newFilesPerUser +
            ", newFilesPerApp=" + newFilesPerApp +
            ", maxFilesPerApp=" + maxFilesPerApp +
            ", flxQueryMaxBytes=" + flxQueryMaxBytes +
            ", flxViewLogEntries=" + flxViewLogEntries +
            ", clientMaxOffline=" + clientMaxOffline +
            ", mirrorResidentFiles=" + mirrorResidentFiles +
            ", appConfig=" + appConfigDir +
            ", apps=" + apps() +
            '}';
    }

    private static boolean parseBoolean(final String setting, final String text)
    {
        switch (text.trim().toLowerCase(Locale.ROOT))
        {
            case "true", "yes", "on", "1":
                return true;
            case "false", "no", "off", "0":
                return false;
            default:
                throw new ConfigException(setting, "'" + text + "' is not true or false");
        }
    }

    private static List<String> parseList(final String text)
    {
        final List<String> list = new ArrayList<>();
        for (final String part : text.split("[,\\s]+"))
        {
            if (!part.isBlank())
            {
                list.add(part.trim());
            }
        }
        return List.copyOf(list);
    }

    private static int parseInt(final String setting, final String text)
    {
        try
        {
            return Integer.parseInt(text.trim());
        }
        catch (final NumberFormatException ex)
        {
            throw new ConfigException(setting, "'" + text + "' is not an integer");
        }
    }

    private static Durability parseDurability(final String text)
    {
        try
        {
            return Durability.valueOf(text.trim().toUpperCase(Locale.ROOT));
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ConfigException(DURABILITY_PROP, "'" + text + "' is not one of os, fsync");
        }
    }

    /**
     * @param text {@code os} or {@code fsync} (any case).
     * @return the durability it names.
     * @throws ConfigException if it names none.
     */
    public static Durability durabilityOf(final String text)
    {
        return parseDurability(text);
    }

    /**
     * @return {@link Durability#OS} (default: crash-safe, write-back by the OS) or {@link Durability#FSYNC} (every
     * batch forced to disk before it is acknowledged).
     */
    public Durability durability()
    {
        return durability;
    }

    public ServerConfig durability(final Durability durability)
    {
        this.durability = java.util.Objects.requireNonNull(durability, "durability");
        return this;
    }

    /**
     * @return how many server files keep their object state in memory, all shard writers together (each writer
     * keeps its share); the least recently used are evicted and rebuilt from the history on their next use.
     */
    public int stateCacheFiles()
    {
        return stateCacheFiles;
    }

    public ServerConfig stateCacheFiles(final int stateCacheFiles)
    {
        this.stateCacheFiles = stateCacheFiles;
        return this;
    }

    /** @return the estimated heap bytes of the object states kept in memory, all shard writers together. */
    public int stateCacheSize()
    {
        return stateCacheSize;
    }

    public ServerConfig stateCacheSize(final int stateCacheSize)
    {
        this.stateCacheSize = stateCacheSize;
        return this;
    }

    /**
     * @return versions appended since a server file's last state checkpoint before its state is checkpointed again
     * (when it leaves the state cache, or at shutdown); 0: no checkpoints.
     */
    public int stateCheckpointMinVersions()
    {
        return stateCheckpointMinVersions;
    }

    public ServerConfig stateCheckpointMinVersions(final int stateCheckpointMinVersions)
    {
        this.stateCheckpointMinVersions = stateCheckpointMinVersions;
        return this;
    }

    /** @return the largest (uncompressed) UPLOAD body inflated and checked on the event loop; larger on the writer. */
    public int uploadInlineBytes()
    {
        return uploadInlineBytes;
    }

    public ServerConfig uploadInlineBytes(final int uploadInlineBytes)
    {
        this.uploadInlineBytes = uploadInlineBytes;
        return this;
    }

    /** @return the most changeset bytes a DOWNLOAD built inline on the event loop carries; larger go to the pool. */
    public int downloadInlineBytes()
    {
        return downloadInlineBytes;
    }

    public ServerConfig downloadInlineBytes(final int downloadInlineBytes)
    {
        this.downloadInlineBytes = downloadInlineBytes;
        return this;
    }

    /** @return threads of each app's download pool. */
    public int downloadThreads()
    {
        return downloadThreads;
    }

    public ServerConfig downloadThreads(final int downloadThreads)
    {
        this.downloadThreads = downloadThreads;
        return this;
    }

    /** @return recent history entries each server file keeps encoded once for all its sessions (0: none). */
    public int downloadSharedEntries()
    {
        return downloadSharedEntries;
    }

    public ServerConfig downloadSharedEntries(final int downloadSharedEntries)
    {
        this.downloadSharedEntries = downloadSharedEntries;
        return this;
    }

    /** @return percent of the maximum heap left after a collection at which memory pressure starts (0: off). */
    public int memoryPressure()
    {
        return memoryPressure;
    }

    public ServerConfig memoryPressure(final int memoryPressure)
    {
        this.memoryPressure = memoryPressure;
        return this;
    }

    /** @return outbound WebSocket messages longer than this are sent in fragments of this size. */
    public int wsFragmentBytes()
    {
        return wsFragmentBytes;
    }

    public ServerConfig wsFragmentBytes(final int wsFragmentBytes)
    {
        this.wsFragmentBytes = wsFragmentBytes;
        return this;
    }

    /** @return whether each event-loop task's thread CPU time is recorded too (diagnostics). */
    public boolean eventLoopCpu()
    {
        return eventLoopCpu;
    }

    public ServerConfig eventLoopCpu(final boolean eventLoopCpu)
    {
        this.eventLoopCpu = eventLoopCpu;
        return this;
    }

    /**
     * @return shards (queues and writer threads) of a history store created for an app; a store that exists keeps
     * the count it was created with (server files are placed by a hash modulo the count).
     */
    public int storeShards()
    {
        return storeShards;
    }

    public ServerConfig storeShards(final int storeShards)
    {
        this.storeShards = storeShards;
        return this;
    }

    /**
     * @return bytes the history store leaves free on its filesystem (writes that would leave less are refused with a
     *     retryable error until space returns); 0: no check.
     */
    public int storeMinFreeSpace()
    {
        return storeMinFreeSpace;
    }

    public ServerConfig storeMinFreeSpace(final int storeMinFreeSpace)
    {
        this.storeMinFreeSpace = storeMinFreeSpace;
        return this;
    }

    /** @return the longest PBS partition value (BIND path) accepted, in UTF-8 bytes. */
    public int partitionMaxBytes()
    {
        return partitionMaxBytes;
    }

    public ServerConfig partitionMaxBytes(final int partitionMaxBytes)
    {
        this.partitionMaxBytes = partitionMaxBytes;
        return this;
    }

    /** @return how many sessions one sync connection may have bound at once. */
    public int maxSessionsPerConnection()
    {
        return maxSessionsPerConnection;
    }

    public ServerConfig maxSessionsPerConnection(final int maxSessionsPerConnection)
    {
        this.maxSessionsPerConnection = maxSessionsPerConnection;
        return this;
    }

    /** @return how many UPLOADs of one session may be with the writer at once (more wait: back-pressure). */
    public int maxUploadsInFlight()
    {
        return maxUploadsInFlight;
    }

    public ServerConfig maxUploadsInFlight(final int maxUploadsInFlight)
    {
        this.maxUploadsInFlight = maxUploadsInFlight;
        return this;
    }

    /** @return new server files one user may create per minute (0: no limit). */
    public int newFilesPerUser()
    {
        return newFilesPerUser;
    }

    public ServerConfig newFilesPerUser(final int newFilesPerUser)
    {
        this.newFilesPerUser = newFilesPerUser;
        return this;
    }

    /** @return new server files all users of one app may create per minute (0: no limit). */
    public int newFilesPerApp()
    {
        return newFilesPerApp;
    }

    public ServerConfig newFilesPerApp(final int newFilesPerApp)
    {
        this.newFilesPerApp = newFilesPerApp;
        return this;
    }

    /** @return the most server files one app may have (0: no limit). */
    public int maxFilesPerApp()
    {
        return maxFilesPerApp;
    }

    public ServerConfig maxFilesPerApp(final int maxFilesPerApp)
    {
        this.maxFilesPerApp = maxFilesPerApp;
        return this;
    }

    /** @return the largest FLX query JSON accepted, in bytes. */
    public int flxQueryMaxBytes()
    {
        return flxQueryMaxBytes;
    }

    public ServerConfig flxQueryMaxBytes(final int flxQueryMaxBytes)
    {
        this.flxQueryMaxBytes = flxQueryMaxBytes;
        return this;
    }

    /** @return PostgreSQL mirror: most server files per app whose object state the mirror keeps in memory. */
    public int mirrorResidentFiles()
    {
        return mirrorResidentFiles;
    }

    public ServerConfig mirrorResidentFiles(final int mirrorResidentFiles)
    {
        this.mirrorResidentFiles = mirrorResidentFiles;
        return this;
    }

    /** @return FLX: history entries per server file whose view annotations are kept. */
    public int flxViewLogEntries()
    {
        return flxViewLogEntries;
    }

    public ServerConfig flxViewLogEntries(final int flxViewLogEntries)
    {
        this.flxViewLogEntries = flxViewLogEntries;
        return this;
    }

    /**
     * @return how long a client file may stay away before its next IDENT gets client_file_expired 222;
     * {@link Duration#ZERO}: never (a {@link #forApp} copy carries its app's value).
     */
    public Duration clientMaxOffline()
    {
        return clientMaxOffline;
    }

    public ServerConfig clientMaxOffline(final Duration clientMaxOffline)
    {
        this.clientMaxOffline = clientMaxOffline;
        return this;
    }

    /** The app's own {@code client-max-offline}, else its export's {@code client_max_offline_days}, else the server's. */
    private static Duration clientMaxOffline(final AppConfig app, final Duration server)
    {
        if (null != app.clientMaxOffline())
        {
            return app.clientMaxOffline();
        }
        if (null != app.sync() && app.sync().clientMaxOfflineDays() > 0)
        {
            return Duration.ofDays(app.sync().clientMaxOfflineDays());
        }
        return server;
    }

    private static JwtAlgorithm parseAlgorithm(final String text)
    {
        try
        {
            return JwtAlgorithm.valueOf(text.trim().toUpperCase(Locale.ROOT));
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ConfigException(JWT_ALGORITHM_PROP, "'" + text + "' is not one of HS256, RS256");
        }
    }

    private static void requirePositive(final String setting, final Duration value)
    {
        if (null == value || value.isNegative() || value.isZero())
        {
            throw new ConfigException(setting, value + " must be a positive duration");
        }
    }

    private static void requireReadable(final String setting, final Path file, final String why)
    {
        if (null == file)
        {
            throw new ConfigException(setting, why + "; none given");
        }
        if (!Files.isRegularFile(file) || !Files.isReadable(file))
        {
            throw new ConfigException(setting, "'" + file + "' is not a readable file (" + why + ")");
        }
    }
}
