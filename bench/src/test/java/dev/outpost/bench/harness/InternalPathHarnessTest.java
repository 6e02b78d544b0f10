package dev.outpost.bench.harness;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;

import org.junit.jupiter.api.Test;

import io.vertx.core.json.JsonObject;

class InternalPathHarnessTest
{
    @Test
    void shouldRunThePathWithoutFailures() throws Exception
    {
        final JsonObject r = InternalPathHarness.run(4, 3, 2, 4, 0.2, 0.5,
            new PrintStream(new ByteArrayOutputStream()));
        assertThat(r.getString("first_failure")).isNull();
        assertThat(r.getBoolean("ok")).isTrue();
        assertThat(r.getLong("uploads")).isPositive();
        assertThat(r.getLong("head")).isGreaterThanOrEqualTo(r.getLong("changesets"));
        assertThat(r.getDouble("path_changesets_per_s")).isPositive();
        assertThat(r.getJsonObject("latency").getLong("count")).isEqualTo(r.getLong("uploads"));
    }
}
