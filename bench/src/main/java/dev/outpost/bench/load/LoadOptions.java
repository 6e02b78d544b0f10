package dev.outpost.bench.load;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.vertx.core.json.JsonObject;

/**
 * Command line of the load generator. Options are read in order, so {@code --scenario x} first sets that
 * scenario's values and later options override them; {@code --scale f} multiplies the population (sessions,
 * files, connections, rate) at the end for small smoke runs.
 */
public final class LoadOptions
{
    String url;
    long serverPid = -1;
    /** With --url: the server's unified GC log (written with -Xlog:gc,gc+phases:file=...), or null. */
    java.nio.file.Path serverGcLog;
    boolean inProcess;
    String app = "loadgen";
    boolean appGiven;
    /** With --url: plain partition names (f0, f1, ...) shared with earlier runs instead of this run's own. */
    boolean noRunTag;
    /** With --url: the server's admin key (--admin-key, or read from --admin-key-file), or null: no clean-up. */
    String adminKey;
    /** With --url: the admin listener's base URL (default: the --url's scheme and host, its port + 1). */
    String adminUrl;
    String scenario = "custom";
    int connections;
    int sessionsPerConnection = 1;
    int writerSessionsPerConnection;
    int files = 1;
    int writers = 1;
    int readers;
    int idle;
    double rate;
    int window = 1;
    int ops = 5;
    int stringBytes = 16;
    int keySpace = 1000;
    boolean objectIdKeys;
    double duration = 10;
    double warmup = 2;
    boolean flx;
    String out = "loadgen-result.json";
    boolean limits = true;
    double limitSeconds = 3;
    int clientEventLoops = 2;
    int writerEventLoops = 1;
    boolean uploadOnly;
    int applyReaders = -1;
    int serverEventLoops;
    final List<String> serverJvm = new ArrayList<>();
    boolean storm;
    long stormBackoffMs = 1000;
    int checkFiles = 100;
    int freshChecks = 3;
    double scale = 1;
    double setupTimeout = 180;
    /** Scenario crash: SIGKILLs of the server child, each followed by a restart and the checks. */
    int kills = 5;
    /** Scenario crash: seed of the kill moments and the workload (0: drawn at random and reported). */
    long seed;
    /** Scenario crash: seconds of writes before a kill, drawn uniformly in [killMin, killMax]. */
    double killMin = 1;
    double killMax = 8;
    /** Scenario crash: FLX writers (on the app's FLX server file) beside the PBS writers. */
    int flxWriters;
    /** Scenario crash: the server executable (edge-server/target/outpost); null: OutpostMain from the classpath. */
    String outpost;
    /** Scenario crash: extra {@code outpost serve} arguments (repeatable), e.g. --durability fsync. */
    final List<String> serverArgs = new ArrayList<>();
    /** Scenario crash: keep the data directory and server log after a successful run. */
    boolean keepData;
    /** Scenario crash, test only: damage done to the data directory after each kill (proves the checks fail). */
    String fault;

    static final String USAGE = String.join("\n",
        "java <flags> -cp bench/target/benchmarks.jar dev.outpost.bench.load.LoadGenerator [options]",
        "  (or: sh bench/target/loadgen [options])",
        "  --scenario a|b|c|d|e|crash preset (read first; later options override it)",
        "      a: one server file, 100 writers            b: 10k server files, one writer each",
        "      c: 10k idle sessions + 100 writers         d: fan-out, 1 writer and 1,000 readers on one file",
        "      e: reconnect storm, 5,000 sessions drop at once and catch up",
        "      crash: SIGKILL the server child under load --kills times, restart it, check after each restart",
        "  --url URL                  use a running server (default: start one in a child JVM on a temp dir);",
        "                             needs --app-id (an app it serves); the run's data (partitions f0.., idle-N)",
        "                             stays in that app afterwards",
        "  --server-pid PID           with --url: read its CPU and RSS from /proc",
        "  --server-gc-log FILE       with --url: its GC log, for pause percentiles (start the server with",
        "                             JAVA_OPTS=-Xlog:gc,gc+phases:file=FILE; the child server writes one itself)",
        "  --no-run-tag               with --url: write partitions f0, f1, ... shared with earlier runs (default: this",
        "                             run's own, run-<tag>-f0, ..., so that it never writes into an earlier run's objects)",
        "  --admin-key KEY            with --url: delete the partitions this run created through the server's admin",
        "  --admin-key-file FILE      API at the end (the key, or a file holding it, e.g. DATA_DIR/admin.key); without",
        "                             it they stay and the run says how to list them",
        "  --admin-url URL            with --admin-key: the admin listener (default: --url's host, its port + 1)",
        "  --in-process               start the server in this JVM instead of a child JVM",
        "  --server-jvm OPT           extra JVM option for the server child (repeatable), e.g. -Xmx2g; the child",
        "                             starts with the launcher's memory settings (outpost.jvm.memory), these after",
        "  --server-event-loops N     server event loops (default: CPU count)",
        "  --app-id ID (or --app ID)  Client App ID (default loadgen on the server it starts; required with --url)",
        "  --connections N            WebSocket connections (default: sessions / sessions-per-connection)",
        "  --sessions-per-connection N",
        "  --writer-sessions-per-connection N   for writers only (default: --sessions-per-connection)",
        "  --files N                  server files (PBS partitions) written and read",
        "  --writers N  --readers N  --idle N",
        "  --rate R                   open loop: R changesets/s in total over all writers (0 = closed loop)",
        "  --window N                 closed loop: unacknowledged changesets per writer (default 1)",
        "  --ops N                    operations per changeset (default 5)",
        "  --string-bytes N           length of string values (default 16)",
        "  --key-space N              objects per server file (default 1000)",
        "  --pk int|objectid          primary key type (default int)",
        "  --flx                      query-based sync (one server file per app; --files is ignored)",
        "  --duration S  --warmup S   measured seconds and warm-up seconds (default 10, 2)",
        "  --storm                    drop every reader connection at the start of the measurement (scenario e)",
        "  --storm-backoff-ms MS      first reconnect delay of the storm (jittered, default 1000)",
        "  --no-limits                skip the Chronicle append and WebSocket echo limits",
        "  --limit-seconds S          seconds per limit measurement (default 3)",
        "  --client-event-loops N     load generator event loops (default 2)",
        "  --writer-event-loops N     event loops of their own for the writers' connections when there are readers",
        "                             (default 1; 0 = share the client event loops)",
        "  --writer-mode apply|upload-only   apply: writers integrate every DOWNLOAD (client-side OT, default);",
        "                             upload-only: writers receive DOWNLOADs and keep real cursors but do not apply",
        "                             them, and each writes its own objects (keys [i*key-space, (i+1)*key-space))",
        "  --apply-readers N          readers per server file that apply their DOWNLOADs (client-side OT); the others",
        "                             receive, check and time them and keep real cursors without applying",
        "                             (default -1 = all apply; scenario d: 50)",
        "  --check-files N            server files compared in the convergence check (default 100)",
        "  --scale F                  multiply sessions, files, connections and rate by F (smoke runs)",
        "  --setup-timeout S          seconds allowed for connecting and binding (default 180)",
        "  --out FILE                 JSON result (default loadgen-result.json)",
        "  crash campaign (--scenario crash: 2 PBS files x 2 writers + 2 FLX writers on shared keys, see bench/README.md):",
        "  --kills N                  SIGKILLs of the server, each followed by a restart and the checks (default 5)",
        "  --seed S                   seed of the kill moments and the workload (default: random, reported)",
        "  --kill-after MIN:MAX       seconds of writes before each kill, uniform in [MIN, MAX] (default 1:8)",
        "  --flx-writers N            FLX writers beside the PBS writers (scenario crash: 2)",
        "                             (--rate R: R changesets/s over all writers instead of the closed loop; bounds the",
        "                             history a long campaign builds, which every fresh download replays)",
        "  --outpost PATH             server executable to run (edge-server/target/outpost; default: the outpost",
        "                             main class from this classpath, run as 'java ... OutpostMain serve')",
        "  --server-arg ARG           extra 'outpost serve' argument (repeatable), e.g. --server-arg --durability",
        "                             --server-arg fsync",
        "  --keep-data                keep the data directory and server log (always kept after a failure)",
        "  --fault drop-tail          test only: after each kill, zero the newest 4 KiB of the history (acknowledged",
        "                             changesets lost): the campaign must fail");

    static LoadOptions parse(final String[] args)
    {
        final LoadOptions o = new LoadOptions();
        for (int i = 0; i < args.length; i++)
        {
            final String a = args[i];
            switch (a)
            {
                case "--help", "-h" -> throw new IllegalArgumentException("");
                case "--in-process" -> o.inProcess = true;
                case "--flx" -> o.flx = true;
                case "--storm" -> o.storm = true;
                case "--no-limits" -> o.limits = false;
                case "--no-run-tag" -> o.noRunTag = true;
                case "--keep-data" -> o.keepData = true;
                default ->
                {
                    if (i + 1 >= args.length)
                    {
                        throw new IllegalArgumentException("missing value for " + a);
                    }
                    o.set(a, args[++i]);
                }
            }
        }
        o.applyScale();
        if (null == o.url && (null != o.adminKey || null != o.adminUrl))
        {
            throw new IllegalArgumentException("--admin-key and --admin-url go with --url (the server the load " +
                "generator starts itself is deleted with its data)");
        }
        if (null != o.url && !o.appGiven)
        {
            throw new IllegalArgumentException("with --url, give --app-id ID: the Client App ID that server serves " +
                "(the default '" + o.app + "' exists only on the server the load generator starts itself)");
        }
        return o;
    }

    private void set(final String name, final String v)
    {
        try
        {
            switch (name)
            {
                case "--scenario" -> scenario(v.toLowerCase(Locale.ROOT));
                case "--url" -> url = v;
                case "--server-pid" -> serverPid = Long.parseLong(v);
                case "--admin-key" -> adminKey = v.trim();
                case "--admin-key-file" -> adminKey = readKey(v);
                case "--admin-url" -> adminUrl = v;
                case "--server-gc-log" -> serverGcLog = java.nio.file.Path.of(v);
                case "--server-jvm" -> serverJvm.add(v);
                case "--server-event-loops" -> serverEventLoops = Integer.parseInt(v);
                case "--app", "--app-id" ->
                {
                    app = v;
                    appGiven = true;
                }
                case "--connections" -> connections = Integer.parseInt(v);
                case "--sessions-per-connection" -> sessionsPerConnection = Integer.parseInt(v);
                case "--writer-sessions-per-connection" -> writerSessionsPerConnection = Integer.parseInt(v);
                case "--files" -> files = Integer.parseInt(v);
                case "--writers" -> writers = Integer.parseInt(v);
                case "--readers" -> readers = Integer.parseInt(v);
                case "--idle" -> idle = Integer.parseInt(v);
                case "--rate" -> rate = Double.parseDouble(v);
                case "--window" -> window = Integer.parseInt(v);
                case "--ops" -> ops = Integer.parseInt(v);
                case "--string-bytes" -> stringBytes = Integer.parseInt(v);
                case "--key-space" -> keySpace = Integer.parseInt(v);
                case "--pk" -> objectIdKeys = switch (v)
                {
                    case "int" -> false;
                    case "objectid" -> true;
                    default -> throw new IllegalArgumentException("--pk int|objectid");
                };
                case "--duration" -> duration = Double.parseDouble(v);
                case "--warmup" -> warmup = Double.parseDouble(v);
                case "--storm-backoff-ms" -> stormBackoffMs = Long.parseLong(v);
                case "--limit-seconds" -> limitSeconds = Double.parseDouble(v);
                case "--client-event-loops" -> clientEventLoops = Integer.parseInt(v);
                case "--writer-event-loops" -> writerEventLoops = Integer.parseInt(v);
                case "--apply-readers" -> applyReaders = Integer.parseInt(v);
                case "--writer-mode" -> uploadOnly = switch (v)
                {
                    case "apply" -> false;
                    case "upload-only" -> true;
                    default -> throw new IllegalArgumentException("--writer-mode apply|upload-only");
                };
                case "--check-files" -> checkFiles = Integer.parseInt(v);
                case "--scale" -> scale = Double.parseDouble(v);
                case "--setup-timeout" -> setupTimeout = Double.parseDouble(v);
                case "--out" -> out = v;
                case "--kills" -> kills = Integer.parseInt(v);
                case "--seed" -> seed = Long.parseLong(v);
                case "--kill-after" ->
                {
                    final String[] range = v.split(":", 2);
                    killMin = Double.parseDouble(range[0]);
                    killMax = range.length > 1 ? Double.parseDouble(range[1]) : killMin;
                    if (killMin <= 0 || killMax < killMin)
                    {
                        throw new IllegalArgumentException("--kill-after MIN:MAX with 0 < MIN <= MAX: " + v);
                    }
                }
                case "--flx-writers" -> flxWriters = Integer.parseInt(v);
                case "--outpost" -> outpost = v;
                case "--server-arg" -> serverArgs.add(v);
                case "--fault" ->
                {
                    if (!"drop-tail".equals(v))
                    {
                        throw new IllegalArgumentException("--fault drop-tail (the only fault)");
                    }
                    fault = v;
                }
                default -> throw new IllegalArgumentException("unknown option " + name);
            }
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("bad number for " + name + ": " + v);
        }
    }

    private static String readKey(final String file)
    {
        try
        {
            final String key = java.nio.file.Files.readString(java.nio.file.Path.of(file),
                java.nio.charset.StandardCharsets.UTF_8).lines().findFirst().orElse("").trim(); // the first line
            if (key.isEmpty())
            {
                throw new IllegalArgumentException("--admin-key-file " + file + " is empty");
            }
            return key;
        }
        catch (final java.io.IOException ex)
        {
            throw new IllegalArgumentException("--admin-key-file " + file + " cannot be read: " + ex.getMessage());
        }
    }

    /**
     * @return the admin listener's base URL: --admin-url, else --url's scheme and host with its port + 1 (the
     *     server's default admin port), or null without --url.
     */
    String adminBaseUrl()
    {
        if (null != adminUrl)
        {
            return adminUrl.replaceAll("/+$", "");
        }
        if (null == url)
        {
            return null;
        }
        final java.net.URI u = java.net.URI.create(url);
        final int port = u.getPort() > 0 ? u.getPort() : "https".equals(u.getScheme()) ? 443 : 80;
        return u.getScheme() + "://" + u.getHost() + ":" + (port + 1);
    }

    private void scenario(final String s)
    {
        scenario = s;
        switch (s)
        {
            case "a" ->
            {
                population(1, 100, 0, 0, 1, 0);
                // every writer receives the other 99 writers' changesets: applying them all with client-side OT
                // would bound the load generator, not the server (--writer-mode apply for that variant)
                uploadOnly = true;
            }
            case "b" -> population(10_000, 10_000, 0, 0, 100, 2_000);
            case "c" ->
            {
                population(10, 100, 0, 10_000, 100, 0);
                writerSessionsPerConnection = 1;
            }
            case "d" ->
            {
                population(1, 1, 1_000, 0, 100, 50);
                // 50,000 client-side integrations/s would bound the load generator, not the server's fan-out
                applyReaders = 50;
            }
            case "e" ->
            {
                population(50, 10, 5_000, 0, 50, 100);
                writerSessionsPerConnection = 1;
                storm = true;
            }
            case "crash" ->
            {
                // two PBS files with two writers each and two FLX writers, all applying what the others write on a
                // small shared key space, so every server file sees merges; closed loop, two changesets in flight
                population(2, 4, 0, 0, 1, 0);
                flxWriters = 2;
                keySpace = 50;
                ops = 3;
                window = 2;
                setupTimeout = 120;
                return; // no --duration: the campaign runs until its last kill is checked
            }
            default -> throw new IllegalArgumentException("unknown scenario " + s + " (a|b|c|d|e|crash)");
        }
        duration = 60;
        warmup = 10;
    }

    private void population(final int files, final int writers, final int readers, final int idle, final int spc,
        final double rate)
    {
        this.files = files;
        this.writers = writers;
        this.readers = readers;
        this.idle = idle;
        this.sessionsPerConnection = spc;
        this.rate = rate;
        this.connections = 0;
        this.writerSessionsPerConnection = 0;
        this.applyReaders = -1;
        this.uploadOnly = false;
    }

    private void applyScale()
    {
        if (scale != 1)
        {
            files = scaled(files);
            writers = writers == 0 ? 0 : scaled(writers);
            readers = readers == 0 ? 0 : scaled(readers);
            idle = idle == 0 ? 0 : scaled(idle);
            connections = connections == 0 ? 0 : scaled(connections);
            sessionsPerConnection = scaled(sessionsPerConnection);
            rate = rate * scale;
        }
        if (flx)
        {
            files = 1;
        }
        if (kills < 0 || flxWriters < 0 || "crash".equals(scenario) && writers + flxWriters < 1)
        {
            throw new IllegalArgumentException("bad crash campaign: --kills and --flx-writers >= 0, at least one writer");
        }
        if (writers < 0 || readers < 0 || idle < 0 || files < 1 || sessionsPerConnection < 1 || window < 1
            || clientEventLoops < 1 || writerEventLoops < 0)
        {
            throw new IllegalArgumentException("bad population");
        }
    }

    private int scaled(final int n)
    {
        return Math.max(1, (int)Math.round(n * scale));
    }

    int sessions()
    {
        return writers + readers + idle;
    }

    JsonObject json()
    {
        return new JsonObject().put("scenario", scenario).put("url", url).put("app", app).put("no_run_tag", noRunTag).put("flx", flx)
            .put("files", files).put("writers", writers).put("readers", readers).put("idle", idle)
            .put("sessions_per_connection", sessionsPerConnection)
            .put("writer_sessions_per_connection", writerSessionsPerConnection == 0 ? sessionsPerConnection
                : writerSessionsPerConnection)
            .put("connections", connections)
            .put("rate", rate).put("closed_loop", rate <= 0).put("window", window).put("ops", ops)
            .put("string_bytes", stringBytes).put("key_space", keySpace).put("pk", objectIdKeys ? "objectid" : "int")
            .put("duration_s", duration).put("warmup_s", warmup).put("storm", storm).put("scale", scale)
            .put("client_event_loops", clientEventLoops).put("writer_event_loops", writerEventLoops)
            .put("writer_mode", uploadOnly ? "upload-only" : "apply").put("apply_readers", applyReaders)
            .put("server_event_loops", serverEventLoops);
    }
}
