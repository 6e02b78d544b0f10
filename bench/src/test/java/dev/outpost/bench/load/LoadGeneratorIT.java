package dev.outpost.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.vertx.core.json.JsonObject;

class LoadGeneratorIT
{
    @Test
    void shouldWriteAJsonReportWithIntegratedChangesetsAndConvergence(@TempDir final Path dir) throws Exception
    {
        final Path out = dir.resolve("result.json");
        final ByteArrayOutputStream log = new ByteArrayOutputStream();
        final JsonObject r = LoadGenerator.run(new String[] {"--in-process", "--writers", "3", "--readers", "2",
            "--files", "2", "--sessions-per-connection", "2", "--storm", "--storm-backoff-ms", "100",
            "--duration", "3", "--warmup", "1", "--no-limits", "--out", out.toString()},
            new PrintStream(log, true, StandardCharsets.UTF_8));

        final JsonObject written = new JsonObject(Files.readString(out));
        assertThat(written).isEqualTo(r);
        assertThat(r.getBoolean("ok")).as(log.toString(StandardCharsets.UTF_8)).isTrue();
        assertThat(r.getJsonObject("throughput").getLong("acked")).isPositive();
        assertThat(r.getJsonObject("throughput").getDouble("integrated_per_s")).isPositive();
        assertThat(r.getJsonObject("throughput").getDouble("client_integrated_per_s")).isPositive();
        assertThat(r.getJsonObject("latency").getJsonObject("upload_to_ack").getLong("count")).isPositive();
        assertThat(r.getJsonObject("latency").getJsonObject("upload_to_fanout").getLong("count")).isPositive();
        final JsonObject conv = r.getJsonObject("convergence");
        assertThat(conv.getBoolean("ok")).isTrue();
        assertThat(conv.getInteger("files_checked")).isEqualTo(2);
        assertThat(conv.getInteger("sessions_checked")).isEqualTo(5);
        assertThat(conv.getInteger("server_states_compared")).isEqualTo(2);
        assertThat(r.getJsonObject("errors").getLong("count")).isZero();
        // the readers' connection was dropped at the start of the measurement and caught up
        assertThat(r.getJsonObject("storm").getBoolean("completed")).isTrue();
        assertThat(r.getJsonObject("storm").getLong("reconnects")).isGreaterThanOrEqualTo(1);
        assertThat(r.getJsonObject("setup").getInteger("connections")).isEqualTo(3);
        assertThat(log.toString(StandardCharsets.UTF_8)).contains("[measure").contains("OK");
    }

    @Test
    void shouldLetEveryReaderOfAFanOutCatchUpSoonAfterTheWritesStop(@TempDir final Path dir) throws Exception
    {
        // scenario d's shape (one writer, many readers packed 100 per connection): every reader must have received
        // everything shortly after the writer stops; applying readers equal the server, the others received the same
        final Path out = dir.resolve("fanout.json");
        final ByteArrayOutputStream log = new ByteArrayOutputStream();
        final JsonObject r = LoadGenerator.run(new String[] {"--in-process", "--files", "1", "--writers", "1",
            "--readers", "300", "--sessions-per-connection", "100", "--rate", "30", "--apply-readers", "20",
            "--duration", "3", "--warmup", "1", "--no-limits", "--setup-timeout", "60", "--out", out.toString()},
            new PrintStream(log, true, StandardCharsets.UTF_8));

        final JsonObject conv = r.getJsonObject("convergence");
        assertThat(conv.getInteger("unsynced_sessions")).as(log.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(r.getBoolean("ok")).isTrue();
        assertThat(conv.getInteger("sessions_checked")).as("20 applying readers and the writer").isEqualTo(21);
        assertThat(conv.getInteger("receive_only_sessions_checked")).isEqualTo(280);
        assertThat(conv.getInteger("mismatches")).isZero();
        assertThat(conv.getDouble("readers_synced_after_s")).isLessThan(20.0);
        assertThat(r.getJsonObject("errors").getLong("count")).isZero();
        assertThat(r.getJsonObject("throughput").getDouble("fanout_deliveries_per_s")).isPositive();
    }

    @Test
    void shouldRunUploadOnlyWritersThatKeepRealCursors(@TempDir final Path dir) throws Exception
    {
        final Path out = dir.resolve("upload-only.json");
        final ByteArrayOutputStream log = new ByteArrayOutputStream();
        final JsonObject r = LoadGenerator.run(new String[] {"--in-process", "--files", "1", "--writers", "10",
            "--writer-mode", "upload-only", "--window", "4", "--duration", "2", "--warmup", "1", "--no-limits",
            "--out", out.toString()}, new PrintStream(log, true, StandardCharsets.UTF_8));

        assertThat(r.getBoolean("ok")).as(log.toString(StandardCharsets.UTF_8)).isTrue();
        final JsonObject conv = r.getJsonObject("convergence");
        assertThat(conv.getInteger("sessions_checked")).as("upload-only writers are not compared").isZero();
        assertThat(conv.getInteger("server_states_compared")).isEqualTo(1);
        assertThat(conv.getInteger("fresh_downloads")).isEqualTo(1);
        assertThat(r.getJsonObject("throughput").getLong("acked")).isPositive();
        assertThat(r.getJsonObject("throughput").getDouble("client_integrated_per_s")).as("nothing applied").isZero();
        assertThat(r.getJsonObject("throughput").getDouble("fanout_deliveries_per_s")).as("but received").isPositive();
        assertThat(r.getJsonObject("errors").getLong("count")).isZero();
    }

    @Test
    void shouldMeasureTheLimits() throws Exception
    {
        final JsonObject append = Limits.chronicleAppend(List.of(new byte[100], new byte[200]), 0.3);
        assertThat(append.getLong("appends_per_s")).isPositive();
        assertThat(append.getLong("payload_bytes")).isBetween(100L, 200L);
        final JsonObject echo = Limits.webSocketEcho(200, 2, 4, 0.5);
        assertThat(echo.getLong("messages_per_s")).isPositive();
        assertThat(echo.getJsonObject("latency").getLong("count")).isPositive();
    }
}
