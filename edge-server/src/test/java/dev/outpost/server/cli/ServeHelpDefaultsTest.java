package dev.outpost.server.cli;

import dev.outpost.server.config.ServerConfig;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code serve --help} states each setting's actual default: the default text of every flag, parsed the way the
 * setting parses a value, equals what a configuration without any input holds. The help is built from
 * {@link ServerConfig}'s constants, so a changed default cannot leave a stale literal in the help.
 */
class ServeHelpDefaultsTest
{
    private static final Pattern DEFAULT = Pattern.compile("default (the CPU count|a quarter of the heap, at most \\w+|'[^']*'|[^\\s;)]+)");

    /** Flag -> (what the help's default text means, what the default configuration holds). */
    private static Map<String, Function<String, Object>> parsers()
    {
        final Function<String, Object> duration = t -> ServerConfig.parseDuration("help", t);
        final Function<String, Object> size = t -> t.startsWith("a quarter of the heap, at most ") ?
            (int)Math.max(1L << 20, Math.min(ServerConfig.parseSize("help", t.substring(t.lastIndexOf(' ') + 1)),
                Runtime.getRuntime().maxMemory() / 4)) : ServerConfig.parseSize("help", t);
        final Function<String, Object> integer = t -> "the CPU count".equals(t) ?
            Runtime.getRuntime().availableProcessors() : Integer.parseInt(t);
        final Map<String, Function<String, Object>> p = new LinkedHashMap<>();
        p.put("--host", t -> t);
        p.put("--port", integer);
        p.put("--data-dir", t -> Path.of(t.replace("'", "")));
        p.put("--app-id", t -> t);
        p.put("--idle-timeout", duration);
        p.put("--access-token-ttl", duration);
        p.put("--refresh-token-ttl", duration);
        p.put("--jwt-algorithm", t -> t.toUpperCase(Locale.ROOT));
        p.put("--max-download-size", size);
        p.put("--max-message-size", size);
        p.put("--compression-threshold", size);
        p.put("--durability", t -> ServerConfig.durabilityOf(t));
        p.put("--state-cache-files", integer);
        p.put("--state-cache-size", size);
        p.put("--state-checkpoint-min-versions", integer);
        p.put("--event-loops", integer);
        p.put("--tls-protocols", t -> List.of(t));
        p.put("--shutdown-timeout", duration);
        p.put("--slow-consumer-timeout", duration);
        p.put("--max-queued-bytes-per-connection", size);
        p.put("--writer-queue", integer);
        p.put("--writer-parsed-entries", integer);
        p.put("--upload-inline-bytes", size);
        p.put("--download-inline-bytes", size);
        p.put("--download-threads", integer);
        p.put("--download-shared-entries", integer);
        p.put("--memory-pressure", integer);
        p.put("--ws-fragment-bytes", size);
        p.put("--eventloop-cpu", Boolean::parseBoolean);
        p.put("--list-app-ids", Boolean::parseBoolean);
        p.put("--store-shards", integer);
        p.put("--store-min-free-space", size);
        p.put("--http-idle-timeout", duration);
        p.put("--http-header-timeout", duration);
        p.put("--http-body-timeout", duration);
        p.put("--max-connections", integer);
        p.put("--max-connections-per-ip", integer);
        p.put("--bind-timeout", duration);
        p.put("--logins-per-ip", integer);
        p.put("--max-changeset-size", size);
        p.put("--partition-max-bytes", size);
        p.put("--max-sessions-per-connection", integer);
        p.put("--max-uploads-in-flight", integer);
        p.put("--new-files-per-user", integer);
        p.put("--new-files-per-app", integer);
        p.put("--max-files-per-app", integer);
        p.put("--flx-query-max-bytes", size);
        p.put("--mirror-schema", t -> t);
        p.put("--mirror-resident-files", integer);
        p.put("--mirror-inbound", Boolean::parseBoolean);
        p.put("--flx-view-log-entries", integer);
        p.put("--client-max-offline", duration);
        p.put("--admin-host", t -> t);
        // 'port + 1': the public port's default + 1
        p.put("--admin-port", t -> "'port + 1'".equals(t) ? ServerConfig.PORT_DEFAULT + 1 : Integer.parseInt(t));
        p.put("--admin-public-status", Boolean::parseBoolean);
        return p;
    }

    private static Map<String, Object> actualDefaults()
    {
        final ServerConfig c = new ServerConfig(Map.of());
        final Map<String, Object> d = new LinkedHashMap<>();
        d.put("--host", c.host());
        d.put("--port", c.port());
        d.put("--data-dir", c.dataDir());
        d.put("--app-id", c.appId());
        d.put("--idle-timeout", c.idleTimeout());
        d.put("--access-token-ttl", c.accessTokenTtl());
        d.put("--refresh-token-ttl", c.refreshTokenTtl());
        d.put("--jwt-algorithm", c.jwtAlgorithm().name());
        d.put("--max-download-size", c.maxDownloadSize());
        d.put("--max-message-size", c.maxMessageSize());
        d.put("--compression-threshold", c.compressionThreshold());
        d.put("--durability", c.durability());
        d.put("--state-cache-files", c.stateCacheFiles());
        d.put("--state-cache-size", c.stateCacheSize());
        d.put("--state-checkpoint-min-versions", c.stateCheckpointMinVersions());
        d.put("--event-loops", c.eventLoops());
        d.put("--tls-protocols", c.tlsProtocols());
        d.put("--shutdown-timeout", c.shutdownTimeout());
        d.put("--slow-consumer-timeout", c.slowConsumerTimeout());
        d.put("--max-queued-bytes-per-connection", c.maxQueuedBytesPerConnection());
        d.put("--writer-queue", c.writerQueue());
        d.put("--writer-parsed-entries", c.writerParsedEntries());
        d.put("--upload-inline-bytes", c.uploadInlineBytes());
        d.put("--download-inline-bytes", c.downloadInlineBytes());
        d.put("--download-threads", c.downloadThreads());
        d.put("--download-shared-entries", c.downloadSharedEntries());
        d.put("--memory-pressure", c.memoryPressure());
        d.put("--ws-fragment-bytes", c.wsFragmentBytes());
        d.put("--eventloop-cpu", c.eventLoopCpu());
        d.put("--list-app-ids", c.listAppIds());
        d.put("--store-shards", c.storeShards());
        d.put("--store-min-free-space", c.storeMinFreeSpace());
        d.put("--http-idle-timeout", c.httpIdleTimeout());
        d.put("--http-header-timeout", c.httpHeaderTimeout());
        d.put("--http-body-timeout", c.httpBodyTimeout());
        d.put("--max-connections", c.maxConnections());
        d.put("--max-connections-per-ip", c.maxConnectionsPerIp());
        d.put("--bind-timeout", c.wsBindTimeout());
        d.put("--logins-per-ip", c.loginsPerIp());
        d.put("--max-changeset-size", c.maxChangesetSize());
        d.put("--partition-max-bytes", c.partitionMaxBytes());
        d.put("--max-sessions-per-connection", c.maxSessionsPerConnection());
        d.put("--max-uploads-in-flight", c.maxUploadsInFlight());
        d.put("--new-files-per-user", c.newFilesPerUser());
        d.put("--new-files-per-app", c.newFilesPerApp());
        d.put("--max-files-per-app", c.maxFilesPerApp());
        d.put("--flx-query-max-bytes", c.flxQueryMaxBytes());
        // no mirror by default; the schema a mirror gets when none is given
        d.put("--mirror-schema", new dev.outpost.server.config.MirrorSettings("postgresql://h/d", null).schema());
        d.put("--flx-view-log-entries", c.flxViewLogEntries());
        d.put("--client-max-offline", c.clientMaxOffline());
        d.put("--mirror-resident-files", c.mirrorResidentFiles());
        // inbound is on by default once a mirror is configured
        d.put("--mirror-inbound", new dev.outpost.server.config.MirrorSettings("postgresql://h/d", null).inbound());
        d.put("--admin-host", c.adminHost());
        d.put("--admin-port", c.adminPort());
        d.put("--admin-public-status", c.adminPublicStatus());
        return d;
    }

    /** @return each option's help block (its synopsis line and description) with whitespace collapsed. */
    private static Map<String, String> optionBlocks(final String help)
    {
        final Map<String, String> blocks = new LinkedHashMap<>();
        for (final String block : help.split("\\R(?=\\s*-{1,2}[a-z])"))
        {
            final Matcher m = Pattern.compile("^\\s*(?:-\\w, )?(--[a-z-]+)").matcher(block);
            if (m.find())
            {
                blocks.put(m.group(1), block.replaceAll("\\s+", " "));
            }
        }
        return blocks;
    }

    @Test
    void shouldShowEachSettingsActualDefault()
    {
        final StringWriter out = new StringWriter();
        final CommandLine cli = OutpostMain.commandLine();
        cli.setOut(new PrintWriter(out));
        assertThat(cli.execute("serve", "--help")).isZero();
        final Map<String, String> blocks = optionBlocks(out.toString());
        final Map<String, Object> defaults = actualDefaults();

        // every flag whose help states a default is checked here: a new one cannot slip past
        blocks.forEach((flag, block) ->
        {
            if (DEFAULT.matcher(block).find())
            {
                assertThat(parsers()).as("%s states a default but ServeHelpDefaultsTest does not check it", flag)
                    .containsKey(flag);
            }
        });
        parsers().forEach((flag, parse) ->
        {
            assertThat(blocks).as("help of serve").containsKey(flag);
            final Matcher m = DEFAULT.matcher(blocks.get(flag));
            assertThat(m.find()).as("%s states its default: %s", flag, blocks.get(flag)).isTrue();
            assertThat(parse.apply(m.group(1))).as("default shown by %s help", flag).isEqualTo(defaults.get(flag));
        });
    }
}
