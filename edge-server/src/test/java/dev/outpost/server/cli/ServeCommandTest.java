package dev.outpost.server.cli;

import dev.outpost.server.config.JwtAlgorithm;
import dev.outpost.server.config.ServerConfig;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;

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
}
