package dev.outpost.server.realclient;

import dev.outpost.server.config.ServerConfig;
import dev.outpost.server.runtime.SyncServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Regenerates the fuzz corpus of {@code sync.WireFuzzIT} ({@code src/test/resources/fuzz-corpus}): MongoDB's client
 * (the real-client harness) runs PBS and FLX write and read scenarios against a server through a
 * {@link CapturingProxy}, and every sync WebSocket session's client messages (BIND, IDENT, UPLOAD plain and
 * compressed, MARK, QUERY, PING, UNBIND) are written to one file each: records of a 4-byte big-endian length and the
 * message. Run only when named (not an {@code *IT}):
 * <pre>
 * ./mvnw -B -o verify -pl edge-server -am -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dit.test=FuzzCorpusCapture
 * </pre>
 * {@code -Doutpost.fuzz.corpus=DIR} writes elsewhere.
 */
@Timeout(600)
class FuzzCorpusCapture
{
    private static final String APP = "fuzz-corpus-app";
    /** Messages above this size are left out (the corpus stays small; the fuzzer makes large ones itself). */
    private static final int MAX_MESSAGE = 16 * 1024;

    @TempDir
    Path dir;

    @Test
    void shouldCaptureRealClientSessions() throws Exception
    {
        final Path out = Path.of(System.getProperty("outpost.fuzz.corpus", "src/test/resources/fuzz-corpus"));
        Files.createDirectories(out);
        try (SyncServer server = SyncServer.start(new ServerConfig(Map.of()).port(0).host("127.0.0.1")
            .dataDir(dir.resolve("server")).appId(APP).eventLoops(2));
            CapturingProxy proxy = new CapturingProxy(server.port()))
        {
            capture(proxy, out, "pbs-write", Map.of("partition", "\"corpus\"", "count", "40", "prefix", "w"));
            capture(proxy, out, "pbs-read", Map.of("partition", "\"corpus\"", "expect", "40"));
            capture(proxy, out, "flx", Map.of("count", "40", "prefix", "f"));
        }
    }

    private void capture(final CapturingProxy proxy, final Path out, final String scenario,
        final Map<String, String> params) throws Exception
    {
        final int before = proxy.sessions().size();
        final RealClientProcess.Result run = RealClientProcess.run(proxy.port(), APP, dir.resolve(scenario), scenario,
            params, Duration.ofSeconds(180));
        assertThat(run.exitCode()).as("%s: %s\n%s", scenario, run.json(), run.logTail()).isZero();
        final List<List<byte[]>> sessions = proxy.sessions();
        assertThat(sessions.size()).as("sync connections of %s", scenario).isGreaterThan(before);
        for (int i = before; i < sessions.size(); i++)
        {
            final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            final DataOutputStream data = new DataOutputStream(bytes);
            int kept = 0;
            for (final byte[] message : sessions.get(i))
            {
                if (message.length <= MAX_MESSAGE)
                {
                    data.writeInt(message.length);
                    data.write(message);
                    kept++;
                }
            }
            final Path file = out.resolve(scenario + "-" + (i - before) + ".session");
            Files.write(file, bytes.toByteArray());
            System.out.println("FuzzCorpusCapture: " + file + ": " + kept + " messages, " + bytes.size() + " bytes");
        }
    }
}
