package dev.outpost.server.mirror;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server for tests: {@code initdb} in a temporary directory, started with {@code pg_ctl} on a free
 * 127.0.0.1 port (no Unix socket), {@code wal_level=logical} (for the inbound mirror later), trust authentication
 * for the local user {@code outpost}.
 * <p>
 * Binaries: {@code OUTPOST_TEST_PG_BIN} if set, else the newest Debian PostgreSQL ({@code /usr/lib/postgresql/N/bin};
 * {@code .ci/run} installs the package {@code postgresql} on a fresh machine). PostgreSQL refuses to run as root,
 * so when the tests run as uid 0 (CI, this machine) every server process is started through
 * {@code runuser -u postgres --} (or {@code nobody} when there is no postgres user) and the data directory is
 * chown'ed to that user.
 * <p>
 * It stops by itself: {@link #close()}, a JVM shutdown hook, and, should the test JVM be killed with SIGKILL, a
 * watchdog shell started with the server that stops it (fast shutdown) once the JVM's pid is gone (checked every
 * second). Missing binaries fail the test under {@code CI=true} and skip it elsewhere.
 */
public final class PostgresServer implements AutoCloseable
{
    /** The database and the superuser the tests connect as. */
    public static final String USER = "outpost";
    public static final String DATABASE = "outpost";

    private final Path bin;
    private final Path root;
    private final Path data;
    private final String runAs;
    private final int port;
    private final Thread hook;
    private Process watchdog;
    private boolean running;

    private PostgresServer(final Path bin, final Path root, final String runAs, final int port)
    {
        this.bin = bin;
        this.root = root;
        this.data = root.resolve("data");
        this.runAs = runAs;
        this.port = port;
        this.hook = new Thread(this::stopQuietly, "postgres-test-stop");
    }

    /**
     * @return the PostgreSQL binaries of this machine, or null.
     */
    public static Path findBinaries()
    {
        final String env = System.getenv("OUTPOST_TEST_PG_BIN");
        if (null != env && !env.isBlank())
        {
            return Path.of(env);
        }
        final Path base = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(base))
        {
            return null;
        }
        try (Stream<Path> versions = Files.list(base))
        {
            return versions.map(v -> v.resolve("bin"))
                .filter(b -> Files.isExecutable(b.resolve("initdb")) && Files.isExecutable(b.resolve("pg_ctl")))
                .max(Comparator.comparingInt(b -> versionOf(b.getParent().getFileName().toString())))
                .orElse(null);
        }
        catch (final IOException ex)
        {
            return null;
        }
    }

    private static int versionOf(final String name)
    {
        try
        {
            return Integer.parseInt(name);
        }
        catch (final NumberFormatException ex)
        {
            return -1;
        }
    }

    /**
     * Start a fresh server. Skips the calling test (JUnit assumption) when there is no PostgreSQL here, unless
     * {@code CI=true}, where it fails.
     *
     * @return the running server.
     * @throws Exception if it cannot be started.
     */
    public static PostgresServer start() throws Exception
    {
        final Path bin = findBinaries();
        if (null == bin)
        {
            final String msg = "no PostgreSQL binaries (install the Debian package 'postgresql', as .ci/run does, " +
                "or set OUTPOST_TEST_PG_BIN)";
            if ("true".equals(System.getenv("CI")))
            {
                throw new IllegalStateException(msg);
            }
            org.junit.jupiter.api.Assumptions.abort(msg);
        }
        final boolean root = "root".equals(System.getProperty("user.name")) || isUidZero();
        final String runAs = root ? (userExists("postgres") ? "postgres" : "nobody") : null;
        final Path dir = Files.createTempDirectory("outpost-pg-");
        final PostgresServer server = new PostgresServer(bin, dir, runAs, freePort());
        server.initAndStart();
        return server;
    }

    private static boolean isUidZero()
    {
        try
        {
            final Process p = new ProcessBuilder("id", "-u").redirectErrorStream(true).start();
            final String out = new String(p.getInputStream().readAllBytes()).trim();
            p.waitFor();
            return "0".equals(out);
        }
        catch (final Exception ex)
        {
            return false;
        }
    }

    private static boolean userExists(final String user)
    {
        try
        {
            return 0 == new ProcessBuilder("id", "-u", user).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
        }
        catch (final Exception ex)
        {
            return false;
        }
    }

    private static int freePort() throws IOException
    {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress()))
        {
            return s.getLocalPort();
        }
    }

    private void initAndStart() throws Exception
    {
        if (null != runAs)
        {
            // the temp dir is 0700 root: the server's user must reach it
            run(List.of("chown", "-R", runAs, root.toString()), false);
        }
        run(List.of(bin.resolve("initdb").toString(), "-D", data.toString(), "-U", USER, "-A", "trust",
            "-E", "UTF8", "--no-sync", "--no-instructions"), true);
        Files.writeString(data.resolve("postgresql.auto.conf"), String.join("\n",
            "listen_addresses = '127.0.0.1'",
            "port = " + port,
            "unix_socket_directories = ''",
            "wal_level = logical",
            "max_wal_senders = 4",
            "max_replication_slots = 4",
            "fsync = off",
            "synchronous_commit = off",
            "full_page_writes = off",
            "shared_buffers = 64MB",
            "max_connections = 40",
            ""), java.nio.file.StandardOpenOption.APPEND);
        if (null != runAs)
        {
            run(List.of("chown", runAs, data.resolve("postgresql.auto.conf").toString()), false);
        }
        Runtime.getRuntime().addShutdownHook(hook);
        startServer();
        try (Connection c = DriverManager.getConnection(adminUrl("postgres"), USER, ""))
        {
            c.createStatement().execute("CREATE DATABASE " + DATABASE);
        }
    }

    /**
     * Start the server (again, after {@link #stop()}), on the same port and data.
     *
     * @throws Exception if it does not start.
     */
    public synchronized void startServer() throws Exception
    {
        run(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-l", root.resolve("log").toString(),
            "-w", "-t", "60", "start"), true);
        running = true;
        startWatchdog();
    }

    /**
     * Stop the server (fast shutdown: open connections are cut). Data stays; {@link #startServer()} restarts it.
     *
     * @throws Exception if pg_ctl fails.
     */
    public synchronized void stop() throws Exception
    {
        if (!running)
        {
            return;
        }
        if (null != watchdog)
        {
            watchdog.destroy();
            watchdog = null;
        }
        run(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "fast", "-w", "stop"), true);
        running = false;
    }

    /**
     * Start the server if a test left it stopped.
     *
     * @throws Exception if it does not start.
     */
    public synchronized void ensureRunning() throws Exception
    {
        if (!running)
        {
            startServer();
        }
    }

    private void startWatchdog() throws IOException
    {
        // Outlives a SIGKILL of this JVM by at most a second: it stops the server once our pid is gone.
        final long pid = ProcessHandle.current().pid();
        final String pgCtl = bin.resolve("pg_ctl") + " -D '" + data + "' -m immediate stop";
        final String script = "while kill -0 " + pid + " 2>/dev/null; do sleep 1; done; " +
            (null == runAs ? pgCtl : "runuser -u " + runAs + " -- " + pgCtl) + " >/dev/null 2>&1";
        watchdog = new ProcessBuilder("sh", "-c", script).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }

    private void run(final List<String> command, final boolean asServerUser) throws Exception
    {
        final List<String> cmd = new ArrayList<>();
        if (asServerUser && null != runAs)
        {
            cmd.addAll(List.of("runuser", "-u", runAs, "--"));
        }
        cmd.addAll(command);
        final Path out = Files.createTempFile("outpost-pg-cmd", ".log");
        try
        {
            final Process p = new ProcessBuilder(cmd).directory(root.toFile()).redirectErrorStream(true)
                .redirectOutput(out.toFile()).start();
            if (!p.waitFor(120, TimeUnit.SECONDS))
            {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", cmd) + " did not finish in 120 s");
            }
            if (0 != p.exitValue())
            {
                throw new IllegalStateException(String.join(" ", cmd) + " failed (" + p.exitValue() + "): " +
                    Files.readString(out) + readLog());
            }
        }
        finally
        {
            Files.deleteIfExists(out);
        }
    }

    private String readLog()
    {
        try
        {
            final Path log = root.resolve("log");
            return Files.exists(log) ? "\nserver log:\n" + Files.readString(log) : "";
        }
        catch (final IOException ex)
        {
            return "";
        }
    }

    public int port()
    {
        return port;
    }

    /** @return the JDBC URL of the test database. */
    public String url()
    {
        return adminUrl(DATABASE) + "?user=" + USER;
    }

    private String adminUrl(final String database)
    {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    /**
     * @return a new connection to the test database (autocommit on).
     * @throws SQLException if the server is not reachable.
     */
    public Connection connect() throws SQLException
    {
        return DriverManager.getConnection(adminUrl(DATABASE), USER, "");
    }

    private void stopQuietly()
    {
        try
        {
            stop();
        }
        catch (final Exception ignored)
        {
            // best effort at JVM exit
        }
    }

    /** Stop the server and delete its directory. */
    @Override
    public void close()
    {
        stopQuietly();
        try
        {
            Runtime.getRuntime().removeShutdownHook(hook);
        }
        catch (final IllegalStateException ignored)
        {
            // already shutting down
        }
        try (Stream<Path> files = Files.walk(root))
        {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        catch (final IOException ignored)
        {
            // temp dir; best effort
        }
    }
}
