package dev.outpost.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.vertx.core.json.JsonObject;

/**
 * Every scenario preset starts, runs and converges at 1-10 % of its size (open-loop scenarios a little larger, so
 * their single writer commits a few times in two seconds).
 */
class ScenarioSmokeIT
{
    @ParameterizedTest
    @ValueSource(strings = {"a", "b", "c", "d", "e"})
    void shouldRunTheScenarioAtSmallScale(final String scenario, @TempDir final Path dir) throws Exception
    {
        final String scale = switch (scenario)
        {
            case "d" -> "0.1";
            case "e" -> "0.02";
            default -> "0.01";
        };
        final ByteArrayOutputStream log = new ByteArrayOutputStream();
        final JsonObject r = LoadGenerator.run(new String[] {"--scenario", scenario, "--scale", scale, "--in-process",
            "--duration", "2", "--warmup", "0.5", "--no-limits", "--storm-backoff-ms", "100",
            "--out", dir.resolve(scenario + ".json").toString()}, new PrintStream(log, true, StandardCharsets.UTF_8));
        final String output = log.toString(StandardCharsets.UTF_8);
        assertThat(r.getBoolean("ok")).as(output).isTrue();
        assertThat(r.getJsonObject("errors").getLong("count")).as(output).isZero();
        assertThat(r.getString("scenario")).isEqualTo(scenario);
        if (scenario.equals("c"))
        {
            assertThat(r.getJsonObject("memory").getInteger("idle_sessions")).isEqualTo(100);
        }
        if (scenario.equals("e"))
        {
            assertThat(r.getJsonObject("storm").getInteger("sessions")).isEqualTo(100);
        }
    }
}
