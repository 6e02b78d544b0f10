package dev.outpost.server.embed;

import dev.outpost.server.config.ServerConfig;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A host Vert.x application with a route of its own and Outpost's router mounted under {@code /outpost}: both
 * answer, the location names the prefix, a sync WebSocket through the prefix answers pings, and undeploying the
 * verticle tells that connection to reconnect later (error 100, try again) and closes it with 1001 while the host's
 * route keeps working.
 */
@Timeout(60)
class EmbedIT
{
    private static final String APP = "embedded";

    @TempDir
    Path dir;

    private Vertx vertx;

    @AfterEach
    void close() throws Exception
    {
        if (null != vertx)
        {
            vertx.close().await(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void shouldServeBesideTheHostsRoutesUnderAPrefix() throws Exception
    {
        vertx = Vertx.vertx();
        final OutpostVerticle outpost = new OutpostVerticle(new ServerConfig(Map.of()).dataDir(dir).appId(APP));
        final String deployment = vertx.deployVerticle(outpost).await(30, TimeUnit.SECONDS);
        final Router router = Router.router(vertx);
        router.get("/hello").handler(ctx -> ctx.end("host says hi"));
        router.route("/outpost/*").subRouter(outpost.router());
        // the admin API and the status pages: a host would put them on a server only operators reach
        router.route("/outpost-admin/*").subRouter(outpost.adminRouter(
            dev.outpost.server.admin.AdminKey.of("embed-test-admin-key-0123")));
        final HttpServer http = vertx.createHttpServer(outpost.httpServerOptions(new HttpServerOptions()
            .setHost("127.0.0.1").setPort(0))).requestHandler(router).listen().await(10, TimeUnit.SECONDS);
        final int port = http.actualPort();
        final String base = "http://127.0.0.1:" + port;
        final HttpClient client = HttpClient.newHttpClient();

        assertThat(get(client, base + "/hello").body()).isEqualTo("host says hi");
        final JsonObject location = new JsonObject(get(client, base + "/outpost/api/client/v2.0/app/" + APP +
            "/location").body());
        assertThat(location.getString("hostname")).isEqualTo(base + "/outpost");
        assertThat(location.getString("ws_hostname")).isEqualTo("ws://127.0.0.1:" + port + "/outpost");
        assertThat(get(client, base + "/outpost/api/client/v2.0/app/other/location").statusCode()).isEqualTo(404);

        final HttpResponse<String> login = client.send(HttpRequest.newBuilder(URI.create(base +
            "/outpost/api/client/v2.0/app/" + APP + "/auth/providers/anon-user/login"))
            .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(login.statusCode()).isEqualTo(200);
        final String token = new JsonObject(login.body()).getString("access_token");
        assertThat(Files.exists(dir.resolve("auth.log"))).isTrue();

        try (Socket socket = new Socket("127.0.0.1", port))
        {
            socket.setSoTimeout(20_000);
            final OutputStream out = socket.getOutputStream();
            final DataInputStream in = new DataInputStream(socket.getInputStream());
            out.write(("GET /outpost/api/client/v2.0/app/" + APP + "/realm-sync?baas_at=" + token + " HTTP/1.1\r\n" +
                "Host: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" +
                "Sec-WebSocket-Protocol: com.mongodb.realm-sync#14\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertThat(readHead(in)).startsWith("HTTP/1.1 101");

            sendBinary(out, "ping 12345 0\n".getBytes(StandardCharsets.US_ASCII));
            final Frame pong = readFrame(in);
            assertThat(pong.opcode).isEqualTo(2);
            assertThat(pong.text()).isEqualTo("pong 12345\n");
            assertThat(get(client, base + "/outpost/health").statusCode()).isEqualTo(200);
            assertThat(new JsonObject(get(client, base + "/outpost/ready").body()).getString("status"))
                .isEqualTo("READY");
            assertThat(new JsonObject(get(client, base + "/outpost-admin/status.json").body())
                .getLong("connections")).as("the embedded router counts its sync connections").isEqualTo(1);
            assertThat(get(client, base + "/outpost/status.json").statusCode())
                .as("status pages are on the admin router only, by default").isEqualTo(404);
            assertThat(outpost.status().readinessChecks()).containsExactly("disk space", "history store");
            assertThat(((dev.outpost.server.sync.SyncService)outpost.apps().engine(APP)).metrics())
                .as("the sync engine feeds the verticle's /metrics").isSameAs(outpost.status().metrics());

            // Undeploy: graceful shutdown of Outpost only.
            final var undeployed = vertx.undeploy(deployment);
            final Frame error = readFrame(in);
            assertThat(error.opcode).isEqualTo(2);
            assertThat(error.text()).startsWith("error 100 ").contains(" 1 0\n").contains("shutting down");
            final Frame close = readFrame(in);
            assertThat(close.opcode).isEqualTo(8);
            assertThat(((close.payload[0] & 0xFF) << 8) | (close.payload[1] & 0xFF)).isEqualTo(1001);
            sendClose(out);
            undeployed.await(20, TimeUnit.SECONDS);
        }
        assertThat(get(client, base + "/hello").body()).as("the host's route outlives Outpost")
            .isEqualTo("host says hi");
        assertThat(get(client, base + "/outpost/api/client/v2.0/app/" + APP + "/location").statusCode())
            .as("Outpost's routes refuse while shut down").isEqualTo(503);
    }

    @Test
    void shouldCloseSilentConnectionsOfTheHostsServerThroughTheConnectionGuard() throws Exception
    {
        vertx = Vertx.vertx();
        final OutpostVerticle outpost = new OutpostVerticle(new ServerConfig(Map.of()).dataDir(dir).appId(APP)
            .httpIdleTimeout(Duration.ofSeconds(1)));
        vertx.deployVerticle(outpost).await(30, TimeUnit.SECONDS);
        final Router router = Router.router(vertx);
        router.get("/hello").handler(ctx -> ctx.end("host says hi"));
        router.route("/outpost/*").subRouter(outpost.router());
        // the admin API and the status pages: a host would put them on a server only operators reach
        router.route("/outpost-admin/*").subRouter(outpost.adminRouter(
            dev.outpost.server.admin.AdminKey.of("embed-test-admin-key-0123")));
        final HttpServer http = vertx.createHttpServer(outpost.httpServerOptions(new HttpServerOptions()
            .setHost("127.0.0.1").setPort(0))).connectionHandler(outpost.connectionGuard()).requestHandler(router)
            .listen().await(10, TimeUnit.SECONDS);
        assertThat(outpost.connectionGuard()).isSameAs(outpost.connectionGuard());

        try (Socket silent = new Socket("127.0.0.1", http.actualPort());
            Socket keepAlive = new Socket("127.0.0.1", http.actualPort()))
        {
            keepAlive.setSoTimeout(20_000);
            keepAlive.getOutputStream().write("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII));
            assertThat(readHead(keepAlive.getInputStream())).startsWith("HTTP/1.1 200");
            silent.setSoTimeout(20_000);
            assertThat(silent.getInputStream().read()).as("silent connection closed by the idle timeout")
                .isEqualTo(-1);
            final byte[] rest = keepAlive.getInputStream().readAllBytes();
            assertThat(new String(rest, StandardCharsets.US_ASCII)).as("keep-alive connection closed once idle")
                .endsWith("host says hi");
        }
    }

    private static HttpResponse<String> get(final HttpClient client, final String url) throws Exception
    {
        return client.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static String readHead(final InputStream in) throws IOException
    {
        final StringBuilder head = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0)
        {
            head.append((char)c);
            if (head.length() >= 4 && head.substring(head.length() - 4).equals("\r\n\r\n"))
            {
                break;
            }
        }
        return head.toString();
    }

    static void sendBinary(final OutputStream out, final byte[] payload) throws IOException
    {
        final byte[] mask = {1, 2, 3, 4};
        out.write(0x82);
        out.write(0x80 | payload.length);
        out.write(mask);
        for (int i = 0; i < payload.length; i++)
        {
            out.write(payload[i] ^ mask[i & 3]);
        }
        out.flush();
    }

    /** Answer the server's close frame, as a WebSocket client does (code 1000, masked). */
    static void sendClose(final OutputStream out) throws IOException
    {
        out.write(new byte[] {(byte)0x88, (byte)0x82, 1, 2, 3, 4, (byte)(0x03 ^ 1), (byte)(0xE8 ^ 2)});
        out.flush();
    }

    record Frame(int opcode, byte[] payload)
    {
        String text()
        {
            return new String(payload, StandardCharsets.UTF_8);
        }
    }

    static Frame readFrame(final DataInputStream in) throws IOException
    {
        final int b0 = in.readUnsignedByte();
        final int b1 = in.readUnsignedByte();
        long length = b1 & 0x7F;
        if (length == 126)
        {
            length = in.readUnsignedShort();
        }
        else if (length == 127)
        {
            length = in.readLong();
        }
        final byte[] payload = new byte[(int)length];
        in.readFully(payload);
        return new Frame(b0 & 0x0F, payload);
    }
}
