package dev.outpost.bench.load;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.outpost.bench.BenchMain;
import dev.outpost.server.config.ServerConfig;
import dev.outpost.server.runtime.SyncServer;
import dev.outpost.server.sync.SyncService;
import io.vertx.core.json.JsonObject;

/**
 * The server under load: in this JVM, in a child JVM started by the load generator (so its CPU, RSS and heap are
 * the server's alone), or an external one at a URL. Gives its resource figures and, where it can, the SHA-256 of its
 * object state per server file for the convergence check. Used from the load generator's main thread.
 */
public interface ServerHandle extends AutoCloseable
{
    String baseUrl();

    /** @return "in-process", "child" or "external". */
    String kind();

    /**
     * @param gc run a full GC first (for heap deltas).
     * @return {@code heap_used}, {@code heap_committed} (bytes, -1 if unknown), {@code rss} (bytes), {@code cpu_ns}.
     */
    JsonObject stats(boolean gc);

    /** @return SHA-256 hex of the server's {@code ObjectState.dump()} of a PBS partition (or FLX if null), or null. */
    String stateHash(String partition);

    void close();

    /** @return the server's GC log when it writes one this process can read, else null. */
    default GcLog gcLog()
    {
        return null;
    }

    static String sha256(final String text)
    {
        try
        {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(text.getBytes(StandardCharsets.UTF_8)));
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    static JsonObject heapStats(final boolean gc, final long pid)
    {
        if (gc)
        {
            System.gc();
            System.gc();
        }
        final MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        return new JsonObject().put("heap_used", heap.getUsed()).put("heap_committed", heap.getCommitted())
            .put("rss", ProcStats.rssBytes(pid)).put("cpu_ns", ProcStats.cpuNanos(pid));
    }

    static SyncServer startServer(final Path dataDir, final String app, final int eventLoops) throws Exception
    {
        // the load generator's own server: scenarios create partitions by the thousand in seconds (b is exactly at
        // the default 100 per user / 10,000 per app per minute), so the new-partition limits are off here
        final ServerConfig config = new ServerConfig(Map.of()).host("127.0.0.1").port(0).dataDir(dataDir).appId(app)
            .newFilesPerUser(0).newFilesPerApp(0);
        if (eventLoops > 0)
        {
            config.eventLoops(eventLoops);
        }
        return SyncServer.start(config);
    }

    /** The server in this JVM (its figures include the load generator's own). */
    final class InProcess implements ServerHandle
    {
        private final SyncServer server;
        private final String app;

        InProcess(final Path dataDir, final String app, final int eventLoops) throws Exception
        {
            this.server = startServer(dataDir, app, eventLoops);
            this.app = app;
        }

        public String baseUrl()
        {
            return server.baseUrl();
        }

        public String kind()
        {
            return "in-process";
        }

        public JsonObject stats(final boolean gc)
        {
            return heapStats(gc, ProcessHandle.current().pid());
        }

        public String stateHash(final String partition)
        {
            try
            {
                final String dump = server.sync().objectStateDump(partition == null ? SyncService.flxFileName(app)
                    : SyncService.pbsFileName(app, partition));
                return dump == null ? null : sha256(dump);
            }
            catch (final Exception ex)
            {
                return "error: " + ex;
            }
        }

        public void close()
        {
            server.close();
        }
    }

    /** A child JVM running {@link ServerProcess}, driven over its stdin/stdout. */
    final class Child implements ServerHandle
    {
        private final Process process;
        private final BufferedReader in;
        private final Writer out;
        private final String baseUrl;
        private final Path gcLogFile;

        Child(final Path dataDir, final String app, final int eventLoops, final List<String> jvmOptions)
            throws IOException
        {
            final List<String> cmd = new ArrayList<>();
            cmd.add(ProcessHandle.current().info().command().orElse("java"));
            cmd.addAll(List.of(BenchMain.jvmFlags()));
            cmd.addAll(List.of(BenchMain.jvmMemoryFlags()));
            gcLogFile = dataDir.resolveSibling(dataDir.getFileName() + "-gc.log");
            cmd.add(GcLog.option(gcLogFile));
            cmd.addAll(jvmOptions);
            cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), ServerProcess.class.getName(),
                dataDir.toString(), app, Integer.toString(eventLoops)));
            final ProcessBuilder builder = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT);
            builder.environment().putIfAbsent("MALLOC_ARENA_MAX", "2"); // as the launcher does
            process = builder.start();
            in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            out = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
            String ready = in.readLine();
            while (ready != null && !ready.startsWith("READY "))
            {
                System.err.println(ready); // e.g. JVM logging (-XX:StartFlightRecording) before the server is up
                ready = in.readLine();
            }
            if (ready == null)
            {
                process.destroyForcibly();
                throw new IOException("server child did not start: " + ready);
            }
            baseUrl = ready.substring(6).trim();
        }

        private synchronized String call(final String command)
        {
            try
            {
                out.write(command + "\n");
                out.flush();
                return in.readLine();
            }
            catch (final IOException ex)
            {
                return null;
            }
        }

        public String baseUrl()
        {
            return baseUrl;
        }

        public String kind()
        {
            return "child";
        }

        public GcLog gcLog()
        {
            return new GcLog(gcLogFile);
        }

        public JsonObject stats(final boolean gc)
        {
            final String line = call(gc ? "stats gc" : "stats");
            final JsonObject o = line == null ? new JsonObject().put("heap_used", -1).put("heap_committed", -1)
                : new JsonObject(line);
            return o.put("rss", ProcStats.rssBytes(process.pid())).put("cpu_ns", ProcStats.cpuNanos(process.pid()));
        }

        public String stateHash(final String partition)
        {
            final String r = call("hash " + (partition == null ? "" : partition));
            return r == null || r.equals("null") ? null : r;
        }

        public void close()
        {
            call("quit");
            try
            {
                if (!process.waitFor(20, TimeUnit.SECONDS))
                {
                    process.destroyForcibly();
                }
            }
            catch (final InterruptedException ex)
            {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
            try
            {
                java.nio.file.Files.deleteIfExists(gcLogFile);
            }
            catch (final IOException ignore)
            {
                // a temp file
            }
        }
    }

    /** A server started elsewhere; CPU and RSS only if its pid is given, no state hashes. */
    final class External implements ServerHandle
    {
        private final String url;
        private final long pid;
        private final Path gcLogFile;

        External(final String url, final long pid, final Path gcLogFile)
        {
            this.url = url;
            this.pid = pid;
            this.gcLogFile = gcLogFile;
        }

        public GcLog gcLog()
        {
            return null == gcLogFile ? null : new GcLog(gcLogFile);
        }

        public String baseUrl()
        {
            return url;
        }

        public String kind()
        {
            return "external";
        }

        public JsonObject stats(final boolean gc)
        {
            return new JsonObject().put("heap_used", -1).put("heap_committed", -1)
                .put("rss", pid > 0 ? ProcStats.rssBytes(pid) : -1).put("cpu_ns", pid > 0 ? ProcStats.cpuNanos(pid) : -1);
        }

        public String stateHash(final String partition)
        {
            return null;
        }

        public void close()
        {
        }
    }
}
