package dev.outpost.bench.load;

import dev.outpost.bench.BenchMain;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The load generator's server child runs with the launcher's memory settings (so its figures are the shipped
 * server's) and its GC pauses in the measured window are reported from the child's own GC log.
 */
class ChildServerIT
{
    @Test
    void shouldRunTheChildWithTheShippedMemorySettingsAndReportItsGcPauses(@TempDir final Path dir) throws Exception
    {
        final String[] memory = BenchMain.jvmMemoryFlags();
        assertThat(memory).as("outpost.jvm.memory from the parent pom").anyMatch(f -> f.startsWith("-Xmx"));
        final ByteArrayOutputStream log = new ByteArrayOutputStream();
        final JsonObject r = LoadGenerator.run(new String[] {"--scenario", "a", "--scale", "0.02", "--duration", "2",
            "--warmup", "0.5", "--no-limits", "--out", dir.resolve("a.json").toString()},
            new PrintStream(log, true, StandardCharsets.UTF_8));
        final String output = log.toString(StandardCharsets.UTF_8);
        assertThat(r.getBoolean("ok")).as(output).isTrue();
        final JsonObject resources = r.getJsonObject("server_resources");
        final long xmx = Arrays.stream(memory).filter(f -> f.startsWith("-Xmx")).findFirst()
            .map(f -> parseSize(f.substring(4))).orElseThrow();
        assertThat(resources.getLong("heap_committed_bytes")).as("the child's heap is capped").isLessThanOrEqualTo(xmx);
        final JsonObject gc = resources.getJsonObject("gc_pauses");
        assertThat(gc.getBoolean("readable")).as(gc.encode()).isTrue();
        final String collector = Arrays.stream(memory).filter(f -> f.matches("-XX:\\+Use\\w+GC")).findFirst()
            .map(f -> f.substring(8, f.length() - 2)).orElse(null);
        if (null != collector)
        {
            assertThat(gc.getString("collector")).as("the child runs the shipped collector").startsWith(collector);
        }
        assertThat(gc.getInteger("count")).isNotNegative();
        assertThat(gc.getDouble("max_ms")).isGreaterThanOrEqualTo(gc.getDouble("p99_ms"));
    }

    private static long parseSize(final String s)
    {
        final char unit = Character.toLowerCase(s.charAt(s.length() - 1));
        final long n = Long.parseLong(Character.isDigit(unit) ? s : s.substring(0, s.length() - 1));
        return switch (unit)
        {
            case 'k' -> n << 10;
            case 'm' -> n << 20;
            case 'g' -> n << 30;
            default -> n;
        };
    }
}
