package dev.outpost.server.cli;

import dev.outpost.server.config.JwtAlgorithm;
import dev.outpost.server.config.ServerConfig;
import dev.outpost.server.runtime.OutpostServer;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ServeCommandTest
{
    @Test
    void shouldMapEveryOptionToItsSetting()
    {
        final CommandLine cli = OutpostMain.commandLine();
        final CommandLine.ParseResult parsed = cli.parseArgs("serve", "--port", "9090", "--data-dir", "./data",
            "--app-id", "myapp", "--host", "0.0.0.0", "--idle-timeout", "90s", "--access-token-ttl", "5m",
            "--refresh-token-ttl", "7d", "--jwt-algorithm", "hs256", "--max-download-size", "8MiB",
            "--max-message-size", "20MiB", "--compression-threshold", "2k", "--event-loops", "3");
        final ServeCommand serve = (ServeCommand)parsed.subcommand().commandSpec().userObject();

        final ServerConfig config = serve.toConfig();

        assertThat(config.port()).isEqualTo(9090);
        assertThat(config.dataDir()).isEqualTo(Path.of("./data"));
        assertThat(config.appId()).isEqualTo("myapp");
        assertThat(config.host()).isEqualTo("0.0.0.0");
        assertThat(config.idleTimeout()).isEqualTo(Duration.ofSeconds(90));
        assertThat(config.accessTokenTtl()).isEqualTo(Duration.ofMinutes(5));
        assertThat(config.refreshTokenTtl()).isEqualTo(Duration.ofDays(7));
        assertThat(config.jwtAlgorithm()).isEqualTo(JwtAlgorithm.HS256);
        assertThat(config.maxDownloadSize()).isEqualTo(8 * 1024 * 1024);
        assertThat(config.maxMessageSize()).isEqualTo(20 * 1024 * 1024);
        assertThat(config.compressionThreshold()).isEqualTo(2048);
        assertThat(config.eventLoops()).isEqualTo(3);
    }

    @Test
    void shouldReportABadOptionValueNamingTheSetting()
    {
        final CommandLine cli = OutpostMain.commandLine();
        final ServeCommand serve = (ServeCommand)cli.parseArgs("serve", "--idle-timeout", "whenever")
            .subcommand().commandSpec().userObject();

        assertThatThrownBy(serve::toConfig).hasMessageContaining(ServerConfig.IDLE_TIMEOUT_PROP);
    }

    @Test
    void shouldExitWithUsageErrorsAndPrintHelp()
    {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final CommandLine cli = OutpostMain.commandLine();
        cli.setOut(new PrintWriter(out)).setErr(new PrintWriter(err));

        assertThat(cli.execute("serve", "--help")).isZero();
        assertThat(out.toString()).contains("--port").contains("--data-dir").contains("--app-id").contains("--host");
        assertThat(cli.execute("serve", "--port", "x")).isEqualTo(2);
        assertThat(cli.execute("serve", "--port", "70000")).isEqualTo(2);
        assertThat(cli.execute()).isEqualTo(2);
    }

    private record Run(int code, String out, String err)
    {
    }

    private static Run run(final String... args)
    {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final CommandLine cli = OutpostMain.commandLine();
        cli.setOut(new PrintWriter(out)).setErr(new PrintWriter(err));
        final int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void shouldPrintTheVersionFromEveryCommand()
    {
        for (final String command : new String[] {"serve", "bench", "inspect", "reload", "version"})
        {
            final Run r = run(command, "--version");

            assertThat(r.code()).isZero();
            assertThat(r.out()).as(command).startsWith("outpost ").contains("commit ", "java ");
        }
        assertThat(run("-V").out()).startsWith("outpost ");
    }

    @Test
    void shouldAnswerAUsageErrorWithOneLineNamingTheOptionAndWhereHelpIs()
    {
        final Run badEnum = run("serve", "--jwt-algorithm", "RS512");
        assertThat(badEnum.code()).isEqualTo(2);
        assertThat(badEnum.err()).startsWith("outpost: Invalid value for option '--jwt-algorithm'")
            .contains("HS256, RS256").contains("Try 'outpost serve --help'.").doesNotContain("Usage:");
        assertThat(badEnum.err().lines().count()).isLessThanOrEqualTo(3);

        final Run typo = run("serve", "--prot", "80");
        assertThat(typo.code()).isEqualTo(2);
        assertThat(typo.err()).startsWith("outpost: Unknown option").contains("'--prot'").doesNotContain("Usage:");

        final Run missing = run("inspect");
        assertThat(missing.err()).contains("outpost: missing the data directory: outpost inspect DIR")
            .contains("Try 'outpost inspect --help'.").doesNotContain("Usage:");

        final Run none = run();
        assertThat(none.code()).isEqualTo(2);
        assertThat(none.err())
            .contains("outpost: missing command: serve, bench, inspect, import, export, reload, backup, restore, compact or version")
            .contains("Try 'outpost --help'.");
    }

    @Test
    void shouldNameTheFlagOfAValueThatDoesNotParse()
    {
        for (final String[] flag : new String[][] {
            {"--idle-timeout", "later", ServerConfig.IDLE_TIMEOUT_PROP},
            {"--max-message-size", "lots", ServerConfig.MAX_MESSAGE_SIZE_PROP},
            {"--compression-threshold", "some", ServerConfig.COMPRESSION_THRESHOLD_PROP},
            {"--slow-consumer-timeout", "soon", ServerConfig.SLOW_CONSUMER_TIMEOUT_PROP},
            {"--shutdown-timeout", "-1", ServerConfig.SHUTDOWN_TIMEOUT_PROP}})
        {
            final ServeCommand serve = (ServeCommand)OutpostMain.commandLine().parseArgs("serve", flag[0], flag[1])
                .subcommand().commandSpec().userObject();

            assertThatThrownBy(() -> serve.toConfig(java.util.Map.of()))
                .hasMessageStartingWith("invalid setting '" + flag[2] + "' (option " + flag[0] + "): '" + flag[1] +
                    "'");
        }
    }

    @Test
    void shouldMapTheSyncEngineSettings()
    {
        final ServeCommand serve = (ServeCommand)OutpostMain.commandLine().parseArgs("serve",
            "--slow-consumer-timeout", "90s", "--writer-queue", "64").subcommand().commandSpec().userObject();

        final ServerConfig config = serve.toConfig(java.util.Map.of());

        assertThat(config.slowConsumerTimeout()).isEqualTo(Duration.ofSeconds(90));
        assertThat(config.writerQueue()).isEqualTo(64);
        final ServeCommand bad = (ServeCommand)OutpostMain.commandLine().parseArgs("serve", "--writer-queue", "1")
            .subcommand().commandSpec().userObject();
        assertThatThrownBy(() -> bad.toConfig(java.util.Map.of()).conclude())
            .hasMessage("invalid setting 'outpost.writer.queue' (option --writer-queue): 1 is outside 2.." +
                ServerConfig.WRITER_QUEUE_MAX);
    }

    @Test
    void shouldListTheAddressesDevicesReachNotTheWildcard() throws Exception
    {
        final List<InetAddress> nics = List.of(InetAddress.getByName("127.0.0.1"),
            InetAddress.getByName("192.168.1.20"), InetAddress.getByName("fe80::1"),
            InetAddress.getByName("2001:db8::5"), InetAddress.getByName("10.0.0.7"));
        final ServerConfig all = new ServerConfig(Map.of()).host("0.0.0.0");

        final List<String> urls = OutpostServer.clientUrls(all, 9090, nics);

        assertThat(urls).containsExactly("http://192.168.1.20:9090", "http://10.0.0.7:9090", "http://127.0.0.1:9090");
        final List<String> lines = ServeCommand.reach(all, urls, List.of("myapp"));
        assertThat(String.join("\n", lines)).doesNotContain("0.0.0.0")
            .contains("base URL http://192.168.1.20:9090 or http://10.0.0.7:9090 or http://127.0.0.1:9090")
            .contains("App ID myapp").contains("trusted LAN only").contains("--tls-cert");
        assertThat(OutpostServer.clientUrls(new ServerConfig(Map.of()).host("::"), 9090, nics))
            .containsExactly("http://192.168.1.20:9090", "http://[2001:db8:0:0:0:0:0:5]:9090", "http://10.0.0.7:9090",
                "http://127.0.0.1:9090");
        assertThat(OutpostServer.clientUrls(all, 9090, List.of())).as("no interface list")
            .containsExactly("http://127.0.0.1:9090");
    }

    @Test
    void shouldTellThatALoopbackBindServesThisMachineOnly()
    {
        final ServerConfig local = new ServerConfig(Map.of()).host("127.0.0.1");
        final List<String> urls = OutpostServer.clientUrls(local, 9090, List.of());

        assertThat(urls).containsExactly("http://127.0.0.1:9090");
        assertThat(ServeCommand.reach(local, urls, List.of("myapp")))
            .containsExactly("Clients: base URL http://127.0.0.1:9090 (this machine only: for phones and other " +
                "machines, serve with --host 0.0.0.0)");
        final ServerConfig proxied = new ServerConfig(Map.of()).host("127.0.0.1").publicUrl("https://sync.example.com");
        final List<String> behindProxy = ServeCommand.reach(proxied,
            OutpostServer.clientUrls(proxied, 9090, List.of()), List.of("myapp"));
        assertThat(behindProxy.get(0)).startsWith("Clients: base URL https://sync.example.com or");
        assertThat(behindProxy).hasSize(1); // TLS at the proxy: no plain-http warning
    }

    @Test
    void shouldPassTheLoadGeneratorsOptionsThroughBench()
    {
        final BenchCommand bench = (BenchCommand)OutpostMain.commandLine().parseArgs("bench", "--url",
            "http://10.0.0.5:9090", "--app-id", "shop", "--scenario", "a").subcommand().commandSpec().userObject();

        assertThat(bench.args).containsExactly("--url", "http://10.0.0.5:9090", "--app-id", "shop", "--scenario", "a");
        final BenchCommand withJar = (BenchCommand)OutpostMain.commandLine().parseArgs("bench", "--jar", "b.jar",
            "--url", "http://h:1", "--app-id", "x").subcommand().commandSpec().userObject();
        assertThat(withJar.jar).isEqualTo(Path.of("b.jar"));
        assertThat(withJar.args).containsExactly("--url", "http://h:1", "--app-id", "x");
    }

    @Test
    void shouldMapTheAdminListenerFlagsAndVariables()
    {
        final ServeCommand none = (ServeCommand)OutpostMain.commandLine().parseArgs("serve", "--port", "8000")
            .subcommand().commandSpec().userObject();
        final ServerConfig defaults = none.toConfig(Map.of());
        assertThat(defaults.adminPort()).as("the public port + 1").isEqualTo(8001);
        assertThat(defaults.adminHost()).isEqualTo("127.0.0.1");
        assertThat(defaults.adminPublicStatus()).isFalse();
        assertThat(defaults.adminEnabled()).isTrue();

        final ServeCommand flags = (ServeCommand)OutpostMain.commandLine().parseArgs("serve", "--admin-port", "7000",
            "--admin-host", "10.0.0.2", "--admin-public-status", "--admin-key-file", "k.txt").subcommand()
            .commandSpec().userObject();
        final ServerConfig given = flags.toConfig(Map.of());
        assertThat(given.adminPort()).isEqualTo(7000);
        assertThat(given.adminHost()).isEqualTo("10.0.0.2");
        assertThat(given.adminPublicStatus()).isTrue();
        assertThat(given.adminKeyFile()).isEqualTo(Path.of("k.txt"));

        final ServeCommand off = (ServeCommand)OutpostMain.commandLine().parseArgs("serve", "--admin-port", "off")
            .subcommand().commandSpec().userObject();
        assertThat(off.toConfig(Map.of()).adminEnabled()).isFalse();
        assertThat(none.toConfig(Map.of("OUTPOST_ADMIN_PORT", "off")).adminEnabled()).isFalse();
        assertThat(none.toConfig(Map.of("OUTPOST_ADMIN_KEY", "0123456789abcdef-key")).adminKey())
            .isEqualTo("0123456789abcdef-key");
        assertThatThrownBy(() -> none.toConfig(Map.of("OUTPOST_ADMIN_PORT", "never")))
            .hasMessageContaining(ServerConfig.ADMIN_PORT_PROP).hasMessageContaining("OUTPOST_ADMIN_PORT");
    }

    @Test
    void shouldMapTheListAppIdsSettingOffByDefault()
    {
        final ServeCommand none = (ServeCommand)OutpostMain.commandLine().parseArgs("serve").subcommand()
            .commandSpec().userObject();
        assertThat(none.toConfig(Map.of()).listAppIds()).isFalse();
        final ServeCommand flag = (ServeCommand)OutpostMain.commandLine().parseArgs("serve", "--list-app-ids")
            .subcommand().commandSpec().userObject();
        assertThat(flag.toConfig(Map.of()).listAppIds()).isTrue();
        assertThat(none.toConfig(Map.of("OUTPOST_HTTP_LIST_APP_IDS", "true")).listAppIds()).isTrue();
        assertThatThrownBy(() -> none.toConfig(Map.of("OUTPOST_HTTP_LIST_APP_IDS", "maybe")))
            .hasMessageContaining(ServerConfig.LIST_APP_IDS_PROP).hasMessageContaining("OUTPOST_HTTP_LIST_APP_IDS");
    }

    @Test
    void shouldMapThePublicUrlFlagAndNameItWhenItIsBad()
    {
        final ServeCommand serve = (ServeCommand)OutpostMain.commandLine().parseArgs("serve",
            "--public-url", "https://sync.example.com").subcommand().commandSpec().userObject();

        assertThat(serve.toConfig(java.util.Map.of()).publicUrl()).isEqualTo("https://sync.example.com");
        final ServeCommand bad = (ServeCommand)OutpostMain.commandLine().parseArgs("serve", "--public-url",
            "sync.example.com").subcommand().commandSpec().userObject();
        assertThatThrownBy(() -> bad.toConfig(java.util.Map.of()).conclude())
            .hasMessageStartingWith("invalid setting 'outpost.public.url' (option --public-url): 'sync.example.com' " +
                "must be an absolute http:// or https:// URL");
    }
}
