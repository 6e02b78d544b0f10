package dev.outpost.server.status;

import dev.outpost.server.metrics.HistoryStats;
import dev.outpost.server.metrics.ServerMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

class ServerStatusTest
{
    private final ServerMetrics metrics = new ServerMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    private final ServerStatus status = new ServerStatus(metrics);

    @Test
    void shouldBeReadyOnlyBetweenStartAndStopAndWhileEveryCheckPasses()
    {
        assertThat(status.state()).isEqualTo(ServerStatus.State.STARTING);
        assertThat(status.notReadyReason()).isEqualTo("starting");

        status.markReady();
        assertThat(status.notReadyReason()).isNull();

        final AtomicBoolean open = new AtomicBoolean(true);
        status.readinessCheck("history store", open::get);
        status.readinessCheck("broken", () ->
        {
            throw new IllegalStateException("check failed");
        });
        assertThat(status.notReadyReason()).isEqualTo("broken not available");
        status.readinessCheck("broken", () -> true);
        assertThat(status.notReadyReason()).isNull();
        open.set(false);
        assertThat(status.notReadyReason()).isEqualTo("history store not available");
        open.set(true);

        status.markStopping();
        status.markReady(); // a late markReady never revives a stopping server
        assertThat(status.state()).isEqualTo(ServerStatus.State.STOPPING);
        assertThat(status.notReadyReason()).isEqualTo("stopping");
    }

    @Test
    void shouldReportLiveFiguresAsJson()
    {
        metrics.app("a").history(() -> new HistoryStats.Figures(3, 40, 5000));
        metrics.app("a").connectionOpened();
        metrics.app("a").sessionOpened();
        metrics.app("a").sessionOpened();
        metrics.app("a").uploadReceived(1);
        status.markReady();

        final JsonObject json = status.toJson();
        assertThat(json.getString("state")).isEqualTo("READY");
        assertThat(json.getBoolean("ready")).isTrue();
        assertThat(json.getLong("server_files")).isEqualTo(3);
        assertThat(json.getLong("history_entries")).isEqualTo(40);
        assertThat(json.getLong("history_bytes")).isEqualTo(5000);
        assertThat(json.getLong("connections")).isEqualTo(1);
        assertThat(json.getLong("sessions")).isEqualTo(2);
        assertThat(json.getLong("uploads_total")).isEqualTo(1);
        assertThat(json.getDouble("uploads_per_second")).as("no sample yet").isZero();
        assertThat(json.getString("version")).isEqualTo(ServerStatus.version()).isNotBlank();
        assertThat(json.getDouble("uptime_seconds")).isGreaterThanOrEqualTo(0.0);
    }
}
