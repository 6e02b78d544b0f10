package dev.outpost.bench.load;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static org.assertj.core.api.Assertions.assertThat;

class GcLogTest
{
    @TempDir
    Path dir;

    @Test
    void shouldReadThePausesOfEveryCollectorLoggedAfterTheMark() throws Exception
    {
        final Path file = dir.resolve("gc.log");
        Files.writeString(file, String.join("\n",
            "[0.033s][gc] Using G1",
            "[0.598s][gc       ] GC(0) Pause Young (Normal) (G1 Evacuation Pause) 6M->6M(64M) 70.655ms",
            ""), StandardCharsets.UTF_8);
        final GcLog log = new GcLog(file);
        final long mark = log.mark();
        Files.writeString(file, String.join("\n",
            "[0.607s][gc       ] GC(1) Pause Young (Normal) (G1 Evacuation Pause) 8M->8M(64M) 7.320ms",
            "[0.700s][gc,phases] GC(1)   Pre Evacuate Collection Set: 0.1ms",
            "[0.701s][gc       ] GC(2) Pause Remark 20M->20M(64M) 1.500ms",
            "[0.702s][gc       ] GC(2) Concurrent Mark Cycle 35.000ms",
            "[0.703s][gc] GC(3) Pause Init Mark (unload classes) 0.043ms",
            "[0.704s][gc,phases] GC(4) Pause Mark Start 0.017ms",
            "[0.705s][gc       ] GC(5) Pause Full (Allocation Failure) 53M->18M(61M) 12.000ms",
            ""), StandardCharsets.UTF_8, StandardOpenOption.APPEND);

        final JsonObject p = log.pausesSince(mark);
        assertThat(p.getBoolean("readable")).isTrue();
        assertThat(p.getString("collector")).isEqualTo("G1");
        assertThat(p.getInteger("count")).as("pauses only, after the mark").isEqualTo(5);
        assertThat(p.getDouble("max_ms")).isEqualTo(12.0);
        assertThat(p.getDouble("p50_ms")).isEqualTo(1.5);
        assertThat(p.getDouble("total_ms")).isCloseTo(7.32 + 1.5 + 0.043 + 0.017 + 12.0,
            org.assertj.core.data.Offset.offset(1e-9));
        assertThat(p.getLong("over_10ms")).isEqualTo(1);
        assertThat(log.pausesSince(0).getInteger("count")).as("from the start").isEqualTo(6);
    }

    @Test
    void shouldSayWhenThereIsNoLog()
    {
        final JsonObject p = new GcLog(dir.resolve("absent.log")).pausesSince(0);
        assertThat(p.getBoolean("readable")).isFalse();
        assertThat(p.getString("why")).contains("absent.log");
    }
}
