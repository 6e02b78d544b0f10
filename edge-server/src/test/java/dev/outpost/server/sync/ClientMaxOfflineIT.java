package dev.outpost.server.sync;

import dev.outpost.codec.message.MessageType;
import dev.outpost.server.inspect.StoreInspector;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import static dev.outpost.server.sync.SyncTestClient.Msg;
import static dev.outpost.server.sync.SyncTestClient.Up;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code client-max-offline}: a client file that has not synced for longer than the app's client max offline time is
 * answered at IDENT with client_file_expired 222 (a client reset, in PBS and FLX); one that comes back within it
 * continues, and every IDENT counts as a sync (its last-seen time is stored and survives a restart). The server runs
 * on a clock the test moves, so nothing waits.
 */
@Timeout(60)
class ClientMaxOfflineIT
{
    private static final String APP = "offline-app";
    private static final String P = "\"offline\"";
    private static final String FLX_BIND = "{\"schemaVersion\":0,\"sessionReason\":0}";
    private static final long T0 = 1_780_000_000_000L;

    @TempDir
    Path dir;

    private final SyncTestServer fixture = new SyncTestServer(APP);
    private final AtomicLong now = new AtomicLong(T0);

    @AfterEach
    void stop()
    {
        fixture.close();
    }

    @Test
    void shouldAnswerTheIdentOfAPbsClientFileAwayLongerThanTheHorizonWithClientFileExpired222() throws Exception
    {
        fixture.start(dir, c -> c.epochClock(now::get).clientMaxOffline(Duration.ofSeconds(60)));
        final SyncTestClient a = fixture.connect(false);
        a.bind(1, P, true);
        final Msg ident = a.next();
        assertThat(ident.type()).isEqualTo(MessageType.SERVER_IDENT);
        final long file = ident.get(0);
        final long salt = ident.get(1);
        a.ident(1, file, salt, 0, 0, 0, 0);
        a.upload(1, 2, 0, 0, false, new Up(2, 0, Changesets.objects("Item", 1, 1, "up")));
        Msg m = a.next();
        while (m.type() != MessageType.DOWNLOAD || m.get(4) < 2)
        {
            m = a.next();
        }
        final long[] cursor = {m.get(0), m.get(1), m.get(2), m.get(3)};
        a.unbind(1);
        assertThat(a.next().type()).isEqualTo(MessageType.UNBOUND);

        // within the horizon twice in a row: 50 s + 50 s after the upload, each IDENT counts as a sync
        for (int i = 0; i < 2; i++)
        {
            now.addAndGet(50_000);
            final long session = 2 + i;
            a.bind(session, P, false);
            a.ident(session, file, salt, cursor[0], cursor[1], cursor[2], cursor[3]);
            a.mark(session, 1);
            assertThat(a.next(MessageType.SERVER_MARK).session()).as("IDENT %d within the horizon", i).isEqualTo(session);
            a.unbind(session);
            assertThat(a.next(MessageType.UNBOUND).session()).isEqualTo(session);
        }

        // away for 61 s (also across a restart: the last-seen time is durable)
        fixture.restart(dir, c -> c.epochClock(now::get).clientMaxOffline(Duration.ofSeconds(60)));
        now.addAndGet(61_000);
        final SyncTestClient b = fixture.connect(false);
        b.bind(5, P, false);
        b.ident(5, file, salt, cursor[0], cursor[1], cursor[2], cursor[3]);
        final Msg err = b.next();
        assertThat(err.type()).as("%s %s", err, err.text()).isEqualTo(MessageType.SERVER_JSON_ERROR);
        assertThat(err.get(0)).as(err.text()).isEqualTo(222);
        assertThat(err.session()).isEqualTo(5);
        final JsonObject body = new JsonObject(err.text());
        assertThat(body.getString("action")).isEqualTo("ClientReset");
        assertThat(body.getString("message")).contains("expired").doesNotContain("Exception");
        final JsonObject status = new JsonObject(SyncTestClient.HTTP.send(HttpRequest.newBuilder(
            URI.create(fixture.server().http().adminBaseUrl() + "/status.json")).build(), HttpResponse.BodyHandlers.ofString())
            .body());
        assertThat(status.getLong("client_files_expired_total")).as("status page").isEqualTo(1L);

        // the reset client gets a new client file and syncs the server's data
        b.unbind(5);
        b.bind(6, P, true);
        final Msg fresh = b.next(MessageType.SERVER_IDENT);
        assertThat(fresh.get(0)).isNotEqualTo(file);
        b.ident(6, fresh.get(0), fresh.get(1), 0, 0, 0, 0);
        Msg d = b.next();
        while (d.type() != MessageType.DOWNLOAD || d.get(0) < 1)
        {
            d = b.next();
        }
        fixture.close();
        try (StoreInspector inspector = StoreInspector.open(dir))
        {
            final StoreInspector.FileInfo info = inspector.files().stream()
                .filter(f -> f.name().equals(SyncService.pbsFileName(APP, P))).findFirst().orElseThrow();
            assertThat(info.clients().stream().filter(c -> c.ident() == file).findFirst().orElseThrow().lastSeen())
                .as("last seen at the second IDENT, not moved by the refused one").isEqualTo(T0 + 100_000);
        }
    }

    @Test
    void shouldAnswerTheIdentOfAnFlxClientFileAwayLongerThanTheHorizonWithClientFileExpired222() throws Exception
    {
        fixture.start(dir, c -> c.epochClock(now::get).clientMaxOffline(Duration.ofHours(12)));
        final SyncTestClient a = fixture.connect(true);
        a.bind(1, FLX_BIND, true);
        final Msg ident = a.next();
        assertThat(ident.type()).isEqualTo(MessageType.SERVER_IDENT);
        final long file = ident.get(0);
        final long salt = ident.get(1);
        a.identFlx(1, file, salt, 0, 0, 0, 0, 0, "{}");
        a.mark(1, 1);
        a.next(MessageType.SERVER_MARK);
        a.unbind(1);
        a.next(MessageType.UNBOUND);

        now.addAndGet(Duration.ofHours(12).toMillis() + 1);
        fixture.restart(dir, c -> c.epochClock(now::get).clientMaxOffline(Duration.ofHours(12)));
        final SyncTestClient b = fixture.connect(true);
        b.bind(2, FLX_BIND, false);
        b.identFlx(2, file, salt, 0, 0, 0, 0, 0, "{}");
        final Msg err = b.next();
        assertThat(err.type()).as("%s %s", err, err.text()).isEqualTo(MessageType.SERVER_JSON_ERROR);
        assertThat(err.get(0)).as(err.text()).isEqualTo(222);
        assertThat(new JsonObject(err.text()).getString("action")).isEqualTo("ClientReset");
    }

    @Test
    void shouldNeverExpireAClientFileWhenTheHorizonIsZero() throws Exception
    {
        fixture.start(dir, c -> c.epochClock(now::get).clientMaxOffline(Duration.ZERO));
        final SyncTestClient a = fixture.connect(false);
        a.bind(1, P, true);
        final Msg ident = a.next();
        a.ident(1, ident.get(0), ident.get(1), 0, 0, 0, 0);
        a.unbind(1);
        a.next(MessageType.UNBOUND);
        now.addAndGet(Duration.ofDays(3650).toMillis());
        fixture.restart(dir, c -> c.epochClock(now::get).clientMaxOffline(Duration.ZERO));
        final SyncTestClient b = fixture.connect(false);
        b.bind(2, P, false);
        b.ident(2, ident.get(0), ident.get(1), 0, 0, 0, 0);
        b.mark(2, 1);
        assertThat(b.next(MessageType.SERVER_MARK).session()).isEqualTo(2);
    }
}
