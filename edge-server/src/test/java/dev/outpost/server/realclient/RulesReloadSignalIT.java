package dev.outpost.server.realclient;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The built {@code outpost} executable reloads its permission rules on SIGHUP, sent by {@code outpost reload
 * --data-dir D} (which finds the server through the pid file in its data directory): the server logs the outcome
 * and keeps running (a HUP no longer ends the JVM), rules that cannot be honoured leave one ERROR line naming the
 * file and key, identical rules log "unchanged", and without a running server {@code outpost reload} exits 1.
 */
@Timeout(180)
class RulesReloadSignalIT
{
    private static final String APP = "hup-app";
    private static final String OWNER_ONLY = "[{\"name\": \"owner\", \"apply_when\": {}, \"document_filters\": " +
        "{\"read\": {\"owner_id\": \"%%user.id\"}, \"write\": {\"owner_id\": \"%%user.id\"}}, \"read\": true, " +
        "\"write\": true}]";
    private static final String READ_ALL = "[{\"name\": \"reader\", \"apply_when\": {}, \"document_filters\": " +
        "{\"read\": true, \"write\": {\"owner_id\": \"%%user.id\"}}, \"read\": true, \"write\": true}]";

    @TempDir
    Path dir;

    private Process server;
    private Path serverLog;
    private Path configFile;

    @AfterEach
    void stop() throws Exception
    {
        if (server != null && server.isAlive())
        {
            server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    private Path executable() throws Exception
    {
        final Path classes = Path.of(RulesReloadSignalIT.class.getProtectionDomain().getCodeSource().getLocation()
            .toURI());
        return classes.getParent().resolve("outpost");
    }

    private void rules(final String roles) throws Exception
    {
        Files.writeString(configFile, "apps:\n  - id: " + APP + "\n    rules: {\"classes\": {\"Item\": {\"roles\": " +
            roles + "}}}\n");
    }

    /** @return {@code outpost reload --data-dir <data>}'s exit status and output. */
    private String[] reload() throws Exception
    {
        final Path out = dir.resolve("reload-" + System.nanoTime() + ".out");
        final ProcessBuilder builder = new ProcessBuilder(executable().toString(), "reload", "--data-dir",
            dir.resolve("server").toString()).redirectErrorStream(true).redirectOutput(out.toFile());
        builder.environment().put("JAVA_OPTS", "-Xmx64m");
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        final Process p = builder.start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new String[] {String.valueOf(p.exitValue()), Files.readString(out)};
    }

    private void awaitLog(final String text) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Files.readString(serverLog).contains(text))
        {
            assertThat(server.isAlive()).as("server ended:\n%s", Files.readString(serverLog)).isTrue();
            assertThat(System.nanoTime()).as("waiting for '%s' in:\n%s", text, Files.readString(serverLog))
                .isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    private static int count(final String text, final String part)
    {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1))
        {
            n++;
        }
        return n;
    }

    @Test
    void shouldReloadTheRulesOnSighupFromOutpostReloadAndKeepServing() throws Exception
    {
        configFile = dir.resolve("outpost.yaml");
        rules(OWNER_ONLY);
        final int port;
        try (ServerSocket s = new ServerSocket(0))
        {
            port = s.getLocalPort();
        }
        final List<String> command = new ArrayList<>(List.of(executable().toString(), "serve", "--config",
            configFile.toString(), "--host", "127.0.0.1", "--port", String.valueOf(port), "--data-dir",
            dir.resolve("server").toString(), "--event-loops", "2"));
        serverLog = dir.resolve("server.log");
        final ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
            .redirectOutput(serverLog.toFile());
        builder.environment().put("JAVA_OPTS", "-Xmx256m");
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        server = builder.start();
        awaitLog("Outpost listening");
        final Path pidFile = dir.resolve("server").resolve("outpost.pid");
        assertThat(Files.readString(pidFile).trim()).isEqualTo(String.valueOf(server.pid()));

        rules(READ_ALL);
        final String[] changed = reload();
        assertThat(changed[0]).as(changed[1]).isEqualTo("0");
        assertThat(changed[1]).contains("pid " + server.pid());
        awaitLog("permission rules of app " + APP + " reloaded");

        final String[] same = reload();
        assertThat(same[0]).as(same[1]).isEqualTo("0");
        awaitLog("permission rules of app " + APP + " unchanged");

        Files.writeString(configFile, "apps:\n  - id: " + APP + "\n    rules: {\"classes\": {\"Item\": {\"roles\": " +
            "[{\"name\": \"bad\", \"no_such_key\": 1}]}}}\n");
        assertThat(reload()[0]).isEqualTo("0");
        awaitLog("permission rules not reloaded, the rules in force stay");
        final String log = Files.readString(serverLog);
        assertThat(count(log, "permission rules not reloaded")).as("one ERROR line").isEqualTo(1);
        assertThat(log).contains(configFile.toString()).contains("no_such_key");
        assertThat(count(log, "Outpost received SIGHUP")).isEqualTo(3);
        assertThat(server.isAlive()).as("a HUP does not end the server").isTrue();

        server.destroy();
        assertThat(server.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(server.exitValue()).isZero();
        assertThat(pidFile).as("removed at the stop").doesNotExist();
        final String[] none = reload();
        assertThat(none[0]).as(none[1]).isEqualTo("1");
        assertThat(none[1]).contains("no running server");
    }
}
