package dev.outpost.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The crash campaign in CI (issue 15 item 2): the real {@code outpost serve} in a child process is killed with
 * SIGKILL five times under PBS and FLX writers and restarted on the same directory and port; after every restart
 * every acknowledged changeset is in the history, the directory opens without repair and every writer converges.
 * The second test breaks durability on purpose (the newest bytes of the history are zeroed after the kill, as a disk
 * that lost acknowledged writes would leave them) and the campaign must fail: the checks can fail.
 */
class CrashCampaignIT
{
    @Test
    @Timeout(value = 600, unit = TimeUnit.SECONDS) // 6 server starts: 161 s at load 18, far less on a quiet machine
    void shouldKeepEveryAcknowledgedChangesetAndConvergeThroughFiveKills(@TempDir final Path dir) throws Exception
    {
        final long seed = ThreadLocalRandom.current().nextLong();
        final ByteArrayOutputStream log = new ByteArrayOutputStream();
        final JsonObject r = LoadGenerator.run(new String[] {"--scenario", "crash", "--kills", "5",
            "--kill-after", "0.5:1.5", "--seed", Long.toString(seed), "--out", dir.resolve("crash.json").toString()},
            new PrintStream(log, true, StandardCharsets.UTF_8));
        final String output = "seed " + seed + "\n" + log.toString(StandardCharsets.UTF_8);

        assertThat(r.getBoolean("ok")).as(output).isTrue();
        assertThat(r.getInteger("kills_done")).as(output).isEqualTo(5);
        final JsonArray kills = r.getJsonArray("kills");
        long lastChecked = 0;
        for (int i = 0; i < kills.size(); i++)
        {
            final JsonObject k = kills.getJsonObject(i);
            assertThat(k.getInteger("exit_code")).as("SIGKILL, not a polite stop: " + output).isEqualTo(137);
            assertThat(k.getJsonObject("store").getLong("skipped_records")).as(output).isZero();
            assertThat(k.getJsonObject("store").getLong("acked_missing")).as(output).isZero();
            assertThat(k.getInteger("inspect_exit")).as(output).isZero();
            assertThat(k.getBoolean("converged")).as(output).isTrue();
            assertThat(k.getInteger("states_compared")).as(output).isEqualTo(6);
            assertThat(k.getInteger("files_compared")).as("2 PBS files and the FLX file: " + output).isEqualTo(3);
            assertThat(k.getJsonArray("server_warnings")).as(output).isEmpty();
            assertThat(k.getLong("acked_checked")).as("acknowledged changesets accumulate: " + output)
                .isGreaterThanOrEqualTo(lastChecked);
            lastChecked = k.getLong("acked_checked");
        }
        assertThat(lastChecked).as("changesets were acknowledged and checked: " + output).isPositive();
        assertThat(r.getLong("reconnects")).as("every writer reconnected after every kill").isGreaterThanOrEqualTo(30);
        assertThat(r.getValue("data_dir")).as("deleted after a successful run").isNull();
    }

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void shouldFailWhenAcknowledgedChangesetsAreLost(@TempDir final Path dir) throws Exception
    {
        final ByteArrayOutputStream log = new ByteArrayOutputStream();
        final JsonObject r = LoadGenerator.run(new String[] {"--scenario", "crash", "--kills", "2",
            "--kill-after", "1.5:2", "--fault", "drop-tail", "--out", dir.resolve("crash.json").toString()},
            new PrintStream(log, true, StandardCharsets.UTF_8));
        final String output = log.toString(StandardCharsets.UTF_8);

        assertThat(r.getBoolean("ok")).as(output).isFalse();
        assertThat(r.getString("verdict")).isEqualTo("FAILED");
        assertThat(r.getInteger("kills_done")).as("stops at the first failure: " + output).isEqualTo(1);
        final JsonObject store = r.getJsonArray("kills").getJsonObject(0).getJsonObject("store");
        assertThat(store.getLong("acked_missing")).as(output).isPositive();
        assertThat(r.getJsonArray("problems").getList()).as(output)
            .anyMatch(p -> p.toString().contains("acknowledged changesets are not in the history"));
        assertThat(output).contains("FAILED: kill 1: ");
        Limits.deleteTree(Path.of(r.getString("data_dir")).getParent());
    }
}
