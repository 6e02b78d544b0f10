package dev.outpost.server.tls;

import dev.outpost.server.config.ServerConfig;
import dev.outpost.server.runtime.OutpostServer;
import dev.outpost.server.ws.PingPongHandler;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Real TLS handshakes against the server's port: HTTPS and WSS with a self-signed certificate and with PEM files,
 * TLS 1.3 only by default, TLS 1.2 only when enabled.
 */
@Timeout(120)
class TlsIT
{
    private static final String APP = "tls-app";

    @TempDir
    Path dir;

    private OutpostServer server;

    @AfterEach
    void close()
    {
        if (null != server)
        {
            server.close();
        }
    }

    private OutpostServer start(final ServerConfig config) throws Exception
    {
        server = OutpostServer.start(config.host("127.0.0.1").port(0).appId(APP).eventLoops(1),
            PingPongHandler.FACTORY);
        return server;
    }

    private static SSLContext trusting(final Path certPem) throws Exception
    {
        final KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(certPem))
        {
            trust.setCertificateEntry("outpost", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        final TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        final SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
    }

    @Test
    void shouldServeHttpsAndWssWithTls13AndAnswerSecureLocations() throws Exception
    {
        final ServerConfig config = new ServerConfig(Map.of()).dataDir(dir).tlsSelfSigned(true);
        start(config);
        final Path cert = TlsSetup.selfSignedCertificate(config);
        assertThat(server.baseUrl()).startsWith("https://127.0.0.1:");
        final SSLContext ssl = trusting(cert);

        final HttpClient client = HttpClient.newBuilder().sslContext(ssl).build();
        final HttpResponse<String> location = client.send(HttpRequest.newBuilder(URI.create(server.baseUrl() +
            "/api/client/v2.0/app/" + APP + "/location")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(location.statusCode()).isEqualTo(200);
        final JsonObject body = new JsonObject(location.body());
        assertThat(body.getString("hostname")).isEqualTo("https://127.0.0.1:" + server.port());
        assertThat(body.getString("ws_hostname")).isEqualTo("wss://127.0.0.1:" + server.port());
        assertThat(location.sslSession()).get().extracting(s -> s.getProtocol()).isEqualTo("TLSv1.3");

        final HttpResponse<String> login = client.send(HttpRequest.newBuilder(URI.create(server.baseUrl() +
            "/api/client/v2.0/app/" + APP + "/auth/providers/anon-user/login"))
            .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(login.statusCode()).isEqualTo(200);
        final String token = new JsonObject(login.body()).getString("access_token");

        // WSS on the same port: a WebSocket upgrade over a TLS 1.3 socket, then a sync ping answered.
        try (SSLSocket socket = (SSLSocket)ssl.getSocketFactory().createSocket("127.0.0.1", server.port()))
        {
            socket.startHandshake();
            assertThat(socket.getSession().getProtocol()).isEqualTo("TLSv1.3");
            final OutputStream out = socket.getOutputStream();
            out.write(("GET /api/client/v2.0/app/" + APP + "/realm-sync?baas_at=" + token + " HTTP/1.1\r\n" +
                "Host: 127.0.0.1:" + server.port() + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" +
                "Sec-WebSocket-Protocol: com.mongodb.realm-sync#14\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            final String head = readHead(socket.getInputStream());
            assertThat(head).startsWith("HTTP/1.1 101").containsIgnoringCase("com.mongodb.realm-sync#14");
        }
    }

    @Test
    void shouldRefuseTls12ClientsUnlessEnabled() throws Exception
    {
        final ServerConfig config = new ServerConfig(Map.of()).dataDir(dir).tlsSelfSigned(true);
        start(config);
        final SSLContext ssl = trusting(TlsSetup.selfSignedCertificate(config));

        assertThatThrownBy(() -> handshake(ssl, "TLSv1.2")).isInstanceOf(SSLHandshakeException.class);
        server.close();
        server = null;

        start(new ServerConfig(Map.of()).dataDir(dir).tlsSelfSigned(true).tlsProtocols(List.of("TLSv1.3",
            "TLSv1.2")));
        assertThat(handshake(ssl, "TLSv1.2")).isEqualTo("TLSv1.2");
        assertThat(handshake(ssl, "TLSv1.3")).isEqualTo("TLSv1.3");
    }

    @Test
    void shouldServePemFilesFromTheConfiguration() throws Exception
    {
        final Path[] pem = TlsSetup.ensureSelfSigned(dir.resolve("pem"), "127.0.0.1");
        start(new ServerConfig(Map.of()).dataDir(dir.resolve("data")).tlsCertFile(pem[0]).tlsKeyFile(pem[1]));

        assertThat(handshake(trusting(pem[0]), "TLSv1.3")).isEqualTo("TLSv1.3");
        assertThat(Files.exists(dir.resolve("data").resolve(TlsSetup.TLS_DIR))).as("no self-signed made").isFalse();
    }

    @Test
    void shouldKeepTheSelfSignedCertificateAcrossRestarts() throws Exception
    {
        final Path[] first = TlsSetup.ensureSelfSigned(dir, "localhost");
        final byte[] cert = Files.readAllBytes(first[0]);

        final Path[] second = TlsSetup.ensureSelfSigned(dir, "localhost");

        assertThat(Files.readAllBytes(second[0])).isEqualTo(cert);
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(second[1])))
            .isEqualTo("rw-------");
    }

    @Test
    void shouldHandshakeWithOpensslTls13() throws Exception
    {
        final Path openssl = Path.of("/usr/bin/openssl");
        assumeTrue(Files.isExecutable(openssl), "openssl not installed");
        final ServerConfig config = new ServerConfig(Map.of()).dataDir(dir).tlsSelfSigned(true);
        start(config);

        final Process tls13 = new ProcessBuilder(openssl.toString(), "s_client", "-connect",
            "127.0.0.1:" + server.port(), "-tls1_3", "-CAfile", TlsSetup.selfSignedCertificate(config).toString(),
            "-servername", "localhost").redirectErrorStream(true).start();
        tls13.getOutputStream().close();
        final String out = new String(tls13.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(tls13.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(out).contains("TLSv1.3").contains("Verify return code: 0 (ok)");

        final Process tls12 = new ProcessBuilder(openssl.toString(), "s_client", "-connect",
            "127.0.0.1:" + server.port(), "-tls1_2").redirectErrorStream(true).start();
        tls12.getOutputStream().close();
        final String refused = new String(tls12.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(tls12.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(tls12.exitValue()).as(refused).isNotZero();
    }

    private String handshake(final SSLContext ssl, final String protocol) throws Exception
    {
        try (SSLSocket socket = (SSLSocket)ssl.getSocketFactory().createSocket("127.0.0.1", server.port()))
        {
            socket.setEnabledProtocols(new String[] {protocol});
            socket.setSoTimeout(10_000);
            socket.startHandshake();
            return socket.getSession().getProtocol();
        }
    }

    private static String readHead(final InputStream in) throws Exception
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
}
