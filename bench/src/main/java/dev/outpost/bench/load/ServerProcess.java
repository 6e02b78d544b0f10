package dev.outpost.bench.load;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import dev.outpost.server.runtime.SyncServer;
import dev.outpost.server.sync.SyncService;

/**
 * The server child of the load generator: {@code ServerProcess <dataDir> <appId> <eventLoops>} starts an Outpost
 * server on 127.0.0.1 with a free port, prints {@code READY <baseUrl>}, then answers one line per command on stdin:
 * {@code stats [gc]} (JSON heap figures), {@code hash <partition>} (SHA-256 of the object state dump, empty
 * partition = FLX; {@code null} if the file does not exist), {@code quit}. Exits when stdin closes.
 */
public final class ServerProcess
{
    private ServerProcess()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        System.setOut(System.err); // keep stdout for the protocol
        final String app = args[1];
        final SyncServer server = ServerHandle.startServer(Path.of(args[0]), app, Integer.parseInt(args[2]));
        out.println("READY " + server.baseUrl());
        final BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        try
        {
            for (String line = in.readLine(); line != null && !line.equals("quit"); line = in.readLine())
            {
                if (line.startsWith("stats"))
                {
                    out.println(ServerHandle.heapStats(line.endsWith("gc"), ProcessHandle.current().pid()).encode());
                }
                else if (line.startsWith("hash "))
                {
                    final String p = line.substring(5);
                    final String dump = server.sync().objectStateDump(p.isEmpty() ? SyncService.flxFileName(app)
                        : SyncService.pbsFileName(app, p));
                    out.println(dump == null ? "null" : ServerHandle.sha256(dump));
                }
                else
                {
                    out.println("unknown");
                }
            }
        }
        finally
        {
            server.close();
            out.println("BYE");
        }
        System.exit(0);
    }
}
