package dev.outpost.server.http;

import dev.outpost.server.config.ServerConfig;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.MetricsDomain;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A connection that Vert.x accepted between its server's bind and the creation of the server's HTTP metrics (seen
 * twice in ~104 restarts by the crash campaign under load) has no socket metric, and its first request failed inside
 * Vert.x's Micrometer metrics ({@code socketMetric} null): no answer, Netty WARN lines with stack traces; so did its
 * close. The guard gives such a connection the socket metric Vert.x would have made. The state is made on a real
 * Vert.x server with Outpost's metrics options by clearing the connection's socket metric before the guard sees it.
 */
@Timeout(60)
class HttpConnectionGuardStartupIT
{
    @TempDir
    Path dir;

    private Vertx vertx;

    @AfterEach
    void tearDown() throws Exception
    {
        if (null != vertx)
        {
            vertx.close().await(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void shouldServeAConnectionAcceptedBeforeTheServersMetricsExisted() throws Exception
    {
        final MicrometerMetricsOptions metrics = new MicrometerMetricsOptions().setEnabled(true);
        for (final MetricsDomain d : MetricsDomain.values())
        {
            if (d != MetricsDomain.HTTP_SERVER)
            {
                metrics.addDisabledMetricsCategory(d);
            }
        }
        vertx = Vertx.vertx(new VertxOptions().setMetricsOptions(metrics));
        final HttpConnectionGuard guard =
            new HttpConnectionGuard(new ServerConfig(Map.of()).dataDir(dir).conclude());
        final AtomicBoolean early = new AtomicBoolean();
        final HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
            .connectionHandler(c ->
            {
                if (early.get())
                {
                    ((ConnectionBase)c).metric(null); // as when accepted before the server's metrics were made
                }
                guard.handle(c);
            })
            .requestHandler(r -> r.response().end("ok"));
        server.listen().await(10, TimeUnit.SECONDS);
        final int port = server.actualPort();

        assertThat(exchange(port)).as("a normal connection is answered").startsWith("HTTP/1.1 200");

        early.set(true);
        assertThat(exchange(port)).as("answered and closed").startsWith("HTTP/1.1 200");
        assertThat(guard.repairedAtStartup()).isEqualTo(1);
        assertThat(exchange(port)).as("and the next one").startsWith("HTTP/1.1 200");
        assertThat(guard.repairedAtStartup()).isEqualTo(2);

        early.set(false);
        assertThat(exchange(port)).as("the server serves on").startsWith("HTTP/1.1 200");
    }

    /** One request; @return what came back until the server closed the connection (fails if it does not within 10 s). */
    private static String exchange(final int port) throws Exception
    {
        try (Socket s = new Socket())
        {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            s.setSoTimeout(10_000);
            s.getOutputStream().write("GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            final ByteArrayOutputStream out = new ByteArrayOutputStream();
            final InputStream in = s.getInputStream();
            final byte[] b = new byte[1024];
            try
            {
                for (int n; (n = in.read(b)) >= 0; )
                {
                    out.write(b, 0, n);
                }
            }
            catch (final java.net.SocketException reset)
            {
                // a reset is a close too
            }
            catch (final SocketTimeoutException timeout)
            {
                throw new AssertionError("no answer and no close within 10 s: " + out.toString(StandardCharsets.US_ASCII));
            }
            return out.toString(StandardCharsets.US_ASCII);
        }
    }
}
