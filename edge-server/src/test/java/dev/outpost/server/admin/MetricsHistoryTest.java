package dev.outpost.server.admin;

import dev.outpost.server.metrics.AppMetrics;
import dev.outpost.server.metrics.ServerMetrics;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

class MetricsHistoryTest
{
    @Test
    void shouldSampleRatesErrorsAndMirrorLagIntoABoundedHourLongRing()
    {
        final AppMetrics metrics = new ServerMetrics().app("app");
        final AppMetrics other = metrics.server().app("other");
        final AtomicLong errors = new AtomicLong(4);
        final AtomicReference<JsonObject> mirror = new AtomicReference<>();
        final MetricsHistory history = new MetricsHistory(metrics, errors::get, mirror::get);
        assertThat(history.toJson().getJsonArray("samples")).isEmpty();

        metrics.sessionOpened();
        metrics.uploadReceived(5);
        metrics.bytesReceived(1000);
        other.uploadReceived(50); // another app's traffic is not this app's
        other.sessionOpened();
        errors.addAndGet(3);
        history.sample();
        JsonObject json = history.toJson();
        final JsonObject first = json.getJsonArray("samples").getJsonObject(0);
        assertThat(first.getLong("sessions")).isEqualTo(1);
        assertThat(first.getDouble("changesets_in")).isPositive();
        assertThat(first.getDouble("bytes_in")).isPositive();
        assertThat(first.getDouble("changesets_out")).isZero();
        assertThat(first.getLong("errors")).as("errors since the previous sample only").isEqualTo(3);
        assertThat(first.containsKey("mirror_lag_seconds")).isFalse();
        assertThat(json.getBoolean("mirror")).isFalse();

        history.sample();
        json = history.toJson();
        assertThat(json.getJsonArray("samples").getJsonObject(1).getDouble("changesets_in")).isZero();
        assertThat(json.getJsonArray("samples").getJsonObject(1).getLong("errors")).isZero();

        mirror.set(new JsonObject().put("lag_seconds", 2.5));
        for (int i = 0; i < MetricsHistory.CAPACITY + 10; i++)
        {
            history.sample();
        }
        json = history.toJson();
        final JsonArray samples = json.getJsonArray("samples");
        assertThat(samples).hasSize(MetricsHistory.CAPACITY);
        assertThat(MetricsHistory.CAPACITY * MetricsHistory.INTERVAL_MS).as("one hour").isEqualTo(3_600_000L);
        assertThat(samples.getJsonObject(samples.size() - 1).getDouble("mirror_lag_seconds")).isEqualTo(2.5);
        assertThat(json.getBoolean("mirror")).isTrue();
        for (int i = 1; i < samples.size(); i++)
        {
            assertThat(samples.getJsonObject(i).getLong("t")).as("oldest first")
                .isGreaterThanOrEqualTo(samples.getJsonObject(i - 1).getLong("t"));
        }
    }
}
