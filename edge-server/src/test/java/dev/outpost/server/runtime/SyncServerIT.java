package dev.outpost.server.runtime;

import dev.outpost.codec.ProtocolErrorCode;
import dev.outpost.codec.message.MessageType;
import dev.outpost.server.config.AppConfig;
import dev.outpost.server.config.ServerConfig;
import dev.outpost.server.status.ServerStatus;
import dev.outpost.server.sync.SyncTestClient.Msg;
import dev.outpost.server.sync.SyncTestClient;
import dev.outpost.server.ws.CloseCodes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link SyncServer}, the one start path of {@code outpost serve}, the tests and the load generator: its close is
 * the graceful shutdown (sessions are told to try again) and every app's history store is a readiness check once.
 */
@Timeout(60)
class SyncServerIT
{
    private static final String APP = "drain";

    @TempDir
    Path dir;

    @Test
    void shouldTellBoundSessionsToTryAgainWhenClosed() throws Exception
    {
        final SyncServer server = SyncServer.start(new ServerConfig(Map.of()).port(0).host("127.0.0.1")
            .dataDir(dir).appId(APP).eventLoops(1).shutdownTimeout(Duration.ofSeconds(20)));
        final SyncTestClient client;
        try
        {
            final String token = SyncTestClient.login(server.port(), APP);
            client = SyncTestClient.connect(server.port(), APP, token, false);
            client.bind(1, "\"p\"", true);
            final Msg ident = client.next();
            assertThat(ident.type()).isEqualTo(MessageType.SERVER_IDENT);
            client.ident(1, ident.get(0), ident.get(1), 0, 0, 0, 0);
            assertThat(client.next().type()).isEqualTo(MessageType.DOWNLOAD);
        }
        catch (final Exception | AssertionError ex)
        {
            server.close();
            throw ex;
        }

        final long start = System.nanoTime();
        final CompletableFuture<Void> closing = CompletableFuture.runAsync(server::close);
        final Msg error = client.next();
        closing.get(20, TimeUnit.SECONDS);
        final long closeMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertThat(error.type()).isEqualTo(MessageType.ERROR);
        assertThat(error.get(0)).isEqualTo(ProtocolErrorCode.CONNECTION_CLOSED.code());
        assertThat(error.get(1)).as("try_again").isEqualTo(1);
        assertThat(error.text()).contains("shutting down");
        assertThat(client.awaitClose(5_000)).isEqualTo(CloseCodes.GOING_AWAY);
        assertThat(closeMs).as("the drain ends when the last connection closed, not at the 20 s timeout")
            .isLessThan(15_000);
        assertThat(server.http().status().state()).isEqualTo(ServerStatus.State.STOPPING);
        assertThat(server.sync().isOpen()).as("stores closed after the drain").isFalse();
        assertThat(server.sync().metrics()).isSameAs(server.http().metrics());
    }

    @Test
    void shouldCheckEachAppsHistoryStoreForReadinessOnce() throws Exception
    {
        try (SyncServer single = SyncServer.start(new ServerConfig(Map.of()).port(0).host("127.0.0.1")
            .dataDir(dir.resolve("single")).appId(APP).eventLoops(1)))
        {
            assertThat(single.http().status().readinessChecks()).containsExactly("disk space", "history store");
            assertThat(single.http().status().notReadyReason()).isNull();
        }
        try (SyncServer several = SyncServer.start(new ServerConfig(Map.of()).port(0).host("127.0.0.1")
            .dataDir(dir.resolve("several")).eventLoops(1)
            .apps(List.of(new AppConfig("a", null, true), new AppConfig("b", null, true)))))
        {
            assertThat(several.http().status().readinessChecks())
                .containsExactly("disk space of app 'a'", "disk space of app 'b'", "history store of app 'a'",
                    "history store of app 'b'");
            assertThat(several.sync("a")).isNotSameAs(several.sync("b"));
            assertThat(several.sync("b").isOpen()).isTrue();
            assertThat(several.http().apps().appConfig("b").dataDir()).isEqualTo(dir.resolve("several/apps/b"));
        }
    }
}
