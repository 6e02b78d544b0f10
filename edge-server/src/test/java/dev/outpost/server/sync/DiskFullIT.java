package dev.outpost.server.sync;

import dev.outpost.codec.message.MessageType;
import dev.outpost.server.runtime.SyncServer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static dev.outpost.server.sync.SyncTestClient.Msg;
import static dev.outpost.server.sync.SyncTestClient.Up;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real server whose data directory is a small tmpfs that another file fills up: uploads are refused with a
 * retryable error (201, {@code Transient}, try again), a reader of the same file keeps receiving what was
 * acknowledged, {@code /ready} answers 503 naming the disk space and the refusals are counted; when the file is
 * removed the server is ready again and writes go on by themselves; after a restart every acknowledged changeset is
 * there. (The store-level fault injection, which always runs, is {@code DiskFullTest}.) Skipped where the test
 * cannot mount a tmpfs.
 */
@Timeout(120)
class DiskFullIT
{
    private static final String APP = "diskfull-app";
    private static final String P = "\"p\"";
    private static final String FILE = SyncService.pbsFileName(APP, P);
    private static final int MIN_FREE = 8 << 20;

    @TempDir
    Path dir;

    private final SyncTestServer fixture = new SyncTestServer(APP);
    private Path mnt;
    private boolean mounted;

    @AfterEach
    void stop() throws Exception
    {
        fixture.close();
        if (mounted)
        {
            if (run("umount", mnt.toString()) != 0)
            {
                run("umount", "-l", mnt.toString()); // still mapped by a store the test could not close
            }
        }
    }

    @Test
    void shouldRefuseUploadsRetryablyKeepServingReadersAndResumeWhenSpaceReturns() throws Exception
    {
        mnt = dir.resolve("mnt");
        Files.createDirectories(mnt);
        Assumptions.assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", mnt.toString()) == 0,
            "cannot mount a tmpfs here (not root?)");
        mounted = true;
        final Path data = mnt.resolve("data");
        SyncServer server = fixture.start(data, c -> c.eventLoops(1).storeShards(1).storeMinFreeSpace(MIN_FREE));
        final SyncTestClient a = fixture.connect(false);
        final SyncTestClient b = fixture.connect(false);
        open(a, 1);
        open(b, 1);
        a.upload(1, 2, 0, 0, false, new Up(2, 0, Changesets.objects("Item", 1, 3, "a")));
        awaitDownload(a, 1, 2);
        assertThat(get(server, "/ready").statusCode()).isEqualTo(200);

        // another program fills the filesystem: less than the reserve is left
        final Path ballast = mnt.resolve("ballast");
        fill(ballast, Files.getFileStore(mnt).getUsableSpace() - MIN_FREE + (2 << 20));

        // uploads go on from the store's last look at the free space (at most 1 MiB), then are refused
        long acked = 2;
        Msg error = null;
        for (int k = 0; k < 400 && error == null; k++)
        {
            final long cv = acked + 1;
            a.upload(1, cv, 1, 0, false, new Up(cv, 1, Changesets.objects("Item", 100 + k * 200L, 200, "x")));
            while (true)
            {
                final Msg m = a.next();
                if (m.type().name().contains("ERROR"))
                {
                    error = m;
                    break;
                }
                if (m.type() == MessageType.DOWNLOAD && m.session() == 1 && m.get(4) >= cv)
                {
                    acked = cv;
                    break;
                }
            }
        }
        assertThat(error).as("an upload was refused").isNotNull();
        assertThat(error.type()).isEqualTo(MessageType.SERVER_JSON_ERROR);
        assertThat(error.get(0)).isEqualTo(201);
        final JsonObject body = new JsonObject(error.text());
        assertThat(body.getBoolean("tryAgain")).isTrue();
        assertThat(body.getString("action")).isEqualTo("Transient");
        assertThat(body.getString("message")).doesNotContain("Exception").doesNotContain("java.")
            .doesNotContain("StoreFull");
        final long head = server.sync().head(FILE);

        final HttpResponse<String> notReady = get(server, "/ready");
        assertThat(notReady.statusCode()).isEqualTo(503);
        assertThat(notReady.body()).contains("disk space");
        assertThat(get(server, "/metrics").body()).containsPattern("outpost_store_writes_refused_total\\{[^}]*} [1-9]");

        // the reader still gets everything that was acknowledged
        awaitServerVersion(b, 1, head);

        // space returns: ready again without a restart, and a new client file (a write) and its upload succeed
        Files.delete(ballast);
        assertThat(get(server, "/ready").statusCode()).isEqualTo(200);
        final SyncTestClient c = fixture.connect(false);
        open(c, 1);
        c.upload(1, 2, head, 0, false, new Up(2, head, Changesets.objects("Other", 1, 1, "c")));
        awaitServerVersion(c, 1, head + 1);
        assertThat(server.sync().head(FILE)).isEqualTo(head + 1);
        final String dump = server.sync().objectStateDump(FILE);

        // nothing acknowledged was lost, the directory opens as it is
        server = fixture.restart(data, cfg -> cfg.eventLoops(1).storeShards(1).storeMinFreeSpace(MIN_FREE));
        assertThat(server.sync().head(FILE)).isEqualTo(head + 1);
        assertThat(server.sync().objectStateDump(FILE)).isEqualTo(dump);
        assertThat(acked).as("some uploads were acknowledged while the disk filled").isGreaterThan(2);
    }

    private static void open(final SyncTestClient c, final long session) throws Exception
    {
        c.bind(session, P, true);
        final Msg ident = c.next(MessageType.SERVER_IDENT);
        c.ident(session, ident.get(0), ident.get(1), 0, 0, 0, 0);
        c.mark(session, 1);
        c.next(MessageType.SERVER_MARK);
    }

    /** Waits for a DOWNLOAD on {@code session} whose upload progress acknowledges {@code clientVersion}. */
    private static void awaitDownload(final SyncTestClient c, final long session, final long clientVersion)
        throws Exception
    {
        Msg m = c.next(MessageType.DOWNLOAD);
        while (m.session() != session || m.get(4) < clientVersion)
        {
            m = c.next(MessageType.DOWNLOAD);
        }
    }

    /** Waits for a DOWNLOAD on {@code session} that brings the client to server version {@code version}. */
    private static void awaitServerVersion(final SyncTestClient c, final long session, final long version)
        throws Exception
    {
        Msg m = c.next(MessageType.DOWNLOAD);
        while (m.session() != session || m.get(0) < version)
        {
            m = c.next(MessageType.DOWNLOAD);
        }
    }

    private static void fill(final Path file, final long bytes) throws IOException
    {
        final byte[] chunk = new byte[1 << 20];
        java.util.Arrays.fill(chunk, (byte)1);
        try (OutputStream out = Files.newOutputStream(file))
        {
            long left = bytes;
            while (left > 0)
            {
                final int n = (int)Math.min(chunk.length, left);
                out.write(chunk, 0, n);
                left -= n;
            }
        }
    }

    private static HttpResponse<String> get(final SyncServer server, final String path) throws Exception
    {
        // /ready is on the public port, the scrape on the admin listener
        return SyncTestClient.HTTP.send(HttpRequest.newBuilder(URI.create((path.equals("/metrics") ?
            server.http().adminBaseUrl() : server.baseUrl()) + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static int run(final String... command) throws IOException, InterruptedException
    {
        final Process p = new ProcessBuilder(command).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(30, TimeUnit.SECONDS))
        {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }
}
