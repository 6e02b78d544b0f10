package dev.outpost.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class LoadOptionsTest
{
    @Test
    void shouldApplyAScenarioThenLaterOverrides()
    {
        final LoadOptions o = LoadOptions.parse(new String[] {"--scenario", "d", "--readers", "10", "--rate", "7"});
        assertThat(o.files).isEqualTo(1);
        assertThat(o.writers).isEqualTo(1);
        assertThat(o.readers).isEqualTo(10);
        assertThat(o.rate).isEqualTo(7);
        assertThat(o.duration).isEqualTo(60);
        assertThat(o.applyReaders).isEqualTo(50);
        assertThat(LoadOptions.parse(new String[] {"--scenario", "d", "--apply-readers", "-1"}).applyReaders)
            .isEqualTo(-1);
    }

    @Test
    void shouldMakeScenarioAsWritersUploadOnlyUnlessAsked()
    {
        assertThat(LoadOptions.parse(new String[] {"--scenario", "a"}).uploadOnly).isTrue();
        assertThat(LoadOptions.parse(new String[] {"--scenario", "a", "--writer-mode", "apply"}).uploadOnly).isFalse();
        assertThat(LoadOptions.parse(new String[] {"--writer-mode", "upload-only", "--scenario", "c"}).uploadOnly)
            .as("a preset resets what came before it").isFalse();
        assertThatThrownBy(() -> LoadOptions.parse(new String[] {"--writer-mode", "both"}))
            .hasMessageContaining("--writer-mode");
    }

    @Test
    void shouldScaleThePopulationButKeepAtLeastOne()
    {
        final LoadOptions o = LoadOptions.parse(new String[] {"--scenario", "b", "--scale", "0.01"});
        assertThat(o.files).isEqualTo(100);
        assertThat(o.writers).isEqualTo(100);
        assertThat(o.sessionsPerConnection).isEqualTo(1);
        assertThat(o.rate).isEqualTo(20);
        final LoadOptions e = LoadOptions.parse(new String[] {"--scenario", "e", "--scale", "0.001"});
        assertThat(e.writers).isEqualTo(1);
        assertThat(e.readers).isEqualTo(5);
        assertThat(e.storm).isTrue();
        assertThat(e.writerSessionsPerConnection).isEqualTo(1);
    }

    @Test
    void shouldRejectUnknownOrMalformedOptions()
    {
        assertThatThrownBy(() -> LoadOptions.parse(new String[] {"--nope", "1"})).hasMessageContaining("--nope");
        assertThatThrownBy(() -> LoadOptions.parse(new String[] {"--writers", "x"})).hasMessageContaining("--writers");
        assertThatThrownBy(() -> LoadOptions.parse(new String[] {"--scenario", "z"})).hasMessageContaining("z");
        assertThatThrownBy(() -> LoadOptions.parse(new String[] {"--files"})).hasMessageContaining("missing value");
        assertThatThrownBy(() -> LoadOptions.parse(new String[] {"--files", "0"})).hasMessageContaining("population");
    }

    @Test
    void shouldSetUpTheCrashCampaignAndCheckItsOptions()
    {
        final LoadOptions o = LoadOptions.parse(new String[] {"--scenario", "crash", "--kills", "100", "--seed", "7",
            "--kill-after", "2:20", "--server-arg", "--durability", "--server-arg", "fsync"});
        assertThat(o.files).isEqualTo(2);
        assertThat(o.writers).isEqualTo(4);
        assertThat(o.flxWriters).isEqualTo(2);
        assertThat(o.uploadOnly).as("writers apply what the others write: merges").isFalse();
        assertThat(o.kills).isEqualTo(100);
        assertThat(o.seed).isEqualTo(7);
        assertThat(o.killMin).isEqualTo(2);
        assertThat(o.killMax).isEqualTo(20);
        assertThat(o.serverArgs).containsExactly("--durability", "fsync");
        assertThat(o.fault).isNull();
        assertThat(LoadOptions.parse(new String[] {"--scenario", "crash", "--fault", "drop-tail"}).fault)
            .isEqualTo("drop-tail");
        assertThatThrownBy(() -> LoadOptions.parse(new String[] {"--scenario", "crash", "--kill-after", "5:1"}))
            .hasMessageContaining("--kill-after");
        assertThatThrownBy(() -> LoadOptions.parse(new String[] {"--scenario", "crash", "--fault", "disk"}))
            .hasMessageContaining("--fault drop-tail");
        assertThatThrownBy(() -> LoadOptions.parse(new String[] {"--scenario", "crash", "--writers", "0",
            "--flx-writers", "0"})).hasMessageContaining("at least one writer");
    }

    @Test
    void shouldRequireTheAppIdOfAnExternalServer()
    {
        assertThatThrownBy(() -> LoadOptions.parse(new String[] {"--url", "http://10.0.0.5:9090"}))
            .hasMessageContaining("with --url, give --app-id ID")
            .hasMessageContaining("'loadgen' exists only on the server the load generator starts itself");
        assertThat(LoadOptions.parse(new String[] {"--url", "http://10.0.0.5:9090", "--app-id", "shop"}).app)
            .isEqualTo("shop");
        assertThat(LoadOptions.parse(new String[] {"--url", "http://10.0.0.5:9090", "--app", "shop"}).app)
            .isEqualTo("shop");
        assertThat(LoadOptions.parse(new String[] {"--writers", "2"}).app).as("its own server").isEqualTo("loadgen");
        assertThat(LoadOptions.parse(new String[] {"--url", "http://h:1", "--app-id", "a", "--no-run-tag"}).noRunTag)
            .isTrue();
    }

    @Test
    void shouldTakeTheAdminKeyAndDeriveTheAdminUrl(@org.junit.jupiter.api.io.TempDir final java.nio.file.Path dir)
        throws Exception
    {
        final LoadOptions o = LoadOptions.parse(new String[] {"--url", "http://10.0.0.5:9090/", "--app-id", "shop",
            "--admin-key", " k-0123456789abcdef "});
        assertThat(o.adminKey).isEqualTo("k-0123456789abcdef");
        assertThat(o.adminBaseUrl()).as("the server's port + 1").isEqualTo("http://10.0.0.5:9091");
        final java.nio.file.Path file = dir.resolve("admin.key");
        java.nio.file.Files.writeString(file, "from-file-0123456789\nsecond line\n");
        final LoadOptions f = LoadOptions.parse(new String[] {"--url", "https://h", "--app-id", "a",
            "--admin-key-file", file.toString(), "--admin-url", "http://127.0.0.1:7000/"});
        assertThat(f.adminKey).as("the first line").isEqualTo("from-file-0123456789");
        assertThat(f.adminBaseUrl()).isEqualTo("http://127.0.0.1:7000");
        assertThat(LoadOptions.parse(new String[] {"--url", "https://h", "--app-id", "a"}).adminBaseUrl())
            .isEqualTo("https://h:444");
        assertThat(LoadOptions.parse(new String[] {"--url", "https://h", "--app-id", "a"}).adminKey).isNull();
        assertThatThrownBy(() -> LoadOptions.parse(new String[] {"--admin-key", "k"}))
            .hasMessageContaining("go with --url");
        assertThatThrownBy(() -> LoadOptions.parse(new String[] {"--url", "http://h:1", "--app-id", "a",
            "--admin-key-file", dir.resolve("missing").toString()})).hasMessageContaining("cannot be read");
    }

    @Test
    void shouldReadCpuAndRssOfThisProcess()
    {
        final long pid = ProcessHandle.current().pid();
        assertThat(ProcStats.cpuNanos(pid)).isPositive();
        assertThat(ProcStats.rssBytes(pid)).isGreaterThan(1 << 20);
        assertThat(ProcStats.cpuNanos(-5)).isEqualTo(-1);
    }
}
