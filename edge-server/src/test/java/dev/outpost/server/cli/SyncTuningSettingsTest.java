package dev.outpost.server.cli;

import dev.outpost.server.config.ConfigException;
import dev.outpost.server.config.ServerConfig;
import dev.outpost.server.store.StoreConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static dev.outpost.server.cli.ServeFlags.serve;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The sync tuning settings that were system properties read where they were used (inline budgets, download threads,
 * WebSocket fragment size, event-loop CPU timing) and the store's shard count: defaults as before, config file,
 * environment, flags, validation naming the setting, and the per-app copy.
 */
class SyncTuningSettingsTest
{
    @TempDir
    Path dir;

    @Test
    void shouldKeepThePreviousDefaults()
    {
        final ServerConfig config = new ServerConfig(Map.of()).dataDir(dir).conclude();
        assertThat(config.uploadInlineBytes()).isEqualTo(128 * 1024);
        assertThat(config.downloadInlineBytes()).isEqualTo(32 * 1024);
        assertThat(config.downloadThreads()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(config.wsFragmentBytes()).isEqualTo(256 * 1024);
        assertThat(config.eventLoopCpu()).isFalse();
        assertThat(config.storeShards()).isEqualTo(StoreConfig.DEFAULT_SHARD_COUNT);
    }

    @Test
    void shouldApplyFlagsOverEnvironmentOverFile() throws Exception
    {
        final Path file = dir.resolve("outpost.yaml");
        Files.writeString(file, """
            data-dir: %s
            upload:
              inline-bytes: 64KiB
            download:
              inline-bytes: 16KiB
              threads: 3
            ws:
              fragment-bytes: 128KiB
            eventloop:
              cpu: true
            store:
              shards: 2
            """.formatted(dir.resolve("data")));
        final ServerConfig fromFile = serve(Map.of(), "--config", file.toString()).conclude();
        assertThat(fromFile.uploadInlineBytes()).isEqualTo(64 << 10);
        assertThat(fromFile.downloadInlineBytes()).isEqualTo(16 << 10);
        assertThat(fromFile.downloadThreads()).isEqualTo(3);
        assertThat(fromFile.wsFragmentBytes()).isEqualTo(128 << 10);
        assertThat(fromFile.eventLoopCpu()).isTrue();
        assertThat(fromFile.storeShards()).isEqualTo(2);

        final ServerConfig fromEnv = serve(Map.of("OUTPOST_UPLOAD_INLINE_BYTES", "1KiB",
            "OUTPOST_DOWNLOAD_INLINE_BYTES", "2KiB", "OUTPOST_DOWNLOAD_THREADS", "5",
            "OUTPOST_WS_FRAGMENT_BYTES", "4KiB", "OUTPOST_EVENTLOOP_CPU", "false", "OUTPOST_STORE_SHARDS", "8"),
            "--config", file.toString()).conclude();
        assertThat(fromEnv.uploadInlineBytes()).isEqualTo(1 << 10);
        assertThat(fromEnv.downloadInlineBytes()).isEqualTo(2 << 10);
        assertThat(fromEnv.downloadThreads()).isEqualTo(5);
        assertThat(fromEnv.wsFragmentBytes()).isEqualTo(4 << 10);
        assertThat(fromEnv.eventLoopCpu()).isFalse();
        assertThat(fromEnv.storeShards()).isEqualTo(8);

        final ServerConfig fromFlags = serve(Map.of("OUTPOST_DOWNLOAD_THREADS", "5"), "--config", file.toString(),
            "--upload-inline-bytes", "0", "--download-inline-bytes", "1MiB", "--download-threads", "7",
            "--ws-fragment-bytes", "1024", "--eventloop-cpu", "--store-shards", "16").conclude();
        assertThat(fromFlags.uploadInlineBytes()).isZero();
        assertThat(fromFlags.downloadInlineBytes()).isEqualTo(1 << 20);
        assertThat(fromFlags.downloadThreads()).isEqualTo(7);
        assertThat(fromFlags.wsFragmentBytes()).isEqualTo(1024);
        assertThat(fromFlags.eventLoopCpu()).isTrue();
        assertThat(fromFlags.storeShards()).isEqualTo(16);

        final ServerConfig app = fromFlags.forApp(fromFlags.apps().get(0));
        assertThat(app.uploadInlineBytes()).isZero();
        assertThat(app.downloadInlineBytes()).isEqualTo(1 << 20);
        assertThat(app.downloadThreads()).isEqualTo(7);
        assertThat(app.wsFragmentBytes()).isEqualTo(1024);
        assertThat(app.eventLoopCpu()).isTrue();
        assertThat(app.storeShards()).isEqualTo(16);
    }

    @Test
    void shouldReadTheStoreMinFreeSpaceFromFileEnvironmentAndFlags() throws Exception
    {
        assertThat(new ServerConfig(Map.of()).dataDir(dir).conclude().storeMinFreeSpace()).isEqualTo(64 << 20);
        final Path file = dir.resolve("outpost.yaml");
        Files.writeString(file, """
            data-dir: %s
            store:
              min-free-space: 16MiB
            """.formatted(dir.resolve("data")));
        assertThat(serve(Map.of(), "--config", file.toString()).conclude().storeMinFreeSpace()).isEqualTo(16 << 20);
        final Map<String, String> env = Map.of("OUTPOST_STORE_MIN_FREE_SPACE", "1GiB");
        assertThat(serve(env, "--config", file.toString()).conclude().storeMinFreeSpace()).isEqualTo(1 << 30);
        final ServerConfig flags = serve(env, "--config", file.toString(), "--store-min-free-space", "0").conclude();
        assertThat(flags.storeMinFreeSpace()).isZero();
        assertThat(flags.forApp(flags.apps().get(0)).storeMinFreeSpace()).isZero();
        assertThatThrownBy(() -> serve(Map.of(), "--data-dir", dir.toString(), "--store-min-free-space", "lots"))
            .hasMessageContaining(ServerConfig.STORE_MIN_FREE_SPACE_PROP).hasMessageContaining("--store-min-free-space");
        assertThatThrownBy(() -> new ServerConfig(Map.of()).dataDir(dir).storeMinFreeSpace(-1).conclude())
            .hasMessageContaining(ServerConfig.STORE_MIN_FREE_SPACE_PROP);
    }

    @Test
    void shouldNameTheBadSetting()
    {
        assertThatThrownBy(() -> new ServerConfig(Map.of("OUTPOST_DOWNLOAD_THREADS", "many")))
            .isInstanceOf(ConfigException.class).hasMessageContaining(ServerConfig.DOWNLOAD_THREADS_PROP);
        assertThatThrownBy(() -> new ServerConfig(Map.of("OUTPOST_EVENTLOOP_CPU", "maybe")))
            .isInstanceOf(ConfigException.class).hasMessageContaining(ServerConfig.EVENTLOOP_CPU_PROP);
        assertThatThrownBy(() -> serve(Map.of(), "--ws-fragment-bytes", "big"))
            .hasMessageContaining(ServerConfig.WS_FRAGMENT_BYTES_PROP).hasMessageContaining("--ws-fragment-bytes");
        assertThatThrownBy(() -> new ServerConfig(Map.of()).dataDir(dir).uploadInlineBytes(-1).conclude())
            .hasMessageContaining(ServerConfig.UPLOAD_INLINE_BYTES_PROP);
        assertThatThrownBy(() -> new ServerConfig(Map.of()).dataDir(dir).downloadInlineBytes(65 << 20).conclude())
            .hasMessageContaining(ServerConfig.DOWNLOAD_INLINE_BYTES_PROP);
        assertThatThrownBy(() -> new ServerConfig(Map.of()).dataDir(dir).downloadThreads(0).conclude())
            .hasMessageContaining(ServerConfig.DOWNLOAD_THREADS_PROP);
        assertThatThrownBy(() -> new ServerConfig(Map.of()).dataDir(dir).wsFragmentBytes(1023).conclude())
            .hasMessageContaining(ServerConfig.WS_FRAGMENT_BYTES_PROP);
        assertThatThrownBy(() -> new ServerConfig(Map.of()).dataDir(dir).storeShards(0).conclude())
            .hasMessageContaining(ServerConfig.STORE_SHARDS_PROP);
        assertThatThrownBy(() -> serve(Map.of(), "--data-dir", dir.toString(), "--store-shards", "257").conclude())
            .hasMessage("invalid setting 'outpost.store.shards' (option --store-shards): 257 is outside 1.." +
                StoreConfig.MAX_SHARD_COUNT);
    }
}
