package dev.outpost.server.sync;

import dev.outpost.codec.message.MessageType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.outpost.server.sync.SyncTestClient.Up;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A heap cap reached is back-pressure, not an {@link OutOfMemoryError}: the server executable runs with a 64 MiB heap
 * and a state cache told it may hold 1 GiB, and a client writes 40 server files of 2 MB of object state each (80 MB
 * of states, more than the whole heap). The heap guard sees the heap left after collections cross
 * {@code memory.pressure}, pauses reading and drops cached object states; every upload is acknowledged, the server
 * stays up and says so in its log. With {@code --memory-pressure 0} the same run ends in an OutOfMemoryError (the
 * writer's state cache believes its 1 GiB budget).
 */
@Timeout(300)
class MemoryPressureIT
{
    private static final Pattern LISTENING = Pattern.compile("Outpost listening on http://127\\.0\\.0\\.1:(\\d+)");
    private static final String APP = "mem";
    private static final int FILES = 40;

    @TempDir
    Path dir;

    @Test
    void shouldSlowDownInsteadOfRunningOutOfHeap() throws Exception
    {
        final Path log = dir.resolve("server.log");
        final ProcessBuilder builder = new ProcessBuilder(executable().toString(), "serve", "--port", "0",
            "--host", "127.0.0.1", "--data-dir", dir.resolve("data").toString(), "--app-id", APP,
            "--state-cache-size", "1GiB", "--state-cache-files", "100000")
            .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("JAVA_OPTS", "-Xmx64m -XX:+ExitOnOutOfMemoryError");
        final Process server = builder.start();
        try
        {
            final int port = awaitPort(server, log);
            try (SyncTestClient c = SyncTestClient.connect(port, APP, SyncTestClient.login(port, APP), false))
            {
                for (int f = 0; f < FILES; f++)
                {
                    final long session = f + 1;
                    c.bind(session, "\"p" + f + "\"", true);
                    final SyncTestClient.Msg ident = c.next(MessageType.SERVER_IDENT);
                    c.ident(session, ident.get(0), ident.get(1), 0, 0, 0, 0);
                    c.mark(session, 1);
                    assertThat(c.next(MessageType.SERVER_MARK).get(0)).isEqualTo(1);
                    c.upload(session, 1, 0, 0, false,
                        new Up(1, 0, Changesets.randomObjects("Item", f * 10_000L, 2_000, 1_000)));
                    final SyncTestClient.Msg ack = c.next(MessageType.DOWNLOAD);
                    assertThat(ack.session()).isEqualTo(session);
                    assertThat(ack.get(4)).as("upload of file %d acknowledged", f).isEqualTo(1);
                    assertThat(server.isAlive()).as("server alive after file %d; log:%n%s", f, tail(log)).isTrue();
                }
            }
            final HttpResponse<String> health = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/health")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
            final String text = Files.readString(log, StandardCharsets.UTF_8);
            assertThat(text).as("the guard reported pressure").contains("memory pressure: ")
                .doesNotContain("OutOfMemoryError");
        }
        finally
        {
            server.destroy();
            if (!server.waitFor(30, TimeUnit.SECONDS))
            {
                server.destroyForcibly();
            }
        }
    }

    private static int awaitPort(final Process server, final Path log) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline)
        {
            final Matcher m = LISTENING.matcher(Files.readString(log, StandardCharsets.UTF_8));
            if (m.find())
            {
                return Integer.parseInt(m.group(1));
            }
            assertThat(server.isAlive()).as("server exited; log:%n%s", tail(log)).isTrue();
            Thread.sleep(100);
        }
        throw new AssertionError("server did not start; log:\n" + tail(log));
    }

    private static String tail(final Path log) throws Exception
    {
        final String s = Files.readString(log, StandardCharsets.UTF_8);
        return s.length() > 4000 ? s.substring(s.length() - 4000) : s;
    }

    private static Path executable()
    {
        final Path classes = Path.of(MemoryPressureIT.class.getProtectionDomain().getCodeSource().getLocation()
            .getPath());
        return classes.getParent().resolve("outpost");
    }
}
