package dev.outpost.server.cli;

import dev.outpost.server.config.ServerConfig;
import dev.outpost.server.runtime.SyncServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The errors an operator meets when {@code outpost serve} cannot start: one line each, exit 2 for what the
 * operator must change (a port in use too), no Java class names, and a port in use leaves nothing on disk.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ServeStartErrorsIT
{
    private static final Pattern JAVA_NAMES = Pattern.compile("\\.[A-Z][a-zA-Z]+Exception|io\\.netty|java\\.");

    @TempDir
    Path dir;

    private record Run(int code, String err)
    {
    }

    private static Run serve(final String... args)
    {
        final StringWriter err = new StringWriter();
        final CommandLine cli = OutpostMain.commandLine();
        cli.setOut(new PrintWriter(new StringWriter())).setErr(new PrintWriter(err));
        final String[] all = new String[args.length + 1];
        all[0] = "serve";
        System.arraycopy(args, 0, all, 1, args.length);
        final int code = cli.execute(all);
        return new Run(code, err.toString());
    }

    @Test
    void shouldRefuseAPortInUseWithOneLineNamingItAndCreateNothing() throws Exception
    {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1")))
        {
            final int port = taken.getLocalPort();
            final Path data = dir.resolve("fresh");

            final Run r = serve("--host", "127.0.0.1", "--port", Integer.toString(port), "--data-dir",
                data.toString(), "--event-loops", "1");

            assertThat(r.code()).as(r.err()).isEqualTo(2);
            assertThat(r.err().lines().toList()).hasSize(1);
            assertThat(r.err()).startsWith("outpost: port " + port + " on 127.0.0.1 is already in use");
            assertThat(data).as("nothing created on disk").doesNotExist();
        }
    }

    @Test
    void shouldNameNoJavaClassInTheCommonStartErrors() throws Exception
    {
        final Path file = Files.writeString(dir.resolve("plain-file"), "not a directory");
        final Path badYaml = Files.writeString(dir.resolve("bad.yaml"), "port: [9090\n");
        final Path typo = Files.writeString(dir.resolve("typo.yaml"), "data-dri: ./data\n");
        final Path notPem = Files.writeString(dir.resolve("cert.pem"), "hello");
        final String data = dir.resolve("data").toString();
        final List<String[]> cases = new ArrayList<>();
        cases.add(new String[] {"--data-dir", file.toString()});
        cases.add(new String[] {"--config", dir.resolve("missing.yaml").toString()});
        cases.add(new String[] {"--config", badYaml.toString()});
        cases.add(new String[] {"--config", typo.toString()});
        cases.add(new String[] {"--data-dir", data, "--tls-cert", dir.resolve("none.pem").toString(), "--tls-key",
            dir.resolve("none.key").toString()});
        cases.add(new String[] {"--data-dir", data, "--tls-cert", notPem.toString(), "--tls-key", notPem.toString()});
        cases.add(new String[] {"--data-dir", data, "--host", "not a host"});
        cases.add(new String[] {"--data-dir", data, "--jwt-algorithm", "RS256"});
        cases.add(new String[] {"--data-dir", data, "--app-config", dir.resolve("no-export").toString()});
        final List<String> seen = new ArrayList<>();
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
            SyncServer running = SyncServer.start(new ServerConfig(Map.of()).host("127.0.0.1").port(0)
                .dataDir(dir.resolve("busy")).eventLoops(1)))
        {
            cases.add(new String[] {"--data-dir", data, "--port", Integer.toString(taken.getLocalPort())});
            // the data directory of a server that is running
            cases.add(new String[] {"--data-dir", dir.resolve("busy").toString()});
            for (final String[] args : cases)
            {
                final List<String> all = new ArrayList<>(List.of(args));
                for (final String[] fallback : new String[][] {{"--host", "127.0.0.1"}, {"--port", "0"},
                    {"--event-loops", "1"}})
                {
                    if (!all.contains(fallback[0]))
                    {
                        all.addAll(List.of(fallback));
                    }
                }

                final Run r = serve(all.toArray(new String[0]));

                final String what = String.join(" ", args) + " -> " + r.err();
                seen.add(what);
                assertThat(r.code()).as(what).isIn(1, 2);
                assertThat(r.err()).as(what).startsWith("outpost: ");
                assertThat(r.err().lines().toList()).as(what).hasSize(1);
                assertThat(JAVA_NAMES.matcher(r.err()).find()).as("Java class name in: %s", what).isFalse();
            }
        }
        assertThat(seen).hasSize(11);
    }
}
